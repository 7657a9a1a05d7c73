// 64-digit object IDs (SHA-256 repositories, docs/github.md §17) through every parser and git/API path
// of the plugin, on real git output: a SHA-256 repository on the stand-in, cloned over smart HTTP.
// - git.ts: head, revParse (peeled), treeOf, lsRemote (annotated tags peeled);
// - parse-push-rejection.ts: a GH013 block listing unsigned commits by their 64-digit IDs, git's status lines;
// - push-release.ts: the atomic push, and its errors that quote object IDs (ETAGEXISTS, EREMOTEAHEAD, EPUSHREJECTED);
// - commit-via-api.ts: a refused branch update takes the tag back (a ref deletion, "no object" = 64 zeros).
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import type SemanticReleaseError from "@semantic-release/error";
import { head, lsRemote, push, revParse, treeOf } from "../lib/git/git.js";
import { commitViaApi } from "../lib/push/commit-via-api.js";
import { parseApiRejection, parsePushRejection, parseRefStatuses } from "../lib/push/parse-push-rejection.js";
import { pushRelease } from "../lib/push/push-release.js";
import { cloneInto, gitEnv, runGit, tokenGitEnv } from "./helpers/git-utils.js";
import { startStandIn, type App, type Repository, type StandIn } from "github-stand-in";

const SHA256 = /^[0-9a-f]{64}$/;

interface Setup {
  standIn: StandIn;
  app: App;
  repository: Repository;
  url: string;
  env: Record<string, string>;
  clone: { cwd: string; cleanup(): Promise<void> };
  octokit: Octokit;
}

let current: Setup | undefined;

/** a SHA-256 repository on the stand-in (rules added by `configure`), cloned with an App token */
async function setUp(configure: (s: { standIn: StandIn; app: App; repository: Repository }) => void = () => {}): Promise<Setup> {
  const standIn = await startStandIn();
  standIn.createUser("alice");
  const { app } = standIn.createApp({ slug: "release-app", permissions: { contents: "write" } });
  const installation = standIn.installApp(app, "alice");
  const repository = await standIn.createRepo("alice", "proj", { objectFormat: "sha256", files: { "README.md": "# proj\n" } });
  configure({ standIn, app, repository });
  const token = standIn.mintInstallationToken(installation).token;
  const env = await gitEnv(tokenGitEnv(standIn.origin, token));
  const url = `${standIn.origin}/alice/proj.git`;
  const clone = await cloneInto(url, env);
  current = { standIn, app, repository, url, env, clone, octokit: new Octokit({ baseUrl: standIn.apiUrl, auth: token }) };
  return current;
}

afterEach(async () => {
  await current?.clone.cleanup();
  await current?.standIn.close(); // rejects on answers that do not match GitHub's OpenAPI description
  current = undefined;
});

async function rejects(promise: Promise<unknown>): Promise<SemanticReleaseError> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (error: SemanticReleaseError) => error,
  );
}

const commitIn = (s: Setup, message: string) => runGit(s.clone.cwd, s.env, "commit", "-q", "--allow-empty", "-m", message);

const pushOptions = (s: Setup) => ({
  cwd: s.clone.cwd,
  env: s.env,
  remoteUrl: s.url,
  branch: "main",
  tag: "v1.0.0",
  actor: "release-app[bot]",
  owner: "alice",
  repo: "proj",
  githubUrl: s.standIn.origin,
});

describe("git.ts reads 64-digit object IDs", () => {
  it("head, revParse, treeOf and lsRemote (an annotated tag peeled to its commit)", async () => {
    const s = await setUp();
    const options = { cwd: s.clone.cwd, env: s.env };
    const sha = await head(options);
    assert.match(sha, SHA256);
    assert.equal(await revParse("refs/heads/main", options), sha);
    assert.equal(await revParse("refs/heads/nope", options), undefined);
    const tree = await treeOf(sha, options);
    assert.match(tree, SHA256);
    assert.notEqual(tree, sha);

    await runGit(s.clone.cwd, s.env, "tag", "-a", "-m", "annotated", "v0.9.0");
    const tagObject = await runGit(s.clone.cwd, s.env, "rev-parse", "refs/tags/v0.9.0");
    await runGit(s.clone.cwd, s.env, "push", "-q", s.url, "refs/tags/v0.9.0");
    const refs = await lsRemote(s.url, ["refs/heads/main", "refs/tags/v0.9.0"], options);
    assert.deepEqual(Object.fromEntries(refs), { "refs/heads/main": sha, "refs/tags/v0.9.0": sha });
    assert.notEqual(tagObject, sha, "the tag object has an ID of its own; lsRemote gives the commit");
  });
});

