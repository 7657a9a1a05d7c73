// Apps and installations: `GET /app`, installation lookups, token minting and revocation,
// `GET /installation/repositories` (docs/github.md §6.1).
import { extractToken } from "./auth.js";
import {
  DOCS,
  appJson,
  error,
  installationJson,
  notFound,
  paginate,
  repositoryJson,
  type RestContext,
  type RestReply,
  type RouteDef,
  validationFailed,
} from "./rest-common.js";
import { installationRepositories, mintInstallationToken } from "./tokens.js";
import type { Account, App, Installation, Repository } from "./world.js";

/** the App a JWT authenticates, or GitHub's answer for any other credential */
function requireApp(ctx: RestContext): App | RestReply {
  if (ctx.actor.kind === "app") return ctx.actor.app;
  // JWT-only endpoints (docs/github.md §6.1); anything else is not a JWT
  return error(401, "A JSON web token could not be decoded");
}

function installationFor(ctx: RestContext, app: App, account: Account | undefined, repo?: Repository): Installation | undefined {
  if (!account) return undefined;
  return [...ctx.world.installations.values()].find(
    (inst) =>
      inst.appId === app.id &&
      inst.account.id === account.id &&
      (!repo || inst.repositorySelection === "all" || inst.repositoryIds.includes(repo.id)),
  );
}

function installationReply(ctx: RestContext, installation: Installation | undefined): RestReply {
  if (!installation) return notFound();
  return { status: 200, body: installationJson(installation, ctx.world, ctx) };
}

export const appRoutes: RouteDef[] = [
  {
    method: "GET",
    template: "/app",
    handler(ctx) {
      const app = requireApp(ctx);
      if ("status" in app) return app;
      return { status: 200, body: appJson(app, ctx.world, ctx) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/installation",
    handler(ctx) {
      const app = requireApp(ctx);
      if ("status" in app) return app;
      const repo = ctx.world.repository(ctx.params.owner!, ctx.params.repo!);
      if (!repo) return notFound();
      return installationReply(ctx, installationFor(ctx, app, repo.owner, repo));
    },
  },
  {
    method: "GET",
    template: "/users/{username}/installation",
    handler(ctx) {
      const app = requireApp(ctx);
      if ("status" in app) return app;
      return installationReply(ctx, installationFor(ctx, app, ctx.world.account(ctx.params.username!)));
    },
  },
  {
    method: "GET",
    template: "/orgs/{org}/installation",
    handler(ctx) {
      const app = requireApp(ctx);
      if ("status" in app) return app;
      const org = ctx.world.account(ctx.params.org!);
      return installationReply(ctx, org?.type === "Organization" ? installationFor(ctx, app, org) : undefined);
    },
  },
  {
    method: "GET",
    template: "/app/installations/{installation_id}",
    handler(ctx) {
      const app = requireApp(ctx);
      if ("status" in app) return app;
      const installation = ctx.world.installations.get(Number(ctx.params.installation_id));
      return installationReply(ctx, installation?.appId === app.id ? installation : undefined);
    },
  },
  {
    method: "POST",
    template: "/app/installations/{installation_id}/access_tokens",
    handler(ctx) {
      const app = requireApp(ctx);
      if ("status" in app) return app;
      const installation = ctx.world.installations.get(Number(ctx.params.installation_id));
      if (!installation || installation.appId !== app.id) return notFound();
      const body = (ctx.body ?? {}) as { repositories?: unknown; repository_ids?: unknown; permissions?: unknown };
      if (body.repositories !== undefined && !isStringArray(body.repositories)) return invalidBody("repositories");
      if (body.repository_ids !== undefined && !isNumberArray(body.repository_ids)) return invalidBody("repository_ids");
      if (body.permissions !== undefined && !isPermissions(body.permissions)) return invalidBody("permissions");
      const result = mintInstallationToken(ctx.world, installation, {
        repositories: body.repositories,
        repositoryIds: body.repository_ids,
        permissions: body.permissions,
        lifetimeSeconds: ctx.services.tokenLifetimeSeconds,
        format: tokenFormatFor(ctx),
        nowMs: ctx.nowMs,
      });
      if ("status" in result) return error(result.status, result.message);
      const actor = result.actor;
      if (actor.kind !== "installation") throw new Error("minted a non-installation token");
      const repos =
        actor.repositoryIds === "all"
          ? undefined
          : installationRepositories(ctx.world, installation).filter((r) => (actor.repositoryIds as number[]).includes(r.id));
      return {
        status: 201,
        body: {
          token: result.token,
          expires_at: githubTime(result.expiresAt),
          permissions: actor.permissions,
          repository_selection: repos ? "selected" : "all",
          ...(repos ? { repositories: repos.map((r) => repositoryJson(r, ctx.world, actor, ctx)) } : {}),
        },
      };
    },
  },
  {
    method: "DELETE",
    template: "/installation/token",
    handler(ctx) {
      if (ctx.actor.kind !== "installation") return error(401, "Bad credentials");
      const token = extractToken(ctx.req.headers.authorization);
      const record = token ? ctx.world.tokens.get(token) : undefined;
      if (!record) return error(401, "Bad credentials");
      record.revoked = true;
      return { status: 204 };
    },
  },
  {
    method: "GET",
    template: "/installation/repositories",
    handler(ctx) {
      const actor = ctx.actor;
      if (actor.kind !== "installation") {
        return error(403, "You must authenticate with an installation access token in order to list repositories for an installation.", {
          documentation_url: `${DOCS}/apps/installations#list-repositories-accessible-to-the-app-installation`,
          status: "403",
        });
      }
      const repos = installationRepositories(ctx.world, actor.installation).filter(
        (r) => actor.repositoryIds === "all" || actor.repositoryIds.includes(r.id),
      );
      const page = paginate(ctx, repos);
      return {
        status: 200,
        headers: page.headers,
        body: {
          total_count: repos.length,
          repository_selection: actor.repositoryIds === "all" ? "all" : "selected",
          repositories: page.items.map((r) => repositoryJson(r, ctx.world, actor, ctx)),
        },
      };
    },
  },
];

/**
 * docs/github.md §6.2: the temporary header `X-GitHub-Stateless-S2S-Token: enabled|disabled` on the
 * token request forces a format; otherwise the stand-in's setting applies.
 */
function tokenFormatFor(ctx: RestContext): "classic" | "stateless" {
  const header = String(ctx.req.headers["x-github-stateless-s2s-token"] ?? "").toLowerCase();
  if (header === "enabled") return "stateless";
  if (header === "disabled") return "classic";
  return ctx.services.tokenFormat;
}

/** GitHub writes timestamps without milliseconds: 2016-07-11T22:14:10Z */
export function githubTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

function invalidBody(field: string): RestReply {
  return validationFailed(`Invalid request.\n\nFor '${field}', the value is not valid.`);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}
function isNumberArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x));
}
function isPermissions(v: unknown): v is Record<string, "read" | "write" | "admin"> {
  return (
    typeof v === "object" && v !== null && !Array.isArray(v) &&
    Object.values(v).every((x) => x === "read" || x === "write" || x === "admin")
  );
}
