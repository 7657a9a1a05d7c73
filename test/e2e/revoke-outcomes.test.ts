// End to end: every App token the release minted is revoked, however the process ends
// (docs/architecture.md "Token lifetime"; docs/resilience.md):
// - another plugin calls process.exit(0) in its success step: listed after this plugin with the token
//   exported (this plugin's success leaves the revoke to the end), or listed before it (this
//   plugin's success never runs). `exit` handlers must be synchronous: the revoke goes through a
//   short-lived child process.
// - an exception thrown from a timer in publish (uncaught, outside any step's promise);
// - SIGINT, then SIGTERM while the revoke request is still in flight (a runner cancelling a job sends
//   both): the second signal must not kill the revoke;
// - SIGHUP (the terminal or the session goes away).
// A slow revoke is the stand-in's `delayRoute`: the request waits there, and a client that dies
// meanwhile never gets it served (status 499), so a killed revoke shows as a live token.
import { strict as assert } from "node:assert";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { protectReleaseRefs, releaseWorld, type ReleaseWorld, type RunResult, DEFAULT_PLUGINS, appTokens, assertNoSecrets, assertTokensRevoked, configure, output, refPushes } from "../helpers/e2e.js";
import { startStandIn, type StandIn } from "github-stand-in";
import { readProbeRecords } from "../fixtures/probe-plugin.mjs";

const PROBE = fileURLToPath(new URL("../fixtures/probe-plugin.mjs", import.meta.url));
const REVOKE = "DELETE /installation/token";
/** long enough that a second signal lands while the revoke waits; the test never sleeps for it */
const SLOW_REVOKE_MS = 2000;

async function probeList(world: ReleaseWorld, label: string, options: Record<string, unknown>): Promise<{ recordDir: string; entry: unknown[] }> {
  const recordDir = join(world.workDir, "..", "probe-records");
  await mkdir(recordDir, { recursive: true });
  return { recordDir, entry: [PROBE, { label, recordDir, ...options }] };
}

function revokeRequests(world: ReleaseWorld) {
  return world.standIn.requests({ route: REVOKE });
}

async function assertNothingPushed(world: ReleaseWorld, mainBefore: string | undefined): Promise<void> {
  assert.equal(await world.remoteRef("refs/heads/main"), mainBefore, "main did not move");
  assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "no tag");
  assert.equal(refPushes(world).length, 0);
}

describe("the stand-in's slow revoke (the tool the signal tests rely on)", () => {
  let standIn: StandIn;
  let token: string;

  before(async () => {
    standIn = await startStandIn();
    standIn.createUser("octo");
    await standIn.createRepo("octo", "lib");
    const { app } = standIn.createApp({ slug: "release-bot", owner: "octo" });
    token = standIn.mintInstallationToken(standIn.installApp(app, "octo")).token;
  });
  after(() => standIn.close());

  it("drops a revoke whose client went away while it waited: the token stays live", async () => {
    const controller = new AbortController();
    standIn.delayRoute(REVOKE, 60_000, () => controller.abort());
    const dropped = new Promise<void>((resolve) => standIn.onRequest((r) => r.route === REVOKE, () => resolve()));
    await assert.rejects(fetch(`${standIn.apiUrl}/installation/token`, { method: "DELETE", headers: { authorization: `token ${token}` }, signal: controller.signal }));
    await dropped;
    assert.deepEqual(
      standIn.requests({ route: REVOKE }).map((r) => r.status),
      [499],
    );
    assert.equal(standIn.revoked(token), false);
  });

  it("serves it after the delay when the client stays", async () => {
    standIn.delayRoute(REVOKE, 50);
    const response = await fetch(`${standIn.apiUrl}/installation/token`, { method: "DELETE", headers: { authorization: `token ${token}` } });
    assert.equal(response.status, 204);
    assert.equal(standIn.revoked(token), true);
  });
});

describe("process.exit(0) in the success step of a plugin listed after this one, with the token exported", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    const { entry } = await probeList(world, "after", { exitInSuccess: true });
    await configure(world, { exportToken: true }, { after: [entry] });
    result = await world.run();
  });
  after(() => world.close());

  it("the release went out and the process ended through the plugin's exit(0)", async () => {
    assert.equal(result.code, 0, output(result));
    assert.match(output(result), /probe after: process\.exit\(0\) in success/);
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
  });

  it("revokes every App token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("process.exit(0) in the success step of a plugin listed before this one (this plugin's success never runs)", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    const { entry } = await probeList(world, "before", { exitInSuccess: true });
    await configure(world, {}, { before: [...DEFAULT_PLUGINS, entry] });
    result = await world.run();
  });
  after(() => world.close());

  it("the release went out and the process ended through the plugin's exit(0)", async () => {
    assert.equal(result.code, 0, output(result));
    assert.match(output(result), /probe before: process\.exit\(0\) in success/);
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
  });

  it("revokes every App token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("an exception thrown from a timer in another plugin's publish step", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    const { entry } = await probeList(world, "after", { crashInPublish: true });
    await configure(world, {}, { after: [entry] });
    result = await world.run();
  });
  after(() => world.close());

  it("the run fails with the exception (after the release was pushed)", async () => {
    assert.notEqual(result.code, 0, output(result));
    assert.match(output(result), /probe after: a timer threw in publish/);
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"), "prepare had pushed the release");
  });

  it("revokes every App token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("SIGINT during prepare, then SIGTERM while the revoke is still in flight", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;
  let sigtermDuringRevoke = false;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    // another plugin's slow prepare before ours: the token is live while it sleeps
    const { recordDir, entry } = await probeList(world, "before", { sleepInPrepareMs: 60_000 });
    await configure(world, {}, { before: [...DEFAULT_PLUGINS, entry] });
    // the revoke request waits at the stand-in; as it arrives, the second signal goes to the process
    // (its pid is in the probe's records: the probe's children record their parent)
    world.standIn.delayRoute(REVOKE, SLOW_REVOKE_MS, () => {
      if (sigtermDuringRevoke) return;
      sigtermDuringRevoke = true;
      process.kill(readProbeRecords(recordDir)[0]!.pid, "SIGTERM");
    });
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run([], {}, { signalAfter: { pattern: /probe before: sleeping in prepare/, signal: "SIGINT" } });
  });
  after(() => world.close());

  it("SIGTERM reached the process while the revoke request was in flight", () => {
    assert.ok(sigtermDuringRevoke, `a revoke request arrived after SIGINT:\n${output(result)}`);
  });

  it("the process survives the second signal, finishes the revoke, and exits with a failure code of its own", async () => {
    assert.notEqual(result.code, null, "the process was killed by a signal instead of exiting");
    assert.notEqual(result.code, 0);
    assert.deepEqual(
      revokeRequests(world).map((r) => r.status),
      appTokens(world).map(() => 204),
      "every revoke request was served (499: the client died with it in flight)",
    );
    await assertNothingPushed(world, mainBefore);
  });

  it("revokes every App token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("SIGHUP during prepare", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    const { entry } = await probeList(world, "before", { sleepInPrepareMs: 60_000 });
    await configure(world, {}, { before: [...DEFAULT_PLUGINS, entry] });
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run([], {}, { signalAfter: { pattern: /probe before: sleeping in prepare/, signal: "SIGHUP" } });
  });
  after(() => world.close());

  it("stops with a failure code, pushing nothing", async () => {
    assert.notEqual(result.code, 0, output(result));
    assert.doesNotMatch(output(result), /Completed step "prepare" of plugin "[^"]*probe-plugin\.mjs"/, "the step was interrupted");
    await assertNothingPushed(world, mainBefore);
  });

  it("revokes every App token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});
