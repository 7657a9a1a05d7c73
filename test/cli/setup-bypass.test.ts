// `semantic-release-github-app setup-bypass`, the real bin against the stand-in: the plan, the question,
// the change (PUT of each blocking repository ruleset with the App's entry, every other field kept),
// doctor turning green afterwards; `--mode always`; organization rulesets and classic protection listed
// with their pages, not changed; GitHub Actions refused up front on a user's repository; bad usage.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import type { BypassActor, Ruleset } from "github-stand-in";
import { APP_ACTOR, output, protectReleaseRefs, releaseWorld, type ReleaseWorld } from "../helpers/e2e.js";
import { runBinIn } from "../helpers/cli-bin.js";
import { planBypass, withAppEntry } from "../../lib/cli/bypass-plan.js";
import type { PreflightFacts } from "../../lib/preflight/fetch.js";
import type { RulesetDetails } from "../../lib/preflight/evaluate-rules.js";

const PUT_RULESET = "PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}";

/** the stand-in's rulesets of the world's repository, as an admin would see them in the settings */
function rulesets(world: ReleaseWorld): Ruleset[] {
  return world.standIn.repository(world.repo.owner.login, world.repo.name)!.rulesets;
}

function appEntry(world: ReleaseWorld, ruleset: Ruleset): BypassActor | undefined {
  return ruleset.bypass_actors.find((a) => a.actor_type === "Integration" && a.actor_id === world.app.id);
}

describe("setup-bypass on a user's repository whose rulesets refuse the App", () => {
  let world: ReleaseWorld;
  let adminToken: string;
  before(async () => {
    world = await releaseWorld({ checkout: false });
    protectReleaseRefs(world, "none");
    // an administrator's own entry, which the change must keep
    for (const ruleset of rulesets(world)) world.standIn.updateRuleset(ruleset, { bypass_actors: [{ actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "always" }] });
    adminToken = world.standIn.createPat(world.repo.owner.login);
  });
  after(() => world.close());

  it("exits 2 on bad usage: no --branch, an unknown --mode", async () => {
    const noBranch = await runBinIn(world, ["setup-bypass"], { GH_ADMIN_TOKEN: adminToken });
    assert.equal(noBranch.code, 2, output(noBranch));
    assert.match(noBranch.stderr, /--branch is required/);
    const badMode = await runBinIn(world, ["setup-bypass", "--branch", "main", "--mode", "pull_request"], { GH_ADMIN_TOKEN: adminToken });
    assert.equal(badMode.code, 2, output(badMode));
    assert.match(badMode.stderr, /--mode takes exempt or always/);
  });

  it("without GH_ADMIN_TOKEN stops with EADMINTOKEN; with a write collaborator's token too, since it cannot see the bypass lists", async () => {
    const missing = await runBinIn(world, ["setup-bypass", "--branch", "main", "--yes"], { GH_ADMIN_TOKEN: undefined });
    assert.equal(missing.code, 1, output(missing));
    assert.match(missing.stderr, /EADMINTOKEN.*GH_ADMIN_TOKEN/);
    world.standIn.repository(world.repo.owner.login, world.repo.name)!.collaborators.set("writer", "write");
    const since = world.standIn.mark();
    const writer = await runBinIn(world, ["setup-bypass", "--branch", "main", "--yes"], { GH_ADMIN_TOKEN: world.standIn.createPat("writer") });
    assert.equal(writer.code, 1, output(writer));
    assert.match(writer.stderr, /EADMINTOKEN.*cannot administer/);
    assert.equal(world.standIn.requests({ route: PUT_RULESET, since }).length, 0);
  });

  it("refuses GitHub Actions up front (the 422 explanation) and changes nothing", async () => {
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["setup-bypass", "--branch", "main", "--actor", "github-actions", "--yes"], { GH_ADMIN_TOKEN: adminToken });
    assert.equal(result.code, 1, output(result));
    assert.match(result.stderr, /EACTIONSNOTBYPASSABLE/);
    assert.match(result.stderr, /Actor GitHub Actions integration must be part of the ruleset source or owner organization/);
    assert.equal(world.standIn.requests({ route: PUT_RULESET, since }).length, 0);
    assert.equal(world.standIn.requests({ route: "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", since }).length, 0, "refused before reading the rules");
  });

  it("prints the plan and, not asked on a terminal, changes nothing; doctor is red", async () => {
    const doctor = await runBinIn(world, ["doctor", "--branch", "main"]);
    assert.equal(doctor.code, 1, output(doctor));
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["setup-bypass", "--branch", "main", "--tags"], { GH_ADMIN_TOKEN: adminToken });
    assert.equal(result.code, 1, output(result));
    assert.match(result.stdout, /Protect main \(\d+\)\s+Repository octo\/lib\s+branch\s+pull_request\s+not listed\s+add \{ actor_type: "Integration", actor_id: \d+, bypass_mode: "exempt" \}/);
    assert.match(result.stdout, /Release tags \(\d+\)\s+Repository octo\/lib\s+tag\s+creation\s+not listed/);
    assert.match(result.stdout, /Nothing was changed/);
    assert.equal(world.standIn.requests({ route: PUT_RULESET, since }).length, 0);
    assert.ok(rulesets(world).every((r) => !appEntry(world, r)));
  });

  it("--yes adds the App in exempt mode to both rulesets, keeps every other field, and doctor turns green", async () => {
    const before = rulesets(world).map((r) => structuredClone({ name: r.name, target: r.target, enforcement: r.enforcement, conditions: r.conditions, rules: r.rules }));
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["setup-bypass", "--branch", "main", "--tags", "--yes"], { GH_ADMIN_TOKEN: adminToken });
    assert.equal(result.code, 0, output(result));
    const puts = world.standIn.requests({ route: PUT_RULESET, since });
    assert.deepEqual(puts.map((r) => [r.status, r.actor]), [[200, "user:octo"], [200, "user:octo"]]);
    for (const ruleset of rulesets(world)) {
      assert.deepEqual(appEntry(world, ruleset), { actor_id: world.app.id, actor_type: "Integration", bypass_mode: "exempt" });
      assert.ok(ruleset.bypass_actors.some((a) => a.actor_type === "RepositoryRole" && a.actor_id === 5), "the admin's entry is kept");
    }
    assert.deepEqual(rulesets(world).map((r) => ({ name: r.name, target: r.target, enforcement: r.enforcement, conditions: r.conditions, rules: r.rules })), before);
    assert.match(result.stdout, /now lists actor \d+ with bypass_mode exempt/);
    assert.equal(output(result).includes(adminToken), false, "the administrator's token is never printed");
    assert.deepEqual(world.findSecrets(output(result)), []);
    const doctor = await runBinIn(world, ["doctor", "--branch", "main"]);
    assert.equal(doctor.code, 0, output(doctor));
    assert.equal(world.standIn.requests({ since, actor: APP_ACTOR, route: PUT_RULESET }).length, 0, "the App's token never writes rulesets");
  });

  it("run again, finds nothing left to change", async () => {
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["setup-bypass", "--branch", "main", "--tags", "--yes"], { GH_ADMIN_TOKEN: adminToken });
    assert.equal(result.code, 0, output(result));
    assert.match(result.stdout, /none: already bypasses/);
    assert.equal(world.standIn.requests({ route: PUT_RULESET, since }).length, 0);
  });
});

