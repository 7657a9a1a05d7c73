// End to end: a release in a SHA-256 repository (64-digit object IDs, docs/github.md §17) with the real
// semantic-release CLI, in both commit modes. The stand-in serves the repository over smart HTTP
// through `git http-backend`, which speaks SHA-256 (git 2.39 and later); the workspace is cloned from it
// as actions/checkout does, so every local object ID has 64 digits too. The release refs are protected
// and the App bypasses, so a push or ref update that misread an object ID (a creation taken for a
// force push, a 40-digit "no object") would be refused or recorded wrongly.
import { strict as assert } from "node:assert";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  gitIn,
  output,
  protectReleaseRefs,
  releasePushes,
  releaseWorld,
  assertNoSecrets,
  assertReleasePushedByApp,
  assertTokensRevoked,
  configure,
  type ReleaseWorld,
  type RunResult,
} from "../helpers/e2e.js";

const SHA256 = /^[0-9a-f]{64}$/;
const ZERO_SHA256 = "0".repeat(64);
const NO_HOOKS = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.hooksPath", GIT_CONFIG_VALUE_0: "/nonexistent-hooks" };

for (const commitMode of ["git", "api"] as const) {
  describe(`a SHA-256 repository, commitMode: "${commitMode}"`, () => {
    let world: ReleaseWorld;
    let result: RunResult;
    let mainBefore: string | undefined;

    before(async () => {
      world = await releaseWorld({ objectFormat: "sha256" });
      protectReleaseRefs(world);
      await configure(world, { commitMode });
      mainBefore = await world.remoteRef("refs/heads/main");
      result = await world.run();
    });
    after(() => world.close());

    it("works on 64-digit object IDs: the remote, the workspace and GitHub's answer about it", async () => {
      assert.match(mainBefore ?? "", SHA256);
      assert.equal(await gitIn(world.workDir, ["rev-parse", "--show-object-format"]), "sha256");
      const response = await fetch(`${world.standIn.apiUrl}/repos/${world.repo.owner.login}/${world.repo.name}/hash-algorithm`);
      assert.deepEqual(await response.json(), { hash_algorithm: "sha256" });
    });

    it("releases 1.0.0: the release commit on main and the tag on it, on the remote", async () => {
      assert.equal(result.code, 0, output(result));
      const main = await world.remoteRef("refs/heads/main");
      assert.match(main ?? "", SHA256);
      assert.notEqual(main, mainBefore, "main moved");
      const commit = await world.remoteCommit("refs/heads/main");
      assert.equal(commit.subject, "chore(release): 1.0.0 [skip ci]");
      assert.match(commit.author, /^release-bot\[bot\] </);
      assert.equal(await world.remoteRef("refs/heads/main^"), mainBefore, "the release commit sits on the released commit");
      assert.equal(await world.remoteRef("refs/tags/v1.0.0^{commit}"), main, "the tag is on the release commit");
      assert.equal(await gitIn(world.workDir, ["rev-parse", "HEAD"]), main, "the workspace is on the release commit");
      assert.match(await world.standIn.git(world.repo, "show", `${main}:CHANGELOG.md`), /1\.0\.0/);
    });

    it("pushed by the App, the tag a creation from 64 zeros, the branch a fast-forward", async () => {
      assertReleasePushedByApp(world);
      const updates = releasePushes(world).flatMap((push) => (push.accepted ? push.updates : []));
      const main = await world.remoteRef("refs/heads/main");
      assert.deepEqual(
        updates.filter((u) => u.ref === "refs/tags/v1.0.0").map((u) => [u.oldSha, u.newSha]),
        [[ZERO_SHA256, main]],
      );
      assert.deepEqual(
        updates.filter((u) => u.ref === "refs/heads/main").map((u) => [u.oldSha, u.newSha]),
        [[mainBefore, main]],
      );
      const via = new Set(releasePushes(world).map((push) => push.via));
      assert.deepEqual([...via], [commitMode === "api" ? "api" : "git"]);
      if (commitMode === "api") {
        assert.ok(world.repo.verifiedCommits.has(main!), "GitHub signed the API commit");
      } else {
        // the rules judged the push (the tag a creation, main a fast-forward) and let the App through (docs/github.md §3.2)
        const [push] = releasePushes(world);
        assert.match(push?.message ?? "", /Bypassed rule violations for refs\/heads\/main/);
        assert.match(push?.message ?? "", /Bypassed rule violations for refs\/tags\/v1\.0\.0:\s+- Cannot create ref due to creations being restricted\.\s*$/);
      }
    });

    it("revokes the token and leaks no secret", async () => {
      assertTokensRevoked(world);
      await assertNoSecrets(world, result);
    });

    it("releases again on top of it: 1.0.1, found from the first release's tag in the 64-digit history", async () => {
      await writeFile(join(world.workDir, "fix.txt"), "fix\n");
      await gitIn(world.workDir, ["add", "fix.txt"]);
      await gitIn(world.workDir, ["-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "fix: a fix"]);
      const fix = await gitIn(world.workDir, ["rev-parse", "HEAD"]);
      // merged through a pull request in real life; here straight into the bare repository, unjudged
      await gitIn(world.workDir, ["push", "-q", world.repo.gitDir, "HEAD:refs/heads/main"], NO_HOOKS);
      const second = await world.run();
      assert.equal(second.code, 0, output(second));
      assert.match(output(second), /associated with version 1\.0\.0 on branch main/);
      const main = await world.remoteRef("refs/heads/main");
      assert.equal(await world.remoteRef("refs/heads/main^"), fix);
      assert.equal(await world.remoteRef("refs/tags/v1.0.1^{commit}"), main);
      assert.equal((await world.remoteCommit("refs/heads/main")).subject, "chore(release): 1.0.1 [skip ci]");
      assertTokensRevoked(world);
    });
  });
}
