// `npm run demo` is the first thing a person runs. Both outcomes run here as child processes, the
// way a user starts them (`npm run demo`, `npm run demo -- --blocked`), and the test reads what they
// print and the JSON each leaves with `--result-file` (demo/result.ts): the chapters and their
// opening sentences, masked secrets, every ID explained where it first appears, semantic-release's
// lines as it prints them, and the stand-in's final refs, pushes and tokens. docs/demo.md, the
// recording, must tell the same chapters.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DemoResult } from "../demo/result.js";
import { ROOT } from "./helpers/e2e.js";

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
  result: DemoResult;
  seconds: number;
}

async function runDemo(dir: string, args: string[]): Promise<DemoRun> {
  const resultFile = join(dir, `${args.join("") || "released"}.json`);
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("npm", ["run", "--silent", "demo", "--", ...args, "--result-file", resultFile], { cwd: ROOT, env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (exit) => resolve({ code: exit, stdout: out, stderr: err }));
  });
  const result = code === 0 ? (JSON.parse(await readFile(resultFile, "utf8")) as DemoResult) : ({} as DemoResult);
  return { code, stdout, stderr, lines: stdout.split("\n"), result, seconds: (Date.now() - started) / 1000 };
}

const RELEASED = [
  "The protected repository",
  "A release with the workflow token is refused",
  "The fix: a GitHub App on the bypass list",
  "The dry run",
  "The release, pushed as the App",
  "Cleaned up",
  "Next steps on real GitHub",
];
const BLOCKED = ["The protected repository", "A GitHub App, not on the bypass list", "The release stops before pushing", "The remote is unchanged, and cleaned up", "Next steps on real GitHub"];

