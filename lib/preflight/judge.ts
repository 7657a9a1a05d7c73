// The preflight's verdict (docs/architecture.md "Preflight"): may the actor push the release commit to
// the branch and create the release tag, past every ruleset and the classic branch protection? Pure:
// judges the facts read once by lib/preflight/fetch.ts, in verifyConditions (before the tag is known)
// and again in verifyRelease (the exact tag and release commit), without any request. Problems become
// SemanticReleaseErrors from the catalog (lib/errors/rules.ts), things not checked become warnings.
import type SemanticReleaseError from "@semantic-release/error";
import { GITHUB_ACTIONS_BOT } from "../definitions/constants.js";
import { getError } from "../errors/get-error.js";
import { getWarning } from "../errors/warnings.js";
import { RULES_LOGS } from "../errors/rules.js";
import type { AuthMethod } from "../types.js";
import { branchSettingsUrl, judgeClassicProtection, type ClassicVerdict } from "./classic.js";
import { evaluateRuleset, type CommitFacts, type FileFacts, type RulesetVerdict, type RulesetWhere } from "./evaluate-rules.js";
import type { PreflightFacts } from "./fetch.js";
import { judgeTags, type UndecidedTagRuleset } from "./tag.js";

export interface JudgeOptions {
  facts: PreflightFacts;
  /** login the push is authenticated as: `<slug>[bot]`, `github-actions[bot]` or a user */
  actor: string;
  method: AuthMethod;
  appSlug?: string | undefined;
  /** the App id: reads the App's bypass entry when GitHub leaves out current_user_can_bypass (older GHES) */
  appId?: number | undefined;
  /** web origin, e.g. https://github.com (settings links) */
  githubUrl: string;
  owner: string;
  repo: string;
  /** the release branch */
  branch: string;
  /** the commit mode the release uses ("auto" already settled: resolveCommitMode) */
  commitMode: "git" | "api";
  /** false when the release pushes no commit to the branch (`assets: false`): only the tag is pushed */
  updatesBranch: boolean;
  /** semantic-release's `tagFormat` (e.g. `v${version}`): tag rulesets matching every tag it produces are judged before the version is known */
  tagFormat?: string | undefined;
  /** the release tag, when known */
  tag?: string | undefined;
  /** the release commit, when known */
  commit?: CommitFacts | undefined;
  /** the files of the release commit, when known */
  files?: FileFacts[] | undefined;
  /** the release reaches the branch through a pull request (lib/preflight/pull-request.ts judges that): only the tag is judged here */
  viaPullRequest?: boolean | undefined;
}

/** Who pushes, and where: the part of JudgeOptions that a release's token and configuration give. */
export type JudgeSubject = Pick<JudgeOptions, "actor" | "method" | "appSlug" | "appId" | "githubUrl" | "owner" | "repo">;

export function judgeSubject({ token, config }: {
  token: { actor: { login: string }; method: AuthMethod; app?: { id: number; slug: string } | undefined };
  config: { githubUrl: string; owner: string; repo: string };
}): JudgeSubject {
  const { githubUrl, owner, repo } = config;
  return { actor: token.actor.login, method: token.method, appSlug: token.app?.slug, appId: token.app?.id, githubUrl, owner, repo };
}

export interface PreflightVerdict {
  branchRulesets: RulesetVerdict[];
  tagRulesets: RulesetVerdict[];
  /** tag rulesets whose match depends on the tag name, not judged until the tag is known */
  undecidedTagRulesets: UndecidedTagRuleset[];
  classic: ClassicVerdict;
  /** every problem found (ERULESETBLOCKED, EBYPASSPULLREQUESTONLY, EGITHUBACTIONSBYPASS, EPROTECTEDBRANCH) */
  errors: SemanticReleaseError[];
  /** things that could not be checked, one line each, for context.logger.warn */
  warnings: string[];
}

type Judged = Pick<PreflightVerdict, "branchRulesets" | "tagRulesets" | "classic">;

/** One problem of a verdict: a ruleset that refuses the push, or the classic protection; `key` tells it apart from the others. */
type Problem = { key: string; ruleset: RulesetVerdict; classic?: undefined } | { key: string; ruleset?: undefined; classic: string[] };

/** The problems of a verdict, in the order of its errors (judgePreflight builds the errors from this list). */
function problemsOf(judged: Judged): Problem[] {
  const problems: Problem[] = [...judged.branchRulesets, ...judged.tagRulesets]
    .filter((v) => v.verdict === "blocked" || v.verdict === "pr-only")
    .map((ruleset) => ({ key: `${ruleset.target}:${ruleset.id}:${ruleset.blockingRules.join(",")}`, ruleset }));
  if (judged.classic.blocking.length > 0) problems.push({ key: `classic:${judged.classic.blocking.join(",")}`, classic: judged.classic.blocking });
  return problems;
}

