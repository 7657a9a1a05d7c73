// Shared pieces of the REST layer: the route/handler types, GitHub-shaped error bodies, the JSON
// shapes of users, Apps, installations and repositories (schemas `simple-user`, `public-user`,
// `integration`, `installation`, `repository`/`full-repository` of GitHub's OpenAPI
// description), access checks and pagination.
import type { IncomingMessage } from "node:http";
import { levelCovers, tokenReaches } from "./tokens.js";
import { mergeSettingsOf } from "./pulls.js";
import type { Account, Actor, App, Installation, Permissions, Repository, World } from "./world.js";

export const DOCS = "https://docs.github.com/rest";
/** a fixed creation time for accounts, Apps and repositories */
export const CREATED_AT = "2024-01-01T00:00:00Z";

export interface RestContext {
  world: World;
  actor: Actor;
  params: Record<string, string>;
  query: URLSearchParams;
  body: any;
  req: IncomingMessage;
  /** `${origin}/api/v3` */
  apiUrl: string;
  origin: string;
  /** the stand-in's clock (Date.now() plus any skew set by the test) */
  nowMs: number;
  /** stand-in services the handlers need (implemented in index.ts) */
  services: RestServices;
}

export interface RestServices {
  tokenLifetimeSeconds: number;
  tokenFormat: "classic" | "stateless";
  git(repo: Repository, args: string[], input?: string | Buffer, env?: Record<string, string>): Promise<string>;
}

export interface RestReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteDef {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  /** OpenAPI path template, e.g. "/repos/{owner}/{repo}/installation" */
  template: string;
  handler(ctx: RestContext): RestReply | Promise<RestReply>;
}

export function error(status: number, message: string, extra: Record<string, unknown> = {}): RestReply {
  return { status, body: { message, documentation_url: DOCS, ...extra } };
}

export const notFound = (): RestReply => error(404, "Not Found");
// docs/github.md §1.3/§9: the text an installation token gets for a permission it lacks
export const notAccessibleByIntegration = (): RestReply => error(403, "Resource not accessible by integration");
export const badCredentials = (): RestReply => error(401, "Bad credentials");

export function validationFailed(message: string, errors?: unknown[]): RestReply {
  return error(422, message, errors ? { errors } : {});
}

export function nodeId(kind: string, id: number): string {
  return Buffer.from(`0${kind.length}:${kind}${id}`).toString("base64");
}

/** schema `simple-user` */
export function simpleUser(account: Account, ctx: Pick<RestContext, "apiUrl" | "origin">) {
  const api = `${ctx.apiUrl}/users/${encodeURIComponent(account.login)}`;
  return {
    login: account.login,
    id: account.id,
    node_id: nodeId(account.type, account.id),
    avatar_url: `${ctx.origin}/avatars/u/${account.id}?v=4`,
    gravatar_id: "",
    url: api,
    html_url: account.type === "Bot" ? `${ctx.origin}/apps/${account.login.replace(/\[bot\]$/, "")}` : `${ctx.origin}/${account.login}`,
    followers_url: `${api}/followers`,
    following_url: `${api}/following{/other_user}`,
    gists_url: `${api}/gists{/gist_id}`,
    starred_url: `${api}/starred{/owner}{/repo}`,
    subscriptions_url: `${api}/subscriptions`,
    organizations_url: `${api}/orgs`,
    repos_url: `${api}/repos`,
    events_url: `${api}/events{/privacy}`,
    received_events_url: `${api}/received_events`,
    type: account.type,
    user_view_type: "public",
    site_admin: false,
  };
}

/** schema `public-user` */
export function publicUser(account: Account, world: World, ctx: Pick<RestContext, "apiUrl" | "origin">) {
  const publicRepos = [...world.repositories.values()].filter((r) => r.owner.id === account.id && !r.private).length;
  return {
    ...simpleUser(account, ctx),
    name: account.type === "Bot" ? null : account.login,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: publicRepos,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
  };
}

/** schema `integration` */
export function appJson(app: App, world: World, ctx: Pick<RestContext, "apiUrl" | "origin">) {
  return {
    id: app.id,
    slug: app.slug,
    node_id: nodeId("Integration", app.id),
    client_id: app.clientId,
    owner: simpleUser(app.owner, ctx),
    name: app.name,
    description: "",
    external_url: `${ctx.origin}/apps/${app.slug}`,
    html_url: `${ctx.origin}/apps/${app.slug}`,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    permissions: app.permissions,
    events: [],
    installations_count: [...world.installations.values()].filter((i) => i.appId === app.id).length,
  };
}

