// The App's installation for the repository: looked up (`GET /repos/{owner}/{repo}/installation`) or,
// when its ID is configured, read (`GET /app/installations/{installation_id}`), with the JWT
// (docs/github.md §6.1).
import { RequestError } from "@octokit/request-error";
import { readFailure } from "../octokit.js";
import type { Permissions } from "../types.js";
import { appError, isJwtRefusal, notInstalled } from "./app-errors.js";
import type { AppState } from "./app-state.js";
import { parsePermissions } from "./permissions.js";

export interface InstallationInfo {
  id: number;
  appId: number;
  slug: string;
  clientId: string | undefined;
  permissions: Permissions;
  repositorySelection: string;
  account: { login: string; type: string };
  suspended: boolean;
}

interface InstallationData {
  id: number;
  app_id: number;
  app_slug: string;
  client_id?: string | undefined;
  permissions: Record<string, unknown>;
  repository_selection: string;
  /** a user or organization; an enterprise has a slug and no login */
  account: { login?: string; slug?: string; type?: string } | null;
  suspended_at?: string | null;
}

export function installationInfo(data: InstallationData): InstallationInfo {
  const account = data.account;
  return {
    id: data.id,
    appId: data.app_id,
    slug: data.app_slug,
    clientId: data.client_id,
    permissions: parsePermissions(data.permissions),
    repositorySelection: data.repository_selection,
    account: { login: account?.login ?? account?.slug ?? "", type: account?.type ?? (account?.slug ? "Enterprise" : "User") },
    suspended: Boolean(data.suspended_at),
  };
}

/** The installation (by ID when given); throws EAPPNOTINSTALLED, EAPPAUTHFAILED, EGITHUBAPI. */
export async function findInstallation(state: AppState, { installationId }: { installationId?: number | undefined } = {}): Promise<InstallationInfo> {
  const { appOctokit, owner, repo } = state;
  try {
    const { data } =
      installationId === undefined
        ? await appOctokit.request("GET /repos/{owner}/{repo}/installation", { owner, repo })
        : await appOctokit.request("GET /app/installations/{installation_id}", { installation_id: installationId });
    return installationInfo(data as InstallationData);
  } catch (error) {
    if (error instanceof RequestError && error.status === 404 && !isJwtRefusal(error)) {
      throw installationId === undefined
        ? await notInstalled(state, { reason: "not-installed", githubMessage: readFailure(error).githubMessage })
        : await notInstalled(state, { reason: "installation-not-found", installationId, githubMessage: readFailure(error).githubMessage });
    }
    throw await appError(state, { error, installationId });
  }
}
