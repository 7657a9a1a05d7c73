// The preflight against the local GitHub stand-in: real requests, rulesets computed by the stand-in's
// rules engine, current_user_can_bypass for the token's own actor. The facts are read once
// (readPreflightFacts), then judged as the release session does: in verifyConditions, and again with
// the exact tag and commit (no request).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startStandIn, type StandIn, type App, type Installation, type Repository } from "github-stand-in";
import { ReleaseOctokit, toOctokitOptions } from "../lib/octokit.js";
import { READ_CONCURRENCY } from "../lib/definitions/retry.js";
import {
  judgePreflight,
  newProblems,
  readPreflightFacts,
  readSignatureRules,
  resolveCommitMode,
  signaturesRequired,
  type CommitFacts,
  type PreflightFacts,
  type PreflightVerdict,
} from "../lib/preflight/index.js";
import type { AuthMethod } from "../lib/types.js";
import type { Permissions } from "../lib/types.js";

let standIn: StandIn;
let counter = 0;

before(async () => {
  standIn = await startStandIn();
});
after(async () => {
  await standIn.close();
});

/** fetch that counts requests in flight, to see the preflight's parallelism */
function countingFetch() {
  const stats = { inFlight: 0, max: 0, total: 0, paths: [] as string[] };
  const fetchImpl: typeof fetch = async (input, init) => {
    stats.inFlight++;
    stats.total++;
    stats.max = Math.max(stats.max, stats.inFlight);
    stats.paths.push(new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url).pathname);
    try {
      return await fetch(input, init);
    } finally {
      stats.inFlight--;
    }
  };
  return { stats, fetchImpl };
}

interface PreflightOptions {
  octokit: InstanceType<typeof ReleaseOctokit>;
  owner: string;
  repo: string;
  branch: string;
  githubUrl: string;
  actor: string;
  method: AuthMethod;
  /** as configured: "auto" is settled as the session does (signaturesRequired → resolveCommitMode) */
  commitMode: "auto" | "git" | "api";
  tokenPermissions: Permissions | undefined;
  appSlug: string | undefined;
  appId: number | undefined;
  tag?: string;
  updatesBranch?: boolean;
}

type Judged = PreflightVerdict & { facts: PreflightFacts; options: PreflightOptions; commitMode: "git" | "api"; signaturesRequired: boolean };

function judge(options: PreflightOptions, facts: PreflightFacts, known: { tag?: string | undefined; commit?: CommitFacts }): Judged {
  const updatesBranch = options.updatesBranch !== false;
  const required = signaturesRequired({ facts, tag: known.tag, updatesBranch });
  const commitMode = resolveCommitMode({ configured: options.commitMode, signaturesRequired: required });
  const { octokit: _octokit, tag: _tag, commitMode: _configured, updatesBranch: _updates, ...who } = options;
  const verdict = judgePreflight({ ...who, facts, commitMode, updatesBranch, tag: known.tag, commit: known.commit });
  return { ...verdict, facts, options, commitMode, signaturesRequired: required };
}

/** verifyConditions: read the facts (all the requests), then judge */
async function runPreflight(options: PreflightOptions): Promise<Judged> {
  const { octokit, owner, repo, branch, tokenPermissions } = options;
  const facts = await readPreflightFacts({ octokit, owner, repo, branch, tokenPermissions, updatesBranch: options.updatesBranch !== false });
  return judge(options, facts, { tag: options.tag });
}

/** verifyRelease: judge the same facts again with the exact tag and commit */
function finishPreflight(conditions: Judged, known: { tag: string; commit?: CommitFacts }): Judged {
  return judge(conditions.options, conditions.facts, known);
}

interface Fixture {
  repo: Repository;
  app: App;
  installation: Installation;
  owner: string;
  name: string;
  octokit: InstanceType<typeof ReleaseOctokit>;
  stats: ReturnType<typeof countingFetch>["stats"];
  options: PreflightOptions;
}

