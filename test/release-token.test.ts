import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import type SemanticReleaseError from "@semantic-release/error";
import { createReleaseToken, formatPermissions, missingPermissions, permissionsToRequest, type ReleaseToken } from "../lib/token/index.js";
import type { Permissions, ResolvedConfig } from "../lib/types.js";
import { startStandIn, type StandIn } from "github-stand-in";
import { FAST, makeLogger, tokenConfig as config } from "./helpers/token-fixtures.js";




interface World {
  standIn: StandIn;
  app: ReturnType<StandIn["createApp"]>["app"];
  privateKey: string;
  installation: ReturnType<StandIn["installApp"]>;
}

async function world(
  t: { after: (fn: () => Promise<void>) => void },
  opts: {
    keyFormat?: "pkcs1" | "pkcs8";
    permissions?: Permissions;
    repositories?: string[] | "all";
    tokenLifetimeSeconds?: number;
    latencyMs?: number;
    install?: boolean;
    tokenFormat?: "classic" | "stateless";
  } = {},
): Promise<World> {
  const standIn = await startStandIn({ tokenLifetimeSeconds: opts.tokenLifetimeSeconds ?? 3600, latencyMs: opts.latencyMs ?? 0, tokenFormat: opts.tokenFormat ?? "classic" });
  t.after(() => standIn.close());
  standIn.createUser("octo");
  await standIn.createRepo("octo", "proj");
  await standIn.createRepo("octo", "other");
  const { app, privateKey } = standIn.createApp({
    slug: "release-bot",
    owner: "octo",
    permissions: opts.permissions ?? { contents: "write", metadata: "read" },
    keyFormat: opts.keyFormat ?? "pkcs1",
  });
  const installation = opts.install === false ? (undefined as never) : standIn.installApp(app, "octo", { repositories: opts.repositories ?? "all" });
  return { standIn, app, privateKey, installation };
}

const routes = (standIn: StandIn) => standIn.requests({ git: false }).map((r) => `${r.route} ${r.status}`);

async function rejection(promise: Promise<unknown>): Promise<SemanticReleaseError & { details: string }> {
  try {
    await promise;
  } catch (error) {
    return error as SemanticReleaseError & { details: string };
  }
  assert.fail("expected a rejection");
}

/**
 * A fetch that records when each request went out and when its answer came, so the critical path is
 * measured from the dependency structure (a request that starts after another ended depends on it),
 * not from wall-clock totals that a loaded machine inflates.
 */
function recordingFetch() {
  const calls: { request: string; start: number; end: number }[] = [];
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    const call = { request: `${init?.method ?? "GET"} ${new URL(String(url)).pathname}`, start: performance.now(), end: Number.POSITIVE_INFINITY };
    calls.push(call);
    try {
      return await fetch(url, init);
    } finally {
      call.end = performance.now();
    }
  };
  /** length of the longest chain of requests each sent after the previous one was answered */
  const depth = (from = 0, to = calls.length): number => {
    const slice = calls.slice(from, to);
    const memo = new Map<number, number>();
    const at = (i: number): number => {
      if (!memo.has(i)) memo.set(i, 1 + Math.max(0, ...slice.map((c, j) => (c.end <= slice[i]!.start ? at(j) : 0))));
      return memo.get(i)!;
    };
    return Math.max(0, ...slice.map((_, i) => at(i)));
  };
  return { calls, fetch: fetchFn, depth };
}

function assertNoSecrets(text: string, ...secrets: string[]) {
  for (const secret of secrets) assert.ok(!text.includes(secret), "a secret reached the logs or an error");
}

// ---- pure helpers ---------------------------------------------------------------------------

test("permissionsToRequest: contents:write, actions:write for a workflow target, optional permissions only when the installation has them", () => {
  const base = { permissions: undefined, dispatch: [], laterPluginPermissions: {} };
  const ask = (config: Parameters<typeof permissionsToRequest>[0]["config"], installationPermissions?: Permissions) => permissionsToRequest({ config, installationPermissions });
  assert.deepEqual(ask(base), { contents: "write" });
  assert.deepEqual(ask(base, { contents: "write", metadata: "read" }), { contents: "write" });
  assert.deepEqual(ask(base, { contents: "write", administration: "write" }), { contents: "write", administration: "read" });
  assert.deepEqual(ask({ ...base, dispatch: [{ workflow: "deploy.yml", ref: "main" }] }), { contents: "write", actions: "write" });
  assert.deepEqual(ask({ ...base, permissions: { contents: "write", issues: "write" } }, { administration: "read" }), { contents: "write", issues: "write" });
  // the token is exported to @semantic-release/github: its comment permissions, when the installation has them
  const exported = { ...base, laterPluginPermissions: { issues: "write", pull_requests: "write" } as const };
  assert.deepEqual(ask(exported, { contents: "write", issues: "write", pull_requests: "write" }), { contents: "write", issues: "write", pull_requests: "write" });
  assert.deepEqual(ask(exported, { contents: "write", issues: "read", pull_requests: "write" }), { contents: "write", pull_requests: "write" });
  assert.deepEqual(missingPermissions({ contents: "write", actions: "write", metadata: "read" }, { contents: "read", metadata: "read" }), { contents: "write", actions: "write" });
});

