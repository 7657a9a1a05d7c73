// End to end: what the release commit looks like (README "Options": assets, message, commitMode)
// through the real semantic-release CLI: no commit at all (tag only), a custom message, the commit
// created through the Git database API (signed and "Verified" by GitHub), and `auto` choosing the
// API when a required_signatures rule applies, with or without the preflight.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { gitIn, releaseWorld, type ReleaseWorld, type RunResult, APP_ACTOR, PULL_REQUEST_RULE, appBypass, assertNoSecrets, assertTokensRevoked, configure, output, refPushes, assertReleasePushedByApp } from "../helpers/e2e.js";
import type { Mark } from "github-stand-in";

// The stand-in is a server of its own, like GHES: the plugin's git commits and GitHub's API commits
// both use its noreply host.
const BOT = (world: ReleaseWorld) => `release-bot[bot] <${world.app.botUserId}+release-bot[bot]@users.noreply.127.0.0.1>`;

function protect(world: ReleaseWorld): void {
  world.standIn.addRuleset(world.repo, { name: "Protect main", target: "branch", rules: [PULL_REQUEST_RULE], bypass_actors: appBypass(world) });
}

describe("assets: false", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld();
    protect(world);
    await configure(world, { assets: false });
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("makes no release commit and pushes only the tag, on the developer's HEAD, as the App", async () => {
    assert.equal(result.code, 0, output(result));
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore, "main did not move");
    assert.equal(mainBefore, world.env.GITHUB_SHA);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0^{commit}"), mainBefore, "the tag is on the checked-out commit");
    assertReleasePushedByApp(world);
    // the tag, then core's release notes (git notes); never the branch
    const refs = refPushes(world).flatMap((p) => p.updates.map((u) => u.ref));
    assert.deepEqual(refs.filter((r) => !r.startsWith("refs/notes/")), ["refs/tags/v1.0.0"]);
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("a custom message template", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld();
    protect(world);
    await configure(world, { message: "release: ${nextRelease.gitTag} from ${branch}\n\n[skip ci]" });
    result = await world.run();
  });
  after(() => world.close());

  it("is rendered into the release commit", async () => {
    assert.equal(result.code, 0, output(result));
    const commit = await world.remoteCommit("refs/heads/main");
    assert.equal(commit.subject, "release: v1.0.0 from main");
    const body = await world.standIn.git(world.repo, "log", "-1", "--format=%b", "refs/heads/main");
    assert.equal(body.trim(), "[skip ci]");
    assert.equal(commit.author, BOT(world));
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), commit.sha);
  });
});

/** the release commit was made through the Git database API and GitHub signed it */
async function assertApiCommit(world: ReleaseWorld, mainBefore: string | undefined): Promise<void> {
  const main = await world.remoteRef("refs/heads/main");
  assert.ok(main && main !== mainBefore, "main moved");
  assert.ok(
    world.standIn.requests({ route: "POST /repos/{owner}/{repo}/git/commits", status: 201, actor: APP_ACTOR }).length > 0,
    "POST git/commits as the App",
  );
  assert.ok(world.repo.verifiedCommits.has(main), "GitHub verified the commit");
  const commit = await world.remoteCommit("refs/heads/main");
  assert.equal(commit.author, BOT(world));
  assert.equal(commit.committer, "GitHub <noreply@github.com>");
  assert.equal(commit.subject, "chore(release): 1.0.0 [skip ci]");
  assert.equal(await world.remoteRef("refs/tags/v1.0.0^{commit}"), main, "the tag is on the API commit");
  assert.equal(await gitIn(world.workDir, ["rev-parse", "HEAD"]), main, "the local branch was moved onto the API commit");
  const changelog = await world.standIn.git(world.repo, "show", `${main}:CHANGELOG.md`);
  assert.match(changelog, /1\.0\.0/);
  // every ref update of the release, through the API or git, was the App's
  assertReleasePushedByApp(world);
}

describe('commitMode: "api"', () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld();
    protect(world);
    await configure(world, { commitMode: "api" });
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("creates the release commit through the API, verified, authored by the App's bot, committed by GitHub", async () => {
    assert.equal(result.code, 0, output(result));
    await assertApiCommit(world, mainBefore);
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe('commitMode: "auto" with a required_signatures rule on main', () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld();
    world.standIn.addRuleset(world.repo, {
      name: "Signed main",
      target: "branch",
      rules: [PULL_REQUEST_RULE, { type: "required_signatures" }],
      bypass_actors: appBypass(world),
    });
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("picks the API: the release commit is signed by GitHub", async () => {
    assert.equal(result.code, 0, output(result));
    await assertApiCommit(world, mainBefore);
    const branchUpdates = refPushes(world).filter((p) => p.updates.some((u) => u.ref === "refs/heads/main"));
    assert.deepEqual(branchUpdates.map((p) => p.via), ["api"], "main moved through the API only, never by a git push");
  });
});

describe('commitMode: "auto" with a required_signatures rule on main, preflight: "off"', () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;
  let since: Mark;

  before(async () => {
    world = await releaseWorld();
    world.standIn.addRuleset(world.repo, {
      name: "Signed main",
      target: "branch",
      rules: [PULL_REQUEST_RULE, { type: "required_signatures" }],
      bypass_actors: appBypass(world),
    });
    await configure(world, { preflight: "off" });
    mainBefore = await world.remoteRef("refs/heads/main");
    since = world.standIn.mark();
    result = await world.run();
  });
  after(() => world.close());

  it("still picks the API (README: `auto` is `api` when a required_signatures rule applies): the release commit is signed by GitHub", async () => {
    assert.equal(result.code, 0, output(result));
    await assertApiCommit(world, mainBefore);
    const branchUpdates = refPushes(world).filter((p) => p.updates.some((u) => u.ref === "refs/heads/main"));
    assert.deepEqual(branchUpdates.map((p) => p.via), ["api"], "main moved through the API only, never by a git push");
  });

  it("reads only the branch's rules for it: no ruleset, tag ruleset or protection request", () => {
    const routes = world.standIn.requests({ since }).map((r) => r.route);
    const preflightRoutes = routes.filter((route) => /\/rules|\/rulesets|\/protection$|^GET \/repos\/\{owner\}\/\{repo\}\/branches\//.test(route));
    assert.deepEqual(preflightRoutes, ["GET /repos/{owner}/{repo}/rules/branches/{branch}"]);
  });
});
