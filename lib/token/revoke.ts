// Revokes one installation token: `DELETE /installation/token`, authenticated with the token itself
// (docs/github.md §6.1). As actions/create-github-app-token's post step
// (https://github.com/actions/create-github-app-token/blob/main/lib/post.js): an expired token is
// skipped, and a failure is a warning, never an error (the release itself is done). Revoking each
// token once is the caller's job (lib/token/token-ledger.ts).
import { AUTH_LOGS, AUTH_WARNINGS } from "../errors/auth.js";
import { ReleaseOctokit, readFailure, toOctokitOptions } from "../octokit.js";
import type { Logger } from "../logger.js";
import type { OctokitOverrides } from "./index.js";

export type RevokeResult = "revoked" | "expired" | "failed";

export interface RevokeInstallationTokenOptions {
  token: string;
  expiresAt: Date | undefined;
  /** REST base, e.g. https://api.github.com */
  baseUrl: string;
  logger: Logger;
  octokitOptions?: OctokitOverrides | undefined;
  /** tests: the clock */
  now?: (() => number) | undefined;
}

/** Revoke `token`; resolves with what happened, never rejects. */
export async function revokeInstallationToken({ token, expiresAt, baseUrl, logger, octokitOptions, now = Date.now }: RevokeInstallationTokenOptions): Promise<RevokeResult> {
  if (expiresAt && expiresAt.getTime() <= now()) {
    logger.log(AUTH_LOGS.notRevokedExpired({ expiresAt }));
    return "expired";
  }
  try {
    // A client of its own with the plain token (the ReleaseToken's client would re-mint first), and
    // one retry at most: revocation runs at the very end and is a courtesy (the token expires anyway).
    // Set on the client, not per request: a per-request `request.retries` makes plugin-retry retry ANY
    // error at once (403/429 included, before the throttling plugin can wait out retry-after).
    const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl, auth: token, logger, ...octokitOptions, retry: { retries: 1, ...octokitOptions?.retry } }));
    await octokit.request("DELETE /installation/token");
    logger.log(AUTH_LOGS.revoked());
    return "revoked";
  } catch (error) {
    const { status, githubMessage } = readFailure(error);
    logger.warn(AUTH_WARNINGS.WREVOKEFAILED({ status, githubMessage, expiresAt }));
    return "failed";
  }
}
