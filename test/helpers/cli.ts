// The semantic-release CLI as the e2e tests run it: its configuration (.releaserc.json with this
// plugin, index.ts, loaded through tsx) and one way to start it. No timer kills a run: a hung run is
// reported by node's test runner (its --test-timeout), not by a fixed per-run limit that a busy
// machine can reach.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** this plugin, as the e2e configurations name it */
export const PLUGIN_PATH = join(ROOT, "index.ts");
/** in a plugins list, stands for this plugin with the world's options */
export const PLUGIN_PLACEHOLDER = "__PLUGIN__";
/** the plugins a release runs before this one */
export const DEFAULT_PLUGINS = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator", "@semantic-release/changelog"];
/** test/fixtures/step-plugin.mjs: a plugin whose prepare does what its options say (sleep, push, move the clock) */
export const STEP_PLUGIN = fileURLToPath(new URL("../fixtures/step-plugin.mjs", import.meta.url));

/**
 * The compatibility leg (test/compat/run.sh) sets SEMANTIC_RELEASE_DIR to test/compat/node_modules: the
 * semantic-release CLI and the plugins named in .releaserc then come from there (semantic-release 24 and
 * its generation of plugins, on Node 20) instead of the project's own node_modules (semantic-release 25).
 */
const SEMANTIC_RELEASE_DIR = process.env.SEMANTIC_RELEASE_DIR || undefined;
const SEMANTIC_RELEASE_BIN = join(SEMANTIC_RELEASE_DIR ?? join(ROOT, "node_modules"), "semantic-release/bin/semantic-release.js");
const TSX = import.meta.resolve("tsx");

/** Writes `<cwd>/.releaserc.json` (branch main) with these plugins; PLUGIN_PLACEHOLDER becomes this plugin with `pluginOptions`. */
export async function writeReleaserc(cwd: string, plugins: unknown[], pluginOptions: Record<string, unknown> = {}): Promise<void> {
  const list = plugins.map((p) => (p === PLUGIN_PLACEHOLDER ? [PLUGIN_PATH, pluginOptions] : compatPlugin(p)));
  await writeFile(join(cwd, ".releaserc.json"), JSON.stringify({ branches: ["main"], plugins: list }, null, 2));
}

/** the plugins list of releaseWorld with the step plugin's prepare running just before ours */
export function withStep(options: Record<string, unknown>): unknown[] {
  return [...DEFAULT_PLUGINS, [STEP_PLUGIN, options], PLUGIN_PLACEHOLDER];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  cwd: string;
  env: Record<string, string>;
  args?: string[] | undefined;
  /** sends `signal` to the CLI once its output matches `pattern` */
  signalAfter?: { pattern: RegExp; signal: NodeJS.Signals } | undefined;
  /** a CLI script to run instead of semantic-release's (a monorepo tool's bin) */
  bin?: string | undefined;
}

/** Runs the semantic-release CLI with tsx (so index.ts loads as it is) and collects its output. */
export function runCli({ cwd, env, args = [], signalAfter, bin = SEMANTIC_RELEASE_BIN }: CliRun): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", TSX, bin, ...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    const watch = () => {
      if (signalAfter && !signalled && signalAfter.pattern.test(stdout + stderr)) {
        signalled = true;
        child.kill(signalAfter.signal);
      }
    };
    child.stdout.on("data", (d) => {
      stdout += d;
      watch();
    });
    child.stderr.on("data", (d) => {
      stderr += d;
      watch();
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Under SEMANTIC_RELEASE_DIR, a plugin name becomes the absolute path of that package's entry file:
 * semantic-release resolves names from its own folder and then from the workspace, which lives under
 * this project (.tmp/e2e) and would find the project's own (v25-generation) plugins.
 */
function compatPlugin(plugin: unknown): unknown {
  if (!SEMANTIC_RELEASE_DIR) return plugin;
  if (Array.isArray(plugin)) return [compatPlugin(plugin[0]), ...plugin.slice(1)];
  if (typeof plugin !== "string" || plugin.startsWith("/") || plugin.startsWith(".")) return plugin;
  const dir = join(SEMANTIC_RELEASE_DIR, plugin);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports?: unknown; main?: string };
  const entry = typeof manifest.exports === "string" ? manifest.exports : (manifest.main ?? "index.js");
  return join(dir, entry);
}
