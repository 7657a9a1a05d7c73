// Secrets, end to end: in every outcome of a real semantic-release run (released, blocked
// by a ruleset, --dry-run, a push the server rejects) with both actions/checkout layouts (v4: header
// in .git/config, v6: in an includeIf file under RUNNER_TEMP) and both token formats (classic
// `ghs_` + 36, stateless `ghs_<id>_<JWT>`), and with git's tracing switched on, no App token, JWT or
// key shows up in stdout, stderr, any file the run wrote, or the argv of any git process; and every
// App token is revoked when the run ends.
//
// Tracing: git redacts the Authorization header in GIT_CURL_VERBOSE / GIT_TRACE_CURL output
// (`Send header: AUTHORIZATION: basic <redacted>`) unless GIT_TRACE_REDACT=0 (git >= 2.25;
// verified here with git 2.39). A header passed through GIT_CONFIG_* never shows in GIT_TRACE's argv
// lines (docs/semantic-release.md §8.6). The scan also looks for the base64 forms of the token
// (encodedForms in test/helpers/secrets.ts), which is what the header carries.
import { strict as assert } from "node:assert";
import { mkdir, readFile, readdir, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { releaseWorld, type ReleaseWorld, type RunResult } from "../helpers/e2e.js";
import type { BypassActor } from "github-stand-in";

type Outcome = "released" | "blocked" | "dry-run" | "push-rejected";
/** stderr: GIT_TRACE=1 + GIT_CURL_VERBOSE=1 (git prints to its stderr); file: the same traces written to files under RUNNER_TEMP */
type Trace = "stderr" | "file";
// (stderr: core and the plugin capture git's stderr; it reaches the log only inside an error message.)

interface Scenario {
  outcome: Outcome;
  checkout: "v4" | "v6";
  tokenFormat: "classic" | "stateless";
  trace: Trace;
}

// Each axis value appears with each outcome's neighbours: v4/v6 × classic/stateless × stderr/file.
const SCENARIOS: Scenario[] = [
  { outcome: "released", checkout: "v4", tokenFormat: "classic", trace: "stderr" },
  { outcome: "released", checkout: "v6", tokenFormat: "stateless", trace: "file" },
  { outcome: "blocked", checkout: "v4", tokenFormat: "stateless", trace: "stderr" },
  { outcome: "dry-run", checkout: "v6", tokenFormat: "stateless", trace: "stderr" },
  { outcome: "push-rejected", checkout: "v6", tokenFormat: "classic", trace: "file" },
  { outcome: "push-rejected", checkout: "v4", tokenFormat: "stateless", trace: "stderr" },
];

/** main: pull requests only; v* tags: no creation. `bypass` = the App may bypass both. */
function protect(world: ReleaseWorld, bypass: boolean): void {
  const bypass_actors: BypassActor[] = bypass ? [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: "always" }] : [];
  world.standIn.addRuleset(world.repo, {
    name: "Protect main",
    target: "branch",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [{ type: "pull_request", parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false } }],
    bypass_actors,
  });
  world.standIn.addRuleset(world.repo, {
    name: "Release tags",
    target: "tag",
    conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
    rules: [{ type: "creation" }],
    bypass_actors,
  });
}

function traceEnv(trace: Trace, traceDir: string): Record<string, string> {
  if (trace === "stderr") return { GIT_TRACE: "1", GIT_CURL_VERBOSE: "1" };
  // Absolute paths: git appends its traces to these files (RUNNER_TEMP is scanned like the workspace).
  // Not GIT_CURL_VERBOSE here: it stands for GIT_TRACE_CURL=1 and sends the curl trace to stderr instead.
  return { GIT_TRACE: join(traceDir, "git-trace.log"), GIT_TRACE_CURL: join(traceDir, "git-curl.log") };
}

function appTokens(world: ReleaseWorld) {
  return world.standIn.tokens({ appId: world.app.id });
}

