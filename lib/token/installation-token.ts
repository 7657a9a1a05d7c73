// Minting installation tokens (`POST /app/installations/{installation_id}/access_tokens`, docs/github.md
// §6.1), scoped to the release's repositories and permissions, and the first token of a release.
//
// Round trips on the critical path (each line waits for the one before; test/release-token.test.ts
// "Round trips" measures them):
//   without an installation ID:  GET /repos/{o}/{r}/installation  →  POST …/access_tokens
//   with an installation ID:     POST …/access_tokens ∥ GET /app/installations/{id}
import type { InstallationAccessTokenAuthentication } from "@octokit/auth-app";
import type { Permissions } from "../types.js";
import { appError, notInstalled } from "./app-errors.js";
import type { AppState } from "./app-state.js";
import { findInstallation, type InstallationInfo } from "./find-installation.js";
import { permissionsToRequest, widens } from "./permissions.js";

export interface Minted {
  token: string;
  expiresAt: Date;
  /** ms since epoch, by `state.now` */
  createdAt: number;
  permissions: Permissions;
}

/** Mint a token and enter it in the ledger (so it is revoked in the end, whatever happens). Errors unmapped. */
export async function mintInstallationToken(state: AppState, { installationId, permissions }: { installationId: number; permissions: Permissions }): Promise<Minted> {
  const auth = (await state.appOctokit.auth({
    type: "installation",
    installationId,
    repositoryNames: state.repositoryNames,
    permissions,
    // the lifetime is managed here (expires_at), not by auth-app's 59-minute cache
    refresh: true,
  })) as InstallationAccessTokenAuthentication;
  const minted = { token: auth.token, expiresAt: new Date(auth.expiresAt), createdAt: state.now(), permissions: auth.permissions as Permissions };
  state.ledger.add(minted);
  return minted;
}

/** Mint for a known installation; errors mapped to the catalog (EAPPPERMISSIONS, EAPPNOTINSTALLED, …). */
export async function mintFor(state: AppState, { installation, requested }: { installation: InstallationInfo; requested: Permissions }): Promise<Minted> {
  try {
    return await mintInstallationToken(state, { installationId: installation.id, permissions: requested });
  } catch (error) {
    throw await appError(state, { error, installation, requested });
  }
}

export interface FirstToken {
  installation: InstallationInfo;
  requested: Permissions;
  minted: Minted;
}

/** The installation and the release's first token. */
export function mintFirstToken(state: AppState): Promise<FirstToken> {
  const { installationId } = state.config;
  return installationId === undefined ? firstTokenLookedUp(state) : firstTokenForId(state, installationId);
}

async function firstTokenLookedUp(state: AppState): Promise<FirstToken> {
  const installation = await findInstallation(state);
  if (installation.suspended) throw await notInstalled(state, { reason: "suspended", installationId: installation.id, account: installation.account, slug: installation.slug });
  const requested = permissionsToRequest({ config: state.config, installationPermissions: installation.permissions, readOnly: state.readOnly });
  return { installation, requested, minted: await mintFor(state, { installation, requested }) };
}

/** The ID is known: mint at once, and learn the slug, account and permissions in parallel. */
async function firstTokenForId(state: AppState, installationId: number): Promise<FirstToken> {
  const { config, readOnly, ledger } = state;
  const requested = permissionsToRequest({ config, readOnly });
  const [found, first] = await Promise.allSettled([findInstallation(state, { installationId }), mintInstallationToken(state, { installationId, permissions: requested })]);
  if (found.status === "rejected") {
    await ledger.revokeAll();
    throw found.reason;
  }
  const installation = found.value;
  if (first.status === "rejected") throw await appError(state, { error: first.reason, installation, requested });
  const wider = permissionsToRequest({ config, installationPermissions: installation.permissions, readOnly });
  if (!widens(requested, wider)) return { installation, requested, minted: first.value };
  // One more round trip, only when the installation has an optional permission (Administration, or
  // what a later plugin needs) and no `permissions` option was given: re-mint with it, revoke the first.
  try {
    return { installation, requested: wider, minted: await mintFor(state, { installation, requested: wider }) };
  } finally {
    void ledger.revoke(first.value.token, { housekeeping: true });
  }
}
