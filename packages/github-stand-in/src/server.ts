// The HTTP layer of the stand-in: one node:http server on 127.0.0.1 answering REST under
// `/api/v3` and git smart HTTP under `/{owner}/{repo}.git/...`. Adds latency, injects faults,
// runs the OpenAPI checks and records every request (never a token) with world.recordRequest.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { authScheme, resolveActor } from "./auth.js";
import { appRoutes } from "./rest-apps.js";
import { DOCS, error, type RestContext, type RestReply, type RestServices, type RouteDef } from "./rest-common.js";
import { dispatchRoutes } from "./rest-dispatches.js";
import { gitDatabaseRoutes } from "./rest-git.js";
import { checkRoutes } from "./rest-checks.js";
import { issueRoutes } from "./rest-issues.js";
import { pullRoutes } from "./rest-pulls.js";
import { repoRoutes } from "./rest-repos.js";
import { immutableRoutes } from "./rest-immutable.js";
import { rulesRoutes } from "./rest-rules.js";
import { rulesetAdminRoutes } from "./rest-rulesets-admin.js";
import { World, type Actor } from "./world.js";

export const API_PREFIX = "/api/v3";
/** where GitHub Enterprise Server serves GraphQL; recorded as the route "POST /graphql" */
export const GRAPHQL_PATH = "/api/graphql";
export const GRAPHQL_ROUTE = "POST /graphql";

export interface Fault {
  status: number;
  headers: Record<string, string>;
}

export interface OpenApiChecker {
  checkRequest(method: string, route: string, body: unknown): string[];
  checkResponse(method: string, route: string, status: number, body: unknown): string[];
}

export interface RouteDelay {
  ms: number;
  /** called as each request arrives, before the delay */
  onArrive?: () => void;
}

export type GitHandler = (req: IncomingMessage, res: ServerResponse, actor: Actor) => void | Promise<void>;

/** what the server needs from the StandIn (index.ts) */
export interface ServerHost {
  world: World;
  origin: string;
  apiUrl: string;
  latencyMs: number;
  /** the stand-in's clock in ms */
  now(): number;
  /** consumes one injected fault for the route, if any */
  takeFault(route: string): Fault | undefined;
  /** an extra delay for the route, if any (StandIn.delayRoute) */
  routeDelay?(route: string): RouteDelay | undefined;
  openapi: OpenApiChecker | undefined;
  openapiViolations: string[];
  services: RestServices;
  handleGit: GitHandler;
  handleInternal(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** answers one GraphQL request body for an authenticated actor (graphql.ts) */
  answerGraphql(actor: Actor, body: unknown): Promise<{ status: number; body: unknown }>;
}

interface CompiledRoute extends RouteDef {
  regex: RegExp;
  names: string[];
}

/** the last parameter of these templates may contain slashes (refs, branch names) */
const GREEDY = new Set(["ref", "branch"]);

export const ROUTES: CompiledRoute[] = [...appRoutes, ...repoRoutes, ...immutableRoutes, ...rulesRoutes, ...rulesetAdminRoutes, ...gitDatabaseRoutes, ...dispatchRoutes, ...issueRoutes, ...pullRoutes, ...checkRoutes].map(
  (route) => {
    const names: string[] = [];
    const segments = route.template.split("/");
    const pattern = segments
      .map((segment, i) => {
        const m = /^\{(\w+)\}$/.exec(segment);
        if (!m) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(m[1]!);
        return i === segments.length - 1 && GREEDY.has(m[1]!) ? "(.+)" : "([^/]+)";
      })
      .join("/");
    return { ...route, regex: new RegExp(`^${pattern}/?$`), names };
  },
);

/** A `HEAD` request is answered like the `GET` of the same route, without the body (RFC 9110 §9.3.2). */
export function matchRoute(method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method && !(method === "HEAD" && route.method === "GET")) continue;
    const m = route.regex.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => {
      params[name] = safeDecode(m[i + 1]!);
    });
    return { route, params };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// `/{owner}/{repo}.git/info/refs`, `/{owner}/{repo}/git-receive-pack`, ...
const GIT_PATH = /^\/([^/]+)\/([^/]+?)(?:\.git)?\/(info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+)$/;

