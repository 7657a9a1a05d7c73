// End to end: @semantic-release/github with its DEFAULT configuration, listed after this plugin, as most
// projects run it (README "exportToken"). Its success step finds the released pull requests and the
// issues they fix through GraphQL (docs/github.md §14), comments on them and labels them `released`;
// its fail step opens the failure issue; without GITHUB_ACTION (a local run) its verifyConditions checks
// the token with `HEAD /installation/repositories`. The stand-in answers GraphQL against GitHub's
// published schema, from a small model: an issue, and a pull request that fixes it, merged into main
// with a merge commit.
//
// The workflow token here has `issues: write` and `pull-requests: write`, as @semantic-release/github's
// README asks of a workflow (https://github.com/semantic-release/github#github-authentication). The
// checkout persisted another token of the same job's kind (releaseWorld's), which only git uses.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { IssueRecord, Ruleset } from "github-stand-in";
import {
  APP_ACTOR,
  PULL_REQUEST_RULE,
  ROOT,
  appBypass,
  assertNoSecrets,
  assertReleasePushedByApp,
  assertTokensRevoked,
  configure,
  gitIn,
  onRequest,
  output,
  releaseWorld,
  resetWorkspace,
  type ReleaseWorld,
  type RunResult,
} from "../helpers/e2e.js";

const WORKFLOW_ACTOR = "installation:github-actions[bot]";
const COMMENT_PERMISSIONS = { contents: "write", metadata: "read", issues: "write", pull_requests: "write" } as const;
const FAIL_TITLE = "The automated release is failing 🚨";

/**
 * The version of @semantic-release/github the CLI loads (the compatibility leg's under SEMANTIC_RELEASE_DIR).
 * Before 12.0.4 its fail step passes its arguments to findSRIssues shifted by one, and GitHub refuses the
 * query ("Variable $owner of type String! was provided invalid value"): no failure issue is opened
 * (https://github.com/semantic-release/github/issues/1163, fixed by https://github.com/semantic-release/github/pull/1164).
 */
const GITHUB_PLUGIN_VERSION = (JSON.parse(readFileSync(join(process.env.SEMANTIC_RELEASE_DIR || join(ROOT, "node_modules"), "@semantic-release/github/package.json"), "utf8")) as { version: string }).version;
const OPENS_FAILURE_ISSUE = compareVersions(GITHUB_PLUGIN_VERSION, "12.0.4") >= 0;

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).slice(0, 3).map(Number));
  for (let i = 0; i < 3; i++) if (x![i] !== y![i]) return x![i]! - y![i]!;
  return 0;
}

interface GithubWorld {
  world: ReleaseWorld;
  /** the workflow GITHUB_TOKEN of this run, with issues and pull-requests write */
  workflowToken: string;
  issue: IssueRecord;
  pr: IssueRecord;
}

/**
 * A repository where issue #1 was reported and pull request #2, whose commit says "Fixes #1", was merged
 * into main with a merge commit; the workspace is checked out at the merge. This plugin releases
 * (protected main, the App on the bypass list), @semantic-release/github after it with its defaults.
 */
async function githubWorld(pluginOptions: Record<string, unknown>): Promise<GithubWorld> {
  const world = await releaseWorld({ installationPermissions: COMMENT_PERMISSIONS });
  world.standIn.addRuleset(world.repo, { name: "Protect main", target: "branch", rules: [PULL_REQUEST_RULE], bypass_actors: appBypass(world) });
  const issue = world.standIn.createIssue(world.repo, { author: "reporter", title: "Crash on empty input", body: "`parse('')` throws." });
  const pr = await world.standIn.createPullRequest(world.repo, {
    author: "contributor",
    title: "fix: handle empty input",
    body: `Fixes #${issue.number}`,
    head: "fix-empty-input",
    commits: [{ message: `fix: handle empty input\n\nFixes #${issue.number}`, files: { "parse.js": "export const parse = (s) => (s ? JSON.parse(s) : null);\n" } }],
  });
  world.env.GITHUB_SHA = await world.standIn.mergePullRequest(world.repo, pr.number, { by: "octo" });
  await gitIn(world.workDir, ["pull", "-q", "--ff-only", "origin", "main"]);
  await configure(world, pluginOptions, { after: ["@semantic-release/github"] });
  const workflowToken = world.standIn.actionsToken(world.repo, COMMENT_PERMISSIONS);
  return { world, workflowToken, issue, pr };
}

