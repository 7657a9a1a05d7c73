import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { format } from "node:util";
import { Octokit } from "@octokit/core";
import { sendDispatches } from "../lib/dispatch.js";

interface Call {
  method: string;
  url: string;
  body: unknown;
}

/** An Octokit whose requests are answered by `answer` (real URL building, no network). */
function fakeOctokit(answer: (call: Call) => { status: number; body?: unknown }) {
  const calls: Call[] = [];
  const octokit = new Octokit({
    baseUrl: "https://api.example.test",
    request: {
      fetch: async (url: string, init: { method: string; body?: string }) => {
        const call = { method: init.method, url, body: init.body ? JSON.parse(init.body) : undefined };
        calls.push(call);
        const { status, body } = answer(call);
        return new Response(status === 204 ? null : JSON.stringify(body ?? {}), {
          status,
          headers: { "content-type": "application/json" },
        });
      },
    },
  });
  return { octokit, calls };
}

const nextRelease = { version: "1.2.0", gitTag: "v1.2.0", channel: null };

describe("sendDispatches", () => {
  it("sends repository_dispatch with the release in client_payload and workflow_dispatch with ref and inputs", async () => {
    const { octokit, calls } = fakeOctokit(() => ({ status: 204 }));
    const logs: string[] = [];
    const results = await sendDispatches({
      octokit,
      owner: "o",
      repo: "r",
      targets: [
        { repository: "o/deploy", eventType: "released", clientPayload: { env: "prod", version: "overridden?" } },
        { workflow: "deploy.yml", ref: "main", inputs: { version: "1.2.0" } },
        { workflow: "docs.yml", ref: "v1.2.0", repository: "o/docs" },
      ],
      nextRelease,
      logger: { log: (m, ...a) => logs.push(format(m, ...a)), warn: () => {}, error: () => {}, success: () => {} },
    });
    assert.deepEqual(calls, [
      {
        method: "POST",
        url: "https://api.example.test/repos/o/deploy/dispatches",
        body: { event_type: "released", client_payload: { env: "prod", version: "1.2.0", gitTag: "v1.2.0", channel: null } },
      },
      {
        method: "POST",
        url: "https://api.example.test/repos/o/r/actions/workflows/deploy.yml/dispatches",
        body: { ref: "main", inputs: { version: "1.2.0" } },
      },
      { method: "POST", url: "https://api.example.test/repos/o/docs/actions/workflows/docs.yml/dispatches", body: { ref: "v1.2.0" } },
    ]);
    assert.ok(results.every((result) => result.ok && result.status === 204));
    assert.equal(logs.length, 3);
  });

  it("a failed target is a warning naming it and the status; the others are still sent", async () => {
    const { octokit, calls } = fakeOctokit((call) =>
      call.url.includes("/deploy/") ? { status: 404, body: { message: "Not Found" } } : { status: 204 },
    );
    const warnings: string[] = [];
    const results = await sendDispatches({
      octokit,
      owner: "o",
      repo: "r",
      targets: [
        { repository: "o/deploy", eventType: "released" },
        { workflow: "ci.yml", ref: "main" },
      ],
      nextRelease,
      logger: { log: () => {}, warn: (m, ...a) => warnings.push(format(m, ...a)), error: () => {}, success: () => {} },
    });
    assert.equal(calls.length, 2);
    assert.deepEqual(
      results.map(({ ok, status }) => ({ ok, status })),
      [
        { ok: false, status: 404 },
        { ok: true, status: 204 },
      ],
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /repository_dispatch "released" to o\/deploy/);
    assert.match(warnings[0]!, /HTTP 404 Not Found/);
    assert.match(warnings[0]!, /contents: write/);
  });

  it("no targets, no requests", async () => {
    const { octokit, calls } = fakeOctokit(() => ({ status: 204 }));
    assert.deepEqual(await sendDispatches({ octokit, owner: "o", repo: "r", targets: [], nextRelease }), []);
    assert.equal(calls.length, 0);
  });
});
