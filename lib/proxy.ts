// HTTP(S) proxies for the plugin's API requests, from the variables git (curl) reads too:
// `HTTPS_PROXY`/`https_proxy` for https URLs, `HTTP_PROXY`/`http_proxy` for http URLs,
// `NO_PROXY`/`no_proxy` for the hosts reached directly; the lower-case form wins when both are set.
// undici's EnvHttpProxyAgent implements these conventions
// (https://github.com/nodejs/undici/blob/main/docs/docs/api/EnvHttpProxyAgent.md), with one addition
// curl does not make: an https URL goes through `HTTP_PROXY` when no https proxy is set. Node 20's
// global fetch is undici too, but ignores these variables. @semantic-release/github 12 reads only
// `http_proxy`/`HTTP_PROXY` (or its `proxy` option) and also sends its requests through undici
// (https://github.com/semantic-release/github/blob/master/lib/octokit.js).
//
// undici (the npm package, about 11 MB of RSS once loaded: docs/performance.md "Where the memory goes")
// is imported only when a proxy variable is set, on the first request through it.
import { createRequire } from "node:module";
import type { EnvHttpProxyAgent, fetch as UndiciFetch } from "undici";

type Env = Record<string, string | undefined>;

/** The proxies `env` names, as EnvHttpProxyAgent's options ("" for what is not set). */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/**
 * The proxy settings of `env`, or undefined when it names no proxy (NO_PROXY alone changes nothing).
 * A variable set to "" counts as not set. Unset values are passed to undici as "" so that it does
 * not fall back to process.env on its own.
 */
export function proxySettings(env: Env = process.env): ProxySettings | undefined {
  const value = (lower: string, upper: string) => (env[lower] ?? "").trim() || (env[upper] ?? "").trim();
  const settings = { httpProxy: value("http_proxy", "HTTP_PROXY"), httpsProxy: value("https_proxy", "HTTPS_PROXY"), noProxy: value("no_proxy", "NO_PROXY") };
  return settings.httpProxy || settings.httpsProxy ? settings : undefined;
}

/**
 * A `fetch` for @octokit/request that sends each request through the proxy `env` names for its URL,
 * or directly when NO_PROXY matches it; undefined when no proxy is set (lib/octokit.ts then uses
 * ./http/fetch.ts). One connection pool per call: each Octokit gets its own.
 */
export function proxyFetch(env: Env = process.env): typeof fetch | undefined {
  const settings = proxySettings(env);
  if (!settings) return undefined;
  let proxied: Promise<{ dispatcher: EnvHttpProxyAgent; undiciFetch: typeof UndiciFetch }> | undefined;
  return (async (input: Parameters<typeof UndiciFetch>[0], init?: Parameters<typeof UndiciFetch>[1]) => {
    proxied ??= import("undici").then((undici) => ({ dispatcher: new undici.EnvHttpProxyAgent(settings), undiciFetch: undici.fetch }));
    const { dispatcher, undiciFetch } = await proxied;
    return undiciFetch(input, { ...init, dispatcher });
  }) as unknown as typeof fetch;
}

/** Where undici's CommonJS entry is, for a child process that must use the proxy too (lib/token/revoke-sync.ts). */
export function undiciPath(): string {
  return createRequire(import.meta.url).resolve("undici");
}
