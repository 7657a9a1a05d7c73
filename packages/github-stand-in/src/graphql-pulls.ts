// GraphQL for pull requests as a way to change a branch (docs/github.md §18.4, §18.6): the mutations
// `enablePullRequestAutoMerge`, `disablePullRequestAutoMerge`, `enqueuePullRequest` and
// `dequeuePullRequest` (there is no REST call for either), `node(id:)` for pull requests and queue
// entries, and the fields a release waiting on its pull request reads: `PullRequest.autoMergeRequest`,
// `mergeStateStatus`, `mergeQueueEntry`, `isInMergeQueue`, `reviewDecision`, `mergeCommit`;
// `Repository.mergeQueue(branch:)` and the merge settings. The model is pulls.ts and merge-queue.ts;
// graphql-model.ts spreads these objects into its own.
import type { GraphQLResolveInfo } from "graphql";
import { accountNode, commitNode, connection, GitHubGraphqlError, issueNode, ModelGap, repositoryNode, requireRead, type GraphqlContext } from "./graphql-model.js";
import { actingAccount } from "./issues.js";
import { enqueue, mergeQueueRule, queueEntryOf, queueOf, type QueueEntry } from "./merge-queue.js";
import { approvals, exclusive, mergeBlockers, MERGE_METHODS, mergeSettingsOf, mergeStateStatus, methodAllowed, reconcileLater, refreshPull, withoutQueue, type MergeMethod } from "./pulls.js";
import { githubTime } from "./rest-apps.js";
import { nodeId, userRole } from "./rest-common.js";
import { readCommit } from "./rest-git.js";
import { levelCovers, tokenReaches } from "./tokens.js";
import type { IssueRecord, Repository, Rule } from "./world.js";

type Obj = Record<string, unknown>;
type Args = Record<string, unknown>;

const unprocessable = (message: string) => new GitHubGraphqlError("UNPROCESSABLE", message);

/** what a global node id names: its type and database id */
function decodeNodeId(id: unknown): { kind: string; id: number } | undefined {
  const m = /^0\d+:([A-Za-z]+)(\d+)$/.exec(Buffer.from(String(id), "base64").toString());
  return m ? { kind: m[1]!, id: Number(m[2]) } : undefined;
}

function notFoundNode(id: unknown): GitHubGraphqlError {
  return new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a node with the global id of '${String(id)}'.`);
}

/** the pull request a node id names, if the caller may see its repository */
function pullByNodeId(ctx: GraphqlContext, id: unknown): { repo: Repository; issue: IssueRecord } {
  const decoded = decodeNodeId(id);
  if (decoded?.kind === "PullRequest") {
    for (const repo of ctx.world.repositories.values()) {
      const issue = ctx.world.issuesOf(repo).find((i) => i.id === decoded.id && i.pullRequest);
      if (issue) {
        requireRead(ctx, repo, "metadata");
        return { repo, issue };
      }
    }
  }
  throw notFoundNode(id);
}

/**
 * May the caller merge in `repo`? An installation token needs Contents and Pull requests write (what
 * the REST merge needs); a person needs write access. The refusal texts are GitHub's FORBIDDEN.
 */
function requireMergeRights(ctx: GraphqlContext, repo: Repository, mutation: string): void {
  const actor = ctx.actor;
  if (actor.kind === "installation") {
    const ok = tokenReaches(ctx.world, actor, repo) && levelCovers(actor.permissions.contents, "write") && levelCovers(actor.permissions.pull_requests, "write");
    if (!ok) throw new GitHubGraphqlError("FORBIDDEN", "Resource not accessible by integration");
    return;
  }
  const role = actor.kind === "user" ? userRole(ctx.world, repo, actor.user) : undefined;
  if (!role || role === "read" || role === "triage") {
    const login = actor.kind === "user" ? actor.user.login : "viewer";
    throw new GitHubGraphqlError("FORBIDDEN", `${login} does not have the correct permissions to execute \`${mutation}\``);
  }
}

function refresh(ctx: GraphqlContext, repo: Repository, issue: IssueRecord): Promise<boolean> {
  return refreshPull(ctx.world, repo, (args, input, env) => ctx.services.git(repo, args, input, env), issue);
}

/** the method auto-merge uses when none is given: the first the repository allows (inferred) */
function defaultMethod(repo: Repository): MergeMethod {
  return MERGE_METHODS.find((m) => methodAllowed(repo, m)) ?? "merge";
}

