// The release commit, with @semantic-release/git's meaning of `assets` and `message`
// (docs/semantic-release.md §7.1; node_modules/@semantic-release/git/lib/prepare.js), so this
// plugin is a drop-in replacement: modified + untracked files (`git ls-files -m -o`), filtered
// by the asset globs with micromatch, `git add --force --ignore-errors`, `git commit -F -`.
import { stat } from "node:fs/promises";
import { isAbsolute, join, posix, relative, resolve } from "node:path";
import template from "lodash-es/template.js";
import micromatch from "micromatch";
import { add, commit, modifiedFiles, type GitOptions } from "../git/git.js";
import type { Env } from "../types.js";
import type { Logger } from "../logger.js";
import { DEFAULT_MESSAGE } from "../definitions/constants.js";

export interface ReleaseInfo {
  version: string;
  gitTag: string;
  gitHead?: string;
  notes?: string;
  channel?: string | null;
  [key: string]: unknown;
}

export interface MessageData {
  /** the branch name (`branch` in the template, as in @semantic-release/git) */
  branch: string;
  lastRelease: Record<string, unknown> | undefined;
  nextRelease: ReleaseInfo;
}


/** The commit message: the lodash template `message` with `branch`, `lastRelease`, `nextRelease`. */
export function renderMessage(message: string | undefined, data: MessageData): string {
  return template(message || DEFAULT_MESSAGE)({
    branch: data.branch,
    lastRelease: data.lastRelease ?? {},
    nextRelease: data.nextRelease,
  });
}

/** The dir-glob step of @semantic-release/git: a pattern naming a directory means everything below it. */
async function expandDirectories(pattern: string, cwd: string): Promise<string> {
  const negated = pattern.startsWith("!");
  const path = negated ? pattern.slice(1) : pattern;
  try {
    if ((await stat(isAbsolute(path) ? path : join(cwd, path))).isDirectory()) return posix.join(pattern, "**");
  } catch {
    // not a path on disk: a glob or a missing file
  }
  return pattern;
}

/** Whether a path from `git ls-files` (relative to cwd) stays inside cwd. */
function insideCwd(file: string, cwd: string): boolean {
  const rel = relative(cwd, resolve(cwd, file));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

/**
 * Files to commit: `git ls-files -m -o` filtered by `assets` (each glob on its own, like
 * @semantic-release/git: `dot: true`; a negated glob alone is taken literally, `nonegate`,
 * because on its own it would select nearly everything). Paths are relative to `cwd`; a path
 * outside `cwd` is never returned.
 */
export async function selectAssetFiles(assets: string[] | false, options: GitOptions): Promise<string[]> {
  if (assets === false || assets.length === 0) return [];
  const candidates = (await modifiedFiles(options)).filter((file) => insideCwd(file, options.cwd));
  const selected = new Set<string>();
  for (const asset of assets) {
    if (typeof asset !== "string" || asset === "") continue;
    const pattern = await expandDirectories(asset, options.cwd);
    const nonegate = pattern.startsWith("!");
    for (const file of micromatch(candidates, [pattern], { dot: true, nonegate })) selected.add(file);
  }
  return [...selected];
}

export interface CommitAssetsOptions {
  assets: string[] | false;
  /** the rendered commit message (renderMessage) */
  message: string;
  cwd: string;
  /** git's environment; its GIT_AUTHOR_* / GIT_COMMITTER_* entries make the author and committer (the App's bot, or the user's explicit identity) */
  env: Env;
  logger?: Logger | undefined;
}

/** Commit the asset files. No matching file (or `assets: false`) → no commit. */
export async function commitAssets(options: CommitAssetsOptions): Promise<{ committed: boolean; files: string[] }> {
  const gitOptions = { cwd: options.cwd, env: options.env };
  const files = await selectAssetFiles(options.assets, gitOptions);
  if (files.length === 0) {
    options.logger?.log(options.assets === false ? "No release commit (assets: false)" : "No asset file changed: no release commit");
    return { committed: false, files };
  }
  options.logger?.log("Found %d file(s) to commit", files.length);
  await add(files, gitOptions);
  await commit(options.message, gitOptions);
  return { committed: true, files };
}
