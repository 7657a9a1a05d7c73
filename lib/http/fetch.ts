// The `fetch` the plugin gives @octokit/request when no proxy is set: its REST requests go through
// `node:http`/`node:https` instead of Node's global fetch. Node's fetch is a bundled copy of undici
// that Node loads on first use (with `Response`, `Headers` and web streams): about 17 MB of peak RSS
// in the release process, for the plugin's dozen requests (docs/performance.md "Where the memory
// goes"). This client covers what @octokit/request's fetch wrapper uses
// (https://github.com/octokit/request.js/blob/main/src/fetch-wrapper.ts): method, headers, a string or
// bytes body, `redirect`, `signal`; an answer with `status`, `statusText`, `url`, iterable `headers`
// with `get`, `text()`, `arrayBuffer()`, `json()` and `body`. It is not a general fetch: any other
// body (a stream, FormData) is handed to the global fetch.
//
// As fetch does (https://fetch.spec.whatwg.org/#http-redirect-fetch): redirects are followed (at most
// 20; 303, and 301/302 after a POST, become a GET without body; `Authorization` is dropped when the
// redirect leaves the origin), `redirect: "manual"` returns the 3xx, `"error"` fails; a gzip, deflate
// or brotli body is decoded; a request that gets no answer rejects with a TypeError "fetch failed"
// whose `cause` is the socket's error (its `code`: ECONNREFUSED, ENOTFOUND, a TLS code), as undici's
// fetch does, so lib/octokit.ts reads both alike; an aborted `signal` rejects with its `reason`.
//
// `node:http` is loaded with require, not `import`: an ES import of `node:http` builds the module's
// namespace, and on Node 22+ that reads its lazy `WebSocket`/`MessageEvent` exports, which load the
// very undici copy this module avoids. Connections are kept alive by Node's global agents (keep-alive
// is their default since Node 19; idle sockets do not hold the process open).
import { createRequire } from "node:module";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { HTTP_IDLE_TIMEOUT_MS, MAX_REDIRECTS } from "../definitions/constants.js";

const require = createRequire(import.meta.url);

type Body = string | Uint8Array | ArrayBuffer | null | undefined;

/** What @octokit/request passes to `fetch` (a subset of RequestInit). */
export interface HttpFetchInit {
  method?: string | undefined;
  headers?: Record<string, string> | undefined;
  body?: unknown;
  redirect?: "follow" | "manual" | "error" | undefined;
  signal?: AbortSignal | null | undefined;
}

/** The part of a WHATWG Response that @octokit/request reads. */
export interface HttpResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly url: string;
  readonly redirected: boolean;
  readonly headers: ResponseHeaders;
  readonly body: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** Response headers as fetch's Headers shows them: lower-case names in order, `get` and iteration. */
export class ResponseHeaders implements Iterable<[string, string]> {
  readonly #entries: [string, string][];
  constructor(raw: IncomingHttpHeaders) {
    this.#entries = Object.keys(raw)
      .sort()
      .flatMap((name) => {
        const value = raw[name];
        if (value === undefined) return [];
        return name === "set-cookie" && Array.isArray(value) ? value.map((v): [string, string] => [name, v]) : [[name, Array.isArray(value) ? value.join(", ") : value]];
      });
  }
  get(name: string): string | null {
    const values = this.#entries.filter(([key]) => key === name.toLowerCase()).map(([, value]) => value);
    return values.length ? values.join(", ") : null;
  }
  has(name: string): boolean {
    return this.get(name) !== null;
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.#entries) callback(value, name);
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#entries[Symbol.iterator]();
  }
  entries(): IterableIterator<[string, string]> {
    return this.#entries[Symbol.iterator]();
  }
}

/** fetch(url, init) over node:http/node:https; see the top of this file for what it covers. */
export async function httpFetch(input: string | URL, init: HttpFetchInit = {}): Promise<HttpResponse> {
  const body = init.body as Body | unknown;
  if (!isSimpleBody(body)) return (await globalThis.fetch(input, init as RequestInit)) as unknown as HttpResponse;
  let request: Hop = { url: new URL(String(input)), method: (init.method ?? "GET").toUpperCase(), headers: lowerCase(init.headers), body: toBytes(body) };
  for (let redirects = 0; ; redirects++) {
    const answer = await send(request, init.signal ?? undefined);
    const next = redirectOf(answer, request);
    if (next === undefined || init.redirect === "manual") return toResponse(answer, request.url, redirects > 0);
    if (init.redirect === "error") throw fetchFailed(new Error(`redirect to ${next.url.origin} refused (redirect: "error")`));
    if (redirects >= MAX_REDIRECTS) throw fetchFailed(new Error("redirect count exceeded"));
    request = next;
  }
}

/** One request as sent: where, how, and the body as bytes. */
interface Hop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** An answer with its body read and decoded. */
interface Answer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

function isSimpleBody(body: unknown): body is Body {
  return body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer;
}

function toBytes(body: Body): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  return body instanceof ArrayBuffer ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function lowerCase(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
}

