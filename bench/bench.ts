// `npm run bench`: performance of semantic-release-github-app against the local GitHub
// stand-in. Prints one markdown table (measure | target | measured | pass/fail), every figure from
// this run; progress and details go to stderr. Exit code 1 when a target fails. Not part of `npm test`.
//
//   1. round trips on the verifyConditions critical path (in-process, injected latency), with and
//      without GITHUB_APP_INSTALLATION_ID; requests on the critical path; duplicate GETs
//   2. API requests per release through the real CLI: full release, --dry-run, commitMode "api"
//   3. whole-release wall time with this plugin ÷ the usual way (@semantic-release/git + GITHUB_TOKEN)
//   4. import time of the built plugin ÷ import time of @semantic-release/github (cold processes)
//   5. peak RSS of the release process with this plugin − the usual way (the runs of 3)
//   6. scale: 50 rulesets (30 branch, 20 tag) and 100 changed asset files
//   7. a monorepo: 20 packages released in one process by @anolilab/multi-semantic-release, with this
//      plugin vs with @semantic-release/git: tokens minted, rules read, requests, wall time
//   8. a release with pushMode "pull-request" (the pull request merges at once) next to the same
//      release in direct mode: REST, GraphQL and git requests
import { execFile } from "node:child_process";
import { mkdir, readFile, readdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ROOT, releaseWorld, type ReleaseWorld, type ReleaseWorldOptions } from "../test/helpers/e2e.js";
import type { RecordedRequest } from "github-stand-in";
import { measureVerifyConditions, duplicateGets, type PluginModule, type StepMeasure } from "./verify-conditions.js";
import { median, mib, ms, renderTable, seconds, type Row } from "./stats.js";

const run = promisify(execFile);

// 200 ms rather than 100: on a busy machine a run varies by ±50 ms, ±0.25 round trips at this latency
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200);
const STEP_RUNS = Number(process.env.BENCH_STEP_RUNS ?? 5);
/** the 50-ruleset runs take ~1 s each with latency: fewer of them */
const SCALE_STEP_RUNS = Number(process.env.BENCH_SCALE_STEP_RUNS ?? 3);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 15);
/** the issue's targets for lines 3 and 5 */
const WALL_TARGET = 1.05;
const RSS_TARGET_MB = 20;
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 5);
/** comma-separated line numbers to run (default all), for working on one line */
const ONLY = new Set((process.env.BENCH_ONLY ?? "1,2,3,4,5,6,7,8").split(",").map((s) => s.trim()));
/** line 7: packages in the workspace, and alternating pairs of runs (each run releases every package) */
const MONOREPO_PACKAGES = Number(process.env.BENCH_MONOREPO_PACKAGES ?? 20);
const MONOREPO_PAIRS = Number(process.env.BENCH_MONOREPO_PAIRS ?? 2);

/** another build of the plugin to measure instead of dist/ (e.g. `tsc -p tsconfig.build.json --outDir .tmp/a` before a change), not rebuilt */
const OTHER_BUILD = process.env.BENCH_PLUGIN ? resolve(process.env.BENCH_PLUGIN) : undefined;
const DIST = OTHER_BUILD ?? join(ROOT, "dist", "index.js");
const TOUCH_ASSETS = join(ROOT, "bench", "touch-assets.mjs");
const PEAK_RSS = pathToFileURL(join(ROOT, "bench", "peak-rss.mjs")).href;
const MONOREPO_TOOL = join(ROOT, "node_modules", "@anolilab", "multi-semantic-release", "bin", "cli.js");
const BENCH_TMP = join(ROOT, ".tmp", "bench");

/** this plugin in a plugins list: the built one when the build succeeded (set in main) */
let pluginEntry = (options: Record<string, unknown> = {}): [string, Record<string, unknown>] => [join(ROOT, "index.ts"), options];

const rows: Row[] = [];
const problems: string[] = [];
const note = (message: string) => process.stderr.write(`${message}\n`);

// ---- the built plugin -----------------------------------------------------------------------------

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, (await stat(path)).mtimeMs);
  }
  return newest;
}

