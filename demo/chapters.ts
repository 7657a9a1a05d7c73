// The chapters both outcomes tell (the repository, the App and its configuration, the clean-up, the
// next steps) and the runs they are made of. Each number is said what it is where it first appears.
import type { Mark, Ruleset } from "github-stand-in";
import { encodedForms, gitIn, type ReleaseWorld, type RunResult } from "../test/helpers/e2e.js";
import { linkify } from "../lib/definitions/constants.js";
import { formatPermissions } from "../lib/token/permissions.js";
import { errorBlocks, pick, wrap } from "./print.js";
import type { Demo } from "./setup.js";

/** One run of the semantic-release CLI and the App tokens minted during it. */
export interface Run {
  /** which chapter ran it, e.g. "--dry-run (chapter 4)" */
  label: string;
  result: RunResult;
  tokens: { permissions: string; revoked: boolean }[];
}

/** Runs the CLI in the workspace and records the App tokens it minted. */
export async function runRelease({
  demo: { world },
  label,
  args = [],
  env = {},
}: {
  demo: Demo;
  label: string;
  args?: string[];
  /** changes to the job's environment; `undefined` removes a variable */
  env?: Record<string, string | undefined>;
}): Promise<Run> {
  const since: Mark = world.standIn.mark();
  const result = await world.run(args, env);
  return { label, result, tokens: appTokensSince(world, since) };
}

function appTokensSince(world: ReleaseWorld, since: Mark): Run["tokens"] {
  return world.standIn.tokens({ appId: world.app.id, since }).map((t) => ({
    permissions: formatPermissions(t.actor.kind === "installation" ? t.actor.permissions : undefined),
    revoked: t.revoked,
  }));
}

const RULE_WORDS: Record<string, string> = {
  pull_request: "changes only through a pull request",
  non_fast_forward: "no force push",
  creation: "no one creates a matching tag",
  update: "no one moves it",
  deletion: "no one deletes it",
};

function bypassList(world: ReleaseWorld, ruleset: Ruleset): string {
  if (ruleset.bypass_actors.length === 0) return "nobody";
  return ruleset.bypass_actors
    .map((a) => (a.actor_type === "Integration" && a.actor_id === world.app.id ? `App ${a.actor_id} (${world.app.slug}), ${a.bypass_mode === "always" ? "Always allow" : a.bypass_mode}` : `${a.actor_type} ${a.actor_id}`))
    .join("; ");
}

export function rulesetTable({ story, world, rulesets }: Demo): void {
  story.table(
    ["RULESET", "ID", "APPLIES TO", "RULES", "BYPASS LIST"],
    rulesets.map((r) => [
      r.name,
      String(r.id),
      r.target === "branch" ? "main (the default branch)" : `tags ${r.conditions.ref_name?.include.map((p) => p.replace("refs/tags/", "")).join(", ")}`,
      r.rules.map((rule) => rule.type).join(", "),
      bypassList(world, r),
    ]),
  );
}

export function repositoryChapter(demo: Demo): void {
  const { story, world } = demo;
  const [main, tags] = demo.rulesets;
  story.chapter(
    "The protected repository",
    `The repository ${world.repo.owner.login}/${world.repo.name} takes changes to main only through pull requests and lets no one create v* tags, except the actors on a ruleset's bypass list, and both lists are empty.`,
  );
  rulesetTable(demo);
  story.write();
  story.say(`ID: the ruleset's number on GitHub; its settings page is …/settings/rules/${main!.id} (and /${tags!.id}).`);
  story.say(`Rules: ${Object.entries(RULE_WORDS).map(([type, words]) => `${type}: ${words}`).join("; ")}.`);
}

/** The App, its installation and its bot, each number said what it is. */
export function appFacts({ story, world }: Demo): void {
  const { app, installation } = world;
  story.say(`The GitHub App "${app.name}" (slug ${app.slug}), installed on the account ${installation.account.login}:`);
  story.table(["", "", ""], [
    ["App ID", String(app.id), "GitHub's number for the App; a bypass list names the App by it"],
    ["Client ID", app.clientId, "the App's public identifier, to sign in as the App; not a secret"],
    ["Installation ID", String(installation.id), `the App installed on ${world.repo.owner.login}/${world.repo.name}; tokens are minted per installation`],
    ["Bot user ID", String(app.botUserId), `the user ${app.slug}[bot] that the App's commits show; not the App ID`],
  ]);
}

