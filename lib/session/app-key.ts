// The App's private key leaves the environment as soon as it is read (docs/security.md): every
// child process of the release (git hooks, npm lifecycle scripts, other plugins' commands) inherits
// process.env, and each later step's context.env is copied from it (docs/semantic-release.md §2).
// The key stays in this module's memory for re-minting and for the next release of the process (a
// monorepo tool runs several releases, each with its own verifyConditions, in one process).
import type { Env } from "../types.js";

const NAME = "GITHUB_APP_PRIVATE_KEY";

/** the key this module took out of process.env; nothing else is remembered */
let kept: string | undefined;

/**
 * The key for this release: from `env` (the step's copy of the environment), and removed from
 * process.env when that is where it came from; when `env` has no key at all, the one an earlier
 * release of this process took out of process.env. A key set to "" stays the user's (and an error).
 */
export function takeAppKey(env: Env): string | undefined {
  const value = env[NAME];
  if (value === undefined) return kept;
  if (value.trim() !== "" && process.env[NAME] === value) {
    kept = value;
    delete process.env[NAME];
  }
  return value;
}

/** `env` without the key, for the environment of a child process. */
export function withoutAppKey(env: Env): Env {
  const { [NAME]: _key, ...rest } = env;
  return rest;
}
