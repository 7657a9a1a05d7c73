// Open the release pull request as the App and start its merge (README "Releasing through a pull
// request"; docs/github.md §18.1, §18.4, §18.6): the pull request from the release branch, or the one a failed run
// left open from it, updated; then, by the merge plan (lib/preflight/pull-request.ts), enqueued in the
// merge queue (GraphQL `enqueuePullRequest`: there is no REST call) or set to merge itself (GraphQL
// `enablePullRequestAutoMerge`); otherwise ./wait.ts merges (REST) or enqueues it once GitHub allows it.
import { getError } from "../../errors/get-error.js";
import type { PreflightOctokit } from "../../preflight/fetch.js";
import type { MergePlan } from "../../preflight/pull-request.js";

export interface ReleasePullRequest {
  number: number;
  /** GraphQL node ID, for the mutations */
  nodeId: string;
  url: string;
  headSha: string;
  reused: boolean;
}

interface Where {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
}

interface PullJson {
  number: number;
  node_id: string;
  html_url: string;
  head: { sha: string };
}

const toPullRequest = (data: PullJson, reused: boolean): ReleasePullRequest => ({ number: data.number, nodeId: data.node_id, url: data.html_url, headSha: data.head.sha, reused });

/** A failed GitHub request → EPULLREQUESTFAILED naming the action and GitHub's message. */
export function refused(error: unknown, action: string, releaseBranch: string, url?: string) {
  const { status, message } = error as { status?: number; message?: string };
  const text = (error as { response?: { data?: { message?: string; errors?: { message?: string }[] } } }).response?.data;
  const said = [text?.message, ...(text?.errors ?? []).map((e) => e.message)].filter(Boolean).join(": ") || message || String(error);
  return getError("EPULLREQUESTFAILED", { action, status, message: said, releaseBranch, url });
}

/** Open the pull request `head` → `base` (title: the message's first line, body: the release notes), or update the open one. */
export async function openPullRequest(options: Where & { head: string; base: string; title: string; body: string }): Promise<ReleasePullRequest> {
  const { octokit, owner, repo, head, base, title, body } = options;
  try {
    const { data: open } = await octokit.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, head: `${owner}:${head}`, base, state: "open", per_page: 1 });
    const existing = open[0];
    if (existing) {
      const { data } = await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: existing.number, title, body });
      return toPullRequest(data as PullJson, true);
    }
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/pulls", { owner, repo, head, base, title, body, maintainer_can_modify: false });
    return toPullRequest(data as PullJson, false);
  } catch (error) {
    throw refused(error, `open the release pull request from ${head} into ${base}`, head);
  }
}

const ENQUEUE = `mutation EnqueueReleasePullRequest($id: ID!, $head: GitObjectID) {
  enqueuePullRequest(input: { pullRequestId: $id, expectedHeadOid: $head }) { mergeQueueEntry { state position } }
}`;

// @octokit/graphql reserves `method` (and `url`, `headers`) as variable names
const AUTO_MERGE = `mutation EnableReleaseAutoMerge($id: ID!, $mergeMethod: PullRequestMergeMethod!, $head: GitObjectID) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: $mergeMethod, expectedHeadOid: $head }) { pullRequest { number } }
}`;

/** The merge as it stands after the first attempt: whether GitHub now merges (or enqueues) it by itself, and whether it is enqueued. */
export interface MergeStart {
  /** auto-merge is on, or it is in the merge queue: GitHub goes on without the plugin */
  armed: boolean;
  enqueued: boolean;
}

/** `enqueuePullRequest`; false when GitHub says it cannot be enqueued yet (reviews, its own checks: UNPROCESSABLE). */
export async function enqueue({ octokit, pullRequest }: Where & { pullRequest: ReleasePullRequest }): Promise<boolean> {
  try {
    await octokit.graphql(ENQUEUE, { id: pullRequest.nodeId, head: pullRequest.headSha });
    return true;
  } catch (error) {
    if (graphqlType(error) === "UNPROCESSABLE") return false;
    throw error;
  }
}

function graphqlType(error: unknown): string | undefined {
  return (error as { errors?: { type?: string }[] }).errors?.[0]?.type;
}

/**
 * Start the merge: enable auto-merge when the repository allows it (under a merge queue GitHub then
 * enqueues the pull request once its checks pass), else enqueue it (under a merge queue), else
 * nothing: ./wait.ts merges it, or enqueues it, once GitHub allows. GitHub refuses auto-merge for a
 * pull request that nothing blocks any more ("clean status", docs/github.md §18.4): that one is
 * merged or enqueued directly.
 */
export async function startMerge(options: Where & { pullRequest: ReleasePullRequest; plan: MergePlan; releaseBranch: string }): Promise<MergeStart> {
  const { octokit, pullRequest, plan, releaseBranch } = options;
  const queue = plan.strategy === "merge-queue";
  try {
    if (plan.autoMergeMethod) {
      try {
        await octokit.graphql(AUTO_MERGE, { id: pullRequest.nodeId, head: pullRequest.headSha, mergeMethod: plan.autoMergeMethod.toUpperCase() });
        return { armed: true, enqueued: false };
      } catch (error) {
        if (!/in (clean|unstable) status/i.test(String((error as Error).message))) throw error;
      }
    }
    const enqueued = queue && (await enqueue(options));
    return { armed: enqueued, enqueued };
  } catch (error) {
    const action = plan.autoMergeMethod ? `enable auto-merge (${plan.autoMergeMethod}) on pull request #${pullRequest.number}` : `add pull request #${pullRequest.number} to the merge queue`;
    throw refused(error, action, releaseBranch, pullRequest.url);
  }
}
