// Pull requests over REST (docs/github.md §18, https://docs.github.com/rest/pulls): open one from a
// branch of the repository, list them, close one, bring its branch up to date, merge it with one of the
// three methods, review it. `GET .../pulls/{pull_number}` and its commits are in rest-issues.ts
// (schema `pull-request`, pullJson); the model is pulls.ts.
import { actingAccount, actorString } from "./issues.js";
import { addReview, closePull, exclusive, mergeBlockers, mergeNow, methodAllowed, openFromBranch, reconcileLater, refreshAll, refreshPull, updateBranch, type MergeMethod } from "./pulls.js";
import { error, fullName, isReply, accessRepo, nodeId, paginate, simpleUser, validationFailed, type RestContext, type RestReply, type RouteDef } from "./rest-common.js";
import { issueFor, pullJson } from "./rest-issues.js";
import { authorAssociation } from "./issues.js";
import type { IssueRecord, Repository } from "./world.js";

const PULLS_DOCS = "https://docs.github.com/rest/pulls/pulls";

function gitOf(ctx: RestContext, repo: Repository) {
  return (args: string[], input?: string, env?: Record<string, string>) => ctx.services.git(repo, args, input, env);
}

function noreplyDomain(ctx: RestContext): string {
  return `users.noreply.${new URL(ctx.origin).hostname}`;
}

/** schema `auto-merge` (nullable) of a pull request */
export function autoMergeJson(ctx: Pick<RestContext, "apiUrl" | "origin">, issue: IssueRecord) {
  const auto = issue.pullRequest?.autoMerge;
  if (!auto) return null;
  return { enabled_by: simpleUser(auto.enabledBy, ctx), merge_method: auto.mergeMethod, commit_title: auto.commitTitle ?? "", commit_message: auto.commitMessage ?? "" };
}

/** schema `pull-request-simple`: the pull request without its merge and size fields */
function pullSimpleJson(ctx: RestContext, repo: Repository, issue: IssueRecord) {
  const full = pullJson(ctx, repo, issue) as Record<string, unknown>;
  for (const field of ["merged", "mergeable", "rebaseable", "mergeable_state", "merged_by", "comments", "review_comments", "maintainer_can_modify", "commits", "additions", "deletions", "changed_files"]) delete full[field];
  return full;
}

/** schema `pull-request-review` */
function reviewJson(ctx: RestContext, repo: Repository, issue: IssueRecord, review: NonNullable<IssueRecord["pullRequest"]>["reviews"] extends (infer R)[] | undefined ? R : never) {
  const html = `${ctx.origin}/${fullName(repo)}/pull/${issue.number}`;
  const pullUrl = `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/${issue.number}`;
  return {
    id: review.id,
    node_id: nodeId("PullRequestReview", review.id),
    user: simpleUser(review.by, ctx),
    body: review.body,
    state: review.state,
    html_url: `${html}#pullrequestreview-${review.id}`,
    pull_request_url: pullUrl,
    _links: { html: { href: `${html}#pullrequestreview-${review.id}` }, pull_request: { href: pullUrl } },
    submitted_at: review.submittedAt,
    commit_id: review.commitId,
    author_association: authorAssociation(repo, review.by),
  };
}

/** `PUT .../merge`'s refusals (docs/github.md §18.3) */
const METHOD_REFUSED: Record<MergeMethod, string> = {
  merge: "Merge commits are not allowed on this repository.",
  squash: "Squash merges are not allowed on this repository.",
  rebase: "Rebase merges are not allowed on this repository.",
};

async function mergeHandler(ctx: RestContext): Promise<RestReply> {
  const repo = accessRepo(ctx, "contents", "write");
  if (isReply(repo)) return repo;
  const found = issueFor(ctx, ctx.params.pull_number, "pull");
  if (isReply(found)) return found;
  // after any merge the queue or auto-merge is making in the background
  return exclusive(ctx.world, repo, () => merge(ctx, repo, found.issue));
}

