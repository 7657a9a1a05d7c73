// The wait of the pull-request mode (lib/push/pull-request/wait.ts) and the opening of its pull request
// (open.ts) against the stand-in's pull requests and check runs, with an injected clock: the pauses
// between looks grow by half up to 15 s and never pass the deadline, the progress line is logged when
// what it waits for changes, the token is refreshed before every look, and each ending (merged through
// REST, a failed required check, the timeout) is what a user sees. No real waiting.
import { strict as assert } from "node:assert";
import { after, before, describe, it } from "node:test";
import { startStandIn, type Installation, type Repository, type Ruleset, type StandIn } from "github-stand-in";
import { ReleaseOctokit, toOctokitOptions } from "../lib/octokit.js";
import type { MergePlan } from "../lib/preflight/pull-request.js";
import { openPullRequest, startMerge, type ReleasePullRequest } from "../lib/push/pull-request/open.js";
import { waitForMerge } from "../lib/push/pull-request/wait.js";
import { makeLogger } from "./helpers/token-fixtures.js";

let standIn: StandIn;
let repo: Repository;
let installation: Installation;
let ruleset: Ruleset;
const checksRule = { type: "required_status_checks", parameters: { required_status_checks: [{ context: "ci" }], strict_required_status_checks_policy: false } };

const plan: MergePlan = { strategy: "merge", method: "merge", autoMergeMethod: undefined, reviews: 0, requiredChecks: ["ci"] };

before(async () => {
  standIn = await startStandIn();
  standIn.createUser("octo");
  repo = await standIn.createRepo("octo", "lib", { files: { "README.md": "# lib\n" } });
  const { app } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", pull_requests: "write", checks: "read" } });
  installation = standIn.installApp(app, "octo", { repositories: ["lib"], permissions: { contents: "write", pull_requests: "write", checks: "read" } });
  ruleset = standIn.addRuleset(repo, {
    name: "Protect main",
    target: "branch",
    conditions: { ref_name: { include: ["~DEFAULT_BRANCH"], exclude: [] } },
    rules: [checksRule],
    bypass_actors: [],
  });
  // the check starts on every pull request and runs until the test completes it
  standIn.addCheck(repo, { name: "ci", conclusion: "success", afterMs: Number.POSITIVE_INFINITY });
});
after(() => standIn.close());

function octokit() {
  const { token } = standIn.mintInstallationToken(installation, {});
  return new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token, retry: { retries: 0 } }));
}

/** The App's release branch `head` (one commit on main, made through the Git database API) and its pull request, opened as the plugin opens it. */
async function releasePullRequest(head: string): Promise<ReleasePullRequest> {
  const api = octokit();
  const where = { owner: "octo", repo: "lib" };
  const { data: main } = await api.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...where, ref: "heads/main" });
  const { data: parent } = await api.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...where, commit_sha: main.object.sha });
  const { data: tree } = await api.request("POST /repos/{owner}/{repo}/git/trees", { ...where, base_tree: parent.tree.sha, tree: [{ path: `${head.replace(/\//g, "-")}.txt`, mode: "100644", type: "blob", content: "x\n" }] });
  const { data: commit } = await api.request("POST /repos/{owner}/{repo}/git/commits", { ...where, message: "chore(release): 1.0.0", tree: tree.sha, parents: [main.object.sha] });
  await api.request("POST /repos/{owner}/{repo}/git/refs", { ...where, ref: `refs/heads/${head}`, sha: commit.sha });
  return openPullRequest({ octokit: api, ...where, head, base: "main", title: "chore(release): 1.0.0", body: "notes" });
}

/** A clock that moves only when the wait pauses. */
function fakeClock() {
  const clock = { t: 0, pauses: [] as number[], fresh: 0 };
  return {
    clock,
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.pauses.push(ms);
      clock.t += ms;
    },
    fresh: async () => {
      clock.fresh++;
    },
  };
}

