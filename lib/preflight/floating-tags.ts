// Floating tags (`floatingTags: true`, docs/github.md §15.2): `v1` and `v1.2` (built from `tagFormat`)
// move to each new release, in the same atomic push as the release commit and tag. Moving an existing
// tag is an `update` (a `non_fast_forward` too when the old commit is not an ancestor), creating one the
// first time a `creation`; tag rulesets judge those like any push, with the actor's bypass. With
// immutable releases, a floating tag that a release locked cannot move at all. This module names the
// tags, reads where they are (the local clone: semantic-release fetched every tag before the plugins
// ran) and judges them; the judges are pure.
import type SemanticReleaseError from "@semantic-release/error";
import { GITHUB_ACTIONS_BOT } from "../definitions/constants.js";
import { getError } from "../errors/get-error.js";
import { isAncestor, revParse, type GitOptions } from "../git/git.js";
import { evaluateRuleset, type RulesetVerdict, type RulesetWhere } from "./evaluate-rules.js";
import { readReleaseOfTag, type ImmutableFacts } from "./immutable.js";
import type { PreflightOctokit } from "./fetch.js";
import { tagRulesetsFor, type TagRulesetFacts } from "./tag.js";

/** Which floating tags a release moves, or why none. */
export interface FloatingTagsPlan {
  /** `[v1, v1.2]`; empty when skipped */
  names: string[];
  skipped?: "prerelease" | "channel" | "maintenance" | undefined;
}

/**
 * The floating tags of `version`: `tagFormat` with `${version}` replaced by the major and by
 * major.minor. None for a prerelease (a prerelease branch), a release to a distribution channel
 * (`next`), or a maintenance branch (its release may be older than the newest of the major). Pure.
 */
export function floatingTagNames(options: { tagFormat: string; version: string; channel?: string | null | undefined; branchType?: string | undefined }): FloatingTagsPlan {
  const { tagFormat, version } = options;
  const match = /^(\d+)\.(\d+)\.\d+(-[^+]+)?(?:\+.*)?$/.exec(version);
  if (!match || match[3] || options.branchType === "prerelease") return { names: [], skipped: "prerelease" };
  if (options.branchType === "maintenance") return { names: [], skipped: "maintenance" };
  if (options.channel) return { names: [], skipped: "channel" };
  return { names: [`${match[1]}`, `${match[1]}.${match[2]}`].map((v) => tagFormat.replace("${version}", v)) };
}

/** Where a floating tag is before the release. */
export interface FloatingTagState {
  name: string;
  /** the commit it points to; undefined: it does not exist yet */
  sha: string | undefined;
  /** moving it to the release commit is a fast-forward (or it does not exist) */
  fastForward: boolean;
}

/** Where each floating tag is in the local clone (semantic-release fetched every tag of the remote). */
export async function readFloatingTags(options: { names: string[]; head: string; git: GitOptions }): Promise<FloatingTagState[]> {
  return Promise.all(
    options.names.map(async (name) => {
      const sha = await revParse(`refs/tags/${name}`, options.git);
      return { name, sha, fastForward: sha === undefined || (await isAncestor(sha, options.head, options.git)) };
    }),
  );
}

/** The floating tags whose release is immutable (the tag is locked); only asked when immutable releases are on. */
export async function readLockedFloatingTags(options: { octokit: PreflightOctokit; owner: string; repo: string; names: string[]; immutable: ImmutableFacts | undefined }): Promise<Map<string, string>> {
  const locked = new Map<string, string>();
  if (options.immutable?.state !== "on") return locked;
  const releases = await Promise.all(options.names.map(async (tag) => [tag, await readReleaseOfTag({ ...options, tag })] as const));
  for (const [tag, release] of releases) if (release?.immutable) locked.set(tag, release.htmlUrl);
  return locked;
}

export interface FloatingTagsVerdict {
  rulesets: RulesetVerdict[];
  errors: SemanticReleaseError[];
}

/** Judge moving every floating tag to the release commit: tag rulesets with the actor's bypass, and immutable locks. Pure. */
export function judgeFloatingTags(options: {
  states: FloatingTagState[];
  facts: TagRulesetFacts;
  /** floating tag → the URL of the immutable release that locks it */
  locked: Map<string, string>;
  where: RulesetWhere;
  actor: string;
  appSlug?: string | undefined;
}): FloatingTagsVerdict {
  const { states, facts, where, actor, appSlug } = options;
  const rulesets: RulesetVerdict[] = [];
  const errors: SemanticReleaseError[] = [];
  for (const state of states) {
    const lockedBy = options.locked.get(state.name);
    if (lockedBy && state.sha !== undefined) {
      errors.push(getError("EFLOATINGTAGLOCKED", { tag: state.name, releaseUrl: lockedBy }));
      continue;
    }
    // the floating tag points at the release commit, which the release tag's own judgement covers: no new commit here
    const push = { ref: `refs/tags/${state.name}`, creating: state.sha === undefined, newCommit: false, commitMode: "git" as const, tagName: state.name, forced: !state.fastForward };
    for (const ruleset of tagRulesetsFor(facts, state.name)) {
      const v = evaluateRuleset({ ruleset, push, where });
      rulesets.push(v);
      if (v.verdict !== "blocked" && v.verdict !== "pr-only") continue;
      const ctx = { name: v.name, id: v.id, sourceType: v.source_type, source: v.source, settingsUrl: v.settingsUrl, ref: v.ref, blockingRules: v.blockingRules, actor, appSlug };
      const code = v.verdict === "pr-only" ? "EBYPASSPULLREQUESTONLY" : actor === GITHUB_ACTIONS_BOT.login ? "EGITHUBACTIONSBYPASS" : "ERULESETBLOCKED";
      errors.push(getError(code, ctx));
    }
  }
  return { rulesets, errors };
}

/** The dry-run report's line: the tags moved and from where, or why none. */
export function describeFloatingTags(plan: FloatingTagsPlan | undefined, states: FloatingTagState[]): string | undefined {
  if (!plan) return undefined;
  if (plan.skipped) return `none (${plan.skipped === "prerelease" ? "a prerelease" : plan.skipped === "channel" ? "a release to a distribution channel" : "a maintenance branch"}: not moved)`;
  return states.map((s) => `${s.name} (${s.sha ? `moved from ${s.sha.slice(0, 12)}${s.fastForward ? "" : ", not a fast-forward"}` : "created"})`).join(", ");
}
