// End to end: `floatingTags: true` with `pushMode: "pull-request"` (README "floatingTags", "Releasing
// through a pull request") through the real semantic-release CLI. The release tag is pushed after the
// merge, onto the commit the local branch adopted (here a squash commit, not the pull request's head);
// v1 and v1.1 go in that same atomic push, as the App, past a tag ruleset it bypasses. An `update`
// rule on v1 without bypass stops the release in verifyRelease, before any push or pull request, as
// in the direct mode; one added after the merge refuses the tag with them (nothing moves). A prerelease
// through a pull request moves none.
import { strict as assert } from "node:assert";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Mark } from "github-stand-in";
import { APP_ACTOR, assertTokensRevoked, errorCodes, gitIn, onRequest, output, receivePacks, releasePushes, releaseWorld, type ReleaseWorld, type RunResult } from "../helpers/e2e.js";

const WITH_PULL_REQUESTS = { contents: "write", metadata: "read", pull_requests: "write", checks: "read" } as const;
const ZERO = /^0+$/;

/** main takes pull requests only, with a required check, and nobody may bypass; `v*` tags only the App may create, move or delete. */
function protect(world: ReleaseWorld): void {
  const { standIn, repo, app } = world;
  standIn.addRuleset(repo, {
    name: "Protect main",
    target: "branch",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [
      {
        type: "pull_request",
        parameters: { required_approving_review_count: 0, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false },
      },
      { type: "required_status_checks", parameters: { required_status_checks: [{ context: "ci" }], strict_required_status_checks_policy: false } },
    ],
    bypass_actors: [],
  });
  standIn.addRuleset(repo, {
    name: "Release tags",
    target: "tag",
    conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
    rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }],
    bypass_actors: [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }],
  });
  standIn.addCheck(repo, { name: "ci", conclusion: "success", afterMs: 100 });
  // squash only: the merged commit is a new one, so the tags must follow the adopted commit, not the pull request's head
  standIn.setMergeSettings(repo, { allow_merge_commit: false, allow_rebase_merge: false, allow_squash_merge: true, allow_auto_merge: true });
}

/** A developer's `feat:` commit lands on main, and the workspace checks it out (as the next workflow run would). */
async function nextFeature(world: ReleaseWorld, message: string): Promise<string> {
  const git = (...args: string[]) => world.standIn.git(world.repo, "-c", "user.name=Dev", "-c", "user.email=dev@example.com", ...args);
  const tree = (await git("rev-parse", "main^{tree}")).trim();
  const sha = (await git("commit-tree", tree, "-p", "main", "-m", message)).trim();
  await git("update-ref", "refs/heads/main", sha);
  await gitIn(world.workDir, ["fetch", "-q", "origin"]);
  await gitIn(world.workDir, ["reset", "-q", "--hard", "origin/main"]);
  world.env.GITHUB_SHA = sha;
  return sha;
}

