// Git authentication for the plugin's own network commands (`git push`, `fetch`, `ls-remote`), and
// for nothing else (docs/architecture.md "How git authenticates").
//
// The token travels as environment entries of that one child process: GIT_CONFIG_COUNT /
// GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n (git >= 2.31, https://git-scm.com/docs/git-config#ENVIRONMENT)
// set `http.<remote URL>.extraheader` first to "" (which empties the header list, dropping the one
// actions/checkout persisted, docs/github.md §10) and then to our Authorization header, and point
// `core.hooksPath` at an empty directory, so no repository hook (pre-push, reference-transaction)
// runs while the token is in the environment. Nothing is written to disk, argv never holds the
// token, and process.env never does.
//
// The key names the exact remote URL, not the server origin: git applies `http.<url>.*` entries
// only when their URL matches at least as well as the best match seen so far
// (https://git-scm.com/docs/git-config#Documentation/git-config.txt-httplturlgt), so an entry for
// `https://github.com/` would lose against a more specific `http.https://github.com/o/r.git.extraheader`
// in the repository's or the user's config. Nothing can match better than the exact URL; what could
// still win (a later `-c` entry, a `url.<base>.insteadOf` rewrite) is caught by `verifyGitAuth`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getError } from "../errors/get-error.js";
import { git } from "./git.js";
import type { Env } from "../types.js";

/** `AUTHORIZATION: basic base64("x-access-token:" + token)`, the header actions/checkout writes too. */
export function authorizationHeader(token: string): string {
  return `AUTHORIZATION: basic ${basicCredential(token)}`;
}

/** What git sends (and what GIT_TRACE_REDACT=0 would print): mask it as well as the token. */
export function basicCredential(token: string): string {
  return Buffer.from(`x-access-token:${token}`, "utf8").toString("base64");
}

function readCount(env: Env): number {
  const count = Number(env.GIT_CONFIG_COUNT ?? "0");
  // git refuses a bogus count ("bogus count in GIT_CONFIG_COUNT"); starting at 0 makes git usable again
  return Number.isInteger(count) && count >= 0 ? count : 0;
}

/**
 * A copy of `env` with our entries appended after the ones already there (a job's own
 * GIT_CONFIG_* entries keep working): the header reset, the header, and hooks off (`hooksPath`;
 * left out, the repository's hooks run: the command line's `exec` routes a whole release's git).
 */
export function withGitAuth({ env, remoteUrl, token, hooksPath }: { env: Env; remoteUrl: string; token: string; hooksPath: string | undefined }): Env {
  const key = `http.${remoteUrl}.extraheader`;
  const entries: [string, string][] = [
    [key, ""],
    [key, authorizationHeader(token)],
    ...(hooksPath === undefined ? [] : [["core.hooksPath", hooksPath] as [string, string]]),
  ];
  const start = readCount(env);
  const result: Env = { ...env, GIT_CONFIG_COUNT: String(start + entries.length) };
  entries.forEach(([name, value], i) => {
    result[`GIT_CONFIG_KEY_${start + i}`] = name;
    result[`GIT_CONFIG_VALUE_${start + i}`] = value;
  });
  return result;
}

/** Runs `task` with an empty directory for `core.hooksPath`, removed afterwards whatever happens. */
export async function withEmptyHooksDir<T>(task: (hooksPath: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "sr-github-app-no-hooks-"));
  try {
    return await task(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Before a push: read back what git will really do for `remoteUrl` with `env`, and refuse
 * (EGITAUTHOVERRIDDEN, nothing pushed) when the header it sends is not ours or the URL is rewritten.
 * Two local git commands, no network.
 */
export async function verifyGitAuth({ cwd, env, remoteUrl, token }: { cwd: string; env: Env; remoteUrl: string; token: string }): Promise<void> {
  const [header, url] = await Promise.all([
    git(["config", "--get-urlmatch", "http.extraheader", remoteUrl], { cwd, env, reject: false }),
    git(["ls-remote", "--get-url", remoteUrl], { cwd, env, reject: false }),
  ]);
  const rewritten = url.stdout.trim() !== remoteUrl;
  if (header.stdout.trim() === authorizationHeader(token) && !rewritten) return;
  const origins = await git(["config", "--show-origin", "--get-regexp", String.raw`^(http\..*\.extraheader|url\..*\.(push)?insteadof)$`], { cwd, env, reject: false });
  throw getError("EGITAUTHOVERRIDDEN", {
    remoteUrl,
    rewrittenTo: rewritten ? url.stdout.trim() : undefined,
    // values are headers: show where they come from, never what they hold
    origins: [
      ...new Set(
        origins.stdout
          .split("\n")
          .filter(Boolean)
          .map((line) => {
            const [origin = "", rest = ""] = line.split("\t");
            return `${rest.split(" ")[0]} (${origin.replace(/^file:/, "").replace(/:$/, "")})`;
          }),
      ),
    ],
  });
}
