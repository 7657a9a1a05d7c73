// The data model of the local GitHub stand-in: accounts, Apps, installations, repositories,
// rulesets, classic protection and tokens. Pure data plus small lookups; the HTTP layer
// (server.ts, rest-*.ts), the rules engine (rules.ts) and git smart HTTP (git-http.ts) all read
// and write one World. The GitHub behaviour it follows is cited from docs/github.md; "(inferred)" marks
// a behaviour no GitHub document states.
import type { CheckRunRecord, CheckSpec } from "./checks.js";
import type { QueueEntry } from "./merge-queue.js";
import type { AutoMergeRecord, MergeMethod, MergeSettings, PullsEngine, ReviewRecord } from "./pulls.js";

export type Permissions = Record<string, "read" | "write" | "admin">;

export interface Account {
  id: number;
  login: string;
  type: "User" | "Organization" | "Bot";
  /** organization members and their role (orgs only) */
  members?: Map<string, "admin" | "member">;
}

export interface App {
  id: number;
  slug: string;
  clientId: string;
  name: string;
  owner: Account;
  /** SPKI PEM; the private key is handed to the test once and never stored */
  publicKeyPem: string;
  /** id of the `<slug>[bot]` user (differs from the App id, docs/github.md §6.1) */
  botUserId: number;
  permissions: Permissions;
}

export interface Installation {
  id: number;
  appId: number;
  account: Account;
  repositorySelection: "all" | "selected";
  /** repository ids when `repositorySelection` is "selected" */
  repositoryIds: number[];
  permissions: Permissions;
  suspended: boolean;
}

export type BypassMode = "always" | "pull_request" | "exempt";
export type BypassActorType = "Integration" | "RepositoryRole" | "OrganizationAdmin" | "User" | "Team" | "DeployKey";

export interface BypassActor {
  actor_id: number | null;
  actor_type: BypassActorType;
  bypass_mode: BypassMode;
}

export interface Rule {
  type: string;
  parameters?: Record<string, unknown>;
}

export interface Ruleset {
  id: number;
  name: string;
  target: "branch" | "tag" | "push";
  source_type: "Repository" | "Organization";
  /** `owner/repo` for repository rulesets, the org login for organization rulesets */
  source: string;
  enforcement: "active" | "evaluate" | "disabled";
  conditions: {
    ref_name?: { include: string[]; exclude: string[] };
    repository_name?: { include: string[]; exclude: string[]; protected?: boolean };
  };
  rules: Rule[];
  bypass_actors: BypassActor[];
  created_at: string;
  updated_at: string;
}

/** Classic branch protection, shaped like GitHub's `protected-branch` schema (docs/github.md §9). */
export interface ClassicProtection {
  required_pull_request_reviews?: {
    required_approving_review_count: number;
    bypass_pull_request_allowances?: { users: string[]; teams: string[]; apps: string[] };
  };
  required_status_checks?: { strict: boolean; contexts: string[] };
  /** push restrictions (org repositories only) */
  restrictions?: { users: string[]; teams: string[]; apps: string[] };
  enforce_admins: boolean;
  required_signatures: boolean;
  allow_force_pushes: boolean;
}

export interface Repository {
  id: number;
  name: string;
  owner: Account;
  private: boolean;
  defaultBranch: string;
  /** absolute path of the bare repository served by git http-backend */
  gitDir: string;
  /** user login → repository role ("admin" | "maintain" | "write" | "read") */
  collaborators: Map<string, "admin" | "maintain" | "write" | "read">;
  rulesets: Ruleset[];
  /** branch name → classic protection */
  protection: Map<string, ClassicProtection>;
  /** commit SHAs that GitHub would show as verified (made through the API by an App) */
  verifiedCommits: Set<string>;
  /** the repository's pull request settings (pulls.ts; GitHub's defaults when absent) */
  mergeSettings?: MergeSettings;
  /** the hash of its objects: 40-digit SHA-1 IDs (when absent) or 64-digit SHA-256 IDs */
  objectFormat?: "sha1" | "sha256";
  /** immutable releases (docs/github.md §15.1): the setting, and every tag name an immutable release ever used */
  immutable?: { enabled: boolean; enforcedByOwner: boolean; burnedTags: Set<string> };
}

/** Who a request or a push is authenticated as. */
export type Actor =
  | {
      kind: "installation";
      app: App;
      installation: Installation;
      /** permissions and repositories of this token (a subset of the installation's) */
      permissions: Permissions;
      repositoryIds: number[] | "all";
    }
  | { kind: "user"; user: Account; scopes: string[] }
  | { kind: "app"; app: App }
  | { kind: "anonymous" };

