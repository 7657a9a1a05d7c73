// End to end: an npm workspace of three packages released in ONE process by the real monorepo tools,
// @qiwi/multi-semantic-release and @anolilab/multi-semantic-release (their CLIs, semantic-release
// and real git against the stand-in). Both tools run one semantic-release per package, one after
// the other, in the repository's one work tree (README "Monorepos"). What a user would notice: each
// package's release commit and tag on main, pushed by the App, one after the other; one token minted
// and revoked for the whole run; the branch's rules read once.
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  APP_ACTOR,
  ROOT,
  appBypass,
  appTokens,
  assertNoSecrets,
  assertReleasePushedByApp,
  gitIn,
  output,
  protectReleaseRefs,
  releasePushes,
  releaseWorld,
  requestsTo,
  type ReleaseWorld,
  type RunResult,
} from "../helpers/e2e.js";

const PACKAGES = ["pkg-a", "pkg-b", "pkg-c"];

/**
 * The tool's CLI. The compatibility leg (test/compat/run.sh sets SEMANTIC_RELEASE_DIR) runs another
 * semantic-release: the tool must come from that folder too, or it would run the project's own
 * semantic-release with that leg's plugins; without it there, the tool's tests are skipped.
 */
function tool(name: string): { name: string; bin: string; skip: string | false } {
  const dir = process.env.SEMANTIC_RELEASE_DIR ?? join(ROOT, "node_modules");
  const bin = join(dir, name, "bin", "cli.js");
  return { name, bin, skip: existsSync(bin) ? false : `${name} is not installed in ${dir}` };
}

const TOOLS = [tool("@qiwi/multi-semantic-release"), tool("@anolilab/multi-semantic-release")];

/** main takes pull requests only and every package tag is protected, the App on both bypass lists. */
function protectWorkspace(world: ReleaseWorld): void {
  protectReleaseRefs(world);
  world.standIn.addRuleset(world.repo, {
    name: "Package tags",
    target: "tag",
    conditions: { ref_name: { include: ["refs/tags/pkg-*"], exclude: [] } },
    rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }],
    bypass_actors: appBypass(world),
  });
}

/** The workspace released by `bin` in one process; `pluginOptions` for this plugin. */
async function releaseWorkspace(bin: string, pluginOptions: Record<string, unknown> = {}): Promise<{ world: ReleaseWorld; result: RunResult; mainBefore: string }> {
  const world = await releaseWorld({ checkout: "v4", packages: PACKAGES, pluginOptions });
  protectWorkspace(world);
  const mainBefore = (await world.remoteRef("refs/heads/main"))!;
  const result = await world.run([], {}, { bin });
  return { world, result, mainBefore };
}

/** The remote's commits from `from` (excluded) to main, oldest first: sha, parent, subject, author, files. */
async function releaseCommits(world: ReleaseWorld, from: string) {
  const log = await world.standIn.git(world.repo, "log", "--reverse", "--format=%x1e%H %P%x1f%s%x1f%an", "--name-only", `${from}..refs/heads/main`);
  return log
    .split("\x1e")
    .filter((entry) => entry.trim())
    .map((entry) => {
      const [head, ...files] = entry.trim().split("\n");
      const [shas, subject, author] = head!.split("\x1f") as [string, string, string];
      const [sha, parent] = shas.split(" ") as [string, string];
      return { sha, parent, subject, author, files: files.filter(Boolean) };
    });
}

/** Each package's tag on its own release commit, each commit on the one before: the releases ran in turn. */
async function assertReleasedInTurn(world: ReleaseWorld, mainBefore: string): Promise<void> {
  const commits = await releaseCommits(world, mainBefore);
  assert.equal(commits.length, PACKAGES.length, `one release commit per package:\n${JSON.stringify(commits, null, 2)}`);
  for (const [i, name] of PACKAGES.entries()) {
    const commit = commits[i]!;
    assert.equal(await world.remoteRef(`refs/tags/${name}@1.0.0`), commit.sha, `${name}@1.0.0 is on ${name}'s release commit`);
    assert.equal(commit.parent, i === 0 ? mainBefore : commits[i - 1]!.sha, `${name}'s release commit follows the previous release`);
    assert.equal(commit.subject, "chore(release): 1.0.0 [skip ci]");
    assert.equal(commit.author, "release-bot[bot]");
    assert.deepEqual(commit.files, [`packages/${name}/CHANGELOG.md`], `${name}'s commit holds its own changelog`);
  }
  assert.equal(await world.remoteRef("refs/heads/main"), commits.at(-1)!.sha, "main is at the last package's release");
}

