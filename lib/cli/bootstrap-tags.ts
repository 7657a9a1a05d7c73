// `bootstrap-tags`: for a workspace adopting semantic-release with versions already out, one tag per
// workspace package at its package.json version (and an optional umbrella tag) on one commit, pushed
// atomically as the App. The tag rules are judged first by the plugin's own preflight (lib/preflight/:
// the App's `current_user_can_bypass`, the tag rulesets matched as GitHub matches them); the push goes
// out as the plugin's does (lib/push/push-release.ts): the token only in the environment of the git
// network commands (lib/git/git-auth.ts), hooks off, `--atomic`. The tags are lightweight, as the tags
// semantic-release itself creates (`git tag <name> <sha>`), and stay in the local clone too.
import AggregateError from "aggregate-error";
import type SemanticReleaseError from "@semantic-release/error";
import { verifyRefName } from "../config/index.js";
import { getError } from "../errors/get-error.js";
import { verifyGitAuth, withEmptyHooksDir, withGitAuth } from "../git/git-auth.js";
import { deleteTag, git, lsRemote, push, tag as createTag } from "../git/git.js";
import { judgePreflight, judgeSubject, readPreflightFacts } from "../preflight/index.js";
import { parsePushRejection } from "../push/parse-push-rejection.js";
import { withoutAppKey } from "../session/app-key.js";
import { createReleaseToken, type ReleaseToken } from "../token/index.js";
import type { Env, ResolvedConfig } from "../types.js";
import { cliLogger, loadCliConfig, resolveRepositoryUrl } from "./args.js";
import { UsageError, type CliCommand, type CliIO } from "./command.js";
import { colors, table, writeLine } from "./output.js";
import { DEFAULT_TAG_FORMAT, planTags, readWorkspacePackages, renderTag, tagFormatProblem, type TagPlanRow } from "./tag-plan.js";
import { whileLive } from "./while-live.js";

const USAGE = `Usage: semantic-release-github-app bootstrap-tags [--commit SHA] [--tag-format FORMAT] [--umbrella TAG] [--yes]

For a workspace adopting semantic-release with versions already released: creates one tag per
workspace package at the version in its package.json, and an optional umbrella tag, all on one
commit, and pushes them to GitHub atomically (all or none) as the App. semantic-release then starts
each package's history at its tag instead of at 1.0.0.

The packages are the folders the root package.json "workspaces" names (npm and yarn globs, or yarn's
{ "packages": [...] }), else the "packages:" list of pnpm-workspace.yaml; each needs a package.json
with a name and a version. The tags are lightweight, like the ones semantic-release creates, and are
kept in the local clone too. The plan is printed first and the App's tag rules are checked before
anything is pushed. A tag that already exists on the commit is skipped; one on another commit is
refused (ETAGONOTHERCOMMIT), and then nothing is pushed.

Options:
  --commit SHA          the commit to tag (default: HEAD)
  --tag-format FORMAT   the tag of each package (default: \${name}@\${version}, the format of the
                        monorepo tools); may use \${name} and \${version}
  --umbrella TAG        one more tag on the same commit, e.g. v2.0.0
  --repository o/r      the GitHub repository (default: the origin remote of the working directory)
  --yes                 push without asking; without it the plan is printed and you are asked
  -h, --help            this help

Environment: as for the plugin (GITHUB_APP_CLIENT_ID or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY,
GITHUB_SERVER_URL, GITHUB_API_URL). The App's token is revoked when the command ends.

Exit codes: 0 the tags are on GitHub (or nothing was left to push), 1 a tag rule or a tag on another
commit refuses them, the push failed, or the push was not confirmed; 2 bad usage.`;

interface BootstrapOptions {
  commit: string;
  format: string;
  umbrella: string | undefined;
  yes: boolean;
}

function readOptions(values: Record<string, unknown>): BootstrapOptions {
  const format = (values["tag-format"] as string | undefined) ?? DEFAULT_TAG_FORMAT;
  const problem = tagFormatProblem(format);
  if (problem) throw new UsageError(`--tag-format ${JSON.stringify(format)}: ${problem}`);
  const umbrella = values.umbrella as string | undefined;
  if (umbrella !== undefined && umbrella.trim() === "") throw new UsageError("--umbrella takes a tag name");
  return { commit: (values.commit as string | undefined) ?? "HEAD", format, umbrella, yes: values.yes === true };
}

