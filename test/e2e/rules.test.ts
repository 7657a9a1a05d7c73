// End to end: the preflight against rulesets and classic protection (docs/architecture.md
// "Preflight"), through the real semantic-release CLI: organization rulesets, each bypass mode,
// inactive rulesets, a tag ruleset, classic protection with and without Administration: read, and
// `preflight: warn`/`off` where GitHub itself refuses the push. A run that must not release asserts
// that nothing landed.
import { strict as assert } from "node:assert";
import { after, before, beforeEach, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult, APP_ACTOR, PULL_REQUEST_RULE, appBypass, assertNoSecrets, assertTokensRevoked, configure, output, receivePacks, refPushes, resetWorkspace, assertReleasePushedByApp } from "../helpers/e2e.js";
import type { Ruleset, Mark } from "github-stand-in";

const BYPASS_NOTICE = /bypassed rule violations for refs\/heads\/main/i;

async function assertNothingLanded(world: ReleaseWorld, mainBefore: string | undefined): Promise<void> {
  assert.equal(await world.remoteRef("refs/heads/main"), mainBefore, "main did not move");
  assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "no tag");
}

async function assertReleasedAsApp(world: ReleaseWorld, result: RunResult, mainBefore: string | undefined): Promise<void> {
  assert.equal(result.code, 0, output(result));
  const main = await world.remoteRef("refs/heads/main");
  assert.notEqual(main, mainBefore);
  assert.equal(await world.remoteRef("refs/tags/v1.0.0"), main);
  assertReleasePushedByApp(world);
}

describe("an organization ruleset on the default branch", () => {
  let world: ReleaseWorld;
  let ruleset: Ruleset;
  let mainBefore: string | undefined;
  let blocked: RunResult;
  let released: RunResult;

  before(async () => {
    world = await releaseWorld({ org: true });
    ruleset = world.standIn.addRuleset("acme", {
      name: "Org main",
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] }, repository_name: { include: ["~ALL"], exclude: [] } },
      rules: [PULL_REQUEST_RULE],
      bypass_actors: [],
    });
    mainBefore = await world.remoteRef("refs/heads/main");
    blocked = await world.run();
    await resetWorkspace(world);
    // an organization owner adds the App to the bypass list
    world.standIn.updateRuleset(ruleset, { bypass_actors: appBypass(world) });
    released = await world.run();
  });
  after(() => world.close());

  it("without the App as bypass actor: ERULESETBLOCKED naming the organization and its settings page", () => {
    assert.notEqual(blocked.code, 0);
    const text = output(blocked);
    assert.match(text, /ERULESETBLOCKED/);
    assert.match(text, /Org main/);
    assert.match(text, /organization acme/);
    assert.ok(text.includes(`/organizations/acme/settings/rules/${ruleset.id}`), "links the organization's ruleset page");
    assert.equal(refPushes(world).filter((p) => !p.accepted).length, 0, "no push was attempted");
  });

  it("with the App as bypass actor: releases as the App, with GitHub's bypass notice", async () => {
    await assertReleasedAsApp(world, released, mainBefore);
    assert.match(output(released), BYPASS_NOTICE);
  });

  it("revokes every token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, blocked);
    await assertNoSecrets(world, released);
  });
});

describe("rules the App cannot pass on a user repository", () => {
  let world: ReleaseWorld;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld();
    mainBefore = await world.remoteRef("refs/heads/main");
  });
  beforeEach(async () => {
    world.repo.rulesets.length = 0;
    await configure(world, {});
    await resetWorkspace(world);
  });
  after(() => world.close());

  function blockMain(mode: "none" | "pull_request" = "none"): void {
    world.standIn.addRuleset(world.repo, {
      name: "Protect main",
      target: "branch",
      rules: [PULL_REQUEST_RULE],
      bypass_actors: mode === "none" ? [] : appBypass(world, mode),
    });
  }

  it('bypass mode "pull_request": EBYPASSPULLREQUESTONLY, nothing pushed', async () => {
    blockMain("pull_request");
    const since = world.standIn.mark();
    const result = await world.run();
    assert.notEqual(result.code, 0);
    assert.match(output(result), /EBYPASSPULLREQUESTONLY/);
    assert.match(output(result), /only for pull requests/);
    assert.equal(refPushes(world, since).length, 0);
    await assertNothingLanded(world, mainBefore);
    await assertNoSecrets(world, result);
  });

  it("only the tag is blocked: stops in verifyRelease naming refs/tags/v1.0.0, nothing pushed", async () => {
    // `v1.*` depends on the version (a pattern matching every `v${version}` is judged in verifyConditions)
    world.standIn.addRuleset(world.repo, {
      name: "Release tags",
      target: "tag",
      conditions: { ref_name: { include: ["refs/tags/v1.*"], exclude: [] } },
      rules: [{ type: "creation" }],
      bypass_actors: [],
    });
    const since = world.standIn.mark();
    const result = await world.run();
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.match(text, /ERULESETBLOCKED/);
    assert.match(text, /Release tags/);
    assert.match(text, /refs\/tags\/v1\.0\.0/);
    assert.match(text, /Failed step "verifyRelease"/);
    assert.doesNotMatch(text, /Start step "prepare"/);
    assert.equal(refPushes(world, since).length, 0);
    await assertNothingLanded(world, mainBefore);
  });

  it('preflight: "warn": warns, then GitHub refuses the push (EPUSHREJECTED, GH013 rule lines) and nothing lands', async () => {
    blockMain();
    await configure(world, { preflight: "warn" });
    const since = world.standIn.mark();
    const result = await world.run();
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.match(text, /ERULESETBLOCKED .*\(preflight: warn, going on\)/);
    assert.match(text, /EPUSHREJECTED/);
    assert.match(text, /GH013/);
    assert.match(text, /Changes must be made through a pull request/);
    const attempts = refPushes(world, since);
    assert.equal(attempts.length, 1, "one atomic push was tried");
    assert.equal(attempts[0]!.accepted, false);
    assert.equal(attempts[0]!.actor, APP_ACTOR);
    assert.deepEqual(attempts[0]!.updates.map((u) => u.ref).sort(), ["refs/heads/main", "refs/tags/v1.0.0"]);
    await assertNothingLanded(world, mainBefore);
    await assertNoSecrets(world, result);
  });

  it('preflight: "off" (commitMode "git"): no ruleset request at all; GitHub refuses the push', async () => {
    blockMain();
    // with commitMode "auto" (the default) one request reads the branch's rules for required_signatures (test/e2e/commit.test.ts)
    await configure(world, { preflight: "off", commitMode: "git" });
    const since = world.standIn.mark();
    const result = await world.run();
    assert.notEqual(result.code, 0);
    const rulesRequests = world.standIn.requests({ since }).filter((r) => /\/rules|\/rulesets|\/protection|\/branches\//.test(r.route));
    assert.deepEqual(rulesRequests.map((r) => r.route), []);
    assert.match(output(result), /EPUSHREJECTED/);
    assert.ok(receivePacks(world, since).length > 0);
    await assertNothingLanded(world, mainBefore);
  });

  it("revokes every token", () => {
    assertTokensRevoked(world);
  });
});

