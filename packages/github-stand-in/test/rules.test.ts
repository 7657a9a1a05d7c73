import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  apiRejectionMessage,
  currentUserCanBypass,
  judgeRefUpdates,
  rulesForBranch,
  rulesetsForRef,
  validateBypassActors,
  ZERO_SHA,
  type RefUpdate,
} from "../src/rules.js";
import {
  GITHUB_ACTIONS_APP_ID,
  World,
  type Account,
  type Actor,
  type App,
  type BypassActor,
  type Installation,
  type Repository,
  type Rule,
  type Ruleset,
} from "../src/world.js";

// A World built by hand, without the server (the server's helpers are tested in their own files).
function makeWorld() {
  const world = new World();
  const account = (login: string, type: Account["type"], members?: Record<string, "admin" | "member">): Account => {
    const acc: Account = { id: world.id(), login, type, members: members ? new Map(Object.entries(members)) : undefined };
    world.accounts.set(login.toLowerCase(), acc);
    return acc;
  };
  const alice = account("alice", "User");
  const bob = account("bob", "User");
  const carol = account("carol", "User");
  const org = account("acme", "Organization", { carol: "admin", bob: "member" });
  const makeApp = (id: number, slug: string, owner: Account): App => {
    const app: App = { id, slug, clientId: `Iv1.${slug}`, name: slug, owner, publicKeyPem: "", botUserId: world.id(), permissions: { contents: "write" } };
    world.apps.set(id, app);
    return app;
  };
  const releaser = makeApp(world.id(), "releaser", alice);
  const actions = makeApp(GITHUB_ACTIONS_APP_ID, "github-actions", alice);
  const repo = (owner: Account, name: string): Repository => {
    const r: Repository = {
      id: world.id(),
      name,
      owner,
      private: false,
      defaultBranch: "main",
      gitDir: "/nonexistent",
      collaborators: new Map(),
      rulesets: [],
      protection: new Map(),
      verifiedCommits: new Set(),
    };
    world.repositories.set(`${owner.login}/${name}`.toLowerCase(), r);
    return r;
  };
  const userRepo = repo(alice, "lib");
  userRepo.collaborators.set("bob", "write");
  const orgRepo = repo(org, "tool");
  orgRepo.collaborators.set("bob", "maintain");
  const inst = (app: App, acc: Account): Actor => {
    const installation: Installation = {
      id: world.id(),
      appId: app.id,
      account: acc,
      repositorySelection: "all",
      repositoryIds: [],
      permissions: { contents: "write" },
      suspended: false,
    };
    world.installations.set(installation.id, installation);
    return { kind: "installation", app, installation, permissions: { contents: "write" }, repositoryIds: "all" };
  };
  const user = (u: Account): Actor => ({ kind: "user", user: u, scopes: ["repo"] });
  return {
    world,
    alice,
    bob,
    carol,
    org,
    userRepo,
    orgRepo,
    releaserAt: (acc: Account) => inst(releaser, acc),
    actionsAt: (acc: Account) => inst(actions, acc),
    releaser,
    user,
  };
}

