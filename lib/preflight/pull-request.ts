// The preflight of the pull-request mode (README "Releasing through a pull request"; docs/github.md §18, §19).
// Pure: from what was read (the base branch's rulesets and classic protection, the repository's merge
// settings, the release branch's own rulesets, the installation's permissions) it settles
// `pushMode: "auto"`, says how the release pull request will be merged (merge queue, auto-merge or a
// plain merge, and with which method), what it waits for (reviews, status checks), and what stops the
// mode before anything is pushed. No requests, no logging.
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import type { AuthMethod, Permissions, PushMode } from "../types.js";
import { missingPermissions, formatPermissions } from "../token/permissions.js";
import type { ClassicProtectionData } from "./classic.js";
import { evaluateRuleset, type RulesetDetails, type RulesetWhere } from "./evaluate-rules.js";
import type { BranchRulesetFacts } from "./fetch.js";
import type { PreflightVerdict } from "./judge.js";

export type MergeMethod = "merge" | "rebase" | "squash";

/** The repository's pull request settings (`GET /repos/{owner}/{repo}`: `allow_*`). */
export interface MergeSettings {
  allowMergeCommit: boolean;
  allowRebaseMerge: boolean;
  allowSquashMerge: boolean;
  allowAutoMerge: boolean;
}

/** How the release pull request gets merged. */
export interface MergePlan {
  /** merge-queue: GraphQL enqueuePullRequest; auto-merge: GraphQL enablePullRequestAutoMerge; merge: REST merge once GitHub allows it */
  strategy: "merge-queue" | "auto-merge" | "merge";
  /** the method the commit lands with (the queue's own under a merge queue) */
  method: MergeMethod;
  /**
   * when the repository allows auto-merge: the method to enable it with (GraphQL
   * enablePullRequestAutoMerge; under a merge queue it enqueues the pull request once its checks pass,
   * docs/github.md §18.4)
   */
  autoMergeMethod: MergeMethod | undefined;
  /** approving reviews the base requires: a person must approve (an App cannot approve its own pull request) */
  reviews: number;
  /** the status checks the base requires, by name */
  requiredChecks: string[];
}

export interface PullRequestVerdict {
  /** the mode of this release: "auto" settled */
  mode: "direct" | "pull-request";
  /** why, in words, for the log and the dry-run report */
  reason: string;
  /** how the pull request is merged; undefined in direct mode */
  plan: MergePlan | undefined;
  /** what stops the pull-request mode (EPULLREQUESTPERMISSION, ERELEASEBRANCHBLOCKED) */
  errors: SemanticReleaseError[];
}

export interface PullRequestJudgeOptions {
  pushMode: PushMode;
  /** the verdict on a direct push: "auto" pushes directly when it has no errors */
  direct: PreflightVerdict | undefined;
  /** the base branch's rulesets and classic protection (lib/preflight/fetch.ts) */
  base: BranchRulesetFacts;
  classic: ClassicProtectionData | undefined;
  merge: MergeSettings | undefined;
  /** the rulesets on the release branch, once its name (from the tag) is known */
  releaseBranch: { name: string; rulesets: BranchRulesetFacts } | undefined;
  /** the installation's permissions (an App); undefined for a token the release was given */
  installationPermissions: Permissions | undefined;
  method: AuthMethod;
  actor: string;
  appSlug?: string | undefined;
  where: RulesetWhere;
  /** a required_signatures rule applies to the base: only a squash merge gives a commit GitHub signs */
  signaturesRequired: boolean;
}

/** `semantic-release/<tag>`: the branch the release pull request is opened from. */
export function releaseBranchName(tag: string): string {
  return `semantic-release/${tag}`;
}

const active = (rulesets: RulesetDetails[]) => rulesets.filter((ruleset) => ruleset.enforcement === "active").flatMap((ruleset) => ruleset.rules ?? []);

/** The merge queue rule's method (`parameters.merge_method`: MERGE, SQUASH, REBASE), when one applies. */
function mergeQueueMethod(base: BranchRulesetFacts): MergeMethod | undefined {
  const rule = active(base.rulesets).find((r) => r.type === "merge_queue");
  if (!rule) return undefined;
  const method = String(rule.parameters?.merge_method ?? "MERGE").toLowerCase();
  return method === "squash" || method === "rebase" ? method : "merge";
}

/**
 * The methods the base allows: the repository's settings, each `pull_request` rule's
 * `allowed_merge_methods`, and no merge commit under `required_linear_history`.
 */
function allowedMethods(options: PullRequestJudgeOptions): MergeMethod[] {
  const { merge, base, classic } = options;
  let methods: MergeMethod[] = merge
    ? (["merge", "rebase", "squash"] as const).filter((m) => (m === "merge" ? merge.allowMergeCommit : m === "rebase" ? merge.allowRebaseMerge : merge.allowSquashMerge))
    : ["merge", "rebase", "squash"];
  for (const rule of active(base.rulesets)) {
    const allowed = rule.type === "pull_request" ? rule.parameters?.allowed_merge_methods : undefined;
    if (Array.isArray(allowed)) methods = methods.filter((m) => allowed.includes(m));
    if (rule.type === "required_linear_history") methods = methods.filter((m) => m !== "merge");
  }
  const linear = (classic?.protection as { required_linear_history?: boolean | { enabled?: boolean } } | undefined)?.required_linear_history;
  if (linear === true || (typeof linear === "object" && linear?.enabled === true)) methods = methods.filter((m) => m !== "merge");
  return methods;
}

