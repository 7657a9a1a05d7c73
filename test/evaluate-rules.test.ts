import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  bypassStatus,
  evaluateRuleset,
  ruleOutcome,
  rulesetSettingsUrl,
  satisfiesPattern,
  type PushFacts,
  type RulesetDetails,
} from "../lib/preflight/evaluate-rules.js";

const branchPush: PushFacts = { ref: "refs/heads/main", creating: false, newCommit: true, commitMode: "git" };
const tagPush: PushFacts = { ref: "refs/tags/v1.0.0", creating: true, newCommit: true, commitMode: "git", tagName: "v1.0.0" };
const where = { githubUrl: "https://github.com", owner: "octo", repo: "app" };

function ruleset(overrides: Partial<RulesetDetails> = {}): RulesetDetails {
  return {
    id: 7,
    name: "protect main",
    target: "branch",
    source_type: "Repository",
    source: "octo/app",
    enforcement: "active",
    rules: [{ type: "pull_request" }],
    current_user_can_bypass: "never",
    ...overrides,
  };
}

describe("ruleOutcome: a fast-forward of one new commit to an existing branch (docs/github.md §2)", () => {
  const table: [string, "blocks" | "passes"][] = [
    ["pull_request", "blocks"],
    ["update", "blocks"],
    ["required_status_checks", "blocks"],
    ["merge_queue", "blocks"],
    ["required_deployments", "blocks"],
    ["workflows", "blocks"],
    ["code_scanning", "blocks"],
    ["required_signatures", "blocks"],
    ["creation", "passes"],
    ["deletion", "passes"],
    ["non_fast_forward", "passes"],
    ["required_linear_history", "passes"],
    ["copilot_code_review", "passes"],
    ["branch_name_pattern", "passes"],
    ["tag_name_pattern", "passes"],
    ["some_future_rule", "passes"],
  ];
  for (const [type, expected] of table) {
    it(`${type} → ${expected}`, () => assert.equal(ruleOutcome({ type }, branchPush), expected));
  }
  it("required_signatures passes when the commit is made through the API (signed by GitHub, §8)", () => {
    assert.equal(ruleOutcome({ type: "required_signatures" }, { ...branchPush, commitMode: "api" }), "passes");
  });
});

describe("ruleOutcome: a new tag", () => {
  const table: [string, Record<string, unknown> | undefined, "blocks" | "passes"][] = [
    ["creation", undefined, "blocks"],
    ["update", undefined, "passes"],
    ["deletion", undefined, "passes"],
    ["non_fast_forward", undefined, "passes"],
    ["required_signatures", undefined, "blocks"],
    ["required_status_checks", { do_not_enforce_on_create: false }, "blocks"],
    ["required_status_checks", { do_not_enforce_on_create: true }, "passes"],
    ["tag_name_pattern", { operator: "starts_with", pattern: "v" }, "passes"],
    ["tag_name_pattern", { operator: "starts_with", pattern: "release-" }, "blocks"],
    ["tag_name_pattern", { operator: "regex", pattern: "^v\\d+\\.\\d+\\.\\d+$" }, "passes"],
    ["tag_name_pattern", { operator: "contains", pattern: "-beta", negate: true }, "passes"],
    ["tag_name_pattern", { operator: "ends_with", pattern: ".0", negate: true }, "blocks"],
    ["branch_name_pattern", { operator: "starts_with", pattern: "x" }, "passes"],
  ];
  for (const [type, parameters, expected] of table) {
    it(`${type} ${JSON.stringify(parameters ?? {})} → ${expected}`, () => assert.equal(ruleOutcome({ type, parameters }, tagPush), expected));
  }
  it("tag_name_pattern waits for the tag name", () => {
    assert.equal(ruleOutcome({ type: "tag_name_pattern", parameters: { operator: "starts_with", pattern: "v" } }, { ...tagPush, tagName: undefined }), "pending");
  });
  it("required_signatures passes for a tag on a commit already on the branch (no new commit)", () => {
    assert.equal(ruleOutcome({ type: "required_signatures" }, { ...tagPush, newCommit: false }), "passes");
  });
});

