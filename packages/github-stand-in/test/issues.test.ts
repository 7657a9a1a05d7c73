// Issues and pull requests: the model (a pull request is a real branch, merged with a real merge
// commit) and the REST routes @semantic-release/github uses (comments, labels, the failure issue,
// closing it, a pull request and its commits), plus `HEAD /installation/repositories`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { Installation, IssueRecord, Repository } from "../src/world.js";

let standIn: StandIn;
let installation: Installation;
let repo: Repository;
let issue: IssueRecord;
let pr: IssueRecord;
let mergeSha: string;
let baseBefore: string;

before(async () => {
  standIn = await startStandIn();
  standIn.createOrg("acme", { alice: "admin", viewer: "member" });
  const { app } = standIn.createApp({ slug: "release-bot", owner: "acme", permissions: { contents: "write", issues: "write", pull_requests: "write" } });
  repo = await standIn.createRepo("acme", "widgets");
  installation = standIn.installApp(app, "acme");
  baseBefore = await standIn.git(repo, "rev-parse", "main");
  issue = standIn.createIssue(repo, { author: "reporter", title: "Crash on empty input" });
  pr = await standIn.createPullRequest(repo, { author: "alice", title: "fix: handle empty input", body: "Fixes #1", head: "fix-empty", commits: [{ message: "fix: handle empty input", files: { "parse.js": "x\n" } }] });
  mergeSha = await standIn.mergePullRequest(repo, pr.number, { by: "alice" });
});
after(() => standIn.close());

const api = (token: string) => new Octokit({ baseUrl: standIn.apiUrl, auth: token });
const asApp = (permissions?: Record<string, "read" | "write">) => api(standIn.mintInstallationToken(installation, { permissions }).token);
const params = { owner: "acme", repo: "widgets" };

describe("the model", () => {
  it("numbers issues and pull requests together; a pull request is a branch of real commits by its author", async () => {
    assert.deepEqual([issue.number, pr.number], [1, 2]);
    const [sha] = pr.pullRequest!.commits;
    assert.equal(await standIn.git(repo, "rev-parse", "refs/heads/fix-empty"), sha);
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%an <%ae>", sha!), `alice <${standIn.account("alice")!.id}+alice@users.noreply.127.0.0.1>`);
    assert.deepEqual([pr.pullRequest!.changedFiles, pr.pullRequest!.additions, pr.pullRequest!.deletions], [1, 1, 0]);
  });

  it("merges with a merge commit of base and head, GitHub's message, authored by who merged; main moves to it", async () => {
    assert.equal(await standIn.git(repo, "rev-parse", "main"), mergeSha);
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%P", mergeSha), `${baseBefore} ${pr.pullRequest!.commits[0]}`);
    assert.equal(await standIn.git(repo, "log", "-1", "--format=%s%n%n%b%an|%cn", mergeSha), "Merge pull request #2 from acme/fix-empty\n\nfix: handle empty input\nalice|GitHub");
    const merged = standIn.issue(repo, 2)!;
    assert.deepEqual([merged.state, merged.pullRequest!.mergeCommitSha, merged.pullRequest!.mergedBy?.login], ["closed", mergeSha, "alice"]);
    await assert.rejects(standIn.mergePullRequest(repo, 2, { by: "alice" }), /not open/);
  });
});

describe("REST", () => {
  it("comments as the App's bot; Issues: write for an issue, Pull requests: write is enough for a pull request", async () => {
    const { status, data } = await asApp().request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: 1, body: "Released in 1.0.0" });
    assert.equal(status, 201);
    assert.equal(data.user?.login, "release-bot[bot]");
    assert.match(data.html_url, /\/acme\/widgets\/issues\/1#issuecomment-\d+$/);
    const prOnly = asApp({ pull_requests: "write" });
    await assert.rejects(prOnly.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: 1, body: "x" }), { status: 403 });
    const onPr = await prOnly.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: 2, body: "Included in 1.0.0" });
    assert.equal(onPr.status, 201);
    assert.deepEqual(standIn.issue(repo, 1)!.comments.map((c) => [c.createdBy, c.body]), [["installation:release-bot[bot]", "Released in 1.0.0"]]);
    await assert.rejects(asApp().request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...params, issue_number: 99, body: "x" }), { status: 404 });
  });

  it("adds labels from a bare array (as @semantic-release/github sends them) or an object, creating missing ones", async () => {
    const app = asApp();
    const bare = await app.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...params, issue_number: 2, data: ["released"] });
    assert.deepEqual(bare.data.map((l) => [l.name, l.color]), [["released", "ededed"]]);
    const object = await app.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { ...params, issue_number: 2, labels: ["released", "Released on @next"] });
    assert.deepEqual(object.data.map((l) => l.name), ["released", "Released on @next"]);
    assert.deepEqual(standIn.issue(repo, 2)!.labels, ["released", "Released on @next"]);
  });

  it("opens the failure issue with its label as the App; a member without triage gets the issue without labels", async () => {
    const { status, data } = await asApp().request("POST /repos/{owner}/{repo}/issues", { ...params, title: "The automated release is failing 🚨", body: "x", labels: ["semantic-release"] });
    assert.equal(status, 201);
    assert.deepEqual([data.number, data.user?.login, data.labels.map((l) => (typeof l === "string" ? l : l.name))], [3, "release-bot[bot]", ["semantic-release"]]);
    const byViewer = await api(standIn.createPat("viewer")).request("POST /repos/{owner}/{repo}/issues", { ...params, title: "Question", labels: ["semantic-release"] });
    assert.deepEqual(byViewer.data.labels, []);
    await assert.rejects(asApp({ contents: "write" }).request("POST /repos/{owner}/{repo}/issues", { ...params, title: "x" }), { status: 403, message: /Resource not accessible by integration/ });
  });

  it("closes an issue with PATCH, as the App's bot", async () => {
    const { data } = await asApp().request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, issue_number: 3, state: "closed" });
    assert.deepEqual([data.state, data.state_reason, data.closed_by?.login], ["closed", "completed", "release-bot[bot]"]);
    assert.equal(standIn.issue(repo, 3)!.state, "closed");
  });

  it("serves a pull request and its commits (the author mapped from the noreply address)", async () => {
    const app = asApp({ pull_requests: "read" });
    const { data } = await app.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...params, pull_number: 2 });
    assert.deepEqual([data.merged, data.merge_commit_sha, data.head.ref, data.base.sha, data.merged_by?.login], [true, mergeSha, "fix-empty", baseBefore, "alice"]);
    const commits = await app.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", { ...params, pull_number: 2 });
    assert.deepEqual(commits.data.map((c) => [c.sha, c.author && "login" in c.author ? c.author.login : null]), [[pr.pullRequest!.commits[0], "alice"]]);
    await assert.rejects(app.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...params, pull_number: 1 }), { status: 404 });
    await assert.rejects(asApp({ issues: "read" }).request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { ...params, pull_number: 2 }), { status: 403 });
  });

  it("HEAD /installation/repositories answers an installation token like GET, without a body; a user's token gets 403", async () => {
    const since = standIn.mark();
    const { status, data } = await asApp().request("HEAD /installation/repositories", { per_page: 1 });
    assert.equal(status, 200);
    assert.ok(!data, "no body");
    await assert.rejects(api(standIn.createPat("alice")).request("HEAD /installation/repositories"), { status: 403 });
    assert.deepEqual(standIn.requests({ since, route: "HEAD /installation/repositories" }).map((r) => r.status), [200, 403]);
  });
});
