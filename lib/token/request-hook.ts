// The Octokit auth strategy of an App ReleaseToken: `authorization: token <current>` on each request,
// re-minting first when the token is about to expire, and, like @octokit/auth-app's own hook
// (https://github.com/octokit/auth-app.js/blob/main/src/hook.ts, docs/github.md §6.1), retrying a 401
// that comes within 5 s of minting (replication delay).
// Not auth-app's hook itself: for non-App routes it mints an installation token with no repository or
// permission limits (getInstallationAuthentication(state, {})), which is broader than we want.
import { RequestError } from "@octokit/request-error";
import { NEW_TOKEN_401_BASE_DELAY_MS, NEW_TOKEN_401_WINDOW_MS } from "../definitions/retry.js";
import { AUTH_WARNINGS } from "../errors/auth.js";
import { freshToken, type LiveState } from "./token-lifetime.js";

/**
 * A request re-mints first only when the token has less than this left: one request needs far less
 * than the 5 minutes (TOKEN_REFRESH_MARGIN_MS) a push or a series of API writes is given.
 */
export const REQUEST_MARGIN_MS = 60 * 1000;

type Request = ((options: Record<string, unknown>) => Promise<unknown>) & {
  endpoint: { merge: (route: unknown, parameters?: unknown) => Record<string, unknown> & { headers: Record<string, string> } };
};

async function auth(state: LiveState) {
  const { token } = await freshToken(state, REQUEST_MARGIN_MS);
  return { type: "token", tokenType: "installation", token };
}

async function hook(state: LiveState, request: Request, route: unknown, parameters?: unknown): Promise<unknown> {
  const endpoint = request.endpoint.merge(route, parameters);
  const { token, createdAt } = await freshToken(state, REQUEST_MARGIN_MS);
  endpoint.headers.authorization = `token ${token}`;
  for (let retry = 1; ; retry += 1) {
    try {
      return await request(endpoint);
    } catch (error) {
      const tokenAgeMs = state.now() - createdAt;
      if (!(error instanceof RequestError) || error.status !== 401 || tokenAgeMs >= NEW_TOKEN_401_WINDOW_MS) throw error;
      const waitMs = retry * NEW_TOKEN_401_BASE_DELAY_MS;
      state.logger.warn(AUTH_WARNINGS.WTOKENNOTREPLICATED({ tokenAgeMs, retry, waitMs }));
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}

/** For `new Octokit({ authStrategy })` (as auth-app's createAppAuth: the state bound to `auth` and `hook`). */
export function installationAuthStrategy(state: LiveState) {
  return () => Object.assign(auth.bind(null, state), { hook: hook.bind(null, state) });
}
