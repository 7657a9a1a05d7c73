import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import type SemanticReleaseError from "@semantic-release/error";
import { pushRelease } from "../lib/push/push-release.js";
import { cloneInto, gitEnv, gitRepo, runGit, tokenGitEnv, type TestRepo } from "./helpers/git-utils.js";
import { startStandIn, type StandIn, type App, type Repository } from "github-stand-in";

const GH013_HOOK = `#!/bin/sh
echo "error: GH013: Repository rule violations found for refs/heads/main." >&2
echo "Review all repository rules at https://github.com/o/r/rules?ref=refs%2Fheads%2Fmain" >&2
echo "" >&2
echo "- Changes must be made through a pull request." >&2
echo "" >&2
echo "- Required status check \\"build\\" is expected." >&2
exit 1
`;

async function rejects(promise: Promise<unknown>): Promise<SemanticReleaseError> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (error: SemanticReleaseError) => error,
  );
}

describe("pushRelease (local bare remote)", () => {
  let repo: TestRepo;
  afterEach(() => repo?.cleanup());

  const opts = (extra: Record<string, unknown> = {}) => ({
    cwd: repo.cwd,
    env: repo.env,
    remoteUrl: repo.remote,
    branch: "main",
    tag: "v1.0.0",
    actor: "release-app[bot]",
    owner: "o",
    repo: "r",
    githubUrl: "https://github.com",
    ...extra,
  });

  it("pushes branch and tag together and deletes the local tag", async () => {
    repo = await gitRepo();
    const sha = await repo.commit("chore(release): 1.0.0", { "CHANGELOG.md": "1.0.0\n" });
    const result = await pushRelease(opts());
    assert.equal(result.sha, sha);
    assert.deepEqual(result.pushed, ["refs/heads/main", "refs/tags/v1.0.0"]);
    assert.equal(result.attempts, 1);
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), sha);
    assert.equal(await repo.remoteGit("rev-parse", "refs/tags/v1.0.0"), sha);
    assert.equal(await repo.git("tag", "--list"), "", "the local tag is deleted (core re-creates it)");
    // core's next steps work: tag the same commit, push --tags is a no-op
    await repo.git("tag", "v1.0.0", sha);
    await repo.git("push", "--tags", repo.remote);
  });

  it("reports the bypass notice of an accepted push", async () => {
    repo = await gitRepo();
    await repo.hook(
      "pre-receive",
      `echo "Bypassed rule violations for refs/heads/main:" >&2\necho "" >&2\necho "- Changes must be made through a pull request." >&2\nexit 0\n`,
    );
    await repo.commit("release");
    const logs: string[] = [];
    const result = await pushRelease(opts({ logger: { log: (m: string, ...a: unknown[]) => logs.push([m, ...a].join(" ")) } }));
    assert.deepEqual(result.bypassed, [{ ref: "refs/heads/main", rules: ["Changes must be made through a pull request."] }]);
    assert.ok(logs.some((line) => line.includes("bypassed rule violations")));
  });

  it("GH013 from a pre-receive hook → EPUSHREJECTED with the rules; nothing moved", async () => {
    repo = await gitRepo();
    const before = await repo.remoteGit("rev-parse", "refs/heads/main");
    await repo.hook("pre-receive", GH013_HOOK);
    await repo.commit("release");
    const error = await rejects(pushRelease(opts()));
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.message, /refs\/heads\/main/);
    assert.match(error.message, /release-app\[bot\]/);
    assert.match(error.details!, /- Changes must be made through a pull request\./);
    assert.match(error.details!, /- Required status check "build" is expected\./);
    assert.match(error.details!, /https:\/\/github\.com\/o\/r\/settings\/rules/);
    assert.match(error.details!, /Always/);
    assert.match(error.details!, /README\.md#epushrejected\)\.$/);
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), before);
    assert.equal(await repo.git("tag", "--list"), "", "local tag deleted after a failure too");
  });

  it("a tag refused by an `update` hook keeps the branch unmoved (--atomic)", async () => {
    repo = await gitRepo();
    const before = await repo.remoteGit("rev-parse", "refs/heads/main");
    await repo.hook("update", `case "$1" in refs/tags/*) echo "tags are frozen" >&2; exit 1;; esac\nexit 0\n`);
    await repo.commit("release");
    const error = await rejects(pushRelease(opts()));
    assert.equal(error.code, "EPUSHFAILED");
    assert.match(error.details!, /tags are frozen/);
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), before);
    await assert.rejects(repo.remoteGit("rev-parse", "--verify", "refs/tags/v1.0.0"));
  });

  it("someone pushed first → EREMOTEAHEAD; the local release commit stays", async () => {
    repo = await gitRepo();
    const other = await repo.clone();
    await runGit(other, repo.env, "commit", "-q", "--allow-empty", "-m", "feat: someone else");
    await runGit(other, repo.env, "push", "-q", "origin", "main");
    const remoteTip = await repo.remoteGit("rev-parse", "refs/heads/main");
    const sha = await repo.commit("release");
    const error = await rejects(pushRelease(opts()));
    assert.equal(error.code, "EREMOTEAHEAD");
    assert.match(error.details!, new RegExp(remoteTip.slice(0, 12)));
    assert.equal(await repo.git("rev-parse", "HEAD"), sha);
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), remoteTip);
  });

  it("the tag on the remote at another commit → ETAGEXISTS, nothing pushed", async () => {
    repo = await gitRepo();
    const old = await repo.git("rev-parse", "HEAD");
    await repo.remoteGit("tag", "v1.0.0", old);
    await repo.commit("release");
    const error = await rejects(pushRelease(opts()));
    assert.equal(error.code, "ETAGEXISTS");
    assert.match(error.message, /on the remote/);
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), old);
  });

  it("the tag on the remote at our commit → only the branch is pushed", async () => {
    repo = await gitRepo();
    const sha = await repo.commit("release");
    await repo.git("push", "-q", repo.remote, `${sha}:refs/tags/v1.0.0`);
    const result = await pushRelease(opts());
    assert.deepEqual(result.pushed, ["refs/heads/main"]);
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), sha);
    const again = await pushRelease(opts());
    assert.deepEqual(again.pushed, []);
  });

  it("a local tag of that name → ETAGEXISTS (core's `git tag` would fail)", async () => {
    repo = await gitRepo();
    await repo.git("tag", "v1.0.0");
    await repo.commit("release");
    const error = await rejects(pushRelease(opts()));
    assert.equal(error.code, "ETAGEXISTS");
    assert.match(error.message, /local clone/);
  });

  it("an unreachable remote → EPUSHFAILED without credentials in the text", async () => {
    repo = await gitRepo();
    await repo.commit("release");
    const error = await rejects(pushRelease(opts({ remoteUrl: "http://user:SeCrEt@127.0.0.1:1/o/r.git" })));
    assert.equal(error.code, "EPUSHFAILED");
    assert.doesNotMatch(`${error.message}\n${error.details}`, /SeCrEt/);
  });

  it("retries once after a transient failure when nothing landed", async () => {
    repo = await gitRepo();
    // the first receive fails like an RPC error, the second is accepted
    await repo.hook(
      "pre-receive",
      `cat >/dev/null\nif [ ! -f "$GIT_DIR/attempted" ]; then touch "$GIT_DIR/attempted"; echo "error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502" >&2; exit 1; fi\nexit 0\n`,
    );
    const sha = await repo.commit("release");
    const result = await pushRelease(opts());
    assert.equal(result.attempts, 2);
    assert.equal(await repo.remoteGit("rev-parse", "refs/tags/v1.0.0"), sha);
  });

  it("does not retry a second time", async () => {
    repo = await gitRepo();
    await repo.hook("pre-receive", `cat >/dev/null\necho "The requested URL returned error: 503" >&2\nexit 1\n`);
    await repo.commit("release");
    const error = await rejects(pushRelease(opts()));
    assert.equal(error.code, "EPUSHFAILED");
    assert.match(error.details!, /retried once/);
  });
});

