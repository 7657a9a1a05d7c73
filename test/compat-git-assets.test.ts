// `assets` means what it means in @semantic-release/git, so that this plugin can replace it without a
// config change (README.md "assets"). The behaviours its own tests assert, checked here in our own
// code: test/verify.test.js (which values are accepted), test/prepare.test.js and
// test/integration.test.js (which files go into the release commit), and test/glob-assets.test.js of
// v7 (https://github.com/semantic-release/git/blob/v7.0.18/test/glob-assets.test.js; v8 replaced that
// globbing of the disk by a selection from `git ls-files -m -o`, which is what both plugins do now).
// Then the grammar end to end through the semantic-release CLI, in both commit modes.
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { commitAssets, renderMessage, selectAssetFiles } from "../lib/push/commit-assets.js";
import { resolveConfig } from "../lib/config/resolve-config.js";
import { verifyConfig } from "../lib/config/verify-config.js";
import type { Logger } from "../lib/logger.js";
import type { PluginConfig } from "../lib/types.js";
import { gitRepo, runGit, type TestRepo } from "./helpers/git-utils.js";
import { assertReleasePushedByApp, assertTokensRevoked, configure, errorCodes, gitIn, output, releaseWorld, type ReleaseWorld, type RunResult } from "./helpers/e2e.js";

/** write files below `cwd` (paths relative to it) */
async function write(cwd: string, files: Record<string, string>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(dirname(join(cwd, file)), { recursive: true });
    await writeFile(join(cwd, file), content);
  }
}

const TOKEN_ENV = { GITHUB_TOKEN: `ghs_${"t".repeat(36)}` };

/** the error codes of a configuration, as verifyConditions reports them */
function configErrors(pluginConfig: Record<string, unknown>): string[] {
  const env = TOKEN_ENV;
  return verifyConfig({ ...resolveConfig({ pluginConfig: pluginConfig as PluginConfig, env }), env }).map((error) => String(error.code));
}

describe("verify: the values @semantic-release/git accepts are accepted, the ones it refuses are refused", () => {
  const accepted: [string, unknown][] = [
    ["a string", "file2.js"],
    ["an array of strings", ["file1.js", "file2.js"]],
    ["an object with a path", { path: "file2.js" }],
    ["an array of objects with a path", [{ path: "file1.js" }, { path: "file2.js" }]],
    ["false (no release commit)", false],
    ["an array of glob arrays", [["dist/**", "!**/*.js"], "file2.js"]],
    ["objects whose path is a glob array", [{ path: ["dist/**", "!**/*.js"] }, { path: "file2.js" }]],
    ["objects with other keys (shared with @semantic-release/github's assets)", [{ path: "dist/app.js", name: "app.js", label: "The app" }]],
    ["a lone negation (taken literally)", ["!**/*", "file.js"]],
    ["an empty array (no file)", []],
  ];
  for (const [title, assets] of accepted) {
    it(`accepts ${title}`, () => assert.deepEqual(configErrors({ assets }), []));
  }

  it("accepts undefined assets and message (the defaults apply)", () => assert.deepEqual(configErrors({}), []));

  it("refuses assets: true and an array with a number, with EINVALIDASSETS", () => {
    assert.deepEqual(configErrors({ assets: true }), ["EINVALIDASSETS"]);
    assert.deepEqual(configErrors({ assets: ["file.js", 42] }), ["EINVALIDASSETS"]);
  });

  it("refuses invalid assets and message together, assets first (test/integration.test.js)", () => {
    assert.deepEqual(configErrors({ message: 42, assets: true }), ["EINVALIDASSETS", "EINVALIDMESSAGE"]);
  });
});

/** What the plugin records of one release commit. */
interface Prepared {
  /** the files of the new commit (none when no commit was made), sorted */
  committed: string[];
  /** the logger's calls, format string first */
  logs: unknown[][];
}