function ruleset(world: World, source: Repository | Account, partial: Partial<Ruleset> & { rules: Rule[] }): Ruleset {
  const rs: Ruleset = {
    id: world.id(),
    name: partial.name ?? "rs",
    target: partial.target ?? "branch",
    source_type: "owner" in source ? "Repository" : "Organization",
    source: "owner" in source ? `${source.owner.login}/${source.name}` : source.login,
    enforcement: partial.enforcement ?? "active",
    conditions: partial.conditions ?? { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: partial.rules,
    bypass_actors: partial.bypass_actors ?? [],
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
  if ("owner" in source) source.rulesets.push(rs);
  else {
    const list = world.orgRulesets.get(source.login.toLowerCase()) ?? [];
    list.push(rs);
    world.orgRulesets.set(source.login.toLowerCase(), list);
  }
  return rs;
}

const A = "a".repeat(40);
const B = "b".repeat(40);
const C = "c".repeat(40);
const commit = (sha: string, extra: Partial<RefUpdate["commits"][number]> = {}) => ({
  sha,
  message: "chore(release): 1.0.0 [skip ci]",
  authorEmail: "1+releaser[bot]@users.noreply.github.com",
  committerEmail: "1+releaser[bot]@users.noreply.github.com",
  parents: 1,
  ...extra,
});
const push = (ref: string, oldSha: string, newSha: string, commits = [commit(newSha)], forced = false): RefUpdate => ({ ref, oldSha, newSha, commits, forced });

describe("rulesetsForRef", () => {
  it("matches ~DEFAULT_BRANCH, ~ALL and full-ref patterns, with excludes; a bare name matches nothing", () => {
    const t = makeWorld();
    const def = ruleset(t.world, t.userRepo, { rules: [{ type: "deletion" }] });
    const all = ruleset(t.world, t.userRepo, { rules: [{ type: "deletion" }], conditions: { ref_name: { include: ["~ALL"], exclude: ["refs/heads/dev/**/*"] } } });
    const rel = ruleset(t.world, t.userRepo, { rules: [{ type: "deletion" }], conditions: { ref_name: { include: ["refs/heads/release/*"], exclude: [] } } });
    const short = ruleset(t.world, t.userRepo, { rules: [{ type: "deletion" }], conditions: { ref_name: { include: ["release/*"], exclude: [] } } });
    const tags = ruleset(t.world, t.userRepo, { target: "tag", rules: [{ type: "creation" }], conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } } });
    const off = ruleset(t.world, t.userRepo, { enforcement: "disabled", rules: [{ type: "update" }] });
    const none = ruleset(t.world, t.userRepo, { rules: [{ type: "update" }], conditions: {} });
    const ids = (ref: string, o?: { includeInactive?: boolean }) => rulesetsForRef(t.world, t.userRepo, ref, o).map((r) => r.id);
    assert.deepEqual(ids("refs/heads/main"), [def.id, all.id]);
    assert.deepEqual(ids("refs/heads/main", { includeInactive: true }), [def.id, all.id, off.id]);
    assert.deepEqual(ids("refs/heads/release/1.x"), [all.id, rel.id]); // docs/github.md §1.4: patterns are full refs
    assert.ok(!ids("refs/heads/release/1.x").includes(short.id));
    assert.deepEqual(ids("refs/heads/release/1.x/extra"), [all.id]); // FNM_PATHNAME: * stops at /
    assert.deepEqual(ids("refs/heads/dev/a/b"), []);
    assert.deepEqual(ids("refs/tags/v1.0.0"), [tags.id]);
    assert.deepEqual(ids("refs/tags/x1"), []);
    assert.ok(!ids("refs/heads/main").includes(none.id));
  });

  it("adds organization rulesets filtered by repository_name", () => {
    const t = makeWorld();
    const orgAll = ruleset(t.world, t.org, { rules: [{ type: "pull_request" }], conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] }, repository_name: { include: ["~ALL"], exclude: [] } } });
    const orgOther = ruleset(t.world, t.org, { rules: [{ type: "pull_request" }], conditions: { ref_name: { include: ["~ALL"], exclude: [] }, repository_name: { include: ["t*"], exclude: ["tool"] } } });
    const own = ruleset(t.world, t.orgRepo, { rules: [{ type: "deletion" }] });
    assert.deepEqual(rulesetsForRef(t.world, t.orgRepo, "refs/heads/main").map((r) => r.id), [own.id, orgAll.id]);
    assert.deepEqual(rulesetsForRef(t.world, t.userRepo, "refs/heads/main"), []);
    void orgOther;
  });

  it("rulesForBranch lists the active rules with their source", () => {
    const t = makeWorld();
    const rs = ruleset(t.world, t.userRepo, { rules: [{ type: "pull_request", parameters: { required_approving_review_count: 1 } }, { type: "deletion" }] });
    ruleset(t.world, t.userRepo, { enforcement: "evaluate", rules: [{ type: "update" }] });
    assert.deepEqual(rulesForBranch(t.world, t.userRepo, "main"), [
      { type: "pull_request", parameters: { required_approving_review_count: 1 }, ruleset_source_type: "Repository", ruleset_source: "alice/lib", ruleset_id: rs.id },
      { type: "deletion", ruleset_source_type: "Repository", ruleset_source: "alice/lib", ruleset_id: rs.id },
    ]);
    assert.deepEqual(rulesForBranch(t.world, t.userRepo, "feature"), []);
  });
});