async function fixture(opts: { org?: string; appPermissions?: Permissions; tokenPermissions?: Permissions } = {}): Promise<Fixture> {
  const n = ++counter;
  const owner = opts.org ?? `user${n}`;
  if (opts.org && !standIn.account(opts.org)) standIn.createOrg(opts.org, { [`${opts.org}-owner`]: "admin" });
  const name = `repo${n}`;
  const repo = await standIn.createRepo(owner, name);
  const { app } = standIn.createApp({ slug: `release-bot-${n}`, permissions: opts.appPermissions ?? { contents: "write" } });
  const installation = standIn.installApp(app, owner, { repositories: [name] });
  const record = standIn.mintInstallationToken(installation, opts.tokenPermissions ? { permissions: opts.tokenPermissions } : {});
  const { stats, fetchImpl } = countingFetch();
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: record.token, request: { fetch: fetchImpl } }));
  const options: PreflightOptions = {
    octokit,
    owner,
    repo: name,
    branch: "main",
    githubUrl: standIn.origin,
    actor: `${app.slug}[bot]`,
    method: "app",
    commitMode: "git",
    tokenPermissions: { metadata: "read", ...(opts.tokenPermissions ?? opts.appPermissions ?? { contents: "write" }) },
    appSlug: app.slug,
    appId: app.id,
  };
  return { repo, app, installation, owner, name, octokit, stats, options };
}

const protectMain = (bypass?: { appId: number; mode: "always" | "pull_request" | "exempt" }) => ({
  name: "protect main",
  target: "branch" as const,
  rules: [{ type: "pull_request" }, { type: "required_status_checks", parameters: { required_status_checks: [{ context: "test" }], strict_required_status_checks_policy: false } }, { type: "deletion" }],
  bypass_actors: bypass ? [{ actor_id: bypass.appId, actor_type: "Integration" as const, bypass_mode: bypass.mode }] : [],
});

