// End to end: `semantic-release-github-app doctor`, the real bin against the stand-in. Green (the
// App bypasses the rulesets: exit 0) and red (it does not: exit 1), the --json verdict, the
// repository's default branch, every tag the default tagFormat produces, the commit mode it would
// pick, and the read-only token it mints and revokes.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { appTokens, assertNoSecrets, assertTokensRevoked, output, protectReleaseRefs, releaseWorld, requestsTo, type ReleaseWorld, type RunResult } from "../helpers/e2e.js";
import { runBin, runBinIn } from "../helpers/cli-bin.js";

interface DoctorJson {
  accepted: boolean;
  repository: string;
  branch: string;
  tag: string | null;
  tagFormat: string;
  authMethod: string;
  actor: string;
  commitMode: string;
  pushMode: string | null;
  errors: { code: string; message: string }[];
  warnings: string[];
  rulesets: { id: number; name: string; target: string; ref: string; bypass: string; verdict: string; blockingRules: string[] }[];
  tags: { tag: string; accepted: boolean; rulesets: { name: string; verdict: string }[] }[];
  classic: { state: string; blocking: string[] };
}

function parseJson(result: RunResult): DoctorJson {
  try {
    return JSON.parse(result.stdout) as DoctorJson;
  } catch {
    assert.fail(`stdout is one JSON document:\n${output(result)}`);
  }
}

describe("doctor: the App bypasses the rulesets (green)", () => {
  let world: ReleaseWorld;
  let human: RunResult;
  let json: RunResult;

  before(async () => {
    world = await releaseWorld();
    protectReleaseRefs(world, "exempt");
    human = await runBinIn(world, ["doctor"]);
    json = await runBinIn(world, ["doctor", "--json"]);
  });
  after(() => world.close());

  it("exits 0 and prints the dry run's report for the repository of the origin remote and its default branch", () => {
    assert.equal(human.code, 0, output(human));
    assert.match(human.stdout, /^Repository +octo\/lib$/m);
    assert.match(human.stdout, /^Release preflight \(dry run\)$/m);
    assert.match(human.stdout, /^Actor +release-bot\[bot\]$/m);
    assert.match(human.stdout, /^Branch +main$/m);
    assert.match(human.stdout, /^Commit mode +git$/m);
    assert.match(human.stdout, /Protect main \(#\d+\) +repo octo\/lib +active +exempt +exempt/);
    assert.match(human.stdout, /^Verdict: the release can be pushed as release-bot\[bot\]/m);
    assert.ok(requestsTo(world, "GET /repos/{owner}/{repo}").length > 0, "the default branch was asked of GitHub");
  });

  it("lists every tag the default tagFormat produces with the tag rulesets that apply to it", () => {
    assert.match(human.stdout, /^Tags v\$\{version\} can produce$/m);
    for (const tag of ["v0.0.0", "v1.2.3", "v2.0.0-beta.1"]) assert.match(human.stdout, new RegExp(`^  ${tag.replace(/\./g, "\\.")} +Release tags #\\d+ \\(exempt\\) +ok$`, "m"));
  });

  it("--json prints the verdict alone on stdout, the log on stderr", () => {
    assert.equal(json.code, 0, output(json));
    const verdict = parseJson(json);
    assert.equal(verdict.accepted, true);
    assert.equal(verdict.repository, "octo/lib");
    assert.equal(verdict.branch, "main");
    assert.equal(verdict.tag, null);
    assert.equal(verdict.tagFormat, "v${version}");
    assert.equal(verdict.authMethod, "app");
    assert.equal(verdict.actor, "release-bot[bot]");
    assert.equal(verdict.commitMode, "git");
    assert.ok(verdict.pushMode === null || typeof verdict.pushMode === "string");
    assert.deepEqual(verdict.errors, []);
    assert.deepEqual(
      verdict.rulesets.map((r) => [r.name, r.target, r.bypass, r.verdict]),
      [
        ["Protect main", "branch", "exempt", "exempt"],
        ["Release tags", "tag", "exempt", "exempt"],
      ],
    );
    assert.deepEqual(verdict.tags.map((t) => t.tag), ["v0.0.0", "v1.2.3", "v10.20.30", "v2.0.0-beta.1", "v3.1.4-rc.15"]);
    assert.ok(verdict.tags.every((t) => t.accepted));
    assert.equal(verdict.classic.state, "not-protected");
    assert.match(json.stderr, /Minted a token for octo\/lib/);
  });

  it("mints read-only tokens, revokes them, and prints no secret", async () => {
    const tokens = appTokens(world);
    assert.equal(tokens.length, 2, "one token per run");
    for (const record of tokens) {
      assert.ok(record.actor.kind === "installation");
      assert.deepEqual(record.actor.permissions, { contents: "read", metadata: "read" });
    }
    assertTokensRevoked(world);
    await assertNoSecrets(world, human);
    await assertNoSecrets(world, json);
  });

  it("--repository, --branch and --tag from a directory that is not a clone", async () => {
    const result = await runBin({ cwd: world.runnerTemp, env: world.env, args: ["doctor", "--repository", "octo/lib", "--branch", "main", "--tag", "v1.0.0"] });
    assert.equal(result.code, 0, output(result));
    assert.match(result.stdout, /^Tag +v1\.0\.0$/m);
    assert.doesNotMatch(result.stdout, /can produce/);
  });

  it("a tag ruleset that only some versions' tags match: judged for each of them (exit 1)", async () => {
    world.standIn.addRuleset(world.repo, { name: "v1 line", target: "tag", conditions: { ref_name: { include: ["refs/tags/v1*"], exclude: [] } }, rules: [{ type: "creation" }] });
    const result = await runBinIn(world, ["doctor", "--json"]);
    assert.equal(result.code, 1, output(result));
    const verdict = parseJson(result);
    assert.equal(verdict.accepted, false);
    assert.deepEqual(verdict.errors.map((e) => e.code), ["ERULESETBLOCKED"]);
    assert.match(verdict.errors[0]!.message, /"v1 line"/);
    const byTag = Object.fromEntries(verdict.tags.map((t) => [t.tag, t.accepted]));
    assert.deepEqual(byTag, { "v0.0.0": true, "v1.2.3": false, "v10.20.30": false, "v2.0.0-beta.1": true, "v3.1.4-rc.15": true });
  });

  it("says which commit mode it would pick: api under a required_signatures rule", async () => {
    world.standIn.addRuleset(world.repo, { name: "Signed", target: "branch", conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } }, rules: [{ type: "required_signatures" }] });
    const result = await runBinIn(world, ["doctor", "--tag", "v0.1.0"]);
    assert.equal(result.code, 0, output(result));
    assert.match(result.stdout, /^Commit mode +api \(a ruleset requires signed commits\)$/m);
  });
});

