// The local GitHub stand-in (packages/github-stand-in/README.md): `startStandIn()` starts a server on
// 127.0.0.1 that answers the REST endpoints this plugin uses and git smart HTTP, on top of one
// World. Tests build the world with createUser/createOrg/createApp/installApp/createRepo/
// addRuleset/setProtection, then point the plugin at `apiUrl` and `origin`.
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomInt } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGitHttp, installHooks } from "./git-http.js";
import { answerGraphql } from "./graphql.js";
import { addComment, copyIssue, createIssue, findIssue, mergePullRequest, openPullRequest, type RepoGit } from "./issues.js";
import { checkRequest, checkResponse } from "./openapi.js";
import { completeChecks, setCheck, type CheckRunRecord, type CheckSpec } from "./checks.js";
import { queueOf, type QueueEntry } from "./merge-queue.js";
import { approvePull, closePullAs, copyPull, exclusive, pushCommit, type MergeSettings, type PullRequestView, reconcileLater, refreshAll, stopPulls, watchPushes } from "./pulls.js";
import {
  type DispatchQuery,
  type GraphqlQuery,
  type Mark,
  markOf,
  normalizeRoute,
  type PushQuery,
  queryDispatches,
  queryGraphql,
  queryPushes,
  queryRequests,
  queryTokens,
  type RequestQuery,
  type TokenQuery,
} from "./query.js";
import type { RestServices } from "./rest-common.js";
import { immutabilityOf, publishRelease, setImmutableReleases } from "./rest-immutable.js";
import { validateBypassActors } from "./rules.js";
import { API_PREFIX, createRequestHandler, type Fault, type OpenApiChecker, ROUTES, type RouteDelay, type ServerHost } from "./server.js";
import { createPat as createPatRecord, mintInstallationToken as mint, type TokenFormat } from "./tokens.js";
import {
  type Account,
  type App,
  type BypassActor,
  type ClassicProtection,
  GITHUB_ACTIONS_APP_ID,
  GITHUB_ACTIONS_BOT_USER_ID,
  type Installation,
  type IssueRecord,
  type Permissions,
  type RecordedDispatch,
  type RecordedGraphql,
  type RecordedPush,
  type RecordedRequest,
  type ReleaseRecord,
  type Repository,
  type Rule,
  type Ruleset,
  type TokenRecord,
  World,
} from "./world.js";

export type { DispatchQuery, GraphqlQuery, Mark, PushQuery, RequestQuery, TokenQuery } from "./query.js";
export type {
  Account,
  App,
  BypassActor,
  BypassMode,
  ClassicProtection,
  CommentRecord,
  Installation,
  IssueRecord,
  LabelRecord,
  Permissions,
  PullRequestRecord,
  RecordedDispatch,
  RecordedGraphql,
  RecordedPush,
  RecordedRequest,
  ReleaseRecord,
  Repository,
  Rule,
  Ruleset,
  TokenRecord,
} from "./world.js";
export type { TokenFormat } from "./tokens.js";
export type { CheckRunRecord, CheckSpec } from "./checks.js";
export type { QueueEntry } from "./merge-queue.js";
export type { AutoMergeRecord, MergeMethod, MergeSettings, PullRequestView, ReviewRecord } from "./pulls.js";
export { persistCheckoutCredentials, type PersistedCheckoutCredentials } from "./checkout.js";

export interface StandInOptions {
  /** lifetime of minted installation tokens; default 3600 (docs/github.md §6.1: +1 h) */
  tokenLifetimeSeconds?: number;
  /** delay added to every request, REST and git */
  latencyMs?: number;
  /** docs/github.md §6.2: classic `ghs_` + 36 chars, or the stateless `ghs_<appid>_<JWT>` form */
  tokenFormat?: TokenFormat;
}

export interface AddRulesetInput {
  name: string;
  target: "branch" | "tag" | "push";
  enforcement?: Ruleset["enforcement"];
  conditions?: Ruleset["conditions"];
  rules: Rule[];
  bypass_actors?: BypassActor[];
}

/** The workflow GITHUB_TOKEN's default permissions ("permissive" setting). */
export const DEFAULT_ACTIONS_PERMISSIONS: Permissions = {
  actions: "write",
  checks: "write",
  contents: "write",
  deployments: "write",
  issues: "write",
  metadata: "read",
  packages: "write",
  pull_requests: "write",
  statuses: "write",
};

// a fixed identity and date for the seed commit, so its SHA is stable
const SEED_ENV = {
  GIT_AUTHOR_NAME: "Stand-in Seed",
  GIT_AUTHOR_EMAIL: "seed@stand-in.invalid",
  GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
  GIT_COMMITTER_NAME: "Stand-in Seed",
  GIT_COMMITTER_EMAIL: "seed@stand-in.invalid",
  GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
};