/** The commit `ref` names in the clone; an unknown one is bad usage. */
async function resolveCommit(cwd: string, ref: string): Promise<string> {
  const result = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd, reject: false });
  if (result.exitCode !== 0 || !result.stdout.trim()) throw new UsageError(`--commit ${JSON.stringify(ref)} is not a commit of ${cwd}`);
  return result.stdout.trim();
}

/** Tag name → the commit it designates (peeled), in the local clone. */
async function localTags(cwd: string): Promise<Map<string, string>> {
  const { stdout } = await git(["for-each-ref", "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)", "refs/tags/"], { cwd });
  const tags = new Map<string, string>();
  for (const line of stdout.split("\n").filter(Boolean)) {
    const [name = "", sha = "", peeled = ""] = line.split("\0");
    tags.set(name, peeled || sha);
  }
  return tags;
}

/** Runs `task` with the environment of the plugin's git network commands: the App token in GIT_CONFIG_*, hooks off. */
async function withNetworkEnv<T>(token: ReleaseToken, io: CliIO, remoteUrl: string, task: (env: Env, value: string) => Promise<T>): Promise<T> {
  const value = await token.fresh();
  return withEmptyHooksDir((hooksPath) => task(withGitAuth({ env: withoutAppKey(io.env), remoteUrl, token: value, hooksPath }), value));
}

/** The tag rules, judged for the App and each new tag; every refusal at once (the plugin's codes). */
async function judgeTagRules(token: ReleaseToken, config: ResolvedConfig, tags: string[], io: CliIO): Promise<void> {
  const done = io.progress("read the tag rulesets");
  // the branch is not pushed (updatesBranch: false): its rules and protection are not judged
  const facts = await readPreflightFacts({ octokit: token.octokit, owner: config.owner, repo: config.repo, branch: "HEAD", tokenPermissions: token.permissions, updatesBranch: false });
  done(`${facts.tag.rulesets.length} active`);
  const errors = new Map<string, SemanticReleaseError>();
  const warnings = new Set<string>();
  for (const tag of tags) {
    const verdict = judgePreflight({ facts, ...judgeSubject({ token, config }), branch: "HEAD", commitMode: "git", updatesBranch: false, tag });
    for (const error of verdict.errors) if (![...errors.values()].some((e) => e.code === error.code && e.message.replace(tag, "") === error.message.replace(tag, ""))) errors.set(tag, error);
    for (const warning of verdict.warnings) warnings.add(warning);
  }
  const logger = cliLogger(io);
  for (const warning of warnings) logger.warn(warning);
  if (errors.size > 0) throw new AggregateError([...errors.values()]);
}

function printPlan(io: CliIO, rows: TagPlanRow[], commit: string): void {
  const c = colors(io);
  const state = (row: TagPlanRow) =>
    row.state === "new" ? c.green("new") : row.state === "same" ? c.dim("exists on this commit: skipped") : c.red(`exists at ${row.existing!.sha.slice(0, 12)} (${row.existing!.where === "remote" ? "GitHub" : "local clone"})`);
  writeLine(io.stdout, c.bold(`Tags on ${commit.slice(0, 12)} (lightweight):`));
  writeLine(io.stdout, table(rows.map((row) => [row.pkg?.name ?? "(umbrella)", row.pkg?.version ?? "", row.tag, state(row)]), ["package", "version", "tag", "state"]));
}

/** Create the missing local tags, push the new ones atomically, and drop the local tags this made if the push failed. */
async function pushTags(options: { io: CliIO; token: ReleaseToken; config: ResolvedConfig; remoteUrl: string; rows: TagPlanRow[]; commit: string; local: Map<string, string> }): Promise<void> {
  const { io, token, config, remoteUrl, rows, commit, local } = options;
  const made: string[] = [];
  for (const row of rows.filter((r) => !local.has(r.tag))) {
    await createTag(row.tag, commit, { cwd: io.cwd });
    made.push(row.tag);
  }
  const done = io.progress(`git push --atomic ${rows.length} tags`);
  const result = await withNetworkEnv(token, io, remoteUrl, async (env, value) => {
    await verifyGitAuth({ cwd: io.cwd, env, remoteUrl, token: value });
    return push(remoteUrl, rows.map((r) => `refs/tags/${r.tag}`), { cwd: io.cwd, env, atomic: true });
  });
  if (result.exitCode === 0) return done("pushed");
  for (const tag of made) await deleteTag(tag, { cwd: io.cwd });
  const rejections = parsePushRejection(result.stderr);
  if (rejections.length > 0) throw getError("EPUSHREJECTED", { rejections, actor: token.actor.login, owner: config.owner, repo: config.repo, githubUrl: config.githubUrl, via: "git" });
  throw getError("EPUSHFAILED", { branch: "(tags only)", tag: rows.map((r) => r.tag).join(", "), via: "git", output: result.stderr, exitCode: result.exitCode });
}