/** prepare, as the plugin runs it: `assets` resolved (a lone entry is wrapped), then the commit of the selected files. */
async function prepare(repo: TestRepo, pluginConfig: PluginConfig, cwd = repo.cwd): Promise<Prepared> {
  const { config } = resolveConfig({ pluginConfig, env: {} });
  const logs: unknown[][] = [];
  const logger: Logger = { log: (...args) => void logs.push(args), warn() {}, error() {}, success() {} };
  const nextRelease = { version: "2.0.0", gitTag: "v2.0.0", notes: "Test release note" };
  const message = renderMessage(config.message, { branch: "main", lastRelease: { version: "1.0.0" }, nextRelease });
  const before = await runGit(cwd, repo.env, "rev-parse", "HEAD");
  await commitAssets({ assets: config.assets, message, cwd, env: repo.env, logger });
  const head = await runGit(cwd, repo.env, "rev-parse", "HEAD");
  const committed = head === before ? [] : (await runGit(cwd, repo.env, "show", "--name-only", "--format=", "HEAD")).split("\n").filter(Boolean).sort();
  return { committed, logs };
}

describe("prepare: the files of the release commit (test/prepare.test.js)", () => {
  let repo: TestRepo;
  afterEach(() => repo?.cleanup());

  it("commits CHANGELOG.md, package.json, package-lock.json and npm-shrinkwrap.json by default, with the default message", async () => {
    repo = await gitRepo();
    await repo.write({ "CHANGELOG.md": "Initial CHANGELOG", "package.json": "{}", "package-lock.json": "{}", "npm-shrinkwrap.json": "{}" });
    const { committed, logs } = await prepare(repo, {});
    assert.deepEqual(committed, ["CHANGELOG.md", "npm-shrinkwrap.json", "package-lock.json", "package.json"]);
    assert.equal(await repo.git("log", "-1", "--format=%s%n%n%b"), "chore(release): 2.0.0 [skip ci]\n\nTest release note");
    assert.deepEqual(logs[0], ["Found %d file(s) to commit", 4]);
  });

  it("commits none of the default files when assets is [] (no commit)", async () => {
    repo = await gitRepo();
    await repo.write({ "CHANGELOG.md": "Initial CHANGELOG", "package.json": "{}", "package-lock.json": "{}", "npm-shrinkwrap.json": "{}" });
    assert.deepEqual((await prepare(repo, { assets: [] })).committed, []);
  });

  it("renders a custom message with branch, lastRelease and nextRelease", async () => {
    repo = await gitRepo();
    await repo.write({ "CHANGELOG.md": "Initial CHANGELOG" });
    const message = "Release version ${nextRelease.version} from branch ${branch}\n\nLast release: ${lastRelease.version}\n${nextRelease.notes}";
    assert.deepEqual((await prepare(repo, { message })).committed, ["CHANGELOG.md"]);
    assert.equal(await repo.git("log", "-1", "--format=%s|%b"), "Release version 2.0.0 from branch main|Last release: 1.0.0\nTest release note");
  });

  /** the files of the two "patterns in assets" tests: file4 matches nothing, file5 is in .gitignore */
  const patternFiles = {
    ".gitignore": "file5.js",
    "file1.js": "x",
    "dir/file2.js": "x",
    "dir/file3.css": "x",
    "file4.js": "x",
    "file5.js": "x",
    "dir2/file6.js": "x",
    "dir2/file7.css": "x",
  };
  const patternCommit = ["dir/file2.js", "dir2/file6.js", "dir2/file7.css", "file1.js", "file5.js"];

  it("commits the files matching strings and glob groups: a directory expands, .gitignore does not stop a match, a group's ! glob subtracts", async () => {
    repo = await gitRepo();
    await repo.write(patternFiles);
    const assets = ["file1.js", "*1.js", ["dir/*.js", "!dir/*.css"], "file5.js", "dir2", ["**/*.js", "!**/*.js"]];
    const { committed, logs } = await prepare(repo, { assets });
    assert.deepEqual(committed, patternCommit);
    assert.deepEqual(logs[0], ["Found %d file(s) to commit", 5]);
  });

  it("commits the same files when the entries are { path } objects", async () => {
    repo = await gitRepo();
    await repo.write(patternFiles);
    const { committed, logs } = await prepare(repo, { assets: ["file1.js", { path: ["dir/*.js", "!dir/*.css"] }, { path: "file5.js" }, "dir2"] });
    assert.deepEqual(committed, patternCommit);
    assert.deepEqual(logs[0], ["Found %d file(s) to commit", 5]);
  });

  it("takes a single glob string as the whole option", async () => {
    repo = await gitRepo();
    await repo.write({ "dist/file1.js": "x", "dist/file2.css": "x" });
    assert.deepEqual((await prepare(repo, { assets: "dist/**/*.js" })).committed, ["dist/file1.js"]);
  });

  it("takes a single { path } object as the whole option", async () => {
    repo = await gitRepo();
    await repo.write({ "dist/file1.js": "x", "dist/file2.css": "x" });
    assert.deepEqual((await prepare(repo, { assets: { path: ["dist", "!**/*.css"] } })).committed, ["dist/file1.js"]);
  });

  it("includes dot files of an expanded directory", async () => {
    repo = await gitRepo();
    await repo.write({ "dist/.dotfile": "x" });
    const { committed, logs } = await prepare(repo, { assets: "dist" });
    assert.deepEqual(committed, ["dist/.dotfile"]);
    assert.deepEqual(logs[0], ["Found %d file(s) to commit", 1]);
  });

  it("includes a deleted file in the release commit", async () => {
    repo = await gitRepo();
    await repo.commit("add file1.js and file2.js", { "file1.js": "x", "file2.js": "x" });
    await rm(join(repo.cwd, "file1.js"));
    const { committed } = await prepare(repo, { assets: ["file1.js"] });
    assert.deepEqual(committed, ["file1.js"]);
    assert.equal(await repo.git("show", "--name-status", "--format=", "HEAD"), "D\tfile1.js");
  });

  it("takes author and committer from GIT_AUTHOR_* and GIT_COMMITTER_*", async () => {
    repo = await gitRepo();
    await repo.write({ "CHANGELOG.md": "x" });
    const identity = { GIT_AUTHOR_NAME: "author name", GIT_AUTHOR_EMAIL: "author@example.com", GIT_COMMITTER_NAME: "committer name", GIT_COMMITTER_EMAIL: "committer@example.com" };
    const { config } = resolveConfig({ pluginConfig: {}, env: {} });
    await commitAssets({ assets: config.assets, message: "release", cwd: repo.cwd, env: { ...repo.env, ...identity } });
    assert.equal(await repo.git("log", "-1", "--format=%an <%ae>|%cn <%ce>"), "author name <author@example.com>|committer name <committer@example.com>");
  });

  it("skips a negated glob alone in its group: it is taken literally, not as 'everything else'", async () => {
    repo = await gitRepo();
    await repo.write({ "file.js": "x", "other.txt": "x" });
    const { committed, logs } = await prepare(repo, { assets: ["!**/*", "file.js"] });
    assert.deepEqual(committed, ["file.js"]);
    assert.deepEqual(logs[0], ["Found %d file(s) to commit", 1]);
  });

  it("makes no commit when no file changed", async () => {
    repo = await gitRepo();
    assert.deepEqual((await prepare(repo, {})).committed, []);
  });
});

