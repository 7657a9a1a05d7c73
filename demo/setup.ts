// The demo's world: the e2e release world (test/helpers/world.ts: a repository on the local GitHub
// stand-in, the App "release-bot" installed on it, a workspace as actions/checkout leaves it), with
// the two rulesets most teams have, no one on their bypass lists yet, and the plugin installed in the
// workspace under its package name, so that `.releaserc.json` reads as a user writes it and
// semantic-release labels the plugin's log lines `[semantic-release-github-app]`, as in CI.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Ruleset } from "github-stand-in";
import type { Story } from "./print.js";
import { DEFAULT_PLUGINS, PLUGIN_PATH, releaseWorld, type ReleaseWorld } from "../test/helpers/e2e.js";

export const PLUGIN_NAME = "semantic-release-github-app";

/** The world a demo runs in, and the story it writes. */
export interface Demo {
  story: Story;
  world: ReleaseWorld;
  rulesets: Ruleset[];
  /** the workspace's .releaserc.json, as written */
  releaserc: string;
}

export async function startDemo(story: Story): Promise<Demo> {
  const world = await releaseWorld({ checkout: "v4", commits: ["feat: parse the config file", "fix: handle an empty config"] });
  try {
    const rulesets = addRulesets(world);
    await installPlugin(world.workDir);
    const releaserc = JSON.stringify({ branches: ["main"], plugins: [...DEFAULT_PLUGINS, PLUGIN_NAME] }, null, 2);
    await writeFile(join(world.workDir, ".releaserc.json"), `${releaserc}\n`);
    return { story, world, rulesets, releaserc };
  } catch (error) {
    await world.close();
    throw error;
  }
}

/** "Protect main" (pull requests only, no force push) and "Release tags" (v* tags fixed), bypass lists empty. */
function addRulesets(world: ReleaseWorld): Ruleset[] {
  return [
    world.standIn.addRuleset(world.repo, {
      name: "Protect main",
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
      rules: [{ type: "pull_request" }, { type: "non_fast_forward" }],
      bypass_actors: [],
    }),
    world.standIn.addRuleset(world.repo, {
      name: "Release tags",
      target: "tag",
      conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
      rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }],
      bypass_actors: [],
    }),
  ];
}

/** What an admin does in each ruleset's settings: Bypass list → Add bypass → the App, "Always allow". */
export function addAppToBypassLists({ world, rulesets }: Demo): void {
  for (const ruleset of rulesets) {
    world.standIn.updateRuleset(ruleset, { bypass_actors: [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: "always" }] });
  }
}

/**
 * `npm install --save-dev semantic-release-github-app`, in effect: a package of that name in the
 * workspace's node_modules that re-exports this repository's index.ts (the CLI runs with tsx).
 */
async function installPlugin(workDir: string): Promise<void> {
  const dir = join(workDir, "node_modules", PLUGIN_NAME);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), JSON.stringify({ name: PLUGIN_NAME, type: "module", main: "index.js" }));
  await writeFile(join(dir, "index.js"), `export * from ${JSON.stringify(pathToFileURL(PLUGIN_PATH).href)};\n`);
  // .releaserc.json is committed in real life and node_modules ignored; keep the work tree clean
  const exclude = join(workDir, ".git", "info", "exclude");
  await writeFile(exclude, `${await readFile(exclude, "utf8")}node_modules/\n`);
}

/** Every ref on the remote, `refs/… <sha>`, sorted. */
export async function remoteRefs(world: ReleaseWorld): Promise<Record<string, string>> {
  const out = await world.standIn.git(world.repo, "for-each-ref", "--format=%(refname) %(objectname)");
  return Object.fromEntries(
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ") as [string, string]),
  );
}
