import { test } from "node:test";
import assert from "node:assert/strict";
import { checkRequest, checkResponse, findRoute, hasOperation, listOperations, openapiStats } from "../src/openapi.js";

const ACCESS_TOKENS = "/app/installations/{installation_id}/access_tokens";
const RULESET = "/repos/{owner}/{repo}/rulesets/{ruleset_id}";

const installationToken = {
  token: `ghs_${"a".repeat(36)}`,
  expires_at: "2030-01-01T00:00:00Z",
  permissions: { contents: "write", metadata: "read" },
  repository_selection: "selected",
};

const ruleset = {
  id: 42,
  name: "protect main",
  target: "branch",
  source_type: "Repository",
  source: "octo/repo",
  enforcement: "active",
  bypass_actors: [{ actor_id: 7, actor_type: "Integration", bypass_mode: "always" }],
  current_user_can_bypass: "always",
  node_id: "RRS_1",
  conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
  rules: [
    { type: "deletion" },
    { type: "non_fast_forward" },
    {
      type: "pull_request",
      parameters: {
        dismiss_stale_reviews_on_push: false,
        require_code_owner_review: false,
        require_last_push_approval: false,
        required_approving_review_count: 1,
        required_review_thread_resolution: false,
      },
    },
  ],
  created_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-01T00:00:00Z",
};

test("the description loads lazily, once, in a few seconds at most", (t) => {
  const stats = openapiStats();
  t.diagnostic(`GitHub OpenAPI description parsed and normalized in ${Math.round(stats.loadMs)} ms; ${stats.operations} operations`);
  assert.ok(stats.operations > 1000);
  assert.ok(stats.loadMs < 10_000, `loading took ${stats.loadMs} ms`);
  assert.equal(hasOperation("post", ACCESS_TOKENS), true);
  assert.ok(listOperations().some((op) => op.operationId === "repos/get-branch-rules"));
});

test("a valid installation-token response passes", () => {
  assert.deepEqual(checkResponse("POST", ACCESS_TOKENS, 201, installationToken), []);
});

test("an installation-token response missing `token` fails, naming the field", () => {
  const { token: _omitted, ...withoutToken } = installationToken;
  const violations = checkResponse("POST", ACCESS_TOKENS, 201, withoutToken);
  assert.equal(violations.length, 1, violations.join("\n"));
  assert.match(violations[0]!, /POST \/app\/installations\/\{installation_id\}\/access_tokens 201 response body: .*'token'/);
});

test("a repository-ruleset passes, and fails with current_user_can_bypass: \"sometimes\"", () => {
  assert.deepEqual(checkResponse("GET", RULESET, 200, ruleset), []);
  const violations = checkResponse("GET", RULESET, 200, { ...ruleset, current_user_can_bypass: "sometimes" });
  assert.equal(violations.length, 1, violations.join("\n"));
  assert.match(violations[0]!, /\/current_user_can_bypass must be equal to one of the allowed values: "always", "pull_requests_only", "never", "exempt" \(found "sometimes"\)/);
});

test("a rule reports only the errors of its own type (tagged union)", () => {
  const bad = { ...ruleset, rules: [{ type: "pull_request", parameters: { required_approving_review_count: "one" } }] };
  const violations = checkResponse("GET", RULESET, 200, bad);
  assert.ok(violations.length > 0 && violations.length <= 8, violations.join("\n"));
  assert.ok(violations.every((line) => line.includes("/rules/0/parameters")), violations.join("\n"));
  const unknownType = checkResponse("GET", RULESET, 200, { ...ruleset, rules: [{ type: "no_such_rule" }] });
  assert.equal(unknownType.length, 1, unknownType.join("\n"));
  assert.match(unknownType[0]!, /\/rules\/0\/type must be equal to one of the allowed values: .*"pull_request"/);
});

test("nullable fields accept null, and only where nullable", () => {
  const rules = [{ type: "deletion", ruleset_source_type: "Repository", ruleset_source: "octo/repo", ruleset_id: 42 }];
  assert.deepEqual(checkResponse("GET", "/repos/{owner}/{repo}/rules/branches/{branch}", 200, rules), []);
  const actorWithNullId = { ...ruleset, bypass_actors: [{ actor_id: null, actor_type: "DeployKey", bypass_mode: "always" }] };
  assert.deepEqual(checkResponse("GET", RULESET, 200, actorWithNullId), []);
  assert.equal(checkResponse("GET", RULESET, 200, { ...ruleset, name: null }).length, 1);
});

test("a request body with permissions.contents: \"bogus\" fails", () => {
  assert.deepEqual(checkRequest("POST", ACCESS_TOKENS, { permissions: { contents: "write" }, repositories: ["repo"] }), []);
  assert.deepEqual(checkRequest("POST", ACCESS_TOKENS, undefined), []);
  const violations = checkRequest("POST", ACCESS_TOKENS, { permissions: { contents: "bogus" } });
  assert.deepEqual(violations, [
    'POST /app/installations/{installation_id}/access_tokens request body: /permissions/contents must be equal to one of the allowed values: "read", "write" (found "bogus")',
  ]);
});

test("an unknown operation is reported", () => {
  assert.deepEqual(checkResponse("GET", "/repos/{owner}/{repo}/no-such-thing", 200, {}), [
    "GET /repos/{owner}/{repo}/no-such-thing: no such operation in GitHub's OpenAPI description",
  ]);
  assert.equal(checkRequest("PATCH", ACCESS_TOKENS, {}).length, 1);
  assert.equal(hasOperation("GET", "/nope"), false);
});

test("statuses: undocumented ones are reported; errors any endpoint can return are checked as basic-error", () => {
  assert.deepEqual(checkResponse("DELETE", "/installation/token", 204, undefined), []);
  assert.match(checkResponse("DELETE", "/installation/token", 204, { message: "x" })[0]!, /documents no body/);
  assert.match(checkResponse("DELETE", "/installation/token", 418, undefined)[0]!, /status 418 is not documented \(documented: 204\)/);
  // 5xx and rate limits can come from any endpoint (the stand-in injects them with failNext).
  assert.deepEqual(checkResponse("DELETE", "/installation/token", 503, "upstream down"), []);
  assert.deepEqual(checkResponse("DELETE", "/installation/token", 429, { message: "secondary rate limit", documentation_url: "https://docs.github.com" }), []);
  assert.equal(checkResponse("DELETE", "/installation/token", 401, { message: 5 }).length, 1);
  // A documented JSON body must be present.
  assert.match(checkResponse("POST", ACCESS_TOKENS, 201, undefined)[0]!, /missing/);
});

test("findRoute maps concrete paths to templates", () => {
  assert.equal(findRoute("GET", "/repos/octo/repo/rules/branches/main"), "/repos/{owner}/{repo}/rules/branches/{branch}");
  assert.equal(findRoute("GET", "/repos/octo/repo/rules/branches/feature%2Fx"), "/repos/{owner}/{repo}/rules/branches/{branch}");
  assert.equal(findRoute("GET", "/repos/octo/repo/git/ref/heads/feature/x"), "/repos/{owner}/{repo}/git/ref/{ref}");
  assert.equal(findRoute("GET", "/repos/octo/repo/installation"), "/repos/{owner}/{repo}/installation");
  assert.equal(findRoute("GET", "/repos/octo/repo/rulesets/42"), RULESET);
  assert.equal(findRoute("POST", "/app/installations/9/access_tokens"), ACCESS_TOKENS);
  assert.equal(findRoute("GET", "/no/such/path"), undefined);
});
