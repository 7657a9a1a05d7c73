// prepare in the pull-request mode (README "Releasing through a pull request"; docs/architecture.md
// "The pull-request mode"): the release commit, already made locally, goes to the release branch as
// the App; the App opens the pull request and starts its merge (merge queue, auto-merge or a REST
// merge); once merged, the local branch follows the base and the tag is pushed as the App (the tag
// rules were judged before). The release branch is deleted in every outcome; on a failure the pull
// request is closed first, nothing is tagged, and the error names the pull request.
import { getError } from "../../errors/get-error.js";
import { PULL_REQUEST_LOGS } from "../../errors/pull-request.js";
import type { Logger } from "../../logger.js";
import type { PreflightOctokit } from "../../preflight/fetch.js";
import { releaseBranchName, type MergePlan } from "../../preflight/pull-request.js";
import type { Env } from "../../types.js";
import { pushRelease, type PushReleaseOptions, type PushResult } from "../push-release.js";
import { adoptMergedCommit } from "./adopt.js";
import { openPullRequest, startMerge, type ReleasePullRequest } from "./open.js";
import { deleteReleaseBranch, pushReleaseBranch } from "./release-branch.js";
import { waitForMerge } from "./wait.js";

export interface PullRequestRelease {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
  githubUrl: string;
  remoteUrl: string;
  cwd: string;
  /** the base branch */
  branch: string;
  tag: string;
  /** the release commit's message: its first line is the title */
  message: string;
  notes: string | undefined;
  plan: MergePlan;
  timeoutMs: number;
  actor: string;
  logger: Logger;
  /** runs a git network command with the App token in its environment only, hooks off (lib/session/session.ts) */
  withNetworkEnv: <T>(task: (env: Env) => Promise<T>) => Promise<T>;
  /** re-mints the token when it nears expiry */
  fresh: () => Promise<unknown>;
  /** false when the token lacks Checks: read: failing checks are not looked for (./wait.ts) */
  checksReadable?: boolean | undefined;
  /** floating tags (`v1`, `v1.2`) moved onto the adopted commit in the tag's own atomic push (../floating-tags.ts) */
  floatingTags?: string[] | undefined;
  /** a GH013/GH006 refusal of the tag push read another way (a burned tag name) */
  explainRejection?: PushReleaseOptions["explainRejection"];
}

/** The release through a pull request; the tag push's result. */
export async function releaseThroughPullRequest(options: PullRequestRelease): Promise<PushResult> {
  const { octokit, owner, repo, branch, tag, logger, cwd, remoteUrl } = options;
  const releaseBranch = releaseBranchName(tag);
  const where = { octokit, owner, repo };
  let pullRequest: ReleasePullRequest | undefined;
  let mergedSha: string;
  try {
    await options.withNetworkEnv((env) => pushReleaseBranch({ cwd, env, remoteUrl, releaseBranch, tag, actor: options.actor, owner, repo, githubUrl: options.githubUrl }));
    const title = options.message.split("\n")[0]!.trim();
    pullRequest = await openPullRequest({ ...where, head: releaseBranch, base: branch, title, body: options.notes ?? "" });
    logger.log(PULL_REQUEST_LOGS.opened(pullRequest));
    if (options.plan.reviews > 0) logger.log(PULL_REQUEST_LOGS.reviews({ count: options.plan.reviews, branch }));
    const { plan } = options;
    const context = { url: pullRequest.url, number: pullRequest.number, releaseBranch, branch, tag };
    const opened = pullRequest;
    const start = await startMerge({ ...where, pullRequest, plan, releaseBranch }).catch(async (error: unknown) => {
      // closed (or merged) by someone in the moment since it was opened: say that, not the refused mutation
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: opened.number });
      if (data.state === "closed" && !data.merged) throw getError("EPULLREQUESTCLOSED", { ...context, closedBy: undefined });
      throw error;
    });
    logger.log(PULL_REQUEST_LOGS.strategy({ plan, start }));
    mergedSha = await waitForMerge({ ...where, pullRequest, plan, start, context, timeoutMs: options.timeoutMs, logger, fresh: options.fresh, checksReadable: options.checksReadable });
  } catch (error) {
    await cleanUp({ ...options, releaseBranch, pullRequest });
    throw error;
  }
  const tagged = await options.withNetworkEnv((env) => adoptMergedCommit({ cwd, env, remoteUrl, branch, mergedSha }));
  logger.log(PULL_REQUEST_LOGS.merged({ number: pullRequest.number, sha: mergedSha, tagged }));
  await cleanUp({ ...options, releaseBranch, pullRequest: undefined });
  try {
    // the tag and the floating tags onto the adopted commit (HEAD now), together or not at all, as the App
    const { floatingTags, explainRejection } = options;
    return await options.withNetworkEnv((env) =>
      pushRelease({ cwd, env, remoteUrl, branch, tag, actor: options.actor, owner, repo, githubUrl: options.githubUrl, logger, tagOnly: true, floatingTags, explainRejection }),
    );
  } catch (error) {
    // the tag rules were judged before, but GitHub has the last word: the merge cannot be taken back
    logger.error(PULL_REQUEST_LOGS.tagAfterMerge({ number: pullRequest.number, tag, sha: tagged, branch, floatingTags: options.floatingTags }));
    throw error;
  }
}

/** Close the pull request (a failed run) and delete the release branch; a failure here is only logged. */
async function cleanUp(options: PullRequestRelease & { releaseBranch: string; pullRequest: ReleasePullRequest | undefined }): Promise<void> {
  const { octokit, owner, repo, releaseBranch, pullRequest, logger } = options;
  if (pullRequest) {
    await octokit.request("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: pullRequest.number, state: "closed" }).catch(() => undefined);
  }
  const deleted = await deleteReleaseBranch({ octokit, owner, repo, releaseBranch });
  if (deleted !== true) logger.warn(PULL_REQUEST_LOGS.notDeleted({ releaseBranch, message: deleted }));
}
