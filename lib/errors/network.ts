// Error definitions for requests that got no answer from GitHub at all (lib/octokit.ts readFailure:
// DNS, connection, TLS), as opposed to an answer with an error status (EGITHUBAPI, ./auth.ts).
// details = what was expected, what was found, the fix, then a README link.
import type { ErrorDefinition } from "./catalog.js";
import { linkify } from "../definitions/constants.js";

export interface GitHubUnreachableContext {
  /** e.g. `GET /repos/o/r/installation` */
  request: string;
  /** the host the request went to, e.g. `ghes.example.com:8443` */
  host: string;
  /** what the network layer said, e.g. `getaddrinfo ENOTFOUND ghes.example.com` */
  cause: string;
  /** the error code of the cause, e.g. `ENOTFOUND`, `ECONNREFUSED`, `CERT_HAS_EXPIRED` */
  causeCode: string | undefined;
  apiUrl: string;
  /** how many times the request was sent in all */
  attempts?: number | undefined;
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;

/** What to check for each kind of network failure. */
function fixFor({ causeCode, cause, host, apiUrl }: GitHubUnreachableContext): string {
  const settings = "`githubApiUrl` / GITHUB_API_URL (and `githubUrl` / GITHUB_SERVER_URL)";
  if (causeCode === "ENOTFOUND" || causeCode === "EAI_AGAIN" || /getaddrinfo/i.test(cause)) {
    return `The name ${code(host)} does not resolve from this machine. Check the host in ${settings} for a typo; for GitHub Enterprise Server, check that the runner can resolve its internal name (DNS, VPN).`;
  }
  if (/CERT|SELF_SIGNED|TLS|SSL|ALTNAME/i.test(`${causeCode ?? ""} ${cause}`)) {
    return `The TLS certificate of ${code(host)} is not trusted here. For a GitHub Enterprise Server with an internal certificate authority, give Node its certificate: \`NODE_EXTRA_CA_CERTS=/path/to/ca.pem\`. Do not turn certificate checks off: the token is sent on this connection.`;
  }
  return `Nothing answered on ${code(host)}. Check that ${apiUrl} is the right address (${settings}), that the server is up, and that no firewall or proxy blocks this machine; then run the release again.`;
}

export const NETWORK_ERRORS = {
  EGITHUBUNREACHABLE: (ctx: GitHubUnreachableContext) => ({
    message: `GitHub at ${ctx.host} could not be reached for ${ctx.request}: ${ctx.cause}`,
    details: [
      `**Expected:** an answer from ${ctx.apiUrl} to ${code(ctx.request)}.`,
      `**Found:** no answer${ctx.attempts && ctx.attempts > 1 ? ` after ${ctx.attempts} attempts` : ""}: ${code(ctx.cause)}. The request never reached GitHub, so this is no HTTP status.`,
      `**Fix:** ${fixFor(ctx)}`,
      `See [EGITHUBUNREACHABLE](${linkify("egithubunreachable")}).`,
    ].join("\n\n"),
  }),
} satisfies Record<string, (ctx: never) => ErrorDefinition>;
