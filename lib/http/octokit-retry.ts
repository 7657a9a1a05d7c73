// @octokit/plugin-retry 8 (https://github.com/octokit/plugin-retry.js/blob/main/src/), the same
// behaviour and options, without its per-request Bottleneck limiter. That limiter only loops a failed
// request after the delay its "failed" listener returns, but Bottleneck's local datastore waits for a
// timer turn (`setTimeout(0)`, at least 1 ms) before each of its steps: about 5 ms on every request
// that never fails (docs/performance.md "Wall time"). Here a plain loop retries, with the same counts
// and delays: a request that got a status ≥ 400 outside `doNotRetry` (or no answer at all, which
// @octokit/request reports as 500) is sent again up to `retries` times, `(retryCount + 1)²` ×
// `retryAfterBaseValue` ms apart; `options.request.retryCount` holds the attempt's count, as
// lib/octokit.ts readFailure reads it.
import type { Octokit, OctokitOptions } from "@octokit/core";
import { RequestError } from "@octokit/request-error";

export interface RetryState {
  enabled: boolean;
  retryAfterBaseValue: number;
  doNotRetry: number[];
  retries: number;
}

export interface RetryPlugin {
  retry: { retryRequest: (error: RequestError, retries: number, retryAfter: number) => RequestError };
}

type RequestOptions = { request: { retries?: number; retryAfter?: number; retryCount?: number } & Record<string, unknown> } & Record<string, unknown>;
type Send = (options: RequestOptions) => Promise<{ data?: { errors?: { message?: string }[] } }>;

/** Marks `error` for a retry: plugin-retry's `octokit.retry.retryRequest`. */
function retryRequest(error: RequestError, retries: number, retryAfter: number): RequestError {
  const request = error.request as unknown as { request?: Record<string, unknown> };
  request.request = { ...request.request, retries, retryAfter };
  return error;
}

/** plugin-retry's error hook: a retryable status gets its number of retries and its delay. */
async function errorRequest(state: RetryState, error: unknown, options: RequestOptions): Promise<never> {
  if (!(error instanceof Error) || (error as { request?: { request?: unknown } }).request?.request === undefined) throw error;
  const status = (error as RequestError).status;
  if (status >= 400 && !state.doNotRetry.includes(status)) {
    const retries = options.request.retries ?? state.retries;
    throw retryRequest(error as RequestError, retries, ((options.request.retryCount ?? 0) + 1) ** 2);
  }
  throw error;
}

/** One attempt; a GraphQL answer with GitHub's "Something went wrong" counts as a 500 (as plugin-retry). */
async function attempt(state: RetryState, send: Send, options: RequestOptions) {
  const response = await send(options);
  const first = response.data?.errors?.[0]?.message;
  if (first !== undefined && /Something went wrong while executing your query/.test(first)) {
    await errorRequest(state, new RequestError(first, 500, { request: options as never, response: response as never }), options);
  }
  return response;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The Octokit plugin: `Octokit.plugin(retry)`, options under `retry` as plugin-retry's. */
export function retry(octokit: Octokit, octokitOptions: OctokitOptions & { retry?: Partial<RetryState> }): RetryPlugin {
  const state: RetryState = { enabled: true, retryAfterBaseValue: 1000, doNotRetry: [400, 401, 403, 404, 410, 422, 451], retries: 3, ...octokitOptions.retry };
  if (state.enabled) {
    octokit.hook.error("request", (error, options) => errorRequest(state, error, options as unknown as RequestOptions));
    octokit.hook.wrap("request", async (send, options) => {
      const opts = options as unknown as RequestOptions;
      for (let retryCount = 0; ; retryCount++) {
        try {
          return (await attempt(state, send as unknown as Send, opts)) as Awaited<ReturnType<typeof send>>;
        } catch (error) {
          const marked = (error as { request?: { request?: { retries?: unknown; retryAfter?: unknown } } }).request?.request;
          opts.request.retryCount = retryCount + 1;
          if (!(Number(marked?.retries ?? 0) > retryCount)) throw error;
          await sleep(Number(marked?.retryAfter ?? 0) * state.retryAfterBaseValue);
        }
      }
    });
  }
  return { retry: { retryRequest } };
}