export interface TokenRecord {
  token: string;
  actor: Extract<Actor, { kind: "installation" } | { kind: "user" }>;
  /** ms since epoch */
  expiresAt: number;
  revoked: boolean;
}

/** One request answered by the stand-in. Tokens are never recorded, only who they belong to. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** the matched route template, e.g. "GET /repos/{owner}/{repo}/installation"; "UNKNOWN" for 404 routes */
  route: string;
  status: number;
  /** "app:<slug>", "installation:<slug>[bot]", "user:<login>", "anonymous" */
  actor: string;
  authScheme: "bearer" | "token" | "basic" | "none";
  /** whether the request went to git smart HTTP instead of REST */
  git: boolean;
  at: number;
}

/** One ref update judged by the pre-receive hook or by the REST ref endpoints. */
export interface RecordedPush {
  actor: string;
  via: "git" | "api";
  updates: { ref: string; oldSha: string; newSha: string }[];
  accepted: boolean;
  /** the text sent back to the client (remote: lines without the prefix) */
  message: string;
}

/** One accepted `repository_dispatch` or `workflow_dispatch`. */
export interface RecordedDispatch {
  kind: "repository_dispatch" | "workflow_dispatch";
  /** `owner/name` */
  repository: string;
  actor: string;
  event_type?: string;
  client_payload?: unknown;
  workflow_id?: string;
  ref?: string;
  inputs?: Record<string, unknown>;
  at: number;
}

/** A GitHub release as the stand-in keeps it (schema `release` is built from it on each answer). */
export interface ReleaseRecord {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  created_at: string;
  /** the `<actor>` string of RecordedRequest: who created it */
  createdBy: string;
  author: Account;
  /** published while the repository had immutable releases on: its tag is locked (docs/github.md §15.1) */
  immutable?: boolean;
}

/** A label of a repository (schema `label`; GraphQL `Label`). */
export interface LabelRecord {
  id: number;
  name: string;
  /** six hex digits, no `#` */
  color: string;
  description: string | null;
  default: boolean;
}

/** A comment on an issue or pull request. */
export interface CommentRecord {
  id: number;
  body: string;
  author: Account;
  /** the `<actor>` string of RecordedRequest: who made it ("installation:<slug>[bot]", "user:<login>") */
  createdBy: string;
  createdAt: string;
}

/** What a pull request adds to an issue: its branches, commits and merge. */
export interface PullRequestRecord {
  headRef: string;
  baseRef: string;
  /** the head commit when the pull request was opened */
  headSha: string;
  /** the base branch's commit when it was opened, then the one it was merged onto */
  baseSha: string;
  /** the commits of the pull request, oldest first (`git rev-list base..head`) */
  commits: string[];
  changedFiles: number;
  additions: number;
  deletions: number;
  draft: boolean;
  mergeCommitSha: string | null;
  mergedAt: string | null;
  mergedBy: Account | null;
  /** the `<actor>` string of who opened it through REST ("stand-in" for one the test made) (pulls.ts) */
  openedBy?: string;
  /** false when opened with the workflow GITHUB_TOKEN: its `pull_request` workflows do not start (docs/github.md §7) */
  pullRequestWorkflows?: boolean;
  /** how it was merged (pulls.ts) */
  mergeMethod?: MergeMethod | null;
  /** whether the head is behind the base / conflicts with it, as last computed (pulls.ts refreshPull) */
  behind?: boolean;
  conflicts?: boolean;
  reviews?: ReviewRecord[];
  autoMerge?: AutoMergeRecord | null;
  /** the head branch was deleted after the merge */
  headDeleted?: boolean;
}