/** schema `installation` */
export function installationJson(installation: Installation, world: World, ctx: Pick<RestContext, "apiUrl" | "origin">) {
  const app = world.apps.get(installation.appId)!;
  return {
    id: installation.id,
    client_id: app.clientId,
    account: simpleUser(installation.account, ctx),
    repository_selection: installation.repositorySelection,
    access_tokens_url: `${ctx.apiUrl}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${ctx.apiUrl}/installation/repositories`,
    html_url:
      installation.account.type === "Organization"
        ? `${ctx.origin}/organizations/${installation.account.login}/settings/installations/${installation.id}`
        : `${ctx.origin}/settings/installations/${installation.id}`,
    app_id: app.id,
    app_slug: app.slug,
    target_id: installation.account.id,
    target_type: installation.account.type,
    permissions: installation.permissions,
    events: [],
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: installation.suspended ? CREATED_AT : null,
  };
}

const REPO_URL_FIELDS: Record<string, string> = {
  archive_url: "/{archive_format}{/ref}",
  assignees_url: "/assignees{/user}",
  blobs_url: "/git/blobs{/sha}",
  branches_url: "/branches{/branch}",
  collaborators_url: "/collaborators{/collaborator}",
  comments_url: "/comments{/number}",
  commits_url: "/commits{/sha}",
  compare_url: "/compare/{base}...{head}",
  contents_url: "/contents/{+path}",
  contributors_url: "/contributors",
  deployments_url: "/deployments",
  downloads_url: "/downloads",
  events_url: "/events",
  forks_url: "/forks",
  git_commits_url: "/git/commits{/sha}",
  git_refs_url: "/git/refs{/sha}",
  git_tags_url: "/git/tags{/sha}",
  hooks_url: "/hooks",
  issue_comment_url: "/issues/comments{/number}",
  issue_events_url: "/issues/events{/number}",
  issues_url: "/issues{/number}",
  keys_url: "/keys{/key_id}",
  labels_url: "/labels{/name}",
  languages_url: "/languages",
  merges_url: "/merges",
  milestones_url: "/milestones{/number}",
  notifications_url: "/notifications{?since,all,participating}",
  pulls_url: "/pulls{/number}",
  releases_url: "/releases{/id}",
  stargazers_url: "/stargazers",
  statuses_url: "/statuses/{sha}",
  subscribers_url: "/subscribers",
  subscription_url: "/subscription",
  tags_url: "/tags",
  teams_url: "/teams",
  trees_url: "/git/trees{/sha}",
};

export function fullName(repo: Repository): string {
  return `${repo.owner.login}/${repo.name}`;
}

/** schema `repository` (also the base of `full-repository`) */
export function repositoryJson(repo: Repository, world: World, actor: Actor, ctx: Pick<RestContext, "apiUrl" | "origin">) {
  const api = `${ctx.apiUrl}/repos/${fullName(repo)}`;
  const urls: Record<string, string> = {};
  for (const [field, suffix] of Object.entries(REPO_URL_FIELDS)) urls[field] = api + suffix;
  const role = actor.kind === "user" ? userRole(world, repo, actor.user) : undefined;
  const host = new URL(ctx.origin).host;
  return {
    id: repo.id,
    node_id: nodeId("Repository", repo.id),
    name: repo.name,
    full_name: fullName(repo),
    owner: simpleUser(repo.owner, ctx),
    private: repo.private,
    visibility: repo.private ? "private" : "public",
    html_url: `${ctx.origin}/${fullName(repo)}`,
    description: null,
    fork: false,
    url: api,
    ...urls,
    git_url: `git://${host}/${fullName(repo)}.git`,
    ssh_url: `git@${host}:${fullName(repo)}.git`,
    clone_url: `${ctx.origin}/${fullName(repo)}.git`,
    svn_url: `${ctx.origin}/${fullName(repo)}`,
    mirror_url: null,
    homepage: null,
    language: null,
    forks: 0,
    forks_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    default_branch: repo.defaultBranch,
    open_issues: 0,
    open_issues_count: 0,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: true,
    has_wiki: true,
    has_pages: false,
    has_downloads: true,
    has_discussions: false,
    archived: false,
    disabled: false,
    license: null,
    pushed_at: CREATED_AT,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    allow_forking: true,
    web_commit_signoff_required: false,
    // the caller's rights on the repository are shown to users only
    ...(role
      ? {
          permissions: {
            admin: role === "admin",
            maintain: role === "admin" || role === "maintain",
            push: role === "admin" || role === "maintain" || role === "write",
            triage: role !== "read",
            pull: true,
          },
        }
      : {}),
  };
}

