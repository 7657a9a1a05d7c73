#!/usr/bin/env node
// The one test command (`npm test`). Node 20's test runner does not expand globs and does not
// discover .ts files, so the files are listed here and loaded through tsx: every `*.test.ts` under
// test/ and under each workspace package's test/ folder (packages/*/test, e.g. the GitHub stand-in's).
// The tests run on Node 24 (scripts/node24.mjs: semantic-release 25 refuses Node 20), whatever node
// starts this script; TEST_NODE names another binary (test/compat/run.sh: Node 20 with semantic-release 24).
// Usage: node test/run.mjs [filter...]  (a filter keeps files whose path contains it)
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { node24 } from "../scripts/node24.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === "node_modules") continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".test.ts")) files.push(relative(root, path));
  }
}
walk(join(root, "test"));
for (const name of readdirSync(join(root, "packages")).sort()) {
  const tests = join(root, "packages", name, "test");
  if (existsSync(tests)) walk(tests);
}

const filters = process.argv.slice(2);
const selected = filters.length ? files.filter((f) => filters.some((x) => f.includes(x))) : files;
if (selected.length === 0) {
  console.error(`no test file matches ${filters.join(", ")}`);
  process.exit(1);
}
const node = process.env.TEST_NODE || node24();
const result = spawnSync(
  node,
  ["--import", "tsx", "--test", "--test-reporter=spec", `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...selected],
  { cwd: root, stdio: "inherit" },
);
process.exit(result.status ?? 1);