/** Plan, check, ask, push; the token is revoked by the caller. */
async function bootstrap(io: CliIO, options: BootstrapOptions, config: ResolvedConfig, token: ReleaseToken): Promise<number> {
  const { packages } = await readWorkspacePackages(io.cwd);
  const commit = await resolveCommit(io.cwd, options.commit);
  const remoteUrl = `${config.githubUrl}/${config.owner}/${config.repo}.git`;
  const tagNames = [...packages.map((pkg) => renderTag(options.format, pkg)), ...(options.umbrella ? [options.umbrella] : [])];
  const done = io.progress("git ls-remote the tags");
  const remote = await withNetworkEnv(token, io, remoteUrl, (env) => lsRemote(remoteUrl, tagNames.map((t) => `refs/tags/${t}`), { cwd: io.cwd, env }));
  done();
  const remoteTags = new Map([...remote].map(([ref, sha]) => [ref.replace(/^refs\/tags\//, ""), sha]));
  const local = await localTags(io.cwd);
  const rows = planTags({ packages, format: options.format, umbrella: options.umbrella, commit, remote: remoteTags, local });
  printPlan(io, rows, commit);
  const elsewhere = rows.filter((r) => r.state === "elsewhere");
  if (elsewhere.length > 0) throw getError("ETAGONOTHERCOMMIT", { tags: elsewhere.map((r) => ({ tag: r.tag, existingSha: r.existing!.sha, where: r.existing!.where })), commit });
  const fresh = rows.filter((r) => r.state === "new");
  if (fresh.length === 0) {
    writeLine(io.stdout, "Every tag is already on GitHub at this commit: nothing to push.");
    return 0;
  }
  await judgeTagRules(token, config, fresh.map((r) => r.tag), io);
  if (!options.yes && !(await io.confirm(`Push ${fresh.length} tag${fresh.length === 1 ? "" : "s"} to ${config.owner}/${config.repo} as ${token.actor.login}?`))) {
    writeLine(io.stdout, "Nothing was pushed (run again with --yes to push without asking).");
    return 1;
  }
  await pushTags({ io, token, config, remoteUrl, rows: fresh, commit, local });
  writeLine(io.stdout, `${colors(io).green("✔")} Pushed ${fresh.length} tag${fresh.length === 1 ? "" : "s"} atomically as ${token.actor.login}`);
  return 0;
}

async function run({ values, io }: { values: Record<string, unknown>; io: CliIO }): Promise<number> {
  const options = readOptions(values);
  const { patterns, packages } = await readWorkspacePackages(io.cwd);
  if (packages.length === 0) throw getError("ENOWORKSPACEPACKAGES", { cwd: io.cwd, patterns });
  const names = [...packages.map((pkg) => renderTag(options.format, pkg)), ...(options.umbrella ? [options.umbrella] : [])];
  const invalid = names.flatMap((name) => verifyRefName("tag", name, { tagFormat: options.format }) ?? []);
  if (invalid.length > 0) throw new AggregateError(invalid);
  const repositoryUrl = await resolveRepositoryUrl({ values, io });
  // the tags are pushed as the App: its credentials are required, checked as the plugin checks them
  const config = loadCliConfig({ io, repositoryUrl, pluginConfig: { authMethod: "app" } });
  const logger = cliLogger(io);
  const minted = io.progress("mint the App's installation token");
  const token = await createReleaseToken({ config, owner: config.owner, repo: config.repo, logger });
  minted(token.actor.login);
  return whileLive(token, () => bootstrap(io, options, config, token));
}

export const bootstrapTags: CliCommand = {
  name: "bootstrap-tags",
  summary: "tag each workspace package at its current version, pushed atomically as the App",
  usage: USAGE,
  options: {
    commit: { type: "string" },
    "tag-format": { type: "string" },
    umbrella: { type: "string" },
    repository: { type: "string" },
    "repository-url": { type: "string" },
    yes: { type: "boolean", short: "y" },
  },
  run,
};
