// End to end: `token` prints an App token for a script (stdout: the token alone; stderr: its
// lifetime, and on GitHub Actions the mask first), scoped by --repository and --permission; `revoke`
// revokes the token in GH_TOKEN.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { assertNoSecrets, output, releaseWorld, type ReleaseWorld } from "../helpers/e2e.js";
import { runBin, runBinIn } from "../helpers/cli-bin.js";

describe("token and revoke", () => {
  let world: ReleaseWorld;

  before(async () => {
    world = await releaseWorld({ installationPermissions: { contents: "write", metadata: "read", issues: "write" } });
  });
  after(() => world.close());

  it("prints the token alone on stdout, masked first on GitHub Actions, its lifetime on stderr", async () => {
    const result = await runBinIn(world, ["token"]);
    assert.equal(result.code, 0, output(result));
    const lines = result.stdout.split("\n");
    assert.equal(lines.length, 2, "one line and its newline: `$(…)` gets the token");
    const value = lines[0]!;
    const record = world.standIn.token(value);
    assert.ok(record && record.actor.kind === "installation", "an installation token of the App");
    assert.equal(record.actor.app.id, world.app.id);
    assert.deepEqual(record.actor.repositoryIds, [world.repo.id]);
    assert.deepEqual(record.actor.permissions, { contents: "write", metadata: "read" });
    assert.equal(record.revoked, false, "the script's to use: not revoked");
    const mask = result.stderr.indexOf(`::add-mask::${value}`);
    assert.ok(mask >= 0, "masked on stderr");
    assert.match(result.stderr, /The token expires at \d{4}-\d\d-\d\dT[\d:.]+Z \(in 60 minutes\); permissions: contents: write, metadata: read/);
    assert.ok(mask < result.stderr.indexOf("The token expires"), "the mask comes first");
  });

  it("--permission and --repository: exactly those, from a directory that is not a clone; no mask off GitHub Actions", async () => {
    const result = await runBin({ cwd: world.runnerTemp, env: { ...world.env, GITHUB_ACTIONS: "" }, args: ["token", "--repository", "octo/lib", "--permission", "issues=write", "--permission", "contents=read"] });
    assert.equal(result.code, 0, output(result));
    const value = result.stdout.trim();
    const record = world.standIn.token(value);
    assert.ok(record && record.actor.kind === "installation");
    assert.deepEqual(record.actor.permissions, { contents: "read", issues: "write", metadata: "read" });
    assert.doesNotMatch(result.stderr, /add-mask/);
    assert.doesNotMatch(result.stderr, new RegExp(value), "the token is on stdout only");
  });

  it("a permission the installation lacks: EAPPPERMISSIONS with its fix, exit 1, nothing left live", async () => {
    const before = world.standIn.tokens({ appId: world.app.id, live: true }).length;
    const result = await runBinIn(world, ["token", "--permission", "pull_requests=write"]);
    assert.equal(result.code, 1, output(result));
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^✘ EAPPPERMISSIONS /m);
    assert.match(result.stderr, /^ {2}fix: /m);
    assert.equal(world.standIn.tokens({ appId: world.app.id, live: true }).length, before);
  });

  it("revoke: revokes the token in GH_TOKEN (exit 0); again: GitHub refuses (exit 1)", async () => {
    const minted = await runBinIn(world, ["token"], { GITHUB_ACTIONS: undefined });
    const value = minted.stdout.trim();
    const first = await runBinIn(world, ["revoke"], { GH_TOKEN: value });
    assert.equal(first.code, 0, output(first));
    assert.match(first.stderr, /Revoked the GitHub App token\./);
    assert.equal(world.standIn.revoked(value), true);
    const again = await runBinIn(world, ["revoke"], { GH_TOKEN: value });
    assert.equal(again.code, 1, output(again));
    assert.match(again.stderr, /Could not revoke the GitHub App token \(401/);
    await assertNoSecrets(world, first);
  });

  it("the App's credentials missing: ENOAPPCREDENTIALS with its fix, exit 1", async () => {
    const result = await runBinIn(world, ["token"], { GITHUB_APP_PRIVATE_KEY: undefined });
    assert.equal(result.code, 1, output(result));
    assert.match(result.stderr, /^✘ ENOAPPCREDENTIALS /m);
    assert.match(result.stderr, /^ {2}fix: /m);
  });
});
