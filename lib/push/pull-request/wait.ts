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
import { enqueue, type MergeStart, type ReleasePullRequest } from "./open.js";

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
  /** false when the token lacks Checks: read (the installation does not have it): failing checks are then not looked for */
  checksReadable?: boolean | undefined;
  /** how the merge was started (./open.ts startMerge) */
  start: MergeStart;
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

/**
 * The required check runs on the head that completed without success. Reading check runs needs
 * Checks: read, asked for when the installation has it: without it (403) a failing check is not seen
 * and the pull request waits, as GitHub does, until the timeout.
 */
async function failedChecks({ octokit, owner, repo, plan, checksReadable }: WaitOptions, sha: string): Promise<{ name: string; conclusion: string; url?: string }[]> {
  if (plan.requiredChecks.length === 0 || checksReadable === false) return [];
  let data;
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { owner, repo, ref: sha, per_page: 100 }));
  } catch (error) {
    if ((error as { status?: number }).status === 403) return [];
    throw error;
  }
  return data.check_runs
    .filter((run) => plan.requiredChecks.includes(run.name) && run.status === "completed" && FAILED.has(run.conclusion ?? ""))
    .map((run) => ({ name: run.name, conclusion: run.conclusion ?? "failure", url: run.html_url ?? undefined }));
}

/** Whether the pull request is in the merge queue, and whether auto-merge is still on (GraphQL: the queue has no REST API). */
async function queueState({ octokit, owner, repo, pullRequest }: WaitOptions): Promise<{ inQueue: boolean; autoMerge: boolean }> {
  const query = `query ReleasePullRequestQueued($owner: String!, $repo: String!, $number: Int!) {
    repository(owner: $owner, name: $repo) { pullRequest(number: $number) { isInMergeQueue autoMergeRequest { enabledAt } } }
  }`;
  type Answer = { repository: { pullRequest: { isInMergeQueue: boolean; autoMergeRequest: object | null } | null } | null };
  const pull = (await octokit.graphql<Answer>(query, { owner, repo, number: pullRequest.number })).repository?.pullRequest;
  return { inQueue: pull?.isInMergeQueue === true, autoMerge: pull?.autoMergeRequest != null };
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
function waitingFor(plan: MergePlan, pull: PullState, queued: boolean): string {
  if (queued) return "the merge queue";
  if (pull.mergeable_state === "blocked" && plan.reviews > 0) return `a person's approval (${plan.reviews} approving review${plan.reviews === 1 ? "" : "s"} required) or the required checks`;
  if (plan.requiredChecks.length > 0 && ["blocked", "unstable", "unknown"].includes(pull.mergeable_state ?? "unknown")) return `the required checks (${plan.requiredChecks.join(", ")})`;
  return plan.strategy === "auto-merge" ? "auto-merge" : "GitHub to allow the merge";
}

/** Where the merge stands between two looks. */
interface Progress extends MergeStart {
  /** the pull request was seen in the merge queue */
  seenInQueue: boolean;
}

/** Under a merge queue: enqueue it once GitHub allows; a pull request that was in the queue and left it unmerged was dropped. */
async function followQueue(options: WaitOptions, progress: Progress): Promise<Look | undefined> {
  if (!progress.armed && (await enqueue(options))) Object.assign(progress, { armed: true, enqueued: true });
  if (!progress.armed) return undefined;
  const { inQueue, autoMerge } = await queueState(options);
  if (inQueue) progress.seenInQueue = true;
  // auto-merge is switched off when the queue removes the pull request
  if (inQueue || !(progress.seenInQueue || progress.enqueued || !autoMerge)) return undefined;
  const again = await readPull(options);
  if (again.merged && again.merge_commit_sha) return { mergedSha: again.merge_commit_sha, waitingFor: "" };
  throw getError("EMERGEQUEUEDROPPED", { ...options.context });
}

/** One look at the pull request: merged, still waiting, or an error. */
async function look(options: WaitOptions, progress: Progress): Promise<Look> {
  const { plan, context } = options;
  let pull = await readPull(options);
  if (!pull.merged && pull.state === "open" && plan.strategy !== "merge-queue" && !progress.armed && (await tryMerge(options, pull))) pull = await readPull(options);
  if (pull.merged && pull.merge_commit_sha) return { mergedSha: pull.merge_commit_sha, waitingFor: "" };
  if (pull.state === "closed") throw getError("EPULLREQUESTCLOSED", { ...context, closedBy: undefined });
  const failed = await failedChecks(options, pull.head.sha);
  if (failed.length > 0) throw getError("EPULLREQUESTCHECKSFAILED", { ...context, checks: failed });
  if (pull.mergeable_state === "dirty" || (pull.mergeable_state === "behind" && plan.strategy !== "merge-queue")) {
    throw getError("EPULLREQUESTBASEMOVED", { ...context, state: pull.mergeable_state });
  }
  if (plan.strategy === "merge-queue") {
    const done = await followQueue(options, progress);
    if (done) return done;
  }
  return { waitingFor: waitingFor(plan, pull, progress.seenInQueue || progress.enqueued) };
}

/** Poll until merged; the merged commit's SHA (`merge_commit_sha`: the merge, squash or rebased commit on the base). */
export async function waitForMerge(options: WaitOptions): Promise<string> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { pullRequest, logger, timeoutMs } = options;
  const start = now();
  let pause: number = POLL.firstMs;
  let said = { text: "", at: Number.NEGATIVE_INFINITY };
  const progress: Progress = { ...options.start, seenInQueue: options.start.enqueued };
  for (;;) {
    await options.fresh();
    const { mergedSha, waitingFor: text } = await look(options, progress);
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
