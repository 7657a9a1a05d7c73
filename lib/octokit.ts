// The one Octokit class the plugin uses, the constructor options for it, and the one reader of a
// failed request. @octokit/core plus retry, throttling and pagination, as
// https://github.com/semantic-release/github/blob/master/lib/octokit.js; the retry/throttle numbers
// live in ./definitions/retry.ts. Every Octokit of the plugin is built from toOctokitOptions, so every
// API request honours HTTP(S)_PROXY and NO_PROXY (./proxy.ts), and goes through node:http/node:https
// rather than Node's global fetch when no proxy is set (./http/fetch.ts: about 17 MB less peak RSS).
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
import { scrubUrls } from "./errors/scrub-urls.js";
import type { Logger } from "./logger.js";
import { httpFetch } from "./http/fetch.js";
import { proxyFetch } from "./proxy.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:octokit`);

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

/**
 * Bottleneck's local datastore waits for a timer turn (`setTimeout(0)`, at least 1 ms) before each of
 * its steps, several per job (https://github.com/SGrondin/bottleneck/blob/master/src/LocalDatastore.coffee,
 * `yieldLoop`): with plugin-throttling's two limiters per request, about 11 ms on every request, on a
 * critical path of three or four (docs/performance.md "Wall time"). The plugin's own limiters yield
 * a microtask there instead: still asynchronous, in the same order; the waits a limit asks for
 * (`minTime`, a retry's delay) keep their timers.
 */
function withoutTimerTurns<T extends Bottleneck>(limiter: T): T {
  const store = (limiter as unknown as { _store?: { yieldLoop?: unknown } })._store;
  if (store && typeof store.yieldLoop === "function") {
    store.yieldLoop = (wait = 0) => (wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve());
  }
  return limiter;
}

/** The Bottleneck class plugin-throttling builds its per-client retry limiter from. */
class PromptBottleneck extends Bottleneck {
  constructor(...args: ConstructorParameters<typeof Bottleneck>) {
    super(...args);
    withoutTimerTurns(this);
  }
}

const TWO_MINUTES = 2 * 60 * 1000;

/** A Bottleneck group whose limiters (one per key) are made without timer turns as they are created. */
function promptGroup(options: Bottleneck.ConstructorOptions): Bottleneck.Group {
  const group = new Bottleneck.Group({ timeout: TWO_MINUTES, ...options });
  group.on("created", (limiter) => void withoutTimerTurns(limiter));
  return group;
}

/**
 * plugin-throttling's limiters for reads ("global": our concurrency instead of its default 10) and for
 * minting ("auth", its setting: one at a time), https://github.com/octokit/plugin-throttling.js/blob/main/src/index.ts
 * (createGroups). Writes (one a second), searches and notifications keep the plugin's own groups, which
 * every Octokit of the process shares: @semantic-release/github's too, which may write with the same
 * token (exportToken), so the spacing GitHub asks for holds across both plugins.
 */
const limiters = {
  global: promptGroup({ id: "semantic-release-github-app", maxConcurrent: READ_CONCURRENCY }),
  auth: promptGroup({ id: "semantic-release-github-app-auth", maxConcurrent: 1 }),
};