describe("currentUserCanBypass", () => {
  const bypass = (actor_type: BypassActor["actor_type"], actor_id: number | null, bypass_mode: BypassActor["bypass_mode"] = "always"): BypassActor => ({ actor_type, actor_id, bypass_mode });

  it("Integration matches the App ID, not the installation id", () => {
    const t = makeWorld();
    const app = t.releaserAt(t.alice);
    assert.equal(app.kind, "installation");
    const byApp = ruleset(t.world, t.userRepo, { rules: [{ type: "pull_request" }], bypass_actors: [bypass("Integration", t.releaser.id)] });
    const byInst = ruleset(t.world, t.userRepo, { rules: [{ type: "pull_request" }], bypass_actors: [bypass("Integration", app.kind === "installation" ? app.installation.id : 0)] });
    assert.equal(currentUserCanBypass(t.world, t.userRepo, byApp, app), "always");
    assert.equal(currentUserCanBypass(t.world, t.userRepo, byInst, app), "never");
  });

  it("maps bypass modes and picks the strongest entry", () => {
    const t = makeWorld();
    const app = t.releaserAt(t.alice);
    const mk = (modes: BypassActor["bypass_mode"][]) =>
      ruleset(t.world, t.userRepo, { rules: [], bypass_actors: modes.map((m) => bypass("Integration", t.releaser.id, m)) });
    assert.equal(currentUserCanBypass(t.world, t.userRepo, mk(["pull_request"]), app), "pull_requests_only");
    assert.equal(currentUserCanBypass(t.world, t.userRepo, mk(["exempt"]), app), "exempt");
    assert.equal(currentUserCanBypass(t.world, t.userRepo, mk(["pull_request", "always"]), app), "always");
  });

  it("RepositoryRole, OrganizationAdmin and User", () => {
    const t = makeWorld();
    const write = ruleset(t.world, t.userRepo, { rules: [], bypass_actors: [bypass("RepositoryRole", 4)] });
    const admin = ruleset(t.world, t.userRepo, { rules: [], bypass_actors: [bypass("RepositoryRole", 5)] });
    const orgAdmin = ruleset(t.world, t.userRepo, { rules: [], bypass_actors: [bypass("OrganizationAdmin", 1)] });
    const userBob = ruleset(t.world, t.userRepo, { rules: [], bypass_actors: [bypass("User", t.bob.id)] });
    assert.equal(currentUserCanBypass(t.world, t.userRepo, write, t.user(t.bob)), "always");
    assert.equal(currentUserCanBypass(t.world, t.userRepo, write, t.user(t.alice)), "never");
    assert.equal(currentUserCanBypass(t.world, t.userRepo, admin, t.user(t.alice)), "always"); // owner of a user repo = admin
    assert.equal(currentUserCanBypass(t.world, t.userRepo, admin, t.releaserAt(t.alice)), "never"); // installations have no role
    assert.equal(currentUserCanBypass(t.world, t.userRepo, orgAdmin, t.user(t.alice)), "never"); // not for personal repos
    assert.equal(currentUserCanBypass(t.world, t.userRepo, userBob, t.user(t.bob)), "always");
    const orgRs = ruleset(t.world, t.orgRepo, { rules: [], bypass_actors: [bypass("OrganizationAdmin", 1), bypass("RepositoryRole", 2, "pull_request")] });
    assert.equal(currentUserCanBypass(t.world, t.orgRepo, orgRs, t.user(t.carol)), "always");
    assert.equal(currentUserCanBypass(t.world, t.orgRepo, orgRs, t.user(t.bob)), "pull_requests_only");
  });

  it("the GitHub Actions integration cannot be stored on a user-owned repo and never bypasses there", () => {
    const t = makeWorld();
    const entry = [bypass("Integration", GITHUB_ACTIONS_APP_ID)];
    assert.equal(validateBypassActors(t.world, t.userRepo, entry), "Actor GitHub Actions integration must be part of the ruleset source or owner organization");
    assert.equal(validateBypassActors(t.world, t.orgRepo, entry), undefined);
    assert.equal(validateBypassActors(t.world, "acme", entry), undefined);
    assert.equal(validateBypassActors(t.world, t.userRepo, [bypass("Integration", t.releaser.id)]), undefined);
    const rs = ruleset(t.world, t.userRepo, { rules: [], bypass_actors: entry });
    assert.equal(currentUserCanBypass(t.world, t.userRepo, rs, t.actionsAt(t.alice)), "never");
  });
});