describe("doctor: the App is not on the bypass lists (red)", () => {
  let world: ReleaseWorld;
  let human: RunResult;
  let json: RunResult;

  before(async () => {
    world = await releaseWorld();
    protectReleaseRefs(world, "none");
    human = await runBinIn(world, ["doctor"]);
    json = await runBinIn(world, ["doctor", "--json", "--branch", "main"]);
  });
  after(() => world.close());

  it("exits 1 with the plugin's error codes in the report", () => {
    assert.equal(human.code, 1, output(human));
    assert.match(human.stdout, /^Verdict: blocked — 2 problems:$/m);
    assert.match(human.stdout, /ERULESETBLOCKED The ruleset "Protect main"/);
    assert.match(human.stdout, /ERULESETBLOCKED The ruleset "Release tags"/);
    assert.match(human.stdout, /^  v1\.2\.3 +Release tags #\d+ \(blocked\) +BLOCKED$/m);
  });

  it("--json: accepted false, each problem once, the blocking rules", () => {
    assert.equal(json.code, 1, output(json));
    const verdict = parseJson(json);
    assert.equal(verdict.accepted, false);
    assert.deepEqual(verdict.errors.map((e) => e.code), ["ERULESETBLOCKED", "ERULESETBLOCKED"]);
    assert.deepEqual(
      verdict.rulesets.map((r) => [r.name, r.bypass, r.verdict, r.blockingRules]),
      [
        ["Protect main", "never", "blocked", ["pull_request"]],
        ["Release tags", "never", "blocked", ["creation"]],
      ],
    );
    assert.ok(verdict.tags.every((t) => !t.accepted));
  });

  it("revokes its tokens", () => {
    assertTokensRevoked(world);
  });
});
