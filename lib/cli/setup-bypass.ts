// `setup-bypass`: with an administrator's token (GH_ADMIN_TOKEN), add the App to the bypass list of
// every repository ruleset that would refuse its release push, after showing the exact change and
// asking. Reads with the plugin's preflight (lib/preflight/fetch.ts), plans with ./bypass-plan.ts,
// writes with `PUT /repos/{o}/{r}/rulesets/{id}` (docs/github.md §20). Organization rulesets and
// classic protection are shown with the page to change them: a repository admin cannot edit the first,
// and the second's lists are left to people (docs/github.md §9).
import { getError } from "../errors/get-error.js";
import { GITHUB_ACTIONS_APP_ID } from "../definitions/constants.js";
import { ReleaseOctokit, apiFailure, readFailure, toOctokitOptions, type ReleaseOctokitInstance } from "../octokit.js";
import { readPreflightFacts } from "../preflight/fetch.js";
import type { RulesetDetails } from "../preflight/evaluate-rules.js";
import { appError } from "../token/app-errors.js";
import { createAppState } from "../token/app-state.js";
import type { Logger } from "../logger.js";
import type { ResolvedConfig } from "../types.js";
import { cliLogger, loadCliConfig, resolveRepositoryUrl } from "./args.js";
import { planBypass, withAppEntry, type BypassPlan, type PlannedMode, type PlannedRuleset } from "./bypass-plan.js";
import { UsageError, type CliCommand, type CliIO } from "./command.js";
import { colors, table, writeLine } from "./output.js";

const USAGE = `Usage: semantic-release-github-app setup-bypass --branch B [--tags] [--mode exempt|always] [--actor app|github-actions] [--yes]

Adds the App to the bypass list of every repository ruleset that would refuse its release push to
branch B (and, with --tags, the creation of its release tags): the entry
{ actor_type: "Integration", actor_id: <App ID>, bypass_mode: <mode> }. Shows the plan first and
asks before changing anything (--yes: apply without asking). Every other field of each ruleset is kept.

Organization rulesets are listed with their organization settings page: a repository administrator
cannot change them. Classic branch protection is shown, not changed: the App's missing entries in
"Restrict who can push" and "Allow specified actors to bypass required pull requests", with the page.

Options:
  --branch B            the release branch (required)
  --tags                also the tag rulesets that apply to the release tags
  --tag-format FORMAT   the release tags' format, for --tags (default: v\${version})
  --mode exempt|always  exempt (default): the rules are not evaluated for the App at all and no
                        bypass is recorded, the mode GitHub recommends for bots and automation;
                        always: the App bypasses the rules and each push records a bypass
  --actor app|github-actions
                        whom to add: the App (default; GITHUB_APP_CLIENT_ID or GITHUB_APP_ID with
                        GITHUB_APP_PRIVATE_KEY) or the GitHub Actions integration (organization
                        repositories only: GitHub refuses it on a user's repository with 422)
  --repository o/r      the repository (default: the origin remote of the working directory)
  --repository-url URL  the repository, as a URL
  --yes                 apply without asking
  -h, --help            this help

Environment:
  GH_ADMIN_TOKEN        a repository administrator's token (Administration: read and write); used
                        for this command only
  GITHUB_APP_CLIENT_ID / GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_SERVER_URL, GITHUB_API_URL
                        as for the plugin; a client ID is turned into the App ID with GET /app

Exit codes: 0 nothing left that would refuse the release, 1 something is left (not confirmed, an
organization ruleset, classic protection) or a failure, 2 bad usage.`;

interface SetupOptions {
  branch: string;
  tags: boolean;
  tagFormat: string;
  mode: PlannedMode;
  actor: "app" | "github-actions";
  yes: boolean;
}

function readOptions(values: Record<string, unknown>): SetupOptions {
  const branch = values.branch as string | undefined;
  if (!branch) throw new UsageError("--branch is required");
  const mode = (values.mode as string | undefined) ?? "exempt";
  if (mode !== "exempt" && mode !== "always") throw new UsageError(`--mode takes exempt or always (got ${JSON.stringify(mode)}); "pull_request" would not let a direct push through`);
  const actor = (values.actor as string | undefined) ?? "app";
  if (actor !== "app" && actor !== "github-actions") throw new UsageError(`--actor takes app or github-actions (got ${JSON.stringify(actor)})`);
  const tagFormat = (values["tag-format"] as string | undefined) ?? "v${version}";
  if (tagFormat.split("${version}").length !== 2) throw new UsageError("--tag-format must contain ${version} exactly once");
  return { branch, tags: values.tags === true, tagFormat, mode, actor, yes: values.yes === true };
}

