// `npm run demo`: the story of a release on a protected branch, told against the local GitHub
// stand-in (packages/github-stand-in) with the real semantic-release CLI, this plugin and git.
//
//   npm run demo                       the workflow token refused, the App on the bypass lists, the
//                                      dry run, the release pushed as the App, the clean-up
//   npm run demo -- --blocked          the App on no bypass list: the release stops in verifyConditions
//   npm run demo -- --result-file F    also write the outcome as JSON to F (demo/result.ts)
//
// A recording of both outcomes is in docs/demo.md.
import { blockedStory } from "./blocked.js";
import { nextStepsChapter } from "./chapters.js";
import { Story } from "./print.js";
import { releasedStory } from "./released.js";
import { demoResult, writeResult } from "./result.js";
import { startDemo } from "./setup.js";

const USAGE = "usage: npm run demo -- [--blocked] [--result-file <path>]";

function parseArgs(argv: string[]): { blocked: boolean; resultFile?: string } {
  const options: { blocked: boolean; resultFile?: string } = { blocked: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--blocked") options.blocked = true;
    else if (arg === "--result-file" && argv[i + 1]) options.resultFile = argv[++i]!;
    else if (arg.startsWith("--result-file=")) options.resultFile = arg.slice("--result-file=".length);
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return options;
}

function intro({ story, origin, blocked }: { story: Story; origin: string; blocked: boolean }): void {
  const title = blocked ? "semantic-release-github-app: a release the rulesets stop (--blocked)" : "semantic-release-github-app: a release on a protected branch";
  story.write(title);
  story.write("=".repeat(title.length));
  story.say(`Everything below runs for real: the semantic-release CLI, this plugin and git, against a local stand-in for GitHub at ${origin} that answers as GitHub does (rulesets, App tokens, GH013). The stand-in numbers what it creates from 1001 up; on GitHub the numbers are larger. Each number is explained where it first appears.`);
  if (!blocked) story.say("`npm run demo -- --blocked` shows the other outcome: the App on no bypass list.");
}

async function main(): Promise<void> {
  const { blocked, resultFile } = parseArgs(process.argv.slice(2));
  const demo = await startDemo(new Story());
  try {
    intro({ story: demo.story, origin: demo.world.standIn.origin, blocked });
    const outcome = blocked ? await blockedStory(demo) : await releasedStory(demo);
    nextStepsChapter(demo);
    if (resultFile) await writeResult({ path: resultFile, result: await demoResult({ demo, outcome }) });
    if (outcome.leaks.length > 0) throw new Error(`secrets were found: ${outcome.leaks.join(", ")}`);
  } finally {
    await demo.world.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
