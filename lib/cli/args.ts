// What the subcommands share: the repository they work on (a flag, else the `origin` remote of the
// working directory), `--permission name=level`, the plugin's configuration pipeline fed from the
// command line (lib/config/index.ts loadConfig: the same environment variables as the plugin), the
// logger the plugin's modules write to (stderr: stdout is for results), and errors as people read them.
import { format } from "node:util";
import AggregateError from "aggregate-error";
import SemanticReleaseError from "@semantic-release/error";
import { loadConfig } from "../config/index.js";
import { git } from "../git/git.js";
import type { Logger } from "../logger.js";
import type { PluginConfig, Permissions, ResolvedConfig } from "../types.js";
import { UsageError, type CliIO } from "./command.js";
import { paint } from "./output.js";

/** `--repository o/r` */
const OWNER_REPO = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/** The plugin's modules log here: to stderr, so that stdout carries only what a script reads. */
export function cliLogger(io: Pick<CliIO, "stderr" | "color">): Logger {
  const line = (prefix: string, message: string, args: unknown[]) => io.stderr.write(`${prefix}${format(message, ...args)}\n`);
  return {
    log: (message, ...args) => line("", message, args),
    success: (message, ...args) => line(`${paint(io, "green", "✔")} `, message, args),
    warn: (message, ...args) => line(`${paint(io, "yellow", "⚠")} `, message, args),
    error: (message, ...args) => line(`${paint(io, "red", "✘")} `, message, args),
  };
}

/** The web origin the plugin would use (GITHUB_SERVER_URL, GH_URL, GITHUB_URL, else github.com), for a URL built from `o/r`. */
function serverOf(env: NodeJS.ProcessEnv): string {
  const given = [env.GITHUB_SERVER_URL, env.GH_URL, env.GITHUB_URL].find((value) => value && value.trim() !== "");
  return (given ?? "https://github.com").trim().replace(/\/+$/, "");
}

/** `o/r` → the repository URL the configuration parses; anything else is bad usage. */
export function repositoryUrlOf(repository: string, env: NodeJS.ProcessEnv): string {
  if (!OWNER_REPO.test(repository)) throw new UsageError(`--repository takes owner/name, e.g. octo/proj (got ${JSON.stringify(repository)})`);
  return `${serverOf(env)}/${repository}.git`;
}

/**
 * The repository to work on: `--repository o/r`, `--repository-url URL`, else the `origin` remote of
 * the working directory (as semantic-release finds it when `repositoryUrl` is not configured).
 */
export async function resolveRepositoryUrl({ values, io }: { values: Record<string, unknown>; io: Pick<CliIO, "cwd" | "env"> }): Promise<string> {
  const repository = values.repository as string | string[] | undefined;
  const url = values["repository-url"] as string | undefined;
  const first = Array.isArray(repository) ? repository[0] : repository;
  if (first !== undefined && url !== undefined) throw new UsageError("give --repository or --repository-url, not both");
  if (first !== undefined) return repositoryUrlOf(first, io.env);
  if (url !== undefined) return url;
  const origin = await git(["remote", "get-url", "origin"], { cwd: io.cwd, env: { GIT_TERMINAL_PROMPT: "0" }, reject: false });
  if (origin.exitCode !== 0 || origin.stdout.trim() === "") {
    throw new UsageError(`no repository given and ${io.cwd} has no origin remote: pass --repository owner/name`);
  }
  return origin.stdout.trim();
}

/** `--permission contents=write` (repeatable) → the `permissions` option; undefined when none is given. */
export function parsePermissionFlags(flags: string[] | undefined): Permissions | undefined {
  if (!flags || flags.length === 0) return undefined;
  const permissions: Record<string, string> = {};
  for (const flag of flags) {
    const match = /^([a-z_]+)=([a-z]+)$/.exec(flag.trim());
    if (!match) throw new UsageError(`--permission takes name=level, e.g. contents=write (got ${JSON.stringify(flag)})`);
    permissions[match[1]!] = match[2]!;
  }
  // names and levels are checked by the configuration (EINVALIDPERMISSIONS), as for the plugin's option
  return permissions as Permissions;
}

export interface CliConfigOptions {
  io: Pick<CliIO, "env">;
  repositoryUrl: string;
  /** the branch, when known; the configuration checks its name */
  branch?: string | undefined;
  pluginConfig?: PluginConfig | undefined;
  /** a read-only run (doctor): the token gets read permissions only */
  dryRun?: boolean | undefined;
}

/** The plugin's configuration pipeline, fed from the command line; throws its AggregateError. */
export function loadCliConfig({ io, repositoryUrl, branch, pluginConfig = {}, dryRun = false }: CliConfigOptions): ResolvedConfig {
  // the name is checked by loadConfig; a placeholder stands in while the default branch is not known yet
  return loadConfig({ pluginConfig, env: io.env, options: { repositoryUrl, dryRun }, branch: { name: branch ?? "main" } });
}

/** The errors inside `error`: an AggregateError's, else itself. */
function flatten(error: unknown): unknown[] {
  if (error instanceof AggregateError) return [...error.errors];
  if (error instanceof Error && error.name === "AggregateError" && Array.isArray((error as { errors?: unknown }).errors)) return (error as unknown as { errors: unknown[] }).errors;
  return [error];
}

/** The **Fix:** paragraph of a catalog error's details, on one line. */
function fixOf(details: string | undefined): string | undefined {
  const match = details && /\*\*Fix:\*\*\s*([\s\S]*?)(?:\n\n|$)/.exec(details);
  return match ? match[1]!.replace(/\s*\n\s*/g, " ").trim() : undefined;
}

/**
 * Errors as people read them on a terminal: per error one line `CODE message`, then the fix, the
 * same codes and texts as the plugin's (README "Troubleshooting"). Other errors: their message.
 */
export function describeErrors(error: unknown, io: Pick<CliIO, "color">): string[] {
  const lines: string[] = [];
  for (const item of flatten(error)) {
    if (item instanceof SemanticReleaseError || (item instanceof Error && typeof (item as { code?: unknown }).code === "string" && "details" in item)) {
      const { code, message, details } = item as SemanticReleaseError;
      lines.push(`${paint(io, "red", `✘ ${code ?? "ERROR"}`)} ${message}`);
      const fix = fixOf(details);
      if (fix) lines.push(`  ${paint(io, "bold", "fix:")} ${fix}`);
    } else {
      lines.push(`${paint(io, "red", "✘")} ${item instanceof Error ? item.message : String(item)}`);
    }
  }
  return lines;
}
