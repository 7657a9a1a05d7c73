// SHA-256 repositories (docs/github.md §17): 64-digit object IDs through git smart HTTP (clone, an
// atomic push judged by the hooks), the REST git database (blobs, trees, commits, refs), GraphQL
// `object(oid:)`, and `GET /repos/{owner}/{repo}/hash-algorithm`. Every answer is checked against
// GitHub's OpenAPI description when the stand-in closes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import { isObjectIdOf, isZeroOid, zeroOid } from "../src/object-id.js";
import type { App, Installation, Repository } from "../src/world.js";

const SHA256 = /^[0-9a-f]{64}$/;

let tmp: string;
let s: StandIn;
let app: App;
let installation: Installation;
let repo: Repository;
let sha1Repo: Repository;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "sha256-test-"));
  s = await startStandIn();
  s.createUser("alice");
  ({ app } = s.createApp({ slug: "releaser", owner: "alice", permissions: { contents: "write", metadata: "read" } }));
  installation = s.installApp(app, "alice");
  repo = await s.createRepo("alice", "lib", { objectFormat: "sha256", files: { "README.md": "# lib\n", "docs/a.md": "a\n", "docs/b.md": "b\n" } });
  sha1Repo = await s.createRepo("alice", "old");
});
after(async () => {
  await s.close(); // fails on any answer that does not match GitHub's OpenAPI description
  await rm(tmp, { recursive: true, force: true });
});

function gitEnv(token?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GIT_")) env[k] = v;
  Object.assign(env, {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Tester",
    GIT_AUTHOR_EMAIL: "tester@example.com",
    GIT_COMMITTER_NAME: "Tester",
    GIT_COMMITTER_EMAIL: "tester@example.com",
  });
  if (token) {
    Object.assign(env, {
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: `http.${s.origin}/.extraheader`,
      GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
    });
  }
  return env;
}

function git(cwd: string, args: string[], token?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env: gitEnv(token) }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout: stdout.trim(), stderr });
    });
  });
}

