import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyGitAuth, extraHeaderKey, gitAuthEntries } from "../lib/git/git-auth-env.js";
import { persistCheckoutCredentials } from "./github-stand-in/checkout.js";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const header = (token: string) => `AUTHORIZATION: basic ${b64(`x-access-token:${token}`)}`;

test("gitAuthEntries: the actions/checkout key for the server origin, a reset, then the basic header", () => {
  const token = "ghs_123_" + "a.b-c_d".repeat(70); // github-facts §6.2: long stateless tokens with dots
  assert.deepEqual(gitAuthEntries("https://github.com", token), [
    { key: "http.https://github.com/.extraheader", value: "" },
    { key: "http.https://github.com/.extraheader", value: header(token) },
  ]);
  // origin = scheme://host[:port]: path, trailing slash and default port dropped, host lower-cased
  assert.equal(extraHeaderKey("https://GHE.example.com:443/some/path/"), "http.https://ghe.example.com/.extraheader");
  assert.equal(extraHeaderKey("http://127.0.0.1:8080"), "http.http://127.0.0.1:8080/.extraheader");
});

test("applyGitAuth appends after existing GIT_CONFIG entries and restore puts back exactly what was there", () => {
  const env: Record<string, string | undefined> = {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "core.quotepath",
    GIT_CONFIG_VALUE_0: "false",
    GIT_CONFIG_KEY_2: "stale.leftover",
    OTHER: "x",
  };
  const before = { ...env };
  const restore = applyGitAuth(env, "https://github.com", "TOKEN_A");
  assert.deepEqual(env, {
    ...before,
    GIT_CONFIG_COUNT: "3",
    GIT_CONFIG_KEY_1: "http.https://github.com/.extraheader",
    GIT_CONFIG_VALUE_1: "",
    GIT_CONFIG_KEY_2: "http.https://github.com/.extraheader",
    GIT_CONFIG_VALUE_2: header("TOKEN_A"),
  });
  restore();
  assert.deepEqual(env, before);
  restore(); // idempotent
  assert.deepEqual(env, before);
});

test("applyGitAuth with a re-minted token replaces the header in place; every restore goes back to the start", () => {
  const env: Record<string, string | undefined> = {};
  const restore1 = applyGitAuth(env, "https://github.com", "TOKEN_A");
  const restore2 = applyGitAuth(env, "https://github.com", "TOKEN_B");
  assert.deepEqual(env, {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: "http.https://github.com/.extraheader",
    GIT_CONFIG_VALUE_0: "",
    GIT_CONFIG_KEY_1: "http.https://github.com/.extraheader",
    GIT_CONFIG_VALUE_1: header("TOKEN_B"),
  });
  restore2();
  assert.deepEqual(env, {});
  restore1();
  assert.deepEqual(env, {});
  // after a restore, applying again starts afresh
  const restore3 = applyGitAuth(env, "https://github.com", "TOKEN_C");
  assert.equal(env.GIT_CONFIG_COUNT, "2");
  assert.equal(env.GIT_CONFIG_VALUE_1, header("TOKEN_C"));
  restore3();
  assert.deepEqual(env, {});
});

test("applyGitAuth treats an empty GIT_CONFIG_COUNT as 0", () => {
  const env: Record<string, string | undefined> = { GIT_CONFIG_COUNT: "" };
  const restore = applyGitAuth(env, "https://github.com", "T");
  assert.equal(env.GIT_CONFIG_COUNT, "2");
  restore();
  assert.deepEqual(env, { GIT_CONFIG_COUNT: "" });
});

// ---- real git against a server that logs the Authorization headers ---------------------------

interface Seen {
  path: string;
  authorization: string[];
}

async function startHeaderLogger(): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const authorization: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() === "authorization") {
        const [, encoded = ""] = req.rawHeaders[i + 1]!.split(" ");
        authorization.push(Buffer.from(encoded, "base64").toString("utf8"));
      }
    }
    seen.push({ path: req.url ?? "", authorization });
    res.writeHead(403, { "content-type": "text/plain" });
    res.end("denied by the test server\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env }, (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }));
  });
}

for (const layout of ["v4", "v6"] as const) {
  test(`with a header persisted by actions/checkout ${layout}, git ls-remote sends only ours; restore brings the old one back`, async (t) => {
    const { server, origin, seen } = await startHeaderLogger();
    const dir = await mkdtemp(join(tmpdir(), "git-auth-env-"));
    t.after(async () => {
      server.close();
      await rm(dir, { recursive: true, force: true });
    });
    const work = join(dir, "work");
    const baseEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_TERMINAL_PROMPT: "0",
    };
    await git(dir, baseEnv, "init", "-q", work);
    const persisted = await persistCheckoutCredentials(work, { origin, token: "CHECKOUT_TOKEN", layout, runnerTemp: dir });
    assert.equal(persisted.key, extraHeaderKey(origin));
    const url = `${origin}/owner/repo.git`;

    // without us: the checkout token
    await git(work, baseEnv, "ls-remote", url);
    assert.deepEqual(seen.at(-1)!.authorization, ["x-access-token:CHECKOUT_TOKEN"]);

    // with us: only the App token, one header, on every request
    const env = { ...baseEnv, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.quotepath", GIT_CONFIG_VALUE_0: "false" };
    const restore = applyGitAuth(env, origin, "APP_TOKEN");
    const from = seen.length;
    const result = await git(work, env, "ls-remote", url);
    assert.notEqual(result.code, 0); // the server answers 403 on purpose
    assert.ok(!result.stderr.includes("APP_TOKEN") && !result.stderr.includes(b64("x-access-token:APP_TOKEN")), "git does not echo the header");
    assert.ok(seen.length > from);
    for (const request of seen.slice(from)) assert.deepEqual(request.authorization, ["x-access-token:APP_TOKEN"]);

    // a re-minted token takes the same place
    applyGitAuth(env, origin, "APP_TOKEN_2");
    await git(work, env, "ls-remote", url);
    assert.deepEqual(seen.at(-1)!.authorization, ["x-access-token:APP_TOKEN_2"]);

    // restore: the checkout token again, and the env as it was
    restore();
    assert.deepEqual(env, { ...baseEnv, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.quotepath", GIT_CONFIG_VALUE_0: "false" });
    await git(work, env, "ls-remote", url);
    assert.deepEqual(seen.at(-1)!.authorization, ["x-access-token:CHECKOUT_TOKEN"]);

    // nothing on disk: .git/config holds no trace of our token
    const config = await readFile(join(work, ".git", "config"), "utf8");
    assert.ok(!config.includes(b64("x-access-token:APP_TOKEN")));
  });
}