/** Completes the pull request's `ci` run once it has started (checks start when the stand-in notices the head). */
async function completeCi(pr: ReleasePullRequest, conclusion: "success" | "failure"): Promise<void> {
  for (let tries = 0; standIn.completeChecks(repo, { sha: pr.headSha, name: "ci", conclusion }) === 0; tries++) {
    assert.ok(tries < 600, "the ci check run started");
    await standIn.pullRequest(repo, pr.number);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function context(pr: ReleasePullRequest, head: string) {
  return { url: pr.url, number: pr.number, releaseBranch: head, branch: "main", tag: "v1.0.0" };
}

describe("waiting for the release pull request", () => {
  it("reuses the pull request a failed run left open from the same branch (title and body replaced)", async () => {
    const first = await releasePullRequest("semantic-release/reused");
    assert.equal(first.reused, false);
    const again = await openPullRequest({ octokit: octokit(), owner: "octo", repo: "lib", head: "semantic-release/reused", base: "main", title: "chore(release): 1.0.1", body: "new notes" });
    assert.deepEqual({ number: again.number, reused: again.reused }, { number: first.number, reused: true });
    const view = await standIn.pullRequest(repo, first.number);
    assert.deepEqual([view?.title, view?.body, view?.pullRequest?.openedBy], ["chore(release): 1.0.1", "new notes", "installation:release-bot[bot]"]);
    assert.equal((await standIn.pullRequests(repo, { head: "semantic-release/reused" })).length, 1);
  });

  it("times out with pauses growing by half up to 15 s and stopping at the deadline, a progress line at once and a minute later, the token refreshed before each look", async () => {
    const head = "semantic-release/slow";
    const pr = await releasePullRequest(head);
    const { logger, lines } = makeLogger();
    const { clock, ...time } = fakeClock();
    await assert.rejects(
      waitForMerge({ octokit: octokit(), owner: "octo", repo: "lib", pullRequest: pr, plan, start: { armed: false, enqueued: false }, context: context(pr, head), timeoutMs: 60_000, logger, ...time }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "EPULLREQUESTTIMEOUT");
        assert.match(error.message, new RegExp(`pull request #${pr.number} \\(${pr.url.replace(/[/.]/g, "\\$&")}\\) was not merged within 60 s \\(pullRequestTimeout\\); it was waiting for the required checks \\(ci\\)`));
        return true;
      },
    );
    assert.deepEqual(clock.pauses, [1000, 1500, 2250, 3375, 5062.5, 7593.75, 11390.625, 15_000, 12828.125]);
    assert.equal(clock.fresh, clock.pauses.length + 1);
    const waiting = (seconds: number) => `log: Waiting for pull request #${pr.number} to be merged (${seconds} s): the required checks (ci) — ${pr.url}`;
    assert.deepEqual(lines.filter((l) => l.includes("Waiting")), [waiting(0), waiting(60)]);
    assert.equal((await standIn.pullRequest(repo, pr.number))?.state, "open", "the wait itself closes nothing (index.ts cleans up)");
  });

  it("merges through REST, with the planned method, once the required check passed", async () => {
    const head = "semantic-release/ready";
    const pr = await releasePullRequest(head);
    await completeCi(pr, "success");
    const { logger } = makeLogger();
    const sha = await waitForMerge({ octokit: octokit(), owner: "octo", repo: "lib", pullRequest: pr, plan, start: { armed: false, enqueued: false }, context: context(pr, head), timeoutMs: 60_000, logger, ...fakeClock() });
    const view = await standIn.pullRequest(repo, pr.number);
    assert.equal(view?.merged, true);
    assert.equal(view?.pullRequest?.mergeMethod, "merge");
    assert.equal(sha, view?.pullRequest?.mergeCommitSha);
    assert.equal(await standIn.git(repo, "rev-parse", "refs/heads/main"), sha);
  });

  it("stops at a failed required check: EPULLREQUESTCHECKSFAILED with the check and the pull request", async () => {
    const head = "semantic-release/red";
    const pr = await releasePullRequest(head);
    await completeCi(pr, "failure");
    const { logger } = makeLogger();
    await assert.rejects(
      waitForMerge({ octokit: octokit(), owner: "octo", repo: "lib", pullRequest: pr, plan, start: { armed: false, enqueued: false }, context: context(pr, head), timeoutMs: 60_000, logger, ...fakeClock() }),
      (error: Error & { code?: string }) => error.code === "EPULLREQUESTCHECKSFAILED" && error.message.includes(`#${pr.number}`) && /ci \(failure\)/.test(error.message),
    );
  });

  it("under a merge queue with auto-merge: enabled at once, GitHub enqueues it once its check passed, the queue merges it", async () => {
    standIn.updateRuleset(ruleset, {
      rules: [
        checksRule,
        { type: "merge_queue", parameters: { check_response_timeout_minutes: 60, grouping_strategy: "ALLGREEN", max_entries_to_build: 5, max_entries_to_merge: 5, merge_method: "MERGE", min_entries_to_merge: 1, min_entries_to_merge_wait_minutes: 0 } },
      ],
    });
    standIn.setMergeSettings(repo, { allow_auto_merge: true });
    const head = "semantic-release/queued";
    const pr = await releasePullRequest(head);
    const queuePlan: MergePlan = { strategy: "merge-queue", method: "merge", autoMergeMethod: "merge", reviews: 0, requiredChecks: ["ci"] };
    const start = await startMerge({ octokit: octokit(), owner: "octo", repo: "lib", pullRequest: pr, plan: queuePlan, releaseBranch: head });
    assert.deepEqual(start, { armed: true, enqueued: false });
    const { logger, lines } = makeLogger();
    const { clock, now, fresh } = fakeClock();
    // between two looks the world moves on: the pull request's check, then its merge group's, pass
    const sleep = async (ms: number) => {
      clock.pauses.push(ms);
      clock.t += ms;
      standIn.completeChecks(repo, { name: "ci", conclusion: "success" });
      await new Promise((resolve) => setTimeout(resolve, 20));
    };
    const sha = await waitForMerge({ octokit: octokit(), owner: "octo", repo: "lib", pullRequest: pr, plan: queuePlan, start, context: context(pr, head), timeoutMs: 3_600_000, logger, now, sleep, fresh });
    const view = await standIn.pullRequest(repo, pr.number);
    assert.equal(view?.merged, true);
    assert.equal(sha, view?.pullRequest?.mergeCommitSha);
    assert.deepEqual(standIn.mergeQueue(repo, { all: true }).map((e) => [e.number, e.state]), [[pr.number, "merged"]]);
    assert.ok(lines.some((l) => l.includes("the required checks (ci)") || l.includes("the merge queue")), lines.join("\n"));
    assert.equal(standIn.graphql({ operationName: "EnqueueReleasePullRequest" }).length, 0, "GitHub enqueued it, not the plugin");
  });
});
