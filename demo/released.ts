// `npm run demo`: the workflow token refused, the App put on the bypass lists, the dry run, the
// release pushed as the App, the clean-up. semantic-release's lines are quoted as it prints them.
import { spawn } from "node:child_process";
import type { ReleaseWorld } from "../test/helpers/e2e.js";
import { appFacts, cleanupFacts, quoteRefusal, releaserc, repositoryChapter, rulesetTable, runRelease, workflowEnv, type Run } from "./chapters.js";
import { pick } from "./print.js";
import { pushTable, type StoryOutcome } from "./result.js";
import { addAppToBypassLists, remoteRefs, type Demo } from "./setup.js";

/** git in the workspace, as a step of the job would run it (the stand-in answers from this process, hence async). */
function git(world: ReleaseWorld, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", args, { cwd: world.workDir, env: { ...process.env, ...world.env, ...env } });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stderr }));
  });
}

/** A developer's commit pushed straight to main with the job's credentials; the workspace is reset after. */
async function directPush(demo: Demo): Promise<void> {
  const { story, world } = demo;
  story.say("actions/checkout left the job's GITHUB_TOKEN in the workspace's .git/config (an http.<server>/.extraheader entry), so every git command in the job authenticates as github-actions[bot]. A commit pushed straight to main, as @semantic-release/git pushes its release commit:");
  const dev = { GIT_AUTHOR_NAME: "Dev", GIT_AUTHOR_EMAIL: "dev@example.com", GIT_COMMITTER_NAME: "Dev", GIT_COMMITTER_EMAIL: "dev@example.com" };
  await git(world, ["commit", "--allow-empty", "-qm", "chore: a direct push"], dev);
  const push = await git(world, ["push", "origin", "HEAD:refs/heads/main"]);
  await git(world, ["reset", "-q", "--hard", "HEAD~1"]);
  if (push.status === 0) throw new Error("the workflow token's push to main was accepted; the ruleset should refuse it");
  story.quote(`$ git push origin HEAD:refs/heads/main\n${pick(push.stderr, /GH013|^remote: -|rejected/)}`);
  story.write();
}

async function workflowTokenChapter(demo: Demo): Promise<Run> {
  const { story } = demo;
  story.chapter("A release with the workflow token is refused", "Without an App, the release job pushes with its own GITHUB_TOKEN, as github-actions[bot], and GitHub refuses the push.");
  await directPush(demo);
  story.say('GH013 is GitHub\'s code for "a ruleset refused this push". The plugin, with this .releaserc.json and only the job\'s token in the release step\'s env, sees it coming (without App variables, authMethod "auto" picks GITHUB_TOKEN):');
  releaserc(demo);
  workflowEnv({ demo, withApp: false });
  story.write();
  const run = await runRelease({ demo, label: "-", env: { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined } });
  if (run.result.code === 0) throw new Error("the release with the workflow token succeeded; it should stop in verifyConditions");
  quoteRefusal({ demo, run, pattern: /Allowed to push|\[semantic-release-github-app\]/, ref: "refs/heads/main" });
  story.say('semantic-release\'s own check ("Allowed to push") passed because it is a `git push --dry-run`, which updates no ref, so GitHub checks no rule. The plugin reads the rulesets first, stops before anything is pushed, and names the way past them: an App.');
  return run;
}

function fixChapter(demo: Demo): void {
  const { story } = demo;
  story.chapter("The fix: a GitHub App on the bypass list", "A GitHub App installed on the repository can be put on each ruleset's bypass list, and the plugin then pushes as the App.");
  appFacts(demo);
  story.write();
  addAppToBypassLists(demo);
  story.say('An admin adds the App to both bypass lists (Settings → Rules → Rulesets → Bypass list → Add bypass → the App, "Always allow"):');
  rulesetTable(demo);
  story.write();
  story.say("The same .releaserc.json; the release step's env gains the App's two variables:");
  workflowEnv({ demo, withApp: true });
}

