// semantic-release-github-app: the lifecycle steps, wiring only. What each step does:
// docs/architecture.md "Steps"; the release session that owns every side effect: lib/session/.
import type { FailContext, PrepareContext, SuccessContext, VerifyConditionsContext, VerifyReleaseContext } from "semantic-release";
import { explainRejections } from "./lib/push/explain-rejections.js";
import { beginRelease, openSession, releaseSession } from "./lib/session/registry.js";
import type { StepContext } from "./lib/session/session.js";
import type { PluginConfig } from "./lib/types.js";

export type { PluginConfig, ResolvedConfig, AuthMethod, DispatchTarget, Permissions } from "./lib/types.js";

export async function verifyConditions(pluginConfig: PluginConfig, context: VerifyConditionsContext): Promise<void> {
  await beginRelease(pluginConfig, context as StepContext);
}

export async function verifyRelease(pluginConfig: PluginConfig, context: VerifyReleaseContext): Promise<void> {
  await (await releaseSession(pluginConfig, context as StepContext)).verifyRelease(context);
}

export async function prepare(pluginConfig: PluginConfig, context: PrepareContext): Promise<void> {
  await (await releaseSession(pluginConfig, context as StepContext)).prepare(context);
}

export async function success(pluginConfig: PluginConfig, context: SuccessContext): Promise<void> {
  await (await releaseSession(pluginConfig, context as StepContext)).success(context);
}

export async function fail(_pluginConfig: PluginConfig, context: FailContext): Promise<void> {
  explainRejections(context.errors, context.logger);
  // FailContext is typed without branch and env, though semantic-release passes them
  await openSession(context as unknown as StepContext)?.fail(context);
}
