// Pull requests as a way to change a branch: opened from a branch by the App, listed, merged with the
// three methods (a squash or a rebase gives new SHAs), refused when the repository does not allow the
// method or the head moved, closed, brought up to date with a moved base; the repository's merge
// settings. Every answer is checked against GitHub's OpenAPI description (close() fails otherwise).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { Installation, Repository } from "../src/world.js";

let standIn: StandIn;
let installation: Installation;
let repo: Repository;

before(async () => {
  standIn = await startStandIn();
  standIn.createOrg("acme", { alice: "admin", bob: "member" });
  const { app } = standIn.createApp({ slug: "release-bot", owner: "acme", permissions: { contents: "write", pull_requests: "write", checks: "read", statuses: "read" } });
  repo = await standIn.createRepo("acme", "widgets", { mergeSettings: { allow_merge_commit: false, delete_branch_on_merge: true } });
  installation = standIn.installApp(app, "acme");
});
after(() => standIn.close());

const params = { owner: "acme", repo: "widgets" };
const asApp = () => new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.mintInstallationToken(installation).token });

/** a branch off main with commits by `author` (each writing one file) */
async function branch(name: string, messages: string[], author = "carol"): Promise<void> {
  await standIn.git(repo, "branch", name, "main");
  for (const [i, message] of messages.entries()) await standIn.pushCommit(repo, name, { author, message, files: { [`${name}-${i}.txt`]: `${message}\n` } });
}

async function open(octokit: Octokit, head: string, title = `chore(release): ${head}`) {
  return octokit.request("POST /repos/{owner}/{repo}/pulls", { ...params, head, base: "main", title, body: "## Release notes" });
}

async function status(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
    return { status: 200, message: "" };
  } catch (err) {
    const e = err as { status: number; response?: { data?: { message?: string; errors?: { message?: string }[] } } };
    return { status: e.status, message: e.response?.data?.errors?.[0]?.message ?? e.response?.data?.message ?? "" };
  }
}

describe("opening and listing", () => {
  it("the repository shows its merge settings (GitHub's defaults where the fixture says nothing)", async () => {
    const { data } = await asApp().request("GET /repos/{owner}/{repo}", params);
    assert.deepEqual(
      [data.allow_merge_commit, data.allow_squash_merge, data.allow_rebase_merge, data.allow_auto_merge, data.delete_branch_on_merge],
      [false, true, true, false, true],
    );
  });

  it("opens a pull request as the App's bot from a branch of the repository, lists it by head, refuses a second one and an empty one", async () => {
    await branch("semantic-release/v1.0.0", ["chore(release): 1.0.0"]);
    const octokit = asApp();
    const { status: code, data } = await open(octokit, "semantic-release/v1.0.0");
    assert.equal(code, 201);
    assert.equal(data.user?.login, "release-bot[bot]");
    assert.deepEqual([data.head.ref, data.base.ref, data.state, data.body], ["semantic-release/v1.0.0", "main", "open", "## Release notes"]);
    const pr = (await standIn.pullRequest(repo, data.number))!;
    assert.equal(pr.pullRequest!.openedBy, "installation:release-bot[bot]");
    assert.equal(pr.pullRequest!.pullRequestWorkflows, true);
    const listed = await octokit.request("GET /repos/{owner}/{repo}/pulls", { ...params, head: "acme:semantic-release/v1.0.0", state: "open" });
    assert.deepEqual(listed.data.map((p) => p.number), [data.number]);
    assert.deepEqual((await octokit.request("GET /repos/{owner}/{repo}/pulls", { ...params, head: "acme:nope" })).data, []);
    assert.deepEqual(await status(open(octokit, "semantic-release/v1.0.0")), { status: 422, message: "A pull request already exists for acme:semantic-release/v1.0.0." });
    await standIn.git(repo, "branch", "empty", "main");
    assert.deepEqual(await status(open(octokit, "empty")), { status: 422, message: "No commits between main and empty" });
    assert.equal((await status(open(octokit, "missing-branch"))).status, 422);
  });

  it("a pull request opened with the workflow GITHUB_TOKEN is recorded as one whose pull_request workflows do not start", async () => {
    await branch("from-actions", ["chore: from actions"]);
    const octokit = new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.actionsToken(repo, { contents: "write", pull_requests: "write" }) });
    const { data } = await open(octokit, "from-actions");
    assert.equal(data.user?.login, "github-actions[bot]");
    assert.equal((await standIn.pullRequest(repo, data.number))!.pullRequest!.pullRequestWorkflows, false);
  });
});