/** One token for the run, revoked once at its end; the rules of main and the tag rulesets read once. */
function assertOneTokenOneRead(world: ReleaseWorld): void {
  const tokens = appTokens(world);
  assert.equal(tokens.length, 1, "one App token minted for the three packages");
  assert.ok(tokens[0]!.revoked, "and revoked when the run ended");
  assert.equal(requestsTo(world, "POST /app/installations/{installation_id}/access_tokens").length, 1);
  assert.equal(requestsTo(world, "DELETE /installation/token").length, 1, "revoked once");
  assert.equal(requestsTo(world, "GET /repos/{owner}/{repo}/rules/branches/{branch}").length, 1, "main's rules read once");
  assert.equal(requestsTo(world, "GET /repos/{owner}/{repo}/rulesets").length, 1, "the tag rulesets listed once");
  const details = requestsTo(world, "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}").map((r) => r.path);
  assert.deepEqual(details, [...new Set(details)], "each ruleset read once");
  assert.equal(requestsTo(world, "GET /users/{username}").length, 1, "the bot's identity read once");
}

for (const tool of TOOLS) {
  describe(`${tool.name}: three packages in one process`, { skip: tool.skip }, () => {
    let world: ReleaseWorld;
    let result: RunResult;
    let mainBefore: string;

    before(async () => ({ world, result, mainBefore } = await releaseWorkspace(tool.bin)));
    after(() => world?.close());

    it("releases every package: its tag on its own release commit, each commit on the previous one", async () => {
      assert.equal(result.code, 0, output(result));
      assert.match(output(result), /Released 3 of 3 packages/);
      await assertReleasedInTurn(world, mainBefore);
    });

    it("pushes each package's commit and tag atomically as the App, none refused (no EREMOTEAHEAD)", () => {
      const pushes = releasePushes(world).map((p) => ({ actor: p.actor, accepted: p.accepted, refs: p.updates.map((u) => u.ref).sort() }));
      assert.deepEqual(
        pushes,
        PACKAGES.map((name) => ({ actor: APP_ACTOR, accepted: true, refs: ["refs/heads/main", `refs/tags/${name}@1.0.0`] })),
      );
      assertReleasePushedByApp(world);
      assert.doesNotMatch(output(result), /EREMOTEAHEAD|EPUSHREJECTED/);
    });

    it("mints one token for the run, reads the branch's rules once, revokes the token once", () => {
      assertOneTokenOneRead(world);
    });

    it("leaks no secret", async () => {
      await assertNoSecrets(world, result);
    });
  });
}

describe("@anolilab/multi-semantic-release with commits made through the API (commitMode: \"api\")", { skip: TOOLS[1]!.skip }, () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string;

  before(async () => ({ world, result, mainBefore } = await releaseWorkspace(TOOLS[1]!.bin, { commitMode: "api" })));
  after(() => world?.close());

  it("each package's API commit is made on the one before: the work tree follows main after each release", async () => {
    assert.equal(result.code, 0, output(result));
    const commits = await releaseCommits(world, mainBefore);
    assert.equal(commits.length, PACKAGES.length);
    for (const [i, name] of PACKAGES.entries()) {
      assert.equal(await world.remoteRef(`refs/tags/${name}@1.0.0`), commits[i]!.sha);
      assert.equal(commits[i]!.parent, i === 0 ? mainBefore : commits[i - 1]!.sha);
    }
    assert.equal(await gitIn(world.workDir, ["rev-parse", "HEAD"]), commits.at(-1)!.sha, "the local branch is at the last API commit");
  });

  it("one token, the rules read once, every write as the App", () => {
    assertOneTokenOneRead(world);
    const writes = world.standIn.requests({}).filter((r) => !r.git && r.method !== "GET" && r.route !== "DELETE /installation/token" && !r.route.startsWith("POST /app/"));
    assert.equal(writes.length, PACKAGES.length * 4, "tree, commit, tag ref and branch update for each package");
    for (const write of writes) assert.equal(write.actor, APP_ACTOR, `${write.method} ${write.path}`);
  });
});