describe('bypass mode "exempt", and rulesets in evaluate or disabled enforcement', () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld();
    world.standIn.addRuleset(world.repo, { name: "Protect main", target: "branch", rules: [PULL_REQUEST_RULE], bypass_actors: appBypass(world, "exempt") });
    world.standIn.addRuleset(world.repo, { name: "Trial", target: "branch", enforcement: "evaluate", rules: [PULL_REQUEST_RULE], bypass_actors: [] });
    world.standIn.addRuleset(world.repo, { name: "Switched off", target: "branch", enforcement: "disabled", rules: [PULL_REQUEST_RULE], bypass_actors: [] });
    world.standIn.addRuleset(world.repo, { name: "Tags on trial", target: "tag", enforcement: "evaluate", rules: [{ type: "creation" }], bypass_actors: [] });
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("releases as the App: exempt needs no bypass (no notice), inactive rulesets are ignored", async () => {
    await assertReleasedAsApp(world, result, mainBefore);
    assert.doesNotMatch(output(result), BYPASS_NOTICE);
    // no notice from GitHub, so the log says it: exempt, rules not evaluated
    assert.match(output(result), /release-bot\[bot\] is exempt from the ruleset "Protect main" \(octo\/lib\) on refs\/heads\/main: its rules \(pull_request\) are not evaluated/);
    assert.doesNotMatch(output(result), /ERULESETBLOCKED|Trial|Switched off/);
    assertTokensRevoked(world);
  });
});

describe("classic branch protection on a user repository", () => {
  let world: ReleaseWorld;
  let mainBefore: string | undefined;
  let withAdmin: RunResult;
  let withoutAdmin: RunResult;
  let pushesBefore: Mark;

  before(async () => {
    world = await releaseWorld({ installationPermissions: { contents: "write", metadata: "read", administration: "read" } });
    world.standIn.setProtection(world.repo, "main", { required_pull_request_reviews: { required_approving_review_count: 1 }, enforce_admins: true });
    mainBefore = await world.remoteRef("refs/heads/main");
    withAdmin = await world.run();
    await resetWorkspace(world);
    // the owner installs the App without Administration: read
    delete world.installation.permissions.administration;
    pushesBefore = world.standIn.mark();
    withoutAdmin = await world.run();
  });
  after(() => world.close());

  it("with Administration: read: EPROTECTEDBRANCH before anything is pushed", () => {
    assert.notEqual(withAdmin.code, 0);
    assert.match(output(withAdmin), /EPROTECTEDBRANCH/);
    assert.match(output(withAdmin), /octo\/lib:main/);
    assert.equal(pushesBefore.pushes, 0, "no push was attempted");
  });

  it("without: a warning naming the permission, then the atomic push refused (EPUSHREJECTED, GH006) and nothing lands", async () => {
    assert.notEqual(withoutAdmin.code, 0);
    const text = output(withoutAdmin);
    assert.match(text, /classic branch protection, but its settings need the permission Administration: read/);
    assert.match(text, /EPUSHREJECTED/);
    assert.match(text, /GH006/);
    const attempts = refPushes(world, pushesBefore);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.accepted, false);
    assert.equal(attempts[0]!.actor, APP_ACTOR);
    await assertNothingLanded(world, mainBefore);
  });

  it("revokes every token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, withAdmin);
    await assertNoSecrets(world, withoutAdmin);
  });
});
