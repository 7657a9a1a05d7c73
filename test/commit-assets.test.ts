import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { commitAssets, renderMessage, selectAssetFiles } from "../lib/push/commit-assets.js";
import { gitRepo, type TestRepo } from "./helpers/git-utils.js";

const nextRelease = { version: "1.0.0", gitTag: "v1.0.0", notes: "## 1.0.0\n\n* feat", channel: null };

describe("commitAssets", () => {
  let repo: TestRepo;
  afterEach(() => repo?.cleanup());

  const release = { branch: "main", lastRelease: { version: "0.9.0", gitTag: "v0.9.0" }, nextRelease };
  const base = () => ({ message: renderMessage(undefined, release), cwd: repo.cwd, env: repo.env });

  it("commits the matching modified and untracked files with the default message", async () => {
    repo = await gitRepo({ files: { "package.json": "{}\n", "README.md": "x\n" } });
    await repo.write({ "package.json": '{"version":"1.0.0"}\n', "CHANGELOG.md": "# 1.0.0\n", "other.txt": "no\n" });
    const result = await commitAssets({ ...base(), assets: ["CHANGELOG.md", "package.json"] });
    assert.deepEqual(result, { committed: true, files: ["CHANGELOG.md", "package.json"] });
    assert.equal(await repo.git("log", "-1", "--format=%B"), "chore(release): 1.0.0 [skip ci]\n\n## 1.0.0\n\n* feat");
    assert.equal(await repo.git("show", "--name-only", "--format=", "HEAD"), "CHANGELOG.md\npackage.json");
    assert.equal(await repo.git("status", "--porcelain"), "?? other.txt");
  });

  it("takes author and committer from the env it is given: the App's bot for both", async () => {
    repo = await gitRepo();
    await repo.write({ "CHANGELOG.md": "x" });
    const bot = { name: "release-app[bot]", email: "41+release-app[bot]@users.noreply.github.com" };
    const env = { ...repo.env, GIT_AUTHOR_NAME: bot.name, GIT_AUTHOR_EMAIL: bot.email, GIT_COMMITTER_NAME: bot.name, GIT_COMMITTER_EMAIL: bot.email };
    await commitAssets({ ...base(), env, assets: ["CHANGELOG.md"] });
    assert.equal(await repo.git("log", "-1", "--format=%an <%ae>|%cn <%ce>"), `${bot.name} <${bot.email}>|${bot.name} <${bot.email}>`);
  });

  it("an explicit GIT_AUTHOR_* alone sets the author; the committer stays git's configured user", async () => {
    repo = await gitRepo();
    await repo.write({ "CHANGELOG.md": "x" });
    await commitAssets({ ...base(), env: { ...repo.env, GIT_AUTHOR_NAME: "Jane", GIT_AUTHOR_EMAIL: "jane@example.com" }, assets: ["CHANGELOG.md"] });
    assert.equal(await repo.git("log", "-1", "--format=%an <%ae>|%cn"), "Jane <jane@example.com>|Test User");
  });

  it("commits a custom lodash-template message rendered with branch, lastRelease and nextRelease", async () => {
    repo = await gitRepo();
    await repo.write({ "CHANGELOG.md": "x" });
    await commitAssets({
      ...base(),
      assets: ["CHANGELOG.md"],
      message: renderMessage("release ${nextRelease.version} on ${branch} after ${lastRelease.version} <% if (nextRelease.channel) { %>ch<% } %>", release),
    });
    assert.equal(await repo.git("log", "-1", "--format=%B"), "release 1.0.0 on main after 0.9.0");
  });

  it("assets: false and no matching file → no commit", async () => {
    repo = await gitRepo();
    const head = await repo.git("rev-parse", "HEAD");
    await repo.write({ "CHANGELOG.md": "x" });
    assert.deepEqual(await commitAssets({ ...base(), assets: false }), { committed: false, files: [] });
    assert.deepEqual(await commitAssets({ ...base(), assets: ["dist/**"] }), { committed: false, files: [] });
    assert.equal(await repo.git("rev-parse", "HEAD"), head);
  });

  it("globs: directories, dot files, ignored files (--force), a lone negation taken literally", async () => {
    repo = await gitRepo({ files: { ".gitignore": "dist/\n" } });
    await repo.write({ "dist/a.js": "a", "dist/sub/b.js": "b", ".github/x.yml": "x", "src/c.ts": "c" });
    const opts = { cwd: repo.cwd, env: repo.env };
    assert.deepEqual((await selectAssetFiles({ ...opts, assets: ["dist"] })).sort(), ["dist/a.js", "dist/sub/b.js"]);
    assert.deepEqual(await selectAssetFiles({ ...opts, assets: [".github/*.yml"] }), [".github/x.yml"]);
    assert.deepEqual(await selectAssetFiles({ ...opts, assets: ["**/*.ts"] }), ["src/c.ts"]);
    assert.deepEqual(await selectAssetFiles({ ...opts, assets: ["!dist/a.js"] }), []);
    const result = await commitAssets({ ...base(), assets: ["dist/**/*.js"] });
    assert.deepEqual(result.files.sort(), ["dist/a.js", "dist/sub/b.js"]);
    assert.equal(await repo.git("show", "--name-only", "--format=", "HEAD"), "dist/a.js\ndist/sub/b.js");
  });

  it("from a subdirectory: paths are relative to cwd and nothing outside it is added", async () => {
    repo = await gitRepo();
    await mkdir(join(repo.cwd, "pkg"));
    await repo.write({ "pkg/CHANGELOG.md": "x", "CHANGELOG.md": "outside" });
    const cwd = join(repo.cwd, "pkg");
    assert.deepEqual(await selectAssetFiles({ assets: ["CHANGELOG.md", "../CHANGELOG.md", "**/*.md"], cwd, env: repo.env }), ["CHANGELOG.md"]);
  });

  it("renderMessage falls back to the default template", () => {
    assert.equal(
      renderMessage("", { branch: "main", lastRelease: undefined, nextRelease }),
      "chore(release): 1.0.0 [skip ci]\n\n## 1.0.0\n\n* feat",
    );
  });
});
