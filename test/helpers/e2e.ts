// The one module the e2e tests (test/e2e/*.test.ts, test/integration.test.ts), the demo and the bench
// import: worlds (./world.ts), the CLI and its configuration (./cli.ts), secret scanning (./secrets.ts),
// and here what the tests do with a world: assertions about what a user would notice (the output,
// who pushed, which tokens exist and whether they were revoked), reactions to what the stand-in
// records (event-driven, no timers), and a second workspace.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BypassActor, RecordedRequest, TokenRecord, Mark } from "github-stand-in";
import { DEFAULT_PLUGINS, PLUGIN_PATH, runCli, writeReleaserc, type CliResult } from "./cli.js";
import { gitIn, type ReleaseWorld, type RunResult } from "./world.js";

export * from "./cli.js";
export * from "./secrets.js";
export * from "./world.js";

/** how the stand-in records the App's pushes and requests */
export const APP_ACTOR = "installation:release-bot[bot]";

/** the parameters of a `pull_request` rule as GitHub stores them */
export const PULL_REQUEST_RULE = {
  type: "pull_request",
  parameters: {
    required_approving_review_count: 1,
    dismiss_stale_reviews_on_push: false,
    require_code_owner_review: false,
    require_last_push_approval: false,
    required_review_thread_resolution: false,
  },
};

export function output(result: Pick<RunResult, "stdout" | "stderr">): string {
  return `${result.stdout}\n${result.stderr}`;
}

/** the first error codes semantic-release printed (`[semantic-release] › ✘  ECODE ...`), each once */
export function errorCodes(text: string): string[] {
  return [...new Set([...text.matchAll(/\b(E[A-Z0-9]{4,})\b/g)].map((m) => m[1]!))];
}

export function appBypass(world: ReleaseWorld, mode: BypassActor["bypass_mode"] = "always"): BypassActor[] {
  return [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: mode }];
}

/** App installation tokens of `appId` (default: the world's App), in mint order */
export function appTokens(world: ReleaseWorld, appId = world.app.id): TokenRecord[] {
  return world.standIn.tokens({ appId });
}

export async function assertNoSecrets(world: ReleaseWorld, result: RunResult): Promise<void> {
  assert.deepEqual(await world.scanForSecrets(result), [], "no token, JWT or key in output, argv or files");
}

/** At least one App token was minted, and every one of them is revoked. */
export function assertTokensRevoked(world: ReleaseWorld, appId = world.app.id): void {
  const tokens = appTokens(world, appId);
  assert.ok(tokens.length > 0, "an App token was minted");
  for (const [i, t] of tokens.entries()) assert.ok(t.revoked, `App token #${i + 1} of ${tokens.length} is revoked when the release ends`);
}

/** pushes that changed (or tried to change) refs */
export function refPushes(world: ReleaseWorld, since?: Mark) {
  return world.standIn.refPushes({ since });
}

/** semantic-release core pushes its notes ref (refs/notes/semantic-release-*) itself, after prepare, with the job's own credentials */
const isCoreNotesPush = (push: { updates: { ref: string }[] }) => push.updates.every((u) => u.ref.startsWith("refs/notes/"));

/** The pushes of the release itself (branch, tags), without core's notes push. */
export function releasePushes(world: ReleaseWorld, since?: Mark) {
  return world.standIn.refPushes({ since }).filter((push) => !isCoreNotesPush(push));
}

/**
 * The App token reaches the plugin's own push only: every push of the release is the App's, and
 * every other receive-pack is core's notes push, made with the job's credentials and accepted.
 */
export function assertReleasePushedByApp(world: ReleaseWorld, { since, actor = APP_ACTOR }: { since?: Mark; actor?: string } = {}): void {
  const pushes = releasePushes(world, since);
  assert.ok(pushes.some((p) => p.updates.some((u) => u.ref.startsWith("refs/heads/") || u.ref.startsWith("refs/tags/"))), "the release was pushed");
  for (const push of pushes) assert.equal(push.actor, actor, `the push of ${push.updates.map((u) => u.ref).join(", ")} is the App's`);
  const notesActors = new Set(world.standIn.refPushes({ since }).filter(isCoreNotesPush).map((push) => (assert.ok(push.accepted, "core's notes push is accepted"), push.actor)));
  for (const pack of receivePacks(world, since)) {
    if (pack.actor !== actor) assert.ok(notesActors.has(pack.actor!), `receive-pack as ${pack.actor} is core's notes push`);
  }
}

/** git receive-pack POSTs (the pushes themselves, accepted or not) */
export function receivePacks(world: ReleaseWorld, since?: Mark): RecordedRequest[] {
  return world.standIn.requests({ route: "GIT receive-pack", method: "POST", since });
}

export function requestsTo(world: ReleaseWorld, route: string): RecordedRequest[] {
  return world.standIn.requests({ route });
}

/** Rewrites .releaserc.json of the workspace: this plugin with `pluginOptions`, after `before` and followed by `after`. */
export async function configure(
  world: ReleaseWorld,
  pluginOptions: Record<string, unknown>,
  { before = DEFAULT_PLUGINS, after = [] }: { before?: unknown[]; after?: unknown[] } = {},
): Promise<void> {
  await writeReleaserc(world.workDir, [...before, [PLUGIN_PATH, pluginOptions], ...after]);
}

