// Whose token the release was given, asked of GitHub (docs/github.md §4.1): never
// guessed from the variable that holds it, since semantic-release takes a personal access token from
// GH_TOKEN or GITHUB_TOKEN alike (https://github.com/semantic-release/github#github-authentication).
//
// 1. `GET /user` answers a user's token (classic or fine-grained PAT, OAuth token) with its login and id
//    (https://docs.github.com/en/rest/users/users#get-the-authenticated-user), and refuses an
//    installation token with 403 "Resource not accessible by integration".
// 2. Then `GET /installation/repositories`, which only an installation token may call
//    (https://docs.github.com/en/rest/apps/installations#list-repositories-accessible-to-the-app-installation),
//    confirms the kind, and GraphQL's `viewer` names the App's bot user: `github-actions[bot]` (41898282)
//    for the workflow token, `<slug>[bot]` for another App's token. No REST endpoint does: the App
//    endpoints (`GET /app`, `GET /repos/{owner}/{repo}/installation`) need the App's JWT, and both kinds
//    of token start with `ghs_` (docs/github.md §6.2).
// A 401 is EINVALIDTOKEN naming the variable; no answer at all is EGITHUBUNREACHABLE; anything else
// GitHub answers is EGITHUBAPI naming the request. Never a raw RequestError.
import { RequestError } from "@octokit/request-error";
import type SemanticReleaseError from "@semantic-release/error";
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../definitions/constants.js";
import { getError } from "../errors/get-error.js";
import { apiFailure, readFailure, type ReleaseOctokitInstance } from "../octokit.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:token`);

export type TokenVariable = "GH_TOKEN" | "GITHUB_TOKEN";

export interface TokenActor {
  /** user: a person's (or a machine user's) token; installation: an App installation token, the workflow token included */
  kind: "user" | "installation";
  /** e.g. `octocat`, `github-actions[bot]`, `other-app[bot]` */
  login: string;
  /** the account's user id (for an App: its bot user's id, not the App id) */
  id: number;
  type: "User" | "Bot";
}

export interface ReadTokenActorOptions {
  octokit: ReleaseOctokitInstance;
  /** REST base, for messages */
  baseUrl: string;
  /** where the token came from, named in EINVALIDTOKEN */
  variable: TokenVariable;
}

const VIEWER_QUERY = "query { viewer { login databaseId } }";

/** `GET /user`, else the installation's bot. Throws SemanticReleaseErrors only. */
export async function readTokenActor({ octokit, baseUrl, variable }: ReadTokenActorOptions): Promise<TokenActor> {
  try {
    const { data } = await octokit.request("GET /user");
    return { kind: "user", login: data.login, id: Number(data.id), type: data.type === "Bot" ? "Bot" : "User" };
  } catch (error) {
    if (!(error instanceof RequestError && error.status === 403 && !readFailure(error, baseUrl).rateLimited)) throw failed(error, { baseUrl, variable });
    debug("GET /user answered 403 (%s): asking whether the token is an installation token", readFailure(error, baseUrl).githubMessage);
    return installationActor({ octokit, baseUrl, variable, userError: error });
  }
}

/** `GET /installation/repositories` and GraphQL `viewer`, at the same time. */
async function installationActor({ octokit, baseUrl, variable, userError }: ReadTokenActorOptions & { userError: RequestError }): Promise<TokenActor> {
  const [repositories, viewer] = await Promise.allSettled([
    octokit.request("GET /installation/repositories", { per_page: 1 }),
    octokit.graphql<{ viewer: { login: string; databaseId: number | null } }>(VIEWER_QUERY),
  ]);
  if (repositories.status === "rejected") {
    // 403 here too: not an installation token either; GitHub's first refusal says why
    const reason: unknown = repositories.reason;
    throw reason instanceof RequestError && reason.status === 403 ? failed(userError, { baseUrl, variable }) : failed(reason, { baseUrl, variable });
  }
  if (viewer.status === "rejected") throw failed(viewer.reason, { baseUrl, variable, graphql: true });
  const { login, databaseId } = viewer.value.viewer;
  // an installation acts as its App's bot user, `<slug>[bot]`
  const bot = login.endsWith("[bot]") ? login : `${login}[bot]`;
  const id = typeof databaseId === "number" ? databaseId : await botUserId(octokit, bot, baseUrl);
  debug("installation token of %s (%d), reaching %d repositories", bot, id, repositories.value.data.total_count);
  return { kind: "installation", login: bot, id, type: "Bot" };
}

/** `GET /users/<login>` when GraphQL left the id out. */
async function botUserId(octokit: ReleaseOctokitInstance, login: string, baseUrl: string): Promise<number> {
  try {
    const { data } = await octokit.request("GET /users/{username}", { username: login });
    return Number(data.id);
  } catch (error) {
    throw apiFailure(error, baseUrl) ?? getError("EGITHUBAPI", { ...readFailure(error, baseUrl), apiUrl: baseUrl });
  }
}

/** Any failure → the error a user can act on. */
function failed(error: unknown, { baseUrl, variable, graphql = false }: { baseUrl: string; variable: TokenVariable; graphql?: boolean }): SemanticReleaseError {
  const failure = readFailure(error, baseUrl);
  if (failure.status === 401) {
    return getError("EINVALIDTOKEN", { authMethod: variable === "GH_TOKEN" ? "pat" : "github-token", variable, ...failure, apiUrl: baseUrl });
  }
  const mapped = apiFailure(error, baseUrl);
  if (mapped) return mapped;
  // a GraphQL answer with `errors` (HTTP 200) is no RequestError: name the request ourselves
  const request = failure.request || (graphql ? "POST /graphql (viewer)" : "GET /user");
  return getError("EGITHUBAPI", { ...failure, request, apiUrl: baseUrl });
}
