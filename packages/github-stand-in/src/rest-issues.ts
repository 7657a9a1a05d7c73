// Issues, comments, labels and pull requests over REST: what @semantic-release/github's success and
// fail steps send after reading the model through GraphQL (https://docs.github.com/rest/issues,
// https://docs.github.com/rest/pulls). Schemas `issue`, `issue-comment`, `label`, `pull-request`
// and `commit` of GitHub's OpenAPI description; the model is issues.ts.
import { actingAccount, actorString, addComment, addLabels, authorAssociation, createIssue, findIssue, setState } from "./issues.js";
import {
  accessRepo,
  error,
  fullName,
  isReply,
  nodeId,
  notAccessibleByIntegration,
  notFound,
  paginate,
  repositoryJson,
  simpleUser,
  userRole,
  validationFailed,
  type RepoRole,
  type RestContext,
  type RestReply,
  type RouteDef,
} from "./rest-common.js";
import { commitJson, readCommit } from "./rest-git.js";
import { exclusive, mergeStateStatus, refreshPull } from "./pulls.js";
import { autoMergeJson } from "./rest-pulls.js";
import { levelCovers } from "./tokens.js";
import type { CommentRecord, IssueRecord, LabelRecord, Repository } from "./world.js";

type Urls = Pick<RestContext, "apiUrl" | "origin">;

const TRIAGE_OR_MORE: RepoRole[] = ["triage", "write", "maintain", "admin"];

function issueApi(ctx: Urls, repo: Repository, issue: IssueRecord): string {
  return `${ctx.apiUrl}/repos/${fullName(repo)}/issues/${issue.number}`;
}

function issueHtml(ctx: Urls, repo: Repository, issue: IssueRecord): string {
  return `${ctx.origin}/${fullName(repo)}/${issue.pullRequest ? "pull" : "issues"}/${issue.number}`;
}

/** schema `label` */
export function labelJson(ctx: Urls, repo: Repository, label: LabelRecord) {
  return {
    id: label.id,
    node_id: nodeId("Label", label.id),
    url: `${ctx.apiUrl}/repos/${fullName(repo)}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    description: label.description,
    color: label.color,
    default: label.default,
  };
}

function labelsOf(ctx: RestContext, repo: Repository, issue: IssueRecord) {
  const labels = ctx.world.labelsOf(repo);
  return issue.labels.map((name) => labelJson(ctx, repo, labels.find((l) => l.name === name)!));
}

/** schema `issue` */
export function issueJson(ctx: RestContext, repo: Repository, issue: IssueRecord) {
  const api = issueApi(ctx, repo, issue);
  const html = issueHtml(ctx, repo, issue);
  const pullApi = `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/${issue.number}`;
  return {
    id: issue.id,
    node_id: nodeId(issue.pullRequest ? "PullRequest" : "Issue", issue.id),
    url: api,
    repository_url: `${ctx.apiUrl}/repos/${fullName(repo)}`,
    labels_url: `${api}/labels{/name}`,
    comments_url: `${api}/comments`,
    events_url: `${api}/events`,
    html_url: html,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: simpleUser(issue.author, ctx),
    labels: labelsOf(ctx, repo, issue),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: issue.comments.length,
    ...(issue.pullRequest
      ? { pull_request: { url: pullApi, html_url: html, diff_url: `${html}.diff`, patch_url: `${html}.patch`, merged_at: issue.pullRequest.mergedAt } }
      : {}),
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_by: issue.closedBy ? simpleUser(issue.closedBy, ctx) : null,
    author_association: authorAssociation(repo, issue.author),
  };
}

/** schema `issue-comment` */
function commentJson(ctx: RestContext, repo: Repository, issue: IssueRecord, comment: CommentRecord) {
  return {
    id: comment.id,
    node_id: nodeId("IssueComment", comment.id),
    url: `${ctx.apiUrl}/repos/${fullName(repo)}/issues/comments/${comment.id}`,
    html_url: `${issueHtml(ctx, repo, issue)}#issuecomment-${comment.id}`,
    body: comment.body,
    user: simpleUser(comment.author, ctx),
    created_at: comment.createdAt,
    updated_at: comment.createdAt,
    issue_url: issueApi(ctx, repo, issue),
    author_association: authorAssociation(repo, comment.author),
  };
}

