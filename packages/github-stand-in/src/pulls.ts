// Pull requests as a way to change a branch (docs/github.md §18): opened from a branch of the same
// repository, brought up to date with their base, merged server-side with one of the three merge
// methods, closed. A merge is GitHub's own: it is not judged by the pre-receive rules of a push, but
// it is refused while the base branch's rules are not satisfied (approving reviews, required status
// checks, a merge queue, linear history). The repository's merge settings (allow_merge_commit, ...)
// say which methods it allows. Auto-merge merges when nothing blocks any more; the merge queue is
// merge-queue.ts, the check runs checks.ts. Issues and the pull request record itself are issues.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkOutcome, startChecks } from "./checks.js";
import { commitFiles, createIssue, setState, type RepoGit } from "./issues.js";
import { advanceQueue, enqueue, queueEntryOf, type QueueEntry } from "./merge-queue.js";
import { githubTime } from "./rest-apps.js";
import { userRole } from "./rest-common.js";
import { currentUserCanBypass, repositoryRole, rulesetsForRef } from "./rules.js";
import { GITHUB_ACTIONS_APP_ID, type Account, type Actor, type IssueRecord, type PullRequestRecord, type Repository, type Rule, type World } from "./world.js";

export type MergeMethod = "merge" | "squash" | "rebase";
export const MERGE_METHODS: MergeMethod[] = ["merge", "squash", "rebase"];

/** The pull request settings of a repository, as `GET /repos/{owner}/{repo}` shows them (schema `full-repository`). */
export interface MergeSettings {
  allow_merge_commit: boolean;
  allow_squash_merge: boolean;
  allow_rebase_merge: boolean;
  allow_auto_merge: boolean;
  delete_branch_on_merge: boolean;
}

/** GitHub's defaults for a new repository (docs/github.md §18.2) */
export const DEFAULT_MERGE_SETTINGS: MergeSettings = {
  allow_merge_commit: true,
  allow_squash_merge: true,
  allow_rebase_merge: true,
  allow_auto_merge: false,
  delete_branch_on_merge: false,
};

export function mergeSettingsOf(repo: Repository): MergeSettings {
  return { ...DEFAULT_MERGE_SETTINGS, ...(repo.mergeSettings ?? {}) };
}

/** whether the repository allows a merge method */
export function methodAllowed(repo: Repository, method: MergeMethod): boolean {
  const settings = mergeSettingsOf(repo);
  return method === "merge" ? settings.allow_merge_commit : method === "squash" ? settings.allow_squash_merge : settings.allow_rebase_merge;
}

export interface ReviewRecord {
  id: number;
  by: Account;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED";
  body: string;
  /** the head commit it was given on */
  commitId: string;
  submittedAt: string;
}

export interface AutoMergeRecord {
  mergeMethod: MergeMethod;
  enabledBy: Account;
  enabledAt: string;
  commitTitle: string | null;
  commitMessage: string | null;
}

/** What background work (timers, the merge queue) needs of the running stand-in. */
export interface PullsEngine {
  git(repo: Repository): RepoGit;
  now(): number;
  noreplyDomain(): string;
  /** a background failure: close() fails with it */
  fail(message: string): void;
}

// ---- background work ---------------------------------------------------------------------------

/** Runs `fn` after the repository's earlier pull request work: merges never interleave. */
export function exclusive<T>(world: World, repo: Repository, fn: () => Promise<T>): Promise<T> {
  const previous = world.repoLocks.get(repo.id) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  world.repoLocks.set(
    repo.id,
    next.catch(() => undefined),
  );
  return next;
}

/** Keeps a background promise until it settles (close() waits for it); a failure is reported. */
export function track(world: World, promise: Promise<unknown>): void {
  const tracked = promise.catch((err: unknown) => world.engine?.fail(`pull request background work failed: ${(err as Error)?.stack ?? String(err)}`));
  world.background.add(tracked);
  void tracked.finally(() => world.background.delete(tracked));
}

/** Calls `fn` after `ms` on a timer close() clears. */
export function later(world: World, ms: number, fn: () => Promise<unknown>): void {
  const timer = setTimeout(() => {
    world.timers.delete(timer);
    track(world, fn());
  }, ms);
  world.timers.add(timer);
}

