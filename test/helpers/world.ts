// A release world: a user-owned (or org-owned) repository on the local GitHub stand-in, an App
// installed on it, a workspace cloned the way actions/checkout does it (persisted workflow token),
// and the environment of a GitHub Actions run. `world.run()` starts the real semantic-release CLI
// there and records the argv of each git process (a wrapper on PATH) so tests can scan it for secrets.
import { spawn } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startStandIn, type StandIn, type App, type BypassActor, type Installation, type Permissions, type Repository } from "github-stand-in";
import { persistCheckoutCredentials } from "github-stand-in/checkout";
import { DEFAULT_PLUGINS, PLUGIN_PLACEHOLDER, ROOT, runCli, writeReleaserc, type CliResult } from "./cli.js";
import { filesToScan, secretFinder } from "./secrets.js";

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
  /** the full plugins list; `PLUGIN_PLACEHOLDER` stands for this plugin with `pluginOptions` */
  plugins?: unknown[];
  /** commits on top of the initial one, as conventional-commit messages */
  commits?: string[];
  /** extra files in the initial commit */
  files?: Record<string, string>;
  /** "sha256": the repository uses 64-digit SHA-256 object IDs (`git init --object-format=sha256`) */
  objectFormat?: "sha1" | "sha256";
  /**
   * The monorepo variant: an npm workspace (`workspaces: ["packages/*"]` in the root package.json)
   * with one published package per name in packages/<name>/, and one `feat` commit per package that
   * touches only its folder (what multi-semantic-release filters each package's commits by).
   */
  packages?: string[];
}

export interface RunResult extends CliResult {
  /** argv of every git process the run started, one array per process */
  gitArgv: string[][];
}

export interface RunOptions {
  /** sends `signal` to the CLI once its output matches `pattern` */
  signalAfter?: { pattern: RegExp; signal: NodeJS.Signals };
  /** another CLI script to run instead of semantic-release's (e.g. a monorepo tool's bin) */
  bin?: string;
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
  /** the semantic-release CLI in workDir; an `undefined` in extraEnv removes that variable */
  run(args?: string[], extraEnv?: Record<string, string | undefined>, opts?: RunOptions): Promise<RunResult>;
  /** sha of a ref on the remote, or undefined */
  remoteRef(ref: string): Promise<string | undefined>;
  /** author, committer (`name <email>`), subject and sha of a commit on the remote */
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

const TMP_ROOT = join(ROOT, ".tmp", "e2e");

/** git with no system or global configuration (unless `env` names one) and no prompt; resolves with trimmed stdout. */
export async function gitIn(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Promise<string> {
  const base = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: { ...base, ...env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`git ${args[0]} failed (${code}): ${err}`))));
  });
}

