// End-to-end harness: a user-owned (or org-owned) repository on the local GitHub stand-in, a
// workspace cloned the way actions/checkout does it (persisted workflow token), and a runner for
// the real semantic-release CLI with the environment of a GitHub Actions run. Every run records
// the argv of each git process (a wrapper on PATH) so tests can scan it for secrets.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile, chmod } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStandIn, type StandIn } from "../github-stand-in/index.js";
import { persistCheckoutCredentials } from "../github-stand-in/checkout.js";
import type { App, BypassActor, Installation, Permissions, Repository } from "../github-stand-in/world.js";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * The compatibility leg (test/compat/run.sh) sets SEMANTIC_RELEASE_DIR to test/compat/node_modules: the
 * semantic-release CLI and the plugins named in .releaserc then come from there (semantic-release 25 and
 * its generation of plugins) instead of the project's own node_modules (semantic-release 24).
 */
const SEMANTIC_RELEASE_DIR = process.env.SEMANTIC_RELEASE_DIR || undefined;
const SEMANTIC_RELEASE_BIN = join(SEMANTIC_RELEASE_DIR ?? join(ROOT, "node_modules"), "semantic-release/bin/semantic-release.js");
const TSX = import.meta.resolve("tsx");
const PLUGIN = join(ROOT, "index.ts");

export interface ReleaseWorldOptions {
  /** owner of the repository; an organization when `org` is true */
  owner?: string;
  org?: boolean;
  repo?: string;
  slug?: string;
  /** how actions/checkout left the workflow token behind; false = persist-credentials: false */
  checkout?: "v4" | "v6" | false;
  installationPermissions?: Permissions;
  tokenFormat?: "classic" | "stateless";
  tokenLifetimeSeconds?: number;
  keyFormat?: "pkcs1" | "pkcs8";
  /** options for this plugin in .releaserc */
  pluginOptions?: Record<string, unknown>;
  /** the full plugins list; `PLUGIN` stands for this plugin with `pluginOptions` */
  plugins?: unknown[];
  /** commits on top of the initial one, as conventional-commit messages */
  commits?: string[];
  /** extra files in the initial commit */
  files?: Record<string, string>;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** argv of every git process the run started, one array per process */
  gitArgv: string[][];
}

export interface ReleaseWorld {
  standIn: StandIn;
  repo: Repository;
  app: App;
  installation: Installation;
  /** the App's PEM, as a user stores it in a secret */
  privateKey: string;
  /** the workflow GITHUB_TOKEN */
  actionsToken: string;
  workDir: string;
  runnerTemp: string;
  /** environment of a GitHub Actions run with App credentials */
  env: Record<string, string>;
  run(args?: string[], extraEnv?: Record<string, string | undefined>, opts?: { signalAfter?: { pattern: RegExp; signal: NodeJS.Signals } }): Promise<RunResult>;
  /** sha of a ref on the remote, or undefined */
  remoteRef(ref: string): Promise<string | undefined>;
  /** `%an <%ae>|%cn <%ce>|%s` of a commit on the remote */
  remoteCommit(ref: string): Promise<{ author: string; committer: string; subject: string; sha: string }>;
  /** every secret the run could leak: minted App tokens, the key body, JWT-looking strings */
  findSecrets(text: string): string[];
  /** scans output, argv, files of the workspace and RUNNER_TEMP */
  scanForSecrets(result: RunResult): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * What most teams configure: `main` takes pull requests only ("Protect main") and `v*` tags are
 * protected ("Release tags"), both with the App on the bypass list in `mode` ("none": not on it).
 */
export function protectReleaseRefs(world: Pick<ReleaseWorld, "standIn" | "repo" | "app">, mode: BypassActor["bypass_mode"] | "none" = "always"): void {
  const bypass_actors: BypassActor[] = mode === "none" ? [] : [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: mode }];
  world.standIn.addRuleset(world.repo, {
    name: "Protect main",
    target: "branch",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [{ type: "pull_request" }, { type: "non_fast_forward" }],
    bypass_actors,
  });
  world.standIn.addRuleset(world.repo, {
    name: "Release tags",
    target: "tag",
    conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
    rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }],
    bypass_actors,
  });
}

