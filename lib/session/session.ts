// One release: the token it runs with, what the preflight read and judged, and every side effect
// (docs/architecture.md "Steps", "Token lifetime"). `startSession` returns it fully built; the
// session alone changes the environment (an exported token), restores it, and revokes its tokens,
// once, in every outcome (./process-exit.ts).
//
// The token reaches only the plugin's own network commands (`git push`, `fetch`, `ls-remote`), as
// entries in the environment of those child processes (../git/git-auth.ts). The release commit runs
// the repository's hooks with neither the token nor the private key in their environment.
import AggregateError from "aggregate-error";
import SemanticReleaseError from "@semantic-release/error";
import debugFactory from "debug";
import { DEBUG_NAMESPACE, GITHUB_ACTIONS_BOT } from "../definitions/constants.js";
import { loadConfig, verifyRefName } from "../config/index.js";
import { basicCredential, verifyGitAuth, withEmptyHooksDir, withGitAuth } from "../git/git-auth.js";
import { head } from "../git/git.js";
import { maskSecret } from "../mask-secret.js";
import { apiFailure } from "../octokit.js";
import {
  bypassLines,
  judgePreflight,
  judgeSubject,
  newProblems,
  readPreflightFacts,
  readSignatureRules,
  resolveCommitMode,
  signaturesRequired,
  type PreflightFacts,
  type PreflightVerdict,
} from "../preflight/index.js";
import { commitAssets, renderMessage, selectAssetFiles } from "../push/commit-assets.js";
import { pushRelease } from "../push/push-release.js";
import { checkReleaseTags, explainTagRefusal, type NextReleaseTags, type ReleaseTagCheck } from "../preflight/release-tags.js";
import { alignLocalFloatingTags } from "../push/floating-tags.js";
import { readBranchRulesetFacts } from "../preflight/fetch.js";
import { judgePullRequest, releaseBranchName, type MergeSettings, type PullRequestVerdict } from "../preflight/pull-request.js";
import { readMergeSettings } from "../preflight/pull-request-facts.js";
import { PULL_REQUEST_LOGS } from "../errors/pull-request.js";
import { commitIdentityEnv, type BotIdentity } from "../token/bot-identity.js";
import type { ReleaseToken } from "../token/index.js";
import { takeAppKey, withoutAppKey } from "./app-key.js";
import { TokenExport } from "./token-export.js";
import type { SessionWatch } from "./process-exit.js";
import type { SharedTokens, TokenLease } from "./shared-tokens.js";
import type { Logger } from "../logger.js";
import type { Env, PluginConfig, ResolvedConfig } from "../types.js";
import type { PushRejection } from "../push/parse-push-rejection.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:session`);

/** What the steps receive from semantic-release, as far as the session reads it. */
export interface StepContext {
  cwd?: string | undefined;
  env: Env;
  logger: Logger;
  stdout?: { write(chunk: string): unknown } | undefined;
  options: { repositoryUrl?: unknown; originalRepositoryURL?: unknown; tagFormat?: string; dryRun?: boolean; plugins?: unknown; _pkgOptions?: unknown };
  branch: { name: string };
  lastRelease?: object | undefined;
  nextRelease?: { version: string; gitTag: string; notes?: string | undefined; channel?: string | null | undefined } | undefined;
}

/** What was read of the rules in verifyConditions: everything, or with `preflight: "off"` only what the commit mode needs. */
type Preflight = { facts: PreflightFacts } | { facts: undefined; branchRequiresSignatures: boolean };

type ReleaseContext = StepContext & { nextRelease: NonNullable<StepContext["nextRelease"]> };

/** What a session is started with: the step's input, and the process's sessions and tokens (./registry.ts). */
interface SessionStart {
  pluginConfig: PluginConfig;
  context: StepContext;
  watch: SessionWatch;
  tokens: SharedTokens;
}

