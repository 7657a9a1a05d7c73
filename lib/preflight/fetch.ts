// Everything the preflight reads from GitHub, and the only module of lib/preflight/ that makes requests
// (docs/architecture.md "Preflight"). `readPreflightFacts` runs once, in verifyConditions, and returns
// plain data; the judges (evaluate-rules.ts, tag.ts, classic.ts, judge.ts) never ask GitHub anything.
//
// Requests (Metadata: read unless said): the rules of the branch, the list of tag rulesets and the
// branch itself (Contents: read) in parallel; then the ruleset details, each id once, and the classic
// protection details (Administration: read, only when classic protection is on); the immutable-releases
// setting goes out with the first wave (Administration: read; not asked without it). Concurrency is bounded
// by the Octokit's throttling (lib/octokit.ts: plugin-throttling's global limiter, READ_CONCURRENCY in
// lib/definitions/retry.ts), which lets the details of any repository go out in one wave: the round
// trips do not grow with the number of rulesets.
import type { Octokit } from "@octokit/core";
import type { PaginateInterface } from "@octokit/plugin-paginate-rest";
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../definitions/constants.js";
import { readFailure } from "../octokit.js";
import type { Permissions } from "../types.js";
import type { ClassicProtectionData, ProtectionResponse } from "./classic.js";
import type { Rule, RulesetDetails } from "./evaluate-rules.js";
import type { TagRulesetFacts } from "./tag.js";
import { readImmutableReleases, type ImmutableFacts } from "./immutable.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:preflight`);

/** What the preflight needs from an Octokit: `request` and `paginate` (ReleaseOctokit has both). */
export type PreflightOctokit = Octokit & { paginate: PaginateInterface };

/** The rulesets with at least one active rule on the release branch. */
export interface BranchRulesetFacts {
  /** in the order GitHub lists their rules */
  rulesets: RulesetDetails[];
  /** false when GitHub has no rules endpoint here (404: older GHES, docs/github.md §12) */
  available: boolean;
}

/** What GitHub said, read once in verifyConditions and judged as often as needed. Plain data. */
export interface PreflightFacts {
  branch: BranchRulesetFacts;
  tag: TagRulesetFacts;
  /** undefined when not read: the release pushes no commit to the branch (`assets: false`) */
  classic: ClassicProtectionData | undefined;
  /** the immutable-releases setting (docs/github.md §15.1), read in the same wave */
  immutable: ImmutableFacts;
}

interface Repository {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
}

/** One item of `GET /repos/{o}/{r}/rules/branches/{branch}` (schema `repository-rule-detailed`). */
interface BranchRule extends Rule {
  ruleset_id: number;
  ruleset_source_type?: string;
  ruleset_source?: string;
}

/** One item of `GET /repos/{o}/{r}/rulesets` (schema `repository-ruleset`, without rules). */
interface RulesetSummary {
  id: number;
  name: string;
  target?: string;
  enforcement?: string;
}

/** Fetches ruleset details by id, each id at most once; a ruleset the token may not read yields undefined. */
type RulesetReader = (id: number) => Promise<RulesetDetails | undefined>;

/** The answer's HTTP status; undefined for a rate limit the throttling plugin gave up on (a failure, EGITHUBAPI, not "unreadable"). */
function answerStatus(error: unknown): number | undefined {
  const failure = readFailure(error);
  return failure.rateLimited ? undefined : failure.status;
}

function rulesetReader({ octokit, owner, repo }: Repository): RulesetReader {
  const cache = new Map<number, Promise<RulesetDetails | undefined>>();
  const read = async (id: number): Promise<RulesetDetails | undefined> => {
    try {
      // docs/github.md §1.3: the repository-level endpoint returns org/enterprise rulesets that apply
      // here (includes_parents defaults to true) and is the only one with current_user_can_bypass
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner, repo, ruleset_id: id });
      return data as RulesetDetails;
    } catch (error) {
      const status = answerStatus(error);
      if (status !== 404 && status !== 403) throw error;
      debug("ruleset %d of %s/%s not readable: %d", id, owner, repo, status);
      return undefined;
    }
  };
  return (id) => {
    let pending = cache.get(id);
    if (!pending) cache.set(id, (pending = read(id)));
    return pending;
  };
}

/** The rules of the branch (docs/github.md §1.1: paginated, only rules of `active` rulesets); undefined on 404 (no such endpoint). */
async function readBranchRules({ octokit, owner, repo }: Repository, branch: string): Promise<BranchRule[] | undefined> {
  try {
    return (await octokit.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner, repo, branch, per_page: 100 })) as BranchRule[];
  } catch (error) {
    if (answerStatus(error) === 404) return undefined;
    throw error;
  }
}

/**
 * The rulesets that apply to the branch (docs/github.md §1.1, §1.3): the distinct ruleset ids of its
 * rules, with their details. A ruleset whose details cannot be read is rebuilt from the rules endpoint
 * with an unknown bypass status (the rules endpoint says nothing about bypass).
 */
async function readBranchRulesets(repository: Repository, branch: string, readRuleset: RulesetReader): Promise<BranchRulesetFacts> {
  const { owner, repo } = repository;
  const rules = await readBranchRules(repository, branch);
  if (!rules) return { rulesets: [], available: false };
  const byId = new Map<number, BranchRule[]>();
  for (const rule of rules) byId.set(rule.ruleset_id, [...(byId.get(rule.ruleset_id) ?? []), rule]);
  debug("%d rules from %d rulesets apply to %s/%s:%s", rules.length, byId.size, owner, repo, branch);
  const rulesets = await Promise.all(
    [...byId].map(async ([id, own]): Promise<RulesetDetails> => {
      const details = await readRuleset(id);
      if (details) return details;
      return {
        id,
        name: `ruleset ${id}`,
        target: "branch",
        source_type: own[0]?.ruleset_source_type ?? "Repository",
        source: own[0]?.ruleset_source ?? `${owner}/${repo}`,
        enforcement: "active",
        rules: own.map(({ type, parameters }) => ({ type, parameters })),
      };
    }),
  );
  return { rulesets, available: true };
}

