// One App token for every release of a repository in this process (docs/architecture.md "Token
// lifetime", README "Monorepos"). A monorepo tool (@qiwi/multi-semantic-release,
// @anolilab/multi-semantic-release) runs one semantic-release per package, one after the other, in
// one process: each release has its own session (./registry.ts), and without this module each would
// mint, read the rules and revoke on its own.
//
// - The token is cached as @octokit/auth-app caches installation tokens: by installation, repositories
//   and permissions (https://github.com/octokit/auth-app.js/blob/main/src/cache.ts). Here the key is
//   what decides those three before any request (the App, the installation ID or the repository it is
//   looked up by, the repositories, the dry run, the `permissions` option and what later plugins
//   need), so a later release reuses the token without asking GitHub anything. Re-minting under 5
//   minutes is the token's own (lib/token/token-lifetime.ts), whoever asks: every session sees it.
// - What was read with the token (the preflight facts of a repository and branch) is kept with it:
//   `current_user_can_bypass` is the answer for the token's actor (docs/github.md §1.3).
// - Each session holds a lease; its `revoke()` gives the lease back. The last lease revokes the
//   token, unless the release runs under a monorepo tool: the tools call semantic-release for the
//   next package only after this one ended, so the count drops to zero between packages, and the
//   token is kept for the next one and revoked when the process ends (./process-exit.ts: both tools'
//   CLIs call process.exit when the last package is done, where the `exit` listener revokes
//   synchronously; beforeExit and the signals revoke as for any session).
import debugFactory from "debug";
import { DEBUG_NAMESPACE, PACKAGE_NAME } from "../definitions/constants.js";
import { AUTH_LOGS } from "../errors/auth.js";
import { repositoryNames } from "../token/app-state.js";
import { createReleaseToken, type CreateReleaseTokenOptions, type ReleaseToken } from "../token/index.js";
import type { Endable, SessionWatch } from "./process-exit.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:session`);

export interface AcquireOptions extends CreateReleaseTokenOptions {
  /** the release runs under a monorepo tool: keep the token for the next package when this one ends */
  keep: boolean;
}

/** A session's hold on a token: the token (its `revoke()` gives the hold back) and what was read with it. */
export interface TokenLease {
  token: ReleaseToken;
  /** `read()` once per `key` for as long as the token lives; a rejection is not kept */
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

/** The App tokens of this process, by what they are for. */
export class SharedTokens {
  readonly #tokens = new Map<string, Promise<SharedToken>>();
  readonly #watch: SessionWatch;

  constructor(watch: SessionWatch) {
    this.#watch = watch;
  }