/** verifyConditions: config, token, identity and preflight; every refusal is one AggregateError. */
export async function startSession(options: SessionStart): Promise<ReleaseSession> {
  try {
    return await openSession(options);
  } catch (error) {
    // the token's refusals (EAPPAUTHFAILED, EAPPNOTINSTALLED, …) leave the same way as the config's and the preflight's
    throw error instanceof SemanticReleaseError ? new AggregateError([error]) : error;
  }
}

async function openSession({ pluginConfig, context, watch, tokens }: SessionStart): Promise<ReleaseSession> {
  const privateKey = takeAppKey(context.env);
  const config = loadConfig({ pluginConfig, env: { ...context.env, GITHUB_APP_PRIVATE_KEY: privateKey }, options: context.options, branch: context.branch });
  for (const warning of config.warnings) context.logger.warn(warning);
  const tokenExport = new TokenExport();
  const lease = await tokens.acquire({
    config,
    owner: config.owner,
    repo: config.repo,
    logger: context.logger,
    readOnly: config.dryRun,
    // @qiwi/multi-semantic-release and @anolilab/multi-semantic-release give every package's release
    // its options as `_pkgOptions` too: more releases of this repository follow in this process
    keep: context.options._pkgOptions !== undefined,
    onToken: (value) => {
      // on GitHub Actions: the token, and the base64 credential git sends, masked in the job log
      maskSecret(value, { env: context.env });
      maskSecret(basicCredential(value), { env: context.env });
      tokenExport.update(value);
    },
  });
  const { token } = lease;
  // from the first token on, every way the process can end gives the lease back (./shared-tokens.ts revokes)
  const guard = { end: () => token.revoke(), endSync: () => token.revokeSync() };
  watch.add(guard);
  try {
    const where = { octokit: token.octokit, owner: config.owner, repo: config.repo };
    const [identity, preflight, mergeSettings] = await Promise.all([
      token.identity(),
      readPreflight({ config, lease, branch: context.branch.name }),
      // the pull-request mode: how the repository lets pull requests be merged (README "Releasing through a pull request")
      config.pushMode === "direct" || config.assets === false ? undefined : readMergeSettings(where),
    ]).catch((error: unknown) => {
      // a request that kept failing after the retries names itself (EGITHUBAPI)
      throw apiFailure(error, config.githubApiUrl) ?? error;
    });
    const session = new ReleaseSession({ config, token, identity, preflight, mergeSettings, tokenExport, watch, logger: context.logger });
    session.judge(context);
    return session;
  } catch (error) {
    await token.revoke();
    throw error;
  } finally {
    watch.delete(guard);
  }
}

/**
 * The rules, read once per repository and branch for as long as the token lives (a monorepo's
 * packages share both: ./shared-tokens.ts); with `preflight: "off"` only what the commit mode needs.
 */
function readPreflight({ config, lease, branch }: { config: ResolvedConfig; lease: TokenLease; branch: string }): Promise<Preflight> {
  const { token } = lease;
  const where = { octokit: token.octokit, owner: config.owner, repo: config.repo, branch };
  const updatesBranch = config.assets !== false;
  // "auto" still becomes "api" under a required_signatures rule (README "commitMode")
  const reads = config.preflight !== "off" ? "facts" : config.commitMode === "auto" && updatesBranch ? "signatures" : "nothing";
  return lease.once(JSON.stringify(["preflight", config.owner.toLowerCase(), config.repo.toLowerCase(), branch, reads, updatesBranch]), async () => {
    if (reads === "facts") return { facts: await readPreflightFacts({ ...where, tokenPermissions: token.permissions, updatesBranch }) };
    return { facts: undefined, branchRequiresSignatures: reads === "signatures" ? await readSignatureRules(where) : false };
  });
}

