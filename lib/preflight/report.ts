// The dry-run report (README "The dry-run report", docs/architecture.md "Preflight"): a plain-text
// table, about 100 columns wide, of who pushes, with which token, which rulesets and classic protection
// apply, and a last verdict line. Pure: the caller logs it. Never shows a token, only its permissions
// and expiry.
import type { PreflightVerdict } from "./judge.js";
import type { RulesetVerdict } from "./evaluate-rules.js";
import type { AuthMethod, Permissions } from "../types.js";
import { formatPermissions } from "../token/permissions.js";
import type { MergePlan } from "./pull-request.js";

export interface ReportInput {
  method: AuthMethod;
  actor: string;
  installation?: { id: number; account?: string | undefined; repositorySelection?: string | undefined } | undefined;
  tokenPermissions?: Permissions | undefined;
  expiresAt?: string | Date | undefined;
  branch: string;
  tag?: string | undefined;
  /** false when the release pushes no commit to the branch (`assets: false`) */
  updatesBranch: boolean;
  /** the commit mode the release uses ("auto" settled) */
  commitMode: "git" | "api";
  /** whether an active ruleset that applies requires signed commits (why "auto" chose "api") */
  signaturesRequired: boolean;
  /** the push mode, when `pushMode` is not "direct": which, why, and how the pull request is merged (lib/preflight/pull-request.ts) */
  pushMode?: { configured: string; mode: "direct" | "pull-request"; reason: string; plan?: MergePlan | undefined; releaseBranch?: string | undefined } | undefined;
  /** the latest verdict; undefined with `preflight: "off"` */
  verdict: PreflightVerdict | undefined;
  /** the immutable-releases setting in words (lib/preflight/immutable.ts describeImmutable) */
  immutableReleases?: string | undefined;
  /** the floating tags the release moves, in words (lib/preflight/floating-tags.ts) */
  floatingTags?: string | undefined;
  /** problems of the release's tags beyond rulesets (ETAGBURNED, floating tags), part of the verdict */
  tagProblems?: PreflightVerdict["errors"] | undefined;
}

const WIDTH = 100;

/** The commit mode in words: the pull-request mode always commits locally, whatever `commitMode` says (README "Releasing through a pull request"). */
function commitModeText(input: Pick<ReportInput, "commitMode" | "signaturesRequired" | "pushMode">): string {
  if (input.pushMode?.mode === "pull-request") return "git (made locally in the pull-request mode; commitMode \"api\" does not apply)";
  return `${input.commitMode}${input.signaturesRequired ? " (a ruleset requires signed commits)" : ""}`;
}

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

function row(cells: [string, number][]): string {
  return cells.map(([text, width]) => cell(text, width)).join("  ").trimEnd();
}

