// Leaves a workspace the way actions/checkout does with `persist-credentials: true` (the default):
// the token as an `http.<origin>/.extraheader` AUTHORIZATION header (docs/github.md §10).
// - v4/v5: in the repository's `.git/config`.
// - v6+: in `<runnerTemp>/git-credentials-<uuid>.config`, pulled in by `includeIf.gitdir:<abs .git>.path`
//   and `includeIf.gitdir:<abs .git>/worktrees/*.path` entries in `.git/config`.
// As checkout does, the value is written as a placeholder with `git config` and then replaced in the
// file, so the token never appears on a command line.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

// tokenPlaceholderConfigValue in https://github.com/actions/checkout/blob/main/src/git-auth-helper.ts
const PLACEHOLDER = "AUTHORIZATION: basic ***";

export interface PersistedCheckoutCredentials {
  /** the config key, `http.<origin>/.extraheader` */
  key: string;
  /** files that now hold the token (`.git/config` for v4, the credentials file for v6) */
  tokenFiles: string[];
  /** every file written (v6: the credentials file and `.git/config` with the includeIf entries) */
  paths: string[];
}

/** git's environment for these config writes: no system/global config of the machine */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };
}

async function replacePlaceholder(file: string, value: string): Promise<void> {
  const content = await readFile(file, "utf8");
  const at = content.indexOf(PLACEHOLDER);
  if (at < 0 || at !== content.lastIndexOf(PLACEHOLDER)) throw new Error(`Unable to replace auth placeholder in ${file}`);
  await writeFile(file, content.replace(PLACEHOLDER, value));
}

/**
 * Persist `token` for `origin` (e.g. the stand-in's `http://127.0.0.1:PORT`) in the clone at `workDir`.
 * `runnerTemp` is `$RUNNER_TEMP` (required for v6).
 */
export async function persistCheckoutCredentials(
  workDir: string,
  opts: { origin: string; token: string; layout: "v4" | "v6"; runnerTemp?: string },
): Promise<PersistedCheckoutCredentials> {
  const origin = new URL(opts.origin).origin; // docs/github.md §10: scheme://host[:port]
  const key = `http.${origin}/.extraheader`;
  const value = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${opts.token}`, "utf8").toString("base64")}`;
  const gitDir = resolve(workDir, ".git").replace(/\\/g, "/");
  const localConfig = join(gitDir, "config");
  const env = gitEnv();

  if (opts.layout === "v4") {
    await run("git", ["config", "--local", key, PLACEHOLDER], { cwd: workDir, env });
    await replacePlaceholder(localConfig, value);
    return { key, tokenFiles: [localConfig], paths: [localConfig] };
  }

  if (!opts.runnerTemp) throw new Error("RUNNER_TEMP is not defined");
  const credentialsFile = join(resolve(opts.runnerTemp), `git-credentials-${randomUUID()}.config`);
  await run("git", ["config", "--file", credentialsFile, key, PLACEHOLDER], { cwd: workDir, env });
  await replacePlaceholder(credentialsFile, value);
  await run("git", ["config", "--local", `includeIf.gitdir:${gitDir}.path`, credentialsFile], { cwd: workDir, env });
  await run("git", ["config", "--local", `includeIf.gitdir:${gitDir}/worktrees/*.path`, credentialsFile], { cwd: workDir, env });
  return { key, tokenFiles: [credentialsFile], paths: [credentialsFile, localConfig] };
}
