// End to end: immutable releases (docs/github.md §15.1) through the real semantic-release CLI. The App
// may read the setting (Administration: read). A tag name an immutable release uses or used is never
// accepted again: the release stops with ETAGBURNED before anything lands, whether the release still
// exists (verifyRelease, before any push) or was deleted with its tag (GitHub's refusal of the atomic
// push, read as such); the marker tag the error suggests lets the next run move past the version.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult, APP_ACTOR, assertTokensRevoked, errorCodes, gitIn, output, receivePacks, refPushes, releasePushes, resetWorkspace } from "../helpers/e2e.js";

const WITH_ADMINISTRATION = { contents: "write", metadata: "read", actions: "write", administration: "read" } as const;

describe("immutable releases: the next tag is used by a live immutable release that is not on the branch", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let dryRun: RunResult;
  let mainBefore: string | undefined;
  let sideCommit: string;

  before(async () => {
    world = await releaseWorld({ installationPermissions: { ...WITH_ADMINISTRATION } });
    mainBefore = await world.remoteRef("refs/heads/main");
    // v1.0.0 was released from a commit that never reached main (semantic-release#4147)
    const tree = (await world.standIn.git(world.repo, "rev-parse", "main^{tree}")).trim();
    sideCommit = (await world.standIn.git(world.repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit-tree", tree, "-p", "main", "-m", "feat: released from a side branch")).trim();
    await world.standIn.git(world.repo, "update-ref", "refs/tags/v1.0.0", sideCommit);
    world.standIn.setImmutableReleases(world.repo, true);
    world.standIn.publishRelease(world.repo, "v1.0.0");
    dryRun = await world.run(["--dry-run", "--no-ci"]);
    await resetWorkspace(world);
    result = await world.run();
  });
  after(() => world.close());

  it("the dry-run report shows the setting, and its verdict names the burned tag", () => {
    const text = output(dryRun);
    assert.match(text, /Immutability\s+on: a published release locks its tag/);
    assert.match(text, /ETAGBURNED The tag v1\.0\.0 can never be created again: an immutable release uses it/);
  });

  it("stops in verifyRelease with ETAGBURNED, naming the tag, the reason and the fix; nothing was pushed", async () => {
    assert.notEqual(result.code, 0);
    assert.deepEqual(errorCodes(output(result)).filter((code) => code.startsWith("ETAG")), ["ETAGBURNED"]);
    const text = output(result);
    assert.match(text, /an immutable release uses it/);
    assert.match(text, /v1\.0\.0\+burned/, "the fix names the marker tag");
    assert.equal(receivePacks(world).length, 0, "no push was attempted");
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), sideCommit, "the locked tag did not move");
  });

  it("asked GitHub for the setting (with the other preflight reads) and for the release of the exact tag", () => {
    assert.ok(world.standIn.requests({ route: "GET /repos/{owner}/{repo}/immutable-releases" }).length > 0);
    assert.ok(world.standIn.requests({ route: "GET /repos/{owner}/{repo}/releases/tags/{tag}" }).some((r) => r.path.endsWith("/releases/tags/v1.0.0")));
    assertTokensRevoked(world);
  });
});

describe("immutable releases: the next tag's release and tag were deleted (a burned name)", () => {
  let world: ReleaseWorld;
  let burned: RunResult;
  let next: RunResult;
  let mainBefore: string | undefined;
  let root: string;

  before(async () => {
    world = await releaseWorld({ installationPermissions: { ...WITH_ADMINISTRATION } });
    mainBefore = await world.remoteRef("refs/heads/main");
    root = (await world.standIn.git(world.repo, "rev-list", "--max-parents=0", "main")).trim();
    // someone published v1.0.0 as an immutable release, then deleted the release and the tag
    world.standIn.setImmutableReleases(world.repo, true);
    await world.standIn.git(world.repo, "update-ref", "refs/tags/v1.0.0", "main");
    world.standIn.publishRelease(world.repo, "v1.0.0");
    world.standIn.deleteRelease(world.repo, "v1.0.0");
    await world.standIn.git(world.repo, "update-ref", "-d", "refs/tags/v1.0.0");
    burned = await world.run();
    await resetWorkspace(world);
    // the fix ETAGBURNED gives: a marker tag that makes 1.0.0 count as released (a first release: on the root commit)
    await world.standIn.git(world.repo, "update-ref", "refs/tags/v1.0.0+burned", root);
    next = await world.run();
  });
  after(() => world.close());

  it("GitHub refuses the atomic push; the plugin reads it as ETAGBURNED and nothing landed", async () => {
    assert.notEqual(burned.code, 0);
    const text = output(burned);
    assert.ok(errorCodes(text).includes("ETAGBURNED"), text);
    assert.doesNotMatch(text, /EPUSHREJECTED/);
    assert.match(text, /an immutable release used it before it was deleted/);
    const pushes = releasePushes(world).filter((p) => !p.accepted);
    assert.equal(pushes.length, 1);
    assert.equal(pushes[0]!.actor, APP_ACTOR);
    assert.ok(pushes[0]!.updates.some((u) => u.ref === "refs/heads/main") && pushes[0]!.updates.some((u) => u.ref === "refs/tags/v1.0.0"), "branch and tag in one push");
  });

  it("after the marker tag, the next run releases the version after it", async () => {
    assert.equal(next.code, 0, output(next));
    const main = await world.remoteRef("refs/heads/main");
    assert.notEqual(main, mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1.1.0"), main);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "the burned name stays unused");
    assert.ok(refPushes(world).some((p) => p.accepted && p.actor === APP_ACTOR && p.updates.some((u) => u.ref === "refs/tags/v1.1.0")));
    assertTokensRevoked(world);
    assert.ok((await gitIn(world.workDir, ["tag", "--list"])).includes("v1.1.0"));
  });
});
