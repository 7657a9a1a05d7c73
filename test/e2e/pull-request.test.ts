// End to end: releasing through a pull request (README "Releasing through a pull request") with the
// real semantic-release CLI against the stand-in's pull requests, check runs, reviews, auto-merge and
// merge queue. A repository where nobody may bypass (pull request + required check + merge queue)
// releases in `auto` mode: the App opens the pull request, a person approves, the queue merges it, the
// tag lands on the merged history, and the publish step (after this plugin) runs only then. Each
// failure path stops with its code and the pull request's link, closes it, deletes the release branch,
// tags and publishes nothing; a re-run then releases.
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import type { PullRequestView, Ruleset } from "github-stand-in";
import { runBinIn } from "../helpers/cli-bin.js";
import { APP_ACTOR, DEFAULT_PLUGINS, PLUGIN_PLACEHOLDER, assertNoSecrets, assertTokensRevoked, gitIn, output, refPushes, releaseWorld, resetWorkspace, setPlugins, type ReleaseWorld, type RunResult } from "../helpers/e2e.js";

const RECORDER = fileURLToPath(new URL("../fixtures/publish-recorder.mjs", import.meta.url));
const RELEASE_BRANCH = "refs/heads/semantic-release/v1.0.0";
const WITH_PULL_REQUESTS = { contents: "write", metadata: "read", pull_requests: "write", checks: "read" } as const;

const MERGE_QUEUE_RULE = {
  type: "merge_queue",
  parameters: {
    check_response_timeout_minutes: 60,
    grouping_strategy: "ALLGREEN",
    max_entries_to_build: 5,
    max_entries_to_merge: 5,
    merge_method: "MERGE",
    min_entries_to_merge: 1,
    min_entries_to_merge_wait_minutes: 0,
  },
};

function pullRequestRule(reviews: number) {
  return {
    type: "pull_request",
    parameters: { required_approving_review_count: reviews, dismiss_stale_reviews_on_push: false, require_code_owner_review: false, require_last_push_approval: false, required_review_thread_resolution: false },
  };
}

function checksRule(strict = false) {
  return { type: "required_status_checks", parameters: { required_status_checks: [{ context: "ci" }], strict_required_status_checks_policy: strict } };
}

/** The plugins of a release with a publish step after this plugin (@semantic-release/npm bumps package.json before it, without publishing). */
async function usePlugins(world: ReleaseWorld, pluginOptions: Record<string, unknown>): Promise<string> {
  const file = join(world.runnerTemp, "published.jsonl");
  const recorder = [RECORDER, { gitDir: world.repo.gitDir, branch: "main", file }];
  await setPlugins(world, [...DEFAULT_PLUGINS, ["@semantic-release/npm", { npmPublish: false }], PLUGIN_PLACEHOLDER, recorder], world.workDir, pluginOptions);
  return file;
}

async function published(file: string): Promise<{ tag: string; main: string | null; tagged: string | null; tagOnBranch: boolean }[]> {
  return existsSync(file) ? (await readFile(file, "utf8")).split("\n").filter(Boolean).map((line) => JSON.parse(line)) : [];
}

/**
 * Runs the CLI; once the release pull request is open (and `ready()` holds), calls `action` with it
 * (polls the stand-in's state while the run lasts).
 */
async function runWhileOpen(world: ReleaseWorld, action: (pr: PullRequestView) => unknown, ready: () => boolean = () => true): Promise<{ result: RunResult; acted: boolean }> {
  let finished = false;
  const running = world.run().finally(() => (finished = true));
  let acted = false;
  while (!finished && !acted) {
    const [open] = await world.standIn.pullRequests(world.repo, { state: "open" });
    if (open && ready()) {
      await action(open);
      acted = true;
    } else await sleep(100);
  }
  return { result: await running, acted };
}