test("permissionsToRequest, dry run: read access only, whatever the features and the permissions option", () => {
  const everything = { permissions: { contents: "write", issues: "write" } as Permissions, dispatch: [{ workflow: "deploy.yml", ref: "main" }], laterPluginPermissions: { issues: "write" } as Permissions };
  assert.deepEqual(permissionsToRequest({ config: everything, readOnly: true }), { contents: "read", metadata: "read" });
  assert.deepEqual(permissionsToRequest({ config: everything, installationPermissions: { contents: "write", issues: "write", actions: "write" }, readOnly: true }), { contents: "read", metadata: "read" });
  assert.deepEqual(permissionsToRequest({ config: everything, installationPermissions: { contents: "write", administration: "read" }, readOnly: true }), { contents: "read", metadata: "read", administration: "read" });
});

test("formatPermissions: one form everywhere (sorted, `name: level`)", () => {
  assert.equal(formatPermissions({ metadata: "read", contents: "write", administration: "read" }), "administration: read, contents: write, metadata: read");
  assert.equal(formatPermissions({}), "none");
  assert.equal(formatPermissions(undefined), "unknown");
});

// ---- app: minting ---------------------------------------------------------------------------

test("App ID + PKCS#1 key: looks the installation up, mints a token for this repository with contents:write only", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t, { keyFormat: "pkcs1" });
  const { logger, lines } = makeLogger();
  const tokens: string[] = [];
  const source = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo",
    repo: "proj",
    logger,
    octokitOptions: FAST,
    onToken: (token) => tokens.push(token) });
  t.after(() => source.revoke());
  const token = await source.fresh();
  assert.deepEqual(tokens, [token]);
  assert.equal(source.method, "app");
  assert.deepEqual(source.app, { id: app.id, slug: "release-bot", clientId: app.clientId });
  assert.deepEqual(source.installation, { id: installation.id, permissions: { metadata: "read", contents: "write" }, repositorySelection: "all", accountLogin: "octo", accountType: "User" });
  assert.deepEqual(source.requestedPermissions, { contents: "write" });
  assert.deepEqual(source.permissions, { contents: "write", metadata: "read" });
  assert.ok(source.expiresAt!.getTime() > Date.now() + 50 * 60 * 1000);

  // what GitHub recorded for the token: only this repository, only these permissions
  const record = standIn.token(token)!;
  assert.equal(record.actor.kind, "installation");
  assert.deepEqual(record.actor.kind === "installation" && record.actor.repositoryIds, [standIn.repository("octo", "proj")!.id]);
  assert.deepEqual(record.actor.kind === "installation" && record.actor.permissions, { contents: "write", metadata: "read" });

  const identity = await source.identity();
  assert.deepEqual(identity, { name: "release-bot[bot]", email: `${app.botUserId}+release-bot[bot]@users.noreply.127.0.0.1`, userId: app.botUserId });
  assert.deepEqual(source.actor, { login: "release-bot[bot]", type: "Bot" });
  assert.equal(await source.identity(), identity, "memoised");

  assert.deepEqual(routes(standIn), [
    "GET /repos/{owner}/{repo}/installation 200",
    "POST /app/installations/{installation_id}/access_tokens 201",
    "GET /users/{username} 200",
  ]);
  assert.deepEqual(standIn.requests().map((r) => r.authScheme), ["bearer", "bearer", "token"]);
  assert.equal(lines[0], `log: Using GitHub App release-bot (installation ${installation.id} on octo) for octo/proj`);
  assert.match(lines[1]!, /^log: Minted a token for octo\/proj with contents: write, metadata: read \(expires at \d\d:\d\d:\d\d UTC\)$/);
  assertNoSecrets(lines.join("\n"), token, privateKey);

  // the octokit is authenticated as the installation
  const { data } = await source.octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "proj" });
  assert.equal(data.full_name, "octo/proj");
  await assert.rejects(source.octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "other" }), { status: 404 });
});

