// One small async function per git command (after https://github.com/semantic-release/git/blob/master/lib/git.js).
// node:child_process execFile, no shell, arguments as arrays, `{ cwd, env }` from the caller,
// commit messages on stdin. Credentials never go into argv: auth travels in env as
// GIT_CONFIG_* (docs/architecture.md "How git authenticates"; all error text built here is still scrubbed
// of URL userinfo, because a failed command's argv is the classic leak
// (docs/semantic-release.md §8.6).
import { execFile } from "node:child_process";
import type { Env } from "../types.js";
import { scrubUrls } from "../errors/scrub-urls.js";

export interface GitOptions {
  cwd: string;
  /** merged over process.env like execa's `extendEnv` (core does the same, docs/semantic-release.md §1.2);
   * a key set to `undefined` is removed from the child's environment */
  env?: Env;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A git command that exited non-zero. `message`, `command` and `stderr` are scrubbed of URL userinfo. */
export class GitError extends Error {
  override name = "GitError";
  constructor(
    /** `git <args>` with userinfo removed from URLs */
    readonly command: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`${command} failed${exitCode === null ? "" : ` with exit code ${exitCode}`}${stderr.trim() ? `:\n${stderr.trim()}` : ""}`);
  }
}

// git strips URL userinfo from its own messages, but our argv does not: every text built here goes through the one scrubber
export { scrubUrls };

const MAX_BUFFER = 256 * 1024 * 1024;

function childEnv(env: Env | undefined): NodeJS.ProcessEnv {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  // never hang on a credential prompt (core sets the same, docs/semantic-release.md §1.2 step 1)
  if (merged.GIT_TERMINAL_PROMPT === undefined && !(env && "GIT_TERMINAL_PROMPT" in env)) merged.GIT_TERMINAL_PROMPT = "0";
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  return merged as NodeJS.ProcessEnv;
}

/** Run `git ...args`. Rejects with a GitError unless `reject: false`. */
export function git(args: string[], options: GitOptions & { input?: string; reject?: boolean }): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      { cwd: options.cwd, env: childEnv(options.env), maxBuffer: MAX_BUFFER, encoding: "utf8", windowsHide: true },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : null) : 0;
        if (error && options.reject !== false) {
          const command = scrubUrls(["git", ...args].join(" "));
          // spawn errors (ENOENT) have no stderr: keep their own message, scrubbed
          const text = stderr || (typeof error.code === "string" ? error.message : "");
          reject(new GitError(command, exitCode, scrubUrls(stdout), scrubUrls(text)));
          return;
        }
        resolve({ stdout, stderr, exitCode: exitCode ?? 1 });
      },
    );
    // a command that exits without reading stdin makes the write fail with EPIPE: its exit status tells
    child.stdin?.on("error", () => {});
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Like `git()`, with stdout as raw bytes (blob contents). */
export function gitBuffer(args: string[], options: GitOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      { cwd: options.cwd, env: childEnv(options.env), maxBuffer: MAX_BUFFER, encoding: "buffer", windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const exitCode = typeof error.code === "number" ? error.code : null;
          reject(new GitError(scrubUrls(["git", ...args].join(" ")), exitCode, "", scrubUrls(stderr.toString("utf8"))));
          return;
        }
        resolve(stdout);
      },
    );
    child.stdin?.on("error", () => {});
    child.stdin?.end();
  });
}

function lines(text: string, separator: string | RegExp = "\n"): string[] {
  return text.split(separator).filter((line) => line !== "");
}

/**
 * Modified and untracked files, relative to `cwd` (`git ls-files -m -o`, as @semantic-release/git,
 * docs/semantic-release.md §7.1). `-z` keeps unusual names unquoted; `--deduplicate` drops the
 * repeated entries of unmerged paths.
 */
export async function modifiedFiles(options: GitOptions): Promise<string[]> {
  const { stdout } = await git(["ls-files", "-z", "-m", "-o", "--deduplicate"], options);
  return [...new Set(lines(stdout, "\0"))];
}

/** `git add --force --ignore-errors -- files` (never rejects, as @semantic-release/git). */
export async function add(files: string[], options: GitOptions): Promise<GitResult> {
  return git(["add", "--force", "--ignore-errors", "--", ...files], { ...options, reject: false });
}

/** `git commit -F -` with the message on stdin. */
export async function commit(message: string, options: GitOptions): Promise<void> {
  await git(["commit", "-F", "-"], { ...options, input: message });
}

/** A lightweight tag, like core's `git tag <tag> <sha>` (docs/semantic-release.md §1.2 step 14). */
export async function tag(name: string, ref: string, options: GitOptions): Promise<void> {
  await git(["tag", name, ref], options);
}