async function merge(ctx: RestContext, repo: Repository, issue: IssueRecord): Promise<RestReply> {
  const pr = issue.pullRequest!;
  const body = (ctx.body ?? {}) as { merge_method?: unknown; sha?: unknown; commit_title?: unknown; commit_message?: unknown };
  const method = (body.merge_method ?? "merge") as MergeMethod;
  if (!["merge", "squash", "rebase"].includes(method)) return validationFailed("Invalid request.\n\nFor 'merge_method', the value is not valid.");
  const git = gitOf(ctx, repo);
  await refreshPull(ctx.world, repo, git, issue);
  if (issue.state !== "open" || pr.mergeCommitSha) return error(405, "Pull Request is not mergeable");
  if (typeof body.sha === "string" && body.sha !== pr.headSha) return error(409, "Head branch was modified. Review and try the merge again.");
  if (!methodAllowed(repo, method)) return error(405, METHOD_REFUSED[method]);
  if (pr.draft || pr.conflicts) return error(405, "Pull Request is not mergeable");
  const blockers = mergeBlockers(ctx.world, repo, issue, { actor: ctx.actor, method });
  if (blockers.texts.length > 0) return error(405, `Repository rule violations found\n\n${blockers.texts.join("\n\n")}\n\n`);
  const result = await mergeNow(ctx.world, repo, git, issue, {
    method,
    by: actingAccount(ctx.world, ctx.actor)!,
    commitTitle: typeof body.commit_title === "string" ? body.commit_title : null,
    commitMessage: typeof body.commit_message === "string" ? body.commit_message : null,
    nowMs: ctx.nowMs,
    noreplyDomain: noreplyDomain(ctx),
  });
  if (result === "conflict") return error(405, "Pull Request is not mergeable");
  if (result === "base-moved") return error(405, "Base branch was modified. Review and try the merge again.");
  reconcileLater(ctx.world, repo);
  return { status: 200, body: { sha: result, merged: true, message: "Pull Request successfully merged" } };
}