function openOrRefuse(issue: IssueRecord): void {
  if (issue.pullRequest!.mergeCommitSha) throw unprocessable("Pull request is already merged");
  if (issue.state !== "open") throw unprocessable("Pull request is closed");
}

function checkExpectedHead(issue: IssueRecord, expected: unknown): void {
  // the stand-in's wording
  if (typeof expected === "string" && expected !== issue.pullRequest!.headSha) throw unprocessable("Pull request head has moved: expectedHeadOid does not match");
}

async function enableAutoMerge(ctx: GraphqlContext, input: Args): Promise<Obj> {
  const { repo, issue } = pullByNodeId(ctx, input.pullRequestId);
  requireMergeRights(ctx, repo, "EnablePullRequestAutoMerge");
  return exclusive(ctx.world, repo, async () => {
    await refresh(ctx, repo, issue);
    openOrRefuse(issue);
    const pr = issue.pullRequest!;
    if (!mergeSettingsOf(repo).allow_auto_merge) throw unprocessable("Pull request Auto merge is not allowed for this repository");
    checkExpectedHead(issue, input.expectedHeadOid);
    const method = typeof input.mergeMethod === "string" ? (input.mergeMethod.toLowerCase() as MergeMethod) : defaultMethod(repo);
    if (!methodAllowed(repo, method)) throw unprocessable(`Pull request ${method === "merge" ? "Merge commits are" : method === "squash" ? "Squash merges are" : "Rebase merges are"} not allowed on this repository.`);
    // docs/github.md §18.4: nothing left to wait for is refused; with a merge queue it is enqueued (inferred)
    const status = mergeStateStatus(ctx.world, repo, issue);
    if (!mergeQueueRule(ctx.world, repo, pr.baseRef) && (status === "CLEAN" || status === "UNSTABLE")) throw unprocessable(`Pull request Pull request is in ${status.toLowerCase()} status`);
    const enabledBy = actingAccount(ctx.world, ctx.actor)!;
    pr.autoMerge = {
      mergeMethod: method,
      enabledBy,
      enabledAt: githubTime(ctx.nowMs),
      commitTitle: typeof input.commitHeadline === "string" ? input.commitHeadline : null,
      commitMessage: typeof input.commitBody === "string" ? input.commitBody : null,
    };
    reconcileLater(ctx.world, repo);
    return { actor: accountNode(ctx, enabledBy), clientMutationId: input.clientMutationId ?? null, pullRequest: issueNode(ctx, repo, issue) };
  });
}

async function disableAutoMerge(ctx: GraphqlContext, input: Args): Promise<Obj> {
  const { repo, issue } = pullByNodeId(ctx, input.pullRequestId);
  requireMergeRights(ctx, repo, "DisablePullRequestAutoMerge");
  issue.pullRequest!.autoMerge = null;
  return { actor: accountNode(ctx, actingAccount(ctx.world, ctx.actor)!), clientMutationId: input.clientMutationId ?? null, pullRequest: issueNode(ctx, repo, issue) };
}

/**
 * `enqueuePullRequest`: the base must have a merge queue, and the pull request meet every other
 * requirement (reviews, its own required checks) first (docs/github.md §18.6; the refusal texts are the
 * stand-in's).
 */
async function enqueuePull(ctx: GraphqlContext, input: Args): Promise<Obj> {
  const { repo, issue } = pullByNodeId(ctx, input.pullRequestId);
  requireMergeRights(ctx, repo, "EnqueuePullRequest");
  return exclusive(ctx.world, repo, async () => {
    await refresh(ctx, repo, issue);
    openOrRefuse(issue);
    const pr = issue.pullRequest!;
    if (!mergeQueueRule(ctx.world, repo, pr.baseRef)) throw unprocessable(`Pull request cannot be enqueued: ${pr.baseRef} has no merge queue`);
    checkExpectedHead(issue, input.expectedHeadOid);
    if (pr.draft || pr.conflicts) throw unprocessable("Pull request is not mergeable");
    const blocking = withoutQueue(mergeBlockers(ctx.world, repo, issue, { actor: ctx.actor, method: "merge" }).texts);
    if (blocking.length > 0) throw unprocessable(`Pull request is not mergeable: ${blocking.join(" ")}`);
    const entry = enqueue(ctx.world, repo, issue, { by: actingAccount(ctx.world, ctx.actor)!, nowMs: ctx.nowMs });
    reconcileLater(ctx.world, repo);
    return { clientMutationId: input.clientMutationId ?? null, mergeQueueEntry: entryNode(ctx, repo, entry) };
  });
}

