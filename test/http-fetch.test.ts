// lib/http/fetch.ts: the plugin's API requests over node:http/node:https, with what Octokit relies on
// from fetch (redirects, compressed bodies, abort, headers, network errors), and without loading
// Node's built-in fetch (its undici copy), which is the point of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { RequestError } from "@octokit/request-error";
import { startStandIn } from "github-stand-in";
import { httpFetch, type HttpFetchInit } from "../lib/http/fetch.js";
import { ReleaseOctokit, apiFailure, toOctokitOptions } from "../lib/octokit.js";

const run = promisify(execFile);

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A local server answering with `handler`, recording each request it got. */
async function serve(t: { after: (fn: () => unknown) => void }, handler: (req: Seen, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const request = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
      seen.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, seen, server };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
};

test("Octokit's requests to the stand-in go through node:http and never load Node's built-in fetch", async (t) => {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  standIn.createUser("octo");
  await standIn.createRepo("octo", "proj");
  const { app } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } });
  const token = standIn.mintInstallationToken(standIn.installApp(app, "octo")).token;
  // a fresh process: this test runner has loaded fetch already
  const script = `
    const { ReleaseOctokit, toOctokitOptions } = await import(${JSON.stringify(new URL("../lib/octokit.ts", import.meta.url).href)});
    const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: process.env.API, auth: process.env.TOKEN, env: {}, retry: { enabled: false } }));
    const { data, headers } = await octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "proj" });
    const missing = await octokit.request("GET /repos/{owner}/{repo}", { owner: "octo", repo: "nope" }).catch((e) => e.status);
    console.log(JSON.stringify({ name: data.full_name, type: headers["content-type"], missing, undici: process.moduleLoadList.filter((m) => /undici/.test(m)) }));
  `;
  // asynchronously: the stand-in answers from this process
  const child = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, API: standIn.apiUrl, TOKEN: token, HTTP_PROXY: "", HTTPS_PROXY: "", http_proxy: "", https_proxy: "" },
  });
  const result = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { name: string; type: string; missing: number; undici: string[] };
  assert.deepEqual(result, { name: "octo/proj", type: "application/json; charset=utf-8", missing: 404, undici: [] });
  assert.equal(standIn.requests({ route: "GET /repos/{owner}/{repo}" }).length, 2);
});

test("A gzip, deflate (zlib or raw) or brotli body is decoded; the client asks for them", async (t) => {
  const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, "deflate-raw": deflateRawSync, br: brotliCompressSync };
  const { origin, seen } = await serve(t, (req, res) => {
    const name = req.url.slice(1);
    res.writeHead(200, { "content-type": "application/json", "content-encoding": name === "deflate-raw" ? "deflate" : name });
    res.end(encoders[name]!(Buffer.from(JSON.stringify({ name, text: "x".repeat(5000) }))));
  });
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: origin, env: {} }));
  for (const name of Object.keys(encoders)) {
    const { data } = await octokit.request(`GET /${name}`);
    assert.deepEqual(data, { name, text: "x".repeat(5000) });
  }
  assert.match(String(seen[0]!.headers["accept-encoding"]), /gzip/);
});

test("Redirects are followed as fetch follows them: 303 turns a POST into a GET, another origin gets no Authorization", async (t) => {
  const other = await serve(t, (req, res) => json(res, 200, { where: "other", method: req.method }));
  const { origin, seen } = await serve(t, (req, res) => {
    if (req.url === "/moved") return void res.writeHead(301, { location: "/repos/octo/renamed" }).end();
    if (req.url === "/see-other") return void res.writeHead(303, { location: "/done" }).end();
    if (req.url === "/away") return void res.writeHead(307, { location: `${other.origin}/there` }).end();
    json(res, 200, { where: req.url, method: req.method, body: req.body });
  });
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: origin, auth: "ghs_secret", env: {} }));
  const moved = await octokit.request("GET /moved");
  assert.deepEqual(moved.data, { where: "/repos/octo/renamed", method: "GET", body: "" });
  assert.equal(moved.url, `${origin}/repos/octo/renamed`);
  const seeOther = await octokit.request("POST /see-other", { data: { a: 1 } });
  assert.deepEqual(seeOther.data, { where: "/done", method: "GET", body: "" });
  const away = await octokit.request("POST /away", { data: { a: 1 } });
  assert.deepEqual(away.data, { where: "other", method: "POST" });
  assert.equal(other.seen[0]!.body, '{"a":1}', "307 keeps method and body");
  assert.equal(other.seen[0]!.headers.authorization, undefined, "the token does not follow a redirect to another origin");
  assert.equal(seen.find((r) => r.url === "/moved")!.headers.authorization, "token ghs_secret");

  const manual = await httpFetch(`${origin}/moved`, { redirect: "manual" });
  assert.equal(manual.status, 301);
  assert.equal(manual.headers.get("Location"), "/repos/octo/renamed");
  await assert.rejects(httpFetch(`${origin}/moved`, { redirect: "error" }), { name: "TypeError", message: "fetch failed" });
});