  /** A lease on the token for this release: the one already minted for the same key, or a new one. */
  async acquire(options: AcquireOptions): Promise<TokenLease> {
    if (options.config.authMethod !== "app") {
      // a token the release was given: nothing to mint or revoke, nothing to share
      const token = await createReleaseToken(options);
      return { token, once: (_key, read) => read() };
    }
    const key = tokenKey(options);
    const cached = this.#tokens.get(key);
    if (cached) {
      const shared = await cached;
      if (shared.live) return shared.lease(options);
    }
    const minting = SharedToken.mint({ options, watch: this.#watch, forget: () => this.#forget(key, entry) });
    const entry = minting.then(({ shared }) => shared);
    this.#tokens.set(key, entry);
    entry.catch(() => this.#forget(key, entry));
    return (await minting).lease;
  }

  #forget(key: string, entry: Promise<SharedToken>): void {
    if (this.#tokens.get(key) === entry) this.#tokens.delete(key);
  }
}

/** What decides the installation, the repositories and the permissions of a token, as a string. */
function tokenKey({ config, owner, repo, readOnly = false }: CreateReleaseTokenOptions): string {
  const names = readOnly ? [repo] : repositoryNames(config, owner, repo);
  return JSON.stringify([
    config.githubApiUrl,
    config.appId,
    config.installationId ?? `${owner}/${repo}`.toLowerCase(),
    names.map((name) => name.toLowerCase()).sort(),
    readOnly,
    sorted(config.permissions),
    sorted(config.laterPluginPermissions),
  ]);
}

function sorted(permissions: Record<string, string> | undefined): [string, string][] | null {
  return permissions ? Object.entries(permissions).sort(([a], [b]) => a.localeCompare(b)) : null;
}

/** A session holding the token: its `onToken` hears of every re-mint. */
interface Holder {
  onToken: (token: string) => void;
}

/** One minted App token, the sessions holding it, and what was read with it. */
class SharedToken implements Endable {
  readonly #token: ReleaseToken;
  readonly #watch: SessionWatch;
  readonly #forget: () => void;
  readonly #holders: Set<Holder>;
  readonly #reads = new Map<string, Promise<unknown>>();
  #keep = false;
  #ending: Promise<void> | undefined;

  private constructor(parts: { token: ReleaseToken; watch: SessionWatch; forget: () => void; holders: Set<Holder> }) {
    this.#token = parts.token;
    this.#watch = parts.watch;
    this.#forget = parts.forget;
    this.#holders = parts.holders;
    // from the first token on, every way the process can end revokes it
    parts.watch.add(this);
  }

  /** Mint the token and lease it to the first session, whose `onToken` sees the first token. */
  static async mint({ options, watch, forget }: { options: AcquireOptions; watch: SessionWatch; forget: () => void }): Promise<{ shared: SharedToken; lease: TokenLease }> {
    const first: Holder = { onToken: options.onToken ?? (() => undefined) };
    const holders = new Set([first]);
    const token = await createReleaseToken({ ...options, onToken: (value) => holders.forEach((holder) => holder.onToken(value)) });
    const shared = new SharedToken({ token, watch, forget, holders });
    return { shared, lease: shared.#lease(first, options.keep) };
  }

  get live(): boolean {
    return this.#ending === undefined;
  }

  /** A lease for a later session (its first token was masked for the job log when it was minted). */
  lease(options: AcquireOptions): TokenLease {
    const token = this.#token;
    options.logger.log(AUTH_LOGS.reused({ slug: token.app?.slug ?? token.actor.login, owner: options.owner, repo: options.repo, expiresAt: token.expiresAt }));
    const holder: Holder = { onToken: options.onToken ?? (() => undefined) };
    this.#holders.add(holder);
    return this.#lease(holder, options.keep);
  }

  /** The token as the session sees it: the same token; `revoke()` gives the hold back; `fresh()` ends with it. */
  #lease(holder: Holder, keep: boolean): TokenLease {
    this.#keep ||= keep;
    const token = this.#token;
    let released: Promise<void> | undefined;
    const leased: ReleaseToken = {
      method: token.method,
      actor: token.actor,
      ...(token.app && { app: token.app }),
      ...(token.installation && { installation: token.installation }),
      ...(token.requestedPermissions && { requestedPermissions: token.requestedPermissions }),
      get permissions() {
        return token.permissions;
      },
      get expiresAt() {
        return token.expiresAt;
      },
      octokit: token.octokit,
      identity: () => token.identity(),
      fresh: (marginMs) => (released ? Promise.reject(new Error(`${PACKAGE_NAME}: this release's hold on the GitHub App token has ended`)) : token.fresh(marginMs)),
      revoke: () => (released ??= this.#release(holder)),
      revokeSync: () => token.revokeSync(),
    };
    return { token: leased, once: (key, read) => this.#once(key, read) };
  }

  #once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let pending = this.#reads.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read();
      this.#reads.set(key, pending);
      pending.catch(() => this.#reads.delete(key));
    }
    return pending;
  }

  /** A session gave its hold back: the last one revokes, unless the next package will want the token. */
  async #release(holder: Holder): Promise<void> {
    this.#holders.delete(holder);
    if (this.#holders.size > 0) return;
    if (this.#keep) {
      debug("the last release holding the GitHub App token ended; kept for the next package, revoked when the process ends");
      return;
    }
    await this.end("the last release using it ended");
  }

  /** Revoke the token (every token it minted), once; later acquirers mint a new one. Never rejects. */
  end(reason: string): Promise<void> {
    this.#ending ??= (async () => {
      debug("revoking the shared GitHub App token: %s", reason);
      this.#forget();
      await this.#token.revoke();
      this.#watch.delete(this);
    })();
    return this.#ending;
  }

  /** The `exit` fallback: nothing async runs any more. */
  endSync(): void {
    this.#token.revokeSync();
  }
}
