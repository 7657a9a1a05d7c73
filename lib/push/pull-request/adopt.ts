// After the merge: the commit semantic-release tags must be on the base branch (README "Releasing
// through a pull request"). A merge commit keeps the release commit itself in the base's history:
// the tag goes on it, exactly the commit that was prepared. A squash or rebase merge writes a new
// commit (docs/github.md §18.1): the local branch is moved onto it as the API commit path does
// (../commit-via-api.ts: fetch, then `git reset` of the branch and the index), the work tree left as it is.
import { fetch, head, isAncestor, resetMixed, revParse } from "../../git/git.js";
import type { Env } from "../../types.js";

/** The commit to tag: the release commit when the base contains it, else the merged commit, now local HEAD. */
export async function adoptMergedCommit(options: { cwd: string; env: Env; remoteUrl: string; branch: string; mergedSha: string }): Promise<string> {
  const { cwd, env, remoteUrl, branch, mergedSha } = options;
  const gitOptions = { cwd, env };
  const releaseSha = await head(gitOptions);
  await fetch(remoteUrl, [`refs/heads/${branch}`], gitOptions);
  const baseSha = await revParse("FETCH_HEAD", gitOptions);
  if (baseSha && (await isAncestor(releaseSha, baseSha, gitOptions))) return releaseSha;
  if ((await revParse(mergedSha, gitOptions)) !== mergedSha) await fetch(remoteUrl, [mergedSha], gitOptions);
  // the branch and the index onto the merged commit; the work tree keeps the release files as committed
  await resetMixed(mergedSha, gitOptions);
  return mergedSha;
}
