// Hardening, faults: every request the plugin makes meets 502/503/504 and secondary rate
// limits (403 with retry-after, 429) and the release still succeeds, retried by @octokit/plugin-retry
// and @octokit/plugin-throttling (lib/octokit.ts) and, for git, by lib/push/push-release.ts once when
// nothing can have landed. A request that keeps failing ends in an error that names it.
// Faults are queued with the stand-in's failNext(); git faults are queued only once our plugin has
// started (core's own `git push --dry-run` probe runs before any plugin and must not eat them).
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { protectReleaseRefs, releaseWorld, type ReleaseWorld, type RunResult, appTokens, assertNoSecrets, assertTokensRevoked, onRequest, output, requestsTo, assertReleasePushedByApp } from "../helpers/e2e.js";
import { commitOnBare } from "../fixtures/step-plugin.mjs";

/**
 * lib/definitions/retry.ts: the unit of every retry wait, 20 ms instead of 1 s; the same retries
 * happen (the waits themselves are checked in test/octokit.test.ts and test/release-token.test.ts).
 */
const FAST = { SEMANTIC_RELEASE_GITHUB_APP_RETRY_BASE_MS: "20" };

const ROUTES = {
  installation: "GET /repos/{owner}/{repo}/installation",
  installationById: "GET /app/installations/{installation_id}",
  accessTokens: "POST /app/installations/{installation_id}/access_tokens",
  user: "GET /users/{username}",
  branchRules: "GET /repos/{owner}/{repo}/rules/branches/{branch}",
  rulesets: "GET /repos/{owner}/{repo}/rulesets",
  ruleset: "GET /repos/{owner}/{repo}/rulesets/{ruleset_id}",
  branch: "GET /repos/{owner}/{repo}/branches/{branch}",
  protection: "GET /repos/{owner}/{repo}/branches/{branch}/protection",
  revoke: "DELETE /installation/token",
  receivePack: "GIT receive-pack",
} as const;

/**
 * A repository that makes the plugin use every route: a branch ruleset and a tag ruleset the App
 * bypasses (rules, rulesets list, ruleset details), classic protection it may read (branch,
 * protection: the installation has Administration: read).
 */
async function protectedWorld(): Promise<ReleaseWorld> {
  const world = await releaseWorld({
    checkout: "v4",
    installationPermissions: { contents: "write", metadata: "read", actions: "write", administration: "read" },
  });
  protectReleaseRefs(world);
  world.standIn.setProtection(world.repo, "main", {});
  return world;
}

/** git faults wait until our plugin runs: the first token minted is its verifyConditions */
function failGitOnceOurPluginRuns(world: ReleaseWorld, count: number, status: number): void {
  onRequest(
    world,
    (r) => r.route === ROUTES.accessTokens && r.status === 201,
    () => world.standIn.failNext(ROUTES.receivePack, count, status),
  );
}

function statuses(world: ReleaseWorld, route: string): number[] {
  return requestsTo(world, route).map((r) => r.status);
}

/** the route met `fault` first and then succeeded on a retry */
function assertRecovered(world: ReleaseWorld, route: string, fault: number): void {
  const seen = statuses(world, route);
  assert.equal(seen[0], fault, `${route}: first answer ${fault} (saw ${seen.join(", ")})`);
  assert.ok(seen.slice(1).some((s) => s < 300), `${route}: a retry succeeded (saw ${seen.join(", ")})`);
}

async function assertReleased(world: ReleaseWorld, result: RunResult, mainBefore: string | undefined): Promise<void> {
  assert.equal(result.code, 0, output(result));
  const main = await world.remoteRef("refs/heads/main");
  assert.notEqual(main, mainBefore, "main moved");
  assert.equal(await world.remoteRef("refs/tags/v1.0.0"), main, "v1.0.0 is on the release commit");
  assert.equal((await world.remoteCommit("refs/heads/main")).subject, "chore(release): 1.0.0 [skip ci]");
  assertReleasePushedByApp(world);
}

