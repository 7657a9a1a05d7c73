// commitMode "api" (docs/architecture.md "How git authenticates", last paragraph): the release commit is
// made through the Git database API so that GitHub signs it as the App's bot (docs/github.md §8: no
// author, committer or signature in the request). Near-atomic order: blobs → tree → commit →
// tag ref (POST git/refs) → branch (PATCH git/refs/heads/<b>, force: false); a refused branch
// update deletes the tag ref again. Then the local branch is moved onto the API commit, so core
// tags that commit and its own `git push --tags` is a no-op (docs/semantic-release.md §4, §8.9).
import { lstat, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import type { Octokit } from "@octokit/core";
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import { catBlob, fetch, git, hashObject, resetSoft, revParse, showPrefix, treeOf, type GitOptions } from "../git/git.js";
import { scrubUrls } from "../errors/scrub-urls.js";
import type { Logger } from "../logger.js";
import { readFailure, type FailedRequest } from "../octokit.js";
import { parseApiRejection } from "./parse-push-rejection.js";
import { FloatingTagError, moveFloatingTagsViaApi, restoreFloatingTags, type MovedTag } from "./floating-tags.js";
import type { Env } from "../types.js";

export interface CommitViaApiOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  /** branch name */
  branch: string;
  /** tag name */
  tag: string;
  cwd: string;
  env: Env;
  /** files to commit, relative to cwd (from selectAssetFiles); a missing file is a deletion */
  files: string[];
  message: string;
  /** the commit the release commit goes on: the local HEAD, which must be on the remote */
  parentSha: string;
  /** plain repository URL to fetch the API commit from (auth is in env) */
  remoteUrl: string;
  /** for error texts */
  actor?: string;
  githubUrl?: string;
  logger?: Logger | undefined;
  /** floating tags (`v1`, `v1.2`) moved right after the tag ref (./floating-tags.ts) */
  floatingTags?: string[] | undefined;
}

export interface ApiCommitResult {
  sha: string;
  tree: string;
  /** `verification.verified` of the created commit (GitHub signed it) */
  verified: boolean;
  /** `verification.reason`, e.g. "valid" or "unsigned" */
  verificationReason: string | undefined;
}

type TreeEntry = { path: string; mode: "100644" | "100755" | "120000"; type: "blob" } & ({ sha: string | null } | { content: string });

/**
 * Text up to this size goes into the tree request itself (`content`), saving one write per file:
 * GitHub asks for a second between write requests, which @octokit/plugin-throttling enforces.
 */
const INLINE_TEXT_MAX_BYTES = 512 * 1024;

/** the content as a string when sending it as UTF-8 text gives back exactly these bytes */
function asText(content: Buffer): string | undefined {
  if (content.length > INLINE_TEXT_MAX_BYTES || content.includes(0)) return undefined;
  const text = content.toString("utf8");
  return Buffer.from(text, "utf8").equals(content) ? text : undefined;
}

/** GitHub's whole message of a failed Git database request: a hook's text is in `errors[]` (docs/github.md §3.4) */
const wholeMessage = ({ githubMessage, errors }: FailedRequest): string => [githubMessage, ...errors].join("\n");

const NOT_FAST_FORWARD = /not a fast.?forward/i;

function warn(options: CommitViaApiOptions, message: string, ...args: unknown[]): void {
  options.logger?.warn(message, ...args);
}

