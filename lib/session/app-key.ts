// The App's private key leaves the environment as soon as it is read (docs/security.md): every
// child process of the release (git hooks, npm lifecycle scripts, other plugins' commands) inherits
// process.env, and each later step's context.env is copied from it (docs/semantic-release.md §2).
// The key stays in this module's memory for re-minting and for the next release of the process (a
// monorepo tool runs several releases, each with its own verifyConditions, in one process).
import type { Env } from "../types.js";

const NAME = "GITHUB_APP_PRIVATE_KEY";

let kept: string | undefined;

/** The key from `env` (or the one taken earlier in this process), removed from process.env. */
export function takeAppKey(env: Env): string | undefined {
  const value = env[NAME];
  if (typeof value === "string" && value.trim() !== "") kept = value;
  delete process.env[NAME];
  return kept;
}

/** `env` without the key, for the environment of a child process. */
export function withoutAppKey(env: Env): Env {
  const { [NAME]: _key, ...rest } = env;
  return rest;
}