describe("preflight against the stand-in", () => {
  it("App on the bypass list with Always allow → can push (bypassed)", async () => {
    const f = await fixture();
    const ruleset = standIn.addRuleset(f.repo, protectMain({ appId: f.app.id, mode: "always" }));
    const result = await runPreflight(f.options);
    assert.deepEqual(result.errors, []);
    assert.equal(result.branchRulesets.length, 1);
    const [v] = result.branchRulesets;
    assert.equal(v!.verdict, "bypassed");
    assert.equal(v!.bypass, "always");
    assert.deepEqual(v!.blockingRules, ["pull_request", "required_status_checks"]);
    assert.equal(v!.settingsUrl, `${standIn.origin}/${f.owner}/${f.name}/settings/rules/${ruleset.id}`);
  });

  it("App not on the bypass list → ERULESETBLOCKED naming the ruleset, its source, the rules, the actor and the settings page", async () => {
    const f = await fixture();
    const ruleset = standIn.addRuleset(f.repo, protectMain());
    const result = await runPreflight(f.options);
    assert.equal(result.errors.length, 1);
    const [error] = result.errors;
    assert.equal(error!.code, "ERULESETBLOCKED");
    assert.match(error!.message, /"protect main"/);
    assert.match(error!.message, new RegExp(`repository ${f.owner}/${f.name}`));
    assert.match(error!.message, /pull_request, required_status_checks/);
    assert.ok(error!.message.includes(`${f.app.slug}[bot]`));
    assert.ok(error!.details!.includes(`${standIn.origin}/${f.owner}/${f.name}/settings/rules/${ruleset.id}`));
    assert.ok(error!.details!.includes(`add the GitHub App \`${f.app.slug}\``));
    assert.ok(error!.details!.includes('"Always allow"'));
    assert.ok(error!.details!.endsWith("README.md#erulesetblocked."));
    assert.equal(error!.semanticRelease, true);
  });

  it("two blocking rulesets → two errors", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, protectMain());
    standIn.addRuleset(f.repo, { name: "no updates", target: "branch", rules: [{ type: "update" }] });
    const result = await runPreflight(f.options);
    assert.deepEqual(result.errors.map((e) => e.code), ["ERULESETBLOCKED", "ERULESETBLOCKED"]);
    assert.deepEqual(result.errors.map((e) => e.message.match(/"([^"]+)"/)![1]).sort(), ["no updates", "protect main"]);
  });

  it("bypass mode pull_request → EBYPASSPULLREQUESTONLY", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, protectMain({ appId: f.app.id, mode: "pull_request" }));
    const result = await runPreflight(f.options);
    assert.deepEqual(result.errors.map((e) => e.code), ["EBYPASSPULLREQUESTONLY"]);
    assert.equal(result.branchRulesets[0]!.bypass, "pull_requests_only");
    assert.match(result.errors[0]!.details!, /"For pull requests only" to "Always allow"/);
  });

  it("bypass mode exempt → exempt, no error", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, protectMain({ appId: f.app.id, mode: "exempt" }));
    const result = await runPreflight(f.options);
    assert.deepEqual(result.errors, []);
    assert.equal(result.branchRulesets[0]!.verdict, "exempt");
  });

  it("organization ruleset → the error names the organization and its settings page", async () => {
    const f = await fixture({ org: "acme-corp" });
    const ruleset = standIn.addRuleset("acme-corp", { name: "org policy", target: "branch", rules: [{ type: "pull_request" }] });
    const result = await runPreflight(f.options);
    const errors = result.errors.filter((e) => e.message.includes("org policy"));
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /organization acme-corp/);
    assert.ok(errors[0]!.details!.includes(`${standIn.origin}/organizations/acme-corp/settings/rules/${ruleset.id}`));
    assert.match(errors[0]!.details!, /owner of the organization `acme-corp`/);
    assert.equal(result.branchRulesets.find((v) => v.id === ruleset.id)!.source_type, "Organization");
  });

  it("evaluate-mode and disabled rulesets are ignored", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, { ...protectMain(), name: "trial", enforcement: "evaluate" });
    standIn.addRuleset(f.repo, { ...protectMain(), name: "off", enforcement: "disabled" });
    standIn.addRuleset(f.repo, { name: "trial tags", target: "tag", enforcement: "evaluate", rules: [{ type: "creation" }] });
    const result = await runPreflight({ ...f.options, tag: "v1.0.0" });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.tagRulesets, []);
  });

  it("tag ruleset with creation on refs/tags/v* → undecided in verifyConditions, blocks v1.0.0, not release-1", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, { name: "release tags", target: "tag", conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } }, rules: [{ type: "creation" }] });
    const conditions = await runPreflight(f.options);
    assert.deepEqual(conditions.errors, []);
    assert.deepEqual(conditions.undecidedTagRulesets.map((u) => u.name), ["release tags"]);

    const requestsBefore = f.stats.total;
    const v1 = finishPreflight(conditions, { tag: "v1.0.0" });
    assert.equal(f.stats.total, requestsBefore, "finishPreflight makes no request");
    assert.deepEqual(v1.errors.map((e) => e.code), ["ERULESETBLOCKED"]);
    assert.match(v1.errors[0]!.message, /refs\/tags\/v1\.0\.0/);
    assert.match(v1.errors[0]!.message, /creation/);
    assert.deepEqual(newProblems(conditions, v1).errors.map((e) => e.code), ["ERULESETBLOCKED"]);

    const other = finishPreflight(conditions, { tag: "release-1" });
    assert.deepEqual(other.errors, []);
    assert.deepEqual(other.tagRulesets, []);
  });

  it("tag ruleset on ~ALL is judged in verifyConditions already", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, { name: "all tags", target: "tag", conditions: { ref_name: { include: ["~ALL"], exclude: [] } }, rules: [{ type: "creation" }] });
    const conditions = await runPreflight(f.options);
    assert.deepEqual(conditions.errors.map((e) => e.code), ["ERULESETBLOCKED"]);
    const release = finishPreflight(conditions, { tag: "v2.0.0" });
    assert.deepEqual(newProblems(conditions, release).errors, [], "not reported twice");
    assert.equal(release.errors.length, 1);
  });

  it("tag ruleset bypassed by the App", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, {
      name: "release tags",
      target: "tag",
      conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
      rules: [{ type: "creation" }, { type: "update" }],
      bypass_actors: [{ actor_id: f.app.id, actor_type: "Integration", bypass_mode: "always" }],
    });
    const result = finishPreflight(await runPreflight(f.options), { tag: "v1.0.0" });
    assert.deepEqual(result.errors, []);
    assert.equal(result.tagRulesets[0]!.verdict, "bypassed");
    assert.deepEqual(result.tagRulesets[0]!.blockingRules, ["creation"]);
  });

  it("github-token (github-actions[bot]) blocked by a ruleset → EGITHUBACTIONSBYPASS", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, protectMain());
    const token = standIn.actionsToken(f.repo);
    const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token }));
    const result = await runPreflight({ ...f.options, octokit, actor: "github-actions[bot]", method: "github-token", appSlug: undefined, appId: undefined, tokenPermissions: undefined });
    assert.deepEqual(result.errors.map((e) => e.code), ["EGITHUBACTIONSBYPASS"]);
    assert.match(result.errors[0]!.details!, /Actor GitHub Actions integration must be part of the ruleset source or owner organization/);
    assert.match(result.errors[0]!.details!, /#github-app-setup/);
  });

  it("required_signatures with commitMode auto → the API commit mode, not blocking", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, { name: "signed", target: "branch", rules: [{ type: "required_signatures" }] });
    const auto = await runPreflight({ ...f.options, commitMode: "auto" });
    assert.equal(auto.commitMode, "api");
    assert.equal(auto.signaturesRequired, true);
    assert.deepEqual(auto.errors, []);
    const git = await runPreflight({ ...f.options, commitMode: "git" });
    assert.deepEqual(git.errors.map((e) => e.code), ["ERULESETBLOCKED"]);
  });

  it("commit_message_pattern is judged in verifyRelease against the rendered message", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, { name: "conventional", target: "branch", rules: [{ type: "commit_message_pattern", parameters: { operator: "regex", pattern: "^(feat|fix|chore)(\\(.+\\))?: " } }] });
    const conditions = await runPreflight(f.options);
    assert.deepEqual(conditions.errors, []);
    assert.deepEqual(conditions.branchRulesets[0]!.pendingRules, ["commit_message_pattern"]);
    const identity = { authorEmail: "1+bot[bot]@users.noreply.github.com", committerEmail: "1+bot[bot]@users.noreply.github.com" };
    assert.deepEqual(finishPreflight(conditions, { tag: "v1.0.0", commit: { message: "chore(release): 1.0.0 [skip ci]", ...identity } }).errors, []);
    const bad = finishPreflight(conditions, { tag: "v1.0.0", commit: { message: "Release 1.0.0", ...identity } });
    assert.deepEqual(bad.errors.map((e) => e.code), ["ERULESETBLOCKED"]);
    assert.match(bad.errors[0]!.message, /commit_message_pattern/);
  });

  it("assets: false (no branch update) → branch rulesets do not apply", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, protectMain());
    const result = await runPreflight({ ...f.options, updatesBranch: false });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.branchRulesets, []);
  });
});

