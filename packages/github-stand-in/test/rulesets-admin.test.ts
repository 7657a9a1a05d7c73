// PUT /repos/{owner}/{repo}/rulesets/{ruleset_id} (src/rest-rulesets-admin.ts): an administrator
// changes a repository ruleset; GitHub's 422 for the Actions integration on a user's repository; an
// organization ruleset is neither changed here nor shows its bypass list to a repository admin. Every
// request and answer is checked against GitHub's OpenAPI description by the stand-in itself, and
// close() fails on a violation.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Octokit } from "@octokit/core";
import { startStandIn, type StandIn } from "../src/index.js";
import { GITHUB_ACTIONS_APP_ID, type App, type Repository, type Ruleset } from "../src/world.js";

let standIn: StandIn;
let app: App;
let personal: Repository;
let orgRepo: Repository;
let main: Ruleset;
let orgRuleset: Ruleset;

before(async () => {
  standIn = await startStandIn();
  standIn.createUser("octo");
  standIn.createOrg("acme", { alice: "admin", carol: "member" });
  ({ app } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write" } }));
  personal = await standIn.createRepo("octo", "lib", { collaborators: { bob: "write" } });
  orgRepo = await standIn.createRepo("acme", "widgets", { collaborators: { carol: "admin" } });
  main = standIn.addRuleset(personal, {
    name: "Protect main",
    target: "branch",
    rules: [{ type: "pull_request" }, { type: "non_fast_forward" }],
    bypass_actors: [{ actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "always" }],
  });
  orgRuleset = standIn.addRuleset("acme", { name: "org main", target: "branch", rules: [{ type: "update" }] });
});
after(() => standIn.close());

const as = (login: string) => new Octokit({ baseUrl: standIn.apiUrl, auth: standIn.createPat(login) });
const get = (octokit: Octokit, repo: Repository, id: number) => octokit.request("GET /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner: repo.owner.login, repo: repo.name, ruleset_id: id });
const put = (octokit: Octokit, repo: Repository, id: number, body: Record<string, unknown>) =>
  octokit.request("PUT /repos/{owner}/{repo}/rulesets/{ruleset_id}", { owner: repo.owner.login, repo: repo.name, ruleset_id: id, ...body });

describe("PUT a repository ruleset", () => {
  it("an admin adds the App in exempt mode; every other field stays, and the App's bypass status follows", async () => {
    const octokit = as("octo");
    const { data: before } = await get(octokit, personal, main.id);
    const bypass_actors = [...(before.bypass_actors ?? []), { actor_type: "Integration" as const, actor_id: app.id, bypass_mode: "exempt" as const }];
    const { data } = await put(octokit, personal, main.id, { name: before.name, target: before.target, enforcement: before.enforcement, conditions: before.conditions, rules: before.rules, bypass_actors });
    assert.deepEqual(data.bypass_actors, [
      { actor_id: 5, actor_type: "RepositoryRole", bypass_mode: "always" },
      { actor_id: app.id, actor_type: "Integration", bypass_mode: "exempt" },
    ]);
    assert.deepEqual([data.name, data.target, data.enforcement, data.conditions, data.rules], [before.name, before.target, before.enforcement, before.conditions, before.rules]);
    const installation = standIn.installApp(app, "octo", { repositories: ["lib"] });
    const token = standIn.mintInstallationToken(installation).token;
    const { data: seenByApp } = await get(new Octokit({ baseUrl: standIn.apiUrl, auth: token }), personal, main.id);
    assert.equal(seenByApp.current_user_can_bypass, "exempt");
  });

  it("a body with bypass_actors only changes the bypass list alone", async () => {
    const { data } = await put(as("octo"), personal, main.id, { bypass_actors: [{ actor_type: "Integration", actor_id: app.id, bypass_mode: "always" }] });
    assert.deepEqual(data.bypass_actors, [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }]);
    assert.deepEqual(data.rules?.map((r) => r.type), ["pull_request", "non_fast_forward"]);
  });

  it("answers 422 for GitHub Actions as a bypass actor on a user's repository, and changes nothing", async () => {
    await assert.rejects(put(as("octo"), personal, main.id, { bypass_actors: [{ actor_type: "Integration", actor_id: GITHUB_ACTIONS_APP_ID, bypass_mode: "always" }] }), (error: { status: number; response: { data: { message: string; errors: { message: string }[] } } }) => {
      assert.equal(error.status, 422);
      assert.equal(error.response.data.message, "Validation Failed");
      assert.equal(error.response.data.errors[0]!.message, "Actor GitHub Actions integration must be part of the ruleset source or owner organization");
      return true;
    });
    assert.deepEqual(standIn.repository("octo", "lib")!.rulesets[0]!.bypass_actors, [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }]);
  });

  it("refuses a collaborator without the admin role (403) and an installation token without Administration: write", async () => {
    await assert.rejects(put(as("bob"), personal, main.id, { bypass_actors: [] }), { status: 403, message: /Must have admin rights to Repository/ });
    const installation = standIn.installations({ appId: app.id })[0]!;
    const token = standIn.mintInstallationToken(installation).token;
    await assert.rejects(put(new Octokit({ baseUrl: standIn.apiUrl, auth: token }), personal, main.id, { bypass_actors: [] }), { status: 403 });
  });
});

describe("organization rulesets through the repository", () => {
  it("a repository admin reads the ruleset without its bypass list and cannot change it (404); an organization owner sees the list", async () => {
    const { data } = await get(as("carol"), orgRepo, orgRuleset.id);
    assert.equal(data.source_type, "Organization");
    assert.equal(data.bypass_actors, undefined);
    await assert.rejects(put(as("carol"), orgRepo, orgRuleset.id, { bypass_actors: [] }), { status: 404 });
    const { data: owner } = await get(as("alice"), orgRepo, orgRuleset.id);
    assert.deepEqual(owner.bypass_actors, []);
  });
});
