// Rules, rulesets, branches and classic protection (docs/github.md §1, §9). Which rulesets apply
// and who can bypass them comes from the rules engine (rules.ts).
import {
  accessRepo,
  appJson,
  error,
  fullName,
  isReply,
  notFound,
  paginate,
  type RestContext,
  type RouteDef,
  simpleUser,
  userRole,
  validationFailed,
} from "./rest-common.js";
import { commitJson, readCommit, resolveRef } from "./rest-git.js";
import { currentUserCanBypass, orgRulesetCoversRepository, rulesetsForRef, rulesForBranch } from "./rules.js";
import { levelCovers, tokenReaches } from "./tokens.js";
import type { Repository, Ruleset } from "./world.js";

/** the repository's rulesets, then (with includes_parents) the owner organization's that apply */
function repoRulesets(ctx: RestContext, repo: Repository, includesParents: boolean): Ruleset[] {
  const own = repo.rulesets;
  if (!includesParents || repo.owner.type !== "Organization") return own;
  const org = ctx.world.orgRulesets.get(repo.owner.login.toLowerCase()) ?? [];
  return [...own, ...org.filter((r) => orgRulesetCoversRepository(r, repo))];
}

function boolParam(value: string | null, fallback: boolean): boolean {
  if (value === null) return fallback;
  return value !== "false" && value !== "0";
}

function rulesetLinks(ctx: RestContext, repo: Repository, ruleset: Ruleset) {
  const self = `${ctx.apiUrl}/repos/${fullName(repo)}/rulesets/${ruleset.id}`;
  const html =
    ruleset.source_type === "Organization"
      ? `${ctx.origin}/organizations/${ruleset.source}/settings/rules/${ruleset.id}`
      : `${ctx.origin}/${fullName(repo)}/rules/${ruleset.id}`;
  return { self: { href: self }, html: { href: html } };
}

/** the summary form `GET /repos/{o}/{r}/rulesets` lists (docs/github.md §1.2) */
function rulesetSummary(ctx: RestContext, repo: Repository, ruleset: Ruleset) {
  return {
    id: ruleset.id,
    name: ruleset.name,
    target: ruleset.target,
    source_type: ruleset.source_type,
    source: ruleset.source,
    enforcement: ruleset.enforcement,
    node_id: Buffer.from(`RRS_${ruleset.id}`).toString("base64"),
    _links: rulesetLinks(ctx, repo, ruleset),
    created_at: ruleset.created_at,
    updated_at: ruleset.updated_at,
  };
}

/**
 * The caller may write the ruleset: Administration write / the admin role for a repository ruleset;
 * for an organization ruleset only an owner of the organization (docs/github.md §1.3: a repository
 * admin cannot edit it, so its bypass list stays hidden from them; installations: not modelled).
 */
function canWriteRulesets(ctx: RestContext, repo: Repository, ruleset: Ruleset): boolean {
  const actor = ctx.actor;
  if (ruleset.source_type === "Organization") {
    return actor.kind === "user" && repo.owner.type === "Organization" && [...(repo.owner.members ?? [])].some(([login, role]) => role === "admin" && login.toLowerCase() === actor.user.login.toLowerCase());
  }
  if (actor.kind === "installation") return tokenReaches(ctx.world, actor, repo) && levelCovers(actor.permissions.administration, "write");
  if (actor.kind === "user") return userRole(ctx.world, repo, actor.user) === "admin";
  return false;
}

/** One ruleset as `GET /repos/{o}/{r}/rulesets/{id}` (and the `PUT` of it) answers the caller (schema `repository-ruleset`). */
export function rulesetJson(ctx: RestContext, repo: Repository, ruleset: Ruleset) {
  return {
    ...rulesetSummary(ctx, repo, ruleset),
    conditions: ruleset.conditions,
    rules: ruleset.rules.map(({ type, parameters }) => ({ type, ...(parameters === undefined ? {} : { parameters }) })),
    // docs/github.md §1.3: bypass_actors only for callers who may write the ruleset
    ...(canWriteRulesets(ctx, repo, ruleset) ? { bypass_actors: ruleset.bypass_actors } : {}),
    // docs/github.md §1.3: computed for the caller, only on the repository-level endpoint
    current_user_can_bypass: currentUserCanBypass(ctx.world, repo, ruleset, ctx.actor),
  };
}

