// The stand-in's world as GraphQL objects (https://docs.github.com/en/graphql/reference/objects):
// `Query.repository` and below it what @semantic-release/github reads: `Repository.object` (a
// `Commit` and its `associatedPullRequests`), `issueOrPullRequest`, `issue`, `pullRequest`, `issues`
// and `pullRequests` connections, and on issues and pull requests their author, labels, comments,
// state and merge. Each object carries exactly the fields the model has: a field it lacks throws
// ModelGap (graphql.ts reports it), so nothing answers with an invented null.
//
// `viewer` is who the token is (docs/github.md §4.1).
//
// Access as GitHub grants it to a GitHub App installation token: issues need Issues: read, pull
// requests Pull requests: read, commits Contents: read
// (https://docs.github.com/en/rest/authentication/permissions-required-for-github-apps; GraphQL
// follows the same permissions). A field the token may not read is null with a FORBIDDEN error,
// "Resource not accessible by integration", as GitHub answers (docs/github.md §14).
import type { GraphQLResolveInfo, SelectionSetNode } from "graphql";
import { pullMergeFields, pullMutations, repositoryMergeFields } from "./graphql-pulls.js";
import { actingAccount, associatedPullRequests, authorAssociation, findIssue } from "./issues.js";
import { nodeId, userRole, type RestServices } from "./rest-common.js";
import { readCommit, type ParsedCommit } from "./rest-git.js";
import { levelCovers, tokenReaches } from "./tokens.js";
import type { Account, Actor, IssueRecord, Repository, World } from "./world.js";

export interface GraphqlContext {
  world: World;
  actor: Actor;
  origin: string;
  apiUrl: string;
  nowMs: number;
  services: RestServices;
}

/** An error GitHub itself answers with: `type` (FORBIDDEN, NOT_FOUND, ...) and its message. */
export class GitHubGraphqlError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** A field of GitHub's schema the stand-in's model does not have. */
export class ModelGap extends Error {
  constructor(readonly field: string) {
    super(`the stand-in does not model ${field}`);
  }
}

type Obj = Record<string, unknown>;
type Args = Record<string, unknown>;

const forbidden = () => new GitHubGraphqlError("FORBIDDEN", "Resource not accessible by integration");

/** may the caller read `permission` on `repo`? (users: any role; installation tokens: the permission) */
function mayRead(ctx: GraphqlContext, repo: Repository, permission: string): boolean {
  const actor = ctx.actor;
  if (actor.kind === "installation") return tokenReaches(ctx.world, actor, repo) && levelCovers(actor.permissions[permission], "read");
  if (actor.kind === "user") return userRole(ctx.world, repo, actor.user) !== undefined;
  return false;
}

export function requireRead(ctx: GraphqlContext, repo: Repository, permission: string): void {
  if (!mayRead(ctx, repo, permission)) throw forbidden();
}

