import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createReleaseToken } from "../lib/token/index.js";
import { revokeInstallationToken } from "../lib/token/revoke.js";
import type { ResolvedConfig } from "../lib/types.js";
import { startStandIn, type StandIn } from "github-stand-in";
import { FAST, makeLogger, tokenConfig } from "./helpers/token-fixtures.js";



async function setup(t: { after: (fn: () => Promise<void>) => void }, opts: { tokenLifetimeSeconds?: number } = {}) {
  const standIn = await startStandIn(opts);
  t.after(() => standIn.close());
  standIn.createUser("octo");
  await standIn.createRepo("octo", "proj");
  const { app, privateKey } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } });
  const installation = standIn.installApp(app, "octo");
  return { standIn, app, privateKey, installation };
}

const deletes = (standIn: StandIn) => standIn.requests({ route: "DELETE /installation/token" });

function appConfig(standIn: StandIn, appId: number, privateKey: string): ResolvedConfig {
  return tokenConfig(standIn, { appId: String(appId), privateKey });
}

// ---- one token: revokeInstallationToken ------------------------------------------------------

test("DELETE /installation/token with the token itself", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger, lines } = makeLogger();
  const options = { token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST };
  assert.equal(await revokeInstallationToken(options), "revoked");
  assert.equal(standIn.revoked(record.token), true);
  assert.deepEqual(deletes(standIn).map((r) => [r.status, r.authScheme, r.actor]), [[204, "token", "installation:release-bot[bot]"]]);
  assert.deepEqual(lines, ["log: Revoked the GitHub App token."]);
});

test("An expired token is not revoked (no request)", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger, lines } = makeLogger();
  const expiresAt = new Date(Date.now() - 1000);
  assert.equal(await revokeInstallationToken({ token: record.token, expiresAt, baseUrl: standIn.apiUrl, logger, octokitOptions: FAST }), "expired");
  assert.deepEqual(deletes(standIn), []);
  assert.match(lines[0]!, /^log: Not revoking the GitHub App token: it expired at/);
});

test("A failed revocation is a warning, never an error, and names no token but its expiry", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger, lines } = makeLogger();
  standIn.failNext("DELETE /installation/token", 2, 502);
  const result = await revokeInstallationToken({ token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST });
  assert.equal(result, "failed");
  // one retry at most
  assert.deepEqual(deletes(standIn).map((r) => r.status), [502, 502]);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^warn: Could not revoke the GitHub App token \(502 /);
  assert.ok(lines[0]!.endsWith(`it expires by itself at ${new Date(record.expiresAt).toISOString()}.`));
  assert.ok(!lines[0]!.includes(record.token));
});

test("A 502 then 204 is retried once and counts as revoked", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger } = makeLogger();
  standIn.failNext("DELETE /installation/token", 1, 502);
  assert.equal(await revokeInstallationToken({ token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST }), "revoked");
  assert.deepEqual(deletes(standIn).map((r) => r.status), [502, 204]);
  assert.equal(standIn.revoked(record.token), true);
});

test("An already invalid token: GitHub's 401 becomes a warning", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger, lines } = makeLogger();
  // revoked elsewhere
  assert.equal(await revokeInstallationToken({ token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST }), "revoked");
  lines.length = 0;
  assert.equal(await revokeInstallationToken({ token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST }), "failed");
  assert.match(lines[0]!, /^warn: Could not revoke the GitHub App token \(401 Bad credentials/);
});

// ---- every token of a ReleaseToken: revoke() and revokeSync() ----------------------------------

test("revoke() revokes each token once: the replaced one at the re-mint, the current one at the end; later calls send nothing", async (t) => {
  const { standIn, app, privateKey } = await setup(t, { tokenLifetimeSeconds: 200 });
  const { logger, lines } = makeLogger();
  const token = await createReleaseToken({ config: appConfig(standIn, app.id, privateKey), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  const [first] = standIn.tokens({ kind: "installation" });
  const second = await token.fresh(); // 200 s left < 5 minutes: re-minted, the first revoked at once
  assert.notEqual(second, first!.token);
  assert.equal(standIn.revoked(first!.token), true);
  assert.equal(deletes(standIn).length, 1);

  const ending = token.revoke();
  assert.equal(token.revoke(), ending, "one promise for every caller");
  await Promise.all([ending, token.revoke()]);
  await token.revoke();
  token.revokeSync(); // revoke() ran: no child, no request
  assert.equal(deletes(standIn).length, 2);
  assert.deepEqual(standIn.tokens({ kind: "installation", live: true }), []);
  assert.deepEqual(lines.filter((line) => line === "log: Revoked the GitHub App token."), ["log: Revoked the GitHub App token."]);
  await assert.rejects(token.fresh(), /already revoked/);
  await assert.rejects(token.octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "proj" }), /already revoked/);
});

/** Run test/fixtures/release-token-exit.ts: a process that holds a ReleaseToken and calls process.exit. */
function runExitFixture(input: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const fixture = fileURLToPath(new URL("./fixtures/release-token-exit.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), fixture], { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(JSON.stringify(input));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("revokeSync() from an exit listener: a child process revokes the live token before the process ends", async (t) => {
  const { standIn, app, privateKey } = await setup(t);
  const result = await runExitFixture({ config: appConfig(standIn, app.id, privateKey), owner: "octo", repo: "proj" });
  assert.equal(result.code, 0, result.stderr);
  const [record] = standIn.tokens({ kind: "installation" });
  assert.ok(record);
  assert.equal(standIn.revoked(record.token), true);
  assert.deepEqual(deletes(standIn).map((r) => [r.status, r.authScheme, r.actor]), [[204, "token", "installation:release-bot[bot]"]]);
  assert.match(result.stdout, /exiting\nlog: Revoked the GitHub App token\.\n$/);
  assert.ok(!`${result.stdout}${result.stderr}`.includes(record.token));
});

test("revokeSync() after revoke(): nothing more is sent", async (t) => {
  const { standIn, app, privateKey } = await setup(t);
  const result = await runExitFixture({ config: appConfig(standIn, app.id, privateKey), owner: "octo", repo: "proj", revokeFirst: true });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(standIn.tokens({ kind: "installation", live: true }), []);
  assert.equal(deletes(standIn).length, 1);
  assert.deepEqual(result.stdout.split("\n").filter((line) => /revoke/i.test(line)), ["log: Revoked the GitHub App token."]);
  assert.match(result.stdout, /exiting\n$/);
});

test("revokeSync() when GitHub does not answer: a warning with the expiry, within the child's time limit", async (t) => {
  const { standIn, app, privateKey } = await setup(t);
  standIn.failNext("DELETE /installation/token", 1, 503);
  const result = await runExitFixture({ config: appConfig(standIn, app.id, privateKey), owner: "octo", repo: "proj" });
  assert.equal(result.code, 0, result.stderr);
  const [record] = standIn.tokens({ kind: "installation" });
  assert.equal(standIn.revoked(record!.token), false);
  assert.match(result.stdout, /warn: Could not revoke the GitHub App token \(503 refused\); it expires by itself at \d{4}-\d\d-\d\dT/);
});