async function dequeuePull(ctx: GraphqlContext, input: Args): Promise<Obj> {
  const decoded = decodeNodeId(input.id);
  for (const repo of ctx.world.repositories.values()) {
    const entry = decoded?.kind === "MergeQueueEntry" ? (ctx.world.mergeQueue.get(repo.id) ?? []).find((e) => e.id === decoded.id) : undefined;
    if (!entry) continue;
    requireMergeRights(ctx, repo, "DequeuePullRequest");
    if (entry.state === "queued" || entry.state === "awaiting_checks") {
      entry.state = "removed";
      entry.reason = "closed";
      if (entry.groupRef) await ctx.services.git(repo, ["update-ref", "-d", entry.groupRef]).catch(() => undefined);
    }
    return { clientMutationId: input.clientMutationId ?? null, mergeQueueEntry: entryNode(ctx, repo, entry) };
  }
  throw notFoundNode(input.id);
}

/** `Query.node` for the node types this file models; any other type is a gap of the model */
function nodeById(ctx: GraphqlContext, id: unknown): Obj {
  const decoded = decodeNodeId(id);
  if (decoded?.kind === "PullRequest") {
    const { repo, issue } = pullByNodeId(ctx, id);
    return issueNode(ctx, repo, issue);
  }
  if (decoded?.kind === "MergeQueueEntry") {
    for (const repo of ctx.world.repositories.values()) {
      const entry = (ctx.world.mergeQueue.get(repo.id) ?? []).find((e) => e.id === decoded.id);
      if (entry) {
        requireRead(ctx, repo, "pull_requests");
        return entryNode(ctx, repo, entry);
      }
    }
    throw notFoundNode(id);
  }
  if (decoded) throw new ModelGap(`Query.node(${decoded.kind})`);
  throw notFoundNode(id);
}

/** the mutations and `node`, spread into graphql-model.ts's root value */
export function pullMutations(ctx: GraphqlContext): Obj {
  return {
    enablePullRequestAutoMerge: ({ input }: Args) => enableAutoMerge(ctx, input as Args),
    disablePullRequestAutoMerge: ({ input }: Args) => disableAutoMerge(ctx, input as Args),
    enqueuePullRequest: ({ input }: Args) => enqueuePull(ctx, input as Args),
    dequeuePullRequest: ({ input }: Args) => dequeuePull(ctx, input as Args),
    node: ({ id }: Args) => nodeById(ctx, id),
  };
}

// ---- objects -------------------------------------------------------------------------------------

const ENTRY_STATE: Record<QueueEntry["state"], string> = { queued: "QUEUED", awaiting_checks: "AWAITING_CHECKS", merged: "MERGEABLE", removed: "UNMERGEABLE" };

/** a `MergeQueueEntry` */
function entryNode(ctx: GraphqlContext, repo: Repository, entry: QueueEntry): Obj {
  const issue = ctx.world.issuesOf(repo)[entry.number - 1]!;
  const commit = async (sha: string | null) => {
    if (!sha) return null;
    requireRead(ctx, repo, "contents");
    const parsed = await readCommit(ctx, repo, sha);
    return parsed ? commitNode(ctx, repo, parsed) : null;
  };
  return {
    __typename: "MergeQueueEntry",
    id: nodeId("MergeQueueEntry", entry.id),
    enqueuedAt: entry.enqueuedAt,
    enqueuer: accountNode(ctx, entry.enqueuedBy),
    estimatedTimeToMerge: null,
    jump: false,
    solo: false,
    // 1 for the entry at the head of the queue (inferred)
    position: () => Math.max(queueOf(ctx.world, repo, entry.baseRef).indexOf(entry) + 1, 0),
    state: () => ENTRY_STATE[entry.state],
    headCommit: () => commit(entry.groupSha ?? entry.headSha),
    baseCommit: () => commit(entry.groupBaseSha),
    pullRequest: () => issueNode(ctx, repo, issue),
    mergeQueue: () => {
      const rule = mergeQueueRule(ctx.world, repo, entry.baseRef);
      return rule ? queueNode(ctx, repo, entry.baseRef, rule) : null;
    },
  };
}

