// The two places where the release session touches process.env: the exported token and the App key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { takeAppKey, withoutAppKey } from "../lib/session/app-key.js";
import { TokenExport } from "../lib/session/token-export.js";

function withEnv(values: Record<string, string | undefined>, fn: () => void): void {
  const saved = new Map(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) if (value === undefined) delete process.env[name]; else process.env[name] = value;
  try {
    fn();
  } finally {
    for (const [name, value] of saved) if (value === undefined) delete process.env[name]; else process.env[name] = value;
  }
}

test("TokenExport: nothing until start; update follows a re-mint only while exported; restore puts back exactly what was there", () => {
  withEnv({ GH_TOKEN: undefined, GITHUB_TOKEN: "workflow" }, () => {
    const exported = new TokenExport();
    exported.update("ghs_first");
    assert.equal(process.env.GH_TOKEN, undefined, "a re-mint before the export exports nothing");
    assert.equal(exported.active, false);
    exported.start("ghs_first");
    assert.equal(process.env.GH_TOKEN, "ghs_first");
    assert.equal(process.env.GITHUB_TOKEN, "ghs_first");
    exported.update("ghs_second");
    assert.equal(process.env.GH_TOKEN, "ghs_second");
    exported.restore();
    assert.equal("GH_TOKEN" in process.env, false, "an unset variable is deleted, not set to undefined");
    assert.equal(process.env.GITHUB_TOKEN, "workflow");
    exported.restore(); // idempotent
    assert.equal(process.env.GITHUB_TOKEN, "workflow");
  });
});

test("takeAppKey: the key leaves process.env at once and is still known to the next release of the process", () => {
  withEnv({ GITHUB_APP_PRIVATE_KEY: "KEY-ONE" }, () => {
    const stepEnv = { ...process.env };
    assert.equal(takeAppKey(stepEnv), "KEY-ONE");
    assert.equal("GITHUB_APP_PRIVATE_KEY" in process.env, false);
    // a second package's verifyConditions: its context.env is a copy of process.env, without the key
    assert.equal(takeAppKey({ ...process.env }), "KEY-ONE");
    // a key given in the step's env wins; one set to "" is the user's (verifyConditions reports it)
    assert.equal(takeAppKey({ GITHUB_APP_PRIVATE_KEY: "KEY-TWO" }), "KEY-TWO");
    assert.equal(takeAppKey({ GITHUB_APP_PRIVATE_KEY: " " }), " ");
    assert.deepEqual(withoutAppKey({ GITHUB_APP_PRIVATE_KEY: "KEY-TWO", PATH: "/bin" }), { PATH: "/bin" });
  });
});

test("takeAppKey: a key that was never in process.env (semantic-release run with an env object of its own) is not kept", () => {
  withEnv({ GITHUB_APP_PRIVATE_KEY: undefined }, () => {
    assert.equal(takeAppKey({ GITHUB_APP_PRIVATE_KEY: "KEY-THREE" }), "KEY-THREE");
    assert.notEqual(takeAppKey({}), "KEY-THREE");
  });
});
