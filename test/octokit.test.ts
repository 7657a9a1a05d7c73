import { test } from "node:test";
import assert from "node:assert/strict";
import { format } from "node:util";
import { RequestError } from "@octokit/request-error";
import { createReleaseToken } from "../lib/token/index.js";
import { ReleaseOctokit, USER_AGENT, VERSION, apiFailure, toOctokitOptions, type Logger } from "../lib/octokit.js";
import { APP_RETRY_CONF } from "../lib/definitions/retry.js";
import type { ResolvedConfig } from "../lib/types.js";
import { startStandIn } from "./github-stand-in/index.js";

function makeLogger() {
  const lines: string[] = [];
  const logger: Logger = {
    log: (...args) => lines.push(`log: ${format(...args)}`),
    warn: (...args) => lines.push(`warn: ${format(...args)}`),
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

test("The user agent names this package and its version", () => {
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: "https://api.github.com/" }));
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