/** What a failed run left on the remote: main, the tag, the release branch, what was published, the pull requests still open. */
async function leftBehind(world: ReleaseWorld, recorded: string) {
  return {
    main: await world.remoteRef("refs/heads/main"),
    tag: await world.remoteRef("refs/tags/v1.0.0"),
    releaseBranch: await world.remoteRef(RELEASE_BRANCH),
    published: (await published(recorded)).length,
    open: (await world.standIn.pullRequests(world.repo, { state: "open" })).length,
  };
}

describe("pushMode auto where nobody may bypass: pull request, a required check and a merge queue", () => {
  let world: ReleaseWorld;
  let recorded: string;
  let mainBefore: string | undefined;
  let dryRun: RunResult;
  let doctor: RunResult;
  let released: RunResult;
  let approvedWhileOpen: boolean;
  let requests: ReturnType<ReleaseWorld["standIn"]["requests"]>;

  before(async () => {
    // tokens of 302 s: 2 s after each mint fewer than 5 minutes are left, so waiting re-mints them
    world = await releaseWorld({ installationPermissions: WITH_PULL_REQUESTS, tokenLifetimeSeconds: 302 });
    const { standIn, repo, app } = world;
    standIn.addRuleset(repo, {
      name: "Protect main",
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
      rules: [pullRequestRule(1), checksRule(), MERGE_QUEUE_RULE],
      bypass_actors: [],
    });
    standIn.addRuleset(repo, {
      name: "Release tags",
      target: "tag",
      conditions: { ref_name: { include: ["refs/tags/v*"], exclude: [] } },
      rules: [{ type: "creation" }, { type: "update" }, { type: "deletion" }],
      bypass_actors: [{ actor_id: app.id, actor_type: "Integration", bypass_mode: "always" }],
    });
    standIn.addCheck(repo, { name: "ci", conclusion: "success", afterMs: 200 });
    recorded = await usePlugins(world, { pushMode: "auto" });
    mainBefore = await world.remoteRef("refs/heads/main");
    dryRun = await world.run(["--dry-run"]);
    doctor = await runBinIn(world, ["doctor", "--push-mode", "auto", "--json"]);
    // a person approves the App's pull request while the release waits (once the plugin's first look
    // is over: its second look has begun)
    const since = standIn.mark();
    const looked = () => standIn.requests({ route: "GET /repos/{owner}/{repo}/pulls/{pull_number}", since }).length >= 2;
    ({ result: released, acted: approvedWhileOpen } = await runWhileOpen(world, (pr) => standIn.approve(repo, pr.number, { by: "octo" }), looked));
    requests = standIn.requests({ since });
  });
  after(() => world?.close());

  it("--dry-run: the report names the mode, why, and how the pull request will be merged; nothing is pushed", () => {
    assert.equal(dryRun.code, 0, output(dryRun));
    const text = output(dryRun).replace(/\n {16}/g, " ");
    assert.match(text, /Push mode +pull-request \(pushMode: auto\): a direct push by release-bot\[bot\] is refused by "Protect main" \(pull_request, required_status_checks, merge_queue\)/);
    assert.match(text, /Pull request +from semantic-release\/v1\.0\.0, added to the merge queue \(merge\); waits for 1 approving review \(a person must approve\) and checks ci/);
    assert.match(text, /Verdict: the release can be pushed as release-bot\[bot\] through a pull request/);
  });

  it("doctor --push-mode auto: accepted through a pull request, and why", () => {
    assert.equal(doctor.code, 0, output(doctor));
    const verdict = JSON.parse(doctor.stdout) as { accepted: boolean; pushMode: string; pushModeReason: string; errors: unknown[] };
    assert.deepEqual([verdict.accepted, verdict.pushMode, verdict.errors], [true, "pull-request", []]);
    assert.match(verdict.pushModeReason, /refused by "Protect main"/);
  });

  it("says before starting that a person must approve, and names the pull request while waiting", () => {
    assert.equal(released.code, 0, output(released));
    assert.ok(approvedWhileOpen);
    const text = output(released);
    assert.match(text, /Push mode: pull-request \(pushMode: auto\)/);
    assert.match(text, /main requires 1 approving review: a person must approve the release pull request/);
    assert.match(text, /Required status checks that will run on the release pull request: ci/);
    assert.match(text, /Opened the release pull request #1: http:\/\/127\.0\.0\.1:\d+\/octo\/lib\/pull\/1/);
    assert.match(text, /Waiting for pull request #1 to be merged \(\d+ s\): .*\/octo\/lib\/pull\/1/);
  });

  it("the App opened the pull request (title from the message, body the notes) and the merge queue merged it", async () => {
    const [pr, ...others] = await world.standIn.pullRequests(world.repo);
    assert.equal(others.length, 0);
    assert.equal(pr!.merged, true);
    assert.equal(pr!.pullRequest!.openedBy, APP_ACTOR);
    assert.equal(pr!.title, "chore(release): 1.0.0 [skip ci]");
    assert.match(pr!.body ?? "", /### Features/);
    const entries = world.standIn.mergeQueue(world.repo, { all: true });
    assert.deepEqual(entries.map((e) => [e.number, e.state]), [[1, "merged"]]);
  });

  it("tags the release commit on main's history, pushed by the App; main moved only through the queue; the release branch is gone", async () => {
    const main = await world.remoteRef("refs/heads/main");
    const tagged = await world.remoteRef("refs/tags/v1.0.0^{commit}");
    assert.ok(tagged && main && main !== mainBefore);
    await world.standIn.git(world.repo, "merge-base", "--is-ancestor", tagged, main);
    assert.equal((await world.remoteCommit(tagged)).subject, "chore(release): 1.0.0 [skip ci]");
    assert.match(await world.standIn.git(world.repo, "show", `${tagged}:package.json`), /"version": "1\.0\.0"/);
    assert.equal(await world.remoteRef(RELEASE_BRANCH), undefined);
    const pushes = (ref: string) => world.standIn.refPushes({ ref });
    assert.deepEqual(pushes("refs/heads/main"), [], "nobody pushed to main");
    assert.deepEqual(pushes("refs/tags/v1.0.0").map((p) => [p.actor, p.accepted]), [[APP_ACTOR, true]], "the App pushed the tag");
    assert.ok(pushes(RELEASE_BRANCH).some((p) => p.accepted && p.actor === APP_ACTOR), "the App pushed the release branch");
  });

  it("publishes only after the merge: the publish step saw the tag on main", async () => {
    const [entry, ...more] = await published(recorded);
    assert.equal(more.length, 0);
    assert.equal(entry!.tag, "v1.0.0");
    assert.equal(entry!.tagOnBranch, true);
    assert.equal(entry!.tagged, await world.remoteRef("refs/tags/v1.0.0^{commit}"));
  });

  it("asks GitHub once for each step of the mode (requests of the release, by route)", (t) => {
    const byRoute = new Map<string, number>();
    for (const r of requests) byRoute.set(`${r.route}${r.git ? " (git)" : ""}`, (byRoute.get(`${r.route}${r.git ? " (git)" : ""}`) ?? 0) + 1);
    t.diagnostic(`${requests.length} requests: ${[...byRoute].map(([route, n]) => `${route} ×${n}`).join("; ")}`);
    assert.equal(byRoute.get("POST /repos/{owner}/{repo}/pulls"), 1);
    assert.equal(byRoute.get("GET /repos/{owner}/{repo}"), 1, "the merge settings, read once");
    assert.equal(byRoute.get("DELETE /repos/{owner}/{repo}/git/refs/{ref}"), 1, "the release branch, deleted once");
    // enqueued only once GitHub allowed it: refused (UNPROCESSABLE) before the approval, accepted after it
    const enqueues = world.standIn.graphql({ actor: APP_ACTOR, operationName: "EnqueueReleasePullRequest" });
    assert.ok(enqueues.length >= 2, `${enqueues.length} enqueue requests`);
    assert.deepEqual(enqueues.at(-1)!.errors, []);
    assert.ok(enqueues.slice(0, -1).every((q) => q.errors[0]?.type === "UNPROCESSABLE"));
  });

  it("re-mints the token while it waits (each replaced token revoked), revokes every token, leaks no secret", async () => {
    const opened = requests.find((r) => r.route === "POST /repos/{owner}/{repo}/pulls")!;
    const mintedWhileWaiting = requests.filter((r) => r.route === "POST /app/installations/{installation_id}/access_tokens" && r.at > opened.at);
    assert.ok(mintedWhileWaiting.length >= 1, "a token minted after the pull request was opened");
    assert.ok(requests.filter((r) => r.route === "DELETE /installation/token").length >= 2);
    assertTokensRevoked(world);
    await assertNoSecrets(world, released);
    await assertNoSecrets(world, dryRun);
  });
});

describe("the failure paths of a release pull request, then a re-run that releases", () => {
  let world: ReleaseWorld;
  let ruleset: Ruleset;
  let recorded: string;
  let mainBefore: string | undefined;
  const results: Record<string, RunResult> = {};
  let pushesAfterBlocked = -1;
  const left: Record<string, Awaited<ReturnType<typeof leftBehind>> & { mainBefore: string | undefined }> = {};
  const note = async (name: string) => (left[name] = { ...(await leftBehind(world, recorded)), mainBefore });

  before(async () => {
    world = await releaseWorld({ installationPermissions: WITH_PULL_REQUESTS });
    const { standIn, repo } = world;
    ruleset = standIn.addRuleset(repo, {
      name: "Protect main",
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
      rules: [pullRequestRule(1), checksRule()],
      bypass_actors: [],
    });
    standIn.setMergeSettings(repo, { allow_auto_merge: true });
    recorded = await usePlugins(world, { pushMode: "pull-request" });
    mainBefore = await world.remoteRef("refs/heads/main");

    // 0. a ruleset keeps the App from creating the release branch: stopped in verifyRelease, before any push
    const releaseBranches = standIn.addRuleset(repo, {
      name: "Release branches",
      target: "branch",
      conditions: { ref_name: { include: ["refs/heads/semantic-release/**"], exclude: [] } },
      rules: [{ type: "creation" }],
      bypass_actors: [],
    });
    results.blocked = await world.run();
    await note("blocked");
    pushesAfterBlocked = refPushes(world).length;
    await resetWorkspace(world);
    standIn.updateRuleset(releaseBranches, { enforcement: "disabled" });
    // 1. the required check fails on the pull request
    standIn.addCheck(repo, { name: "ci", conclusion: "failure", afterMs: 100 });
    results.checks = await world.run();
    await note("checks");
    await resetWorkspace(world);
    // 2. a person closes it while it waits for their review
    standIn.addCheck(repo, { name: "ci", conclusion: "success", afterMs: 100 });
    results.closed = (await runWhileOpen(world, (pr) => standIn.closePullRequest(repo, pr.number, { by: "octo" }))).result;
    await note("closed");
    await resetWorkspace(world);
    // 3. nobody approves within pullRequestTimeout
    recorded = await usePlugins(world, { pushMode: "pull-request", pullRequestTimeout: 3000 });
    results.timeout = await world.run();
    await note("timeout");
    await resetWorkspace(world);
    // 4. the merge queue drops it: its merge group fails the check that passed on the pull request
    standIn.updateRuleset(ruleset, { rules: [pullRequestRule(0), checksRule(), MERGE_QUEUE_RULE] });
    standIn.setMergeSettings(repo, { allow_auto_merge: false });
    standIn.addCheck(repo, { name: "ci", conclusion: "failure", afterMs: 100, on: ["merge_group"] });
    recorded = await usePlugins(world, { pushMode: "pull-request" });
    results.dropped = await world.run();
    await note("dropped");
    await resetWorkspace(world);
    // 5. main moves under a "must be up to date" rule while the check runs
    standIn.updateRuleset(ruleset, { rules: [pullRequestRule(0), checksRule(true)] });
    standIn.addCheck(repo, { name: "ci", conclusion: "success", afterMs: 60_000 });
    let moved: string | undefined;
    results.moved = (await runWhileOpen(world, async () => (moved = await standIn.pushCommit(repo, "main", { author: "octo", message: "docs: a change that lands meanwhile", files: { "docs.md": "meanwhile\n" } })))).result;
    mainBefore = moved;
    await note("moved");
    // the workspace follows main, as the next workflow run's checkout would
    await gitIn(world.workDir, ["fetch", "-q", "origin", "main"]);
    await gitIn(world.workDir, ["reset", "-q", "--hard", "FETCH_HEAD"]);
    world.env.GITHUB_SHA = await gitIn(world.workDir, ["rev-parse", "HEAD"]);
    await resetWorkspace(world);
    // 6. the re-run, with the check passing, where only squash merges are allowed
    standIn.addCheck(repo, { name: "ci", conclusion: "success", afterMs: 100 });
    standIn.setMergeSettings(repo, { allow_merge_commit: false, allow_rebase_merge: false, allow_squash_merge: true, allow_auto_merge: true });
    results.rerun = await world.run();
  });
  after(() => world?.close());

  const link = /http:\/\/127\.0\.0\.1:\d+\/octo\/lib\/pull\/\d+/;

  it("a ruleset on the release branch the App may not pass: ERELEASEBRANCHBLOCKED before anything is pushed", () => {
    assert.notEqual(results.blocked!.code, 0);
    const text = output(results.blocked!);
    assert.match(text, /ERELEASEBRANCHBLOCKED The release branch semantic-release\/v1\.0\.0 may not be created by release-bot\[bot\]: "Release branches" \(creation\)/);
    assert.equal(pushesAfterBlocked, 0, "no push at all");
  });

  it("a failing required check: EPULLREQUESTCHECKSFAILED naming the check and the pull request", () => {
    const text = output(results.checks!);
    assert.notEqual(results.checks!.code, 0);
    assert.match(text, /EPULLREQUESTCHECKSFAILED/);
    assert.match(text, /Required checks failed on the release pull request #1 \(http:[^)]+\/pull\/1\): ci \(failure\)/);
  });

  it("closed by a person: EPULLREQUESTCLOSED with its link", () => {
    assert.notEqual(results.closed!.code, 0);
    assert.match(output(results.closed!), /EPULLREQUESTCLOSED/);
    assert.match(output(results.closed!), link);
  });

  it("nobody approved in time: EPULLREQUESTTIMEOUT saying it waited for a person's approval", () => {
    assert.notEqual(results.timeout!.code, 0);
    const text = output(results.timeout!);
    assert.match(text, /EPULLREQUESTTIMEOUT/);
    assert.match(text, /was not merged within 3 s \(pullRequestTimeout\); it was waiting for a person's approval/);
  });

  it("dropped by the merge queue: EMERGEQUEUEDROPPED", () => {
    assert.notEqual(results.dropped!.code, 0);
    assert.match(output(results.dropped!), /EMERGEQUEUEDROPPED/);
    assert.match(output(results.dropped!), link);
  });

  it("main moved under a must-be-up-to-date rule: EPULLREQUESTBASEMOVED (the version is computed again by a re-run)", () => {
    assert.notEqual(results.moved!.code, 0);
    assert.match(output(results.moved!), /EPULLREQUESTBASEMOVED/);
    assert.match(output(results.moved!), /behind/);
  });

  it("after each failure: the pull request closed, the release branch deleted, nothing tagged, nothing published", async () => {
    assert.deepEqual(Object.keys(left), ["blocked", "checks", "closed", "timeout", "dropped", "moved"]);
    for (const [name, state] of Object.entries(left)) {
      assert.deepEqual(state, { main: state.mainBefore, tag: undefined, releaseBranch: undefined, published: 0, open: 0, mainBefore: state.mainBefore }, name);
    }
    const closed = await world.standIn.pullRequests(world.repo, { state: "closed" });
    assert.equal(closed.length, 5);
    assert.ok(closed.every((pr) => pr.pullRequest!.openedBy === APP_ACTOR));
    const tags = refPushes(world).filter((p) => p.updates.some((u) => u.ref.startsWith("refs/tags/")));
    assert.equal(tags.length, 1, "only the re-run pushed a tag");
  });

  it("the re-run releases through a new pull request, squashed: the tag on the squash commit that is on main, published after the merge", async () => {
    assert.equal(results.rerun!.code, 0, output(results.rerun!));
    const [merged, ...more] = await world.standIn.pullRequests(world.repo, { state: "merged" });
    assert.equal(more.length, 0);
    assert.equal(merged!.number, 6);
    assert.equal(merged!.pullRequest!.mergeMethod, "squash");
    const main = await world.remoteRef("refs/heads/main");
    assert.notEqual(main, mainBefore);
    const tagged = await world.remoteRef("refs/tags/v1.0.0^{commit}");
    // a squash writes a new commit: the local branch was moved onto it, so that is the one tagged
    assert.equal(tagged, merged!.pullRequest!.mergeCommitSha);
    assert.notEqual(tagged, merged!.pullRequest!.headSha);
    assert.equal(tagged, main);
    assert.match(await world.standIn.git(world.repo, "show", `${tagged}:package.json`), /"version": "1\.0\.0"/);
    assert.equal(await world.remoteRef(RELEASE_BRANCH), undefined);
    const [entry] = await published(recorded);
    assert.equal(entry?.tagOnBranch, true);
  });

  it("revokes every token and leaks no secret", async () => {
    assertTokensRevoked(world);
    for (const result of Object.values(results)) await assertNoSecrets(world, result);
  });
});

describe("pushMode auto where the App may bypass: the direct push, and the report says why", () => {
  let world: ReleaseWorld;
  let dryRun: RunResult;
  let workflowToken: RunResult;
  let released: RunResult;

  before(async () => {
    world = await releaseWorld({ installationPermissions: WITH_PULL_REQUESTS });
    world.standIn.addRuleset(world.repo, {
      name: "Protect main",
      target: "branch",
      conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
      rules: [pullRequestRule(1), checksRule()],
      bypass_actors: [{ actor_id: world.app.id, actor_type: "Integration", bypass_mode: "always" }],
    });
    await usePlugins(world, { pushMode: "auto" });
    dryRun = await world.run(["--dry-run"]);
    // the workflow token, not on the bypass list: a pull request it would open starts no checks
    workflowToken = await world.run(["--dry-run"], { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_PRIVATE_KEY: undefined });
    released = await world.run();
  });
  after(() => world?.close());

  it("with the workflow GITHUB_TOKEN: a pull request, and the warning that its checks would never start", () => {
    assert.equal(workflowToken.code, 0, output(workflowToken));
    assert.match(output(workflowToken), /Push mode: pull-request \(pushMode: auto\): a direct push by github-actions\[bot\] is refused by "Protect main"/);
    assert.match(output(workflowToken), /opened with the workflow GITHUB_TOKEN, and pull requests it opens start no pull_request workflows: the required checks \(ci\) would never report/);
  });

  it("--dry-run names the direct mode and why", () => {
    assert.equal(dryRun.code, 0, output(dryRun));
    assert.match(output(dryRun).replace(/\n {16}/g, " "), /Push mode +direct \(pushMode: auto\): the rules let release-bot\[bot\] push to the branch directly/);
    assert.doesNotMatch(output(dryRun), /^Pull request /m);
  });

  it("releases with the atomic push, no pull request", async () => {
    assert.equal(released.code, 0, output(released));
    assert.match(output(released), /Push mode: direct \(pushMode: auto\)/);
    assert.deepEqual(await world.standIn.pullRequests(world.repo), []);
    assert.equal(await world.remoteRef("refs/tags/v1.0.0"), await world.remoteRef("refs/heads/main"));
    assertTokensRevoked(world);
  });
});
