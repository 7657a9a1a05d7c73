// Open the release pull request as the App and start its merge (README "Releasing through a pull
// request"; docs/github.md §18.1, §18.4, §18.6): the pull request from the release branch, or the one a failed run
// left open from it, updated; then, by the merge plan (lib/preflight/pull-request.ts), enqueued in the
// merge queue (GraphQL `enqueuePullRequest`: there is no REST call) or set to merge itself (GraphQL
// `enablePullRequestAutoMerge`); with neither, ./wait.ts merges it through REST once GitHub allows it.
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

const AUTO_MERGE = `mutation EnableReleaseAutoMerge($id: ID!, $method: PullRequestMergeMethod!, $head: GitObjectID) {
  enablePullRequestAutoMerge(input: { pullRequestId: $id, mergeMethod: $method, expectedHeadOid: $head }) { pullRequest { number } }
}`;

/** Enqueue it, or enable auto-merge; nothing for a plain merge (./wait.ts merges it). */
export async function startMerge(options: Where & { pullRequest: ReleasePullRequest; plan: MergePlan; releaseBranch: string }): Promise<void> {
  const { octokit, pullRequest, plan, releaseBranch } = options;
  const variables = { id: pullRequest.nodeId, head: pullRequest.headSha };
  try {
    if (plan.strategy === "merge-queue") await octokit.graphql(ENQUEUE, variables);
    else if (plan.strategy === "auto-merge") await octokit.graphql(AUTO_MERGE, { ...variables, method: plan.method.toUpperCase() });
  } catch (error) {
    const action = plan.strategy === "merge-queue" ? `add pull request #${pullRequest.number} to the merge queue` : `enable auto-merge (${plan.method}) on pull request #${pullRequest.number}`;
    throw refused(error, action, releaseBranch, pullRequest.url);
  }
}