/** Builds dist/ (npm run build) when it is missing or older than a source file. */
async function ensureBuilt(): Promise<boolean> {
  if (OTHER_BUILD) return true;
  const sources = Math.max(
    (await stat(join(ROOT, "index.ts"))).mtimeMs,
    (await stat(join(ROOT, "tsconfig.build.json"))).mtimeMs,
    await newestSource(join(ROOT, "lib")),
  );
  const built = await stat(DIST).then((s) => s.mtimeMs, () => 0);
  if (built >= sources) return true;
  note(built ? "dist/ is older than the sources: npm run build" : "dist/ is missing: npm run build");
  try {
    await run("npm", ["run", "build", "--silent"], { cwd: ROOT });
    return true;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    problems.push(`npm run build failed; lines 1 and 6 used index.ts through tsx, line 4 was not measured:\n${stdout}${stderr}`.trim());
    return false;
  }
}

// ---- worlds ---------------------------------------------------------------------------------------

/** GitHub's bypass entry for the world's App ("Always allow"). */
const appBypass = (world: ReleaseWorld) => [{ actor_id: world.app.id, actor_type: "Integration" as const, bypass_mode: "always" as const }];

/** `branch` rulesets on main (pull requests required) and `tag` rulesets on v* tags, each with the App as bypass actor. */
function addRulesets(world: ReleaseWorld, branch: number, tag: number): void {
  for (let i = 0; i < branch; i++) {
    world.standIn.addRuleset(world.repo, {
      name: branch === 1 ? "Protect main" : `Protect main ${i + 1}`,
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
      rules: [{ type: "pull_request", parameters: { required_approving_review_count: 1 } }, { type: "non_fast_forward" }],
      bypass_actors: appBypass(world),
    });
  }
  for (let i = 0; i < tag; i++) {
    world.standIn.addRuleset(world.repo, {
      name: tag === 1 ? "Release tags" : `Release tags ${i + 1}`,
      target: "tag",
      conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
      rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }],
      bypass_actors: appBypass(world),
    });
  }
}

/** `count` files assets/file-<i>.txt in the repository's first commit (the touch-assets plugin rewrites them). */
function assetFiles(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`assets/file-${i}.txt`, `file ${i}\n`]));
}

const USUAL_PLUGINS = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator", "@semantic-release/changelog"];

async function world(options: ReleaseWorldOptions, rulesets: [branch: number, tag: number] = [0, 0]): Promise<ReleaseWorld> {
  const w = await releaseWorld({ checkout: "v4", ...options });
  addRulesets(w, ...rulesets);
  return w;
}

// ---- CLI runs -------------------------------------------------------------------------------------

interface CliMeasure {
  wallMs: number;
  /** peak RSS of the semantic-release process, KiB */
  peakRssKib: number;
  /** whether that process loaded Node's built-in fetch (bench/peak-rss.mjs) */
  nodeFetch: boolean;
  rest: RecordedRequest[];
  git: RecordedRequest[];
}

let rssFiles = 0;
/** One run of the real semantic-release CLI, or of `bin` (world.run: node --import tsx); exit code 0 required. */
async function cli(w: ReleaseWorld, label: string, args: string[] = [], env: Record<string, string | undefined> = {}, bin?: string): Promise<CliMeasure> {
  await mkdir(BENCH_TMP, { recursive: true });
  const rssFile = join(BENCH_TMP, `rss-${process.pid}-${rssFiles++}`);
  const mark = w.standIn.mark();
  const start = performance.now();
  const result = await w.run(args, { ...env, NODE_OPTIONS: `--import ${PEAK_RSS}`, BENCH_PEAK_RSS_FILE: rssFile }, { ...(bin && { bin }) });
  const wallMs = performance.now() - start;
  const requests = w.standIn.requests({ since: mark });
  const { maxRss: peakRssKib = Number.NaN, nodeFetch = false } = JSON.parse(await readFile(rssFile, "utf8").catch(() => "{}")) as { maxRss?: number; nodeFetch?: boolean };
  await rm(rssFile, { force: true });
  if (result.code !== 0) throw new Error(`${label}: semantic-release exited with ${result.code}\n${result.stdout}\n${result.stderr}`);
  if (!/Published release|The release was not published|Release note for version/.test(result.stdout + result.stderr)) {
    throw new Error(`${label}: no release\n${result.stdout}\n${result.stderr}`);
  }
  return { wallMs, peakRssKib, nodeFetch, rest: requests.filter((r) => !r.git), git: requests.filter((r) => r.git) };
}

