// git smart HTTP for the stand-in, served by the real `git http-backend` (CGI), with GitHub's access
// answers in front of it and the rules engine behind it (via the hooks in hooks/pre-receive.mjs).
// The CGI setup follows docs/semantic-release.md §9.2; the texts docs/github.md §3 and
// docs/semantic-release.md §8.3.
//
// How pushes are judged: for each POST to git-receive-pack the server registers a random one-time push
// id for (repository, actor) and passes it to http-backend in the environment; receive-pack hands it to
// the hooks. The pre-receive hook sends the ref updates and commit metadata to
// `POST /_stand-in/pre-receive`, which runs judgeRefUpdates() for the whole push, records it in
// world.pushes and returns GitHub's text (printed as `remote: ...`). Then git runs the update hook per
// ref, which asks `POST /_stand-in/update` for that ref's verdict. So a non-atomic push is judged per
// ref (the tag can land while main is rejected, docs/github.md §2) and with `--atomic` one rejected ref
// rejects all (docs/semantic-release.md §8.5). No token ever reaches a hook.
// Differences from github.com a client can see: a refused ref's status line reads `(hook declined)` or
// `(atomic push failure)` instead of `(push declined due to repository rule violations)`, git adds a
// `remote: error: hook declined to update <ref>` line, and a bypass notice is still printed when an
// --atomic push fails on another ref. Match `GH013`/`GH006` and the `- ` bullets, as real clients should.
// Pushes to a bare repository by its file path carry no push id and are not judged (test setup).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { judgeRefUpdates, type Judgement, type RefUpdate } from "./rules.js";
import { levelCovers, tokenReaches } from "./tokens.js";
import type { Actor, Repository, World } from "./world.js";

/** what git-http needs of the running stand-in */
export interface GitHttpHost {
  /** `http://127.0.0.1:PORT`; also where the hooks call back */
  origin: string;
  world: World;
}

const HOOK_SCRIPT = fileURLToPath(new URL("./hooks/pre-receive.mjs", import.meta.url));

interface PushSession {
  repo: Repository;
  actor: Actor;
  judgement?: Judgement;
}

/** push id → session; ids are 128-bit random, live while their http-backend process runs */
type PushSessions = Map<string, PushSession>;

/** The git side of one stand-in: smart HTTP requests and the hooks' callbacks, sharing its push sessions. */
export interface GitHttp {
  handleGitRequest(req: IncomingMessage, res: ServerResponse, actor: Actor): Promise<number>;
  handleInternalRequest(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

export function createGitHttp(host: GitHttpHost): GitHttp {
  const sessions: PushSessions = new Map();
  return {
    handleGitRequest: (req, res, actor) => handleGitRequest(host, sessions, req, res, actor),
    handleInternalRequest: (req, res) => handleInternalRequest(host, sessions, req, res),
  };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Install the stand-in's `pre-receive` and `update` hooks into a bare repository. `origin` is only a
 * fallback for the callback address; the server passes its own origin with every push.
 */
export async function installHooks(repo: Repository, origin?: string): Promise<void> {
  const fallback = origin ? `: "\${STAND_IN_ORIGIN:=${origin}}"\nexport STAND_IN_ORIGIN\n` : "";
  const node = shellQuote(process.execPath);
  const script = shellQuote(HOOK_SCRIPT);
  await writeFile(join(repo.gitDir, "hooks", "pre-receive"), `#!/bin/sh\n${fallback}exec ${node} ${script} pre-receive\n`);
  await writeFile(join(repo.gitDir, "hooks", "update"), `#!/bin/sh\n${fallback}exec ${node} ${script} update "$@"\n`);
  await chmod(join(repo.gitDir, "hooks", "pre-receive"), 0o755);
  await chmod(join(repo.gitDir, "hooks", "update"), 0o755);
}

/** `/{owner}/{repo}.git/<rest>` (also without `.git`, as GitHub accepts) */
export function parseGitPath(pathname: string): { owner: string; repo: string; rest: string } | undefined {
  const m = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.*))$/.exec(pathname);
  if (!m) return undefined;
  return { owner: decodeURIComponent(m[1]!), repo: decodeURIComponent(m[2]!), rest: m[3]! };
}

function actorLogin(actor: Actor): string {
  switch (actor.kind) {
    case "installation":
      return `${actor.app.slug}[bot]`;
    case "user":
      return actor.user.login;
    case "app":
      return actor.app.slug;
    default:
      return "anonymous";
  }
}

function canRead(world: World, repo: Repository, actor: Actor): boolean {
  if (!repo.private) return true;
  if (actor.kind === "installation") return tokenReaches(world, actor, repo) && levelCovers(actor.permissions.contents, "read");
  if (actor.kind === "user") return userRoleLevel(repo, actor) >= 1;
  return false;
}

function canWrite(world: World, repo: Repository, actor: Actor): boolean {
  if (actor.kind === "installation") return tokenReaches(world, actor, repo) && levelCovers(actor.permissions.contents, "write");
  if (actor.kind === "user") return userRoleLevel(repo, actor) >= 3;
  return false;
}

function userRoleLevel(repo: Repository, actor: Extract<Actor, { kind: "user" }>): number {
  const login = actor.user.login.toLowerCase();
  if (repo.owner.id === actor.user.id) return 5;
  const orgRole = repo.owner.type === "Organization" ? [...(repo.owner.members ?? [])].find(([l]) => l.toLowerCase() === login)?.[1] : undefined;
  if (orgRole === "admin") return 5;
  const role = [...repo.collaborators].find(([l]) => l.toLowerCase() === login)?.[1];
  const rank = { read: 1, write: 3, maintain: 4, admin: 5 } as const;
  if (role) return rank[role];
  return orgRole === "member" ? 1 : 0;
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): number {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers });
  res.end(body);
  return status;
}