describe("setup-bypass on an organization's repository", () => {
  let world: ReleaseWorld;
  let orgRuleset: Ruleset;
  before(async () => {
    world = await releaseWorld({ org: true, checkout: false });
    // the App may bypass only for pull requests: --mode always replaces that entry
    protectReleaseRefs(world, "pull_request");
    orgRuleset = world.standIn.addRuleset("acme", { name: "Org main", target: "branch", rules: [{ type: "update" }] });
    world.standIn.setProtection(world.repo, "main", {
      required_pull_request_reviews: { required_approving_review_count: 1, bypass_pull_request_allowances: { users: [], teams: [], apps: [] } },
      restrictions: { users: ["octo"], teams: [], apps: [] },
    });
  });
  after(() => world.close());

  it("--mode always replaces the pull-request-only entry; the organization ruleset and the classic protection are listed with their pages, not changed (exit 1)", async () => {
    // a repository admin who does not own the organization
    world.standIn.repository("acme", world.repo.name)!.collaborators.set("repo-admin", "admin");
    const since = world.standIn.mark();
    const result = await runBinIn(world, ["setup-bypass", "--branch", "main", "--mode", "always", "--yes"], { GH_ADMIN_TOKEN: world.standIn.createPat("repo-admin") });
    assert.equal(result.code, 1, output(result));
    const main = rulesets(world).find((r) => r.name === "Protect main")!;
    assert.deepEqual(main.bypass_actors, [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: "always" }]);
    assert.match(result.stdout, /Protect main \(\d+\)\s+Repository acme\/lib\s+branch\s+pull_request\s+pull requests only\s+replace its entry/);
    assert.match(result.stdout, new RegExp(`Organization ruleset "Org main" is not changed here: an owner of acme changes it at ${world.standIn.origin}/organizations/acme/settings/rules/${orgRuleset.id}`));
    assert.deepEqual(orgRuleset.bypass_actors, []);
    assert.match(result.stdout, /"Allow specified actors to bypass required pull requests": add the App release-bot/);
    assert.match(result.stdout, /"Restrict who can push to matching branches": add the App release-bot/);
    assert.match(result.stdout, new RegExp(`${world.standIn.origin}/acme/lib/settings/branches`));
    assert.deepEqual(world.standIn.requests({ route: PUT_RULESET, since }).map((r) => r.path), [`/api/v3/repos/acme/lib/rulesets/${main.id}`]);
  });

  it("--actor github-actions adds the Actions integration (App ID 15368) on an organization's repository, without App credentials", async () => {
    const result = await runBinIn(world, ["setup-bypass", "--branch", "main", "--actor", "github-actions", "--yes"], {
      GH_ADMIN_TOKEN: world.standIn.createPat("repo-admin"),
      GITHUB_APP_CLIENT_ID: undefined,
      GITHUB_APP_PRIVATE_KEY: undefined,
    });
    assert.equal(result.code, 1, output(result));
    assert.match(result.stdout, /Bypass for github-actions \(App ID 15368\)/);
    const main = rulesets(world).find((r) => r.name === "Protect main")!;
    assert.deepEqual(main.bypass_actors.find((a) => a.actor_id === 15368), { actor_id: 15368, actor_type: "Integration", bypass_mode: "exempt" });
    assert.ok(appEntry(world, main), "the App's entry is kept");
  });
});