describe("ruleOutcome: metadata rules against the actual commit", () => {
  const commit = { message: "chore(release): 1.0.0 [skip ci]\n\nnotes", authorEmail: "9+release-bot[bot]@users.noreply.github.com", committerEmail: "9+release-bot[bot]@users.noreply.github.com" };
  it("pending until the commit is known (verifyConditions)", () => {
    assert.equal(ruleOutcome({ type: "commit_message_pattern", parameters: { operator: "starts_with", pattern: "chore" } }, branchPush), "pending");
  });
  const table: [string, Record<string, unknown>, "git" | "api", "blocks" | "passes"][] = [
    ["commit_message_pattern", { operator: "starts_with", pattern: "chore(release)" }, "git", "passes"],
    ["commit_message_pattern", { operator: "regex", pattern: "^(feat|fix):" }, "git", "blocks"],
    ["commit_message_pattern", { operator: "contains", pattern: "[skip ci]", negate: true }, "git", "blocks"],
    ["commit_author_email_pattern", { operator: "ends_with", pattern: "@users.noreply.github.com" }, "git", "passes"],
    ["commit_author_email_pattern", { operator: "ends_with", pattern: "@example.com" }, "git", "blocks"],
    ["committer_email_pattern", { operator: "ends_with", pattern: "@users.noreply.github.com" }, "git", "passes"],
    // API commits are committed by GitHub <noreply@github.com> (docs/github.md §2)
    ["committer_email_pattern", { operator: "ends_with", pattern: "@users.noreply.github.com" }, "api", "blocks"],
    ["committer_email_pattern", { operator: "regex", pattern: "noreply@github\\.com$" }, "api", "passes"],
  ];
  for (const [type, parameters, commitMode, expected] of table) {
    it(`${type} ${JSON.stringify(parameters)} (${commitMode}) → ${expected}`, () =>
      assert.equal(ruleOutcome({ type, parameters }, { ...branchPush, commitMode, commit }), expected));
  }
});

describe("ruleOutcome: file rules", () => {
  const files = [{ path: "CHANGELOG.md", size: 2000 }, { path: "package.json", size: 900 }];
  it("not checked without the file list", () => {
    assert.equal(ruleOutcome({ type: "max_file_size", parameters: { max_file_size: 1 } }, branchPush), "unchecked");
  });
  const table: [string, Record<string, unknown>, "blocks" | "passes"][] = [
    ["file_path_restriction", { restricted_file_paths: ["*.md"] }, "blocks"],
    ["file_path_restriction", { restricted_file_paths: ["secrets/**/*"] }, "passes"],
    ["file_extension_restriction", { restricted_file_extensions: ["*.json"] }, "blocks"],
    ["file_extension_restriction", { restricted_file_extensions: [".exe"] }, "passes"],
    ["max_file_path_length", { max_file_path_length: 10 }, "blocks"],
    ["max_file_path_length", { max_file_path_length: 100 }, "passes"],
    ["max_file_size", { max_file_size: 1 }, "passes"],
  ];
  for (const [type, parameters, expected] of table) {
    it(`${type} ${JSON.stringify(parameters)} → ${expected}`, () => assert.equal(ruleOutcome({ type, parameters }, { ...branchPush, files }), expected));
  }
  it("max_file_size blocks a file over the limit (MB)", () => {
    assert.equal(ruleOutcome({ type: "max_file_size", parameters: { max_file_size: 1 } }, { ...branchPush, files: [{ path: "a.bin", size: 2 * 1024 * 1024 }] }), "blocks");
  });
});

describe("satisfiesPattern", () => {
  it("returns undefined for an unknown operator or a broken regex", () => {
    assert.equal(satisfiesPattern({ operator: "glob", pattern: "x" }, "x"), undefined);
    assert.equal(satisfiesPattern({ operator: "regex", pattern: "(" }, "x"), undefined);
  });
});