describe("GitHub's refusal texts with 64-digit IDs", () => {
  it("a GH013 signatures block names the unsigned commit by its full 64-digit ID; git's status line is read", async () => {
    const s = await setUp(({ standIn, repository }) => standIn.addRuleset(repository, { name: "Signed", target: "branch", rules: [{ type: "required_signatures" }] }));
    await commitIn(s, "unsigned");
    const sha = await head({ cwd: s.clone.cwd, env: s.env });
    const { stderr, exitCode } = await push(s.url, ["HEAD:refs/heads/main"], { cwd: s.clone.cwd, env: s.env, atomic: true });
    assert.notEqual(exitCode, 0);
    const [rejection] = parsePushRejection(stderr);
    assert.equal(rejection?.code, "GH013");
    assert.equal(rejection?.ref, "refs/heads/main");
    assert.deepEqual(rejection?.rules, [`Commits must have verified signatures. Found 1 violation: ${sha}`]);
    assert.deepEqual(
      parseRefStatuses(stderr).map(({ status, destination }) => [status, destination]),
      [["remote rejected", "main"]],
    );
  });

  it("the REST answer to a refused ref update names it the same way", async () => {
    const s = await setUp(({ standIn, repository }) =>
      standIn.addRuleset(repository, { name: "Signed", target: "branch", conditions: { ref_name: { include: ["refs/heads/signed"], exclude: [] } }, rules: [{ type: "required_signatures" }] }),
    );
    const repo = { owner: "alice", repo: "proj" };
    await s.octokit.request("POST /repos/{owner}/{repo}/git/refs", { ...repo, ref: "refs/heads/signed", sha: await head({ cwd: s.clone.cwd, env: s.env }) });
    await commitIn(s, "unsigned");
    const sha = await head({ cwd: s.clone.cwd, env: s.env });
    await runGit(s.clone.cwd, s.env, "push", "-q", s.url, "HEAD:refs/heads/feature");
    const failure = await s.octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...repo, ref: "heads/signed", sha, force: false }).then(
      () => assert.fail("expected a 422"),
      (error: { status: number; response: { data: { message: string } } }) => error,
    );
    assert.equal(failure.status, 422);
    const parsed = parseApiRejection(failure.response.data.message);
    assert.equal(parsed?.code, "GH013");
    assert.ok(parsed?.rules.includes(sha), JSON.stringify(parsed));
  });
});

describe("pushRelease in a SHA-256 repository", () => {
  it("pushes branch and tag atomically", async () => {
    const s = await setUp();
    await commitIn(s, "chore(release): 1.0.0");
    const result = await pushRelease(pushOptions(s));
    assert.match(result.sha, SHA256);
    assert.deepEqual(result.pushed, ["refs/heads/main", "refs/tags/v1.0.0"]);
    assert.equal(await s.standIn.git(s.repository, "rev-parse", "refs/tags/v1.0.0"), result.sha);
  });

  it("ETAGEXISTS quotes the other commit's ID", async () => {
    const s = await setUp();
    const other = await head({ cwd: s.clone.cwd, env: s.env });
    await runGit(s.clone.cwd, s.env, "push", "-q", s.url, `${other}:refs/tags/v1.0.0`);
    await commitIn(s, "chore(release): 1.0.0");
    const error = await rejects(pushRelease(pushOptions(s)));
    assert.equal(error.code, "ETAGEXISTS");
    assert.ok(error.message.includes(other.slice(0, 12)), error.message);
  });

  it("EREMOTEAHEAD quotes the remote branch's ID", async () => {
    const s = await setUp();
    const second = await cloneInto(s.url, s.env);
    try {
      await runGit(second.cwd, s.env, "commit", "-q", "--allow-empty", "-m", "fix: someone else");
      await runGit(second.cwd, s.env, "push", "-q", s.url, "HEAD:refs/heads/main");
      const remote = await s.standIn.git(s.repository, "rev-parse", "refs/heads/main");
      await commitIn(s, "chore(release): 1.0.0");
      const error = await rejects(pushRelease(pushOptions(s)));
      assert.equal(error.code, "EREMOTEAHEAD");
      assert.ok(error.details?.includes(remote.slice(0, 12)), error.details);
    } finally {
      await second.cleanup();
    }
  });

  it("EPUSHREJECTED lists the unsigned commit by its 64-digit ID; nothing landed", async () => {
    const s = await setUp(({ standIn, repository }) => standIn.addRuleset(repository, { name: "Signed", target: "branch", rules: [{ type: "required_signatures" }] }));
    const before = await s.standIn.git(s.repository, "rev-parse", "refs/heads/main");
    await commitIn(s, "chore(release): 1.0.0");
    const sha = await head({ cwd: s.clone.cwd, env: s.env });
    const error = await rejects(pushRelease(pushOptions(s)));
    assert.equal(error.code, "EPUSHREJECTED");
    assert.ok(error.details?.includes(sha), error.details);
    assert.equal(await s.standIn.git(s.repository, "rev-parse", "refs/heads/main"), before);
  });
});

describe("commitViaApi in a SHA-256 repository", () => {
  it("a refused branch update deletes the tag ref again (64-zero new ID) and reports the rule", async () => {
    const s = await setUp(({ standIn, repository }) => standIn.addRuleset(repository, { name: "PRs only", target: "branch", rules: [{ type: "pull_request" }] }));
    const parentSha = await head({ cwd: s.clone.cwd, env: s.env });
    await writeFile(join(s.clone.cwd, "CHANGELOG.md"), "# 1.0.0\n");
    const error = await rejects(
      commitViaApi({
        octokit: s.octokit,
        owner: "alice",
        repo: "proj",
        branch: "main",
        tag: "v1.0.0",
        cwd: s.clone.cwd,
        env: s.env,
        files: ["CHANGELOG.md"],
        message: "chore(release): 1.0.0",
        parentSha,
        remoteUrl: s.url,
        actor: "release-app[bot]",
      }),
    );
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.details ?? "", /Changes must be made through a pull request/);
    await assert.rejects(s.standIn.git(s.repository, "rev-parse", "--verify", "refs/tags/v1.0.0"), "the tag was taken back");
    const tagUpdates = s.standIn.refPushes({ via: "api", ref: "refs/tags/v1.0.0" }).flatMap((p) => p.updates);
    assert.deepEqual(
      tagUpdates.map((u) => [u.oldSha === "0".repeat(64), u.newSha === "0".repeat(64)]),
      [
        [true, false],
        [false, true],
      ],
      "created from nothing, then deleted",
    );
  });
});