describe("prepare from a shallow clone and from a detached head (test/integration.test.js)", () => {
  let repo: TestRepo;
  afterEach(() => repo?.cleanup());

  const message = "Release version ${nextRelease.version} from branch ${branch}\n\n${nextRelease.notes}";

  async function history(): Promise<string> {
    repo = await gitRepo();
    const sha = await repo.commit("First", { "package.json": '{"version":"1.0.0"}', "dist/file.js": "Initial", "dist/file.css": "Initial" });
    await repo.git("push", "-q", "origin", "main");
    return sha;
  }

  async function update(cwd: string): Promise<void> {
    await write(cwd, { "package.json": '{"version":"2.0.0"}', "dist/file.js": "Updated", "dist/file.css": "Updated" });
  }

  it("commits the files matching **/*.{js,json} in a shallow clone", async () => {
    await history();
    const cwd = join(repo.root, "shallow");
    await runGit(repo.root, repo.env, "clone", "-q", "--depth", "1", `file://${repo.remote}`, cwd);
    await update(cwd);
    const { committed } = await prepare(repo, { assets: "**/*.{js,json}", message }, cwd);
    assert.deepEqual(committed, ["dist/file.js", "package.json"]);
    assert.equal(await runGit(cwd, repo.env, "log", "-1", "--format=%s|%b"), "Release version 2.0.0 from branch main|Test release note");
  });

  it("commits the files matching **/*.{js,json} on a detached head", async () => {
    const sha = await history();
    const cwd = join(repo.root, "detached");
    await runGit(repo.root, repo.env, "clone", "-q", repo.remote, cwd);
    await runGit(cwd, repo.env, "checkout", "-q", "--detach", sha);
    await update(cwd);
    const { committed } = await prepare(repo, { assets: "**/*.{js,json}", message }, cwd);
    assert.deepEqual(committed, ["dist/file.js", "package.json"]);
    assert.equal(await runGit(cwd, repo.env, "rev-parse", "--abbrev-ref", "HEAD"), "HEAD", "still detached");
  });
});

