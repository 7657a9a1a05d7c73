// `doctor`: will a release of this repository and branch go through? The plugin's own modules, in the
// order verifyConditions runs them: the configuration (lib/config), a read-only token
// (lib/token createReleaseToken, as in --dry-run), the preflight's reads and judges (lib/preflight),
// the commit mode it would pick, and the dry run's report (lib/preflight/report.ts). Without --tag,
// the tag rulesets are judged for the tags the tagFormat produces (lib/preflight/tag.ts sampleTags).
// Exit 0 when the push would be accepted, 1 when not.
import type SemanticReleaseError from "@semantic-release/error";
import AggregateError from "aggregate-error";
import { verifyRefName } from "../config/index.js";
import { judgePreflight, judgeSubject, newProblems, readPreflightFacts, resolveCommitMode, signaturesRequired, type PreflightFacts, type PreflightVerdict } from "../preflight/index.js";
import { renderReport } from "../preflight/report.js";
import { judgePullRequest, releaseBranchName, type PullRequestVerdict } from "../preflight/pull-request.js";
import { readMergeSettings } from "../preflight/pull-request-facts.js";
import { sampleTags } from "../preflight/tag.js";
import type { RulesetVerdict } from "../preflight/evaluate-rules.js";
import { createReleaseToken, type ReleaseToken } from "../token/index.js";
import type { ResolvedConfig } from "../types.js";
import { cliLogger, loadCliConfig, resolveRepositoryUrl } from "./args.js";
import { UsageError, type CliCommand, type CliIO } from "./command.js";
import { paint, table, writeLine } from "./output.js";
import { whileLive } from "./while-live.js";

/** semantic-release's default `tagFormat` */
export const DEFAULT_TAG_FORMAT = "v${version}";

export interface Diagnosis {
  config: ResolvedConfig;
  token: ReleaseToken;
  branch: string;
  tag: string | undefined;
  tagFormat: string;
  commitMode: "git" | "api";
  signaturesRequired: boolean;
  /** the verdict as verifyConditions judges it (the exact tag when --tag is given) */
  verdict: PreflightVerdict;
  /** without --tag: each tag the tagFormat produces, judged as verifyRelease would */
  samples: { tag: string; verdict: PreflightVerdict }[];
  /** every problem, each once (the samples' included) */
  errors: SemanticReleaseError[];
  /** with `pushMode` "pull-request" or "auto": the mode settled, why, and how its pull request would be merged */
  pullRequest?: PullRequestVerdict | undefined;
}

async function defaultBranch(token: ReleaseToken, config: ResolvedConfig): Promise<string> {
  const { data } = await token.octokit.request("GET /repos/{owner}/{repo}", { owner: config.owner, repo: config.repo });
  return data.default_branch;
}

/** The samples' problems that neither the main verdict nor an earlier sample already holds. */
function sampleProblems(verdict: PreflightVerdict, samples: { verdict: PreflightVerdict }[]): SemanticReleaseError[] {
  const seen: PreflightVerdict[] = [verdict];
  const extra: SemanticReleaseError[] = [];
  for (const sample of samples) {
    const fresh = seen.reduce((errors, before) => {
      const novel = new Set(newProblems(before, sample.verdict).errors);
      return errors.filter((error) => novel.has(error));
    }, sample.verdict.errors);
    extra.push(...fresh);
    seen.push(sample.verdict);
  }
  return extra;
}

function judge(input: { facts: PreflightFacts; token: ReleaseToken; config: ResolvedConfig; branch: string; tagFormat: string; tag: string | undefined; viaPullRequest?: boolean }) {
  const { facts, token, config, branch, tagFormat, tag, viaPullRequest } = input;
  const required = signaturesRequired({ facts, tag, updatesBranch: true });
  const commitMode = resolveCommitMode({ configured: config.commitMode, signaturesRequired: required });
  const judgeFor = (forTag: string | undefined) =>
    judgePreflight({
      facts,
      ...judgeSubject({ token, config }),
      branch,
      commitMode,
      updatesBranch: true,
      viaPullRequest,
      tagFormat,
      tag: forTag,
    });
  return { commitMode, signaturesRequired: required, judgeFor };
}

/** `pushMode` "pull-request" or "auto" settled as the release would (lib/preflight/pull-request.ts); undefined for "direct". */
async function judgeMode(input: { facts: PreflightFacts; token: ReleaseToken; config: ResolvedConfig; direct: PreflightVerdict; signaturesRequired: boolean }): Promise<PullRequestVerdict | undefined> {
  const { facts, token, config, direct } = input;
  if (config.pushMode === "direct") return undefined;
  const merge = await readMergeSettings({ octokit: token.octokit, owner: config.owner, repo: config.repo });
  return judgePullRequest({
    pushMode: config.pushMode,
    direct,
    base: facts.branch,
    classic: facts.classic,
    merge,
    releaseBranch: undefined,
    installationPermissions: token.installation?.permissions,
    method: token.method,
    actor: token.actor.login,
    appSlug: token.app?.slug,
    where: { githubUrl: config.githubUrl, owner: config.owner, repo: config.repo, appId: token.app?.id },
    signaturesRequired: input.signaturesRequired,
  });
}

