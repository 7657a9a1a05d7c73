// The floating tags' pure parts (lib/preflight/floating-tags.ts): which tags a release moves, and the
// tag rulesets and immutable locks judged for moving them (docs/github.md §15.2).
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { describeFloatingTags, floatingTagNames, judgeFloatingTags, type FloatingTagState } from "../lib/preflight/floating-tags.js";
import type { RulesetDetails } from "../lib/preflight/evaluate-rules.js";
import type { TagRulesetFacts } from "../lib/preflight/tag.js";

const where = { githubUrl: "https://github.com", owner: "octo", repo: "lib" };
const ruleset = (rules: string[], bypass: RulesetDetails["current_user_can_bypass"] = "never", include = ["refs/tags/v*"]): RulesetDetails => ({
  id: 7,
  name: "Release tags",
  target: "tag",
  source_type: "Repository",
  source: "octo/lib",
  enforcement: "active",
  conditions: { ref_name: { include, exclude: [] } },
  rules: rules.map((type) => ({ type })),
  current_user_can_bypass: bypass,
});
const facts = (...rulesets: RulesetDetails[]): TagRulesetFacts => ({ rulesets, unreadable: [], available: true });
const moved: FloatingTagState = { name: "v1", sha: "a".repeat(40), fastForward: true };
const forced: FloatingTagState = { name: "v1", sha: "a".repeat(40), fastForward: false };
const created: FloatingTagState = { name: "v1.4", sha: undefined, fastForward: true };
const judge = (states: FloatingTagState[], f: TagRulesetFacts, locked = new Map<string, string>()) =>
  judgeFloatingTags({ states, facts: f, locked, where, actor: "release-bot[bot]", appSlug: "release-bot" });

describe("floatingTagNames", () => {
  it("major and major.minor from the tagFormat", () => {
    assert.deepEqual(floatingTagNames({ tagFormat: "v${version}", version: "1.4.2" }), { names: ["v1", "v1.4"] });
    assert.deepEqual(floatingTagNames({ tagFormat: "cli-${version}", version: "10.0.0", branchType: "release" }).names, ["cli-10", "cli-10.0"]);
  });

  it("none for a prerelease, a distribution channel or a maintenance branch, saying why", () => {
    assert.deepEqual(floatingTagNames({ tagFormat: "v${version}", version: "2.0.0-beta.1", branchType: "prerelease", channel: "beta" }), { names: [], skipped: "prerelease" });
    assert.deepEqual(floatingTagNames({ tagFormat: "v${version}", version: "2.0.0", channel: "next" }), { names: [], skipped: "channel" });
    assert.deepEqual(floatingTagNames({ tagFormat: "v${version}", version: "1.2.5", branchType: "maintenance", channel: "1.x" }), { names: [], skipped: "maintenance" });
  });
});

describe("judgeFloatingTags", () => {
  it("an `update` rule refuses moving v1 without bypass: ERULESETBLOCKED on refs/tags/v1", () => {
    const { errors, rulesets } = judge([moved], facts(ruleset(["update"])));
    assert.deepEqual(errors.map((e) => e.code), ["ERULESETBLOCKED"]);
    assert.match(errors[0]!.message, /refs\/tags\/v1 as release-bot\[bot\]: update/);
    assert.equal(rulesets[0]!.verdict, "blocked");
  });

  it("the App's bypass (always, exempt) lets it move", () => {
    assert.deepEqual(judge([moved], facts(ruleset(["update"], "always"))).errors, []);
    const exempt = judge([moved], facts(ruleset(["update"], "exempt")));
    assert.deepEqual(exempt.errors, []);
    assert.equal(exempt.rulesets[0]!.verdict, "exempt");
  });

  it("creating a floating tag is a `creation`, not an `update`", () => {
    assert.deepEqual(judge([created], facts(ruleset(["update"]))).errors, []);
    assert.deepEqual(judge([created], facts(ruleset(["creation"]))).errors.map((e) => e.code), ["ERULESETBLOCKED"]);
  });

  it("`non_fast_forward` refuses only a move to a commit that does not descend from the old one; `deletion` never", () => {
    assert.deepEqual(judge([moved], facts(ruleset(["non_fast_forward", "deletion"]))).errors, []);
    const refused = judge([forced], facts(ruleset(["non_fast_forward", "deletion"])));
    assert.deepEqual(refused.rulesets[0]!.blockingRules, ["non_fast_forward"]);
  });

  it("a ruleset whose pattern does not match the floating name is not judged", () => {
    assert.deepEqual(judge([moved], facts(ruleset(["update"], "never", ["refs/tags/v*.*.*"]))).rulesets, []);
  });

  it("pull_requests_only bypass cannot move a tag", () => {
    assert.deepEqual(judge([moved], facts(ruleset(["update"], "pull_requests_only"))).errors.map((e) => e.code), ["EBYPASSPULLREQUESTONLY"]);
  });

  it("a floating tag that an immutable release locks: EFLOATINGTAGLOCKED, whatever the bypass", () => {
    const locked = new Map([["v1", "https://github.com/octo/lib/releases/tag/v1"]]);
    const { errors } = judge([moved, created], facts(ruleset(["update"], "exempt")), locked);
    assert.deepEqual(errors.map((e) => e.code), ["EFLOATINGTAGLOCKED"]);
    assert.match(errors[0]!.details ?? "", /releases\/tag\/v1/);
  });
});

describe("describeFloatingTags", () => {
  it("where each tag moves from, or why none", () => {
    assert.equal(describeFloatingTags({ names: ["v1", "v1.4"] }, [forced, created]), "v1 (moved from aaaaaaaaaaaa, not a fast-forward), v1.4 (created)");
    assert.equal(describeFloatingTags({ names: [], skipped: "prerelease" }, []), "none (a prerelease: not moved)");
    assert.equal(describeFloatingTags(undefined, []), undefined);
  });
});