/**
 * The active tag rulesets with their details (docs/github.md §1.4: no rules endpoint for tags, so
 * `GET /repos/{o}/{r}/rulesets?targets=tag&includes_parents=true`, then each active one).
 */
async function readTagRulesets(repository: Repository, readRuleset: RulesetReader): Promise<TagRulesetFacts> {
  const { octokit, owner, repo } = repository;
  let summaries: RulesetSummary[];
  try {
    summaries = (await octokit.paginate("GET /repos/{owner}/{repo}/rulesets", { owner, repo, targets: "tag", includes_parents: true, per_page: 100 })) as RulesetSummary[];
  } catch (error) {
    if (answerStatus(error) === 404) return { rulesets: [], unreadable: [], available: false };
    throw error;
  }
  // the summary already says target and enforcement: fetch only active tag rulesets
  const wanted = summaries.filter((s) => (s.target ?? "tag") === "tag" && (s.enforcement ?? "active") === "active");
  const fetched = await Promise.all(wanted.map(async (summary) => ({ summary, details: await readRuleset(summary.id) })));
  return {
    rulesets: fetched.flatMap(({ details }) => (details && details.enforcement === "active" ? [details] : [])),
    unreadable: fetched.flatMap(({ summary, details }) => (details ? [] : [{ id: summary.id, name: summary.name }])),
    available: true,
  };
}

/**
 * Classic protection (docs/github.md §9): `GET …/branches/{branch}` says `protected` (rulesets count
 * too) and `protection.enabled` (classic only); the details need Administration: read. When the token's
 * permissions are known and lack it, no request is wasted on a 403.
 */
async function readClassicProtection({ octokit, owner, repo }: Repository, branch: string, tokenPermissions: Permissions | undefined): Promise<ClassicProtectionData> {
  let data: { protected?: boolean; protection?: { enabled?: boolean } };
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/branches/{branch}", { owner, repo, branch }));
  } catch (error) {
    const status = answerStatus(error);
    if (status === 404 || status === 403) return { protected: undefined, classic: undefined, state: "branch-unknown", failedStatus: status };
    throw error;
  }
  const isProtected = data.protected === true;
  const classic = isProtected && data.protection?.enabled === true;
  if (!classic) return { protected: isProtected, classic, state: "not-protected" };
  if (tokenPermissions && !tokenPermissions.administration) return { protected: true, classic: true, state: "no-permission" };
  try {
    const { data: protection } = await octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection", { owner, repo, branch });
    return { protected: true, classic: true, state: "read", protection: protection as ProtectionResponse };
  } catch (error) {
    const status = answerStatus(error);
    // 403/401: no Administration: read; 404 "Branch not protected" can also mean "not allowed to see it"
    if (status === 403 || status === 404) return { protected: true, classic: true, state: "no-permission", failedStatus: status };
    throw error;
  }
}

/**
 * Read everything the preflight judges: the branch rulesets, the tag rulesets and (when the release
 * pushes a commit to the branch) its classic protection. A ruleset listed for both the branch and the
 * tags is fetched once. Errors other than the expected 403/404 answers are thrown as they are (the
 * caller turns a request that kept failing into EGITHUBAPI).
 */
export async function readPreflightFacts(options: {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
  branch: string;
  /** permissions of the token (from the token response); undefined when unknown (pat, github-token): the protection details are then tried */
  tokenPermissions?: Permissions | undefined;
  /** false when the release pushes no commit to the branch (`assets: false`): classic protection is not read */
  updatesBranch: boolean;
}): Promise<PreflightFacts> {
  const { octokit, owner, repo, branch } = options;
  const repository = { octokit, owner, repo };
  const readRuleset = rulesetReader(repository);
  const [branchRulesets, tagRulesets, classic, immutable] = await Promise.all([
    readBranchRulesets(repository, branch, readRuleset),
    readTagRulesets(repository, readRuleset),
    options.updatesBranch ? readClassicProtection(repository, branch, options.tokenPermissions) : undefined,
    readImmutableReleases({ ...repository, tokenPermissions: options.tokenPermissions }),
  ]);
  return { branch: branchRulesets, tag: tagRulesets, classic, immutable };
}

/**
 * With `preflight: "off"`, all that `commitMode: "auto"` needs (README "Options"): does an active
 * ruleset on the branch require signed commits? One request, `GET rules/branches/{branch}` (Metadata:
 * read); false when GitHub has no rules endpoint (older GHES).
 */
export async function readSignatureRules(options: { octokit: PreflightOctokit; owner: string; repo: string; branch: string }): Promise<boolean> {
  const rules = await readBranchRules(options, options.branch);
  return (rules ?? []).some((rule) => rule.type === "required_signatures");
}

/** The rulesets on one more branch (the pull-request mode's release branch: lib/preflight/pull-request.ts), with their details. */
export function readBranchRulesetFacts(options: { octokit: PreflightOctokit; owner: string; repo: string; branch: string }): Promise<BranchRulesetFacts> {
  return readBranchRulesets(options, options.branch, rulesetReader(options));
}