/** The App this command adds: its ID (a client ID turned into one by GET /app, with the App's JWT) and slug. */
async function resolveApp(config: ResolvedConfig, logger: Logger): Promise<{ id: number; slug: string }> {
  const state = createAppState({ config, owner: config.owner, repo: config.repo, logger, readOnly: true });
  try {
    const { data } = await state.appOctokit.request("GET /app");
    if (!data) throw new Error("GET /app answered without an App");
    return { id: data.id, slug: data.slug ?? String(data.id) };
  } catch (error) {
    throw await appError(state, { error });
  }
}

/** The repository as the admin token sees it; a refusal is EADMINTOKEN. */
async function readRepository(octokit: ReleaseOctokitInstance, config: ResolvedConfig): Promise<{ ownerType: string }> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner: config.owner, repo: config.repo });
    return { ownerType: data.owner.type };
  } catch (error) {
    const { status } = readFailure(error);
    if (status === 401 || status === 403 || status === 404) throw getError("EADMINTOKEN", { reason: "refused", owner: config.owner, repo: config.repo, status });
    throw apiFailure(error, config.githubApiUrl) ?? error;
  }
}

const APP_NOW: Record<PlannedRuleset["status"], string> = {
  missing: "not listed",
  pull_request: "pull requests only",
  always: "always",
  exempt: "exempt",
  hidden: "unknown",
};

function changeText(item: PlannedRuleset, plan: BypassPlan): string {
  const { entry } = plan;
  const added = `{ actor_type: "Integration", actor_id: ${entry.actor_id}, bypass_mode: "${entry.bypass_mode}" }`;
  if (item.action === "ok") return "none: already bypasses";
  if (item.action === "elsewhere") return `add ${added} on the ${item.sourceType.toLowerCase()}'s page`;
  return item.status === "pull_request" ? `replace its entry with ${added}` : `add ${added}`;
}

/** The plan as people read it: the rulesets table, the pages to visit, classic protection. */
function printPlan(io: CliIO, plan: BypassPlan, who: string, options: SetupOptions): void {
  const c = colors(io);
  writeLine(io.stdout, c.bold(`Bypass for ${who} on ${options.branch}${options.tags ? ` and tags ${options.tagFormat}` : ""} (mode ${options.mode})`));
  if (plan.rulesets.length === 0) writeLine(io.stdout, "No ruleset would refuse the release push.");
  else {
    const rows = plan.rulesets.map((item) => [
      `${item.ruleset.name} (${item.ruleset.id})`,
      `${item.sourceType} ${item.ruleset.source}`,
      item.target,
      item.rules.join(", "),
      APP_NOW[item.status],
      item.action === "change" ? c.yellow(changeText(item, plan)) : item.action === "ok" ? c.green(changeText(item, plan)) : c.red(changeText(item, plan)),
    ]);
    writeLine(io.stdout, table(rows, ["ruleset", "source", "target", "refusing rules", "App now", "change"]));
  }
  for (const item of plan.rulesets.filter((i) => i.action === "elsewhere")) {
    writeLine(io.stdout, `${c.red("!")} ${item.sourceType} ruleset "${item.ruleset.name}" is not changed here: an owner of ${item.ruleset.source} changes it at ${item.settingsUrl}`);
  }
  if (plan.classic.gaps.length > 0) {
    writeLine(io.stdout, `${c.red("!")} Classic branch protection of ${options.branch} (not changed here; ${plan.classic.settingsUrl}):`);
    for (const gap of plan.classic.gaps) {
      writeLine(io.stdout, `  - ${gap.setting}: ${gap.kind === "missing" ? `add the App ${who}` : "has no entry that lets the App through here; move the protection to a ruleset"}`);
    }
  }
}

