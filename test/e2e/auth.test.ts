// End to end: how the release authenticates. The real semantic-release CLI against the stand-in,
// with each form of App credentials a user can put in a secret (client ID or numeric App ID, PKCS#1
// or PKCS#8, escaped newlines, base64), the installation given or looked up, the token's scope, the
// three ways minting fails, a user's PAT instead of an App, and a token in GITHUB_TOKEN that is not the
// workflow token (a PAT, another App's token: the actor is whoever GitHub says it is) or is refused.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult, PULL_REQUEST_RULE, appBypass, appTokens, assertNoSecrets, assertTokensRevoked, configure, errorCodes, output, refPushes, assertReleasePushedByApp } from "../helpers/e2e.js";

describe("numeric App ID, PKCS#8 key and GITHUB_APP_INSTALLATION_ID", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({ keyFormat: "pkcs8" });
    world.standIn.addRuleset(world.repo, { name: "Protect main", target: "branch", rules: [PULL_REQUEST_RULE], bypass_actors: appBypass(world) });
    assert.match(world.privateKey, /^-----BEGIN PRIVATE KEY-{5}/);
    result = await world.run([], {
      GITHUB_APP_CLIENT_ID: undefined,
      GITHUB_APP_ID: String(world.app.id),
      GITHUB_APP_INSTALLATION_ID: String(world.installation.id),
    });
  });
  after(() => world.close());

  it("releases as the App", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertReleasePushedByApp(world);
  });

  it("does not look the installation up", () => {
    const lookups = world.standIn.requests({ route: "GET /repos/{owner}/{repo}/installation" });
    assert.deepEqual(lookups, []);
    assert.ok(world.standIn.requests({ route: "POST /app/installations/{installation_id}/access_tokens" }).some((r) => r.path.includes(`/${world.installation.id}/`)));
  });

  it("asks for exactly contents: write when the installation has no Administration permission", () => {
    const [token] = appTokens(world);
    assert.ok(token);
    // GitHub adds metadata: read to every installation token; the installation's actions: write is left out
    assert.deepEqual(token.actor.kind === "installation" && token.actor.permissions, { contents: "write", metadata: "read" });
    assert.deepEqual(token.actor.kind === "installation" && token.actor.repositoryIds, [world.repo.id], "scoped to the repository");
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("the key as one line with escaped \\n, and base64 of the PEM (--dry-run)", () => {
  let world: ReleaseWorld;
  let escaped: RunResult;
  let base64: RunResult;

  before(async () => {
    world = await releaseWorld({ installationPermissions: { contents: "write", metadata: "read", administration: "read" } });
    escaped = await world.run(["--dry-run"], { GITHUB_APP_PRIVATE_KEY: world.privateKey.trim().replace(/\n/g, "\\n") });
    base64 = await world.run(["--dry-run"], { GITHUB_APP_PRIVATE_KEY: Buffer.from(world.privateKey).toString("base64") });
  });
  after(() => world.close());

  it("mints with either form", () => {
    assert.equal(escaped.code, 0, output(escaped));
    assert.equal(base64.code, 0, output(base64));
    assert.match(escaped.stdout, /Release preflight/);
    assert.match(base64.stdout, /Release preflight/);
    assert.equal(appTokens(world).length, 2, "one token per run");
  });

  it("--dry-run holds no write token: read permissions only, administration: read added when the installation has it", () => {
    for (const token of appTokens(world)) {
      assert.deepEqual(token.actor.kind === "installation" && token.actor.permissions, { contents: "read", administration: "read", metadata: "read" });
    }
  });

  it("revokes both tokens and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, escaped);
    await assertNoSecrets(world, base64);
  });
});

describe("minting refused", () => {
  let world: ReleaseWorld;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld();
    mainBefore = await world.remoteRef("refs/heads/main");
  });
  after(() => world.close());

  async function assertNothingHappened(result: RunResult) {
    assert.notEqual(result.code, 0);
    assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
    assert.deepEqual(refPushes(world), []);
    await assertNoSecrets(world, result);
  }

  it("another App's key: EAPPAUTHFAILED with GitHub's message", async () => {
    const other = world.standIn.createApp({ slug: "other-bot", owner: "octo" });
    const result = await world.run([], { GITHUB_APP_PRIVATE_KEY: other.privateKey });
    assert.match(output(result), /EAPPAUTHFAILED/);
    assert.match(output(result), /A JSON web token could not be decoded/);
    assert.ok(output(result).includes(world.app.clientId), "names the App ID it tried");
    assert.deepEqual(appTokens(world), [], "no token");
    await assertNothingHappened(result);
  });

  it("an App that is not installed on the repository: EAPPNOTINSTALLED", async () => {
    const lonely = world.standIn.createApp({ slug: "lonely-bot", owner: "octo" });
    const result = await world.run([], { GITHUB_APP_CLIENT_ID: lonely.app.clientId, GITHUB_APP_PRIVATE_KEY: lonely.privateKey });
    assert.match(output(result), /EAPPNOTINSTALLED/);
    assert.match(output(result), /octo\/lib/);
    assert.deepEqual(appTokens(world, lonely.app.id), []);
    await assertNothingHappened(result);
  });

  it("an installation without Contents: write: EAPPPERMISSIONS naming the permission", async () => {
    const reader = world.standIn.createApp({ slug: "reader-bot", owner: "octo", permissions: { contents: "read" } });
    world.standIn.installApp(reader.app, "octo", { repositories: ["lib"], permissions: { contents: "read", metadata: "read" } });
    const result = await world.run([], { GITHUB_APP_CLIENT_ID: reader.app.clientId, GITHUB_APP_PRIVATE_KEY: reader.privateKey });
    assert.match(output(result), /EAPPPERMISSIONS/);
    assert.match(output(result), /contents:write|contents: write/);
    assert.deepEqual(appTokens(world, reader.app.id), [], "GitHub would refuse the mint with 422: no token is asked for");
    await assertNothingHappened(result);
  });
});

