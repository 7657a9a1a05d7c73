// Changing a repository ruleset as its administrator: `PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}`
// (https://docs.github.com/en/rest/repos/rules#update-a-repository-ruleset; docs/github.md §1.3, §4, §20).
// Administration: write (an admin's token); every field of the body is optional and replaces the stored
// one; `bypass_actors` is validated as GitHub validates it when a ruleset is stored (rules.ts), so the
// GitHub Actions integration on a user-owned repository gets GitHub's 422.
import { accessRepo, error, isReply, notFound, type RestContext, type RouteDef } from "./rest-common.js";
import { rulesetJson } from "./rest-rules.js";
import { validateBypassActors } from "./rules.js";
import type { BypassActor, Repository, Ruleset } from "./world.js";

const UPDATE_DOCS = "https://docs.github.com/rest/repos/rules#update-a-repository-ruleset";

/** The body of the PUT, as far as the stand-in stores it (the OpenAPI check has already judged its shape). */
interface RulesetChanges {
  name?: string;
  target?: Ruleset["target"];
  enforcement?: Ruleset["enforcement"];
  bypass_actors?: { actor_id?: number | null; actor_type: BypassActor["actor_type"]; bypass_mode?: BypassActor["bypass_mode"] }[];
  conditions?: Ruleset["conditions"];
  rules?: Ruleset["rules"];
}

/** GitHub's 422 with the reason (schema `validation-error`; the error item's shape is inferred). */
function refused(message: string) {
  return error(422, "Validation Failed", {
    errors: [{ resource: "Ruleset", field: "bypass_actors", code: "invalid", message }],
    documentation_url: UPDATE_DOCS,
  });
}

function applyChanges(ruleset: Ruleset, changes: RulesetChanges, bypassActors: BypassActor[] | undefined, nowMs: number): void {
  if (bypassActors) ruleset.bypass_actors = bypassActors;
  if (changes.name !== undefined) ruleset.name = changes.name;
  if (changes.target !== undefined) ruleset.target = changes.target;
  if (changes.enforcement !== undefined) ruleset.enforcement = changes.enforcement;
  if (changes.conditions !== undefined) ruleset.conditions = changes.conditions;
  if (changes.rules !== undefined) ruleset.rules = changes.rules.map(({ type, parameters }) => ({ type, ...(parameters === undefined ? {} : { parameters }) }));
  ruleset.updated_at = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function updateRuleset(ctx: RestContext, repo: Repository) {
  const id = Number(ctx.params.ruleset_id);
  // the repository endpoint changes the repository's own rulesets; an organization ruleset that
  // applies here is edited at the organization (inferred: 404, as for any id it does not own)
  const ruleset = repo.rulesets.find((r) => r.id === id);
  if (!ruleset) return notFound();
  const changes = (ctx.body ?? {}) as RulesetChanges;
  const bypassActors = changes.bypass_actors?.map((a) => ({ actor_id: a.actor_id ?? null, actor_type: a.actor_type, bypass_mode: a.bypass_mode ?? "always" }));
  if (bypassActors) {
    // docs/github.md §4: the Actions integration on a user-owned repository, and the other refusals
    const invalid = validateBypassActors(ctx.world, repo, bypassActors);
    if (invalid) return refused(invalid);
  }
  applyChanges(ruleset, changes, bypassActors, ctx.nowMs);
  return { status: 200, body: rulesetJson(ctx, repo, ruleset) };
}

export const rulesetAdminRoutes: RouteDef[] = [
  {
    method: "PUT",
    template: "/repos/{owner}/{repo}/rulesets/{ruleset_id}",
    handler(ctx) {
      // docs/github.md §1.3: creating, changing and deleting rulesets needs Administration: write
      const repo = accessRepo(ctx, "administration", "write");
      if (isReply(repo)) return repo;
      return updateRuleset(ctx, repo);
    },
  },
];
