// How the process can end, and that every live release session ends with it (lib/session/process-exit.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./fixtures/session-watch-child.ts", import.meta.url));

async function start(t: { after(fn: () => Promise<void>): void }, action: string) {
  const dir = await mkdtemp(join(tmpdir(), "session-watch-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, "log");
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, log, action], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const lines = async () => (await readFile(log, "utf8").catch(() => "")).split("\n").filter(Boolean);
  const waitFor = async (line: string) => {
    while (!(await lines()).some((l) => l.startsWith(line))) await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const finishEnd = () => writeFile(`${log}.release`, "");
  return { child, exited, lines, waitFor, finishEnd, stderr: () => stderr };
}

test("process.exit from another plugin: the sessions end synchronously (endSync), before the process is gone", async (t) => {
  const run = await start(t, "exit");
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  assert.deepEqual(await run.lines(), ["ready", "endSync"]);
});

test("an uncaught exception from a timer: endSync runs, the process still fails", async (t) => {
  const run = await start(t, "throw-in-timer");
  const { code } = await run.exited;
  assert.equal(code, 1);
  assert.deepEqual(await run.lines(), ["ready", "endSync"]);
  assert.match(run.stderr(), /a crash in another plugin's timer/);
});

test("the event loop drains (the CLI's normal end): beforeExit ends the session with the async revoke", async (t) => {
  const run = await start(t, "drain");
  await run.waitFor("end started");
  await run.finishEnd();
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  const lines = await run.lines();
  assert.deepEqual(lines.slice(0, 3), ["ready", "end started: the process is ending", "end finished"]);
});

test("SIGINT, then SIGTERM while the revoke is still running (GitHub Actions' cancel): the revoke finishes, exit 130", async (t) => {
  const run = await start(t, "wait");
  await run.waitFor("ready");
  run.child.kill("SIGINT");
  await run.waitFor("end started");
  run.child.kill("SIGTERM");
  run.child.kill("SIGHUP");
  await run.finishEnd();
  assert.deepEqual(await run.exited, { code: 130, signal: null });
  const lines = await run.lines();
  assert.deepEqual(lines.slice(0, 3), ["ready", "end started: SIGINT received", "end finished"]);
});

for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
  test(`${signal}: the session ends, then the process exits with ${code}`, async (t) => {
    const run = await start(t, "wait");
    await run.waitFor("ready");
    run.child.kill(signal);
    await run.waitFor("end started");
    await run.finishEnd();
    assert.deepEqual(await run.exited, { code, signal: null });
    assert.deepEqual((await run.lines()).slice(0, 3), ["ready", `end started: ${signal} received`, "end finished"]);
  });
}
