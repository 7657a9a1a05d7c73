// The ReleaseToken of a GitHub App: App JWT → installation (looked up or given) → an installation
// token scoped to this repository and to the permissions the enabled features need, re-minted when it
// runs short, every token revoked at the end (docs/architecture.md "Token lifetime").
import { TOKEN_REFRESH_MARGIN_MS } from "../definitions/constants.js";
import { AUTH_LOGS, AUTH_WARNINGS, appPermissionsUrl } from "../errors/auth.js";
import { ReleaseOctokit, apiFailure, toOctokitOptions } from "../octokit.js";
import type { Permissions } from "../types.js";
import { permissionError } from "./app-errors.js";
import { createAppState, type AppState } from "./app-state.js";
import { resolveBotIdentity } from "./bot-identity.js";
import type { CreateReleaseTokenOptions, ReleaseToken } from "./index.js";
import { mintFirstToken, type FirstToken } from "./installation-token.js";
import { missingPermissions } from "./permissions.js";
import { installationAuthStrategy } from "./request-hook.js";
import { freshToken, revokeAll, revokeAllSync, type LiveState } from "./token-lifetime.js";

/** Throws SemanticReleaseErrors for what a user can fix; no token it minted is left live then. */
export async function createAppToken(options: CreateReleaseTokenOptions): Promise<ReleaseToken> {
  const state = createAppState(options);
  const first = await mintFirstToken(state);
  await verifyFirstToken(state, first, options.requiredPermissions);
  const { installation, requested, minted } = first;
  state.onToken?.(minted.token);
  const live: LiveState = Object.assign(state, { installation, requested, current: minted, refreshing: undefined, ending: undefined });
  const octokit = new ReleaseOctokit({
    ...toOctokitOptions({ baseUrl: state.config.githubApiUrl, logger: state.logger, ...state.octokitOptions }),
    authStrategy: installationAuthStrategy(live),
  });
  // GET /users/<slug>[bot] needs the token and the slug
  const identity = memoise(() =>
    resolveBotIdentity({ octokit, slug: installation.slug, githubUrl: state.config.githubUrl }).catch((error: unknown) => {
      throw apiFailure(error, state.config.githubApiUrl) ?? error;
    }),
  );
  return {
    method: "app",
    actor: { login: `${installation.slug}[bot]`, type: "Bot" },
    app: { id: installation.appId, slug: installation.slug, clientId: installation.clientId ?? (/^\d+$/.test(state.appIdText) ? undefined : state.appIdText) },
    installation: {
      id: installation.id,
      permissions: installation.permissions,
      repositorySelection: installation.repositorySelection,
      accountLogin: installation.account.login,
      accountType: installation.account.type,
    },
    requestedPermissions: requested,
    get permissions() {
      return live.current.permissions;
    },
    get expiresAt() {
      return live.current.expiresAt;
    },
    octokit,
    identity,
    fresh: async (marginMs = TOKEN_REFRESH_MARGIN_MS) => (await freshToken(live, marginMs)).token,
    revoke: () => revokeAll(live),
    revokeSync: () => revokeAllSync(live),
  };
}

/**
 * Log what was minted; warn when the exported token will lack what a later plugin needs; refuse (and
 * revoke) a token that cannot do the release: without `contents: write` (e.g. a `permissions` option
 * without it), or, for a dry run, without `contents: read`.
 */
async function verifyFirstToken(state: AppState, { installation, requested, minted }: FirstToken, required?: Permissions): Promise<void> {
  const { config, owner, repo, logger } = state;
  logger.log(AUTH_LOGS.usingApp({ slug: installation.slug, installationId: installation.id, account: installation.account.login, owner, repo }));
  logger.log(AUTH_LOGS.minted({ repositories: state.repositoryNames.map((name) => `${owner}/${name}`), permissions: minted.permissions, expiresAt: minted.expiresAt }));
  // @semantic-release/github comments with the exported token: say now that it cannot, not as a 403
  // in its success step after the release is out
  const notGranted = config.permissions || !config.exportToken ? {} : missingPermissions(config.laterPluginPermissions, installation.permissions);
  if (Object.keys(notGranted).length > 0) {
    logger.warn(AUTH_WARNINGS.WLATERPLUGINPERMISSIONS({ missing: notGranted, permissionsUrl: appPermissionsUrl(config.githubUrl, installation.slug) }));
  }
  const needed: Permissions = required ?? (state.readOnly ? { contents: "read" } : { contents: "write" });
  const missing = missingPermissions(needed, minted.permissions);
  if (Object.keys(missing).length === 0) return;
  await state.ledger.revokeAll();
  throw await permissionError(state, { installation, requested, missing, granted: minted.permissions });
}

/** `fn` called once, its promise shared; a rejection is not kept (the next call tries again). */
function memoise<T>(fn: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () =>
    (pending ??= fn().catch((error: unknown) => {
      pending = undefined;
      throw error;
    }));
}
