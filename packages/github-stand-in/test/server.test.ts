import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { ISOLATED_GIT_ENV, startStandIn, type StandIn } from "../src/index.js";
import type { Installation, Repository } from "../src/world.js";

const run = promisify(execFile);
let standIn: StandIn;
let installation: Installation;
let repo: Repository;

before(async () => {
  standIn = await startStandIn();
  standIn.createUser("octo");
  const { app } = standIn.createApp({ slug: "release-bot", owner: "octo" });
  repo = await standIn.createRepo("octo", "demo", { private: true });
  installation = standIn.installApp(app, "octo");
});
after(() => standIn.close());

function lsRemote(token: string) {
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
  return run("git", ["-c", `http.extraHeader=${header}`, "ls-remote", `${standIn.origin}/octo/demo.git`], {
    env: { ...process.env, ...ISOLATED_GIT_ENV },
  });
}

describe("git smart HTTP through the server", () => {
  it("serves ls-remote to a live installation token and records the request", async () => {
    const { token } = standIn.mintInstallationToken(installation);
    const { stdout } = await lsRemote(token);
    assert.match(stdout, new RegExp(`^${await standIn.git(repo, "rev-parse", "refs/heads/main")}\\tHEAD`));
    const last = standIn.requests().at(-1)!;
    assert.deepEqual([last.route, last.git, last.actor, last.authScheme], ["GIT upload-pack", true, "installation:release-bot[bot]", "basic"]);
  });

  it("answers a revoked token with 401 and a Basic challenge", async () => {
    const record = standIn.mintInstallationToken(installation);
    record.revoked = true;
    const res = await fetch(`${standIn.origin}/octo/demo.git/info/refs?service=git-upload-pack`, {
      headers: { authorization: `Basic ${Buffer.from(`x-access-token:${record.token}`).toString("base64")}` },
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("www-authenticate"), 'Basic realm="GitHub"');
    await assert.rejects(lsRemote(record.token));
  });

  it("injects faults into git routes", async () => {
    const { token } = standIn.mintInstallationToken(installation);
    standIn.failNext("GIT upload-pack", 1, 502);
    const before = standIn.mark();
    await assert.rejects(lsRemote(token), /502/);
    await lsRemote(token);
    const statuses = standIn.requests({ git: true, since: before }).map((r) => r.status);
    assert.equal(statuses[0], 502);
    assert.ok(statuses.slice(1).every((s) => s === 200), statuses.join(","));
  });
});
