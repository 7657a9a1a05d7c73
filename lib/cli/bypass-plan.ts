// What `setup-bypass` would change, planned from what the preflight read (lib/preflight/fetch.ts) with
// an administrator's token. Pure, no requests. The admin's own `current_user_can_bypass` says nothing
// about the App, so it is set aside and the App's entry is read from each ruleset's bypass list, which
// GitHub shows only to callers who may edit the ruleset (docs/github.md §1.3, §20): every repository ruleset
// to a repository admin, an organization ruleset only to an organization owner. Which rules refuse the
// release push is judged by the plugin's own judges (lib/preflight/evaluate-rules.ts, tag.ts).
import { evaluateRuleset, rulesetSettingsUrl, type PushFacts, type RulesetDetails, type RulesetWhere } from "../preflight/evaluate-rules.js";
import type { PreflightFacts } from "../preflight/fetch.js";
import { sampleTags, tagRulesetsFor } from "../preflight/tag.js";

/** The modes setup-bypass offers: both let a direct push through (docs/github.md §1.3). */
export type PlannedMode = "always" | "exempt";

/** The bypass entry added to a ruleset (schema `repository-ruleset-bypass-actor`; Integration ids are App ids, docs/github.md §1.3). */
export interface BypassEntry {
  actor_type: "Integration";
  actor_id: number;
  bypass_mode: PlannedMode;
}

/** Where the App stands in a ruleset's bypass list. */
export type AppEntryStatus = "missing" | "pull_request" | "always" | "exempt" | "hidden";

/** One ruleset that refuses (or may refuse) the release push. */
export interface PlannedRuleset {
  ruleset: RulesetDetails;
  target: "branch" | "tag";
  /** "Repository" | "Organization" | "Enterprise" */
  sourceType: string;
  /** the rules that refuse the push, or may once the tag or commit is known */
  rules: string[];
  status: AppEntryStatus;
  settingsUrl: string;
  /**
   * change: a repository ruleset whose bypass list gets `entry` (added, or replacing a "pull_request"
   * entry); ok: the App already bypasses it; elsewhere: an organization or enterprise ruleset, changed on
   * its own settings page; hidden: a repository ruleset whose bypass list the token may not see (not an admin)
   */
  action: "change" | "ok" | "elsewhere" | "hidden";
}

/** A classic protection setting the App would need an entry in, or that no entry can satisfy. */
export interface ClassicGap {
  setting: string;
  /** missing: the App is not in the setting's list; unfixable: the setting has no list for Apps here */
  kind: "missing" | "unfixable";
}

export interface BypassPlan {
  entry: BypassEntry;
  rulesets: PlannedRuleset[];
  classic: { gaps: ClassicGap[]; settingsUrl: string; read: boolean };
}

export interface PlanBypassOptions {
  facts: PreflightFacts;
  /** the App ID (or 15368, GitHub Actions) */
  actorId: number;
  /** the App's slug when known (classic lists name Apps by slug and id) */
  actorSlug?: string | undefined;
  mode: PlannedMode;
  branch: string;
  /** plan for the tag rulesets too */
  tags: boolean;
  /** the release tags' format, e.g. `v${version}`: which tag rulesets apply */
  tagFormat: string;
  where: Omit<RulesetWhere, "appId">;
  /** "User" | "Organization": personal repositories have no classic allowance lists (docs/github.md §4, §9) */
  ownerType: string;
}

function appEntryStatus(ruleset: RulesetDetails, actorId: number): AppEntryStatus {
  if (!Array.isArray(ruleset.bypass_actors)) return "hidden";
  const entry = ruleset.bypass_actors.find((a) => a.actor_type === "Integration" && a.actor_id === actorId);
  if (!entry) return "missing";
  if (entry.bypass_mode === "pull_request") return "pull_request";
  return entry.bypass_mode === "exempt" ? "exempt" : "always";
}

function actionFor(sourceType: string, status: AppEntryStatus): PlannedRuleset["action"] {
  if (status === "always" || status === "exempt") return "ok";
  if (sourceType !== "Repository") return "elsewhere";
  return status === "hidden" ? "hidden" : "change";
}

/** The rules of `ruleset` that refuse (or may refuse) `push`, judged as if nobody could bypass. */
function refusingRules(ruleset: RulesetDetails, push: PushFacts, where: RulesetWhere): string[] {
  // the admin's own bypass status is not the App's: judge the rules alone
  const verdict = evaluateRuleset({ ruleset: { ...ruleset, current_user_can_bypass: "never", bypass_actors: undefined }, push, where });
  return [...new Set([...verdict.blockingRules, ...verdict.pendingRules])];
}

