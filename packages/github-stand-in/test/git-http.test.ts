// Real `git push` / `git clone` against the stand-in's git smart HTTP: rulesets (GH013), bypass notice,
// classic protection (GH006), tag rulesets, per-ref vs --atomic outcome, access answers, and the
// actions/checkout persisted header vs a GIT_CONFIG_* override.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { persistCheckoutCredentials } from "../src/checkout.js";
import { startStandIn, type StandIn } from "../src/index.js";
import type { App, Installation, Repository } from "../src/world.js";

let tmp: string;
let globalConfig: string;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), "git-http-test-"));
  globalConfig = join(tmp, "gitconfig");
  await writeFile(globalConfig, "");
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GIT_")) env[k] = v;
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: globalConfig,
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "Tester",
    GIT_AUTHOR_EMAIL: "tester@example.com",
    GIT_COMMITTER_NAME: "Tester",
    GIT_COMMITTER_EMAIL: "tester@example.com",
  };
}

/**
 * GIT_CONFIG_* entries that send `token` (none when undefined) the way actions/checkout's header
 * does: an empty `http.<origin>/.extraheader` entry clears any persisted one, the next one sends
 * `AUTHORIZATION: basic base64(x-access-token:<token>)`.
 */
function authEnv(origin: string, token: string | undefined): Record<string, string> {
  if (token === undefined) return {};
  const key = `http.${origin}/.extraheader`;
  return {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: key,
    GIT_CONFIG_VALUE_0: "",
    GIT_CONFIG_KEY_1: key,
    GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
  };
}

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[], env: Record<string, string> = {}): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env: { ...baseEnv(), ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(cwd: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await git(cwd, args, env);
  assert.equal(r.code, 0, `git ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** stderr lines with git's `remote: ` prefix kept and sideband padding removed (docs/semantic-release.md §8.4) */
function lines(stderr: string): string[] {
  return stderr.split("\n").map((l) => l.trimEnd());
}

interface Fixture {
  s: StandIn;
  app: App;
  installation: Installation;
  repo: Repository;
  url: string;
  work: string;
  appToken: () => string;
}

let counter = 0;
async function fixture(opts: { owner?: "user" | "org"; private?: boolean } = {}): Promise<Fixture> {
  const s = await startStandIn();
  const ownerLogin = opts.owner === "org" ? "acme" : "alice";
  s.createUser("alice");
  if (opts.owner === "org") s.createOrg("acme", { alice: "admin" });
  const { app } = s.createApp({ slug: "releaser", owner: ownerLogin, permissions: { contents: "write", metadata: "read" } });
  const installation = s.installApp(app, ownerLogin);
  const repo = await s.createRepo(ownerLogin, "lib", { private: opts.private });
  const url = `${s.origin}/${ownerLogin}/lib.git`;
  const work = join(tmp, `work-${++counter}`);
  const appToken = () => s.mintInstallationToken(installation).token;
  await ok(tmp, ["clone", "-q", url, work], authEnv(s.origin, appToken()));
  return { s, app, installation, repo, url, work, appToken };
}

async function commit(work: string, message = "feat: a change"): Promise<string> {
  await writeFile(join(work, `file-${++counter}.txt`), `${counter}\n`);
  await ok(work, ["add", "-A"]);
  await ok(work, ["commit", "-q", "-m", message]);
  return ok(work, ["rev-parse", "HEAD"]);
}

const remoteRef = (f: Fixture, ref: string) => f.s.git(f.repo, "rev-parse", "--verify", "-q", ref).catch(() => "");

describe("git smart HTTP: rulesets", () => {
  it("a pull_request ruleset refuses the workflow token (GH013) and lets the bypassing App through with the notice", async () => {
    const f = await fixture();
    try {
      f.s.addRuleset(f.repo, {
        name: "protect main",
        target: "branch",
        conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
        rules: [{ type: "pull_request" }],
        bypass_actors: [{ actor_type: "Integration", actor_id: f.app.id, bypass_mode: "always" }],
      });
      const before = await remoteRef(f, "refs/heads/main");
      const sha = await commit(f.work);

      const refused = await git(f.work, ["push", f.url, "HEAD:main"], authEnv(f.s.origin, f.s.actionsToken(f.repo)));
      assert.notEqual(refused.code, 0);
      const out = lines(refused.stderr);
      assert.ok(out.includes("remote: error: GH013: Repository rule violations found for refs/heads/main."), refused.stderr);
      assert.ok(out.includes(`remote: Review all repository rules at ${f.s.origin}/alice/lib/rules?ref=refs%2Fheads%2Fmain`), refused.stderr);
      assert.ok(out.includes("remote: - Changes must be made through a pull request."), refused.stderr);
      assert.equal(await remoteRef(f, "refs/heads/main"), before);

      const accepted = await git(f.work, ["push", f.url, "HEAD:main"], authEnv(f.s.origin, f.appToken()));
      assert.equal(accepted.code, 0, accepted.stderr);
      const out2 = lines(accepted.stderr);
      assert.ok(out2.includes("remote: Bypassed rule violations for refs/heads/main:"), accepted.stderr);
      assert.ok(out2.includes("remote: - Changes must be made through a pull request."), accepted.stderr);
      assert.equal(await remoteRef(f, "refs/heads/main"), sha);

      assert.deepEqual(
        f.s.refPushes().map((p) => [p.actor, p.via, p.accepted]),
        [
          ["installation:github-actions[bot]", "git", false],
          ["installation:releaser[bot]", "git", true],
        ],
      );
      // the tokens themselves are never recorded
      assert.doesNotMatch(JSON.stringify(f.s.refPushes()) + JSON.stringify(f.s.requests()), /ghs_/);
    } finally {
      await f.s.close();
    }
  });

  it("bypass_mode pull_request does not cover a direct push", async () => {
    const f = await fixture();
    try {
      f.s.addRuleset(f.repo, {
        name: "protect main",
        target: "branch",
        rules: [{ type: "pull_request" }],
        bypass_actors: [{ actor_type: "Integration", actor_id: f.app.id, bypass_mode: "pull_request" }],
      });
      await commit(f.work);
      const r = await git(f.work, ["push", f.url, "HEAD:main"], authEnv(f.s.origin, f.appToken()));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /remote: error: GH013: Repository rule violations found for refs\/heads\/main\./);
    } finally {
      await f.s.close();
    }
  });

  it("a tag ruleset with a creation rule refuses the tag; without --atomic the branch still moves, with --atomic it does not", async () => {
    const f = await fixture();
    try {
      f.s.addRuleset(f.repo, {
        name: "tags",
        target: "tag",
        conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
        rules: [{ type: "creation" }],
      });
      const start = await remoteRef(f, "refs/heads/main");
      const env = authEnv(f.s.origin, f.appToken());

      const sha1 = await commit(f.work);
      await ok(f.work, ["tag", "v1.0.0"]);
      const atomic = await git(f.work, ["push", "--atomic", f.url, "HEAD:refs/heads/main", "refs/tags/v1.0.0"], env);
      assert.notEqual(atomic.code, 0);
      const out = lines(atomic.stderr);
      assert.ok(out.includes("remote: error: GH013: Repository rule violations found for refs/tags/v1.0.0."), atomic.stderr);
      assert.ok(out.includes("remote: - Cannot create ref due to creations being restricted."), atomic.stderr);
      assert.match(atomic.stderr, /HEAD -> main \(atomic push failure\)/);
      assert.equal(await remoteRef(f, "refs/heads/main"), start);
      assert.equal(await remoteRef(f, "refs/tags/v1.0.0"), "");

      const split = await git(f.work, ["push", f.url, "HEAD:refs/heads/main", "refs/tags/v1.0.0"], env);
      assert.notEqual(split.code, 0);
      assert.equal(await remoteRef(f, "refs/heads/main"), sha1); // docs/github.md §2: per-ref outcome
      assert.equal(await remoteRef(f, "refs/tags/v1.0.0"), "");
      assert.deepEqual(
        f.s.refPushes().map((p) => [p.updates.map((u) => u.ref), p.accepted]),
        [
          [["refs/heads/main", "refs/tags/v1.0.0"], false],
          [["refs/heads/main", "refs/tags/v1.0.0"], false],
        ],
      );

      // a tag outside the pattern is fine
      await ok(f.work, ["tag", "release-1"]);
      await ok(f.work, ["push", "-q", f.url, "refs/tags/release-1"], env);
    } finally {
      await f.s.close();
    }
  });

  it("non_fast_forward refuses a force push", async () => {
    const f = await fixture();
    try {
      f.s.addRuleset(f.repo, { name: "no force", target: "branch", rules: [{ type: "non_fast_forward" }] });
      const env = authEnv(f.s.origin, f.appToken());
      await commit(f.work);
      await ok(f.work, ["push", "-q", f.url, "HEAD:main"], env);
      await ok(f.work, ["commit", "-q", "--amend", "-m", "rewritten"]);
      const r = await git(f.work, ["push", "--force", f.url, "HEAD:main"], env);
      assert.notEqual(r.code, 0);
      assert.ok(lines(r.stderr).includes("remote: - Cannot force-push to this branch"), r.stderr);
    } finally {
      await f.s.close();
    }
  });
});

describe("git smart HTTP: classic protection", () => {
  it("GH006 for a branch that requires pull requests; an admin without enforce_admins passes", async () => {
    const f = await fixture();
    try {
      f.s.setProtection(f.repo, "main", { required_pull_request_reviews: { required_approving_review_count: 1 } });
      await commit(f.work);
      const r = await git(f.work, ["push", f.url, "HEAD:main"], authEnv(f.s.origin, f.appToken()));
      assert.notEqual(r.code, 0);
      const out = lines(r.stderr);
      assert.ok(out.includes("remote: error: GH006: Protected branch update failed for refs/heads/main."), r.stderr);
      assert.ok(out.includes("remote: error: Changes must be made through a pull request."), r.stderr);

      const pat = f.s.createPat("alice"); // owner of the user repository = admin
      const admin = await git(f.work, ["push", f.url, "HEAD:main"], authEnv(f.s.origin, pat));
      assert.equal(admin.code, 0, admin.stderr);
      assert.equal(f.s.refPushes().at(-1)?.actor, "user:alice");
    } finally {
      await f.s.close();
    }
  });
});

describe("git smart HTTP: access", () => {
  it("anonymous push → 401; read-only workflow token → 403 Permission denied; private repo for a stranger → not found", async () => {
    const f = await fixture({ private: true });
    try {
      await commit(f.work);
      const anon = await git(f.work, ["push", f.url, "HEAD:main"], { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: `http.${f.s.origin}/.extraheader`, GIT_CONFIG_VALUE_0: "" });
      assert.notEqual(anon.code, 0);
      assert.match(anon.stderr, /could not read Username|Authentication failed/);

      const readOnly = f.s.actionsToken(f.repo, { contents: "read", metadata: "read" });
      const denied = await git(f.work, ["push", f.url, "HEAD:main"], authEnv(f.s.origin, readOnly));
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /remote: Permission to alice\/lib\.git denied to github-actions\[bot\]\./);
      assert.match(denied.stderr, /403/);

      f.s.createUser("mallory");
      const stranger = await git(f.work, ["push", f.url, "HEAD:main"], authEnv(f.s.origin, f.s.createPat("mallory")));
      assert.notEqual(stranger.code, 0);
      assert.match(stranger.stderr, /Repository not found|not found/);
      assert.equal(f.s.refPushes().length, 0);
    } finally {
      await f.s.close();
    }
  });
});

describe("git smart HTTP: the actions/checkout header", () => {
  for (const layout of ["v4", "v6"] as const) {
    it(`${layout}: the persisted workflow token is sent unless GIT_CONFIG_* resets the header`, async () => {
      const f = await fixture();
      try {
        f.s.addRuleset(f.repo, {
          name: "protect main",
          target: "branch",
          rules: [{ type: "pull_request" }],
          bypass_actors: [{ actor_type: "Integration", actor_id: f.app.id, bypass_mode: "always" }],
        });
        const runnerTemp = join(tmp, `runner-${++counter}`);
        await ok(tmp, ["init", "-q", runnerTemp]); // just a directory that exists
        const written = await persistCheckoutCredentials(f.work, { origin: f.s.origin, token: f.s.actionsToken(f.repo), layout, runnerTemp });
        const localConfig = await readFile(join(f.work, ".git", "config"), "utf8");
        assert.equal(localConfig.includes("extraheader"), layout === "v4");
        if (layout === "v6") assert.match(localConfig, /includeIf "gitdir:.*\/\.git\/worktrees\/\*"/);
        assert.match(await readFile(written.tokenFiles[0]!, "utf8"), /AUTHORIZATION: basic /);
        await commit(f.work);

        // plain push: the persisted header authenticates it, as github-actions[bot]
        const plain = await git(f.work, ["push", "origin", "HEAD:main"]);
        assert.notEqual(plain.code, 0);
        assert.match(plain.stderr, /GH013/);
        const receive = f.s.requests({ route: "GIT receive-pack" });
        assert.ok(receive.length > 0 && receive.every((r) => r.actor === "installation:github-actions[bot]"), JSON.stringify(receive));

        // a URL with credentials does not beat the header (docs/github.md §10)
        const withUrl = new URL(f.url);
        withUrl.username = "x-access-token";
        withUrl.password = f.appToken();
        const urlPush = await git(f.work, ["push", withUrl.href, "HEAD:main"]);
        assert.notEqual(urlPush.code, 0);
        assert.equal(f.s.refPushes().at(-1)?.actor, "installation:github-actions[bot]");

        // empty reset + the App's header: the App pushes
        const app = await git(f.work, ["push", "origin", "HEAD:main"], authEnv(f.s.origin, f.appToken()));
        assert.equal(app.code, 0, app.stderr);
        assert.match(app.stderr, /Bypassed rule violations for refs\/heads\/main:/);
        assert.equal(f.s.refPushes().at(-1)?.actor, "installation:releaser[bot]");
      } finally {
        await f.s.close();
      }
    });
  }
});