const fetchFailed = (cause: unknown) => new TypeError("fetch failed", { cause: tlsFailure(cause) });

/**
 * A TLS failure that node:https meets while writing the request comes as `write EPROTO <OpenSSL
 * error>` with code EPROTO; undici's fetch, reading first, reports the OpenSSL error itself with the
 * code Node gives it (`ERR_SSL_<REASON>`). The same error either way, so the same message for the user.
 */
function tlsFailure(error: unknown): unknown {
  const match = error instanceof Error && (error as { code?: unknown }).code === "EPROTO" ? /^(?:write|read) EPROTO (\S+:error:[0-9A-F]+:[^:]+:[^:]*:([^:]+):.*)$/s.exec(error.message) : null;
  if (!match) return error;
  return Object.assign(new Error(match[1]), { code: `ERR_SSL_${match[2]!.toUpperCase().replace(/\W+/g, "_")}`, reason: match[2] });
}

/** Sends one request and reads its whole answer (Octokit reads every body it gets at once anyway). */
function send(hop: Hop, signal: AbortSignal | undefined): Promise<Answer> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const transport = require(hop.url.protocol === "https:" ? "node:https" : "node:http") as typeof import("node:http");
  const headers: Record<string, string> = { "accept-encoding": "gzip, deflate, br", ...hop.headers };
  // as fetch: a POST or PUT without a body says so (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch)
  if (hop.body || hop.method === "POST" || hop.method === "PUT") headers["content-length"] = String(hop.body?.length ?? 0);
  return new Promise<Answer>((resolve, reject) => {
    const fail = (error: unknown) => {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? signal.reason : fetchFailed(error));
    };
    const request = transport.request(hop.url, { method: hop.method, headers }, (response) => {
      readBody(response).then((bytes) => {
        signal?.removeEventListener("abort", onAbort);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? "", headers: response.headers, bytes });
      }, fail);
    });
    const onAbort = () => request.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    request.setTimeout(HTTP_IDLE_TIMEOUT_MS, () => request.destroy(Object.assign(new Error(`no data for ${HTTP_IDLE_TIMEOUT_MS / 1000} s`), { code: "ETIMEDOUT" })));
    request.on("error", fail);
    request.end(hop.body);
  });
}

/** The body of `response`, decoded per its content-encoding (as fetch does; the header stays). */
async function readBody(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  let bytes: Buffer = Buffer.concat(chunks);
  const codings = String(response.headers["content-encoding"] ?? "")
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity");
  for (const coding of codings.reverse()) bytes = await decode(coding, bytes);
  return bytes;
}

async function decode(coding: string, bytes: Buffer): Promise<Buffer> {
  if (bytes.length === 0) return bytes;
  const zlib = require("node:zlib") as typeof import("node:zlib");
  const { promisify } = require("node:util") as typeof import("node:util");
  if (coding === "gzip" || coding === "x-gzip") return promisify(zlib.gunzip)(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (coding === "br") return promisify(zlib.brotliDecompress)(bytes);
  // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate: the first byte tells (as undici checks)
  if (coding === "deflate") return (bytes[0]! & 0x0f) === 0x08 ? promisify(zlib.inflate)(bytes) : promisify(zlib.inflateRaw)(bytes);
  return bytes; // a coding fetch does not decode either: the body as it came
}

/**
 * The next request when `answer` is a redirect fetch follows, else undefined. 303 (and 301/302 after
 * a POST) turn into a GET without body; leaving the origin drops the credentials.
 */
function redirectOf(answer: Answer, hop: Hop): Hop | undefined {
  const location = answer.headers.location;
  if (![301, 302, 303, 307, 308].includes(answer.status) || location === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    throw fetchFailed(new Error(`invalid redirect location ${JSON.stringify(location)}`));
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw fetchFailed(new Error(`redirect to a ${url.protocol} URL`));
  const toGet = answer.status === 303 ? hop.method !== "GET" && hop.method !== "HEAD" : answer.status <= 302 && hop.method === "POST";
  const headers = { ...hop.headers };
  if (toGet) for (const name of ["content-type", "content-length", "content-encoding", "content-language", "content-location"]) delete headers[name];
  if (url.origin !== hop.url.origin) for (const name of ["authorization", "proxy-authorization", "cookie", "host"]) delete headers[name];
  return { url, method: toGet ? "GET" : hop.method, headers, body: toGet ? undefined : hop.body };
}

function toResponse(answer: Answer, url: URL, redirected: boolean): HttpResponse {
  const { status, statusText, bytes } = answer;
  const text = async () => bytes.toString("utf8");
  return {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    url: url.href,
    redirected,
    headers: new ResponseHeaders(answer.headers),
    // a stream only for who asks for one (@octokit/request with parseSuccessResponseBody: false)
    get body() {
      return new ReadableStream<Uint8Array>({
        start(controller) {
          if (bytes.length) controller.enqueue(Uint8Array.from(bytes));
          controller.close();
        },
      });
    },
    text,
    json: async () => JSON.parse(await text()) as unknown,
    arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  };
}