/** One tree entry per file, with git's clean filters applied (what `git add` would store): text inline, anything else as a blob. */
async function treeEntry(options: CommitViaApiOptions, gitOptions: GitOptions, prefix: string, file: string): Promise<TreeEntry | undefined> {
  const path = posix.join(prefix, file.split("\\").join("/"));
  let stats;
  try {
    stats = await lstat(join(options.cwd, file));
  } catch {
    return { path, mode: "100644", type: "blob", sha: null }; // deleted in the work tree: `sha: null` removes it from base_tree
  }
  let content: Buffer;
  let mode: TreeEntry["mode"];
  if (stats.isSymbolicLink()) {
    content = Buffer.from(await readlink(join(options.cwd, file)));
    mode = "120000";
  } else if (stats.isFile()) {
    content = await catBlob(await hashObject(file, gitOptions), gitOptions);
    mode = stats.mode & 0o111 ? "100755" : "100644";
  } else {
    return undefined;
  }
  const text = asText(content);
  if (text !== undefined) return { path, mode, type: "blob", content: text };
  const { data } = await options.octokit.request("POST /repos/{owner}/{repo}/git/blobs", {
    owner: options.owner,
    repo: options.repo,
    content: content.toString("base64"),
    encoding: "base64",
  });
  return { path, mode, type: "blob", sha: data.sha };
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** One API release: the options and the two refs it creates or moves. */
interface ApiRelease {
  options: CommitViaApiOptions;
  gitOptions: GitOptions;
  tagRef: string;
  branchRef: string;
}

/**
 * Makes the release commit through the Git database API: blobs and tree, the commit, the tag ref then
 * the branch (the tag deleted again when the branch is refused), then the local branch moved onto it.
 */
export async function commitViaApi(options: CommitViaApiOptions): Promise<ApiCommitResult> {
  const { branch, tag, cwd, env } = options;
  const release: ApiRelease = { options, gitOptions: { cwd, env }, tagRef: `refs/tags/${tag}`, branchRef: `refs/heads/${branch}` };

  const result = await createCommit(release);
  if (!result.verified) {
    warn(
      options,
      "GitHub did not sign the release commit %s (verification: %s); a required_signatures rule will refuse it. Only an App or GITHUB_TOKEN gets bot commits signed (and GHES only with web commit signing on).",
      result.sha.slice(0, 12),
      result.verificationReason ?? "none",
    );
  }
  await createTagRef(release, result.sha);
  const moved = await moveFloatingTags(release, result.sha);
  await moveBranch(release, result.sha, moved);
  options.logger?.log("Created the release commit %s through the API%s", result.sha.slice(0, 12), result.verified ? " (verified)" : "");
  await bringHome(release, result.sha);
  return result;
}

/** A refusal by rules or a hook (GH013/GH006 in GitHub's message), else undefined. */
function rejected({ options }: ApiRelease, failure: FailedRequest, ref: string, tagLeftBehind?: boolean): SemanticReleaseError | undefined {
  const parsed = parseApiRejection(wholeMessage(failure));
  if (!parsed) return undefined;
  const { actor, owner, repo, githubUrl, tag } = options;
  return getError("EPUSHREJECTED", {
    rejections: [{ code: parsed.code, ref, rules: parsed.rules }],
    actor,
    owner,
    repo,
    githubUrl,
    via: "api",
    tag,
    tagLeftBehind,
  });
}

function failed({ options }: ApiRelease, failure: FailedRequest, step: string): SemanticReleaseError {
  return getError("EPUSHFAILED", {
    branch: options.branch,
    tag: options.tag,
    via: "api",
    output: `${step}: ${wholeMessage(failure)}`,
    status: failure.status,
    hint:
      failure.status === 403 || failure.status === 404
        ? "The token needs `contents: write` on this repository (the Git database endpoints answer 404 without it)."
        : undefined,
  });
}

/** 1. blobs and tree, on the parent's tree (content-addressed: the local tree sha is the remote's); 2. the commit */
async function createCommit(release: ApiRelease): Promise<ApiCommitResult> {
  const { options, gitOptions } = release;
  const { octokit, owner, repo, parentSha } = options;
  try {
    const prefix = await showPrefix(gitOptions);
    const entries = (await mapLimit(options.files, 4, (file) => treeEntry(options, gitOptions, prefix, file))).filter(
      (entry): entry is TreeEntry => entry !== undefined,
    );
    const baseTree = await treeOf(parentSha, gitOptions);
    const tree = await octokit.request("POST /repos/{owner}/{repo}/git/trees", { owner, repo, base_tree: baseTree, tree: entries });
    // no author, committer or signature, so GitHub signs it (docs/github.md §8)
    const created = await octokit.request("POST /repos/{owner}/{repo}/git/commits", {
      owner,
      repo,
      message: options.message,
      tree: tree.data.sha,
      parents: [parentSha],
    });
    const { verification } = created.data;
    return { sha: created.data.sha, tree: tree.data.sha, verified: verification?.verified === true, verificationReason: verification?.reason };
  } catch (error) {
    if ((error as { semanticRelease?: boolean }).semanticRelease) throw error;
    const failure = readFailure(error);
    throw rejected(release, failure, release.branchRef) ?? failed(release, failure, "creating the release commit through the API");
  }
}

/** 3. the tag ref first: if it cannot be created, the branch is not touched */
async function createTagRef(release: ApiRelease, commitSha: string): Promise<void> {
  const { options, tagRef } = release;
  const { octokit, owner, repo, tag } = options;
  try {
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", { owner, repo, ref: tagRef, sha: commitSha });
  } catch (error) {
    const failure = readFailure(error);
    if (!(failure.status === 422 && /already exists/i.test(wholeMessage(failure)))) {
      throw rejected(release, failure, tagRef) ?? failed(release, failure, `creating ${tagRef}`);
    }
    const existing = await octokit
      .request("GET /repos/{owner}/{repo}/git/ref/{ref}", { owner, repo, ref: `tags/${tag}` })
      .then(({ data }) => data.object.sha)
      .catch(() => undefined);
    // a retried POST whose first attempt landed (plugin-retry) created exactly our ref
    if (existing !== commitSha) {
      throw getError("ETAGEXISTS", { tag, existingSha: existing, headSha: commitSha, where: "remote" });
    }
  }
}

/** 3b. the floating tags right after the tag ref (docs/github.md §15.2); if refused, take the tag back */
async function moveFloatingTags(release: ApiRelease, commitSha: string): Promise<MovedTag[]> {
  const { options } = release;
  const { octokit, owner, repo, tag } = options;
  if (!options.floatingTags?.length) return [];
  try {
    return await moveFloatingTagsViaApi({ octokit, owner, repo, names: options.floatingTags, sha: commitSha });
  } catch (error) {
    const failure = readFailure(error instanceof FloatingTagError ? error.cause : error);
    const tagLeftBehind = await octokit
      .request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `tags/${tag}` })
      .then(() => false)
      .catch(() => true);
    const ref = error instanceof FloatingTagError ? `refs/tags/${error.tag}` : release.tagRef;
    throw rejected(release, failure, ref, tagLeftBehind) ?? failed(release, failure, `moving ${ref}`);
  }
}

