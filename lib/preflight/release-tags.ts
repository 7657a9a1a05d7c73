// verifyRelease's checks of the release's tags beyond the rulesets judged in judge.ts
// (docs/architecture.md "Preflight"): the exact next tag against immutable releases (a burned name,
// docs/github.md §15.1), and the floating tags `v1`/`v1.2` with `floatingTags` (§15.2). Reads (only
// what the settings need, in parallel), then the pure judges of ./immutable.ts and ./floating-tags.ts.
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import type { GitOptions } from "../git/git.js";
import type { PushRejection } from "../push/parse-push-rejection.js";
import type { RulesetVerdict, RulesetWhere } from "./evaluate-rules.js";
import type { PreflightFacts, PreflightOctokit } from "./fetch.js";
import {
  describeFloatingTags,
  floatingTagNames,
  judgeFloatingTags,
  readFloatingTags,
  readLockedFloatingTags,
  type FloatingTagState,
  type FloatingTagsPlan,
} from "./floating-tags.js";
import { burnedByRefusal, describeImmutable, judgeReleaseOfTag, readReleaseOfTag } from "./immutable.js";
import { tagRulesetsFor } from "./tag.js";

/** The next release as verifyRelease knows it. */
export interface NextReleaseTags {
  version: string;
  gitTag: string;
  channel?: string | null | undefined;
  /** semantic-release's `tagFormat` */
  tagFormat: string;
  /** the last release's tag (where a burned version's marker goes); undefined for a first release */
  lastTag?: string | undefined;
  /** semantic-release's branch type: "release", "maintenance" or "prerelease" */
  branchType?: string | undefined;
}

export interface ReleaseTagCheck {
  errors: SemanticReleaseError[];
  /** undefined when `floatingTags` is off */
  floating: FloatingTagsPlan | undefined;
  floatingStates: FloatingTagState[];
  floatingVerdicts: RulesetVerdict[];
  /** for the dry-run report */
  describeImmutable: string | undefined;
  describeFloating: string | undefined;
}

/** verifyRelease: the burned-name guard and the floating tags, judged before anything is pushed. */
export async function checkReleaseTags(options: {
  octokit: PreflightOctokit;
  /** undefined with `preflight: "off"`: nothing is judged, the floating tags are only named */
  facts: PreflightFacts | undefined;
  floatingTags: boolean;
  release: NextReleaseTags;
  /** the release commit's parent: the local HEAD */
  head: string;
  git: GitOptions;
  where: RulesetWhere;
  actor: string;
  appSlug?: string | undefined;
}): Promise<ReleaseTagCheck> {
  const { octokit, facts, release, where } = options;
  const repository = { octokit, owner: where.owner, repo: where.repo };
  const floating = options.floatingTags ? floatingTagNames({ ...release }) : undefined;
  const names = floating?.names ?? [];
  const [ofTag, floatingStates, locked] = await Promise.all([
    facts?.immutable.state === "on" ? readReleaseOfTag({ ...repository, tag: release.gitTag }) : undefined,
    readFloatingTags({ names, head: options.head, git: options.git }),
    facts ? readLockedFloatingTags({ ...repository, names, immutable: facts.immutable }) : new Map<string, string>(),
  ]);
  const burned = judgeReleaseOfTag({ ...release, tag: release.gitTag, release: ofTag });
  const judged = facts ? judgeFloatingTags({ states: floatingStates, facts: facts.tag, locked, where, actor: options.actor, appSlug: options.appSlug }) : { rulesets: [], errors: [] };
  return {
    errors: [...(burned ? [burned] : []), ...judged.errors],
    floating,
    floatingStates,
    floatingVerdicts: judged.rulesets,
    describeImmutable: facts ? describeImmutable(facts.immutable) : undefined,
    describeFloating: describeFloatingTags(floating, floatingStates),
  };
}

/**
 * prepare: a refused push of the release tag that is a burned name (docs/github.md §15.1) becomes
 * ETAGBURNED; anything else stays as GitHub's refusal (undefined).
 */
export function explainTagRefusal(options: { rejections: PushRejection[]; facts: PreflightFacts | undefined; release: NextReleaseTags }): SemanticReleaseError | undefined {
  const { facts, release } = options;
  if (!facts) return undefined;
  const creationRuleApplies = tagRulesetsFor(facts.tag, release.gitTag).some((ruleset) => (ruleset.rules ?? []).some((rule) => rule.type === "creation"));
  if (!burnedByRefusal({ rejections: options.rejections, tag: release.gitTag, immutable: facts.immutable, creationRuleApplies })) return undefined;
  return getError("ETAGBURNED", { ...release, tag: release.gitTag, reason: "deleted" });
}
