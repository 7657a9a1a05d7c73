// Releases of one repository in one process share the App token and what was read with it
// (lib/session/shared-tokens.ts): the plugin's steps in this process, against the stand-in, for
// several releases at once (a cwd each, as a monorepo tool gives every package its own folder).
// What a user would see: how many tokens were minted, which are still alive after which step, and
// how often the rules were read. The monorepo tools themselves: test/e2e/monorepo.test.ts.
import { strict as assert } from "node:assert";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { EventEmitter } from "node:events";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { SuccessContext, VerifyConditionsContext, VerifyReleaseContext } from "semantic-release";
import * as plugin from "../index.js";
import { appTokens, protectReleaseRefs, releaseWorld, requestsTo, type ReleaseWorld } from "./helpers/e2e.js";

const PROCESS_EVENTS = ["beforeExit", "exit", "SIGINT", "SIGTERM", "SIGHUP"] as const;
const emitter: EventEmitter = process;

/** One package's release: its folder, and whether a monorepo tool runs it (`_pkgOptions`, as both tools set). */
async function packageRelease(world: ReleaseWorld, name: string, { tool = false, dryRun = false } = {}) {
  const cwd = join(world.workDir, "packages", name);
  await mkdir(cwd, { recursive: true });
  const { origin } = world.standIn;
  const path = `${world.repo.owner.login}/${world.repo.name}.git`;
  const branch = { name: "main", type: "release", main: true, tags: [], range: ">=1.0.0", accept: ["patch", "minor", "major"], channel: undefined };
  const quiet = () => undefined;
  const context = () =>
    ({
      cwd,
      env: { ...process.env },
      options: {
        repositoryUrl: `${origin}/${path}`,
        originalRepositoryURL: `${origin}/${path}`,
        tagFormat: `${name}@\${version}`,
        branches: ["main"],
        dryRun,
        ...(tool && { _pkgOptions: {} }),
      },
      branch,
      lastRelease: {},
      nextRelease: { type: "major", version: "1.0.0", gitTag: `${name}@1.0.0`, name: `${name}@1.0.0`, channel: undefined, notes: "", gitHead: world.env.GITHUB_SHA },
      logger: { log: quiet, info: quiet, success: quiet, warn: quiet, error: quiet, debug: quiet },
      stdout: { write: () => true },
      stderr: { write: () => true },
    }) as unknown as VerifyReleaseContext;
  return {
    verifyConditions: () => plugin.verifyConditions({}, context() as VerifyConditionsContext),
    verifyRelease: () => plugin.verifyRelease({}, context()),
    success: () => plugin.success({}, context() as unknown as SuccessContext),
  };
}

const liveTokens = (world: ReleaseWorld) => appTokens(world).filter((t) => !t.revoked).length;

/**
 * The event loop drains (the semantic-release CLI's end): the plugin's own beforeExit listener, called
 * directly (node's test runner takes a real beforeExit for the end of the tests). Then every
 * revocation it started has arrived (within 10 s).
 */
async function processEnds(world: ReleaseWorld, before: unknown[]): Promise<void> {
  for (const listener of emitter.listeners("beforeExit")) if (!before.includes(listener)) (listener as (code: number) => void)(0);
  for (let waited = 0; liveTokens(world) > 0 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(liveTokens(world), 0, "every token revoked when the process ends");
}

describe("releases of one repository in one process", () => {
  let world: ReleaseWorld;
  let env: NodeJS.ProcessEnv;
  let listeners: Map<string, unknown[]>;

  beforeEach(async () => {
    env = { ...process.env };
    listeners = new Map(PROCESS_EVENTS.map((event) => [event, emitter.listeners(event)]));
    world = await releaseWorld({ checkout: "v4" });
    protectReleaseRefs(world);
    Object.assign(process.env, world.env);
    delete process.env.GITHUB_ACTIONS;
  });
  afterEach(async () => {
    for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
    Object.assign(process.env, env);
    for (const event of PROCESS_EVENTS) {
      for (const listener of emitter.listeners(event)) if (!listeners.get(event)!.includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
    await world.close();
  });

  it("side by side: one token; the first release's end leaves it to the second, whose end revokes it", async () => {
    const [a, b] = await Promise.all([packageRelease(world, "pkg-a"), packageRelease(world, "pkg-b")]);
    await a.verifyConditions();
    await b.verifyConditions();
    assert.equal(appTokens(world).length, 1, "the second release minted nothing");
    assert.equal(requestsTo(world, "GET /repos/{owner}/{repo}/rules/branches/{branch}").length, 1, "main's rules read once");
    await a.success();
    assert.equal(liveTokens(world), 1, "still live: the second release holds it");
    await b.success();
    assert.equal(liveTokens(world), 0, "revoked when the last release holding it ended");
    assert.equal(requestsTo(world, "DELETE /installation/token").length, 1);
  });

  it("one after the other under a monorepo tool: the next package reuses the token, revoked when the process ends", async () => {
    const [a, b] = await Promise.all([packageRelease(world, "pkg-a", { tool: true }), packageRelease(world, "pkg-b", { tool: true })]);
    await a.verifyConditions();
    await a.success();
    assert.equal(liveTokens(world), 1, "kept for the next package");
    const mark = world.standIn.mark();
    await b.verifyConditions();
    assert.deepEqual(
      world.standIn.requests({ since: mark }).map((r) => r.route),
      [],
      "the second package asked GitHub nothing: no installation, no mint, no identity, no rules",
    );
    await b.success();
    assert.equal(liveTokens(world), 1, "still live after the last package: the tool may have more");
    // the semantic-release CLI ends by letting the event loop drain (the tools' CLIs call process.exit: the `exit` listener)
    await processEnds(world, listeners.get("beforeExit")!);
    assert.equal(requestsTo(world, "DELETE /installation/token").length, 1, "revoked once, at the end");
  });

  it("a dry run's read-only token is not the token of a real release", async () => {
    const dry = await packageRelease(world, "pkg-a", { tool: true, dryRun: true });
    const real = await packageRelease(world, "pkg-b", { tool: true });
    await dry.verifyConditions();
    await dry.verifyRelease();
    await real.verifyConditions();
    const [readOnly, write] = appTokens(world);
    assert.equal(appTokens(world).length, 2);
    assert.equal(readOnly!.actor.kind === "installation" && readOnly!.actor.permissions.contents, "read");
    assert.equal(write!.actor.kind === "installation" && write!.actor.permissions.contents, "write");
    await real.success();
    await processEnds(world, listeners.get("beforeExit")!);
  });
});