export function rootValue(ctx: GraphqlContext): Obj {
  return {
    /**
     * `Query.viewer`, typed `User!`: the user of a personal token; for an installation token the App's
     * bot user, whose `login` keeps the `[bot]` suffix and whose `databaseId` is the bot user's id, not
     * the App's (docs/github.md §4.1).
     */
    viewer(): Obj {
      const account = actingAccount(ctx.world, ctx.actor);
      // anonymous requests and App JWTs are answered before any field is resolved (graphql.ts)
      if (!account) throw new Error(`no account for the viewer of a ${ctx.actor.kind} request`);
      return { ...accountNode(ctx, account), __typename: "User", login: account.login };
    },
    repository({ owner, name }: Args): Obj {
      const repo = ctx.world.repository(String(owner), String(name));
      if (!repo || !mayRead(ctx, repo, "metadata")) {
        throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to a Repository with the name '${String(owner)}/${String(name)}'.`);
      }
      return repositoryNode(ctx, repo);
    },
    // auto-merge, the merge queue and `node` for pull requests (graphql-pulls.ts)
    ...pullMutations(ctx),
  };
}

export function repositoryNode(ctx: GraphqlContext, repo: Repository): Obj {
  const nameWithOwner = `${repo.owner.login}/${repo.name}`;
  const issueOrPr = (number: unknown, want: "Issue" | "PullRequest" | "either"): Obj => {
    const issue = findIssue(ctx.world, repo, Number(number));
    const kind = issue?.pullRequest ? "PullRequest" : "Issue";
    if (!issue || (want !== "either" && want !== kind)) {
      const what = want === "either" ? "an issue or pull request" : want === "Issue" ? "an Issue" : "a PullRequest";
      throw new GitHubGraphqlError("NOT_FOUND", `Could not resolve to ${what} with the number of ${String(number)}.`);
    }
    return issueNode(ctx, repo, issue);
  };
  return {
    __typename: "Repository",
    id: nodeId("Repository", repo.id),
    databaseId: repo.id,
    name: repo.name,
    nameWithOwner,
    url: `${ctx.origin}/${nameWithOwner}`,
    isPrivate: repo.private,
    owner: accountNode(ctx, repo.owner),
    ...repositoryMergeFields(ctx, repo),
    async object({ oid, expression }: Args): Promise<Obj | null> {
      if (expression !== undefined && expression !== null) throw new ModelGap("Repository.object(expression)");
      requireRead(ctx, repo, "contents");
      const commit = await readCommit(ctx, repo, String(oid));
      return commit ? commitNode(ctx, repo, commit) : null;
    },
    issueOrPullRequest: ({ number }: Args) => issueOrPr(number, "either"),
    issue: ({ number }: Args) => issueOrPr(number, "Issue"),
    pullRequest: ({ number }: Args) => issueOrPr(number, "PullRequest"),
    issues(args: Args, _c: unknown, info: GraphQLResolveInfo): Obj {
      requireRead(ctx, repo, "issues");
      const issues = filterIssues(ctx.world.issuesOf(repo).filter((i) => !i.pullRequest), args);
      return connection(ordered(issues, args.orderBy, "Repository.issues"), args, info, (i) => issueNode(ctx, repo, i));
    },
    pullRequests(args: Args, _c: unknown, info: GraphQLResolveInfo): Obj {
      requireRead(ctx, repo, "pull_requests");
      for (const unsupported of ["headRefName", "baseRefName", "labels"]) {
        if (args[unsupported] !== undefined && args[unsupported] !== null) throw new ModelGap(`Repository.pullRequests(${unsupported})`);
      }
      const states = args.states as string[] | undefined;
      const prs = ctx.world.issuesOf(repo).filter((i) => i.pullRequest && (!states || states.includes(pullState(i))));
      return connection(ordered(prs, args.orderBy, "Repository.pullRequests"), args, info, (i) => issueNode(ctx, repo, i));
    },
  };
}

/** `states`, `labels`, `filterBy` (labels, states, createdBy, since) of `Repository.issues` */
function filterIssues(issues: IssueRecord[], args: Args): IssueRecord[] {
  const filterBy = (args.filterBy ?? {}) as Args;
  for (const [key, value] of Object.entries(filterBy)) {
    // viewerSubscribed: false is the schema's default, which every request carries
    if (value === undefined || value === null || (key === "viewerSubscribed" && value === false)) continue;
    if (!["labels", "states", "createdBy", "since"].includes(key)) throw new ModelGap(`IssueFilters.${key}`);
  }
  const states = [args.states, filterBy.states].filter((s): s is string[] => Array.isArray(s));
  const labels = [args.labels, filterBy.labels].filter((l): l is string[] => Array.isArray(l));
  return issues.filter(
    (issue) =>
      states.every((list) => list.includes(issue.state.toUpperCase())) &&
      // any of the names (inferred: GitHub documents "the list of label names" without saying all or any)
      labels.every((list) => list.some((name) => issue.labels.some((l) => l.toLowerCase() === name.toLowerCase()))) &&
      (typeof filterBy.createdBy !== "string" || issue.author.login.toLowerCase() === filterBy.createdBy.toLowerCase()) &&
      (typeof filterBy.since !== "string" || issue.updatedAt >= filterBy.since),
  );
}

/** issues in creation order (the model's own), or reversed; any other order is a gap */
function ordered(issues: IssueRecord[], orderBy: unknown, where: string): IssueRecord[] {
  if (orderBy === undefined || orderBy === null) return issues;
  const { field, direction } = orderBy as { field?: string; direction?: string };
  if (field !== "CREATED_AT") throw new ModelGap(`${where}(orderBy: ${String(field)})`);
  return direction === "DESC" ? [...issues].reverse() : issues;
}

function pullState(issue: IssueRecord): "OPEN" | "CLOSED" | "MERGED" {
  return issue.pullRequest?.mergeCommitSha ? "MERGED" : issue.state === "open" ? "OPEN" : "CLOSED";
}

/** an `Issue` or a `PullRequest`, after the token's permission for it is checked */
export function issueNode(ctx: GraphqlContext, repo: Repository, issue: IssueRecord): Obj {
  const pr = issue.pullRequest;
  requireRead(ctx, repo, pr ? "pull_requests" : "issues");
  const path = `/${repo.owner.login}/${repo.name}/${pr ? "pull" : "issues"}/${issue.number}`;
  const labels = ctx.world.labelsOf(repo);
  const common: Obj = {
    __typename: pr ? "PullRequest" : "Issue",
    id: nodeId(pr ? "PullRequest" : "Issue", issue.id),
    databaseId: issue.id,
    number: issue.number,
    title: issue.title,
    body: issue.body ?? "",
    url: `${ctx.origin}${path}`,
    resourcePath: path,
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    closedAt: issue.closedAt,
    closed: issue.state === "closed",
    locked: false,
    activeLockReason: null,
    milestone: null,
    author: accountNode(ctx, issue.author),
    authorAssociation: authorAssociation(repo, issue.author),
    repository: () => repositoryNode(ctx, repo),
    labels: (args: Args, _c: unknown, info: GraphQLResolveInfo) =>
      connection(issue.labels.map((name) => labels.find((l) => l.name === name)!), args, info, (label) => ({
        __typename: "Label",
        id: nodeId("Label", label.id),
        name: label.name,
        color: label.color,
        description: label.description,
        isDefault: label.default,
        url: `${ctx.origin}/${repo.owner.login}/${repo.name}/labels/${encodeURIComponent(label.name)}`,
      })),
    comments: (args: Args, _c: unknown, info: GraphQLResolveInfo) =>
      connection(issue.comments, args, info, (comment) => ({
        __typename: "IssueComment",
        id: nodeId("IssueComment", comment.id),
        databaseId: comment.id,
        body: comment.body,
        author: accountNode(ctx, comment.author),
        authorAssociation: authorAssociation(repo, comment.author),
        createdAt: comment.createdAt,
        url: `${ctx.origin}${path}#issuecomment-${comment.id}`,
      })),
  };
  if (!pr) return { ...common, state: issue.state.toUpperCase(), stateReason: issue.stateReason?.toUpperCase() ?? null };
  return { ...common, ...pullRequestFields(ctx, repo, issue) };
}

