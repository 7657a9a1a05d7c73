// `semantic-release-github-app bootstrap-tags`, the real bin against the stand-in: a three-package npm
// workspace tagged at its versions past a tag ruleset (the App on its bypass list), all tags in one
// atomic push by the App; a tag rule that refuses the App stops it before anything is pushed; a tag
// already on another commit is refused with ETAGONOTHERCOMMIT, nothing pushed; re-running skips the
// tags already there; bad usage and a folder without workspace packages.
import { strict as assert } from "node:assert";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Ruleset } from "github-stand-in";
import { APP_ACTOR, gitIn, output, releaseWorld, type ReleaseWorld } from "../helpers/e2e.js";
import { runBin, runBinIn } from "../helpers/cli-bin.js";
import { planTags, pnpmPatterns, readWorkspacePackages, tagFormatProblem } from "../../lib/cli/tag-plan.js";

const VERSIONS = { alpha: "1.4.0", beta: "2.0.1", gamma: "0.3.0" };
const TAGS = ["alpha@1.4.0", "beta@2.0.1", "gamma@0.3.0"];

const manifest = (name: string, version: string) => JSON.stringify({ name, version }, null, 2) + "\n";

describe("bootstrap-tags on a three-package workspace with a tag ruleset", () => {
  let world: ReleaseWorld;
  let tagRuleset: Ruleset;
  let head: string;
  before(async () => {
    world = await releaseWorld({
      packages: Object.keys(VERSIONS),
      files: Object.fromEntries(Object.entries(VERSIONS).map(([name, version]) => [`packages/${name}/package.json`, manifest(name, version)])),
    });
    // every tag is protected; the App is not on the bypass list yet
    tagRuleset = world.standIn.addRuleset(world.repo, { name: "All tags", target: "tag", conditions: { ref_name: { include: ["~ALL"], exclude: [] } }, rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }] });
    head = await gitIn(world.workDir, ["rev-parse", "HEAD"]);
  });
  after(() => world.close());

  it("exits 2 on a --tag-format without ${name}", async () => {
    const result = await runBinIn(world, ["bootstrap-tags", "--tag-format", "v${version}", "--yes"]);
    assert.equal(result.code, 2, output(result));
    assert.match(result.stderr, /must contain \$\{name\}/);
  });

  it("stops with ERULESETBLOCKED before pushing when the tag ruleset does not let the App through, and revokes its token", async () => {
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["bootstrap-tags", "--yes"]);
    assert.equal(result.code, 1, output(result));
    assert.match(result.stderr, /ERULESETBLOCKED.*"All tags"/);
    assert.deepEqual(world.standIn.refPushes({ since }), []);
    assert.equal(world.standIn.requests({ route: "GIT receive-pack", since }).length, 0);
    assert.equal(world.standIn.tokens({ appId: world.app.id, live: true }).length, 0);
  });

  it("refuses a tag that exists at another commit (ETAGONOTHERCOMMIT) and pushes none of them", async () => {
    world.standIn.updateRuleset(tagRuleset, { bypass_actors: [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: "always" }] });
    const parent = await gitIn(world.workDir, ["rev-parse", "HEAD~1"]);
    await world.standIn.git(world.repo, "update-ref", "refs/tags/beta@2.0.1", parent);
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["bootstrap-tags", "--yes"]);
    assert.equal(result.code, 1, output(result));
    assert.match(result.stderr, /ETAGONOTHERCOMMIT The tag beta@2\.0\.1 already exists at another commit/);
    assert.match(result.stdout, new RegExp(`beta\\s+2\\.0\\.1\\s+beta@2\\.0\\.1\\s+exists at ${parent.slice(0, 12)} \\(GitHub\\)`));
    assert.deepEqual(world.standIn.refPushes({ since }), []);
    assert.equal(await world.remoteRef("refs/tags/alpha@1.4.0"), undefined);
    await world.standIn.git(world.repo, "update-ref", "-d", "refs/tags/beta@2.0.1");
  });

  it("without --yes, off a terminal, prints the plan and pushes nothing", async () => {
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["bootstrap-tags", "--umbrella", "v2.0.0"]);
    assert.equal(result.code, 1, output(result));
    for (const [i, tag] of TAGS.entries()) assert.match(result.stdout, new RegExp(`${Object.keys(VERSIONS)[i]}\\s+\\S+\\s+${tag.replace(/\./g, "\\.")}\\s+new`));
    assert.match(result.stdout, /\(umbrella\)\s+v2\.0\.0\s+new/);
    assert.match(result.stdout, /Nothing was pushed/);
    assert.deepEqual(world.standIn.refPushes({ since }), []);
  });

  it("SIGTERM while it checks the tag rules: exits 143, nothing pushed, the App token revoked", async () => {
    // the tag rulesets' list is held until the command is gone; it asks for it only after printing the plan
    world.standIn.delayRoute("GET /repos/{owner}/{repo}/rulesets", 10 * 60 * 1000);
    const since = world.standIn.mark();
    try {
      const result = await runBinIn(world, ["bootstrap-tags", "--yes"], {}, { pattern: /Tags on [0-9a-f]{12}/, signal: "SIGTERM" });
      assert.equal(result.code, 143, output(result));
    } finally {
      world.standIn.delayRoute("GET /repos/{owner}/{repo}/rulesets", 0);
    }
    assert.deepEqual(world.standIn.refPushes({ since }), []);
    assert.equal(world.standIn.tokens({ appId: world.app.id, since }).length, 1);
    assert.equal(world.standIn.tokens({ appId: world.app.id, live: true }).length, 0);
  });

  it("--yes pushes the three package tags and the umbrella tag in one atomic push as the App", async () => {
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["bootstrap-tags", "--umbrella", "v2.0.0", "--yes"]);
    assert.equal(result.code, 0, output(result));
    const pushes = world.standIn.refPushes({ since });
    assert.equal(pushes.length, 1, "one push");
    assert.equal(pushes[0]!.actor, APP_ACTOR);
    assert.equal(pushes[0]!.accepted, true);
    assert.deepEqual(pushes[0]!.updates.map((u) => u.ref).sort(), [...TAGS, "v2.0.0"].map((t) => `refs/tags/${t}`).sort());
    const atomic = world.standIn.requests({ route: "GIT receive-pack", method: "POST", since });
    assert.equal(atomic.length, 1);
    for (const tag of [...TAGS, "v2.0.0"]) {
      assert.equal(await world.remoteRef(`refs/tags/${tag}`), head, tag);
      assert.equal(await gitIn(world.workDir, ["rev-parse", `refs/tags/${tag}`]), head, `${tag} is kept in the clone`);
    }
    // lightweight tags: the ref names the commit itself
    assert.equal(await world.standIn.git(world.repo, "cat-file", "-t", "refs/tags/alpha@1.4.0"), "commit");
    assert.match(result.stdout, /Pushed 4 tags atomically as release-bot\[bot\]/);
    assert.equal(world.standIn.tokens({ appId: world.app.id, live: true }).length, 0, "the App token is revoked");
    assert.deepEqual(world.findSecrets(output(result)), []);
  });

  it("run again, skips every tag already on the commit and pushes nothing", async () => {
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["bootstrap-tags", "--umbrella", "v2.0.0", "--yes"]);
    assert.equal(result.code, 0, output(result));
    assert.match(result.stdout, /alpha@1\.4\.0\s+exists on this commit: skipped/);
    assert.match(result.stdout, /nothing to push/);
    assert.deepEqual(world.standIn.refPushes({ since }), []);
  });
});

