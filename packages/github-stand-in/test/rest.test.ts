import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { App, Installation, Repository } from "../src/world.js";

let standIn: StandIn;
let app: App;
let installation: Installation;
let repo: Repository;

before(async () => {
  standIn = await startStandIn();
  standIn.createOrg("acme", { alice: "admin", bob: "member" });
  ({ app } = standIn.createApp({ slug: "release-bot", owner: "acme", permissions: { contents: "write", actions: "write" } }));
  repo = await standIn.createRepo("acme", "widgets", {
    collaborators: { bob: "write" },
    files: {
      "README.md": "# widgets\n",
      ".github/workflows/release.yml": "on:\n  workflow_dispatch:\njobs: {}\n",
    },
  });
  installation = standIn.installApp(app, "acme");
});
after(() => standIn.close());

const octokitFor = (token?: string) => new Octokit({ baseUrl: standIn.apiUrl, ...(token ? { auth: token } : {}) });
const installationOctokit = (permissions?: Record<string, "read" | "write">) =>
  octokitFor(standIn.mintInstallationToken(installation, { permissions }).token);

describe("tokens and users", () => {
  it("mints stateless ghs_<appid>_<JWT> tokens when asked", async () => {
    const other = await startStandIn({ tokenFormat: "stateless" });
    try {
      other.createUser("octo");
      const { app: a } = other.createApp({ slug: "long-bot", owner: "octo" });
      await other.createRepo("octo", "demo");
      const inst = other.installApp(a, "octo");
      const { token } = other.mintInstallationToken(inst);
      assert.ok(token.startsWith(`ghs_${a.id}_`));
      assert.equal(token.split(".").length, 3);
      assert.ok(token.length > 450 && token.length < 600, String(token.length));
      const { data } = await new Octokit({ baseUrl: other.apiUrl, auth: token }).request("GET /repos/{owner}/{repo}", {
        owner: "octo",
        repo: "demo",
      });
      assert.equal(data.full_name, "octo/demo");
    } finally {
      await other.close();
    }
  });

  it("GET /user answers a PAT with the user and an installation token with 403", async () => {
    const { data } = await octokitFor(standIn.createPat("alice")).request("GET /user");
    assert.equal(data.login, "alice");
    await assert.rejects(installationOctokit().request("GET /user"), {
      status: 403,
      message: /Resource not accessible by integration/,
    });
  });

  it("GET /users/{login} finds bots with a URL-encoded [bot]", async () => {
    const res = await fetch(`${standIn.apiUrl}/users/release-bot%5Bbot%5D`);
    const body = (await res.json()) as { login: string; id: number; type: string };
    assert.deepEqual([res.status, body.login, body.type, body.id], [200, "release-bot[bot]", "Bot", app.botUserId]);
  });

  it("GET /repos/{o}/{r} shows a user's permissions", async () => {
    const { data } = await octokitFor(standIn.createPat("bob")).request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" });
    assert.deepEqual(data.permissions, { admin: false, maintain: false, push: true, triage: true, pull: true });
  });

  it("actionsToken acts as github-actions[bot] on one repository", async () => {
    const token = standIn.actionsToken(repo, { contents: "write" });
    const { data } = await octokitFor(token).request("GET /installation/repositories");
    assert.deepEqual(data.repositories.map((r) => r.full_name), ["acme/widgets"]);
    assert.equal(standIn.requests().at(-1)!.actor, "installation:github-actions[bot]");
  });
});

