// The `semantic-release-github-app` command line: picks the subcommand, parses its options
// (node:util parseArgs, strict), prints --help, and turns what went wrong into an exit code:
// 2 for bad usage (the message and a pointer to --help), 1 for a failure (each error as one line
// plus its fix, with the plugin's error codes), else what the subcommand returned.
import { parseArgs } from "node:util";
import { PACKAGE_NAME } from "../definitions/constants.js";
import { VERSION } from "../octokit.js";
import { describeErrors } from "./args.js";
import { UsageError, type CliCommand, type CliIO } from "./command.js";
import { doctor } from "./doctor.js";
import { bootstrapTags } from "./bootstrap-tags.js";
import { exec } from "./exec.js";
import { paint, table, writeLine } from "./output.js";
import { setupBypass } from "./setup-bypass.js";
import { revoke, token } from "./token.js";

/** Every subcommand, in the order --help lists them. */
export const COMMANDS: readonly CliCommand[] = [doctor, exec, token, revoke, setupBypass, bootstrapTags];

export function topUsage(commands: readonly CliCommand[] = COMMANDS): string {
  return [
    `Usage: ${PACKAGE_NAME} <command> [options]`,
    "",
    "Release as a GitHub App around semantic-release: check a repository before a release, run the",
    "release with the App's token, mint and revoke tokens for scripts. Reads the same environment as",
    "the plugin (GITHUB_APP_CLIENT_ID or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_SERVER_URL, …).",
    "",
    "Commands:",
    table(commands.map((command) => [`  ${command.name}`, command.summary])),
    "",
    "Options:",
    table([
      ["  -h, --help", "show this help, or a command's: <command> --help"],
      ["  --version", "print the version"],
    ]),
    "",
    "Exit codes: 0 success, 1 failure (or, for doctor, a release that would be refused), 2 bad usage.",
  ].join("\n");
}

function usageFailure(io: CliIO, message: string, command?: CliCommand): number {
  writeLine(io.stderr, `${paint(io, "red", "error:")} ${message}`);
  writeLine(io.stderr, `See '${PACKAGE_NAME}${command ? ` ${command.name}` : ""} --help'.`);
  return 2;
}

/** Parse `args` for `command`; parseArgs' own errors become UsageErrors. */
function parseFor(command: CliCommand, args: string[]) {
  try {
    return parseArgs({ args, options: { ...command.options, help: { type: "boolean", short: "h" } }, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("ERR_PARSE_ARGS")) throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ""));
    throw error;
  }
}

/** Run the command line `argv` (without node and the script); resolves to the exit code. */
export async function main({ argv, io, commands = COMMANDS }: { argv: string[]; io: CliIO; commands?: readonly CliCommand[] }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    writeLine(io.stderr, topUsage(commands));
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const command = rest[0] === undefined ? undefined : commands.find((c) => c.name === rest[0]);
    if (rest[0] !== undefined && !command) return usageFailure(io, `unknown command ${JSON.stringify(rest[0])}`);
    writeLine(io.stdout, command ? command.usage : topUsage(commands));
    return 0;
  }
  if (name === "--version" || name === "-v") {
    writeLine(io.stdout, VERSION);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) return usageFailure(io, `unknown command ${JSON.stringify(name)} (commands: ${commands.map((c) => c.name).join(", ")})`);
  try {
    const { values, positionals } = parseFor(command, rest);
    if (values.help) {
      writeLine(io.stdout, command.usage);
      return 0;
    }
    return await command.run({ values, positionals, io });
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error.message, command);
    for (const line of describeErrors(error, io)) writeLine(io.stderr, line);
    return 1;
  }
}
