// The release sessions of this process, one per release: a monorepo tool (multi-semantic-release)
// runs one release per package in one process, each with its own steps and its own cwd; their
// sessions share one App token and what was read with it (./shared-tokens.ts). The
// steps of one release find their session by its cwd, repository and branch. semantic-release
// shares a plugin's module state between all its steps (docs/semantic-release.md §2), so this map
// is how verifyRelease, prepare, success and fail reach what verifyConditions built.
import { SessionWatch } from "./process-exit.js";
import { startSession, type ReleaseSession, type StepContext } from "./session.js";
import { SharedTokens } from "./shared-tokens.js";
import type { PluginConfig } from "../types.js";

const watch = new SessionWatch();
const sessions = new Map<string, ReleaseSession>();
/** the App tokens the sessions share: one per repository (and permissions) for the whole process */
const tokens = new SharedTokens(watch);

function keyOf(context: StepContext): string {
  const { options } = context;
  return JSON.stringify([context.cwd ?? process.cwd(), String(options.originalRepositoryURL ?? options.repositoryUrl ?? ""), context.branch.name]);
}

/** verifyConditions: a new session for this release (ending one left open by an earlier run of the same release). */
export async function beginRelease(pluginConfig: PluginConfig, context: StepContext): Promise<ReleaseSession> {
  const key = keyOf(context);
  await sessions.get(key)?.end("the same release started again in this process");
  sessions.delete(key);
  const session = await startSession({ pluginConfig, context, watch, tokens });
  sessions.set(key, session);
  return session;
}

/** Later steps: the release's session; verifyConditions runs first when it did not run in this process (as @semantic-release/git does). */
export async function releaseSession(pluginConfig: PluginConfig, context: StepContext): Promise<ReleaseSession> {
  const session = sessions.get(keyOf(context));
  return session && !session.ended ? session : beginRelease(pluginConfig, context);
}

/** fail: the release's session if one is open; fail never starts one. */
export function openSession(context: StepContext): ReleaseSession | undefined {
  const session = sessions.get(keyOf(context));
  return session && !session.ended ? session : undefined;
}
