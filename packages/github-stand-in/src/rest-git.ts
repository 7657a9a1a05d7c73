// The git database on the real bare repository: blobs, trees, commits and refs
// (docs/github.md §8). App installations that send no author/committer/signature get commits
// GitHub would sign: author `<slug>[bot]`, committer `GitHub <noreply@github.com>`, recorded in
// repo.verifiedCommits and answered with `verification.verified: true`. Ref writes are judged by
// the rules engine like pushes (docs/github.md §3.4, §8). Object IDs have the repository's format:
// 40 hex digits, or 64 in a SHA-256 repository, whose format `GET .../hash-algorithm` answers
// (docs/github.md §17).
import { rm } from "node:fs/promises";
import { isObjectIdOf, isZeroOid, objectFormatOf, zeroOid } from "./object-id.js";
import { apiRejectionMessage, judgeRefUpdates, type RefUpdateCommit } from "./rules.js";
import { githubTime } from "./rest-apps.js";
import {
  accessRepo,
  error,
  fullName,
  isReply,
  nodeId,
  notFound,
  type RestContext,
  type RestReply,
  type RouteDef,
  simpleUser,
  validationFailed,
} from "./rest-common.js";
import type { Actor, Repository } from "./world.js";

const REFS_DOCS = "https://docs.github.com/rest/git/refs";

export interface GitIdentity {
  name: string;
  email: string;
  /** ISO 8601, UTC */
  date: string;
}

export interface ParsedCommit {
  sha: string;
  tree: string;
  parents: string[];
  author: GitIdentity;
  committer: GitIdentity;
  message: string;
  /** the raw object text (the signature payload) */
  raw: string;
}

async function git(ctx: Pick<RestContext, "services">, repo: Repository, args: string[], input?: string | Buffer, env?: Record<string, string>) {
  return ctx.services.git(repo, args, input, env);
}

/** the object's type, or undefined when the repository lacks it */
export async function objectType(ctx: Pick<RestContext, "services">, repo: Repository, sha: string): Promise<string | undefined> {
  if (!isObjectIdOf(repo, sha)) return undefined; // 40 hex digits, or 64 in a SHA-256 repository
  try {
    return (await git(ctx, repo, ["cat-file", "-t", sha])).trim();
  } catch {
    return undefined;
  }
}

function parseIdentity(line: string): GitIdentity {
  const m = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: "", date: githubTime(0) };
  return { name: m[1]!, email: m[2]!, date: githubTime(Number(m[3]) * 1000) };
}

export async function readCommit(ctx: Pick<RestContext, "services">, repo: Repository, sha: string): Promise<ParsedCommit | undefined> {
  if ((await objectType(ctx, repo, sha)) !== "commit") return undefined;
  const raw = await git(ctx, repo, ["cat-file", "commit", sha]);
  const split = raw.indexOf("\n\n");
  const headerText = split === -1 ? raw : raw.slice(0, split);
  const message = split === -1 ? "" : raw.slice(split + 2);
  const parents: string[] = [];
  let tree = "";
  let author: GitIdentity | undefined;
  let committer: GitIdentity | undefined;
  for (const line of headerText.split("\n")) {
    if (line.startsWith(" ")) continue; // continuation of a multi-line header (gpgsig)
    const space = line.indexOf(" ");
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === "tree") tree = value;
    else if (key === "parent") parents.push(value);
    else if (key === "author") author = parseIdentity(value);
    else if (key === "committer") committer = parseIdentity(value);
  }
  return { sha, tree, parents, author: author!, committer: committer!, message, raw };
}

function verification(repo: Repository, commit: ParsedCommit) {
  if (repo.verifiedCommits.has(commit.sha)) {
    return {
      verified: true,
      reason: "valid",
      // stands in for the web-flow signature GitHub adds (docs/github.md §8)
      signature: "-----BEGIN PGP SIGNATURE-----\n\nstand-in web-flow signature\n-----END PGP SIGNATURE-----\n",
      payload: commit.raw,
      verified_at: commit.committer.date,
    };
  }
  return { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };
}

function repoApi(ctx: RestContext, repo: Repository): string {
  return `${ctx.apiUrl}/repos/${fullName(repo)}`;
}