/** the `_links` of schema `pull-request` */
function pullLinks(ctx: Urls, repo: Repository, issue: IssueRecord) {
  const api = `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/${issue.number}`;
  return {
    self: { href: api },
    html: { href: issueHtml(ctx, repo, issue) },
    issue: { href: issueApi(ctx, repo, issue) },
    comments: { href: `${issueApi(ctx, repo, issue)}/comments` },
    review_comments: { href: `${api}/comments` },
    review_comment: { href: `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/comments{/number}` },
    commits: { href: `${api}/commits` },
    statuses: { href: `${ctx.apiUrl}/repos/${fullName(repo)}/statuses/${issue.pullRequest!.headSha}` },
  };
}

/** schema `pull-request` */
export function pullJson(ctx: RestContext, repo: Repository, issue: IssueRecord) {
  const pr = issue.pullRequest!;
  const api = `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/${issue.number}`;
  const html = issueHtml(ctx, repo, issue);
  const repoJson = repositoryJson(repo, ctx.world, ctx.actor, ctx);
  const side = (ref: string, sha: string) => ({ label: `${repo.owner.login}:${ref}`, ref, sha, repo: repoJson, user: simpleUser(repo.owner, ctx) });
  return {
    url: api,
    id: issue.id,
    node_id: nodeId("PullRequest", issue.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueApi(ctx, repo, issue),
    commits_url: `${api}/commits`,
    review_comments_url: `${api}/comments`,
    review_comment_url: `${ctx.apiUrl}/repos/${fullName(repo)}/pulls/comments{/number}`,
    comments_url: `${issueApi(ctx, repo, issue)}/comments`,
    statuses_url: `${ctx.apiUrl}/repos/${fullName(repo)}/statuses/${pr.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: simpleUser(issue.author, ctx),
    body: issue.body,
    labels: labelsOf(ctx, repo, issue),
    milestone: null,
    active_lock_reason: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: side(pr.headRef, pr.headSha),
    base: side(pr.baseRef, pr.baseSha),
    _links: pullLinks(ctx, repo, issue),
    author_association: authorAssociation(repo, issue.author),
    auto_merge: autoMergeJson(ctx, issue),
    draft: pr.draft,
    merged: pr.mergeCommitSha !== null,
    // GitHub computes mergeability in the background; a merged pull request reports none (inferred)
    mergeable: pr.mergeCommitSha ? null : !pr.conflicts,
    rebaseable: pr.mergeCommitSha ? null : !pr.conflicts,
    mergeable_state: mergeStateStatus(ctx.world, repo, issue).toLowerCase(),
    merged_by: pr.mergedBy ? simpleUser(pr.mergedBy, ctx) : null,
    comments: issue.comments.length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: pr.commits.length,
    additions: pr.additions,
    deletions: pr.deletions,
    changed_files: pr.changedFiles,
  };
}

/**
 * May the caller write to this issue (comment, label, close)? Installation tokens need Issues: write,
 * or Pull requests: write for a pull request (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps);
 * users need read access for a comment and triage for labels and state (`needs: "triage"`), unless
 * they wrote the issue.
 */
function denyIssueWrite(ctx: RestContext, issue: IssueRecord | undefined, needs: "read" | "triage"): RestReply | undefined {
  const actor = ctx.actor;
  if (actor.kind === "installation") {
    const ok = levelCovers(actor.permissions.issues, "write") || (issue?.pullRequest !== undefined && levelCovers(actor.permissions.pull_requests, "write"));
    return ok ? undefined : notAccessibleByIntegration();
  }
  if (actor.kind === "user") {
    const repo = ctx.world.repository(ctx.params.owner!, ctx.params.repo!)!;
    const role = userRole(ctx.world, repo, actor.user);
    if (!role) return notFound();
    if (needs === "triage" && !TRIAGE_OR_MORE.includes(role) && issue?.author.id !== actor.user.id) return error(403, "Must have triage access to repository");
    return undefined;
  }
  return error(401, "Requires authentication");
}

/** the repository and issue of `{owner}/{repo}/issues/{issue_number}` the caller can see */
export function issueFor(ctx: RestContext, number: string | undefined, kind: "issue" | "pull"): { repo: Repository; issue: IssueRecord } | RestReply {
  const repo = accessRepo(ctx, "metadata", "read");
  if (isReply(repo)) return repo;
  const issue = findIssue(ctx.world, repo, Number(number));
  if (!issue || (kind === "pull" && !issue.pullRequest)) return notFound();
  const actor = ctx.actor;
  if (actor.kind === "installation") {
    // the issues endpoints serve a pull request to either permission; the pulls endpoints need Pull requests
    const readable =
      (kind === "issue" && levelCovers(actor.permissions.issues, "read")) ||
      (issue.pullRequest !== undefined && levelCovers(actor.permissions.pull_requests, "read"));
    if (!readable) return notAccessibleByIntegration();
  }
  return { repo, issue };
}

/** label names out of a request body: `["a"]`, `{labels: ["a"]}`, `{labels: [{name: "a"}]}` */
function labelNames(body: unknown): string[] | undefined {
  const list = Array.isArray(body) ? body : typeof body === "object" && body !== null ? (body as { labels?: unknown }).labels : undefined;
  if (!Array.isArray(list)) return undefined;
  const names = list.map((item) => (typeof item === "string" ? item : typeof item === "object" && item !== null ? (item as { name?: unknown }).name : undefined));
  return names.every((n): n is string => typeof n === "string" && n.trim() !== "") ? names : undefined;
}

/** whether the caller's labels on a new issue are kept (GitHub drops them silently for callers without push access) */
function mayLabel(ctx: RestContext, repo: Repository): boolean {
  const actor = ctx.actor;
  if (actor.kind === "installation") return levelCovers(actor.permissions.issues, "write");
  return actor.kind === "user" && TRIAGE_OR_MORE.includes(userRole(ctx.world, repo, actor.user) ?? "read");
}

export const issueRoutes: RouteDef[] = [
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues",
    handler(ctx) {
      const repo = accessRepo(ctx, "metadata", "read");
      if (isReply(repo)) return repo;
      const denied = denyIssueWrite(ctx, undefined, "read");
      if (denied) return denied;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      const title = typeof body.title === "number" ? String(body.title) : body.title;
      if (typeof title !== "string" || title.trim() === "") {
        return validationFailed("Validation Failed", [{ resource: "Issue", code: "missing_field", field: "title" }]);
      }
      const labels = body.labels === undefined ? [] : labelNames(body.labels);
      if (!labels) return validationFailed("Invalid request.\n\nFor 'labels', the value is not valid.");
      const issue = createIssue(ctx.world, repo, {
        author: actingAccount(ctx.world, ctx.actor)!,
        createdBy: actorString(ctx.actor),
        title,
        body: typeof body.body === "string" ? body.body : null,
        labels: mayLabel(ctx, repo) ? labels : [],
        nowMs: ctx.nowMs,
      });
      return { status: 201, headers: { location: issueApi(ctx, repo, issue) }, body: issueJson(ctx, repo, issue) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/issues/{issue_number}",
    handler(ctx) {
      const found = issueFor(ctx, ctx.params.issue_number, "issue");
      if (isReply(found)) return found;
      return { status: 200, body: issueJson(ctx, found.repo, found.issue) };
    },
  },
  {
    method: "PATCH",
    template: "/repos/{owner}/{repo}/issues/{issue_number}",
    handler(ctx) {
      const found = issueFor(ctx, ctx.params.issue_number, "issue");
      if (isReply(found)) return found;
      const { repo, issue } = found;
      const denied = denyIssueWrite(ctx, issue, "triage");
      if (denied) return denied;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      if (body.state !== undefined && body.state !== "open" && body.state !== "closed") {
        return validationFailed("Validation Failed", [{ resource: "Issue", code: "invalid", field: "state" }]);
      }
      const labels = body.labels === undefined ? undefined : labelNames(body.labels);
      if (body.labels !== undefined && !labels) return validationFailed("Invalid request.\n\nFor 'labels', the value is not valid.");
      if (typeof body.title === "string") issue.title = body.title;
      if (typeof body.body === "string" || body.body === null) issue.body = body.body as string | null;
      if (labels) {
        issue.labels = [];
        addLabels(ctx.world, repo, issue, labels, ctx.nowMs);
      }
      if (body.state === "open" || body.state === "closed") {
        setState(issue, body.state, actingAccount(ctx.world, ctx.actor)!, (body.state_reason as IssueRecord["stateReason"]) ?? null, ctx.nowMs);
      }
      return { status: 200, body: issueJson(ctx, repo, issue) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    handler(ctx) {
      const found = issueFor(ctx, ctx.params.issue_number, "issue");
      if (isReply(found)) return found;
      const page = paginate(ctx, found.issue.comments);
      return { status: 200, headers: page.headers, body: page.items.map((c) => commentJson(ctx, found.repo, found.issue, c)) };
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    handler(ctx) {
      const found = issueFor(ctx, ctx.params.issue_number, "issue");
      if (isReply(found)) return found;
      const denied = denyIssueWrite(ctx, found.issue, "read");
      if (denied) return denied;
      const body = (ctx.body ?? {}) as Record<string, unknown>;
      if (typeof body.body !== "string" || body.body.trim() === "") {
        return validationFailed("Validation Failed", [{ resource: "IssueComment", code: "missing_field", field: "body" }]);
      }
      const comment = addComment(ctx.world, found.issue, { author: actingAccount(ctx.world, ctx.actor)!, createdBy: actorString(ctx.actor), body: body.body, nowMs: ctx.nowMs });
      return { status: 201, headers: { location: `${ctx.apiUrl}/repos/${fullName(found.repo)}/issues/comments/${comment.id}` }, body: commentJson(ctx, found.repo, found.issue, comment) };
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    handler(ctx) {
      const found = issueFor(ctx, ctx.params.issue_number, "issue");
      if (isReply(found)) return found;
      const denied = denyIssueWrite(ctx, found.issue, "triage");
      if (denied) return denied;
      const names = labelNames(ctx.body);
      if (!names || names.length === 0) return validationFailed("Invalid request.\n\nFor 'labels', the value is not valid.");
      addLabels(ctx.world, found.repo, found.issue, names, ctx.nowMs);
      return { status: 200, body: labelsOf(ctx, found.repo, found.issue) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}",
    async handler(ctx) {
      const found = issueFor(ctx, ctx.params.pull_number, "pull");
      if (isReply(found)) return found;
      await exclusive(ctx.world, found.repo, () => refreshPull(ctx.world, found.repo, (args, input, env) => ctx.services.git(found.repo, args, input, env), found.issue));
      return { status: 200, body: pullJson(ctx, found.repo, found.issue) };
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/commits",
    async handler(ctx) {
      const found = issueFor(ctx, ctx.params.pull_number, "pull");
      if (isReply(found)) return found;
      const page = paginate(ctx, found.issue.pullRequest!.commits);
      const commits = [];
      for (const sha of page.items) {
        const commit = await readCommit(ctx, found.repo, sha);
        if (commit) commits.push(commitJson(ctx, found.repo, commit));
      }
      return { status: 200, headers: page.headers, body: commits };
    },
  },
];
