// Codes and log lines for getting a working token (lib/token/). ENOAPPCREDENTIALS and
// EINVALIDPRIVATEKEY are config errors (./config.ts); the map of all codes is ./catalog.ts.
// details = what was expected, what was found, the fix, then a README link. No context field ever
// carries a token, JWT or key: only IDs, slugs, logins, permission names, statuses, expiry times and
// GitHub's own error messages.
import type { ErrorDefinition } from "./catalog.js";
import type { Permissions } from "../types.js";
import { linkify } from "../definitions/constants.js";
import { formatPermissions } from "../token/permissions.js";

type AccountType = "User" | "Organization" | string;

function details(parts: { expected: string; found: string; fix: string; anchor: string }): string {
  return [
    `**Expected:** ${parts.expected}`,
    `**Found:** ${parts.found}`,
    `**Fix:** ${parts.fix}`,
    `See [${parts.anchor.toUpperCase()}](${linkify(parts.anchor)}).`,
  ].join("\n\n");
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** Page where the App's owner edits its permissions (docs/github.md §6.1: owners then approve them). */
export function appPermissionsUrl(githubUrl: string, slug: string, appOwner?: { login: string; type: AccountType }): string {
  return appOwner?.type === "Organization"
    ? `${githubUrl}/organizations/${appOwner.login}/settings/apps/${slug}/permissions`
    : `${githubUrl}/settings/apps/${slug}/permissions`;
}

/** Page where the account that installed the App reviews the installation (repositories, new permissions). */
export function installationSettingsUrl(githubUrl: string, installationId: number, account?: { login: string; type: AccountType }): string {
  return account?.type === "Organization"
    ? `${githubUrl}/organizations/${account.login}/settings/installations/${installationId}`
    : `${githubUrl}/settings/installations/${installationId}`;
}

export function appInstallUrl(githubUrl: string, slug: string): string {
  return `${githubUrl}/apps/${slug}/installations/new`;
}

export interface AppAuthFailedContext {
  /** GITHUB_APP_CLIENT_ID or GITHUB_APP_ID as given (an identifier, not a secret) */
  appId: string;
  /** the request GitHub refused, e.g. `GET /repos/o/r/installation` */
  request: string;
  status: number | undefined;
  /** GitHub's own message, e.g. "A JSON web token could not be decoded" */
  githubMessage: string;
  apiUrl: string;
}

export interface AppNotInstalledContext {
  appId: string;
  slug: string | undefined;
  owner: string;
  repo: string;
  githubUrl: string;
  /**
   * not-installed: `GET /repos/{o}/{r}/installation` answered 404 (no installation for the repository: the App is
   *   not installed on the owner, or it is but this repository is not selected; GitHub answers 404 for both);
   * repository-not-selected: the installation exists but the token request for this repository was refused;
   * installation-not-found: the configured installation ID is unknown to this App;
   * suspended: the installation is suspended.
   */
  reason: "not-installed" | "repository-not-selected" | "installation-not-found" | "suspended";
  installationId?: number | undefined;
  account?: { login: string; type: AccountType } | undefined;
  githubMessage?: string | undefined;
}

export interface AppPermissionsContext {
  slug: string | undefined;
  owner: string;
  repo: string;
  githubUrl: string;
  /** what the token was asked for */
  requested: Permissions;
  /** what the installation has (undefined when unknown) */
  installationPermissions: Permissions | undefined;
  /** what the minted token got, when a token was minted */
  granted?: Permissions | undefined;
  /** what is missing, e.g. { contents: "write", actions: "write" } */
  missing: Permissions;
  /** refused: GitHub answered 422; insufficient: the minted token lacks contents:write (contents:read for a dry run) */
  reason: "refused" | "insufficient";
  installationId?: number | undefined;
  account?: { login: string; type: AccountType } | undefined;
  appOwner?: { login: string; type: AccountType } | undefined;
  /** true when `permissions` was set in the plugin options */
  explicit: boolean;
  /** a dry run, which asks for read access only */
  readOnly?: boolean | undefined;
  githubMessage?: string | undefined;
}

export interface GitHubApiContext {
  /** e.g. `POST /app/installations/{installation_id}/access_tokens` */
  request: string;
  status: number | undefined;
  githubMessage: string;
  apiUrl: string;
  /** how many times the request was sent in all */
  attempts?: number | undefined;
  /** the failure was a (secondary) rate limit the throttling plugin gave up on */
  rateLimited?: boolean | undefined;
}

export interface InvalidTokenContext {
  /** the configured method (the variable says more: either may hold any kind of token) */
  authMethod: "pat" | "github-token";
  variable: "GH_TOKEN" | "GITHUB_TOKEN";
  request: string;
  status: number | undefined;
  githubMessage: string;
  apiUrl: string;
}

function likelyAuthCause(message: string, appId: string, apiUrl: string): string {
  const kind = /^\d+$/.test(appId) ? "App ID" : "client ID";
  if (/could not be decoded/i.test(message)) {
    return `The private key does not belong to the App with the ${kind} ${code(appId)} (GitHub could not verify the JWT signed with it), or the key was mangled when it was stored.`;
  }
  if (/Integration not found/i.test(message)) {
    return `No GitHub App with the ${kind} ${code(appId)} exists on ${apiUrl}: the ID is wrong, or it belongs to an App on another GitHub host (github.com vs. GitHub Enterprise Server).`;
  }
  if (/'Expiration time'|'Issued at'/i.test(message)) {
    return "The clock of this machine differs from GitHub's: the JWT's `iat`/`exp` claims were refused, even after @octokit/auth-app retried once with the difference read from the response's `Date` header.";
  }
  return `The ${kind} and the private key do not form a valid pair for ${apiUrl}, the App does not exist there, or this machine's clock is off.`;
}

export const AUTH_ERRORS = {
  EAPPAUTHFAILED: ({ appId, request, status, githubMessage, apiUrl }: AppAuthFailedContext) => ({
    message: `GitHub refused to authenticate the GitHub App ${code(appId)}: ${githubMessage}`,
    details: details({
      expected: `the App ${/^\d+$/.test(appId) ? "ID" : "client ID"} in \`GITHUB_APP_CLIENT_ID\` / \`GITHUB_APP_ID\` and the private key in \`GITHUB_APP_PRIVATE_KEY\` belong to the same GitHub App on ${apiUrl}, and this machine's clock is correct.`,
      found: `${code(request)} answered ${status ?? "no status"} ${code(githubMessage)}. ${likelyAuthCause(githubMessage, appId, apiUrl)}`,
      fix: [
        "Open the App's settings page (*Settings → Developer settings → GitHub Apps → Edit*), copy its **Client ID** into the `GITHUB_APP_CLIENT_ID` variable, and generate a new private key there (*Private keys → Generate a private key*) for the `GITHUB_APP_PRIVATE_KEY` secret (the whole PEM file, including the `-----BEGIN` and `-----END` lines).",
        "On GitHub Enterprise Server, make sure `GITHUB_API_URL` points to that server's API (`https://HOST/api/v3`).",
        "If the message is about `exp` or `iat`, synchronise the clock (NTP).",
      ].join(" "),
      anchor: "eappauthfailed",
    }),
  }),

  EAPPNOTINSTALLED: ({ appId, slug, owner, repo, githubUrl, reason, installationId, account, githubMessage }: AppNotInstalledContext) => {
    const name = slug ? `GitHub App ${code(slug)}` : `GitHub App ${code(appId)}`;
    const install = slug ? appInstallUrl(githubUrl, slug) : undefined;
    const settings = installationId ? installationSettingsUrl(githubUrl, installationId, account) : undefined;
    const found = {
      "not-installed": `GitHub has no installation of this App that includes ${code(`${owner}/${repo}`)} (\`GET /repos/${owner}/${repo}/installation\` answered 404). GitHub gives the same answer when the App is not installed on ${code(owner)} at all and when it is installed but ${code(repo)} is not among its selected repositories.`,
      "repository-not-selected": `Installation ${installationId ?? ""} of the App${account ? ` on ${code(account.login)}` : ""} does not include ${code(`${owner}/${repo}`)}${githubMessage ? `: ${code(githubMessage)}` : ""}.`,
      "installation-not-found": `The installation ID ${code(String(installationId))} (\`GITHUB_APP_INSTALLATION_ID\` / \`installationId\`) is not an installation of this App${githubMessage ? ` (${code(githubMessage)})` : ""}.`,
      suspended: `Installation ${installationId ?? ""}${account ? ` on ${code(account.login)}` : ""} is suspended.`,
    }[reason];
    const fix = {
      "not-installed": `Install the App on ${code(owner)} with access to ${code(repo)}${install ? `: ${install}` : ""}. If it is already installed there, add ${code(repo)} to its repositories in the installation settings (*Settings → GitHub Apps → Configure → Repository access*).`,
      "repository-not-selected": `Add ${code(repo)} to the installation's repositories${settings ? `: ${settings}` : ""} (*Repository access*), or install the App on ${code(owner)}${install ? `: ${install}` : ""}.`,
      "installation-not-found": `Remove \`GITHUB_APP_INSTALLATION_ID\` (the plugin then looks the installation up for ${code(`${owner}/${repo}`)}), or set it to the number at the end of the installation settings URL (*Settings → GitHub Apps → Configure*).${install ? ` To install the App: ${install}` : ""}`,
      suspended: `Unsuspend the installation${settings ? `: ${settings}` : ""} (*Unsuspend*).`,
    }[reason];
    return {
      message:
        reason === "suspended"
          ? `The ${name} is suspended on ${code(account?.login ?? owner)}.`
          : reason === "installation-not-found"
            ? `The ${name} has no installation ${code(String(installationId))}.`
            : `The ${name} is not installed on ${code(`${owner}/${repo}`)}.`,
      details: details({
        expected: `the ${name} is installed on ${code(owner)} with access to ${code(repo)}.`,
        found,
        fix,
        anchor: "eappnotinstalled",
      }),
    };
  },

  EAPPPERMISSIONS: (ctx: AppPermissionsContext) => {
    const { slug, owner, repo, githubUrl, requested, installationPermissions, granted, missing, reason, installationId, account, appOwner, explicit, readOnly, githubMessage } = ctx;
    const why = readOnly
      ? " (a dry run asks for read access only)"
      : explicit
        ? " (the `permissions` option)"
        : " (what the enabled features need: `contents: write` for the release commit and tag, `actions: write` for workflow dispatch)";
    const name = slug ? `GitHub App ${code(slug)}` : "GitHub App";
    const appPage = slug ? appPermissionsUrl(githubUrl, slug, appOwner) : undefined;
    const acceptPage = installationId ? installationSettingsUrl(githubUrl, installationId, account) : undefined;
    const lacking = Object.keys(missing).length > 0;
    const missingText = lacking ? code(formatPermissions(missing)) : "(unknown)";
    return {
      message: `The ${name} lacks ${lacking ? formatPermissions(missing) : "permissions"} on ${code(`${owner}/${repo}`)}.`,
      details: details({
        expected: `a token for ${code(`${owner}/${repo}`)} with ${code(formatPermissions(requested))}${why}.`,
        found:
          reason === "refused"
            ? `GitHub refused the token request${githubMessage ? ` with ${code(githubMessage)}` : ""}. The installation has ${code(formatPermissions(installationPermissions))}; missing: ${missingText}.`
            : `The minted token has ${code(formatPermissions(granted))}; missing: ${missingText}.`,
        fix: [
          `Grant ${missingText} in the App's settings (*Permissions & events → Repository permissions*)${appPage ? `: ${appPage}` : ""}.`,
          `The owner of ${code(account?.login ?? owner)} must then accept the new permissions on the installation${acceptPage ? `: ${acceptPage}` : ""} (until then the installation keeps its old permissions).`,
          explicit && !readOnly ? "Or remove those permissions from the `permissions` option." : "",
        ]
          .filter(Boolean)
          .join(" "),
        anchor: "eapppermissions",
      }),
    };
  },

  EGITHUBAPI: ({ request, status, githubMessage, apiUrl, attempts, rateLimited }: GitHubApiContext) => ({
    message: `GitHub API request ${request} failed${status ? ` with ${status}` : ""}: ${githubMessage}`,
    details: details({
      expected: `${code(request)} on ${apiUrl} to succeed.`,
      found: `it failed${attempts && attempts > 1 ? ` ${attempts} times` : ""}${status ? ` with status ${status}` : ""}: ${code(githubMessage)}.`,
      fix: rateLimited
        ? "GitHub rate-limited these requests and the plugin stopped waiting (at most 3 retries, none longer than 2 minutes). Other jobs using the same App installation or token share its limits: wait a few minutes, then run the release again."
        : `This is a server or network problem, not a configuration problem. Check https://www.githubstatus.com (or your GitHub Enterprise Server's status) and the network between this machine and ${apiUrl}, then run the release again.`,
      anchor: "egithubapi",
    }),
  }),

  EINVALIDTOKEN: ({ variable, request, status, githubMessage, apiUrl }: InvalidTokenContext) => ({
    message: `The token in ${variable} was refused by GitHub (${status ?? "no status"} ${githubMessage}).`,
    details: details({
      expected: `${code(variable)} holds a token that ${apiUrl} accepts: ${variable === "GITHUB_TOKEN" ? "the workflow token, a personal access token or a GitHub App installation token" : "a personal access token or a GitHub App installation token"} (whose token it is, the plugin asks GitHub).`,
      found: `${code(request)} answered ${status ?? "no status"} ${code(githubMessage)}: the token is expired, revoked, mistyped, or belongs to another GitHub host.`,
      fix: [
        variable === "GITHUB_TOKEN" ? "For the workflow token, pass it to the release step as `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` (it lives only as long as the job)." : "",
        `For a personal access token, create a new one (*Settings → Developer settings → Personal access tokens*) for this GitHub host and store it in ${code(variable)}.`,
        "Or let the plugin mint a short-lived token as a GitHub App (set `GITHUB_APP_CLIENT_ID` and `GITHUB_APP_PRIVATE_KEY`).",
      ]
        .filter(Boolean)
        .join(" "),
      anchor: "einvalidtoken",
    }),
  }),
} satisfies Record<string, (ctx: never) => ErrorDefinition>;

/** `14:03:59 UTC`: when a token expires, for log lines (the date is today's or tomorrow's). */
function clock(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

/**
 * Warnings of the token module: code → (context) → one line for context.logger.warn (the shape of
 * the warning catalog, ./catalog.ts). Never a token's value: at most its expiry.
 */
export const AUTH_WARNINGS = {
  /** the exported token will lack what @semantic-release/github's comments need */
  WLATERPLUGINPERMISSIONS: ({ missing, permissionsUrl }: { missing: Permissions; permissionsUrl: string }) =>
    `The token is handed to @semantic-release/github (exportToken), which needs ${formatPermissions(missing)} to comment on released issues and pull requests, but the installation does not have it: grant it to the App (${permissionsUrl}) and accept it on the installation, or set successComment and failComment to false there.`,
  /** a 401 right after minting, retried (docs/github.md §6.1: replication delay) */
  WTOKENNOTREPLICATED: ({ tokenAgeMs, retry, waitMs }: { tokenAgeMs: number; retry: number; waitMs: number }) =>
    `Retrying after a 401 to a token minted ${tokenAgeMs} ms ago (replication delay; retry ${retry}, wait ${waitMs / 1000} s)`,
  /** the token stays valid until it expires */
  WREVOKEFAILED: ({ status, githubMessage, expiresAt }: { status: number | undefined; githubMessage: string; expiresAt: Date | undefined }) =>
    `Could not revoke the GitHub App token (${status === undefined ? "" : `${status} `}${githubMessage}); it expires by itself at ${expiresAt?.toISOString() ?? "its expiry"}.`,
} satisfies Record<string, (ctx: never) => string>;

/** A token the release was given: whose it is (GitHub said so), and the variable it was in. */
interface GivenTokenLog {
  login: string;
  variable: "GH_TOKEN" | "GITHUB_TOKEN";
  owner: string;
  repo: string;
}

/** Log lines of the token module (context.logger.log): what was used, minted, revoked. Never a token's value. */
export const AUTH_LOGS = {
  usingApp: ({ slug, installationId, account, owner, repo }: { slug: string; installationId: number; account: string; owner: string; repo: string }) =>
    `Using GitHub App ${slug} (installation ${installationId} on ${account}) for ${owner}/${repo}`,
  minted: ({ repositories, permissions, expiresAt }: { repositories: string[]; permissions: Permissions; expiresAt: Date }) =>
    `Minted a token for ${repositories.join(", ")} with ${formatPermissions(permissions)} (expires at ${clock(expiresAt)})`,
  reused: ({ slug, owner, repo, expiresAt }: { slug: string; owner: string; repo: string; expiresAt: Date | undefined }) =>
    `Using GitHub App ${slug} for ${owner}/${repo} with the token an earlier release of this process minted${expiresAt ? ` (expires at ${clock(expiresAt)})` : ""}`,
  reminted: ({ secondsLeft, expiresAt }: { secondsLeft: number; expiresAt: Date }) =>
    `Re-minted the GitHub App token (the previous one had ${secondsLeft} s left); the new one expires at ${clock(expiresAt)}`,
  usingPat: ({ login, variable, owner, repo }: GivenTokenLog) => `Using the personal access token in ${variable} (user ${login}) for ${owner}/${repo}`,
  usingWorkflowToken: ({ login, variable, owner, repo }: GivenTokenLog) => `Using the workflow token in ${variable} (${login}) for ${owner}/${repo}`,
  usingInstallationToken: ({ login, variable, owner, repo }: GivenTokenLog) => `Using the GitHub App installation token in ${variable} (${login}) for ${owner}/${repo}`,
  revoked: () => "Revoked the GitHub App token.",
  notRevokedExpired: ({ expiresAt }: { expiresAt: Date }) => `Not revoking the GitHub App token: it expired at ${expiresAt.toISOString()}.`,
};