test("Client ID + PKCS#8 key + installation ID: the token request and the installation lookup go out together", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t, { keyFormat: "pkcs8", latencyMs: 300 });
  const { logger } = makeLogger();
  const recorder = recordingFetch();
  const source = await createReleaseToken({ config: config(standIn, { appId: app.clientId, privateKey, installationId: installation.id }), owner: "octo",
    repo: "proj",
    logger,
    octokitOptions: { ...FAST, request: { fetch: recorder.fetch } } });
  t.after(() => source.revoke());
  assert.deepEqual(routes(standIn).sort(), ["GET /app/installations/{installation_id} 200", "POST /app/installations/{installation_id}/access_tokens 201"]);
  // one round trip, not two
  assert.equal(recorder.depth(), 1);
  assert.equal(source.app?.clientId, app.clientId);
  assert.equal(source.app?.slug, "release-bot");
  assert.deepEqual(source.permissions, { contents: "write", metadata: "read" });
});

test("Round trips on the critical path: 2 without an installation ID, 1 with it; the identity is one more, off the path", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t, { latencyMs: 300 });
  const { logger } = makeLogger();
  const measure = async (installationId: number | undefined) => {
    const recorder = recordingFetch();
    const source = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey, installationId }), owner: "octo",
      repo: "proj",
      logger,
      octokitOptions: { ...FAST, request: { fetch: recorder.fetch } } });
    const toToken = recorder.depth();
    await source.identity();
    const toIdentity = recorder.depth();
    await source.revoke();
    return { toToken, toIdentity, requests: recorder.calls.length - 1 /* the DELETE */ };
  };
  assert.deepEqual(await measure(undefined), { toToken: 2, toIdentity: 3, requests: 3 });
  assert.deepEqual(await measure(installation.id), { toToken: 1, toIdentity: 2, requests: 3 });
});

test("administration:read is asked for when the installation has it (and only then); with an installation ID that costs a second mint", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t, { permissions: { contents: "write", metadata: "read", administration: "read" } });
  const { logger } = makeLogger();
  const looked = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  assert.deepEqual(looked.requestedPermissions, { contents: "write", administration: "read" });
  assert.deepEqual(looked.permissions, { contents: "write", administration: "read", metadata: "read" });
  await looked.revoke();

  const mark = standIn.mark();
  const given = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey, installationId: installation.id }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  assert.deepEqual(given.permissions, { contents: "write", administration: "read", metadata: "read" });
  const mints = standIn.requests({ route: "POST /app/installations/{installation_id}/access_tokens", since: mark });
  assert.equal(mints.length, 2);
  // the first (narrower) token is revoked; only the current one is live
  await new Promise((resolve) => setTimeout(resolve, 50));
  const live = standIn.tokens({ kind: "installation", live: true });
  assert.deepEqual(live.map((r) => r.token), [await given.fresh()]);
  await given.revoke();
});

test("readOnly (dry run): read permissions only, administration:read when the installation has it, nothing for dispatch or later plugins", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t, { permissions: { contents: "write", metadata: "read", administration: "read", actions: "write", issues: "write" } });
  const { logger } = makeLogger();
  const proj = standIn.repository("octo", "proj")!;
  const features = {
    appId: String(app.id),
    privateKey,
    dispatch: [
      { workflow: "deploy.yml", ref: "main" },
      { repository: "octo/other", eventType: "released" },
    ],
    laterPluginPermissions: { issues: "write" },
  } satisfies Partial<ResolvedConfig>;
  for (const installationId of [undefined, installation.id]) {
    const mark = standIn.mark();
    const token = await createReleaseToken({ config: config(standIn, { ...features, installationId }), owner: "octo", repo: "proj", logger, octokitOptions: FAST, readOnly: true });
    assert.deepEqual(token.requestedPermissions, { contents: "read", metadata: "read", administration: "read" });
    assert.deepEqual(token.permissions, { contents: "read", metadata: "read", administration: "read" });
    // what the stand-in granted, for every token minted on the way (with an ID: a narrower one first)
    const minted = standIn.tokens({ kind: "installation", since: mark });
    assert.ok(minted.length >= 1);
    for (const record of minted) {
      assert.ok(record.actor.kind === "installation");
      assert.ok(Object.values(record.actor.permissions).every((level) => level === "read"), JSON.stringify(record.actor.permissions));
      assert.deepEqual(record.actor.repositoryIds, [proj.id]);
    }
    await token.revoke();
  }
});

