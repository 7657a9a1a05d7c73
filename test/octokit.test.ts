import { test } from "node:test";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { format } from "node:util";
import { RequestError } from "@octokit/request-error";
import { createReleaseToken } from "../lib/token/index.js";
import { ReleaseOctokit, USER_AGENT, VERSION, apiFailure, readFailure, toOctokitOptions } from "../lib/octokit.js";
import { httpFetch } from "../lib/http/fetch.js";
import type { Logger } from "../lib/logger.js";
import { APP_RETRY_CONF } from "../lib/definitions/retry.js";
import type { ResolvedConfig } from "../lib/types.js";
import { startStandIn } from "github-stand-in";
import { refusesDirect, startForwardProxy } from "./helpers/forward-proxy.js";

function makeLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    log: (...args) => lines.push(`log: ${format(...args)}`),
    warn: (...args) => lines.push(`warn: ${format(...args)}`),
    error: (...args) => lines.push(`error: ${format(...args)}`),
    success: (...args) => lines.push(`success: ${format(...args)}`),
  };
  return { logger, lines };
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  standIn.createUser("octo");
  await standIn.createRepo("octo", "proj");
  const { app, privateKey } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } });
  const installation = standIn.installApp(app, "octo");
  const token = standIn.mintInstallationToken(installation).token;
  return { standIn, app, privateKey, installation, token };
}

const statuses = (standIn: Awaited<ReturnType<typeof startStandIn>>, route: string) => standIn.requests({ route }).map((r) => r.status);
const REPO = "GET /repos/{owner}/{repo}";

test("The user agent names this package and its version; the base URL is taken as loadConfig resolved it", () => {
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: "https://api.github.com" }));
  assert.equal(USER_AGENT, `semantic-release-github-app/${VERSION}`);
  assert.match(String(octokit.request.endpoint.DEFAULTS.headers["user-agent"]), /^semantic-release-github-app\/\S+ /);
  assert.equal(octokit.request.endpoint.DEFAULTS.baseUrl, "https://api.github.com");
});

test("A 502 then 200 is retried; so is a 404 (replication lag); a 422 is not", async (t) => {
  const { standIn, token } = await setup(t);
  const { logger } = makeLogger();
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token, logger, retry: { retryAfterBaseValue: 1 } }));
  standIn.failNext(REPO, 1, 502);
  standIn.failNext(REPO, 1, 404);
  const { data } = await octokit.request(REPO, { owner: "octo", repo: "proj" });
  assert.equal(data.full_name, "octo/proj");
  assert.deepEqual(statuses(standIn, REPO), [502, 404, 200]);

  standIn.failNext(REPO, 1, 422);
  await assert.rejects(octokit.request(REPO, { owner: "octo", repo: "proj" }), { status: 422 });
  assert.deepEqual(statuses(standIn, REPO).slice(3), [422]);
});

test("5xx after every retry → apiFailure gives EGITHUBAPI with the request and the number of attempts; 404 is left to the caller", async (t) => {
  const { standIn, token } = await setup(t);
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token, retry: { retryAfterBaseValue: 1 } }));
  standIn.failNext(REPO, 4, 502);
  const error = await octokit.request(REPO, { owner: "octo", repo: "proj" }).catch((e: unknown) => e);
  assert.ok(error instanceof RequestError);
  const mapped = apiFailure(error, standIn.apiUrl)!;
  assert.equal(mapped.code, "EGITHUBAPI");
  assert.equal(mapped.message.split(":")[0], "GitHub API request GET /repos/octo/proj failed with 502");
  assert.match(String(mapped.details), /failed 4 times with status 502/);
  assert.match(String(mapped.details), /#egithubapi/);
  assert.equal(apiFailure(new RequestError("Not Found", 404, { request: { method: "GET", url: "x", headers: {} } }), standIn.apiUrl), undefined);
  assert.equal(apiFailure(new Error("boom"), standIn.apiUrl), undefined);
});

