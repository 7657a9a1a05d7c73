// The GraphQL endpoint: answers from the world, validation against GitHub's published schema,
// GitHub's error shapes (FORBIDDEN, NOT_FOUND, pagination, variables), and what close() fails on.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import type { Installation, IssueRecord, Repository } from "../src/world.js";

let standIn: StandIn;
let installation: Installation;
let repo: Repository;
let issue: IssueRecord;
let pr: IssueRecord;
let mergeSha: string;
let seedSha: string;

before(async () => {
  standIn = await startStandIn();
  standIn.createUser("octo");
  const { app } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", issues: "write", pull_requests: "write" } });
  repo = await standIn.createRepo("octo", "lib");
  installation = standIn.installApp(app, "octo");
  seedSha = await standIn.git(repo, "rev-parse", "main");
  issue = standIn.createIssue(repo, { author: "reporter", title: "Crash on empty input", labels: ["bug"] });
  pr = await standIn.createPullRequest(repo, {
    author: "contributor",
    title: "fix: handle empty input",
    body: "Fixes #1",
    head: "fix-empty",
    commits: [
      { message: "fix: handle empty input", files: { "parse.js": "a\n" } },
      { message: "test: empty input", files: { "parse.test.js": "b\n" } },
    ],
  });
  mergeSha = await standIn.mergePullRequest(repo, pr.number, { by: "octo" });
});
after(() => standIn.close());

const tokenWith = (permissions?: Record<string, "read" | "write">) => standIn.mintInstallationToken(installation, { permissions }).token;

/** a raw POST /api/graphql: status and JSON body */
async function gql(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${standIn.origin}/api/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: await response.json() };
}

const PR_FIELDS = "number title state mergedAt mergeable isDraft author { login __typename } mergedBy { login } commits { totalCount } labels(first: 40) { nodes { name } }";