/** "GIT upload-pack" / "GIT receive-pack" for a git smart HTTP request */
export function gitRoute(path: string, query: URLSearchParams): string {
  const service = query.get("service") ?? path.slice(path.lastIndexOf("/") + 1);
  return service.includes("receive-pack") ? "GIT receive-pack" : "GIT upload-pack";
}

/** GitHub-like bodies for injected faults */
export function faultBody(status: number): { message: string; documentation_url?: string } {
  switch (status) {
    case 401:
      return { message: "Bad credentials", documentation_url: DOCS };
    case 403:
    case 429:
      // the text @octokit/plugin-throttling recognises as a secondary rate limit
      return {
        message:
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.",
        documentation_url: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
      };
    case 404:
      return { message: "Not Found", documentation_url: DOCS };
    case 503:
      return { message: "Service Unavailable" };
    case 504:
      return {
        message:
          "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
      };
    default:
      return { message: "Server Error" };
  }
}

function baseHeaders(host: ServerHost): Record<string, string> {
  const now = host.now();
  return {
    // octokit/auth-app corrects JWT clock skew from this header (docs/github.md §6.3)
    date: new Date(now).toUTCString(),
    "x-github-request-id": randomBytes(8).toString("hex").toUpperCase(),
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(Math.floor(now / 1000) + 3600),
    "x-ratelimit-used": "1",
    "x-ratelimit-resource": "core",
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: unknown): void {
  if (body === undefined || status === 204 || status === 304) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** waits `ms`; false as soon as the client closes the connection (or when it is closed already) */
function waitWhileConnected(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!res.socket || res.socket.destroyed) {
      resolve(false);
      return;
    }
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      res.off("close", onClose);
      resolve(true);
    }, ms);
    res.once("close", onClose);
  });
}

