import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import type SemanticReleaseError from "@semantic-release/error";
import { commitViaApi } from "../lib/push/commit-via-api.js";
import { cloneInto, gitEnv, gitRepo, runGit, tokenGitEnv, type TestRepo } from "./helpers/git-utils.js";
import { startStandIn, type StandIn, type App, type Installation, type Repository } from "github-stand-in";

/**
 * A minimal Git database API over the bare test remote (git plumbing), enough to check what
 * commitViaApi sends: blobs, trees on base_tree, commits, refs with fast-forward checks.
 * `refuse` makes PATCH of the branch answer like a ruleset (docs/github.md §3.4).
 */
function gitDatabaseApi(repo: TestRepo, behaviour: { refuse?: string; refuseTag?: string; verified?: boolean; failDelete?: boolean } = {}) {
  const calls: string[] = [];
  const bare = (args: string[], input?: string, env: Record<string, string> = {}) =>
    new Promise<string>((resolve, reject) => {
      const child = execFile("git", args, { cwd: repo.remote, env: { ...repo.env, ...env } }, (error, stdout, stderr) =>
        error ? reject(new Error(stderr)) : resolve(stdout.trim()),
      );
      child.stdin?.on("error", () => {});
      if (input === undefined) child.stdin?.end();
      else child.stdin?.end(input);
    });
  let indexDir: string | undefined;
  let blobs = 0;
  const reply = (status: number, body?: unknown) =>
    new Response(status === 204 ? null : JSON.stringify(body ?? {}), { status, headers: { "content-type": "application/json" } });
  const handle = async (method: string, path: string, body: any): Promise<Response> => {
    calls.push(`${method} ${path}`);
    const m = /^\/repos\/o\/r\/git\/(.*)$/.exec(path);
    if (!m) return reply(404, { message: "Not Found" });
    const rest = decodeURIComponent(m[1]!);
    if (method === "POST" && rest === "blobs") {
      const file = join(indexDir!, `blob-${++blobs}`); // requests run in parallel
      await writeFile(file, Buffer.from(body.content, "base64"));
      return reply(201, { sha: await bare(["hash-object", "-w", "--no-filters", file]) });
    }
    if (method === "POST" && rest === "trees") {
      const env = { GIT_INDEX_FILE: join(indexDir!, "index") };
      await bare(["read-tree", body.base_tree], undefined, env);
      // mode 0 removes a path (`sha: null`); works without a work tree
      const lines: string[] = [];
      for (const entry of body.tree) {
        if (typeof entry.content === "string") {
          // inline text: GitHub stores it as a blob of exactly these UTF-8 bytes
          const file = join(indexDir!, `content-${++blobs}`);
          await writeFile(file, entry.content, "utf8");
          lines.push(`${entry.mode} ${await bare(["hash-object", "-w", "--no-filters", file])}\t${entry.path}`);
        } else lines.push(entry.sha === null ? `0 ${"0".repeat(40)}\t${entry.path}` : `${entry.mode} ${entry.sha}\t${entry.path}`);
      }
      const info = lines.join("\n");
      await bare(["update-index", "--index-info"], `${info}\n`, env);
      return reply(201, { sha: await bare(["write-tree"], undefined, env) });
    }
    if (method === "POST" && rest === "commits") {
      assert.equal(body.author, undefined);
      assert.equal(body.committer, undefined);
      assert.equal(body.signature, undefined);
      const sha = await bare(["commit-tree", body.tree, ...body.parents.flatMap((p: string) => ["-p", p])], body.message, {
        GIT_AUTHOR_NAME: "release-app[bot]",
        GIT_AUTHOR_EMAIL: "7+release-app[bot]@users.noreply.github.com",
        GIT_COMMITTER_NAME: "GitHub",
        GIT_COMMITTER_EMAIL: "noreply@github.com",
      });
      return reply(201, { sha, verification: { verified: behaviour.verified ?? true, reason: behaviour.verified === false ? "unsigned" : "valid" } });
    }
    if (method === "POST" && rest === "refs") {
      if (behaviour.refuseTag) return reply(422, { message: behaviour.refuseTag });
      const existing = await bare(["rev-parse", "--verify", "--quiet", body.ref]).catch(() => "");
      if (existing) return reply(422, { message: "Reference already exists" });
      await bare(["update-ref", body.ref, body.sha]);
      return reply(201, { ref: body.ref, object: { sha: body.sha, type: "commit" } });
    }
    const ref = /^refs?\/(.*)$/.exec(rest)?.[1];
    if (method === "GET" && ref) {
      const sha = await bare(["rev-parse", "--verify", "--quiet", `refs/${ref}`]).catch(() => "");
      return sha ? reply(200, { ref: `refs/${ref}`, object: { sha, type: "commit" } }) : reply(404, { message: "Not Found" });
    }
    if (method === "PATCH" && ref) {
      if (behaviour.refuse) return reply(422, { message: behaviour.refuse });
      const current = await bare(["rev-parse", `refs/${ref}`]);
      const ff = await bare(["merge-base", "--is-ancestor", current, body.sha]).then(
        () => true,
        () => false,
      );
      if (!ff && !body.force) return reply(422, { message: "Update is not a fast forward" });
      await bare(["update-ref", `refs/${ref}`, body.sha]);
      return reply(200, { ref: `refs/${ref}`, object: { sha: body.sha, type: "commit" } });
    }
    if (method === "DELETE" && ref) {
      if (behaviour.failDelete) return reply(500, { message: "boom" });
      await bare(["update-ref", "-d", `refs/${ref}`]);
      return reply(204);
    }
    return reply(404, { message: "Not Found" });
  };
  const octokit = new Octokit({
    baseUrl: "https://api.example.test",
    request: {
      fetch: async (url: string, init: { method: string; body?: string }) => {
        indexDir ??= await mkdtemp(join(tmpdir(), "srga-api-"));
        return handle(init.method, new URL(url).pathname, init.body ? JSON.parse(init.body) : undefined);
      },
    },
  });
  return { octokit, calls, cleanup: () => (indexDir ? rm(indexDir, { recursive: true, force: true }) : undefined) };
}