/**
 * Serve one git smart HTTP request (`/{owner}/{repo}.git/...`) for an already authenticated `actor`
 * (invalid credentials are answered by the caller). Resolves to the HTTP status sent.
 */
async function handleGitRequest(host: GitHttpHost, sessions: PushSessions, req: IncomingMessage, res: ServerResponse, actor: Actor): Promise<number> {
  const url = new URL(req.url ?? "/", "http://stand-in");
  const parsed = parseGitPath(url.pathname);
  const repo = parsed && host.world.repository(parsed.owner, parsed.repo);
  if (!parsed || !repo) {
    if (actor.kind === "anonymous") return askForCredentials(res);
    return reply(res, 404, "Repository not found.\n");
  }
  const service = parsed.rest === "/info/refs" ? url.searchParams.get("service") : parsed.rest.slice(1);
  const receive = service === "git-receive-pack";

  // anonymous clones of public repositories work; everything else asks for credentials
  const anonymous = actor.kind === "anonymous" || actor.kind === "app";
  if (anonymous && (receive || repo.private)) return askForCredentials(res);
  if (!canRead(host.world, repo, actor)) return reply(res, 404, "Repository not found.\n");
  if (receive && !canWrite(host.world, repo, actor)) {
    // docs/semantic-release.md §8.3: GitHub's 403 for a token without contents write
    return reply(res, 403, `Permission to ${repo.owner.login}/${repo.name}.git denied to ${actorLogin(actor)}.\n`);
  }

  let pushId: string | undefined;
  if (receive && req.method === "POST") {
    pushId = randomBytes(16).toString("hex");
    sessions.set(pushId, { repo, actor });
  }
  try {
    return await runHttpBackend(host, req, res, repo, url, parsed.rest, actor, pushId);
  } finally {
    if (pushId) sessions.delete(pushId);
  }
}

function askForCredentials(res: ServerResponse): number {
  return reply(res, 401, "Invalid username or token. Password authentication is not supported for Git operations.\n", {
    "www-authenticate": 'Basic realm="GitHub"',
  });
}

function runHttpBackend(
  host: GitHttpHost,
  req: IncomingMessage,
  res: ServerResponse,
  repo: Repository,
  url: URL,
  rest: string,
  actor: Actor,
  pushId: string | undefined,
): Promise<number> {
  // GIT_PROJECT_ROOT is the repository itself, so PATH_INFO is just `<rest>` (docs/semantic-release.md §9.2)
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_PROJECT_ROOT: repo.gitDir,
    GIT_HTTP_EXPORT_ALL: "1",
    REMOTE_USER: actor.kind === "anonymous" ? "" : actorLogin(actor),
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: rest,
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    STAND_IN_ORIGIN: host.origin,
  };
  if (actor.kind === "anonymous") delete env.REMOTE_USER;
  if (req.headers["content-length"] !== undefined) env.CONTENT_LENGTH = String(req.headers["content-length"]);
  if (req.headers["content-encoding"]) env.HTTP_CONTENT_ENCODING = String(req.headers["content-encoding"]);
  if (req.headers["git-protocol"]) env.GIT_PROTOCOL = String(req.headers["git-protocol"]);
  if (pushId) env.STAND_IN_PUSH_ID = pushId;

  return new Promise((resolve, reject) => {
    const child = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let head = Buffer.alloc(0);
    let status = 200;
    let headersSent = false;
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdin.on("error", () => {}); // http-backend may stop reading early (EPIPE)
    req.pipe(child.stdin);
    child.stdout.on("data", (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const crlf = head.indexOf("\r\n\r\n");
      const lf = head.indexOf("\n\n");
      const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
      if (end < 0) return;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString("latin1").split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      const body = head.subarray(end);
      if (body.length > 0) res.write(body);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (!headersSent) {
        resolve(reply(res, 500, `git http-backend failed (exit ${code}): ${stderr.trim()}\n`));
        return;
      }
      res.end();
      resolve(status);
    });
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
}

function replyJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/**
 * The hooks' callbacks, `POST /_stand-in/pre-receive` and `POST /_stand-in/update` (hooks/pre-receive.mjs).
 * Anything else under `/_stand-in/` is answered 404.
 */
async function handleInternalRequest(host: GitHttpHost, sessions: PushSessions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://stand-in").pathname;
  if (req.method !== "POST" || (path !== "/_stand-in/pre-receive" && path !== "/_stand-in/update")) {
    req.resume();
    replyJson(res, 404, { message: "Not Found" });
    return;
  }
  let body: Record<string, unknown>;
  try {
    body = await readJson(req);
  } catch {
    replyJson(res, 400, { message: "Problems parsing JSON" });
    return;
  }
  const session = typeof body.pushId === "string" ? sessions.get(body.pushId) : undefined;
  if (!session) {
    replyJson(res, 403, { message: "unknown push" });
    return;
  }
  if (path === "/_stand-in/pre-receive") {
    if (session.judgement) {
      replyJson(res, 403, { message: "push already judged" }); // one-time id
      return;
    }
    const updates = Array.isArray(body.updates) ? (body.updates as RefUpdate[]) : [];
    session.judgement = judgeRefUpdates(host.world, session.repo, session.actor, updates, { via: "git", origin: host.origin });
    replyJson(res, 200, { text: session.judgement.remoteText, accepted: session.judgement.accepted });
    return;
  }
  const verdict = session.judgement?.perRef.find((v) => v.ref === body.ref);
  replyJson(res, 200, { accepted: verdict?.accepted ?? false });
}
