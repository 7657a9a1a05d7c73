// Shared assertions and knobs for the e2e files of test/e2e/ (not a test file itself: run.mjs only
// picks `*.test.ts`). Worlds come from test/helpers/e2e.ts; these helpers look at what a user would
// notice: the output, who pushed, which tokens exist and whether they were revoked.
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, gitIn, type ReleaseWorld, type RunResult } from "../helpers/e2e.js";
import type { BypassActor, RecordedRequest, TokenRecord } from "../github-stand-in/world.js";
import type { Mark } from "../github-stand-in/query.js";

export const PLUGIN_PATH = join(ROOT, "index.ts");
export const APP_ACTOR = "installation:release-bot[bot]";
export const DEFAULT_PLUGINS = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator", "@semantic-release/changelog"];

export function output(result: Pick<RunResult, "stdout" | "stderr">): string {
  return `${result.stdout}\n${result.stderr}`;
}

export function appBypass(world: ReleaseWorld, mode: BypassActor["bypass_mode"] = "always"): BypassActor[] {
  return [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: mode }];
}

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

/** App installation tokens of `appId` (default: the world's App), in mint order */
export function appTokens(world: ReleaseWorld, appId = world.app.id): TokenRecord[] {
  return world.standIn.tokens({ appId });
}

export async function assertNoSecrets(world: ReleaseWorld, result: RunResult): Promise<void> {
  assert.deepEqual(await world.scanForSecrets(result), [], "no token, JWT or key in output, argv or files");
}

export function assertTokensRevoked(world: ReleaseWorld, appId = world.app.id): void {
  const tokens = appTokens(world, appId);
  assert.ok(tokens.length > 0, "an App token was minted");
  for (const t of tokens) assert.ok(t.revoked, "every App token is revoked when the release ends");
}

/** pushes that changed (or tried to change) refs */
export function refPushes(world: ReleaseWorld, since?: Mark) {
  return world.standIn.refPushes({ since });
}

/** git receive-pack POSTs (the pushes themselves, accepted or not) */
export function receivePacks(world: ReleaseWorld, since?: Mark): RecordedRequest[] {
  return world.standIn.requests({ route: "GIT receive-pack", method: "POST", since });
}

/** Rewrites .releaserc.json: this plugin with `pluginOptions`, after `before` and followed by `after`. */
export async function configure(
  world: ReleaseWorld,
  pluginOptions: Record<string, unknown>,
  { before = DEFAULT_PLUGINS, after = [] }: { before?: unknown[]; after?: unknown[] } = {},
): Promise<void> {
  const plugins = [...before, [PLUGIN_PATH, pluginOptions], ...after];
  await writeFile(join(world.workDir, ".releaserc.json"), JSON.stringify({ branches: ["main"], plugins }, null, 2));
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