/** The release step of the workflow, `env:` as a user writes it, each value as it was in this run (secrets masked). */
export function workflowEnv({ demo: { story, world }, withApp }: { demo: Demo; withApp: boolean }): void {
  const keyLength = world.privateKey.trim().length;
  const entries: [string, string, string][] = [
    ...(withApp
      ? ([
          ["GITHUB_APP_CLIENT_ID", "${{ vars.RELEASE_APP_CLIENT_ID }}", `${world.app.clientId} (a variable, not a secret)`],
          ["GITHUB_APP_PRIVATE_KEY", "${{ secrets.RELEASE_APP_PRIVATE_KEY }}", `*** (the ${keyLength}-character PEM, masked)`],
        ] as [string, string, string][])
      : []),
    ["GITHUB_TOKEN", "${{ secrets.GITHUB_TOKEN }}", "*** (the job's token, masked)"],
  ];
  const width = Math.max(...entries.map(([name, value]) => name.length + value.length));
  story.quote(
    [
      "# .github/workflows/release.yml, the release step",
      "- run: npx semantic-release",
      "  env:",
      ...entries.map(([name, value, note]) => `    ${`${name}: ${value}`.padEnd(width + 2)}  # = ${note}`),
    ].join("\n"),
  );
  story.say(`GitHub Actions sets GITHUB_SERVER_URL and GITHUB_API_URL itself; here they point at the stand-in (${world.standIn.origin}).`);
}

/**
 * A run that stopped, as semantic-release printed it: its lines that match `pattern`, the failed
 * step, and each error in the order printed, the one about `ref` in full, the others by their first line.
 */
export function quoteRefusal({ demo: { story }, run, pattern, ref }: { demo: Demo; run: Run; pattern: RegExp; ref: string }): void {
  story.quote(pick(run.result.stdout, pattern));
  story.quote(pick(run.result.stderr, /Failed step/));
  const blocks = errorBlocks(run.result.stderr);
  const full = blocks.find((b) => b.text.split("\n")[0]!.includes(ref)) ?? blocks[0];
  for (const block of blocks) {
    story.quote(block === full ? block.text : `${block.text.split("\n")[0]}\n[… the demo leaves out its details: like the other error's, for this ruleset]`);
    story.write();
  }
}

export function releaserc({ story, releaserc: text }: Demo): void {
  story.quote(`// .releaserc.json\n${text}`);
}

/** Tokens per run, the secret scan, the workspace's git configuration. */
export async function cleanupFacts({ demo, runs, pushed }: { demo: Demo; runs: Run[]; pushed: boolean }): Promise<string[]> {
  const { story, world } = demo;
  const rows = runs.flatMap((run) => run.tokens.map((t) => [run.label, t.permissions, t.revoked ? "yes" : "NO"]));
  story.say(`App tokens minted for installation ${world.installation.id}, each for one hour at most:`);
  story.table(["MINTED BY", "PERMISSIONS", "REVOKED"], rows.map((r, i) => [`#${i + 1} ${r[0]}`, r[1]!, r[2]!]));
  story.say("The job's GITHUB_TOKEN is not the plugin's to revoke: GitHub ends it when the job ends.");
  story.write();
  const leaks = await findLeaks(world, runs, story.lines.join("\n"));
  story.say(`Tokens, JWTs or key material found in the output, git's command lines, the workspace and RUNNER_TEMP: ${leaks.length === 0 ? "none" : leaks.join(", ")}.`);
  const headers = await gitIn(world.workDir, ["config", "--name-only", "--get-regexp", "^http\\..*\\.extraheader$"]).catch(() => "");
  const count = headers.split("\n").filter(Boolean).length;
  const how = pushed ? ": the App token went to git only in the environment of the plugin's own push" : "";
  story.say(`The workspace's git configuration has the header actions/checkout wrote (${count} entry, the job's token) and nothing from the plugin${how}.`);
  return leaks;
}

async function findLeaks(world: ReleaseWorld, runs: Run[], printed: string): Promise<string[]> {
  const found = new Set<string>();
  for (const run of runs) for (const leak of await world.scanForSecrets(run.result)) found.add(leak);
  for (const leak of world.findSecrets(printed)) found.add(`${leak} in the demo's output`);
  if ([world.actionsToken, ...encodedForms(world.actionsToken)].some((form) => printed.includes(form))) found.add("the workflow token in the demo's output");
  return [...found];
}

export function nextStepsChapter({ story }: Demo): void {
  story.chapter("Next steps on real GitHub", "On your own repository the same release takes a GitHub App, its place on the bypass lists, and two variables.");
  const steps = [
    ["Create a GitHub App with the repository permission Contents: read and write, and install it on the repository.", "GitHub App setup", "github-app-setup"],
    ['Add the App to the bypass list of every ruleset on the release branch and the release tags, with the mode "Always allow".', "GitHub App setup", "github-app-setup"],
    ["Store the App's client ID as a variable and its private key as a secret, and pass them to the release step as GITHUB_APP_CLIENT_ID and GITHUB_APP_PRIVATE_KEY.", "Environment variables", "environment-variables"],
    ["List semantic-release-github-app in .releaserc.json and run `npx semantic-release --dry-run`: the report shows, for your repository, what the dry run showed here.", "Usage", "usage"],
  ] as const;
  for (const [i, [text, heading, anchor]] of steps.entries()) {
    story.write(`  ${i + 1}. ${wrap(text, "     ").trimStart()}`);
    story.write(`     README "${heading}": ${linkify(anchor)}`);
  }
  story.write();
  story.say(`A release that stops names an error code; README "Troubleshooting" explains each one and its fix: ${linkify("troubleshooting")}`);
}
