// The rulesets that apply to the release tag. GitHub has no rules endpoint for tags (github-facts
// §1.4), so: `GET /repos/{o}/{r}/rulesets?targets=tag&includes_parents=true` (paginated, Metadata:
// read), fetch each active one (shared, cached fetcher), and match `conditions.ref_name` against
// `refs/tags/<tag>` with Ruby fnmatch semantics (lib/preflight/fnmatch.ts).
//
// Split in two so nothing is fetched twice: `loadTagRulesets` runs in verifyConditions (the tag name is
// not known yet), `judgeTag` in verifyRelease (pure, no requests).
import { matchesRefName } from "./fnmatch.js";
import { httpStatus } from "../octokit.js";
import { evaluateRuleset, type PushFacts, type RulesetDetails, type RulesetVerdict } from "./evaluate-rules.js";
import type { PreflightOctokit, RulesetFetcher } from "./branch.js";

export interface LoadedTagRulesets {
  /** active tag rulesets with their details */
  rulesets: RulesetDetails[];
  /** rulesets listed but not readable (their details answered 404/403): not judged */
  unreadable: { id: number; name: string }[];
  /** `~DEFAULT_BRANCH` never names a tag, but matchesRefName wants it */
  defaultBranch: string;
  /** false when GitHub has no rulesets endpoint here (404: older GHES, github-facts §12) */
  available: boolean;
}

interface RulesetSummary {
  id: number;
  name: string;
  target?: string;
  enforcement?: string;
}

export async function loadTagRulesets(opts: {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
  defaultBranch: string;
  fetchRuleset: RulesetFetcher;
}): Promise<LoadedTagRulesets> {
  const { octokit, owner, repo, defaultBranch, fetchRuleset } = opts;
  let summaries: RulesetSummary[];
  try {
    summaries = (await octokit.paginate("GET /repos/{owner}/{repo}/rulesets", {
      owner,
      repo,
      targets: "tag",
      includes_parents: true,
      per_page: 100,
    })) as RulesetSummary[];
  } catch (error) {
    if (httpStatus(error) === 404) return { rulesets: [], unreadable: [], defaultBranch, available: false };
    throw error;
  }
  // the summary already says target and enforcement: fetch only active tag rulesets (github-facts §1.4)
  const wanted = summaries.filter((s) => (s.target ?? "tag") === "tag" && (s.enforcement ?? "active") === "active");
  const fetched = await Promise.all(wanted.map(async (s) => ({ summary: s, details: await fetchRuleset(s.id) })));
  return {
    rulesets: fetched.flatMap(({ details }) => (details && details.enforcement === "active" ? [details] : [])),
    unreadable: fetched.flatMap(({ summary, details }) => (details ? [] : [{ id: summary.id, name: summary.name }])),
    defaultBranch,
    available: true,
  };
}

function refNameCondition(ruleset: RulesetDetails): { include: string[]; exclude: string[] } {
  const refName = ruleset.conditions?.ref_name;
  return { include: refName?.include ?? [], exclude: refName?.exclude ?? [] };
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
export function tagRulesetsFor(loaded: LoadedTagRulesets, tag: string): RulesetDetails[] {
  return loaded.rulesets.filter((r) => matchesRefName(refNameCondition(r), `refs/tags/${tag}`, loaded.defaultBranch));
}

export interface TagJudgement {
  /** the verdicts on the rulesets judged */
  rulesets: RulesetVerdict[];
  /** rulesets not judged yet because whether they apply depends on the tag name */
  undecided: { id: number; name: string; include: string[]; exclude: string[] }[];
}

/**
 * Judge the release tag. With `tag` undefined (verifyConditions) only the rulesets that apply to every
 * tag are judged (their `tag_name_pattern` rules stay pending); the others are listed as undecided.
 * Pure: no requests.
 */
export function judgeTag(
  loaded: LoadedTagRulesets,
  tag: string | undefined,
  facts: Omit<PushFacts, "ref" | "creating" | "tagName">,
  where: { githubUrl: string; owner: string; repo: string; appId?: number | undefined },
  tagFormat?: string,
): TagJudgement {
  const ref = tag !== undefined ? `refs/tags/${tag}` : tagFormat ? `refs/tags/${tagFormat}` : "refs/tags/*";
  const pushFacts: PushFacts = { ...facts, ref, creating: true, tagName: tag };
  if (tag !== undefined) {
    return { rulesets: tagRulesetsFor(loaded, tag).map((r) => evaluateRuleset(r, pushFacts, where)), undecided: [] };
  }
  const samples = sampleTags(tagFormat);
  const rulesets: RulesetVerdict[] = [];
  const undecided: TagJudgement["undecided"] = [];
  for (const r of loaded.rulesets) {
    const everyReleaseTag = samples.length > 0 && samples.every((sample) => matchesRefName(refNameCondition(r), `refs/tags/${sample}`, loaded.defaultBranch));
    if (appliesToEveryTag(r) || everyReleaseTag) rulesets.push(evaluateRuleset(r, pushFacts, where));
    else undecided.push({ id: r.id, name: r.name, ...refNameCondition(r) });
  }
  return { rulesets, undecided };
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
