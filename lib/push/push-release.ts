// The atomic release push (docs/architecture.md "How git authenticates"; docs/semantic-release.md §0.6–0.8,
// §8.5, §8.9): create the tag locally at HEAD, `git push --atomic <url> HEAD:refs/heads/<branch>
// refs/tags/<tag>`, delete the local tag again whatever happened (core re-creates it on the same
// commit; its own `git push --tags` is then a no-op, and a kept tag makes core's `git tag` fail).
// Auth travels in env (GIT_CONFIG_*); `remoteUrl` carries no credentials and none are added.
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import { GitError, deleteTag, head, lsRemote, push, revParse, tag as createTag, type GitOptions } from "../git/git.js";
import { scrubUrls } from "../errors/scrub-urls.js";
import type { Logger } from "../logger.js";
import {
  parseBypassNotice,
  parsePushRejection,
  parseRefStatuses,
  type BypassNotice,
  type RefStatus,
} from "./parse-push-rejection.js";
import type { Env } from "../types.js";

export interface PushReleaseOptions {
  cwd: string;
  env: Env;
  /** plain repository URL, no credentials (auth is in env) */
  remoteUrl: string;
  /** branch name */
  branch: string;
  /** tag name, e.g. v1.2.3 */
  tag: string;
  /** for error texts: the push actor (`<slug>[bot]`) and where the settings pages are */
  actor?: string;
  owner?: string;
  repo?: string;
  githubUrl?: string;
  logger?: Logger | undefined;
}

export interface PushResult {
  /** the commit the branch and tag now point to on the remote */
  sha: string;
  /** refs this call updated on the remote (empty when both were already there) */
  pushed: string[];
  /** "Bypassed rule violations" notices GitHub printed (the App used its bypass) */
  bypassed: BypassNotice[];
  /** push attempts made (2 when a transient failure was retried) */
  attempts: number;
}

/** Failures where nothing could have been written to the remote refs (retried once, if ls-remote agrees). */
const TRANSIENT = [
  /The requested URL returned error: 5\d\d/i,
  /RPC failed/i,
  /Connection reset/i,
  /Connection timed out|Operation timed out/i,
  /Failed to connect to/i,
  /Could not resolve host/i,
  /unexpected disconnect while reading sideband packet/i,
  /the remote end hung up unexpectedly/i,
  /early EOF/i,
  /HTTP\/2 stream \d+ was not closed cleanly/i,
  /gnutls_handshake\(\) failed|SSL_read|SSL_ERROR_SYSCALL/i,
];

const REMOTE_AHEAD_REASONS = /^(fetch first|non-fast-forward|stale info)$/i;

/**
 * The server refused the ref update itself: another push moved the ref after our ls-remote and after
 * git's own fast-forward check (two releases at once). git prints `cannot lock ref '…': is at X but
 * expected Y` and `(atomic transaction failed)` / `(failed to update ref)` for the refs.
 */
const LOST_RACE = /cannot lock ref|incorrect old value provided|\((failed to update ref|atomic transaction failed)\)/i;

function isTransient(stderr: string): boolean {
  return TRANSIENT.some((pattern) => pattern.test(stderr));
}

function hintFor(stderr: string): string | undefined {
  if (/returned error: 403|Permission to .* denied|denied to /i.test(stderr)) {
    return "GitHub refused the credentials for a push (403): the token needs `contents: write` on this repository, and the App must be installed on it. If the message names `github-actions[bot]`, the App token was not used: a header persisted by `actions/checkout` won (use `persist-credentials: false`).";
  }
  if (/returned error: 401|Authentication failed|could not read Username|terminal prompts disabled/i.test(stderr)) {
    return "The push was not authenticated (401): the App token was not sent or has expired.";
  }
  if (/pre-receive hook declined|hook declined/i.test(stderr)) {
    return "A server-side hook refused the push; its output is above.";
  }
  return undefined;
}

function rejectedAhead(statuses: RefStatus[], branch: string): boolean {
  return statuses.some(
    (status) => status.status === "rejected" && status.destination === branch && REMOTE_AHEAD_REASONS.test(status.reason),
  );
}

