// The lifetime of an App ReleaseToken (docs/architecture.md "Token lifetime"): the current token,
// re-minted when fewer than a margin are left (one re-mint at a time, the replaced token revoked at
// once), and the end: every minted token revoked once, asynchronously or, from an exit listener,
// synchronously.
import { PACKAGE_NAME } from "../definitions/constants.js";
import { AUTH_LOGS } from "../errors/auth.js";
import type { Permissions } from "../types.js";
import type { AppState } from "./app-state.js";
import type { InstallationInfo } from "./find-installation.js";
import { mintFor, type Minted } from "./installation-token.js";
import { revokeTokensSync } from "./revoke-sync.js";

export interface LiveState extends AppState {
  installation: InstallationInfo;
  /** what every token of this release is asked for */
  requested: Permissions;
  current: Minted;
  /** the re-mint under way, shared by concurrent callers */
  refreshing: Promise<Minted> | undefined;
  /** set by revoke() (its promise) or revokeSync(): no token is handed out any more */
  ending: Promise<void> | undefined;
}

/** The current token, re-minted first when fewer than `marginMs` are left. Rejects once the end began. */
export async function freshToken(state: LiveState, marginMs: number): Promise<Minted> {
  if (state.ending) throw new Error(`${PACKAGE_NAME}: the GitHub App token was already revoked`);
  if (state.current.expiresAt.getTime() - state.now() >= marginMs) return state.current;
  state.refreshing ??= remint(state).finally(() => {
    state.refreshing = undefined;
  });
  return state.refreshing;
}

async function remint(state: LiveState): Promise<Minted> {
  const previous = state.current;
  const secondsLeft = Math.round((previous.expiresAt.getTime() - state.now()) / 1000);
  const next = await mintFor(state, { installation: state.installation, requested: state.requested });
  state.onToken?.(next.token);
  state.current = next;
  state.logger.log(AUTH_LOGS.reminted({ secondsLeft, expiresAt: next.expiresAt }));
  // the replaced token is revoked at once: one live credential at a time
  await state.ledger.revoke(previous.token, { housekeeping: true });
  return next;
}

/** Revoke every token minted and not revoked yet; once (later calls get the same promise); never rejects. */
export function revokeAll(state: LiveState): Promise<void> {
  state.ending ??= (async () => {
    await state.refreshing?.catch(() => undefined);
    await state.ledger.revokeAll();
  })();
  return state.ending;
}

/** revokeAll for an exit listener: blocks until a child process has revoked the live tokens. */
export function revokeAllSync(state: LiveState): void {
  if (state.ending) return;
  state.ending = Promise.resolve();
  revokeTokensSync({ tokens: state.ledger.takeUnfinished(), baseUrl: state.config.githubApiUrl, logger: state.logger });
}
