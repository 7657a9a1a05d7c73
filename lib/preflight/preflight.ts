// The preflight (DESIGN.md "Preflight"): prove before anything is pushed or published that the actor
// may push the release commit to the branch and create the release tag, past every ruleset and the
// classic branch protection. `runPreflight` (verifyConditions) makes all the requests; `finishPreflight`
// (verifyRelease) judges again with the exact tag and commit, without any request.
//
// Request order (all Metadata: read unless said): rules of the branch, list of tag rulesets and the
// branch itself (Contents: read) in parallel; then the ruleset details (bounded concurrency, each id
// once) and the classic protection details (Administration: read, only when classic protection is on).
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import { GITHUB_ACTIONS_BOT } from "../definitions/constants.js";
import type { BlockingRulesetContext } from "../errors/rules.js";
import { evaluateRuleset, type CommitFacts, type FileFacts, type PushFacts, type RulesetVerdict } from "./evaluate-rules.js";
import { createRulesetFetcher, loadBranchRulesets, RULESET_FETCH_CONCURRENCY, type BranchRulesets, type PreflightOctokit } from "./branch.js";
import { judgeTag, loadTagRulesets, tagRulesetsFor, type LoadedTagRulesets, type TagJudgement } from "./tag.js";
import { judgeClassicProtection, loadClassicProtection, type ClassicProtectionData, type ClassicVerdict } from "./classic.js";
import type { AuthMethod, Permissions } from "../types.js";

export interface PreflightOptions {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
  /** the release branch */
  branch: string;
  /** for `~DEFAULT_BRANCH` conditions; defaults to `branch` */
  defaultBranch?: string | undefined;
  /** web origin, e.g. https://github.com (settings links) */
  githubUrl: string;
  /** login the push is authenticated as: `<slug>[bot]`, `github-actions[bot]` or a user */
  actor: string;
  method: AuthMethod;
  /** the configured commit mode; "auto" becomes "api" when a required_signatures rule applies */
  commitMode: "auto" | "git" | "api";
  /** permissions of the token (from the token response); undefined when unknown (pat, github-token) */
  tokenPermissions?: Permissions | undefined;
  appSlug?: string | undefined;
  /** the App id: reads the App's bypass entry when GitHub leaves out current_user_can_bypass (older GHES) */
  appId?: number | undefined;
  /** the release tag, when known */
  tag?: string | undefined;
  /** semantic-release's `tagFormat` (e.g. `v${version}`): tag rulesets matching every tag it produces are judged before the version is known */
  tagFormat?: string | undefined;
  /** the release commit, when known */
  commit?: CommitFacts | undefined;
  /** the files of the release commit, when known */
  files?: FileFacts[] | undefined;
  /** false when the release pushes no commit to the branch (`assets: false`): only the tag is pushed */
  updatesBranch?: boolean | undefined;
  /** ruleset requests in flight at once */
  concurrency?: number | undefined;
}

export interface PreflightResult {
  owner: string;
  repo: string;
  branch: string;
  actor: string;
  method: AuthMethod;
  appSlug: string | undefined;
  /** the commit mode the push will use ("auto" settled) */
  commitMode: "git" | "api";
  /** whether an active ruleset that applies has `required_signatures` (why "auto" chose "api") */
  signaturesRequired: boolean;
  updatesBranch: boolean;
  tag: string | undefined;
  branchRulesets: RulesetVerdict[];
  tagRulesets: RulesetVerdict[];
  /** tag rulesets whose match depends on the tag name, not judged until the tag is known */
  undecidedTagRulesets: TagJudgement["undecided"];
  classic: ClassicVerdict;
  /** every problem found, as SemanticReleaseErrors (ERULESETBLOCKED, EBYPASSPULLREQUESTONLY, EGITHUBACTIONSBYPASS, EPROTECTEDBRANCH) */
  errors: SemanticReleaseError[];
  /** things that could not be checked, one line each, for context.logger.warn */
  warnings: string[];
  /** finishPreflight only: errors and warnings that the previous result did not already hold */
  newErrors: SemanticReleaseError[];
  /** one key per error (code, ruleset, rules), to tell new errors from those already reported */
  errorKeys: string[];
  newWarnings: string[];
  /** what the requests returned, for finishPreflight */
  loaded: {
    branch: BranchRulesets;
    tag: LoadedTagRulesets;
    classic: ClassicProtectionData;
    defaultBranch: string;
    githubUrl: string;
    configuredCommitMode: "auto" | "git" | "api";
    appId: number | undefined;
    tagFormat: string | undefined;
    commit: CommitFacts | undefined;
    files: FileFacts[] | undefined;
  };
}

