// End to end: `floatingTags: true` (README "floatingTags", docs/github.md §15.2) through the real
// semantic-release CLI. The first release creates v1 and v1.0; the second moves v1 and creates v1.1,
// in the same atomic push as the release commit and tag, as the App (past a tag ruleset it may bypass),
// or through the API right after the tag ref (put back when a later write is refused). An `update`
// rule on v1 without bypass, or an immutable release of v1, stops the release in verifyRelease,
// before anything is pushed.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import type { Mark } from "github-stand-in";
import {
  releaseWorld,
  type ReleaseWorld,
  type RunResult,
  APP_ACTOR,
  assertTokensRevoked,
  configure,
  errorCodes,
  gitIn,
  onRequest,
  output,
  protectReleaseRefs,
  receivePacks,
  releasePushes,
} from "../helpers/e2e.js";

const ZERO = /^0+$/;

/** A developer's `feat:` commit lands on main, and the workspace checks it out (as the next workflow run would). */
async function nextFeature(world: ReleaseWorld, message: string): Promise<string> {
  const git = (...args: string[]) => world.standIn.git(world.repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", ...args);
  const tree = (await git("rev-parse", "main^{tree}")).trim();
  const sha = (await git("commit-tree", tree, "-p", "main", "-m", message)).trim();
  await git("update-ref", "refs/heads/main", sha);
  await gitIn(world.workDir, ["fetch", "-q", "origin"]);
  await gitIn(world.workDir, ["reset", "-q", "--hard", "origin/main"]);
  return sha;
}

describe("floating tags moved atomically with the second release (commitMode git, tag rulesets the App bypasses)", () => {
  let world: ReleaseWorld;
  let first: RunResult;
  let second: RunResult;
  let firstRelease: string | undefined;
  let afterFirst: (string | undefined)[];
  let since: Mark;

  before(async () => {
    world = await releaseWorld({ pluginOptions: { floatingTags: true } });
    protectReleaseRefs(world, "always");
    first = await world.run();
    firstRelease = await world.remoteRef("refs/tags/v1.0.0");
    afterFirst = [await world.remoteRef("refs/tags/v1"), await world.remoteRef("refs/tags/v1.0")];
    await nextFeature(world, "feat: a second feature");
    since = world.standIn.mark();
    second = await world.run();
  });
  after(() => world.close());

  it("the first release creates v1 and v1.0 at its commit", async () => {
    assert.equal(first.code, 0, output(first));
    assert.ok(firstRelease);
    assert.deepEqual(afterFirst, [firstRelease, firstRelease]);
  });

  it("the second moves v1 and creates v1.1 at the new release commit; v1.0 stays", async () => {
    assert.equal(second.code, 0, output(second));
    const main = await world.remoteRef("refs/heads/main");
    assert.notEqual(main, firstRelease);
    assert.equal(await world.remoteRef("refs/tags/v1.1.0"), main);
    assert.equal(await world.remoteRef("refs/tags/v1"), main);
    assert.equal(await world.remoteRef("refs/tags/v1.1"), main);
    assert.equal(await world.remoteRef("refs/tags/v1.0"), firstRelease);
  });

  it("branch, release tag and floating tags went in one push, by the App", () => {
    const pushes = releasePushes(world, since);
    assert.equal(pushes.length, 1, JSON.stringify(pushes.map((p) => p.updates)));
    const [push] = pushes;
    assert.equal(push!.actor, APP_ACTOR);
    assert.ok(push!.accepted);
    const byRef = new Map(push!.updates.map((u) => [u.ref, u]));
    assert.deepEqual([...byRef.keys()].sort(), ["refs/heads/main", "refs/tags/v1", "refs/tags/v1.1", "refs/tags/v1.1.0"]);
    assert.equal(byRef.get("refs/tags/v1")!.oldSha, firstRelease, "v1 moved from the first release");
    assert.match(byRef.get("refs/tags/v1.1")!.oldSha, ZERO, "v1.1 created");
    assert.match(push!.message, /Bypassed rule violations for refs\/tags\/v1:/);
  });

  it("the log names the floating tags; every token is revoked", () => {
    assert.match(output(second), /floatingTags: v1 \(moved from [0-9a-f]{12}\), v1\.1 \(created\)/);
    assertTokensRevoked(world);
  });
});

describe("floating tags refused up front by an update rule without bypass", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;
  let v1Before: string | undefined;
  let since: Mark;

  before(async () => {
    world = await releaseWorld({ pluginOptions: { floatingTags: true } });
    const first = await world.run();
    assert.equal(first.code, 0, output(first));
    world.standIn.addRuleset(world.repo, { name: "Floating v1", target: "tag", conditions: { ref_name: { include: ["refs/tags/v1"], exclude: [] } }, rules: [{ type: "update" }], bypass_actors: [] });
    await nextFeature(world, "feat: a second feature");
    mainBefore = await world.remoteRef("refs/heads/main");
    v1Before = await world.remoteRef("refs/tags/v1");
    since = world.standIn.mark();
    result = await world.run();
  });
  after(() => world.close());

  it("ERULESETBLOCKED names the ruleset and refs/tags/v1; nothing was pushed", async () => {
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.ok(errorCodes(text).includes("ERULESETBLOCKED"), text);
    assert.match(text, /"Floating v1" \(repository octo\/lib\) blocks the release push of refs\/tags\/v1 as release-bot\[bot\]: update/);
    assert.equal(receivePacks(world, since).length, 0, "no push was attempted");
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1"), v1Before);
    assert.equal(await world.remoteRef("refs/tags/v1.1.0"), undefined);
    assertTokensRevoked(world);
  });
});