/** Rewrites .releaserc.json of a workspace with a whole plugins list (PLUGIN_PLACEHOLDER = this plugin with `pluginOptions`). */
export async function setPlugins(world: ReleaseWorld, plugins: unknown[], cwd = world.workDir, pluginOptions: Record<string, unknown> = {}): Promise<void> {
  await writeReleaserc(cwd, plugins, pluginOptions);
}

/**
 * Puts the workspace back where actions/checkout left it, after a run that failed: HEAD on the
 * commit that was checked out, no release commit, no local tag, no generated CHANGELOG.md.
 */
export async function resetWorkspace(world: ReleaseWorld): Promise<void> {
  await gitIn(world.workDir, ["reset", "-q", "--hard", world.env.GITHUB_SHA!]);
  await gitIn(world.workDir, ["clean", "-q", "-fd"]);
  const tags = (await gitIn(world.workDir, ["tag", "--list"])).split("\n").filter(Boolean);
  if (tags.length > 0) await gitIn(world.workDir, ["tag", "-d", ...tags]);
}

/** a second workspace, cloned like the first one (actions/checkout v4 layout, workflow token persisted) */
export async function secondWorkspace(world: ReleaseWorld, name: string): Promise<string> {
  const dir = join(world.workDir, "..", name);
  await gitIn(join(world.workDir, ".."), ["clone", "-q", "--no-local", world.workDir, dir]);
  // the same origin and persisted header as the first workspace
  await gitIn(dir, ["remote", "set-url", "origin", await gitIn(world.workDir, ["remote", "get-url", "origin"])]);
  const header = await gitIn(world.workDir, ["config", "--get-regexp", "^http\\..*\\.extraheader$"]).catch(() => "");
  for (const line of header.split("\n").filter(Boolean)) {
    const [key, ...value] = line.split(" ");
    await gitIn(dir, ["config", key!, value.join(" ")]);
  }
  await writeFile(join(dir, ".releaserc.json"), await readFile(join(world.workDir, ".releaserc.json")));
  await writeFile(join(dir, ".git", "info", "exclude"), ".releaserc.json\n");
  await gitIn(dir, ["fetch", "-q", "origin"]);
  return dir;
}

/** the semantic-release CLI in another workspace of the same world (world.run always uses world.workDir) */
export function runIn(world: ReleaseWorld, cwd: string, args: string[] = [], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return runCli({ cwd, env: { ...world.env, GITHUB_WORKSPACE: cwd, ...extraEnv }, args });
}

/**
 * Calls `action` synchronously when the stand-in records a request matching `test`, before it
 * serves the next one (the stand-in records a request in the same tick as it answers it), so the
 * action takes effect before the client can react. `once` (default) detaches after the first match.
 */
export function onRequest(world: ReleaseWorld, test: (r: RecordedRequest) => boolean, action: (r: RecordedRequest) => void, { once = true } = {}): void {
  world.standIn.onRequest(test, action, { once });
}

/** the step plugin's `advanceClockSeconds` moves the stand-in's clock too (see test/fixtures/step-plugin.mjs) */
export function followFixtureClock(world: ReleaseWorld): void {
  onRequest(
    world,
    (r) => r.path.startsWith("/_fixture/advance-clock"),
    (r) => {
      const seconds = Number(new URL(r.path, "http://x").searchParams.get("seconds"));
      world.standIn.setClockSkew(world.standIn.clockSkewMs + seconds * 1000);
    },
    { once: false },
  );
}

/** A tiny local plugin that logs a fingerprint of GH_TOKEN/GITHUB_TOKEN in each step it runs (never the token). */
export async function writeEnvProbe(world: ReleaseWorld): Promise<string> {
  const path = join(world.runnerTemp, "..", "env-probe.mjs");
  const steps = ["verifyConditions", "prepare", "publish", "success", "fail"];
  const body = steps
    .map(
      (step) =>
        `export async function ${step}(_c, { env, logger }) {\n` +
        `  for (const name of ["GH_TOKEN", "GITHUB_TOKEN"]) logger.log("env-probe ${step} %s=%s process=%s", name, fp(env[name]), fp(process.env[name]));\n` +
        `}`,
    )
    .join("\n");
  await writeFile(
    path,
    `import { createHash } from "node:crypto";\nconst fp = (v) => (v ? createHash("sha256").update(v).digest("hex").slice(0, 16) : "unset");\n${body}\n`,
  );
  return path;
}

/** the fingerprint writeEnvProbe logs for a value */
export function fingerprint(value: string | undefined): string {
  return value ? createHash("sha256").update(value).digest("hex").slice(0, 16) : "unset";
}

/** `{ NAME: { context, process } }` fingerprints the probe logged in `step` */
export function probed(result: RunResult, step: string): Record<string, { context: string; process: string }> {
  const seen: Record<string, { context: string; process: string }> = {};
  for (const m of output(result).matchAll(new RegExp(`env-probe ${step} (GH_TOKEN|GITHUB_TOKEN)=(\\w+) process=(\\w+)`, "g"))) {
    seen[m[1]!] = { context: m[2]!, process: m[3]! };
  }
  return seen;
}

export async function readText(path: string): Promise<string> {
  return readFile(path, "utf8");
}
