// Temporary git repositories for tests: a bare "remote" and a clone, with git's configuration
// isolated from the machine (no system config, a temp global config, no prompts, no signing).
// Shared by the push, commit and e2e tests.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

let globalConfig: string | undefined;

/** Write (once per process) the temp global config all test repos use. */
async function ensureGlobalConfig(): Promise<string> {
  if (globalConfig) return globalConfig;
  const dir = await mkdtemp(join(tmpdir(), "srga-gitconfig-"));
  const file = join(dir, "gitconfig");
  await writeFile(
    file,
    [
      "[user]",
      "\tname = Test User",
      "\temail = test@example.com",
      "[init]",
      "\tdefaultBranch = main",
      "[commit]",
      "\tgpgsign = false",
      "[tag]",
      "\tgpgsign = false",
      "[advice]",
      "\tdetachedHead = false",
      "[protocol \"file\"]",
      "\tallow = always",
      "",
    ].join("\n"),
  );
  globalConfig = file;
  return file;
}

/**
 * An environment for git child processes: process.env without git/identity variables, plus
 * GIT_CONFIG_NOSYSTEM=1, GIT_CONFIG_GLOBAL=<temp file>, GIT_TERMINAL_PROMPT=0.
 */
export async function gitEnv(extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(GIT_|GH_TOKEN$|GITHUB_)/.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: await ensureGlobalConfig(),
    GIT_TERMINAL_PROMPT: "0",
    ...extra,
  };
}

/** Run git; resolves with stdout (trimmed), rejects with stderr in the message. */
export function runGit(cwd: string, env: Record<string, string | undefined>, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, env: env as NodeJS.ProcessEnv, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(" ")} failed: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

export interface TestRepo {
  /** the temp folder holding both repos */
  root: string;
  /** the clone (work tree) */
  cwd: string;
  /** path of the bare remote (usable as a push/fetch URL) */
  remote: string;
  env: Record<string, string>;
  /** git in the clone */
  git(...args: string[]): Promise<string>;
  /** git in the bare remote */
  remoteGit(...args: string[]): Promise<string>;
  /** write files in the clone (paths relative to it) */
  write(files: Record<string, string>): Promise<void>;
  /** write files, commit them in the clone; returns the sha */
  commit(message: string, files?: Record<string, string>): Promise<string>;
  /** install an executable hook (e.g. "pre-receive", "update") in the bare remote */
  hook(name: string, script: string): Promise<void>;
  /** a second clone of the same remote (for "someone else pushed first") */
  clone(): Promise<string>;
  cleanup(): Promise<void>;
}

/** A bare remote with one commit on `branch`, and a clone of it. */
export async function gitRepo(opts: { branch?: string; files?: Record<string, string> } = {}): Promise<TestRepo> {
  const branch = opts.branch ?? "main";
  const env = await gitEnv();
  const root = await mkdtemp(join(tmpdir(), "srga-repo-"));
  const remote = join(root, "remote.git");
  const cwd = join(root, "work");
  await runGit(root, env, "init", "-q", "--bare", "-b", branch, remote);
  await runGit(root, env, "init", "-q", "-b", branch, cwd);
  await runGit(cwd, env, "remote", "add", "origin", remote);
  let clones = 0;

  const repo: TestRepo = {
    root,
    cwd,
    remote,
    env,
    git: (...args) => runGit(cwd, env, ...args),
    remoteGit: (...args) => runGit(remote, env, ...args),
    async write(files) {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(cwd, path)), { recursive: true });
        await writeFile(join(cwd, path), content);
      }
    },
    async commit(message, files = {}) {
      await repo.write(files);
      await runGit(cwd, env, "add", "-A");
      await runGit(cwd, env, "commit", "-q", "--allow-empty", "-m", message);
      return runGit(cwd, env, "rev-parse", "HEAD");
    },
    async hook(name, script) {
      const file = join(remote, "hooks", name);
      await writeFile(file, script.startsWith("#!") ? script : `#!/bin/sh\n${script}`);
      await chmod(file, 0o755);
    },
    async clone() {
      const dir = join(root, `clone-${++clones}`);
      await runGit(root, env, "clone", "-q", remote, dir);
      return dir;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };

  await repo.commit("initial commit", opts.files ?? { "README.md": "# test\n" });
  await runGit(cwd, env, "push", "-q", "-u", "origin", branch);
  return repo;
}

/**
 * GIT_CONFIG_* entries that send `token` to `origin` (the way the plugin authenticates git:
 * docs/architecture.md "How git authenticates"; docs/semantic-release.md §8.2 b1).
 */
export function tokenGitEnv(origin: string, token: string): Record<string, string> {
  const key = `http.${origin}/.extraheader`;
  return {
    GIT_CONFIG_COUNT: "2",
    GIT_CONFIG_KEY_0: key,
    GIT_CONFIG_VALUE_0: "",
    GIT_CONFIG_KEY_1: key,
    GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`,
  };
}

/** Clone `url` (authenticated through `env`) into a new temp folder; returns its path and a cleanup. */
export async function cloneInto(url: string, env: Record<string, string>): Promise<{ cwd: string; cleanup(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "srga-clone-"));
  const cwd = join(root, "work");
  await runGit(root, env, "clone", "-q", url, cwd);
  return { cwd, cleanup: () => rm(root, { recursive: true, force: true }) };
}