export async function releaseWorld(options: ReleaseWorldOptions = {}): Promise<ReleaseWorld> {
  await mkdir(TMP_ROOT, { recursive: true });
  const base = await mkdtemp(join(TMP_ROOT, "w-"));
  const gitConfigGlobal = join(base, "gitconfig");
  await writeFile(gitConfigGlobal, "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[advice]\n\tdetachedHead = false\n");
  const { standIn, repo, app, privateKey, installation, actionsToken } = await githubSide(options);
  await seedHistory(base, repo, options.commits ?? (options.packages ? [] : ["feat: add the first feature"]), options.packages ?? []);
  const { workDir, runnerTemp } = await checkoutWorkspace(base, standIn, repo, actionsToken, options.checkout);
  await writeReleaserc(workDir, options.plugins ?? [...DEFAULT_PLUGINS, PLUGIN_PLACEHOLDER], options.pluginOptions);
  // .releaserc.json is part of the repository in real life; keep the work tree clean.
  await writeFile(join(workDir, ".git", "info", "exclude"), ".releaserc.json\n");
  const { binDir, argvLog } = await recordingGit(base);

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
    GITHUB_REPOSITORY: `${repo.owner.login}/${repo.name}`,
    GITHUB_REPOSITORY_OWNER: repo.owner.login,
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
  const findSecrets = secretFinder({ standIn, app, privateKey });

  return {
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
      const result = await runCli({ cwd: workDir, env: childEnv, args, signalAfter: opts.signalAfter, bin: opts.bin });
      const gitArgv = (await readFile(argvLog, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("\x1f").slice(0, -1));
      return { ...result, gitArgv };
    },
    async remoteRef(ref) {
      return standIn.git(repo, "rev-parse", "--verify", "--quiet", ref).catch(() => undefined);
    },
    async remoteCommit(ref) {
      const out = await standIn.git(repo, "log", "-1", "--format=%H%x1f%an <%ae>%x1f%cn <%ce>%x1f%s", ref);
      const [sha, author, committer, subject] = out.trim().split("\x1f") as [string, string, string, string];
      return { sha, author, committer, subject };
    },
    findSecrets,
    async scanForSecrets(result) {
      const places: [string, string][] = [
        ["stdout", result.stdout],
        ["stderr", result.stderr],
        ["git argv", result.gitArgv.map((a) => a.join(" ")).join("\n")],
        ...(await filesToScan([workDir, runnerTemp])),
      ];
      return places.flatMap(([where, text]) => findSecrets(text).map((s) => `${s} in ${where}`));
    },
    async close() {
      await standIn.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** The stand-in with the owner, the repository, the App ("Release Bot") installed on it, and the workflow token. */
async function githubSide(options: ReleaseWorldOptions) {
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
    ...(options.objectFormat ? { objectFormat: options.objectFormat } : {}),
    files: {
      "package.json": JSON.stringify({ name: repoName, version: "0.0.0-development", private: true, ...(options.packages && { workspaces: ["packages/*"] }) }, null, 2) + "\n",
      ...workspacePackages(options.packages ?? []),
      ...options.files,
    },
  });
  const { app, privateKey } = standIn.createApp({
    slug: options.slug ?? "release-bot",
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
  return { standIn, repo, app, privateKey, installation, actionsToken };
}

/** packages/<name>/package.json of each workspace package (published: multi-semantic-release skips private ones) */
function workspacePackages(names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [`packages/${name}/package.json`, JSON.stringify({ name, version: "0.0.0-development" }, null, 2) + "\n"]));
}

/** Developer commits land on the remote directly (no hooks): they are the history to release. */
async function seedHistory(base: string, repo: Repository, commits: string[], packages: string[]): Promise<void> {
  const seed = join(base, "seed");
  await gitIn(base, ["clone", "-q", repo.gitDir, seed]);
  await gitIn(seed, ["config", "user.name", "Dev"]);
  await gitIn(seed, ["config", "user.email", "dev@example.com"]);
  const changes: [path: string, message: string][] = [
    ...commits.map((message, i): [string, string] => [`change-${i}.txt`, message]),
    ...packages.map((name): [string, string] => [`packages/${name}/index.js`, `feat(${name}): add ${name}`]),
  ];
  for (const [path, message] of changes) {
    await writeFile(join(seed, path), `${message}\n`);
    await gitIn(seed, ["add", "."]);
    await gitIn(seed, ["commit", "-q", "-m", message]);
  }
  await gitIn(seed, ["push", "-q", "origin", "HEAD:refs/heads/main"], {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: "core.hooksPath",
    GIT_CONFIG_VALUE_0: "/nonexistent-hooks",
  });
}

/** The workspace, as actions/checkout leaves it: cloned over HTTP, workflow token persisted (unless `checkout` is false). */
async function checkoutWorkspace(base: string, standIn: StandIn, repo: Repository, actionsToken: string, checkout: ReleaseWorldOptions["checkout"]) {
  const workDir = join(base, "work");
  const runnerTemp = join(base, "runner-temp");
  await mkdir(runnerTemp);
  const cloneAuth = {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `http.${standIn.origin}/.extraheader`,
    GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${actionsToken}`).toString("base64")}`,
  };
  await gitIn(base, ["clone", "-q", `${standIn.origin}/${repo.owner.login}/${repo.name}.git`, workDir], cloneAuth);
  if (checkout !== false) {
    await persistCheckoutCredentials(workDir, { origin: standIn.origin, token: actionsToken, layout: checkout ?? "v4", runnerTemp });
  }
  return { workDir, runnerTemp };
}

/** A git wrapper on PATH that records argv (unit-separated, one line per process) before running git. */
async function recordingGit(base: string): Promise<{ binDir: string; argvLog: string }> {
  const binDir = join(base, "bin");
  await mkdir(binDir);
  const argvLog = join(base, "git-argv.log");
  const realGit = await which("git");
  await writeFile(join(binDir, "git"), `#!/bin/sh\n{ for a in "$@"; do printf '%s\\037' "$a"; done; printf '\\n'; } >> "${argvLog}"\nexec "${realGit}" "$@"\n`);
  await chmod(join(binDir, "git"), 0o755);
  return { binDir, argvLog };
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
