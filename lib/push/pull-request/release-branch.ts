// The release branch of the pull-request mode (README "Releasing through a pull request"): the release
// commit pushed to `semantic-release/<tag>` as the App, and deleted again once the pull request is
// merged or has failed. The push runs like the atomic release push (../push-release.ts): the token
// only in git's environment, hooks off (lib/git/git-auth.ts), nothing in argv or the remote URL.
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../../definitions/constants.js";
import { getError } from "../../errors/get-error.js";
import { scrubUrls } from "../../errors/scrub-urls.js";
import { push } from "../../git/git.js";
import type { PreflightOctokit } from "../../preflight/fetch.js";
import type { Env } from "../../types.js";
import { parsePushRejection } from "../parse-push-rejection.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:pull-request`);

export interface ReleaseBranchPush {
  cwd: string;
  /** the network environment: the token in GIT_CONFIG_* entries, hooks off */
  env: Env;
  remoteUrl: string;
  releaseBranch: string;
  tag: string;
  actor: string;
  owner: string;
  repo: string;
  githubUrl: string;
}

/**
 * `git push --force -- <url> HEAD:refs/heads/<release branch>`: a release branch left by a failed run
 * (same tag, so same name) is replaced, not an error. GH013/GH006 → EPUSHREJECTED; anything else EPUSHFAILED.
 */
export async function pushReleaseBranch(options: ReleaseBranchPush): Promise<void> {
  const { cwd, env, remoteUrl, releaseBranch, tag } = options;
  const { exitCode, stderr } = await push(remoteUrl, [`+HEAD:refs/heads/${releaseBranch}`], { cwd, env });
  if (exitCode === 0) return;
  const rejections = parsePushRejection(stderr);
  if (rejections.length > 0) {
    const { actor, owner, repo, githubUrl } = options;
    throw getError("EPUSHREJECTED", { rejections, actor, owner, repo, githubUrl, via: "git", tag });
  }
  throw getError("EPUSHFAILED", { branch: releaseBranch, tag, via: "git", output: scrubUrls(stderr), exitCode });
}

/** `DELETE /repos/{o}/{r}/git/refs/heads/<release branch>`; true when it is gone (or was never there). */
export async function deleteReleaseBranch({ octokit, owner, repo, releaseBranch }: { octokit: PreflightOctokit; owner: string; repo: string; releaseBranch: string }): Promise<true | string> {
  try {
    await octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${releaseBranch}` });
    return true;
  } catch (error) {
    const status = (error as { status?: number }).status;
    // 422 "Reference does not exist": GitHub deleted it after the merge ("Automatically delete head branches")
    if (status === 422 || status === 404) return true;
    debug("deleting %s failed: %O", releaseBranch, error);
    return (error as Error).message ?? String(error);
  }
}