export function createRequestHandler(host: ServerHost) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(host, req, res).catch((err: unknown) => {
      host.openapiViolations.push(`stand-in crashed on ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) send(res, 500, baseHeaders(host), { message: "Server Error" });
      else res.destroy();
    });
  };
}

async function handle(host: ServerHost, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (host.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, host.latencyMs));
  const url = new URL(req.url ?? "/", host.origin);
  const method = (req.method ?? "GET").toUpperCase();
  const path = url.pathname;
  const scheme = authScheme(req.headers.authorization);

  if (path.startsWith("/_stand-in/")) {
    await host.handleInternal(req, res);
    return;
  }

  const auth = resolveActor(host.world, req.headers.authorization, host.now());
  const actorName = "actor" in auth ? World.actorName(auth.actor) : "anonymous";
  const record = (route: string, status: number, git: boolean) =>
    host.world.recordRequest({
      method,
      path: path + url.search,
      route,
      status,
      actor: actorName,
      authScheme: scheme,
      git,
      at: host.now(),
    });

  // git smart HTTP
  const gitMatch = GIT_PATH.exec(path);
  if (gitMatch && !path.startsWith(API_PREFIX + "/")) {
    const route = gitRoute(path, url.searchParams);
    res.on("finish", () => record(route, res.statusCode, true));
    const fault = host.takeFault(route);
    if (fault) {
      res.writeHead(fault.status, { ...baseHeaders(host), "content-type": "text/plain", ...fault.headers });
      res.end(`${faultBody(fault.status).message}\n`);
      return;
    }
    if (!("actor" in auth)) {
      // git asks for (other) credentials only after a 401 with a Basic challenge
      res.writeHead(401, { ...baseHeaders(host), "www-authenticate": 'Basic realm="GitHub"', "content-type": "text/plain" });
      res.end(`remote: Invalid username or token. Password authentication is not supported for Git operations.\n`);
      return;
    }
    await host.handleGit(req, res, auth.actor);
    return;
  }

  if (path === GRAPHQL_PATH) {
    await handleGraphql(host, req, res, auth, record);
    return;
  }

  // REST
  const headers = baseHeaders(host);
  if (!path.startsWith(API_PREFIX + "/") && path !== API_PREFIX) {
    send(res, 404, headers, { message: "Not Found", documentation_url: DOCS });
    record("UNKNOWN", 404, false);
    return;
  }
  const apiPath = path.slice(API_PREFIX.length) || "/";
  const matched = matchRoute(method, apiPath);
  if (!matched) {
    await readBody(req);
    send(res, 404, headers, { message: "Not Found", documentation_url: DOCS });
    record("UNKNOWN", 404, false);
    return;
  }
  const routeName = `${method} ${matched.route.template}`;
  const rawBody = await readBody(req);

  const delay = host.routeDelay?.(routeName);
  if (delay) {
    delay.onArrive?.();
    // a client that went away meanwhile never gets an answer: the request is dropped, not served
    if (!(await waitWhileConnected(res, delay.ms))) {
      record(routeName, 499, false);
      return;
    }
  }

  const fault = host.takeFault(routeName);
  if (fault) {
    const retryAfter = fault.status === 403 || fault.status === 429 ? { "retry-after": "1" } : {};
    const faultHeaders = Object.fromEntries(
      Object.entries({ ...headers, ...retryAfter, ...fault.headers }).filter(([, v]) => v !== ""),
    );
    send(res, fault.status, faultHeaders, faultBody(fault.status));
    record(routeName, fault.status, false);
    return;
  }

  let reply: RestReply;
  let body: unknown = undefined;
  if (rawBody.length > 0) {
    try {
      body = JSON.parse(rawBody.toString("utf8"));
    } catch {
      body = Symbol.for("invalid");
    }
  }
  if (body === Symbol.for("invalid")) {
    reply = error(400, "Problems parsing JSON");
  } else if (!("actor" in auth)) {
    reply = error(auth.status, auth.message);
  } else {
    if (host.openapi && ["POST", "PATCH", "PUT"].includes(method)) {
      for (const v of host.openapi.checkRequest(method, matched.route.template, body)) {
        host.openapiViolations.push(`${routeName} request: ${v}`);
      }
    }
    const ctx: RestContext = {
      world: host.world,
      actor: auth.actor,
      params: matched.params,
      query: url.searchParams,
      body,
      req,
      apiUrl: host.apiUrl,
      origin: host.origin,
      nowMs: host.now(),
      services: host.services,
    };
    reply = await matched.route.handler(ctx);
  }
  if (host.openapi) {
    for (const v of host.openapi.checkResponse(matched.route.method, matched.route.template, reply.status, reply.body)) {
      host.openapiViolations.push(`${routeName} ${reply.status} response: ${v}`);
    }
  }
  send(res, reply.status, { ...headers, ...reply.headers }, reply.body);
  record(routeName, reply.status, false);
}

/**
 * `POST /api/graphql`: faults and latency as for REST, then graphql.ts answers. Recorded as the route
 * "POST /graphql" (what GitHub's documentation calls the endpoint); `StandIn.graphql()` has the details.
 */
async function handleGraphql(
  host: ServerHost,
  req: IncomingMessage,
  res: ServerResponse,
  auth: ReturnType<typeof resolveActor>,
  record: (route: string, status: number, git: boolean) => void,
): Promise<void> {
  const headers = { ...baseHeaders(host), "x-ratelimit-resource": "graphql" };
  const rawBody = await readBody(req);
  const fault = host.takeFault(GRAPHQL_ROUTE);
  let reply: { status: number; body: unknown };
  if (fault) {
    reply = { status: fault.status, body: faultBody(fault.status) };
  } else if ((req.method ?? "GET").toUpperCase() !== "POST") {
    reply = { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/graphql" } };
  } else if (!("actor" in auth)) {
    reply = { status: 401, body: { message: auth.message, documentation_url: "https://docs.github.com/graphql" } };
  } else {
    let body: unknown;
    try {
      body = JSON.parse(rawBody.toString("utf8") || "null");
    } catch {
      body = Symbol.for("invalid");
    }
    reply = body === Symbol.for("invalid") ? { status: 400, body: { message: "Problems parsing JSON", documentation_url: "https://docs.github.com/graphql" } } : await host.answerGraphql(auth.actor, body);
  }
  send(res, reply.status, { ...headers, ...(fault?.headers ?? {}) }, reply.body);
  record(GRAPHQL_ROUTE, reply.status, false);
}
