// A token the release is given (GH_TOKEN or GITHUB_TOKEN): whose it is comes from GitHub, never from
// the variable that holds it (lib/token/token-actor.ts, docs/github.md §4). Against the stand-in,
// which answers `GET /user`, `GET /installation/repositories` and GraphQL `viewer` as GitHub does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type SemanticReleaseError from "@semantic-release/error";
import { createReleaseToken, type ReleaseToken } from "../lib/token/index.js";
import type { ResolvedConfig } from "../lib/types.js";
import { startStandIn, type StandIn } from "github-stand-in";
import { FAST, makeLogger } from "./helpers/token-fixtures.js";



async function world(t: { after: (fn: () => Promise<void>) => void }) {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  const user = standIn.createUser("octo");
  const repo = await standIn.createRepo("octo", "proj");
  const other = standIn.createApp({ slug: "other-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } });
  const installation = standIn.installApp(other.app, "octo", { repositories: ["proj"] });
  return { standIn, user, repo, other, installation };
}

type Variable = "GH_TOKEN" | "GITHUB_TOKEN";

/** createReleaseToken with `token` in `variable` (authMethod "pat" reads GH_TOKEN, "github-token" GITHUB_TOKEN) */
async function given(standIn: StandIn, variable: Variable, token: string, baseUrl = standIn.apiUrl) {
  const { logger, lines } = makeLogger();
  const config = {
    authMethod: variable === "GH_TOKEN" ? "pat" : "github-token",
    ...(variable === "GH_TOKEN" ? { pat: token } : { githubToken: token }),
    githubUrl: "https://github.com",
    githubApiUrl: baseUrl,
    dispatch: [],
  } as unknown as ResolvedConfig;
  const source = createReleaseToken({ config, owner: "octo", repo: "proj", logger, octokitOptions: FAST });
  return { source, lines };
}

async function rejection(promise: Promise<ReleaseToken>): Promise<SemanticReleaseError & { details: string }> {
  try {
    await promise;
  } catch (error) {
    return error as SemanticReleaseError & { details: string };
  }
  assert.fail("expected a rejection");
}

const routes = (standIn: StandIn) => standIn.requests({ git: false }).map((r) => `${r.route} ${r.status}`).sort();

for (const variable of ["GH_TOKEN", "GITHUB_TOKEN"] as const) {
  test(`a personal access token in ${variable}: the user GET /user names, judged as a user's token`, async (t) => {
    const { standIn, user } = await world(t);
    const pat = standIn.createPat("octo");
    const { source, lines } = await given(standIn, variable, pat);
    const token = await source;
    assert.equal(token.method, "pat");
    assert.deepEqual(token.actor, { login: "octo", type: "User" });
    assert.deepEqual(await token.identity(), { name: "octo", email: `${user.id}+octo@users.noreply.github.com`, userId: user.id });
    assert.deepEqual(routes(standIn), ["GET /user 200"]);
    assert.deepEqual(lines, [`log: Using the personal access token in ${variable} (user octo) for octo/proj`]);
  });

  test(`the workflow token in ${variable}: github-actions[bot] (41898282), as GitHub says`, async (t) => {
    const { standIn, repo } = await world(t);
    const workflowToken = standIn.actionsToken(repo);
    const { source, lines } = await given(standIn, variable, workflowToken);
    const token = await source;
    assert.equal(token.method, "github-token");
    assert.deepEqual(token.actor, { login: "github-actions[bot]", type: "Bot" });
    assert.deepEqual(await token.identity(), { name: "github-actions[bot]", email: "41898282+github-actions[bot]@users.noreply.github.com", userId: 41898282 });
    assert.deepEqual(routes(standIn), ["GET /installation/repositories 200", "GET /user 403", "POST /graphql 200"]);
    assert.deepEqual(lines, [`log: Using the workflow token in ${variable} (github-actions[bot]) for octo/proj`]);
    await token.revoke();
    assert.equal(standIn.revoked(workflowToken), false, "the job's token is the job's");
  });

  test(`another App's installation token in ${variable}: that App's bot, not github-actions[bot]`, async (t) => {
    const { standIn, other, installation } = await world(t);
    const appToken = standIn.mintInstallationToken(installation).token;
    const { source, lines } = await given(standIn, variable, appToken);
    const token = await source;
    assert.equal(token.method, "github-token");
    assert.deepEqual(token.actor, { login: "other-bot[bot]", type: "Bot" });
    assert.deepEqual(await token.identity(), { name: "other-bot[bot]", email: `${other.app.botUserId}+other-bot[bot]@users.noreply.github.com`, userId: other.app.botUserId });
    assert.notEqual(other.app.botUserId, other.app.id, "the bot user's id, not the App's");
    assert.deepEqual(lines, [`log: Using the GitHub App installation token in ${variable} (other-bot[bot]) for octo/proj`]);
    await token.revoke();
    assert.equal(standIn.revoked(appToken), false, "a token the release was given is not revoked");
  });

  test(`a refused token in ${variable}: EINVALIDTOKEN naming ${variable}, never the token`, async (t) => {
    const { standIn } = await world(t);
    const bad = "ghp_" + "x".repeat(36);
    const error = await rejection((await given(standIn, variable, bad)).source);
    assert.equal(error.code, "EINVALIDTOKEN");
    assert.equal(error.message, `The token in ${variable} was refused by GitHub (401 Bad credentials).`);
    assert.match(error.details, new RegExp(`\`${variable}\` holds a token`));
    assert.match(error.details, /#einvalidtoken/);
    assert.ok(!`${error.message}${error.details}`.includes("x".repeat(36)));
  });
}

test("an expired installation token is refused like any other: EINVALIDTOKEN", async (t) => {
  const { standIn, installation } = await world(t);
  const expired = standIn.mintInstallationToken(installation, { lifetimeSeconds: 1 }).token;
  standIn.setClockSkew(5_000);
  const error = await rejection((await given(standIn, "GITHUB_TOKEN", expired)).source);
  assert.equal(error.code, "EINVALIDTOKEN");
});

test("GitHub unreachable → EGITHUBUNREACHABLE naming GET /user, not a raw fetch error", async (t) => {
  const { standIn } = await world(t);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const { port } = closed.address() as { port: number };
  await new Promise((resolve) => closed.close(resolve));
  const error = await rejection((await given(standIn, "GITHUB_TOKEN", standIn.createPat("octo"), `http://127.0.0.1:${port}/api/v3`)).source);
  assert.equal(error.code, "EGITHUBUNREACHABLE");
  assert.match(error.message, new RegExp(`could not be reached for GET /user: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`));
});

test("GraphQL failing for an installation token → EGITHUBAPI naming the request", async (t) => {
  const { standIn, repo } = await world(t);
  standIn.failNext("POST /graphql", 4, 502);
  const error = await rejection((await given(standIn, "GITHUB_TOKEN", standIn.actionsToken(repo))).source);
  assert.equal(error.code, "EGITHUBAPI");
  assert.match(error.message, /^GitHub API request POST \/api\/graphql failed with 502/);
});

test("any other answer to GET /user (404: not GitHub's API) → EGITHUBAPI naming it", async (t) => {
  const { standIn } = await world(t);
  standIn.failNext("GET /user", 4, 404);
  const error = await rejection((await given(standIn, "GH_TOKEN", standIn.createPat("octo"))).source);
  assert.equal(error.code, "EGITHUBAPI");
  assert.match(error.message, /GET \/user failed with 404/);
});
