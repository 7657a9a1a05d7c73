// Checks, reviews and auto-merge on a base whose rules a merge must satisfy: check runs start when a
// pull request is opened (not when the workflow GITHUB_TOKEN opened it) and complete after their delay;
// the App cannot approve its own pull request; a person's approval and passing checks let auto-merge
// (GraphQL enablePullRequestAutoMerge) merge it; a failing check or a strict policy with a moved base
// keeps it open. Every answer is checked against the OpenAPI description and the GraphQL schema.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { Installation, Repository } from "../src/world.js";

let standIn: StandIn;
let installation: Installation;
let gated: Repository;
let open: Repository;

const RULES = (strict = false) => [
  { type: "pull_request", parameters: { required_approving_review_count: 1 } },
  { type: "required_status_checks", parameters: { required_status_checks: [{ context: "test" }], strict_required_status_checks_policy: strict } },
];

before(async () => {
  standIn = await startStandIn();
  standIn.createOrg("acme", { alice: "admin" });
  const { app } = standIn.createApp({ slug: "release-bot", owner: "acme", permissions: { contents: "write", pull_requests: "write", checks: "read", statuses: "read" } });
  gated = await standIn.createRepo("acme", "gated", { mergeSettings: { allow_auto_merge: true, allow_merge_commit: false } });
  open = await standIn.createRepo("acme", "open", { mergeSettings: { allow_auto_merge: true } });
  standIn.addRuleset(gated, { name: "main", target: "branch", rules: RULES() });
  standIn.addCheck(gated, { name: "test", conclusion: "success", afterMs: 200 });
  standIn.addCheck(gated, { name: "lint", conclusion: "failure", afterMs: 50 });
  installation = standIn.installApp(app, "acme");
});
after(() => standIn.close());

const asApp = () => new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.mintInstallationToken(installation).token });

/** polls `probe` until it returns something truthy; generous bound, never a fixed sleep */
async function until<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 60_000): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openPull(repo: Repository, head: string, octokit = asApp()) {
  await standIn.git(repo, "branch", head, "main");
  await standIn.pushCommit(repo, head, { author: "release-bot[bot]", message: `chore(release): ${head}`, files: { [`${head}.txt`]: "x\n" } });
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/pulls", { owner: "acme", repo: repo.name, head, base: "main", title: `chore(release): ${head}`, body: "notes" });
  return data;
}

const ENABLE = `mutation Enable($id: ID!, $mergeMethod: PullRequestMergeMethod) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: $mergeMethod }) {
    pullRequest { number autoMergeRequest { mergeMethod enabledBy { login } } mergeStateStatus reviewDecision }
  }
}`;

const STATE = `query State($owner: String!, $name: String!, $number: Int!) {
  repository(owner: $owner, name: $name) {
    autoMergeAllowed squashMergeAllowed mergeCommitAllowed
    pullRequest(number: $number) { state merged mergeStateStatus reviewDecision autoMergeRequest { mergeMethod } mergeCommit { oid } }
  }
}`;

async function graphqlError(promise: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    const errors = (err as { errors?: { type?: string; message: string }[] }).errors;
    if (errors?.[0]) return { ...(errors[0].type ? { type: errors[0].type } : {}), message: errors[0].message };
    throw err;
  }
  throw new Error("expected a GraphQL error");
}

describe("check runs", () => {
  it("start on the head of a pull request the App opened and complete after their delay, as GitHub Actions", async () => {
    const pr = await openPull(gated, "checks-run");
    const octokit = asApp();
    const list = () => octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner: "acme", repo: "gated", ref: pr.head.sha });
    const first = await list();
    assert.deepEqual(first.data.check_runs.map((r) => r.name).sort(), ["lint", "test"]);
    assert.equal(first.data.check_runs[0]!.app?.slug, "github-actions");
    const done = await until(async () => {
      const { data } = await list();
      return data.check_runs.every((r) => r.status === "completed") && data.check_runs;
    }, "the checks to complete");
    assert.deepEqual(Object.fromEntries(done.map((r) => [r.name, r.conclusion])), { test: "success", lint: "failure" });
    assert.deepEqual(done.find((r) => r.name === "test")!.pull_requests.map((p) => p.number), [pr.number]);
    const status = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/status", { owner: "acme", repo: "gated", ref: pr.head.sha });
    assert.deepEqual([status.data.state, status.data.total_count], ["pending", 0]);
  });

  it("never start for a pull request opened with the workflow GITHUB_TOKEN", async () => {
    const actions = new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.actionsToken(gated, { contents: "write", pull_requests: "write" }) });
    const pr = await openPull(gated, "from-actions", actions);
    assert.deepEqual(standIn.checkRuns(gated, { sha: pr.head.sha }), []);
    assert.equal((await standIn.pullRequest(gated, pr.number))!.pullRequest!.pullRequestWorkflows, false);
  });
});

