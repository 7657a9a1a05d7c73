// The token the release runs with, for each auth method (DESIGN.md "Steps" verifyConditions,
// "Token lifetime"; STYLE.md §5). For a GitHub App: App JWT → installation (looked up or given) →
// an installation token scoped to this repository and to the permissions the enabled features need,
// re-minted when fewer than TOKEN_REFRESH_MARGIN_MS are left, revoked at the end.
//
// Round trips on the critical path (each line waits for the one before; see the report in
// test/mint-token.test.ts "round trips"):
//   without an installation ID:  GET /repos/{o}/{r}/installation  →  POST …/access_tokens
//   with an installation ID:     POST …/access_tokens ∥ GET /app/installations/{id}
// The bot identity (GET /users/<slug>[bot]) needs the token and the slug, so it is NOT awaited here:
// `identity` is a promise the caller awaits next to its preflight requests.
import { createAppAuth, type InstallationAccessTokenAuthentication } from "@octokit/auth-app";
import { RequestError } from "@octokit/request-error";
import SemanticReleaseError from "@semantic-release/error";
import debugFactory from "debug";
import { DEBUG_NAMESPACE, GITHUB_ACTIONS_BOT, PACKAGE_NAME, TOKEN_REFRESH_MARGIN_MS } from "../definitions/constants.js";
import { appPermissionsUrl, formatPermissions } from "../errors/auth.js";
import { APP_RETRY_CONF, NEW_TOKEN_401_BASE_DELAY_MS, NEW_TOKEN_401_WINDOW_MS } from "../definitions/retry.js";
import { identityFor, resolveBotIdentity, type BotIdentity } from "./bot-identity.js";
import { getError } from "../errors/get-error.js";
import { normalizePrivateKey } from "./private-key.js";
import {
  ReleaseOctokit,
  apiFailure,
  describeRequest,
  githubMessage,
  toOctokitOptions,
  type Logger,
  type ReleaseOctokitInstance,
  type RetryOverrides,
  type ThrottleOverrides,
} from "../octokit.js";
import { revokeToken } from "./revoke-token.js";
import type { Permissions, ResolvedConfig } from "../types.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:mint-token`);

/**
 * A request made through `TokenSource.octokit` re-mints first only when the token has less than this
 * left: one request needs far less than the 5 minutes a push or a series of API writes is given.
 */
const REQUEST_MARGIN_MS = 60 * 1000;

export interface TokenActor {
  /** e.g. `release-bot[bot]`, `octocat`, `github-actions[bot]` */
  login: string;
  /** the user id; for an App, set once `identity` has resolved */
  id: number | undefined;
  type: "Bot" | "User";
}

export interface TokenSource {
  method: "app" | "pat" | "github-token";
  actor: TokenActor;
  app?: { id: number; slug: string; clientId?: string | undefined };
  installation?: { id: number; permissions: Permissions; repositorySelection: string; accountLogin: string; accountType: string };
  /** permissions asked for (app only) */
  requestedPermissions?: Permissions;
  /** permissions the token was granted (app), or undefined when unknown */
  permissions: Permissions | undefined;
  /** expiry of the current token (app), or undefined when unknown */
  expiresAt: Date | undefined;
  /** the commit identity of the actor; for an App it needs one request (`GET /users/<slug>[bot]`), started at once */
  identity: Promise<BotIdentity>;
  /** the current token; re-mints first when fewer than TOKEN_REFRESH_MARGIN_MS are left (DESIGN.md "Token lifetime") */
  getToken(): Promise<string>;
  /** an Octokit authenticated with the current token (re-minting handled) */
  octokit: ReleaseOctokitInstance;
  /** revokes the App token (and any replaced one); a no-op for a PAT or the workflow token; never rejects */
  revoke(): Promise<void>;
}

export interface CreateTokenSourceOptions {
  owner: string;
  repo: string;
  logger: Logger;
  Octokit?: typeof ReleaseOctokit;
  /** retry/throttle overrides (tests: short delays) and @octokit/request options */
  octokitOptions?: { retry?: RetryOverrides; throttle?: ThrottleOverrides; request?: Record<string, unknown> } | undefined;
  /**
   * Called with every token right after it is minted (the first and each re-mint), before it is used
   * or the replaced one is revoked: mask it (maskSecret), re-apply git auth (applyGitAuth), update GH_TOKEN.
   */
  onToken?: ((token: string, expiresAt: Date | undefined) => void) | undefined;
  /** tests: the clock */
  now?: () => number;
}