describe("the commit mode", () => {
  it("resolveCommitMode: auto follows required signatures; git and api stay as configured", () => {
    assert.equal(resolveCommitMode({ configured: "auto", signaturesRequired: true }), "api");
    assert.equal(resolveCommitMode({ configured: "auto", signaturesRequired: false }), "git");
    assert.equal(resolveCommitMode({ configured: "git", signaturesRequired: true }), "git");
    assert.equal(resolveCommitMode({ configured: "api", signaturesRequired: false }), "api");
  });

  it("readSignatureRules (preflight off): one request, true only for an active required_signatures rule on the branch", async () => {
    const f = await fixture();
    const read = () => readSignatureRules({ octokit: f.octokit, owner: f.owner, repo: f.name, branch: "main" });
    assert.equal(await read(), false);
    standIn.addRuleset(f.repo, { name: "trial", target: "branch", enforcement: "evaluate", rules: [{ type: "required_signatures" }] });
    standIn.addRuleset(f.repo, { name: "other branches", target: "branch", conditions: { ref_name: { include: ["refs/heads/dev"], exclude: [] } }, rules: [{ type: "required_signatures" }] });
    standIn.addRuleset(f.repo, protectMain());
    assert.equal(await read(), false);
    standIn.addRuleset(f.repo, { name: "signed", target: "branch", rules: [{ type: "required_signatures" }] });
    const before = f.stats.total;
    assert.equal(await read(), true);
    const paths = f.stats.paths.slice(before);
    assert.equal(paths.length, 1);
    assert.ok(paths[0]!.endsWith(`/repos/${f.owner}/${f.name}/rules/branches/main`), paths[0]);
  });

  it("a tag ruleset that requires signatures counts before the tag is known, then only when it targets the tag", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, { name: "signed tags", target: "tag", conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } }, rules: [{ type: "required_signatures" }] });
    const conditions = await runPreflight({ ...f.options, commitMode: "auto" });
    assert.deepEqual([conditions.signaturesRequired, conditions.commitMode], [true, "api"]);
    const v1 = finishPreflight(conditions, { tag: "v1.0.0" });
    assert.deepEqual([v1.signaturesRequired, v1.commitMode, v1.errors], [true, "api", []]);
    const other = finishPreflight(conditions, { tag: "release-1" });
    assert.deepEqual([other.signaturesRequired, other.commitMode], [false, "git"]);
  });

  it("assets: false: a branch rule requiring signatures does not choose the API (no commit is made)", async () => {
    const f = await fixture();
    standIn.addRuleset(f.repo, { name: "signed", target: "branch", rules: [{ type: "required_signatures" }] });
    const result = await runPreflight({ ...f.options, commitMode: "auto", updatesBranch: false });
    assert.deepEqual([result.signaturesRequired, result.commitMode, result.errors], [false, "git", []]);
    assert.ok(!f.stats.paths.some((p) => p.endsWith(`/repos/${f.owner}/${f.name}/branches/main`)), "the branch (classic protection) is not read");
  });
});