describe('authMethod: "pat" with the repository admin\'s token in GH_TOKEN', () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld();
    // the owner administers the repository: the Repository admin role (actor id 5) may bypass
    world.standIn.addRuleset(world.repo, {
      name: "Protect main",
      target: "branch",
      rules: [PULL_REQUEST_RULE],
      bypass_actors: [{ actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "always" }],
    });
    await configure(world, { authMethod: "pat" });
    result = await world.run([], { GH_TOKEN: world.standIn.createPat("octo") });
  });
  after(() => world.close());

  it("releases, pushing as the user, with the user as commit author", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertReleasePushedByApp(world, { actor: "user:octo" });
    const commit = await world.remoteCommit("refs/heads/main");
    assert.match(commit.author, /^octo </);
  });

  it("mints no App token although App credentials are set", () => {
    assert.deepEqual(appTokens(world), []);
  });
});

describe("a personal access token in GITHUB_TOKEN (authMethod auto): the user GitHub names, not github-actions[bot]", () => {
  let world: ReleaseWorld;
  let dryRun: RunResult;
  let result: RunResult;
  let userId: number;

  before(async () => {
    world = await releaseWorld();
    userId = world.standIn.account("octo")!.id;
    const env = { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined, GITHUB_TOKEN: world.standIn.createPat("octo") };
    dryRun = await world.run(["--dry-run"], env);
    result = await world.run([], env);
  });
  after(() => world.close());

  it("the dry-run report names the user as the actor", () => {
    assert.equal(dryRun.code, 0, output(dryRun));
    assert.match(dryRun.stdout, /^Actor +octo$/m);
    assert.match(dryRun.stdout, /^Auth method +pat$/m, "judged as a user's token");
    assert.doesNotMatch(output(dryRun), /github-actions\[bot\]/);
    assert.match(output(dryRun), /Using the personal access token in GITHUB_TOKEN \(user octo\)/);
  });

  it("releases, pushing and committing as the user", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertReleasePushedByApp(world, { actor: "user:octo" });
    const commit = await world.remoteCommit("refs/heads/main");
    assert.equal(commit.author, `octo <${userId}+octo@users.noreply.127.0.0.1>`);
    assert.equal(commit.committer, commit.author);
    assert.doesNotMatch(output(result), /41898282|github-actions\[bot\]/);
  });
});

describe("a refused token in GITHUB_TOKEN", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld();
    result = await world.run([], { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined, GITHUB_TOKEN: "ghp_" + "R".repeat(36) });
  });
  after(() => world.close());

  it("stops with EINVALIDTOKEN naming GITHUB_TOKEN, not a raw HttpError dump", async () => {
    assert.notEqual(result.code, 0);
    const text = output(result);
    assert.match(text, /EINVALIDTOKEN The token in GITHUB_TOKEN was refused by GitHub \(401 Bad credentials\)\./);
    assert.deepEqual(errorCodes(text), ["EINVALIDTOKEN"]);
    // semantic-release prints its AggregateError's own stack; a request's error would add its request and response
    assert.doesNotMatch(text, /RequestError|HttpError|Bad credentials'|response: \{|request: \{/);
    assert.doesNotMatch(text, /node_modules\/(\x1B\[4m)?@octokit/, "no frame of Octokit's");
    assert.ok(!text.includes("R".repeat(36)), "the token is not printed");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
    assert.deepEqual(refPushes(world), []);
  });
});

describe("another App's installation token in GITHUB_TOKEN: pushed, committed and judged as that App's bot", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let other: ReturnType<ReleaseWorld["standIn"]["createApp"]>["app"];

  before(async () => {
    world = await releaseWorld();
    other = world.standIn.createApp({ slug: "ci-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } }).app;
    const installation = world.standIn.installApp(other, "octo", { repositories: ["lib"] });
    // only ci-bot may bypass: judged as github-actions[bot], this would be EGITHUBACTIONSBYPASS
    world.standIn.addRuleset(world.repo, { name: "Protect main", target: "branch", rules: [PULL_REQUEST_RULE], bypass_actors: [{ actor_id: other.id, actor_type: "Integration", bypass_mode: "always" }] });
    const token = world.standIn.mintInstallationToken(installation).token;
    result = await world.run([], { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined, GITHUB_TOKEN: token });
  });
  after(() => world.close());

  it("releases as ci-bot[bot] past the ruleset that lists it", async () => {
    assert.equal(result.code, 0, output(result));
    assert.match(output(result), /Using the GitHub App installation token in GITHUB_TOKEN \(ci-bot\[bot\]\)/);
    assertReleasePushedByApp(world, { actor: "installation:ci-bot[bot]" });
    const commit = await world.remoteCommit("refs/heads/main");
    assert.equal(commit.author, `ci-bot[bot] <${other.botUserId}+ci-bot[bot]@users.noreply.127.0.0.1>`);
    assert.doesNotMatch(output(result), /EGITHUBACTIONSBYPASS|github-actions\[bot\]/);
  });
});
