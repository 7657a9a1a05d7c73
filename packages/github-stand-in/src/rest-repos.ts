// Users and repositories: `GET /users/{username}` (bots included, docs/github.md §6.1),
// `GET /user`, `GET /repos/{owner}/{repo}`; `POST /repos/{owner}/{repo}/releases` (what
// @semantic-release/github's publish step needs when it runs after this plugin, test/e2e/handoff.test.ts).
import {
  DOCS,
  accessRepo,
  error,
  fullRepositoryJson,
  isReply,
  nodeId,
  notFound,
  publicUser,
  simpleUser,
  validationFailed,
  type RestContext,
  type RouteDef,
} from "./rest-common.js";
import { burnedTagReply, isBurned, publishRelease } from "./rest-immutable.js";
import type { ReleaseRecord, Repository } from "./world.js";

/** schema `release` */
function releaseJson(repo: Repository, r: ReleaseRecord, ctx: Pick<RestContext, "apiUrl" | "origin">) {
  const repoPath = `${repo.owner.login}/${repo.name}`;
  const url = `${ctx.apiUrl}/repos/${repoPath}/releases/${r.id}`;
  return {
    url,
    html_url: `${ctx.origin}/${repoPath}/releases/tag/${encodeURIComponent(r.tag_name)}`,
    assets_url: `${url}/assets`,
    // GHES serves uploads under /api/uploads on the same host
    upload_url: `${ctx.origin}/api/uploads/repos/${repoPath}/releases/${r.id}/assets{?name,label}`,
    tarball_url: `${ctx.apiUrl}/repos/${repoPath}/tarball/${encodeURIComponent(r.tag_name)}`,
    zipball_url: `${ctx.apiUrl}/repos/${repoPath}/zipball/${encodeURIComponent(r.tag_name)}`,
    id: r.id,
    node_id: nodeId("Release", r.id),
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: r.immutable === true,
    created_at: r.created_at,
    published_at: r.draft ? null : r.created_at,
    updated_at: r.created_at,
    author: simpleUser(r.author, ctx),
    assets: [],
  };
}

export const repoRoutes: RouteDef[] = [
  {
    method: "GET",
    template: "/users/{username}",
    handler(ctx) {
      // `release-bot%5Bbot%5D` arrives decoded by the router
      const account = ctx.world.account(ctx.params.username!);
      if (!account) return notFound();
      return { status: 200, body: publicUser(account, ctx.world, ctx) };
    },
  },
  {
    method: "GET",
    template: "/user",
    handler(ctx) {
      const actor = ctx.actor;
      // GitHub's answer to an installation token, the workflow token included (docs/github.md §4.1):
      // https://github.com/actions/create-github-app-token/issues/258 shows it verbatim
      if (actor.kind === "installation" || actor.kind === "app") {
        return error(403, "Resource not accessible by integration", { documentation_url: `${DOCS}/users/users#get-the-authenticated-user`, status: "403" });
      }
      if (actor.kind !== "user") return error(401, "Requires authentication");
      const owned = [...ctx.world.repositories.values()].filter((r) => r.owner.id === actor.user.id && r.private).length;
      return {
        status: 200,
        headers: { "x-oauth-scopes": actor.scopes.join(", ") },
        body: {
          ...publicUser(actor.user, ctx.world, ctx),
          user_view_type: "private",
          private_gists: 0,
          total_private_repos: owned,
          owned_private_repos: owned,
          disk_usage: 0,
          collaborators: 0,
          two_factor_authentication: true,
        },
      };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}",
    handler(ctx) {
      const repo = accessRepo(ctx, "metadata", "read");
      if (isReply(repo)) return repo;
      return { status: 200, body: fullRepositoryJson(repo, ctx.world, ctx.actor, ctx) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/releases/tags/{tag}",
    handler(ctx) {
      const repo = accessRepo(ctx, "contents", "read");
      if (isReply(repo)) return repo;
      // a published release only (drafts are not found by tag); a deleted one is gone (docs/github.md §15.1)
      const record = ctx.world.releasesOf(repo).find((r) => r.tag_name === ctx.params.tag && !r.draft);
      return record ? { status: 200, body: releaseJson(repo, record, ctx) } : notFound();
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/releases",
    handler(ctx) {
      const repo = accessRepo(ctx, "contents", "write");
      if (isReply(repo)) return repo;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      if (typeof body.tag_name !== "string" || body.tag_name === "") {
        return validationFailed("Validation Failed", [{ resource: "Release", code: "missing_field", field: "tag_name" }]);
      }
      const list = ctx.world.releasesOf(repo);
      if (list.some((r) => r.tag_name === body.tag_name)) {
        return validationFailed("Validation Failed", [{ resource: "Release", code: "already_exists", field: "tag_name" }]);
      }
      if (isBurned(repo, body.tag_name)) return burnedTagReply();
      const actor = ctx.actor;
      const author =
        actor.kind === "installation" ? ctx.world.account(`${actor.app.slug}[bot]`) : actor.kind === "user" ? actor.user : undefined;
      if (!author) return error(401, "Requires authentication");
      const record: ReleaseRecord = {
        id: ctx.world.id(),
        tag_name: body.tag_name,
        target_commitish: typeof body.target_commitish === "string" ? body.target_commitish : repo.defaultBranch,
        name: typeof body.name === "string" ? body.name : body.tag_name,
        body: typeof body.body === "string" ? body.body : null,
        draft: body.draft === true,
        prerelease: body.prerelease === true,
        created_at: new Date(ctx.nowMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
        createdBy: actor.kind === "installation" ? `installation:${actor.app.slug}[bot]` : `user:${author.login}`,
        author,
      };
      list.push(record);
      publishRelease(repo, record);
      return { status: 201, headers: { location: `${ctx.apiUrl}/repos/${repo.owner.login}/${repo.name}/releases/${record.id}` }, body: releaseJson(repo, record, ctx) };
    },
  },
];