/** the issue or pull request as it is now on the stand-in */
function current(world: ReleaseWorld, number: number): IssueRecord {
  const issue = world.standIn.issue(world.repo, number);
  assert.ok(issue, `#${number} exists`);
  return issue;
}

/** what a reader of #number sees: each comment's author and first line, and the labels */
function seen(world: ReleaseWorld, number: number) {
  const issue = current(world, number);
  return { comments: issue.comments.map((c) => [c.author.login, c.body.split("\n")[0]]), labels: issue.labels };
}

describe("@semantic-release/github with its defaults, exportToken off (a GitHub Actions run)", () => {
  let gw: GithubWorld;
  let result: RunResult;

  before(async () => {
    gw = await githubWorld({});
    result = await gw.world.run([], { GITHUB_TOKEN: gw.workflowToken });
  });
  after(() => gw.world.close());

  it("releases; the App pushes, and the GitHub release is created with the workflow token", async () => {
    assert.equal(result.code, 0, output(result));
    assertReleasePushedByApp(gw.world);
    const [release] = gw.world.standIn.releases(gw.world.repo);
    assert.equal(release?.tag_name, "v1.0.0");
    assert.equal(release?.createdBy, WORKFLOW_ACTOR);
  });

  it("comments on the released pull request and on the issue it fixes, as github-actions[bot], and labels both released", () => {
    assert.deepEqual(seen(gw.world, gw.pr.number), { comments: [["github-actions[bot]", ":tada: This PR is included in version 1.0.0 :tada:"]], labels: ["released"] });
    assert.deepEqual(seen(gw.world, gw.issue.number), { comments: [["github-actions[bot]", ":tada: This issue has been resolved in version 1.0.0 :tada:"]], labels: ["released"] });
    assert.match(output(result), new RegExp(`Added comment to PR #${gw.pr.number}`));
    assert.match(output(result), new RegExp(`Added comment to issue #${gw.issue.number}`));
  });

  it("found them through GraphQL, each query valid against GitHub's schema and answered without error", () => {
    const queries = gw.world.standIn.graphql();
    assert.deepEqual([...new Set(queries.map((q) => q.operationName))].sort(), ["getAssociatedPRs", "getRelatedIssues", "getSRIssues"]);
    for (const q of queries) {
      assert.equal(q.actor, WORKFLOW_ACTOR);
      assert.deepEqual(q.errors, [], q.operationName ?? "");
    }
  });

  it("skips the token check of a local run: GITHUB_ACTION is set", () => {
    assert.deepEqual(gw.world.standIn.requests({ route: "HEAD /installation/repositories" }), []);
  });

  it("revokes the App token and leaks no secret", async () => {
    assertTokensRevoked(gw.world);
    await assertNoSecrets(gw.world, result);
  });
});

