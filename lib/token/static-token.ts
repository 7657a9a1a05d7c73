// A token the release is given rather than mints, from GH_TOKEN (method "pat") or GITHUB_TOKEN
// (method "github-token"). The variable only says where the token is: whose it is comes from GitHub
// (./token-actor.ts): a user's token pushes, commits and is judged as that user; an installation
// token as its App's bot, `github-actions[bot]` for the workflow token (docs/github.md §4.1). Never
// re-minted, never revoked: the PAT is the user's, an installation token its owner's (the job's).
import { GITHUB_ACTIONS_BOT, PACKAGE_NAME } from "../definitions/constants.js";
import { AUTH_LOGS } from "../errors/auth.js";
import { ReleaseOctokit, toOctokitOptions } from "../octokit.js";
import { identityFor } from "./bot-identity.js";
import type { CreateReleaseTokenOptions, ReleaseToken } from "./index.js";
import { readTokenActor, type TokenActor, type TokenVariable } from "./token-actor.js";

export async function createStaticToken(options: CreateReleaseTokenOptions & { method: "pat" | "github-token" }): Promise<ReleaseToken> {
  const { method, config, owner, repo, logger, octokitOptions, onToken } = options;
  const variable: TokenVariable = method === "pat" ? "GH_TOKEN" : "GITHUB_TOKEN";
  const token = method === "pat" ? config.pat : config.githubToken;
  if (!token) throw new Error(`${PACKAGE_NAME}: auth method "${method}" without ${variable} (verifyConfig reports this)`);
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: config.githubApiUrl, auth: token, logger, ...octokitOptions }));
  onToken?.(token);

  const actor = await readTokenActor({ octokit, baseUrl: config.githubApiUrl, variable });
  logger.log(usingLine(actor, { variable, owner, repo }));
  const identity = identityFor(actor.login, actor.id, config.githubUrl);
  return {
    // what the token is, whichever variable held it: a user's token is judged as a user's (classic
    // protection's admin rule), an installation token as an App's bot
    method: actor.kind === "user" ? "pat" : "github-token",
    actor: { login: actor.login, type: actor.type },
    permissions: undefined,
    expiresAt: undefined,
    octokit,
    identity: async () => identity,
    fresh: async () => token,
    revoke: async () => {},
    revokeSync: () => {},
  };
}

function usingLine(actor: TokenActor, where: { variable: TokenVariable; owner: string; repo: string }): string {
  const { login } = actor;
  if (actor.kind === "user") return AUTH_LOGS.usingPat({ login, ...where });
  return login === GITHUB_ACTIONS_BOT.login ? AUTH_LOGS.usingWorkflowToken({ login, ...where }) : AUTH_LOGS.usingInstallationToken({ login, ...where });
}