export const pullRoutes: RouteDef[] = [
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/pulls",
    async handler(ctx) {
      const repo = accessRepo(ctx, "pull_requests", "write");
      if (isReply(repo)) return repo;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      for (const field of ["head", "base"]) {
        if (typeof body[field] !== "string" || body[field] === "") return validationFailed("Validation Failed", [{ resource: "PullRequest", code: "missing_field", field }]);
      }
      if (typeof body.title !== "string" || body.title.trim() === "") return validationFailed("Validation Failed", [{ resource: "PullRequest", code: "missing_field", field: "title" }]);
      // `head` is `branch` or `owner:branch`; the stand-in has no forks
      const [headOwner, headBranch] = String(body.head).includes(":") ? String(body.head).split(/:(.*)/s) : [repo.owner.login, String(body.head)];
      if (headOwner!.toLowerCase() !== repo.owner.login.toLowerCase()) return validationFailed("Validation Failed", [{ resource: "PullRequest", field: "head", code: "invalid" }]);
      const opened = await openFromBranch(ctx.world, repo, gitOf(ctx, repo), {
        author: actingAccount(ctx.world, ctx.actor)!,
        openedBy: actorString(ctx.actor),
        actor: ctx.actor,
        head: headBranch!,
        base: String(body.base),
        title: body.title,
        body: typeof body.body === "string" ? body.body : null,
        draft: body.draft === true,
        nowMs: ctx.nowMs,
      });
      if (!("number" in opened)) return { status: 422, body: { ...opened, documentation_url: `${PULLS_DOCS}#create-a-pull-request` } };
      reconcileLater(ctx.world, repo);
      return { status: 201, headers: { location: `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/${opened.number}` }, body: pullJson(ctx, repo, opened) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls",
    async handler(ctx) {
      const repo = accessRepo(ctx, "pull_requests", "read");
      if (isReply(repo)) return repo;
      const state = ctx.query.get("state") ?? "open";
      if (!["open", "closed", "all"].includes(state)) return validationFailed("Validation Failed", [{ resource: "PullRequest", field: "state", code: "invalid" }]);
      const head = ctx.query.get("head");
      const base = ctx.query.get("base");
      const git = gitOf(ctx, repo);
      const prs = ctx.world.issuesOf(repo).filter((i) => i.pullRequest);
      await exclusive(ctx.world, repo, () => refreshAll(ctx.world, repo, git));
      const matching = prs
        .filter((i) => state === "all" || i.state === state)
        .filter((i) => !head || `${repo.owner.login}:${i.pullRequest!.headRef}`.toLowerCase() === (head.includes(":") ? head : `${repo.owner.login}:${head}`).toLowerCase())
        .filter((i) => !base || i.pullRequest!.baseRef === base);
      // newest first: GitHub's default sort (created, descending)
      const ordered = ctx.query.get("direction") === "asc" ? matching : [...matching].reverse();
      const page = paginate(ctx, ordered);
      return { status: 200, headers: page.headers, body: page.items.map((i) => pullSimpleJson(ctx, repo, i)) };
    },
  },
  {
    method: "PATCH",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}",
    async handler(ctx) {
      const repo = accessRepo(ctx, "pull_requests", "write");
      if (isReply(repo)) return repo;
      const found = issueFor(ctx, ctx.params.pull_number, "pull");
      if (isReply(found)) return found;
      const { issue } = found;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      if (body.state !== undefined && body.state !== "open" && body.state !== "closed") return validationFailed("Validation Failed", [{ resource: "PullRequest", code: "invalid", field: "state" }]);
      if (typeof body.title === "string") issue.title = body.title;
      if (typeof body.body === "string") issue.body = body.body;
      const by = actingAccount(ctx.world, ctx.actor)!;
      if (body.state === "closed" && issue.state === "open" && !issue.pullRequest!.mergeCommitSha) closePull(ctx.world, repo, issue, by, ctx.nowMs);
      if (body.state === "open" && issue.state === "closed" && !issue.pullRequest!.mergeCommitSha) {
        issue.state = "open";
        issue.closedAt = null;
        issue.closedBy = null;
        issue.stateReason = "reopened";
        await refreshPull(ctx.world, repo, gitOf(ctx, repo), issue);
      }
      return { status: 200, body: pullJson(ctx, repo, issue) };
    },
  },
  { method: "PUT", template: "/repos/{owner}/{repo}/pulls/{pull_number}/merge", handler: mergeHandler },
  {
    method: "PUT",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/update-branch",
    async handler(ctx) {
      const repo = accessRepo(ctx, "pull_requests", "write");
      if (isReply(repo)) return repo;
      const found = issueFor(ctx, ctx.params.pull_number, "pull");
      if (isReply(found)) return found;
      const { issue } = found;
      const expected = (ctx.body as { expected_head_sha?: unknown } | undefined)?.expected_head_sha;
      const git = gitOf(ctx, repo);
      const result = await exclusive(ctx.world, repo, async () => {
        await refreshPull(ctx.world, repo, git, issue);
        if (issue.state !== "open") return "closed";
        if (typeof expected === "string" && expected !== issue.pullRequest!.headSha) return "head-moved";
        return updateBranch(ctx.world, repo, git, issue, { by: actingAccount(ctx.world, ctx.actor)!, nowMs: ctx.nowMs, noreplyDomain: noreplyDomain(ctx) });
      });
      if (result === "closed") return validationFailed("Pull request is not open.");
      if (result === "head-moved") return validationFailed("expected head sha didn’t match current head ref.");
      if (result === "up-to-date") return validationFailed("There are no new commits on the base branch.");
      if (result === "conflict") return validationFailed("merge conflict between base and head");
      reconcileLater(ctx.world, repo);
      return { status: 202, body: { message: "Updating pull request branch.", url: `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/${issue.number}` } };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    handler(ctx) {
      const found = issueFor(ctx, ctx.params.pull_number, "pull");
      if (isReply(found)) return found;
      return { status: 200, body: (found.issue.pullRequest!.reviews ?? []).map((r) => reviewJson(ctx, found.repo, found.issue, r)) };
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    handler(ctx) {
      const repo = accessRepo(ctx, "pull_requests", "write");
      if (isReply(repo)) return repo;
      const found = issueFor(ctx, ctx.params.pull_number, "pull");
      if (isReply(found)) return found;
      const body = (ctx.body ?? {}) as { event?: unknown; body?: unknown };
      const event = body.event ?? "COMMENT";
      const state = event === "APPROVE" ? "APPROVED" : event === "REQUEST_CHANGES" ? "CHANGES_REQUESTED" : event === "COMMENT" ? "COMMENTED" : undefined;
      if (!state) return validationFailed("Unprocessable Entity", [`Invalid event: ${String(event)}`]);
      const review = addReview(ctx.world, found.issue, { by: actingAccount(ctx.world, ctx.actor)!, state, body: typeof body.body === "string" ? body.body : "", nowMs: ctx.nowMs });
      // docs/github.md §18.3: nobody approves their own pull request, an App's bot included
      if (review === "own-pull-request") return validationFailed("Unprocessable Entity", ["Review Can not approve your own pull request"]);
      reconcileLater(ctx.world, repo);
      return { status: 200, body: reviewJson(ctx, repo, found.issue, review) };
    },
  },
];
