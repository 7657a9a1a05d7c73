// The pull-request mode's preflight (lib/preflight/pull-request.ts), judged on the facts the preflight
// reads (rulesets as GET /repos/{o}/{r}/rulesets/{id} returns them): which mode "auto" takes and why,
// how the pull request will be merged, what it waits for, and what stops the mode before any push.
// Also the two options (pushMode, pullRequestTimeout) and the dry-run report's lines for the mode.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import AggregateError from "aggregate-error";
import { loadConfig } from "../lib/config/index.js";
import { judgePreflight, type PreflightFacts } from "../lib/preflight/index.js";
import { judgePullRequest, releaseBranchName, type PullRequestJudgeOptions } from "../lib/preflight/pull-request.js";
import { renderReport } from "../lib/preflight/report.js";
import type { RulesetDetails } from "../lib/preflight/evaluate-rules.js";

const where = { githubUrl: "https://github.com", owner: "acme", repo: "lib", appId: 7 };

function ruleset(id: number, rules: RulesetDetails["rules"], bypass = "never", include = ["~DEFAULT_BRANCH"]): RulesetDetails {
  return { id, name: `ruleset ${id}`, target: "branch", source_type: "Repository", source: "acme/lib", enforcement: "active", conditions: { ref_name: { include, exclude: [] } }, rules, current_user_can_bypass: bypass };
}

const protectMain = ruleset(1, [
  { type: "pull_request", parameters: { required_approving_review_count: 1, allowed_merge_methods: ["merge", "squash", "rebase"] } },
  { type: "required_status_checks", parameters: { required_status_checks: [{ context: "ci" }, { context: "lint" }], strict_required_status_checks_policy: false } },
]);

function facts(rulesets: RulesetDetails[]): PreflightFacts {
  return {
    branch: { rulesets, available: true },
    tag: { rulesets: [], unreadable: [], available: true },
    classic: { protected: rulesets.length > 0, classic: false, state: "not-protected" },
  } as unknown as PreflightFacts;
}

function direct(rulesets: RulesetDetails[]) {
  return judgePreflight({ facts: facts(rulesets), actor: "release-bot[bot]", method: "app", appSlug: "release-bot", ...where, branch: "main", commitMode: "git", updatesBranch: true });
}

function options(overrides: Partial<PullRequestJudgeOptions> & { rulesets?: RulesetDetails[] } = {}): PullRequestJudgeOptions {
  const rulesets = overrides.rulesets ?? [protectMain];
  return {
    pushMode: "auto",
    direct: direct(rulesets),
    base: { rulesets, available: true },
    classic: undefined,
    merge: { allowMergeCommit: true, allowRebaseMerge: true, allowSquashMerge: true, allowAutoMerge: false },
    releaseBranch: undefined,
    installationPermissions: { contents: "write", pull_requests: "write", metadata: "read" },
    method: "app",
    actor: "release-bot[bot]",
    appSlug: "release-bot",
    where,
    signaturesRequired: false,
    ...overrides,
  };
}

describe("pushMode auto: direct when the preflight allows it, else a pull request", () => {
  it("takes the pull request when a ruleset refuses the direct push, naming it", () => {
    const verdict = judgePullRequest(options());
    assert.equal(verdict.mode, "pull-request");
    assert.match(verdict.reason, /refused by "ruleset 1" \(pull_request, required_status_checks\)/);
    assert.deepEqual(verdict.errors, []);
  });

  it("pushes directly when the App bypasses every ruleset, or nothing applies", () => {
    const bypassed = judgePullRequest(options({ rulesets: [{ ...protectMain, current_user_can_bypass: "always" }] }));
    assert.equal(bypassed.mode, "direct");
    assert.match(bypassed.reason, /let release-bot\[bot\] push to the branch directly/);
    assert.equal(bypassed.plan, undefined);
    assert.equal(judgePullRequest(options({ rulesets: [] })).mode, "direct");
  });

  it("counts a bypass for pull requests only as a refusal of the direct push", () => {
    assert.equal(judgePullRequest(options({ rulesets: [{ ...protectMain, current_user_can_bypass: "pull_requests_only" }] })).mode, "pull-request");
  });

  it("follows pushMode as configured, and pushes directly in auto when the preflight is off", () => {
    assert.equal(judgePullRequest(options({ pushMode: "pull-request", rulesets: [] })).mode, "pull-request");
    assert.equal(judgePullRequest(options({ pushMode: "direct" })).mode, "direct");
    const off = judgePullRequest(options({ direct: undefined }));
    assert.equal(off.mode, "direct");
    assert.match(off.reason, /preflight is off/);
  });
});

