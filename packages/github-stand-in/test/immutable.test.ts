// Immutable releases in the stand-in (docs/github.md §15.1): the setting's endpoint, a release by tag,
// the tag lock of a live immutable release (no bypass, not even exempt), and a burned tag name after
// the release and its tag are deleted, through REST and through a real `git push`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { App, Installation, Repository } from "../src/world.js";

let standIn: StandIn;
let app: App;
let installation: Installation;
let repo: Repository;
let tmp: string;
let first: string;
let second: string;

const OWNER = "octo";
const NAME = "lib";

function run(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string; stdout: string }> {
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GIT_")) clean[k] = v;
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env: { ...clean, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0", ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

function pushEnv(token: string): Record<string, string> {
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
  return { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: `http.${standIn.origin}/.extraheader`, GIT_CONFIG_VALUE_0: header };
}

const octokit = (permissions?: Record<string, "read" | "write">) =>
  new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.mintInstallationToken(installation, permissions ? { permissions } : {}).token });

async function status(promise: Promise<unknown>): Promise<{ status: number; message: string; errors?: unknown }> {
  try {
    const answer = (await promise) as { status: number };
    return { status: answer.status, message: "" };
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string; errors?: unknown } } };
    return { status: e.status, message: e.response?.data?.message ?? "", errors: e.response?.data?.errors };
  }
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "immutable-test-"));
  standIn = await startStandIn();
  standIn.createUser(OWNER);
  ({ app } = standIn.createApp({ slug: "release-bot", owner: OWNER, permissions: { contents: "write", metadata: "read", administration: "read" } }));
  repo = await standIn.createRepo(OWNER, NAME, { files: { "README.md": "# lib\n" } });
  installation = standIn.installApp(app, OWNER);
  // the App is exempt from every tag rule: the lock must hold anyway
  standIn.addRuleset(repo, {
    name: "tags",
    target: "tag",
    conditions: { ref_name: { include: ["~ALL"], exclude: [] } },
    rules: [{ type: "update" }],
    bypass_actors: [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "exempt" }],
  });
  first = (await standIn.git(repo, "rev-parse", "refs/heads/main")).trim();
  await octokit().request("POST /repos/{owner}/{repo}/git/refs", { owner: OWNER, repo: NAME, ref: "refs/tags/v1.0.0", sha: first });
  const work = join(tmp, "work");
  await run(tmp, ["clone", `${standIn.origin}/${OWNER}/${NAME}.git`, work], pushEnv(standIn.mintInstallationToken(installation).token));
  await run(work, ["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "--allow-empty", "-m", "feat: more"]);
  assert.equal((await run(work, ["push", "origin", "HEAD:refs/heads/main"], pushEnv(standIn.mintInstallationToken(installation).token))).code, 0);
  second = (await standIn.git(repo, "rev-parse", "refs/heads/main")).trim();
});
after(async () => {
  await standIn.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("the setting: GET /repos/{owner}/{repo}/immutable-releases", () => {
  it("404 while off, 200 { enabled, enforced_by_owner } once on", async () => {
    assert.equal((await status(octokit().request("GET /repos/{owner}/{repo}/immutable-releases", { owner: OWNER, repo: NAME }))).status, 404);
    standIn.setImmutableReleases(repo, true);
    const { data } = await octokit().request("GET /repos/{owner}/{repo}/immutable-releases", { owner: OWNER, repo: NAME });
    assert.deepEqual(data, { enabled: true, enforced_by_owner: false });
  });

  it("needs Administration: read (403 for a token without it)", async () => {
    const answer = await status(octokit({ contents: "write" }).request("GET /repos/{owner}/{repo}/immutable-releases", { owner: OWNER, repo: NAME }));
    assert.equal(answer.status, 403);
    assert.match(answer.message, /Resource not accessible by integration/);
  });
});

describe("a live immutable release locks its tag", () => {
  before(() => {
    standIn.publishRelease(repo, "v1.0.0");
  });

  it("GET releases/tags/{tag} shows it as immutable", async () => {
    const { data } = await octokit().request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { owner: OWNER, repo: NAME, tag: "v1.0.0" });
    assert.equal(data.immutable, true);
    assert.equal((await status(octokit().request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { owner: OWNER, repo: NAME, tag: "v9.9.9" }))).status, 404);
  });

  it("moving the tag is refused to an exempt App, through REST and git", async () => {
    const api = await status(octokit().request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner: OWNER, repo: NAME, ref: "tags/v1.0.0", sha: second, force: true }));
    assert.equal(api.status, 422);
    assert.match(api.message, /Repository rule violations found\n\nCannot update this protected ref\./);
    const work = join(tmp, "work");
    const pushed = await run(work, ["push", "--force", "origin", `${second}:refs/tags/v1.0.0`], pushEnv(standIn.mintInstallationToken(installation).token));
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.stderr, /GH013: Repository rule violations found for refs\/tags\/v1\.0\.0/);
    assert.match(pushed.stderr, /Cannot update this protected ref\./);
    assert.equal((await standIn.git(repo, "rev-parse", "refs/tags/v1.0.0")).trim(), first);
  });

  it("deleting the tag is refused while the release exists", async () => {
    const api = await status(octokit().request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner: OWNER, repo: NAME, ref: "tags/v1.0.0" }));
    assert.equal(api.status, 422);
    assert.equal((await standIn.git(repo, "rev-parse", "refs/tags/v1.0.0")).trim(), first);
  });
});

