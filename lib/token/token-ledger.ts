// Every installation token one ReleaseToken minted, and whether its revocation was started: each
// token is revoked once, whoever asks (a re-mint, revoke(), revokeSync()), and nothing is left live
// (docs/architecture.md "Token lifetime"). One ledger per ReleaseToken; no state outside it.
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../definitions/constants.js";
import type { Logger } from "../logger.js";
import type { OctokitOverrides } from "./index.js";
import { revokeInstallationToken, type RevokeResult } from "./revoke.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:token`);

export interface HeldToken {
  readonly token: string;
  readonly expiresAt: Date;
}

interface Entry extends HeldToken {
  /** the revocation, once started */
  revocation: Promise<RevokeResult> | undefined;
  /** its answer came (or the token was handed to revokeSync's child) */
  finished: boolean;
}

export interface TokenLedgerOptions {
  baseUrl: string;
  logger: Logger;
  octokitOptions?: OctokitOverrides | undefined;
  now: () => number;
}

/** A logger for housekeeping revocations (a replaced token): successes to debug, failures still as warnings. */
export function quiet(logger: Logger): Logger {
  return { ...logger, log: (message: string, ...args: unknown[]) => debug(message, ...args), success: (message: string, ...args: unknown[]) => debug(message, ...args) };
}

export class TokenLedger {
  readonly #entries: Entry[] = [];
  readonly #options: TokenLedgerOptions;

  constructor(options: TokenLedgerOptions) {
    this.#options = options;
  }

  add(held: HeldToken): void {
    this.#entries.push({ token: held.token, expiresAt: held.expiresAt, revocation: undefined, finished: false });
  }

  /** Revoke one held token, once; `housekeeping` logs a success to debug only. Never rejects. */
  revoke(token: string, { housekeeping = false }: { housekeeping?: boolean } = {}): Promise<RevokeResult> {
    const entry = this.#entries.find((candidate) => candidate.token === token);
    if (!entry) return Promise.resolve("failed");
    const { baseUrl, logger, octokitOptions, now } = this.#options;
    entry.revocation ??= revokeInstallationToken({ token, expiresAt: entry.expiresAt, baseUrl, logger: housekeeping ? quiet(logger) : logger, octokitOptions, now }).finally(() => {
      entry.finished = true;
    });
    return entry.revocation;
  }

  /** Revoke every held token not revoked yet, and wait for those already under way. Never rejects. */
  async revokeAll(): Promise<void> {
    await Promise.all(this.#entries.map((entry) => this.revoke(entry.token)));
  }

  /**
   * Tokens whose revocation was not started, or started and not finished (a process about to exit
   * will never see that answer), and that have not expired. Marks them as handed over: a later
   * revoke() sends nothing for them.
   */
  takeUnfinished(): HeldToken[] {
    const now = this.#options.now();
    const taken: HeldToken[] = [];
    for (const entry of this.#entries) {
      if (entry.finished || entry.expiresAt.getTime() <= now) continue;
      taken.push({ token: entry.token, expiresAt: entry.expiresAt });
      entry.finished = true;
      entry.revocation ??= Promise.resolve("revoked");
    }
    return taken;
  }
}
