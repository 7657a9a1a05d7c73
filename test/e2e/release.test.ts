// End to end: the real semantic-release CLI (v24) and real git over smart HTTP against the local
// GitHub stand-in, in the environment of a GitHub Actions run whose checkout persisted the workflow
// token. What a user would see: refs on the remote, the commit's author, who pushed, the error.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { protectReleaseRefs as protect, releaseWorld, type ReleaseWorld, type RunResult, assertNoSecrets, assertTokensRevoked, output } from "../helpers/e2e.js";

describe("a release on a protected main, as a GitHub App", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protect(world);
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("releases: exit 0, the release commit on main and the tag on it", async () => {
    assert.equal(result.code, 0, output(result));
    const main = await world.remoteRef("refs/heads/main");
    assert.notEqual(main, mainBefore, "main moved");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), main, "the tag points at the release commit");
    const commit = await world.remoteCommit("refs/heads/main");
    assert.equal(commit.subject, "chore(release): 1.0.0 [skip ci]");
  });

  it("authors and commits the release commit as the App's bot", async () => {
    const commit = await world.remoteCommit("refs/heads/main");
    // The stand-in is a server of its own (like GitHub Enterprise Server): its own noreply host.
    const bot = `release-bot[bot] <${world.app.botUserId}+release-bot[bot]@users.noreply.127.0.0.1>`;
    assert.equal(commit.author, bot);
    assert.equal(commit.committer, bot);
  });

  it("pushes branch and tag in one push as the App, with GitHub's bypass notice", () => {
    const accepted = world.standIn.refPushes({ accepted: true });
    const release = accepted.find((p) => p.updates.some((u) => u.ref === "refs/heads/main"));
    assert.ok(release, "the branch was pushed");
    assert.deepEqual(release.updates.map((u) => u.ref).sort(), ["refs/heads/main", "refs/tags/v1.0.0"]);
    assert.equal(release.actor, "installation:release-bot[bot]");
    assert.match(result.stderr + result.stdout, /bypassed rule violations for refs\/heads\/main/i);
  });

  it("lends the App token to its own push only: semantic-release's notes push goes out with the job's credentials", () => {
    const pushes = world.standIn.refPushes({ accepted: true }).map((p) => ({ actor: p.actor, refs: p.updates.map((u) => u.ref).sort() }));
    assert.deepEqual(pushes, [
      { actor: "installation:release-bot[bot]", refs: ["refs/heads/main", "refs/tags/v1.0.0"] },
      // core's own `git push --tags` is a no-op (the tag is there); its notes ref is no ruleset's target
      { actor: "installation:github-actions[bot]", refs: ["refs/notes/semantic-release-v1.0.0"] },
    ]);
    const appPacks = world.standIn.requests({ route: "GIT receive-pack", method: "POST", actor: "installation:release-bot[bot]" });
    assert.equal(appPacks.length, 1, "one push as the App");
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("a release the App may not push", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ checkout: "v6" });
    protect(world, "none");
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("stops before anything is pushed, naming the rulesets, the actor and the fix", async () => {
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.match(text, /ERULESETBLOCKED/);
    assert.match(text, /Protect main/);
    assert.match(text, /Release tags/, "the tag ruleset is reported in the same run: refs/tags/v* matches every tag of v${version}");
    assert.match(text, /release-bot\[bot\]/);
    assert.match(text, /settings\/rules\/\d+/);
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore, "main did not move");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "no tag");
    assert.deepEqual(world.standIn.refPushes(), [], "nothing was even attempted");
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("--dry-run", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protect(world);
    result = await world.run(["--dry-run"]);
  });
  after(() => world.close());

  it("prints the report with the actor, each ruleset and the verdict, and pushes nothing", async () => {
    assert.equal(result.code, 0, output(result));
    assert.match(result.stdout, /Release preflight/);
    assert.match(result.stdout, /release-bot\[bot\]/);
    assert.match(result.stdout, /Protect main/);
    assert.match(result.stdout, /Release tags/);
    assert.match(result.stdout, /Verdict: /);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
    assert.deepEqual(world.standIn.refPushes(), []);
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("the workflow GITHUB_TOKEN on a protected main", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protect(world);
    result = await world.run([], { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined });
  });
  after(() => world.close());

  it("stops with EGITHUBACTIONSBYPASS and the advice to use an App", async () => {
    assert.notEqual(result.code, 0);
    assert.match(output(result), /EGITHUBACTIONSBYPASS/);
    assert.match(output(result), /GitHub App/);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
  });
});

describe("nothing to release", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({ checkout: "v4", commits: ["chore: tidy up"] });
    protect(world);
    result = await world.run();
  });
  after(() => world.close());

  it("ends without a release and still revokes the token", async () => {
    assert.equal(result.code, 0, output(result));
    assert.match(output(result), /no new version is released|There are no relevant changes/);
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});
