// Retry and throttle settings for every Octokit the plugin builds (data, not behaviour; as in
// https://github.com/semantic-release/github/blob/master/lib/definitions/retry.js and throttle.js).

/**
 * @octokit/plugin-retry settings. 5xx (and network errors, which @octokit/request reports as 500)
 * are retried with delays of 1 s, 4 s, 9 s (plugin-retry: `(retryCount + 1)² × retryAfterBaseValue`).
 * 404 is retried too: right after an App is installed, a ref is created or a commit is written,
 * GitHub's replicas can answer 404 for a moment (semantic-release/github retries 404 for the same
 * reason). 400/401/403/422 are answers, not hiccups. 403 and 429 rate limits belong to the
 * throttling plugin alone (429 is listed so that its bound of THROTTLE_CONF.maxRetries is not followed
 * by three more retries here).
 */
/**
 * Undocumented, for end-to-end tests that run the CLI: `SEMANTIC_RELEASE_GITHUB_APP_RETRY_BASE_MS`
 * replaces the 1000 ms unit of every retry wait (plugin-retry, plugin-throttling, the 401 after a
 * mint), so a test can go through the same retries in milliseconds. Unset (or not a positive number)
 * in real use.
 */
const BASE_MS = ((value) => (Number.isFinite(value) && value > 0 ? value : 1000))(Number(process.env.SEMANTIC_RELEASE_GITHUB_APP_RETRY_BASE_MS));

export const RETRY_CONF = {
  doNotRetry: [400, 401, 403, 410, 422, 429, 451],
  retries: 3,
  retryAfterBaseValue: BASE_MS,
};

/**
 * The App (JWT) client does not retry 404: on the App endpoints a 404 is a configuration answer
 * (`Integration not found`, App not installed on the repository, unknown installation ID), and
 * retrying it would only delay EAPPAUTHFAILED / EAPPNOTINSTALLED by 14 s.
 */
export const APP_RETRY_CONF = {
  ...RETRY_CONF,
  doNotRetry: [...RETRY_CONF.doNotRetry, 404],
};

/**
 * @octokit/plugin-throttling settings. A request that hits the primary or secondary rate limit is
 * retried at most `maxRetries` times, each after the server's `retry-after` / `x-ratelimit-reset`,
 * but never when that wait is longer than `maxRetryAfterSeconds` (an installation token lives one
 * hour; waiting for a rate-limit reset 40 minutes away would outlive it).
 */
export const THROTTLE_CONF = {
  maxRetries: 3,
  maxRetryAfterSeconds: 120,
  retryAfterBaseValue: BASE_MS,
  fallbackSecondaryRateRetryAfter: 60,
};

/**
 * GET requests of one Octokit client in flight at once. GitHub's secondary rate limits allow no
 * more than 100 concurrent requests, and a repository has at most 75 rulesets (docs/github.md §1.3),
 * so 50 lets the ruleset details of any realistic repository go out in one wave: the preflight's
 * round trips do not grow with the number of rulesets. (@octokit/plugin-throttling's own default
 * is 10, which made 50 rulesets cost 5 sequential waves.) Writes stay one at a time, a second
 * apart, as GitHub asks.
 */
export const READ_CONCURRENCY = 50;

/**
 * docs/github.md §6.1: a just-minted installation token can briefly get 401 while it replicates;
 * @octokit/auth-app (src/hook.ts) retries such a 401 for 5 s after creation, waiting 1 s, 2 s, ...
 */
export const NEW_TOKEN_401_WINDOW_MS = 5000;
export const NEW_TOKEN_401_BASE_DELAY_MS = BASE_MS;
