// End to end: where the App token and the private key can reach during a real release
// (docs/architecture.md "How git authenticates", "Token lifetime"; docs/security.md).
// - The token travels only in the environment of this plugin's own `git push`/`fetch`/`ls-remote`
//   children, never in process.env (so never in another plugin's child, a git hook, or a push that
//   another plugin makes), unless `exportToken: true`, and then only from the end of this plugin's
//   prepare step on.
// - GITHUB_APP_PRIVATE_KEY leaves process.env once this plugin's verifyConditions has read it.
// - The repository's hooks run for the release commit (as with @semantic-release/git) but never see
//   the token or the key; the release push runs with hooks off.
// - A more specific `http.<url>.extraheader` in the repository's config never makes the release push
//   go out with another credential.
// - A plain-http server or API URL on a non-loopback host is refused before any request.
// What another plugin sees is recorded by test/fixtures/probe-plugin.mjs: in every step it starts a
// child process and the child writes down its environment.
import { strict as assert } from "node:assert";
import { chmod, mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { gitIn, protectReleaseRefs, releaseWorld, type ReleaseWorld, type RunResult, APP_ACTOR, DEFAULT_PLUGINS, appTokens, assertNoSecrets, assertTokensRevoked, configure, output, refPushes } from "../helpers/e2e.js";
import { readProbePush, readProbeRecords, type ProbeRecord } from "../fixtures/probe-plugin.mjs";

const PROBE = fileURLToPath(new URL("../fixtures/probe-plugin.mjs", import.meta.url));
const ACTIONS_ACTOR = "installation:github-actions[bot]";
// Comments on issues/PRs and the failure issue go through GraphQL, which the stand-in does not serve.
const GITHUB_PLUGIN = ["@semantic-release/github", { successCommentCondition: false, failCommentCondition: false }];
/** the steps a successful release runs, in order */
const RELEASE_STEPS = ["verifyConditions", "analyzeCommits", "verifyRelease", "generateNotes", "prepare", "publish", "success"] as const;

/** a folder next to the workspace (not scanned as part of it) */
async function sideDir(world: ReleaseWorld, name: string): Promise<string> {
  const dir = join(world.workDir, "..", name);
  await mkdir(dir, { recursive: true });
  return dir;
}

function probe(label: string, recordDir: string, options: Record<string, unknown> = {}): unknown[] {
  return [PROBE, { label, recordDir, ...options }];
}

function envText(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n");
}

/** what of the App's secrets a recorded environment holds: "token" (any App token, any encoding), "key" */
function secretsIn(world: ReleaseWorld, text: string): Set<"token" | "key" | "jwt"> {
  const found = new Set<"token" | "key" | "jwt">();
  for (const what of world.findSecrets(text)) {
    if (what.startsWith("App token")) found.add("token");
    else if (what.startsWith("private key")) found.add("key");
    else found.add("jwt");
  }
  // the header git sends, spelled out (encodedForms already covers it; this names it in a failure)
  for (const { token } of appTokens(world)) {
    if (text.includes(Buffer.from(`x-access-token:${token}`, "utf8").toString("base64"))) found.add("token");
  }
  return found;
}

/** which token a value is, without printing it (an assertion message must not carry a token) */
function whichToken(world: ReleaseWorld, value: string | undefined): string {
  if (value === undefined) return "unset";
  if (value === world.actionsToken) return "the workflow token";
  if (appTokens(world).some((t) => t.token === value)) return "an App token";
  return "another value";
}

const where = (r: ProbeRecord) => `probe "${r.label}" ${r.step}${r.call > 1 ? ` (call ${r.call})` : ""}`;

function assertEveryStepRecorded(records: ProbeRecord[], labels: string[]): void {
  for (const label of labels) {
    for (const step of RELEASE_STEPS) {
      assert.ok(records.some((r) => r.label === label && r.step === step), `probe "${label}" recorded its ${step} step`);
    }
  }
}

/**
 * Before this plugin's verifyConditions has run, nothing has read the key yet: a plugin listed
 * earlier necessarily sees the job's environment as it is. Every later step must not.
 */
function keyMayBeThere(r: ProbeRecord): boolean {
  return r.label === "before" && r.step === "verifyConditions";
}

// ---------------------------------------------------------------------------------------------------

/** husky-style hooks: `core.hooksPath` names a folder whose every hook appends its environment to a record */
const HOOKS = [
  "applypatch-msg",
  "pre-applypatch",
  "post-applypatch",
  "pre-commit",
  "pre-merge-commit",
  "prepare-commit-msg",
  "commit-msg",
  "post-commit",
  "pre-rebase",
  "post-checkout",
  "post-merge",
  "pre-push",
  "reference-transaction",
  "post-rewrite",
  "pre-auto-gc",
  "post-index-change",
];
/** hooks git feeds on stdin (the others get /dev/null or nothing) */
const STDIN_HOOKS = new Set(["pre-push", "reference-transaction", "post-rewrite"]);

async function installRecordingHooks(world: ReleaseWorld): Promise<string> {
  const hooksDir = await sideDir(world, "husky-hooks");
  const records = await sideDir(world, "hook-records");
  for (const hook of HOOKS) {
    const stdin = STDIN_HOOKS.has(hook) ? `printf '%s\\n' '-- stdin'; cat; ` : "";
    const script = `#!/bin/sh\nf=$(mktemp "${records}/${hook}.XXXXXX")\n{ printf '%s\\n' "== ${hook} $*"; env; ${stdin}} > "$f"\nexit 0\n`;
    await writeFile(join(hooksDir, hook), script);
    await chmod(join(hooksDir, hook), 0o755);
  }
  await gitIn(world.workDir, ["config", "core.hooksPath", hooksDir]);
  return records;
}

async function readHookRecords(dir: string): Promise<{ hook: string; text: string }[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (name) => ({ hook: name.replace(/\.[^.]+$/, ""), text: await readFile(join(dir, name), "utf8") })));
}

