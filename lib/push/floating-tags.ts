// Moving the floating tags (`floatingTags: true`, docs/github.md §15.2) with the release. In git mode
// they join the release's one `git push --atomic`, each with `--force-with-lease=<ref>:<where it was>`
// (empty: must not exist yet), so the branch, the release tag and the floating tags land together or
// not at all, and a floating tag someone moved meanwhile refuses the whole push. Through the API they
// move right after the tag ref (PATCH with force, or POST when new) and are put back if a later step
// is refused.
import type { Octokit } from "@octokit/core";
import { git, lsRemote, type GitOptions } from "../git/git.js";

/** What the atomic push adds for the floating tags. */
export interface FloatingPush {
  /** `<sha>:refs/tags/v1` for each floating tag not already at the release commit */
  refspecs: string[];
  /** `--force-with-lease=refs/tags/v1:<sha it is at, or empty>` for each of them */
  leases: string[];
}

/** Where the floating tags are on the remote now, and the refspecs and leases that move them to `sha`. */
export async function planFloatingPush(options: { names: string[]; sha: string; remoteUrl: string; git: GitOptions }): Promise<FloatingPush> {
  const { names, sha } = options;
  if (names.length === 0) return { refspecs: [], leases: [] };
  const refs = names.map((name) => `refs/tags/${name}`);
  const remote = await lsRemote(options.remoteUrl, refs, { ...options.git, peel: false });
  const moving = refs.filter((ref) => remote.get(ref) !== sha);
  return {
    refspecs: moving.map((ref) => `${sha}:${ref}`),
    leases: moving.map((ref) => `--force-with-lease=${ref}:${remote.get(ref) ?? ""}`),
  };
}

/**
 * After the release: the local floating tags where the remote ones now are. semantic-release pushes
 * every local tag after prepare (`git push --tags`), and a local `v1` still at the old commit would
 * be refused as "already exists" (docs/semantic-release.md §0.8 for the release tag's own case).
 */
export async function alignLocalFloatingTags(options: { names: string[]; sha: string; git: GitOptions }): Promise<void> {
  for (const name of options.names) await git(["tag", "-f", name, options.sha], options.git);
}

/** A floating tag GitHub refused to move or create through the API; `cause` is the failed request. */
export class FloatingTagError extends Error {
  constructor(
    readonly tag: string,
    override readonly cause: unknown,
  ) {
    super(`moving refs/tags/${tag} failed`);
  }
}

/** A floating tag moved through the API, and where it was (undefined: it was created). */
export interface MovedTag {
  name: string;
  previous: string | undefined;
}

interface ApiWhere {
  octokit: Octokit;
  owner: string;
  repo: string;
}

async function currentSha({ octokit, owner, repo }: ApiWhere, name: string): Promise<string | undefined> {
  try {
    // 404 is the usual answer for a floating tag not created yet: not retried
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `tags/${name}`, request: { retries: 0 } });
    return (data as { object: { sha: string } }).object.sha;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/**
 * commitMode "api": move each floating tag to `sha` (PATCH with `force: true`, POST when new). On a
 * refusal the tags already moved are put back and the refusal is thrown; returns what moved.
 */
export async function moveFloatingTagsViaApi(options: ApiWhere & { names: string[]; sha: string }): Promise<MovedTag[]> {
  const { octokit, owner, repo, sha } = options;
  const moved: MovedTag[] = [];
  try {
    for (const name of options.names) {
      const previous = await currentSha(options, name);
      if (previous === sha) continue;
      const request =
        previous === undefined
          ? octokit.request("POST /repos/{owner}/{repo}/git/refs", { owner, repo, ref: `refs/tags/${name}`, sha })
          : octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `tags/${name}`, sha, force: true });
      await request.catch((error: unknown) => {
        throw new FloatingTagError(name, error);
      });
      moved.push({ name, previous });
    }
    return moved;
  } catch (error) {
    await restoreFloatingTags({ ...options, moved });
    throw error;
  }
}

/** Put moved floating tags back where they were (delete the ones created); best effort, never throws. */
export async function restoreFloatingTags({ octokit, owner, repo, moved }: ApiWhere & { moved: MovedTag[] }): Promise<void> {
  for (const { name, previous } of [...moved].reverse()) {
    const ref = `tags/${name}`;
    await (previous === undefined
      ? octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref })
      : octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref, sha: previous, force: true })
    ).catch(() => undefined);
  }
}
