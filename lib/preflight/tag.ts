// Which tag rulesets apply to the release tag, judged. GitHub has no rules endpoint for tags
// (docs/github.md §1.4): lib/preflight/fetch.ts lists the active tag rulesets with their details, and
// this module matches their `conditions.ref_name` against `refs/tags/<tag>` with Ruby fnmatch semantics
// (lib/preflight/fnmatch.ts). Pure: the same facts are judged before the version is known
// (verifyConditions: every tag the tagFormat produces) and with the exact tag (verifyRelease).
import { matchesRefName } from "./fnmatch.js";
import { evaluateRuleset, type PushFacts, type RulesetDetails, type RulesetVerdict, type RulesetWhere } from "./evaluate-rules.js";

/** What GitHub said about the tag rulesets (plain data, read by lib/preflight/fetch.ts). */
export interface TagRulesetFacts {
  /** active tag rulesets with their details */
  rulesets: RulesetDetails[];
  /** rulesets listed but not readable (their details answered 404/403): not judged */
  unreadable: { id: number; name: string }[];
  /** false when GitHub has no rulesets endpoint here (404: older GHES, docs/github.md §12) */
  available: boolean;
}

/** A tag ruleset whose match depends on the tag name, not judged until the tag is known. */
export interface UndecidedTagRuleset {
  id: number;
  name: string;
  include: string[];
  exclude: string[];
}

export interface TagJudgement {
  /** the verdicts on the rulesets judged */
  rulesets: RulesetVerdict[];
  /** rulesets not judged yet because whether they apply depends on the tag name */
  undecided: UndecidedTagRuleset[];
}

/** `~DEFAULT_BRANCH` names a branch, never a tag: no tag ref matches it whatever this is. */
const NO_DEFAULT_BRANCH = "";

function refNameCondition(ruleset: RulesetDetails): { include: string[]; exclude: string[] } {
  const refName = ruleset.conditions?.ref_name;
  return { include: refName?.include ?? [], exclude: refName?.exclude ?? [] };
}

function targets(ruleset: RulesetDetails, tag: string): boolean {
  return matchesRefName(refNameCondition(ruleset), `refs/tags/${tag}`, NO_DEFAULT_BRANCH);
}

/** Patterns that match every tag name a tagFormat can produce (no `/` in it). */
const EVERY_TAG = new Set(["~ALL", "refs/tags/*", "refs/tags/**", "refs/tags/**/*", "**", "**/*", "*"]);

/**
 * Does the ruleset apply to every release tag, whatever its name? Such rulesets can be judged in
 * verifyConditions, before the next version is known.
 */
export function appliesToEveryTag(ruleset: RulesetDetails): boolean {
  const { include, exclude } = refNameCondition(ruleset);
  return exclude.length === 0 && include.some((pattern) => EVERY_TAG.has(pattern));
}

/** The active tag rulesets whose `conditions.ref_name` targets `refs/tags/<tag>`. */
export function tagRulesetsFor(facts: TagRulesetFacts, tag: string): RulesetDetails[] {
  return facts.rulesets.filter((ruleset) => targets(ruleset, tag));
}

/**
 * Tags the `tagFormat` produces for a spread of versions (semantic-release requires exactly one
 * `${version}` in it). A ruleset whose pattern matches all of them (`refs/tags/v*` for `v${version}`)
 * applies to whatever the next version is, so it is judged in verifyConditions together with the
 * branch, and every problem is reported in one run; the exact tag is judged again in verifyRelease.
 */
export function sampleTags(tagFormat: string | undefined): string[] {
  if (!tagFormat || tagFormat.split("${version}").length !== 2) return [];
  return ["0.0.0", "1.2.3", "10.20.30", "2.0.0-beta.1", "3.1.4-rc.15"].map((version) => tagFormat.replace("${version}", version));
}

/**
 * Before the version is known: the rulesets that may apply to the next tag, as judged by
 * `signaturesRequired` (every active tag ruleset; the choice can only get narrower once the tag is known).
 * With the tag: those that target it.
 */
export function candidateTagRulesets(facts: TagRulesetFacts, tag: string | undefined): RulesetDetails[] {
  return tag === undefined ? facts.rulesets : tagRulesetsFor(facts, tag);
}

export interface TagJudgeOptions {
  facts: TagRulesetFacts;
  /** the release tag; undefined in verifyConditions */
  tag?: string | undefined;
  /** semantic-release's `tagFormat`, e.g. `v${version}` */
  tagFormat?: string | undefined;
  /** what is known about the push besides the ref */
  push: Omit<PushFacts, "ref" | "creating" | "tagName">;
  where: RulesetWhere;
}

/**
 * Judge the release tag. With `tag` undefined (verifyConditions) only the rulesets that apply to every
 * tag (or to every tag the tagFormat produces) are judged, their `tag_name_pattern` rules pending; the
 * others are listed as undecided.
 */
export function judgeTags(options: TagJudgeOptions): TagJudgement {
  const { facts, tag, tagFormat, where } = options;
  const ref = tag !== undefined ? `refs/tags/${tag}` : tagFormat ? `refs/tags/${tagFormat}` : "refs/tags/*";
  const push: PushFacts = { ...options.push, ref, creating: true, tagName: tag };
  if (tag !== undefined) return { rulesets: tagRulesetsFor(facts, tag).map((ruleset) => evaluateRuleset({ ruleset, push, where })), undecided: [] };
  const samples = sampleTags(tagFormat);
  const rulesets: RulesetVerdict[] = [];
  const undecided: UndecidedTagRuleset[] = [];
  for (const ruleset of facts.rulesets) {
    const everyReleaseTag = samples.length > 0 && samples.every((sample) => targets(ruleset, sample));
    if (appliesToEveryTag(ruleset) || everyReleaseTag) rulesets.push(evaluateRuleset({ ruleset, push, where }));
    else undecided.push({ id: ruleset.id, name: ruleset.name, ...refNameCondition(ruleset) });
  }
  return { rulesets, undecided };
}
