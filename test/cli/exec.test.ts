// End to end: `semantic-release-github-app exec -- <command>`, the least-privilege mode. The workflow
// token can only read (actions/checkout persisted it, as with `permissions: contents: read`): the
// real semantic-release CLI alone stops at its push probe (EGITNOPERMISSION); under exec the App's
// token does every write, the plugin inside takes it as given (one mint), and exec revokes it when
// the command ends: released, crashed, killed by a signal, or not found.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { persistCheckoutCredentials } from "github-stand-in/checkout";
import type { Mark } from "github-stand-in";
import {
  APP_ACTOR,
  DEFAULT_PLUGINS,
  PLUGIN_PLACEHOLDER,
  appTokens,
  assertNoSecrets,
  assertReleasePushedByApp,
  errorCodes,
  fingerprint,
  output,
  protectReleaseRefs,
  releaseWorld,
  resetWorkspace,
  setPlugins,
  type ReleaseWorld,
  type RunResult,
} from "../helpers/e2e.js";
import { CLI_BIN, runBinIn, semanticReleaseCommand } from "../helpers/cli-bin.js";

/** A world whose workflow token has `contents: read` only, persisted by checkout as the job's git credential. */
async function leastPrivilegeWorld(): Promise<{ world: ReleaseWorld; readToken: string }> {
  const world = await releaseWorld({ checkout: false });
  protectReleaseRefs(world, "always");
  const readToken = world.standIn.actionsToken(world.repo, { contents: "read" });
  await persistCheckoutCredentials(world.workDir, { origin: world.standIn.origin, token: readToken, layout: "v4" });
  return { world, readToken };
}

/** The App tokens minted since `mark`. */
function mintedSince(world: ReleaseWorld, since: Mark) {
  return world.standIn.tokens({ appId: world.app.id, since });
}

describe("exec: a release with a contents: read workflow token", () => {
  let world: ReleaseWorld;
  let readToken: string;
  let plain: RunResult;
  let released: RunResult;
  let mark: Mark;

  before(async () => {
    ({ world, readToken } = await leastPrivilegeWorld());
    plain = await world.run([], { GITHUB_TOKEN: readToken });
    await resetWorkspace(world);
    mark = world.standIn.mark();
    released = await runBinIn(world, ["exec", "--", ...semanticReleaseCommand()], { GITHUB_TOKEN: readToken });
  });
  after(() => world.close());

  it("without exec, semantic-release stops at its push probe (EGITNOPERMISSION)", () => {
    assert.equal(plain.code, 1, output(plain));
    assert.ok(errorCodes(output(plain)).includes("EGITNOPERMISSION"), output(plain));
  });

  it("under exec the release succeeds and every push is the App's", async () => {
    assert.equal(released.code, 0, output(released));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"), "v1.0.0 is on GitHub");
    assertReleasePushedByApp(world, { since: mark });
    assert.ok(world.standIn.refPushes({ since: mark }).every((push) => push.actor === APP_ACTOR), "semantic-release's own pushes went through the App's token too");
  });

  it("the plugin inside uses the token it was given: one mint, by exec", () => {
    assert.match(output(released), /Using the GitHub App installation token in GH_TOKEN \(release-bot\[bot\]\)/);
    const minted = mintedSince(world, mark);
    assert.equal(minted.length, 1, "exactly one App token minted");
    assert.ok(minted[0]!.actor.kind === "installation");
    assert.equal(minted[0]!.actor.permissions.contents, "write");
  });

  it("exec revokes the token when the release ends, and no secret is printed", async () => {
    assert.ok(mintedSince(world, mark).every((record) => record.revoked), "the App token is revoked");
    assert.equal(world.standIn.requests({ route: "DELETE /installation/token", since: mark }).length, 1, "revoked once: the plugin inside revokes nothing it did not mint");
    await assertNoSecrets(world, released);
  });
});

/** A child that reports what it got, by fingerprint: never a value. */
const PROBE = `
const { execFileSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fp = (v) => (v ? createHash("sha256").update(v).digest("hex").slice(0, 16) : "unset");
const e = process.env;
const url = process.argv[1];
const header = execFileSync("git", ["config", "--get-urlmatch", "http.extraheader", url], { encoding: "utf8" }).trim();
const hooks = (() => { try { return execFileSync("git", ["config", "core.hooksPath"], { encoding: "utf8" }).trim(); } catch { return "unset"; } })();
console.log("probe " + JSON.stringify({
  GH_TOKEN: fp(e.GH_TOKEN), GITHUB_TOKEN: fp(e.GITHUB_TOKEN), header: fp(header), hooks,
  key: "GITHUB_APP_PRIVATE_KEY" in e, clientId: "GITHUB_APP_CLIENT_ID" in e, appId: "GITHUB_APP_ID" in e, installationId: "GITHUB_APP_INSTALLATION_ID" in e,
  oidcUrl: e.ACTIONS_ID_TOKEN_REQUEST_URL, oidcToken: e.ACTIONS_ID_TOKEN_REQUEST_TOKEN, npmToken: e.NPM_TOKEN,
}));
`;

