// The merge queue: with a `merge_queue` rule on main only the queue merges (REST merge refused);
// GraphQL enqueuePullRequest (or auto-merge) adds a pull request whose own requirements are met; the
// queue builds `gh-readonly-queue/main/pr-<n>-<sha>`, runs the merge_group checks on it and
// fast-forwards main to it (merged with the rule's method), drops the pull request on a failing check
// or when no check reports within check_response_timeout_minutes, and builds again on a moved base.
// Every answer is checked against the OpenAPI description and the GraphQL schema.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { Installation, Repository } from "../src/world.js";

let standIn: StandIn;
let installation: Installation;
let queueRepos = 0;

before(async () => {
  standIn = await startStandIn();
  standIn.createOrg("acme", { alice: "admin" });
  const { app } = standIn.createApp({ slug: "release-bot", owner: "acme", permissions: { contents: "write", pull_requests: "write", checks: "read" } });
  installation = standIn.installApp(app, "acme");
});
after(() => standIn.close());

const asApp = () => new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.mintInstallationToken(installation).token });

async function until<T>(probe: () => Promise<T> | T, what: string, timeoutMs = 60_000): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** a repository whose main only the queue changes; `test` is required; the App is installed on it */
async function queuedRepo(queue: Record<string, unknown> = {}): Promise<Repository> {
  const repo = await standIn.createRepo("acme", `queued-${++queueRepos}`, { mergeSettings: { allow_auto_merge: true } });
  standIn.addRuleset(repo, {
    name: "main",
    target: "branch",
    rules: [
      { type: "pull_request" },
      { type: "required_status_checks", parameters: { required_status_checks: [{ context: "test" }] } },
      { type: "merge_queue", parameters: { merge_method: "SQUASH", check_response_timeout_minutes: 10, ...queue } },
    ],
  });
  return repo;
}

async function openPull(repo: Repository, head: string) {
  await standIn.git(repo, "branch", head, "main");
  await standIn.pushCommit(repo, head, { author: "carol", message: `chore(release): ${head}`, files: { [`${head}.txt`]: "x\n" } });
  const { data } = await asApp().request("POST /repos/{owner}/{repo}/pulls", { owner: "acme", repo: repo.name, head, base: "main", title: `chore(release): ${head}`, body: "notes" });
  return data;
}

const prChecksDone = (repo: Repository, sha: string) => until(() => standIn.checkRuns(repo, { sha, name: "test" })[0]?.status === "completed", "the pull request's check");

const ENQUEUE = `mutation Enqueue($id: ID!) {
  enqueuePullRequest(input: { pullRequestId: $id }) { mergeQueueEntry { state position enqueuer { login } pullRequest { number isInMergeQueue } } }
}`;

const QUEUE = `query Queue($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) {
    mergeQueue(branch: "main") { configuration { mergeMethod checkResponseTimeout } entries(first: 10) { totalCount nodes { state pullRequest { number } } } }
  }
}`;

async function merged(repo: Repository, number: number) {
  return until(async () => {
    const view = await standIn.pullRequest(repo, number);
    return view?.merged && view;
  }, `pull request #${number} to merge`);
}

