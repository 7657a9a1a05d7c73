// A token the release is given rather than mints: a personal access token (GH_TOKEN; the actor from
// `GET /user`) or the workflow token (GITHUB_TOKEN; github-actions[bot], docs/github.md §4, no
// request). Never re-minted, never revoked: the PAT is the user's, the workflow token the job's.
import { RequestError } from "@octokit/request-error";
import { GITHUB_ACTIONS_BOT, PACKAGE_NAME } from "../definitions/constants.js";
import { AUTH_LOGS } from "../errors/auth.js";
import { getError } from "../errors/get-error.js";
import { ReleaseOctokit, apiFailure, readFailure, toOctokitOptions, type ReleaseOctokitInstance } from "../octokit.js";
import { identityFor } from "./bot-identity.js";
import type { CreateReleaseTokenOptions, ReleaseToken } from "./index.js";

export async function createStaticToken(options: CreateReleaseTokenOptions & { method: "pat" | "github-token" }): Promise<ReleaseToken> {
  const { method, config, owner, repo, logger, octokitOptions, onToken } = options;
  const variable = method === "pat" ? "GH_TOKEN" : "GITHUB_TOKEN";
  const token = method === "pat" ? config.pat : config.githubToken;
  if (!token) throw new Error(`${PACKAGE_NAME}: auth method "${method}" without ${variable} (verifyConfig reports this)`);
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: config.githubApiUrl, auth: token, logger, ...octokitOptions }));
  onToken?.(token);

  const user = method === "pat" ? await tokenUser(octokit, config.githubApiUrl) : { ...GITHUB_ACTIONS_BOT, type: "Bot" as const };
  logger.log(method === "pat" ? AUTH_LOGS.usingPat({ login: user.login, owner, repo }) : AUTH_LOGS.usingWorkflowToken({ login: user.login, owner, repo }));
  const identity = identityFor(user.login, user.id, config.githubUrl);
  return {
    method,
    actor: { login: user.login, type: user.type },
    permissions: undefined,
    expiresAt: undefined,
    octokit,
    identity: async () => identity,
    fresh: async () => token,
    revoke: async () => {},
    revokeSync: () => {},
  };
}

/** `GET /user`: whose personal access token it is. A refused token → EINVALIDTOKEN. */
async function tokenUser(octokit: ReleaseOctokitInstance, baseUrl: string): Promise<{ login: string; id: number; type: "Bot" | "User" }> {
  try {
    const { data } = await octokit.request("GET /user");
    return { login: data.login, id: Number(data.id), type: data.type === "Bot" ? "Bot" : "User" };
  } catch (error) {
    if (error instanceof RequestError && error.status === 401) {
      throw getError("EINVALIDTOKEN", {
        authMethod: "pat",
        variable: "GH_TOKEN",
        ...readFailure(error, baseUrl),
        apiUrl: baseUrl,
      });
    }
    throw apiFailure(error, baseUrl) ?? error;
  }
}