describe("bootstrap-tags without workspace packages", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "bootstrap-tags-"));
    await writeFile(join(dir, "package.json"), manifest("single", "1.0.0"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("stops with ENOWORKSPACEPACKAGES before any request", async () => {
    const result = await runBin({ cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir, NO_COLOR: "1" }, args: ["bootstrap-tags", "--yes"] });
    assert.equal(result.code, 1, output(result));
    assert.match(result.stderr, /ENOWORKSPACEPACKAGES No workspace package/);
  });
});

describe("the workspace's packages and the plan (lib/cli/tag-plan.ts)", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "tag-plan-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function workspace(files: Record<string, string>): Promise<string> {
    const root = await mkdtemp(join(dir, "ws-"));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), text);
    }
    return root;
  }

  it("reads yarn's { packages } with a ** glob and a negation, skipping folders without a name and a version", async () => {
    const root = await workspace({
      "package.json": JSON.stringify({ private: true, workspaces: { packages: ["libs/**", "!libs/internal/*"] } }),
      "libs/core/package.json": manifest("@acme/core", "1.4.0"),
      "libs/tools/cli/package.json": manifest("@acme/cli", "0.9.2"),
      "libs/internal/x/package.json": manifest("x", "1.0.0"),
      "libs/docs/package.json": JSON.stringify({ name: "docs" }),
      "libs/core/node_modules/dep/package.json": manifest("dep", "9.9.9"),
    });
    const { packages } = await readWorkspacePackages(root);
    assert.deepEqual(packages, [
      { name: "@acme/core", version: "1.4.0", dir: "libs/core" },
      { name: "@acme/cli", version: "0.9.2", dir: "libs/tools/cli" },
    ]);
  });

  it("reads a simple pnpm-workspace.yaml when package.json has no workspaces", async () => {
    assert.deepEqual(pnpmPatterns("packages:\n  - 'packages/*'\n  - \"apps/web\" # the site\n  - '!packages/private'\nonlyBuiltDependencies:\n  - esbuild\n"), ["packages/*", "apps/web", "!packages/private"]);
    const root = await workspace({
      "package.json": manifest("root", "0.0.0"),
      "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
      "packages/a/package.json": manifest("a", "2.1.0"),
    });
    assert.deepEqual((await readWorkspacePackages(root)).packages, [{ name: "a", version: "2.1.0", dir: "packages/a" }]);
  });

  it("plans each tag: new, already on the commit, or at another commit on GitHub or in the clone", () => {
    const packages = [
      { name: "a", version: "1.0.0", dir: "packages/a" },
      { name: "b", version: "2.0.0", dir: "packages/b" },
      { name: "c", version: "3.0.0", dir: "packages/c" },
    ];
    const rows = planTags({
      packages,
      format: "${name}-v${version}",
      umbrella: "v4.0.0",
      commit: "1".repeat(40),
      remote: new Map([["b-v2.0.0", "1".repeat(40)], ["c-v3.0.0", "2".repeat(40)]]),
      local: new Map([["v4.0.0", "3".repeat(40)]]),
    });
    assert.deepEqual(rows.map((r) => [r.tag, r.state, r.existing?.where]), [
      ["a-v1.0.0", "new", undefined],
      ["b-v2.0.0", "same", "remote"],
      ["c-v3.0.0", "elsewhere", "remote"],
      ["v4.0.0", "elsewhere", "local"],
    ]);
    assert.equal(tagFormatProblem("${name}@${version}"), undefined);
    assert.match(tagFormatProblem("${name}@${nextRelease.version}")!, /exactly once/);
    assert.match(tagFormatProblem("${name}@${version}-${channel}")!, /\$\{name\} and \$\{version\} only/);
  });
});