/** Read and judge; the token is the caller's to revoke. */
async function diagnose({ io, config, token, values }: { io: CliIO; config: ResolvedConfig; token: ReleaseToken; values: Record<string, unknown> }): Promise<Diagnosis> {
  const tagFormat = (values["tag-format"] as string | undefined) ?? DEFAULT_TAG_FORMAT;
  const tag = values.tag as string | undefined;
  let branch = values.branch as string | undefined;
  if (branch === undefined) {
    const done = io.progress(`Reading the default branch of ${config.owner}/${config.repo}`);
    branch = await defaultBranch(token, config);
    done(branch);
  }
  const problem = verifyRefName("branch", branch) ?? (tag === undefined ? undefined : verifyRefName("tag", tag, { tagFormat }));
  if (problem) throw new AggregateError([problem]);
  const done = io.progress(`Reading the rulesets and protection of ${branch} and the tags`);
  const facts = await readPreflightFacts({ octokit: token.octokit, owner: config.owner, repo: config.repo, branch, tokenPermissions: token.permissions, updatesBranch: true });
  done(`${facts.branch.rulesets.length} branch and ${facts.tag.rulesets.length} tag rulesets`);
  const direct = judge({ facts, token, config, branch, tagFormat, tag });
  const pullRequest = await judgeMode({ facts, token, config, direct: direct.judgeFor(tag), signaturesRequired: direct.signaturesRequired });
  // through a pull request the branch is not pushed to: its rules are what the pull request waits for
  const judged = pullRequest?.mode === "pull-request" ? judge({ facts, token, config, branch, tagFormat, tag, viaPullRequest: true }) : direct;
  const judgedTag = judged.judgeFor(tag);
  const verdict = { ...judgedTag, errors: [...judgedTag.errors, ...(pullRequest?.errors ?? [])] };
  const samples = tag === undefined ? sampleTags(tagFormat).map((sample) => ({ tag: sample, verdict: judged.judgeFor(sample) })) : [];
  const errors = [...verdict.errors, ...sampleProblems(verdict, samples)];
  const commitMode = pullRequest?.mode === "pull-request" ? "git" : judged.commitMode;
  return { config, token, branch, tag, tagFormat, commitMode, signaturesRequired: judged.signaturesRequired, verdict, samples, errors, pullRequest };
}

function rulesetJson(v: RulesetVerdict) {
  return { id: v.id, name: v.name, target: v.target, ref: v.ref, source: v.source, sourceType: v.source_type, enforcement: v.enforcement, bypass: v.bypass, verdict: v.verdict, blockingRules: v.blockingRules };
}

/** The --json verdict: stable names, for scripts (README "Command line"). */
export function doctorJson(d: Diagnosis) {
  const blocked = (v: RulesetVerdict) => v.verdict === "blocked" || v.verdict === "pr-only";
  return {
    accepted: d.errors.length === 0,
    repository: `${d.config.owner}/${d.config.repo}`,
    branch: d.branch,
    tag: d.tag ?? null,
    tagFormat: d.tagFormat,
    authMethod: d.token.method,
    actor: d.token.actor.login,
    commitMode: d.commitMode,
    pushMode: d.pullRequest?.mode ?? d.config.pushMode,
    pushModeReason: d.pullRequest?.reason ?? null,
    errors: d.errors.map((error) => ({ code: error.code, message: error.message })),
    warnings: [...new Set([d.verdict, ...d.samples.map((s) => s.verdict)].flatMap((v) => v.warnings))],
    rulesets: [...d.verdict.branchRulesets, ...d.verdict.tagRulesets].map(rulesetJson),
    tags: d.samples.map(({ tag, verdict }) => ({ tag, accepted: !verdict.tagRulesets.some(blocked), rulesets: verdict.tagRulesets.map(rulesetJson) })),
    classic: { state: d.verdict.classic.state, blocking: d.verdict.classic.blocking },
  };
}

/** Per tag the tagFormat produces: the tag rulesets that apply and their verdicts. */
function sampleTable(d: Diagnosis, io: CliIO): string[] {
  if (d.samples.length === 0) return [];
  const rows = d.samples.map(({ tag, verdict }) => {
    const rulesets = verdict.tagRulesets.map((v) => `${v.name} #${v.id} (${v.verdict === "pr-only" ? "blocked" : v.verdict.toLowerCase()})`);
    const blocked = verdict.tagRulesets.some((v) => v.verdict === "blocked" || v.verdict === "pr-only");
    return [tag, rulesets.join(", ") || "none", blocked ? paint(io, "red", "BLOCKED") : paint(io, "green", "ok")];
  });
  return ["", `Tags ${d.tagFormat} can produce`, ...table(rows, ["TAG", "TAG RULESETS", "VERDICT"]).split("\n").map((line) => `  ${line}`)];
}