describe("selection: the behaviours of v7's test/glob-assets.test.js that still hold", () => {
  let repo: TestRepo;
  let opts: { cwd: string; env: Record<string, string> };
  before(async () => {
    repo = await gitRepo();
    // the fixtures of test/fixtures/files, untracked
    await repo.write({ "upload.txt": "x", "upload_other.txt": "x", ".dotfile": "x", "dir/upload.txt": "x", "dir/upload_other.txt": "x", "dir/.dotfile": "x" });
    await mkdir(join(repo.cwd, "empty"));
    opts = { cwd: repo.cwd, env: repo.env };
  });
  after(() => repo.cleanup());
  const select = async (assets: Parameters<typeof selectAssetFiles>[0]["assets"]) => (await selectAssetFiles({ ...opts, assets })).sort();

  it("a single path, several paths, a { path } object with other keys", async () => {
    assert.deepEqual(await select(["upload.txt"]), ["upload.txt"]);
    assert.deepEqual(await select(["upload.txt", "upload_other.txt"]), ["upload.txt", "upload_other.txt"]);
    assert.deepEqual(await select([{ path: "upload.txt", name: "upload_name", label: "Upload label" }, "upload_other.txt"]), ["upload.txt", "upload_other.txt"]);
  });

  it("no duplicates", async () => {
    assert.deepEqual(await select(["upload_other.txt", "upload.txt", "upload_other.txt", "upload.txt", "upload.txt", "upload_other.txt"]), ["upload.txt", "upload_other.txt"]);
  });

  it("single globs, and glob groups of one value, missing files included", async () => {
    assert.deepEqual(await select(["upload.*"]), ["upload.txt"]);
    assert.deepEqual(await select(["*.txt"]), ["upload.txt", "upload_other.txt"]);
    assert.deepEqual(await select([["*load.txt"], ["*_other.txt"]]), ["upload.txt", "upload_other.txt"]);
    assert.deepEqual(await select([["*missing.txt"], ["*_other.txt"]]), ["upload_other.txt"]);
  });

  it("a group whose ! glob removes all it matched selects nothing", async () => {
    assert.deepEqual(await select([["upload.txt", "!upload.txt"]]), []);
  });

  it("dot files", async () => {
    assert.deepEqual(await select([".dot*"]), [".dotfile"]);
  });

  it("a single negated glob, as a string or a { path }, is ignored", async () => {
    assert.deepEqual(await select(["!*.txt"]), []);
    assert.deepEqual(await select([{ path: "!*.txt" }]), []);
  });

  it("negated globs in a group", async () => {
    assert.deepEqual(await select([["*.txt", "!**/*_other.txt"]]), ["upload.txt"]);
  });

  it("a directory expands to the files below it (git lists files, so neither the directory itself nor an empty one, as since v8)", async () => {
    assert.deepEqual(await select([["dir"]]), ["dir/.dotfile", "dir/upload.txt", "dir/upload_other.txt"]);
    assert.deepEqual(await select([["empty"]]), []);
  });
});

