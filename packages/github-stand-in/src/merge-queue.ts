// The merge queue (docs/github.md §18.6): a base branch with a `merge_queue` rule is changed only by
// the queue. A pull request is enqueued (GraphQL `enqueuePullRequest`, or auto-merge once nothing else
// blocks it); the queue makes a merge group, a commit of the base plus the pull request merged with the
// rule's `merge_method`, under the branch `gh-readonly-queue/<base>/pr-<number>-<head sha>`; the
// `merge_group` checks run on it; when every required check passes the base is fast-forwarded to it
// and the pull request is merged, when one fails (or does not report within
// `check_response_timeout_minutes`) the pull request is removed from the queue. Entries are built one at
// a time, in order (the stand-in does not build several groups at once).
import { checkOutcome, startChecks } from "./checks.js";
import { githubTime } from "./rest-apps.js";
import { buildMerge, later, reconcile, recordMerge, refreshAll, refreshPull, revParse, type MergeMethod } from "./pulls.js";
import { rulesetsForRef } from "./rules.js";
import type { Account, IssueRecord, Repository, Rule, World } from "./world.js";

export interface QueueEntry {
  id: number;
  /** the pull request's number */
  number: number;
  baseRef: string;
  /** the head the pull request had when it was enqueued */
  headSha: string;
  /** queued → awaiting_checks (its merge group built) → merged, or removed */
  state: "queued" | "awaiting_checks" | "merged" | "removed";
  /** why it left the queue without merging */
  reason?: "check-failed" | "check-timeout" | "conflict" | "closed" | "head-changed";
  enqueuedAt: string;
  enqueuedBy: Account;
  groupRef: string | null;
  groupSha: string | null;
  /** the base commit its merge group was built on */
  groupBaseSha: string | null;
  checksStartedAt: number | null;
}

function entriesOf(world: World, repo: Repository): QueueEntry[] {
  let list = world.mergeQueue.get(repo.id);
  if (!list) world.mergeQueue.set(repo.id, (list = []));
  return list;
}

const active = (entry: QueueEntry) => entry.state === "queued" || entry.state === "awaiting_checks";

/** The pull request's entry while it is in the queue, or undefined. */
export function queueEntryOf(world: World, repo: Repository, issue: IssueRecord): QueueEntry | undefined {
  return entriesOf(world, repo).find((e) => e.number === issue.number && active(e));
}

/** The entries waiting in the queue of `base`, in order. */
export function queueOf(world: World, repo: Repository, base: string): QueueEntry[] {
  return entriesOf(world, repo).filter((e) => e.baseRef === base && active(e));
}

/** the `merge_queue` rule that applies to a branch, if any */
export function mergeQueueRule(world: World, repo: Repository, branch: string): Rule | undefined {
  return rulesetsForRef(world, repo, `refs/heads/${branch}`)
    .flatMap((ruleset) => ruleset.rules)
    .find((rule) => rule.type === "merge_queue");
}

/** Adds a pull request at the end of its base's queue. */
export function enqueue(world: World, repo: Repository, issue: IssueRecord, opts: { by: Account; nowMs: number }): QueueEntry {
  const existing = queueEntryOf(world, repo, issue);
  if (existing) return existing;
  const pr = issue.pullRequest!;
  const entry: QueueEntry = {
    id: world.id(),
    number: issue.number,
    baseRef: pr.baseRef,
    headSha: pr.headSha,
    state: "queued",
    enqueuedAt: githubTime(opts.nowMs),
    enqueuedBy: opts.by,
    groupRef: null,
    groupSha: null,
    groupBaseSha: null,
    checksStartedAt: null,
  };
  entriesOf(world, repo).push(entry);
  return entry;
}

/** the contexts the base's rules require (what the merge group must pass) */
function requiredContexts(world: World, repo: Repository, branch: string): string[] {
  const rules = rulesetsForRef(world, repo, `refs/heads/${branch}`).flatMap((r) => r.rules);
  const fromRules = rules.filter((r) => r.type === "required_status_checks").flatMap((r) => ((r.parameters?.required_status_checks as { context: string }[] | undefined) ?? []).map((c) => c.context));
  return [...new Set([...fromRules, ...(repo.protection.get(branch)?.required_status_checks?.contexts ?? [])])];
}

async function drop(world: World, repo: Repository, entry: QueueEntry, reason: NonNullable<QueueEntry["reason"]>): Promise<void> {
  entry.state = "removed";
  entry.reason = reason;
  const issue = world.issuesOf(repo)[entry.number - 1];
  // a pull request removed from the queue is no longer set to merge (docs/github.md §18.6)
  if (issue?.pullRequest) issue.pullRequest.autoMerge = null;
  await deleteGroupRef(world, repo, entry);
}