describe("@semantic-release/github with its defaults, exportToken on, in a local run (no GITHUB_ACTION)", () => {
  let gw: GithubWorld;
  let result: RunResult;

  before(async () => {
    gw = await githubWorld({ exportToken: true });
    result = await gw.world.run([], { GITHUB_TOKEN: gw.workflowToken, GITHUB_ACTION: undefined });
  });
  after(() => gw.world.close());

  it("checks its token with HEAD /installation/repositories before the export (the workflow token), and passes", () => {
    assert.equal(result.code, 0, output(result));
    const heads = gw.world.standIn.requests({ route: "HEAD /installation/repositories" });
    assert.deepEqual(heads.map((r) => [r.actor, r.status]), [[WORKFLOW_ACTOR, 200]]);
  });

  it("creates the GitHub release as the App", () => {
    const [release] = gw.world.standIn.releases(gw.world.repo);
    assert.equal(release?.createdBy, APP_ACTOR);
    assert.equal(release?.author.login, "release-bot[bot]");
  });

  it("comments and labels as release-bot[bot]: the pull request, then the issue it fixes", () => {
    assert.deepEqual(seen(gw.world, gw.pr.number), { comments: [["release-bot[bot]", ":tada: This PR is included in version 1.0.0 :tada:"]], labels: ["released"] });
    assert.deepEqual(seen(gw.world, gw.issue.number), { comments: [["release-bot[bot]", ":tada: This issue has been resolved in version 1.0.0 :tada:"]], labels: ["released"] });
    const writes = gw.world.standIn.requests({ route: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments" });
    assert.deepEqual(writes.map((r) => [r.actor, r.status]), [[APP_ACTOR, 201], [APP_ACTOR, 201]]);
    for (const q of gw.world.standIn.graphql()) assert.deepEqual([q.actor, q.errors], [APP_ACTOR, []], q.operationName ?? "");
  });

  it("revokes the App token after the later plugins' success step and leaks no secret", async () => {
    assertTokensRevoked(gw.world);
    await assertNoSecrets(gw.world, result);
  });
});

describe("@semantic-release/github with its defaults when the release push is refused", () => {
  let gw: GithubWorld;
  let failed: RunResult;
  let released: RunResult;
  let ruleset: Ruleset | undefined;
  let mainBefore: string | undefined;
  let afterFailure: { main: string | undefined; tag: string | undefined };

  before(async () => {
    gw = await githubWorld({});
    const { world } = gw;
    // an admin protects release tags while the release is under way: after the preflight, as the App's push starts
    onRequest(
      world,
      (r) => r.route === "GIT receive-pack" && r.actor === APP_ACTOR,
      () => {
        ruleset = world.standIn.addRuleset(world.repo, { name: "Release tags", target: "tag", conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } }, rules: [{ type: "creation" }], bypass_actors: [] });
      },
    );
    mainBefore = await world.remoteRef("refs/heads/main");
    failed = await world.run([], { GITHUB_TOKEN: gw.workflowToken });
    afterFailure = { main: await world.remoteRef("refs/heads/main"), tag: await world.remoteRef("refs/tags/v1.0.0") };
    // the admin puts the App on the bypass list; the next run releases
    world.standIn.updateRuleset(ruleset!, { bypass_actors: appBypass(world) });
    await resetWorkspace(world);
    released = await world.run([], { GITHUB_TOKEN: gw.workflowToken });
  });
  after(() => gw.world.close());

  it("fails with EPUSHREJECTED: GitHub refused the push, nothing landed", () => {
    assert.notEqual(failed.code, 0);
    assert.match(output(failed), /EPUSHREJECTED/);
    assert.ok(ruleset, "the ruleset was added during the run");
    assert.deepEqual(afterFailure, { main: mainBefore, tag: undefined });
  });

  if (OPENS_FAILURE_ISSUE) {
    it(`opens the failure issue as github-actions[bot], labelled semantic-release, with this plugin's error (@semantic-release/github ${GITHUB_PLUGIN_VERSION})`, () => {
      const [issue] = gw.world.standIn.issues(gw.world.repo, { pullRequests: false }).filter((i) => i.title === FAIL_TITLE);
      assert.ok(issue, `the failure issue was opened\n${output(failed)}`);
      assert.equal(issue.author.login, "github-actions[bot]");
      assert.deepEqual(issue.labels, ["semantic-release"]);
      assert.match(issue.body ?? "", /The automated release from the `main` branch failed/);
      assert.match(issue.body ?? "", /### GitHub rejected the release push of .*refs\/tags\/v1\.0\.0 as release-bot\[bot\]/);
      assert.match(issue.body ?? "", /Cannot create ref due to creations being restricted/);
      assert.deepEqual(gw.world.findSecrets(issue.body ?? ""), [], "no secret in an issue everyone can read");
    });

    it("closes the failure issue when the next run releases", () => {
      assert.equal(released.code, 0, output(released));
      const [issue] = gw.world.standIn.issues(gw.world.repo, { pullRequests: false }).filter((i) => i.title === FAIL_TITLE);
      assert.equal(issue?.state, "closed");
      assert.equal(issue?.closedBy?.login, "github-actions[bot]");
    });
  } else {
    it(`opens no failure issue: GitHub refuses the fail step's query (@semantic-release/github ${GITHUB_PLUGIN_VERSION} < 12.0.4)`, () => {
      assert.match(output(failed), /Variable \$owner of type String! was provided invalid value/);
      assert.deepEqual(gw.world.standIn.issues(gw.world.repo).map((i) => i.title), [gw.issue.title, gw.pr.title], "no issue was opened");
      const refused = gw.world.standIn.graphql({ operationName: "getSRIssues", failed: true });
      assert.equal(refused.length, 1);
      assert.deepEqual(refused[0]!.variables.owner, ["semantic-release"], "the labels went where the owner belongs");
    });

    it("releases on the next run", () => {
      assert.equal(released.code, 0, output(released));
    });
  }

  it("the next run comments on the released pull request and issue once", () => {
    assert.deepEqual(seen(gw.world, gw.pr.number).comments.length, 1);
    assert.deepEqual(seen(gw.world, gw.issue.number).comments.length, 1);
  });

  it("revokes every App token and leaks no secret", async () => {
    assertTokensRevoked(gw.world);
    await assertNoSecrets(gw.world, failed);
    await assertNoSecrets(gw.world, released);
  });
});
