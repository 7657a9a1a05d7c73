// The atomic release push (docs/architecture.md "How git authenticates"; docs/semantic-release.md §0.6–0.8,
// §8.5, §8.9): create the tag locally at HEAD, `git push --atomic <url> HEAD:refs/heads/<branch>
// refs/tags/<tag>`, delete the local tag again whatever happened (core re-creates it on the same
// commit; its own `git push --tags` is then a no-op, and a kept tag makes core's `git tag` fail).
// Auth travels in env (GIT_CONFIG_*); `remoteUrl` carries no credentials and none are added.
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import { GitError, deleteTag, head, lsRemote, push, revParse, tag as createTag, type GitOptions, type GitResult } from "../git/git.js";
import { scrubUrls } from "../errors/scrub-urls.js";
import type { Logger } from "../logger.js";
import {
  parseBypassNotice,
  parsePushRejection,
  parseRefStatuses,
  type BypassNotice,
  type PushRejection,
  type RefStatus,
} from "./parse-push-rejection.js";
import { planFloatingPush, type FloatingPush } from "./floating-tags.js";
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
  /** floating tags (`v1`, `v1.2`) moved to the release commit in the same atomic push (./floating-tags.ts) */
  floatingTags?: string[] | undefined;
  /** a GH013/GH006 refusal read another way (a burned tag name: ETAGBURNED); undefined keeps EPUSHREJECTED */
  explainRejection?: ((rejections: PushRejection[]) => SemanticReleaseError | undefined) | undefined;
  /** push only the tag: the branch already has the commit (it came through the release pull request, lib/push/pull-request/) */
  tagOnly?: boolean | undefined;
  /** the release commit still being made locally: the remote is read meanwhile, the push waits for it */
  committed?: Promise<unknown> | undefined;
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

/** Where the release branch and tag are on the remote (undefined: not there). */
interface RemoteRefs {
  branchSha: string | undefined;
  tagSha: string | undefined;
}

/** One release push: the options, the commit to release (local HEAD) and the two refs. */
interface Release extends Refs {
  sha: string;
}

/** What a release push knows before its commit exists. */
interface Refs {
  options: PushReleaseOptions;
  gitOptions: GitOptions;
  branchRef: string;
  tagRef: string;
}

/**
 * Pushes the release branch and tag: read the remote, decide the refspecs, push once (a network
 * error is retried once when nothing landed), then classify git's answer.
 */
export async function pushRelease(options: PushReleaseOptions): Promise<PushResult> {
  const { cwd, env, branch, tag } = options;
  const gitOptions: GitOptions = { cwd, env };
  const refs: Refs = { options, gitOptions, branchRef: `refs/heads/${branch}`, tagRef: `refs/tags/${tag}` };
  // the remote's refs do not depend on the local commit: read them while it is being made
  const remote = readRemoteBefore(refs);
  remote.catch(() => undefined); // awaited below, after the commit (whose failure comes first)
  await options.committed;
  const release: Release = { ...refs, sha: await head(gitOptions) };

  const [before, floating] = await Promise.all([
    remote,
    planFloatingPush({ names: options.floatingTags ?? [], sha: release.sha, remoteUrl: options.remoteUrl, git: gitOptions }),
  ]);
  const refspecs = [...decideRefspecs(release, before), ...floating.refspecs];
  if (refspecs.length === 0) {
    options.logger?.log("%s and %s are already at %s on the remote: nothing to push", branch, tag, release.sha.slice(0, 12));
    return { sha: release.sha, pushed: [], bypassed: [], attempts: 0 };
  }
  await refuseLocalTag(release);

  let retried = false;
  for (let attempts = 1; ; attempts++) {
    const { stderr, exitCode } = await pushOnce(release, refspecs, floating);
    if (exitCode === 0) return accepted(release, refspecs, stderr, attempts);
    await throwIfRefused(release, before, stderr);
    if (!retried && isTransient(stderr)) {
      const outcome = await afterNetworkError(release, before, refspecs);
      if (outcome === "landed") return { sha: release.sha, pushed: pushedRefs(release, refspecs), bypassed: [], attempts };
      if (outcome === "retry") {
        retried = true;
        continue;
      }
    }
    throw pushFailed(branch, tag, stderr, exitCode, retried);
  }
}

async function readRemote({ options, gitOptions, branchRef, tagRef }: Refs): Promise<RemoteRefs> {
  const refs = await lsRemote(options.remoteUrl, [branchRef, tagRef], gitOptions);
  return { branchSha: refs.get(branchRef), tagSha: refs.get(tagRef) };
}

/** The remote before the push; when it cannot be read, the push fails before anything was sent. */
async function readRemoteBefore(release: Refs): Promise<RemoteRefs> {
  try {
    return await readRemote(release);
  } catch (error) {
    const { branch, tag } = release.options;
    const output = error instanceof GitError ? error.stderr || error.message : String(error);
    throw getError("EPUSHFAILED", { branch, tag, via: "git", output: scrubUrls(output), hint: hintFor(output) });
  }
}