describe("floating tags through a pull request: the second release moves v1 and creates v1.1 onto the merged commit, with the tag", () => {
  let world: ReleaseWorld;
  let first: RunResult;
  let second: RunResult;
  let firstRelease: string | undefined;
  let afterFirst: (string | undefined)[];
  let since: Mark;

  before(async () => {
    world = await releaseWorld({ installationPermissions: WITH_PULL_REQUESTS, pluginOptions: { floatingTags: true, pushMode: "pull-request" } });
    protect(world);
    first = await world.run();
    firstRelease = await world.remoteRef("refs/tags/v1.0.0");
    afterFirst = [await world.remoteRef("refs/tags/v1"), await world.remoteRef("refs/tags/v1.0")];
    await nextFeature(world, "feat: a second feature");
    since = world.standIn.mark();
    second = await world.run();
  });
  after(() => world?.close());

  it("the first release, through its pull request, creates v1 and v1.0 at the tagged commit", () => {
    assert.equal(first.code, 0, output(first));
    assert.ok(firstRelease);
    assert.deepEqual(afterFirst, [firstRelease, firstRelease]);
  });

  it("the second is squash-merged; v1.1.0, v1 and v1.1 are on the merged commit that is main, v1.0 stays", async () => {
    assert.equal(second.code, 0, output(second));
    const merged = (await world.standIn.pullRequests(world.repo, { state: "merged" })).find((pr) => pr.number === 2);
    assert.equal(merged?.pullRequest?.mergeMethod, "squash");
    const mergedSha = merged!.pullRequest!.mergeCommitSha;
    assert.notEqual(mergedSha, merged!.pullRequest!.headSha, "a squash writes a new commit");
    assert.equal(await world.remoteRef("refs/heads/main"), mergedSha);
    assert.equal(await world.remoteRef("refs/tags/v1.1.0"), mergedSha);
    assert.equal(await world.remoteRef("refs/tags/v1"), mergedSha);
    assert.equal(await world.remoteRef("refs/tags/v1.1"), mergedSha);
    assert.equal(await world.remoteRef("refs/tags/v1.0"), firstRelease);
  });

  it("the release tag and the floating tags went in one push, by the App, after the merge; nobody pushed main", () => {
    const pushes = releasePushes(world, since);
    const tagPushes = pushes.filter((p) => p.updates.some((u) => u.ref.startsWith("refs/tags/")));
    assert.equal(tagPushes.length, 1, JSON.stringify(pushes.map((p) => p.updates)));
    const [push] = tagPushes;
    assert.equal(push!.actor, APP_ACTOR);
    assert.ok(push!.accepted);
    const byRef = new Map(push!.updates.map((u) => [u.ref, u]));
    assert.deepEqual([...byRef.keys()].sort(), ["refs/tags/v1", "refs/tags/v1.1", "refs/tags/v1.1.0"]);
    assert.equal(byRef.get("refs/tags/v1")!.oldSha, firstRelease, "v1 moved from the first release");
    assert.match(byRef.get("refs/tags/v1.1")!.oldSha, ZERO, "v1.1 created");
    assert.match(push!.message, /Bypassed rule violations for refs\/tags\/v1:/);
    assert.deepEqual(world.standIn.refPushes({ since, ref: "refs/heads/main" }), [], "main moved only through the merge");
    const releaseBranch = pushes.findIndex((p) => p.updates.some((u) => u.ref === "refs/heads/semantic-release/v1.1.0"));
    assert.ok(releaseBranch >= 0 && releaseBranch < pushes.indexOf(push!), "the tags were pushed after the release branch");
  });

  it("the log names the floating tags and the push; every token is revoked", () => {
    const text = output(second);
    assert.match(text, /floatingTags: v1 \(moved from [0-9a-f]{12}\), v1\.1 \(created\)/);
    assert.match(text, /Pushed refs\/tags\/v1\.1\.0 and refs\/tags\/v1 and refs\/tags\/v1\.1 as release-bot\[bot\]/);
    assertTokensRevoked(world);
  });
});

describe("floating tags through a pull request, refused up front by an update rule without bypass", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ installationPermissions: WITH_PULL_REQUESTS, pluginOptions: { floatingTags: true, pushMode: "pull-request" } });
    protect(world);
    mainBefore = await world.remoteRef("refs/heads/main");
    // v1 exists (an earlier release) and a ruleset nobody may bypass keeps it where it is
    await world.standIn.git(world.repo, "update-ref", "refs/tags/v1", "main");
    world.standIn.addRuleset(world.repo, { name: "Floating v1", target: "tag", conditions: { ref_name: { include: ["refs/tags/v1"], exclude: [] } }, rules: [{ type: "update" }], bypass_actors: [] });
    result = await world.run();
  });
  after(() => world?.close());

  it("ERULESETBLOCKED names the ruleset and refs/tags/v1; no push, no pull request", async () => {
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.ok(errorCodes(text).includes("ERULESETBLOCKED"), text);
    assert.match(text, /"Floating v1" \(repository octo\/lib\) blocks the release push of refs\/tags\/v1 as release-bot\[bot\]: update/);
    assert.equal(receivePacks(world).length, 0, "no push was attempted");
    assert.deepEqual(await world.standIn.pullRequests(world.repo), []);
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1"), mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
    assertTokensRevoked(world);
  });
});