/** schema `git-commit` */
export function gitCommitJson(ctx: RestContext, repo: Repository, commit: ParsedCommit) {
  const api = repoApi(ctx, repo);
  return {
    sha: commit.sha,
    node_id: nodeId("Commit", parseInt(commit.sha.slice(0, 8), 16)),
    url: `${api}/git/commits/${commit.sha}`,
    html_url: `${ctx.origin}/${fullName(repo)}/commit/${commit.sha}`,
    author: commit.author,
    committer: commit.committer,
    tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
    message: commit.message,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/git/commits/${sha}`, html_url: `${ctx.origin}/${fullName(repo)}/commit/${sha}` })),
    verification: verification(repo, commit),
  };
}

/**
 * The noreply e-mail domain of this server. The stand-in is a server of its own, as GitHub
 * Enterprise Server is, so it uses `users.noreply.<host>` (docs/github.md §12), as the plugin does.
 */
function noreplyDomain(ctx: Pick<RestContext, "origin">): string {
  return `users.noreply.${new URL(ctx.origin).hostname}`;
}

/** the account behind a `<id>+<login>@<noreply domain>` address */
function accountForEmail(ctx: RestContext, email: string) {
  const m = /^(\d+)\+(.+)@(.+)$/.exec(email);
  if (!m || m[3] !== noreplyDomain(ctx)) return undefined;
  const account = ctx.world.account(m[2]!);
  return account && account.id === Number(m[1]) ? simpleUser(account, ctx) : undefined;
}

/** schema `commit` (as in `GET /repos/{o}/{r}/branches/{branch}`) */
export function commitJson(ctx: RestContext, repo: Repository, commit: ParsedCommit) {
  const api = repoApi(ctx, repo);
  return {
    sha: commit.sha,
    node_id: nodeId("Commit", parseInt(commit.sha.slice(0, 8), 16)),
    url: `${api}/commits/${commit.sha}`,
    html_url: `${ctx.origin}/${fullName(repo)}/commit/${commit.sha}`,
    comments_url: `${api}/commits/${commit.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${commit.sha}`,
      author: commit.author,
      committer: commit.committer,
      message: commit.message,
      comment_count: 0,
      tree: { sha: commit.tree, url: `${api}/git/trees/${commit.tree}` },
      verification: verification(repo, commit),
    },
    author: accountForEmail(ctx, commit.author.email) ?? null,
    committer: accountForEmail(ctx, commit.committer.email) ?? null,
    parents: commit.parents.map((sha) => ({ sha, url: `${api}/commits/${sha}`, html_url: `${ctx.origin}/${fullName(repo)}/commit/${sha}` })),
  };
}

/** the sha a full ref points at, or undefined */
export async function resolveRef(ctx: RestContext, repo: Repository, ref: string): Promise<string | undefined> {
  const out = await git(ctx, repo, ["for-each-ref", "--format=%(refname) %(objectname)", ref]);
  const line = out.split("\n").find((l) => l.startsWith(`${ref} `));
  return line?.slice(ref.length + 1).trim();
}

/** schema `git-ref` */
async function gitRefJson(ctx: RestContext, repo: Repository, ref: string, sha: string) {
  const api = repoApi(ctx, repo);
  const type = (await objectType(ctx, repo, sha)) ?? "commit";
  return {
    ref,
    node_id: Buffer.from(`Ref:${repo.id}:${ref}`).toString("base64"),
    url: `${api}/git/${ref}`,
    object: { type, sha, url: `${api}/git/${type}s/${sha}` },
  };
}

/** commits a ref update brings (docs/github.md §2: judged per ref, new commits only) */
async function newCommits(ctx: RestContext, repo: Repository, oldSha: string, newSha: string): Promise<RefUpdateCommit[]> {
  if (isZeroOid(newSha) || (await objectType(ctx, repo, newSha)) !== "commit") return [];
  const range = isZeroOid(oldSha) ? [newSha, "--not", "--all"] : [`${oldSha}..${newSha}`];
  const out = await git(ctx, repo, ["log", "-n1000", "--format=%H%x00%P%x00%ae%x00%ce%x00%B%x1e", ...range]);
  return out
    .split("\x1e")
    .map((chunk) => chunk.replace(/^\n/, ""))
    .filter((chunk) => chunk.length > 0)
    .map((chunk) => {
      const [sha, parents, authorEmail, committerEmail, message] = chunk.split("\x00");
      return {
        sha: sha!,
        parents: parents ? parents.split(" ").length : 0,
        authorEmail: authorEmail!,
        committerEmail: committerEmail!,
        message: (message ?? "").replace(/\n+$/, ""),
        verified: repo.verifiedCommits.has(sha!),
      };
    });
}

/** judges one API ref write with the rules engine; a reply when refused */
async function judge(ctx: RestContext, repo: Repository, ref: string, oldSha: string, newSha: string, forced?: boolean): Promise<RestReply | undefined> {
  const judgement = judgeRefUpdates(
    ctx.world,
    repo,
    ctx.actor,
    [{ ref, oldSha, newSha, commits: await newCommits(ctx, repo, oldSha, newSha), ...(forced === undefined ? {} : { forced }) }],
    { via: "api", origin: ctx.origin },
  );
  const message = apiRejectionMessage(judgement);
  // docs/github.md §3.4: 422 "Repository rule violations found\n\n<rule text>\n\n"
  return message === undefined ? undefined : { status: 422, body: { message, documentation_url: REFS_DOCS, status: "422" } };
}

async function isAncestor(ctx: RestContext, repo: Repository, oldSha: string, newSha: string): Promise<boolean> {
  try {
    await git(ctx, repo, ["merge-base", "--is-ancestor", oldSha, newSha]);
    return true;
  } catch {
    return false;
  }
}

function identityFromBody(value: unknown, fallbackDate: string): GitIdentity | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.name !== "string" || typeof v.email !== "string") return undefined;
  return { name: v.name, email: v.email, date: typeof v.date === "string" ? v.date : fallbackDate };
}

function botIdentity(ctx: RestContext, actor: Extract<Actor, { kind: "installation" }>, date: string): GitIdentity {
  const login = `${actor.app.slug}[bot]`;
  // docs/github.md §6.1: `<slug>[bot] <<id>+<slug>[bot]@users.noreply.github.com>` on github.com
  return { name: login, email: `${actor.app.botUserId}+${login}@${noreplyDomain(ctx)}`, date };
}

const writeAccess = (ctx: RestContext) => accessRepo(ctx, "contents", "write");
const readAccess = (ctx: RestContext) => accessRepo(ctx, "contents", "read");

/** a full ref from the `{ref}` path parameter (`heads/main`, or `refs/heads/main`) */
function fullRef(param: string): string {
  return param.startsWith("refs/") ? param : `refs/${param}`;
}

export const gitDatabaseRoutes: RouteDef[] = [
  {
    // docs/github.md §17: "sha1" or "sha256"; the Metadata permission reads it, as it reads the repository
    method: "GET",
    template: "/repos/{owner}/{repo}/hash-algorithm",
    handler(ctx) {
      const repo = accessRepo(ctx, "metadata", "read");
      if (isReply(repo)) return repo;
      return { status: 200, body: { hash_algorithm: objectFormatOf(repo) } };
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/git/blobs",
    async handler(ctx) {
      const repo = writeAccess(ctx);
      if (isReply(repo)) return repo;
      const { content, encoding = "utf-8" } = (ctx.body ?? {}) as { content?: unknown; encoding?: unknown };
      if (typeof content !== "string") return validationFailed("Invalid request.\n\n\"content\" wasn't supplied.");
      if (encoding !== "utf-8" && encoding !== "utf8" && encoding !== "base64") {
        return validationFailed(`Invalid request.\n\nFor 'encoding', "${String(encoding)}" is not a valid encoding.`);
      }
      const data = encoding === "base64" ? Buffer.from(content, "base64") : Buffer.from(content, "utf8");
      const sha = (await git(ctx, repo, ["hash-object", "-w", "--stdin"], data)).trim();
      const url = `${repoApi(ctx, repo)}/git/blobs/${sha}`;
      return { status: 201, headers: { location: url }, body: { url, sha } };
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/git/trees",
    async handler(ctx) {
      const repo = writeAccess(ctx);
      if (isReply(repo)) return repo;
      const body = (ctx.body ?? {}) as { tree?: unknown; base_tree?: unknown };
      if (!Array.isArray(body.tree)) return validationFailed("Invalid request.\n\n\"tree\" wasn't supplied.");
      const index = `${repo.gitDir}/stand-in-index-${process.hrtime.bigint()}`;
      const env = { GIT_INDEX_FILE: index };
      try {
        if (body.base_tree !== undefined && body.base_tree !== null) {
          const baseType = typeof body.base_tree === "string" ? await objectType(ctx, repo, body.base_tree) : undefined;
          if (baseType !== "tree" && baseType !== "commit") return validationFailed("Invalid tree info");
          await git(ctx, repo, ["read-tree", String(body.base_tree)], undefined, env);
        } else {
          await git(ctx, repo, ["read-tree", "--empty"], undefined, env);
        }
        for (const entry of body.tree as Array<Record<string, unknown>>) {
          const path = typeof entry.path === "string" ? entry.path.replace(/^\/+|\/+$/g, "") : "";
          const mode = String(entry.mode ?? "");
          if (!path || !["100644", "100755", "040000", "160000", "120000"].includes(mode)) return validationFailed("Invalid tree info");
          // remove whatever is at the path (a file, or a directory's entries)
          const existing = await git(ctx, repo, ["ls-files", "-z", "--", path], undefined, env);
          const paths = existing.split("\0").filter((p) => p === path || p.startsWith(`${path}/`));
          // `update-index --force-remove` needs a work tree; `--index-info` with a zero mode removes
          // the entry in a bare repository too
          if (paths.length) await git(ctx, repo, ["update-index", "-z", "--index-info"], paths.map((p) => `0 ${zeroOid(repo)}\t${p}\0`).join(""), env);
          if (entry.sha === null) continue; // deletion
          let sha: string;
          if (typeof entry.content === "string") {
            sha = (await git(ctx, repo, ["hash-object", "-w", "--stdin"], entry.content)).trim();
          } else if (typeof entry.sha === "string") {
            sha = entry.sha;
          } else {
            return validationFailed("Invalid tree info");
          }
          const type = mode === "160000" ? "commit" : await objectType(ctx, repo, sha);
          if (mode === "040000") {
            if (type !== "tree") return validationFailed(`GitHub ${sha} is not a valid tree`);
            await git(ctx, repo, ["read-tree", `--prefix=${path}/`, sha], undefined, env);
          } else {
            if (mode !== "160000" && type !== "blob") return validationFailed(`tree.sha ${sha} is not a valid blob`);
            await git(ctx, repo, ["update-index", "--add", "--cacheinfo", `${mode},${sha},${path}`], undefined, env);
          }
        }
        const sha = (await git(ctx, repo, ["write-tree"], undefined, env)).trim();
        return { status: 201, headers: { location: `${repoApi(ctx, repo)}/git/trees/${sha}` }, body: await treeJson(ctx, repo, sha) };
      } finally {
        await rm(index, { force: true });
      }
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/git/commits",
    async handler(ctx) {
      const repo = writeAccess(ctx);
      if (isReply(repo)) return repo;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      if (typeof body.message !== "string") return validationFailed("Invalid request.\n\n\"message\" wasn't supplied.");
      if (typeof body.tree !== "string" || (await objectType(ctx, repo, body.tree)) !== "tree") {
        return validationFailed("Tree SHA does not exist");
      }
      const parents = Array.isArray(body.parents) ? body.parents : [];
      for (const parent of parents) {
        if (typeof parent !== "string" || (await objectType(ctx, repo, parent)) !== "commit") {
          return validationFailed("Parent SHA does not exist or is not a commit object");
        }
      }
      const now = githubTime(ctx.nowMs);
      const actor = ctx.actor;
      const givenAuthor = identityFromBody(body.author, now);
      const givenCommitter = identityFromBody(body.committer, now);
      // docs/github.md §8: GitHub signs only when the App sets no author, committer or signature
      const signed = actor.kind === "installation" && !body.author && !body.committer && !body.signature;
      let author: GitIdentity;
      let committer: GitIdentity;
      if (actor.kind === "installation") {
        author = givenAuthor ?? givenCommitter ?? botIdentity(ctx, actor, now);
        committer = signed ? { name: "GitHub", email: "noreply@github.com", date: now } : (givenCommitter ?? author);
      } else if (actor.kind === "user") {
        const self = { name: actor.user.login, email: `${actor.user.id}+${actor.user.login}@${noreplyDomain(ctx)}`, date: now };
        author = givenAuthor ?? givenCommitter ?? self;
        committer = givenCommitter ?? author;
      } else {
        return error(403, "Resource not accessible by integration");
      }
      const args = ["commit-tree", body.tree, ...parents.flatMap((p) => ["-p", p as string]), "-F", "-"];
      const sha = (
        await git(ctx, repo, args, body.message, {
          GIT_AUTHOR_NAME: author.name,
          GIT_AUTHOR_EMAIL: author.email,
          GIT_AUTHOR_DATE: author.date,
          GIT_COMMITTER_NAME: committer.name,
          GIT_COMMITTER_EMAIL: committer.email,
          GIT_COMMITTER_DATE: committer.date,
        })
      ).trim();
      if (signed) repo.verifiedCommits.add(sha);
      const commit = (await readCommit(ctx, repo, sha))!;
      return { status: 201, headers: { location: `${repoApi(ctx, repo)}/git/commits/${sha}` }, body: gitCommitJson(ctx, repo, commit) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/git/commits/{commit_sha}",
    async handler(ctx) {
      const repo = readAccess(ctx);
      if (isReply(repo)) return repo;
      const commit = await readCommit(ctx, repo, ctx.params.commit_sha!);
      return commit ? { status: 200, body: gitCommitJson(ctx, repo, commit) } : notFound();
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/git/ref/{ref}",
    async handler(ctx) {
      const repo = readAccess(ctx);
      if (isReply(repo)) return repo;
      const ref = fullRef(ctx.params.ref!);
      const sha = await resolveRef(ctx, repo, ref);
      return sha ? { status: 200, body: await gitRefJson(ctx, repo, ref, sha) } : notFound();
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/git/refs",
    async handler(ctx) {
      const repo = writeAccess(ctx);
      if (isReply(repo)) return repo;
      const { ref, sha } = (ctx.body ?? {}) as { ref?: unknown; sha?: unknown };
      if (typeof ref !== "string") return validationFailed("Invalid request.\n\n\"ref\" wasn't supplied.");
      if (typeof sha !== "string") return validationFailed("Invalid request.\n\n\"sha\" wasn't supplied.");
      // the description: must start with 'refs' and have at least two slashes
      if (!/^refs\/[^/]+\/.+/.test(ref) || (await git(ctx, repo, ["check-ref-format", ref]).then(() => false, () => true))) {
        return validationFailed("Reference name is invalid");
      }
      if (!(await objectType(ctx, repo, sha))) return validationFailed("Object does not exist");
      if (await resolveRef(ctx, repo, ref)) return validationFailed("Reference already exists");
      const refused = await judge(ctx, repo, ref, zeroOid(repo), sha);
      if (refused) return refused;
      await git(ctx, repo, ["update-ref", ref, sha, zeroOid(repo)]);
      return { status: 201, headers: { location: `${repoApi(ctx, repo)}/git/${ref}` }, body: await gitRefJson(ctx, repo, ref, sha) };
    },
  },
  {
    method: "PATCH",
    template: "/repos/{owner}/{repo}/git/refs/{ref}",
    async handler(ctx) {
      const repo = writeAccess(ctx);
      if (isReply(repo)) return repo;
      const ref = fullRef(ctx.params.ref!);
      const { sha, force } = (ctx.body ?? {}) as { sha?: unknown; force?: unknown };
      if (typeof sha !== "string") return validationFailed("Invalid request.\n\n\"sha\" wasn't supplied.");
      const current = await resolveRef(ctx, repo, ref);
      if (!current) return validationFailed("Reference does not exist");
      if (!(await objectType(ctx, repo, sha))) return validationFailed("Object does not exist");
      const fastForward = await isAncestor(ctx, repo, current, sha);
      if (!fastForward && force !== true) return validationFailed("Update is not a fast forward");
      const refused = await judge(ctx, repo, ref, current, sha, !fastForward);
      if (refused) return refused;
      await git(ctx, repo, ["update-ref", ref, sha, current]);
      return { status: 200, body: await gitRefJson(ctx, repo, ref, sha) };
    },
  },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/git/refs/{ref}",
    async handler(ctx) {
      const repo = writeAccess(ctx);
      if (isReply(repo)) return repo;
      const ref = fullRef(ctx.params.ref!);
      const current = await resolveRef(ctx, repo, ref);
      if (!current) return validationFailed("Reference does not exist");
      const refused = await judge(ctx, repo, ref, current, zeroOid(repo));
      // GitHub's description documents this 422 without a body
      if (refused) return { status: refused.status };
      await git(ctx, repo, ["update-ref", "-d", ref, current]);
      return { status: 204 };
    },
  },
];

/** schema `git-tree` (top-level entries) */
async function treeJson(ctx: RestContext, repo: Repository, sha: string) {
  const api = repoApi(ctx, repo);
  const out = await git(ctx, repo, ["ls-tree", "-l", "-z", sha]);
  const tree = out
    .split("\0")
    .filter(Boolean)
    .map((line) => {
      const [meta, path] = line.split("\t") as [string, string];
      const [mode, type, entrySha, size] = meta.split(/\s+/) as [string, string, string, string];
      return {
        path,
        mode,
        type,
        sha: entrySha,
        ...(type === "blob" ? { size: Number(size) } : {}),
        url: `${api}/git/${type === "commit" ? "commits" : `${type}s`}/${entrySha}`,
      };
    });
  return { sha, url: `${api}/git/trees/${sha}`, tree, truncated: false };
}