describe("faults: 5xx once on every route the plugin uses", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;
  const faults: [string, number][] = [
    [ROUTES.installation, 502],
    [ROUTES.accessTokens, 503],
    [ROUTES.user, 504],
    [ROUTES.branchRules, 502],
    [ROUTES.rulesets, 503],
    [ROUTES.ruleset, 504],
    [ROUTES.branch, 502],
    [ROUTES.protection, 503],
    [ROUTES.revoke, 502],
  ];

  before(async () => {
    world = await protectedWorld();
    mainBefore = await world.remoteRef("refs/heads/main");
    for (const [route, status] of faults) world.standIn.failNext(route, 1, status);
    failGitOnceOurPluginRuns(world, 1, 502);
    result = await world.run([], FAST);
  });
  after(() => world.close());

  it("releases as the App: branch and tag on the remote", async () => {
    await assertReleased(world, result, mainBefore);
  });

  it("retried each REST request after its 5xx and got an answer", () => {
    for (const [route, status] of faults) assertRecovered(world, route, status);
  });

  it("retried the git push once after the smart-HTTP 502, and it landed as the App", () => {
    const pushes = requestsTo(world, ROUTES.receivePack).filter((r) => r.actor === "installation:release-bot[bot]" || r.status === 502);
    assert.equal(pushes[0]?.status, 502, "the first receive-pack request after our plugin started got the 502");
    assert.match(output(result), /The push failed with a network error; retrying once/);
    assert.match(output(result), /Pushed refs\/heads\/main and refs\/tags\/v1\.0\.0 atomically as release-bot\[bot\]/);
  });

  it("revokes the token despite the 502 on DELETE /installation/token, and leaks no secret", async () => {
    assertTokensRevoked(world);
    assert.doesNotMatch(output(result), /Could not revoke/);
    await assertNoSecrets(world, result);
  });
});

