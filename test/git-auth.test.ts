import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile, chmod, mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SemanticReleaseError from "@semantic-release/error";
import { authorizationHeader, verifyGitAuth, withEmptyHooksDir, withGitAuth } from "../lib/git/git-auth.js";
import { persistCheckoutCredentials } from "github-stand-in/checkout";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

test("withGitAuth: a copy of env with the exact-URL header reset, the header and hooks off, after the job's own entries", () => {
  const token = "ghs_123_" + "a.b-c_d".repeat(70); // long stateless tokens with dots (docs/github.md §6.2)
  const env = { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "core.quotepath", GIT_CONFIG_VALUE_0: "false", OTHER: "x" };
  const before = { ...env };
  const result = withGitAuth({ env, remoteUrl: "https://github.com/o/r.git", token, hooksPath: "/tmp/none" });
  assert.deepEqual(env, before, "the input is not changed");
  assert.deepEqual(result, {
    ...before,
    GIT_CONFIG_COUNT: "4",
    GIT_CONFIG_KEY_1: "http.https://github.com/o/r.git.extraheader",
    GIT_CONFIG_VALUE_1: "",
    GIT_CONFIG_KEY_2: "http.https://github.com/o/r.git.extraheader",
    GIT_CONFIG_VALUE_2: `AUTHORIZATION: basic ${b64(`x-access-token:${token}`)}`,
    GIT_CONFIG_KEY_3: "core.hooksPath",
    GIT_CONFIG_VALUE_3: "/tmp/none",
  });
  // a bogus count (git would refuse it) starts afresh
  assert.equal(withGitAuth({ env: { GIT_CONFIG_COUNT: "x" }, remoteUrl: "https://h/o/r.git", token: "t", hooksPath: "/h" }).GIT_CONFIG_COUNT, "3");
});

test("withEmptyHooksDir: an empty directory for the task, removed afterwards even when the task throws", async () => {
  let seen = "";
  await assert.rejects(
    withEmptyHooksDir(async (dir) => {
      seen = dir;
      assert.ok((await stat(dir)).isDirectory());
      throw new Error("boom");
    }),
    /boom/,
  );
  await assert.rejects(stat(seen), { code: "ENOENT" });
});

// ---- real git against a server that logs the Authorization headers ---------------------------

async function startHeaderLogger(): Promise<{ server: Server; origin: string; seen: string[][] }> {
  const seen: string[][] = [];
  const server = createServer((req, res) => {
    const authorization: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (req.rawHeaders[i]!.toLowerCase() === "authorization") authorization.push(Buffer.from(req.rawHeaders[i + 1]!.split(" ")[1] ?? "", "base64").toString("utf8"));
    }
    seen.push(authorization);
    res.writeHead(403, { "content-type": "text/plain" });
    res.end("denied by the test server\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

async function workspace(t: { after(fn: () => Promise<void>): void }) {
  const { server, origin, seen } = await startHeaderLogger();
  const dir = await mkdtemp(join(tmpdir(), "git-auth-"));
  t.after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });
  const work = join(dir, "work");
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(dir, "gitconfig"), GIT_TERMINAL_PROMPT: "0" };
  await writeFile(join(dir, "gitconfig"), "");
  await git(dir, env, "init", "-q", work);
  return { origin, seen, dir, work, env, url: `${origin}/owner/repo.git` };
}

for (const layout of ["v4", "v6"] as const) {
  test(`with a header persisted by actions/checkout ${layout}, git sends only the App's, and the workspace keeps no trace`, async (t) => {
    const { origin, seen, dir, work, env, url } = await workspace(t);
    await persistCheckoutCredentials(work, { origin, token: "CHECKOUT_TOKEN", layout, runnerTemp: dir });
    await git(work, env, "ls-remote", url);
    assert.deepEqual(seen.at(-1), ["x-access-token:CHECKOUT_TOKEN"], "without the plugin: the checkout token");

    const authEnv = withGitAuth({ env, remoteUrl: url, token: "APP_TOKEN", hooksPath: "/nonexistent" });
    await verifyGitAuth({ cwd: work, env: authEnv, remoteUrl: url, token: "APP_TOKEN" });
    const from = seen.length;
    const result = await git(work, authEnv, "ls-remote", url);
    assert.notEqual(result.code, 0); // the server answers 403 on purpose
    assert.ok(!result.stderr.includes("APP_TOKEN") && !result.stderr.includes(b64("x-access-token:APP_TOKEN")), "git does not echo the header");
    assert.ok(seen.length > from);
    for (const headers of seen.slice(from)) assert.deepEqual(headers, ["x-access-token:APP_TOKEN"]);

    // the next command without the plugin's env: the checkout token again; nothing written to disk
    await git(work, env, "ls-remote", url);
    assert.deepEqual(seen.at(-1), ["x-access-token:CHECKOUT_TOKEN"]);
    assert.ok(!(await readFile(join(work, ".git", "config"), "utf8")).includes(b64("x-access-token:APP_TOKEN")));
  });
}