function planned(ruleset: RulesetDetails, target: "branch" | "tag", rules: string[], options: PlanBypassOptions): PlannedRuleset {
  const sourceType = ruleset.source_type ?? "Repository";
  const status = appEntryStatus(ruleset, options.actorId);
  const settingsUrl = rulesetSettingsUrl({ ...options.where, ruleset });
  return { ruleset, target, sourceType, rules, status, settingsUrl, action: actionFor(sourceType, status) };
}

/** The tag rulesets that apply to some release tag, with the rules that refuse creating it. */
function tagRulesets(options: PlanBypassOptions): PlannedRuleset[] {
  const where = { ...options.where, appId: options.actorId };
  const byId = new Map<number, { ruleset: RulesetDetails; rules: Set<string> }>();
  for (const tag of sampleTags(options.tagFormat)) {
    const push: PushFacts = { ref: `refs/tags/${tag}`, creating: true, newCommit: true, commitMode: "git", tagName: tag };
    for (const ruleset of tagRulesetsFor(options.facts.tag, tag)) {
      const seen = byId.get(ruleset.id) ?? { ruleset, rules: new Set<string>() };
      for (const rule of refusingRules(ruleset, push, where)) seen.rules.add(rule);
      byId.set(ruleset.id, seen);
    }
  }
  return [...byId.values()].filter(({ rules }) => rules.size > 0).map(({ ruleset, rules }) => planned(ruleset, "tag", [...rules], options));
}

type Named = string | { id?: number; slug?: string; login?: string; name?: string };

function listsApp(list: Named[] | undefined, options: Pick<PlanBypassOptions, "actorId" | "actorSlug">): boolean {
  return (list ?? []).some((entry) => (typeof entry === "string" ? entry === options.actorSlug : entry.id === options.actorId || (entry.slug !== undefined && entry.slug === options.actorSlug)));
}

/** The App's missing entries in classic protection (docs/github.md §9); read only with an admin's token. */
export function classicGaps(options: Pick<PlanBypassOptions, "facts" | "actorId" | "actorSlug" | "ownerType">): ClassicGap[] {
  const p = options.facts.classic?.protection;
  if (options.facts.classic?.state !== "read" || !p) return [];
  const personal = options.ownerType !== "Organization";
  const gaps: ClassicGap[] = [];
  const reviews = p.required_pull_request_reviews;
  if (reviews && !listsApp(reviews.bypass_pull_request_allowances?.apps as Named[] | undefined, options)) {
    gaps.push({ setting: `"Allow specified actors to bypass required pull requests"`, kind: personal ? "unfixable" : "missing" });
  }
  if (p.restrictions && !listsApp(p.restrictions.apps as Named[] | undefined, options)) {
    gaps.push({ setting: `"Restrict who can push to matching branches"`, kind: personal ? "unfixable" : "missing" });
  }
  const checks = p.required_status_checks;
  if (checks && ((checks.contexts ?? []).length > 0 || (checks.checks ?? []).length > 0)) gaps.push({ setting: `"Require status checks to pass before merging"`, kind: "unfixable" });
  const enabled = (toggle: unknown) => toggle === true || (typeof toggle === "object" && toggle !== null && (toggle as { enabled?: boolean }).enabled === true);
  if (enabled(p.required_signatures)) gaps.push({ setting: `"Require signed commits"`, kind: "unfixable" });
  if (enabled(p.lock_branch)) gaps.push({ setting: `"Lock branch"`, kind: "unfixable" });
  return gaps;
}

/** Every ruleset that would refuse the release push of the App, what to change in each, and the classic protection's gaps. */
export function planBypass(options: PlanBypassOptions): BypassPlan {
  const where = { ...options.where, appId: options.actorId };
  const branchPush: PushFacts = { ref: `refs/heads/${options.branch}`, creating: false, newCommit: true, commitMode: "git" };
  const branchRulesets = options.facts.branch.rulesets
    .map((ruleset) => ({ ruleset, rules: refusingRules(ruleset, branchPush, where) }))
    .filter(({ rules }) => rules.length > 0)
    .map(({ ruleset, rules }) => planned(ruleset, "branch", rules, options));
  return {
    entry: { actor_type: "Integration", actor_id: options.actorId, bypass_mode: options.mode },
    rulesets: [...branchRulesets, ...(options.tags ? tagRulesets(options) : [])],
    classic: {
      gaps: classicGaps(options),
      settingsUrl: `${options.where.githubUrl}/${options.where.owner}/${options.where.repo}/settings/branches`,
      read: options.facts.classic?.state === "read",
    },
  };
}

/**
 * The bypass list of `ruleset` with the App's entry in `mode`: added, or replacing its `pull_request`
 * entry; every other actor kept as it was.
 */
export function withAppEntry(ruleset: RulesetDetails, entry: BypassEntry): NonNullable<RulesetDetails["bypass_actors"]> {
  const others = (ruleset.bypass_actors ?? []).filter((a) => !(a.actor_type === entry.actor_type && a.actor_id === entry.actor_id));
  return [...others, { ...entry }];
}