export async function runPreflight(options: PreflightOptions): Promise<PreflightResult> {
  const { octokit, owner, repo, branch, githubUrl } = options;
  const defaultBranch = options.defaultBranch ?? branch;
  const fetchRuleset = createRulesetFetcher(octokit, owner, repo, options.concurrency ?? RULESET_FETCH_CONCURRENCY);
  // three independent first requests; the ruleset details share one limiter and one cache
  const [branchRulesets, tagRulesets, classic] = await Promise.all([
    loadBranchRulesets({ octokit, owner, repo, branch, fetchRuleset }),
    loadTagRulesets({ octokit, owner, repo, defaultBranch, fetchRuleset }),
    options.updatesBranch === false
      ? Promise.resolve<ClassicProtectionData>({ protected: undefined, classic: undefined, state: "not-protected", settingsUrl: "" })
      : loadClassicProtection({ octokit, owner, repo, branch, githubUrl, tokenPermissions: options.tokenPermissions }),
  ]);
  return judge(
    {
      owner,
      repo,
      branch,
      actor: options.actor,
      method: options.method,
      appSlug: options.appSlug,
      updatesBranch: options.updatesBranch !== false,
      tag: options.tag,
      loaded: {
        branch: branchRulesets,
        tag: tagRulesets,
        classic,
        defaultBranch,
        githubUrl,
        configuredCommitMode: options.commitMode,
        appId: options.appId,
        tagFormat: options.tagFormat,
        commit: options.commit,
        files: options.files,
      },
    },
    undefined,
  );
}

/** verifyRelease: judge again with the exact tag and the release commit. No requests. */
export function finishPreflight(result: PreflightResult, known: { tag: string; commit?: CommitFacts | undefined; files?: FileFacts[] | undefined }): PreflightResult {
  return judge(
    {
      ...result,
      tag: known.tag,
      loaded: { ...result.loaded, commit: known.commit ?? result.loaded.commit, files: known.files ?? result.loaded.files },
    },
    result,
  );
}

type JudgeInput = Pick<PreflightResult, "owner" | "repo" | "branch" | "actor" | "method" | "appSlug" | "updatesBranch" | "tag" | "loaded">;

