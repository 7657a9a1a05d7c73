import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { ReleaseSession } from "../lib/release-session.js";
import type { TokenSource } from "../lib/token/mint-token.js";
import type { ResolvedConfig } from "../lib/types.js";

const config = (overrides: Partial<ResolvedConfig> = {}) =>
  ({ authMethod: "app", exportToken: true, revokeToken: true, githubUrl: "https://github.com", ...overrides }) as ResolvedConfig;
const quiet = { log: () => undefined, warn: () => undefined };
const header = (token: string) => `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;

function session(env: NodeJS.ProcessEnv, overrides: Partial<ResolvedConfig> = {}) {
  const s = new ReleaseSession(config(overrides), "o", "r", quiet, env);
  let revoked = 0;
  s.source = { revoke: async () => void revoked++ } as unknown as TokenSource;
  return { s, revoked: () => revoked };
}

describe("ReleaseSession", () => {
  it("routes git through each new token, exports it, and restores everything once at the end", async () => {
    const env: NodeJS.ProcessEnv = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.autocrlf", GIT_CONFIG_VALUE_0: "false", GITHUB_TOKEN: "workflow" };
    const before = { ...env };
    const { s, revoked } = session(env);
    s.onToken("ghs_first");
    assert.equal(env.GIT_CONFIG_COUNT, "3", "appended after the entry that was there");
    assert.equal(env.GIT_CONFIG_KEY_1, "http.https://github.com/.extraheader");
    assert.equal(env.GIT_CONFIG_VALUE_1, "", "the reset that drops actions/checkout's header");
    assert.equal(env.GIT_CONFIG_VALUE_2, header("ghs_first"));
    assert.equal(env.GH_TOKEN, "ghs_first");
    assert.equal(env.GITHUB_TOKEN, "ghs_first");
    assert.ok(s.handedToLaterPlugins);

    s.onToken("ghs_second"); // a re-mint replaces the header in place
    assert.equal(env.GIT_CONFIG_COUNT, "3");
    assert.equal(env.GIT_CONFIG_VALUE_2, header("ghs_second"));
    assert.equal(s.gitEnv({ GIT_CONFIG_COUNT: "0", PATH: "/bin" }).GIT_CONFIG_VALUE_2, header("ghs_second"), "our git commands get the current header");

    await Promise.all([s.end("first"), s.end("second")]);
    assert.deepEqual(env, before);
    assert.equal(revoked(), 1);
    assert.ok(s.ended);
  });

  it("exports nothing with exportToken off or another auth method, and keeps the token with revokeToken off", async () => {
    for (const overrides of [{ exportToken: false }, { authMethod: "pat" as const }]) {
      const env: NodeJS.ProcessEnv = {};
      const { s } = session(env, overrides);
      s.onToken("ghs_x");
      assert.equal(env.GH_TOKEN, undefined);
      assert.ok(!s.handedToLaterPlugins);
      await s.end("done");
      assert.deepEqual(env, {});
    }
    const { s, revoked } = session({}, { revokeToken: false });
    s.onToken("ghs_y");
    await s.end("done");
    assert.equal(revoked(), 0);
  });
});