/** what a `PullRequest` has beyond an `Issue`: its state with MERGED, branches, commits and merge */
function pullRequestFields(ctx: GraphqlContext, repo: Repository, issue: IssueRecord): Obj {
  const pr = issue.pullRequest!;
  return {
    state: pullState(issue),
    isDraft: pr.draft,
    merged: pr.mergeCommitSha !== null,
    mergedAt: pr.mergedAt,
    mergedBy: pr.mergedBy ? accountNode(ctx, pr.mergedBy) : null,
    // GitHub computes mergeability in the background; merged pull requests report UNKNOWN (inferred)
    mergeable: pr.mergeCommitSha || issue.state === "closed" ? "UNKNOWN" : pr.conflicts ? "CONFLICTING" : "MERGEABLE",
    ...pullMergeFields(ctx, repo, issue),
    changedFiles: pr.changedFiles,
    additions: pr.additions,
    deletions: pr.deletions,
    headRefName: pr.headRef,
    baseRefName: pr.baseRef,
    headRefOid: pr.headSha,
    baseRefOid: pr.baseSha,
    commits: (args: Args, _c: unknown, info: GraphQLResolveInfo) =>
      connection(pr.commits, args, info, (sha) => ({
        id: nodeId("PullRequestCommit", Number.parseInt(sha.slice(0, 8), 16)),
        async commit(): Promise<Obj> {
          requireRead(ctx, repo, "contents");
          const commit = await readCommit(ctx, repo, sha);
          if (!commit) throw new Error(`commit ${sha} of pull request #${issue.number} is missing from the repository`);
          return commitNode(ctx, repo, commit);
        },
      })),
  };
}

export function commitNode(ctx: GraphqlContext, repo: Repository, commit: ParsedCommit): Obj {
  const [headline = "", ...rest] = commit.message.replace(/\n+$/, "").split("\n");
  return {
    __typename: "Commit",
    id: nodeId("Commit", Number.parseInt(commit.sha.slice(0, 8), 16)),
    oid: commit.sha,
    abbreviatedOid: commit.sha.slice(0, 7),
    message: commit.message.replace(/\n+$/, ""),
    messageHeadline: headline,
    messageBody: rest.join("\n").trim(),
    url: `${ctx.origin}/${repo.owner.login}/${repo.name}/commit/${commit.sha}`,
    authoredDate: commit.author.date,
    committedDate: commit.committer.date,
    associatedPullRequests(args: Args, _c: unknown, info: GraphQLResolveInfo): Obj {
      requireRead(ctx, repo, "pull_requests");
      const prs = ordered(associatedPullRequests(ctx.world, repo, commit.sha), args.orderBy, "Commit.associatedPullRequests");
      return connection(prs, args, info, (i) => issueNode(ctx, repo, i));
    },
  };
}

