// What tests ask the stand-in after the fact: the requests it answered, the ref updates it judged,
// the dispatches and tokens it recorded. StandIn (index.ts) exposes these as methods; they read the
// World's logs and return copies, so a test cannot change what the stand-in saw.
import { GRAPHQL_ROUTE, ROUTES } from "./server.js";
import type { RecordedDispatch, RecordedGraphql, RecordedPush, RecordedRequest, TokenRecord, World } from "./world.js";

/** A point in the stand-in's logs (StandIn.mark()): queries with `since` see only what came after it. */
export interface Mark {
  readonly requests: number;
  readonly pushes: number;
  readonly dispatches: number;
  readonly tokens: number;
  readonly graphql: number;
}

export interface RequestQuery {
  /**
   * "METHOD /openapi/template" (e.g. "DELETE /installation/token"; a leading `/api/v3` is dropped),
   * "HEAD /..." for the HEAD of a GET route, "POST /graphql" (GraphQL, also as "POST /api/graphql"),
   * "GIT upload-pack", "GIT receive-pack" or "UNKNOWN" (routes the stand-in does not serve). An
   * unknown route throws, so a typo cannot make a query silently empty.
   */
  route?: string;
  /** HTTP method, e.g. "POST" (git receive-pack: GET for the ref advertisement, POST for the push) */
  method?: string;
  /** git smart HTTP (true) or REST (false) */
  git?: boolean;
  /** "app:<slug>", "installation:<slug>[bot]", "user:<login>", "anonymous" */
  actor?: string;
  status?: number;
  since?: Mark;
}

export interface PushQuery {
  /** "installation:<slug>[bot]", "user:<login>" */
  actor?: string;
  accepted?: boolean;
  via?: "git" | "api";
  /** only pushes that updated (or tried to update) this full ref, e.g. "refs/tags/v1.0.0" */
  ref?: string;
  since?: Mark;
}

export interface DispatchQuery {
  kind?: RecordedDispatch["kind"];
  /** `owner/name` */
  repository?: string;
  since?: Mark;
}

export interface TokenQuery {
  /** installation tokens of this App */
  appId?: number;
  installationId?: number;
  kind?: "installation" | "user";
  /** true: neither revoked nor expired on the stand-in's clock; false: revoked or expired */
  live?: boolean;
  since?: Mark;
}

export function markOf(world: World): Mark {
  return { requests: world.requests.length, pushes: world.pushes.length, dispatches: world.dispatches.length, tokens: world.tokens.size, graphql: world.graphql.length };
}

/** "get /api/v3/x" → "GET /x"; throws for a route the stand-in does not know */
export function normalizeRoute(route: string, { allowGit = true } = {}): string {
  const normalized = route
    .trim()
    .replace(/^(\w+)\s+(?:\/api(?=\/graphql$)|\/api\/v3)?/, (_, method: string) => `${method.toUpperCase()} `);
  const known =
    (allowGit && (normalized === "GIT upload-pack" || normalized === "GIT receive-pack" || normalized === "UNKNOWN")) ||
    normalized === GRAPHQL_ROUTE ||
    ROUTES.some((r) => `${r.method} ${r.template}` === normalized || (r.method === "GET" && `HEAD ${r.template}` === normalized));
  if (!known) throw new Error(`unknown route "${route}" (use "METHOD /openapi/template", e.g. "GET /repos/{owner}/{repo}", or "GIT receive-pack")`);
  return normalized;
}

export function queryRequests(world: World, query: RequestQuery = {}): RecordedRequest[] {
  const route = query.route === undefined ? undefined : normalizeRoute(query.route);
  const method = query.method?.toUpperCase();
  return world.requests
    .slice(query.since?.requests ?? 0)
    .filter(
      (r) =>
        (route === undefined || r.route === route) &&
        (method === undefined || r.method === method) &&
        (query.git === undefined || r.git === query.git) &&
        (query.actor === undefined || r.actor === query.actor) &&
        (query.status === undefined || r.status === query.status),
    )
    .map((r) => ({ ...r }));
}

/** ref updates judged by the pre-receive hook or the REST ref endpoints, oldest first */
export function queryPushes(world: World, query: PushQuery = {}): RecordedPush[] {
  return world.pushes
    .slice(query.since?.pushes ?? 0)
    .filter(
      (p) =>
        p.updates.length > 0 &&
        (query.actor === undefined || p.actor === query.actor) &&
        (query.accepted === undefined || p.accepted === query.accepted) &&
        (query.via === undefined || p.via === query.via) &&
        (query.ref === undefined || p.updates.some((u) => u.ref === query.ref)),
    )
    .map((p) => ({ ...p, updates: p.updates.map((u) => ({ ...u })) }));
}

export function queryDispatches(world: World, query: DispatchQuery = {}): RecordedDispatch[] {
  return world.dispatches
    .slice(query.since?.dispatches ?? 0)
    .filter((d) => (query.kind === undefined || d.kind === query.kind) && (query.repository === undefined || d.repository.toLowerCase() === query.repository.toLowerCase()))
    .map((d) => ({ ...d }));
}

/** tokens in the order they were made (installation tokens and PATs) */
export function queryTokens(world: World, nowMs: number, query: TokenQuery = {}): TokenRecord[] {
  return [...world.tokens.values()].slice(query.since?.tokens ?? 0).filter((t) => {
    const { actor } = t;
    if (query.kind !== undefined && actor.kind !== query.kind) return false;
    if (query.appId !== undefined && (actor.kind !== "installation" || actor.app.id !== query.appId)) return false;
    if (query.installationId !== undefined && (actor.kind !== "installation" || actor.installation.id !== query.installationId)) return false;
    const live = !t.revoked && t.expiresAt > nowMs;
    return query.live === undefined || live === query.live;
  }).map((t) => ({ ...t }));
}

export interface GraphqlQuery {
  /** the operation's name, e.g. "getSRIssues" */
  operationName?: string;
  /** "installation:<slug>[bot]", "user:<login>" */
  actor?: string;
  /** only requests that got (true) or did not get (false) errors */
  failed?: boolean;
  since?: Mark;
}

/** GraphQL requests, oldest first */
export function queryGraphql(world: World, query: GraphqlQuery = {}): RecordedGraphql[] {
  return world.graphql
    .slice(query.since?.graphql ?? 0)
    .filter(
      (g) =>
        (query.operationName === undefined || g.operationName === query.operationName) &&
        (query.actor === undefined || g.actor === query.actor) &&
        (query.failed === undefined || g.errors.length > 0 === query.failed),
    )
    .map((g) => structuredClone(g));
}