/** git run by the stand-in itself never reads the user's configuration */
export const ISOLATED_GIT_ENV = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" };

function runGit(cwd: string, args: string[], input?: string | Buffer, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "git",
      args,
      { cwd, env: { ...process.env, ...ISOLATED_GIT_ENV, ...env }, maxBuffer: 64 * 1024 * 1024, encoding: "buffer" },
      (err, stdout, stderr) => {
        if (err) reject(Object.assign(new Error(`git ${args.join(" ")} failed: ${stderr.toString()}`), { stderr: stderr.toString() }));
        else resolve(stdout.toString("utf8"));
      },
    );
    // git may exit without reading its input (EPIPE): its exit status tells what happened
    child.stdin!.on("error", () => undefined);
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}

export class StandIn {
  origin = "";
  apiUrl = "";
  /** the stand-in's data; its own modules read and write it, tests ask the query methods below */
  readonly world = new World();
  /** what `close()` fails on: OpenAPI violations, and GraphQL answers the model could not give (graphql.ts) */
  readonly openapiViolations: string[] = [];
  tokenLifetimeSeconds: number;
  tokenFormat: TokenFormat;
  latencyMs: number;
  /** added to Date.now() for the stand-in's clock (JWT checks, token expiry, `Date` header) */
  clockSkewMs = 0;
  /** temporary directory holding the bare repositories */
  readonly dir: string;

  private server!: Server;
  private faults = new Map<string, Fault[]>();
  private delays = new Map<string, RouteDelay>();
  private pendingRepos = new Map<number, Set<string>>();
  private openapi: OpenApiChecker = { checkRequest, checkResponse };

  constructor(dir: string, opts: StandInOptions) {
    this.dir = dir;
    this.tokenLifetimeSeconds = opts.tokenLifetimeSeconds ?? 3600;
    this.tokenFormat = opts.tokenFormat ?? "classic";
    this.latencyMs = opts.latencyMs ?? 0;
  }

