// The release commit, with @semantic-release/git's meaning of `assets` and `message`
// (docs/semantic-release.md §7.1; https://github.com/semantic-release/git/blob/master/lib/prepare.js),
// so this plugin is a drop-in replacement: modified + untracked files (`git ls-files -m -o`), filtered
// by the asset glob groups with dir-glob's directory rule and micromatch, `git add --force
// --ignore-errors`, `git commit -F -`. README.md "assets" lists where it differs.
import { stat } from "node:fs/promises";
import { isAbsolute, join, posix, relative, resolve } from "node:path";
import template from "lodash-es/template.js";
import micromatch from "micromatch";
import { add, commit, modifiedFiles, type GitOptions } from "../git/git.js";
import type { AssetEntry, Env } from "../types.js";
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

/**
 * The glob groups of `assets`, read as @semantic-release/git's lib/prepare.js reads them: a `{ path }`
 * object stands for its `path`; a string is a group of one glob; an array is a group. Validation
 * (lib/config/verify-config.ts) has refused anything else; what slips through here is skipped.
 */
function assetGroups(assets: readonly AssetEntry[]): string[][] {
  const groups: string[][] = [];
  for (const entry of assets) {
    const globs = isPathObject(entry) ? entry.path : entry;
    const group = (Array.isArray(globs) ? globs : [globs]).filter((glob): glob is string => typeof glob === "string" && glob !== "");
    if (group.length > 0) groups.push(group);
  }
  return groups;
}

function isPathObject(entry: AssetEntry): entry is Extract<AssetEntry, { path: unknown }> {
  return typeof entry === "object" && entry !== null && !Array.isArray(entry);
}

/**
 * dir-glob as @semantic-release/git calls it (https://github.com/kevva/dir-glob, no options): a glob
 * naming a directory (after its `!`) becomes `<glob>/**`, everything below it.
 */
async function expandDirectory(glob: string, cwd: string): Promise<string> {
  const path = glob.startsWith("!") ? glob.slice(1) : glob;
  try {
    if ((await stat(isAbsolute(path) ? path : join(cwd, path))).isDirectory()) return posix.join(glob, "**");
  } catch {
    // not a path on disk: a glob or a missing file (dir-glob throws on ENOTDIR; here it simply matches nothing)
  }
  return glob;
}

/** Whether a path from `git ls-files` (relative to cwd) stays inside cwd. */
function insideCwd(file: string, cwd: string): boolean {
  const rel = relative(cwd, resolve(cwd, file));
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}

export interface SelectAssetFilesOptions extends GitOptions {
  assets: readonly AssetEntry[] | false;
}

/**
 * Files to commit, with the meaning of `assets` in @semantic-release/git's lib/prepare.js: the candidates
 * are `git ls-files -m -o` (modified, deleted and untracked files, ignored ones included); each group
 * is one micromatch call with `dot: true`, so within a group a `!` glob removes what the globs before
 * it matched (a later glob wins); a `!` glob alone in its group is taken literally (`nonegate`), since
 * on its own it would select every other file; the groups' files are joined without duplicates.
 * Paths are relative to `cwd`; a path outside `cwd` is never returned.
 */
export async function selectAssetFiles({ assets, cwd, env }: SelectAssetFilesOptions): Promise<string[]> {
  if (assets === false || assets.length === 0) return [];
  const candidates = (await modifiedFiles({ cwd, env })).filter((file) => insideCwd(file, cwd));
  const selected = new Set<string>();
  for (const group of assetGroups(assets)) {
    const nonegate = group.length === 1 && group[0]!.startsWith("!");
    const globs = await Promise.all(group.map((glob) => expandDirectory(glob, cwd)));
    for (const file of micromatch(candidates, globs, { dot: true, nonegate })) selected.add(file);
  }
  return [...selected];
}

export interface CommitAssetsOptions {
  assets: readonly AssetEntry[] | false;
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
  const files = await selectAssetFiles({ ...gitOptions, assets: options.assets });
  if (files.length === 0) {
    options.logger?.log(options.assets === false ? "No release commit (assets: false)" : "No asset file changed: no release commit");
    return { committed: false, files };
  }
  options.logger?.log("Found %d file(s) to commit", files.length);
  await add(files, gitOptions);
  await commit(options.message, gitOptions);
  return { committed: true, files };
}
