// Hardening, races and atomicity: the release push is `git push --atomic` of the branch
// and the tag (lib/push/push-release.ts), so the remote ends either with both or with neither, and a
// remote that changed since the checkout is never overwritten. Interference comes from the
// step-plugin fixture (its prepare runs just before ours) and from a second release of the same
// repository running at the same time.
import { strict as assert } from "node:assert";
import { chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gitIn, PLUGIN_PLACEHOLDER, releaseWorld, type ReleaseWorld, type RunResult, DEFAULT_PLUGINS, appTokens, assertNoSecrets, assertTokensRevoked, errorCodes, output, runIn, secondWorkspace, setPlugins, withStep } from "../helpers/e2e.js";
import { commitOnBare } from "../fixtures/step-plugin.mjs";

const APP_ACTOR = "installation:release-bot[bot]";

/** ref updates the App's pushes made land on the remote (rejected pushes excluded) */
function landedByApp(world: ReleaseWorld): string[] {
  return world.standIn.refPushes({ accepted: true, actor: APP_ACTOR }).flatMap((p) => p.updates.map((u) => u.ref));
}

describe("the remote branch moves between checkout and push", () => {
  let world: ReleaseWorld;
  let first: RunResult;
  let second: RunResult;
  let competing: string | undefined;
  let releaseSha: string | undefined;
  let tagAfterFirst: string | undefined;
  let landedAfterFirst: string[];
  let localTagsAfterFirst: string;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    await setPlugins(world, withStep({ pushCommit: { gitDir: world.repo.gitDir, branch: "main", message: "fix: a developer's commit" } }));
    first = await world.run();
    competing = await world.remoteRef("refs/heads/main");
    tagAfterFirst = await world.remoteRef("refs/tags/v1.0.0");
    landedAfterFirst = landedByApp(world);
    localTagsAfterFirst = await gitIn(world.workDir, ["tag", "--list"]);

    // The user re-runs after updating the checkout; the interfering step is gone.
    await setPlugins(world, [...DEFAULT_PLUGINS, PLUGIN_PLACEHOLDER]);
    await gitIn(world.workDir, ["fetch", "-q", "origin"]);
    await gitIn(world.workDir, ["reset", "-q", "--hard", "origin/main"]);
    second = await world.run([], { GITHUB_SHA: await gitIn(world.workDir, ["rev-parse", "HEAD"]) });
    releaseSha = await world.remoteRef("refs/heads/main");
  });
  after(() => world.close());

  it("fails with EREMOTEAHEAD and pushes nothing: no tag, the other commit untouched", async () => {
    assert.notEqual(first.code, 0);
    const text = output(first);
    assert.match(text, /EREMOTEAHEAD/);
    assert.match(text, /The branch main moved on the remote while the release was being prepared/);
    assert.match(text, /step-plugin: pushed [0-9a-f]{12} to main/);
    assert.equal(await world.standIn.git(world.repo, "log", "-1", "--format=%s", competing!), "fix: a developer's commit", "main is the developer's commit");
    assert.equal(tagAfterFirst, undefined, "no tag on the remote");
    assert.deepEqual(landedAfterFirst, [], "nothing of the App's landed");
    assert.equal(localTagsAfterFirst, "", "no local tag left behind");
  });

  it("releases on a re-run after the checkout is updated, on top of the other commit", async () => {
    assert.equal(second.code, 0, output(second));
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), releaseSha);
    const parent = await world.standIn.git(world.repo, "rev-parse", `${releaseSha}^`);
    assert.equal(parent, competing, "the release commit's parent is the developer's commit");
    assert.match(output(second), /Pushed refs\/heads\/main and refs\/tags\/v1\.0\.0 atomically as release-bot\[bot\]/);
    assertTokensRevoked(world);
    await assertNoSecrets(world, second);
  });
});

describe("a tag rule rejects the tag while the branch is allowed (preflight: off)", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ checkout: "v4", pluginOptions: { preflight: "off" } });
    world.standIn.addRuleset(world.repo, {
      name: "Release tags",
      target: "tag",
      conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
      rules: [{ type: "creation" }],
      bypass_actors: [],
    });
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("moves neither ref: the push is atomic", async () => {
    assert.notEqual(result.code, 0);
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore, "main did not move");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "no tag");
    const attempt = world.standIn.refPushes({ actor: APP_ACTOR, ref: "refs/tags/v1.0.0" })[0];
    assert.ok(attempt, "the App's push reached the server");
    assert.equal(attempt.accepted, false);
    assert.deepEqual(attempt.updates.map((u) => u.ref).sort(), ["refs/heads/main", "refs/tags/v1.0.0"], "branch and tag in one push");
  });

  it("fails with EPUSHREJECTED naming the ref and GitHub's rule line", () => {
    const text = output(result);
    assert.match(text, /EPUSHREJECTED/);
    assert.match(text, /refs\/tags\/v1\.0\.0/);
    assert.match(text, /Cannot create ref due to creations being restricted/);
    assert.match(text, /GH013/);
    assertTokensRevoked(world);
  });
});