test("readOnly: contents:read is enough for a dry run, where a release needs contents:write", async (t) => {
  const { standIn, app, privateKey } = await world(t, { permissions: { contents: "read", metadata: "read" } });
  const { logger } = makeLogger();
  const dry = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST, readOnly: true });
  assert.deepEqual(dry.permissions, { contents: "read", metadata: "read" });
  await dry.revoke();
  const release = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(release.code, "EAPPPERMISSIONS");
  assert.match(release.message, /lacks contents: write/);
});

test("A workflow dispatch target adds actions:write; same-owner dispatch repositories join the token's repositories", async (t) => {
  const { standIn, app, privateKey } = await world(t, { permissions: { contents: "write", metadata: "read", actions: "write" } });
  const { logger, lines } = makeLogger();
  const source = await createReleaseToken({ config: config(standIn, {
      appId: String(app.id),
      privateKey,
      dispatch: [
        { workflow: "deploy.yml", ref: "main" },
        { repository: "octo/other", eventType: "released" },
      ],
    }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  t.after(() => source.revoke());
  assert.deepEqual(source.requestedPermissions, { contents: "write", actions: "write" });
  const record = standIn.token(await source.fresh())!;
  assert.deepEqual(record.actor.kind === "installation" && [...(record.actor.repositoryIds as number[])].sort(), [standIn.repository("octo", "proj")!.id, standIn.repository("octo", "other")!.id].sort());
  assert.match(lines[1]!, /Minted a token for octo\/proj, octo\/other with /);
});

test("Stateless ghs_<APPID>_<JWT> tokens (~520 characters, with dots) work end to end", async (t) => {
  const { standIn, app, privateKey } = await world(t, { tokenFormat: "stateless" });
  const { logger, lines } = makeLogger();
  const source = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  const token = await source.fresh();
  assert.match(token, new RegExp(`^ghs_${app.id}_[A-Za-z0-9._-]{400,}$`));
  assert.equal((await source.identity()).userId, app.botUserId);
  await source.revoke();
  assert.equal(standIn.revoked(token), true);
  assertNoSecrets(lines.join("\n"), token, token.slice(-40));
});

for (const skewMinutes of [-20, 20]) {
  test(`A clock ${skewMinutes < 0 ? "ahead of" : "behind"} GitHub's by 20 minutes is corrected by @octokit/auth-app (a warning, then success)`, async (t) => {
    const { standIn, app, privateKey } = await world(t);
    standIn.setClockSkew(skewMinutes * 60 * 1000);
    const { logger, lines } = makeLogger();
    const source = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
    await source.revoke();
    assert.ok(lines.some((line) => /^warn: \[@octokit\/auth-app\] GitHub API time and system time are different by -?\d+ seconds/.test(line)), lines.join("\n"));
  });
}

// ---- app: failures --------------------------------------------------------------------------

test("Permissions the installation does not have → EAPPPERMISSIONS naming what was asked, what it has, and where to grant it", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t);
  const { logger } = makeLogger();
  for (const installationId of [undefined, installation.id]) {
    const error = await rejection(
      createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey, installationId, permissions: { contents: "write", issues: "write" } }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }),
    );
    assert.equal(error.name, "SemanticReleaseError");
    assert.equal(error.code, "EAPPPERMISSIONS");
    assert.match(error.message, /lacks issues: write/);
    assert.match(error.details, /contents: write, issues: write/);
    assert.match(error.details, /installation has `contents: write, metadata: read`; missing: `issues: write`/);
    assert.match(error.details, /The permissions requested are not granted to this installation\./);
    assert.ok(error.details.includes(`${standIn.origin}/settings/apps/release-bot/permissions`));
    assert.ok(error.details.includes(`${standIn.origin}/settings/installations/${installation.id}`));
    assert.match(error.details, /#eapppermissions/);
  }
});

test("A token without contents:write (permissions option) → EAPPPERMISSIONS, and the token is revoked", async (t) => {
  const { standIn, app, privateKey } = await world(t);
  const { logger } = makeLogger();
  const error = await rejection(
    createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey, permissions: { contents: "read" } }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }),
  );
  assert.equal(error.code, "EAPPPERMISSIONS");
  assert.match(error.details, /The minted token has `contents: read, metadata: read`; missing: `contents: write`/);
  assert.ok(standIn.tokens().every((r) => r.revoked));
});