/** The refspecs still to push, given the remote; a remote tag at another commit is ETAGEXISTS. */
function decideRefspecs({ options, sha, branchRef, tagRef }: Release, before: RemoteRefs): string[] {
  if (before.tagSha !== undefined && before.tagSha !== sha) {
    throw getError("ETAGEXISTS", { tag: options.tag, existingSha: before.tagSha, headSha: sha, where: "remote" });
  }
  // Decision: the tag already on the remote at our commit (an earlier run, or made by hand) is
  // kept as it is and only the branch is pushed; nothing is overwritten either way.
  const refspecs: string[] = [];
  if (before.branchSha !== sha && options.tagOnly !== true) refspecs.push(`HEAD:${branchRef}`);
  if (before.tagSha === undefined) refspecs.push(tagRef);
  return refspecs;
}

async function refuseLocalTag({ options, gitOptions, sha, tagRef }: Release): Promise<void> {
  const localTag = await revParse(tagRef, gitOptions);
  if (localTag !== undefined) {
    // core runs `git tag <tag> <sha>` after prepare and fails on an existing tag (docs/semantic-release.md §8.9)
    throw getError("ETAGEXISTS", { tag: options.tag, existingSha: localTag, headSha: sha, where: "local" });
  }
}

/** One `git push --atomic`, with the local tag existing only for the push. */
async function pushOnce({ options, gitOptions, sha }: Release, refspecs: string[], floating: FloatingPush): Promise<GitResult> {
  const { cwd, env, remoteUrl, tag } = options;
  await createTag(tag, sha, gitOptions);
  try {
    return await push(remoteUrl, refspecs, { cwd, env, atomic: true, leases: floating.leases });
  } finally {
    // always: core re-creates the tag (docs/semantic-release.md §0.8)
    await deleteTag(tag, gitOptions);
  }
}

function pushedRefs({ branchRef }: Release, refspecs: string[]): string[] {
  return refspecs.map((spec) => (spec.startsWith("HEAD:") ? branchRef : spec.replace(/^[^:]*:/, "")));
}

function accepted(release: Release, refspecs: string[], stderr: string, attempts: number): PushResult {
  const bypassed = parseBypassNotice(stderr);
  for (const notice of bypassed) {
    release.options.logger?.log("GitHub: bypassed rule violations for %s: %s", notice.ref, notice.rules.join("; "));
  }
  return { sha: release.sha, pushed: pushedRefs(release, refspecs), bypassed, attempts };
}

/** Throws for a refusal that a retry cannot change: rules (GH013/GH006), another push first, the tag taken. */
async function throwIfRefused(release: Release, before: RemoteRefs, stderr: string): Promise<void> {
  const { options, sha } = release;
  const { branch, tag } = options;
  const rejections = parsePushRejection(stderr);
  if (rejections.length > 0) {
    const { actor, owner, repo, githubUrl } = options;
    throw options.explainRejection?.(rejections) ?? getError("EPUSHREJECTED", { rejections, actor, owner, repo, githubUrl, via: "git", tag });
  }
  const statuses = parseRefStatuses(stderr);
  const lostRace = LOST_RACE.test(stderr);
  if (rejectedAhead(statuses, branch) || lostRace) {
    const after = await readRemote(release).catch(() => undefined);
    if (!lostRace || (after !== undefined && after.branchSha !== before.branchSha)) {
      throw getError("EREMOTEAHEAD", { branch, localSha: sha, remoteSha: after?.branchSha, via: "git", tag });
    }
    if (after?.tagSha !== undefined && after.tagSha !== sha) {
      throw getError("ETAGEXISTS", { tag, existingSha: after.tagSha, headSha: sha, where: "remote" });
    }
  }
  if (statuses.some((status) => status.destination === tag && /already exists/i.test(status.reason))) {
    const after = await readRemote(release).catch(() => undefined);
    throw getError("ETAGEXISTS", { tag, existingSha: after?.tagSha, headSha: sha, where: "remote" });
  }
}

/**
 * After a network error, the remote decides: "landed" when the refs are there anyway, "retry" only
 * when nothing can have landed (the remote refs are where they were before), else undefined.
 */
async function afterNetworkError(release: Release, before: RemoteRefs, refspecs: string[]): Promise<"landed" | "retry" | undefined> {
  const { options, sha, tagRef } = release;
  const now = await readRemote(release).catch(() => undefined);
  if (now && (now.branchSha === sha || options.tagOnly === true) && (now.tagSha === sha || !refspecs.includes(tagRef))) {
    options.logger?.log("The push reported a network error, but %s and %s are on the remote", options.branch, options.tag);
    return "landed";
  }
  if (now && now.branchSha === before.branchSha && now.tagSha === before.tagSha) {
    options.logger?.warn("The push failed with a network error; retrying once");
    return "retry";
  }
  return undefined;
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
