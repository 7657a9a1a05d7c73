// Wait for the release pull request to be merged (README "Releasing through a pull request"): poll
// with backoff, log a progress line when what it waits for changes (and once a minute), re-mint the
// token before it nears expiry, and stop with a clear error when it cannot be merged any more: a
// required check failed, it was closed, the merge queue dropped it, the base moved under a "must be up
// to date" rule or into a conflict, or `pullRequestTimeout` passed.
import { getError } from "../../errors/get-error.js";
import { PULL_REQUEST_LOGS, type ReleasePullRequestContext } from "../../errors/pull-request.js";
import type { Logger } from "../../logger.js";
import type { PreflightOctokit } from "../../preflight/fetch.js";
import type { MergePlan } from "../../preflight/pull-request.js";
import type { ReleasePullRequest } from "./open.js";

/** First pause between two looks, growth per look, longest pause, and how often an unchanged state is logged again. */
export const POLL = { firstMs: 1000, factor: 1.5, maxMs: 15_000, logEveryMs: 60_000 } as const;

export interface WaitOptions {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
  pullRequest: ReleasePullRequest;
  plan: MergePlan;
  /** the error context: link, release branch, base, tag */
  context: ReleasePullRequestContext;
  timeoutMs: number;
  logger: Logger;
  /** re-mints the token when it nears expiry (ReleaseToken.fresh) */
  fresh: () => Promise<unknown>;
  /** for tests: the clock and the pause */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface PullState {
  state: string;
  merged: boolean;
  merge_commit_sha: string | null;
  mergeable_state?: string;
  head: { sha: string };
  merged_by?: { login: string } | null;
}

interface Look {
  /** the merged commit, once merged */
  mergedSha?: string;
  /** what it waits for, in words */
  waitingFor: string;
}

const FAILED = new Set(["failure", "cancelled", "timed_out", "action_required", "startup_failure", "stale"]);

/** The required check runs on the head that completed without success. */
async function failedChecks({ octokit, owner, repo, plan }: WaitOptions, sha: string): Promise<{ name: string; conclusion: string; url?: string }[]> {
  if (plan.requiredChecks.length === 0) return [];
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: sha, per_page: 100 });
  return data.check_runs
    .filter((run) => plan.requiredChecks.includes(run.name) && run.status === "completed" && FAILED.has(run.conclusion ?? ""))
    .map((run) => ({ name: run.name, conclusion: run.conclusion ?? "failure", url: run.html_url ?? undefined }));
}

/** Whether the pull request is still in the merge queue (GraphQL: the queue has no REST API). */
async function inMergeQueue({ octokit, owner, repo, pullRequest }: WaitOptions): Promise<boolean> {
  const query = `query ReleasePullRequestQueued($owner: String!, $repo: String!, $number: Int!) {
    repository(owner: $owner, name: $repo) { pullRequest(number: $number) { isInMergeQueue } }
  }`;
  const data = await octokit.graphql<{ repository: { pullRequest: { isInMergeQueue: boolean } | null } | null }>(query, { owner, repo, number: pullRequest.number });
  return data.repository?.pullRequest?.isInMergeQueue === true;
}

async function readPull({ octokit, owner, repo, pullRequest }: WaitOptions): Promise<PullState> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: pullRequest.number });
  return data as PullState;
}

/** Merge through REST when GitHub says it can be merged; false when it cannot yet (405/409: not mergeable, head moved). */
async function tryMerge(options: WaitOptions, pull: PullState): Promise<boolean> {
  const { octokit, owner, repo, pullRequest, plan } = options;
  if (!["clean", "unstable", "has_hooks"].includes(pull.mergeable_state ?? "")) return false;
  try {
    await octokit.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner, repo, pull_number: pullRequest.number, merge_method: plan.method, sha: pull.head.sha });
    return true;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 405 || status === 409) return false;
    throw error;
  }
}

/** What it waits for, in words. */
function waitingFor(plan: MergePlan, pull: PullState): string {
  if (plan.strategy === "merge-queue") return "the merge queue";
  if (pull.mergeable_state === "blocked" && plan.reviews > 0) return `a person's approval (${plan.reviews} approving review${plan.reviews === 1 ? "" : "s"} required) or the required checks`;
  if (plan.requiredChecks.length > 0 && ["blocked", "unstable", "unknown"].includes(pull.mergeable_state ?? "unknown")) return `the required checks (${plan.requiredChecks.join(", ")})`;
  return plan.strategy === "auto-merge" ? "auto-merge" : "GitHub to allow the merge";
}

/** One look at the pull request: merged, still waiting, or an error. */
async function look(options: WaitOptions): Promise<Look> {
  const { plan, context } = options;
  let pull = await readPull(options);
  if (!pull.merged && pull.state === "open" && plan.strategy === "merge" && (await tryMerge(options, pull))) pull = await readPull(options);
  if (pull.merged && pull.merge_commit_sha) return { mergedSha: pull.merge_commit_sha, waitingFor: "" };
  if (pull.state === "closed") throw getError("EPULLREQUESTCLOSED", { ...context });
  const failed = await failedChecks(options, pull.head.sha);
  if (failed.length > 0) throw getError("EPULLREQUESTCHECKSFAILED", { ...context, checks: failed });
  if (pull.mergeable_state === "dirty" || (pull.mergeable_state === "behind" && plan.strategy !== "merge-queue")) {
    throw getError("EPULLREQUESTBASEMOVED", { ...context, state: pull.mergeable_state });
  }
  if (plan.strategy === "merge-queue" && !(await inMergeQueue(options))) {
    // it may have left the queue by being merged between the two reads
    const again = await readPull(options);
    if (again.merged && again.merge_commit_sha) return { mergedSha: again.merge_commit_sha, waitingFor: "" };
    throw getError("EMERGEQUEUEDROPPED", { ...context });
  }
  return { waitingFor: waitingFor(plan, pull) };
}

/** Poll until merged; the merged commit's SHA (`merge_commit_sha`: the merge, squash or rebased commit on the base). */
export async function waitForMerge(options: WaitOptions): Promise<string> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { pullRequest, logger, timeoutMs } = options;
  const start = now();
  let pause: number = POLL.firstMs;
  let said = { text: "", at: Number.NEGATIVE_INFINITY };
  for (;;) {
    await options.fresh();
    const { mergedSha, waitingFor: text } = await look(options);
    if (mergedSha) return mergedSha;
    const elapsedMs = now() - start;
    if (text !== said.text || now() - said.at >= POLL.logEveryMs) {
      logger.log(PULL_REQUEST_LOGS.waiting({ number: pullRequest.number, url: pullRequest.url, waitingFor: text, elapsedMs }));
      said = { text, at: now() };
    }
    if (elapsedMs >= timeoutMs) throw getError("EPULLREQUESTTIMEOUT", { ...options.context, timeoutMs, waitingFor: text });
    await sleep(Math.min(pause, Math.max(0, timeoutMs - elapsedMs)));
    pause = Math.min(pause * POLL.factor, POLL.maxMs);
  }
}
