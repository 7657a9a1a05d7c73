// Issues, pull requests, labels and comments of the stand-in's repositories: the small model that
// @semantic-release/github's success and fail steps read and write (README "Issues, pull requests
// and GraphQL"). Issues and pull requests share one numbering per repository, as on GitHub. A pull
// request is real git: its branch is made of commits in the bare repository, and merging it writes a
// merge commit on the base branch ("Create a merge commit",
// https://docs.github.com/en/pull-requests/collaborating-with-pull-requests/incorporating-changes-from-a-pull-request/about-pull-request-merges).
// The REST routes (rest-issues.ts) and the GraphQL endpoint (graphql-model.ts) both read this model.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { githubTime } from "./rest-apps.js";
import type { Account, Actor, CommentRecord, IssueRecord, LabelRecord, PullRequestRecord, Repository, World } from "./world.js";

/** git in one bare repository: args, stdin, extra environment → stdout */
export type RepoGit = (args: string[], input?: string, env?: Record<string, string>) => Promise<string>;

/** The account an actor writes as: the App's `<slug>[bot]` for an installation token, the user for a PAT. */
export function actingAccount(world: World, actor: Actor): Account | undefined {
  if (actor.kind === "installation") return world.account(`${actor.app.slug}[bot]`);
  if (actor.kind === "user") return actor.user;
  return undefined;
}

/** the `<actor>` string requests are recorded with */
export function actorString(actor: Actor): string {
  if (actor.kind === "installation") return `installation:${actor.app.slug}[bot]`;
  if (actor.kind === "user") return `user:${actor.user.login}`;
  return actor.kind === "app" ? `app:${actor.app.slug}` : "anonymous";
}

/** An issue or pull request by number, or undefined. */
export function findIssue(world: World, repo: Repository, number: number): IssueRecord | undefined {
  return Number.isInteger(number) && number > 0 ? world.issuesOf(repo)[number - 1] : undefined;
}

/**
 * A repository's label by name (GitHub compares label names without case), created when missing:
 * adding a label an issue's repository lacks creates it, grey (`ededed`) and without description
 * (inferred from the REST reference of "Add labels to an issue", which accepts any name).
 */
export function ensureLabel(world: World, repo: Repository, name: string): LabelRecord {
  const labels = world.labelsOf(repo);
  const existing = labels.find((l) => l.name.toLowerCase() === name.toLowerCase());
  if (existing) return existing;
  const label: LabelRecord = { id: world.id(), name, color: "ededed", description: null, default: false };
  labels.push(label);
  return label;
}

export function addLabels(world: World, repo: Repository, issue: IssueRecord, names: string[], nowMs: number): void {
  for (const name of names) {
    const label = ensureLabel(world, repo, name);
    if (!issue.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) issue.labels.push(label.name);
  }
  issue.updatedAt = githubTime(nowMs);
}

export interface NewIssue {
  author: Account;
  createdBy: string;
  title: string;
  body?: string | null;
  labels?: string[];
  nowMs: number;
  pullRequest?: PullRequestRecord;
}

export function createIssue(world: World, repo: Repository, input: NewIssue): IssueRecord {
  const list = world.issuesOf(repo);
  const now = githubTime(input.nowMs);
  const issue: IssueRecord = {
    id: world.id(),
    number: list.length + 1,
    title: input.title,
    body: input.body ?? null,
    state: "open",
    stateReason: null,
    author: input.author,
    createdBy: input.createdBy,
    labels: [],
    comments: [],
    createdAt: now,
    updatedAt: now,
    closedAt: null,
    closedBy: null,
    ...(input.pullRequest ? { pullRequest: input.pullRequest } : {}),
  };
  list.push(issue);
  if (input.labels?.length) addLabels(world, repo, issue, input.labels, input.nowMs);
  return issue;
}

export function addComment(world: World, issue: IssueRecord, input: { author: Account; createdBy: string; body: string; nowMs: number }): CommentRecord {
  const comment: CommentRecord = { id: world.id(), body: input.body, author: input.author, createdBy: input.createdBy, createdAt: githubTime(input.nowMs) };
  issue.comments.push(comment);
  issue.updatedAt = comment.createdAt;
  return comment;
}

