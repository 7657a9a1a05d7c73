// The synchronous last resort: revoke tokens from a `process.on("exit")` listener, where no promise
// settles any more (a later plugin called process.exit, or an uncaught exception ends the process).
// A short-lived child process sends the `DELETE /installation/token` requests (docs/github.md §6.1)
// while this process waits for it (spawnSync). The tokens travel on the child's stdin: never in its
// argv (visible in `ps`) nor its environment, which holds only what TLS needs. A proxy set in
// HTTP(S)_PROXY is used by the child as by every other request of the plugin (../proxy.ts): its
// settings travel on stdin too (a proxy URL may hold credentials).
import { spawnSync } from "node:child_process";
import { AUTH_LOGS, AUTH_WARNINGS } from "../errors/auth.js";
import { USER_AGENT } from "../octokit.js";
import { proxySettings, undiciPath } from "../proxy.js";
import type { Logger } from "../logger.js";
import type { HeldToken } from "./token-ledger.js";

/** How long the whole child may take; an exit listener should not hold the process much longer. */
export const REVOKE_SYNC_TIMEOUT_MS = 4000;

/** Variables the child keeps: how to find node's dependencies and trust a GHES certificate. Nothing else (no token the parent exported). */
const CHILD_ENV = ["PATH", "SYSTEMROOT", "NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "SSL_CERT_FILE", "SSL_CERT_DIR"];

/**
 * The child: reads `{ userAgent, timeoutMs, requests: [{ url, token }], proxy }` from stdin, sends the
 * DELETEs at once, prints the statuses as a JSON array (0: no answer). With a proxy set, `proxy` holds
 * the path of the plugin's undici and the settings for its EnvHttpProxyAgent. Plain JavaScript for
 * `node -e`, so it runs the same from the sources and from dist/.
 */
const CHILD_SCRIPT = `
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { userAgent, timeoutMs, requests, proxy } = JSON.parse(input);
  const undici = proxy ? require(proxy.undici) : undefined;
  const send = undici ? undici.fetch : fetch;
  const dispatcher = undici ? new undici.EnvHttpProxyAgent(proxy.settings) : undefined;
  const statuses = await Promise.all(requests.map(({ url, token }) =>
    send(url, {
      method: "DELETE",
      headers: { accept: "application/vnd.github+json", authorization: "token " + token, "user-agent": userAgent, "x-github-api-version": "2022-11-28" },
      signal: AbortSignal.timeout(timeoutMs),
      ...(dispatcher ? { dispatcher } : {}),
    }).then((response) => response.status, () => 0)));
  process.stdout.write(JSON.stringify(statuses));
});
`;

export interface RevokeTokensSyncOptions {
  tokens: HeldToken[];
  /** REST base, e.g. https://api.github.com */
  baseUrl: string;
  logger: Logger;
  timeoutMs?: number;
}

/** Revoke `tokens` before returning; logs each outcome (never a token), never throws. */
export function revokeTokensSync({ tokens, baseUrl, logger, timeoutMs = REVOKE_SYNC_TIMEOUT_MS }: RevokeTokensSyncOptions): void {
  if (tokens.length === 0) return;
  const url = `${baseUrl}/installation/token`;
  const settings = proxySettings();
  const proxy = settings && { undici: undiciPath(), settings };
  const input = JSON.stringify({ userAgent: USER_AGENT, timeoutMs: timeoutMs - 500, requests: tokens.map(({ token }) => ({ url, token })), proxy });
  const env = Object.fromEntries(CHILD_ENV.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]]])));
  const child = spawnSync(process.execPath, ["-e", CHILD_SCRIPT], { input, env, encoding: "utf8", timeout: timeoutMs, windowsHide: true });
  const statuses = parseStatuses(child.stdout);
  tokens.forEach(({ expiresAt }, index) => {
    const status = statuses[index] ?? 0;
    if (status === 204) logger.log(AUTH_LOGS.revoked());
    else logger.warn(AUTH_WARNINGS.WREVOKEFAILED({ status: status || undefined, githubMessage: status ? "refused" : `no answer within ${timeoutMs / 1000} s`, expiresAt }));
  });
}

function parseStatuses(stdout: string | null | undefined): number[] {
  try {
    const parsed: unknown = JSON.parse(stdout ?? "");
    return Array.isArray(parsed) ? parsed.map(Number) : [];
  } catch {
    return [];
  }
}