describe("POST /api/graphql, answered from the world", () => {
  it("is where @octokit/graphql sends a GHES base URL's queries, and needs a token", async () => {
    const octokit = new Octokit({ baseUrl: standIn.apiUrl, auth: tokenWith() });
    const data = await octokit.graphql<{ repository: { nameWithOwner: string } }>("query($o: String!, $n: String!) { repository(owner: $o, name: $n) { nameWithOwner } }", { o: "octo", n: "lib" });
    assert.equal(data.repository.nameWithOwner, "octo/lib");
    const anonymous = await gql(undefined, "{ repository(owner: \"octo\", name: \"lib\") { name } }");
    assert.equal(anonymous.status, 401);
    assert.match(anonymous.body.message, /requires you to be authenticated/);
  });

  it("viewer: the App's bot user for an installation token (login with [bot]), the user for a PAT", async () => {
    const query = "query { viewer { __typename login databaseId } }";
    const bot = await gql(tokenWith(), query);
    assert.deepEqual(bot.body.data.viewer, { __typename: "User", login: "release-bot[bot]", databaseId: standIn.account("release-bot[bot]")!.id });
    const workflow = await gql(standIn.actionsToken(repo), query);
    assert.deepEqual(workflow.body.data.viewer, { __typename: "User", login: "github-actions[bot]", databaseId: 41898282 });
    const user = await gql(standIn.createPat("octo"), query);
    assert.deepEqual(user.body.data.viewer, { __typename: "User", login: "octo", databaseId: standIn.account("octo")!.id });
  });

  it("finds a commit's pull request, for its own commits and for its merge commit, and none for other commits", async () => {
    const [first] = pr.pullRequest!.commits;
    const { body } = await gql(tokenWith(), `query getAssociatedPRs($owner: String!, $repo: String!) {
      repository(owner: $owner, name: $repo) {
        own: object(oid: "${first}") { ... on Commit { oid associatedPullRequests(first: 100) { pageInfo { hasNextPage endCursor } nodes { ${PR_FIELDS} } } } }
        merge: object(oid: "${mergeSha}") { ... on Commit { associatedPullRequests(first: 100) { nodes { number } } } }
        seed: object(oid: "${seedSha}") { ... on Commit { associatedPullRequests(first: 100) { nodes { number } } } }
        missing: object(oid: "${"0".repeat(40)}") { oid }
      }
    }`, { owner: "octo", repo: "lib" });
    assert.equal(body.errors, undefined);
    const { own, merge, seed, missing } = body.data.repository;
    assert.deepEqual(own.associatedPullRequests.nodes, [
      { number: 2, title: "fix: handle empty input", state: "MERGED", mergedAt: own.associatedPullRequests.nodes[0].mergedAt, mergeable: "UNKNOWN", isDraft: false, author: { login: "contributor", __typename: "User" }, mergedBy: { login: "octo" }, commits: { totalCount: 2 }, labels: { nodes: [] } },
    ]);
    assert.equal(own.associatedPullRequests.pageInfo.hasNextPage, false);
    assert.deepEqual(merge.associatedPullRequests.nodes, [{ number: 2 }]);
    assert.deepEqual(seed.associatedPullRequests.nodes, []);
    assert.equal(missing, null);
  });

  it("answers issueOrPullRequest with `state` asked on both types under one name, as GitHub's graphql-ruby does (the specification would refuse it)", async () => {
    const { body } = await gql(tokenWith(), `{ repository(owner: "octo", name: "lib") {
      issue1: issueOrPullRequest(number: 1) { ... on Issue { __typename state labels(first: 40) { nodes { name color isDefault } } } ... on PullRequest { __typename state } }
      issue2: issueOrPullRequest(number: 2) { ... on Issue { __typename state } ... on PullRequest { __typename state merged } }
    } }`);
    assert.equal(body.errors, undefined);
    assert.deepEqual(body.data.repository, {
      issue1: { __typename: "Issue", state: "OPEN", labels: { nodes: [{ name: "bug", color: "ededed", isDefault: false }] } },
      issue2: { __typename: "PullRequest", state: "MERGED", merged: true },
    });
  });

  it("lists open issues by label, without pull requests, and a comment made over REST shows as the App's bot (login without [bot])", async () => {
    const token = tokenWith();
    await new Octokit({ baseUrl: standIn.apiUrl, auth: token }).request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner: "octo", repo: "lib", issue_number: issue.number, body: "Released" });
    const query = `query getSRIssues($owner: String!, $repo: String!, $filter: IssueFilters) {
      repository(owner: $owner, name: $repo) { issues(first: 100, states: OPEN, filterBy: $filter) { totalCount nodes { number comments(first: 5) { totalCount nodes { body author { __typename login } } } } } }
    }`;
    const bugs = await gql(token, query, { owner: "octo", repo: "lib", filter: { labels: ["bug"] } });
    assert.deepEqual(bugs.body.data.repository.issues, {
      totalCount: 1,
      nodes: [{ number: 1, comments: { totalCount: 1, nodes: [{ body: "Released", author: { __typename: "Bot", login: "release-bot" } }] } }],
    });
    const none = await gql(token, query, { owner: "octo", repo: "lib", filter: { labels: ["semantic-release"] } });
    assert.deepEqual(none.body.data.repository.issues, { totalCount: 0, nodes: [] });
  });

  it("pages a connection with first/after cursors", async () => {
    const token = tokenWith();
    const page = (after?: string) =>
      gql(token, `query($after: String) { repository(owner: "octo", name: "lib") { pullRequests(first: 1) { nodes { number } } object(oid: "${mergeSha}") { ... on Commit { associatedPullRequests(first: 1, after: $after) { pageInfo { hasNextPage endCursor } nodes { number } } } } } }`, after ? { after } : {});
    const one = await page();
    const { pageInfo, nodes } = one.body.data.repository.object.associatedPullRequests;
    assert.deepEqual([nodes, pageInfo.hasNextPage], [[{ number: 2 }], false]);
    const two = await page(pageInfo.endCursor);
    assert.deepEqual(two.body.data.repository.object.associatedPullRequests.nodes, []);
  });
});