async function dryRunChapter(demo: Demo): Promise<Run> {
  const { story, world } = demo;
  story.chapter("The dry run", "`npx semantic-release --dry-run` mints a read-only App token, asks GitHub whether the App may bypass each ruleset on the release's branch and tag, prints the answer, and pushes nothing.");
  const run = await runRelease({ demo, label: "--dry-run (chapter 4)", args: ["--dry-run"] });
  const lines = run.result.stdout.split("\n");
  const start = lines.findIndex((l) => l.includes("Release preflight"));
  const end = lines.findIndex((l, i) => i > start && l.startsWith("Verdict:"));
  if (run.result.code !== 0 || start < 0 || end < 0) throw new Error(`the dry run printed no report:\n${run.result.stdout}\n${run.result.stderr}`);
  story.quote(lines.slice(start, end + 1).join("\n"));
  story.write();
  story.say(`Installation ${world.installation.id} is the App's installation (chapter 3); the token can only read and is revoked when the dry run ends. BYPASS is the App's mode on the ruleset's bypass list; VERDICT "bypassed" is GitHub's own answer for the App (current_user_can_bypass); "blocking rules" are the rules this push breaks, which the bypass lets it break.`);
  return run;
}

async function releaseChapter(demo: Demo): Promise<Run> {
  const { story } = demo;
  story.chapter("The release, pushed as the App", "`npx semantic-release` commits the changelog as the App's bot and pushes the commit and the tag in one atomic push; GitHub lets it through and says so.");
  const run = await runRelease({ demo, label: "the release (chapter 5)" });
  if (run.result.code !== 0) throw new Error(`the release failed:\n${run.result.stderr}`);
  const lines = pick(run.result.stdout, /\[semantic-release-github-app\]|Analysis of|next release version|\[@semantic-release\/changelog\]|Created tag|Published release/).split("\n");
  const notice = lines.reduce((last, line, i) => (/bypassed rule violations/i.test(line) ? i : last), -1);
  if (notice < 0) throw new Error(`the release log has no bypass notice:\n${run.result.stdout}`);
  story.say("semantic-release's log (the lines about this release, unchanged):");
  story.quote(lines.slice(0, notice + 1).join("\n"));
  story.write("  ▲ SUCCESS: this is GitHub's bypass notice. The push broke these rules and GitHub accepted it,");
  story.write('    because the App is on the bypass lists; GitHub\'s own words are "Bypassed rule violations for …".');
  story.quote(lines.slice(notice + 1).join("\n"));
  story.write();
  story.say('"Created tag v1.0.0" is semantic-release\'s own step: the tag is already on GitHub from the plugin\'s push, so its `git push --tags` changes nothing.');
  return run;
}

async function landedFacts({ demo, before }: { demo: Demo; before: Record<string, string> }): Promise<void> {
  const { story, world } = demo;
  const commit = await world.remoteCommit("refs/heads/main");
  const tag = await world.remoteRef("refs/tags/v1.0.0");
  story.write();
  story.say("What landed on the remote:");
  story.write(`    main       ${before["refs/heads/main"]?.slice(0, 12)} → ${commit.sha.slice(0, 12)}  "${commit.subject}"`);
  story.write(`    v1.0.0     (new) → ${tag?.slice(0, 12)}`);
  story.write(`    author     ${commit.author}`);
  story.write(`    committer  ${commit.committer}`);
  story.say(`${world.app.botUserId}+${world.app.slug}[bot]@users.noreply… is the bot's no-reply address: GitHub links a commit to the account whose user ID stands before the "+", so the commit shows as ${world.app.slug}[bot]'s, with the App's avatar (on github.com the domain is users.noreply.github.com; the stand-in uses its own host).`);
  story.write();
  story.say("Every push GitHub received in this demo, as its pre-receive hook judged it:");
  pushTable(demo);
  story.say("The notes ref is where semantic-release records the release's channel; semantic-release pushes it itself after the plugin's push, with the job's token. The App token reaches only the plugin's own push, and the rulesets cover branches and tags, not notes.");
}

export async function releasedStory(demo: Demo): Promise<StoryOutcome> {
  repositoryChapter(demo);
  const refused = await workflowTokenChapter(demo);
  fixChapter(demo);
  const dry = await dryRunChapter(demo);
  const before = await remoteRefs(demo.world);
  const release = await releaseChapter(demo);
  await landedFacts({ demo, before });
  demo.story.chapter("Cleaned up", "Every App token of this demo is revoked, and no token, JWT or key was left behind.");
  const runs = [dry, release];
  const leaks = await cleanupFacts({ demo, runs, pushed: true });
  return { outcome: "released", refsBefore: before, exitCodes: { workflowToken: refused.result.code, dryRun: dry.result.code, release: release.result.code }, runs, leaks };
}
