// What the token tests share (test/release-token.test.ts, test/revoke-token.test.ts,
// test/static-token.test.ts): fast retries, a logger that keeps its lines, and a resolved config for
// the stand-in's repository octo/proj.
import { format } from "node:util";
import type { StandIn } from "github-stand-in";
import type { Logger } from "../../lib/logger.js";
import type { ResolvedConfig } from "../../lib/types.js";

/** retries after 1 ms instead of 1 s; throttling's 1 s spacing of writes off (tested in octokit.test.ts) */
export const FAST = { retry: { retryAfterBaseValue: 1 }, throttle: { enabled: false } };

/** A logger that keeps each line as `<method>: <text>`, formatted as semantic-release's (util.format). */
export function makeLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger: Logger = {
    log: (...args) => lines.push(`log: ${format(...args)}`),
    warn: (...args) => lines.push(`warn: ${format(...args)}`),
    error: (...args) => lines.push(`error: ${format(...args)}`),
    success: (...args) => lines.push(`success: ${format(...args)}`),
  };
  return { logger, lines };
}

/** A resolved config for octo/proj on the stand-in: the App method with nothing set, plus `overrides`. */
export function tokenConfig(standIn: StandIn, overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return {
    authMethod: "app",
    assets: false,
    message: "chore(release): ${nextRelease.version}",
    commitMode: "git",
    laterPluginPermissions: {},
    permissions: undefined,
    preflight: "error",
    dispatch: [],
    exportToken: false,
    floatingTags: false,
    pushMode: "direct",
    pullRequestTimeout: 1_800_000,
    githubUrl: standIn.origin,
    githubApiUrl: standIn.apiUrl,
    installationId: undefined,
    appId: undefined,
    privateKey: undefined,
    pat: undefined,
    githubToken: undefined,
    owner: "octo",
    repo: "proj",
    repositoryUrl: `${standIn.origin}/octo/proj.git`,
    dryRun: false,
    warnings: [],
    ...overrides,
  };
}