/** `git tag -d <name>`; true when a tag was deleted. */
export async function deleteTag(name: string, options: GitOptions): Promise<boolean> {
  const { exitCode } = await git(["tag", "-d", name], { ...options, reject: false });
  return exitCode === 0;
}

/** The commit a local ref points to (peeled), or undefined when it does not exist. */
export async function revParse(ref: string, options: GitOptions): Promise<string | undefined> {
  const { stdout, exitCode } = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { ...options, reject: false });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** The sha of HEAD. */
export async function head(options: GitOptions): Promise<string> {
  const { stdout } = await git(["rev-parse", "HEAD"], options);
  return stdout.trim();
}

/** The tree of a commit. */
export async function treeOf(commitSha: string, options: GitOptions): Promise<string> {
  const { stdout } = await git(["rev-parse", `${commitSha}^{tree}`], options);
  return stdout.trim();
}

/** Path of `cwd` inside the work tree ("" at the top, else ending in "/"). */
export async function showPrefix(options: GitOptions): Promise<string> {
  const { stdout } = await git(["rev-parse", "--show-prefix"], options);
  return stdout.trim();
}

/** `git hash-object -w --path <path> <file>`: writes the blob git would commit (clean filters applied). */
export async function hashObject(file: string, options: GitOptions): Promise<string> {
  const { stdout } = await git(["hash-object", "-w", `--path=${file}`, "--", file], options);
  return stdout.trim();
}

/** The raw bytes of a blob. */
export function catBlob(sha: string, options: GitOptions): Promise<Buffer> {
  return gitBuffer(["cat-file", "blob", sha], options);
}

/**
 * `git ls-remote <url> <refs...>` → ref → sha. For annotated tags the peeled commit (`^{}` line)
 * replaces the tag object's sha, so the value is always the commit the ref designates.
 */
export async function lsRemote(url: string, refs: string[], options: GitOptions & { peel?: boolean }): Promise<Map<string, string>> {
  // the peeled line only matches a pattern that names it; `peel: false` keeps an annotated tag's own object
  const patterns = refs.flatMap((ref) => (ref.startsWith("refs/tags/") && options.peel !== false ? [ref, `${ref}^{}`] : [ref]));
  const { stdout } = await git(["ls-remote", "--", url, ...patterns], options);
  const result = new Map<string, string>();
  const peeled = new Map<string, string>();
  for (const line of lines(stdout)) {
    const [sha, ref] = line.split("\t");
    if (!sha || !ref) continue;
    if (ref.endsWith("^{}")) peeled.set(ref.slice(0, -3), sha);
    else result.set(ref, sha);
  }
  for (const [ref, sha] of peeled) result.set(ref, sha);
  return result;
}

/**
 * `git push [--atomic] -- <url> <refspecs...>`. Resolves with git's output even when the push was
 * refused (`exitCode` ≠ 0): the caller classifies the rejection from stderr.
 */
export async function push(
  url: string,
  refspecs: string[],
  options: GitOptions & { atomic?: boolean; leases?: string[] | undefined },
): Promise<GitResult> {
  // leases: `--force-with-lease=<ref>:<expected>` (docs/github.md §15.2), one per ref that may be moved
  const args = ["push", ...(options.atomic ? ["--atomic"] : []), ...(options.leases ?? []), "--", url, ...refspecs];
  const result = await git(args, { cwd: options.cwd, env: options.env, reject: false });
  return { ...result, stdout: scrubUrls(result.stdout), stderr: scrubUrls(result.stderr) };
}

/** `git fetch --no-tags -- <url> <refspecs...>` (no tag auto-following: core creates the tag itself). */
export async function fetch(url: string, refspecs: string[], options: GitOptions): Promise<void> {
  await git(["fetch", "--no-tags", "--quiet", "--", url, ...refspecs], options);
}

/** `git reset --soft <sha>`: move the branch, keep index and work tree. */
export async function resetSoft(sha: string, options: GitOptions): Promise<void> {
  await git(["reset", "--soft", sha], options);
}

/** `git reset --mixed -q <sha>`: move the branch and the index, keep the work tree. */
export async function resetMixed(sha: string, options: GitOptions): Promise<void> {
  await git(["reset", "--mixed", "-q", sha], options);
}

/** Whether `ancestor` is an ancestor of (or equal to) `descendant`; false when either is unknown locally. */
export async function isAncestor(ancestor: string, descendant: string, options: GitOptions): Promise<boolean> {
  const { exitCode } = await git(["merge-base", "--is-ancestor", ancestor, descendant], { ...options, reject: false });
  return exitCode === 0;
}