/** An issue, or a pull request (an issue with `pullRequest`): both share one numbering per repository. */
export interface IssueRecord {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  stateReason: "completed" | "not_planned" | "reopened" | null;
  author: Account;
  /** the `<actor>` string of RecordedRequest, or "stand-in" for one the test made */
  createdBy: string;
  /** label names, in the order they were added */
  labels: string[];
  comments: CommentRecord[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  closedBy: Account | null;
  pullRequest?: PullRequestRecord;
}

/** One request to `POST /api/graphql`: what it asked and which errors it got (never a token). */
export interface RecordedGraphql {
  operationName: string | null;
  /** "app:<slug>", "installation:<slug>[bot]", "user:<login>", "anonymous" */
  actor: string;
  /** the top-level fields of the operation's selection, e.g. ["repository"] */
  fields: string[];
  variables: Record<string, unknown>;
  /** GitHub's error objects as sent back: `type` (FORBIDDEN, NOT_FOUND...), `message`, `path` */
  errors: { type?: string; message: string; path?: (string | number)[] }[];
  at: number;
}

/** Fixed identities of GitHub's built-in Actions integration (docs/github.md §4). */
export const GITHUB_ACTIONS_APP_ID = 15368;
export const GITHUB_ACTIONS_BOT_USER_ID = 41898282;

export class World {
  private nextId = 1000;
  readonly accounts = new Map<string, Account>();
  readonly apps = new Map<number, App>();
  readonly installations = new Map<number, Installation>();
  /** key: `owner/name` */
  readonly repositories = new Map<string, Repository>();
  /** organization rulesets, key: org login */
  readonly orgRulesets = new Map<string, Ruleset[]>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly requests: RecordedRequest[] = [];
  readonly pushes: RecordedPush[] = [];
  readonly dispatches: RecordedDispatch[] = [];
  /** releases per repository id, oldest first */
  readonly releases = new Map<number, ReleaseRecord[]>();
  /** issues and pull requests per repository id, by number (index = number - 1) */
  readonly issues = new Map<number, IssueRecord[]>();
  /** labels per repository id */
  readonly labels = new Map<number, LabelRecord[]>();
  /** requests to `POST /api/graphql`, oldest first */
  readonly graphql: RecordedGraphql[] = [];
  /** check runs per repository id, oldest first (checks.ts) */
  readonly checkRuns = new Map<number, CheckRunRecord[]>();
  /** the checks that run on a repository's pull requests and merge groups (checks.ts) */
  readonly checkSpecs = new Map<number, CheckSpec[]>();
  /** merge queue entries per repository id, all states, oldest first (merge-queue.ts) */
  readonly mergeQueue = new Map<number, QueueEntry[]>();
  /** timers and background work of pull requests, checks and the merge queue; close() ends them */
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  readonly background = new Set<Promise<unknown>>();
  /** per repository: the tail of its serialized pull request work (pulls.ts exclusive) */
  readonly repoLocks = new Map<number, Promise<unknown>>();
  /** what background work needs of the running stand-in (git, the clock), set by StandIn.listen */
  engine?: PullsEngine;
  /** called with each request as it is recorded (StandIn.onRequest) */
  readonly requestListeners = new Set<(request: RecordedRequest) => void>();

  id(): number {
    return this.nextId++;
  }

  recordRequest(request: RecordedRequest): void {
    this.requests.push(request);
    for (const listener of [...this.requestListeners]) listener(request);
  }

  account(login: string): Account | undefined {
    return this.accounts.get(login.toLowerCase());
  }

  repository(owner: string, name: string): Repository | undefined {
    return this.repositories.get(`${owner}/${name}`.toLowerCase());
  }

  appBySlug(slug: string): App | undefined {
    return [...this.apps.values()].find((app) => app.slug === slug);
  }

  /** the releases created on a repository, oldest first (the list is the World's own) */
  releasesOf(repo: Repository): ReleaseRecord[] {
    let list = this.releases.get(repo.id);
    if (!list) this.releases.set(repo.id, (list = []));
    return list;
  }

  /** the issues and pull requests of a repository, by number (the list is the World's own) */
  issuesOf(repo: Repository): IssueRecord[] {
    let list = this.issues.get(repo.id);
    if (!list) this.issues.set(repo.id, (list = []));
    return list;
  }

  /** the labels of a repository (the list is the World's own) */
  labelsOf(repo: Repository): LabelRecord[] {
    let list = this.labels.get(repo.id);
    if (!list) this.labels.set(repo.id, (list = []));
    return list;
  }

  /** rulesets that apply to a repository: its own, then those of its owner organization */
  rulesetsFor(repo: Repository): Ruleset[] {
    return [...repo.rulesets, ...(this.orgRulesets.get(repo.owner.login.toLowerCase()) ?? [])];
  }

  /** login shown for an actor in logs and push records */
  static actorName(actor: Actor): string {
    switch (actor.kind) {
      case "installation":
        return `installation:${actor.app.slug}[bot]`;
      case "user":
        return `user:${actor.user.login}`;
      case "app":
        return `app:${actor.app.slug}`;
      default:
        return "anonymous";
    }
  }
}
