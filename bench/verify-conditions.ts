// Line 1 and 6 of the benchmark: the verifyConditions step in-process, against the stand-in of a
// release world, with and without an injected latency L per request.
//
//   round trips = (best wall time with L − best wall time without) ÷ L
//
// (best of the runs: on a busy machine other work only ever adds time, to either side)
//
// and, from the times each request of the step started and ended (node:http's diagnostics channel
// `http.client.request.start`, which lib/http/fetch.ts's requests publish, observed while the step
// runs; a request ends when its ClientRequest closes), the longest chain of requests each started
// after the one before it had ended: the requests on the critical path. Requests at the same depth of that chain form a
// wave: they went out in parallel. Request counts and duplicates come from the stand-in's request log.
import diagnostics from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { Writable } from "node:stream";
import type { VerifyConditionsContext } from "semantic-release";
import type { ReleaseWorld } from "../test/helpers/e2e.js";
import type { RecordedRequest } from "github-stand-in";
import { median } from "./stats.js";

export type PluginModule = typeof import("../index.js");

export interface StepMeasure {
  /** (best with latency − best without) ÷ latency */
  roundTrips: number;
  /** requests on the critical path (longest chain of requests each started after the previous ended), median over the runs */
  criticalPath: number;
  /** the waves of one run, e.g. ["POST …/access_tokens ∥ GET /app/installations/{id}", …] */
  waves: string[];
  /** REST requests of one run of the step */
  requests: number;
  /** GET requests sent more than once in one run (same path and query) */
  duplicates: string[];
  withLatencyMs: number;
  withoutLatencyMs: number;
  /** problems with the step itself: a token left unrevoked, the environment not restored */
  problems: string[];
}

const silentLogger = () => {
  const noop = () => {};
  return { log: noop, warn: noop, error: noop, success: noop, info: noop };
};
const sink = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

/**
 * One verifyConditions, then `success` to end the session (revoke the token, restore process.env).
 * `exportToken: false`: with the default, success/fail leave the end to the process-exit fallback
 * (later plugins still use the token), which an in-process benchmark never reaches. Exporting the
 * token changes no request.
 */
async function runStep(
  plugin: PluginModule,
  world: ReleaseWorld,
  installationId: number | undefined,
): Promise<{ ms: number; requests: RecordedRequest[]; calls: FetchCall[]; problems: string[] }> {
  const { standIn } = world;
  const env: Record<string, string> = {
    GITHUB_APP_CLIENT_ID: world.app.clientId,
    GITHUB_APP_PRIVATE_KEY: world.privateKey,
    GITHUB_API_URL: standIn.apiUrl,
    GITHUB_SERVER_URL: standIn.origin,
    ...(installationId === undefined ? {} : { GITHUB_APP_INSTALLATION_ID: String(installationId) }),
  };
  const context = {
    cwd: world.workDir,
    env,
    envCi: { isCi: true, branch: "main", commit: "" },
    options: { repositoryUrl: `${standIn.origin}/${world.repo.owner.login}/${world.repo.name}.git`, branches: ["main"], dryRun: false },
    branch: { name: "main" },
    branches: [{ name: "main" }],
    logger: silentLogger(),
    stdout: sink(),
    stderr: sink(),
  } as unknown as VerifyConditionsContext;
  const pluginConfig = { exportToken: false };
  const envBefore = JSON.stringify(Object.entries(process.env).sort());
  const problems: string[] = [];

  const mark = standIn.mark();
  const calls: FetchCall[] = [];
  const onStart = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const call: FetchCall = { method: request.method, url: `${request.protocol}//${request.host}${request.path}`, start: performance.now(), end: Number.POSITIVE_INFINITY };
    calls.push(call);
    request.once("close", () => (call.end = performance.now()));
  };
  diagnostics.subscribe("http.client.request.start", onStart);
  const start = performance.now();
  try {
    await plugin.verifyConditions(pluginConfig, context);
  } finally {
    diagnostics.unsubscribe("http.client.request.start", onStart);
  }
  const ms = performance.now() - start;
  const requests = standIn.requests({ since: mark });

  await plugin.success(pluginConfig, context as never);
  const live = standIn.tokens({ appId: world.app.id, live: true });
  if (live.length > 0) problems.push(`${live.length} App token(s) not revoked after success`);
  if (JSON.stringify(Object.entries(process.env).sort()) !== envBefore) problems.push("process.env not restored after success");
  return { ms, requests, calls, problems };
}