// ---- over git smart HTTP against the local GitHub stand-in (its pre-receive hook runs the rules engine) ----


describe("pushRelease against the GitHub stand-in", () => {
  let standIn: StandIn;
  let app: App;
  let repository: Repository;
  let clone: { cwd: string; cleanup(): Promise<void> };
  let env: Record<string, string>;
  let url: string;

  const setUp = async (configure: () => void = () => {}) => {
    standIn = await startStandIn();
    standIn.createUser("alice");
    ({ app } = standIn.createApp({ slug: "release-app", permissions: { contents: "write" } }));
    const installation = standIn.installApp(app, "alice");
    repository = await standIn.createRepo("alice", "proj");
    configure();
    env = await gitEnv(tokenGitEnv(standIn.origin, standIn.mintInstallationToken(installation).token));
    url = `${standIn.origin}/alice/proj.git`;
    clone = await cloneInto(url, env);
    await runGit(clone.cwd, env, "commit", "-q", "--allow-empty", "-m", "chore(release): 1.0.0");
  };
  afterEach(async () => {
    await clone?.cleanup();
    await standIn?.close();
  });

  const push = () =>
    pushRelease({
      cwd: clone.cwd,
      env,
      remoteUrl: url,
      branch: "main",
      tag: "v1.0.0",
      actor: "release-app[bot]",
      owner: "alice",
      repo: "proj",
      githubUrl: standIn.origin,
    });

  it("a pull_request rule without bypass → EPUSHREJECTED (GH013) naming the rule; nothing landed", async () => {
    await setUp(() => standIn.addRuleset(repository, { name: "PRs only", target: "branch", rules: [{ type: "pull_request" }] }));
    const before = await standIn.git(repository, "rev-parse", "refs/heads/main");
    const error = await rejects(push());
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.details!, /GH013/);
    assert.match(error.details!, /- Changes must be made through a pull request\./);
    assert.equal(await standIn.git(repository, "rev-parse", "refs/heads/main"), before);
    await assert.rejects(standIn.git(repository, "rev-parse", "--verify", "refs/tags/v1.0.0"));
  });

  it("a tag ruleset refusing creation keeps the branch unmoved (atomic)", async () => {
    await setUp(() => standIn.addRuleset(repository, { name: "no tags", target: "tag", rules: [{ type: "creation" }] }));
    const before = await standIn.git(repository, "rev-parse", "refs/heads/main");
    const error = await rejects(push());
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.message, /refs\/tags\/v1\.0\.0/);
    assert.equal(await standIn.git(repository, "rev-parse", "refs/heads/main"), before);
  });

  it("the App as bypass actor (always) → pushed, with the bypass notice", async () => {
    await setUp(() =>
      standIn.addRuleset(repository, {
        name: "PRs only",
        target: "branch",
        rules: [{ type: "pull_request" }],
        bypass_actors: [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }],
      }),
    );
    const result = await push();
    assert.equal(await standIn.git(repository, "rev-parse", "refs/heads/main"), result.sha);
    assert.equal(await standIn.git(repository, "rev-parse", "refs/tags/v1.0.0"), result.sha);
    assert.deepEqual(result.bypassed.map((notice) => notice.ref), ["refs/heads/main"]);
    assert.equal(standIn.refPushes().at(-1)?.actor, "installation:release-app[bot]");
  });

  it("a 502 from receive-pack is retried once", async () => {
    await setUp();
    standIn.failNext("GIT receive-pack", 1, 502);
    const result = await push();
    assert.equal(result.attempts, 2);
    assert.equal(await standIn.git(repository, "rev-parse", "refs/tags/v1.0.0"), result.sha);
  });
});