async function deleteGroupRef(world: World, repo: Repository, entry: QueueEntry): Promise<void> {
  if (entry.groupRef && world.engine) await world.engine.git(repo)(["update-ref", "-d", entry.groupRef]).catch(() => undefined);
}

/** Builds the merge group of the first entry: the base with the pull request merged by the rule's method; its checks start. */
async function buildGroup(world: World, repo: Repository, entry: QueueEntry, issue: IssueRecord, rule: Rule): Promise<void> {
  const engine = world.engine!;
  const git = engine.git(repo);
  await refreshPull(world, repo, git, issue);
  if (issue.state !== "open") return drop(world, repo, entry, "closed");
  if (issue.pullRequest!.headSha !== entry.headSha) return drop(world, repo, entry, "head-changed");
  const baseSha = await revParse(git, `refs/heads/${entry.baseRef}`);
  const method = String(rule.parameters?.merge_method ?? "MERGE").toLowerCase() as MergeMethod;
  const tip = baseSha && (await buildMerge(repo, git, issue, baseSha, { method, by: entry.enqueuedBy, nowMs: engine.now(), noreplyDomain: engine.noreplyDomain() }));
  if (!tip) return drop(world, repo, entry, "conflict");
  entry.groupRef = `refs/heads/gh-readonly-queue/${entry.baseRef}/pr-${entry.number}-${entry.headSha}`;
  await git(["update-ref", entry.groupRef, tip]);
  entry.groupSha = tip;
  entry.groupBaseSha = baseSha;
  entry.state = "awaiting_checks";
  entry.checksStartedAt = engine.now();
  startChecks(world, repo, { sha: tip, trigger: { kind: "merge_group", ref: entry.groupRef } });
  watchTimeout(world, repo, entry);
}

/** While the group waits for its checks, looks again every second: the stand-in's clock may be moved past the timeout (setClockSkew). */
function watchTimeout(world: World, repo: Repository, entry: QueueEntry): void {
  const group = entry.groupSha;
  later(world, 1000, async () => {
    if (entry.state !== "awaiting_checks" || entry.groupSha !== group) return;
    await reconcile(world, repo);
    watchTimeout(world, repo, entry);
  });
}

/** Judges the first entry's merge group: merged (the base fast-forwarded), dropped, rebuilt on a moved base, or still waiting. */
async function judgeGroup(world: World, repo: Repository, entry: QueueEntry, issue: IssueRecord, rule: Rule): Promise<"waiting" | "done"> {
  const engine = world.engine!;
  const git = engine.git(repo);
  const outcomes = requiredContexts(world, repo, entry.baseRef).map((context) => checkOutcome(world, repo, entry.groupSha!, context));
  if (outcomes.includes("failure")) {
    await drop(world, repo, entry, "check-failed");
    return "done";
  }
  if (outcomes.some((o) => o !== "success")) {
    const timeoutMs = Number(rule.parameters?.check_response_timeout_minutes ?? 60) * 60_000;
    if (engine.now() - entry.checksStartedAt! < timeoutMs) return "waiting";
    await drop(world, repo, entry, "check-timeout");
    return "done";
  }
  const moved = await git(["update-ref", `refs/heads/${entry.baseRef}`, entry.groupSha!, entry.groupBaseSha!]).then(
    () => false,
    () => true,
  );
  await deleteGroupRef(world, repo, entry);
  if (moved) {
    // the base moved under the group: build it again on the new base
    Object.assign(entry, { state: "queued", groupRef: null, groupSha: null, groupBaseSha: null, checksStartedAt: null });
    return "done";
  }
  const method = String(rule.parameters?.merge_method ?? "MERGE").toLowerCase() as MergeMethod;
  entry.state = "merged";
  await recordMerge(repo, git, issue, { sha: entry.groupSha!, baseSha: entry.groupBaseSha!, method, by: entry.enqueuedBy, nowMs: engine.now() });
  await refreshAll(world, repo, git);
  return "done";
}

/** Moves every queue of the repository on as far as it can now (called under pulls.ts `exclusive`). */
export async function advanceQueue(world: World, repo: Repository): Promise<void> {
  if (!world.engine) return;
  for (let step = 0; step < 100; step++) {
    const entry = entriesOf(world, repo).find(active);
    if (!entry) return;
    const issue = world.issuesOf(repo)[entry.number - 1]!;
    const rule = mergeQueueRule(world, repo, entry.baseRef);
    if (!rule) return;
    if (issue.state !== "open") {
      await drop(world, repo, entry, "closed");
      continue;
    }
    if (entry.state === "queued") {
      await buildGroup(world, repo, entry, issue, rule);
      continue;
    }
    if ((await judgeGroup(world, repo, entry, issue, rule)) === "waiting") return;
  }
}