describe("git hooks of the repository (husky-style core.hooksPath)", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let records: { hook: string; text: string }[];

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    const dir = await installRecordingHooks(world);
    result = await world.run();
    records = await readHookRecords(dir);
  });
  after(() => world.close());

  it("releases as the App", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"), "the tag was pushed");
    const mainPushes = refPushes(world).filter((p) => p.updates.some((u) => u.ref === "refs/heads/main"));
    assert.deepEqual(mainPushes.map((p) => p.actor), [APP_ACTOR]);
  });

  it("runs the repository's commit hooks for the release commit, as @semantic-release/git does", () => {
    for (const hook of ["pre-commit", "commit-msg"]) assert.ok(records.some((r) => r.hook === hook), `${hook} ran`);
    const commitMsg = records.find((r) => r.hook === "commit-msg")!;
    assert.match(commitMsg.text, /GITHUB_REPOSITORY=octo\/lib/, "the hooks recorded their environment");
  });

  it("no hook sees the App token (any encoding, the Authorization header included) or the private key", () => {
    const leaks = new Set(records.flatMap((r) => [...secretsIn(world, r.text)].map((what) => `${what} in the ${r.hook} hook`)));
    assert.deepEqual([...leaks], []);
  });

  it("the release push runs with hooks off: no pre-push hook for the push of main", () => {
    const prePush = records.filter((r) => r.hook === "pre-push");
    const ours = prePush.filter((r) => /refs\/heads\/main/.test(r.text.slice(r.text.indexOf("-- stdin"))));
    assert.deepEqual(ours.map((r) => r.text.split("\n")[0]), [], "pre-push ran for the push of refs/heads/main");
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("other plugins before and after this one, exportToken not set (off by default)", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let recordDir: string;
  let records: ProbeRecord[];

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    recordDir = await sideDir(world, "probe-records");
    await configure(world, {}, { before: [...DEFAULT_PLUGINS, probe("before", recordDir)], after: [probe("after", recordDir, { pushInPublish: true })] });
    result = await world.run();
    records = readProbeRecords(recordDir);
  });
  after(() => world.close());

  it("releases, and both probes recorded every step", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertEveryStepRecorded(records, ["before", "after"]);
  });

  it("GH_TOKEN and GITHUB_TOKEN stay the job's own in every step", () => {
    const seen = records.map((r) => `${where(r)}: GITHUB_TOKEN ${whichToken(world, r.env.GITHUB_TOKEN)}, GH_TOKEN ${whichToken(world, r.env.GH_TOKEN)}`);
    assert.deepEqual(
      seen,
      records.map((r) => `${where(r)}: GITHUB_TOKEN the workflow token, GH_TOKEN unset`),
    );
  });

  it("no child of another plugin sees the App token in any step, nor the private key after this plugin's verifyConditions", () => {
    const leaks: string[] = [];
    for (const r of records) {
      for (const what of secretsIn(world, envText(r.env))) if (what !== "key" || !keyMayBeThere(r)) leaks.push(`${what} in ${where(r)}`);
    }
    assert.deepEqual(leaks, []);
  });

  it("another plugin's own `git push` to main goes out with the job's credentials and the ruleset refuses it", async () => {
    const push = readProbePush(recordDir, "after");
    assert.ok(push, "the probe pushed in publish");
    assert.notEqual(push.code, 0, `the probe's push was accepted:\n${push.output}`);
    assert.match(push.output, /GH013/);
    const tagged = await world.remoteRef("refs/tags/v1.0.0^{commit}");
    assert.equal(await world.remoteRef("refs/heads/main"), tagged, "main is still the release commit");
    const judged = world.standIn.refPushes().filter((p) => p.updates.some((u) => u.newSha === push.sha));
    assert.ok(judged.length > 0, "the stand-in judged the probe's push");
    for (const p of judged) {
      assert.equal(p.actor, ACTIONS_ACTOR, "the probe's push authenticated as the workflow token, not the App");
      assert.equal(p.accepted, false);
    }
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("exportToken: true, with @semantic-release/github and a probe after this plugin and a probe before it", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let records: ProbeRecord[];

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    const recordDir = await sideDir(world, "probe-records");
    await configure(world, { exportToken: true }, { before: [...DEFAULT_PLUGINS, probe("before", recordDir)], after: [GITHUB_PLUGIN, probe("after", recordDir)] });
    result = await world.run();
    records = readProbeRecords(recordDir);
  });
  after(() => world.close());

  it("releases, and @semantic-release/github creates the GitHub release as the App", () => {
    assert.equal(result.code, 0, output(result));
    assertEveryStepRecorded(records, ["before", "after"]);
    const created = world.standIn.requests({ route: "POST /repos/{owner}/{repo}/releases" });
    assert.deepEqual(
      created.map((r) => [r.status, r.actor]),
      [[201, APP_ACTOR]],
    );
  });

  it("nobody sees the token before the end of this plugin's prepare step", () => {
    const early = records.filter((r) => ["verifyConditions", "analyzeCommits", "verifyRelease"].includes(r.step) || (r.step === "generateNotes" && r.call === 1) || (r.step === "prepare" && r.label === "before"));
    assert.equal(early.length, 9, "both probes' first four steps, and the prepare of the one listed before");
    const seen = early.filter((r) => secretsIn(world, envText(r.env)).has("token")).map(where);
    assert.deepEqual(seen, []);
  });

  it("from the end of this plugin's prepare step on, every later step sees it in GH_TOKEN and GITHUB_TOKEN", () => {
    const tokens = new Set(appTokens(world).map((t) => t.token));
    const later = records.filter((r) => ["publish", "success"].includes(r.step) || (r.step === "prepare" && r.label === "after"));
    assert.equal(later.length, 5, "after's prepare, both probes' publish and success");
    for (const r of later) {
      assert.ok(tokens.has(r.env.GH_TOKEN ?? ""), `GH_TOKEN in ${where(r)} is ${whichToken(world, r.env.GH_TOKEN)}, not the App token`);
      assert.ok(r.env.GITHUB_TOKEN === r.env.GH_TOKEN, `GITHUB_TOKEN in ${where(r)} is ${whichToken(world, r.env.GITHUB_TOKEN)}, not the App token`);
    }
    // semantic-release generates the notes again after a prepare step made a commit (its
    // lib/definitions/plugins.js, prepare's getNextInput): that happens after this plugin's prepare
    // ended, so the token is already there, like in the prepare of the plugins listed after it
    for (const r of records.filter((x) => x.step === "generateNotes" && x.call > 1)) {
      assert.ok(tokens.has(r.env.GH_TOKEN ?? ""), `GH_TOKEN in ${where(r)} is ${whichToken(world, r.env.GH_TOKEN)}, not the App token`);
    }
  });

  it("no step after this plugin's verifyConditions sees the private key", () => {
    const seen = records.filter((r) => !keyMayBeThere(r) && secretsIn(world, envText(r.env)).has("key")).map(where);
    assert.deepEqual(seen, []);
  });

  it("still revokes the token at the end and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("a more specific http.<url>.extraheader with the workflow token in the repository's config", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let key: string;
  let mainBefore: string | undefined;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    // more specific than actions/checkout's `http.<origin>/.extraheader`: git picks it for the remote URL
    key = `http.${world.standIn.origin}/${world.repo.owner.login}/${world.repo.name}.git.extraheader`;
    await gitIn(world.workDir, ["config", key, `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${world.actionsToken}`).toString("base64")}`]);
    mainBefore = await world.remoteRef("refs/heads/main");
    result = await world.run();
  });
  after(() => world.close());

  it("never pushes the release with the other credential", () => {
    const releasePushes = refPushes(world).filter((p) => p.updates.some((u) => u.ref === "refs/heads/main" || u.ref === "refs/tags/v1.0.0"));
    assert.deepEqual(
      releasePushes.filter((p) => p.actor !== APP_ACTOR).map((p) => `${p.actor} ${p.accepted ? "accepted" : "refused"}`),
      [],
      "a push of main or the tag authenticated as someone else than the App",
    );
  });

  it("either refuses with an error naming the config key (pushing nothing) or pushes as the App", async () => {
    const text = output(result);
    if (result.code === 0) {
      assert.ok(await world.remoteRef("refs/tags/v1.0.0"), "released: the tag is there");
      const mainPushes = refPushes(world).filter((p) => p.updates.some((u) => u.ref === "refs/heads/main"));
      assert.deepEqual(mainPushes.map((p) => p.actor), [APP_ACTOR]);
    } else {
      const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      assert.match(text, new RegExp(escaped, "i"), "the error names the config key");
      assert.equal(refPushes(world).filter((p) => p.updates.some((u) => u.ref === "refs/heads/main" || u.ref.startsWith("refs/tags/"))).length, 0, "nothing pushed");
      assert.equal(await world.remoteRef("refs/heads/main"), mainBefore);
      assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined);
    }
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

// ---------------------------------------------------------------------------------------------------

const INSECURE_HOST = "github.example.test";
/**
 * Preloaded into the semantic-release process (NODE_OPTIONS): `github.example.test` resolves to
 * 127.0.0.1, so a request to `http://github.example.test:<port>` really reaches the stand-in. Without
 * the refusal, the App's JWT and then its token would travel there in clear text, and the stand-in
 * records it.
 */
const RESOLVE_TO_STAND_IN = [
  `import dns from "node:dns";`,
  `const lookup = dns.lookup;`,
  `dns.lookup = function (host, options, callback) {`,
  `  if (typeof options === "function") { callback = options; options = {}; }`,
  `  if (host !== ${JSON.stringify(INSECURE_HOST)}) return lookup.call(this, host, options, callback);`,
  `  const all = typeof options === "object" && options !== null && options.all;`,
  `  process.nextTick(() => (all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)));`,
  `};`,
].join("\n");
const PRELOAD = `--import=data:text/javascript;base64,${Buffer.from(RESOLVE_TO_STAND_IN).toString("base64")}`;

for (const insecure of ["GITHUB_SERVER_URL", "GITHUB_API_URL", "both"] as const) {
  describe(`http:// on a non-loopback host (${insecure === "both" ? "GITHUB_SERVER_URL and GITHUB_API_URL" : insecure})`, () => {
    let world: ReleaseWorld;
    let result: RunResult;

    before(async () => {
      world = await releaseWorld({ checkout: "v4" });
      protectReleaseRefs(world);
      const port = new URL(world.standIn.origin).port;
      const env: Record<string, string> = { NODE_OPTIONS: PRELOAD };
      if (insecure !== "GITHUB_API_URL") env.GITHUB_SERVER_URL = `http://${INSECURE_HOST}:${port}`;
      if (insecure !== "GITHUB_SERVER_URL") env.GITHUB_API_URL = `http://${INSECURE_HOST}:${port}/api/v3`;
      result = await world.run([], env);
    });
    after(() => world.close());

    it("fails with EINSECUREURL", () => {
      assert.notEqual(result.code, 0, output(result));
      assert.match(output(result), /EINSECUREURL/);
    });

    it("sends no request with the App's credentials: no JWT request, no token minted", () => {
      const appRequests = world.standIn.requests().filter((r) => r.actor === `app:${world.app.slug}` || r.route.startsWith("POST /app/installations/"));
      assert.deepEqual(appRequests.map((r) => `${r.method} ${r.path}`), []);
      assert.equal(appTokens(world).length, 0);
      assert.equal(refPushes(world).length, 0, "nothing pushed");
    });
  });
}
