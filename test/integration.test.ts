// The plugin's steps run in this process, in semantic-release's order (verifyConditions →
// verifyRelease → prepare → success, or → fail), with a context shaped like the one semantic-release
// passes (https://github.com/semantic-release/semantic-release/blob/master/docs/developer-guide/plugin.md),
// against the local GitHub stand-in and a real clone that talks to it over smart HTTP. Seconds, not
// minutes: no CLI. The model is semantic-release/github's test/integration.test.js, with the
// stand-in in place of nock. What is asserted is what a user would see: refs and commits on the
// remote, who pushed, which tokens are still alive, the errors, what was written to stdout.
import { strict as assert } from "node:assert";
import type { EventEmitter } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { format } from "node:util";
import type { FailContext, VerifyReleaseContext } from "semantic-release";
import * as plugin from "../index.js";
import type { PluginConfig } from "../lib/types.js";
import { APP_ACTOR, DEFAULT_PLUGINS, PLUGIN_PATH, appTokens, protectReleaseRefs, refPushes, releaseWorld, type ReleaseWorld } from "./helpers/e2e.js";

type StepContext = VerifyReleaseContext;

/** process-wide things a step may change: what it adds is taken back after each test */
const PROCESS_EVENTS = ["beforeExit", "exit", "SIGINT", "SIGTERM", "SIGHUP", "uncaughtException", "unhandledRejection"] as const;

interface Isolation {
  /** what went to stdout: context.stdout writes and the `::add-mask::` lines written to process.stdout */
  stdout: string[];
  restore(): void;
}

/**
 * Snapshot process.env and the process listeners, and take the workflow-command lines
 * (`::add-mask::`) that a step writes to process.stdout (semantic-release's context.stdout is
 * process.stdout: both end up in the job log). Everything else on process.stdout goes through.
 */