const counts = (m: CliMeasure) => `${m.rest.length} REST, ${m.git.length} git`;

// ---- line 4: import time --------------------------------------------------------------------------

async function importMs(specifier: string): Promise<number> {
  const code = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", code], { cwd: ROOT });
  return Number(stdout);
}

async function lineImportTime(): Promise<void> {
  note("4. import time (cold processes)");
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < IMPORT_RUNS; i++) {
    ours.push(await importMs(pathToFileURL(DIST).href));
    theirs.push(await importMs("@semantic-release/github"));
  }
  const ratio = median(ours) / median(theirs);
  rows.push({
    measure: "4. import time: built plugin ÷ @semantic-release/github (cold, median of " + IMPORT_RUNS + ")",
    target: "≤ 0.50",
    measured: `${ratio.toFixed(2)} (${ms(median(ours))} / ${ms(median(theirs))})`,
    pass: ratio <= 0.5,
  });
}

// ---- lines 1, 2, 6 ----------------------------------------------------------------------------------

function roundTripRows(prefix: string, label: string, m: StepMeasure, target: number): void {
  rows.push({
    measure: `${prefix} verifyConditions round trips, ${label}`,
    target: `≤ ${target}`,
    measured: `${m.roundTrips.toFixed(1)} (best of ${STEP_RUNS}: ${ms(m.withLatencyMs)} with ${LATENCY_MS} ms latency, ${ms(m.withoutLatencyMs)} without)`,
    // whole round trips: a few ms of CPU that grow with latency (timers, sockets) are noise
    pass: m.roundTrips < target + 0.5,
  });
  rows.push({
    measure: `${prefix} requests on the critical path, ${label}`,
    target: `≤ ${target}`,
    measured: `${m.criticalPath} of ${m.requests} requests`,
    // 0: no request was seen (bench/verify-conditions.ts watches node:http's diagnostics channel)
    pass: m.criticalPath >= 1 && m.criticalPath <= target,
  });
  rows.push({ measure: `${prefix} duplicate GETs in verifyConditions, ${label}`, target: "0", measured: String(m.duplicates.length), pass: m.duplicates.length === 0 });
  note(`   ${label}: ${m.waves.map((w, i) => `\n     wave ${i + 1}: ${w}`).join("")}`);
  if (m.duplicates.length) problems.push(`duplicate GETs in verifyConditions (${label}): ${m.duplicates.join(", ")}`);
  for (const p of m.problems) problems.push(`verifyConditions (${label}): ${p}`);
}

async function stepMeasures(plugin: PluginModule, w: ReleaseWorld, runs: number): Promise<{ withId: StepMeasure; withoutId: StepMeasure }> {
  const withId = await measureVerifyConditions(plugin, w, { installationId: w.installation.id, latencyMs: LATENCY_MS, runs });
  const withoutId = await measureVerifyConditions(plugin, w, { installationId: undefined, latencyMs: LATENCY_MS, runs });
  return { withId, withoutId };
}