function judge(input: JudgeInput, previous: PreflightResult | undefined): PreflightResult {
  const { owner, repo, branch, loaded, tag } = input;
  const where = { githubUrl: loaded.githubUrl, owner, repo, appId: loaded.appId };
  const newCommit = input.updatesBranch;

  // "auto" → "api" when a required_signatures rule applies (DESIGN.md "Options")
  // before the tag is known, every active tag ruleset counts (the choice can only get narrower later)
  const tagCandidates = tag === undefined ? loaded.tag.rulesets : tagRulesetsFor(loaded.tag, tag);
  const signaturesRequired = [...(input.updatesBranch ? loaded.branch.rulesets : []), ...tagCandidates].some(
    (r) => r.enforcement === "active" && (r.rules ?? []).some((rule) => rule.type === "required_signatures"),
  );
  const commitMode = loaded.configuredCommitMode === "auto" ? (signaturesRequired ? "api" : "git") : loaded.configuredCommitMode;

  const facts = { newCommit, commitMode, commit: loaded.commit, files: loaded.files };
  const branchFacts: PushFacts = { ...facts, ref: `refs/heads/${branch}`, creating: false };
  const branchRulesets = input.updatesBranch ? loaded.branch.rulesets.map((r) => evaluateRuleset(r, branchFacts, where)) : [];
  const tagJudgement = judgeTag(loaded.tag, tag, facts, where, loaded.tagFormat);
  const classic = judgeClassicProtection(loaded.classic, { actor: input.actor, appSlug: input.appSlug, method: input.method, commitMode, newCommit });

  const errors: SemanticReleaseError[] = [];
  const errorKeys: string[] = [];
  const warnings: string[] = [];
  // the same problem found again in verifyRelease (now naming the exact tag) is not new
  const report = (key: string, error: SemanticReleaseError) => {
    errors.push(error);
    errorKeys.push(`${error.code}:${key}`);
  };
  const githubActions = input.method === "github-token" || input.actor === GITHUB_ACTIONS_BOT.login;
  for (const verdict of [...branchRulesets, ...tagJudgement.rulesets]) {
    const ctx: BlockingRulesetContext = {
      name: verdict.name,
      id: verdict.id,
      sourceType: verdict.source_type,
      source: verdict.source,
      settingsUrl: verdict.settingsUrl,
      ref: verdict.ref,
      blockingRules: verdict.blockingRules,
      actor: input.actor,
      appSlug: input.appSlug,
    };
    const key = `${verdict.target}:${verdict.id}:${verdict.blockingRules.join(",")}`;
    if (verdict.verdict === "blocked") report(key, githubActions ? getError("EGITHUBACTIONSBYPASS", ctx) : getError("ERULESETBLOCKED", ctx));
    else if (verdict.verdict === "pr-only") report(key, getError("EBYPASSPULLREQUESTONLY", ctx));
    else if (verdict.verdict === "unknown") {
      warnings.push(
        `GitHub did not say whether ${input.actor} can bypass the ruleset "${verdict.name}" (${verdict.source}), whose rules ${verdict.blockingRules.join(", ")} would refuse the push of ${verdict.ref}: make sure ${input.appSlug ?? input.actor} is on its bypass list with the mode "Always allow" (${verdict.settingsUrl}). If GitHub refuses the push, the atomic push fails with nothing half-pushed.`,
      );
    }
    if (verdict.uncheckedRules.length > 0 && (verdict.verdict === "ok" || verdict.verdict === "unknown")) {
      warnings.push(`The ruleset "${verdict.name}" (${verdict.source}) has file rules that were not checked because the release commit's files are not known yet: ${verdict.uncheckedRules.join(", ")}.`);
    }
  }
  if (classic.blocking.length > 0) {
    report(
      classic.blocking.join(","),
      getError("EPROTECTEDBRANCH", {
        owner,
        repo,
        branch,
        settings: classic.blocking,
        actor: input.actor,
        appSlug: input.appSlug,
        settingsUrl: classic.settingsUrl,
        method: input.method,
      }),
    );
  }
  if (classic.state === "no-permission") {
    warnings.push(
      `The branch ${branch} has classic branch protection, but its settings need the permission Administration: read, which the token ${loaded.classic.failedStatus ? "was refused" : "does not have"}; they were not checked. Grant the App "Administration: read" to check them before releasing (${classic.settingsUrl}). If the protection refuses the push, the atomic push fails with nothing half-pushed.`,
    );
  }
  if (classic.state === "branch-unknown" && input.updatesBranch) {
    warnings.push(`The branch ${owner}/${repo}:${branch} could not be read (HTTP ${loaded.classic.failedStatus}); its classic protection was not checked.`);
  }
  if (!loaded.branch.available) warnings.push(`GitHub has no rules endpoint for ${owner}/${repo} (HTTP 404, older GitHub Enterprise Server?): branch rulesets were not checked.`);
  if (!loaded.tag.available) warnings.push(`GitHub has no rulesets endpoint for ${owner}/${repo} (HTTP 404, older GitHub Enterprise Server?): tag rulesets were not checked.`);
  for (const r of loaded.tag.unreadable) warnings.push(`The tag ruleset "${r.name}" (id ${r.id}) could not be read; it was not checked.`);

  const seenErrors = new Set(previous?.errorKeys);
  const seenWarnings = new Set(previous?.warnings);
  return {
    owner,
    repo,
    branch,
    actor: input.actor,
    method: input.method,
    appSlug: input.appSlug,
    commitMode,
    signaturesRequired,
    updatesBranch: input.updatesBranch,
    tag,
    branchRulesets,
    tagRulesets: tagJudgement.rulesets,
    undecidedTagRulesets: tagJudgement.undecided,
    classic,
    errors,
    warnings,
    newErrors: errors.filter((_, i) => !seenErrors.has(errorKeys[i]!)),
    errorKeys,
    newWarnings: warnings.filter((w) => !seenWarnings.has(w)),
    loaded,
  };
}