test("The App (JWT) settings do not retry 404", () => {
  assert.ok(APP_RETRY_CONF.doNotRetry.includes(404));
});

test("A secondary rate limit logs a warning and is retried after retry-after", async (t) => {
  const { standIn, token } = await setup(t);
  const { logger, lines } = makeLogger();
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token, logger, throttle: { retryAfterBaseValue: 1 } }));
  standIn.failNext(REPO, 2, 403, { "retry-after": "2" });
  await octokit.request(REPO, { owner: "octo", repo: "proj" });
  assert.deepEqual(statuses(standIn, REPO), [403, 403, 200]);
  assert.deepEqual(lines, [
    "warn: GitHub secondary rate limit hit for GET /repos/{owner}/{repo}; retrying in 2 s (retry 1 of 3).",
    "warn: GitHub secondary rate limit hit for GET /repos/{owner}/{repo}; retrying in 2 s (retry 2 of 3).",
  ]);
});

test("Rate limits are retried at most 3 times, and never when the wait is too long", async (t) => {
  const { standIn, token } = await setup(t);
  const { logger, lines } = makeLogger();
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token, logger, throttle: { retryAfterBaseValue: 1 } }));
  standIn.failNext(REPO, 5, 429);
  await assert.rejects(octokit.request(REPO, { owner: "octo", repo: "proj" }), { status: 429 });
  assert.deepEqual(statuses(standIn, REPO), [429, 429, 429, 429]);
  assert.match(lines.at(-1)!, /giving up after 3 retries/);
  // the exhausted rate limit maps to EGITHUBAPI
  standIn.failNext(REPO, 4, 403);
  const error = await octokit.request(REPO, { owner: "octo", repo: "proj" }).catch((e: unknown) => e);
  const mapped = apiFailure(error, standIn.apiUrl)!;
  assert.equal(mapped.code, "EGITHUBAPI");
  assert.match(String(mapped.details), /failed 4 times with status 403/);
  assert.match(String(mapped.details), /rate-limited/);
  // a 403 that is not a rate limit is left to the caller
  assert.equal(apiFailure(new RequestError("Resource not accessible by integration", 403, { request: { method: "GET", url: "x", headers: {} } }), standIn.apiUrl), undefined);

  // a wait of an hour is not waited for (the token would not outlive it)
  standIn.failNext(REPO, 1, 403, { "retry-after": "3600" });
  await assert.rejects(octokit.request(REPO, { owner: "octo", repo: "proj" }), { status: 403 });
  assert.equal(lines.at(-1), "warn: GitHub secondary rate limit hit for GET /repos/{owner}/{repo}; not waiting 3600 s for it to reset.");
});

test("The installation client retries a 401 that comes right after minting (replication delay), as @octokit/auth-app does", async (t) => {
  const { standIn, app, privateKey } = await setup(t);
  const { logger, lines } = makeLogger();
  const config = {
    authMethod: "app",
    permissions: undefined,
    laterPluginPermissions: {},
    dispatch: [],
    githubUrl: standIn.origin,
    githubApiUrl: standIn.apiUrl,
    installationId: undefined,
    appId: String(app.id),
    privateKey,
  } as unknown as ResolvedConfig;
  standIn.failNext("GET /users/{username}", 1, 401);
  const source = await createReleaseToken({ config, owner: "octo", repo: "proj", logger, octokitOptions: { retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } } });
  t.after(() => source.revoke());
  const identity = await source.identity();
  assert.equal(identity.userId, app.botUserId);
  assert.deepEqual(statuses(standIn, "GET /users/{username}"), [401, 200]);
  assert.ok(lines.some((line) => /^warn: Retrying after a 401 to a token minted \d+ ms ago/.test(line)));
});

// ---- the one reader of a failed request ---------------------------------------------------------------

