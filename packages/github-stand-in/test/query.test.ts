// The query API tests use to see what the stand-in saw: requests, judged ref updates, dispatches,
// tokens; marks, onRequest, and the two settings changes (updateRuleset, suspendInstallation).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startStandIn, type StandIn } from "../src/index.js";
import type { App, Installation, Repository } from "../src/world.js";

const ACTOR = "installation:release-bot[bot]";
let standIn: StandIn;
let app: App;
let installation: Installation;
let repo: Repository;

before(async () => {
  standIn = await startStandIn();
  ({ app } = standIn.createApp({ slug: "release-bot", permissions: { contents: "write", metadata: "read" } }));
  repo = await standIn.createRepo("octo", "proj");
  installation = standIn.installApp(app, "octo");
});
after(() => standIn.close());

async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; data: any }> {
  const res = await fetch(`${standIn.apiUrl}${path}`, {
    method,
    headers: { authorization: `token ${token}`, accept: "application/vnd.github+json", ...(body ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, data: text ? JSON.parse(text) : undefined };
}

const mint = (): string => standIn.mintInstallationToken(installation).token;

describe("requests()", () => {
  it("filters by route (with or without /api/v3), status, actor and mark, and never holds a token", async () => {
    const token = mint();
    const since = standIn.mark();
    assert.equal((await api(token, "GET", "/repos/octo/proj")).status, 200);
    assert.equal((await api(token, "GET", "/repos/octo/missing")).status, 404);
    assert.equal((await api(token, "GET", "/user")).status, 403);

    const repoReads = standIn.requests({ route: "GET /repos/{owner}/{repo}", since });
    assert.deepEqual(repoReads.map((r) => [r.path, r.status, r.actor, r.authScheme]), [
      ["/api/v3/repos/octo/proj", 200, ACTOR, "token"],
      ["/api/v3/repos/octo/missing", 404, ACTOR, "token"],
    ]);
    assert.equal(standIn.requests({ route: "get /api/v3/repos/{owner}/{repo}", status: 404, since }).length, 1);
    assert.equal(standIn.requests({ actor: ACTOR, since }).length, 3);
    assert.equal(standIn.requests({ since }).length, 3);
    assert.ok(standIn.requests().length >= 3, "without a mark: everything");
    assert.doesNotMatch(JSON.stringify(standIn.requests()), new RegExp(token));
  });

  it("throws for a route the stand-in does not serve, so a typo cannot pass as 'no request'", () => {
    assert.throws(() => standIn.requests({ route: "GET /repos/{owner}/{repo}/installations" }), /unknown route/);
    assert.throws(() => standIn.requests({ route: "DELETE /installation/tokens" }), /unknown route/);
  });

  it("returns copies: changing one does not change what the stand-in recorded", async () => {
    await api(mint(), "GET", "/repos/octo/proj");
    const [last] = standIn.requests().slice(-1);
    last!.status = 599;
    assert.notEqual(standIn.requests().at(-1)!.status, 599);
  });
});

describe("refPushes()", () => {
  it("lists the ref updates the rules engine judged, by ref, outcome, actor and channel", async () => {
    standIn.addRuleset(repo, { name: "main", target: "branch", rules: [{ type: "pull_request" }] });
    const token = mint();
    const since = standIn.mark();
    const main = await standIn.git(repo, "rev-parse", "refs/heads/main");
    const tree = await standIn.git(repo, "rev-parse", "refs/heads/main^{tree}");
    const commit = await api(token, "POST", "/repos/octo/proj/git/commits", { message: "feat: x", tree, parents: [main] });
    assert.equal(commit.status, 201);
    assert.equal((await api(token, "PATCH", "/repos/octo/proj/git/refs/heads/main", { sha: commit.data.sha })).status, 422);
    assert.equal((await api(token, "POST", "/repos/octo/proj/git/refs", { ref: "refs/tags/v1.0.0", sha: main })).status, 201);

    assert.deepEqual(
      standIn.refPushes({ since }).map((p) => [p.updates.map((u) => u.ref), p.accepted, p.actor, p.via]),
      [
        [["refs/heads/main"], false, ACTOR, "api"],
        [["refs/tags/v1.0.0"], true, ACTOR, "api"],
      ],
    );
    assert.match(standIn.refPushes({ ref: "refs/heads/main", since })[0]!.message, /Changes must be made through a pull request/);
    assert.deepEqual(standIn.refPushes({ accepted: true, since }).map((p) => p.updates[0]!.ref), ["refs/tags/v1.0.0"]);
    assert.deepEqual(standIn.refPushes({ via: "git", since }), []);
    assert.deepEqual(standIn.refPushes({ actor: "user:someone", since }), []);
  });
});

describe("dispatches()", () => {
  it("lists accepted dispatches by kind and repository", async () => {
    const since = standIn.mark();
    assert.equal((await api(mint(), "POST", "/repos/octo/proj/dispatches", { event_type: "released", client_payload: { v: "1" } })).status, 204);
    assert.deepEqual(
      standIn.dispatches({ kind: "repository_dispatch", repository: "octo/proj", since }).map((d) => [d.actor, d.event_type, d.client_payload]),
      [[ACTOR, "released", { v: "1" }]],
    );
    assert.deepEqual(standIn.dispatches({ kind: "workflow_dispatch", since }), []);
  });
});

describe("tokens(), token(), revoked()", () => {
  it("tell which tokens exist and which were revoked, without letting a test revoke one", async () => {
    const since = standIn.mark();
    const first = mint();
    const second = mint();
    assert.equal((await api(first, "DELETE", "/installation/token")).status, 204);

    assert.deepEqual(standIn.tokens({ appId: app.id, since }).map((t) => t.token), [first, second]);
    assert.deepEqual(standIn.tokens({ appId: app.id, live: true, since }).map((t) => t.token), [second]);
    assert.deepEqual(standIn.tokens({ installationId: installation.id, live: false, since }).map((t) => t.token), [first]);
    assert.deepEqual(standIn.tokens({ kind: "user", since }), []);
    assert.equal(standIn.revoked(first), true);
    assert.equal(standIn.revoked(second), false);

    standIn.token(second)!.revoked = true;
    standIn.tokens({ since })[1]!.revoked = true;
    assert.equal(standIn.revoked(second), false, "records handed out are copies");
    assert.equal((await api(second, "GET", "/repos/octo/proj")).status, 200);
  });

  it("revoked() throws for a token the stand-in never made", () => {
    assert.throws(() => standIn.revoked("ghs_neverMadeByTheStandIn000000000000000"), /never made/);
    assert.equal(standIn.token("ghs_neverMadeByTheStandIn000000000000000"), undefined);
  });

  it("live: false also takes in expired tokens", async () => {
    const since = standIn.mark();
    const token = standIn.mintInstallationToken(installation, { lifetimeSeconds: 60 }).token;
    standIn.setClockSkew(61_000);
    try {
      assert.deepEqual(standIn.tokens({ live: false, since }).map((t) => t.token), [token]);
      assert.equal((await api(token, "GET", "/repos/octo/proj")).status, 401);
    } finally {
      standIn.setClockSkew(0);
    }
  });
});

describe("onRequest()", () => {
  it("acts as the request is recorded, before the client sees the answer; once by default; stoppable", async () => {
    const token = mint();
    const seen: number[] = [];
    standIn.onRequest(
      (r) => r.route === "GET /repos/{owner}/{repo}",
      (r) => seen.push(r.status),
    );
    const stop = standIn.onRequest(
      (r) => r.route === "GET /user",
      () => standIn.failNext("GET /repos/{owner}/{repo}", 1, 503),
      { once: false },
    );
    await api(token, "GET", "/repos/octo/proj");
    await api(token, "GET", "/repos/octo/proj");
    assert.deepEqual(seen, [200], "once");

    await api(token, "GET", "/user");
    assert.equal((await api(token, "GET", "/repos/octo/proj")).status, 503, "the fault was in place for the next request");
    stop();
    await api(token, "GET", "/user");
    assert.equal((await api(token, "GET", "/repos/octo/proj")).status, 200, "stopped");
  });
});

describe("settings changes", () => {
  it("updateRuleset() validates bypass actors as GitHub does and moves updated_at", async () => {
    const ruleset = standIn.addRuleset(repo, { name: "tags", target: "tag", rules: [{ type: "deletion" }] });
    // docs/github.md §4: the Actions integration cannot bypass on a user-owned repository
    assert.throws(() => standIn.updateRuleset(ruleset, { bypass_actors: [{ actor_id: 15368, actor_type: "Integration", bypass_mode: "always" }] }), /422/);
    assert.deepEqual(ruleset.bypass_actors, []);
    standIn.setClockSkew(5_000);
    try {
      standIn.updateRuleset(ruleset, { bypass_actors: [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }] });
    } finally {
      standIn.setClockSkew(0);
    }
    assert.deepEqual(ruleset.bypass_actors, [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }]);
    assert.ok(ruleset.updated_at > ruleset.created_at);
  });

  it("suspendInstallation() stops minting until it is unsuspended", () => {
    standIn.suspendInstallation(installation);
    assert.throws(() => mint(), /403: This installation has been suspended/);
    standIn.suspendInstallation(installation, false);
    assert.match(mint(), /^ghs_/);
  });
});