/** a `MergeQueue` of one branch, with the `merge_queue` rule's parameters as its configuration */
function queueNode(ctx: GraphqlContext, repo: Repository, branch: string, rule: Rule): Obj {
  const p = rule.parameters ?? {};
  const path = `/${repo.owner.login}/${repo.name}/queue/${encodeURIComponent(branch)}`;
  return {
    __typename: "MergeQueue",
    id: Buffer.from(`MergeQueue:${repo.id}:${branch}`).toString("base64"),
    url: `${ctx.origin}${path}`,
    resourcePath: path,
    nextEntryEstimatedTimeToMerge: null,
    configuration: {
      checkResponseTimeout: p.check_response_timeout_minutes,
      maximumEntriesToBuild: p.max_entries_to_build,
      maximumEntriesToMerge: p.max_entries_to_merge,
      mergeMethod: p.merge_method,
      mergingStrategy: p.grouping_strategy,
      minimumEntriesToMerge: p.min_entries_to_merge,
      minimumEntriesToMergeWaitTime: p.min_entries_to_merge_wait_minutes,
    },
    entries: (args: Args, _c: unknown, info: GraphQLResolveInfo) => connection(queueOf(ctx.world, repo, branch), args, info, (e) => entryNode(ctx, repo, e)),
    repository: () => repositoryNode(ctx, repo),
  };
}

/** what a `Repository` says about merging: its settings and `mergeQueue(branch:)` */
export function repositoryMergeFields(ctx: GraphqlContext, repo: Repository): Obj {
  const settings = mergeSettingsOf(repo);
  return {
    autoMergeAllowed: settings.allow_auto_merge,
    mergeCommitAllowed: settings.allow_merge_commit,
    squashMergeAllowed: settings.allow_squash_merge,
    rebaseMergeAllowed: settings.allow_rebase_merge,
    deleteBranchOnMerge: settings.delete_branch_on_merge,
    viewerDefaultMergeMethod: defaultMethod(repo).toUpperCase(),
    mergeQueue: ({ branch }: Args) => {
      const name = typeof branch === "string" ? branch : repo.defaultBranch;
      const rule = mergeQueueRule(ctx.world, repo, name);
      return rule ? queueNode(ctx, repo, name, rule) : null;
    },
  };
}

/**
 * `PullRequest.reviewDecision` (https://docs.github.com/en/graphql/reference/enums#pullrequestreviewdecision):
 * null when the base requires no review, CHANGES_REQUESTED, APPROVED when enough approvals, else REVIEW_REQUIRED.
 */
function reviewDecision(ctx: GraphqlContext, repo: Repository, issue: IssueRecord): string | null {
  const blockers = mergeBlockers(ctx.world, repo, issue, { method: "merge", viaQueue: true });
  const latest = new Map<number, string>();
  for (const review of issue.pullRequest!.reviews ?? []) if (review.state !== "COMMENTED") latest.set(review.by.id, review.state);
  if ([...latest.values()].includes("CHANGES_REQUESTED")) return "CHANGES_REQUESTED";
  if (blockers.reviews) return "REVIEW_REQUIRED";
  return approvals(ctx.world, repo, issue) > 0 ? "APPROVED" : null;
}

/** the merge fields of a `PullRequest`, read when asked (after a mutation, they show its effect) */
export function pullMergeFields(ctx: GraphqlContext, repo: Repository, issue: IssueRecord): Obj {
  const pr = issue.pullRequest!;
  return {
    mergeStateStatus: () => mergeStateStatus(ctx.world, repo, issue),
    autoMergeRequest: () =>
      pr.autoMerge
        ? {
            enabledAt: pr.autoMerge.enabledAt,
            enabledBy: accountNode(ctx, pr.autoMerge.enabledBy),
            mergeMethod: pr.autoMerge.mergeMethod.toUpperCase(),
            commitHeadline: pr.autoMerge.commitTitle,
            commitBody: pr.autoMerge.commitMessage,
            authorEmail: null,
            pullRequest: () => issueNode(ctx, repo, issue),
          }
        : null,
    mergeQueueEntry: () => {
      const entry = queueEntryOf(ctx.world, repo, issue);
      return entry ? entryNode(ctx, repo, entry) : null;
    },
    isInMergeQueue: () => queueEntryOf(ctx.world, repo, issue) !== undefined,
    reviewDecision: () => reviewDecision(ctx, repo, issue),
    mergeCommit: async () => {
      if (!pr.mergeCommitSha) return null;
      requireRead(ctx, repo, "contents");
      const commit = await readCommit(ctx, repo, pr.mergeCommitSha);
      return commit ? commitNode(ctx, repo, commit) : null;
    },
  };
}
