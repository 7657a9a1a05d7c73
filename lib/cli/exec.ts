// `exec -- <command…>`: the least-privilege mode. The workflow's GITHUB_TOKEN may be read-only: the
// App's token does every write. exec mints it with the plugin's token module (lib/token, the
// permissions a release asks for), runs the command with it in GH_TOKEN and GITHUB_TOKEN and git
// routed through it (lib/git/git-auth.ts withGitAuth: the entries that override actions/checkout's
// persisted header, docs/github.md §10; hooks stay on, it is the user's whole release), and revokes
// it when the command ends, however it ends.
//
// Inside, the plugin finds no App credentials (they are removed from the child's environment) and
// GH_TOKEN set: it asks GitHub whose token that is (lib/token/token-actor.ts), finds the App's
// installation token, uses it as given, and neither mints a second one nor revokes this one
// (lib/token/static-token.ts). Every other variable passes through untouched:
// ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN (npm trusted publishing through OIDC), NPM_TOKEN, ….
import { spawn, type ChildProcess } from "node:child_process";
import { constants } from "node:os";
import { basicCredential, withGitAuth } from "../git/git-auth.js";
import { maskSecret } from "../mask-secret.js";
import { createReleaseToken, type ReleaseToken } from "../token/index.js";
import type { Permissions, ResolvedConfig } from "../types.js";
import { cliLogger, loadCliConfig, parsePermissionFlags, resolveRepositoryUrl } from "./args.js";
import { UsageError, type CliCommand, type CliIO } from "./command.js";

/** The App's credentials: the plugin inside must not find them (it would mint a second token). */
export const APP_CREDENTIAL_VARIABLES = ["GITHUB_APP_PRIVATE_KEY", "GITHUB_APP_ID", "GITHUB_APP_CLIENT_ID", "GITHUB_APP_INSTALLATION_ID"] as const;

/**
 * What the release's later plugins do with GH_TOKEN besides the release itself: @semantic-release/github
 * comments on released issues and pull requests (asked for only when the installation has them,
 * lib/token/permissions.ts permissionsToRequest).
 */
const RELEASE_TOOLS_PERMISSIONS: Permissions = { issues: "write", pull_requests: "write" };

const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * The child's environment: `env` without the App's credentials, the token in GH_TOKEN and
 * GITHUB_TOKEN, and git's header for the repository's URLs (with and without `.git`: a checkout's
 * origin may be either) replaced by the App's.
 */
export function execEnv({ env, config, token }: { env: NodeJS.ProcessEnv; config: Pick<ResolvedConfig, "githubUrl" | "owner" | "repo">; token: string }): NodeJS.ProcessEnv {
  const rest: NodeJS.ProcessEnv = { ...env };
  for (const name of APP_CREDENTIAL_VARIABLES) delete rest[name];
  const base = `${config.githubUrl}/${config.owner}/${config.repo}`;
  let result = { ...rest, GH_TOKEN: token, GITHUB_TOKEN: token } as Record<string, string | undefined>;
  for (const remoteUrl of [base, `${base}.git`]) result = withGitAuth({ env: result, remoteUrl, token, hooksPath: undefined });
  return result;
}

/** 128 + the signal's number, as a shell reports a command a signal ended. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

/**
 * From before the mint to after the revoke, SIGINT, SIGTERM and SIGHUP do not end this process (the
 * token would stay live): they go to the command while it runs, and are remembered otherwise.
 */
class SignalRelay {
  #child: ChildProcess | undefined;
  /** the first signal received */
  received: NodeJS.Signals | undefined;
  readonly #handler = (signal: NodeJS.Signals) => {
    this.received ??= signal;
    this.#child?.kill(signal);
  };

  start(): void {
    for (const signal of FORWARDED_SIGNALS) process.on(signal, this.#handler);
  }

  stop(): void {
    for (const signal of FORWARDED_SIGNALS) process.removeListener(signal, this.#handler);
  }

  attach(child: ChildProcess | undefined): void {
    this.#child = child;
  }
}

/** Runs the command; resolves with its exit code (128 + n for a signal), the relay forwarding our signals to it. */
function runChild({ argv, env, cwd, io, relay }: { argv: string[]; env: NodeJS.ProcessEnv; cwd: string; io: CliIO; relay: SignalRelay }): Promise<number> {
  return new Promise((resolve) => {
    const failed = (error: NodeJS.ErrnoException) => {
      relay.attach(undefined);
      io.stderr.write(`✘ could not start ${argv[0]}: ${error.code === "ENOENT" ? "command not found" : error.message}\n`);
      resolve(error.code === "ENOENT" ? 127 : 126);
    };
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: "inherit" });
    } catch (error) {
      failed(error as NodeJS.ErrnoException);
      return;
    }
    relay.attach(child);
    child.on("error", failed);
    child.on("exit", (code, signal) => {
      relay.attach(undefined);
      resolve(code ?? (signal ? signalExitCode(signal) : 1));
    });
  });
}