describe("rules and rulesets", () => {
  let bypassed: number;
  let strict: number;
  before(() => {
    bypassed = standIn.addRuleset(repo, {
      name: "main",
      target: "branch",
      rules: [{ type: "pull_request", parameters: { required_approving_review_count: 1 } }, { type: "non_fast_forward" }, { type: "deletion" }],
      bypass_actors: [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }],
    }).id;
    strict = standIn.addRuleset("acme", {
      name: "org signatures",
      target: "branch",
      conditions: { ref_name: { include: ["~ALL"], exclude: [] }, repository_name: { include: ["widgets"], exclude: [] } },
      rules: [{ type: "required_signatures" }, { type: "creation" }],
    }).id;
    standIn.addRuleset(repo, { name: "tags", target: "tag", conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } }, rules: [{ type: "update" }] });
  });

  it("pages rules/branches/{branch} with a Link header", async () => {
    const octokit = installationOctokit();
    const first = await octokit.request("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner: "acme", repo: "widgets", branch: "main", per_page: 2 });
    assert.equal(first.data.length, 2);
    assert.match(first.headers.link!, /[?&]page=2[^>]*>; rel="next"/);
    assert.match(first.headers.link!, /[?&]page=3[^>]*>; rel="last"/);
    const third = await octokit.request("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner: "acme", repo: "widgets", branch: "main", per_page: 2, page: 3 });
    assert.equal(third.data.length, 1);
    assert.doesNotMatch(third.headers.link!, /rel="next"/);
    const all = [...first.data, ...(await octokit.request("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner: "acme", repo: "widgets", branch: "main", per_page: 2, page: 2 })).data, ...third.data];
    assert.deepEqual(all.map((r) => [r.type, r.ruleset_source_type, r.ruleset_id]), [
      ["pull_request", "Repository", bypassed],
      ["non_fast_forward", "Repository", bypassed],
      ["deletion", "Repository", bypassed],
      ["required_signatures", "Organization", strict],
      ["creation", "Organization", strict],
    ]);
  });

  it("lists ruleset summaries filtered by targets and includes_parents", async () => {
    const octokit = installationOctokit();
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/rulesets", { owner: "acme", repo: "widgets", targets: "branch" });
    assert.deepEqual(data.map((r) => r.name), ["main", "org signatures"]);
    assert.equal((data[0] as Record<string, unknown>).rules, undefined);
    const own = await octokit.request("GET /repos/{owner}/{repo}/rulesets", { owner: "acme", repo: "widgets", includes_parents: false });
    assert.deepEqual(own.data.map((r) => r.name), ["main", "tags"]);
  });

  it("computes current_user_can_bypass for the App and hides bypass_actors without Administration write", async () => {
    const octokit = installationOctokit();
    const get = (id: number) => octokit.request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner: "acme", repo: "widgets", ruleset_id: id });
    const onList = (await get(bypassed)).data;
    assert.equal(onList.current_user_can_bypass, "always");
    assert.equal(onList.bypass_actors, undefined);
    assert.equal(onList.rules!.length, 3);
    assert.equal((await get(strict)).data.current_user_can_bypass, "never");
    // an org admin with a PAT may write rulesets and sees the bypass list
    const admin = await octokitFor(standIn.createPat("alice")).request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", {
      owner: "acme",
      repo: "widgets",
      ruleset_id: bypassed,
    });
    assert.deepEqual(admin.data.bypass_actors, [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }]);
    assert.equal(admin.data.current_user_can_bypass, "never");
  });

  it("needs Metadata read for rules: a token without it gets 403", async () => {
    const token = standIn.mintInstallationToken(installation, { permissions: { contents: "read" } });
    // metadata comes with every token; strip it to see the permission check
    if (token.actor.kind === "installation") delete token.actor.permissions.metadata;
    await assert.rejects(
      octokitFor(token.token).request("GET /repos/{owner}/{repo}/rulesets", { owner: "acme", repo: "widgets" }),
      { status: 403, message: /Resource not accessible by integration/ },
    );
  });
});

