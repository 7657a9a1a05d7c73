// Revokes an installation token: `DELETE /installation/token`, authenticated with the token itself
// (github-facts §6.1). As actions/create-github-app-token/lib/post.js (github-facts §11): an expired
// token is skipped, and a failure is a warning, never an error (the release itself is done).
import { createHash } from "node:crypto";
import { RequestError } from "@octokit/request-error";
import { ReleaseOctokit, githubMessage, toOctokitOptions, type Logger, type RetryOverrides, type ThrottleOverrides } from "../octokit.js";

export type RevokeResult = "revoked" | "expired" | "failed";

export interface RevokeTokenOptions {
  token: string;
  expiresAt: Date | undefined;
  /** REST base, e.g. https://api.github.com */
  baseUrl: string;
  logger: Logger;
  Octokit?: typeof ReleaseOctokit;
  octokitOptions?: { retry?: RetryOverrides; throttle?: ThrottleOverrides } | undefined;
  /** tests: the clock */
  now?: () => number;
}

// Tokens already revoked (or being revoked) by this process, by SHA-256, so a second call sends no
// request: success and fail, the dry-run path and the beforeExit fallback may all ask (DESIGN.md
// "Token lifetime"). A hash, so no token string outlives its use in memory here.
const attempts = new Map<string, Promise<RevokeResult>>();

function fingerprint(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Revoke `token` once per process; resolves with what happened, never rejects. */
export function revokeToken(options: RevokeTokenOptions): Promise<RevokeResult> {
  const key = fingerprint(options.token);
  let attempt = attempts.get(key);
  if (!attempt) {
    attempt = revokeOnce(options);
    attempts.set(key, attempt);
  }
  return attempt;
}

async function revokeOnce({ token, expiresAt, baseUrl, logger, Octokit = ReleaseOctokit, octokitOptions, now = Date.now }: RevokeTokenOptions): Promise<RevokeResult> {
  if (expiresAt && expiresAt.getTime() <= now()) {
    logger.log("Not revoking the GitHub App token: it expired at %s.", expiresAt.toISOString());
    return "expired";
  }
  try {
    // a client of its own with the plain token: the TokenSource's client would re-mint first
    // one retry at most: revocation runs at the very end and is only a courtesy (the token expires anyway).
    // Set on the client, not per request: a per-request `request.retries` makes plugin-retry retry ANY
    // error at once (403/429 included, before the throttling plugin can wait out retry-after).
    const octokit = new Octokit(toOctokitOptions({ baseUrl, auth: token, logger, ...octokitOptions, retry: { retries: 1, ...octokitOptions?.retry } }));
    await octokit.request("DELETE /installation/token");
    logger.log("Revoked the GitHub App token.");
    return "revoked";
  } catch (error) {
    const status = error instanceof RequestError ? `${error.status} ` : "";
    logger.warn("Could not revoke the GitHub App token (%s%s); it expires by itself at %s.", status, githubMessage(error), expiresAt?.toISOString() ?? "its expiry");
    return "failed";
  }
}