export interface FetchCall {
  method: string;
  url: string;
  start: number;
  end: number;
}

/**
 * The calls by depth: depth 1 = started before any other call had ended; depth n = started after a
 * call of depth n − 1 had ended. The number of waves is the length of the longest chain of calls each
 * started after the previous one ended (an upper bound of the dependent requests in a row).
 */
export function waves(calls: FetchCall[]): FetchCall[][] {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  const depth = new Map<FetchCall, number>();
  for (const call of sorted) {
    let d = 1;
    for (const before of sorted) if (before.end <= call.start) d = Math.max(d, depth.get(before)! + 1);
    depth.set(call, d);
  }
  const out: FetchCall[][] = [];
  for (const [call, d] of depth) (out[d - 1] ??= []).push(call);
  return out;
}

export function duplicateGets(requests: RecordedRequest[]): string[] {
  const seen = new Map<string, number>();
  for (const r of requests) if (r.method === "GET") seen.set(r.path, (seen.get(r.path) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([path, n]) => `GET ${path} ×${n}`);
}

/** `GET /api/v3/repos/octo/lib/rulesets/12?x` → `GET …/rulesets/{id}` */
function short(call: FetchCall): string {
  const path = new URL(call.url).pathname.replace(/^\/api\/v3/, "").replace(/^\/repos\/[^/]+\/[^/]+/, "…");
  return `${call.method} ${path.replace(/\/\d+(?=\/|$)/g, "/{id}").replace(/\/users\/.*/, "/users/{bot}").replace(/(branches\/)[^/]+/, "$1{branch}")}`;
}

export async function measureVerifyConditions(
  plugin: PluginModule,
  world: ReleaseWorld,
  opts: { installationId: number | undefined; latencyMs: number; runs: number },
): Promise<StepMeasure> {
  const { standIn } = world;
  const problems = new Set<string>();
  // warm-up: first-use costs (JIT, the stand-in's OpenAPI validators compiled per operation)
  standIn.setLatency(0);
  for (const p of (await runStep(plugin, world, opts.installationId)).problems) problems.add(p);

  const without: number[] = [];
  const withLatency: number[] = [];
  const pathLengths: number[] = [];
  let sample: RecordedRequest[] = [];
  let sampleCalls: FetchCall[] = [];
  for (let i = 0; i < opts.runs; i++) {
    standIn.setLatency(0);
    const fast = await runStep(plugin, world, opts.installationId);
    without.push(fast.ms);
    standIn.setLatency(opts.latencyMs);
    const slow = await runStep(plugin, world, opts.installationId);
    withLatency.push(slow.ms);
    pathLengths.push(waves(slow.calls).length);
    sample = slow.requests;
    sampleCalls = slow.calls;
    for (const p of [...fast.problems, ...slow.problems]) problems.add(p);
  }
  standIn.setLatency(0);
  const withoutLatencyMs = Math.min(...without);
  const withLatencyMs = Math.min(...withLatency);
  return {
    roundTrips: (withLatencyMs - withoutLatencyMs) / opts.latencyMs,
    criticalPath: median(pathLengths),
    waves: waves(sampleCalls).map((wave) => {
      const counts = new Map<string, number>();
      for (const r of wave) counts.set(short(r), (counts.get(short(r)) ?? 0) + 1);
      return [...counts].map(([route, n]) => (n > 1 ? `${n}× ${route}` : route)).join(" ∥ ");
    }),
    requests: sample.filter((r) => !r.git).length,
    duplicates: duplicateGets(sample),
    withLatencyMs,
    withoutLatencyMs,
    problems: [...problems],
  };
}