describe("branches and protection", () => {
  let plain: Repository;
  before(async () => {
    plain = await standIn.createRepo("acme", "plain", { defaultBranch: "trunk" });
    standIn.setProtection(plain, "trunk", { required_status_checks: { strict: true, contexts: ["ci"] } });
    standIn.addRuleset(plain, { name: "release", target: "branch", conditions: { ref_name: { include: ["refs/heads/release"], exclude: [] } }, rules: [{ type: "update" }] });
    const sha = await standIn.git(plain, "rev-parse", "refs/heads/trunk");
    await standIn.git(plain, "update-ref", "refs/heads/release", sha);
    await standIn.git(plain, "update-ref", "refs/heads/feature/x", sha);
  });
  const branch = (octokit: Octokit, name: string) => octokit.request("GET /repos/{owner}/{repo}/branches/{branch}", { owner: "acme", repo: "plain", branch: name });
  const protection = (octokit: Octokit, name: string) =>
    octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection", { owner: "acme", repo: "plain", branch: name });

  it("reports protected for classic protection and for rulesets; protection.enabled for classic only", async () => {
    const octokit = installationOctokit();
    const trunk = (await branch(octokit, "trunk")).data;
    assert.deepEqual([trunk.protected, trunk.protection.enabled], [true, true]);
    const release = (await branch(octokit, "release")).data;
    assert.deepEqual([release.protected, release.protection.enabled], [true, false]);
    const feature = (await branch(octokit, "feature/x")).data;
    assert.deepEqual([feature.name, feature.protected], ["feature/x", false]);
    assert.match(feature.protection_url, /\/branches\/feature%2Fx\/protection$/);
    await assert.rejects(branch(octokit, "nope"), { status: 404, message: /Branch not found/ });
  });

  it("answers /protection with 403 without Administration read, 200 with it, 404 when only rulesets apply", async () => {
    await assert.rejects(protection(installationOctokit(), "trunk"), { status: 403, message: /Resource not accessible by integration/ });
    const adminApp = standIn.createApp({ slug: "admin-bot", owner: "acme", permissions: { administration: "read", contents: "read" } }).app;
    const admin = octokitFor(standIn.mintInstallationToken(standIn.installApp(adminApp, "acme")).token);
    const { data } = await protection(admin, "trunk");
    assert.deepEqual(data.required_status_checks?.contexts, ["ci"]);
    assert.equal(data.enforce_admins?.enabled, false);
    await assert.rejects(protection(admin, "release"), { status: 404, message: /Branch not protected/ });
  });
});

describe("git database", () => {
  it("builds a commit the App did not sign itself and marks it verified; moves the ref", async () => {
    const octokit = installationOctokit();
    const params = { owner: "acme", repo: "widgets" };
    const base = (await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...params, ref: "heads/main" })).data.object.sha;
    const baseCommit = (await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...params, commit_sha: base })).data;
    const blob = (await octokit.request("POST /repos/{owner}/{repo}/git/blobs", { ...params, content: Buffer.from("1.0.0\n").toString("base64"), encoding: "base64" })).data;
    const tree = (
      await octokit.request("POST /repos/{owner}/{repo}/git/trees", {
        ...params,
        base_tree: baseCommit.tree.sha,
        tree: [
          { path: "VERSION", mode: "100644", type: "blob", sha: blob.sha },
          { path: "CHANGELOG.md", mode: "100644", type: "blob", content: "# 1.0.0\n" },
        ],
      })
    ).data;
    assert.deepEqual(tree.tree.map((e) => e.path).sort(), [".github", "CHANGELOG.md", "README.md", "VERSION"]);
    const commit = (await octokit.request("POST /repos/{owner}/{repo}/git/commits", { ...params, message: "chore(release): 1.0.0", tree: tree.sha, parents: [base] })).data;
    assert.equal(commit.author.name, "release-bot[bot]");
    assert.equal(commit.author.email, `${app.botUserId}+release-bot[bot]@users.noreply.127.0.0.1`, "the server's own noreply host, as on GHES");
    assert.deepEqual([commit.committer.name, commit.committer.email], ["GitHub", "noreply@github.com"]);
    assert.deepEqual([commit.verification.verified, commit.verification.reason], [true, "valid"]);
    assert.ok(repo.verifiedCommits.has(commit.sha));

    // the ruleset on main has pull_request, but the App is on its bypass list
    const moved = await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...params, ref: "heads/main", sha: commit.sha });
    assert.equal(moved.data.object.sha, commit.sha);
    assert.equal(await standIn.git(repo, "rev-parse", "refs/heads/main"), commit.sha);
    assert.equal(await standIn.git(repo, "show", `${commit.sha}:VERSION`), "1.0.0");
    assert.equal(standIn.refPushes().at(-1)!.via, "api");

    // a commit with an explicit author is not signed
    const authored = (
      await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
        ...params,
        message: "x",
        tree: tree.sha,
        parents: [commit.sha],
        author: { name: "Someone", email: "someone@example.com" },
      })
    ).data;
    assert.deepEqual([authored.verification.verified, authored.committer.email], [false, "someone@example.com"]);

    // non-fast-forward without force
    await assert.rejects(octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...params, ref: "heads/main", sha: base }), {
      status: 422,
      message: /Update is not a fast forward/,
    });
  });

  it("refuses ref writes that break rules with 422 'Repository rule violations found'", async () => {
    const octokit = installationOctokit();
    const params = { owner: "acme", repo: "widgets" };
    const main = (await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...params, ref: "heads/main" })).data.object.sha;
    // the org ruleset forbids creating branches; the App is not on its list
    const err = await octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...params, ref: "refs/heads/new", sha: main }).catch((e: unknown) => e);
    assert.equal((err as { status: number }).status, 422);
    assert.equal(
      (err as { response: { data: { message: string } } }).response.data.message,
      "Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n",
    );
    // tags: creation is fine, then the tag may not move
    const tag = await octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...params, ref: "refs/tags/v1.0.0", sha: main });
    assert.equal(tag.status, 201);
    await assert.rejects(octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...params, ref: "refs/tags/v1.0.0", sha: main }), {
      status: 422,
      message: /Reference already exists/,
    });
  });

  it("needs Contents write for git database writes", async () => {
    await assert.rejects(
      installationOctokit({ contents: "read" }).request("POST /repos/{owner}/{repo}/git/blobs", { owner: "acme", repo: "widgets", content: "x" }),
      { status: 403, message: /Resource not accessible by integration/ },
    );
  });
});