for (const scope of ["local", "global"] as const) {
  test(`a more specific http.<url>.extraheader in the ${scope} config does not win over the App's header`, async (t) => {
    const { seen, work, env, url } = await workspace(t);
    await git(work, env, "config", `--${scope}`, `http.${url}.extraheader`, authorizationHeader("OTHER_TOKEN"));
    await git(work, env, "ls-remote", url);
    assert.deepEqual(seen.at(-1), ["x-access-token:OTHER_TOKEN"]);
    const authEnv = withGitAuth({ env, remoteUrl: url, token: "APP_TOKEN", hooksPath: "/nonexistent" });
    await verifyGitAuth({ cwd: work, env: authEnv, remoteUrl: url, token: "APP_TOKEN" });
    await git(work, authEnv, "ls-remote", url);
    assert.deepEqual(seen.at(-1), ["x-access-token:APP_TOKEN"]);
  });
}

test("verifyGitAuth refuses a later -c header and a url.insteadOf rewrite with EGITAUTHOVERRIDDEN, naming the key and its file, never the value", async (t) => {
  const { work, env, url, origin } = await workspace(t);
  const authEnv = withGitAuth({ env, remoteUrl: url, token: "APP_TOKEN", hooksPath: "/nonexistent" });
  const later = { ...authEnv, GIT_CONFIG_PARAMETERS: `'http.${url}.extraheader'='${authorizationHeader("OTHER_TOKEN")}'` };
  const error = await verifyGitAuth({ cwd: work, env: later, remoteUrl: url, token: "APP_TOKEN" }).then(
    () => assert.fail("accepted"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SemanticReleaseError);
  assert.equal(error.code, "EGITAUTHOVERRIDDEN");
  assert.match(error.details!, new RegExp(`http\\.${origin.replace(/[.:/]/g, "\\$&")}/owner/repo\\.git\\.extraheader`));
  for (const text of [error.message, error.details!]) {
    assert.ok(!text.includes("OTHER_TOKEN") && !text.includes(b64("x-access-token:OTHER_TOKEN")) && !text.includes(b64("x-access-token:APP_TOKEN")));
  }

  await git(work, env, "config", "--local", `url.https://elsewhere.example/.insteadOf`, `${origin}/`);
  const rewritten = await verifyGitAuth({ cwd: work, env: authEnv, remoteUrl: url, token: "APP_TOKEN" }).then(
    () => assert.fail("accepted"),
    (e: unknown) => e as SemanticReleaseError,
  );
  assert.equal(rewritten.code, "EGITAUTHOVERRIDDEN");
  assert.match(rewritten.details!, /https:\/\/elsewhere\.example\/owner\/repo\.git/);
  assert.match(rewritten.details!, /\.git\/config/);
});

test("hooks off: a push with the plugin's env runs no pre-push or reference-transaction hook", async (t) => {
  const { dir, work, env } = await workspace(t);
  const bare = join(dir, "remote.git");
  await git(dir, env, "init", "-q", "--bare", bare);
  const hooks = join(dir, "hooks");
  await mkdir(hooks);
  for (const name of ["pre-push", "reference-transaction"]) {
    await writeFile(join(hooks, name), `#!/bin/sh\necho ${name} >> "${join(dir, "ran")}"\n`);
    await chmod(join(hooks, name), 0o755);
  }
  await git(work, env, "config", "core.hooksPath", hooks);
  await git(work, { ...env, GIT_AUTHOR_NAME: "a", GIT_AUTHOR_EMAIL: "a@b", GIT_COMMITTER_NAME: "a", GIT_COMMITTER_EMAIL: "a@b" }, "commit", "-q", "--allow-empty", "-m", "x");
  await rm(join(dir, "ran"), { force: true }); // the commit ran reference-transaction: hooks are live
  await withEmptyHooksDir(async (hooksPath) => {
    const result = await git(work, withGitAuth({ env, remoteUrl: bare, token: "T", hooksPath }), "push", "-q", bare, "HEAD:refs/heads/main");
    assert.equal(result.code, 0, result.stderr);
  });
  await assert.rejects(readFile(join(dir, "ran"), "utf8"), { code: "ENOENT" }, "no hook ran during the push");
  await git(work, env, "push", "-q", bare, "HEAD:refs/heads/other");
  assert.match(await readFile(join(dir, "ran"), "utf8"), /pre-push/, "without the plugin's env the same push runs them");
});