function isolateProcess(): Isolation {
  const env = { ...process.env };
  const emitter: EventEmitter = process;
  const listeners = new Map(PROCESS_EVENTS.map((event) => [event, emitter.listeners(event)]));
  const stdout: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === "string" && chunk.startsWith("::add-mask::")) {
      stdout.push(chunk);
      (rest.find((arg) => typeof arg === "function") as (() => void) | undefined)?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  return {
    stdout,
    restore() {
      process.stdout.write = write;
      for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
      Object.assign(process.env, env);
      for (const event of PROCESS_EVENTS) {
        for (const listener of emitter.listeners(event)) {
          if (!listeners.get(event)!.includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    },
  };
}

interface Release {
  context: StepContext;
  pluginConfig: PluginConfig;
  /** every line the steps logged, `<level> <formatted message>` */
  logs: string[];
  stdout: string[];
}

/**
 * The environment of the job (the world's GitHub Actions-like variables, with GITHUB_ACTIONS only
 * when `githubActions`) goes into process.env, as for the CLI; each step gets a copy of the context.
 */
async function startRelease(world: ReleaseWorld, io: Isolation, { dryRun = false, githubActions = false } = {}): Promise<Release> {
  Object.assign(process.env, world.env);
  if (!githubActions) delete process.env.GITHUB_ACTIONS;
  const pluginConfig: PluginConfig = {}; // the defaults: the token is not handed to later plugins
  const { origin } = world.standIn;
  const path = `${world.repo.owner.login}/${world.repo.name}.git`;
  const logs: string[] = [];
  const line = (level: string) => (message: string, ...args: unknown[]) => void logs.push(`${level} ${format(message, ...args)}`);
  const branch = { name: "main", type: "release", main: true, tags: [], range: ">=1.0.0", accept: ["patch", "minor", "major"], channel: undefined };
  const version = "1.0.0";
  const context = {
    cwd: world.workDir,
    env: { ...process.env },
    envCi: { isCi: true, branch: "main", commit: world.env.GITHUB_SHA },
    // core authenticates the URL with the job's token; the configured one is kept apart
    options: {
      repositoryUrl: origin.replace("://", `://x-access-token:${world.actionsToken}@`) + `/${path}`,
      originalRepositoryURL: `${origin}/${path}`,
      tagFormat: "v${version}",
      branches: ["main"],
      dryRun,
      plugins: [...DEFAULT_PLUGINS, [PLUGIN_PATH, pluginConfig]],
    },
    branch,
    branches: [branch],
    commits: [{ hash: world.env.GITHUB_SHA, message: "feat: add the first feature" }],
    releases: [],
    lastRelease: {},
    nextRelease: { type: "major", version, gitTag: `v${version}`, name: `v${version}`, channel: undefined, notes: `## ${version}\n\n* add the first feature`, gitHead: world.env.GITHUB_SHA },
    logger: { log: line("log"), info: line("info"), success: line("success"), warn: line("warn"), error: line("error"), debug: line("debug") },
    stdout: { write: (chunk: string) => io.stdout.push(String(chunk)) > 0 },
    stderr: { write: () => true },
  } as unknown as StepContext;
  return { context, pluginConfig, logs, stdout: io.stdout };
}

/** semantic-release hands each plugin its own copy of the context */
function copy<T extends object>(context: StepContext, extra: T = {} as T): StepContext & T {
  return { ...context, env: { ...context.env }, options: { ...context.options }, ...extra };
}

/** What @semantic-release/changelog's prepare leaves in the work tree before ours runs. */
async function writeChangelog(world: ReleaseWorld, release: Release): Promise<void> {
  await writeFile(join(world.workDir, "CHANGELOG.md"), `# Changelog\n\n${release.context.nextRelease.notes}\n`);
}

/** The errors of a step's rejection, as semantic-release collects them for fail. */
async function rejectionOf(step: Promise<unknown>): Promise<{ code?: string; message: string; details?: string; semanticRelease?: boolean }[]> {
  const error = await step.then(
    () => assert.fail("the step was expected to fail"),
    (e: unknown) => e as { errors?: Iterable<unknown> },
  );
  return (error.errors ? [...error.errors] : [error]) as { code?: string; message: string }[];
}

async function fail(release: Release, errors: unknown[]): Promise<void> {
  await plugin.fail(release.pluginConfig, copy(release.context, { errors }) as unknown as FailContext);
}

function assertAllTokensRevoked(world: ReleaseWorld): void {
  const tokens = appTokens(world);
  assert.ok(tokens.length > 0, "an App token was minted");
  assert.deepEqual(
    tokens.map((t) => t.revoked),
    tokens.map(() => true),
    "every App token the release minted is revoked",
  );
}

async function assertNothingPushed(world: ReleaseWorld, mainBefore: string | undefined): Promise<void> {
  assert.equal(await world.remoteRef("refs/heads/main"), mainBefore, "main did not move");
  assert.equal(await world.remoteRef("refs/tags/v1.0.0"), undefined, "no tag on the remote");
}

/** No token, JWT or key material in what the steps printed (`::add-mask::` lines excepted). */
function assertNoSecretsIn(world: ReleaseWorld, release: Release): void {
  assert.deepEqual(world.findSecrets([...release.logs, ...release.stdout].join("\n")), []);
}

describe("the steps in process, against the stand-in", () => {
  let world: ReleaseWorld;
  let io: Isolation;
  beforeEach(async () => {
    io = isolateProcess();
    world = await releaseWorld({ checkout: "v4" });
  });
  afterEach(async () => {
    io.restore();
    await world.close();
  });

  it("a release: branch and tag pushed together as the App, the commit by <slug>[bot], the token revoked", async () => {
    protectReleaseRefs(world);
    const mainBefore = await world.remoteRef("refs/heads/main");
    const release = await startRelease(world, io);
    await plugin.verifyConditions(release.pluginConfig, copy(release.context));
    await plugin.verifyRelease(release.pluginConfig, copy(release.context));
    await writeChangelog(world, release);
    await plugin.prepare(release.pluginConfig, copy(release.context));
    await plugin.success(release.pluginConfig, copy(release.context));

    const main = await world.remoteRef("refs/heads/main");
    assert.notEqual(main, mainBefore, "main moved");
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), main, "the tag points at the release commit");
    const commit = await world.remoteCommit("refs/heads/main");
    assert.equal(commit.subject, "chore(release): 1.0.0 [skip ci]");
    const bot = `release-bot[bot] <${world.app.botUserId}+release-bot[bot]@users.noreply.127.0.0.1>`;
    assert.deepEqual({ author: commit.author, committer: commit.committer }, { author: bot, committer: bot });
    const pushes = refPushes(world);
    assert.deepEqual(
      pushes.map((p) => ({ actor: p.actor, accepted: p.accepted, refs: p.updates.map((u) => u.ref).sort() })),
      [{ actor: APP_ACTOR, accepted: true, refs: ["refs/heads/main", "refs/tags/v1.0.0"] }],
      "one atomic push, by the App",
    );
    assertAllTokensRevoked(world);
    assert.deepEqual(release.stdout.filter((s) => s.startsWith("::add-mask::")), [], "no workflow commands outside GitHub Actions");
    assertNoSecretsIn(world, release);
  });

  it("--dry-run: the report on stdout, nothing pushed, the token revoked at the end of verifyRelease", async () => {
    protectReleaseRefs(world);
    const mainBefore = await world.remoteRef("refs/heads/main");
    const release = await startRelease(world, io, { dryRun: true });
    await plugin.verifyConditions(release.pluginConfig, copy(release.context));
    await plugin.verifyRelease(release.pluginConfig, copy(release.context));

    const report = release.stdout.join("");
    for (const expected of ["release-bot[bot]", "Protect main", "Release tags", "v1.0.0"]) assert.ok(report.includes(expected), `the report names ${expected}:\n${report}`);
    await assertNothingPushed(world, mainBefore);
    assert.deepEqual(refPushes(world), [], "no push was even attempted");
    assertAllTokensRevoked(world);
    assertNoSecretsIn(world, release);
  });

  it("a ruleset the App cannot bypass: ERULESETBLOCKED for the branch and the tag, nothing pushed, the token revoked by fail", async () => {
    protectReleaseRefs(world, "none");
    const mainBefore = await world.remoteRef("refs/heads/main");
    const release = await startRelease(world, io);
    const errors = await rejectionOf(plugin.verifyConditions(release.pluginConfig, copy(release.context)));

    assert.deepEqual(
      errors.map((e) => [e.code, e.semanticRelease]),
      [
        ["ERULESETBLOCKED", true],
        ["ERULESETBLOCKED", true],
      ],
    );
    assert.match(errors[0]!.message, /"Protect main".*refs\/heads\/main.*release-bot\[bot\]/);
    assert.match(errors[1]!.message, /"Release tags".*refs\/tags\/v/);
    await fail(release, errors);
    await assertNothingPushed(world, mainBefore);
    assert.deepEqual(refPushes(world), []);
    assertAllTokensRevoked(world);
  });

  it("verifyRelease judges the exact tag: a ruleset on refs/tags/v1.0.0 alone stops the release before prepare", async () => {
    world.standIn.addRuleset(world.repo, {
      name: "Frozen 1.0.0",
      target: "tag",
      conditions: { ref_name: { include: ["refs/tags/v1.0.0"], exclude: [] } },
      rules: [{ type: "creation" }],
    });
    const mainBefore = await world.remoteRef("refs/heads/main");
    const release = await startRelease(world, io);
    await plugin.verifyConditions(release.pluginConfig, copy(release.context)); // the version is not known yet
    const errors = await rejectionOf(plugin.verifyRelease(release.pluginConfig, copy(release.context)));

    assert.deepEqual(
      errors.map((e) => e.code),
      ["ERULESETBLOCKED"],
    );
    assert.match(errors[0]!.message, /"Frozen 1\.0\.0".*refs\/tags\/v1\.0\.0/);
    await fail(release, errors);
    await assertNothingPushed(world, mainBefore);
    assertAllTokensRevoked(world);
  });

  it("on GitHub Actions: every token and the base64 credential git sends are masked before use", async () => {
    protectReleaseRefs(world);
    const release = await startRelease(world, io, { githubActions: true });
    await plugin.verifyConditions(release.pluginConfig, copy(release.context));
    await plugin.verifyRelease(release.pluginConfig, copy(release.context));
    await writeChangelog(world, release);
    await plugin.prepare(release.pluginConfig, copy(release.context));
    await plugin.success(release.pluginConfig, copy(release.context));

    const masks = release.stdout.filter((s) => s.startsWith("::add-mask::")).map((s) => s.slice("::add-mask::".length).trimEnd());
    for (const [i, { token }] of appTokens(world).entries()) {
      assert.ok(masks.includes(token), `App token #${i + 1} is masked`);
      const credential = Buffer.from(`x-access-token:${token}`).toString("base64");
      assert.ok(masks.includes(credential), `the Basic credential of App token #${i + 1} (what git sends, and prints with GIT_TRACE) is masked`);
    }
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), await world.remoteRef("refs/heads/main"), "released");
    assertAllTokensRevoked(world);
    assertNoSecretsIn(world, release);
  });

  it("a push GitHub rejects with GH013 (a ruleset added after verifyRelease): EPUSHREJECTED, nothing landed, fail revokes the token", async () => {
    protectReleaseRefs(world);
    const mainBefore = await world.remoteRef("refs/heads/main");
    const release = await startRelease(world, io);
    await plugin.verifyConditions(release.pluginConfig, copy(release.context));
    await plugin.verifyRelease(release.pluginConfig, copy(release.context));
    world.standIn.addRuleset(world.repo, {
      name: "Release freeze",
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
      rules: [{ type: "update" }],
    });
    await writeChangelog(world, release);
    const errors = await rejectionOf(plugin.prepare(release.pluginConfig, copy(release.context)));

    assert.deepEqual(
      errors.map((e) => [e.code, e.semanticRelease]),
      [["EPUSHREJECTED", true]],
    );
    assert.match(errors[0]!.message, /refs\/heads\/main.*release-bot\[bot\].*GH013/);
    assert.match(errors[0]!.details ?? "", /Cannot update this protected ref/i, "GitHub's rule text reaches the user");
    assert.deepEqual(
      refPushes(world).map((p) => ({ actor: p.actor, accepted: p.accepted })),
      [{ actor: APP_ACTOR, accepted: false }],
      "the App's atomic push was refused as a whole",
    );
    await assertNothingPushed(world, mainBefore);
    await fail(release, errors);
    assertAllTokensRevoked(world);
    assertNoSecretsIn(world, release);
  });
});