/** Mint as a release would: contents: write, administration: read and the later plugins' permissions when the installation has them. */
async function mint({ io, values }: { io: CliIO; values: Record<string, unknown> }): Promise<{ token: ReleaseToken; config: ResolvedConfig }> {
  const permissions = parsePermissionFlags(values.permission as string[] | undefined);
  const repositoryUrl = await resolveRepositoryUrl({ values, io });
  const loaded = loadCliConfig({ io, repositoryUrl, pluginConfig: { authMethod: "app", ...(permissions ? { permissions } : {}) } });
  const config: ResolvedConfig = { ...loaded, laterPluginPermissions: RELEASE_TOOLS_PERMISSIONS };
  const done = io.progress(`Minting the App token for ${config.owner}/${config.repo}`);
  const token = await createReleaseToken({
    config,
    owner: config.owner,
    repo: config.repo,
    logger: cliLogger(io),
    // on GitHub Actions: masked before the command can print it
    onToken: (value) => {
      maskSecret(value, { env: io.env, stdout: io.stdout });
      maskSecret(basicCredential(value), { env: io.env, stdout: io.stdout });
    },
  });
  done(token.actor.login);
  return { token, config };
}

export const exec: CliCommand = {
  name: "exec",
  summary: "run a command (the release) with the App's token in GH_TOKEN and git, then revoke it",
  usage: `Usage: semantic-release-github-app exec [--repository owner/name] [--permission name=level …] -- <command> [args…]

Mints the GitHub App's token, runs <command> with it in GH_TOKEN and GITHUB_TOKEN and git's requests
to the repository authenticated with it, forwards SIGINT, SIGTERM and SIGHUP, exits with the
command's exit code (128 + n after signal n), and revokes the token when the command ends, whatever
happened. The App's variables (GITHUB_APP_PRIVATE_KEY, GITHUB_APP_ID, GITHUB_APP_CLIENT_ID,
GITHUB_APP_INSTALLATION_ID) are removed from the command's environment: the plugin inside uses the
token as given. Every other variable passes through (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN for npm's
trusted publishing, NPM_TOKEN, …).

  npx semantic-release-github-app exec -- npx semantic-release

Every process of the command can use the App's token: that is the trade-off of this mode.

Options:
  --repository owner/name   the repository (default: the origin remote of the current directory)
  --repository-url URL      the repository as a URL
  --permission name=level   ask for exactly these permissions (repeatable); default: contents: write,
                            plus administration: read, issues: write and pull_requests: write when
                            the installation has them
  -h, --help                show this help`,
  options: {
    repository: { type: "string" },
    "repository-url": { type: "string" },
    permission: { type: "string", multiple: true },
  },
  allowPositionals: true,
  async run({ values, positionals, io }) {
    if (positionals.length === 0) throw new UsageError("exec needs a command: exec -- <command> [args…]");
    const relay = new SignalRelay();
    relay.start();
    try {
      return await mintRunRevoke({ values, argv: positionals, io, relay });
    } finally {
      relay.stop();
    }
  },
};

async function mintRunRevoke({ values, argv, io, relay }: { values: Record<string, unknown>; argv: string[]; io: CliIO; relay: SignalRelay }): Promise<number> {
  const { token, config } = await mint({ io, values });
  // the last resort when this process dies before the command ends (lib/token/revoke-sync.ts)
  const onExit = () => token.revokeSync();
  process.on("exit", onExit);
  try {
    // a signal during the mint: the command is not started
    if (relay.received) return signalExitCode(relay.received);
    const env = execEnv({ env: io.env, config, token: await token.fresh() });
    return await runChild({ argv, env, cwd: io.cwd, io, relay });
  } finally {
    const done = io.progress("Revoking the App token");
    await token.revoke();
    done();
    process.removeListener("exit", onExit);
  }
}