async function ok(cwd: string, args: string[], token?: string): Promise<string> {
  const r = await git(cwd, args, token);
  assert.equal(r.code, 0, `git ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

const appToken = () => s.mintInstallationToken(installation).token;
const octokit = () => new Octokit({ baseUrl: s.apiUrl, auth: appToken() });
const url = (name: string) => `${s.origin}/alice/${name}.git`;
const remoteRef = (r: Repository, ref: string) => s.git(r, "rev-parse", "--verify", "-q", ref).catch(() => undefined);

describe("object IDs of both formats", () => {
  it("tells 40 from 64 hex digits, by the repository's format", () => {
    const sha1 = "a".repeat(40);
    const sha256 = "a".repeat(64);
    assert.deepEqual([isObjectIdOf(repo, sha256), isObjectIdOf(repo, sha1)], [true, false]);
    assert.deepEqual([isObjectIdOf(sha1Repo, sha1), isObjectIdOf(sha1Repo, sha256)], [true, false]);
    assert.equal(isObjectIdOf(repo, "A".repeat(64)), false, "git prints lower case");
    assert.equal(zeroOid(repo), "0".repeat(64));
    assert.equal(zeroOid(sha1Repo), "0".repeat(40));
    assert.deepEqual(["0".repeat(40), "0".repeat(64), "0".repeat(63), `${"0".repeat(63)}1`].map(isZeroOid), [true, true, false, false]);
  });
});

describe("GET /repos/{owner}/{repo}/hash-algorithm", () => {
  it("answers sha256 for a SHA-256 repository and sha1 for the others", async () => {
    const one = await octokit().request("GET /repos/{owner}/{repo}/hash-algorithm", { owner: "alice", repo: "lib" });
    const two = await octokit().request("GET /repos/{owner}/{repo}/hash-algorithm", { owner: "alice", repo: "old" });
    assert.deepEqual([one.data, two.data], [{ hash_algorithm: "sha256" }, { hash_algorithm: "sha1" }]);
  });

  it("answers 404 for a repository the token does not reach", async () => {
    await assert.rejects(octokit().request("GET /repos/{owner}/{repo}/hash-algorithm", { owner: "alice", repo: "nope" }), { status: 404 });
  });
});

describe("git smart HTTP with a SHA-256 repository", () => {
  it("clones it as SHA-256, and judges an atomic push of a new branch and a tag as creations (64-zero old IDs)", async () => {
    s.addRuleset(repo, {
      name: "history",
      target: "branch",
      conditions: { ref_name: { include: ["~ALL"], exclude: [] } },
      rules: [{ type: "non_fast_forward" }],
    });
    const work = join(tmp, "clone");
    await ok(tmp, ["clone", "-q", url("lib"), work], appToken());
    assert.equal(await ok(work, ["rev-parse", "--show-object-format"]), "sha256");
    await writeFile(join(work, "CHANGELOG.md"), "# 1.0.0\n");
    await ok(work, ["add", "CHANGELOG.md"]);
    await ok(work, ["commit", "-q", "-m", "chore(release): 1.0.0"]);
    const head = await ok(work, ["rev-parse", "HEAD"]);
    assert.match(head, SHA256);
    await ok(work, ["tag", "v1.0.0"]);
    const since = s.mark();
    const pushed = await git(work, ["push", "--atomic", url("lib"), "HEAD:refs/heads/release", "HEAD:refs/heads/main", "refs/tags/v1.0.0"], appToken());
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.equal(await remoteRef(repo, "refs/heads/release"), head, "a new branch is a creation, not a non-fast-forward");
    assert.equal(await remoteRef(repo, "refs/tags/v1.0.0"), head);
    const [push] = s.refPushes({ since });
    assert.equal(push?.accepted, true);
    const created = push!.updates.filter((u) => u.ref !== "refs/heads/main");
    assert.deepEqual(created.map((u) => [u.ref, u.oldSha, u.newSha]), [
      ["refs/heads/release", "0".repeat(64), head],
      ["refs/tags/v1.0.0", "0".repeat(64), head],
    ]);
  });

  it("refuses a force push with GH013, and lists unsigned commits by their 64-digit IDs", async () => {
    s.addRuleset(repo, { name: "signed", target: "branch", conditions: { ref_name: { include: ["refs/heads/signed"], exclude: [] } }, rules: [{ type: "required_signatures" }] });
    const work = join(tmp, "clone");
    await ok(work, ["commit", "-q", "--allow-empty", "-m", "unsigned"]);
    const head = await ok(work, ["rev-parse", "HEAD"]);
    const refused = await git(work, ["push", url("lib"), "HEAD:refs/heads/signed"], appToken());
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /GH013: Repository rule violations found for refs\/heads\/signed/);
    assert.ok(refused.stderr.includes(`remote:   ${head}`), refused.stderr);

    const rewound = await git(work, ["push", "--force", url("lib"), "HEAD~2:refs/heads/release"], appToken());
    assert.notEqual(rewound.code, 0);
    assert.match(rewound.stderr, /- Cannot force-push to this branch/);
  });
});

describe("the REST git database in a SHA-256 repository", () => {
  it("makes a blob, a tree with a deletion, a commit, and moves refs; every ID has 64 digits", async () => {
    const o = octokit();
    const p = { owner: "alice", repo: "lib" } as const;
    const main = (await o.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...p, ref: "heads/main" })).data;
    assert.match(main.object.sha, SHA256);
    const parent = (await o.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...p, commit_sha: main.object.sha })).data;
    assert.match(parent.tree.sha, SHA256);

    const blob = (await o.request("POST /repos/{owner}/{repo}/git/blobs", { ...p, content: Buffer.from([0, 1, 2]).toString("base64"), encoding: "base64" })).data;
    assert.match(blob.sha, SHA256);
    const tree = (
      await o.request("POST /repos/{owner}/{repo}/git/trees", {
        ...p,
        base_tree: parent.tree.sha,
        tree: [
          { path: "bin.dat", mode: "100644", type: "blob", sha: blob.sha },
          { path: "CHANGELOG.md", mode: "100644", type: "blob", content: "# 1.1.0\n" },
          { path: "docs/a.md", mode: "100644", type: "blob", sha: null },
        ],
      })
    ).data;
    assert.match(tree.sha, SHA256);
    assert.deepEqual(
      tree.tree.map((e) => e.path),
      ["CHANGELOG.md", "README.md", "bin.dat", "docs"],
    );
    assert.equal(await s.git(repo, "ls-tree", "--name-only", `${tree.sha}:docs`), "b.md", "docs/a.md was removed");

    const commit = (await o.request("POST /repos/{owner}/{repo}/git/commits", { ...p, message: "chore(release): 1.1.0", tree: tree.sha, parents: [parent.sha] })).data;
    assert.match(commit.sha, SHA256);
    assert.equal(commit.verification?.verified, true);

    const tag = (await o.request("POST /repos/{owner}/{repo}/git/refs", { ...p, ref: "refs/tags/v1.1.0", sha: commit.sha })).data;
    assert.equal(tag.object.sha, commit.sha);
    const moved = (await o.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...p, ref: "heads/main", sha: commit.sha, force: false })).data;
    assert.equal(moved.object.sha, commit.sha);
    assert.equal(await remoteRef(repo, "refs/heads/main"), commit.sha);
    await o.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ...p, ref: "tags/v1.1.0" });
    assert.equal(await remoteRef(repo, "refs/tags/v1.1.0"), undefined);
    const api = s.refPushes({ via: "api" }).flatMap((push) => push.updates);
    assert.deepEqual(api.at(-3)?.oldSha, "0".repeat(64), "creating the tag: 64 zeros");
    assert.deepEqual(api.at(-1)?.newSha, "0".repeat(64), "deleting it: 64 zeros");
  });

  it("answers 422 to a 40-digit ID, as to any object the repository lacks", async () => {
    const o = octokit();
    await assert.rejects(
      o.request("POST /repos/{owner}/{repo}/git/refs", { owner: "alice", repo: "lib", ref: "refs/heads/x", sha: "a".repeat(40) }),
      { status: 422, message: /Object does not exist/ },
    );
  });

  it("GraphQL finds a commit by its 64-digit oid", async () => {
    const head = await s.git(repo, "rev-parse", "refs/heads/main");
    const response = await fetch(`${s.origin}/api/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `bearer ${appToken()}` },
      body: JSON.stringify({ query: `{ repository(owner: "alice", name: "lib") { object(oid: "${head}") { ... on Commit { oid } } } }` }),
    });
    const body = (await response.json()) as { data: { repository: { object: { oid: string } } } };
    assert.equal(body.data.repository.object.oid, head);
  });
});