  /** @internal */
  async listen(): Promise<void> {
    const self = this;
    const services: RestServices = {
      get tokenLifetimeSeconds() {
        return self.tokenLifetimeSeconds;
      },
      get tokenFormat() {
        return self.tokenFormat;
      },
      git: (repo, args, input, env) => runGit(repo.gitDir, args, input, env),
    };
    const gitHttp = createGitHttp(this);
    const host: ServerHost = {
      world: this.world,
      get origin() {
        return self.origin;
      },
      get apiUrl() {
        return self.apiUrl;
      },
      get latencyMs() {
        return self.latencyMs;
      },
      now: () => this.now(),
      takeFault: (route) => {
        const queue = this.faults.get(route);
        const fault = queue?.shift();
        if (queue && queue.length === 0) this.faults.delete(route);
        return fault;
      },
      routeDelay: (route) => this.delays.get(route),
      openapi: this.openapi,
      openapiViolations: this.openapiViolations,
      services,
      handleGit: async (req, res, actor) => {
        await gitHttp.handleGitRequest(req, res, actor);
      },
      handleInternal: (req, res) => gitHttp.handleInternalRequest(req, res),
      answerGraphql: (actor, body) =>
        answerGraphql({ world: this.world, origin: this.origin, apiUrl: this.apiUrl, nowMs: this.now(), services, violations: this.openapiViolations }, actor, body),
    };
    this.world.engine = {
      git: (repo) => this.repoGit(repo),
      now: () => this.now(),
      noreplyDomain: () => this.noreplyDomain(),
      fail: (message) => this.openapiViolations.push(message),
    };
    watchPushes(this.world);
    this.server = createServer(createRequestHandler(host));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.origin}${API_PREFIX}`;
  }

  /** the stand-in's clock in ms */
  now(): number {
    return Date.now() + this.clockSkewMs;
  }

  // ---- accounts -------------------------------------------------------------------------------

  createUser(login: string): Account {
    const existing = this.world.account(login);
    if (existing) return existing;
    const account: Account = { id: this.world.id(), login, type: "User" };
    this.world.accounts.set(login.toLowerCase(), account);
    return account;
  }

  createOrg(login: string, members: Record<string, "admin" | "member"> = {}): Account {
    if (this.world.account(login)) throw new Error(`account ${login} exists already`);
    const account: Account = { id: this.world.id(), login, type: "Organization", members: new Map() };
    for (const [member, role] of Object.entries(members)) {
      this.createUser(member);
      account.members!.set(member, role);
    }
    this.world.accounts.set(login.toLowerCase(), account);
    return account;
  }

  /** a `ghp_` personal access token for a user (created if missing) */
  createPat(login: string, scopes: string[] = ["repo", "workflow"]): string {
    const user = this.world.account(login) ?? this.createUser(login);
    if (user.type !== "User") throw new Error(`${login} is not a user`);
    return createPatRecord(this.world, user, scopes, this.now()).token;
  }

  // ---- Apps -----------------------------------------------------------------------------------

  /** Registers an App with a fresh RSA 2048 key pair; the private key is returned once and not kept. */
  createApp(opts: { slug: string; name?: string; owner?: string; permissions?: Permissions; keyFormat?: "pkcs1" | "pkcs8" }): {
    app: App;
    privateKey: string;
  } {
    if (this.world.appBySlug(opts.slug)) throw new Error(`App ${opts.slug} exists already`);
    const { publicKey, privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: opts.keyFormat ?? "pkcs1", format: "pem" },
    });
    const owner = this.world.account(opts.owner ?? "app-developer") ?? this.createUser(opts.owner ?? "app-developer");
    const app = this.registerApp({
      id: this.world.id(),
      slug: opts.slug,
      clientId: `Iv23li${randomAlnum(14)}`,
      name: opts.name ?? opts.slug,
      owner,
      publicKeyPem: publicKey,
      botUserId: this.world.id(),
      // every App has metadata: read
      permissions: { metadata: "read", ...(opts.permissions ?? { contents: "write" }) },
    });
    return { app, privateKey };
  }

  private registerApp(app: App): App {
    this.world.apps.set(app.id, app);
    // docs/github.md §6.1: the `<slug>[bot]` user has its own id
    this.world.accounts.set(`${app.slug}[bot]`.toLowerCase(), { id: app.botUserId, login: `${app.slug}[bot]`, type: "Bot" });
    return app;
  }

  /** The built-in GitHub Actions integration (docs/github.md §4: app 15368, `github-actions[bot]` 41898282). */
  actionsApp(): App {
    const existing = this.world.apps.get(GITHUB_ACTIONS_APP_ID);
    if (existing) return existing;
    const github = this.world.account("github") ?? this.createOrg("github");
    return this.registerApp({
      id: GITHUB_ACTIONS_APP_ID,
      slug: "github-actions",
      clientId: "Iv1.05c79e9ad1f6bdfa",
      name: "GitHub Actions",
      owner: github,
      publicKeyPem: "",
      botUserId: GITHUB_ACTIONS_BOT_USER_ID,
      permissions: { ...DEFAULT_ACTIONS_PERMISSIONS },
    });
  }

  installApp(app: App, account: string, opts: { repositories?: string[] | "all"; permissions?: Permissions } = {}): Installation {
    const target = this.world.account(account);
    if (!target) throw new Error(`no account ${account}`);
    const installation: Installation = {
      id: this.world.id(),
      appId: app.id,
      account: target,
      repositorySelection: opts.repositories === undefined || opts.repositories === "all" ? "all" : "selected",
      repositoryIds: [],
      permissions: { metadata: "read", ...(opts.permissions ?? app.permissions) },
      suspended: false,
    };
    if (Array.isArray(opts.repositories)) {
      const pending = new Set<string>();
      for (const name of opts.repositories) {
        const repo = this.world.repository(target.login, name);
        if (repo) installation.repositoryIds.push(repo.id);
        else pending.add(name.toLowerCase()); // resolved when createRepo makes it
      }
      if (pending.size) this.pendingRepos.set(installation.id, pending);
    }
    this.world.installations.set(installation.id, installation);
    return installation;
  }

  /** Mints an installation token directly (no HTTP); throws GitHub's message when refused. */
  mintInstallationToken(
    installation: Installation,
    opts: { permissions?: Permissions; repositoryIds?: number[]; lifetimeSeconds?: number } = {},
  ): TokenRecord {
    const result = mint(this.world, installation, {
      permissions: opts.permissions,
      repositoryIds: opts.repositoryIds,
      lifetimeSeconds: opts.lifetimeSeconds ?? this.tokenLifetimeSeconds,
      format: this.tokenFormat,
      nowMs: this.now(),
    });
    if ("status" in result) throw new Error(`${result.status}: ${result.message}`);
    return result;
  }

  /**
   * The workflow GITHUB_TOKEN for a repository: an installation token of the GitHub Actions
   * integration limited to that repository, acting as `github-actions[bot]`. It lives as long as
   * the job, at most 24 hours, not an hour like an App's installation token
   * (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication).
   */
  actionsToken(repo: Repository, permissions: Permissions = DEFAULT_ACTIONS_PERMISSIONS): string {
    const app = this.actionsApp();
    const installation: Installation = {
      id: this.world.id(),
      appId: app.id,
      account: repo.owner,
      repositorySelection: "selected",
      repositoryIds: [repo.id],
      permissions: { metadata: "read", ...permissions },
      suspended: false,
    };
    this.world.installations.set(installation.id, installation);
    return this.mintInstallationToken(installation, { lifetimeSeconds: 24 * 60 * 60 }).token;
  }

  // ---- repositories ---------------------------------------------------------------------------

  async createRepo(
    owner: string,
    name: string,
    opts: {
      defaultBranch?: string;
      private?: boolean;
      files?: Record<string, string>;
      collaborators?: Record<string, "admin" | "maintain" | "write" | "read">;
      /** receive.advertiseAtomic (default true, as on github.com) */
      advertiseAtomic?: boolean;
      /** "sha256": a SHA-256 repository (`git init --object-format=sha256`, 64-digit object IDs) */
      objectFormat?: "sha1" | "sha256";
      /** the pull request settings (allow_merge_commit, allow_auto_merge, delete_branch_on_merge...; GitHub's defaults) */
      mergeSettings?: Partial<MergeSettings>;
    } = {},
  ): Promise<Repository> {
    if (this.world.repository(owner, name)) throw new Error(`repository ${owner}/${name} exists already`);
    const account = this.world.account(owner) ?? this.createUser(owner);
    const defaultBranch = opts.defaultBranch ?? "main";
    const gitDir = join(this.dir, "repos", account.login, `${name}.git`);
    await mkdir(gitDir, { recursive: true });
    const objectFormat = opts.objectFormat ?? "sha1";
    await runGit(gitDir, ["init", "--quiet", "--bare", ...(objectFormat === "sha256" ? ["--object-format=sha256"] : []), "-b", defaultBranch]);
    await runGit(gitDir, ["config", "receive.advertiseAtomic", opts.advertiseAtomic === false ? "false" : "true"]);
    await runGit(gitDir, ["config", "http.receivepack", "true"]);
    await runGit(gitDir, ["config", "uploadpack.allowReachableSHA1InWant", "true"]);

    // one initial commit with a fixed identity
    const index = join(this.dir, `index-${randomAlnum(8)}`);
    const files = opts.files ?? { "README.md": `# ${name}\n` };
    for (const [path, content] of Object.entries(files)) {
      const sha = (await runGit(gitDir, ["hash-object", "-w", "--stdin"], content)).trim();
      await runGit(gitDir, ["update-index", "--add", "--cacheinfo", `100644,${sha},${path}`], undefined, { GIT_INDEX_FILE: index });
    }
    const tree = (await runGit(gitDir, ["write-tree"], undefined, { GIT_INDEX_FILE: index })).trim();
    await rm(index, { force: true });
    const commit = (await runGit(gitDir, ["commit-tree", tree, "-m", "Initial commit"], undefined, SEED_ENV)).trim();
    await runGit(gitDir, ["update-ref", `refs/heads/${defaultBranch}`, commit]);