describe("faults: secondary rate limits (403 + retry-after, 429) and a 401 right after minting", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let mainBefore: string | undefined;
  const faults: [string, number][] = [
    [ROUTES.installationById, 403],
    [ROUTES.accessTokens, 429],
    [ROUTES.branchRules, 429],
    [ROUTES.rulesets, 403],
    [ROUTES.ruleset, 429],
    [ROUTES.branch, 403],
    [ROUTES.protection, 429],
    [ROUTES.revoke, 403],
  ];

  before(async () => {
    world = await protectedWorld();
    mainBefore = await world.remoteRef("refs/heads/main");
    for (const [route, status] of faults) world.standIn.failNext(route, 1, status, { "retry-after": "1" });
    // docs/github.md §6.1: a just-minted token can be refused while it replicates
    world.standIn.failNext(ROUTES.user, 1, 401);
    failGitOnceOurPluginRuns(world, 1, 504);
    // GITHUB_APP_INSTALLATION_ID: the mint and GET /app/installations/{id} go out in parallel
    result = await world.run([], { ...FAST, GITHUB_APP_INSTALLATION_ID: String(world.installation.id) });
  });
  after(() => world.close());

  it("releases as the App: branch and tag on the remote", async () => {
    await assertReleased(world, result, mainBefore);
  });

  it("waited out each rate limit (octokit's throttling plugin) and got an answer", () => {
    for (const [route, status] of faults) assertRecovered(world, route, status);
    // the throttling plugin's onSecondaryRateLimit (lib/octokit.ts) says what it waits for
    const warnings = [...output(result).matchAll(/GitHub secondary rate limit hit for (\S+ \S+); retrying in 1 s \(retry 1 of 3\)/g)].map((m) => m[1]!);
    for (const fragment of ["GET /app/installations/{installation_id}", "POST /app/installations/{installation_id}/access_tokens", "rules/branches/main", "GET /repos/{owner}/{repo}/branches/{branch}/protection", "DELETE /installation/token"]) {
      assert.ok(warnings.some((w) => w.includes(fragment)), `a rate-limit warning for ${fragment} (saw ${warnings.join(", ")})`);
    }
  });

  it("retried the 401 to the token it had just minted", () => {
    assertRecovered(world, ROUTES.user, 401);
    assert.match(output(result), /Retrying after a 401 to a token minted \d+ ms ago/);
  });

  it("retried the git push once after the smart-HTTP 504", () => {
    assert.match(output(result), /The push failed with a network error; retrying once/);
  });

  it("revokes every token, and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("faults that do not go away", () => {
  // The worlds run at once.
  const cases = {
    preflight: { route: ROUTES.branchRules, status: 502, path: /GET \/repos\/octo\/lib\/rules\/branches\/main/ },
    mint: { route: ROUTES.accessTokens, status: 503, path: /POST \/app\/installations\/\d+\/access_tokens/ },
    rateLimit: { route: ROUTES.installation, status: 403, path: /GET \/repos\/octo\/lib\/installation/ },
    // a rate limit on a ruleset is a failure, not "ruleset not readable" (which would only warn)
    rulesetRateLimit: { route: ROUTES.ruleset, status: 429, path: /GET \/repos\/octo\/lib\/rulesets\/\d+/ },
  } as const;
  const worlds = {} as Record<keyof typeof cases, ReleaseWorld>;
  const results = {} as Record<keyof typeof cases, RunResult>;

  before(async () => {
    await Promise.all(
      Object.entries(cases).map(async ([name, c]) => {
        const world = (worlds[name as keyof typeof cases] = await protectedWorld());
        world.standIn.failNext(c.route, 10, c.status, { "retry-after": "1" });
        results[name as keyof typeof cases] = await world.run([], FAST);
      }),
    );
  });
  after(() => Promise.all(Object.values(worlds).map((w) => w.close())));

  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: ${c.route} answering ${c.status} every time ends in EGITHUBAPI naming the request and the status, after the retries`, async () => {
      const world = worlds[name as keyof typeof cases];
      const result = results[name as keyof typeof cases];
      assert.notEqual(result.code, 0);
      const text = output(result);
      assert.match(text, /EGITHUBAPI/, text);
      assert.match(text, c.path);
      assert.match(text, new RegExp(`\\b${c.status}\\b`));
      if (c.status === 403 || c.status === 429) assert.match(text, /rate-limited/, "the fix for a rate limit: wait, then run again");
      // the first request and 3 retries; of the two rulesets read at once, the one that fails first
      // ends the release, and its token is revoked: the other may have one retry left unsent
      const perPath = new Map<string, number>();
      for (const r of requestsTo(world, c.route)) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
      assert.equal(Math.max(...perPath.values()), 4, `attempts per request: ${[...perPath.values()]}`);
      assert.ok([...perPath.values()].every((n) => n <= 4));
      assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "nothing released");
      assert.deepEqual(world.standIn.refPushes(), [], "nothing pushed");
      // these requests come before the first token exists
      if (c.route === ROUTES.accessTokens || c.route === ROUTES.installation) assert.equal(appTokens(world).length, 0, "no token was ever minted");
      else assertTokensRevoked(world);
      await assertNoSecrets(world, { ...result, gitArgv: [] });
    });
  }
});

describe("git push faults (two worlds at once)", () => {
  const worlds: ReleaseWorld[] = [];
  // the smart-HTTP endpoint fails twice
  let twice: { world: ReleaseWorld; result: RunResult; mainBefore: string | undefined };
  // the push fails on the network and the branch moved meanwhile
  let moved: { world: ReleaseWorld; result: RunResult; competing: string };

  before(async () => {
    const runTwice = async () => {
      const world = await protectedWorld();
      worlds.push(world);
      const mainBefore = await world.remoteRef("refs/heads/main");
      failGitOnceOurPluginRuns(world, 2, 502);
      twice = { world, mainBefore, result: await world.run([], FAST) };
    };
    const runMoved = async () => {
      const world = await protectedWorld();
      worlds.push(world);
      const competing = commitOnBare(world.repo.gitDir, "main", "fix: a developer's commit");
      // When the 502 is answered, a developer's push lands (synchronously: before the plugin's next request).
      onRequest(
        world,
        (r) => r.route === ROUTES.receivePack && r.status === 502,
        () => execFileSync("git", ["update-ref", "refs/heads/main", competing], { cwd: world.repo.gitDir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }),
      );
      failGitOnceOurPluginRuns(world, 1, 502);
      moved = { world, competing, result: await world.run([], FAST) };
    };
    await Promise.all([runTwice(), runMoved()]);
  });
  after(() => Promise.all(worlds.map((w) => w.close())));

  it("the endpoint fails twice: retried once only, then EPUSHFAILED with git's output; nothing pushed", async () => {
    const { world, result, mainBefore } = twice;
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.match(text, /EPUSHFAILED/);
    assert.match(text, /The requested URL returned error: 502/);
    assert.equal(requestsTo(world, ROUTES.receivePack).filter((r) => r.status === 502).length, 2, "two push attempts");
    assert.equal((text.match(/retrying once/g) ?? []).length, 1);
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
    assertTokensRevoked(world);
  });

  it("the branch moved while the push failed on the network: no retry, the developer's commit untouched", async () => {
    const { world, result, competing } = moved;
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.doesNotMatch(text, /retrying once/);
    assert.match(text, /EPUSHFAILED|EREMOTEAHEAD/);
    assert.equal(requestsTo(world, ROUTES.receivePack).filter((r) => r.status === 502).length, 1, "one push attempt");
    assert.equal(await world.remoteRef("refs/heads/main"), competing);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
    assertTokensRevoked(world);
  });
});
