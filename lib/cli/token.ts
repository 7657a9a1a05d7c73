// `token` and `revoke`: an App installation token for a script, minted by the plugin's own token
// module (lib/token createReleaseToken: the same JWT, installation lookup, scoping and errors), and its
// revocation (lib/token/revoke.ts, DELETE /installation/token, docs/github.md §6.1).
//
// The token is the only thing `token` writes to stdout, alone on its line, so `TOKEN=$(…)` captures
// it. On GitHub Actions `::add-mask::` goes to stderr first: the runner reads workflow commands from a
// step's stderr as from its stdout (docs/github.md §16), and stdout must stay the token alone.
import { resolveConfig } from "../config/resolve-config.js";
import { maskSecret } from "../mask-secret.js";
import { formatPermissions } from "../token/permissions.js";
import { createReleaseToken } from "../token/index.js";
import { revokeInstallationToken } from "../token/revoke.js";
import { basicCredential } from "../git/git-auth.js";
import { cliLogger, loadCliConfig, parsePermissionFlags, repositoryUrlOf, resolveRepositoryUrl } from "./args.js";
import { UsageError, type CliCommand, type CliIO } from "./command.js";
import { writeLine } from "./output.js";

/** Waits until `text` is handed to the stream (so a mask line is out before the token). */
function write(stream: CliIO["stderr"], text: string): Promise<void> {
  return new Promise((resolve) => stream.write(text, () => resolve()));
}

/** `--repository` values (same owner) → the primary repository's URL and every repository name. */
async function repositoriesOf(values: Record<string, unknown>, io: CliIO): Promise<{ repositoryUrl: string; names: string[] | undefined }> {
  const given = (values.repository as string[] | undefined) ?? [];
  if (given.length === 0) return { repositoryUrl: await resolveRepositoryUrl({ values: {}, io }), names: undefined };
  const urls = given.map((repository) => repositoryUrlOf(repository, io.env));
  const owners = new Set(given.map((repository) => repository.split("/")[0]!.toLowerCase()));
  if (owners.size > 1) throw new UsageError(`one token reaches the repositories of one installation: give repositories of one owner (got ${given.join(", ")})`);
  return { repositoryUrl: urls[0]!, names: given.map((repository) => repository.split("/")[1]!) };
}

export const token: CliCommand = {
  name: "token",
  summary: "print a short-lived App token for a script (stdout), its lifetime on stderr",
  usage: `Usage: semantic-release-github-app token [--repository owner/name …] [--permission name=level …]

Mints an installation token of the GitHub App, as the plugin does, and prints it on stdout, alone
on its line:  export GH_TOKEN="$(npx semantic-release-github-app token --permission contents=read)"
Its expiry and permissions go to stderr. On GitHub Actions (GITHUB_ACTIONS=true) the token is masked
first (::add-mask:: on stderr). The token lives one hour; revoke it earlier with \`revoke\`.

Options:
  --repository owner/name   a repository the token is for (repeatable; one owner); default: the
                            origin remote of the current directory
  --permission name=level   a permission to ask for (repeatable), e.g. contents=write, issues=read;
                            default: what the plugin asks for (contents: write, and
                            administration: read when the installation has it)
  -h, --help                show this help

Environment: GITHUB_APP_CLIENT_ID or GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, and optionally
GITHUB_APP_INSTALLATION_ID, GITHUB_SERVER_URL, GITHUB_API_URL.`,
  options: {
    repository: { type: "string", multiple: true },
    permission: { type: "string", multiple: true },
  },
  async run({ values, io }) {
    const permissions = parsePermissionFlags(values.permission as string[] | undefined);
    const { repositoryUrl, names } = await repositoriesOf(values, io);
    const config = loadCliConfig({ io, repositoryUrl, pluginConfig: { authMethod: "app", ...(permissions ? { permissions } : {}) } });
    const logger = cliLogger(io);
    const done = io.progress(`Minting a token for ${(names ?? [config.repo]).join(", ")}`);
    const minted = await createReleaseToken({
      config,
      owner: config.owner,
      repo: config.repo,
      repositories: names,
      logger,
      // with --permission: the token must have what was asked for, nothing more
      requiredPermissions: permissions,
    });
    done();
    const value = await minted.fresh(0);
    if (io.env.GITHUB_ACTIONS === "true") {
      const mask = { write: (line: string) => void write(io.stderr, line) };
      maskSecret(value, { env: io.env, stdout: mask });
      maskSecret(basicCredential(value), { env: io.env, stdout: mask });
      await write(io.stderr, "");
    }
    writeLine(io.stdout, value);
    const expiresAt = minted.expiresAt;
    if (expiresAt) {
      const minutes = Math.round((expiresAt.getTime() - Date.now()) / 60_000);
      logger.log("The token expires at %s (in %d minutes); permissions: %s", expiresAt.toISOString(), minutes, formatPermissions(minted.permissions));
    }
    return 0;
  },
};

export const revoke: CliCommand = {
  name: "revoke",
  summary: "revoke the App token in GH_TOKEN",
  usage: `Usage: semantic-release-github-app revoke

Revokes the installation token in GH_TOKEN (DELETE /installation/token, authenticated by the token
itself), e.g. one \`token\` printed. Exit 0 when GitHub revoked it, 1 when it refused.

Options:
  -h, --help   show this help

Environment: GH_TOKEN (the token), GITHUB_API_URL or GITHUB_SERVER_URL for GitHub Enterprise Server.`,
  options: {},
  async run({ io }) {
    const value = io.env.GH_TOKEN?.trim();
    if (!value) throw new UsageError("GH_TOKEN is not set: revoke revokes the token in GH_TOKEN");
    const { githubApiUrl } = resolveConfig({ pluginConfig: {}, env: io.env }).config;
    const done = io.progress("Revoking the token in GH_TOKEN");
    const result = await revokeInstallationToken({ token: value, expiresAt: undefined, baseUrl: githubApiUrl, logger: cliLogger(io) });
    done(result);
    return result === "revoked" ? 0 : 1;
  },
};