describe("the plan (lib/cli/bypass-plan.ts)", () => {
  const where = { githubUrl: "https://github.com", owner: "acme", repo: "lib" };
  const ruleset = (id: number, over: Partial<RulesetDetails>): RulesetDetails => ({
    id,
    name: `ruleset ${id}`,
    target: "branch",
    source_type: "Repository",
    source: "acme/lib",
    enforcement: "active",
    rules: [{ type: "pull_request" }],
    bypass_actors: [],
    // the administrator's own status, which says nothing about the App
    current_user_can_bypass: "always",
    ...over,
  });
  const facts = (branch: RulesetDetails[], tag: RulesetDetails[] = [], classic?: PreflightFacts["classic"]): PreflightFacts =>
    ({
      branch: { rulesets: branch, available: true },
      tag: { rulesets: tag, unreadable: [], available: true },
      classic,
      immutable: { state: "off" },
    }) as PreflightFacts;
  const plan = (f: PreflightFacts, more: Partial<Parameters<typeof planBypass>[0]> = {}) =>
    planBypass({ facts: f, actorId: 7, actorSlug: "release-bot", mode: "exempt", branch: "main", tags: true, tagFormat: "v${version}", where, ownerType: "Organization", ...more });

  it("judges the rules for the App, not the admin: a ruleset that refuses nothing is left out, an entry in always or exempt needs no change", () => {
    const result = plan(
      facts([
        ruleset(1, {}),
        ruleset(2, { rules: [{ type: "deletion" }, { type: "non_fast_forward" }] }),
        ruleset(3, { bypass_actors: [{ actor_type: "Integration", actor_id: 7, bypass_mode: "always" }] }),
        ruleset(4, { bypass_actors: [{ actor_type: "Integration", actor_id: 7, bypass_mode: "pull_request" }, { actor_type: "RepositoryRole", actor_id: 5, bypass_mode: "always" }] }),
        ruleset(5, { source_type: "Organization", source: "acme", bypass_actors: undefined }),
        ruleset(6, { bypass_actors: undefined }),
      ]),
    );
    assert.deepEqual(plan(facts([])).rulesets, []);
    assert.deepEqual(result.rulesets.map((r) => [r.ruleset.id, r.status, r.action]), [
      [1, "missing", "change"],
      [3, "always", "ok"],
      [4, "pull_request", "change"],
      [5, "hidden", "elsewhere"],
      [6, "hidden", "hidden"],
    ]);
    assert.equal(result.rulesets.find((r) => r.ruleset.id === 5)!.settingsUrl, "https://github.com/organizations/acme/settings/rules/5");
    assert.deepEqual(withAppEntry(result.rulesets.find((r) => r.ruleset.id === 4)!.ruleset, result.entry), [
      { actor_type: "RepositoryRole", actor_id: 5, bypass_mode: "always" },
      { actor_type: "Integration", actor_id: 7, bypass_mode: "exempt" },
    ]);
  });

  it("takes the tag rulesets that match a release tag of the format, only with --tags", () => {
    const tags = [
      ruleset(10, { target: "tag", conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } }, rules: [{ type: "creation" }] }),
      ruleset(11, { target: "tag", conditions: { ref_name: { include: ["refs/tags/docs-*"], exclude: [] } }, rules: [{ type: "creation" }] }),
      ruleset(12, { target: "tag", conditions: { ref_name: { include: ["~ALL"], exclude: [] } }, rules: [{ type: "deletion" }] }),
    ];
    assert.deepEqual(plan(facts([], tags)).rulesets.map((r) => [r.ruleset.id, r.target, r.rules]), [[10, "tag", ["creation"]]]);
    assert.deepEqual(plan(facts([], tags), { tags: false }).rulesets, []);
  });

  it("lists the App's missing classic entries; on a personal repository no entry can let it through", () => {
    const classic: PreflightFacts["classic"] = {
      protected: true,
      classic: true,
      state: "read",
      protection: {
        required_pull_request_reviews: { required_approving_review_count: 1, bypass_pull_request_allowances: { apps: [{ slug: "release-bot" }] } },
        restrictions: { users: [], apps: [] },
        required_status_checks: { contexts: ["ci"] },
      },
    };
    assert.deepEqual(plan(facts([], [], classic)).classic.gaps, [
      { setting: '"Restrict who can push to matching branches"', kind: "missing" },
      { setting: '"Require status checks to pass before merging"', kind: "unfixable" },
    ]);
    assert.deepEqual(plan(facts([], [], classic), { ownerType: "User" }).classic.gaps.map((g) => g.kind), ["unfixable", "unfixable"]);
  });
});
