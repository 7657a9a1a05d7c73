// Hardening, interrupts: a release stopped with SIGINT (Ctrl-C, a cancelled job's first
// signal) or SIGTERM (a runner shutting down) during prepare still revokes the App token
// (lib/session/process-exit.ts: the signal handler ends every live session, then exits 130/143), pushes
// nothing, and leaves neither the token nor the git auth header anywhere on disk.
import { strict as assert } from "node:assert";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gitIn, releaseWorld, type ReleaseWorld, type RunResult, appTokens, assertNoSecrets, output, withStep } from "../helpers/e2e.js";

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  describe(`${signal} during prepare`, () => {
    let world: ReleaseWorld;
    let result: RunResult;
    let mainBefore: string | undefined;

    before(async () => {
      // a slow prepare step before ours; the signal comes while it sleeps (the token is live by then)
      world = await releaseWorld({ checkout: "v4", plugins: withStep({ sleepMs: 60_000 }) });
      mainBefore = await world.remoteRef("refs/heads/main");
      result = await world.run([], {}, { signalAfter: { pattern: /step-plugin: sleeping \d+ ms in prepare/, signal } });
    });
    after(() => world.close());

    it(`stops at once with exit code ${signal === "SIGINT" ? 130 : 143}, pushing nothing`, async () => {
      assert.equal(result.code, signal === "SIGINT" ? 130 : 143, output(result));
      assert.doesNotMatch(output(result), /step-plugin: prepare done/, "the step was interrupted");
      assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
      assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
      assert.deepEqual(world.standIn.refPushes(), []);
    });

    it("revokes every App token", () => {
      const tokens = appTokens(world);
      assert.ok(tokens.length > 0, "a token had been minted");
      for (const [i, t] of tokens.entries()) assert.ok(t.revoked, `App token #${i + 1} is revoked`);
      assert.match(output(result), /Revoked the GitHub App token/);
    });

    it("leaves no token or git auth header on disk, in argv or in the output", async () => {
      await assertNoSecrets(world, result);
      // the App's header lived only in the process environment (GIT_CONFIG_*); the checkout's own is untouched
      const config = await readFile(join(world.workDir, ".git", "config"), "utf8");
      const headers = (await gitIn(world.workDir, ["config", "--get-all", `http.${world.standIn.origin}/.extraheader`]).catch(() => "")).split("\n").filter(Boolean);
      const checkoutHeader = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${world.actionsToken}`).toString("base64")}`;
      assert.deepEqual(headers, [checkoutHeader], `only actions/checkout's header in .git/config:\n${config}`);
      for (const token of appTokens(world)) {
        const basic = Buffer.from(`x-access-token:${token.token}`).toString("base64");
        for (const entry of await readdir(world.runnerTemp, { withFileTypes: true, recursive: true })) {
          if (!entry.isFile()) continue;
          const file = join(entry.parentPath ?? world.runnerTemp, entry.name);
          assert.ok(!(await readFile(file, "utf8")).includes(basic), `no App header in ${file}`);
        }
        assert.ok(!config.includes(basic), "no App header in .git/config");
      }
    });
  });
}