function branchExists(ctx: RestContext, repo: Repository, branch: string) {
  return resolveRef(ctx, repo, `refs/heads/${branch}`);
}

function protectionJson(ctx: RestContext, repo: Repository, branch: string) {
  const p = repo.protection.get(branch)!;
  const url = `${ctx.apiUrl}/repos/${fullName(repo)}/branches/${encodeURIComponent(branch)}/protection`;
  const users = (logins: string[]) => logins.flatMap((l) => {
    const a = ctx.world.account(l);
    return a ? [simpleUser(a, ctx)] : [];
  });
  const apps = (slugs: string[]) => slugs.flatMap((s) => {
    const app = ctx.world.appBySlug(s);
    return app ? [appJson(app, ctx.world, ctx)] : [];
  });
  return {
    url,
    ...(p.required_status_checks
      ? {
          required_status_checks: {
            url: `${url}/required_status_checks`,
            strict: p.required_status_checks.strict,
            contexts: p.required_status_checks.contexts,
            contexts_url: `${url}/required_status_checks/contexts`,
            checks: p.required_status_checks.contexts.map((context) => ({ context, app_id: null })),
          },
        }
      : {}),
    ...(p.required_pull_request_reviews
      ? {
          required_pull_request_reviews: {
            url: `${url}/required_pull_request_reviews`,
            dismiss_stale_reviews: false,
            require_code_owner_reviews: false,
            required_approving_review_count: p.required_pull_request_reviews.required_approving_review_count,
            require_last_push_approval: false,
            ...(p.required_pull_request_reviews.bypass_pull_request_allowances
              ? {
                  bypass_pull_request_allowances: {
                    users: users(p.required_pull_request_reviews.bypass_pull_request_allowances.users),
                    teams: [],
                    apps: apps(p.required_pull_request_reviews.bypass_pull_request_allowances.apps),
                  },
                }
              : {}),
          },
        }
      : {}),
    ...(p.restrictions
      ? {
          restrictions: {
            url: `${url}/restrictions`,
            users_url: `${url}/restrictions/users`,
            teams_url: `${url}/restrictions/teams`,
            apps_url: `${url}/restrictions/apps`,
            users: users(p.restrictions.users),
            teams: [],
            apps: apps(p.restrictions.apps),
          },
        }
      : {}),
    required_signatures: { url: `${url}/required_signatures`, enabled: p.required_signatures },
    enforce_admins: { url: `${url}/enforce_admins`, enabled: p.enforce_admins },
    required_linear_history: { enabled: false },
    allow_force_pushes: { enabled: p.allow_force_pushes },
    allow_deletions: { enabled: false },
    block_creations: { enabled: false },
    required_conversation_resolution: { enabled: false },
    lock_branch: { enabled: false },
    allow_fork_syncing: { enabled: false },
  };
}

/** docs/github.md §1.4/§9: a branch is `protected` when classic protection or an active ruleset applies */
function isProtected(ctx: RestContext, repo: Repository, branch: string): boolean {
  return repo.protection.has(branch) || rulesetsForRef(ctx.world, repo, `refs/heads/${branch}`).length > 0;
}