test("A redirect loop ends after 20 redirects with a network error naming it", async (t) => {
  const { origin, seen } = await serve(t, (_req, res) => void res.writeHead(302, { location: "/again" }).end());
  const error = await httpFetch(`${origin}/loop`).catch((e: unknown) => e);
  assert.ok(error instanceof TypeError);
  assert.equal((error.cause as Error).message, "redirect count exceeded");
  assert.equal(seen.length, 21);
});

test("An aborted signal ends the request: Octokit sees the AbortError (not retried)", async (t) => {
  const { origin, seen } = await serve(t, () => undefined); // never answers
  const controller = new AbortController();
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: origin, env: {}, retry: { retryAfterBaseValue: 1 } }));
  const pending = octokit.request("GET /slow", { request: { signal: controller.signal } }).catch((e: unknown) => e);
  // poll on state: abort once the server has the request
  while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  controller.abort();
  const error = (await pending) as Error & { status?: number };
  assert.equal(error.name, "AbortError");
  assert.equal(error.status, 500);
  assert.equal(seen.length, 1);
  await assert.rejects(httpFetch(`${origin}/x`, { signal: AbortSignal.abort() }), { name: "AbortError" });
});

test("Response headers read as fetch shows them: lower-case names, repeated ones joined, get() and iteration", async (t) => {
  const { origin } = await serve(t, (_req, res) => {
    res.setHeader("X-Multi", ["a", "b"]);
    res.setHeader("Link", '<https://api.github.com/x?page=2>; rel="next"');
    res.writeHead(201, "Made", { "content-type": "text/plain; charset=utf-8" });
    res.end("héllo");
  });
  const response = await httpFetch(`${origin}/`);
  assert.equal(response.status, 201);
  assert.equal(response.statusText, "Made");
  assert.equal(response.ok, true);
  assert.equal(response.headers.get("x-multi"), "a, b");
  assert.equal(response.headers.get("LINK"), '<https://api.github.com/x?page=2>; rel="next"');
  assert.equal(response.headers.get("absent"), null);
  assert.deepEqual(
    [...response.headers].map(([name]) => name).filter((name) => name.startsWith("x-") || name === "link" || name === "content-type"),
    ["content-type", "link", "x-multi"],
  );
  assert.equal(await response.text(), "héllo");
  assert.equal(Buffer.from(await response.arrayBuffer()).toString("utf8"), "héllo");
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body!) chunks.push(chunk);
  assert.equal(Buffer.concat(chunks).toString("utf8"), "héllo");
});

test("A body that is not a string or bytes (a stream) is sent by the global fetch instead", async (t) => {
  const { origin, seen } = await serve(t, (req, res) => json(res, 200, { got: req.body }));
  const stream = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("streamed"));
      controller.close();
    },
  });
  const response = await httpFetch(`${origin}/upload`, { method: "POST", body: stream, headers: { "content-type": "text/plain" }, duplex: "half" } as HttpFetchInit);
  assert.deepEqual(await response.json(), { got: "streamed" });
  assert.equal(seen[0]!.method, "POST");
});

test("A connection that breaks before the answer is a network failure, retried, then EGITHUBUNREACHABLE", async (t) => {
  const { origin, server } = await serve(t, () => undefined);
  let attempts = 0;
  server.on("request", (req: IncomingMessage) => {
    attempts++;
    req.socket.destroy();
  });
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: origin, auth: "ghs_x", env: {}, retry: { retryAfterBaseValue: 1 } }));
  const error = await octokit.request("GET /repos/{owner}/{repo}", { owner: "o", repo: "r" }).catch((e: unknown) => e);
  assert.ok(error instanceof RequestError);
  assert.equal(attempts, 4, "retried like a 5xx");
  const mapped = apiFailure(error, origin)!;
  assert.equal(mapped.code, "EGITHUBUNREACHABLE");
  assert.match(mapped.message, /could not be reached for GET \/repos\/o\/r: socket hang up \(ECONNRESET\)$/);
  assert.match(String(mapped.details), /no answer after 4 attempts/);
});

test("A POST without a body says content-length: 0, as fetch does (no chunked encoding); a body's length is sent", async (t) => {
  const { origin, seen } = await serve(t, (_req, res) => json(res, 200, {}));
  await httpFetch(`${origin}/empty`, { method: "POST" });
  await httpFetch(`${origin}/json`, { method: "POST", body: '{"é":1}', headers: { "content-type": "application/json" } });
  await httpFetch(`${origin}/get`);
  assert.deepEqual(
    seen.map((r) => [r.url, r.headers["content-length"], r.headers["transfer-encoding"]]),
    [
      ["/empty", "0", undefined],
      ["/json", "8", undefined],
      ["/get", undefined, undefined],
    ],
  );
});