test("readFailure reads GitHub's answer: status, message, errors[], the request without the base URL", async (t) => {
  const { standIn, token } = await setup(t);
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token, retry: { enabled: false } }));
  const error = await octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "nope", per_page: 1 }).catch((e: unknown) => e);
  const failure = readFailure(error, standIn.apiUrl);
  assert.equal(failure.request, "GET /repos/octo/nope");
  assert.equal(failure.status, 404);
  assert.equal(failure.githubMessage, "Not Found");
  assert.equal(failure.rateLimited, false);
  assert.equal(failure.network, undefined);
  // without the base URL, the path of the URL
  assert.equal(readFailure(error).request, "GET /api/v3/repos/octo/nope");
  // the hook text of a Git database refusal is in errors[] (docs/github.md §3.4)
  const refused = new RequestError("Repository rule violations found", 422, {
    request: { method: "PATCH", url: `${standIn.apiUrl}/repos/o/r/git/refs/heads/main`, headers: {} },
    response: { status: 422, url: "", headers: {}, data: { message: "Repository rule violations found", errors: ["Changes must be made through a pull request.", { message: "see https://user:ghs_leak@example.com/x" }] } },
  });
  assert.deepEqual(readFailure(refused, standIn.apiUrl).errors, ["Changes must be made through a pull request.", "see https://example.com/x"]);
  // anything else: its message, and a status if it has one
  assert.deepEqual(readFailure(Object.assign(new Error("boom"), { status: 500 })), { request: "", status: 500, githubMessage: "boom", errors: [], rateLimited: false, network: undefined, attempts: undefined });
});

/** An Octokit for `baseUrl` with the real retries at a 1 ms unit. */
async function failedRequest(baseUrl: string): Promise<unknown> {
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl, auth: "ghs_test", retry: { retryAfterBaseValue: 1 } }));
  return octokit.request("GET /repos/{owner}/{repo}/installation", { owner: "octo", repo: "proj" }).catch((e: unknown) => e);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

test("No server on the port → EGITHUBUNREACHABLE naming the host and ECONNREFUSED, not \"failed with 500\"", async () => {
  const closed = createHttpServer();
  const port = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const baseUrl = `http://127.0.0.1:${port}/api/v3`;
  const error = await failedRequest(baseUrl);
  const failure = readFailure(error, baseUrl);
  assert.equal(failure.status, undefined);
  assert.deepEqual(failure.network && { host: failure.network.host, code: failure.network.code }, { host: `127.0.0.1:${port}`, code: "ECONNREFUSED" });
  assert.equal(failure.attempts, 4, "retried like a 5xx");
  const mapped = apiFailure(error, baseUrl)!;
  assert.equal(mapped.code, "EGITHUBUNREACHABLE");
  assert.equal(mapped.message, `GitHub at 127.0.0.1:${port} could not be reached for GET /repos/octo/proj/installation: connect ECONNREFUSED 127.0.0.1:${port}`);
  assert.doesNotMatch(`${mapped.message}\n${mapped.details}`, /\b500\b/);
  assert.match(String(mapped.details), /no answer after 4 attempts/);
  assert.match(String(mapped.details), /Nothing answered on `127\.0\.0\.1:\d+`/);
  assert.match(String(mapped.details), /README\.md#egithubunreachable/);
});

test("A host name that does not resolve → EGITHUBUNREACHABLE naming the host and the DNS failure", async () => {
  const baseUrl = "https://github.invalid/api/v3"; // .invalid never resolves (RFC 2606)
  const mapped = apiFailure(await failedRequest(baseUrl), baseUrl)!;
  assert.equal(mapped.code, "EGITHUBUNREACHABLE");
  assert.match(mapped.message, /^GitHub at github\.invalid could not be reached for GET \/repos\/octo\/proj\/installation: getaddrinfo (ENOTFOUND|EAI_AGAIN) github\.invalid$/);
  assert.match(String(mapped.details), /does not resolve from this machine/);
});

test("TLS that fails (https to a plain http server) → EGITHUBUNREACHABLE with the TLS reason on one line", async (t) => {
  const plain = createHttpServer((_req, res) => res.end("plain"));
  const port = await listen(plain);
  t.after(() => plain.close());
  const baseUrl = `https://127.0.0.1:${port}/api/v3`;
  const mapped = apiFailure(await failedRequest(baseUrl), baseUrl)!;
  assert.equal(mapped.code, "EGITHUBUNREACHABLE");
  assert.match(mapped.message, /could not be reached for GET \/repos\/octo\/proj\/installation: .*wrong version number.*\(ERR_SSL_WRONG_VERSION_NUMBER\)$/);
  assert.ok(!mapped.message.includes("\n"), "one line");
  assert.match(String(mapped.details), /TLS certificate|not trusted/);
});

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

test("A certificate Node does not trust → EGITHUBUNREACHABLE that points to NODE_EXTRA_CA_CERTS", { skip: hasOpenssl ? false : "needs the openssl command to make a certificate" }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "octokit-tls-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key"), "-out", join(dir, "cert"), "-days", "1", "-subj", "/CN=127.0.0.1"], { stdio: "ignore" });
  const server = createHttpsServer({ key: readFileSync(join(dir, "key")), cert: readFileSync(join(dir, "cert")) }, (_req, res) => res.end("{}"));
  const port = await listen(server);
  t.after(() => server.close());
  const baseUrl = `https://127.0.0.1:${port}/api/v3`;
  const mapped = apiFailure(await failedRequest(baseUrl), baseUrl)!;
  assert.equal(mapped.code, "EGITHUBUNREACHABLE");
  // Node 24 adds a hint of its own after the reason ("; if the root CA is installed locally, try running Node.js with --use-system-ca")
  assert.match(mapped.message, /self-signed certificate(;[^(]*)? \(DEPTH_ZERO_SELF_SIGNED_CERT\)$/);
  assert.match(String(mapped.details), /NODE_EXTRA_CA_CERTS/);
  assert.match(String(mapped.details), /Do not turn certificate checks off/);
});