/** GitHub's heading anchors of README.md: lower case, punctuation dropped, spaces to dashes. */
async function readmeAnchors(): Promise<Set<string>> {
  const readme = await readFile(join(ROOT, "README.md"), "utf8");
  return new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map(([, title]) => title!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-")));
}

function assertChapters(run: DemoRun, titles: string[]): void {
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.result.chapters, titles);
  let from = 0;
  for (const [i, title] of titles.entries()) {
    const heading = `${i + 1}. ${title}`;
    const at = run.lines.indexOf(heading, from);
    assert.ok(at >= from, `chapter "${heading}" is printed, in order`);
    assert.equal(run.lines[at + 1], "-".repeat(heading.length), `"${heading}" is underlined`);
    const sentence = run.lines.slice(at + 2, run.lines.indexOf("", at + 2)).join(" ");
    assert.match(sentence, /^[A-Z`].{20,}\.$/, `"${heading}" opens with one plain sentence`);
    from = at + 1;
  }
}

function assertNoSecretsPrinted(run: DemoRun): void {
  const text = run.stdout + run.stderr;
  assert.doesNotMatch(text, /\x1b\[/, "no ANSI codes when the output is not a terminal");
  assert.doesNotMatch(text, /ghs_[A-Za-z0-9_]{20,}/, "no installation token");
  assert.doesNotMatch(text, /PRIVATE KEY-----|MII[A-Za-z0-9+/]{20,}/, "no private key");
  assert.doesNotMatch(text, /eyJ[\w-]{8,}\.eyJ/, "no JWT");
  assert.doesNotMatch(text, /eC1hY2Nlc3MtdG9rZW46|::add-mask::/, "no Authorization header, no masking command");
  assert.match(text, /GITHUB_APP_PRIVATE_KEY: \$\{\{ secrets\.RELEASE_APP_PRIVATE_KEY \}\} +# = \*\*\* \(the \d+-character PEM, masked\)/);
  assert.match(text, /GITHUB_TOKEN: \$\{\{ secrets\.GITHUB_TOKEN \}\} +# = \*\*\* /);
  assert.match(text, new RegExp(`GITHUB_APP_CLIENT_ID: \\$\\{\\{ vars\\.RELEASE_APP_CLIENT_ID \\}\\} +# = ${run.result.ids.clientId} \\(a variable, not a secret\\)`));
  assert.deepEqual(run.result.leaks, [], "the demo's own scan (output, git argv, workspace, RUNNER_TEMP) found nothing");
}

/** The first line that shows `n` (as a whole number) says what it is. */
function assertExplainedAtFirstSight(run: DemoRun, n: number, words: RegExp): void {
  const first = run.lines.find((line) => new RegExp(`(?<![\\d.])${n}(?![\\d])`).test(line));
  assert.ok(first, `${n} is printed`);
  assert.match(first, words, `the first line with ${n} says what it is: ${first}`);
}

function assertNumbersExplained(run: DemoRun): void {
  const { ids } = run.result;
  assertExplainedAtFirstSight(run, ids.appId, /App ID .*GitHub's number for the App; a bypass list names the App by it/);
  assertExplainedAtFirstSight(run, ids.installationId, /Installation ID .*tokens are minted per installation/);
  assertExplainedAtFirstSight(run, ids.botUserId, /Bot user ID .*release-bot\[bot\].*not the App ID/);
  for (const ruleset of ids.rulesets) assertExplainedAtFirstSight(run, ruleset.id, new RegExp(`${ruleset.name} +${ruleset.id} `));
  assert.match(run.stdout, /ID: the ruleset's number on GitHub; its settings page is …\/settings\/rules\//);
}

async function assertNextSteps(run: DemoRun): Promise<void> {
  const steps = run.stdout.slice(run.stdout.lastIndexOf("Next steps on real GitHub"));
  const anchors = await readmeAnchors();
  for (const [heading, anchor] of [["GitHub App setup", "github-app-setup"], ["Usage", "usage"], ["Environment variables", "environment-variables"], ["Troubleshooting", "troubleshooting"]]) {
    assert.ok(steps.includes(`README.md#${anchor}`), `the next steps link README "${heading}"`);
    assert.ok(anchors.has(anchor), `README has the heading "${heading}"`);
  }
  assert.match(steps, /Create a GitHub App/);
  assert.match(steps, /bypass list of every ruleset.*\n.*"Always allow"/);
  assert.match(steps, /GITHUB_APP_CLIENT_ID and GITHUB_APP_PRIVATE_KEY/);
}

describe("npm run demo", () => {
  let dir: string;
  let released: DemoRun;
  let blocked: DemoRun;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "demo-test-"));
    [released, blocked] = await Promise.all([runDemo(dir, []), runDemo(dir, ["--blocked"])]);
    console.log(`# demo: ${released.seconds.toFixed(1)} s, demo --blocked: ${blocked.seconds.toFixed(1)} s (run side by side)`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  describe("the release (default)", () => {
    it("tells its chapters in order, each opened by one sentence", () => assertChapters(released, RELEASED));

    it("masks the secrets it shows and leaks none", () => assertNoSecretsPrinted(released));

    it("says what each number is where it first appears, the bot's user ID in the e-mail too", () => {
      assertNumbersExplained(released);
      const { botUserId } = released.result.ids;
      assert.match(released.stdout, new RegExp(`author +release-bot\\[bot\\] <${botUserId}\\+release-bot\\[bot\\]@users\\.noreply\\.127\\.0\\.0\\.1>`));
      assert.match(released.stdout, new RegExp(`${botUserId}\\+release-bot\\[bot\\]@users\\.noreply… is the bot's no-reply address: GitHub links a commit to the\\s+account whose user ID stands before the "\\+"`));
    });

    it("shows GitHub's GH013 for the workflow token, then the plugin's explanation, before any push", () => {
      const gh013 = released.stdout.indexOf("remote: error: GH013: Repository rule violations found for refs/heads/main.");
      const explained = released.stdout.indexOf("› ✘  EGITHUBACTIONSBYPASS");
      assert.ok(gh013 > 0, "GitHub's GH013 text is shown");
      assert.ok(explained > gh013, "the plugin's explanation follows it");
      assert.match(released.stdout, /\[semantic-release-github-app\] › ℹ {2}Using the workflow token in GITHUB_TOKEN \(github-actions\[bot\]\)/);
      assert.match(released.stdout, /Fix: release as a GitHub App instead/);
    });

    it("shows the .releaserc.json it used", () => {
      assert.match(released.stdout, /\/\/ \.releaserc\.json\n {4}\{\n[^]*? {8}"semantic-release-github-app"\n {6}\]\n {4}\}/);
    });

    it("quotes semantic-release's lines as printed and labels GitHub's bypass notice as the success", () => {
      assert.match(released.stdout, /\[semantic-release\] \[semantic-release-github-app\] › ✔ {2}Pushed refs\/heads\/main and refs\/tags\/v1\.0\.0 atomically as release-bot\[bot\]/);
      assert.doesNotMatch(released.stdout, /\[github-app\]/, "no rewritten prefix");
      const notices = released.lines.flatMap((line, i) => (/GitHub: bypassed rule violations for/.test(line) ? [i] : []));
      assert.equal(notices.length, 2, "branch and tag");
      assert.match(released.lines[notices[1]! + 1]!, /SUCCESS: this is GitHub's bypass notice/);
    });

    it("shows the dry run's report with its verdict", () => {
      assert.match(released.stdout, /Release preflight \(dry run\)[^]*Protect main \(#\d+\) +repo octo\/lib +active +always +bypassed[^]*Verdict: the release can be pushed as release-bot\[bot\] \(bypasses 2 rulesets\)/);
    });

    it("leaves the release on the remote: main moved, the tag on it, pushes by the App and core's notes push", () => {
      const { refsBefore, refsAfter, pushes, exitCodes } = released.result;
      assert.deepEqual(exitCodes, { workflowToken: 1, dryRun: 0, release: 0 });
      assert.notEqual(refsAfter["refs/heads/main"], refsBefore["refs/heads/main"], "main moved");
      assert.equal(refsAfter["refs/tags/v1.0.0"], refsAfter["refs/heads/main"], "the tag points at the release commit");
      assert.deepEqual(pushes, [
        { actor: "installation:github-actions[bot]", accepted: false, refs: ["refs/heads/main"] },
        { actor: "installation:release-bot[bot]", accepted: true, refs: ["refs/heads/main", "refs/tags/v1.0.0"] },
        { actor: "installation:github-actions[bot]", accepted: true, refs: ["refs/notes/semantic-release-v1.0.0"] },
      ]);
      assert.match(released.stdout, /accepted +github-actions\[bot\] \(workflow token\) +refs\/notes\/semantic-release-v1\.0\.0 +semantic-release's own note/);
    });

    it("revokes every App token it minted: a read-only one for the dry run, one for the release", () => {
      assert.deepEqual(released.result.appTokens, [
        { mintedBy: "--dry-run (chapter 4)", permissions: "contents: read, metadata: read", revoked: true },
        { mintedBy: "the release (chapter 5)", permissions: "contents: write, metadata: read", revoked: true },
      ]);
      assert.equal(released.result.liveAppTokens, 0);
    });

    it("ends with the next steps on real GitHub, linked to README sections that exist", () => assertNextSteps(released));
  });

  describe("the release the rulesets stop (--blocked)", () => {
    it("tells its chapters in order, each opened by one sentence", () => assertChapters(blocked, BLOCKED));

    it("masks the secrets it shows and leaks none", () => assertNoSecretsPrinted(blocked));

    it("says what each number is where it first appears", () => assertNumbersExplained(blocked));

    it("stops in verifyConditions with the error code, the rule, the actor and the fix", () => {
      const out = blocked.stdout;
      assert.match(out, /Start step "verifyConditions" of plugin "semantic-release-github-app"/);
      assert.match(out, /› ✘ {2}Failed step "verifyConditions" of plugin "semantic-release-github-app"/);
      assert.match(out, /› ✘ {2}ERULESETBLOCKED The ruleset "Protect main" \(repository octo\/lib\) blocks the release push of refs\/heads\/main as release-bot\[bot\]: pull_request\./);
      assert.match(out, /Fix: open http:\/\/127\.0\.0\.1:\d+\/octo\/lib\/settings\/rules\/\d+, under "Bypass list" choose "Add bypass"/);
      assert.match(out, /ERULESETBLOCKED +pull_request \(ruleset "Protect main", refs\/heads\/main\) +release-bot\[bot\]/);
      assert.doesNotMatch(out, /Pushed refs\/heads\/main|Created tag/);
      assert.deepEqual(blocked.result.errorCodes, ["ERULESETBLOCKED"]);
    });

    it("leaves the remote unchanged and the one App token revoked", () => {
      const { refsBefore, refsAfter, pushes, appTokens, liveAppTokens } = blocked.result;
      assert.deepEqual(refsAfter, refsBefore);
      assert.deepEqual(Object.keys(refsAfter), ["refs/heads/main"], "no tag");
      assert.deepEqual(pushes, [], "GitHub received no push");
      assert.deepEqual(appTokens, [{ mintedBy: "the release (chapter 3)", permissions: "contents: write, metadata: read", revoked: true }]);
      assert.equal(liveAppTokens, 0);
      assert.match(blocked.stdout, /refs\/heads\/main +[0-9a-f]{12} +unchanged/);
    });

    it("ends with the next steps on real GitHub", () => assertNextSteps(blocked));
  });

  it("docs/demo.md records both outcomes, chapter for chapter, without ANSI codes", async () => {
    const recording = await readFile(join(ROOT, "docs", "demo.md"), "utf8");
    assert.doesNotMatch(recording, /\x1b\[/);
    for (const [outcome, titles] of [["npm run demo", RELEASED], ["npm run demo -- --blocked", BLOCKED]] as const) {
      const part = recording.slice(recording.indexOf(`$ ${outcome}\n`));
      assert.ok(recording.includes(`$ ${outcome}\n`), `the recording of \`${outcome}\``);
      for (const [i, title] of titles.entries()) assert.ok(part.includes(`\n${i + 1}. ${title}\n`), `${outcome}: chapter "${title}"`);
    }
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const tryIt = readme.slice(readme.indexOf("### Try it without GitHub"), readme.indexOf("## Contents"));
    assert.match(tryIt, /\(docs\/demo\.md\)/, 'README "Try it without GitHub" links the recording');
  });
});