describe("after the release is deleted, its tag name is burned", () => {
  before(async () => {
    const { data } = await octokit().request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { owner: OWNER, repo: NAME, tag: "v1.0.0" });
    await octokit().request("DELETE /repos/{owner}/{repo}/releases/{release_id}", { owner: OWNER, repo: NAME, release_id: data.id });
  });

  it("the release is gone (404 by tag) and its tag can now be deleted", async () => {
    assert.equal((await status(octokit().request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { owner: OWNER, repo: NAME, tag: "v1.0.0" }))).status, 404);
    const deleted = await status(octokit().request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner: OWNER, repo: NAME, ref: "tags/v1.0.0" }));
    assert.equal(deleted.status, 204);
  });

  it("creating the tag again is refused, through REST and git, as a creation restriction", async () => {
    const api = await status(octokit().request("POST /repos/{owner}/{repo}/git/refs", { owner: OWNER, repo: NAME, ref: "refs/tags/v1.0.0", sha: second }));
    assert.equal(api.status, 422);
    assert.match(api.message, /Cannot create ref due to creations being restricted\./);
    const work = join(tmp, "work");
    const pushed = await run(work, ["push", "origin", `${second}:refs/tags/v1.0.0`], pushEnv(standIn.mintInstallationToken(installation).token));
    assert.notEqual(pushed.code, 0);
    assert.match(pushed.stderr, /GH013: Repository rule violations found for refs\/tags\/v1\.0\.0\.[\s\S]*- Cannot create ref due to creations being restricted\./);
    const other = await run(work, ["push", "origin", `${second}:refs/tags/v1.0.1`], pushEnv(standIn.mintInstallationToken(installation).token));
    assert.equal(other.code, 0, other.stderr);
  });

  it("a release with the burned name is refused (422 tag_name was used by an immutable release)", async () => {
    const answer = await status(octokit().request("POST /repos/{owner}/{repo}/releases", { owner: OWNER, repo: NAME, tag_name: "v1.0.0" }));
    assert.equal(answer.status, 422);
    assert.match(JSON.stringify(answer.errors), /tag_name was used by an immutable release/);
  });

  it("turning the setting off does not free the name", async () => {
    standIn.setImmutableReleases(repo, false);
    const api = await status(octokit().request("POST /repos/{owner}/{repo}/git/refs", { owner: OWNER, repo: NAME, ref: "refs/tags/v1.0.0", sha: second }));
    assert.equal(api.status, 422);
  });
});