// ---- HTTP(S)_PROXY and NO_PROXY (lib/proxy.ts) ------------------------------------------------------

/** an address on loopback where nothing listens: only the proxy, which routes it to the stand-in, reaches it */
const PROXY_ONLY_HOST = "127.7.7.7";

async function proxied(t: { after: (fn: () => Promise<void>) => void }) {
  const world = await setup(t);
  const port = Number(new URL(world.standIn.origin).port);
  const proxy = await startForwardProxy({ routes: { [`${PROXY_ONLY_HOST}:${port}`]: `127.0.0.1:${port}` } });
  t.after(() => proxy.close());
  assert.ok(await refusesDirect(PROXY_ONLY_HOST, port), `${PROXY_ONLY_HOST}:${port} is not reachable directly`);
  return { ...world, proxy, proxyOnlyApi: `http://${PROXY_ONLY_HOST}:${port}/api/v3`, target: `${PROXY_ONLY_HOST}:${port}` };
}

test("HTTP_PROXY: requests go through the proxy, to an address only the proxy reaches", async (t) => {
  const { proxy, proxyOnlyApi, target, token } = await proxied(t);
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: proxyOnlyApi, auth: token, env: { HTTP_PROXY: proxy.url }, retry: { enabled: false } }));
  const { data } = await octokit.request(REPO, { owner: "octo", repo: "proj" });
  assert.equal(data.full_name, "octo/proj");
  assert.deepEqual(proxy.tunnels, [target], "one CONNECT tunnel to the API's address");
  assert.deepEqual(proxy.seen.map((r) => `${r.method} ${r.path}`), ["GET /api/v3/repos/octo/proj"]);
  assert.match(proxy.seen[0]!.userAgent, /^semantic-release-github-app\//);
});

