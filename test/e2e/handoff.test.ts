// End to end: handing the App token to the plugins that run after this plugin's prepare step
// (README "exportToken"; docs/architecture.md "Token lifetime"). With @semantic-release/github after
// this plugin (its default configuration: comments and labels included, test/e2e/github-plugin.test.ts
// covers them), its requests are the App's, and the token is still revoked at the end (by the
// beforeExit fallback: our success step leaves it to the later plugins). A probe plugin logs a fingerprint of GH_TOKEN/GITHUB_TOKEN in each
// step (never the value) so the test can tell which token a later plugin saw. The workflow token has
// issues and pull-requests write, as @semantic-release/github asks of a workflow.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult, APP_ACTOR, PULL_REQUEST_RULE, appBypass, appTokens, assertNoSecrets, assertReleasePushedByApp, assertTokensRevoked, configure, fingerprint, output, probed, writeEnvProbe } from "../helpers/e2e.js";

const GITHUB_PLUGIN = "@semantic-release/github";
const GITHUB_PLUGIN_REQUESTS = ["GET /repos/{owner}/{repo}", "POST /repos/{owner}/{repo}/releases", "POST /graphql"];

/** the world, the run, and the workflow GITHUB_TOKEN it ran with */
async function setUp(exportToken: boolean | undefined, installationPermissions?: Record<string, "read" | "write">): Promise<{ world: ReleaseWorld; result: RunResult; workflowToken: string }> {
  const world = await releaseWorld(installationPermissions ? { installationPermissions } : {});
  world.standIn.addRuleset(world.repo, { name: "Protect main", target: "branch", rules: [PULL_REQUEST_RULE], bypass_actors: appBypass(world) });
  const probe = await writeEnvProbe(world);
  await configure(world, exportToken === undefined ? {} : { exportToken }, { after: [GITHUB_PLUGIN, probe] });
  const workflowToken = world.standIn.actionsToken(world.repo, { contents: "write", metadata: "read", issues: "write", pull_requests: "write" });
  const result = await world.run([], { GITHUB_TOKEN: workflowToken });
  return { world, result, workflowToken };
}

/** requests of the routes @semantic-release/github uses, after our plugin's own verifyConditions */
function githubPluginRequests(world: ReleaseWorld) {
  return world.standIn.requests({ git: false }).filter((r) => GITHUB_PLUGIN_REQUESTS.includes(r.route));
}