describe("the merge plan", () => {
  it("lists the required reviews and status checks (rulesets and classic protection)", () => {
    const classic = { protected: true, classic: true, state: "read" as const, protection: { required_pull_request_reviews: { required_approving_review_count: 2 }, required_status_checks: { contexts: ["build"], checks: [{ context: "ci" }] } } };
    const plan = judgePullRequest(options({ classic })).plan!;
    assert.equal(plan.reviews, 2);
    assert.deepEqual(plan.requiredChecks.sort(), ["build", "ci", "lint"]);
  });

  it("enqueues under a merge_queue rule, with the queue's method", () => {
    const queue = ruleset(2, [{ type: "merge_queue", parameters: { merge_method: "SQUASH", check_response_timeout_minutes: 60 } }]);
    const plan = judgePullRequest(options({ rulesets: [protectMain, queue], merge: { allowMergeCommit: true, allowRebaseMerge: true, allowSquashMerge: true, allowAutoMerge: true } })).plan!;
    assert.deepEqual({ strategy: plan.strategy, method: plan.method }, { strategy: "merge-queue", method: "squash" });
  });

  it("enables auto-merge when the repository allows it, else merges through REST", () => {
    assert.equal(judgePullRequest(options({ merge: { allowMergeCommit: true, allowRebaseMerge: true, allowSquashMerge: true, allowAutoMerge: true } })).plan!.strategy, "auto-merge");
    assert.equal(judgePullRequest(options()).plan!.strategy, "merge");
  });

  it("prefers a merge commit (keeps the release commit), then rebase, then squash, as the repository and rules allow", () => {
    const method = (o: Partial<PullRequestJudgeOptions> & { rulesets?: RulesetDetails[] }) => judgePullRequest(options(o)).plan!.method;
    assert.equal(method({}), "merge");
    assert.equal(method({ merge: { allowMergeCommit: false, allowRebaseMerge: true, allowSquashMerge: true, allowAutoMerge: false } }), "rebase");
    assert.equal(method({ merge: { allowMergeCommit: false, allowRebaseMerge: false, allowSquashMerge: true, allowAutoMerge: false } }), "squash");
    const onlySquash = ruleset(1, [{ type: "pull_request", parameters: { required_approving_review_count: 0, allowed_merge_methods: ["squash"] } }]);
    assert.equal(method({ rulesets: [onlySquash] }), "squash");
    const linear = ruleset(3, [{ type: "required_linear_history" }]);
    assert.equal(method({ rulesets: [protectMain, linear] }), "rebase");
    // GitHub signs the squash commit it writes, not the App's own commit nor rebased ones
    assert.equal(method({ signaturesRequired: true }), "squash");
  });
});

describe("what stops the pull-request mode before anything is pushed", () => {
  it("an installation without Pull requests: write (EPULLREQUESTPERMISSION)", () => {
    const verdict = judgePullRequest(options({ installationPermissions: { contents: "write", metadata: "read" } }));
    assert.deepEqual(verdict.errors.map((e) => e.code), ["EPULLREQUESTPERMISSION"]);
    assert.match(verdict.errors[0]!.details!, /contents: write, metadata: read/);
    assert.match(verdict.errors[0]!.details!, /github\.com\/settings\/apps\/release-bot\/permissions/);
    // a token the release was given: its permissions are not known, nothing to judge
    assert.deepEqual(judgePullRequest(options({ method: "pat", installationPermissions: undefined })).errors, []);
  });

  it("a ruleset on the release branch that the App may not pass (ERELEASEBRANCHBLOCKED); one it bypasses is fine", () => {
    const name = releaseBranchName("v1.2.0");
    assert.equal(name, "semantic-release/v1.2.0");
    const everyBranch = ruleset(5, [{ type: "creation" }], "never", ["~ALL"]);
    const blocked = judgePullRequest(options({ releaseBranch: { name, rulesets: { rulesets: [everyBranch], available: true } } }));
    assert.deepEqual(blocked.errors.map((e) => e.code), ["ERELEASEBRANCHBLOCKED"]);
    assert.match(blocked.errors[0]!.message, /semantic-release\/v1\.2\.0 may not be created by release-bot\[bot\]: "ruleset 5" \(creation\)/);
    const bypassed = judgePullRequest(options({ releaseBranch: { name, rulesets: { rulesets: [{ ...everyBranch, current_user_can_bypass: "always" }], available: true } } }));
    assert.deepEqual(bypassed.errors, []);
  });

  it("the tag rules are still judged; the base's rules are not, in pull-request mode", () => {
    const verdict = judgePreflight({ facts: facts([protectMain]), actor: "release-bot[bot]", method: "app", ...where, branch: "main", commitMode: "git", updatesBranch: true, viaPullRequest: true });
    assert.deepEqual(verdict.errors, []);
    assert.deepEqual(verdict.branchRulesets, []);
    assert.equal(direct([protectMain]).errors.length, 1);
  });
});