describe("floating tags through a pull request, refused after the merge: the release tag does not land without them", () => {
  let world: ReleaseWorld;
  let second: RunResult;
  let before1: { v1?: string | undefined; v10?: string | undefined };
  let since: Mark;

  before(async () => {
    world = await releaseWorld({ installationPermissions: WITH_PULL_REQUESTS, pluginOptions: { floatingTags: true, pushMode: "pull-request" } });
    protect(world);
    const first = await world.run();
    assert.equal(first.code, 0, output(first));
    await nextFeature(world, "feat: a second feature");
    before1 = { v1: await world.remoteRef("refs/tags/v1"), v10: await world.remoteRef("refs/tags/v1.0") };
    // an admin keeps v1 where it is once the pull request is merged (the release branch's deletion comes just before the tag push)
    onRequest(
      world,
      (r) => r.method === "DELETE" && decodeURIComponent(r.path).endsWith("/git/refs/heads/semantic-release/v1.1.0"),
      () => {
        world.standIn.addRuleset(world.repo, { name: "Floating v1", target: "tag", conditions: { ref_name: { include: ["refs/tags/v1"], exclude: [] } }, rules: [{ type: "update" }], bypass_actors: [] });
      },
    );
    since = world.standIn.mark();
    second = await world.run();
  });
  after(() => world?.close());

  it("EPUSHREJECTED names refs/tags/v1; v1.1.0 and v1.1 were not created, v1 did not move; the log says how to finish by hand", async () => {
    assert.notEqual(second.code, 0);
    const text = output(second);
    assert.ok(errorCodes(text).includes("EPUSHREJECTED"), text);
    assert.match(text, /refs\/tags\/v1\b/);
    const [merged] = await world.standIn.pullRequests(world.repo, { state: "merged" }).then((prs) => prs.filter((pr) => pr.number === 2));
    assert.ok(merged, "the pull request was merged");
    assert.equal(await world.remoteRef("refs/tags/v1.1.0"), undefined, "the release tag did not land without its floating tags");
    assert.equal(await world.remoteRef("refs/tags/v1.1"), undefined);
    assert.equal(await world.remoteRef("refs/tags/v1"), before1.v1);
    assert.equal(await world.remoteRef("refs/tags/v1.0"), before1.v10);
    const tagPushes = releasePushes(world, since).filter((p) => p.updates.some((u) => u.ref.startsWith("refs/tags/")));
    assert.deepEqual(tagPushes.map((p) => [p.actor, p.accepted, p.updates.map((u) => u.ref).sort()]), [[APP_ACTOR, false, ["refs/tags/v1", "refs/tags/v1.1", "refs/tags/v1.1.0"]]]);
    assert.match(text, /its tag v1\.1\.0 could not be pushed/);
    assert.match(text, /The floating tags did not move either: git push --force origin [0-9a-f]{40}:refs\/tags\/v1; git push --force origin [0-9a-f]{40}:refs\/tags\/v1\.1\./);
    assertTokensRevoked(world);
  });
});

describe("a prerelease through a pull request moves no floating tag", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let v1Before: string | undefined;

  before(async () => {
    world = await releaseWorld({ installationPermissions: WITH_PULL_REQUESTS, pluginOptions: { floatingTags: true, pushMode: "pull-request" } });
    protect(world);
    // the beta branch releases prereleases (semantic-release's `branches`), on the remote and checked out
    const releaserc = join(world.workDir, ".releaserc.json");
    const config = JSON.parse(await readFile(releaserc, "utf8")) as Record<string, unknown>;
    await writeFile(releaserc, JSON.stringify({ ...config, branches: ["main", { name: "beta", prerelease: true }] }, null, 2));
    await world.standIn.git(world.repo, "update-ref", "refs/heads/beta", "main");
    await world.standIn.git(world.repo, "update-ref", "refs/tags/v1", "main");
    v1Before = await world.remoteRef("refs/tags/v1");
    await gitIn(world.workDir, ["fetch", "-q", "origin"]);
    await gitIn(world.workDir, ["checkout", "-q", "-B", "beta", "origin/beta"]);
    world.env.GITHUB_REF = "refs/heads/beta";
    result = await world.run();
  });
  after(() => world?.close());

  it("v1.0.0-beta.1 is tagged on the merged commit of beta; v1 stays, no v1.0; the log says why", async () => {
    assert.equal(result.code, 0, output(result));
    const [merged] = await world.standIn.pullRequests(world.repo, { state: "merged" });
    assert.equal(merged?.pullRequest?.baseRef, "beta");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0-beta.1"), await world.remoteRef("refs/heads/beta"));
    assert.equal(await world.remoteRef("refs/tags/v1"), v1Before);
    assert.equal(await world.remoteRef("refs/tags/v1.0"), undefined);
    assert.match(output(result), /floatingTags: 1\.0\.0-beta\.1 is a prerelease, so no floating tag moves/);
    const tagPushes = releasePushes(world).filter((p) => p.updates.some((u) => u.ref.startsWith("refs/tags/")));
    assert.deepEqual(tagPushes.map((p) => [p.actor, p.updates.map((u) => u.ref)]), [[APP_ACTOR, ["refs/tags/v1.0.0-beta.1"]]]);
    assertTokensRevoked(world);
  });
});
