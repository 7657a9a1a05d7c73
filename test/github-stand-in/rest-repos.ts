// Users and repositories: `GET /users/{username}` (bots included, github-facts §6.1),
// `GET /user`, `GET /repos/{owner}/{repo}`.
import {
  accessRepo,
  error,
  fullRepositoryJson,
  isReply,
  notAccessibleByIntegration,
  notFound,
  publicUser,
  type RouteDef,
} from "./rest-common.js";

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
      if (actor.kind === "installation" || actor.kind === "app") return notAccessibleByIntegration();
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
];