async function linesStepAndRequests(plugin: PluginModule | undefined): Promise<{ withId: StepMeasure; withoutId: StepMeasure } | undefined> {
  let measures: { withId: StepMeasure; withoutId: StepMeasure } | undefined;
  // one repository with one branch ruleset and one tag ruleset, the App on both bypass lists
  const w = await world({ plugins: [...USUAL_PLUGINS, pluginEntry()] }, [1, 1]);
  try {
    if (plugin && ONLY.has("1")) {
      note("1. verifyConditions in-process, 1 branch + 1 tag ruleset");
      measures = await stepMeasures(plugin, w, STEP_RUNS);
      const { withId, withoutId } = measures;
      roundTripRows("1.", "with GITHUB_APP_INSTALLATION_ID", withId, 3);
      roundTripRows("1.", "without it", withoutId, 4);
    }
    if (ONLY.has("2")) {
      note("2. requests per release (real CLI)");
      // the dry run first: it changes nothing on the remote, so the full release follows in the same world
      const dry = await cli(w, "dry run", ["--dry-run"]);
      const full = await cli(w, "full release");
      const dupes = duplicateGets(full.rest);
      rows.push({ measure: "2. API requests, full release (1 branch + 1 tag ruleset)", target: "≤ 10 REST", measured: counts(full), pass: full.rest.length <= 10 });
      rows.push({ measure: "2. duplicate GETs, full release", target: "0", measured: String(dupes.length), pass: dupes.length === 0 });
      rows.push({ measure: "2. API requests, --dry-run", target: "–", measured: counts(dry), pass: undefined });
      note(`   full release REST: ${full.rest.map((r) => r.route).join(", ")}`);
      if (dupes.length) problems.push(`duplicate GETs in the full release: ${dupes.join(", ")}`);
    }
  } finally {
    await w.close();
  }
  if (ONLY.has("2")) {
    // three NEW files: the stand-in's POST git/trees cannot yet replace a file of the base tree
    // (`git update-index --force-remove` needs a work tree), so the files are not in the repository
    const api = await world(
      {
        plugins: ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator", [TOUCH_ASSETS, { count: 3 }], pluginEntry({ commitMode: "api", assets: ["assets/*"] })],
      },
      [1, 1],
    );
    try {
      const m = await cli(api, "commitMode api");
      rows.push({ measure: "2. API requests, commitMode \"api\", 3 asset files", target: "–", measured: `${counts(m)} (${seconds(m.wallMs)})`, pass: undefined });
      note(`   commitMode api REST: ${m.rest.map((r) => r.route).join(", ")}`);
    } finally {
      await api.close();
    }
  }
  return measures;
}

async function lineScale(plugin: PluginModule | undefined, oneRuleset: { withId: StepMeasure; withoutId: StepMeasure } | undefined): Promise<void> {
  note("6. scale: 30 branch + 20 tag rulesets, 100 asset files");
  const w = await world(
    {
      files: assetFiles(100),
      plugins: ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator", [TOUCH_ASSETS, { count: 100 }], pluginEntry({ assets: ["assets/*"] })],
    },
    [30, 20],
  );
  try {
    if (plugin) {
      const { withId, withoutId } = await stepMeasures(plugin, w, SCALE_STEP_RUNS);
      const base = oneRuleset ? ` (1 ruleset each: ${oneRuleset.withId.roundTrips.toFixed(1)} / ${oneRuleset.withoutId.roundTrips.toFixed(1)})` : "";
      rows.push({
        measure: "6. verifyConditions round trips, 50 rulesets, with / without installation ID",
        target: "≤ 3 / ≤ 4 (as with 1 ruleset)",
        measured: `${withId.roundTrips.toFixed(1)} / ${withoutId.roundTrips.toFixed(1)}${base}`,
        pass: withId.roundTrips < 3.5 && withoutId.roundTrips < 4.5,
      });
      rows.push({
        measure: "6. requests on the critical path, 50 rulesets, with / without installation ID",
        target: "≤ 3 / ≤ 4",
        measured: `${withId.criticalPath} / ${withoutId.criticalPath} (of ${withId.requests} / ${withoutId.requests} requests)`,
        pass: withId.criticalPath <= 3 && withoutId.criticalPath <= 4,
      });
      const dupes = [...withId.duplicates, ...withoutId.duplicates];
      rows.push({ measure: "6. duplicate GETs in verifyConditions, 50 rulesets", target: "0", measured: String(dupes.length), pass: dupes.length === 0 });
      note(`   with installation ID: ${withId.waves.map((x, i) => `\n     wave ${i + 1}: ${x}`).join("")}`);
      note(`   without: ${withoutId.waves.map((x, i) => `\n     wave ${i + 1}: ${x}`).join("")}`);
      for (const p of [...withId.problems, ...withoutId.problems]) problems.push(`verifyConditions (50 rulesets): ${p}`);
    }
    const full = await cli(w, "50 rulesets, 100 assets");
    rows.push({ measure: "6. full release, 50 rulesets, 100 changed asset files", target: "–", measured: `${seconds(full.wallMs)}, ${counts(full)}`, pass: undefined });
  } finally {
    await w.close();
  }
}

// ---- lines 3 and 5: this plugin vs the usual way ----------------------------------------------------

async function linesWallAndMemory(): Promise<void> {
  note(`3./5. a warm-up pair, then ${PAIRS} alternating pairs of releases: this plugin vs @semantic-release/git with GITHUB_TOKEN`);
  const ours: CliMeasure[] = [];
  const usual: CliMeasure[] = [];
  const release = async (side: "ours" | "usual"): Promise<CliMeasure> => {
    const w = await world({ plugins: [...USUAL_PLUGINS, side === "ours" ? pluginEntry() : "@semantic-release/git"] });
    try {
      return side === "ours"
        ? await cli(w, "with the plugin")
        : await cli(w, "the usual way", [], { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined });
    } finally {
      await w.close();
    }
  };
  // Not counted: the first release of each side reads the files from disk into the page cache, and
  // the stand-in (in this process) loads GitHub's OpenAPI description and compiles the validator of
  // each route on the first request to it, a second that would fall on this plugin's first release.
  const warm = [await release("ours"), await release("usual")];
  note(`   warm-up: ${seconds(warm[0]!.wallMs)} vs ${seconds(warm[1]!.wallMs)}, ${mib(warm[0]!.peakRssKib)} vs ${mib(warm[1]!.peakRssKib)}`);
  // ABBA order: drift in the machine's load hits both sides alike
  for (let i = 0; i < PAIRS; i++) {
    for (const side of i % 2 === 0 ? (["ours", "usual"] as const) : (["usual", "ours"] as const)) (side === "ours" ? ours : usual).push(await release(side));
    const [a, b] = [ours.at(-1)!, usual.at(-1)!];
    note(`   pair ${i + 1}: ${seconds(a.wallMs)} vs ${seconds(b.wallMs)} (${(a.wallMs / b.wallMs).toFixed(2)}), ${mib(a.peakRssKib)} vs ${mib(b.peakRssKib)}, ${counts(a)} vs ${counts(b)}`);
  }
  // lib/http/fetch.ts keeps Node's fetch out of a release without a proxy
  if (ours.some((m) => m.nodeFetch)) problems.push("the release process loaded Node's built-in fetch (undici): lib/http/fetch.ts should keep it out");
  if (ONLY.has("3")) rows.push(wallTimeRow(ours, usual));
  if (ONLY.has("5")) rows.push(peakRssRow(ours, usual));
}

/** Line 3: the ratio of the medians, each side's fastest run and the median of the pairs' ratios next to it. */
function wallTimeRow(ours: CliMeasure[], usual: CliMeasure[]): Row {
  const oursMs = median(ours.map((m) => m.wallMs));
  const usualMs = median(usual.map((m) => m.wallMs));
  const fastest = Math.min(...ours.map((m) => m.wallMs)) / Math.min(...usual.map((m) => m.wallMs));
  const pairRatios = median(ours.map((m, i) => m.wallMs / usual[i]!.wallMs));
  return {
    measure: `3. whole-release wall time: plugin ÷ @semantic-release/git (median of ${PAIRS} each)`,
    target: `≤ ${WALL_TARGET.toFixed(2)}`,
    measured: `${(oursMs / usualMs).toFixed(2)} (${seconds(oursMs)} / ${seconds(usualMs)}; fastest runs: ${fastest.toFixed(2)}, pairs: ${pairRatios.toFixed(2)})`,
    pass: oursMs / usualMs <= WALL_TARGET,
  };
}

/**
 * Line 5: the minimum of each side. A peak only moves up with noise (a late garbage collection, a
 * page the kernel has not reclaimed yet), so the smallest peak of N runs is the steadiest figure.
 * The medians' difference is shown next to it (docs/performance.md: how much each moves).
 */
function peakRssRow(ours: CliMeasure[], usual: CliMeasure[]): Row {
  const oursRss = Math.min(...ours.map((m) => m.peakRssKib));
  const usualRss = Math.min(...usual.map((m) => m.peakRssKib));
  const diff = oursRss - usualRss;
  const medianDiff = median(ours.map((m) => m.peakRssKib)) - median(usual.map((m) => m.peakRssKib));
  return {
    measure: `5. peak RSS of the release process: plugin − @semantic-release/git (minimum of ${PAIRS} each)`,
    target: `≤ ${RSS_TARGET_MB} MB`,
    measured: `${mib(diff)} (${mib(oursRss)} − ${mib(usualRss)}; medians: ${mib(medianDiff)})`,
    pass: Number.isFinite(diff) && diff <= RSS_TARGET_MB * 1024,
  };
}

// ---- line 7: a monorepo, every package in one process ------------------------------------------------

/** One release of the whole workspace by the monorepo tool; with `usual`, @semantic-release/git and the workflow token. */
async function monorepoRun(names: string[], usual: boolean): Promise<{ m: CliMeasure; live: number }> {
  const w = await world({ packages: names, plugins: [...USUAL_PLUGINS, usual ? "@semantic-release/git" : pluginEntry()] });
  try {
    const env = usual ? { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined } : {};
    const m = await cli(w, usual ? "monorepo, the usual way" : "monorepo with the plugin", [], env, MONOREPO_TOOL);
    const released = w.standIn.refPushes({ accepted: true }).filter((p) => p.updates.some((u) => u.ref.startsWith("refs/tags/"))).length;
    if (!usual && released !== names.length) problems.push(`monorepo: ${released} of ${names.length} package tags pushed`);
    return { m, live: w.standIn.tokens({ appId: w.app.id }).filter((t) => !t.revoked).length };
  } finally {
    await w.close();
  }
}

async function lineMonorepo(): Promise<void> {
  note(`7. ${MONOREPO_PACKAGES} packages in one process (@anolilab/multi-semantic-release), ${MONOREPO_PAIRS} alternating pairs: this plugin vs @semantic-release/git`);
  const names = Array.from({ length: MONOREPO_PACKAGES }, (_, i) => `pkg-${String(i + 1).padStart(2, "0")}`);
  const ours: CliMeasure[] = [];
  const usual: CliMeasure[] = [];
  for (let i = 0; i < MONOREPO_PAIRS; i++) {
    for (const side of i % 2 === 0 ? [false, true] : [true, false]) {
      const { m, live } = await monorepoRun(names, side);
      (side ? usual : ours).push(m);
      if (live > 0) problems.push(`monorepo: ${live} App token(s) left unrevoked`);
    }
    note(`   pair ${i + 1}: ${seconds(ours.at(-1)!.wallMs)} vs ${seconds(usual.at(-1)!.wallMs)}, ${counts(ours.at(-1)!)} vs ${counts(usual.at(-1)!)}`);
  }
  const of = (m: CliMeasure, route: string) => m.rest.filter((r) => r.route === route).length;
  const mints = Math.max(...ours.map((m) => of(m, "POST /app/installations/{installation_id}/access_tokens")));
  const reads = Math.max(...ours.map((m) => of(m, "GET /repos/{owner}/{repo}/rules/branches/{branch}")));
  rows.push({
    measure: `7. ${MONOREPO_PACKAGES} packages in one process: App tokens minted / branch rules read (worst run)`,
    target: "1 / 1",
    measured: `${mints} / ${reads} (${counts(ours[0]!)} for the run; @semantic-release/git: ${counts(usual[0]!)})`,
    pass: mints === 1 && reads === 1,
  });
  const ratio = median(ours.map((m) => m.wallMs)) / median(usual.map((m) => m.wallMs));
  rows.push({
    measure: `7. ${MONOREPO_PACKAGES} packages in one process: wall time plugin ÷ @semantic-release/git (median of ${MONOREPO_PAIRS})`,
    target: "≤ 1.05",
    measured: `${ratio.toFixed(2)} (${seconds(median(ours.map((m) => m.wallMs)))} / ${seconds(median(usual.map((m) => m.wallMs)))})`,
    pass: ratio <= 1.05,
  });
}

// ---- line 8: pushMode "pull-request" ----------------------------------------------------------------

/** line 8: the direct release (8 REST here), the 8 the pull request adds (open, merge, read, clean up), and room for a few looks while GitHub computes the merge (docs/performance.md) */
const PULL_REQUEST_TARGET = 25;

/** One release in a repository whose only ruleset guards the tags (the App on its bypass list), so a pull request merges at once (REST merge). */
async function pushModeRelease(pushMode: "direct" | "pull-request"): Promise<CliMeasure & { graphql: number }> {
  const permissions = { contents: "write", metadata: "read", pull_requests: "write", checks: "read" } as const;
  const w = await world({ installationPermissions: permissions, plugins: [...USUAL_PLUGINS, pluginEntry({ pushMode })] }, [0, 1]);
  try {
    const m = await cli(w, `pushMode ${pushMode}`);
    const graphql = m.rest.filter((r) => r.route === "POST /graphql").length;
    const first = Math.min(...[...m.rest, ...m.git].map((r) => r.at));
    const at = (r: RecordedRequest) => `+${ms(r.at - first)} ${r.route}`;
    note(`   ${pushMode} (${seconds(m.wallMs)}): ${[...m.rest, ...m.git].sort((a, b) => a.at - b.at).map(at).join(", ")}`);
    return { ...m, rest: m.rest.filter((r) => r.route !== "POST /graphql"), graphql };
  } finally {
    await w.close();
  }
}

async function linePullRequest(): Promise<void> {
  note("8. pushMode \"pull-request\" vs direct (real CLI; the pull request merges at once)");
  const direct = await pushModeRelease("direct");
  const pr = await pushModeRelease("pull-request");
  const api = pr.rest.length + pr.graphql;
  // the line means nothing unless the release really went through a pull request that was merged
  const merged = ["POST /repos/{owner}/{repo}/pulls", "PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge"].every((route) => pr.rest.some((r) => r.route === route && r.status < 300));
  if (!merged) problems.push("line 8: the pull-request release opened or merged no pull request");
  const three = (m: CliMeasure & { graphql: number }) => `${m.rest.length} REST, ${m.graphql} GraphQL, ${m.git.length} git`;
  rows.push({
    measure: "8. API requests, pushMode \"pull-request\" (merges at once) / direct, 1 tag ruleset",
    target: `≤ ${PULL_REQUEST_TARGET} REST + GraphQL`,
    measured: `${three(pr)} (${seconds(pr.wallMs)}) / ${three(direct)} (${seconds(direct.wallMs)})`,
    pass: api <= PULL_REQUEST_TARGET,
  });
}

// ---- main -------------------------------------------------------------------------------------------

const started = performance.now();
const built = await ensureBuilt();
// the built plugin, as users get it from npm: the harness's PLUGIN is index.ts, which tsx would
// transpile in every run, a cost no user pays
if (built) pluginEntry = (options = {}) => [DIST, options];
const plugin: PluginModule | undefined =
  ONLY.has("1") || ONLY.has("6") ? ((await import(built ? pathToFileURL(DIST).href : "../index.js")) as PluginModule) : undefined;

const lap = (label: string) => note(`   (${label} done at ${seconds(performance.now() - started)})`);
if (ONLY.has("4") && built) await lineImportTime().then(() => lap("4"));
const oneRuleset = ONLY.has("1") || ONLY.has("2") ? await linesStepAndRequests(plugin) : undefined;
lap("1, 2");
if (ONLY.has("6")) await lineScale(plugin, oneRuleset).then(() => lap("6"));
if (ONLY.has("3") || ONLY.has("5")) await linesWallAndMemory().then(() => lap("3, 5"));
if (ONLY.has("7")) await lineMonorepo().then(() => lap("7"));
if (ONLY.has("8")) await linePullRequest().then(() => lap("8"));

const order = (r: Row) => Number.parseInt(r.measure, 10);
rows.sort((a, b) => order(a) - order(b));
process.stdout.write(`${renderTable(rows)}\n`);
note(`\n${rows.length} measures in ${seconds(performance.now() - started)}; node ${process.version}, latency ${LATENCY_MS} ms`);
for (const p of problems) note(`problem: ${p}`);
process.exitCode = rows.some((r) => r.pass === false) || problems.length > 0 ? 1 : 0;