interface InstallationInfo {
  id: number;
  appId: number;
  slug: string;
  clientId: string | undefined;
  permissions: Permissions;
  repositorySelection: string;
  account: { login: string; type: string };
  suspended: boolean;
}

interface Minted {
  token: string;
  expiresAt: Date;
  createdAt: number;
  permissions: Permissions;
}

function time(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`;
}

const LEVEL = { read: 1, write: 2, admin: 3 } as const;

/** `want` entries the installation's `have` does not cover, as `name:level` */
export function missingPermissions(want: Permissions, have: Permissions | undefined): string[] {
  return Object.entries(want)
    .filter(([name, level]) => (LEVEL[have?.[name] as keyof typeof LEVEL] ?? 0) < (LEVEL[level] ?? 99))
    .map(([name, level]) => `${name}:${level}`);
}

/**
 * What the token is asked for: the `permissions` option when given; else `contents: write` (release
 * commit and tag, repository_dispatch), `actions: write` for a workflow dispatch target, and, only
 * when the installation already has them (never asked blindly, so no request is wasted on a 422):
 * `administration: read` to read classic protection (DESIGN.md "Preflight") and the permissions a
 * later plugin needs from the exported token (`laterPluginPermissions`).
 */
export function permissionsToRequest(config: Pick<ResolvedConfig, "permissions" | "dispatch" | "laterPluginPermissions">, installationPermissions?: Permissions): Permissions {
  if (config.permissions) return { ...config.permissions };
  const wanted: Permissions = { contents: "write" };
  if (config.dispatch.some((target) => "workflow" in target)) wanted.actions = "write";
  const optional: Permissions = { administration: "read", ...config.laterPluginPermissions };
  for (const [name, level] of Object.entries(optional)) {
    if (installationPermissions && missingPermissions({ [name]: level }, installationPermissions).length === 0) wanted[name] = level;
  }
  return wanted;
}

/** this repository plus dispatch targets of the same owner (a token reaches one installation's repositories only) */
function repositoryNames(config: Pick<ResolvedConfig, "dispatch">, owner: string, repo: string): string[] {
  const names = new Map<string, string>([[repo.toLowerCase(), repo]]);
  for (const target of config.dispatch) {
    if (!target.repository) continue;
    const [targetOwner, targetRepo] = target.repository.split("/");
    if (targetOwner && targetRepo && targetOwner.toLowerCase() === owner.toLowerCase()) names.set(targetRepo.toLowerCase(), targetRepo);
  }
  return [...names.values()];
}

function installationInfo(data: {
  id: number;
  app_id: number;
  app_slug: string;
  client_id?: string | undefined;
  permissions: Record<string, string | undefined>;
  repository_selection: string;
  account: { login?: string; slug?: string; type?: string } | null;
  suspended_at?: string | null;
}): InstallationInfo {
  const permissions: Permissions = {};
  for (const [name, level] of Object.entries(data.permissions ?? {})) {
    if (level === "read" || level === "write" || level === "admin") permissions[name] = level;
  }
  return {
    id: data.id,
    appId: data.app_id,
    slug: data.app_slug,
    clientId: data.client_id,
    permissions,
    repositorySelection: data.repository_selection,
    account: { login: data.account?.login ?? data.account?.slug ?? "", type: data.account?.type ?? (data.account?.slug ? "Enterprise" : "User") },
    suspended: Boolean(data.suspended_at),
  };
}

const isJwtRefusal = (error: unknown): error is RequestError =>
  error instanceof RequestError &&
  (error.status === 401 || /Integration not found|JSON web token|'Expiration time'|'Issued at'/i.test(githubMessage(error)));

/** Create the token source for `config.authMethod`. Throws SemanticReleaseErrors for what a user can fix. */
export async function createTokenSource(config: ResolvedConfig, options: CreateTokenSourceOptions): Promise<TokenSource> {
  switch (config.authMethod) {
    case "app":
      return createAppTokenSource(config, options);
    case "pat":
      return createPlainTokenSource(config, options, "pat");
    case "github-token":
      return createPlainTokenSource(config, options, "github-token");
    default:
      throw new Error(`${PACKAGE_NAME}: unknown auth method ${String(config.authMethod)}`);
  }
}

async function createPlainTokenSource(config: ResolvedConfig, options: CreateTokenSourceOptions, method: "pat" | "github-token"): Promise<TokenSource> {
  const { owner, repo, logger, Octokit = ReleaseOctokit, octokitOptions, onToken } = options;
  const variable = method === "pat" ? "GH_TOKEN" : "GITHUB_TOKEN";
  const token = method === "pat" ? config.pat : config.githubToken;
  if (!token) throw new Error(`${PACKAGE_NAME}: auth method "${method}" without ${variable} (verifyConfig reports this)`);
  const baseUrl = config.githubApiUrl;
  const octokit = new Octokit(toOctokitOptions({ baseUrl, auth: token, logger, ...octokitOptions }));
  onToken?.(token, undefined);

  let actor: TokenActor;
  if (method === "pat") {
    try {
      const { data } = await octokit.request("GET /user");
      actor = { login: data.login, id: Number(data.id), type: data.type === "Bot" ? "Bot" : "User" };
    } catch (error) {
      throw mapTokenError(error, { method, variable, baseUrl });
    }
    logger.log("Using the personal access token in GH_TOKEN (user %s) for %s/%s", actor.login, owner, repo);
  } else {
    // github-facts §4: the workflow token acts as github-actions[bot] (user 41898282); no request needed
    actor = { login: GITHUB_ACTIONS_BOT.login, id: GITHUB_ACTIONS_BOT.id, type: "Bot" };
    logger.log("Using the workflow token in GITHUB_TOKEN (%s) for %s/%s", actor.login, owner, repo);
  }

  return {
    method,
    actor,
    permissions: undefined,
    expiresAt: undefined,
    identity: Promise.resolve(identityFor(actor.login, actor.id!, config.githubUrl)),
    getToken: async () => token,
    octokit,
    // never revoke the workflow token (it belongs to the job) nor a user's PAT
    revoke: async () => {},
  };
}

function mapTokenError(error: unknown, { method, variable, baseUrl }: { method: "pat" | "github-token"; variable: "GH_TOKEN" | "GITHUB_TOKEN"; baseUrl: string }): unknown {
  if (error instanceof RequestError && error.status === 401) {
    return getError("EINVALIDTOKEN", {
      authMethod: method,
      variable,
      request: describeRequest(error, baseUrl),
      status: error.status,
      githubMessage: githubMessage(error),
      apiUrl: baseUrl,
    });
  }
  return apiFailure(error, baseUrl) ?? error;
}

async function createAppTokenSource(config: ResolvedConfig, options: CreateTokenSourceOptions): Promise<TokenSource> {
  const { owner, repo, logger, Octokit = ReleaseOctokit, octokitOptions, onToken, now = Date.now } = options;
  if (!config.appId) throw new Error(`${PACKAGE_NAME}: auth method "app" without an App ID (verifyConfig reports this)`);
  const appIdText = config.appId;
  const baseUrl = config.githubApiUrl;
  const githubUrl = config.githubUrl;
  // throws EINVALIDPRIVATEKEY (helper D) before anything is sent
  const privateKey = normalizePrivateKey(config.privateKey);
  // github-facts §6.3: JWT `iss` is the client ID (string) or the App ID (integer)
  const appId: number | string = /^\d+$/.test(appIdText) ? Number(appIdText) : appIdText;

  const appOctokit = new Octokit({
    ...toOctokitOptions({ baseUrl, logger, ...octokitOptions, retry: { ...APP_RETRY_CONF, ...octokitOptions?.retry } }),
    // the JWT for the App endpoints, with auth-app's clock-skew correction (github-facts §6.3)
    authStrategy: createAppAuth,
    auth: { appId, privateKey },
  });

  const authFailed = (error: RequestError) =>
    getError("EAPPAUTHFAILED", {
      appId: appIdText,
      request: describeRequest(error, baseUrl),
      status: error.status,
      githubMessage: githubMessage(error),
      apiUrl: baseUrl,
    });

  /** best effort, on error paths only: the App's slug and owner for the settings URLs */
  const appDetails = async (): Promise<{ slug?: string; owner?: { login: string; type: string } }> => {
    try {
      const { data } = await appOctokit.request("GET /app");
      const appOwner = data?.owner as { login?: string; type?: string } | null | undefined;
      return { slug: data?.slug, ...(appOwner?.login ? { owner: { login: appOwner.login, type: appOwner.type ?? "User" } } : {}) };
    } catch (error) {
      debug("GET /app failed: %s", githubMessage(error));
      return {};
    }
  };

  const notInstalled = async (reason: "not-installed" | "repository-not-selected" | "installation-not-found" | "suspended", extra: { installationId?: number; account?: { login: string; type: string }; githubMessage?: string; slug?: string }) => {
    const slug = extra.slug ?? (await appDetails()).slug;
    return getError("EAPPNOTINSTALLED", {
      appId: appIdText,
      slug,
      owner,
      repo,
      githubUrl,
      reason,
      installationId: extra.installationId,
      account: extra.account,
      githubMessage: extra.githubMessage,
    });
  };

  /** map an error of a JWT request; unknown ones are rethrown as they are */
  const mapAppError = async (error: unknown, context: { installationId?: number; installation?: InstallationInfo; requested?: Permissions }): Promise<unknown> => {
    if (error instanceof SemanticReleaseError) return error;
    if (isJwtRefusal(error)) return authFailed(error);
    if (!(error instanceof RequestError)) {
      // the JWT could not even be signed (a key universal-github-app-jwt rejects)
      if (error instanceof Error && /private key|pkcs|asn1|DECODER/i.test(error.message)) {
        return getError("EAPPAUTHFAILED", { appId: appIdText, request: "sign the App JWT", status: undefined, githubMessage: error.message, apiUrl: baseUrl });
      }
      return error;
    }
    const message = githubMessage(error);
    const { installation } = context;
    const installationId = context.installationId ?? installation?.id;
    const account = installation?.account;
    if (error.status === 404 && installationId !== undefined && !installation) {
      return notInstalled("installation-not-found", { installationId, githubMessage: message });
    }
    if (error.status === 403 && /suspended/i.test(message)) {
      return notInstalled("suspended", { ...(installationId ? { installationId } : {}), ...(account ? { account } : {}), ...(installation ? { slug: installation.slug } : {}) });
    }
    if (error.status === 422 && /permission/i.test(message) && context.requested) {
      const details = await appDetails();
      return getError("EAPPPERMISSIONS", {
        slug: installation?.slug ?? details.slug,
        owner,
        repo,
        githubUrl,
        requested: context.requested,
        installationPermissions: installation?.permissions,
        missing: installation ? missingPermissions(context.requested, installation.permissions) : Object.entries(context.requested).map(([n, l]) => `${n}:${l}`),
        reason: "refused",
        installationId,
        account,
        appOwner: details.owner,
        explicit: Boolean(config.permissions),
        githubMessage: message,
      });
    }
    if (error.status === 422 && /repositor/i.test(message)) {
      return notInstalled("repository-not-selected", {
        ...(installationId ? { installationId } : {}),
        ...(account ? { account } : {}),
        ...(installation ? { slug: installation.slug } : {}),
        githubMessage: message,
      });
    }
    return apiFailure(error, baseUrl) ?? error;
  };

  const getInstallation = async (route: "GET /repos/{owner}/{repo}/installation" | "GET /app/installations/{installation_id}", installationId?: number): Promise<InstallationInfo> => {
    try {
      const { data } =
        route === "GET /repos/{owner}/{repo}/installation"
          ? await appOctokit.request(route, { owner, repo })
          : await appOctokit.request(route, { installation_id: installationId! });
      return installationInfo(data as Parameters<typeof installationInfo>[0]);
    } catch (error) {
      if (error instanceof RequestError && error.status === 404 && !isJwtRefusal(error)) {
        throw installationId === undefined
          ? await notInstalled("not-installed", { githubMessage: githubMessage(error) })
          : await notInstalled("installation-not-found", { installationId, githubMessage: githubMessage(error) });
      }
      throw await mapAppError(error, installationId === undefined ? {} : { installationId });
    }
  };

  const names = repositoryNames(config, owner, repo);
  const mintWith = async (installationId: number, permissions: Permissions): Promise<Minted> => {
    const auth = (await appOctokit.auth({
      type: "installation",
      installationId,
      repositoryNames: names,
      permissions,
      // the lifetime is managed here (expires_at), not by auth-app's 59-minute cache
      refresh: true,
    })) as InstallationAccessTokenAuthentication;
    return { token: auth.token, expiresAt: new Date(auth.expiresAt), createdAt: now(), permissions: auth.permissions as Permissions };
  };

  // ---- installation and first token -----------------------------------------------------------
  let installation: InstallationInfo;
  let requested: Permissions;
  let minted: Minted;
  if (config.installationId === undefined) {
    installation = await getInstallation("GET /repos/{owner}/{repo}/installation");
    if (installation.suspended) throw await notInstalled("suspended", { installationId: installation.id, account: installation.account, slug: installation.slug });
    requested = permissionsToRequest(config, installation.permissions);
    try {
      minted = await mintWith(installation.id, requested);
    } catch (error) {
      throw await mapAppError(error, { installation, requested });
    }
  } else {
    // The ID is known: mint at once, and learn the slug, account and permissions in parallel.
    const installationId = config.installationId;
    requested = permissionsToRequest(config);
    const [installationResult, mintResult] = await Promise.allSettled([
      getInstallation("GET /app/installations/{installation_id}", installationId),
      mintWith(installationId, requested),
    ]);
    if (installationResult.status === "rejected") {
      if (mintResult.status === "fulfilled") void revokeToken({ token: mintResult.value.token, expiresAt: mintResult.value.expiresAt, baseUrl, logger, Octokit, octokitOptions });
      throw installationResult.reason;
    }
    installation = installationResult.value;
    if (mintResult.status === "rejected") throw await mapAppError(mintResult.reason, { installation, requested });
    minted = mintResult.value;
    const wider = permissionsToRequest(config, installation.permissions);
    if (Object.keys(wider).some((name) => !requested[name])) {
      // One more round trip, only when the installation has an optional permission (Administration,
      // or what a later plugin needs) and no `permissions` option was given: re-mint with it, revoke the first.
      const first = minted;
      requested = wider;
      try {
        minted = await mintWith(installationId, requested);
      } catch (error) {
        throw await mapAppError(error, { installation, requested });
      } finally {
        void revokeToken({ token: first.token, expiresAt: first.expiresAt, baseUrl, logger: quiet(logger), Octokit, octokitOptions });
      }
    }
  }
  onToken?.(minted.token, minted.expiresAt);

  logger.log("Using GitHub App %s (installation %d on %s) for %s/%s", installation.slug, installation.id, installation.account.login, owner, repo);
  logger.log("Minted a token for %s with %s (expires at %s)", names.map((name) => `${owner}/${name}`).join(", "), formatPermissions(minted.permissions), time(minted.expiresAt));

  // The exported token lacks what @semantic-release/github needs for its comments: say so now, not
  // as a 403 in its success step after the release is out.
  const notGranted = config.permissions ? [] : missingPermissions(config.laterPluginPermissions, installation.permissions);
  if (notGranted.length > 0) {
    logger.warn(
      "The token is handed to @semantic-release/github (exportToken), which needs %s to comment on released issues and pull requests, but the installation does not have it: grant it to the App (%s) and accept it on the installation, or set successComment and failComment to false there.",
      notGranted.join(", "),
      appPermissionsUrl(githubUrl, installation.slug),
    );
  }

  // A token without contents:write cannot push the release (e.g. a `permissions` option without it).
  if (minted.permissions.contents !== "write") {
    await revokeToken({ token: minted.token, expiresAt: minted.expiresAt, baseUrl, logger: quiet(logger), Octokit, octokitOptions });
    const details = await appDetails();
    throw getError("EAPPPERMISSIONS", {
      slug: installation.slug,
      owner,
      repo,
      githubUrl,
      requested,
      installationPermissions: installation.permissions,
      granted: minted.permissions,
      missing: ["contents:write"],
      reason: "insufficient",
      installationId: installation.id,
      account: installation.account,
      appOwner: details.owner,
      explicit: Boolean(config.permissions),
    });
  }

  // ---- lifetime -------------------------------------------------------------------------------
  let current = minted;
  let refreshing: Promise<Minted> | undefined;
  let revoked = false;
  const source: TokenSource = {
    method: "app",
    actor: { login: `${installation.slug}[bot]`, id: undefined, type: "Bot" },
    app: { id: installation.appId, slug: installation.slug, clientId: installation.clientId ?? (typeof appId === "string" ? appId : undefined) },
    installation: {
      id: installation.id,
      permissions: installation.permissions,
      repositorySelection: installation.repositorySelection,
      accountLogin: installation.account.login,
      accountType: installation.account.type,
    },
    requestedPermissions: requested,
    permissions: minted.permissions,
    expiresAt: minted.expiresAt,
    identity: undefined as unknown as Promise<BotIdentity>,
    getToken: async () => (await fresh(TOKEN_REFRESH_MARGIN_MS)).token,
    octokit: undefined as unknown as ReleaseOctokitInstance,
    revoke: async () => {
      if (revoked) return;
      revoked = true;
      await refreshing?.catch(() => undefined);
      await revokeToken({ token: current.token, expiresAt: current.expiresAt, baseUrl, logger, Octokit, octokitOptions });
    },
  };

  /** the current token, re-minted first when fewer than `marginMs` are left (DESIGN.md "Token lifetime") */
  async function fresh(marginMs: number): Promise<Minted> {
    if (revoked) throw new Error(`${PACKAGE_NAME}: the GitHub App token was already revoked`);
    if (current.expiresAt.getTime() - now() >= marginMs) return current;
    refreshing ??= (async () => {
      const previous = current;
      const left = Math.round((previous.expiresAt.getTime() - now()) / 1000);
      let next: Minted;
      try {
        next = await mintWith(installation.id, requested);
      } catch (error) {
        throw await mapAppError(error, { installation, requested });
      }
      onToken?.(next.token, next.expiresAt);
      current = next;
      source.permissions = next.permissions;
      source.expiresAt = next.expiresAt;
      logger.log("Re-minted the GitHub App token (the previous one had %d s left); the new one expires at %s", left, time(next.expiresAt));
      // the replaced token is revoked at once: one live credential at a time
      await revokeToken({ token: previous.token, expiresAt: previous.expiresAt, baseUrl, logger: quiet(logger), Octokit, octokitOptions });
      return next;
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  source.octokit = new Octokit({
    ...toOctokitOptions({ baseUrl, logger, ...octokitOptions }),
    authStrategy: () => installationTokenAuth(fresh, logger, now),
  });

  // GET /users/<slug>[bot] needs the token and the slug: started now, awaited by the caller
  source.identity = resolveBotIdentity({ octokit: source.octokit, slug: installation.slug, githubUrl }).then(
    (identity) => {
      source.actor.id = identity.userId;
      return identity;
    },
    (error: unknown) => {
      throw apiFailure(error, baseUrl) ?? error;
    },
  );
  source.identity.catch(() => undefined); // the caller sees the rejection when it awaits; no unhandled rejection meanwhile
  return source;
}

/** A logger for housekeeping revocations: successes to debug, failures still as warnings. */
function quiet(logger: Logger): Logger {
  return { log: (...args: unknown[]) => debug(String(args[0]), ...args.slice(1)), warn: logger.warn.bind(logger) };
}

/**
 * Octokit auth strategy for the installation token: sets `authorization: token <current>` on each
 * request (re-minting through `fresh` when the token is about to expire) and, like @octokit/auth-app's
 * own hook (github-facts §6.1), retries a 401 that comes within 5 s of minting (replication delay).
 * Not auth-app's hook itself: for non-App routes it mints an installation token with no repository or
 * permission limits (getInstallationAuthentication(state, {})), which is broader than we want.
 */
function installationTokenAuth(fresh: (marginMs: number) => Promise<Minted>, logger: Logger, now: () => number) {
  type Request = ((options: Record<string, unknown>) => Promise<unknown>) & {
    endpoint: { merge: (route: unknown, parameters?: unknown) => Record<string, unknown> & { headers: Record<string, string> } };
  };
  const hook = async (request: Request, route: unknown, parameters?: unknown) => {
    const endpoint = request.endpoint.merge(route, parameters);
    const { token, createdAt } = await fresh(REQUEST_MARGIN_MS);
    endpoint.headers.authorization = `token ${token}`;
    for (let retries = 0; ; ) {
      try {
        return await request(endpoint);
      } catch (error) {
        if (!(error instanceof RequestError) || error.status !== 401 || now() - createdAt >= NEW_TOKEN_401_WINDOW_MS) throw error;
        retries += 1;
        const wait = retries * NEW_TOKEN_401_BASE_DELAY_MS;
        logger.warn(`Retrying after a 401 to a token minted ${now() - createdAt} ms ago (replication delay; retry ${retries}, wait ${wait / 1000} s)`);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  };
  const auth = async () => {
    const { token } = await fresh(REQUEST_MARGIN_MS);
    return { type: "token", tokenType: "installation", token };
  };
  return Object.assign(auth, { hook });
}
