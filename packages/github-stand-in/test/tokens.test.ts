import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createAppAuth } from "@octokit/auth-app";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { Installation } from "../src/world.js";

let standIn: StandIn;
let privateKey: string;
let appId: number;
let clientId: string;
let installation: Installation;

before(async () => {
  standIn = await startStandIn();
  standIn.createOrg("acme", { alice: "admin" });
  const created = standIn.createApp({ slug: "release-bot", owner: "acme", permissions: { contents: "write", metadata: "read" } });
  privateKey = created.privateKey;
  appId = created.app.id;
  clientId = created.app.clientId;
  await standIn.createRepo("acme", "widgets");
  await standIn.createRepo("acme", "gadgets");
  installation = standIn.installApp(created.app, "acme", { repositories: ["widgets"] });
});
after(() => standIn.close());

function appOctokit(id: number | string = appId) {
  return new Octokit({ baseUrl: standIn.apiUrl, authStrategy: createAppAuth, auth: { appId: id, privateKey } });
}

describe("installation tokens", () => {
  it("mints a token with the App ID as iss and finds the installation", async () => {
    const octokit = appOctokit();
    const { data: inst } = await octokit.request("GET /repos/{owner}/{repo}/installation", { owner: "acme", repo: "widgets" });
    assert.equal(inst.id, installation.id);
    assert.equal(inst.app_slug, "release-bot");
    const { data, status } = await octokit.request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: inst.id,
    });
    assert.equal(status, 201);
    assert.match(data.token, /^ghs_[A-Za-z0-9]{36}$/);
    assert.deepEqual(data.permissions, { contents: "write", metadata: "read" });
    assert.equal(data.repository_selection, "selected");
    assert.ok(Math.abs(Date.parse(data.expires_at) - Date.now() - 3600_000) < 5000);
  });

  it("accepts the client ID as iss", async () => {
    const { data } = await appOctokit(clientId).request("GET /app");
    assert.equal(data!.slug, "release-bot");
    assert.equal(data!.client_id, clientId);
  });

  it("refuses a permission the installation lacks with GitHub's 422", async () => {
    await assert.rejects(
      appOctokit().request("POST /app/installations/{installation_id}/access_tokens", {
        installation_id: installation.id,
        permissions: { administration: "write" },
      }),
      { status: 422, message: /The permissions requested are not granted to this installation\./ },
    );
  });

  it("refuses repositories outside the installation", async () => {
    await assert.rejects(
      appOctokit().request("POST /app/installations/{installation_id}/access_tokens", {
        installation_id: installation.id,
        repositories: ["gadgets"],
      }),
      { status: 422 },
    );
  });

  it("revoked tokens get 401 Bad credentials", async () => {
    const { token } = standIn.mintInstallationToken(installation);
    const octokit = new Octokit({ baseUrl: standIn.apiUrl, auth: token });
    const { status } = await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" });
    assert.equal(status, 200);
    assert.equal((await octokit.request("DELETE /installation/token")).status, 204);
    await assert.rejects(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }), {
      status: 401,
      message: /Bad credentials/,
    });
  });

  it("expired tokens get 401 Bad credentials", async () => {
    const { token } = standIn.mintInstallationToken(installation, { lifetimeSeconds: 1 });
    const octokit = new Octokit({ baseUrl: standIn.apiUrl, auth: token });
    await octokit.request("GET /installation/repositories");
    await new Promise((r) => setTimeout(r, 1100));
    await assert.rejects(octokit.request("GET /installation/repositories"), { status: 401 });
  });

  it("lets the X-GitHub-Stateless-S2S-Token header force the long token form", async () => {
    const { data } = await appOctokit().request("POST /app/installations/{installation_id}/access_tokens", {
      installation_id: installation.id,
      headers: { "x-github-stateless-s2s-token": "enabled" },
    });
    assert.ok(data.token.startsWith(`ghs_${appId}_`));
    assert.ok(data.token.length > 450);
    assert.match(data.token, /^ghs_\d+_[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("finds the bot user", async () => {
    const octokit = new Octokit({ baseUrl: standIn.apiUrl });
    const { data } = await octokit.request("GET /users/{username}", { username: "release-bot[bot]" });
    assert.equal(data.type, "Bot");
    assert.equal(data.id, standIn.app("release-bot")!.botUserId);
    assert.notEqual(data.id, appId);
  });
});