export class ReleaseSession {
  readonly config: ResolvedConfig;
  readonly token: ReleaseToken;
  readonly identity: BotIdentity;
  readonly preflight: Preflight;
  /** the repository's merge settings, read when `pushMode` is not "direct" */
  readonly mergeSettings: MergeSettings | undefined;
  /** the pull-request mode's verdict: the mode of this release, why, and how its pull request is merged */
  #pullRequest: PullRequestVerdict | undefined;
  /** the rulesets on the release branch, read in verifyRelease once the tag names it */
  #releaseBranch: Parameters<typeof judgePullRequest>[0]["releaseBranch"];
  /** the last verdict reported: verifyRelease reports only what verifyConditions did not */
  #verdict: PreflightVerdict | undefined;
  /** the bypass and exemption lines already logged (docs/github.md §13: an exempt push leaves no notice, so the log says it) */
  readonly #bypassLogged = new Set<string>();
  /** verifyRelease's checks of the release's tags: a burned name, the floating tags (lib/preflight/release-tags.ts) */
  #tags: ReleaseTagCheck | undefined;
  readonly #export: TokenExport;
  readonly #watch: SessionWatch;
  #logger: Logger;
  #ending: Promise<void> | undefined;

  constructor(parts: { config: ResolvedConfig; token: ReleaseToken; identity: BotIdentity; preflight: Preflight; mergeSettings?: MergeSettings | undefined; tokenExport: TokenExport; watch: SessionWatch; logger: Logger }) {
    this.config = parts.config;
    this.mergeSettings = parts.mergeSettings;
    this.token = parts.token;
    this.identity = parts.identity;
    this.preflight = parts.preflight;
    this.#export = parts.tokenExport;
    this.#watch = parts.watch;
    this.#logger = parts.logger;
    parts.watch.add(this);
  }

  get ended(): boolean {
    return this.#ending !== undefined;
  }

  /** Judge the facts for this step (the exact tag once it is known) and report what is new. */
  /** verifyConditions: judge without the tag (the version is not known yet), report every problem. */
  judge(context: StepContext): void {
    this.#record(this.#judgeMode(context, undefined));
    const verdict = this.#pullRequest;
    if (!verdict || this.config.pushMode === "direct") return;
    // said before anything starts: the mode, why, and what the pull request will wait for
    this.#logger.log(PULL_REQUEST_LOGS.mode({ mode: verdict.mode, configured: this.config.pushMode, reason: verdict.reason }));
    if (verdict.plan?.reviews) this.#logger.warn(PULL_REQUEST_LOGS.reviews({ count: verdict.plan.reviews, branch: context.branch.name }));
    if (verdict.plan?.requiredChecks.length) this.#logger.log(PULL_REQUEST_LOGS.checks({ checks: verdict.plan.requiredChecks }));
    // docs/github.md §19: its pull requests start no workflows
    if (verdict.plan?.requiredChecks.length && this.token.actor.login === GITHUB_ACTIONS_BOT.login) this.#logger.warn(PULL_REQUEST_LOGS.workflowToken({ checks: verdict.plan.requiredChecks }));
  }

