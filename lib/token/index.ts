// The token the release runs with, for each auth method (docs/architecture.md "Token lifetime").
// One file per job, each taking one state, as @octokit/auth-app
// (https://github.com/octokit/auth-app.js/tree/main/src):
//   app-state.ts           the App's JWT client (the private key stays inside it) and the token ledger
//   find-installation.ts   the installation, looked up or read by ID
//   installation-token.ts  minting, and the release's first token
//   token-lifetime.ts      re-minting when short, revoking at the end
//   request-hook.ts        the Octokit auth strategy over the current token
//   token-ledger.ts        every minted token, revoked once
//   revoke.ts, revoke-sync.ts   DELETE /installation/token, asynchronously or from an exit listener
//   app-errors.ts          failed App requests → catalog errors
//   static-token.ts        a token the release is given (GH_TOKEN or GITHUB_TOKEN)
//   token-actor.ts         whose token that is, asked of GitHub
//   app-token.ts           the App's ReleaseToken, assembled
import { PACKAGE_NAME } from "../definitions/constants.js";
import type { ReleaseOctokitInstance, RetryOverrides, ThrottleOverrides } from "../octokit.js";
import type { Logger } from "../logger.js";
import type { Permissions, ResolvedConfig } from "../types.js";
import { createAppToken } from "./app-token.js";
import type { BotIdentity } from "./bot-identity.js";
import { createStaticToken } from "./static-token.js";

export type { BotIdentity } from "./bot-identity.js";
export { commitIdentityEnv, type CommitIdentityEnv } from "./bot-identity.js";
export { formatPermissions, missingPermissions, permissionsToRequest } from "./permissions.js";
export { normalizePrivateKey } from "./private-key.js";

export interface ReleaseToken {
  /**
   * app: minted here; pat: a user's token; github-token: an installation token the release was given
   * (the workflow token, or another App's). For a given token this is what GitHub says it is, not which
   * variable held it (./token-actor.ts).
   */
  readonly method: "app" | "pat" | "github-token";
  /** e.g. `release-bot[bot]`, `octocat`, `github-actions[bot]` */
  readonly actor: { login: string; type: "Bot" | "User" };
  readonly app?: { id: number; slug: string; clientId?: string | undefined };
  readonly installation?: { id: number; permissions: Permissions; repositorySelection: string; accountLogin: string; accountType: string };
  /** what every App token of this release is asked for */
  readonly requestedPermissions?: Permissions;
  /** granted permissions of the CURRENT token (getter); undefined for pat/github-token */
  readonly permissions: Permissions | undefined;
  /** expiry of the CURRENT token (getter); undefined when unknown */
  readonly expiresAt: Date | undefined;
  /** Octokit authenticated with the current token, re-minting first when < 60 s are left (a 401 right after a mint is retried) */
  readonly octokit: ReleaseOctokitInstance;
  /** the actor's commit identity (GET /users/<slug>[bot] for an App); memoised; no side effects */
  identity(): Promise<BotIdentity>;
  /** the current token value, re-minted first when fewer than `marginMs` (default TOKEN_REFRESH_MARGIN_MS) are left */
  fresh(marginMs?: number): Promise<string>;
  /** revoke every App token this object minted and has not revoked yet; once (later calls return the same promise); never rejects; no-op for pat/github-token; after it, fresh() rejects */
  revoke(): Promise<void>;
  /**
   * Synchronous last resort for `process.on("exit")` (a later plugin called process.exit, or an
   * uncaught exception): revokes the live tokens through a short-lived child process; the token
   * travels on the child's stdin, never argv or env. No-op when nothing is live or revoke() already ran/started.
   */
  revokeSync(): void;
}

/** Tests: short retry delays, throttling off, a recording `fetch`. */
export interface OctokitOverrides {
  retry?: RetryOverrides | undefined;
  throttle?: ThrottleOverrides | undefined;
  /** passed to @octokit/request (e.g. a custom `fetch`) */
  request?: Record<string, unknown> | undefined;
}

export interface CreateReleaseTokenOptions {
  /** authMethod, appId, privateKey, installationId, permissions, dispatch, laterPluginPermissions, githubUrl, githubApiUrl, pat, githubToken */
  config: ResolvedConfig;
  owner: string;
  repo: string;
  logger: Logger;
  /** the repositories the App token is for, when not the release's own (`owner`'s; the command line's `token --repository`); default: `repo` plus same-owner dispatch targets */
  repositories?: string[] | undefined;
  /** what the first token must have, else EAPPPERMISSIONS; default `contents: write` (`contents: read` when readOnly) */
  requiredPermissions?: Permissions | undefined;
  /** --dry-run: ask for read permissions only (contents, metadata, and administration when the installation has it) */
  readOnly?: boolean | undefined;
  /** called with every token as soon as it exists (first mint and each re-mint), before it is used */
  onToken?: ((token: string) => void) | undefined;
  octokitOptions?: OctokitOverrides | undefined;
  /** tests: the clock */
  now?: (() => number) | undefined;
}

/** The ReleaseToken for `config.authMethod`. Throws SemanticReleaseErrors for what a user can fix. */
export async function createReleaseToken(options: CreateReleaseTokenOptions): Promise<ReleaseToken> {
  const method = options.config.authMethod;
  switch (method) {
    case "app":
      return createAppToken(options);
    case "pat":
    case "github-token":
      return createStaticToken({ ...options, method });
    default:
      throw new Error(`${PACKAGE_NAME}: unknown auth method ${String(method)}`);
  }
}