export const rulesRoutes: RouteDef[] = [
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/rules/branches/{branch}",
    handler(ctx) {
      // docs/github.md §1.1: Metadata read; the branch need not exist; active rules only
      const repo = accessRepo(ctx, "metadata", "read");
      if (isReply(repo)) return repo;
      const rules = rulesForBranch(ctx.world, repo, ctx.params.branch!).map(({ type, parameters, ruleset_source_type, ruleset_source, ruleset_id }) => ({
        type,
        ...(parameters === undefined ? {} : { parameters }),
        ruleset_source_type,
        ruleset_source,
        ruleset_id,
      }));
      const page = paginate(ctx, rules);
      return { status: 200, headers: page.headers, body: page.items };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/rulesets",
    handler(ctx) {
      // docs/github.md §1.2: includes_parents defaults to true; targets is a comma list
      const repo = accessRepo(ctx, "metadata", "read");
      if (isReply(repo)) return repo;
      const targets = ctx.query.get("targets")?.split(",").map((t) => t.trim()).filter(Boolean);
      const rulesets = repoRulesets(ctx, repo, boolParam(ctx.query.get("includes_parents"), true)).filter(
        (r) => !targets?.length || targets.includes(r.target),
      );
      const page = paginate(ctx, rulesets);
      return { status: 200, headers: page.headers, body: page.items.map((r) => rulesetSummary(ctx, repo, r)) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
    handler(ctx) {
      const repo = accessRepo(ctx, "metadata", "read");
      if (isReply(repo)) return repo;
      const id = Number(ctx.params.ruleset_id);
      const ruleset = repoRulesets(ctx, repo, boolParam(ctx.query.get("includes_parents"), true)).find((r) => r.id === id);
      if (!ruleset) return notFound();
      return { status: 200, body: rulesetJson(ctx, repo, ruleset) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/branches",
    async handler(ctx) {
      const repo = accessRepo(ctx, "contents", "read");
      if (isReply(repo)) return repo;
      const out = await ctx.services.git(repo, ["for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads/"]);
      const protectedOnly = ctx.query.get("protected");
      const branches = out
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const i = line.lastIndexOf(" ");
          const name = line.slice(0, i);
          const sha = line.slice(i + 1);
          return {
            name,
            commit: { sha, url: `${ctx.apiUrl}/repos/${fullName(repo)}/commits/${sha}` },
            protected: isProtected(ctx, repo, name),
            protection_url: `${ctx.apiUrl}/repos/${fullName(repo)}/branches/${encodeURIComponent(name)}/protection`,
          };
        })
        .filter((b) => protectedOnly === null || b.protected === boolParam(protectedOnly, true));
      const page = paginate(ctx, branches);
      return { status: 200, headers: page.headers, body: page.items };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/branches/{branch}/protection",
    async handler(ctx) {
      // docs/github.md §9: Administration read; 404 "Branch not protected" when only rulesets apply
      const repo = accessRepo(ctx, "administration", "read");
      if (isReply(repo)) return repo;
      const branch = ctx.params.branch!;
      if (!(await branchExists(ctx, repo, branch))) return error(404, "Branch not found");
      if (!repo.protection.has(branch)) return error(404, "Branch not protected");
      return { status: 200, body: protectionJson(ctx, repo, branch) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/branches/{branch}",
    async handler(ctx) {
      const repo = accessRepo(ctx, "contents", "read");
      if (isReply(repo)) return repo;
      const branch = ctx.params.branch!;
      const sha = await branchExists(ctx, repo, branch);
      if (!sha) return error(404, "Branch not found");
      const commit = await readCommit(ctx, repo, sha);
      if (!commit) return validationFailed("Branch points at a non-commit");
      const classic = repo.protection.get(branch);
      const base = `${ctx.apiUrl}/repos/${fullName(repo)}/branches/${encodeURIComponent(branch)}`;
      return {
        status: 200,
        body: {
          name: branch,
          commit: commitJson(ctx, repo, commit),
          _links: { self: base, html: `${ctx.origin}/${fullName(repo)}/tree/${branch}` },
          protected: isProtected(ctx, repo, branch),
          // docs/github.md §9: `protection` describes classic protection only
          protection: {
            enabled: classic !== undefined,
            required_status_checks: {
              enforcement_level: classic?.required_status_checks ? (classic.enforce_admins ? "everyone" : "non_admins") : "off",
              contexts: classic?.required_status_checks?.contexts ?? [],
              checks: (classic?.required_status_checks?.contexts ?? []).map((context) => ({ context, app_id: null })),
            },
          },
          protection_url: `${base}/protection`,
        },
      };
    },
  },
];