describe("selection: the rest of the grammar", () => {
  let repo: TestRepo;
  let opts: { cwd: string; env: Record<string, string> };
  before(async () => {
    repo = await gitRepo();
    await repo.write({ "dist/app.js": "x", "dist/app.js.map": "x", "dist/maps/x.map": "x", "dist/maps/y.js": "x", "src/b.js": "x", "!literal.txt": "x" });
    opts = { cwd: repo.cwd, env: repo.env };
  });
  after(() => repo.cleanup());
  const select = async (assets: Parameters<typeof selectAssetFiles>[0]["assets"]) => (await selectAssetFiles({ ...opts, assets })).sort();

  it("in a group the later glob wins: a ! glob removes only what the globs before it matched", async () => {
    assert.deepEqual(await select([["dist/**", "!**/*.map"]]), ["dist/app.js", "dist/maps/y.js"]);
    assert.deepEqual(await select([["!**/*.map", "dist/**"]]), ["dist/app.js", "dist/app.js.map", "dist/maps/x.map", "dist/maps/y.js"]);
    assert.deepEqual(await select([["dist/**", "!**/*.map", "dist/maps/*"]]), ["dist/app.js", "dist/maps/x.map", "dist/maps/y.js"]);
  });

  it("a ! glob does not reach across groups: another entry still adds what it removed", async () => {
    assert.deepEqual(await select([["dist/**", "!**/*.map"], "dist/app.js.map"]), ["dist/app.js", "dist/app.js.map", "dist/maps/y.js"]);
  });

  it("a ! glob naming a directory removes everything below it", async () => {
    assert.deepEqual(await select([["dist", "!dist/maps"]]), ["dist/app.js", "dist/app.js.map"]);
  });

  it("a lone ! glob is taken literally: it matches a file whose name starts with !", async () => {
    assert.deepEqual(await select(["!literal.txt"]), ["!literal.txt"]);
  });

  it("false and [] select nothing", async () => {
    assert.deepEqual(await select(false), []);
    assert.deepEqual(await select([]), []);
  });

  it("a file name git would quote (non-ASCII) is matched by its real name", async () => {
    await repo.write({ "docs/résumé.md": "x" });
    assert.deepEqual(await select(["docs/*.md"]), ["docs/résumé.md"]);
  });
});

// ---- end to end -------------------------------------------------------------------------------------

/** the grammar in one option: a plain glob, a group with a directory and an exclusion, { path } with a string and with a group */
const ASSETS = ["CHANGELOG.md", ["dist", "!**/*.map"], { path: "docs", label: "Docs" }, { path: ["package.json"] }];

for (const commitMode of ["git", "api"] as const) {
  describe(`end to end, commitMode "${commitMode}": the release commit holds exactly what the assets select`, () => {
    let world: ReleaseWorld;
    let result: RunResult;

    before(async () => {
      world = await releaseWorld({ files: { "dist/old.js": "old\n" } });
      await configure(world, { assets: ASSETS, commitMode });
      // what a build step leaves behind before the release commit
      await write(world.workDir, {
        "dist/app.js": "app\n",
        "dist/app.js.map": "{}\n",
        "dist/.nojekyll": "",
        "docs/guide.md": "# Guide\n",
        "notes.txt": "not an asset\n",
        "package.json": '{ "name": "lib", "version": "1.0.0", "private": true }\n',
      });
      await rm(join(world.workDir, "dist/old.js"));
      result = await world.run();
    });
    after(() => world.close());

    it("commits the changelog, dist without its maps (a deletion included), docs and package.json", async () => {
      assert.equal(result.code, 0, output(result));
      const changes = await world.standIn.git(world.repo, "show", "--name-status", "--format=", "refs/heads/main");
      assert.deepEqual(changes.trim().split("\n").sort(), ["A\tCHANGELOG.md", "A\tdist/.nojekyll", "A\tdist/app.js", "A\tdocs/guide.md", "D\tdist/old.js", "M\tpackage.json"].sort());
      assert.match(output(result), /Found 6 file\(s\) to commit|Created [0-9a-f]{12} through the API/);
      assert.equal(await world.remoteRef("refs/tags/v1.0.0^{commit}"), await world.remoteRef("refs/heads/main"));
      assertReleasePushedByApp(world);
      assertTokensRevoked(world);
    });

    it("leaves what no asset selects untracked in the workspace", async () => {
      const status = await gitIn(world.workDir, ["status", "--porcelain", "--untracked-files=all"]);
      assert.deepEqual(status.split("\n").filter(Boolean).sort(), ["?? dist/app.js.map", "?? notes.txt"]);
    });
  });
}

describe("end to end: a group of ! globs only stops the release before anything happens", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld();
    await configure(world, { assets: ["CHANGELOG.md", ["!**/*.map", "!**/*.d.ts"]] });
    result = await world.run();
  });
  after(() => world.close());

  it("fails with EINVALIDASSETS, mints no token and pushes nothing", () => {
    assert.notEqual(result.code, 0);
    assert.deepEqual(errorCodes(output(result)), ["EINVALIDASSETS"]);
    assert.match(output(result), /entry 1 is a group of `!` globs only/);
    assert.deepEqual(world.standIn.tokens({ appId: world.app.id }), []);
    assert.deepEqual(world.standIn.refPushes({}), []);
  });
});