function errorFor(problem: Problem, options: JudgeOptions, settingsUrl: string): SemanticReleaseError {
  const { actor, appSlug, method } = options;
  if (problem.classic) {
    return getError("EPROTECTEDBRANCH", { owner: options.owner, repo: options.repo, branch: options.branch, settings: problem.classic, actor, appSlug, settingsUrl, method });
  }
  const v = problem.ruleset;
  const ctx = { name: v.name, id: v.id, sourceType: v.source_type, source: v.source, settingsUrl: v.settingsUrl, ref: v.ref, blockingRules: v.blockingRules, actor, appSlug };
  if (v.verdict === "pr-only") return getError("EBYPASSPULLREQUESTONLY", ctx);
  // the actor GitHub named for the token (docs/github.md §4.1): GITHUB_TOKEN may hold a PAT or another App's token
  const githubActions = actor === GITHUB_ACTIONS_BOT.login;
  return githubActions ? getError("EGITHUBACTIONSBYPASS", ctx) : getError("ERULESETBLOCKED", ctx);
}

function warningsFor(judged: Judged, options: JudgeOptions): string[] {
  const { facts, owner, repo, branch, actor, appSlug } = options;
  const warnings: string[] = [];
  for (const v of [...judged.branchRulesets, ...judged.tagRulesets]) {
    const { name, source, blockingRules, ref, settingsUrl } = v;
    if (v.verdict === "unknown") warnings.push(getWarning("WBYPASSUNKNOWN", { name, source, actor, appSlug, blockingRules, ref, settingsUrl }));
    if (v.uncheckedRules.length > 0 && (v.verdict === "ok" || v.verdict === "unknown")) warnings.push(getWarning("WFILERULESUNCHECKED", { name, source, rules: v.uncheckedRules }));
  }
  const { classic } = judged;
  if (classic.state === "no-permission") warnings.push(getWarning("WCLASSICNOPERMISSION", { branch, refused: facts.classic?.failedStatus !== undefined, settingsUrl: classic.settingsUrl }));
  if (classic.state === "branch-unknown" && options.updatesBranch) warnings.push(getWarning("WBRANCHUNREADABLE", { owner, repo, branch, status: facts.classic?.failedStatus }));
  if (!facts.branch.available) warnings.push(getWarning("WNORULESENDPOINT", { owner, repo }));
  if (!facts.tag.available) warnings.push(getWarning("WNORULESETSENDPOINT", { owner, repo }));
  for (const { name, id } of facts.tag.unreadable) warnings.push(getWarning("WTAGRULESETUNREADABLE", { name, id }));
  return warnings;
}

/** Judge the release push against the facts. No requests. */
export function judgePreflight(options: JudgeOptions): PreflightVerdict {
  const { facts, branch, commitMode, updatesBranch } = options;
  const where: RulesetWhere = { githubUrl: options.githubUrl, owner: options.owner, repo: options.repo, appId: options.appId };
  const push = { newCommit: updatesBranch, commitMode, commit: options.commit, files: options.files };
  const branchPush = { ...push, ref: `refs/heads/${branch}`, creating: false };
  const pushesBranch = updatesBranch && options.viaPullRequest !== true;
  const branchRulesets = pushesBranch ? facts.branch.rulesets.map((ruleset) => evaluateRuleset({ ruleset, push: branchPush, where })) : [];
  const tags = judgeTags({ facts: facts.tag, tag: options.tag, tagFormat: options.tagFormat, push, where });
  const settingsUrl = branchSettingsUrl(where);
  const classic = judgeClassicProtection({ data: facts.classic, settingsUrl, actor: options.actor, appSlug: options.appSlug, method: options.method, commitMode, newCommit: pushesBranch });
  const judged: Judged = { branchRulesets, tagRulesets: tags.rulesets, classic };
  return {
    ...judged,
    undecidedTagRulesets: tags.undecided,
    errors: problemsOf(judged).map((problem) => errorFor(problem, options, settingsUrl)),
    warnings: warningsFor(judged, options),
  };
}

/** One log line per ruleset the actor passes only through its bypass ("always") or exemption ("exempt"). Pure. */
export function bypassLines(verdict: PreflightVerdict, actor: string): string[] {
  return [...verdict.branchRulesets, ...verdict.tagRulesets]
    .filter((v) => v.verdict === "exempt" || (v.verdict === "bypassed" && v.blockingRules.length > 0))
    .map((v) => RULES_LOGS.passes({ actor, name: v.name, source: v.source, ref: v.ref, verdict: v.verdict as "bypassed" | "exempt", rules: v.blockingRules }));
}

/**
 * The errors and warnings of `after` that `before` did not already hold: verifyRelease reports only
 * those, not again what verifyConditions reported. A problem is the same when its code, ruleset (or
 * classic protection) and blocking rules are, even if it now names the exact tag; a warning when its text is.
 */
export function newProblems(before: PreflightVerdict | undefined, after: PreflightVerdict): { errors: SemanticReleaseError[]; warnings: string[] } {
  // errors past the problems (the pull-request mode's, lib/preflight/pull-request.ts) are told apart by their message
  const keys = (verdict: PreflightVerdict) => {
    const problems = problemsOf(verdict);
    return verdict.errors.map((error, i) => `${error.code}:${problems[i]?.key ?? error.message}`);
  };
  const seenErrors = new Set(before ? keys(before) : []);
  const seenWarnings = new Set(before?.warnings);
  const afterKeys = keys(after);
  return {
    errors: after.errors.filter((_, i) => !seenErrors.has(afterKeys[i]!)),
    warnings: after.warnings.filter((warning) => !seenWarnings.has(warning)),
  };
}