export function setState(issue: IssueRecord, state: "open" | "closed", by: Account, reason: IssueRecord["stateReason"], nowMs: number): void {
  if (issue.state !== state) {
    issue.state = state;
    issue.closedAt = state === "closed" ? githubTime(nowMs) : null;
    issue.closedBy = state === "closed" ? by : null;
  }
  issue.stateReason = state === "closed" ? (reason ?? "completed") : reason === "reopened" ? "reopened" : null;
  issue.updatedAt = githubTime(nowMs);
}

/**
 * The pull requests a commit belongs to: those whose commits include it and the one whose merge
 * commit it is (GraphQL `Commit.associatedPullRequests`,
 * https://docs.github.com/en/graphql/reference/objects#commit).
 */
export function associatedPullRequests(world: World, repo: Repository, sha: string): IssueRecord[] {
  return world.issuesOf(repo).filter((i) => i.pullRequest && (i.pullRequest.commits.includes(sha) || i.pullRequest.mergeCommitSha === sha));
}

/**
 * GraphQL's `CommentAuthorAssociation` / REST's `author_association`: the repository's owner, a
 * member of its organization, a collaborator, or none
 * (https://docs.github.com/en/graphql/reference/enums#commentauthorassociation).
 */
export function authorAssociation(repo: Repository, account: Account): "OWNER" | "MEMBER" | "COLLABORATOR" | "NONE" {
  if (repo.owner.id === account.id) return "OWNER";
  const login = account.login.toLowerCase();
  if (repo.owner.type === "Organization" && [...(repo.owner.members ?? [])].some(([l]) => l.toLowerCase() === login)) return "MEMBER";
  if ([...repo.collaborators.keys()].some((l) => l.toLowerCase() === login)) return "COLLABORATOR";
  return "NONE";
}

/** a copy a test may keep: later changes of the stand-in do not show in it */
export function copyIssue(issue: IssueRecord): IssueRecord {
  return {
    ...issue,
    labels: [...issue.labels],
    comments: issue.comments.map((c) => ({ ...c })),
    ...(issue.pullRequest ? { pullRequest: { ...issue.pullRequest, commits: [...issue.pullRequest.commits] } } : {}),
  };
}

// ---- pull requests as git ----------------------------------------------------------------------

/** `<id>+<login>@<noreply domain>`: the address GitHub gives an account's web commits */
function identityEnv(account: Account, noreplyDomain: string, nowMs: number, role: "AUTHOR" | "COMMITTER"): Record<string, string> {
  return {
    [`GIT_${role}_NAME`]: account.login,
    [`GIT_${role}_EMAIL`]: `${account.id}+${account.login}@${noreplyDomain}`,
    [`GIT_${role}_DATE`]: `@${Math.floor(nowMs / 1000)} +0000`,
  };
}

export interface NewPullRequest {
  author: Account;
  title: string;
  body?: string | null;
  /** the branch to create (it must not exist) */
  head: string;
  base: string;
  /** the commits of the branch, on top of the base branch, each with the files it writes */
  commits: { message: string; files: Record<string, string> }[];
  draft?: boolean;
  noreplyDomain: string;
  nowMs: number;
}