    const repo: Repository = {
      id: this.world.id(),
      name,
      owner: account,
      private: opts.private ?? false,
      defaultBranch,
      gitDir,
      collaborators: new Map(Object.entries(opts.collaborators ?? {})),
      rulesets: [],
      protection: new Map(),
      verifiedCommits: new Set(),
      ...(objectFormat === "sha256" ? { objectFormat } : {}),
      ...(opts.mergeSettings ? { mergeSettings: { ...opts.mergeSettings } as MergeSettings } : {}),
    };
    for (const login of repo.collaborators.keys()) this.world.account(login) ?? this.createUser(login);
    this.world.repositories.set(`${account.login}/${name}`.toLowerCase(), repo);
    for (const [installationId, names] of this.pendingRepos) {
      const installation = this.world.installations.get(installationId)!;
      if (installation.account.id === account.id && names.delete(name.toLowerCase())) installation.repositoryIds.push(repo.id);
    }
    await installHooks(repo, this.origin);
    return repo;
  }

  /** Runs git in the bare repository; returns stdout without the trailing newline. */
  async git(repo: Repository, ...args: string[]): Promise<string> {
    return (await runGit(repo.gitDir, args)).replace(/\n$/, "");
  }

  addRuleset(target: Repository | string, input: AddRulesetInput): Ruleset {
    const isOrg = typeof target === "string";
    const bypassActors = (input.bypass_actors ?? []).map((a) => ({ ...a, bypass_mode: a.bypass_mode ?? "always" }));
    // docs/github.md §4: GitHub refuses some bypass actors with 422
    const invalid = validateBypassActors(this.world, target, bypassActors);
    if (invalid) throw new Error(`422 Validation Failed: ${invalid}`);
    const now = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    const refDefault = { include: [input.target === "tag" ? "~ALL" : "~DEFAULT_BRANCH"], exclude: [] };
    const ruleset: Ruleset = {
      id: this.world.id(),
      name: input.name,
      target: input.target,
      source_type: isOrg ? "Organization" : "Repository",
      source: isOrg ? (this.world.account(target)?.login ?? target) : `${target.owner.login}/${target.name}`,
      enforcement: input.enforcement ?? "active",
      conditions: input.conditions ?? (isOrg ? { ref_name: refDefault, repository_name: { include: ["~ALL"], exclude: [] } } : { ref_name: refDefault }),
      rules: input.rules.map(withDefaultParameters),
      bypass_actors: bypassActors,
      created_at: now,
      updated_at: now,
    };
    if (isOrg) {
      const org = this.world.account(target);
      if (org?.type !== "Organization") throw new Error(`${target} is not an organization`);
      const key = org.login.toLowerCase();
      this.world.orgRulesets.set(key, [...(this.world.orgRulesets.get(key) ?? []), ruleset]);
    } else {
      target.rulesets.push(ruleset);
    }
    return ruleset;
  }

  setProtection(repo: Repository, branch: string, protection: Partial<ClassicProtection>): void {
    repo.protection.set(branch, {
      enforce_admins: false,
      required_signatures: false,
      allow_force_pushes: false,
      ...protection,
    });
  }

  /**
   * Changes a stored ruleset the way an admin edits it in the settings: `bypass_actors` is validated
   * as addRuleset does, `rules` get their default parameters, `updated_at` moves.
   */
  updateRuleset(ruleset: Ruleset, changes: Partial<Pick<Ruleset, "name" | "enforcement" | "conditions" | "rules" | "bypass_actors">>): Ruleset {
    const target = ruleset.source_type === "Organization" ? ruleset.source : this.rulesetRepository(ruleset);
    const bypassActors = changes.bypass_actors?.map((a) => ({ ...a, bypass_mode: a.bypass_mode ?? "always" }));
    if (bypassActors) {
      const invalid = validateBypassActors(this.world, target, bypassActors);
      if (invalid) throw new Error(`422 Validation Failed: ${invalid}`);
      ruleset.bypass_actors = bypassActors;
    }
    if (changes.rules) ruleset.rules = changes.rules.map(withDefaultParameters);
    if (changes.name !== undefined) ruleset.name = changes.name;
    if (changes.enforcement !== undefined) ruleset.enforcement = changes.enforcement;
    if (changes.conditions !== undefined) ruleset.conditions = changes.conditions;
    ruleset.updated_at = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
    return ruleset;
  }

  private rulesetRepository(ruleset: Ruleset): Repository {
    const [owner = "", name = ""] = ruleset.source.split("/");
    const repo = this.world.repository(owner, name);
    if (!repo?.rulesets.includes(ruleset)) throw new Error(`ruleset ${ruleset.id} is not one of the stand-in's`);
    return repo;
  }

  /** Suspends (or unsuspends) an installation: its tokens stop working and no new one is minted. */
  suspendInstallation(installation: Installation, suspended = true): void {
    const stored = this.world.installations.get(installation.id);
    if (!stored) throw new Error(`no installation ${installation.id}`);
    stored.suspended = suspended;
  }

  // ---- issues and pull requests ---------------------------------------------------------------

  /** Opens an issue as `author` (a user login, created if missing), with labels (created if missing). */
  createIssue(repo: Repository, input: { author: string; title: string; body?: string; labels?: string[] }): IssueRecord {
    const author = this.world.account(input.author) ?? this.createUser(input.author);
    return copyIssue(createIssue(this.world, repo, { ...input, author, createdBy: "stand-in", nowMs: this.now() }));
  }

  /**
   * Opens a pull request from a new branch `head` (commits on top of `base`, default the default
   * branch, each authored by `author` and writing its files).
   */
  async createPullRequest(
    repo: Repository,
    input: { author: string; title: string; body?: string; head: string; base?: string; commits: { message: string; files: Record<string, string> }[]; draft?: boolean },
  ): Promise<IssueRecord> {
    const author = this.world.account(input.author) ?? this.createUser(input.author);
    const pr = await openPullRequest(this.world, repo, this.repoGit(repo), { ...input, author, base: input.base ?? repo.defaultBranch, noreplyDomain: this.noreplyDomain(), nowMs: this.now() });
    return copyIssue(pr);
  }

  /** Merges a pull request with a merge commit, as `by` (a user login) would with the button; returns the merge commit's SHA. */
  async mergePullRequest(repo: Repository, number: number, { by }: { by: string }): Promise<string> {
    const account = this.world.account(by) ?? this.createUser(by);
    return mergePullRequest(this.world, repo, this.repoGit(repo), { number, by: account, noreplyDomain: this.noreplyDomain(), nowMs: this.now() });
  }

  /** Comments on an issue or pull request as `author` (a user login). */
  commentOn(repo: Repository, number: number, { author, body }: { author: string; body: string }): void {
    const issue = findIssue(this.world, repo, number);
    if (!issue) throw new Error(`${repo.owner.login}/${repo.name} has no issue #${number}`);
    addComment(this.world, issue, { author: this.world.account(author) ?? this.createUser(author), createdBy: "stand-in", body, nowMs: this.now() });
  }

  /** Issues and pull requests of a repository, by number (copies); `pullRequests` keeps only those (true) or only issues (false). */
  issues(repo: Repository, { pullRequests }: { pullRequests?: boolean } = {}): IssueRecord[] {
    return this.world
      .issuesOf(repo)
      .filter((i) => pullRequests === undefined || (i.pullRequest !== undefined) === pullRequests)
      .map(copyIssue);
  }

  /** One issue or pull request (a copy), or undefined. */
  issue(repo: Repository, number: number): IssueRecord | undefined {
    const issue = findIssue(this.world, repo, number);
    return issue && copyIssue(issue);
  }

  // ---- pull requests as a way to change a branch: checks, reviews, auto-merge, the merge queue (pulls.ts)

  /** Changes a repository's pull request settings, as an admin would in its settings. */
  setMergeSettings(repo: Repository, settings: Partial<MergeSettings>): void {
    repo.mergeSettings = { ...(repo.mergeSettings ?? {}), ...settings } as MergeSettings;
  }

  /** A check the repository's workflows run on pull requests and merge groups (replaces one of the same name for later runs). */
  addCheck(repo: Repository, spec: CheckSpec): void {
    this.actionsApp();
    setCheck(this.world, repo, spec);
  }

  /** Completes the running check runs that match (e.g. of a check added with `afterMs: Infinity`) with `conclusion`; returns how many. */
  completeChecks(repo: Repository, query: { sha?: string; name?: string; conclusion: "success" | "failure" }): number {
    const count = completeChecks(this.world, repo, query);
    reconcileLater(this.world, repo);
    return count;
  }

  /** Check runs of a repository, oldest first (copies): all, on one commit, of one name. */
  checkRuns(repo: Repository, query: { sha?: string; name?: string } = {}): CheckRunRecord[] {
    return (this.world.checkRuns.get(repo.id) ?? []).filter((r) => (!query.sha || r.headSha === query.sha) && (!query.name || r.name === query.name)).map((r) => ({ ...r, trigger: { ...r.trigger } }));
  }

  /** Approves a pull request as a person (`by`, a user login with write access, created if missing); throws for its own author. */
  approve(repo: Repository, number: number, { by }: { by: string }): void {
    approvePull(this.world, repo, number, this.world.account(by) ?? this.createUser(by), this.now());
  }

  /** Closes a pull request without merging it, as `by` would. */
  closePullRequest(repo: Repository, number: number, { by }: { by: string }): void {
    closePullAs(this.world, repo, number, this.world.account(by) ?? this.createUser(by), this.now());
  }

  /** Pushes a commit by someone else onto `branch` (e.g. moving a pull request's base); returns its SHA. */
  async pushCommit(repo: Repository, branch: string, input: { author: string; message: string; files: Record<string, string> }): Promise<string> {
    const author = this.world.account(input.author) ?? this.createUser(input.author);
    const sha = await pushCommit(this.repoGit(repo), { branch, author, message: input.message, files: input.files, nowMs: this.now(), noreplyDomain: this.noreplyDomain() });
    await exclusive(this.world, repo, () => refreshAll(this.world, repo, this.repoGit(repo)));
    reconcileLater(this.world, repo);
    return sha;
  }

  /** A pull request with its reviews, auto-merge, merge state and merge queue entry (a copy), or undefined. */
  async pullRequest(repo: Repository, number: number): Promise<PullRequestView | undefined> {
    const issue = findIssue(this.world, repo, number);
    if (!issue?.pullRequest) return undefined;
    await exclusive(this.world, repo, () => refreshAll(this.world, repo, this.repoGit(repo)));
    return copyPull(this.world, repo, issue);
  }

  /** Pull requests of a repository (copies), oldest first: by state, head branch, who opened them. */
  async pullRequests(repo: Repository, query: { state?: "open" | "closed" | "merged"; head?: string; openedBy?: string } = {}): Promise<PullRequestView[]> {
    await exclusive(this.world, repo, () => refreshAll(this.world, repo, this.repoGit(repo)));
    return this.world
      .issuesOf(repo)
      .filter((i) => i.pullRequest)
      .map((i) => copyPull(this.world, repo, i))
      .filter((p) => (!query.state || (query.state === "merged" ? p.merged : p.state === query.state && !p.merged)) && (!query.head || p.pullRequest!.headRef === query.head) && (!query.openedBy || p.pullRequest!.openedBy === query.openedBy));
  }

  /** The entries of a merge queue (copies): those waiting in `base`'s queue, or with `all` every entry ever, merged and removed too. */
  mergeQueue(repo: Repository, { base = repo.defaultBranch, all = false }: { base?: string; all?: boolean } = {}): QueueEntry[] {
    const entries = all ? (this.world.mergeQueue.get(repo.id) ?? []).filter((e) => e.baseRef === base) : queueOf(this.world, repo, base);
    return entries.map((e) => ({ ...e }));
  }

  private repoGit(repo: Repository): RepoGit {
    return (args, input, env) => runGit(repo.gitDir, args, input, env);
  }

  /** the noreply e-mail domain of this server (docs/github.md §12) */
  private noreplyDomain(): string {
    return `users.noreply.${new URL(this.origin).hostname}`;
  }

  // ---- queries: what the stand-in saw -----------------------------------------------------------

  /** A point in the logs; pass it as `since` to see only what came after. */
  mark(): Mark {
    return markOf(this.world);
  }

  /** Requests answered (REST and git smart HTTP), oldest first. Tokens are never recorded, only their owners. */
  requests(query: RequestQuery = {}): RecordedRequest[] {
    return queryRequests(this.world, query);
  }

  /** Ref updates judged (git pushes through the pre-receive hook, REST ref writes), oldest first. */
  refPushes(query: PushQuery = {}): RecordedPush[] {
    return queryPushes(this.world, query);
  }

  /** Requests to the GraphQL endpoint, oldest first: operation, actor, variables and the errors sent back. */
  graphql(query: GraphqlQuery = {}): RecordedGraphql[] {
    return queryGraphql(this.world, query);
  }

  /** Accepted repository_dispatch and workflow_dispatch events, oldest first. */
  dispatches(query: DispatchQuery = {}): RecordedDispatch[] {
    return queryDispatches(this.world, query);
  }

  /** Installation tokens and PATs the stand-in made, in that order (copies: re-query to see a later revoke). */
  tokens(query: TokenQuery = {}): TokenRecord[] {
    return queryTokens(this.world, this.now(), query);
  }

  /** The record of a token value, or undefined if the stand-in never made it. */
  token(value: string): TokenRecord | undefined {
    const record = this.world.tokens.get(value);
    return record && { ...record };
  }

  /** Whether a token the stand-in made was revoked (`DELETE /installation/token`); throws for a token it never made. */
  revoked(value: string): boolean {
    const record = this.world.tokens.get(value);
    if (!record) throw new Error("revoked(): the stand-in never made this token");
    return record.revoked;
  }

  /** Releases created on a repository (`POST /repos/{owner}/{repo}/releases`), oldest first. */
  releases(repo: Repository): ReleaseRecord[] {
    return this.world.releasesOf(repo).map((r) => ({ ...r }));
  }

  /**
   * Immutable releases on or off (docs/github.md §15.1), as an admin switches them in the settings;
   * only releases published later become immutable.
   */
  setImmutableReleases(repo: Repository, enabled: boolean, options: { enforcedByOwner?: boolean } = {}): void {
    setImmutableReleases(repo, enabled);
    immutabilityOf(repo).enforcedByOwner = options.enforcedByOwner ?? false;
  }

  /**
   * A release the repository's owner publishes by hand for an existing tag (immutable when the setting
   * is on: its tag is then locked and its name used for good).
   */
  publishRelease(repo: Repository, tag: string, options: { prerelease?: boolean } = {}): ReleaseRecord {
    const record: ReleaseRecord = {
      id: this.world.id(),
      tag_name: tag,
      target_commitish: repo.defaultBranch,
      name: tag,
      body: null,
      draft: false,
      prerelease: options.prerelease ?? false,
      created_at: new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      createdBy: `user:${repo.owner.login}`,
      author: repo.owner,
    };
    this.world.releasesOf(repo).push(record);
    publishRelease(repo, record);
    return { ...record };
  }

  /** Deletes the release of a tag, as its owner can (the tag stays; an immutable release's tag name stays used). */
  deleteRelease(repo: Repository, tag: string): void {
    const list = this.world.releasesOf(repo);
    const index = list.findIndex((r) => r.tag_name === tag);
    if (index < 0) throw new Error(`deleteRelease(): no release for ${tag}`);
    list.splice(index, 1);
  }

  account(login: string): Account | undefined {
    return this.world.account(login);
  }

  repository(owner: string, name: string): Repository | undefined {
    return this.world.repository(owner, name);
  }

  /** An App by slug. */
  app(slug: string): App | undefined {
    return this.world.appBySlug(slug);
  }

  /** Installations, all or those of one App. */
  installations(query: { appId?: number } = {}): Installation[] {
    return [...this.world.installations.values()].filter((i) => query.appId === undefined || i.appId === query.appId);
  }

  /**
   * Calls `action` with each recorded request that matches `test`, synchronously as the stand-in
   * records it: right after answering it and before serving the next one, so what `action` changes
   * (a fault, the clock, a ref) is in place before the client can react. `once` (default) stops after
   * the first match. Returns a function that stops it.
   */
  onRequest(test: (request: RecordedRequest) => boolean, action: (request: RecordedRequest) => void, { once = true } = {}): () => void {
    const listener = (request: RecordedRequest): void => {
      if (!test({ ...request })) return;
      if (once) this.world.requestListeners.delete(listener);
      action({ ...request });
    };
    this.world.requestListeners.add(listener);
    return () => {
      this.world.requestListeners.delete(listener);
    };
  }

  // ---- knobs ----------------------------------------------------------------------------------

  /**
   * The next `count` requests to `route` get `status` (with a GitHub-like body) instead of an answer.
   * `route`: "METHOD /openapi/template" (e.g. "POST /app/installations/{installation_id}/access_tokens"),
   * "GIT upload-pack" or "GIT receive-pack". 403/429 carry `retry-after: 1` unless `headers` says otherwise
   * (an empty value removes a header).
   */
  failNext(route: string, count: number, status = 502, headers: Record<string, string> = {}): void {
    if (route.trim() === "UNKNOWN") throw new Error(`failNext: unknown route "${route}" (use "METHOD /openapi/template" or "GIT receive-pack")`);
    const normalized = normalizeRoute(route);
    const queue = this.faults.get(normalized) ?? [];
    for (let i = 0; i < count; i++) queue.push({ status, headers });
    this.faults.set(normalized, queue);
  }

  /**
   * Requests to a REST `route` ("METHOD /openapi/template", e.g. "DELETE /installation/token") wait
   * `ms` before they are served; `onArrive` is called as each one arrives. A request whose client
   * closes the connection while it waits is dropped unserved (recorded with status 499), as when a
   * process dies with its request in flight. `ms` 0 removes the delay.
   */
  delayRoute(route: string, ms: number, onArrive?: () => void): void {
    const normalized = route.replace(/^(\w+)\s+(?:\/api\/v3)?/, (_, m: string) => `${m.toUpperCase()} `);
    if (!ROUTES.some((r) => `${r.method} ${r.template}` === normalized)) throw new Error(`delayRoute: unknown route "${route}"`);
    if (ms > 0) this.delays.set(normalized, { ms, ...(onArrive ? { onArrive } : {}) });
    else this.delays.delete(normalized);
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Moves the stand-in's clock (JWT `iat`/`exp` checks, token expiry, `Date` header). */
  setClockSkew(ms: number): void {
    this.clockSkewMs = ms;
  }

  /** Stops the server and deletes the repositories; rejects if the OpenAPI checks found violations, or GraphQL a field the model lacks. */
  async close(): Promise<void> {
    await stopPulls(this.world);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await rm(this.dir, { recursive: true, force: true });
    if (this.openapiViolations.length > 0) {
      throw new Error(`the stand-in saw ${this.openapiViolations.length} OpenAPI or GraphQL violation(s):\n- ${this.openapiViolations.join("\n- ")}`);
    }
  }
}

