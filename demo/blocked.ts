// `npm run demo -- --blocked`: the other outcome. The App is installed and configured but on no
// bypass list; the plugin stops the release in verifyConditions, before any commit, tag or push,
// and the remote stays as it was.
import { appFacts, cleanupFacts, quoteRefusal, releaserc, repositoryChapter, runRelease, workflowEnv, type Run } from "./chapters.js";
import { errorBlocks } from "./print.js";
import { pushTable, type StoryOutcome } from "./result.js";
import { remoteRefs, type Demo } from "./setup.js";

function appChapter(demo: Demo): void {
  demo.story.chapter("A GitHub App, not on the bypass list", "The App is installed and its two variables are set, but no one added it to the rulesets' bypass lists.");
  appFacts(demo);
  demo.story.write();
  releaserc(demo);
  workflowEnv({ demo, withApp: true });
}

/** The refusal, one row per error, read from what the plugin printed; returns the error codes. */
function summary({ demo: { story }, stderr }: { demo: Demo; stderr: string }): string[] {
  const blocks = errorBlocks(stderr);
  const rows = blocks.map((b) => {
    const m = b.text.split("\n")[0]!.match(/The ruleset "(.+?)" .*blocks the release push of (\S+) as (\S+): (.+)\.$/);
    return [b.code, m ? `${m[4]} (ruleset "${m[1]}", ${m[2]})` : "?", m ? m[3]! : "?"];
  });
  story.say("In short:");
  story.table(["ERROR CODE", "RULE", "ACTOR"], rows);
  if (rows.some((r) => r[1]!.includes("${version}"))) story.say("(v${version} is the tag format: in verifyConditions the version is not known yet.)");
  return [...new Set(blocks.map((b) => b.code))];
}

async function stopChapter(demo: Demo): Promise<{ run: Run; codes: string[] }> {
  const { story } = demo;
  story.chapter("The release stops before pushing", "`npx semantic-release` starts, and the plugin asks GitHub about the rulesets in verifyConditions, before any commit, tag or push, and stops the release with the rule, the actor and the fix.");
  const run = await runRelease({ demo, label: "the release (chapter 3)" });
  if (run.result.code === 0) throw new Error("the release succeeded; the App is on no bypass list, so it should stop");
  quoteRefusal({ demo, run, pattern: /Start step "verifyConditions" of plugin "semantic-release-github-app"|\[semantic-release-github-app\]/, ref: "refs/heads/main" });
  const codes = summary({ demo, stderr: run.result.stderr });
  story.say('Fix: on each ruleset\'s settings page (in the error), Bypass list → Add bypass → the App, mode "Always allow". `npx semantic-release --dry-run` shows the same verdict as a report, for every ruleset at once.');
  return { run, codes };
}

async function unchangedChapter({ demo, before, run }: { demo: Demo; before: Record<string, string>; run: Run }): Promise<string[]> {
  const { story, world } = demo;
  story.chapter("The remote is unchanged, and cleaned up", "Nothing reached GitHub: main and the tags are where they were, and the App token is revoked.");
  const after = await remoteRefs(world);
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  story.table(
    ["REF", "BEFORE", "AFTER"],
    names.map((ref) => [ref, before[ref]?.slice(0, 12) ?? "-", after[ref] === before[ref] ? "unchanged" : (after[ref]?.slice(0, 12) ?? "deleted")]),
  );
  story.write();
  if (world.standIn.refPushes().length === 0) story.say("Pushes GitHub received: none.");
  else pushTable(demo);
  story.write();
  return cleanupFacts({ demo, runs: [run], pushed: false });
}

export async function blockedStory(demo: Demo): Promise<StoryOutcome> {
  repositoryChapter(demo);
  appChapter(demo);
  const before = await remoteRefs(demo.world);
  const { run, codes } = await stopChapter(demo);
  const leaks = await unchangedChapter({ demo, before, run });
  return { outcome: "blocked", refsBefore: before, exitCodes: { release: run.result.code }, runs: [run], leaks, errorCodes: codes };
}
