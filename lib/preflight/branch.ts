// The rulesets that apply to the release branch (DESIGN.md "Preflight", github-facts §1.1, §1.3):
// `GET /repos/{o}/{r}/rules/branches/{branch}` (all active rules, org and enterprise ones included,
// paginated) → the distinct ruleset ids → `GET /repos/{o}/{r}/rulesets/{id}` for each, in parallel
// with bounded concurrency, for `current_user_can_bypass`. Both need Metadata: read only.
import type { Octokit } from "@octokit/core";
import type { PaginateInterface } from "@octokit/plugin-paginate-rest";
import { RequestError } from "@octokit/request-error";
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../definitions/constants.js";
import { READ_CONCURRENCY } from "../definitions/retry.js";
import { httpStatus, isRateLimit } from "../octokit.js";
import type { Rule, RulesetDetails } from "./evaluate-rules.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:preflight`);

/** What the preflight needs from an Octokit: `request` and `paginate` (ReleaseOctokit has both). */
export type PreflightOctokit = Octokit & { paginate: PaginateInterface };

/** How many ruleset requests run at once (the benchmark checks round trips stay flat with 50 rulesets). */
export const RULESET_FETCH_CONCURRENCY = READ_CONCURRENCY;

/** Fetches ruleset details by id: each id at most once, at most `concurrency` requests in flight. */
export type RulesetFetcher = (id: number) => Promise<RulesetDetails | undefined>;

/** A semaphore: `run(task)` starts `task` when fewer than `limit` tasks are running. */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (running >= limit) return;
    const start = queue.shift();
    if (start) start();
  };
  return (task) =>
    new Promise((resolve, reject) => {
      queue.push(() => {
        running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            running--;
            next();
          });
      });
      next();
    });
}

/**
 * A fetcher shared by the branch and tag preflights, so a ruleset is fetched once (cached by id) and
 * the two share one concurrency limit. A ruleset the token may not read (404/403) yields undefined.
 */
export function createRulesetFetcher(octokit: PreflightOctokit, owner: string, repo: string, concurrency = RULESET_FETCH_CONCURRENCY): RulesetFetcher {
  const cache = new Map<number, Promise<RulesetDetails | undefined>>();
  const limit = createLimiter(concurrency);
  return (id) => {
    let pending = cache.get(id);
    if (!pending) {
      pending = limit(async () => {
        try {
          // github-facts §1.3: the repository-level endpoint returns org/enterprise rulesets that apply
          // here (includes_parents defaults to true) and is the only one with current_user_can_bypass
          const { data } = await octokit.request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner, repo, ruleset_id: id });
          return data as RulesetDetails;
        } catch (error) {
          // a 403 that is a rate limit the throttling plugin gave up on is a failure (EGITHUBAPI), not "unreadable"
          if ((httpStatus(error) === 404 || httpStatus(error) === 403) && !(error instanceof RequestError && isRateLimit(error))) {
            debug("ruleset %d of %s/%s not readable: %d", id, owner, repo, httpStatus(error));
            return undefined;
          }
          throw error;
        }
      });
      cache.set(id, pending);
    }
    return pending;
  };
}

/** One item of `GET /repos/{o}/{r}/rules/branches/{branch}` (schema `repository-rule-detailed`). */
export interface BranchRule extends Rule {
  ruleset_id: number;
  ruleset_source_type?: string;
  ruleset_source?: string;
}

export interface BranchRulesets {
  /** the rulesets with at least one active rule on the branch, in the order GitHub lists their rules */
  rulesets: RulesetDetails[];
  /** false when GitHub has no rules endpoint here (404: older GHES, github-facts §12) */
  available: boolean;
}

/**
 * Load the rulesets that apply to `branch`. A ruleset whose details cannot be read is rebuilt from the
 * rules endpoint with an unknown bypass status (the rules endpoint says nothing about bypass, §1.1).
 */
export async function loadBranchRulesets(opts: {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
  branch: string;
  fetchRuleset: RulesetFetcher;
}): Promise<BranchRulesets> {
  const { octokit, owner, repo, branch, fetchRuleset } = opts;
  let rules: BranchRule[];
  try {
    // github-facts §1.1: paginated, per_page ≤ 100; only rules of `active` rulesets are returned
    rules = (await octokit.paginate("GET /repos/{owner}/{repo}/rules/branches/{branch}", { owner, repo, branch, per_page: 100 })) as BranchRule[];
  } catch (error) {
    if (httpStatus(error) === 404) return { rulesets: [], available: false };
    throw error;
  }
  const byId = new Map<number, BranchRule[]>();
  for (const rule of rules) {
    const list = byId.get(rule.ruleset_id) ?? [];
    list.push(rule);
    byId.set(rule.ruleset_id, list);
  }
  debug("%d rules from %d rulesets apply to %s/%s:%s", rules.length, byId.size, owner, repo, branch);
  const rulesets = await Promise.all(
    [...byId].map(async ([id, own]): Promise<RulesetDetails> => {
      const details = await fetchRuleset(id);
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