/**
 * Which method: a merge commit keeps the release commit's SHA, so the tag goes on exactly the commit
 * semantic-release prepared, whatever else lands on the base; then rebase (one new commit, same tree
 * and message); then squash. Under required signatures only squash: GitHub signs the squash commit it
 * writes, but neither the App's own release commit (kept by a merge) nor rebased commits (docs/github.md §19).
 */
function chooseMethod(options: PullRequestJudgeOptions): MergeMethod {
  const methods = allowedMethods(options);
  if (options.signaturesRequired && methods.includes("squash")) return "squash";
  return methods[0] ?? "merge";
}

/** What the base makes the pull request wait for: approving reviews and required status checks. */
function waitsFor({ base, classic }: PullRequestJudgeOptions): Pick<MergePlan, "reviews" | "requiredChecks"> {
  let reviews = 0;
  const checks = new Set<string>();
  for (const rule of active(base.rulesets)) {
    if (rule.type === "pull_request") reviews = Math.max(reviews, Number(rule.parameters?.required_approving_review_count ?? 0));
    if (rule.type === "required_status_checks") {
      for (const check of (rule.parameters?.required_status_checks as { context?: string }[] | undefined) ?? []) if (check.context) checks.add(check.context);
    }
  }
  const protection = classic?.state === "read" ? classic.protection : undefined;
  reviews = Math.max(reviews, protection?.required_pull_request_reviews?.required_approving_review_count ?? 0);
  for (const context of protection?.required_status_checks?.contexts ?? []) checks.add(context);
  for (const { context } of protection?.required_status_checks?.checks ?? []) checks.add(context);
  return { reviews, requiredChecks: [...checks] };
}

/** The merge plan of the base branch. */
export function planMerge(options: PullRequestJudgeOptions): MergePlan {
  const queue = mergeQueueMethod(options.base);
  const wait = waitsFor(options);
  const method = chooseMethod(options);
  const autoMergeMethod = options.merge?.allowAutoMerge ? method : undefined;
  if (queue) return { strategy: "merge-queue", method: queue, autoMergeMethod, ...wait };
  return { strategy: autoMergeMethod ? "auto-merge" : "merge", method, autoMergeMethod, ...wait };
}

/** The direct push's refusals on the branch (rulesets, classic protection): what a pull request goes around. */
function branchRefusals(direct: PreflightVerdict): string[] {
  const rulesets = direct.branchRulesets.filter((v) => v.verdict === "blocked" || v.verdict === "pr-only").map((v) => `"${v.name}" (${v.blockingRules.join(", ")})`);
  return direct.classic.blocking.length > 0 ? [...rulesets, "classic branch protection"] : rulesets;
}

/** The mode and why: "auto" pushes directly when the preflight allows it. */
function settleMode(options: PullRequestJudgeOptions): Pick<PullRequestVerdict, "mode" | "reason"> {
  const { pushMode, direct, actor } = options;
  if (pushMode === "direct") return { mode: "direct", reason: "pushMode is \"direct\"" };
  if (pushMode === "pull-request") return { mode: "pull-request", reason: "pushMode is \"pull-request\"" };
  if (!direct) return { mode: "direct", reason: "preflight is off, so nothing says a direct push would be refused" };
  const refusals = branchRefusals(direct);
  if (refusals.length === 0) return { mode: "direct", reason: `the rules let ${actor} push to the branch directly` };
  return { mode: "pull-request", reason: `a direct push by ${actor} is refused by ${refusals.join(", ")}` };
}

/** Errors of the mode: the App must be able to open pull requests and to create the release branch. */
function modeErrors(options: PullRequestJudgeOptions): SemanticReleaseError[] {
  const errors: SemanticReleaseError[] = [];
  const { installationPermissions, method, pushMode, appSlug, where, releaseBranch, actor } = options;
  if (method === "app" && installationPermissions && Object.keys(missingPermissions({ pull_requests: "write" }, installationPermissions)).length > 0) {
    const permissionsUrl = appSlug ? `${where.githubUrl}/settings/apps/${appSlug}/permissions` : undefined;
    errors.push(getError("EPULLREQUESTPERMISSION", { appSlug, permissionsUrl, pushMode, held: formatPermissions(installationPermissions) }));
  }
  if (releaseBranch) {
    const push = { ref: `refs/heads/${releaseBranch.name}`, creating: true, newCommit: true, commitMode: "git" as const };
    const blocked = releaseBranch.rulesets.rulesets
      .map((ruleset) => evaluateRuleset({ ruleset, push, where }))
      .filter((v) => v.verdict === "blocked" || v.verdict === "pr-only")
      .map(({ name, source, settingsUrl, blockingRules }) => ({ name, source, settingsUrl, blockingRules }));
    if (blocked.length > 0) errors.push(getError("ERELEASEBRANCHBLOCKED", { releaseBranch: releaseBranch.name, rulesets: blocked, actor }));
  }
  return errors;
}

/** Judge the pull-request mode. No requests. */
export function judgePullRequest(options: PullRequestJudgeOptions): PullRequestVerdict {
  const { mode, reason } = settleMode(options);
  if (mode === "direct") return { mode, reason, plan: undefined, errors: [] };
  return { mode, reason, plan: planMerge(options), errors: modeErrors(options) };
}
