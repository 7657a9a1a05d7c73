import type { ParseArgsConfig } from "node:util";

/**
 * What a subcommand of the `semantic-release-github-app` bin may touch of its process: streams,
 * environment, working directory, and the few interactive decisions taken once in ./io.ts.
 */
export interface CliIO {
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout is a TTY */
  isTTY: boolean;
  /** decided once from isTTY, NO_COLOR, FORCE_COLOR */
  color: boolean;
  /** a line per network step on a TTY; a no-op otherwise */
  progress(step: string): (outcome?: string) => void;
  /** asks on the TTY; false when not interactive */
  confirm(question: string): Promise<boolean>;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** the full --help text */
  usage: string;
  options: ParseArgsConfig["options"];
  allowPositionals?: boolean;
  /** resolves to the exit code */
  run(options: { values: Record<string, unknown>; positionals: string[]; io: CliIO }): Promise<number>;
}

/** Bad usage of the command line: exit 2, the message and a pointer to --help. */
export class UsageError extends Error {
  override name = "UsageError";
}
