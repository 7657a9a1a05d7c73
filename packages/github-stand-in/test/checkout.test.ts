// persistCheckoutCredentials leaves the same config as actions/checkout (docs/github.md §10). The
// header's effect on real pushes is tested in git-http.test.ts.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { persistCheckoutCredentials } from "../src/checkout.js";

const run = promisify(execFile);
const ORIGIN = "http://127.0.0.1:4567";
const KEY = `http.${ORIGIN}/.extraheader`;
const TOKEN = "ghs_" + "T".repeat(36);
const HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;

let tmp: string;
let env: NodeJS.ProcessEnv;
before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "checkout-test-"));
  await writeFile(join(tmp, "gitconfig"), "");
  env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(tmp, "gitconfig"), GIT_TERMINAL_PROMPT: "0" };
});
after(() => rm(tmp, { recursive: true, force: true }));

async function newClone(name: string): Promise<string> {
  const dir = join(tmp, name);
  await run("git", ["init", "-q", dir], { env });
  return dir;
}

async function configGetAll(cwd: string, key: string): Promise<string[]> {
  try {
    const { stdout } = await run("git", ["config", "--get-all", key], { cwd, env });
    return stdout.split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

describe("persistCheckoutCredentials", () => {
  it("v4 writes the header into .git/config", async () => {
    const work = await newClone("v4");
    const result = await persistCheckoutCredentials(work, { origin: `${ORIGIN}/some/path`, token: TOKEN, layout: "v4" });
    assert.equal(result.key, KEY);
    assert.deepEqual(result.tokenFiles, [join(work, ".git", "config")]);
    assert.deepEqual(await configGetAll(work, KEY), [HEADER]);
    assert.doesNotMatch(await readFile(join(work, ".git", "config"), "utf8"), /\*\*\*/); // placeholder replaced
  });

  it("v6 writes the header into $RUNNER_TEMP/git-credentials-<uuid>.config, included by includeIf.gitdir", async () => {
    const work = await newClone("v6");
    const runnerTemp = join(tmp, "runner-temp");
    await mkdir(runnerTemp);
    const result = await persistCheckoutCredentials(work, { origin: ORIGIN, token: TOKEN, layout: "v6", runnerTemp });
    const files = await readdir(runnerTemp);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^git-credentials-[0-9a-f-]{36}\.config$/);
    const credentials = join(runnerTemp, files[0]!);
    assert.deepEqual(result.tokenFiles, [credentials]);
    const local = await readFile(join(work, ".git", "config"), "utf8");
    assert.doesNotMatch(local, /extraheader|AUTHORIZATION/);
    const gitDir = join(work, ".git");
    assert.deepEqual(await configGetAll(work, `includeIf.gitdir:${gitDir}.path`), [credentials]);
    assert.deepEqual(await configGetAll(work, `includeIf.gitdir:${gitDir}/worktrees/*.path`), [credentials]);
    // git resolves the header through the include
    assert.deepEqual(await configGetAll(work, KEY), [HEADER]);
    // ...but not for another repository
    assert.deepEqual(await configGetAll(await newClone("other"), KEY), []);
  });

  it("v6 without a runner temp directory fails like checkout", async () => {
    const work = await newClone("v6-no-temp");
    await assert.rejects(persistCheckoutCredentials(work, { origin: ORIGIN, token: TOKEN, layout: "v6" }), /RUNNER_TEMP is not defined/);
  });
});
