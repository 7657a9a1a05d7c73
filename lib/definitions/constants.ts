// Data, not behaviour: names and numbers that several modules share.

export const PACKAGE_NAME = "semantic-release-github-app";
export const HOMEPAGE = "https://github.com/semantic-release-github-app/semantic-release-github-app";
export const DEBUG_NAMESPACE = "semantic-release:github-app";

/** A README anchor as an absolute link, for error details. */
export function linkify(anchor: string): string {
  return `${HOMEPAGE}/blob/main/README.md#${anchor}`;
}

/** The release commit message of @semantic-release/git, so this plugin is a drop-in replacement (README "Options"). */
export const DEFAULT_MESSAGE = "chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}";

/** Re-mint an installation token when fewer than this many ms are left by its `expires_at` (docs/architecture.md "Token lifetime". */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** GitHub's built-in Actions integration (docs/github.md §4). */
export const GITHUB_ACTIONS_APP_ID = 15368;
export const GITHUB_ACTIONS_BOT = { login: "github-actions[bot]", id: 41898282 } as const;

/**
 * lib/http/fetch.ts: redirects followed per request (fetch's limit), and how long a request may go
 * without a byte before it fails (undici's fetch waits 300 s for the headers and 300 s between body chunks).
 */
export const MAX_REDIRECTS = 20;
export const HTTP_IDLE_TIMEOUT_MS = 300_000;