describe("reviews and the merge button", () => {
  it("the App cannot approve its own pull request; a REST merge is refused with the rules that are not met", async () => {
    const pr = await openPull(gated, "needs-review");
    const octokit = asApp();
    await assert.rejects(
      octokit.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews", { owner: "acme", repo: "gated", pull_number: pr.number, event: "APPROVE" }),
      (err: { status: number; response: { data: { errors: string[] } } }) => err.status === 422 && err.response.data.errors[0] === "Review Can not approve your own pull request",
    );
    assert.throws(() => standIn.approve(gated, pr.number, { by: "release-bot[bot]" }), /cannot approve their own/);
    await until(() => standIn.checkRuns(gated, { sha: pr.head.sha, name: "test" })[0]?.status === "completed", "the test check");
    await assert.rejects(
      octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner: "acme", repo: "gated", pull_number: pr.number, merge_method: "squash" }),
      (err: { status: number; message: string }) => err.status === 405 && /Repository rule violations found\n\nAt least 1 approving review is required by reviewers with write access\./.test(err.message),
    );
    // a person without write access approves: it does not count
    standIn.approve(gated, pr.number, { by: "passer-by" });
    assert.equal((await standIn.pullRequest(gated, pr.number))!.mergeStateStatus, "BLOCKED");
    standIn.approve(gated, pr.number, { by: "alice" });
    assert.equal((await standIn.pullRequest(gated, pr.number))!.mergeStateStatus, "UNSTABLE", "approved, test passed, lint (not required) failed");
    const { data } = await octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner: "acme", repo: "gated", pull_number: pr.number, merge_method: "squash" });
    assert.equal(data.merged, true);
  });
});