describe("judgeRefUpdates", () => {
  it("GH013 for a pull_request rule, with GitHub's lines", () => {
    const t = makeWorld();
    ruleset(t.world, t.userRepo, { rules: [{ type: "pull_request" }], bypass_actors: [{ actor_type: "Integration", actor_id: t.releaser.id, bypass_mode: "always" }] });
    const j = judgeRefUpdates(t.world, t.userRepo, t.actionsAt(t.alice), [push("refs/heads/main", A, B)], { via: "git", origin: "http://127.0.0.1:1" });
    assert.equal(j.accepted, false);
    assert.deepEqual(j.perRef, [{ ref: "refs/heads/main", accepted: false, violations: ["Changes must be made through a pull request."], bypassed: [], code: "GH013" }]);
    assert.equal(
      j.remoteText,
      [
        "error: GH013: Repository rule violations found for refs/heads/main.",
        "Review all repository rules at http://127.0.0.1:1/alice/lib/rules?ref=refs%2Fheads%2Fmain",
        "",
        "- Changes must be made through a pull request.",
        "",
      ].join("\n"),
    );
    assert.equal(apiRejectionMessage(j), "Repository rule violations found\n\nChanges must be made through a pull request.\n\n");
    assert.deepEqual(t.world.pushes, [
      { actor: "installation:github-actions[bot]", via: "git", updates: [{ ref: "refs/heads/main", oldSha: A, newSha: B }], accepted: false, message: j.remoteText },
    ]);
  });

  it("a bypassing App gets the notice; pull_request mode does not cover a push; exempt is silent", () => {
    const t = makeWorld();
    const rs = ruleset(t.world, t.userRepo, {
      rules: [{ type: "pull_request" }, { type: "required_status_checks", parameters: { required_status_checks: [{ context: "test" }], strict_required_status_checks_policy: false } }],
      bypass_actors: [{ actor_type: "Integration", actor_id: t.releaser.id, bypass_mode: "always" }],
    });
    const app = t.releaserAt(t.alice);
    const ok = judgeRefUpdates(t.world, t.userRepo, app, [push("refs/heads/main", A, B)], { via: "git" });
    assert.equal(ok.accepted, true);
    assert.equal(
      ok.remoteText,
      ["Bypassed rule violations for refs/heads/main:", "", "- Changes must be made through a pull request.", "", '- Required status check "test" is expected.', ""].join("\n"),
    );
    rs.bypass_actors[0].bypass_mode = "pull_request";
    assert.equal(judgeRefUpdates(t.world, t.userRepo, app, [push("refs/heads/main", A, B)], { via: "git" }).accepted, false);
    rs.bypass_actors[0].bypass_mode = "exempt";
    const ex = judgeRefUpdates(t.world, t.userRepo, app, [push("refs/heads/main", A, B)], { via: "git" });
    assert.deepEqual([ex.accepted, ex.remoteText], [true, ""]);
  });

  it("an org ruleset without the App on its list still blocks (bypass is per ruleset)", () => {
    const t = makeWorld();
    const app = t.releaserAt(t.org);
    ruleset(t.world, t.orgRepo, { rules: [{ type: "pull_request" }], bypass_actors: [{ actor_type: "Integration", actor_id: t.releaser.id, bypass_mode: "always" }] });
    ruleset(t.world, t.org, {
      rules: [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "a" }, { context: "b" }] } }],
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] }, repository_name: { include: ["~ALL"], exclude: [] } },
    });
    const j = judgeRefUpdates(t.world, t.orgRepo, app, [push("refs/heads/main", A, B)], { via: "git" });
    assert.deepEqual(j.perRef[0].violations, ["2 of 2 required status checks are expected."]);
    assert.deepEqual(j.perRef[0].bypassed, ["Changes must be made through a pull request."]);
    assert.doesNotMatch(j.remoteText, /Bypassed/);
  });

  it("creation / update / deletion / non_fast_forward / signatures / linear history / metadata", () => {
    const t = makeWorld();
    const actor = t.user(t.bob);
    ruleset(t.world, t.userRepo, { target: "tag", rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }, { type: "non_fast_forward" }], conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } } });
    ruleset(t.world, t.userRepo, {
      rules: [
        { type: "non_fast_forward" },
        { type: "required_signatures" },
        { type: "required_linear_history" },
        { type: "commit_message_pattern", parameters: { operator: "starts_with", pattern: "feat", negate: false } },
        { type: "committer_email_pattern", parameters: { operator: "ends_with", pattern: "@example.com", negate: true } },
      ],
    });
    t.userRepo.verifiedCommits.add(C);
    const v = (u: RefUpdate) => judgeRefUpdates(t.world, t.userRepo, actor, [u], { via: "git" }).perRef[0].violations;
    assert.deepEqual(v(push("refs/tags/v1.0.0", ZERO_SHA, B, [])), ["Cannot create ref due to creations being restricted."]);
    assert.deepEqual(v(push("refs/tags/v1.0.0", A, B, [], true)), ["Cannot update this protected ref.", "Cannot force-push to this tag"]);
    assert.deepEqual(v(push("refs/tags/v1.0.0", A, ZERO_SHA, [])), ["Cannot delete this tag."]);
    assert.deepEqual(v(push("refs/tags/other", ZERO_SHA, B, [])), []);
    assert.deepEqual(v(push("refs/heads/main", A, C, [commit(C, { message: "feat: x" })])), []);
    assert.deepEqual(v(push("refs/heads/main", A, B, [commit(B, { parents: 2, message: "feat: y", committerEmail: "x@example.com" }), commit(C, { message: "fix" })], true)), [
      "Cannot force-push to this branch",
      `Commits must have verified signatures.\n  Found 1 violation:\n\n  ${B}`,
      "This branch must not contain merge commits.",
      'Commit message must start with "feat".',
      'Committer email must not end with "@example.com".',
    ]);
  });

  it("per-ref outcome: the tag is judged apart from the branch", () => {
    const t = makeWorld();
    ruleset(t.world, t.userRepo, { target: "tag", rules: [{ type: "creation" }], conditions: { ref_name: { include: ["~ALL"], exclude: [] } } });
    const j = judgeRefUpdates(t.world, t.userRepo, t.user(t.bob), [push("refs/heads/main", A, B), push("refs/tags/v1.0.0", ZERO_SHA, B, [])], { via: "git" });
    assert.equal(j.accepted, false);
    assert.deepEqual(j.perRef.map((v) => [v.ref, v.accepted]), [["refs/heads/main", true], ["refs/tags/v1.0.0", false]]);
    assert.match(j.remoteText, /^error: GH013: Repository rule violations found for refs\/tags\/v1\.0\.0\.\nReview all repository rules at https:\/\/github\.com\/alice\/lib\/rules\?ref=refs%2Ftags%2Fv1\.0\.0\n\n- Cannot create ref due to creations being restricted\.\n$/);
  });

  it("GH006 for classic protection; admins skip it unless enforce_admins; org allowances by app slug", () => {
    const t = makeWorld();
    t.userRepo.protection.set("main", {
      required_pull_request_reviews: { required_approving_review_count: 1 },
      required_status_checks: { strict: false, contexts: ["Build"] },
      enforce_admins: false,
      required_signatures: false,
      allow_force_pushes: false,
    });
    const j = judgeRefUpdates(t.world, t.userRepo, t.releaserAt(t.alice), [push("refs/heads/main", A, B)], { via: "git" });
    assert.deepEqual(j.perRef[0], {
      ref: "refs/heads/main",
      accepted: false,
      violations: ['Changes must be made through a pull request. Required status check "Build" is expected.'],
      bypassed: [],
      code: "GH006",
    });
    assert.equal(j.remoteText, 'error: GH006: Protected branch update failed for refs/heads/main.\nerror: Changes must be made through a pull request. Required status check "Build" is expected.');
    assert.equal(judgeRefUpdates(t.world, t.userRepo, t.user(t.alice), [push("refs/heads/main", A, B)], { via: "git" }).accepted, true);
    t.userRepo.protection.get("main")!.enforce_admins = true;
    assert.equal(judgeRefUpdates(t.world, t.userRepo, t.user(t.alice), [push("refs/heads/main", A, B)], { via: "git" }).accepted, false);
    assert.equal(judgeRefUpdates(t.world, t.userRepo, t.user(t.bob), [push("refs/heads/feature", A, B)], { via: "git" }).accepted, true);

    const p = { required_pull_request_reviews: { required_approving_review_count: 1, bypass_pull_request_allowances: { users: [], teams: [], apps: ["releaser"] } }, restrictions: { users: ["carol"], teams: [], apps: ["releaser"] }, enforce_admins: true, required_signatures: false, allow_force_pushes: false };
    t.orgRepo.protection.set("main", p);
    assert.equal(judgeRefUpdates(t.world, t.orgRepo, t.releaserAt(t.org), [push("refs/heads/main", A, B)], { via: "git" }).accepted, true);
    const bob = judgeRefUpdates(t.world, t.orgRepo, t.user(t.bob), [push("refs/heads/main", A, B)], { via: "git" });
    assert.match(bob.perRef[0].violations[0], /^You're not authorized to push to this branch/);
    assert.deepEqual(judgeRefUpdates(t.world, t.orgRepo, t.releaserAt(t.org), [push("refs/heads/main", A, B, [commit(B)], true)], { via: "git" }).perRef[0].violations, [
      "Cannot force-push to a protected branch.",
    ]);
  });
});