/** Merges what auto-merge may merge and moves the merge queue on, after anything that may unblock them. */
export function reconcile(world: World, repo: Repository): Promise<void> {
  return exclusive(world, repo, async () => {
    await runAutoMerges(world, repo);
    await advanceQueue(world, repo);
  });
}

/** reconcile() in the background */
export function reconcileLater(world: World, repo: Repository): void {
  track(world, reconcile(world, repo));
}

// ---- git helpers ---------------------------------------------------------------------------------

export async function revParse(git: RepoGit, ref: string): Promise<string | undefined> {
  return git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]).then(
    (out) => out.trim() || undefined,
    () => undefined,
  );
}

export async function isAncestor(git: RepoGit, ancestor: string, descendant: string): Promise<boolean> {
  return git(["merge-base", "--is-ancestor", ancestor, descendant]).then(
    () => true,
    () => false,
  );
}

/** the tree of merging `a` and `b`, or undefined on a conflict */
export async function mergeTree(git: RepoGit, a: string, b: string): Promise<string | undefined> {
  return git(["merge-tree", "--write-tree", a, b]).then(
    (out) => out.split("\n")[0]!.trim(),
    () => undefined,
  );
}

export function identity(account: Account, noreplyDomain: string, nowMs: number, role: "AUTHOR" | "COMMITTER"): Record<string, string> {
  return {
    [`GIT_${role}_NAME`]: account.login,
    [`GIT_${role}_EMAIL`]: `${account.id}+${account.login}@${noreplyDomain}`,
    [`GIT_${role}_DATE`]: `@${Math.floor(nowMs / 1000)} +0000`,
  };
}

/** GitHub commits web merges as "GitHub <noreply@github.com>" (docs/github.md §8) */
export function githubCommitter(nowMs: number): Record<string, string> {
  return { GIT_COMMITTER_NAME: "GitHub", GIT_COMMITTER_EMAIL: "noreply@github.com", GIT_COMMITTER_DATE: `@${Math.floor(nowMs / 1000)} +0000` };
}

// ---- opening and refreshing --------------------------------------------------------------------

export interface OpenInput {
  author: Account;
  /** the `<actor>` string of the request */
  openedBy: string;
  actor: Actor;
  head: string;
  base: string;
  title: string;
  body: string | null;
  draft: boolean;
  nowMs: number;
}