/** Wrap `text` at spaces within WIDTH: the first line starts with `first`, the others with `indent`. */
function wrap(text: string, indent: string, first = indent): string[] {
  const lines: string[] = [];
  let line = "";
  const prefix = () => (lines.length === 0 ? first : indent);
  for (const word of text.split(" ")) {
    if (line && prefix().length + line.length + 1 + word.length > WIDTH) {
      lines.push(prefix() + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(prefix() + line);
  return lines;
}

function describeSource(v: RulesetVerdict): string {
  return `${v.source_type === "Organization" ? "org" : v.source_type === "Enterprise" ? "enterprise" : "repo"} ${v.source}`;
}

const BYPASS_WORDS: Record<RulesetVerdict["bypass"], string> = {
  always: "always",
  pull_requests_only: "PRs only",
  never: "never",
  exempt: "exempt",
  unknown: "unknown",
};

const VERDICT_WORDS: Record<RulesetVerdict["verdict"], string> = {
  ok: "ok",
  bypassed: "bypassed",
  exempt: "exempt",
  blocked: "BLOCKED",
  "pr-only": "BLOCKED",
  unknown: "unknown",
};

function formatExpiry(expiresAt: string | Date | undefined): string {
  if (expiresAt === undefined) return "";
  const date = expiresAt instanceof Date ? expiresAt : new Date(expiresAt);
  return Number.isNaN(date.getTime()) ? String(expiresAt) : date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function rulesetLines(title: string, verdicts: RulesetVerdict[]): string[] {
  const lines = [title];
  if (verdicts.length === 0) {
    lines.push("  none");
    return lines;
  }
  const columns: [string, number][] = [
    ["RULESET", 26],
    ["SOURCE", 24],
    ["ENFORCEMENT", 11],
    ["BYPASS", 9],
    ["VERDICT", 9],
  ];
  lines.push(`  ${row(columns)}`);
  for (const v of verdicts) {
    lines.push(
      `  ${row([
        [`${v.name} (#${v.id})`, 26],
        [describeSource(v), 24],
        [v.enforcement, 11],
        [BYPASS_WORDS[v.bypass], 9],
        [VERDICT_WORDS[v.verdict], 9],
      ])}`,
    );
    const details: string[] = [];
    if (v.blockingRules.length) details.push(`blocking rules: ${v.blockingRules.join(", ")}`);
    else if (v.enforcement === "active") details.push("blocking rules: none");
    if (v.pendingRules.length) details.push(`judged with the release commit/tag: ${v.pendingRules.join(", ")}`);
    if (v.uncheckedRules.length) details.push(`not checked (files unknown): ${v.uncheckedRules.join(", ")}`);
    for (const detail of details) lines.push(...wrap(detail, "      "));
    lines.push(`      settings: ${v.settingsUrl}`);
  }
  return lines;
}

function classicLines(input: ReportInput, c: PreflightVerdict["classic"]): string[] {
  const { branch } = input;
  const lines = ["Classic branch protection"];
  if (!input.updatesBranch || c.state === "not-read") lines.push(`  ${branch}: not checked (the release pushes no commit to the branch)`);
  else if (c.state === "branch-unknown") lines.push(`  ${branch}: the branch could not be read; not checked`);
  else if (c.state === "not-protected") lines.push(`  ${branch}: ${c.protected ? "no classic protection (protected by rulesets only)" : "not protected"}`);
  else if (c.state === "no-permission") lines.push(...wrap(`${branch}: protected; settings not checked (needs Administration: read) — ${c.settingsUrl}`, "  "));
  else {
    lines.push(`  ${branch}: protected, ${c.blocking.length ? "BLOCKED" : "ok"}${c.enforceAdmins ? " (admins included)" : ""}`);
    for (const text of c.blocking) lines.push(...wrap(`blocks: ${text}`, "      "));
    for (const text of c.passed) lines.push(...wrap(`passes: ${text}`, "      "));
    lines.push(`      settings: ${c.settingsUrl}`);
  }
  return lines;
}

function verdictLine(actor: string, result: PreflightVerdict): string[] {
  const all = [...result.branchRulesets, ...result.tagRulesets];
  if (result.errors.length === 0) {
    const bypassed = all.filter((v) => v.verdict === "bypassed").length;
    const exempt = all.filter((v) => v.verdict === "exempt").length;
    const notes = [
      bypassed ? `bypasses ${bypassed} ruleset${bypassed === 1 ? "" : "s"}` : "",
      exempt ? `exempt from ${exempt} ruleset${exempt === 1 ? "" : "s"}` : "",
      result.warnings.length ? `${result.warnings.length} warning${result.warnings.length === 1 ? "" : "s"}` : "",
    ].filter(Boolean);
    return [`Verdict: the release can be pushed as ${actor}${notes.length ? ` (${notes.join(", ")})` : ""}`];
  }
  const n = result.errors.length;
  const [first] = result.errors;
  if (n === 1) return wrap(`Verdict: blocked — 1 problem: ${first!.code} ${first!.message}`, "  ", "");
  return [`Verdict: blocked — ${n} problems:`, ...result.errors.flatMap((e) => wrap(`${e.code} ${e.message}`, "    ", "  - "))];
}

const STRATEGY_WORDS: Record<MergePlan["strategy"], string> = {
  "merge-queue": "added to the merge queue",
  "auto-merge": "auto-merge",
  merge: "merged by the plugin once GitHub allows it",
};

/** The push mode and, for a pull request, how it is merged and what it waits for. */
function pushModeLines(input: ReportInput, field: (name: string, value: string) => string[]): string[] {
  const mode = input.pushMode;
  if (!mode) return [];
  const lines = field("Push mode", `${mode.mode}${mode.configured === "auto" ? " (pushMode: auto)" : ""}: ${mode.reason}`);
  const { plan } = mode;
  if (mode.mode !== "pull-request" || !plan) return lines;
  const waits = [plan.reviews > 0 ? `${plan.reviews} approving review${plan.reviews === 1 ? "" : "s"} (a person must approve)` : "", plan.requiredChecks.length ? `checks ${plan.requiredChecks.join(", ")}` : ""].filter(Boolean);
  lines.push(...field("Pull request", `from ${mode.releaseBranch ?? "semantic-release/<tag>"}, ${STRATEGY_WORDS[plan.strategy]} (${plan.method})${waits.length ? `; waits for ${waits.join(" and ")}` : ""}`));
  return lines;
}

/** The dry-run report: one string of lines, no colour codes. */
export function renderReport(input: ReportInput): string {
  const { verdict } = input;
  const field = (name: string, value: string) => wrap(value, " ".repeat(16), name.padEnd(16));
  const lines: string[] = ["Release preflight (dry run)", "=".repeat(27)];
  lines.push(...field("Auth method", input.method));
  lines.push(...field("Actor", input.actor));
  if (input.installation) {
    const { id, account, repositorySelection } = input.installation;
    lines.push(...field("Installation", `${id}${account ? ` on ${account}` : ""}${repositorySelection ? ` (${repositorySelection} repositories)` : ""}`));
  }
  lines.push(...field("Token", formatPermissions(input.tokenPermissions)));
  const expiry = formatExpiry(input.expiresAt);
  if (expiry) lines.push(...field("Token expires", expiry));
  lines.push(...field("Branch", input.branch));
  lines.push(...field("Tag", input.tag ?? "not known yet"));
  lines.push(...field("Commit mode", commitModeText(input)));
  if (input.immutableReleases) lines.push(...field("Immutability", input.immutableReleases));
  if (input.floatingTags) lines.push(...field("Floating tags", input.floatingTags));
  lines.push(...pushModeLines(input, field));
  if (!verdict) {
    lines.push("", "Preflight: off (preflight: \"off\")");
    return lines.join("\n");
  }
  lines.push("");
  if (input.pushMode?.mode === "pull-request") lines.push(`Rulesets on refs/heads/${input.branch}`, "  not pushed to directly: the release commit reaches it through the pull request (Push mode above)");
  else if (input.updatesBranch) lines.push(...rulesetLines(`Rulesets on refs/heads/${input.branch}`, verdict.branchRulesets));
  else lines.push(`Rulesets on refs/heads/${input.branch}`, "  not checked (the release pushes no commit to the branch)");
  lines.push("");
  lines.push(...rulesetLines(`Rulesets on refs/tags/${input.tag ?? "<next tag>"}`, verdict.tagRulesets));
  for (const u of verdict.undecidedTagRulesets) lines.push(...wrap(`judged once the tag is known: "${u.name}" (#${u.id}) on ${u.include.join(", ")}`, "  "));
  lines.push("");
  lines.push(...classicLines(input, verdict.classic));
  if (verdict.warnings.length) {
    lines.push("", "Warnings");
    for (const warning of verdict.warnings) lines.push(...wrap(warning, "    ", "  - "));
  }
  lines.push("", ...verdictLine(input.pushMode?.mode === "pull-request" ? `${input.actor} through a pull request` : input.actor, { ...verdict, errors: [...verdict.errors, ...(input.tagProblems ?? [])] }));
  return lines.join("\n");
}
