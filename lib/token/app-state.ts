// The state one App ReleaseToken works with, built once (as @octokit/auth-app's `state`,
// https://github.com/octokit/auth-app.js/blob/main/src/index.ts): the App's JWT client, with the
// private key read once and kept only inside its auth strategy, and the ledger of minted tokens.
import { createAppAuth } from "@octokit/auth-app";
import { PACKAGE_NAME } from "../definitions/constants.js";
import { APP_RETRY_CONF } from "../definitions/retry.js";
import { ReleaseOctokit, toOctokitOptions, type ReleaseOctokitInstance } from "../octokit.js";
import type { Logger } from "../logger.js";
import type { ResolvedConfig } from "../types.js";
import type { OctokitOverrides } from "./index.js";
import { normalizePrivateKey } from "./private-key.js";
import { TokenLedger } from "./token-ledger.js";
import type { CreateReleaseTokenOptions } from "./index.js";

/** The options without the secrets: the private key lives only in appOctokit's auth strategy. */
export type PublicConfig = Omit<ResolvedConfig, "privateKey" | "pat" | "githubToken">;

export interface AppState {
  config: PublicConfig;
  owner: string;
  repo: string;
  logger: Logger;
  /** GITHUB_APP_CLIENT_ID or GITHUB_APP_ID as given (for messages) */
  appIdText: string;
  /** the App (JWT) client: `GET /app`, the installation, `POST …/access_tokens` */
  appOctokit: ReleaseOctokitInstance;
  /** the repositories the token is for: this one plus same-owner dispatch targets */
  repositoryNames: string[];
  readOnly: boolean;
  onToken: ((token: string) => void) | undefined;
  octokitOptions: OctokitOverrides | undefined;
  now: () => number;
  ledger: TokenLedger;
}

/** The options of createReleaseToken (./index.ts), which builds an App's state from them. */
export type CreateAppStateOptions = CreateReleaseTokenOptions;

/** Throws EINVALIDPRIVATEKEY before anything is sent. */
export function createAppState({ config: { privateKey, pat: _pat, githubToken: _githubToken, ...config }, owner, repo, repositories, logger, readOnly = false, onToken, octokitOptions, now = Date.now }: CreateAppStateOptions): AppState {
  if (!config.appId) throw new Error(`${PACKAGE_NAME}: auth method "app" without an App ID (verifyConfig reports this)`);
  // docs/github.md §6.3: the JWT's `iss` is the client ID (a string) or the App ID (an integer)
  const appId: number | string = /^\d+$/.test(config.appId) ? Number(config.appId) : config.appId;
  const appOctokit = new ReleaseOctokit({
    ...toOctokitOptions({ baseUrl: config.githubApiUrl, logger, ...octokitOptions, retry: { ...APP_RETRY_CONF, ...octokitOptions?.retry } }),
    // the JWT for the App endpoints, with auth-app's clock-skew correction (docs/github.md §6.3)
    authStrategy: createAppAuth,
    auth: { appId, privateKey: normalizePrivateKey(privateKey) },
  });
  return {
    config,
    owner,
    repo,
    logger,
    appIdText: config.appId,
    appOctokit,
    // a dry run dispatches nothing: this repository only
    repositoryNames: repositories ?? (readOnly ? [repo] : repositoryNames(config, owner, repo)),
    readOnly,
    onToken,
    octokitOptions,
    now,
    ledger: new TokenLedger({ baseUrl: config.githubApiUrl, logger, octokitOptions, now }),
  };
}

/** this repository plus dispatch targets of the same owner (a token reaches one installation's repositories only) */
export function repositoryNames(config: Pick<ResolvedConfig, "dispatch">, owner: string, repo: string): string[] {
  const names = new Map<string, string>([[repo.toLowerCase(), repo]]);
  for (const target of config.dispatch) {
    if (!target.repository) continue;
    const [targetOwner, targetRepo] = target.repository.split("/");
    if (targetOwner && targetRepo && targetOwner.toLowerCase() === owner.toLowerCase()) names.set(targetRepo.toLowerCase(), targetRepo);
  }
  return [...names.values()];
}
