import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  GitError,
  commit,
  deleteTag,
  git,
  head,
  lsRemote,
  modifiedFiles,
  push,
  revParse,
  scrubUrls,
  tag,
} from "../lib/git/git.js";
import { gitRepo, type TestRepo } from "./helpers/git-utils.js";

describe("git wrappers", () => {
  let repo: TestRepo;
  before(async () => {
    repo = await gitRepo();
  });
  after(() => repo.cleanup());

  it("scrubs userinfo from URLs", () => {
    assert.equal(
      scrubUrls("fatal: 'https://x-access-token:ghs_secret@github.com/o/r.git' and http://user@127.0.0.1:9/r.git"),
      "fatal: 'https://github.com/o/r.git' and http://127.0.0.1:9/r.git",
    );
  });

  it("never puts URL credentials into a GitError", async () => {
    const error = await git(["push", "https://user:SeCrEt@127.0.0.1:1/o/r.git", "HEAD:main"], { cwd: repo.cwd, env: repo.env }).then(
      () => assert.fail("push should fail"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GitError);
    assert.doesNotMatch(`${error.message} ${error.command} ${error.stderr}`, /SeCrEt/);
    assert.match(error.command, /git push https:\/\/127\.0\.0\.1:1\/o\/r\.git HEAD:main/);
  });

  it("commits with the message on stdin, as given", async () => {
    await repo.write({ "a.txt": "a\n" });
    await git(["add", "a.txt"], { cwd: repo.cwd, env: repo.env });
    const message = "chore(release): 1.0.0 [skip ci]\n\n* `code` $HOME \"quotes\"\n";
    await commit(message, { cwd: repo.cwd, env: repo.env });
    assert.equal(await repo.git("log", "-1", "--format=%B"), message.trim());
  });

  it("lists modified and untracked files, unquoted", async () => {
    await repo.write({ "README.md": "changed\n", "new dir/é.txt": "x" });
    assert.deepEqual((await modifiedFiles({ cwd: repo.cwd, env: repo.env })).sort(), ["README.md", "new dir/é.txt"]);
  });

  it("creates, reads and deletes tags; reads remote refs with annotated tags peeled", async () => {
    const opts = { cwd: repo.cwd, env: repo.env };
    const sha = await head(opts);
    await tag("v9.9.9", sha, opts);
    assert.equal(await revParse("refs/tags/v9.9.9", opts), sha);
    assert.equal(await deleteTag("v9.9.9", opts), true);
    assert.equal(await deleteTag("v9.9.9", opts), false);
    assert.equal(await revParse("refs/tags/v9.9.9", opts), undefined);

    await repo.git("tag", "-a", "-m", "annotated", "v0.0.1", sha);
    const result = await push(repo.remote, ["HEAD:refs/heads/main", "refs/tags/v0.0.1"], { ...opts, atomic: true });
    assert.equal(result.exitCode, 0, result.stderr);
    const refs = await lsRemote(repo.remote, ["refs/heads/main", "refs/tags/v0.0.1"], opts);
    assert.equal(refs.get("refs/heads/main"), sha);
    assert.equal(refs.get("refs/tags/v0.0.1"), sha);
  });

  it("removes env keys set to undefined", async () => {
    const { stdout } = await git(["var", "GIT_AUTHOR_IDENT"], {
      cwd: repo.cwd,
      env: { ...repo.env, GIT_AUTHOR_NAME: "Someone", GIT_AUTHOR_EMAIL: undefined },
    });
    assert.match(stdout, /^Someone <test@example\.com>/);
  });
});
