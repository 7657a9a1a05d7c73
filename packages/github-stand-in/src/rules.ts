// The rules engine of the stand-in: which rulesets apply to a ref, whether an actor can bypass
// them, and how GitHub judges a ref update (GH013 for rulesets, GH006 for classic protection).
// Used by the REST endpoints (rest-*.ts) and by the git hooks (git-http.ts). Facts are cited from
// docs/github.md; "(inferred)" marks a behaviour no GitHub document states.
import { execFileSync } from "node:child_process";
import {
  GITHUB_ACTIONS_APP_ID,
  World,
  type Account,
  type Actor,
  type BypassActor,
  type ClassicProtection,
  type Repository,
  type Rule,
  type Ruleset,
} from "./world.js";
import { fnmatchPathname } from "./ref-pattern.js";
import { isZeroOid } from "./object-id.js";
import { immutableTagViolations } from "./rest-immutable.js";

/** "no object" in a SHA-1 repository; a SHA-256 repository's is 64 zeros (object-id.ts) */
export const ZERO_SHA = "0000000000000000000000000000000000000000";

// docs/github.md §1.3: RepositoryRole actor ids (undocumented, not sequential)
export const REPOSITORY_ROLE_IDS = { maintain: 2, write: 4, admin: 5 } as const;

export type CanBypass = "always" | "pull_requests_only" | "never" | "exempt";

export interface RefUpdateCommit {
  sha: string;
  message: string;
  authorEmail: string;
  committerEmail: string;
  /** GitHub shows the commit as verified; also true when the sha is in repo.verifiedCommits */
  verified?: boolean;
  /** number of parents; > 1 is a merge commit (required_linear_history) */
  parents?: number;
}

export interface RefUpdate {
  ref: string;
  oldSha: string;
  newSha: string;
  /** the commits this update brings to the ref (new commits only) */
  commits: RefUpdateCommit[];
  /** old is not an ancestor of new; computed with git in repo.gitDir when omitted */
  forced?: boolean;
}

export interface RefVerdict {
  ref: string;
  accepted: boolean;
  violations: string[];
  bypassed: string[];
  code?: "GH013" | "GH006";
}

export interface Judgement {
  accepted: boolean;
  perRef: RefVerdict[];
  /** exactly GitHub's lines, without the `remote: ` prefix git adds */
  remoteText: string;
}

export type RuleWithSource = Rule & {
  ruleset_source_type: Ruleset["source_type"];
  ruleset_source: string;
  ruleset_id: number;
};

// ---------------------------------------------------------------------------------------------
// Which rulesets apply