/** 4. fast-forward the branch; if refused, take the tag (and the floating tags) back */
async function moveBranch(release: ApiRelease, commitSha: string, moved: MovedTag[] = []): Promise<void> {
  const { options, tagRef, branchRef } = release;
  const { octokit, owner, repo, branch, tag } = options;
  try {
    await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${branch}`, sha: commitSha, force: false });
  } catch (error) {
    const failure = readFailure(error);
    await restoreFloatingTags({ octokit, owner, repo, moved });
    const tagLeftBehind = await octokit
      .request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `tags/${tag}` })
      .then(() => false)
      .catch(() => true);
    if (tagLeftBehind) warn(options, "Could not delete %s again after the branch update failed; delete it by hand", tagRef);
    if (NOT_FAST_FORWARD.test(wholeMessage(failure))) {
      throw getError("EREMOTEAHEAD", { branch, localSha: options.parentSha, via: "api", tag, tagLeftBehind });
    }
    throw rejected(release, failure, branchRef, tagLeftBehind) ?? failed(release, failure, `updating ${branchRef}`);
  }
}

/** 5. bring the commit home: the local branch moves onto it, the work tree stays as it is */
async function bringHome({ options, gitOptions, tagRef }: ApiRelease, commitSha: string): Promise<void> {
  try {
    await fetch(options.remoteUrl, [tagRef], gitOptions);
    if ((await revParse(commitSha, gitOptions)) !== commitSha) throw new Error(`the fetched ${tagRef} is not ${commitSha}`);
    await resetSoft(commitSha, gitOptions);
    // --soft keeps the old index; re-read the committed paths so `git status` is clean for them
    if (options.files.length > 0) await git(["reset", "-q", commitSha, "--", ...options.files], gitOptions);
  } catch (error) {
    const output = (error as { stderr?: string }).stderr || (error as Error).message;
    throw getError("EPUSHFAILED", {
      branch: options.branch,
      tag: options.tag,
      via: "api",
      output: scrubUrls(output),
      landed: true,
      hint: `The release commit ${commitSha} and the tag are on GitHub, but the local clone could not be moved onto it (\`git fetch\` + \`git reset --soft\`).`,
    });
  }
}
