import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import { JWT_ERRORS } from "../src/jwt.js";
import type { App } from "../src/world.js";

let standIn: StandIn;
let app: App;
let privateKey: string;

before(async () => {
  standIn = await startStandIn();
  ({ app, privateKey } = standIn.createApp({ slug: "release-bot", keyFormat: "pkcs8" }));
});
after(() => standIn.close());

function jwt(payload: Record<string, unknown>, key = privateKey, header: Record<string, unknown> = { alg: "RS256", typ: "JWT" }): string {
  const data = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  return `${data}.${sign("RSA-SHA256", Buffer.from(data), key).toString("base64url")}`;
}

async function getApp(token: string) {
  const res = await fetch(`${standIn.apiUrl}/app`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { message?: string; slug?: string }, date: res.headers.get("date") };
}

const now = () => Math.floor(Date.now() / 1000);

describe("App JWT verification", () => {
  it("accepts the App ID as number or numeric string and the client ID", async () => {
    for (const iss of [app.id, String(app.id), app.clientId]) {
      const res = await getApp(jwt({ iat: now() - 30, exp: now() + 540, iss }));
      assert.equal(res.status, 200, String(iss));
      assert.equal(res.body.slug, "release-bot");
    }
  });

  it("answers a wrong key with 401 'A JSON web token could not be decoded'", async () => {
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    const res = await getApp(jwt({ iat: now() - 30, exp: now() + 540, iss: app.id }, other));
    assert.deepEqual([res.status, res.body.message], [401, "A JSON web token could not be decoded"]);
  });

  it("answers a mangled token with the same 401", async () => {
    const res = await getApp("eyJhbGciOiJSUzI1NiJ9.bm9wZQ.c2ln");
    assert.deepEqual([res.status, res.body.message], [401, JWT_ERRORS.undecodable]);
  });

  it("answers an unknown iss with 404 'Integration not found'", async () => {
    const res = await getApp(jwt({ iat: now() - 30, exp: now() + 540, iss: 999999 }));
    assert.deepEqual([res.status, res.body.message], [404, "Integration not found"]);
  });

  it("refuses exp more than 10 minutes ahead", async () => {
    const res = await getApp(jwt({ iat: now(), exp: now() + 601, iss: app.id }));
    assert.deepEqual([res.status, res.body.message], [401, "'Expiration time' claim ('exp') is too far in the future"]);
  });

  it("refuses an expired JWT", async () => {
    const res = await getApp(jwt({ iat: now() - 700, exp: now() - 100, iss: app.id }));
    assert.deepEqual(
      [res.status, res.body.message],
      [401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"],
    );
  });

  it("refuses iat in the future", async () => {
    const res = await getApp(jwt({ iat: now() + 60, exp: now() + 120, iss: app.id }));
    assert.deepEqual(
      [res.status, res.body.message],
      [401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"],
    );
  });

  it("sends a Date header so @octokit/auth-app can correct clock skew", async () => {
    standIn.setClockSkew(-5 * 60_000); // the stand-in's clock is 5 minutes behind the client's
    try {
      const octokit = new Octokit({
        baseUrl: standIn.apiUrl,
        authStrategy: createAppAuth,
        auth: { appId: app.id, privateKey, log: { warn: () => {} } },
      });
      const { data } = await octokit.request("GET /app");
      assert.equal(data!.id, app.id);
      const statuses = standIn.requests({ route: "GET /app" }).slice(-2).map((r) => r.status);
      assert.deepEqual(statuses, [401, 200]);
    } finally {
      standIn.setClockSkew(0);
    }
  });

  it("does not accept an installation token on JWT endpoints", async () => {
    const installation = standIn.installApp(app, app.owner.login);
    const { token } = standIn.mintInstallationToken(installation);
    const res = await fetch(`${standIn.apiUrl}/app`, { headers: { authorization: `token ${token}` } });
    assert.equal(res.status, 401);
  });
});