async function rejects(promise: Promise<unknown>): Promise<SemanticReleaseError> {
  return promise.then(
    () => assert.fail("expected a rejection"),
    (error: SemanticReleaseError) => error,
  );
}

describe("commitViaApi (Git database API over a local bare repo)", () => {
  let repo: TestRepo;
  let api: ReturnType<typeof gitDatabaseApi>;
  afterEach(async () => {
    await api?.cleanup();
    await repo?.cleanup();
  });

  const opts = (files: string[], extra: Record<string, unknown> = {}) => ({
    octokit: api.octokit,
    owner: "o",
    repo: "r",
    branch: "main",
    tag: "v1.0.0",
    cwd: repo.cwd,
    env: repo.env,
    files,
    message: "chore(release): 1.0.0 [skip ci]",
    parentSha: "",
    remoteUrl: repo.remote,
    actor: "release-app[bot]",
    githubUrl: "https://github.com",
    ...extra,
  });

  it("creates blobs, tree, an unauthored commit, the tag then the branch; moves the local branch onto it", async () => {
    repo = await gitRepo({ files: { "package.json": "{}\n", "old.txt": "bye\n", "bin/run": "#!/bin/sh\n" } });
    api = gitDatabaseApi(repo);
    const parentSha = await repo.git("rev-parse", "HEAD");
    await repo.write({ "package.json": '{"version":"1.0.0"}\n', "CHANGELOG.md": "# 1.0.0\n", "bin/run": "#!/bin/sh\necho 1\n" });
    await chmod(join(repo.cwd, "bin/run"), 0o755);
    await rm(join(repo.cwd, "old.txt"));
    await symlink("CHANGELOG.md", join(repo.cwd, "HISTORY.md"));
    await writeFile(join(repo.cwd, "logo.bin"), Buffer.from([0, 159, 146, 150, 255]));
    const files = ["package.json", "CHANGELOG.md", "bin/run", "old.txt", "HISTORY.md", "logo.bin"];
    const result = await commitViaApi(opts(files, { parentSha }));
    // text goes inline in the tree request (one write fewer per file); only the binary is a blob
    assert.equal(api.calls.filter((call) => call.endsWith("/git/blobs")).length, 1);
    assert.equal(await repo.remoteGit("rev-parse", `${result.sha}:logo.bin`), await repo.git("hash-object", "logo.bin"), "the binary arrived byte for byte");
    assert.equal(await repo.remoteGit("rev-parse", `${result.sha}:package.json`), await repo.git("hash-object", "package.json"), "inline text too");

    assert.equal(result.verified, true);
    const order = api.calls.map((call) => decodeURIComponent(call).replace(/\/repos\/o\/r\/git\//, ""));
    assert.deepEqual(order.slice(-4), ["POST trees", "POST commits", "POST refs", "PATCH refs/heads/main"]);
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), result.sha);
    assert.equal(await repo.remoteGit("rev-parse", "refs/tags/v1.0.0"), result.sha);
    assert.equal(await repo.remoteGit("rev-parse", `${result.sha}^`), parentSha);
    assert.equal(await repo.remoteGit("log", "-1", "--format=%an|%cn|%B", result.sha), "release-app[bot]|GitHub|chore(release): 1.0.0 [skip ci]");
    assert.equal(
      await repo.remoteGit("ls-tree", result.sha, "package.json", "bin/run", "HISTORY.md", "old.txt").then((out) =>
        out.split("\n").map((line) => line.split(/\s+/).filter((_, i) => i !== 2).join(" ")),
      ).then((lines) => lines.join("\n")),
      ["120000 blob HISTORY.md", "100755 blob bin/run", "100644 blob package.json"].join("\n"),
    );
    // local: HEAD is the API commit, the work tree is clean for the committed files, no local tag
    assert.equal(await repo.git("rev-parse", "HEAD"), result.sha);
    assert.equal(await repo.git("status", "--porcelain"), "");
    assert.equal(await repo.git("tag", "--list"), "");
  });

  it("from a subdirectory, tree paths are relative to the repository root", async () => {
    repo = await gitRepo({ files: { "pkg/package.json": "{}\n" } });
    api = gitDatabaseApi(repo);
    const parentSha = await repo.git("rev-parse", "HEAD");
    await repo.write({ "pkg/package.json": '{"v":1}\n' });
    const result = await commitViaApi({ ...opts(["package.json"], { parentSha }), cwd: join(repo.cwd, "pkg") });
    assert.equal(await repo.remoteGit("show", `${result.sha}:pkg/package.json`), '{"v":1}');
  });

  it("warns when GitHub did not sign the commit", async () => {
    repo = await gitRepo();
    api = gitDatabaseApi(repo, { verified: false });
    const warnings: string[] = [];
    await repo.write({ "CHANGELOG.md": "x" });
    const result = await commitViaApi(
      opts(["CHANGELOG.md"], { parentSha: await repo.git("rev-parse", "HEAD"), logger: { log() {}, warn: (m: string) => warnings.push(m) } }),
    );
    assert.equal(result.verified, false);
    assert.equal(result.verificationReason, "unsigned");
    assert.match(warnings.join("\n"), /did not sign/);
  });

  it("a ruleset refusing the branch update → the tag ref is deleted again, EPUSHREJECTED", async () => {
    repo = await gitRepo();
    api = gitDatabaseApi(repo, { refuse: "Repository rule violations found\n\nCannot update this protected ref.\n\n" });
    const before = await repo.remoteGit("rev-parse", "refs/heads/main");
    await repo.write({ "CHANGELOG.md": "x" });
    const error = await rejects(commitViaApi(opts(["CHANGELOG.md"], { parentSha: before })));
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.details!, /`refs\/heads\/main`\*\* \(GH013/);
    assert.match(error.details!, /- Cannot update this protected ref\./);
    assert.match(error.details!, /tag ref was deleted again/);
    assert.deepEqual(api.calls.slice(-2).map(decodeURIComponent), ["PATCH /repos/o/r/git/refs/heads/main", "DELETE /repos/o/r/git/refs/tags/v1.0.0"]);
    await assert.rejects(repo.remoteGit("rev-parse", "--verify", "refs/tags/v1.0.0"));
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), before);
    assert.equal(await repo.git("rev-parse", "HEAD"), before, "the local branch stays");
  });

  it("the tag cannot be deleted again → the error says so", async () => {
    repo = await gitRepo();
    api = gitDatabaseApi(repo, { refuse: "Repository rule violations found\n\nChanges must be made through a pull request.\n\n", failDelete: true });
    await repo.write({ "CHANGELOG.md": "x" });
    const error = await rejects(commitViaApi(opts(["CHANGELOG.md"], { parentSha: await repo.git("rev-parse", "HEAD") })));
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.details!, /could not be deleted again/);
  });

  it("the remote branch moved → EREMOTEAHEAD and the tag is taken back", async () => {
    repo = await gitRepo();
    api = gitDatabaseApi(repo);
    const parentSha = await repo.git("rev-parse", "HEAD");
    const other = await repo.clone();
    await runGit(other, repo.env, "commit", "-q", "--allow-empty", "-m", "feat: other");
    await runGit(other, repo.env, "push", "-q", "origin", "main");
    await repo.write({ "CHANGELOG.md": "x" });
    const error = await rejects(commitViaApi(opts(["CHANGELOG.md"], { parentSha })));
    assert.equal(error.code, "EREMOTEAHEAD");
    await assert.rejects(repo.remoteGit("rev-parse", "--verify", "refs/tags/v1.0.0"));
  });

  it("a tag rule refusing the tag → EPUSHREJECTED for the tag, the branch untouched", async () => {
    repo = await gitRepo();
    api = gitDatabaseApi(repo, { refuseTag: "Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n" });
    await repo.write({ "CHANGELOG.md": "x" });
    const error = await rejects(commitViaApi(opts(["CHANGELOG.md"], { parentSha: await repo.git("rev-parse", "HEAD") })));
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.message, /refs\/tags\/v1\.0\.0/);
    assert.ok(!api.calls.some((call) => call.startsWith("PATCH")));
  });

  it("the tag already exists at another commit → ETAGEXISTS", async () => {
    repo = await gitRepo();
    api = gitDatabaseApi(repo);
    const parentSha = await repo.git("rev-parse", "HEAD");
    await repo.remoteGit("tag", "v1.0.0", parentSha);
    await repo.write({ "CHANGELOG.md": "x" });
    const error = await rejects(commitViaApi(opts(["CHANGELOG.md"], { parentSha })));
    assert.equal(error.code, "ETAGEXISTS");
    assert.equal(await repo.remoteGit("rev-parse", "refs/heads/main"), parentSha);
  });
});

