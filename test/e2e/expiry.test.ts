// Hardening, token expiry (docs/architecture.md "Token lifetime": before the push the App token is
// re-minted when fewer than 5 minutes are left by its `expires_at`; the replaced token is revoked at
// once unless it already expired (no DELETE for an expired token, no warning); every token ends
// revoked. A slow prepare step of another plugin (test/fixtures/step-plugin.mjs) runs before ours.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult, appTokens, assertNoSecrets, followFixtureClock, output, requestsTo, withStep } from "../helpers/e2e.js";
import type { RecordedRequest } from "github-stand-in";

const MINT = "POST /app/installations/{installation_id}/access_tokens";
const REVOKE = "DELETE /installation/token";
const APP_ACTOR = "installation:release-bot[bot]";

async function assertReleasedByApp(world: ReleaseWorld, result: RunResult): Promise<void> {
  assert.equal(result.code, 0, output(result));
  const main = await world.remoteRef("refs/heads/main");
  assert.equal(await world.remoteRef("refs/tags/v1.0.0"), main, "v1.0.0 is on the release commit");
  assert.equal((await world.remoteCommit("refs/heads/main")).subject, "chore(release): 1.0.0 [skip ci]");
  const release = world.standIn.refPushes({ accepted: true, ref: "refs/heads/main" })[0];
  // the stand-in refuses an expired or revoked token (401): an accepted push had a live App token
  assert.equal(release?.actor, APP_ACTOR, "the release push was made by the App");
}

/** indexes in the stand-in's request log */
function indexes(world: ReleaseWorld, test: (r: RecordedRequest) => boolean): number[] {
  return world.standIn.requests().flatMap((r, i) => (test(r) ? [i] : []));
}

/** the token was re-minted after the slow step and before the push, and that push was the App's */
function assertRemintedBeforePush(world: ReleaseWorld, result: RunResult): void {
  const mints = indexes(world, (r) => r.route === MINT && r.status === 201);
  assert.ok(mints.length >= 2, `a second token was minted (mints: ${mints.length})`);
  const releasePush = indexes(world, (r) => r.git && r.method === "POST" && r.path.endsWith("/git-receive-pack") && r.actor === APP_ACTOR);
  assert.ok(releasePush.length > 0, "the App pushed");
  assert.ok(mints[1]! < releasePush[0]!, "the re-mint came before the push");
  const text = output(result);
  const slow = text.indexOf("step-plugin: prepare done");
  const reminted = text.search(/Re-minted the GitHub App token \(the previous one had -?\d+ s left\)/);
  const pushed = text.indexOf("Pushed refs/heads/main and refs/tags/v1.0.0 atomically as release-bot[bot]");
  assert.ok(slow >= 0 && reminted > slow && pushed > reminted, "log order: slow step, re-mint, push");
}

describe("a slow prepare step leaves the token with less than 5 minutes (real time)", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    // 302 s: enough for verifyConditions (requests re-mint only under 60 s), under 300 s after the 3 s step
    world = await releaseWorld({ checkout: "v4", tokenLifetimeSeconds: 302, plugins: withStep({ sleepMs: 3000 }) });
    result = await world.run();
  });
  after(() => world.close());

  it("re-mints before the push and pushes with the new token as the App", async () => {
    await assertReleasedByApp(world, result);
    assertRemintedBeforePush(world, result);
  });

  it("revokes the replaced token at once and the last one at the end: every token ends revoked", async () => {
    const tokens = appTokens(world);
    assert.ok(tokens.length >= 2);
    for (const [i, t] of tokens.entries()) assert.ok(t.revoked, `App token #${i + 1} is revoked`);
    assert.deepEqual(
      requestsTo(world, REVOKE).map((r) => r.status),
      tokens.map(() => 204),
      "one DELETE /installation/token per token, each accepted",
    );
    assert.doesNotMatch(output(result), /Could not revoke/);
    await assertNoSecrets(world, result);
  });
});

describe("the token expired during a slow prepare step (the clock moves 61 minutes)", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    // step-plugin moves this process's clock and the stand-in's together: an hour passes without waiting
    world = await releaseWorld({ checkout: "v4", plugins: withStep({ fakeClock: true, advanceClockSeconds: 3660 }) });
    followFixtureClock(world);
    result = await world.run();
  });
  after(() => world.close());

  it("re-mints before the push and pushes with the new token as the App", async () => {
    await assertReleasedByApp(world, result);
    assertRemintedBeforePush(world, result);
    assert.equal(indexes(world, (r) => r.route === MINT && r.status === 201).length, 2, "exactly one re-mint");
  });

  it("does not try to revoke the expired token and warns about nothing; the new token ends revoked", async () => {
    const [expired, fresh] = appTokens(world);
    assert.ok(expired && fresh);
    assert.equal(expired.revoked, false, "the expired token was left alone");
    assert.ok(expired.expiresAt <= world.standIn.now(), "it had expired on the stand-in too");
    assert.equal(fresh.revoked, true, "the new token is revoked at the end");
    // a DELETE with the expired token would be answered 401 (and counted here)
    assert.deepEqual(requestsTo(world, REVOKE).map((r) => r.status), [204], "one DELETE /installation/token, for the live token");
    assert.doesNotMatch(output(result), /Could not revoke|⚠.*revok/i);
    await assertNoSecrets(world, result);
  });
});

describe("API writes re-mint too: commitMode api, then a dispatch after the clock moved again", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    // 58 minutes pass in prepare (2 left, under the 5-minute margin), then 58 more in success
    world = await releaseWorld({
      checkout: "v4",
      pluginOptions: { commitMode: "api", dispatch: [{ repository: "octo/lib", eventType: "released" }] },
      plugins: withStep({ fakeClock: true, advanceClockSeconds: 3480, advanceClockSecondsOnSuccess: 3480 }),
    });
    followFixtureClock(world);
    result = await world.run();
  });
  after(() => world.close());

  it("re-mints before the first API write and again before the dispatch, all as the App", async () => {
    assert.equal(result.code, 0, output(result));
    const main = await world.remoteRef("refs/heads/main");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), main);
    const mints = indexes(world, (r) => r.route === MINT && r.status === 201);
    assert.equal(mints.length, 3, "the first token and two re-mints");
    const writes = indexes(world, (r) => r.route.startsWith("POST /repos/{owner}/{repo}/git/") || r.route.startsWith("PATCH /repos/{owner}/{repo}/git/"));
    assert.ok(writes.length >= 4, "blob/tree/commit/ref writes");
    assert.ok(mints[1]! < writes[0]! && writes.at(-1)! < mints[2]!, "second token before the API commit, third after it");
    for (const i of writes) assert.equal(world.standIn.requests()[i]!.actor, APP_ACTOR);
    const dispatch = indexes(world, (r) => r.route === "POST /repos/{owner}/{repo}/dispatches");
    assert.equal(dispatch.length, 1);
    assert.ok(mints[2]! < dispatch[0]!, "the dispatch went out with the third token");
    assert.equal(world.standIn.requests()[dispatch[0]!]!.status, 204);
  });

  it("revokes every token (each replaced one was still live), one DELETE each, no warning", async () => {
    const tokens = appTokens(world);
    assert.equal(tokens.length, 3);
    for (const [i, t] of tokens.entries()) assert.ok(t.revoked, `App token #${i + 1} is revoked`);
    assert.deepEqual(requestsTo(world, REVOKE).map((r) => r.status), [204, 204, 204]);
    assert.doesNotMatch(output(result), /Could not revoke/);
    await assertNoSecrets(world, result);
  });
});