describe("evaluateRuleset", () => {
  it("blocked: blocking rules and current_user_can_bypass never", () => {
    const v = evaluateRuleset({ ruleset: ruleset({ rules: [{ type: "pull_request" }, { type: "required_status_checks" }, { type: "deletion" }] }), push: branchPush, where });
    assert.equal(v.verdict, "blocked");
    assert.deepEqual(v.blockingRules, ["pull_request", "required_status_checks"]);
    assert.equal(v.settingsUrl, "https://github.com/octo/app/settings/rules/7");
    assert.equal(v.ref, "refs/heads/main");
  });
  it("bypassed: always", () => assert.equal(evaluateRuleset({ ruleset: ruleset({ current_user_can_bypass: "always" }), push: branchPush, where }).verdict, "bypassed"));
  it("pr-only: pull_requests_only", () => assert.equal(evaluateRuleset({ ruleset: ruleset({ current_user_can_bypass: "pull_requests_only" }), push: branchPush, where }).verdict, "pr-only"));
  it("exempt", () => assert.equal(evaluateRuleset({ ruleset: ruleset({ current_user_can_bypass: "exempt" }), push: branchPush, where }).verdict, "exempt"));
  it("ok: nothing blocks, whatever the bypass", () => {
    const v = evaluateRuleset({ ruleset: ruleset({ rules: [{ type: "deletion" }, { type: "non_fast_forward" }] }), push: branchPush, where });
    assert.equal(v.verdict, "ok");
    assert.deepEqual(v.blockingRules, []);
  });
  for (const enforcement of ["evaluate", "disabled"]) {
    it(`${enforcement} rulesets enforce nothing`, () => {
      const v = evaluateRuleset({ ruleset: ruleset({ enforcement }), push: branchPush, where });
      assert.equal(v.verdict, "ok");
      assert.deepEqual(v.blockingRules, []);
    });
  }
  it("unknown: no current_user_can_bypass (older GHES) and no bypass list", () => {
    assert.equal(evaluateRuleset({ ruleset: ruleset({ current_user_can_bypass: undefined }), push: branchPush, where }).verdict, "unknown");
  });
  it("organization ruleset: settings page of the organization", () => {
    const v = evaluateRuleset({ ruleset: ruleset({ source_type: "Organization", source: "acme" }), push: branchPush, where });
    assert.equal(v.settingsUrl, "https://github.com/organizations/acme/settings/rules/7");
    assert.equal(v.source_type, "Organization");
  });
  it("pending rules do not block yet", () => {
    const v = evaluateRuleset({ ruleset: ruleset({ rules: [{ type: "commit_message_pattern", parameters: { operator: "starts_with", pattern: "feat" } }] }), push: branchPush, where });
    assert.equal(v.verdict, "ok");
    assert.deepEqual(v.pendingRules, ["commit_message_pattern"]);
  });
});

describe("bypassStatus without current_user_can_bypass (docs/github.md §12)", () => {
  const rs = (mode: string) => ruleset({ current_user_can_bypass: undefined, bypass_actors: [{ actor_id: 42, actor_type: "Integration", bypass_mode: mode }] });
  it("reads the App's entry from the bypass list", () => {
    assert.equal(bypassStatus(rs("always"), 42), "always");
    assert.equal(bypassStatus(rs("pull_request"), 42), "pull_requests_only");
    assert.equal(bypassStatus(rs("exempt"), 42), "exempt");
    assert.equal(bypassStatus(rs("always"), 43), "never");
    assert.equal(bypassStatus(rs("always")), "unknown");
  });
});

describe("rulesetSettingsUrl", () => {
  it("repository, organization, enterprise (githubUrl comes without trailing slash from lib/config)", () => {
    assert.equal(rulesetSettingsUrl({ githubUrl: "https://ghe.example.com", owner: "o", repo: "r", ruleset: { id: 1, source: "o/r", source_type: "Repository" } }), "https://ghe.example.com/o/r/settings/rules/1");
    assert.equal(rulesetSettingsUrl({ githubUrl: "https://github.com", owner: "o", repo: "r", ruleset: { id: 2, source: "org", source_type: "Organization" } }), "https://github.com/organizations/org/settings/rules/2");
    assert.equal(rulesetSettingsUrl({ githubUrl: "https://github.com", owner: "o", repo: "r", ruleset: { id: 3, source: "ent", source_type: "Enterprise" } }), "https://github.com/enterprises/ent/settings/rules/3");
  });
});
