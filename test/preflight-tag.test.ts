import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { judgeTags, sampleTags, tagRulesetsFor, type TagRulesetFacts } from "../lib/preflight/tag.js";
import type { RulesetDetails } from "../lib/preflight/evaluate-rules.js";

const ruleset = (id: number, include: string[], exclude: string[] = []): RulesetDetails => ({
  id,
  name: `tags ${id}`,
  target: "tag",
  source_type: "Repository",
  source: "octo/lib",
  enforcement: "active",
  conditions: { ref_name: { include, exclude } },
  rules: [{ type: "creation" }],
  current_user_can_bypass: "never",
});
const loaded = (...rulesets: RulesetDetails[]): TagRulesetFacts => ({ rulesets, unreadable: [], available: true });
const push = { newCommit: true, commitMode: "git" as const };
const where = { githubUrl: "https://github.com", owner: "octo", repo: "lib" };

describe("judgeTags before the version is known", () => {
  it("judges a ruleset that matches every tag the tagFormat produces, naming the tag format", () => {
    const { rulesets, undecided } = judgeTags({ facts: loaded(ruleset(1, ["refs/tags/v*"])), push, where, tagFormat: "v${version}" });
    assert.deepEqual(undecided, []);
    assert.equal(rulesets[0]!.verdict, "blocked");
    assert.equal(rulesets[0]!.ref, "refs/tags/v${version}");
  });

  it("leaves a ruleset that only matches some versions for verifyRelease", () => {
    const { rulesets, undecided } = judgeTags({ facts: loaded(ruleset(1, ["refs/tags/v1.*"]), ruleset(2, ["refs/tags/v*"], ["refs/tags/v*-*"])), push, where, tagFormat: "v${version}" });
    assert.deepEqual(rulesets, []);
    assert.deepEqual(undecided.map((u) => u.id), [1, 2]);
  });

  it("without a tagFormat judges only the rulesets on every tag", () => {
    const { rulesets, undecided } = judgeTags({ facts: loaded(ruleset(1, ["refs/tags/v*"]), ruleset(2, ["~ALL"])), push, where });
    assert.deepEqual(rulesets.map((r) => r.id), [2]);
    assert.deepEqual(undecided.map((u) => u.id), [1]);
  });

  it("samples tags only from a format with exactly one ${version}", () => {
    assert.deepEqual(sampleTags("v${version}").slice(0, 2), ["v0.0.0", "v1.2.3"]);
    assert.deepEqual(sampleTags("release"), []);
    assert.deepEqual(sampleTags("${version}-${version}"), []);
    assert.deepEqual(sampleTags(undefined), []);
  });
});

describe("judgeTags with the exact tag", () => {
  it("judges the rulesets that target the tag, with its name as the ref", () => {
    const facts = loaded(ruleset(1, ["refs/tags/v*"]), ruleset(2, ["refs/tags/release-*"]));
    const { rulesets, undecided } = judgeTags({ facts, tag: "v1.0.0", push, where, tagFormat: "v${version}" });
    assert.deepEqual(rulesets.map((r) => [r.id, r.ref, r.verdict]), [[1, "refs/tags/v1.0.0", "blocked"]]);
    assert.deepEqual(undecided, []);
  });

  it("~DEFAULT_BRANCH never targets a tag, not even one named like the branch", () => {
    assert.deepEqual(tagRulesetsFor(loaded(ruleset(1, ["~DEFAULT_BRANCH"])), "main"), []);
  });
});