describe("classic branch protection", () => {
  const requireReviews = { required_pull_request_reviews: { required_approving_review_count: 1, bypass_pull_request_allowances: { users: [], teams: [], apps: [] } } };

  it("with Administration: read → EPROTECTEDBRANCH naming the setting", async () => {
    const f = await fixture({ appPermissions: { contents: "write", administration: "read" } });
    standIn.setProtection(f.repo, "main", requireReviews);
    const result = await runPreflight(f.options);
    assert.equal(result.classic.state, "read");
    assert.deepEqual(result.errors.map((e) => e.code), ["EPROTECTEDBRANCH"]);
    assert.match(result.errors[0]!.message, /pull requests are required/);
    assert.ok(result.errors[0]!.details!.includes(`${standIn.origin}/${f.owner}/${f.name}/settings/branches`));
  });

  it("App in the pull request bypass allowances (org repo) → passes", async () => {
    const f = await fixture({ org: "allow-org", appPermissions: { contents: "write", administration: "read" } });
    standIn.setProtection(f.repo, "main", {
      required_pull_request_reviews: { required_approving_review_count: 1, bypass_pull_request_allowances: { users: [], teams: [], apps: [f.app.slug] } },
    });
    const result = await runPreflight(f.options);
    assert.deepEqual(result.errors, []);
    assert.equal(result.classic.passed.length, 1);
  });

  it("required status checks block (no allow list)", async () => {
    const f = await fixture({ appPermissions: { contents: "write", administration: "read" } });
    standIn.setProtection(f.repo, "main", { required_status_checks: { strict: false, contexts: ["build"] } });
    const result = await runPreflight(f.options);
    assert.deepEqual(result.errors.map((e) => e.code), ["EPROTECTEDBRANCH"]);
    assert.match(result.errors[0]!.message, /"build"/);
  });

  it("without Administration: read → a warning naming the permission, and no protection request", async () => {
    const f = await fixture();
    standIn.setProtection(f.repo, "main", requireReviews);
    const result = await runPreflight(f.options);
    assert.deepEqual(result.errors, []);
    assert.equal(result.classic.state, "no-permission");
    assert.ok(result.warnings.some((w) => w.includes("Administration: read")));
    assert.ok(!f.stats.paths.some((p) => p.endsWith("/protection")));
    const release = finishPreflight(result, { tag: "v1.0.0" });
    assert.deepEqual(release.warnings, result.warnings, "judged again, the same warning");
    assert.deepEqual(newProblems(result, release), { errors: [], warnings: [] }, "not reported twice");
  });
});

describe("many rulesets", () => {
  it("60 rulesets: each fetched once, in parallel, at most READ_CONCURRENCY (50) requests in flight", async () => {
    const f = await fixture();
    for (let i = 0; i < 60; i++) {
      standIn.addRuleset(f.repo, { name: `ruleset ${i}`, target: "branch", rules: [{ type: "non_fast_forward" }], bypass_actors: [] });
    }
    standIn.setLatency(15);
    try {
      const result = await runPreflight(f.options);
      assert.equal(result.branchRulesets.length, 60);
      assert.deepEqual(result.errors, []);
    } finally {
      standIn.setLatency(0);
    }
    const details = f.stats.paths.filter((p) => /\/rulesets\/\d+$/.test(p));
    assert.equal(details.length, 60);
    assert.equal(new Set(details).size, 60, "no ruleset fetched twice");
    // rules of the branch (1 page), tag ruleset list, branch, 60 details
    assert.equal(f.stats.total, 63);
    assert.ok(f.stats.max <= READ_CONCURRENCY, `at most ${READ_CONCURRENCY} requests in flight, saw ${f.stats.max}`);
    assert.ok(f.stats.max >= 4, `requests run in parallel, saw ${f.stats.max}`);
  });
});