/** Makes the head branch (its commits authored by the pull request's author) and opens the pull request. */
export async function openPullRequest(world: World, repo: Repository, git: RepoGit, input: NewPullRequest): Promise<IssueRecord> {
  if (input.commits.length === 0) throw new Error("a pull request needs at least one commit");
  if (await refExists(git, `refs/heads/${input.head}`)) throw new Error(`branch ${input.head} exists already`);
  const baseSha = (await git(["rev-parse", "--verify", `refs/heads/${input.base}^{commit}`])).trim();
  let parent = baseSha;
  const commits: string[] = [];
  for (const [i, commit] of input.commits.entries()) {
    const env = { ...identityEnv(input.author, input.noreplyDomain, input.nowMs + i * 1000, "AUTHOR"), ...identityEnv(input.author, input.noreplyDomain, input.nowMs + i * 1000, "COMMITTER") };
    parent = await commitFiles(git, parent, commit.files, commit.message, env);
    commits.push(parent);
  }
  await git(["update-ref", `refs/heads/${input.head}`, parent, ""]);
  const numstat = (await git(["diff", "--numstat", baseSha, parent])).split("\n").filter(Boolean);
  const pullRequest: PullRequestRecord = {
    headRef: input.head,
    baseRef: input.base,
    headSha: parent,
    baseSha,
    commits,
    changedFiles: numstat.length,
    additions: numstat.reduce((n, line) => n + (Number.parseInt(line.split("\t")[0]!, 10) || 0), 0),
    deletions: numstat.reduce((n, line) => n + (Number.parseInt(line.split("\t")[1]!, 10) || 0), 0),
    draft: input.draft ?? false,
    mergeCommitSha: null,
    mergedAt: null,
    mergedBy: null,
  };
  return createIssue(world, repo, { author: input.author, createdBy: "stand-in", title: input.title, body: input.body ?? null, nowMs: input.nowMs, pullRequest });
}

/**
 * Merges a pull request the way the "Create a merge commit" button does: a merge commit of base and
 * head with the message `Merge pull request #N from <owner>/<head>` and the title as its body, authored
 * by the person who merged, committed by GitHub; the base branch moves to it. Returns its SHA.
 */
export async function mergePullRequest(world: World, repo: Repository, git: RepoGit, input: { number: number; by: Account; noreplyDomain: string; nowMs: number }): Promise<string> {
  const issue = findIssue(world, repo, input.number);
  const pr = issue?.pullRequest;
  if (!issue || !pr) throw new Error(`${repo.owner.login}/${repo.name} has no pull request #${input.number}`);
  if (pr.mergeCommitSha || issue.state === "closed") throw new Error(`pull request #${input.number} is not open`);
  const baseSha = (await git(["rev-parse", "--verify", `refs/heads/${pr.baseRef}^{commit}`])).trim();
  // exits 1 on a conflict: git's message says which files
  const tree = (await git(["merge-tree", "--write-tree", baseSha, pr.headSha])).split("\n")[0]!.trim();
  const env = {
    ...identityEnv(input.by, input.noreplyDomain, input.nowMs, "AUTHOR"),
    GIT_COMMITTER_NAME: "GitHub",
    GIT_COMMITTER_EMAIL: "noreply@github.com",
    GIT_COMMITTER_DATE: `@${Math.floor(input.nowMs / 1000)} +0000`,
  };
  const message = `Merge pull request #${issue.number} from ${repo.owner.login}/${pr.headRef}\n\n${issue.title}\n`;
  const merge = (await git(["commit-tree", tree, "-p", baseSha, "-p", pr.headSha, "-F", "-"], message, env)).trim();
  await git(["update-ref", `refs/heads/${pr.baseRef}`, merge, baseSha]);
  pr.mergeCommitSha = merge;
  pr.baseSha = baseSha;
  pr.mergedAt = githubTime(input.nowMs);
  pr.mergedBy = input.by;
  setState(issue, "closed", input.by, "completed", input.nowMs);
  return merge;
}

async function refExists(git: RepoGit, ref: string): Promise<boolean> {
  return git(["rev-parse", "--verify", "--quiet", ref]).then(
    () => true,
    () => false,
  );
}

/** a commit on top of `parent` that writes `files`, made in the bare repository with a temporary index */
export async function commitFiles(git: RepoGit, parent: string, files: Record<string, string>, message: string, env: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "stand-in-index-"));
  const index = { GIT_INDEX_FILE: join(dir, "index") };
  try {
    await git(["read-tree", parent], undefined, index);
    for (const [path, content] of Object.entries(files)) {
      const blob = (await git(["hash-object", "-w", "--stdin"], content)).trim();
      await git(["update-index", "--add", "--cacheinfo", `100644,${blob},${path}`], undefined, index);
    }
    const tree = (await git(["write-tree"], undefined, index)).trim();
    return (await git(["commit-tree", tree, "-p", parent, "-F", "-"], message, env)).trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
