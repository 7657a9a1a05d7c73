#!/usr/bin/env node
// The stand-in's server-side git hook (installed by installHooks() in ../git-http.ts). Plain JS so it
// starts without a TypeScript loader. Two modes:
//   pre-receive          reads "<old> <new> <ref>" lines, collects the commit metadata of each update
//                        with git (the new objects are still in quarantine, so git must run here, with
//                        the GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES receive-pack set),
//                        sends it to `POST <origin>/_stand-in/pre-receive` which judges the whole push
//                        with the rules engine, and prints GitHub's text to stderr (git shows it as
//                        `remote: ...`). Exits 0: the per-ref verdicts are applied by the update hook.
//   update <ref> <old> <new>
//                        asks `POST <origin>/_stand-in/update` for the verdict of one ref and exits 1 if
//                        it was rejected. git then rejects only that ref, or every ref with --atomic
//                        (docs/semantic-release.md §8.5), which is GitHub's per-ref outcome (docs/github.md §2).
// Pushes by file path (test setup) are let through unjudged.
// Identity: the server put a random one-time push id in STAND_IN_PUSH_ID; no token reaches this script.
import { execFileSync } from "node:child_process";

// "no object" (a created or deleted ref): 40 zeros, or 64 in a SHA-256 repository
const isZero = (sha) => /^(?:0{40}|0{64})$/.test(sha);
const MAX_COMMITS = 1000; // a bound for huge first pushes; the metadata rules look at the newest commits
const origin = process.env.STAND_IN_ORIGIN;
const pushId = process.env.STAND_IN_PUSH_ID;

function git(args) {
  return execFileSync("git", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

function isAncestor(oldSha, newSha) {
  try {
    execFileSync("git", ["merge-base", "--is-ancestor", oldSha, newSha], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** the commits an update brings: old..new, or for a new ref those not reachable from any existing ref */
function commitsOf(oldSha, newSha) {
  if (isZero(newSha)) return [];
  const range = isZero(oldSha) ? [newSha, "--not", "--all"] : [`${oldSha}..${newSha}`];
  let out;
  try {
    out = git(["log", `-n${MAX_COMMITS}`, "--format=%H%x00%P%x00%ae%x00%ce%x00%B%x1e", ...range]);
  } catch {
    return []; // e.g. a tag object that points at a tree or blob: no commits to judge
  }
  return out
    .split("\x1e")
    .map((chunk) => chunk.replace(/^\n/, ""))
    .filter((chunk) => chunk.length > 0)
    .map((chunk) => {
      const [sha, parents, authorEmail, committerEmail, message] = chunk.split("\x00");
      return { sha, parents: parents ? parents.split(" ").length : 0, authorEmail, committerEmail, message: (message ?? "").replace(/\n+$/, "") };
    });
}

async function call(path, body) {
  const res = await fetch(`${origin}/_stand-in/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pushId, ...body }),
  });
  if (!res.ok) throw new Error(`stand-in answered ${res.status} to ${path}`);
  return res.json();
}

async function readStdin() {
  let data = "";
  for await (const chunk of process.stdin) data += chunk;
  return data;
}

async function main() {
  // a push that did not come through the stand-in's HTTP endpoint (a test seeding the bare repository
  // by its path) is not judged
  if (!origin || !pushId) return 0;
  const mode = process.argv[2];
  if (mode === "pre-receive") {
    const updates = (await readStdin())
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [oldSha, newSha, ref] = line.split(" ");
        const forced = !isZero(oldSha) && !isZero(newSha) && !isAncestor(oldSha, newSha);
        return { ref, oldSha, newSha, forced, commits: commitsOf(oldSha, newSha) };
      });
    const { text } = await call("pre-receive", { updates });
    if (text) process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
    return 0;
  }
  if (mode === "update") {
    const [ref] = process.argv.slice(3);
    const { accepted } = await call("update", { ref });
    return accepted ? 0 : 1;
  }
  process.stderr.write(`error: unknown hook mode ${mode}\n`);
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`error: stand-in hook failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