function shortRefName(ref: string): string {
  return ref.replace(/^refs\/(heads|tags)\//, "");
}

function refTarget(ref: string): "branch" | "tag" | undefined {
  if (ref.startsWith("refs/heads/")) return "branch";
  if (ref.startsWith("refs/tags/")) return "tag";
  return undefined;
}

function refPatternMatches(pattern: string, ref: string, repo: Repository): boolean {
  if (pattern === "~ALL") return true;
  if (pattern === "~DEFAULT_BRANCH") return ref === `refs/heads/${repo.defaultBranch}`;
  // docs/github.md §1.4: API patterns are full refs (`refs/heads/release/*`); a bare `main` matches
  // nothing
  return fnmatchPathname(pattern, ref);
}

function namePatternMatches(pattern: string, name: string): boolean {
  return pattern === "~ALL" || fnmatchPathname(pattern, name);
}

/** one include must match, any exclude match removes (docs/github.md §1.3); no include → no match */
function includeExclude(cond: { include: string[]; exclude: string[] } | undefined, matches: (p: string) => boolean): boolean {
  if (!cond) return false;
  return (cond.include ?? []).some(matches) && !(cond.exclude ?? []).some(matches);
}

/** Whether an organization ruleset's `repository_name` condition takes in `repo` (none: every repository). */
export function orgRulesetCoversRepository(ruleset: Ruleset, repo: Repository): boolean {
  const condition = ruleset.conditions.repository_name;
  return !condition || includeExclude(condition, (p) => namePatternMatches(p, repo.name));
}

/**
 * Rulesets that apply to `ref`: the repository's own and those of its owner organization.
 * A ruleset without `conditions.ref_name.include` targets nothing, as in GitHub's UI. Only
 * `active` rulesets unless `includeInactive` (docs/github.md §1.1). `push` rulesets are not
 * ref-scoped and are not returned.
 */
export function rulesetsForRef(world: World, repo: Repository, ref: string, opts: { includeInactive?: boolean } = {}): Ruleset[] {
  const target = refTarget(ref);
  if (!target) return [];
  return world.rulesetsFor(repo).filter((ruleset) => {
    if (ruleset.target !== target) return false;
    if (!opts.includeInactive && ruleset.enforcement !== "active") return false;
    if (ruleset.source_type === "Organization") {
      if (repo.owner.type !== "Organization" || ruleset.source.toLowerCase() !== repo.owner.login.toLowerCase()) return false;
      if (!orgRulesetCoversRepository(ruleset, repo)) return false;
    }
    return includeExclude(ruleset.conditions.ref_name, (p) => refPatternMatches(p, ref, repo));
  });
}

/** Active rules that apply to a branch, as `GET /repos/{o}/{r}/rules/branches/{branch}` (docs/github.md §1.1). */
export function rulesForBranch(world: World, repo: Repository, branch: string): RuleWithSource[] {
  return rulesetsForRef(world, repo, `refs/heads/${branch}`).flatMap((ruleset) =>
    ruleset.rules.map((rule) => ({
      ...rule,
      ruleset_source_type: ruleset.source_type,
      ruleset_source: ruleset.source,
      ruleset_id: ruleset.id,
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Who the actor is to a repository

/** repository role of a user: collaborators map, owner of a user repo = admin, org admins = admin */
export function repositoryRole(repo: Repository, user: Account): "admin" | "maintain" | "write" | "read" | undefined {
  if (repo.owner.type === "User" && repo.owner.login.toLowerCase() === user.login.toLowerCase()) return "admin";
  if (repo.owner.type === "Organization" && repo.owner.members?.get(user.login) === "admin") return "admin";
  const direct = repo.collaborators.get(user.login) ?? repo.collaborators.get(user.login.toLowerCase());
  if (direct) return direct;
  if (!repo.private && repo.owner.type === "Organization" && repo.owner.members?.has(user.login)) return "read";
  return undefined;
}

function isOrgAdmin(repo: Repository, user: Account): boolean {
  return repo.owner.type === "Organization" && repo.owner.members?.get(user.login) === "admin";
}

function actorMatches(repo: Repository, entry: BypassActor, actor: Actor): boolean {
  switch (entry.actor_type) {
    case "Integration":
      if (actor.kind !== "installation") return false;
      // docs/github.md §1.3: actor_id is the App ID; an installation id bypasses nobody
      if (entry.actor_id !== actor.app.id) return false;
      // docs/github.md §4: GitHub refuses to store the Actions integration on a user-owned repo's
      // ruleset (validateBypassActors); should one get here anyway, it bypasses nothing
      if (actor.app.id === GITHUB_ACTIONS_APP_ID && repo.owner.type !== "Organization") return false;
      return true;
    case "RepositoryRole": {
      if (actor.kind !== "user") return false; // installations have no repository role
      const role = repositoryRole(repo, actor.user);
      // exact role match (inferred): the bypass list names maintain/write/admin as separate entries
      return role !== undefined && role !== "read" && REPOSITORY_ROLE_IDS[role] === entry.actor_id;
    }
    case "OrganizationAdmin":
      // docs/github.md §1.3: does not apply to personal repositories
      return actor.kind === "user" && isOrgAdmin(repo, actor.user);
    case "User":
      return actor.kind === "user" && actor.user.id === entry.actor_id;
    default:
      return false; // Team, DeployKey: not modelled
  }
}

/** `current_user_can_bypass` for `actor` on `ruleset` (docs/github.md §1.3, §5). */
export function currentUserCanBypass(world: World, repo: Repository, ruleset: Ruleset, actor: Actor): CanBypass {
  void world;
  const modes = new Set(ruleset.bypass_actors.filter((entry) => actorMatches(repo, entry, actor)).map((e) => e.bypass_mode ?? "always"));
  if (modes.has("exempt")) return "exempt";
  if (modes.has("always")) return "always";
  if (modes.has("pull_request")) return "pull_requests_only";
  return "never";
}

/**
 * Validation GitHub applies to `bypass_actors` when a ruleset is stored; returns the 422 message
 * or undefined. `target` is the repository, or the org login for an organization ruleset.
 */
export function validateBypassActors(world: World, target: Repository | string, actors: BypassActor[]): string | undefined {
  const ownerIsOrg = typeof target === "string" ? world.account(target)?.type === "Organization" : target.owner.type === "Organization";
  for (const actor of actors) {
    if (!["Integration", "RepositoryRole", "OrganizationAdmin", "User", "Team", "DeployKey"].includes(actor.actor_type)) {
      return `Invalid actor_type: ${String(actor.actor_type)}`;
    }
    if (actor.bypass_mode !== undefined && !["always", "pull_request", "exempt"].includes(actor.bypass_mode)) {
      return `Invalid bypass_mode: ${String(actor.bypass_mode)}`;
    }
    // docs/github.md §4: 422 for the Actions integration on a user-owned repository
    if (actor.actor_type === "Integration" && actor.actor_id === GITHUB_ACTIONS_APP_ID && !ownerIsOrg) {
      return "Actor GitHub Actions integration must be part of the ruleset source or owner organization";
    }
    if (actor.actor_type === "DeployKey" && actor.bypass_mode === "pull_request") {
      return "DeployKey actors cannot use the pull_request bypass mode";
    }
    if (actor.actor_type === "RepositoryRole" && ![1, 2, 3, 4, 5].includes(Number(actor.actor_id))) {
      return `Invalid RepositoryRole actor_id: ${String(actor.actor_id)}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Judging ref updates

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function computeForced(repo: Repository, update: RefUpdate): boolean {
  if (update.forced !== undefined) return update.forced;
  if (isZeroOid(update.oldSha) || isZeroOid(update.newSha)) return false;
  try {
    execFileSync("git", ["merge-base", "--is-ancestor", update.oldSha, update.newSha], { cwd: repo.gitDir, stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
}

function patternParams(rule: Rule): { operator: string; pattern: string; negate: boolean; name?: string } {
  const p = rule.parameters ?? {};
  return { operator: String(p.operator ?? "regex"), pattern: String(p.pattern ?? ""), negate: Boolean(p.negate), name: p.name as string | undefined };
}

/** docs/github.md §2: starts_with / ends_with / contains / regex, with negate */
export function patternMatches(rule: Rule, value: string): boolean {
  const { operator, pattern, negate } = patternParams(rule);
  let hit: boolean;
  switch (operator) {
    case "starts_with":
      hit = value.startsWith(pattern);
      break;
    case "ends_with":
      hit = value.endsWith(pattern);
      break;
    case "contains":
      hit = value.includes(pattern);
      break;
    default:
      try {
        hit = new RegExp(pattern).test(value);
      } catch {
        hit = false;
      }
  }
  return negate ? !hit : hit;
}

function describePattern(rule: Rule, subject: string): string {
  const { operator, pattern, negate } = patternParams(rule);
  const verb = { starts_with: "start with", ends_with: "end with", contains: "contain", regex: "match" }[operator] ?? "match";
  // no verbatim GitHub text is known for the metadata rules; this wording is the stand-in's
  return `${subject} must ${negate ? "not " : ""}${verb} ${operator === "regex" ? "the pattern " : ""}"${pattern}".`;
}

function violationsOf(repo: Repository, ruleset: Ruleset, update: RefUpdate, forced: boolean): string[] {
  const creating = isZeroOid(update.oldSha);
  const deleting = isZeroOid(update.newSha);
  const isTag = update.ref.startsWith("refs/tags/");
  const out: string[] = [];
  const commits = deleting ? [] : update.commits;
  for (const rule of ruleset.rules) {
    const params = rule.parameters ?? {};
    switch (rule.type) {
      case "creation":
        if (creating) out.push("Cannot create ref due to creations being restricted.");
        break;
      case "update":
        if (!creating && !deleting) out.push("Cannot update this protected ref.");
        break;
      case "deletion":
        // docs/github.md §3.1 (tag form, weaker source); the branch form is inferred
        if (deleting) out.push(isTag ? "Cannot delete this tag." : "Cannot delete this protected ref.");
        break;
      case "non_fast_forward":
        if (forced) out.push(isTag ? "Cannot force-push to this tag" : "Cannot force-push to this branch");
        break;
      case "pull_request":
        if (!deleting && !isTag) out.push("Changes must be made through a pull request.");
        break;
      case "merge_queue":
        if (!deleting && !creating && !isTag) out.push("Changes must be made through the merge queue");
        break;
      case "required_status_checks": {
        if (deleting) break;
        if (creating && params.do_not_enforce_on_create) break;
        // the stand-in has no check runs: a pushed commit never has passing checks yet (docs/github.md §2)
        const checks = (params.required_status_checks as { context: string }[] | undefined) ?? [];
        if (checks.length === 1) out.push(`Required status check "${checks[0].context}" is expected.`);
        else if (checks.length > 1) out.push(`${checks.length} of ${checks.length} required status checks are expected.`);
        break;
      }
      case "required_signatures": {
        const unsigned = commits.filter((c) => !c.verified && !repo.verifiedCommits.has(c.sha));
        if (unsigned.length > 0) {
          out.push(
            ["Commits must have verified signatures.", `  Found ${plural(unsigned.length, "violation")}:`, "", ...unsigned.map((c) => `  ${c.sha}`)].join("\n"),
          );
        }
        break;
      }
      case "required_linear_history":
        if (commits.some((c) => (c.parents ?? 1) > 1)) out.push("This branch must not contain merge commits.");
        break;
      case "commit_message_pattern":
        if (commits.some((c) => !patternMatches(rule, c.message))) out.push(describePattern(rule, "Commit message"));
        break;
      case "commit_author_email_pattern":
        if (commits.some((c) => !patternMatches(rule, c.authorEmail))) out.push(describePattern(rule, "Commit author email"));
        break;
      case "committer_email_pattern":
        if (commits.some((c) => !patternMatches(rule, c.committerEmail))) out.push(describePattern(rule, "Committer email"));
        break;
      case "branch_name_pattern":
        if (creating && !isTag && !patternMatches(rule, shortRefName(update.ref))) out.push(describePattern(rule, "Branch name"));
        break;
      case "tag_name_pattern":
        if (creating && isTag && !patternMatches(rule, shortRefName(update.ref))) out.push(describePattern(rule, "Tag name"));
        break;
      case "required_deployments": {
        if (deleting) break;
        // a fresh commit was never deployed (docs/github.md §2); the wording is the stand-in's
        const envs = (params.required_deployment_environments as string[] | undefined) ?? [];
        out.push(`Changes must be deployed to the following environments: ${envs.join(", ")}.`);
        break;
      }
      case "workflows": {
        if (deleting) break;
        // docs/github.md §2: required workflows only run for PRs / merge queue; the wording is the stand-in's
        const wf = (params.workflows as { path: string }[] | undefined) ?? [];
        out.push(wf.length === 1 ? `Required workflow "${wf[0].path}" is expected.` : `${wf.length} of ${wf.length} required workflows are expected.`);
        break;
      }
      case "code_scanning": {
        if (deleting) break;
        // docs/github.md §2: needs results for the commit; the wording is the stand-in's
        const tools = (params.code_scanning_tools as { tool: string }[] | undefined) ?? [];
        out.push(`Code scanning is waiting for results from ${tools.map((t) => t.tool).join(", ") || "the required tools"} for the commits in this push.`);
        break;
      }
      default:
        // file_path_restriction, max_file_size, copilot_code_review, ...: not evaluated (no file data)
        break;
    }
  }
  return out;
}

function classicActorAllowed(list: { users: string[]; apps: string[] } | undefined, actor: Actor): boolean {
  if (!list) return false;
  if (actor.kind === "installation") return list.apps.includes(actor.app.slug);
  if (actor.kind === "user") return list.users.some((u) => u.toLowerCase() === actor.user.login.toLowerCase());
  return false;
}

/** docs/github.md §3.3, §5, §9: the reasons classic protection refuses this branch update */
function classicViolations(repo: Repository, protection: ClassicProtection, actor: Actor, update: RefUpdate, forced: boolean): string[] {
  // admins skip classic rules unless enforce_admins (docs/github.md §9); Apps never count as admin (inferred)
  const admin = actor.kind === "user" && repositoryRole(repo, actor.user) === "admin";
  if (admin && !protection.enforce_admins) return [];
  const deleting = isZeroOid(update.newSha);
  if (deleting) return ["Cannot delete this protected branch"];
  if (forced && !protection.allow_force_pushes) return ["Cannot force-push to a protected branch."];
  const out: string[] = [];
  // push restrictions exist on org repositories only (docs/github.md §9)
  if (protection.restrictions && repo.owner.type === "Organization" && !classicActorAllowed(protection.restrictions, actor)) {
    return ["You're not authorized to push to this branch. Visit https://docs.github.com/articles/about-protected-branches/ for more information."];
  }
  const reviews = protection.required_pull_request_reviews;
  if (reviews) {
    const allowances = repo.owner.type === "Organization" ? reviews.bypass_pull_request_allowances : undefined;
    if (!classicActorAllowed(allowances, actor)) out.push("Changes must be made through a pull request.");
  }
  const contexts = protection.required_status_checks?.contexts ?? [];
  if (contexts.length === 1) out.push(`Required status check "${contexts[0]}" is expected.`);
  else if (contexts.length > 1) out.push(`${contexts.length} of ${contexts.length} required status checks are expected.`);
  if (protection.required_signatures && update.commits.some((c) => !c.verified && !repo.verifiedCommits.has(c.sha))) {
    out.push("Commits must have verified signatures.");
  }
  // docs/github.md §3.3: one `error:` line, reasons joined as in "...pull request. Required status check ..."
  return out.length > 0 ? [out.join(" ")] : [];
}

function uniq(items: string[]): string[] {
  return [...new Set(items)];
}

function bullets(items: string[]): string[] {
  return items.flatMap((item) => [`- ${item}`, ""]);
}

/**
 * Judge a push (or an API ref write) per ref, the way GitHub does (docs/github.md §2 "Per-ref
 * outcome", §3). `origin` is used in the "Review all repository rules at" line.
 */
export function judgeRefUpdates(
  world: World,
  repo: Repository,
  actor: Actor,
  updates: RefUpdate[],
  opts: { via: "git" | "api"; origin?: string; record?: boolean },
): Judgement {
  const origin = (opts.origin ?? "https://github.com").replace(/\/+$/, "");
  const perRef: RefVerdict[] = [];
  const lines: string[] = [];
  for (const update of updates) {
    const forced = computeForced(repo, update);
    // docs/github.md §15.1: an immutable release's tag lock holds for every actor, bypass or not
    const violations: string[] = immutableTagViolations(world, repo, update);
    const bypassed: string[] = [];
    for (const ruleset of rulesetsForRef(world, repo, update.ref)) {
      const mode = currentUserCanBypass(world, repo, ruleset, actor);
      // docs/github.md §1.3: exempt = rules not evaluated, no notice
      if (mode === "exempt") continue;
      const found = violationsOf(repo, ruleset, update, forced);
      // docs/github.md §5: pull_requests_only does not cover a direct push
      if (mode === "always") bypassed.push(...found);
      else violations.push(...found);
    }
    const verdict: RefVerdict = { ref: update.ref, accepted: true, violations: uniq(violations), bypassed: uniq(bypassed) };
    if (verdict.violations.length > 0) {
      verdict.accepted = false;
      verdict.code = "GH013";
      lines.push(
        `error: GH013: Repository rule violations found for ${update.ref}.`,
        `Review all repository rules at ${origin}/${repo.owner.login}/${repo.name}/rules?ref=${encodeURIComponent(update.ref)}`,
        "",
        ...bullets(verdict.violations),
      );
    } else {
      // rulesets and classic protection stack (docs/github.md §2)
      const protection = update.ref.startsWith("refs/heads/") ? repo.protection.get(shortRefName(update.ref)) : undefined;
      const classic = protection ? classicViolations(repo, protection, actor, update, forced) : [];
      if (classic.length > 0) {
        verdict.accepted = false;
        verdict.code = "GH006";
        verdict.violations = classic;
        lines.push(`error: GH006: Protected branch update failed for ${update.ref}.`, ...classic.map((c) => `error: ${c}`));
      } else if (verdict.bypassed.length > 0) {
        lines.push(`Bypassed rule violations for ${update.ref}:`, "", ...bullets(verdict.bypassed));
      }
    }
    perRef.push(verdict);
  }
  const judgement: Judgement = { accepted: perRef.every((v) => v.accepted), perRef, remoteText: lines.join("\n") };
  if (opts.record !== false) {
    world.pushes.push({
      actor: World.actorName(actor),
      via: opts.via,
      updates: updates.map(({ ref, oldSha, newSha }) => ({ ref, oldSha, newSha })),
      accepted: judgement.accepted,
      message: judgement.remoteText,
    });
  }
  return judgement;
}

/**
 * The message of GitHub's 422 for a refused API ref write (docs/github.md §3.4):
 * `Repository rule violations found\n\n<rule text>\n\n`, or the GH006 reason for classic protection.
 */
export function apiRejectionMessage(judgement: Judgement): string | undefined {
  const refused = judgement.perRef.find((v) => !v.accepted);
  if (!refused) return undefined;
  if (refused.code === "GH006") return `Protected branch update failed for ${refused.ref}.\n\n${refused.violations.join("\n")}`;
  return `Repository rule violations found\n\n${refused.violations.join("\n\n")}\n\n`;
}
