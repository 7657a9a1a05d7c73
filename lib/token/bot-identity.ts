// The release commit's identity: the App's bot user, unless the user chose one
// (docs/github.md §6.1 "Bot identity", §12 GHES).
import type { ReleaseOctokitInstance } from "../octokit.js";

export interface BotIdentity {
  /** `<slug>[bot]` */
  name: string;
  /** `<userId>+<slug>[bot]@users.noreply.github.com` (or the GHES host's noreply domain) */
  email: string;
  /** id of the `<slug>[bot]` user, which differs from the App id (docs/github.md §6.1) */
  userId: number;
}

export interface CommitIdentityEnv {
  GIT_AUTHOR_NAME: string;
  GIT_AUTHOR_EMAIL: string;
  GIT_COMMITTER_NAME: string;
  GIT_COMMITTER_EMAIL: string;
}

/**
 * semantic-release core fills these before any plugin runs (docs/semantic-release.md §1.2 step 1);
 * they are not the user's choice.
 */
export const CORE_DEFAULT_IDENTITY = { name: "semantic-release-bot", email: "semantic-release-bot@martynus.net" } as const;

/**
 * The noreply domain of a GitHub host: `users.noreply.github.com` on github.com; on GitHub
 * Enterprise Server (and GHE.com) the same pattern under the server's own host name
 * (docs/github.md §12: the github.com address does not work there).
 */
export function noreplyDomain(githubUrl: string): string {
  const host = new URL(githubUrl).hostname.toLowerCase();
  return host === "github.com" || host === "www.github.com" ? "users.noreply.github.com" : `users.noreply.${host}`;
}

/** `<id>+<login>@<noreply domain>`, the rule behind `41898282+github-actions[bot]@users.noreply.github.com`. */
export function noreplyEmail(login: string, userId: number, githubUrl: string): string {
  return `${userId}+${login}@${noreplyDomain(githubUrl)}`;
}

/** Identity of a user or bot whose id is known (no request). */
export function identityFor(login: string, userId: number, githubUrl: string): BotIdentity {
  return { name: login, email: noreplyEmail(login, userId, githubUrl), userId };
}

/**
 * `GET /users/<slug>%5Bbot%5D` (the path parameter is URL-encoded by Octokit) → the bot's user id,
 * then its name and noreply e-mail. Authenticated with the installation token (anonymous requests
 * have a 60/hour per-IP limit, which shared runners exhaust).
 */
export async function resolveBotIdentity({ octokit, slug, githubUrl }: { octokit: ReleaseOctokitInstance; slug: string; githubUrl: string }): Promise<BotIdentity> {
  const login = `${slug}[bot]`;
  const { data } = await octokit.request("GET /users/{username}", { username: login });
  return identityFor(data.login || login, Number(data.id), githubUrl);
}

function userValue(value: string | undefined, coreDefault: string): string | undefined {
  if (value === undefined || value.trim() === "" || value === coreDefault) return undefined;
  return value;
}

/**
 * The GIT_AUTHOR_* / GIT_COMMITTER_* values for the release commit: each variable the user set
 * explicitly wins; an unset one, or one holding semantic-release core's default, gets the bot's.
 */
export function commitIdentityEnv(env: Record<string, string | undefined>, identity: Pick<BotIdentity, "name" | "email">): CommitIdentityEnv {
  return {
    GIT_AUTHOR_NAME: userValue(env.GIT_AUTHOR_NAME, CORE_DEFAULT_IDENTITY.name) ?? identity.name,
    GIT_AUTHOR_EMAIL: userValue(env.GIT_AUTHOR_EMAIL, CORE_DEFAULT_IDENTITY.email) ?? identity.email,
    GIT_COMMITTER_NAME: userValue(env.GIT_COMMITTER_NAME, CORE_DEFAULT_IDENTITY.name) ?? identity.name,
    GIT_COMMITTER_EMAIL: userValue(env.GIT_COMMITTER_EMAIL, CORE_DEFAULT_IDENTITY.email) ?? identity.email,
  };
}