// ---- against the local GitHub stand-in (packages/github-stand-in) ----


describe("commitViaApi against the GitHub stand-in", () => {
  let standIn: StandIn;
  let app: App;
  let installation: Installation;
  let repository: Repository;
  let clone: { cwd: string; cleanup(): Promise<void> };
  let env: Record<string, string>;
  let octokit: Octokit;
  let count = 0;

  const setUp = async () => {
    standIn = await startStandIn();
    standIn.createUser("alice");
    ({ app } = standIn.createApp({ slug: "release-app", permissions: { contents: "write" } }));
    installation = standIn.installApp(app, "alice");
    repository = await standIn.createRepo("alice", `proj${++count}`, { files: { "package.json": "{}\n", "README.md": "# proj\n" } });
    const token = standIn.mintInstallationToken(installation).token;
    env = await gitEnv(tokenGitEnv(standIn.origin, token));
    clone = await cloneInto(`${standIn.origin}/alice/${repository.name}.git`, env);
    octokit = new Octokit({ baseUrl: standIn.apiUrl, auth: token });
  };
  afterEach(async () => {
    await clone?.cleanup();
    await standIn?.close(); // rejects on OpenAPI violations of our requests
  });

  /** release files: a new CHANGELOG.md, and (replaceExisting) a changed package.json */
  const run = async (replaceExisting = false) => {
    const files = ["CHANGELOG.md"];
    await writeFile(join(clone.cwd, "CHANGELOG.md"), "# 1.0.0\n");
    if (replaceExisting) {
      await writeFile(join(clone.cwd, "package.json"), '{"version":"1.0.0"}\n');
      files.push("package.json");
    }
    return commitViaApi({
      octokit,
      owner: "alice",
      repo: repository.name,
      branch: "main",
      tag: "v1.0.0",
      cwd: clone.cwd,
      env,
      files,
      message: "chore(release): 1.0.0 [skip ci]\n\nnotes",
      parentSha: await runGit(clone.cwd, env, "rev-parse", "HEAD"),
      remoteUrl: `${standIn.origin}/alice/${repository.name}.git`,
      actor: "release-app[bot]",
      githubUrl: standIn.origin,
    });
  };

  it("creates a verified commit authored by the App's bot; tag and branch land; the clone follows", async () => {
    await setUp();
    const result = await run();
    assert.equal(result.verified, true);
    assert.equal(await standIn.git(repository, "rev-parse", "refs/heads/main"), result.sha);
    assert.equal(await standIn.git(repository, "rev-parse", "refs/tags/v1.0.0"), result.sha);
    assert.equal(
      await standIn.git(repository, "log", "-1", "--format=%an <%ae>|%cn <%ce>", result.sha),
      `release-app[bot] <${app.botUserId}+release-app[bot]@users.noreply.127.0.0.1>|GitHub <noreply@github.com>`,
    );
    assert.equal(await standIn.git(repository, "show", `${result.sha}:CHANGELOG.md`), "# 1.0.0");
    assert.equal(await runGit(clone.cwd, env, "rev-parse", "HEAD"), result.sha);
    assert.equal(await runGit(clone.cwd, env, "status", "--porcelain"), "");
    // core's next steps are no-ops: tag the same commit and push --tags
    await runGit(clone.cwd, env, "tag", "v1.0.0", result.sha);
    await runGit(clone.cwd, env, "push", "--tags", `${standIn.origin}/alice/${repository.name}.git`);
  });

  it(
    "replaces a file that exists in the parent's tree",
    async () => {
      await setUp();
      const result = await run(true);
      assert.equal(await standIn.git(repository, "show", `${result.sha}:package.json`), '{"version":"1.0.0"}');
      assert.equal(await runGit(clone.cwd, env, "status", "--porcelain"), "");
    },
  );

  it("a ruleset `update` rule on the branch → the tag ref is deleted again, EPUSHREJECTED", async () => {
    await setUp();
    standIn.addRuleset(repository, { name: "frozen main", target: "branch", rules: [{ type: "update" }] });
    const before = await standIn.git(repository, "rev-parse", "refs/heads/main");
    const error = await rejects(run());
    assert.equal(error.code, "EPUSHREJECTED");
    assert.match(error.details!, /Cannot update this protected ref\./);
    assert.match(error.details!, new RegExp(`${standIn.origin}/alice/${repository.name}/settings/rules`));
    assert.equal(await standIn.git(repository, "rev-parse", "refs/heads/main"), before);
    await assert.rejects(standIn.git(repository, "rev-parse", "--verify", "refs/tags/v1.0.0"));
  });

  it("the App on the ruleset's bypass list (always) gets through", async () => {
    await setUp();
    standIn.addRuleset(repository, {
      name: "frozen main",
      target: "branch",
      rules: [{ type: "update" }, { type: "required_signatures" }],
      bypass_actors: [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }],
    });
    const result = await run();
    assert.equal(await standIn.git(repository, "rev-parse", "refs/heads/main"), result.sha);
  });
});