/** why GitHub refuses to open it (422 "Validation Failed" with these errors), or undefined */
async function refuseOpen(world: World, repo: Repository, git: RepoGit, input: OpenInput): Promise<{ message: string; errors: unknown[] } | undefined> {
  const invalid = (field: string) => ({ message: "Validation Failed", errors: [{ resource: "PullRequest", field, code: "invalid" }] });
  const headSha = await revParse(git, `refs/heads/${input.head}`);
  if (!headSha) return invalid("head");
  const baseSha = await revParse(git, `refs/heads/${input.base}`);
  if (!baseSha) return invalid("base");
  const open = world.issuesOf(repo).find((i) => i.pullRequest && i.state === "open" && i.pullRequest.headRef === input.head && i.pullRequest.baseRef === input.base);
  if (open) return { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner.login}:${input.head}.` }] };
  if (await isAncestor(git, headSha, baseSha)) {
    return { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `No commits between ${input.base} and ${input.head}` }] };
  }
  return undefined;
}

/** Opens a pull request from an existing branch of the repository; its checks start unless it was opened with the workflow GITHUB_TOKEN. */
export async function openFromBranch(world: World, repo: Repository, git: RepoGit, input: OpenInput): Promise<IssueRecord | { message: string; errors: unknown[] }> {
  const refused = await refuseOpen(world, repo, git, input);
  if (refused) return refused;
  // docs/github.md §7, §18.5: events made with the workflow GITHUB_TOKEN start no workflow runs
  const workflowToken = input.actor.kind === "installation" && input.actor.app.id === GITHUB_ACTIONS_APP_ID;
  const pullRequest: PullRequestRecord = {
    headRef: input.head,
    baseRef: input.base,
    headSha: "",
    baseSha: "",
    commits: [],
    changedFiles: 0,
    additions: 0,
    deletions: 0,
    draft: input.draft,
    mergeCommitSha: null,
    mergedAt: null,
    mergedBy: null,
    openedBy: input.openedBy,
    pullRequestWorkflows: !workflowToken,
    mergeMethod: null,
    reviews: [],
    autoMerge: null,
  };
  const issue = createIssue(world, repo, { author: input.author, createdBy: input.openedBy, title: input.title, body: input.body, nowMs: input.nowMs, pullRequest });
  await refreshPull(world, repo, git, issue);
  return issue;
}

/**
 * Reads an open pull request's branches again: a new head (a push, an update) updates its commits and
 * starts its checks; `behind` and `conflicts` follow the base; a deleted head branch closes it (as
 * `deletedBy`, else its author; docs/github.md §18.1). Returns whether the head changed.
 */
export async function refreshPull(world: World, repo: Repository, git: RepoGit, issue: IssueRecord, deletedBy?: Account): Promise<boolean> {
  const pr = issue.pullRequest!;
  if (issue.state !== "open" || pr.mergeCommitSha) return false;
  const headSha = await revParse(git, `refs/heads/${pr.headRef}`);
  const baseSha = await revParse(git, `refs/heads/${pr.baseRef}`);
  // another look may have closed or merged it meanwhile
  if (issue.state !== "open" || pr.mergeCommitSha) return false;
  if (!headSha && pr.headSha) {
    closePull(world, repo, issue, deletedBy ?? issue.author, world.engine?.now() ?? Date.now());
    return false;
  }
  if (!headSha || !baseSha) return false;
  const changed = headSha !== pr.headSha;
  pr.baseSha = baseSha;
  if (changed) {
    pr.headSha = headSha;
    pr.commits = (await git(["rev-list", "--reverse", `${baseSha}..${headSha}`])).split("\n").filter(Boolean);
    const numstat = (await git(["diff", "--numstat", baseSha, headSha])).split("\n").filter(Boolean);
    pr.changedFiles = numstat.length;
    pr.additions = numstat.reduce((n, line) => n + (Number.parseInt(line.split("\t")[0]!, 10) || 0), 0);
    pr.deletions = numstat.reduce((n, line) => n + (Number.parseInt(line.split("\t")[1]!, 10) || 0), 0);
    if (pr.pullRequestWorkflows !== false) startChecks(world, repo, { sha: headSha, trigger: { kind: "pull_request", number: issue.number } });
  }
  pr.behind = !(await isAncestor(git, baseSha, headSha));
  pr.conflicts = pr.behind ? (await mergeTree(git, baseSha, headSha)) === undefined : false;
  return changed;
}

/** refreshPull for every open pull request of a repository (after a push, a base move; `by`: who pushed) */
export async function refreshAll(world: World, repo: Repository, git: RepoGit, by?: Account): Promise<void> {
  for (const issue of world.issuesOf(repo)) {
    if (issue.pullRequest && issue.state === "open") await refreshPull(world, repo, git, issue, by);
  }
}

// ---- what blocks a merge -----------------------------------------------------------------------

/**
 * Approvals that count: the latest review of each reviewer other than the author is APPROVED, and the
 * reviewer has write access (docs/github.md §18.3: "reviewers with write access"; an App's bot counts).
 */
export function approvals(world: World, repo: Repository, issue: IssueRecord): number {
  const latest = new Map<number, ReviewRecord>();
  for (const review of issue.pullRequest?.reviews ?? []) if (review.state !== "COMMENTED") latest.set(review.by.id, review);
  const writes = (account: Account) => account.type === "Bot" || ["write", "maintain", "admin"].includes(userRole(world, repo, account) ?? "read");
  return [...latest.values()].filter((r) => r.state === "APPROVED" && r.by.id !== issue.author.id && writes(r.by)).length;
}

function reviewText(required: number): string {
  // GitHub's wording for a pull_request rule whose reviews are missing (docs/github.md §18.3)
  return `At least ${required} approving review${required === 1 ? " is" : "s are"} required by reviewers with write access.`;
}

function statusCheckTexts(world: World, repo: Repository, issue: IssueRecord, contexts: string[]): string[] {
  const out: string[] = [];
  for (const context of contexts) {
    const outcome = checkOutcome(world, repo, issue.pullRequest!.headSha, context);
    if (outcome === "success") continue;
    // the stand-in's wording for a failing or pending check; "is expected" is GitHub's (docs/github.md §3)
    out.push(outcome === "failure" ? `Required status check "${context}" has failed.` : `Required status check "${context}" is expected.`);
  }
  return out;
}

export interface Blockers {
  /** texts of the unmet requirements (reviews, checks, the queue, linear history), empty when it may merge */
  texts: string[];
  /** the base has a merge_queue rule that applies to this actor */
  mergeQueue: Rule | undefined;
  /** some requirement waits on reviews */
  reviews: boolean;
  /** some required check is pending or failed */
  checks: "pending" | "failure" | undefined;
}

/**
 * What the base branch's rules (and classic protection) still require before `issue` may merge with
 * `method` by `actor` (undefined: nobody's bypass counts, as for auto-merge). `viaQueue`: the merge of
 * a merge group, whose own checks merge-queue.ts judges.
 */
export function mergeBlockers(world: World, repo: Repository, issue: IssueRecord, opts: { actor?: Actor; method: MergeMethod; viaQueue?: boolean }): Blockers {
  const pr = issue.pullRequest!;
  const result: Blockers = { texts: [], mergeQueue: undefined, reviews: false, checks: undefined };
  const noteChecks = (texts: string[]) => {
    if (texts.length === 0) return;
    result.texts.push(...texts);
    result.checks = texts.some((t) => t.endsWith("has failed.")) ? "failure" : (result.checks ?? "pending");
  };
  for (const ruleset of rulesetsForRef(world, repo, `refs/heads/${pr.baseRef}`)) {
    // docs/github.md §18.3: a bypass actor (always or for pull requests only) may merge anyway
    if (opts.actor && currentUserCanBypass(world, repo, ruleset, opts.actor) !== "never") continue;
    for (const rule of ruleset.rules) {
      const params = rule.parameters ?? {};
      if (rule.type === "pull_request") {
        const required = Number(params.required_approving_review_count ?? 0);
        if (approvals(world, repo, issue) < required) {
          result.texts.push(reviewText(required));
          result.reviews = true;
        }
        const allowed = (params.allowed_merge_methods as MergeMethod[] | undefined) ?? MERGE_METHODS;
        if (!opts.viaQueue && !allowed.includes(opts.method)) result.texts.push(`Merge method ${opts.method} is not allowed on this branch.`);
      } else if (rule.type === "required_status_checks" && !opts.viaQueue) {
        const contexts = ((params.required_status_checks as { context: string }[] | undefined) ?? []).map((c) => c.context);
        noteChecks(statusCheckTexts(world, repo, issue, contexts));
        if (params.strict_required_status_checks_policy === true && pr.behind) result.texts.push("Head branch is out of date. Update it with its base before merging.");
      } else if (rule.type === "merge_queue") {
        result.mergeQueue = rule;
        if (!opts.viaQueue) result.texts.push(QUEUE_TEXT);
      } else if (rule.type === "required_linear_history" && opts.method === "merge") {
        result.texts.push("This branch must not contain merge commits.");
      } else if (rule.type === "update") {
        result.texts.push("Cannot update this protected ref.");
      }
    }
  }
  classicBlockers(world, repo, issue, opts, result, noteChecks);
  return result;
}

/** classic branch protection's requirements on a merge (docs/github.md §9) */
function classicBlockers(world: World, repo: Repository, issue: IssueRecord, opts: { actor?: Actor; viaQueue?: boolean }, result: Blockers, noteChecks: (texts: string[]) => void): void {
  const protection = repo.protection.get(issue.pullRequest!.baseRef);
  if (!protection) return;
  const actor = opts.actor;
  if (actor?.kind === "user" && repositoryRole(repo, actor.user) === "admin" && !protection.enforce_admins) return;
  const reviews = protection.required_pull_request_reviews;
  if (reviews && approvals(world, repo, issue) < reviews.required_approving_review_count) {
    result.texts.push(reviewText(reviews.required_approving_review_count));
    result.reviews = true;
  }
  if (!opts.viaQueue) noteChecks(statusCheckTexts(world, repo, issue, protection.required_status_checks?.contexts ?? []));
}

const QUEUE_TEXT = "Changes must be made through the merge queue";

/** the requirements left once the merge queue's own (only it merges, with its method) are set aside */
export function withoutQueue(texts: string[]): string[] {
  return texts.filter((t) => t !== QUEUE_TEXT && !t.startsWith("Merge method"));
}

/**
 * GraphQL's `MergeStateStatus` (https://docs.github.com/en/graphql/reference/enums#mergestatestatus):
 * DIRTY on a conflict, DRAFT, BEHIND when a strict check policy wants the head up to date, BLOCKED
 * while reviews or required checks are missing, UNSTABLE when a check that is not required failed,
 * CLEAN otherwise; UNKNOWN once it is closed or merged.
 */
export function mergeStateStatus(world: World, repo: Repository, issue: IssueRecord): "BEHIND" | "BLOCKED" | "CLEAN" | "DIRTY" | "DRAFT" | "UNKNOWN" | "UNSTABLE" {
  const pr = issue.pullRequest!;
  if (issue.state !== "open" || pr.mergeCommitSha) return "UNKNOWN";
  if (pr.conflicts) return "DIRTY";
  if (pr.draft) return "DRAFT";
  const texts = withoutQueue(mergeBlockers(world, repo, issue, { method: "squash" }).texts);
  if (texts.length > 0) return texts.every((t) => t.startsWith("Head branch is out of date")) ? "BEHIND" : "BLOCKED";
  const anyFailed = (world.checkRuns.get(repo.id) ?? []).some((run) => run.headSha === pr.headSha && run.conclusion === "failure");
  return anyFailed ? "UNSTABLE" : "CLEAN";
}

// ---- merging -----------------------------------------------------------------------------------

export interface MergeOptions {
  method: MergeMethod;
  by: Account;
  commitTitle?: string | null;
  commitMessage?: string | null;
  nowMs: number;
  noreplyDomain: string;
}

/** a commit of the repository: its message and author as git env */
async function commitInfo(git: RepoGit, sha: string): Promise<{ message: string; authorEnv: Record<string, string> }> {
  const out = await git(["log", "-1", "--format=%an%x00%ae%x00%ad%x00%B", "--date=raw", sha]);
  const [name = "", email = "", date = "", ...rest] = out.split("\x00");
  return { message: rest.join("\x00").replace(/\n+$/, ""), authorEnv: { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_AUTHOR_DATE: date } };
}

/** the default message of a squash commit: the title and number, then the one commit's body or each commit's message (docs/github.md §18.1) */
async function squashMessage(git: RepoGit, issue: IssueRecord, opts: MergeOptions): Promise<string> {
  const title = opts.commitTitle ?? `${issue.title} (#${issue.number})`;
  if (opts.commitMessage !== undefined && opts.commitMessage !== null) return `${title}\n\n${opts.commitMessage}`;
  const messages = await Promise.all(issue.pullRequest!.commits.map(async (sha) => (await commitInfo(git, sha)).message));
  const body = messages.length === 1 ? messages[0]!.split("\n").slice(1).join("\n").trim() : messages.map((m) => `* ${m}`).join("\n\n");
  return body ? `${title}\n\n${body}` : title;
}

/** replays each commit of the pull request onto `onto` (a rebase merge: new SHAs, committed by GitHub); undefined on a conflict */
async function rebaseCommits(git: RepoGit, issue: IssueRecord, onto: string, nowMs: number): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), "stand-in-rebase-"));
  const env = { GIT_INDEX_FILE: join(dir, "index") };
  let tip = onto;
  try {
    // as `git rebase` does, merge commits (a base merged in by update-branch) are left out
    const commits = (await git(["rev-list", "--reverse", "--no-merges", `${onto}..${issue.pullRequest!.headSha}`])).split("\n").filter(Boolean);
    for (const sha of commits) {
      await git(["read-tree", tip], undefined, env);
      const patch = await git(["diff-tree", "-p", "--binary", "--full-index", `${sha}^`, sha]);
      if (patch.trim() !== "") {
        const applied = await git(["apply", "--cached", "-"], patch, env).then(
          () => true,
          () => false,
        );
        if (!applied) return undefined;
      }
      const tree = (await git(["write-tree"], undefined, env)).trim();
      const info = await commitInfo(git, sha);
      tip = (await git(["commit-tree", tree, "-p", tip, "-F", "-"], `${info.message}\n`, { ...info.authorEnv, ...githubCommitter(nowMs) })).trim();
    }
    return tip;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The commit(s) a merge of `issue` with `opts.method` puts on top of `onto`, as GitHub makes them
 * (docs/github.md §18.1); returns the new tip, or undefined on a conflict.
 */
export async function buildMerge(repo: Repository, git: RepoGit, issue: IssueRecord, onto: string, opts: MergeOptions): Promise<string | undefined> {
  const pr = issue.pullRequest!;
  if (opts.method === "rebase") return rebaseCommits(git, issue, onto, opts.nowMs);
  const tree = await mergeTree(git, onto, pr.headSha);
  if (!tree) return undefined;
  if (opts.method === "squash") {
    const author = issue.author;
    const message = await squashMessage(git, issue, opts);
    return (await git(["commit-tree", tree, "-p", onto, "-F", "-"], `${message}\n`, { ...identity(author, opts.noreplyDomain, opts.nowMs, "AUTHOR"), ...githubCommitter(opts.nowMs) })).trim();
  }
  const title = opts.commitTitle ?? `Merge pull request #${issue.number} from ${repo.owner.login}/${pr.headRef}`;
  const message = `${title}\n\n${opts.commitMessage ?? issue.title}\n`;
  return (await git(["commit-tree", tree, "-p", onto, "-p", pr.headSha, "-F", "-"], message, { ...identity(opts.by, opts.noreplyDomain, opts.nowMs, "AUTHOR"), ...githubCommitter(opts.nowMs) })).trim();
}

/** Records a merge: the pull request closed as merged, its head branch deleted when the repository says so. */
export async function recordMerge(repo: Repository, git: RepoGit, issue: IssueRecord, result: { sha: string; baseSha: string; method: MergeMethod; by: Account; nowMs: number }): Promise<void> {
  const pr = issue.pullRequest!;
  pr.mergeCommitSha = result.sha;
  pr.baseSha = result.baseSha;
  pr.mergedAt = githubTime(result.nowMs);
  pr.mergedBy = result.by;
  pr.mergeMethod = result.method;
  pr.autoMerge = null;
  // web merges are signed by GitHub (docs/github.md §8)
  for (const sha of (await git(["rev-list", `${result.baseSha}..${result.sha}`])).split("\n").filter(Boolean)) repo.verifiedCommits.add(sha);
  setState(issue, "closed", result.by, "completed", result.nowMs);
  if (mergeSettingsOf(repo).delete_branch_on_merge && (await revParse(git, `refs/heads/${pr.headRef}`)) === pr.headSha) {
    await git(["update-ref", "-d", `refs/heads/${pr.headRef}`, pr.headSha]);
    pr.headDeleted = true;
  }
}

/**
 * Merges `issue` onto its base now (the REST merge, auto-merge): builds the commits, moves the base
 * if it has not moved meanwhile. Returns the new tip, or "conflict" / "base-moved".
 */
export async function mergeNow(world: World, repo: Repository, git: RepoGit, issue: IssueRecord, opts: MergeOptions): Promise<string | "conflict" | "base-moved"> {
  const pr = issue.pullRequest!;
  const baseSha = await revParse(git, `refs/heads/${pr.baseRef}`);
  if (!baseSha) return "base-moved";
  const tip = await buildMerge(repo, git, issue, baseSha, opts);
  if (!tip) return "conflict";
  const moved = await git(["update-ref", `refs/heads/${pr.baseRef}`, tip, baseSha]).then(
    () => false,
    () => true,
  );
  if (moved) return "base-moved";
  await recordMerge(repo, git, issue, { sha: tip, baseSha, method: opts.method, by: opts.by, nowMs: opts.nowMs });
  await refreshAll(world, repo, git);
  return tip;
}

/** Closes a pull request without merging it: auto-merge off, out of the merge queue. */
export function closePull(world: World, repo: Repository, issue: IssueRecord, by: Account, nowMs: number): void {
  setState(issue, "closed", by, null, nowMs);
  issue.pullRequest!.autoMerge = null;
  const entry = queueEntryOf(world, repo, issue);
  if (entry) {
    entry.state = "removed";
    entry.reason = "closed";
  }
}

/** Brings the head up to date with the base: a merge commit of the base into the head branch (docs/github.md §18.1). */
export async function updateBranch(world: World, repo: Repository, git: RepoGit, issue: IssueRecord, opts: { by: Account; nowMs: number; noreplyDomain: string }): Promise<"updated" | "up-to-date" | "conflict"> {
  await refreshPull(world, repo, git, issue);
  const pr = issue.pullRequest!;
  if (!pr.behind) return "up-to-date";
  const tree = await mergeTree(git, pr.headSha, pr.baseSha);
  if (!tree) return "conflict";
  const message = `Merge branch '${pr.baseRef}' into ${pr.headRef}\n`;
  const env = { ...identity(opts.by, opts.noreplyDomain, opts.nowMs, "AUTHOR"), ...githubCommitter(opts.nowMs) };
  const merge = (await git(["commit-tree", tree, "-p", pr.headSha, "-p", pr.baseSha, "-F", "-"], message, env)).trim();
  await git(["update-ref", `refs/heads/${pr.headRef}`, merge, pr.headSha]);
  repo.verifiedCommits.add(merge);
  await refreshPull(world, repo, git, issue);
  return "updated";
}

/** A review by a person; an author cannot approve their own pull request (docs/github.md §18.3). */
export function addReview(world: World, issue: IssueRecord, review: { by: Account; state: ReviewRecord["state"]; body?: string; nowMs: number }): ReviewRecord | "own-pull-request" {
  if (review.state !== "COMMENTED" && review.by.id === issue.author.id) return "own-pull-request";
  const record: ReviewRecord = { id: world.id(), by: review.by, state: review.state, body: review.body ?? "", commitId: issue.pullRequest!.headSha, submittedAt: githubTime(review.nowMs) };
  issue.pullRequest!.reviews = [...(issue.pullRequest!.reviews ?? []), record];
  return record;
}

// ---- auto-merge --------------------------------------------------------------------------------

/**
 * Merges the open pull requests whose auto-merge is on and that nothing blocks any more, as the
 * person who enabled it; with a merge queue on the base, enqueues them instead (docs/github.md §18.4).
 */
async function runAutoMerges(world: World, repo: Repository): Promise<void> {
  const engine = world.engine;
  if (!engine) return;
  const git = engine.git(repo);
  for (const issue of world.issuesOf(repo)) {
    const pr = issue.pullRequest;
    if (!pr?.autoMerge || issue.state !== "open" || pr.mergeCommitSha) continue;
    await refreshPull(world, repo, git, issue);
    if (issue.state !== "open" || pr.conflicts || pr.draft) continue;
    const blockers = mergeBlockers(world, repo, issue, { method: pr.autoMerge.mergeMethod });
    if (blockers.mergeQueue) {
      // its own requirements met (the queue's method is the rule's): into the queue
      if (withoutQueue(blockers.texts).length === 0 && !queueEntryOf(world, repo, issue)) enqueue(world, repo, issue, { by: pr.autoMerge.enabledBy, nowMs: engine.now() });
      continue;
    }
    if (blockers.texts.length > 0) continue;
    const { enabledBy, mergeMethod, commitTitle, commitMessage } = pr.autoMerge;
    await mergeNow(world, repo, git, issue, { method: mergeMethod, by: enabledBy, commitTitle, commitMessage, nowMs: engine.now(), noreplyDomain: engine.noreplyDomain() });
  }
}

// ---- the stand-in's side: watching pushes, the query API, shutting down ------------------------

/** A pull request as the query API shows it: the record (copies) with its merge state and queue entry. */
export interface PullRequestView extends IssueRecord {
  merged: boolean;
  mergeStateStatus: ReturnType<typeof mergeStateStatus>;
  /** its entry while it waits in a merge queue */
  mergeQueueEntry: QueueEntry | null;
}

export function copyPull(world: World, repo: Repository, issue: IssueRecord): PullRequestView {
  const pr = issue.pullRequest!;
  const entry = queueEntryOf(world, repo, issue);
  return {
    ...issue,
    labels: [...issue.labels],
    comments: issue.comments.map((c) => ({ ...c })),
    pullRequest: { ...pr, commits: [...pr.commits], reviews: (pr.reviews ?? []).map((r) => ({ ...r })), autoMerge: pr.autoMerge ? { ...pr.autoMerge } : null },
    merged: pr.mergeCommitSha !== null,
    mergeStateStatus: mergeStateStatus(world, repo, issue),
    mergeQueueEntry: entry ? { ...entry } : null,
  };
}

function pullOrThrow(world: World, repo: Repository, number: number): IssueRecord {
  const issue = world.issuesOf(repo)[number - 1];
  if (!issue?.pullRequest) throw new Error(`${repo.owner.login}/${repo.name} has no pull request #${number}`);
  return issue;
}

/** StandIn.approve: an approving review by a person; auto-merge and the queue may move on. */
export function approvePull(world: World, repo: Repository, number: number, by: Account, nowMs: number): void {
  const issue = pullOrThrow(world, repo, number);
  if (addReview(world, issue, { by, state: "APPROVED", nowMs }) === "own-pull-request") throw new Error(`${by.login} cannot approve their own pull request #${number}`);
  reconcileLater(world, repo);
}

/** StandIn.closePullRequest */
export function closePullAs(world: World, repo: Repository, number: number, by: Account, nowMs: number): void {
  const issue = pullOrThrow(world, repo, number);
  if (issue.state !== "open") throw new Error(`pull request #${number} is not open`);
  closePull(world, repo, issue, by, nowMs);
  reconcileLater(world, repo);
}

/** A commit by `author` on top of `branch`, moving it (not judged by the rules: the test's hand). */
export async function pushCommit(git: RepoGit, input: { branch: string; author: Account; message: string; files: Record<string, string>; nowMs: number; noreplyDomain: string }): Promise<string> {
  const parent = await revParse(git, `refs/heads/${input.branch}`);
  if (!parent) throw new Error(`no branch ${input.branch}`);
  const env = { ...identity(input.author, input.noreplyDomain, input.nowMs, "AUTHOR"), ...identity(input.author, input.noreplyDomain, input.nowMs, "COMMITTER") };
  const sha = await commitFiles(git, parent, input.files, input.message, env);
  await git(["update-ref", `refs/heads/${input.branch}`, sha, parent]);
  return sha;
}

const PUSH_PATHS = /^(?:\/([^/]+)\/([^/]+?)(?:\.git)?\/git-receive-pack|\/api\/v3\/repos\/([^/]+)\/([^/]+)\/git\/refs(?:\/.*)?)$/;

/** After each push (git or a REST ref write) the repository's open pull requests are read again: a new head starts its checks. */
export function watchPushes(world: World): void {
  world.requestListeners.add((request) => {
    if (request.method === "GET" || request.status >= 300) return;
    const m = PUSH_PATHS.exec(request.path.split("?")[0]!);
    if (!m) return;
    const repo = world.repository(decodeURIComponent(m[1] ?? m[3]!), decodeURIComponent(m[2] ?? m[4]!));
    const engine = world.engine;
    if (!repo || !engine) return;
    // "installation:<slug>[bot]" or "user:<login>": the account that pushed
    const by = world.account(request.actor.replace(/^(installation|user):/, ""));
    track(
      world,
      exclusive(world, repo, () => refreshAll(world, repo, engine.git(repo), by)).then(() => reconcile(world, repo)),
    );
  });
}

/** Ends the background work: timers cleared, running work waited for (StandIn.close). */
export async function stopPulls(world: World): Promise<void> {
  for (const timer of world.timers) clearTimeout(timer);
  world.timers.clear();
  world.engine = undefined;
  while (world.background.size > 0) await Promise.allSettled([...world.background]);
  await Promise.allSettled([...world.repoLocks.values()]);
}
