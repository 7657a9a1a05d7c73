// Who a request is authenticated as. REST sends `Bearer <JWT>` (App), `token <t>` or
// `Bearer <t>` (installation token or PAT); git sends Basic credentials
// (`x-access-token:<t>`, `<login>:<pat>`, `<t>:`), e.g. actions/checkout's persisted
// `AUTHORIZATION: basic base64("x-access-token:" + token)` (docs/github.md §10).
import { verifyAppJwt } from "./jwt.js";
import { liveToken } from "./tokens.js";
import type { Actor, World } from "./world.js";

export type ActorResult = { actor: Actor } | { status: 401 | 404; message: string };
export type AuthScheme = "bearer" | "token" | "basic" | "none";

const BAD_CREDENTIALS = { status: 401, message: "Bad credentials" } as const;
const TOKEN_PREFIX = /^(gh[pousr]_|github_pat_)/;

export function authScheme(header: string | undefined): AuthScheme {
  const scheme = header?.trim().split(/\s+/, 1)[0]?.toLowerCase();
  if (scheme === "bearer" || scheme === "token" || scheme === "basic") return scheme;
  return "none";
}

/** the installation token or PAT a header carries (undefined for JWTs and anonymous requests) */
export function extractToken(header: string | undefined): string | undefined {
  const match = /^\s*(\S+)\s+(.*?)\s*$/.exec(header ?? "");
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  if (scheme === "basic") {
    const decoded = Buffer.from(match[2]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    const password = colon === -1 ? "" : decoded.slice(colon + 1);
    return TOKEN_PREFIX.test(user) && (password === "" || password === "x-oauth-basic") ? user : password || undefined;
  }
  return TOKEN_PREFIX.test(match[2]!) ? match[2] : undefined;
}

export function resolveActor(world: World, authorizationHeader: string | undefined, nowMs = Date.now()): ActorResult {
  if (!authorizationHeader || !authorizationHeader.trim()) return { actor: { kind: "anonymous" } };
  const match = /^\s*(\S+)\s+(.*?)\s*$/.exec(authorizationHeader);
  if (!match) return BAD_CREDENTIALS;
  const scheme = match[1]!.toLowerCase();
  const credential = match[2]!;

  if (scheme === "basic") {
    let decoded: string;
    try {
      decoded = Buffer.from(credential, "base64").toString("utf8");
    } catch {
      return BAD_CREDENTIALS;
    }
    const colon = decoded.indexOf(":");
    const user = colon === -1 ? decoded : decoded.slice(0, colon);
    const password = colon === -1 ? "" : decoded.slice(colon + 1);
    // `<t>:` or `<t>:x-oauth-basic` put the token in the user name; otherwise it is the password
    const token = TOKEN_PREFIX.test(user) && (password === "" || password === "x-oauth-basic") ? user : password;
    if (!token) return BAD_CREDENTIALS;
    const record = liveToken(world, token, nowMs);
    if (!record) return BAD_CREDENTIALS;
    // `<login>:<pat>` must name the PAT's owner
    if (record.actor.kind === "user" && user !== token && user !== "x-access-token" &&
        user.toLowerCase() !== record.actor.user.login.toLowerCase()) {
      return BAD_CREDENTIALS;
    }
    return { actor: record.actor };
  }

  if (scheme !== "bearer" && scheme !== "token") return BAD_CREDENTIALS;
  if (!TOKEN_PREFIX.test(credential) && credential.split(".").length === 3) {
    const result = verifyAppJwt(world, credential, nowMs);
    return "app" in result ? { actor: { kind: "app", app: result.app } } : result;
  }
  const record = liveToken(world, credential, nowMs);
  return record ? { actor: record.actor } : BAD_CREDENTIALS;
}
