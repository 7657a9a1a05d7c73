// End to end: how git authenticates during a release, whatever actions/checkout left behind, and
// whose name the release commit carries. docs/architecture.md "How git authenticates": the App token reaches
// git through GIT_CONFIG_* entries of the process, nothing is written to disk, so the workspace's
// configuration is the same before and after the run.
import { strict as assert } from "node:assert";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult, PULL_REQUEST_RULE, appBypass, assertNoSecrets, assertTokensRevoked, output, readText, assertReleasePushedByApp, releasePushes } from "../helpers/e2e.js";

/** .git/config and every file in RUNNER_TEMP (actions/checkout v6 keeps the credentials there) */
async function gitConfigFiles(world: ReleaseWorld): Promise<Record<string, string>> {
  const files: Record<string, string> = { ".git/config": await readText(join(world.workDir, ".git", "config")) };
  for (const name of await readdir(world.runnerTemp)) files[name] = await readText(join(world.runnerTemp, name));
  return files;
}

function protect(world: ReleaseWorld): void {
  world.standIn.addRuleset(world.repo, { name: "Protect main", target: "branch", rules: [PULL_REQUEST_RULE], bypass_actors: appBypass(world) });
}

function assertEveryPushIsTheApp(world: ReleaseWorld): void {
  assertReleasePushedByApp(world);
  assert.ok(releasePushes(world).some((p) => p.updates.some((u) => u.ref === "refs/heads/main")));
}

describe("actions/checkout v6: the workflow token persisted through an includeIf file", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let configBefore: Record<string, string>;

  before(async () => {
    world = await releaseWorld({ checkout: "v6" });
    protect(world);
    configBefore = await gitConfigFiles(world);
    result = await world.run();
  });
  after(() => world.close());

  it("releases, every receive-pack authenticated as the App", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertEveryPushIsTheApp(world);
  });

  it("leaves .git/config and the includeIf credentials file as they were", async () => {
    assert.ok(Object.keys(configBefore).some((name) => name !== ".git/config"), "the v6 credentials file exists");
    assert.match(configBefore[".git/config"]!, /includeIf/);
    assert.deepEqual(await gitConfigFiles(world), configBefore);
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("persist-credentials: false, and an explicit commit identity", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let configBefore: Record<string, string>;

  before(async () => {
    world = await releaseWorld({ checkout: false });
    protect(world);
    configBefore = await gitConfigFiles(world);
    result = await world.run([], {
      GIT_AUTHOR_NAME: "Release Manager",
      GIT_AUTHOR_EMAIL: "releases@example.com",
      GIT_COMMITTER_NAME: "Build Robot",
      GIT_COMMITTER_EMAIL: "robot@example.com",
    });
  });
  after(() => world.close());

  it("releases, every receive-pack authenticated as the App", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertEveryPushIsTheApp(world);
  });

  it("the release commit carries the explicit author and committer", async () => {
    const commit = await world.remoteCommit("refs/heads/main");
    assert.equal(commit.subject, "chore(release): 1.0.0 [skip ci]");
    assert.equal(commit.author, "Release Manager <releases@example.com>");
    assert.equal(commit.committer, "Build Robot <robot@example.com>");
  });

  it("leaves .git/config as it was", async () => {
    assert.doesNotMatch(configBefore[".git/config"]!, /extraheader/);
    assert.deepEqual(await gitConfigFiles(world), configBefore);
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});
