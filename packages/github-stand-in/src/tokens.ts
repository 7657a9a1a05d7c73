// Installation tokens and PATs. Tokens live only in world.tokens (never in request records).
// docs/github.md §6.1 (minting rules, 422 texts) and §6.2 (classic `ghs_` + 36 vs stateless
// `ghs_<APPID>_<JWT>` ~520 chars with dots).
import { randomBytes, randomInt } from "node:crypto";
import type { Account, Actor, App, Installation, Permissions, Repository, TokenRecord, World } from "./world.js";

export type TokenFormat = "classic" | "stateless";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LEVELS = { read: 1, write: 2, admin: 3 } as const;

/** `<prefix>` + 36 alphanumerics, the classic shape of `ghs_`/`ghp_` tokens */
export function classicToken(prefix: "ghs_" | "ghp_"): string {
  let body = "";
  for (let i = 0; i < 36; i++) body += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return prefix + body;
}

/**
 * docs/github.md §6.2: stateless tokens `ghs_<APPID>_<JWT>`, about 520 characters, with dots. The
 * JWT-like part is base64url, so it always carries a `-` and an `_` here: code that assumes
 * `[A-Za-z0-9]` (or 40 characters) breaks in tests, not in production.
 */
export function statelessToken(appId: number, installationId: number, expiresAt: number): string {
  const header = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT", kid: randomBytes(6).toString("hex") })).toString("base64url");
  const payload = Buffer.from(
    JSON.stringify({
      iss: "github.com",
      sub: `installation:${installationId}`,
      app: appId,
      exp: Math.floor(expiresAt / 1000),
      jti: randomBytes(24).toString("base64url"),
    }),
  ).toString("base64url");
  const signature = randomBytes(256).toString("base64url").split("");
  signature[17] = "-";
  signature[99] = "_";
  return `ghs_${appId}_${header}.${payload}.${signature.join("")}`;
}

export type MintError = { status: 403 | 404 | 422; message: string; documentation_url?: string };

export interface MintOptions {
  permissions?: Permissions;
  repositoryIds?: number[];
  /** repository names (the `repositories` body field) */
  repositories?: string[];
  lifetimeSeconds: number;
  format: TokenFormat;
  nowMs: number;
}

/** repositories an installation can reach: all of the account's, or the selected ones */
export function installationRepositories(world: World, installation: Installation): Repository[] {
  return [...world.repositories.values()].filter(
    (repo) =>
      repo.owner.id === installation.account.id &&
      (installation.repositorySelection === "all" || installation.repositoryIds.includes(repo.id)),
  );
}

/** `have` grants at least `want` */
export function levelCovers(have: string | undefined, want: string): boolean {
  if (!have) return false;
  return (LEVELS[have as keyof typeof LEVELS] ?? 0) >= (LEVELS[want as keyof typeof LEVELS] ?? 99);
}

export function mintInstallationToken(world: World, installation: Installation, opts: MintOptions): TokenRecord | MintError {
  const app = world.apps.get(installation.appId);
  if (!app) return { status: 404, message: "Not Found" };
  if (installation.suspended) return { status: 403, message: "This installation has been suspended" };

  // docs/github.md §6.1: never more than the installation has
  let permissions: Permissions = { ...installation.permissions };
  if (opts.permissions && Object.keys(opts.permissions).length > 0) {
    for (const [name, level] of Object.entries(opts.permissions)) {
      if (!levelCovers(installation.permissions[name], level)) {
        return { status: 422, message: "The permissions requested are not granted to this installation." };
      }
    }
    permissions = { ...opts.permissions };
    // metadata: read comes with every installation token
    if (installation.permissions.metadata && !permissions.metadata) permissions.metadata = "read";
  }

  let repositoryIds: number[] | "all" =
    installation.repositorySelection === "all" ? "all" : [...installation.repositoryIds];
  const wanted = [...(opts.repositoryIds ?? [])];
  const reachable = installationRepositories(world, installation);
  for (const name of opts.repositories ?? []) {
    const repo = reachable.find((r) => r.name.toLowerCase() === name.toLowerCase());
    if (!repo) return notAccessible();
    wanted.push(repo.id);
  }
  if (opts.repositoryIds?.length || opts.repositories?.length) {
    if (wanted.length > 500) return { status: 422, message: "Too many repositories requested. The maximum is 500." };
    for (const id of wanted) if (!reachable.some((r) => r.id === id)) return notAccessible();
    repositoryIds = [...new Set(wanted)];
  }

  const expiresAt = opts.nowMs + opts.lifetimeSeconds * 1000;
  const token =
    opts.format === "stateless" ? statelessToken(app.id, installation.id, expiresAt) : classicToken("ghs_");
  const record: TokenRecord = {
    token,
    actor: { kind: "installation", app, installation, permissions, repositoryIds },
    expiresAt,
    revoked: false,
  };
  world.tokens.set(token, record);
  return record;
}

function notAccessible(): MintError {
  return {
    status: 422,
    message: "There is at least one repository that does not exist or is not accessible to the parent installation.",
  };
}

/** a personal access token (`ghp_`) for a user; never expires unless `lifetimeSeconds` is given */
export function createPat(world: World, user: Account, scopes: string[], nowMs: number, lifetimeSeconds?: number): TokenRecord {
  const record: TokenRecord = {
    token: classicToken("ghp_"),
    actor: { kind: "user", user, scopes },
    expiresAt: lifetimeSeconds === undefined ? Number.POSITIVE_INFINITY : nowMs + lifetimeSeconds * 1000,
    revoked: false,
  };
  world.tokens.set(record.token, record);
  return record;
}

/** the token's record if it is known, not revoked and not expired */
export function liveToken(world: World, token: string, nowMs: number): TokenRecord | undefined {
  const record = world.tokens.get(token);
  if (!record || record.revoked || record.expiresAt <= nowMs) return undefined;
  return record;
}

/** repository ids an installation actor reaches with this token */
export function tokenReaches(world: World, actor: Extract<Actor, { kind: "installation" }>, repo: Repository): boolean {
  void world;
  if (repo.owner.id !== actor.installation.account.id) return false;
  if (actor.installation.repositorySelection === "selected" && !actor.installation.repositoryIds.includes(repo.id)) return false;
  return actor.repositoryIds === "all" || actor.repositoryIds.includes(repo.id);
}

export type { App };