/**
 * A `User`, `Bot` or `Organization` (an author, a merger). A `Bot`'s GraphQL `login` has no `[bot]`
 * suffix, unlike REST (docs/github.md §14).
 */
export function accountNode(ctx: GraphqlContext, account: Account): Obj {
  const bot = account.type === "Bot";
  const login = bot ? account.login.replace(/\[bot\]$/, "") : account.login;
  return {
    __typename: bot ? "Bot" : account.type === "Organization" ? "Organization" : "User",
    id: nodeId(account.type, account.id),
    databaseId: account.id,
    login,
    url: bot ? `${ctx.origin}/apps/${login}` : `${ctx.origin}/${account.login}`,
    resourcePath: bot ? `/apps/${login}` : `/${account.login}`,
    avatarUrl: ({ size }: Args) => `${ctx.origin}/avatars/u/${account.id}?v=4${typeof size === "number" ? `&s=${size}` : ""}`,
  };
}

// ---- connections ------------------------------------------------------------------------------

const MAX_PAGE = 100;
const cursor = (index: number) => Buffer.from(`cursor:v2:${index}`).toString("base64");
const cursorIndex = (value: unknown) => (typeof value === "string" ? Number(/^cursor:v2:(\d+)$/.exec(Buffer.from(value, "base64").toString())?.[1] ?? Number.NaN) : undefined);

/**
 * A connection (`totalCount`, `pageInfo`, `nodes`, `edges`) with GitHub's pagination rules
 * (https://docs.github.com/en/graphql/guides/using-pagination-in-the-graphql-api): `first` or
 * `last` is required as soon as nodes or edges are asked for, at most 100, not both.
 */
export function connection<T>(items: T[], args: Args, info: GraphQLResolveInfo, toNode: (item: T) => Obj): Obj {
  const field = info.fieldName;
  const { first, last, after, before } = args as { first?: number | null; last?: number | null; after?: unknown; before?: unknown };
  const wantsItems = selects(info, info.fieldNodes[0]?.selectionSet, ["nodes", "edges"]);
  if (wantsItems && (first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GitHubGraphqlError("MISSING_PAGINATION_BOUNDARIES", `You must provide a \`first\` or \`last\` value to properly paginate the \`${field}\` connection.`);
  }
  if (typeof first === "number" && typeof last === "number") {
    throw new GitHubGraphqlError("ARGUMENT_LIMIT", `Passing both \`first\` and \`last\` to paginate the \`${field}\` connection is not supported.`);
  }
  for (const [name, value] of [["first", first], ["last", last]] as const) {
    if (typeof value === "number" && (value > MAX_PAGE || value < 0)) {
      throw new GitHubGraphqlError("EXCESSIVE_PAGINATION", `Requesting ${value} records on the \`${field}\` connection exceeds the \`${name}\` limit of ${MAX_PAGE} records.`);
    }
  }
  let start = 0;
  let end = items.length;
  const afterIndex = cursorIndex(after);
  const beforeIndex = cursorIndex(before);
  if (afterIndex !== undefined) start = Number.isNaN(afterIndex) ? end : afterIndex + 1;
  if (beforeIndex !== undefined && !Number.isNaN(beforeIndex)) end = Math.min(end, beforeIndex);
  if (typeof first === "number") end = Math.min(end, start + first);
  if (typeof last === "number") start = Math.max(start, end - last);
  const page = items.slice(start, end).map((item, i) => ({ index: start + i, item }));
  const nodes = () => page.map(({ item }) => toNode(item));
  return {
    totalCount: items.length,
    pageInfo: {
      hasNextPage: end < items.length,
      hasPreviousPage: start > 0,
      startCursor: page.length ? cursor(page[0]!.index) : null,
      endCursor: page.length ? cursor(page.at(-1)!.index) : null,
    },
    nodes,
    edges: () => page.map(({ index, item }) => ({ cursor: cursor(index), node: toNode(item) })),
  };
}

/** whether a selection asks for one of `names`, through inline fragments and fragment spreads */
function selects(info: GraphQLResolveInfo, selectionSet: SelectionSetNode | undefined, names: string[]): boolean {
  return (selectionSet?.selections ?? []).some((s) => {
    if (s.kind === "Field") return names.includes(s.name.value);
    if (s.kind === "InlineFragment") return selects(info, s.selectionSet, names);
    return selects(info, info.fragments[s.name.value]?.selectionSet, names);
  });
}
