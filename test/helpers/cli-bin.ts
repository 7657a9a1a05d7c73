// The `semantic-release-github-app` bin as users start it, from the sources: `node --import tsx cli.ts …`
// on the Node that runs the tests (Node 24, test/run.mjs), like the semantic-release CLI in ./cli.ts.
// In a world (./world.ts) `world.run(args, env, { bin: CLI_BIN })` runs it in the workspace with the
// world's environment and records git's argv; `runBin` runs it anywhere else.
import { join } from "node:path";
import { ROOT, runCli, type CliResult, type CliRun } from "./cli.js";
import type { ReleaseWorld, RunResult } from "./world.js";

/** the semantic-release CLI as ./cli.ts starts it (SEMANTIC_RELEASE_DIR: the compatibility leg's), as a command for `exec --` */
export function semanticReleaseCommand(): string[] {
  const dir = process.env.SEMANTIC_RELEASE_DIR || join(ROOT, "node_modules");
  return [process.execPath, "--import", import.meta.resolve("tsx"), join(dir, "semantic-release/bin/semantic-release.js")];
}

/** the bin's source (package.json `bin` points at its build, dist/cli.js) */
export const CLI_BIN = join(ROOT, "cli.ts");

/** The bin with `args` in `cwd`; nothing of the test's own environment is passed unless given. */
export function runBin({ cwd, env, args = [], signalAfter }: Omit<CliRun, "bin">): Promise<CliResult> {
  return runCli({ cwd, env, args, signalAfter, bin: CLI_BIN });
}

/** The bin in the world's workspace, with the world's environment (`undefined` removes a variable). */
export function runBinIn(world: ReleaseWorld, args: string[], extraEnv: Record<string, string | undefined> = {}, signalAfter?: CliRun["signalAfter"]): Promise<RunResult> {
  return world.run(args, extraEnv, { bin: CLI_BIN, ...(signalAfter ? { signalAfter } : {}) });
}