describe("the tag already exists on the remote at another commit", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;
  let initial: string;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    initial = await world.standIn.git(world.repo, "rev-list", "--max-parents=0", "refs/heads/main");
    // created after core fetched the tags (someone else tagged meanwhile), so core computes v1.0.0
    await setPlugins(world, withStep({ pushTag: { gitDir: world.repo.gitDir, tag: "v1.0.0", rev: initial } }));
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("fails with ETAGEXISTS before pushing: nothing overwritten, nothing pushed", async () => {
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.match(text, /ETAGEXISTS/);
    assert.match(text, new RegExp(`The tag v1\\.0\\.0 already exists on the remote at another commit \\(${initial.slice(0, 12)}\\)`));
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), initial, "the tag still points where it did");
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore, "main did not move");
    assert.deepEqual(world.standIn.refPushes({ actor: APP_ACTOR }), [], "no push was attempted");
    assertTokensRevoked(world);
  });
});

describe("two releases of the same repository at once", () => {
  let world: ReleaseWorld;
  let results: RunResult[];
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    mainBefore = await world.remoteRef("refs/heads/main");
    const other = await secondWorkspace(world, "work-2");
    // The server holds each push in pre-receive until both have arrived: both passed every check,
    // both push at the same moment, and the repository's ref lock decides.
    const barrier = join(world.repo.gitDir, "..", "barrier");
    await mkdir(barrier);
    const hook = join(world.repo.gitDir, "hooks", "pre-receive");
    const original = await readFile(hook, "utf8");
    const wait = `touch "${barrier}/$$"\ni=0\nwhile [ "$(ls "${barrier}" | wc -l)" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n`;
    await writeFile(hook, original.replace(/^(#!.*\n)/, (shebang) => shebang + wait));
    await chmod(hook, 0o755);
    results = await Promise.all([world.run(), runIn(world, other).then((r) => ({ ...r, gitArgv: [] }))]);
    assert.ok((await readdir(barrier)).length >= 2, `both release pushes reached the server\n${results.map(output).join("\n-----\n")}`);
  });
  after(() => world.close());

  it("exactly one wins; the other fails with EREMOTEAHEAD or ETAGEXISTS", () => {
    const codes = results.map((r) => r.code);
    assert.equal(codes.filter((c) => c === 0).length, 1, `one success (exit codes ${codes.join(", ")})`);
    const loser = results.find((r) => r.code !== 0)!;
    const found = errorCodes(output(loser)).filter((c) => /^E(REMOTEAHEAD|TAGEXISTS|PUSHFAILED|PUSHREJECTED)$/.test(c));
    assert.ok(found.some((c) => c === "EREMOTEAHEAD" || c === "ETAGEXISTS"), `loser's error: ${found.join(", ")}\n${output(loser)}`);
  });

  it("leaves one consistent release on the remote: the winner's commit on main, the tag on it", async () => {
    const main = await world.remoteRef("refs/heads/main");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), main);
    assert.equal(await world.standIn.git(world.repo, "rev-parse", `${main}^`), mainBefore, "one release commit on top of the old main");
    const winner = results.find((r) => r.code === 0)!;
    assert.match(output(winner), /Pushed refs\/heads\/main and refs\/tags\/v1\.0\.0 atomically as release-bot\[bot\]/);
  });

  it("revokes the tokens of both runs", () => {
    assert.ok(appTokens(world).length >= 2);
    assertTokensRevoked(world);
  });
});

describe("the next version's tag already exists on a commit outside the branch (an earlier, abandoned release)", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;
  let side: string;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    // a commit that was tagged but never reached main (e.g. main was reset after a half-done release)
    side = commitOnBare(world.repo.gitDir, "main", "chore(release): 1.0.0 [skip ci]", "CHANGELOG.md");
    await world.standIn.git(world.repo, "update-ref", "refs/tags/v1.0.0", side);
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("stops with ETAGEXISTS: the tag is not moved, main does not move, nothing is pushed", async () => {
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.match(text, /ETAGEXISTS/);
    assert.match(text, new RegExp(`The tag v1\\.0\\.0 already exists (on the remote|in the local clone) at another commit \\(${side.slice(0, 12)}\\)`));
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), side);
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
    assert.deepEqual(world.standIn.refPushes({ actor: APP_ACTOR }), []);
    assertTokensRevoked(world);
  });
});