/** The dry run's report, the samples, and the final verdict (coloured on a TTY). */
export function renderDoctor(d: Diagnosis, io: CliIO): string {
  const { token } = d;
  const report = renderReport({
    method: token.method,
    actor: token.actor.login,
    installation: token.installation && { id: token.installation.id, account: token.installation.accountLogin, repositorySelection: token.installation.repositorySelection },
    tokenPermissions: token.permissions,
    expiresAt: token.expiresAt,
    branch: d.branch,
    tag: d.tag,
    updatesBranch: true,
    commitMode: d.commitMode,
    signaturesRequired: d.signaturesRequired,
    verdict: d.verdict,
    pushMode: d.pullRequest && { configured: d.config.pushMode, mode: d.pullRequest.mode, reason: d.pullRequest.reason, plan: d.pullRequest.plan, releaseBranch: d.tag ? releaseBranchName(d.tag) : undefined },
  });
  const lines = [`Repository      ${d.config.owner}/${d.config.repo}`, "", ...report.split("\n"), ...sampleTable(d, io)];
  const extra = sampleProblems(d.verdict, d.samples);
  if (extra.length > 0) lines.push("", `Verdict for the other tags: blocked — ${extra.map((e) => `${e.code} ${e.message}`).join("; ")}`);
  return lines.map((line) => (line.startsWith("Verdict") ? paint(io, line.includes("blocked") ? "red" : "green", line) : line)).join("\n");
}

export const doctor: CliCommand = {
  name: "doctor",
  summary: "check that a release push would be accepted (the dry run's preflight, without a release)",
  usage: `Usage: semantic-release-github-app doctor [--repository owner/name | --repository-url URL] [--branch B] [--tag T] [--json]

Mints a read-only token the way the plugin does in --dry-run, reads the branch's rules, the tag
rulesets and classic protection, and prints the same report as the dry run: who pushes, which
rulesets apply, whether the App may bypass them, the commit mode it would pick. Nothing is written.

Options:
  --repository owner/name   the repository (default: the origin remote of the current directory)
  --repository-url URL      the repository as a URL (https, ssh or scp form)
  --branch B                the release branch (default: the repository's default branch)
  --tag T                   judge this tag (default: the tags the tag format produces)
  --tag-format FORMAT       semantic-release's tagFormat (default: v\${version})
  --commit-mode MODE        the plugin's commitMode option: auto (default), git or api
  --push-mode MODE          the plugin's pushMode option: direct (default), pull-request or auto
  --json                    print the verdict as JSON on stdout (the log stays on stderr)
  -h, --help                show this help

Environment: the plugin's (GITHUB_APP_CLIENT_ID or GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY, or
GH_TOKEN, or GITHUB_TOKEN; GITHUB_SERVER_URL, GITHUB_API_URL, GITHUB_APP_INSTALLATION_ID).

Exit codes: 0 the release push would be accepted, 1 it would not (or doctor failed), 2 bad usage.`,
  options: {
    repository: { type: "string" },
    "repository-url": { type: "string" },
    branch: { type: "string" },
    tag: { type: "string" },
    "tag-format": { type: "string" },
    "commit-mode": { type: "string" },
    "push-mode": { type: "string" },
    json: { type: "boolean" },
  },
  async run({ values, io }) {
    try {
      return await runDoctor({ values, io });
    } catch (error) {
      // a script reading --json gets a verdict whatever happened; the errors are printed on stderr too (lib/cli/main.ts)
      if (values.json && !(error instanceof UsageError)) writeLine(io.stdout, JSON.stringify(failureJson(error), null, 2));
      throw error;
    }
  },
};

/** --json when doctor could not judge: not accepted, and the errors (the plugin's codes). */
function failureJson(error: unknown) {
  const errors = error instanceof AggregateError ? [...error.errors] : [error];
  return { accepted: false, errors: errors.map((e) => ({ code: (e as { code?: unknown }).code ?? null, message: e instanceof Error ? e.message : String(e) })) };
}

async function runDoctor({ values, io }: { values: Record<string, unknown>; io: CliIO }): Promise<number> {
  const repositoryUrl = await resolveRepositoryUrl({ values, io });
  const commitMode = values["commit-mode"] as ResolvedConfig["commitMode"] | undefined;
  const pushMode = values["push-mode"] as ResolvedConfig["pushMode"] | undefined;
  const pluginConfig = { ...(commitMode ? { commitMode } : {}), ...(pushMode ? { pushMode } : {}) };
  const config = loadCliConfig({ io, repositoryUrl, branch: values.branch as string | undefined, pluginConfig, dryRun: true });
  const logger = cliLogger(io);
  for (const warning of config.warnings) logger.warn(warning);
  const done = io.progress(`Minting a read-only token for ${config.owner}/${config.repo}`);
  const token = await createReleaseToken({ config, owner: config.owner, repo: config.repo, logger, readOnly: true });
  done(token.actor.login);
  return whileLive(token, async () => {
    const diagnosis = await diagnose({ io, config, token, values });
    writeLine(io.stdout, values.json ? JSON.stringify(doctorJson(diagnosis), null, 2) : renderDoctor(diagnosis, io));
    return diagnosis.errors.length === 0 ? 0 : 1;
  });
}