describe("dispatches", () => {
  it("records repository and workflow dispatches", async () => {
    const octokit = installationOctokit();
    const params = { owner: "acme", repo: "widgets" };
    assert.equal((await octokit.request("POST /repos/{owner}/{repo}/dispatches", { ...params, event_type: "released", client_payload: { version: "1.0.0" } })).status, 204);
    assert.equal(
      (await octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", { ...params, workflow_id: "release.yml", ref: "main", inputs: { v: "1" } })).status,
      204,
    );
    assert.deepEqual(
      standIn.dispatches().map((d) => [d.kind, d.repository, d.actor, d.event_type ?? d.workflow_id]),
      [
        ["repository_dispatch", "acme/widgets", "installation:release-bot[bot]", "released"],
        ["workflow_dispatch", "acme/widgets", "installation:release-bot[bot]", "release.yml"],
      ],
    );
    await assert.rejects(
      octokit.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", { ...params, workflow_id: "missing.yml", ref: "main" }),
      { status: 404 },
    );
    await assert.rejects(
      installationOctokit({ contents: "write" }).request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", { ...params, workflow_id: "release.yml", ref: "main" }),
      { status: 403 },
    );
  });
});

describe("server knobs", () => {
  it("answers unknown routes with GitHub's 404 and records them as UNKNOWN", async () => {
    const res = await fetch(`${standIn.apiUrl}/repos/acme/widgets/nothing-here`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    assert.ok(res.headers.get("date"));
    const last = standIn.requests().at(-1)!;
    assert.deepEqual([last.route, last.status, last.git], ["UNKNOWN", 404, false]);
  });

  it("failNext injects faults per route; setLatency delays requests", async () => {
    const octokit = installationOctokit();
    standIn.failNext("GET /repos/{owner}/{repo}", 2, 502);
    standIn.failNext("GET /repos/{owner}/{repo}/installation", 1, 403);
    await assert.rejects(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }), { status: 502 });
    await assert.rejects(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" }), { status: 502 });
    assert.equal((await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" })).status, 200);
    const limited = await fetch(`${standIn.apiUrl}/repos/acme/widgets/installation`);
    assert.equal(limited.status, 403);
    assert.equal(limited.headers.get("retry-after"), "1");
    assert.match(((await limited.json()) as { message: string }).message, /secondary rate limit/);
    assert.throws(() => standIn.failNext("GET /no/such/route", 1), /unknown route/);

    standIn.setLatency(150);
    try {
      const start = Date.now();
      await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "widgets" });
      assert.ok(Date.now() - start >= 150);
    } finally {
      standIn.setLatency(0);
    }
  });

  it("never records tokens", () => {
    const tokens = standIn.tokens().map((t) => t.token);
    const recorded = JSON.stringify(standIn.requests());
    assert.ok(tokens.every((t) => !recorded.includes(t)));
  });
});