describe("exec: the command's environment, exit code and signals", () => {
  let world: ReleaseWorld;
  let readToken: string;

  before(async () => {
    ({ world, readToken } = await leastPrivilegeWorld());
  });
  after(() => world.close());

  it("gives the command the token in GH_TOKEN, GITHUB_TOKEN and git's header, no App credentials, every other variable untouched", async () => {
    const mark = world.standIn.mark();
    const remote = `${world.standIn.origin}/octo/lib.git`;
    const passThrough = { ACTIONS_ID_TOKEN_REQUEST_URL: "https://oidc.example/token?x=1", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc-request-token", NPM_TOKEN: "npm-token", GITHUB_APP_ID: String(world.app.id), GITHUB_APP_INSTALLATION_ID: String(world.installation.id) };
    const result = await runBinIn(world, ["exec", "--", process.execPath, "-e", PROBE, remote], { GITHUB_TOKEN: readToken, ...passThrough });
    assert.equal(result.code, 0, output(result));
    const seen = JSON.parse(/^probe (.*)$/m.exec(result.stdout)![1]!) as Record<string, unknown>;
    const [minted] = mintedSince(world, mark);
    assert.ok(minted);
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${minted.token}`).toString("base64")}`;
    assert.deepEqual(seen, {
      GH_TOKEN: fingerprint(minted.token),
      GITHUB_TOKEN: fingerprint(minted.token),
      header: fingerprint(header),
      hooks: "unset",
      key: false,
      clientId: false,
      appId: false,
      installationId: false,
      oidcUrl: passThrough.ACTIONS_ID_TOKEN_REQUEST_URL,
      oidcToken: passThrough.ACTIONS_ID_TOKEN_REQUEST_TOKEN,
      npmToken: passThrough.NPM_TOKEN,
    });
    assert.ok(minted.revoked, "revoked after the command");
    await assertNoSecrets(world, result);
  });

  it("exits with the command's exit code and revokes", async () => {
    const mark = world.standIn.mark();
    const result = await runBinIn(world, ["exec", "--", process.execPath, "-e", "process.exit(7)"]);
    assert.equal(result.code, 7, output(result));
    assert.ok(mintedSince(world, mark).every((record) => record.revoked));
  });

  it("forwards SIGTERM to the command, exits 143, and revokes", async () => {
    const mark = world.standIn.mark();
    const result = await runBinIn(world, ["exec", "--", process.execPath, "-e", "console.log('child-started'); setInterval(() => {}, 1000)"], {}, { pattern: /child-started/, signal: "SIGTERM" });
    assert.equal(result.code, 143, output(result));
    const minted = mintedSince(world, mark);
    assert.equal(minted.length, 1);
    assert.ok(minted[0]!.revoked, "revoked after the signal");
  });

  it("SIGINT while the token is being minted: the command is not started, exit 130, the token revoked", async () => {
    const marker = join(world.runnerTemp, "started");
    const mark = world.standIn.mark();
    const bin = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), CLI_BIN, "exec", "--", process.execPath, "-e", `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "")`], { cwd: world.workDir, env: world.env, stdio: "ignore" });
    // the mint's answer is held a while; the signal goes out as the request arrives
    world.standIn.delayRoute("POST /app/installations/{installation_id}/access_tokens", 3000, () => bin.kill("SIGINT"));
    const code = await new Promise<number | null>((resolve) => bin.on("exit", resolve));
    world.standIn.delayRoute("POST /app/installations/{installation_id}/access_tokens", 0);
    assert.equal(code, 130);
    assert.equal(existsSync(marker), false, "the command never ran");
    const minted = mintedSince(world, mark);
    assert.equal(minted.length, 1);
    assert.ok(minted[0]!.revoked, "the token minted after the signal is revoked");
  });

  it("a command that is not found: exit 127, the token revoked", async () => {
    const mark = world.standIn.mark();
    const result = await runBinIn(world, ["exec", "--", "no-such-command-h11a"]);
    assert.equal(result.code, 127, output(result));
    assert.match(result.stderr, /could not start no-such-command-h11a: command not found/);
    assert.ok(mintedSince(world, mark).every((record) => record.revoked));
  });

  it("semantic-release killed in the middle of the release (SIGKILL in prepare): exit 137, nothing pushed, the token revoked", async () => {
    const crash = join(world.runnerTemp, "..", "crash-plugin.mjs");
    await writeFile(crash, `export async function prepare() { process.kill(process.pid, "SIGKILL"); }\n`);
    await setPlugins(world, [...DEFAULT_PLUGINS, crash, PLUGIN_PLACEHOLDER]);
    const mark = world.standIn.mark();
    const result = await runBinIn(world, ["exec", "--", ...semanticReleaseCommand()], { GITHUB_TOKEN: readToken });
    assert.equal(result.code, 137, output(result));
    assert.deepEqual(world.standIn.refPushes({ since: mark }), [], "nothing was pushed");
    const minted = mintedSince(world, mark);
    assert.equal(minted.length, 1, "one mint: the plugin inside used exec's token");
    assert.ok(minted[0]!.revoked, "exec revoked the token after the crash");
    assert.equal(appTokens(world).filter((record) => !record.revoked).length, 0);
  });
});