  /** The release's push mode settled ("auto": direct when the preflight allows it), then the verdict for that mode. */
  #judgeMode(context: StepContext, release: ReleaseContext["nextRelease"] | undefined): PreflightVerdict | undefined {
    const direct = this.#judge(context, release, false);
    const { config, token, preflight } = this;
    if (config.pushMode === "direct" || config.assets === false) return direct;
    const facts = preflight.facts;
    this.#pullRequest = judgePullRequest({
      pushMode: config.pushMode,
      direct,
      base: facts?.branch ?? { rulesets: [], available: false },
      classic: facts?.classic,
      merge: this.mergeSettings,
      releaseBranch: this.#releaseBranch,
      installationPermissions: token.installation?.permissions,
      method: token.method,
      actor: token.actor.login,
      appSlug: token.app?.slug,
      where: { githubUrl: config.githubUrl, owner: config.owner, repo: config.repo, appId: token.app?.id },
      signaturesRequired: this.#signaturesRequired(release?.gitTag),
    });
    if (this.#pullRequest.mode === "direct") return direct;
    const verdict = this.#judge(context, release, true);
    return verdict && { ...verdict, errors: [...verdict.errors, ...this.#pullRequest.errors] };
  }

  /** The repository URL git pushes to; it carries no credentials (they travel in the child's env). */
  get remoteUrl(): string {
    return `${this.config.githubUrl}/${this.config.owner}/${this.config.repo}.git`;
  }

  /** Whether signed commits are required: by every ruleset that may apply, narrowed to the exact tag once known. */
  #signaturesRequired(tag: string | undefined): boolean {
    const { preflight } = this;
    if (!preflight.facts) return preflight.branchRequiresSignatures;
    return signaturesRequired({ facts: preflight.facts, tag, updatesBranch: this.config.assets !== false });
  }

  /** The commit mode of the release ("auto" settled by the rules; README "commitMode"). */
  #commitMode(tag: string | undefined): "git" | "api" {
    return resolveCommitMode({ configured: this.config.commitMode, signaturesRequired: this.#signaturesRequired(tag) });
  }

  /** Judge what was read: in verifyConditions without the tag, in verifyRelease with it. No request. */
  #judge(context: StepContext, release: ReleaseContext["nextRelease"] | undefined, viaPullRequest: boolean): PreflightVerdict | undefined {
    const { config, token, preflight } = this;
    if (!preflight.facts) return undefined;
    const identity = release ? commitIdentityEnv(context.env, this.identity) : undefined;
    return judgePreflight({
      facts: preflight.facts,
      ...judgeSubject({ token, config }),
      branch: context.branch.name,
      commitMode: viaPullRequest ? "git" : this.#commitMode(release?.gitTag),
      updatesBranch: config.assets !== false,
      viaPullRequest,
      tagFormat: context.options.tagFormat,
      tag: release?.gitTag,
      commit: identity && { message: this.#message(context as ReleaseContext), authorEmail: identity.GIT_AUTHOR_EMAIL, committerEmail: identity.GIT_COMMITTER_EMAIL },
    });
  }

  /** Log the warnings and the errors not reported before; stop on errors unless `preflight: "warn"`. */
  #record(verdict: PreflightVerdict | undefined, tagProblems: SemanticReleaseError[] = []): void {
    const before = this.#verdict;
    this.#verdict = verdict;
    const found = verdict ? newProblems(before, verdict) : { errors: [], warnings: [] };
    for (const warning of found.warnings) this.#logger.warn(warning);
    for (const line of verdict ? bypassLines(verdict, this.token.actor.login) : []) {
      if (!this.#bypassLogged.has(line)) this.#logger.log(line);
      this.#bypassLogged.add(line);
    }
    const errors = [...found.errors, ...tagProblems];
    if (errors.length === 0) return;
    if (this.config.preflight === "error") throw new AggregateError(errors);
    for (const error of errors) this.#logger.warn("%s %s (preflight: warn, going on)", error.code, error.message);
  }

  /** The release commit's message: the `message` template, rendered in one place. */
  #message(context: ReleaseContext): string {
    return renderMessage(this.config.message, { branch: context.branch.name, lastRelease: { ...context.lastRelease }, nextRelease: { ...context.nextRelease } });
  }

  /** verifyRelease: the exact tag and the release commit; in --dry-run the report, then the end. */
  async verifyRelease(context: ReleaseContext): Promise<void> {
    this.#logger = context.logger;
    try {
      const tagProblem = verifyRefName("tag", context.nextRelease.gitTag, { tagFormat: context.options.tagFormat });
      if (tagProblem) throw new AggregateError([tagProblem]);
      await this.#readReleaseBranch(context.nextRelease.gitTag);
      const verdict = this.#judgeMode(context, context.nextRelease);
      const tags = await this.#checkTags(context);
      if (this.config.dryRun) context.stdout?.write(`\n${await this.#renderReport(context, verdict, tags)}\n\n`);
      this.#record(verdict, tags.errors);
    } finally {
      // --dry-run skips prepare, success and fail: the token's work ends here
      if (this.config.dryRun) await this.end("dry run");
    }
  }

  async #renderReport(context: ReleaseContext, verdict: PreflightVerdict | undefined, tags?: ReleaseTagCheck): Promise<string> {
    const { renderReport } = await import("../preflight/report.js"); // --dry-run only
    const { token } = this;
    const tag = context.nextRelease.gitTag;
    return renderReport({
      method: token.method,
      actor: token.actor.login,
      installation: token.installation && { id: token.installation.id, account: token.installation.accountLogin, repositorySelection: token.installation.repositorySelection },
      tokenPermissions: token.permissions,
      expiresAt: token.expiresAt,
      branch: context.branch.name,
      tag,
      updatesBranch: this.config.assets !== false,
      commitMode: this.#pullRequest?.mode === "pull-request" ? "git" : this.#commitMode(tag),
      signaturesRequired: this.#signaturesRequired(tag),
      pushMode: this.#pullRequest && { configured: this.config.pushMode, mode: this.#pullRequest.mode, reason: this.#pullRequest.reason, plan: this.#pullRequest.plan, releaseBranch: releaseBranchName(tag) },
      verdict,
      immutableReleases: tags?.describeImmutable,
      floatingTags: tags?.describeFloating,
      tagProblems: tags?.errors,
    });
  }

  /** prepare: the release commit (locally or through the API) and the atomic push; then the export. */
  async prepare(context: ReleaseContext): Promise<void> {
    this.#logger = context.logger;
    const plan = this.#pullRequest?.mode === "pull-request" ? this.#pullRequest.plan : undefined;
    if (plan) await this.#commitThroughPullRequest(context, plan);
    else if (this.#commitMode(context.nextRelease.gitTag) === "api" && this.config.assets !== false) await this.#commitThroughApi(context);
    else await this.#commitAndPush(context);
    if (this.config.exportToken && this.token.method === "app") {
      this.#export.start(await this.token.fresh());
      context.logger.log("Exported the GitHub App token to GH_TOKEN and GITHUB_TOKEN for the steps after this one (exportToken)");
    }
  }

  /** The local release commit as the bot; the repository's hooks run, as under @semantic-release/git, with no token and no key around. */
  async #commit(context: ReleaseContext): Promise<void> {
    await commitAssets({
      assets: this.config.assets,
      message: this.#message(context),
      cwd: context.cwd ?? process.cwd(),
      env: { ...withoutAppKey(context.env), ...commitIdentityEnv(context.env, this.identity) },
      logger: context.logger,
    });
  }

  async #commitAndPush(context: ReleaseContext): Promise<void> {
    const { config, token } = this;
    const cwd = context.cwd ?? process.cwd();
    const { nextRelease, logger } = context;
    // the local commit is made while git's auth settings are checked and the remote is read (pushRelease waits for it)
    const committed = this.#commit(context);
    committed.catch(() => undefined); // awaited in pushRelease: not an unhandled rejection while the auth check runs
    const result = await this.#withNetworkEnv(context, async (env, value) => {
      await verifyGitAuth({ cwd, env, remoteUrl: this.remoteUrl, token: value });
      return pushRelease({ cwd, env, remoteUrl: this.remoteUrl, branch: context.branch.name, tag: nextRelease.gitTag, actor: token.actor.login, owner: config.owner, repo: config.repo, githubUrl: config.githubUrl, logger, committed, ...this.#tagPush(context) });
    }).finally(() => committed.catch(() => undefined)); // never a step that ends while git still commits
    if (result.pushed.length > 0) logger.success?.("Pushed %s atomically as %s", result.pushed.join(" and "), token.actor.login);
    await this.#alignFloatingTags(context, result.sha);
  }

  /** pushMode "pull-request" (or "auto" settled so): the local commit, then the pull request (lib/push/pull-request/). */
  async #commitThroughPullRequest(context: ReleaseContext, plan: NonNullable<PullRequestVerdict["plan"]>): Promise<void> {
    const { config, token } = this;
    const cwd = context.cwd ?? process.cwd();
    const localEnv = withoutAppKey(context.env);
    const before = await head({ cwd, env: localEnv });
    await this.#commit(context);
    // no file matched `assets`: nothing to merge, the tag goes on the commit already on the branch
    if ((await head({ cwd, env: localEnv })) === before) return this.#commitAndPush(context);
    const { releaseThroughPullRequest } = await import("../push/pull-request/index.js"); // the pull-request mode only
    const result = await releaseThroughPullRequest({
      octokit: token.octokit,
      owner: config.owner,
      repo: config.repo,
      githubUrl: config.githubUrl,
      remoteUrl: this.remoteUrl,
      cwd,
      branch: context.branch.name,
      tag: context.nextRelease.gitTag,
      message: this.#message(context),
      notes: context.nextRelease.notes,
      plan,
      timeoutMs: config.pullRequestTimeout,
      actor: token.actor.login,
      logger: context.logger,
      withNetworkEnv: (task) =>
        this.#withNetworkEnv(context, async (env, value) => {
          await verifyGitAuth({ cwd, env, remoteUrl: this.remoteUrl, token: value });
          return task(env);
        }),
      fresh: () => token.fresh(),
      checksReadable: token.permissions ? token.permissions.checks !== undefined : undefined,
      // judged in verifyRelease like the direct push's; moved with the tag, after the merge
      ...this.#tagPush(context),
    });
    if (result.pushed.length > 0) context.logger.success?.("Pushed %s as %s", result.pushed.join(" and "), token.actor.login);
    await this.#alignFloatingTags(context, result.sha);
  }

  /** verifyRelease in the pull-request mode: the rulesets on the release branch, now that the tag names it. */
  async #readReleaseBranch(tag: string): Promise<void> {
    if (this.#pullRequest?.mode !== "pull-request" || !this.preflight.facts) return;
    const { config, token } = this;
    const name = releaseBranchName(tag);
    const rulesets = await readBranchRulesetFacts({ octokit: token.octokit, owner: config.owner, repo: config.repo, branch: name }).catch((error: unknown) => {
      throw apiFailure(error, config.githubApiUrl) ?? error;
    });
    this.#releaseBranch = { name, rulesets };
  }

  async #commitThroughApi(context: ReleaseContext): Promise<void> {
    const { config, token } = this;
    const cwd = context.cwd ?? process.cwd();
    const env = withoutAppKey(context.env);
    const files = await selectAssetFiles({ assets: config.assets, cwd, env });
    const parentSha = await head({ cwd, env });
    const { commitViaApi } = await import("../push/commit-via-api.js"); // commitMode "api" only
    const result = await this.#withNetworkEnv(context, (networkEnv) =>
      commitViaApi({
        octokit: token.octokit,
        owner: config.owner,
        repo: config.repo,
        branch: context.branch.name,
        tag: context.nextRelease.gitTag,
        cwd,
        env: networkEnv,
        files,
        message: this.#message(context),
        parentSha,
        remoteUrl: this.remoteUrl,
        actor: token.actor.login,
        githubUrl: config.githubUrl,
        logger: context.logger,
        floatingTags: this.#tags?.floating?.names,
      }),
    );
    context.logger.log("Created %s through the API as %s (%s) and pushed %s", result.sha.slice(0, 12), token.actor.login, result.verified ? "verified" : "unverified", context.nextRelease.gitTag);
    await this.#alignFloatingTags(context, result.sha);
  }

  /** The next release's tags as the tag checks see them. */
  #releaseTags(context: ReleaseContext): NextReleaseTags {
    const { nextRelease } = context;
    const lastTag = (context.lastRelease as { gitTag?: string } | undefined)?.gitTag;
    const branchType = (context.branch as { type?: string }).type;
    return { version: nextRelease.version, gitTag: nextRelease.gitTag, channel: nextRelease.channel, tagFormat: context.options.tagFormat ?? "v${version}", lastTag, branchType };
  }

  /** verifyRelease: a burned tag name, and the floating tags judged (docs/github.md §15); before anything is pushed. */
  async #checkTags(context: ReleaseContext): Promise<ReleaseTagCheck> {
    const { config, token } = this;
    const git = { cwd: context.cwd ?? process.cwd(), env: withoutAppKey(context.env) };
    const where = { githubUrl: config.githubUrl, owner: config.owner, repo: config.repo, appId: token.app?.id };
    const release = this.#releaseTags(context);
    const tags = await checkReleaseTags({ octokit: token.octokit, facts: this.preflight.facts, floatingTags: config.floatingTags, release, head: await head(git), git, where, actor: token.actor.login, appSlug: token.app?.slug }).catch(
      (error: unknown) => {
        throw apiFailure(error, config.githubApiUrl) ?? error;
      },
    );
    if (tags.floating?.skipped) context.logger.log("floatingTags: %s is %s, so no floating tag moves", release.version, tags.describeFloating?.replace(/^none \((.*): not moved\)$/, "$1"));
    else if (tags.floating) context.logger.log("floatingTags: %s", tags.describeFloating);
    this.#tags = tags;
    return tags;
  }

  /** What the atomic push adds for the release's tags: the floating tags, and a burned name read from GitHub's refusal. */
  #tagPush(context: ReleaseContext): { floatingTags: string[] | undefined; explainRejection: (rejections: PushRejection[]) => SemanticReleaseError | undefined } {
    const release = this.#releaseTags(context);
    return { floatingTags: this.#tags?.floating?.names, explainRejection: (rejections) => explainTagRefusal({ rejections, facts: this.preflight.facts, release }) };
  }

  /** The local floating tags where the remote ones now are: core's `git push --tags` would otherwise refuse the stale ones (docs/github.md §15.2). */
  async #alignFloatingTags(context: ReleaseContext, sha: string): Promise<void> {
    const names = this.#tags?.floating?.names ?? [];
    if (names.length > 0) await alignLocalFloatingTags({ names, sha, git: { cwd: context.cwd ?? process.cwd(), env: withoutAppKey(context.env) } });
  }

  /** The environment for one network command: a fresh token (re-minted under 5 minutes), hooks off. */
  async #withNetworkEnv<T>(context: StepContext, task: (env: Env, token: string) => Promise<T>): Promise<T> {
    const token = await this.token.fresh();
    return withEmptyHooksDir((hooksPath) => task(withGitAuth({ env: withoutAppKey(context.env), remoteUrl: this.remoteUrl, token, hooksPath }), token));
  }

  /** success: the dispatch events; the end, unless later plugins still use the exported token. */
  async success(context: ReleaseContext): Promise<void> {
    this.#logger = context.logger;
    const { config, token } = this;
    if (config.dispatch.length > 0) {
      await token.fresh();
      const { sendDispatches } = await import("../dispatch.js"); // the dispatch option only
      await sendDispatches({ octokit: token.octokit, owner: config.owner, repo: config.repo, targets: config.dispatch, nextRelease: context.nextRelease, logger: context.logger });
    }
    if (!this.#export.active) await this.end("release succeeded");
  }

  /** fail: the end, unless later plugins still use the exported token (their fail runs after ours). */
  async fail(context: Pick<StepContext, "logger">): Promise<void> {
    this.#logger = context.logger;
    if (!this.#export.active) await this.end("release failed");
  }

  /** Restore the environment and revoke the tokens; once, whoever asks first. Never rejects. */
  end(reason: string): Promise<void> {
    this.#ending ??= (async () => {
      debug("ending the release session of %s/%s: %s", this.config.owner, this.config.repo, reason);
      this.#export.restore();
      await this.token.revoke();
      this.#watch.delete(this);
    })();
    return this.#ending;
  }

  /** The `exit` fallback: nothing async runs any more. */
  endSync(): void {
    this.#export.restore();
    this.token.revokeSync();
  }
}