test("A key of another App → EAPPAUTHFAILED with GitHub's message and the likely cause", async (t) => {
  const { standIn, app } = await world(t);
  const { logger, lines } = makeLogger();
  const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  for (const installationId of [undefined, 4242]) {
    const error = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey: otherKey, installationId }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
    assert.equal(error.code, "EAPPAUTHFAILED");
    assert.match(error.message, /A JSON web token could not be decoded/);
    assert.match(error.details, /does not belong to the App with the App ID `\d+`/);
    assertNoSecrets(`${error.message}${error.details}${lines.join("")}`, otherKey.split("\n")[1]!);
  }
});

test("An unknown App ID → EAPPAUTHFAILED (Integration not found), without retrying the 404", async (t) => {
  const { standIn, privateKey } = await world(t);
  const { logger } = makeLogger();
  const error = await rejection(createReleaseToken({ config: config(standIn, { appId: "Iv1.doesnotexist00", privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(error.code, "EAPPAUTHFAILED");
  assert.match(error.message, /Integration not found/);
  assert.match(error.details, /No GitHub App with the client ID `Iv1.doesnotexist00`/);
  assert.equal(standIn.requests().length, 1);
});

test("The App installed nowhere → EAPPNOTINSTALLED with the App's install page", async (t) => {
  const { standIn, app, privateKey } = await world(t, { install: false });
  const { logger } = makeLogger();
  const error = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(error.code, "EAPPNOTINSTALLED");
  assert.match(error.message, /The GitHub App `release-bot` is not installed on `octo\/proj`/);
  assert.ok(error.details.includes(`${standIn.origin}/apps/release-bot/installations/new`));
  // the 404 is not retried; GET /app only runs to name the App
  assert.deepEqual(routes(standIn), ["GET /repos/{owner}/{repo}/installation 404", "GET /app 200"]);
});

test("Installed on the owner but this repository not selected → EAPPNOTINSTALLED (looked up: 404; given ID: 422)", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t, { repositories: ["other"] });
  const { logger } = makeLogger();
  const looked = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(looked.code, "EAPPNOTINSTALLED");
  assert.match(looked.details, /not among its selected repositories/);
  const given = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey, installationId: installation.id }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(given.code, "EAPPNOTINSTALLED");
  assert.match(given.details, /does not include `octo\/proj`/);
  assert.ok(given.details.includes(`${standIn.origin}/settings/installations/${installation.id}`));
});

test("An installation ID of no installation of this App → EAPPNOTINSTALLED naming the ID", async (t) => {
  const { standIn, app, privateKey } = await world(t);
  const { logger } = makeLogger();
  const error = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey, installationId: 999999 }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(error.code, "EAPPNOTINSTALLED");
  assert.match(error.message, /has no installation `999999`/);
});

test("A suspended installation → EAPPNOTINSTALLED (suspended)", async (t) => {
  const { standIn, app, privateKey, installation } = await world(t);
  standIn.suspendInstallation(installation);
  const { logger } = makeLogger();
  const error = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(error.code, "EAPPNOTINSTALLED");
  assert.match(error.message, /suspended/);
});

test("A 502 on the token request is retried; 5xx every time → EGITHUBAPI naming the request", async (t) => {
  const { standIn, app, privateKey } = await world(t);
  const { logger } = makeLogger();
  standIn.failNext("POST /app/installations/{installation_id}/access_tokens", 1, 502);
  const source = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  await source.revoke();
  assert.deepEqual(routes(standIn).slice(0, 3), [
    "GET /repos/{owner}/{repo}/installation 200",
    "POST /app/installations/{installation_id}/access_tokens 502",
    "POST /app/installations/{installation_id}/access_tokens 201",
  ]);

  standIn.failNext("POST /app/installations/{installation_id}/access_tokens", 4, 503);
  const error = await rejection(createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(error.code, "EGITHUBAPI");
  assert.match(error.message, /POST \/app\/installations\/\d+\/access_tokens failed with 503/);
  assert.match(error.details, /failed 4 times/);
});

// ---- app: lifetime --------------------------------------------------------------------------

test("With fewer than 5 minutes left, fresh() re-mints, hands the new token to onToken and revokes the old one", async (t) => {
  const { standIn, app, privateKey } = await world(t, { tokenLifetimeSeconds: 200 });
  const { logger, lines } = makeLogger();
  const seen: string[] = [];
  const source = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST, onToken: (token) => seen.push(token) });
  t.after(() => source.revoke());
  const first = seen[0]!;
  const second = await source.fresh();
  assert.notEqual(second, first);
  assert.deepEqual(seen, [first, second]);
  assert.equal(standIn.revoked(first), true);
  assert.equal(standIn.revoked(second), false);
  const secondActor = standIn.token(second)!.actor;
  assert.deepEqual(secondActor.kind === "installation" && secondActor.permissions, { contents: "write", metadata: "read" });
  assert.ok(lines.some((line) => /^log: Re-minted the GitHub App token \(the previous one had \d+ s left\)/.test(line)), lines.join("\n"));
  // concurrent callers share one re-mint
  const [a, b] = await Promise.all([source.fresh(), source.fresh()]);
  assert.equal(a, b);
  // requests through source.octokit only re-mint when less than a minute is left
  const before = standIn.requests({ route: "POST /app/installations/{installation_id}/access_tokens" }).length;
  await source.octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "proj" });
  assert.equal(standIn.requests({ route: "POST /app/installations/{installation_id}/access_tokens" }).length, before);
  assertNoSecrets(lines.join("\n"), first, second);
});