describe("exportToken: true with @semantic-release/github after this plugin, and an installation that may not comment", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let workflowToken: string;

  before(async () => ({ world, result, workflowToken } = await setUp(true)));
  after(() => world.close());

  it("releases, and @semantic-release/github publishes the GitHub release as the App", async () => {
    assert.match(output(result), /Published GitHub release/);
    assertReleasePushedByApp(world);
    const requests = githubPluginRequests(world);
    const publish = requests.filter((r) => r.route === "POST /repos/{owner}/{repo}/releases");
    assert.deepEqual(publish.map((r) => [r.status, r.actor]), [[201, APP_ACTOR]], "published as the App");
    // its verifyConditions ran before the export: it checked the repository with the workflow token
    assert.equal(requests[0]?.actor, "installation:github-actions[bot]");
    const [release] = world.standIn.releases(world.repo);
    assert.ok(release);
    assert.equal(release.tag_name, "v1.0.0");
    assert.equal(release.author.login, "release-bot[bot]");
  });

  it("warns before the release that the installation lacks what @semantic-release/github's comments need", () => {
    assert.match(output(result), /needs issues: ?write, pull_requests: ?write to comment on released issues and pull requests/);
    const [token] = appTokens(world);
    assert.deepEqual(token!.actor.kind === "installation" && token!.actor.permissions, { contents: "write", metadata: "read" });
  });

  it("as warned, @semantic-release/github's success step then fails: GitHub refuses the App token the released pull requests", () => {
    assert.notEqual(result.code, 0, "the run fails after the release");
    // the compatibility leg names the plugin by its path
    assert.match(output(result), /Failed step "success" of plugin "[^"]*@semantic-release\/github[^"]*"/);
    assert.match(output(result), /Resource not accessible by integration/);
    const [query] = world.standIn.graphql({ operationName: "getAssociatedPRs" });
    assert.equal(query?.actor, APP_ACTOR);
    assert.ok(query && query.errors.length > 0, "GitHub answered with errors");
    for (const e of query.errors) assert.deepEqual([e.type, e.path?.at(-1)], ["FORBIDDEN", "associatedPullRequests"], "one per released commit");
  });

  it("a later plugin sees the App token in GH_TOKEN and GITHUB_TOKEN from the end of this plugin's prepare step on, not before", () => {
    const [token] = appTokens(world);
    assert.ok(token);
    for (const step of ["prepare", "publish", "success"]) {
      const seen = probed(result, step);
      for (const name of ["GH_TOKEN", "GITHUB_TOKEN"]) {
        assert.deepEqual(seen[name], { context: fingerprint(token.token), process: fingerprint(token.token) }, `${name} in ${step}`);
      }
    }
    const early = probed(result, "verifyConditions");
    assert.deepEqual(early.GITHUB_TOKEN, { context: fingerprint(workflowToken), process: fingerprint(workflowToken) }, "GITHUB_TOKEN in verifyConditions");
    assert.deepEqual(early.GH_TOKEN, { context: "unset", process: "unset" }, "GH_TOKEN in verifyConditions");
  });

  it("still revokes the token at the end, after the later plugins' success step, and leaks no secret", async () => {
    assertTokensRevoked(world);
    const requests = world.standIn.requests();
    const revoke = requests.findIndex((r) => r.route === "DELETE /installation/token");
    const lastRelease = requests.length - 1 - [...requests].reverse().findIndex((r) => r.route === "GET /repos/{owner}/{repo}");
    assert.ok(revoke > lastRelease, "revoked after @semantic-release/github's success step");
    await assertNoSecrets(world, result);
  });
});

describe("exportToken off (the default)", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let workflowToken: string;

  before(async () => ({ world, result, workflowToken } = await setUp(undefined)));
  after(() => world.close());

  it("leaves GH_TOKEN and GITHUB_TOKEN as they were for later plugins", () => {
    assert.equal(result.code, 0, output(result));
    for (const step of ["verifyConditions", "prepare", "publish", "success"]) {
      const seen = probed(result, step);
      assert.deepEqual(seen.GITHUB_TOKEN, { context: fingerprint(workflowToken), process: fingerprint(workflowToken) }, `GITHUB_TOKEN in ${step}`);
      assert.deepEqual(seen.GH_TOKEN, { context: "unset", process: "unset" }, `GH_TOKEN in ${step}`);
    }
  });

  it("the release push is still the App's; @semantic-release/github acts with the workflow token, its GraphQL queries included", () => {
    const pushes = world.standIn.refPushes({ ref: "refs/heads/main" });
    assert.deepEqual(pushes.map((p) => p.actor), [APP_ACTOR]);
    const requests = githubPluginRequests(world);
    assert.ok(requests.some((r) => r.route === "POST /graphql"), "its success step asked GraphQL");
    for (const r of requests) assert.equal(r.actor, "installation:github-actions[bot]", `${r.method} ${r.path}`);
  });

  it("revokes the App token in its own success step and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("exportToken with @semantic-release/github, and an installation that may comment", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => ({ world, result } = await setUp(true, { contents: "write", metadata: "read", issues: "write", pull_requests: "write" })));
  after(() => world.close());

  it("asks for issues:write and pull_requests:write in the token, and does not warn", () => {
    assert.equal(result.code, 0, output(result));
    const [token] = appTokens(world);
    assert.deepEqual(token!.actor.kind === "installation" && token!.actor.permissions, { contents: "write", metadata: "read", issues: "write", pull_requests: "write" });
    assert.doesNotMatch(output(result), /needs issues: ?write/);
  });

  it("@semantic-release/github's success step reads GraphQL as the App without error", () => {
    const queries = world.standIn.graphql();
    assert.ok(queries.length > 0);
    for (const q of queries) assert.deepEqual([q.actor, q.errors], [APP_ACTOR, []], q.operationName ?? "");
  });
});