/** schema `full-repository` */
export function fullRepositoryJson(repo: Repository, world: World, actor: Actor, ctx: Pick<RestContext, "apiUrl" | "origin">) {
  return {
    ...repositoryJson(repo, world, actor, ctx),
    network_count: 0,
    subscribers_count: 0,
    // the pull request settings (pulls.ts)
    ...mergeSettingsOf(repo),
    ...(repo.owner.type === "Organization" ? { organization: simpleUser(repo.owner, ctx) } : {}),
  };
}

export type RepoRole = "admin" | "maintain" | "write" | "triage" | "read";

/** a user's role on a repository, or undefined when the user has no access */
export function userRole(world: World, repo: Repository, user: Account): RepoRole | undefined {
  if (repo.owner.id === user.id) return "admin";
  const login = user.login.toLowerCase();
  const orgRole = repo.owner.type === "Organization" ? [...(repo.owner.members ?? [])].find(([l]) => l.toLowerCase() === login)?.[1] : undefined;
  if (orgRole === "admin") return "admin";
  const collaborator = [...repo.collaborators].find(([l]) => l.toLowerCase() === login)?.[1];
  if (collaborator) return collaborator;
  // organization members get the default base permission (read)
  if (orgRole === "member") return "read";
  void world;
  return repo.private ? undefined : "read";
}

const ROLE_RANK: Record<RepoRole, number> = { read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/**
 * Looks up `{owner}/{repo}` and checks that the caller may use it with `permission` at `level`
 * (installation tokens: the token's App permission; users: the repository role that implies it).
 * Returns the repository or the reply GitHub would give.
 */
export function accessRepo(
  ctx: RestContext,
  permission: string,
  level: "read" | "write" | "admin",
): Repository | RestReply {
  const repo = ctx.world.repository(ctx.params.owner ?? "", ctx.params.repo ?? "");
  if (!repo) return notFound();
  const actor = ctx.actor;
  switch (actor.kind) {
    case "installation":
      if (!tokenReaches(ctx.world, actor, repo)) return notFound();
      if (!levelCovers(actor.permissions[permission], level)) return notAccessibleByIntegration();
      return repo;
    case "user": {
      const role = userRole(ctx.world, repo, actor.user);
      if (!role) return notFound();
      const needed: RepoRole =
        permission === "administration" ? "admin" : level === "read" || permission === "metadata" ? "read" : "write";
      if (ROLE_RANK[role] >= ROLE_RANK[needed]) return repo;
      if (permission === "administration") return error(403, "Must have admin rights to Repository.");
      return repo.private ? notFound() : error(403, "Must have push access to repository");
    }
    case "app":
      // an App JWT only reaches the /app endpoints (docs/github.md §6.3)
      return error(403, "Resource not accessible by integration");
    default:
      if (repo.private) return notFound();
      if (level === "read" && (permission === "metadata" || permission === "contents")) return repo;
      return error(401, "Requires authentication");
  }
}

export function isReply(value: unknown): value is RestReply {
  return typeof value === "object" && value !== null && "status" in value && typeof (value as RestReply).status === "number";
}

/** slices `items` by `per_page` (default 30, max 100) and `page`, with GitHub's Link header */
export function paginate<T>(ctx: RestContext, items: T[]): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number.parseInt(ctx.query.get("per_page") ?? "30", 10) || 30, 1), 100);
  const page = Math.max(Number.parseInt(ctx.query.get("page") ?? "1", 10) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const headers: Record<string, string> = {};
  const link = (p: number, rel: string) => {
    const url = new URL(ctx.req.url ?? "/", ctx.origin);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(p));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  if (page > 1) links.push(link(1, "first"));
  if (links.length) headers.link = links.join(", ");
  return { items: items.slice((page - 1) * perPage, page * perPage), headers };
}

export type { Permissions };