test("revoke() sends one DELETE /installation/token however often it is called; fresh() afterwards is a programming error", async (t) => {
  const { standIn, app, privateKey } = await world(t);
  const { logger, lines } = makeLogger();
  const source = await createReleaseToken({ config: config(standIn, { appId: String(app.id), privateKey }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  const token = await source.fresh();
  await Promise.all([source.revoke(), source.revoke()]);
  await source.revoke();
  assert.equal(standIn.requests({ route: "DELETE /installation/token" }).length, 1);
  assert.equal(standIn.revoked(token), true);
  assert.ok(lines.includes("log: Revoked the GitHub App token."));
  await assert.rejects(source.fresh(), /already revoked/);
});

// ---- pat and github-token -------------------------------------------------------------------

test("pat: the actor comes from GET /user; the token is never revoked", async (t) => {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  const user = standIn.createUser("octo");
  const pat = standIn.createPat("octo");
  const { logger, lines } = makeLogger();
  const source = await createReleaseToken({ config: config(standIn, { authMethod: "pat", pat }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  assert.equal(source.method, "pat");
  assert.deepEqual(source.actor, { login: "octo", type: "User" });
  assert.deepEqual(await source.identity(), { name: "octo", email: `${user.id}+octo@users.noreply.127.0.0.1`, userId: user.id });
  assert.equal(await source.fresh(), pat);
  await source.revoke();
  assert.deepEqual(routes(standIn), ["GET /user 200"]);
  assert.equal(lines[0], "log: Using the personal access token in GH_TOKEN (user octo) for octo/proj");
});

test("pat: a refused token → EINVALIDTOKEN", async (t) => {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  const { logger } = makeLogger();
  const error = await rejection(createReleaseToken({ config: config(standIn, { authMethod: "pat", pat: "ghp_" + "x".repeat(36) }), owner: "octo", repo: "proj", logger, octokitOptions: FAST }));
  assert.equal(error.code, "EINVALIDTOKEN");
  assert.match(error.message, /GH_TOKEN was refused by GitHub \(401 Bad credentials\)/);
  assert.ok(!`${error.message}${error.details}`.includes("x".repeat(36)));
});

test("github-token: the workflow token is github-actions[bot] (41898282), as GitHub says; nothing to revoke", async (t) => {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  standIn.createUser("octo");
  const repo = await standIn.createRepo("octo", "proj");
  const token = standIn.actionsToken(repo);
  const { logger } = makeLogger();
  const source: ReleaseToken = await createReleaseToken({ config: config(standIn, { authMethod: "github-token", githubToken: token, githubUrl: "https://github.com" }), owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  assert.equal(source.method, "github-token");
  assert.deepEqual(source.actor, { login: "github-actions[bot]", type: "Bot" });
  assert.deepEqual(await source.identity(), { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com", userId: 41898282 });
  await source.revoke();
  // test/static-token.test.ts has every kind of token in either variable
  assert.deepEqual(routes(standIn).sort(), ["GET /installation/repositories 200", "GET /user 403", "POST /graphql 200"]);
  assert.equal(standIn.revoked(token), false);
});