describe("merging", () => {
  it("a squash merge makes one new commit on main (title and number, authored by the pull request's author, committed by GitHub) and deletes the branch", async () => {
    await branch("squash-me", ["feat: one", "fix: two"]);
    const octokit = asApp();
    const { data: pr } = await open(octokit, "squash-me", "feat: squash me");
    const mainBefore = await standIn.git(repo, "rev-parse", "main");
    const { data } = await octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { ...params, pull_number: pr.number, merge_method: "squash", sha: pr.head.sha });
    assert.deepEqual([data.merged, data.message], [true, "Pull Request successfully merged"]);
    assert.equal(await standIn.git(repo, "rev-parse", "main"), data.sha);
    assert.notEqual(data.sha, pr.head.sha);
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%P", data.sha), mainBefore);
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%s|%an|%cn", data.sha), `feat: squash me (#${pr.number})|release-bot[bot]|GitHub`);
    assert.match(await standIn.git(repo, "log", "-1", "--format=%b", data.sha), /\* feat: one\n\n\* fix: two/);
    const after = (await standIn.pullRequest(repo, pr.number))!;
    assert.deepEqual([after.merged, after.state, after.pullRequest!.mergeMethod, after.pullRequest!.mergeCommitSha, after.pullRequest!.headDeleted], [true, "closed", "squash", data.sha, true]);
    await assert.rejects(standIn.git(repo, "rev-parse", "--verify", "refs/heads/squash-me"));
    const got = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...params, pull_number: pr.number });
    assert.deepEqual([got.data.merged, got.data.merge_commit_sha, got.data.merged_by?.login], [true, data.sha, "release-bot[bot]"]);
  });

  it("a rebase merge replays each commit with a new SHA (same message and author, committed by GitHub); main fast-forwards to the last", async () => {
    await branch("rebase-me", ["feat: a", "feat: b"]);
    await standIn.pushCommit(repo, "main", { author: "dave", message: "chore: someone else", files: { "other.txt": "x\n" } });
    const octokit = asApp();
    const { data: pr } = await open(octokit, "rebase-me");
    const { data } = await octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { ...params, pull_number: pr.number, merge_method: "rebase" });
    const log = (await standIn.git(repo, "log", "-3", "--format=%H|%s|%an|%cn", "main")).split("\n");
    assert.equal(log[0]!.split("|")[0], data.sha);
    assert.deepEqual(log.map((l) => l.split("|").slice(1).join("|")), ["feat: b|carol|GitHub", "feat: a|carol|GitHub", "chore: someone else|dave|dave"]);
    const original = (await standIn.pullRequest(repo, pr.number))!.pullRequest!.commits;
    assert.ok(!original.includes(data.sha), "a rebase gives new SHAs");
  });

  it("refuses a method the repository does not allow (405), a head that moved (409), a closed pull request (405)", async () => {
    await branch("refused", ["fix: refused"]);
    const octokit = asApp();
    const { data: pr } = await open(octokit, "refused");
    const merge = (body: Record<string, unknown>) => octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { ...params, pull_number: pr.number, ...body });
    assert.deepEqual(await status(merge({ merge_method: "merge" })), { status: 405, message: "Merge commits are not allowed on this repository." });
    assert.deepEqual(await status(merge({ merge_method: "squash", sha: "0".repeat(40) })), { status: 409, message: "Head branch was modified. Review and try the merge again." });
    const closed = await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { ...params, pull_number: pr.number, state: "closed" });
    assert.deepEqual([closed.data.state, closed.data.merged], ["closed", false]);
    assert.deepEqual(await status(merge({ merge_method: "squash" })), { status: 405, message: "Pull Request is not mergeable" });
    assert.equal((await standIn.pullRequests(repo, { state: "closed", head: "refused" })).length, 1);
  });

  it("brings a branch behind its base up to date with a merge commit of the base; says when there is nothing to update", async () => {
    await branch("behind", ["fix: behind"]);
    const octokit = asApp();
    const { data: pr } = await open(octokit, "behind");
    const moved = await standIn.pushCommit(repo, "main", { author: "dave", message: "chore: base moves", files: { "moved.txt": "m\n" } });
    const update = () => octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/update-branch", { ...params, pull_number: pr.number });
    const { status: code, data } = await update();
    assert.equal(code, 202);
    assert.equal(data.message, "Updating pull request branch.");
    const head = await standIn.git(repo, "rev-parse", "refs/heads/behind");
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%P|%s", head), `${pr.head.sha} ${moved}|Merge branch 'main' into behind`);
    assert.deepEqual(await status(update()), { status: 422, message: "There are no new commits on the base branch." });
    const view = (await standIn.pullRequest(repo, pr.number))!;
    assert.equal(view.pullRequest!.headSha, head);
    assert.equal(view.mergeStateStatus, "CLEAN");
  });

  it("deletes a branch through the git database API; an open pull request from it is closed, by who deleted it", async () => {
    await branch("to-delete", ["fix: abandoned"]);
    const octokit = asApp();
    const { data: pr } = await open(octokit, "to-delete");
    const asAlice = new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.createPat("alice") });
    const { status: code } = await asAlice.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ...params, ref: "heads/to-delete" });
    assert.equal(code, 204);
    await assert.rejects(standIn.git(repo, "rev-parse", "--verify", "refs/heads/to-delete"));
    const deadline = Date.now() + 60_000;
    while ((await standIn.pullRequest(repo, pr.number))!.state === "open" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = (await standIn.pullRequest(repo, pr.number))!;
    assert.deepEqual([closed.state, closed.merged, closed.closedBy?.login], ["closed", false, "alice"]);
  });

  it("answered every request as GitHub's OpenAPI description says", () => {
    assert.deepEqual(standIn.openapiViolations, []);
  });
});
