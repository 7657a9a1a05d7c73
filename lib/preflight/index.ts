// The preflight (docs/architecture.md "Preflight"): prove before anything is pushed or published that
// the actor may push the release commit to the branch and create the release tag, past every ruleset
// and the classic branch protection. Read once (fetch.ts, verifyConditions), judge as often as needed
// without a request (judge.ts: verifyConditions, then verifyRelease with the exact tag and commit).
export { readPreflightFacts, readSignatureRules, type PreflightFacts, type PreflightOctokit, type BranchRulesetFacts } from "./fetch.js";
export { resolveCommitMode, signaturesRequired } from "./commit-mode.js";
export { bypassLines, judgePreflight, judgeSubject, newProblems, type JudgeOptions, type JudgeSubject, type PreflightVerdict } from "./judge.js";
// report.ts (the --dry-run report) is imported where it is used, lazily (lib/session/session.ts)
export type { ReportInput } from "./report.js";
export type { CommitFacts, FileFacts, RulesetVerdict } from "./evaluate-rules.js";
export type { ClassicVerdict, ClassicProtectionData } from "./classic.js";
export type { TagRulesetFacts, UndecidedTagRuleset } from "./tag.js";
