// End to end: the `dispatch` option (README "Options"): after the release, downstream events are
// sent as the App (whose events, unlike GITHUB_TOKEN's, start workflows). (A target that fails is a
// warning, not a failed release: covered by test/dispatch.test.ts, since a 404 here costs 14 s of
// retries and the stand-in's OpenAPI check refuses the 422 GitHub sends for a workflow without trigger.)
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult, APP_ACTOR, appTokens, assertNoSecrets, assertTokensRevoked, configure, output } from "../helpers/e2e.js";

describe("dispatch: a repository_dispatch event and a workflow_dispatch", () => {
  let world: ReleaseWorld;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld({
      files: {
        ".github/workflows/deploy.yml": "on: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo deploy\n",
      },
    });
    await configure(world, {
      dispatch: [
        { repository: "octo/lib", eventType: "released", clientPayload: { from: "release" } },
        { workflow: "deploy.yml", ref: "main", inputs: { environment: "production" } },
      ],
    });
    result = await world.run();
  });
  after(() => world.close());

  it("releases", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assert.doesNotMatch(output(result), /Could not send/);
  });

  it("sends both events as the App, with the version in the repository_dispatch payload", () => {
    const dispatches = world.standIn.dispatches();
    assert.equal(dispatches.length, 2, JSON.stringify(dispatches));
    const [repositoryDispatch, workflowDispatch] = dispatches;
    assert.deepEqual(
      { kind: repositoryDispatch!.kind, repository: repositoryDispatch!.repository, actor: repositoryDispatch!.actor, event_type: repositoryDispatch!.event_type },
      { kind: "repository_dispatch", repository: "octo/lib", actor: APP_ACTOR, event_type: "released" },
    );
    assert.deepEqual(repositoryDispatch!.client_payload, { from: "release", version: "1.0.0", gitTag: "v1.0.0", channel: null });
    assert.deepEqual(
      { kind: workflowDispatch!.kind, repository: workflowDispatch!.repository, actor: workflowDispatch!.actor, workflow_id: workflowDispatch!.workflow_id, ref: workflowDispatch!.ref, inputs: workflowDispatch!.inputs },
      { kind: "workflow_dispatch", repository: "octo/lib", actor: APP_ACTOR, workflow_id: "deploy.yml", ref: "main", inputs: { environment: "production" } },
    );
  });

  it("asked for actions: write because a workflow is dispatched", () => {
    const [token] = appTokens(world);
    assert.ok(token?.actor.kind === "installation");
    assert.equal(token.actor.permissions.actions, "write");
    assert.equal(token.actor.permissions.contents, "write");
  });

  it("sends them after the release landed, then revokes the token; no secret leaks", async () => {
    const dispatchAt = world.standIn.dispatches()[0]!.at;
    const releasePush = world.standIn.requests({ route: "GIT receive-pack", method: "POST" })[0];
    assert.ok(releasePush && releasePush.at <= dispatchAt);
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});
