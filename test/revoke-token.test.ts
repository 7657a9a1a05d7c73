import { test } from "node:test";
import assert from "node:assert/strict";
import { format } from "node:util";
import type { Logger } from "../lib/octokit.js";
import { revokeToken } from "../lib/token/revoke-token.js";
import { startStandIn } from "./github-stand-in/index.js";

const FAST = { retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } };

function makeLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    log: (...args) => lines.push(`log: ${format(...args)}`),
    warn: (...args) => lines.push(`warn: ${format(...args)}`),
  };
  return { logger, lines };
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  standIn.createUser("octo");
  await standIn.createRepo("octo", "proj");
  const { app } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } });
  const installation = standIn.installApp(app, "octo");
  return { standIn, installation };
}

const deletes = (standIn: Awaited<ReturnType<typeof startStandIn>>) => standIn.requests({ route: "DELETE /installation/token" });

test("DELETE /installation/token with the token itself; a second call sends nothing", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger, lines } = makeLogger();
  const options = { token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST };
  assert.equal(await revokeToken(options), "revoked");
  assert.equal(await revokeToken(options), "revoked");
  assert.equal(record.revoked, true);
  assert.deepEqual(deletes(standIn).map((r) => [r.status, r.authScheme, r.actor]), [[204, "token", "installation:release-bot[bot]"]]);
  assert.deepEqual(lines, ["log: Revoked the GitHub App token."]);
});

test("An expired token is not revoked (no request)", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger, lines } = makeLogger();
  const expiresAt = new Date(Date.now() - 1000);
  assert.equal(await revokeToken({ token: record.token, expiresAt, baseUrl: standIn.apiUrl, logger, octokitOptions: FAST }), "expired");
  assert.deepEqual(deletes(standIn), []);
  assert.match(lines[0]!, /^log: Not revoking the GitHub App token: it expired at/);
});

test("A failed revocation is a warning, never an error, and names no token", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger, lines } = makeLogger();
  standIn.failNext("DELETE /installation/token", 2, 502);
  const result = await revokeToken({ token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST });
  assert.equal(result, "failed");
  // one retry at most
  assert.deepEqual(deletes(standIn).map((r) => r.status), [502, 502]);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^warn: Could not revoke the GitHub App token \(502 /);
  assert.ok(!lines[0]!.includes(record.token));
});

test("A 502 then 204 is retried once and counts as revoked", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  const { logger } = makeLogger();
  standIn.failNext("DELETE /installation/token", 1, 502);
  assert.equal(await revokeToken({ token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST }), "revoked");
  assert.deepEqual(deletes(standIn).map((r) => r.status), [502, 204]);
  assert.equal(record.revoked, true);
});

test("An already invalid token: GitHub's 401 becomes a warning", async (t) => {
  const { standIn, installation } = await setup(t);
  const record = standIn.mintInstallationToken(installation);
  record.revoked = true; // revoked elsewhere
  const { logger, lines } = makeLogger();
  assert.equal(await revokeToken({ token: record.token, expiresAt: new Date(record.expiresAt), baseUrl: standIn.apiUrl, logger, octokitOptions: FAST }), "failed");
  assert.match(lines[0]!, /^warn: Could not revoke the GitHub App token \(401 Bad credentials/);
});