/**
 * The parameters GitHub stores (and returns) for a rule when the request left them out; the
 * schemas `repository-rule-*` mark them required, so responses without them fail the OpenAPI check.
 */
export const RULE_PARAMETER_DEFAULTS: Record<string, Record<string, unknown>> = {
  update: { update_allows_fetch_and_merge: false },
  pull_request: {
    allowed_merge_methods: ["merge", "squash", "rebase"],
    dismiss_stale_reviews_on_push: false,
    require_code_owner_review: false,
    require_last_push_approval: false,
    required_approving_review_count: 0,
    required_review_thread_resolution: false,
  },
  required_status_checks: { required_status_checks: [], strict_required_status_checks_policy: false },
  required_deployments: { required_deployment_environments: [] },
  workflows: { workflows: [] },
  code_scanning: { code_scanning_tools: [] },
  // GitHub's defaults for a new merge queue (docs/github.md §18.6)
  merge_queue: {
    check_response_timeout_minutes: 60,
    grouping_strategy: "ALLGREEN",
    max_entries_to_build: 5,
    max_entries_to_merge: 5,
    merge_method: "MERGE",
    min_entries_to_merge: 1,
    min_entries_to_merge_wait_minutes: 5,
  },
};

function withDefaultParameters(rule: Rule): Rule {
  const defaults = RULE_PARAMETER_DEFAULTS[rule.type];
  return defaults ? { ...rule, parameters: { ...defaults, ...(rule.parameters ?? {}) } } : rule;
}

function randomAlnum(n: number): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = "";
  for (let i = 0; i < n; i++) s += chars[randomInt(chars.length)];
  return s;
}

export async function startStandIn(opts: StandInOptions = {}): Promise<StandIn> {
  const dir = await mkdtemp(join(tmpdir(), "gh-stand-in-"));
  const standIn = new StandIn(dir, opts);
  await standIn.listen();
  return standIn;
}