function throttleOptions(overrides: ThrottleOverrides = {}) {
  const conf = { ...THROTTLE_CONF, ...overrides };
  const { maxRetries: _maxRetries, maxRetryAfterSeconds: _maxRetryAfter, ...pluginOptions } = conf;
  return {
    ...pluginOptions,
    ...limiters,
    Bottleneck: PromptBottleneck,
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
  /** REST base without trailing slash, as ResolvedConfig.githubApiUrl has it */
  baseUrl: string;
  /** a token string (PAT, workflow token), or the options of `authStrategy` */
  auth?: unknown;
  authStrategy?: unknown;
  logger?: Logger | undefined;
  /** tests: e.g. `{ retryAfterBaseValue: 1 }` */
  retry?: RetryOverrides | undefined;
  /** tests: e.g. `{ retryAfterBaseValue: 1 }` */
  throttle?: ThrottleOverrides | undefined;
  /** passed to @octokit/request (e.g. a custom `fetch`, which then replaces the plugin's own) */
  request?: OctokitOptions["request"];
  /** where the proxy variables are read (default process.env, which git reads too) */
  env?: Record<string, string | undefined> | undefined;
}

/**
 * Constructor options for ReleaseOctokit (as semantic-release/github's toOctokitOptions).
 * Octokit merges `defaults()` shallowly, so `retry` and `throttle` are always given whole here.
 * `request.fetch`: with a proxy variable set, one that sends each request through the proxy
 * (./proxy.ts); else the node:http client of ./http/fetch.ts.
 */
export function toOctokitOptions({ baseUrl, auth, authStrategy, logger, retry: retryOverrides, throttle, request, env }: ToOctokitOptionsInput): OctokitOptions {
  const fetch = request?.fetch ?? proxyFetch(env) ?? (httpFetch as unknown as typeof globalThis.fetch);
  return {
    baseUrl,
    ...(auth === undefined ? {} : { auth }),
    ...(authStrategy === undefined ? {} : { authStrategy }),
    request: { ...request, fetch },
    retry: { ...RETRY_CONF, ...retryOverrides },
    throttle: throttleOptions(throttle),
    log: {
      debug: (message: string) => debug(message),
      info: (message: string) => debug(message),
      warn: (message: string) => (logger ? logger.warn(message) : debug(message)),
      error: (message: string) => (logger ? logger.error(message) : debug(message)),
    },
  };
}

/** A failed request, read once: what the modules decide on and what the errors and warnings say. */
export interface FailedRequest {
  /** method and path without the API base and the query, e.g. `GET /repos/o/r/installation` (URLs never carry tokens) */
  request: string;
  /** the HTTP status GitHub answered; undefined when nothing answered (`network`) or the error is not a request's */
  status: number | undefined;
  /** GitHub's `message`, else the error's own text; URL credentials removed */
  githubMessage: string;
  /** further texts in GitHub's `errors[]` (the Git database API puts a pre-receive hook's text there, docs/github.md §3.4) */
  errors: string[];
  /** a (secondary) rate limit, as @octokit/plugin-throttling recognises it, not a permission problem */
  rateLimited: boolean;
  /** no answer at all: DNS, connection or TLS failure (@octokit/request reports them as status 500 with `error.cause`) */
  network: { host: string; cause: string; code: string | undefined } | undefined;
  /** how many times the request was sent in all, when the retry plugins counted */
  attempts: number | undefined;
}

/** Read any error a request can throw (a RequestError, or anything else: then only its message counts). */
export function readFailure(error: unknown, baseUrl?: string): FailedRequest {
  if (!(error instanceof RequestError)) {
    const status = typeof error === "object" && error !== null && "status" in error && typeof error.status === "number" ? error.status : undefined;
    return { request: "", status, githubMessage: scrubUrls(error instanceof Error ? error.message : String(error)), errors: [], rateLimited: false, network: undefined, attempts: undefined };
  }
  const data = error.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const githubMessage = scrubUrls(typeof data?.message === "string" && data.message !== "" ? data.message : error.message);
  const errors = (Array.isArray(data?.errors) ? data.errors : [])
    .map((item: unknown) => (typeof item === "string" ? item : typeof (item as { message?: unknown })?.message === "string" ? (item as { message: string }).message : ""))
    .filter((text: string) => text !== "" && text !== githubMessage)
    .map((text: string) => scrubUrls(text));
  const network = networkFailure(error, baseUrl);
  const rateLimited = !network && (error.status === 429 || (error.status === 403 && (/rate limit/i.test(githubMessage) || error.response?.headers?.["x-ratelimit-remaining"] === "0")));
  // plugin-retry stores the count of the attempt that failed; plugin-throttling the one before it
  const retryCount = (error.request?.request as { retryCount?: number } | undefined)?.retryCount;
  return {
    request: describeRequest(error, baseUrl),
    status: network ? undefined : error.status,
    githubMessage,
    errors,
    rateLimited,
    network,
    attempts: retryCount === undefined ? undefined : retryCount + (rateLimited ? 2 : 1),
  };
}

function describeRequest(error: RequestError, baseUrl: string | undefined): string {
  let url = error.request?.url ?? "";
  if (baseUrl !== undefined && url.startsWith(baseUrl)) url = url.slice(baseUrl.length);
  else url = pathOf(url) ?? url;
  return `${error.request?.method ?? ""} ${url.split("?")[0]}`.trim();
}

function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/**
 * A request that got no answer: status 500 without a response, with the fetch error as `cause`
 * (https://github.com/octokit/request.js/blob/main/src/fetch-wrapper.ts). The innermost message and
 * code of the cause chain (undici: TypeError "fetch failed" → Error with `code`, or an AggregateError
 * of one error per address).
 */
function networkFailure(error: RequestError, baseUrl: string | undefined): FailedRequest["network"] {
  let current = (error as { cause?: unknown }).cause;
  if (error.status !== 500 || error.response !== undefined || current === undefined) return undefined;
  let message = "";
  let code: string | undefined;
  for (let depth = 0; typeof current === "object" && current !== null && depth < 8; depth++) {
    const link = current as { message?: unknown; code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof link.code === "string") code = link.code;
    if (typeof link.message === "string" && link.message !== "" && link.message !== "fetch failed") message = link.message;
    current = link.cause ?? (Array.isArray(link.errors) ? link.errors[0] : undefined);
  }
  const text = oneLine(message || error.message || "fetch failed");
  const cause = scrubUrls(code !== undefined && !text.includes(code) ? `${text} (${code})` : text);
  const url = error.request?.url ?? baseUrl ?? "";
  let host = "";
  try {
    host = new URL(url).host;
  } catch {
    host = baseUrl ?? "the API";
  }
  return { host, cause, code };
}

/** OpenSSL's `<id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>:` → `SSL routines: <reason>`; any text → its first line. */
function oneLine(text: string): string {
  const line = text.split("\n")[0]!.trim();
  const openssl = /^[0-9A-F]+:error:[0-9A-F]+:([^:]+):[^:]*:([^:]+):/.exec(line);
  return openssl ? `${openssl[1]}: ${openssl[2]}` : line;
}

/**
 * A request that kept failing after the retries → the user-facing error naming it: no answer at all
 * → EGITHUBUNREACHABLE; 5xx or a rate limit the throttling plugin gave up on → EGITHUBAPI. Anything
 * else → undefined (an answer the caller maps or rethrows).
 */
export function apiFailure(error: unknown, baseUrl: string): SemanticReleaseError | undefined {
  if (!(error instanceof RequestError)) return undefined;
  const failure = readFailure(error, baseUrl);
  const { request, status, githubMessage, rateLimited, network, attempts } = failure;
  if (network) return getError("EGITHUBUNREACHABLE", { request, host: network.host, cause: network.cause, causeCode: network.code, apiUrl: baseUrl, attempts });
  if (status === undefined || (status < 500 && !rateLimited)) return undefined;
  return getError("EGITHUBAPI", { request, status, githubMessage, apiUrl: baseUrl, attempts, rateLimited });
}