/** Every file under `dir` except git's object store (zlib data); the whole world folder, HOME included. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "objects") out.push(...(await filesUnder(path)));
    } else if (entry.isFile() && (await stat(path)).size < 20_000_000) out.push(path);
  }
  return out;
}

const output = (r: RunResult) => `${r.stdout}\n${r.stderr}`;

for (const scenario of SCENARIOS) {
  const { outcome, checkout, tokenFormat, trace } = scenario;
  describe(`secrets: ${outcome}, checkout ${checkout}, ${tokenFormat} tokens, git tracing to ${trace}`, () => {
    let world: ReleaseWorld;
    let result: RunResult;
    let traceDir: string;

    before(async () => {
      world = await releaseWorld({ checkout, tokenFormat, ...(outcome === "push-rejected" ? { pluginOptions: { preflight: "off" } } : {}) });
      protect(world, outcome === "released" || outcome === "dry-run");
      traceDir = join(world.runnerTemp, "traces");
      await mkdir(traceDir, { recursive: true });
      result = await world.run(outcome === "dry-run" ? ["--dry-run"] : [], traceEnv(trace, traceDir));
    });
    after(() => world.close());

    it(`ends as expected (${outcome})`, async () => {
      const text = output(result);
      // the compatibility leg (test/compat/run.sh) really runs the semantic-release it installed
      const expectedVersion = process.env.SEMANTIC_RELEASE_DIR
        ? (JSON.parse(await readFile(join(process.env.SEMANTIC_RELEASE_DIR, "semantic-release", "package.json"), "utf8")) as { version: string }).version
        : undefined;
      if (expectedVersion) assert.match(text, new RegExp(`Running semantic-release version ${expectedVersion.replace(/\./g, "\\.")}\\b`));
      if (outcome === "released") {
        assert.equal(result.code, 0, text);
        assert.ok(await world.remoteRef("refs/tags/v1.0.0"), "the tag was pushed");
      } else if (outcome === "dry-run") {
        assert.equal(result.code, 0, text);
        assert.match(result.stdout, /Verdict: /);
      } else {
        assert.notEqual(result.code, 0);
        assert.match(text, outcome === "blocked" ? /ERULESETBLOCKED/ : /EPUSHREJECTED/);
        assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "no tag");
      }
      if (tokenFormat === "stateless") assert.match(appTokens(world)[0]!.token, /^ghs_\d+_[\w-]+\.[\w-]+\.[\w-]+$/, "the stand-in minted stateless tokens");
    });

    it("git's tracing was on and the App's Authorization header went out redacted", async () => {
      if (trace === "file") {
        const curl = await readFile(join(traceDir, "git-curl.log"), "utf8");
        assert.match(curl, /Send header: AUTHORIZATION: basic <redacted>/i);
        assert.match(await readFile(join(traceDir, "git-trace.log"), "utf8"), /trace: (built-in|run_command|exec): git /);
      }
      if (outcome !== "blocked" && outcome !== "dry-run") {
        const appPushes = world.standIn.requests({ route: "GIT receive-pack", method: "POST", actor: "installation:release-bot[bot]" });
        assert.ok(appPushes.length > 0, "the release push carried the App token");
      }
    });

    it("no token, JWT or key in stdout, stderr, git argv, or any file of the workspace, RUNNER_TEMP and HOME", async () => {
      assert.deepEqual(await world.scanForSecrets(result), []);
      // the whole world folder: HOME (git's global config lives there), the argv log, the traces
      const leaks: string[] = [];
      for (const file of await filesUnder(dirname(world.workDir))) {
        for (const found of world.findSecrets(await readFile(file, "latin1"))) leaks.push(`${found} in ${file}`);
      }
      assert.deepEqual(leaks, []);
      // a git process never gets a credential on its command line (GIT_CONFIG_* keeps it in the environment)
      const argv = result.gitArgv.map((a) => a.join(" "));
      assert.ok(argv.length > 0, "git argv was recorded");
      // (the plugin names the key, `git config --get-urlmatch http.extraheader <url>`, to read back which header git would send)
      assert.ok(!argv.some((a) => /extraheader=|x-access-token|AUTHORIZATION/i.test(a)), "no auth config on a git command line");
      assert.ok(!argv.some((a) => /https?:\/\/[^/\s]*@/.test(a.replace(/https?:\/\/\[secure\]@/g, ""))), "no credentials in a URL argument");
    });

    it("masks every minted token on GitHub Actions before using it (::add-mask::)", () => {
      const tokens = appTokens(world);
      assert.ok(tokens.length > 0);
      for (const { token } of tokens) assert.ok(result.stdout.includes(`::add-mask::${token}\n`), "the token is masked");
    });

    it("revokes every App token it minted", () => {
      const tokens = appTokens(world);
      assert.ok(tokens.length > 0, "an App token was minted");
      assert.deepEqual(
        tokens.map((t) => t.revoked),
        tokens.map(() => true),
      );
    });
  });
}

describe("the scanner sees a leak when there is one (git told not to redact: GIT_TRACE_REDACT=0)", () => {
  let world: ReleaseWorld;
  let result: RunResult;
  let traceDir: string;

  before(async () => {
    world = await releaseWorld({ checkout: "v4" });
    protect(world, true);
    traceDir = join(world.runnerTemp, "traces");
    await mkdir(traceDir, { recursive: true });
    result = await world.run([], { ...traceEnv("file", traceDir), GIT_TRACE_REDACT: "0" });
  });
  after(() => world.close());

  it("finds the base64 Authorization header in git's curl trace; raw text, argv and the workspace stay clean", async () => {
    assert.equal(result.code, 0, output(result));
    const leaks = await world.scanForSecrets(result);
    assert.ok(leaks.length > 0, "the curl trace holds the header in clear");
    for (const leak of leaks) assert.match(leak, /\(encoded\) in .*git-curl\.log$/);
  });

  // actions/checkout masks the base64 credential as well as the token (core.setSecret(basicCredential),
  // src/git-auth-helper.ts), so a trace like the one above shows `***` in the job log. So does this
  // plugin (lib/session/session.ts onToken).
  it("masks the base64 Authorization credential on GitHub Actions, as actions/checkout does", () => {
    for (const { token } of appTokens(world)) {
      const basic = Buffer.from(`x-access-token:${token}`, "utf8").toString("base64");
      assert.ok(result.stdout.includes(`::add-mask::${basic}\n`));
    }
  });
});