export async function pushRelease(options: PushReleaseOptions): Promise<PushResult> {
  const { cwd, env, remoteUrl, branch, tag } = options;
  const gitOptions: GitOptions = { cwd, env };
  const branchRef = `refs/heads/${branch}`;
  const tagRef = `refs/tags/${tag}`;
  const sha = await head(gitOptions);

  const readRemote = async () => {
    const refs = await lsRemote(remoteUrl, [branchRef, tagRef], gitOptions);
    return { branchSha: refs.get(branchRef), tagSha: refs.get(tagRef) };
  };

  let before;
  try {
    before = await readRemote();
  } catch (error) {
    const output = error instanceof GitError ? error.stderr || error.message : String(error);
    throw getError("EPUSHFAILED", { branch, tag, via: "git", output: scrubUrls(output), hint: hintFor(output) });
  }
  if (before.tagSha !== undefined && before.tagSha !== sha) {
    throw getError("ETAGEXISTS", { tag, existingSha: before.tagSha, headSha: sha, where: "remote" });
  }
  // Decision: the tag already on the remote at our commit (an earlier run, or made by hand) is
  // kept as it is and only the branch is pushed; nothing is overwritten either way.
  const refspecs: string[] = [];
  if (before.branchSha !== sha) refspecs.push(`HEAD:${branchRef}`);
  if (before.tagSha === undefined) refspecs.push(tagRef);
  if (refspecs.length === 0) {
    options.logger?.log("%s and %s are already at %s on the remote: nothing to push", branch, tag, sha.slice(0, 12));
    return { sha, pushed: [], bypassed: [], attempts: 0 };
  }

  const localTag = await revParse(tagRef, gitOptions);
  if (localTag !== undefined) {
    // core runs `git tag <tag> <sha>` after prepare and fails on an existing tag (docs/semantic-release.md §8.9)
    throw getError("ETAGEXISTS", { tag, existingSha: localTag, headSha: sha, where: "local" });
  }

  let attempts = 0;
  let retried = false;
  for (;;) {
    attempts += 1;
    let result;
    await createTag(tag, sha, gitOptions);
    try {
      result = await push(remoteUrl, refspecs, { cwd, env, atomic: true });
    } finally {
      // always: core re-creates the tag (docs/semantic-release.md §0.8)
      await deleteTag(tag, gitOptions);
    }
    const { stderr, exitCode } = result;
    if (exitCode === 0) {
      const bypassed = parseBypassNotice(stderr);
      for (const notice of bypassed) {
        options.logger?.log("GitHub: bypassed rule violations for %s: %s", notice.ref, notice.rules.join("; "));
      }
      return { sha, pushed: refspecs.map((spec) => (spec.startsWith("HEAD:") ? branchRef : spec)), bypassed, attempts };
    }

    const rejections = parsePushRejection(stderr);
    if (rejections.length > 0) {
      throw getError("EPUSHREJECTED", {
        rejections,
        actor: options.actor,
        owner: options.owner,
        repo: options.repo,
        githubUrl: options.githubUrl,
        via: "git",
        tag,
      });
    }
    const statuses = parseRefStatuses(stderr);
    const lostRace = LOST_RACE.test(stderr);
    if (rejectedAhead(statuses, branch) || lostRace) {
      const after = await readRemote().catch(() => undefined);
      if (!lostRace || (after !== undefined && after.branchSha !== before.branchSha)) {
        throw getError("EREMOTEAHEAD", { branch, localSha: sha, remoteSha: after?.branchSha, via: "git", tag });
      }
      if (after?.tagSha !== undefined && after.tagSha !== sha) {
        throw getError("ETAGEXISTS", { tag, existingSha: after.tagSha, headSha: sha, where: "remote" });
      }
    }
    if (statuses.some((status) => status.destination === tag && /already exists/i.test(status.reason))) {
      const after = await readRemote().catch(() => undefined);
      throw getError("ETAGEXISTS", { tag, existingSha: after?.tagSha, headSha: sha, where: "remote" });
    }

    if (!retried && isTransient(stderr)) {
      // retry only when nothing can have landed: the remote refs are where they were before
      const now = await readRemote().catch(() => undefined);
      if (now && now.branchSha === sha && (now.tagSha === sha || !refspecs.includes(tagRef))) {
        options.logger?.log("The push reported a network error, but %s and %s are on the remote", branch, tag);
        return { sha, pushed: refspecs.map((spec) => (spec.startsWith("HEAD:") ? branchRef : spec)), bypassed: [], attempts };
      }
      if (now && now.branchSha === before.branchSha && now.tagSha === before.tagSha) {
        retried = true;
        options.logger?.warn("The push failed with a network error; retrying once");
        continue;
      }
    }
    throw pushFailed(branch, tag, stderr, exitCode, retried);
  }
}

function pushFailed(branch: string, tag: string, stderr: string, exitCode: number, retried: boolean): SemanticReleaseError {
  return getError("EPUSHFAILED", {
    branch,
    tag,
    via: "git",
    output: scrubUrls(stderr),
    exitCode,
    hint: hintFor(stderr),
    retried,
  });
}
