// What the pull-request mode reads besides the preflight's facts (lib/preflight/fetch.ts): the
// repository's merge settings (`GET /repos/{owner}/{repo}`, Metadata: read) and, once the tag is known,
// the rulesets on the release branch. Plain data for the judge (./pull-request.ts).
import type { MergeSettings } from "./pull-request.js";
import type { PreflightOctokit } from "./fetch.js";

/**
 * The `allow_*` fields of the repository (https://docs.github.com/en/rest/repos/repos#get-a-repository).
 * A field GitHub leaves out counts as GitHub's default: merge, rebase and squash allowed, auto-merge off.
 */
export async function readMergeSettings({ octokit, owner, repo }: { octokit: PreflightOctokit; owner: string; repo: string }): Promise<MergeSettings> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}", { owner, repo });
  return {
    allowMergeCommit: data.allow_merge_commit !== false,
    allowRebaseMerge: data.allow_rebase_merge !== false,
    allowSquashMerge: data.allow_squash_merge !== false,
    allowAutoMerge: data.allow_auto_merge === true,
  };
}