/** PUT the ruleset back with the App's entry; every other field as it was read. */
async function applyChange(octokit: ReleaseOctokitInstance, config: ResolvedConfig, item: PlannedRuleset, plan: BypassPlan): Promise<RulesetDetails> {
  const { ruleset } = item;
  const body = {
    name: ruleset.name,
    target: ruleset.target,
    enforcement: ruleset.enforcement,
    conditions: ruleset.conditions ?? undefined,
    rules: ruleset.rules,
    bypass_actors: withAppEntry(ruleset, plan.entry),
  };
  try {
    const { data } = await octokit.request("PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner: config.owner, repo: config.repo, ruleset_id: ruleset.id, ...body } as never);
    return data as RulesetDetails;
  } catch (error) {
    throw apiFailure(error, config.githubApiUrl) ?? error;
  }
}

/** Apply the plan's changes one ruleset at a time; returns how many were changed. */
async function applyPlan(io: CliIO, octokit: ReleaseOctokitInstance, config: ResolvedConfig, plan: BypassPlan): Promise<number> {
  const c = colors(io);
  let changed = 0;
  for (const item of plan.rulesets.filter((i) => i.action === "change")) {
    const done = io.progress(`PUT ruleset "${item.ruleset.name}"`);
    const updated = await applyChange(octokit, config, item, plan);
    done("changed");
    const entry = (updated.bypass_actors ?? []).find((a) => a.actor_type === "Integration" && a.actor_id === plan.entry.actor_id);
    writeLine(io.stdout, `${c.green("✔")} "${item.ruleset.name}" (${item.ruleset.id}) now lists actor ${plan.entry.actor_id} with bypass_mode ${entry?.bypass_mode ?? plan.entry.bypass_mode}`);
    changed++;
  }
  return changed;
}

async function run({ values, io }: { values: Record<string, unknown>; io: CliIO }): Promise<number> {
  const options = readOptions(values);
  const adminToken = io.env.GH_ADMIN_TOKEN?.trim();
  const repositoryUrl = await resolveRepositoryUrl({ values, io });
  // the admin token is the token this command works with; for the App, its credentials are checked as the plugin checks them
  const config = loadCliConfig({ io: { env: { ...io.env, GH_TOKEN: adminToken || "unset" } }, repositoryUrl, branch: options.branch, pluginConfig: { authMethod: options.actor === "app" ? "app" : "pat" } });
  if (!adminToken) throw getError("EADMINTOKEN", { reason: "missing", owner: config.owner, repo: config.repo });
  const logger = cliLogger(io);
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: config.githubApiUrl, auth: adminToken, logger }));
  const step = io.progress(`GET /repos/${config.owner}/${config.repo}`);
  const { ownerType } = await readRepository(octokit, config);
  step(ownerType);
  // docs/github.md §4: GitHub answers 422 for the Actions integration on a user's repository
  if (options.actor === "github-actions" && ownerType !== "Organization") throw getError("EACTIONSNOTBYPASSABLE", { owner: config.owner, repo: config.repo });
  const actor = options.actor === "github-actions" ? { id: GITHUB_ACTIONS_APP_ID, slug: "github-actions" } : await resolveApp(config, logger);
  const read = io.progress("read the rulesets and the branch protection");
  const facts = await readPreflightFacts({ octokit, owner: config.owner, repo: config.repo, branch: options.branch, updatesBranch: true });
  read();
  const where = { githubUrl: config.githubUrl, owner: config.owner, repo: config.repo };
  const plan = planBypass({ facts, actorId: actor.id, actorSlug: actor.slug, mode: options.mode, branch: options.branch, tags: options.tags, tagFormat: options.tagFormat, where, ownerType });
  const who = `${actor.slug} (App ID ${actor.id})`;
  printPlan(io, plan, who, options);
  const hidden = plan.rulesets.filter((i) => i.action === "hidden");
  if (hidden.length > 0) throw getError("EADMINTOKEN", { reason: "not-admin", owner: config.owner, repo: config.repo, rulesets: hidden.map((i) => i.ruleset.name) });
  const left = plan.rulesets.some((i) => i.action === "elsewhere") || plan.classic.gaps.length > 0;
  const changes = plan.rulesets.filter((i) => i.action === "change");
  if (changes.length === 0) return left ? 1 : 0;
  if (!options.yes && !(await io.confirm(`Change ${changes.length} ruleset${changes.length === 1 ? "" : "s"} of ${config.owner}/${config.repo}?`))) {
    writeLine(io.stdout, "Nothing was changed (run again with --yes to apply without asking).");
    return 1;
  }
  await applyPlan(io, octokit, config, plan);
  writeLine(io.stdout, `Check the result with: semantic-release-github-app doctor --branch ${options.branch}`);
  return left ? 1 : 0;
}

export const setupBypass: CliCommand = {
  name: "setup-bypass",
  summary: "add the App to the bypass list of every ruleset that would refuse its release push",
  usage: USAGE,
  options: {
    branch: { type: "string" },
    tags: { type: "boolean" },
    "tag-format": { type: "string" },
    mode: { type: "string" },
    actor: { type: "string" },
    repository: { type: "string" },
    "repository-url": { type: "string" },
    yes: { type: "boolean", short: "y" },
  },
  run,
};