describe("auto-merge", () => {
  it("merges once a person approves and the required check passes, with the method asked, as the App", async () => {
    const pr = await openPull(gated, "auto");
    const octokit = asApp();
    const enabled = await octokit.graphql<{ enablePullRequestAutoMerge: { pullRequest: { autoMergeRequest: { mergeMethod: string; enabledBy: { login: string } }; mergeStateStatus: string; reviewDecision: string } } }>(ENABLE, { id: pr.node_id, mergeMethod: "SQUASH" });
    assert.deepEqual(enabled.enablePullRequestAutoMerge.pullRequest.autoMergeRequest, { mergeMethod: "SQUASH", enabledBy: { login: "release-bot" } });
    assert.equal(enabled.enablePullRequestAutoMerge.pullRequest.mergeStateStatus, "BLOCKED");
    assert.equal(enabled.enablePullRequestAutoMerge.pullRequest.reviewDecision, "REVIEW_REQUIRED");
    const rest = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "acme", repo: "gated", pull_number: pr.number });
    assert.equal(rest.data.auto_merge?.merge_method, "squash");
    assert.equal(rest.data.mergeable_state, "blocked");
    await until(() => standIn.checkRuns(gated, { sha: pr.head.sha, name: "test" })[0]?.status === "completed", "the test check");
    assert.equal((await standIn.pullRequest(gated, pr.number))!.merged, false, "still waits for a review");
    standIn.approve(gated, pr.number, { by: "alice" });
    const merged = await until(async () => {
      const view = await standIn.pullRequest(gated, pr.number);
      return view?.merged && view;
    }, "auto-merge");
    assert.deepEqual([merged.pullRequest!.mergeMethod, merged.pullRequest!.mergedBy?.login], ["squash", "release-bot[bot]"]);
    assert.equal(await standIn.git(gated, "rev-parse", "main"), merged.pullRequest!.mergeCommitSha);
    const state = await octokit.graphql<{ repository: { pullRequest: { state: string; merged: boolean; mergeCommit: { oid: string } } } }>(STATE, { owner: "acme", name: "gated", number: pr.number });
    assert.deepEqual([state.repository.pullRequest.state, state.repository.pullRequest.merged, state.repository.pullRequest.mergeCommit.oid], ["MERGED", true, merged.pullRequest!.mergeCommitSha]);
  });

  it("a failing required check keeps it open and blocked; the REST merge names the check", async () => {
    const repo = await standIn.createRepo("acme", "failing", { mergeSettings: { allow_auto_merge: true } });
    standIn.addRuleset(repo, { name: "main", target: "branch", rules: [RULES()[1]!] });
    standIn.addCheck(repo, { name: "test", conclusion: "failure", afterMs: 100 });
    const pr = await openPull(repo, "red");
    const octokit = asApp();
    await octokit.graphql(ENABLE, { id: pr.node_id, mergeMethod: "MERGE" });
    await until(() => standIn.checkRuns(repo, { sha: pr.head.sha, name: "test" })[0]?.conclusion === "failure", "the failing check");
    const view = (await standIn.pullRequest(repo, pr.number))!;
    assert.deepEqual([view.merged, view.state, view.mergeStateStatus, view.pullRequest!.autoMerge?.mergeMethod], [false, "open", "BLOCKED", "merge"]);
    await assert.rejects(
      octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner: "acme", repo: "failing", pull_number: pr.number }),
      (err: { status: number; message: string }) => err.status === 405 && err.message.includes('Required status check "test" has failed.'),
    );
  });

  it("with a strict check policy a moved base makes it BEHIND; update-branch runs the checks again on the new head and it merges", async () => {
    const repo = await standIn.createRepo("acme", "strict", { mergeSettings: { allow_auto_merge: true } });
    standIn.addRuleset(repo, { name: "main", target: "branch", rules: [RULES(true)[1]!] });
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: 100 });
    const pr = await openPull(repo, "behind");
    await until(() => standIn.checkRuns(repo, { sha: pr.head.sha })[0]?.status === "completed", "the first check");
    await standIn.pushCommit(repo, "main", { author: "alice", message: "chore: the base moves", files: { "base.txt": "b\n" } });
    assert.equal((await standIn.pullRequest(repo, pr.number))!.mergeStateStatus, "BEHIND");
    const octokit = asApp();
    await octokit.graphql(ENABLE, { id: pr.node_id, mergeMethod: "REBASE" });
    await octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch", { owner: "acme", repo: "strict", pull_number: pr.number });
    const merged = await until(async () => {
      const view = await standIn.pullRequest(repo, pr.number);
      return view?.merged && view;
    }, "auto-merge after the update");
    assert.notEqual(merged.pullRequest!.headSha, pr.head.sha);
    assert.equal(standIn.checkRuns(repo, { sha: merged.pullRequest!.headSha, name: "test" })[0]?.conclusion, "success");
  });

  it("is refused for a pull request that nothing blocks (clean status) and where the repository does not allow it", async () => {
    const pr = await openPull(open, "clean");
    const octokit = asApp();
    assert.deepEqual(await graphqlError(octokit.graphql(ENABLE, { id: pr.node_id })), { type: "UNPROCESSABLE", message: "Pull request Pull request is in clean status" });
    const noAuto = await standIn.createRepo("acme", "no-auto");
    const other = await openPull(noAuto, "nope");
    assert.equal((await graphqlError(octokit.graphql(ENABLE, { id: other.node_id }))).message, "Pull request Auto merge is not allowed for this repository");
    assert.equal((await graphqlError(octokit.graphql(ENABLE, { id: "bm9wZQ==" }))).type, "NOT_FOUND");
    const settings = await octokit.graphql<{ repository: { autoMergeAllowed: boolean; squashMergeAllowed: boolean; mergeCommitAllowed: boolean } }>(STATE, { owner: "acme", name: "gated", number: 1 });
    assert.deepEqual([settings.repository.autoMergeAllowed, settings.repository.squashMergeAllowed, settings.repository.mergeCommitAllowed], [true, true, false]);
  });

  it("answered every request as GitHub's OpenAPI description and GraphQL schema say", () => {
    assert.deepEqual(standIn.openapiViolations, []);
    assert.deepEqual(standIn.graphql({ failed: true }).map((g) => g.errors[0]?.type), ["UNPROCESSABLE", "UNPROCESSABLE", "NOT_FOUND"]);
  });
});
