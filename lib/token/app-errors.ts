// A failed App (JWT) request → the catalog error a user can act on: EAPPAUTHFAILED (the App ID and
// key do not pair, the clock), EAPPNOTINSTALLED, EAPPPERMISSIONS, EGITHUBAPI (kept failing after the
// retries); anything else is rethrown as it is.
import { RequestError } from "@octokit/request-error";
import SemanticReleaseError from "@semantic-release/error";
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../definitions/constants.js";
import type { AppNotInstalledContext } from "../errors/auth.js";
import { getError } from "../errors/get-error.js";
import { apiFailure, readFailure } from "../octokit.js";
import type { Permissions } from "../types.js";
import type { AppState } from "./app-state.js";
import type { InstallationInfo } from "./find-installation.js";
import { missingPermissions } from "./permissions.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:token`);

/** GitHub refused the JWT itself (docs/github.md §6.3). */
export const isJwtRefusal = (error: unknown): error is RequestError =>
  error instanceof RequestError &&
  (error.status === 401 || /Integration not found|JSON web token|'Expiration time'|'Issued at'/i.test(readFailure(error).githubMessage));

/** best effort, on error paths only: the App's slug and owner for the settings URLs */
async function appDetails(state: AppState): Promise<{ slug?: string; owner?: { login: string; type: string } }> {
  try {
    const { data } = await state.appOctokit.request("GET /app");
    const appOwner = data?.owner as { login?: string; type?: string } | null | undefined;
    return { slug: data?.slug, ...(appOwner?.login ? { owner: { login: appOwner.login, type: appOwner.type ?? "User" } } : {}) };
  } catch (error) {
    debug("GET /app failed: %s", readFailure(error).githubMessage);
    return {};
  }
}

export type NotInstalled = Pick<AppNotInstalledContext, "reason"> & Partial<Pick<AppNotInstalledContext, "installationId" | "account" | "githubMessage" | "slug">>;

/** EAPPNOTINSTALLED; the App's slug (for its install page) is asked for when not known. */
export async function notInstalled(state: AppState, problem: NotInstalled): Promise<SemanticReleaseError> {
  const { config, owner, repo, appIdText } = state;
  const slug = problem.slug ?? (await appDetails(state)).slug;
  return getError("EAPPNOTINSTALLED", { ...problem, appId: appIdText, slug, owner, repo, githubUrl: config.githubUrl });
}

export interface PermissionProblem {
  installation: InstallationInfo | undefined;
  requested: Permissions;
  missing: Permissions;
  /** what the minted token got (insufficient) */
  granted?: Permissions | undefined;
  githubMessage?: string | undefined;
}

/** EAPPPERMISSIONS: GitHub refused the token request (422), or the token lacks what the release needs. */
export async function permissionError(state: AppState, problem: PermissionProblem): Promise<SemanticReleaseError> {
  const { config, owner, repo, readOnly } = state;
  const { installation, requested, missing, granted, githubMessage: message } = problem;
  const details = await appDetails(state);
  return getError("EAPPPERMISSIONS", {
    slug: installation?.slug ?? details.slug,
    owner,
    repo,
    githubUrl: config.githubUrl,
    requested,
    installationPermissions: installation?.permissions,
    granted,
    missing,
    reason: granted ? "insufficient" : "refused",
    installationId: installation?.id,
    account: installation?.account,
    appOwner: details.owner,
    explicit: Boolean(config.permissions),
    readOnly,
    githubMessage: message,
  });
}

export interface AppErrorContext {
  error: unknown;
  installationId?: number | undefined;
  installation?: InstallationInfo | undefined;
  requested?: Permissions | undefined;
}

/** Map an error of a JWT request; unknown ones are returned as they are (the caller throws the result). */
export async function appError(state: AppState, context: AppErrorContext): Promise<unknown> {
  const { error } = context;
  const baseUrl = state.config.githubApiUrl;
  if (error instanceof SemanticReleaseError) return error;
  if (isJwtRefusal(error)) {
    const { request, status, githubMessage } = readFailure(error, baseUrl);
    return getError("EAPPAUTHFAILED", { appId: state.appIdText, request, status, githubMessage, apiUrl: baseUrl });
  }
  if (!(error instanceof RequestError)) {
    // the JWT could not even be signed (a key universal-github-app-jwt rejects)
    const signing = error instanceof Error && /private key|pkcs|asn1|DECODER/i.test(error.message);
    return signing ? getError("EAPPAUTHFAILED", { appId: state.appIdText, request: "sign the App JWT", status: undefined, githubMessage: error.message, apiUrl: baseUrl }) : error;
  }
  const message = readFailure(error).githubMessage;
  const { installation, requested } = context;
  const installationId = context.installationId ?? installation?.id;
  const known = { ...(installationId === undefined ? {} : { installationId }), ...(installation ? { account: installation.account, slug: installation.slug } : {}) };
  if (error.status === 404 && installationId !== undefined && !installation) return notInstalled(state, { reason: "installation-not-found", installationId, githubMessage: message });
  if (error.status === 403 && /suspended/i.test(message)) return notInstalled(state, { reason: "suspended", ...known });
  if (error.status === 422 && /permission/i.test(message) && requested) {
    const missing = installation ? missingPermissions(requested, installation.permissions) : requested;
    return permissionError(state, { installation, requested, missing, githubMessage: message });
  }
  if (error.status === 422 && /repositor/i.test(message)) return notInstalled(state, { reason: "repository-not-selected", ...known, githubMessage: message });
  return apiFailure(error, baseUrl) ?? error;
}