describe("the options", () => {
  const load = (pluginConfig: Record<string, unknown>) =>
    loadConfig({ pluginConfig, env: { GITHUB_TOKEN: "x" }, options: { repositoryUrl: "https://github.com/acme/lib.git" }, branch: { name: "main" } });

  it("default to the direct mode and 30 minutes; ask for Pull requests: write (and Checks: read) only in the other modes", () => {
    const config = load({});
    assert.equal(config.pushMode, "direct");
    assert.equal(config.pullRequestTimeout, 1_800_000);
    assert.deepEqual(config.laterPluginPermissions, {});
    assert.deepEqual(load({ pushMode: "auto" }).laterPluginPermissions, { pull_requests: "write", checks: "read" });
    assert.deepEqual(load({ pushMode: "pull-request", pullRequestTimeout: 60_000 }).laterPluginPermissions, { pull_requests: "write", checks: "read" });
  });

  it("refuse a mode or a timeout they cannot take, every problem at once", () => {
    try {
      load({ pushMode: "pr", pullRequestTimeout: "30m" });
      assert.fail("loadConfig accepted them");
    } catch (error) {
      assert.ok(error instanceof AggregateError);
      const errors = (error as AggregateError).errors as unknown as { code: string; message: string }[];
      assert.deepEqual(errors.map((e) => e.code).sort(), ["EINVALIDPULLREQUESTTIMEOUT", "EINVALIDPUSHMODE"]);
      assert.match(errors.find((e) => e.code === "EINVALIDPUSHMODE")!.message, /'pr'/);
    }
    assert.throws(() => load({ pullRequestTimeout: 999 }), /pullRequestTimeout/);
    assert.throws(() => load({ pullRequestTimeout: 1.5e3 + 0.5 }), /pullRequestTimeout/);
  });
});

describe("the dry-run report", () => {
  it("names the mode, why, and how the pull request is merged", () => {
    const verdict = judgePullRequest(options({ merge: { allowMergeCommit: true, allowRebaseMerge: true, allowSquashMerge: true, allowAutoMerge: true } }));
    const report = renderReport({
      method: "app",
      actor: "release-bot[bot]",
      branch: "main",
      tag: "v1.2.0",
      updatesBranch: true,
      commitMode: "git",
      signaturesRequired: false,
      pushMode: { configured: "auto", mode: verdict.mode, reason: verdict.reason, plan: verdict.plan, releaseBranch: "semantic-release/v1.2.0" },
      verdict: judgePreflight({ facts: facts([protectMain]), actor: "release-bot[bot]", method: "app", ...where, branch: "main", commitMode: "git", updatesBranch: true, viaPullRequest: true }),
    });
    const flat = report.replace(/\n {16}/g, " ");
    assert.match(flat, /^Push mode +pull-request \(pushMode: auto\): a direct push by release-bot\[bot\] is refused by "ruleset 1"/m);
    assert.match(flat, /^Pull request +from semantic-release\/v1\.2\.0, auto-merge \(merge\); waits for 1 approving review \(a person must approve\) and checks ci, lint/m);
    assert.match(report, /not pushed to directly: the release commit reaches it through the pull request/);
    assert.match(report, /^Verdict: the release can be pushed as release-bot\[bot\] through a pull request/m);
  });
});