describe("floating tags through the API (commitMode api)", () => {
  let world: ReleaseWorld;
  let second: RunResult;
  let firstRelease: string | undefined;
  let since: Mark;

  before(async () => {
    world = await releaseWorld();
    await configure(world, { floatingTags: true, commitMode: "api" });
    const first = await world.run();
    assert.equal(first.code, 0, output(first));
    firstRelease = await world.remoteRef("refs/tags/v1.0.0");
    await nextFeature(world, "feat: a second feature");
    since = world.standIn.mark();
    second = await world.run();
  });
  after(() => world.close());

  it("v1 moved (PATCH with force) and v1.1 created right after the release tag, as the App", async () => {
    assert.equal(second.code, 0, output(second));
    const main = await world.remoteRef("refs/heads/main");
    assert.equal(await world.remoteRef("refs/tags/v1"), main);
    assert.equal(await world.remoteRef("refs/tags/v1.1"), main);
    assert.equal(await world.remoteRef("refs/tags/v1.0"), firstRelease);
    const writes = world.standIn.requests({ since }).filter((r) => /^(POST|PATCH) \/repos\/\{owner\}\/\{repo\}\/git\/refs/.test(`${r.method} ${r.route.replace(/^[A-Z]+ /, "")}`));
    const order = writes.map((r) => `${r.method} ${decodeURIComponent(r.path).replace(/^.*\/git\//, "")}`);
    const tagAt = order.findIndex((w) => w.startsWith("POST refs"));
    const v1At = order.findIndex((w) => w === "PATCH refs/tags/v1");
    const branchAt = order.findIndex((w) => w === "PATCH refs/heads/main");
    assert.ok(tagAt >= 0 && v1At > tagAt && branchAt > v1At, order.join(", "));
    assertTokensRevoked(world);
  });
});

describe("floating tags through the API, refused halfway: everything put back", () => {
  let world: ReleaseWorld;
  let second: RunResult;
  let before1: { main?: string; v1?: string };
  let since: Mark;

  before(async () => {
    world = await releaseWorld();
    await configure(world, { floatingTags: true, commitMode: "api" });
    const first = await world.run();
    assert.equal(first.code, 0, output(first));
    await nextFeature(world, "feat: a second feature");
    before1 = { main: await world.remoteRef("refs/heads/main"), v1: await world.remoteRef("refs/tags/v1") };
    // an admin restricts creating v1.1 after the preflight, while the App moves the tags
    onRequest(
      world,
      (r) => r.method === "PATCH" && decodeURIComponent(r.path).endsWith("/git/refs/tags/v1"),
      () => {
        world.standIn.addRuleset(world.repo, { name: "No v1.1", target: "tag", conditions: { ref_name: { include: ["refs/tags/v1.1"], exclude: [] } }, rules: [{ type: "creation" }], bypass_actors: [] });
      },
    );
    since = world.standIn.mark();
    second = await world.run();
  });
  after(() => world.close());

  it("EPUSHREJECTED names refs/tags/v1.1; v1 is back, the release tag deleted, the branch never moved", async () => {
    assert.notEqual(second.code, 0);
    const text = output(second);
    assert.ok(errorCodes(text).includes("EPUSHREJECTED"), text);
    assert.match(text, /refs\/tags\/v1\.1\b/);
    assert.equal(await world.remoteRef("refs/heads/main"), before1.main);
    assert.equal(await world.remoteRef("refs/tags/v1"), before1.v1, "v1 put back");
    assert.equal(await world.remoteRef("refs/tags/v1.1"), undefined);
    assert.equal(await world.remoteRef("refs/tags/v1.1.0"), undefined, "the release tag deleted again");
    const writes = world.standIn.requests({ since }).filter((r) => r.method !== "GET" && /\/git\/refs/.test(r.path)).map((r) => `${r.method} ${decodeURIComponent(r.path).replace(/^.*\/git\//, "")} ${r.status}`);
    assert.deepEqual(writes, ["POST refs 201", "PATCH refs/tags/v1 200", "POST refs 422", "PATCH refs/tags/v1 200", "DELETE refs/tags/v1.1.0 204"]);
    assertTokensRevoked(world);
  });
});

describe("a floating tag that an immutable release locks", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ pluginOptions: { floatingTags: true }, installationPermissions: { contents: "write", metadata: "read", actions: "write", administration: "read" } });
    mainBefore = await world.remoteRef("refs/heads/main");
    // someone published a release of the tag v1 while immutable releases were on
    world.standIn.setImmutableReleases(world.repo, true);
    await world.standIn.git(world.repo, "update-ref", "refs/tags/v1", "main");
    world.standIn.publishRelease(world.repo, "v1");
    result = await world.run();
  });
  after(() => world.close());

  it("EFLOATINGTAGLOCKED in verifyRelease, naming the release; nothing was pushed", async () => {
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.ok(errorCodes(text).includes("EFLOATINGTAGLOCKED"), text);
    assert.match(text, /The floating tag v1 cannot move: an immutable release locks it/);
    assert.equal(receivePacks(world).length, 0, "no push was attempted");
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1"), mainBefore);
    assertTokensRevoked(world);
  });
});
