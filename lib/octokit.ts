// The one Octokit class the plugin uses, and the constructor options for it. @octokit/core plus
// retry, throttling and pagination, as semantic-release/github/lib/octokit.js (STYLE.md §5); the
// retry/throttle numbers live in ./definitions/retry.ts.
import { readFileSync } from "node:fs";
import { Octokit } from "@octokit/core";
import type { OctokitOptions } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { RequestError } from "@octokit/request-error";
import type SemanticReleaseError from "@semantic-release/error";
import debugFactory from "debug";
import { DEBUG_NAMESPACE, PACKAGE_NAME } from "./definitions/constants.js";
import Bottleneck from "bottleneck/light.js";
import { READ_CONCURRENCY, RETRY_CONF, THROTTLE_CONF } from "./definitions/retry.js";
import { getError } from "./errors/get-error.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:octokit`);

/** semantic-release's context.logger (signale): `log`, `warn`, `error`, `success`. */
export interface Logger {
  log: (...args: unknown[]) => void;
  warn: (...args: unknown[]) => void;
  error?: (...args: unknown[]) => void;
  success?: (...args: unknown[]) => void;
}

/** The package version, read once from the nearest package.json of this package (lib/ or dist/lib/). */
export const VERSION: string = (() => {
  for (const relative of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return "0.0.0-development";
})();

export const USER_AGENT = `${PACKAGE_NAME}/${VERSION}`;

export type RetryOverrides = Partial<typeof RETRY_CONF> & { enabled?: boolean };
export type ThrottleOverrides = Partial<typeof THROTTLE_CONF> & { enabled?: boolean };

type LimitHandler = (retryAfter: number, options: { method: string; url: string }, octokit: Octokit, retryCount: number) => boolean;

/**
 * onRateLimit / onSecondaryRateLimit: warn, then retry at most `maxRetries` times after the wait the
 * server asked for (`retry-after` / `x-ratelimit-reset`), unless that wait is too long.
 */
function limitHandler(kind: string, conf: typeof THROTTLE_CONF): LimitHandler {
  return (retryAfter, options, octokit, retryCount) => {
    const request = `${options.method} ${options.url}`;
    if (retryCount >= conf.maxRetries) {
      octokit.log.warn(`GitHub ${kind} hit for ${request}; giving up after ${retryCount} retries.`);
      return false;
    }
    if (retryAfter > conf.maxRetryAfterSeconds) {
      octokit.log.warn(`GitHub ${kind} hit for ${request}; not waiting ${retryAfter} s for it to reset.`);
      return false;
    }
    octokit.log.warn(`GitHub ${kind} hit for ${request}; retrying in ${retryAfter} s (retry ${retryCount + 1} of ${conf.maxRetries}).`);
    return true;
  };
}

/** plugin-throttling's "global" limiter (all reads), with our concurrency instead of its default 10 */
const reads = new Bottleneck.Group({ id: "semantic-release-github-app", maxConcurrent: READ_CONCURRENCY, timeout: 2 * 60 * 1000 });

function throttleOptions(overrides: ThrottleOverrides = {}) {
  const conf = { ...THROTTLE_CONF, ...overrides };
  const { maxRetries: _maxRetries, maxRetryAfterSeconds: _maxRetryAfter, ...pluginOptions } = conf;
  return {
    ...pluginOptions,
    global: reads,
    onRateLimit: limitHandler("rate limit", conf),
    onSecondaryRateLimit: limitHandler("secondary rate limit", conf),
  };
}

export const ReleaseOctokit = Octokit.plugin(retry, throttling, paginateRest).defaults({
  userAgent: USER_AGENT,
  retry: RETRY_CONF,
  throttle: throttleOptions(),
});
export type ReleaseOctokitInstance = InstanceType<typeof ReleaseOctokit>;

export interface ToOctokitOptionsInput {
  /** REST base without trailing slash (ResolvedConfig.githubApiUrl) */
  baseUrl: string;
  /** a token string (PAT, workflow token), or the options of `authStrategy` */
  auth?: unknown;
  authStrategy?: unknown;
  logger?: Logger | undefined;
  /** tests: e.g. `{ retryAfterBaseValue: 1 }` */
  retry?: RetryOverrides | undefined;
  /** tests: e.g. `{ retryAfterBaseValue: 1 }` */
  throttle?: ThrottleOverrides | undefined;
  /** passed to @octokit/request (e.g. a custom `fetch`) */
  request?: OctokitOptions["request"];
}

/**
 * Constructor options for ReleaseOctokit (STYLE.md §5, as semantic-release/github's toOctokitOptions).
 * Octokit merges `defaults()` shallowly, so `retry` and `throttle` are always given whole here.
 */
export function toOctokitOptions({ baseUrl, auth, authStrategy, logger, retry: retryOverrides, throttle, request }: ToOctokitOptionsInput): OctokitOptions {
  return {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    ...(auth === undefined ? {} : { auth }),
    ...(authStrategy === undefined ? {} : { authStrategy }),
    ...(request ? { request } : {}),
    retry: { ...RETRY_CONF, ...retryOverrides },
    throttle: throttleOptions(throttle),
    log: {
      debug: (message: string) => debug(message),
      info: (message: string) => debug(message),
      warn: (message: string) => (logger ? logger.warn(message) : debug(message)),
      error: (message: string) => (logger?.error ? logger.error(message) : logger ? logger.warn(message) : debug(message)),
    },
  };
}

/** `GET /repos/o/r/installation` → "GET /repos/o/r/installation"; for messages (URLs never carry tokens). */
export function describeRequest(error: RequestError, baseUrl: string): string {
  const method = error.request?.method ?? "";
  const url = (error.request?.url ?? "").replace(baseUrl.replace(/\/+$/, ""), "");
  return `${method} ${url.split("?")[0]}`.trim();
}

/** GitHub's message in a RequestError (its `message` field, else the error's own text). */
export function githubMessage(error: unknown): string {
  if (error instanceof RequestError) {
    const data = error.response?.data as { message?: unknown } | undefined;
    if (data && typeof data.message === "string" && data.message) return data.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** 403/429 answers that are rate limits (what @octokit/plugin-throttling recognises), not permission problems */
/** The HTTP status of a failed request, if it has one. */
export function httpStatus(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : undefined;
}

export function isRateLimit(error: RequestError): boolean {
  if (error.status !== 403 && error.status !== 429) return false;
  return error.status === 429 || /rate limit/i.test(githubMessage(error)) || error.response?.headers?.["x-ratelimit-remaining"] === "0";
}

/**
 * A request that kept failing after the retries (5xx, a network error, which @octokit/request reports
 * as status 500, or a rate limit the throttling plugin gave up on) → EGITHUBAPI naming the request;
 * anything else → undefined (the caller maps or rethrows it; STYLE.md §3).
 */
export function apiFailure(error: unknown, baseUrl: string): SemanticReleaseError | undefined {
  if (!(error instanceof RequestError)) return undefined;
  const rateLimited = isRateLimit(error);
  if (error.status < 500 && !rateLimited) return undefined;
  const retryCount = (error.request?.request as { retryCount?: number } | undefined)?.retryCount;
  return getError("EGITHUBAPI", {
    request: describeRequest(error, baseUrl),
    status: error.status,
    githubMessage: githubMessage(error),
    apiUrl: baseUrl,
    // plugin-retry stores the count of the attempt that failed; plugin-throttling the one before it
    attempts: retryCount === undefined ? undefined : retryCount + (rateLimited ? 2 : 1),
    rateLimited,
  });
}