describe("GitHub's errors", () => {
  it("FORBIDDEN, the field null: a token without Pull requests asks for a commit's pull requests", async () => {
    const { status, body } = await gql(tokenWith({ contents: "read" }), `{ repository(owner: "octo", name: "lib") { object(oid: "${mergeSha}") { ... on Commit { oid associatedPullRequests(first: 5) { nodes { number } } } } } }`);
    assert.equal(status, 200);
    assert.deepEqual(body.data.repository.object, { oid: mergeSha, associatedPullRequests: null });
    assert.deepEqual(
      body.errors.map((e: any) => [e.type, e.path, e.message]),
      [["FORBIDDEN", ["repository", "object", "associatedPullRequests"], "Resource not accessible by integration"]],
    );
  });

  it("FORBIDDEN for an issue without Issues, NOT_FOUND for a number or repository that does not exist", async () => {
    const noIssues = await gql(tokenWith({ pull_requests: "read" }), `{ repository(owner: "octo", name: "lib") { a: issueOrPullRequest(number: 1) { ... on Issue { number } } b: issueOrPullRequest(number: 2) { ... on PullRequest { number } } } }`);
    assert.deepEqual(noIssues.body.data.repository, { a: null, b: { number: 2 } });
    assert.deepEqual(noIssues.body.errors.map((e: any) => e.type), ["FORBIDDEN"]);
    const missing = await gql(tokenWith(), `{ repository(owner: "octo", name: "lib") { issueOrPullRequest(number: 99) { __typename } } nope: repository(owner: "octo", name: "nope") { name } }`);
    assert.deepEqual(
      missing.body.errors.map((e: any) => [e.type, e.message]),
      [
        ["NOT_FOUND", "Could not resolve to an issue or pull request with the number of 99."],
        ["NOT_FOUND", "Could not resolve to a Repository with the name 'octo/nope'."],
      ],
    );
  });

  it("pagination: first or last is required for nodes, at most 100", async () => {
    const token = tokenWith();
    const missing = await gql(token, `{ repository(owner: "octo", name: "lib") { issues { totalCount nodes { number } } } }`);
    assert.equal(missing.body.errors[0].type, "MISSING_PAGINATION_BOUNDARIES");
    const totalOnly = await gql(token, `{ repository(owner: "octo", name: "lib") { issues { totalCount } } }`);
    assert.deepEqual(totalOnly.body, { data: { repository: { issues: { totalCount: 1 } } } });
    const tooMany = await gql(token, `{ repository(owner: "octo", name: "lib") { issues(first: 101) { nodes { number } } } }`);
    assert.deepEqual([tooMany.body.errors[0].type, tooMany.body.errors[0].message], ["EXCESSIVE_PAGINATION", "Requesting 101 records on the `issues` connection exceeds the `first` limit of 100 records."]);
  });

  it("a query GitHub's schema refuses gets the validation errors and no data; a variable of the wrong type gets graphql-ruby's text", async () => {
    const token = tokenWith();
    const invalid = await gql(token, `{ repository(owner: "octo", name: "lib") { notAField } }`);
    assert.equal(invalid.status, 200);
    assert.equal(invalid.body.data, undefined);
    assert.match(invalid.body.errors[0].message, /Cannot query field "notAField" on type "Repository"/);
    const variable = await gql(token, `query getSRIssues($owner: String!, $repo: String!) { repository(owner: $owner, name: $repo) { name } }`, { owner: ["semantic-release"], repo: "octo" });
    assert.equal(variable.body.errors[0].message, "Variable $owner of type String! was provided invalid value");
    assert.deepEqual(variable.body.errors[0].extensions.value, ["semantic-release"]);
    const parseError = await gql(token, `{ repository(`);
    assert.match(parseError.body.errors[0].message, /Syntax Error/);
  });

  it("records each request (operation, actor, variables, errors) and the route POST /graphql; failNext injects a fault", async () => {
    const since = standIn.mark();
    await gql(tokenWith({ contents: "read" }), `query probe { repository(owner: "octo", name: "lib") { object(oid: "${mergeSha}") { ... on Commit { associatedPullRequests(first: 1) { totalCount } } } } }`);
    standIn.failNext("POST /graphql", 1, 502);
    assert.equal((await fetch(`${standIn.origin}/api/graphql`, { method: "POST", body: "{}", headers: { authorization: `bearer ${tokenWith()}` } })).status, 502);
    const [probe] = standIn.graphql({ since, operationName: "probe" });
    assert.deepEqual([probe?.actor, probe?.fields, probe?.errors.map((e) => e.type)], ["installation:release-bot[bot]", ["repository"], ["FORBIDDEN"]]);
    assert.equal(standIn.graphql({ since, failed: false }).length, 0);
    assert.deepEqual(standIn.requests({ since, route: "POST /api/graphql" }).map((r) => r.status), [200, 502]);
  });
});

describe("what close() fails on", () => {
  it("a field of GitHub's schema the model lacks: answered as an error, and a violation", async () => {
    const other = await startStandIn();
    other.createUser("octo");
    const { app } = other.createApp({ slug: "bot", owner: "octo" });
    await other.createRepo("octo", "lib");
    const token = other.mintInstallationToken(other.installApp(app, "octo")).token;
    const response = await fetch(`${other.origin}/api/graphql`, {
      method: "POST",
      headers: { authorization: `bearer ${token}` },
      body: JSON.stringify({ query: `{ repository(owner: "octo", name: "lib") { stargazerCount } }` }),
    });
    const body = (await response.json()) as { errors: { message: string }[] };
    assert.match(body.errors[0]!.message, /the stand-in does not model Repository\.stargazerCount/);
    await assert.rejects(other.close(), /does not model Repository\.stargazerCount/);
  });
});