/** `PLUGIN` in a plugins list is replaced by this plugin with the world's options. */
export const PLUGIN_PLACEHOLDER = "__PLUGIN__";

const TMP_ROOT = join(ROOT, ".tmp", "e2e");

export async function gitIn(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: { ...isolatedGitEnv(), ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args[0]} failed (${code}): ${err}`))));
  });
}

let gitConfigGlobal: string | undefined;
function isolatedGitEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: gitConfigGlobal ?? "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
  };
}

export async function releaseWorld(options: ReleaseWorldOptions = {}): Promise<ReleaseWorld> {
  await mkdir(TMP_ROOT, { recursive: true });
  const base = await mkdtemp(join(TMP_ROOT, "w-"));
  gitConfigGlobal = join(base, "gitconfig");
  await writeFile(gitConfigGlobal, "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n");

  const standIn = await startStandIn({
    ...(options.tokenFormat ? { tokenFormat: options.tokenFormat } : {}),
    ...(options.tokenLifetimeSeconds ? { tokenLifetimeSeconds: options.tokenLifetimeSeconds } : {}),
  });
  const ownerLogin = options.owner ?? (options.org ? "acme" : "octo");
  if (options.org) {
    standIn.createUser("octo");
    standIn.createOrg(ownerLogin, { octo: "admin" });
  } else {
    standIn.createUser(ownerLogin);
  }
  const repoName = options.repo ?? "lib";
  const repo = await standIn.createRepo(ownerLogin, repoName, {
    files: {
      "package.json": JSON.stringify({ name: repoName, version: "0.0.0-development", private: true }, null, 2) + "\n",
      ...options.files,
    },
  });
  const slug = options.slug ?? "release-bot";
  const { app, privateKey } = standIn.createApp({
    slug,
    name: "Release Bot",
    owner: ownerLogin,
    permissions: { contents: "write", metadata: "read", actions: "write" },
    keyFormat: options.keyFormat ?? "pkcs1",
  });
  const installation = standIn.installApp(app, ownerLogin, {
    repositories: [repoName],
    permissions: options.installationPermissions ?? { contents: "write", metadata: "read", actions: "write" },
  });
  const actionsToken = standIn.actionsToken(repo, { contents: "write", metadata: "read" });

  // Developer commits land on the remote directly (no hooks): they are the history to release.
  const seed = join(base, "seed");
  await gitIn(base, ["clone", "-q", repo.gitDir, seed]);
  await gitIn(seed, ["config", "user.name", "Dev"]);
  await gitIn(seed, ["config", "user.email", "dev@example.com"]);
  for (const [i, message] of (options.commits ?? ["feat: add the first feature"]).entries()) {
    await writeFile(join(seed, `change-${i}.txt`), `${message}\n`);
    await gitIn(seed, ["add", "."]);
    await gitIn(seed, ["commit", "-q", "-m", message]);
  }
  await gitIn(seed, ["push", "-q", "origin", "HEAD:refs/heads/main"], {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "core.hooksPath",
    GIT_CONFIG_VALUE_0: "/nonexistent-hooks",
  });

  // The workspace, as actions/checkout leaves it: cloned over HTTP, workflow token persisted.
  const workDir = join(base, "work");
  const runnerTemp = join(base, "runner-temp");
  await mkdir(runnerTemp);
  const remoteUrl = `${standIn.origin}/${ownerLogin}/${repoName}.git`;
  const cloneAuth = {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${standIn.origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${actionsToken}`).toString("base64")}`,
  };
  await gitIn(base, ["clone", "-q", remoteUrl, workDir], cloneAuth);
  if (options.checkout !== false) {
    await persistCheckoutCredentials(workDir, { origin: standIn.origin, token: actionsToken, layout: options.checkout ?? "v4", runnerTemp });
  }

  const plugins = (
    options.plugins ?? ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator", "@semantic-release/changelog", PLUGIN_PLACEHOLDER]
  ).map((p) => (p === PLUGIN_PLACEHOLDER ? [PLUGIN, options.pluginOptions ?? {}] : compatPlugin(p)));
  await writeFile(join(workDir, ".releaserc.json"), JSON.stringify({ branches: ["main"], plugins }, null, 2));
  // .releaserc.json is part of the repository in real life; keep the work tree clean.
  await writeFile(join(workDir, ".git", "info", "exclude"), ".releaserc.json\n");

  // A git wrapper that records argv (NUL-separated, one line per process) before running git.
  const binDir = join(base, "bin");
  await mkdir(binDir);
  const argvLog = join(base, "git-argv.log");
  const realGit = await which("git");
  await writeFile(join(binDir, "git"), `#!/bin/sh\n{ for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\n'; } >> "${argvLog}"\nexec "${realGit}" "$@"\n`);
  await chmod(join(binDir, "git"), 0o755);

  const env: Record<string, string> = {
    PATH: `${binDir}:${process.env.PATH}`,
    HOME: base,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: gitConfigGlobal,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_ACTION: "__run",
    GITHUB_EVENT_NAME: "push",
    GITHUB_REF: "refs/heads/main",
    GITHUB_SHA: await gitIn(workDir, ["rev-parse", "HEAD"]),
    GITHUB_REPOSITORY: `${ownerLogin}/${repoName}`,
    GITHUB_REPOSITORY_OWNER: ownerLogin,
    GITHUB_WORKSPACE: workDir,
    GITHUB_RUN_ID: "1",
    GITHUB_API_URL: standIn.apiUrl,
    GITHUB_SERVER_URL: standIn.origin,
    RUNNER_TEMP: runnerTemp,
    GITHUB_TOKEN: actionsToken,
    GITHUB_APP_CLIENT_ID: app.clientId,
    GITHUB_APP_PRIVATE_KEY: privateKey,
    NO_COLOR: "1",
  };

  const keyBody = privateKey
    .split("\n")
    .filter((l) => l && !l.startsWith("-----"))
    .slice(1, -1);
  // the key given base64-encoded (normalize-private-key accepts that form): a window from its middle
  const keyForms = encodedForms(privateKey).map((form) => form.slice(64, 128));

  const world: ReleaseWorld = {
    standIn,
    repo,
    app,
    installation,
    privateKey,
    actionsToken,
    workDir,
    runnerTemp,
    env,
    async run(args = [], extraEnv = {}, opts = {}) {
      await writeFile(argvLog, "");
      const childEnv: Record<string, string> = { ...env };
      for (const [k, v] of Object.entries(extraEnv)) {
        if (v === undefined) delete childEnv[k];
        else childEnv[k] = v;
      }
      const result = await new Promise<Omit<RunResult, "gitArgv">>((resolve) => {
        const child = spawn(process.execPath, ["--import", TSX, SEMANTIC_RELEASE_BIN, ...args], { cwd: workDir, env: childEnv });
        let stdout = "";
        let stderr = "";
        let signalled = false;
        const watch = (chunk: string) => {
          if (opts.signalAfter && !signalled && opts.signalAfter.pattern.test(stdout + stderr)) {
            signalled = true;
            child.kill(opts.signalAfter.signal);
          }
          return chunk;
        };
        child.stdout.on("data", (d) => watch((stdout += d)));
        child.stderr.on("data", (d) => watch((stderr += d)));
        const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
        child.on("close", (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
      const gitArgv = (await readFile(argvLog, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("\x1f").slice(0, -1));
      return { ...result, gitArgv };
    },
    async remoteRef(ref) {
      try {
        return await standIn.git(repo, "rev-parse", "--verify", "--quiet", ref);
      } catch {
        return undefined;
      }
    },
    async remoteCommit(ref) {
      const out = await standIn.git(repo, "log", "-1", "--format=%H%x1f%an <%ae>%x1f%cn <%ce>%x1f%s", ref);
      const [sha, author, committer, subject] = out.trim().split("\x1f") as [string, string, string, string];
      return { sha, author, committer, subject };
    },
    findSecrets(raw) {
      // `::add-mask::<token>` is how a value is masked on GitHub Actions: the runner swallows that
      // line and masks the value everywhere after it. Every other occurrence is a leak.
      const text = raw.replace(/^::add-mask::.*$/gm, "");
      const found: string[] = [];
      for (const record of standIn.world.tokens.values()) {
        if (record.actor.kind !== "installation" || record.actor.app.id !== app.id) continue;
        const label = `App token ${record.token.slice(0, 6)}…`;
        if (text.includes(record.token)) found.push(label);
        // the Authorization header's value (`basic base64(x-access-token:<token>)`) and other encodings
        else if (encodedForms(record.token).some((form) => text.includes(form))) found.push(`${label} (encoded)`);
        // a stateless token's parts (`ghs_<id>_<header>.<payload>.<signature>`), each of them unique to the token
        else if (/^ghs_\d+_/.test(record.token) && record.token.replace(/^ghs_\d+_/, "").split(".").some((part) => part.length >= 24 && text.includes(part))) found.push(`${label} (a part)`);
      }
      for (const line of keyBody) if (line.length > 20 && text.includes(line)) found.push("private key material");
      if (keyForms.some((form) => text.includes(form))) found.push("private key material (base64)");
      const jwt = text.match(/eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/);
      if (jwt) found.push(`JWT ${jwt[0].slice(0, 12)}…`);
      return [...new Set(found)];
    },
    async scanForSecrets(result) {
      const places: [string, string][] = [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
        ["git argv", result.gitArgv.map((a) => a.join(" ")).join("\n")],
      ];
      for (const dir of [workDir, runnerTemp]) {
        for (const file of await listFiles(dir)) places.push([file, await readFile(file, "latin1")]);
      }
      const leaks: string[] = [];
      for (const [where, text] of places) for (const s of world.findSecrets(text)) leaks.push(`${s} in ${where}`);
      return leaks;
    },
    async close() {
      await standIn.close();
      await rm(base, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * Under SEMANTIC_RELEASE_DIR, a plugin name becomes the absolute path of that package's entry file:
 * semantic-release resolves names from its own folder and then from the workspace, which lives under
 * this project (.tmp/e2e) and would find the project's own (v24-generation) plugins.
 */
function compatPlugin(plugin: unknown): unknown {
  if (!SEMANTIC_RELEASE_DIR) return plugin;
  if (Array.isArray(plugin)) return [compatPlugin(plugin[0]), ...plugin.slice(1)];
  if (typeof plugin !== "string" || plugin.startsWith("/") || plugin.startsWith(".")) return plugin;
  const dir = join(SEMANTIC_RELEASE_DIR, plugin);
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { exports?: unknown; main?: string };
  const entry = typeof manifest.exports === "string" ? manifest.exports : (manifest.main ?? "index.js");
  return join(dir, entry);
}

/**
 * The forms a secret can leak in besides its raw text: base64 at each of the three byte alignments
 * (so it is found inside `base64("x-access-token:" + token)`, the Basic credential git sends, and in
 * any other base64 blob), without the edge characters that depend on the neighbouring bytes.
 */
export function encodedForms(secret: string): string[] {
  const forms = new Set<string>();
  for (let shift = 0; shift < 3; shift++) {
    const b64 = Buffer.from("\0".repeat(shift) + secret, "utf8").toString("base64").replace(/=+$/, "");
    const core = b64.slice(shift === 0 ? 0 : 4, -4);
    if (core.length >= 16) {
      forms.add(core);
      forms.add(core.replace(/\+/g, "-").replace(/\//g, "_")); // base64url
    }
  }
  const uri = encodeURIComponent(secret);
  if (uri !== secret) forms.add(uri);
  return [...forms];
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      // .git/objects hold zlib-compressed data: scan config, hooks, refs, logs and the index instead.
      if (entry.name === "objects") continue;
      out.push(...(await listFiles(path)));
    } else if (entry.isFile() && (await stat(path)).size < 5_000_000) out.push(path);
  }
  return out;
}

async function which(cmd: string): Promise<string> {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    try {
      await stat(join(dir, cmd));
      return join(dir, cmd);
    } catch {}
  }
  throw new Error(`${cmd} not found on PATH`);
}