test("http_proxy (lower case) wins over HTTP_PROXY; without any proxy variable the plugin's node:http client is used", async (t) => {
  const { proxy, proxyOnlyApi, token } = await proxied(t);
  const closed = createHttpServer();
  const deadPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const env = { http_proxy: proxy.url, HTTP_PROXY: `http://127.0.0.1:${deadPort}` };
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: proxyOnlyApi, auth: token, env, retry: { enabled: false } }));
  await octokit.request(REPO, { owner: "octo", repo: "proj" });
  assert.equal(proxy.seen.length, 1);
  assert.equal(toOctokitOptions({ baseUrl: proxyOnlyApi, env: {} }).request?.fetch, httpFetch, "no proxy: lib/http/fetch.ts");
  assert.equal(toOctokitOptions({ baseUrl: proxyOnlyApi, env: { NO_PROXY: "*" } }).request?.fetch, httpFetch, "NO_PROXY alone sets up no proxy");
});

test("NO_PROXY: a listed host is reached directly, the others through the proxy", async (t) => {
  const { standIn, proxy, proxyOnlyApi, target, token } = await proxied(t);
  const env = { HTTP_PROXY: proxy.url, NO_PROXY: "example.com,127.0.0.1" };
  const direct = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token, env, retry: { enabled: false } }));
  await direct.request(REPO, { owner: "octo", repo: "proj" });
  assert.deepEqual(proxy.seen, [], "127.0.0.1 is in NO_PROXY");
  const viaProxy = new ReleaseOctokit(toOctokitOptions({ baseUrl: proxyOnlyApi, auth: token, env, retry: { enabled: false } }));
  await viaProxy.request(REPO, { owner: "octo", repo: "proj" });
  assert.deepEqual(proxy.tunnels, [target], `${PROXY_ONLY_HOST} is not in NO_PROXY`);
});

test("A proxy that does not answer → EGITHUBUNREACHABLE, not a raw fetch error", async (t) => {
  const { proxyOnlyApi, token } = await proxied(t);
  const closed = createHttpServer();
  const deadPort = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: proxyOnlyApi, auth: token, env: { HTTPS_PROXY: "", HTTP_PROXY: `http://127.0.0.1:${deadPort}` }, retry: { retryAfterBaseValue: 1 } }));
  const error = await octokit.request(REPO, { owner: "octo", repo: "proj" }).catch((e: unknown) => e);
  const mapped = apiFailure(error, proxyOnlyApi)!;
  assert.equal(mapped.code, "EGITHUBUNREACHABLE");
  assert.match(mapped.message, new RegExp(`ECONNREFUSED 127\\.0\\.0\\.1:${deadPort}`));
});

test("An App token minted and then revoked by revokeSync's child process: all through the proxy", async (t) => {
  const { standIn, app, privateKey, proxy, proxyOnlyApi } = await proxied(t);
  const config = { authMethod: "app", permissions: undefined, laterPluginPermissions: {}, dispatch: [], githubUrl: standIn.origin, githubApiUrl: proxyOnlyApi, installationId: undefined, appId: String(app.id), privateKey };
  // revokeSync blocks its process's event loop: the holder runs in a child (test/fixtures/release-token-exit.ts)
  const fixture = fileURLToPath(new URL("./fixtures/release-token-exit.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", import.meta.resolve("tsx"), fixture], { env: { ...process.env, HTTP_PROXY: proxy.url, http_proxy: "", NO_PROXY: "" } });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  child.stdin.end(JSON.stringify({ config, owner: "octo", repo: "proj" }));
  assert.equal(await new Promise((resolve) => child.on("close", resolve)), 0);
  assert.match(stdout, /exiting\nlog: Revoked the GitHub App token\.\n$/);
  // setup() minted one token without HTTP; the fixture's is the last one
  const record = standIn.tokens({ appId: app.id }).at(-1);
  assert.ok(record && standIn.revoked(record.token), "the token the child minted is revoked");
  const seen = proxy.seen.map((r) => `${r.method} ${r.path}`);
  assert.ok(seen.some((line) => /^POST \/api\/v3\/app\/installations\/\d+\/access_tokens$/.test(line)), "minted through the proxy");
  assert.equal(seen.at(-1), "DELETE /api/v3/installation/token", "revoked through the proxy, by the child");
  assert.deepEqual(standIn.requests({ route: "DELETE /installation/token" }).length, 1);
});