describe("the merge queue", () => {
  it("refuses the merge button; enqueued, the pull request is merged by the queue through a merge group whose checks pass", async () => {
    const repo = await queuedRepo();
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: 100, on: ["pull_request"] });
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: Infinity, on: ["merge_group"] });
    const pr = await openPull(repo, "v1");
    const octokit = asApp();
    await prChecksDone(repo, pr.head.sha);
    await assert.rejects(
      octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner: "acme", repo: repo.name, pull_number: pr.number, merge_method: "squash" }),
      (err: { status: number; message: string }) => err.status === 405 && err.message.includes("Changes must be made through the merge queue"),
    );
    const { data: rules } = await octokit.request("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner: "acme", repo: repo.name, branch: "main" });
    const queueRule = rules.find((r) => r.type === "merge_queue") as { parameters?: Record<string, unknown> } | undefined;
    assert.deepEqual(queueRule?.parameters, {
      check_response_timeout_minutes: 10,
      grouping_strategy: "ALLGREEN",
      max_entries_to_build: 5,
      max_entries_to_merge: 5,
      merge_method: "SQUASH",
      min_entries_to_merge: 1,
      min_entries_to_merge_wait_minutes: 5,
    });
    const mainBefore = await standIn.git(repo, "rev-parse", "main");
    const enqueued = await octokit.graphql<{ enqueuePullRequest: { mergeQueueEntry: { state: string; position: number; enqueuer: { login: string }; pullRequest: { number: number; isInMergeQueue: boolean } } } }>(ENQUEUE, { id: pr.node_id });
    assert.deepEqual(enqueued.enqueuePullRequest.mergeQueueEntry, { state: "QUEUED", position: 1, enqueuer: { login: "release-bot" }, pullRequest: { number: pr.number, isInMergeQueue: true } });
    const groupRef = `refs/heads/gh-readonly-queue/main/pr-${pr.number}-${pr.head.sha}`;
    const entry = await until(() => standIn.mergeQueue(repo).find((e) => e.state === "awaiting_checks"), "the merge group");
    assert.equal(entry.groupRef, groupRef);
    assert.equal(await standIn.git(repo, "rev-parse", groupRef), entry.groupSha);
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%P", entry.groupSha!), mainBefore);
    const queue = await octokit.graphql<{ repository: { mergeQueue: { configuration: { mergeMethod: string; checkResponseTimeout: number }; entries: { totalCount: number; nodes: { state: string; pullRequest: { number: number } }[] } } } }>(QUEUE, { owner: "acme", name: repo.name });
    assert.deepEqual(queue.repository.mergeQueue.configuration, { mergeMethod: "SQUASH", checkResponseTimeout: 10 });
    assert.deepEqual(queue.repository.mergeQueue.entries.nodes, [{ state: "AWAITING_CHECKS", pullRequest: { number: pr.number } }]);
    assert.deepEqual(standIn.checkRuns(repo, { sha: entry.groupSha! }).map((r) => [r.name, r.trigger.kind]), [["test", "merge_group"]]);
    assert.equal(standIn.completeChecks(repo, { sha: entry.groupSha!, conclusion: "success" }), 1);
    const view = await merged(repo, pr.number);
    assert.deepEqual([view.pullRequest!.mergeCommitSha, view.pullRequest!.mergeMethod, view.mergeQueueEntry], [entry.groupSha, "squash", null]);
    assert.equal(await standIn.git(repo, "rev-parse", "main"), entry.groupSha);
    await assert.rejects(standIn.git(repo, "rev-parse", "--verify", groupRef), "the merge group's branch is gone");
    assert.deepEqual(standIn.mergeQueue(repo, { all: true }).map((e) => e.state), ["merged"]);
  });

  it("refuses to enqueue a pull request whose own required check has not passed", async () => {
    const repo = await queuedRepo();
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: Infinity });
    const pr = await openPull(repo, "early");
    await assert.rejects(asApp().graphql(ENQUEUE, { id: pr.node_id }), (err: { errors: { type: string; message: string }[] }) => err.errors[0]!.type === "UNPROCESSABLE" && err.errors[0]!.message.includes('Required status check "test" is expected.'));
    standIn.completeChecks(repo, { sha: pr.head.sha, conclusion: "success" });
  });

  it("drops the pull request when the merge group's check fails: main unchanged, the pull request open and out of the queue", async () => {
    const repo = await queuedRepo();
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: 50, on: ["pull_request"] });
    standIn.addCheck(repo, { name: "test", conclusion: "failure", afterMs: 50, on: ["merge_group"] });
    const pr = await openPull(repo, "red");
    await prChecksDone(repo, pr.head.sha);
    const mainBefore = await standIn.git(repo, "rev-parse", "main");
    await asApp().graphql(ENQUEUE, { id: pr.node_id });
    const dropped = await until(() => standIn.mergeQueue(repo, { all: true }).find((e) => e.state === "removed"), "the queue to drop it");
    assert.equal(dropped.reason, "check-failed");
    const view = (await standIn.pullRequest(repo, pr.number))!;
    assert.deepEqual([view.state, view.merged, view.mergeQueueEntry], ["open", false, null]);
    assert.equal(await standIn.git(repo, "rev-parse", "main"), mainBefore);
    await assert.rejects(standIn.git(repo, "rev-parse", "--verify", dropped.groupRef!));
  });

  it("drops it when no merge_group check reports within check_response_timeout_minutes (the stand-in's clock moved past it)", async () => {
    const repo = await queuedRepo({ check_response_timeout_minutes: 5 });
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: 50, on: ["pull_request"] });
    const pr = await openPull(repo, "silent");
    await prChecksDone(repo, pr.head.sha);
    await asApp().graphql(ENQUEUE, { id: pr.node_id });
    await until(() => standIn.mergeQueue(repo).find((e) => e.state === "awaiting_checks"), "the merge group");
    standIn.setClockSkew(6 * 60_000);
    try {
      const dropped = await until(() => standIn.mergeQueue(repo, { all: true }).find((e) => e.state === "removed"), "the timeout");
      assert.equal(dropped.reason, "check-timeout");
    } finally {
      standIn.setClockSkew(0);
    }
  });

  it("builds the group again when main moves under it, and merges onto the new main", async () => {
    const repo = await queuedRepo();
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: 50, on: ["pull_request"] });
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: Infinity, on: ["merge_group"] });
    const pr = await openPull(repo, "moved");
    await prChecksDone(repo, pr.head.sha);
    await asApp().graphql(ENQUEUE, { id: pr.node_id });
    const first = await until(() => standIn.mergeQueue(repo).find((e) => e.state === "awaiting_checks"), "the merge group");
    const moved = await standIn.pushCommit(repo, "main", { author: "alice", message: "chore: main moves", files: { "elsewhere.txt": "m\n" } });
    standIn.completeChecks(repo, { sha: first.groupSha!, conclusion: "success" });
    const second = await until(() => standIn.mergeQueue(repo).find((e) => e.state === "awaiting_checks" && e.groupSha !== first.groupSha), "the rebuilt group");
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%P", second.groupSha!), moved);
    standIn.completeChecks(repo, { sha: second.groupSha!, conclusion: "success" });
    const view = await merged(repo, pr.number);
    assert.equal(await standIn.git(repo, "rev-parse", "main"), view.pullRequest!.mergeCommitSha);
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%P", "main"), moved);
  });

  it("auto-merge on a queued base enqueues the pull request once its own check passes, and the queue merges it", async () => {
    const repo = await queuedRepo({ merge_method: "MERGE" });
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: Infinity, on: ["pull_request"] });
    standIn.addCheck(repo, { name: "test", conclusion: "success", afterMs: 100, on: ["merge_group"] });
    const pr = await openPull(repo, "auto");
    await asApp().graphql(`mutation($id: ID!) { enablePullRequestAutoMerge(input: { pullRequestId: $id }) { pullRequest { number } } }`, { id: pr.node_id });
    // a look waits for the work auto-merge started: its own check still runs, so it is not in the queue
    const waiting = (await standIn.pullRequest(repo, pr.number))!;
    assert.deepEqual([waiting.mergeQueueEntry, waiting.mergeStateStatus, waiting.pullRequest!.autoMerge?.mergeMethod], [null, "BLOCKED", "merge"]);
    assert.deepEqual(standIn.mergeQueue(repo), []);
    standIn.completeChecks(repo, { sha: pr.head.sha, conclusion: "success" });
    const view = await merged(repo, pr.number);
    assert.equal(view.pullRequest!.mergeMethod, "merge");
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%s", "main"), `Merge pull request #${pr.number} from acme/auto`);
  });

  it("answered every request as GitHub's OpenAPI description and GraphQL schema say", () => {
    assert.deepEqual(standIn.openapiViolations, []);
  });
});
