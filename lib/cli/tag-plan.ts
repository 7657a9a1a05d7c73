// What `bootstrap-tags` would tag: the workspace's packages (the root package.json `workspaces`, npm
// and yarn globs, or a simple pnpm-workspace.yaml `packages:` list), one tag per package at its
// package.json version, and what each tag's name already designates locally and on GitHub. Reading
// the files is here; the plan itself (`planTags`) is pure.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import micromatch from "micromatch";

/** `${name}@${version}`: the tag format of the monorepo tools (@anolilab/multi-semantic-release, @qiwi/multi-semantic-release). */
export const DEFAULT_TAG_FORMAT = "${name}@${version}";

export interface WorkspacePackage {
  name: string;
  version: string;
  /** folder relative to the workspace root, `/`-separated */
  dir: string;
}

/** One tag of the plan. */
export interface TagPlanRow {
  tag: string;
  /** the package it marks; undefined for the umbrella tag */
  pkg?: WorkspacePackage | undefined;
  /** new: to push; same: already on the commit (on GitHub, or locally and then only pushed); elsewhere: at another commit, refused */
  state: "new" | "same" | "elsewhere";
  /** where an existing tag was found and the commit it points to */
  existing?: { sha: string; where: "remote" | "local" } | undefined;
}

/** Folders that never hold workspace packages (and would make the walk slow). */
const SKIP = new Set(["node_modules", ".git"]);
const MAX_DEPTH = 8;

async function readJson(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(file, "utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `packages:` list of a pnpm-workspace.yaml, in its simple form (`- 'packages/*'` lines). */
export function pnpmPatterns(yaml: string): string[] {
  const patterns: string[] = [];
  let inPackages = false;
  for (const line of yaml.split(/\r?\n/)) {
    if (/^packages\s*:\s*$/.test(line)) inPackages = true;
    else if (/^\S/.test(line)) inPackages = false;
    else if (inPackages) {
      const item = /^\s+-\s*(['"]?)([^'"#]+?)\1\s*(?:#.*)?$/.exec(line);
      if (item) patterns.push(item[2]!.trim());
    }
  }
  return patterns;
}

/** The workspace globs: package.json `workspaces` (a list, or yarn's `{ packages }`), else pnpm-workspace.yaml. */
export async function workspacePatterns(cwd: string): Promise<string[]> {
  const root = await readJson(join(cwd, "package.json"));
  const workspaces = root?.workspaces;
  const list = Array.isArray(workspaces) ? workspaces : Array.isArray((workspaces as { packages?: unknown } | undefined)?.packages) ? (workspaces as { packages: unknown[] }).packages : undefined;
  if (list) return list.filter((p): p is string => typeof p === "string");
  const yaml = await readFile(join(cwd, "pnpm-workspace.yaml"), "utf8").catch(() => undefined);
  return yaml === undefined ? [] : pnpmPatterns(yaml);
}

async function listDirs(root: string, rel: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(join(root, rel), { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || SKIP.has(entry.name)) continue;
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    out.push(path);
    if (depth > 1) await listDirs(root, path, depth - 1, out);
  }
}

const normalise = (pattern: string) => pattern.replace(/^(!?)\.\//, "$1").replace(/\/+$/, "");

/** The workspace packages with a name and a version, in folder order. */
export async function readWorkspacePackages(cwd: string): Promise<{ patterns: string[]; packages: WorkspacePackage[] }> {
  const patterns = (await workspacePatterns(cwd)).map(normalise);
  const positive = patterns.filter((p) => !p.startsWith("!"));
  if (positive.length === 0) return { patterns, packages: [] };
  const depth = positive.some((p) => p.includes("**")) ? MAX_DEPTH : Math.max(...positive.map((p) => p.split("/").length));
  const dirs: string[] = [];
  await listDirs(cwd, "", depth, dirs);
  const packages: WorkspacePackage[] = [];
  for (const dir of micromatch(dirs, patterns).sort()) {
    const manifest = await readJson(join(cwd, dir, "package.json"));
    if (typeof manifest?.name === "string" && typeof manifest.version === "string") packages.push({ name: manifest.name, version: manifest.version, dir });
  }
  return { patterns, packages };
}

/** The tag of a package: `${name}` and `${version}` of the format replaced (the only two it may use). */
export function renderTag(format: string, pkg: Pick<WorkspacePackage, "name" | "version">): string {
  return format.replaceAll("${name}", pkg.name).replaceAll("${version}", pkg.version);
}

/** Why a tag format cannot be used, or undefined. */
export function tagFormatProblem(format: string): string | undefined {
  if (format.split("${version}").length !== 2) return "it must contain ${version} exactly once";
  const other = [...format.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]).find((name) => name !== "name" && name !== "version");
  if (other !== undefined) return `it may use \${name} and \${version} only (found \${${other}})`;
  if (!format.includes("${name}")) return "it must contain ${name}: each package needs a tag of its own";
  return undefined;
}

export interface PlanTagsOptions {
  packages: WorkspacePackage[];
  format: string;
  umbrella?: string | undefined;
  /** the commit to tag */
  commit: string;
  /** tag name → commit, on GitHub */
  remote: Map<string, string>;
  /** tag name → commit, in the local clone */
  local: Map<string, string>;
}

/** One row per tag: new, already on the commit, or at another commit (GitHub's answer wins over the clone's). */
export function planTags(options: PlanTagsOptions): TagPlanRow[] {
  const wanted: { tag: string; pkg?: WorkspacePackage }[] = options.packages.map((pkg) => ({ tag: renderTag(options.format, pkg), pkg }));
  if (options.umbrella) wanted.push({ tag: options.umbrella });
  return wanted.map(({ tag, pkg }) => {
    const remote = options.remote.get(tag);
    const local = options.local.get(tag);
    const existing = remote !== undefined ? { sha: remote, where: "remote" as const } : local !== undefined ? { sha: local, where: "local" as const } : undefined;
    if (existing && existing.sha !== options.commit) return { tag, pkg, state: "elsewhere", existing };
    if (local !== undefined && local !== options.commit) return { tag, pkg, state: "elsewhere", existing: { sha: local, where: "local" } };
    return { tag, pkg, state: remote !== undefined ? "same" : "new", existing };
  });
}
