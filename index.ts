// semantic-release-github-app: the lifecycle steps. Wiring only; each job lives in lib/.
// What each step does is fixed in DESIGN.md ("Steps"); the token's lifetime in lib/release-session.ts.
import AggregateError from "aggregate-error";
import type SemanticReleaseError from "@semantic-release/error";
import type { FailContext, PrepareContext, SuccessContext, VerifyConditionsContext, VerifyReleaseContext } from "semantic-release";
import { commitIdentityEnv } from "./lib/token/bot-identity.js";
import { commitAssets, renderMessage, selectAssetFiles } from "./lib/push/commit-assets.js";
import { commitViaApi } from "./lib/push/commit-via-api.js";
import { sendDispatches } from "./lib/dispatch.js";
import { explainRejections } from "./lib/push/explain-rejections.js";
import { head } from "./lib/git/git.js";
import { createReleaseToken } from "./lib/token/index.js";
import { apiFailure } from "./lib/octokit.js";
import { judgePreflight, newProblems, readPreflightFacts, readSignatureRules, renderReport, resolveCommitMode, signaturesRequired } from "./lib/preflight/index.js";
import { pushRelease } from "./lib/push/push-release.js";
import { ReleaseSession } from "./lib/release-session.js";
import { loadConfig, verifyRefName } from "./lib/config/index.js";
import type { PluginConfig } from "./lib/types.js";

export type { PluginConfig, ResolvedConfig, AuthMethod, DispatchTarget, Permissions } from "./lib/types.js";

/** Module state shared by the steps of one release (semantic-release-internals §2: module state is shared, contexts are copies). */
let session: ReleaseSession | undefined;

export async function verifyConditions(pluginConfig: PluginConfig, context: VerifyConditionsContext): Promise<void> {
  const { env, logger, options, branch } = context;
  const config = loadConfig({ pluginConfig, env, options, branch }); // every config problem at once (AggregateError)
  for (const warning of config.warnings) logger.warn(warning);
  const repository = { owner: config.owner, repo: config.repo };

  await session?.end("a new release started in this process");
  const current = (session = new ReleaseSession(config, repository.owner, repository.repo, logger));
  const source = (current.source = await createReleaseToken({ config, ...repository, logger, onToken: current.onToken }));

  const updatesBranch = config.assets !== false;
  const read = { octokit: source.octokit, ...repository, branch: branch.name };
  const [identity, facts, branchSignatures] = await Promise.all([
    source.identity(),
    config.preflight === "off" ? undefined : readPreflightFacts({ ...read, tokenPermissions: source.permissions, updatesBranch }),
    // "auto" is settled whatever `preflight` is (README "Options"); with "off", from the branch's rules alone
    config.preflight === "off" && config.commitMode === "auto" && updatesBranch ? readSignatureRules(read) : false,
  ]).catch((error: unknown) => {
    // a request that kept failing after the retries names itself (EGITHUBAPI)
    throw apiFailure(error, config.githubApiUrl) ?? error;
  });
  current.identity = identity;
  settleCommitMode(current, facts ? signaturesRequired({ facts, updatesBranch }) : branchSignatures);
  if (facts) {
    const verdict = judgePreflight({ facts, ...judgeOptions(current, branch.name, options.tagFormat) });
    current.preflight = { facts, verdict };
    reportPreflight(verdict.errors, verdict.warnings, config.preflight, context);
  }
}

export async function verifyRelease(pluginConfig: PluginConfig, context: VerifyReleaseContext): Promise<void> {
  const current = await ensureSession(pluginConfig, context);
  const { nextRelease, branch, lastRelease, options, logger } = context;
  current.useLogger(logger);
  try {
    const tagProblem = verifyRefName("tag", nextRelease.gitTag, { tagFormat: options.tagFormat });
    if (tagProblem) throw new AggregateError([tagProblem]);
    let fresh: ReturnType<typeof newProblems> | undefined;
    if (current.preflight) {
      const { facts, verdict: before } = current.preflight;
      const identityEnv = commitIdentityEnv(context.env, current.identity!);
      const message = renderMessage(current.config.message, { branch: branch.name, lastRelease: { ...lastRelease }, nextRelease: { ...nextRelease } });
      settleCommitMode(current, signaturesRequired({ facts, tag: nextRelease.gitTag, updatesBranch: current.config.assets !== false }));
      const verdict = judgePreflight({
        facts,
        ...judgeOptions(current, branch.name, options.tagFormat),
        tag: nextRelease.gitTag,
        commit: { message, authorEmail: identityEnv.GIT_AUTHOR_EMAIL, committerEmail: identityEnv.GIT_COMMITTER_EMAIL },
      });
      current.preflight = { facts, verdict };
      fresh = newProblems(before, verdict);
    }
    if (options.dryRun) {
      const source = current.source!;
      context.stdout.write(
        `\n${renderReport({
          method: source.method,
          actor: source.actor.login,
          installation: source.installation && { id: source.installation.id, account: source.installation.accountLogin, repositorySelection: source.installation.repositorySelection },
          tokenPermissions: source.permissions,
          expiresAt: source.expiresAt,
          branch: branch.name,
          tag: nextRelease.gitTag,
          updatesBranch: current.config.assets !== false,
          commitMode: current.commitMode,
          signaturesRequired: current.signaturesRequired,
          verdict: current.preflight?.verdict,
        })}\n\n`,
      );
    }
    if (fresh) reportPreflight(fresh.errors, fresh.warnings, current.config.preflight, context);
  } finally {
    // --dry-run skips prepare, success and fail: the token's work ends here.
    if (options.dryRun) await current.end("dry run");
  }
}

export async function prepare(pluginConfig: PluginConfig, context: PrepareContext): Promise<void> {
  const current = await ensureSession(pluginConfig, context);
  const { cwd = process.cwd(), branch, nextRelease, lastRelease, logger } = context;
  current.useLogger(logger);
  const { config, owner, repo } = current;
  const source = current.source!;
  await current.freshToken(); // re-mints when fewer than 5 minutes are left (DESIGN.md "Token lifetime")
  const env = current.gitEnv(context.env);
  const remoteUrl = `${config.githubUrl}/${owner}/${repo}.git`;
  const release = { branch: branch.name, lastRelease: { ...lastRelease }, nextRelease: { ...nextRelease } };
  const { commitMode } = current;

  if (commitMode === "api" && config.assets !== false) {
    const result = await commitViaApi({
      octokit: source.octokit,
      owner,
      repo,
      branch: branch.name,
      tag: nextRelease.gitTag,
      cwd,
      env,
      files: await selectAssetFiles(config.assets, { cwd, env }),
      message: renderMessage(config.message, release),
      parentSha: await head({ cwd, env }),
      remoteUrl,
      actor: source.actor.login,
      githubUrl: config.githubUrl,
      logger,
    });
    logger.log("Created %s through the API as %s (%s) and pushed %s", result.sha.slice(0, 12), source.actor.login, result.verified ? "verified" : "unverified", nextRelease.gitTag);
    return;
  }

  await commitAssets({ assets: config.assets, message: config.message, ...release, cwd, env: { ...env, ...commitIdentityEnv(context.env, current.identity!) }, logger });
  await current.freshToken();
  const result = await pushRelease({
    cwd,
    env: current.gitEnv(context.env),
    remoteUrl,
    branch: branch.name,
    tag: nextRelease.gitTag,
    actor: source.actor.login,
    owner,
    repo,
    githubUrl: config.githubUrl,
    logger,
  });
  if (result.pushed.length > 0) logger.success("Pushed %s atomically as %s", result.pushed.join(" and "), source.actor.login);
}

export async function success(pluginConfig: PluginConfig, context: SuccessContext): Promise<void> {
  const current = await ensureSession(pluginConfig, context);
  current.useLogger(context.logger);
  if (current.config.dispatch.length > 0) {
    await current.freshToken();
    await sendDispatches({
      octokit: current.source!.octokit,
      owner: current.owner,
      repo: current.repo,
      targets: current.config.dispatch,
      nextRelease: context.nextRelease,
      logger: context.logger,
    });
  }
  if (!current.handedToLaterPlugins) await current.end("release succeeded");
}

export async function fail(_pluginConfig: PluginConfig, context: FailContext): Promise<void> {
  explainRejections(context.errors, context.logger);
  if (session && !session.handedToLaterPlugins) await session.end("release failed");
}

/** Later steps re-run verifyConditions when it did not run in this process (as semantic-release/git does). */
async function ensureSession(pluginConfig: PluginConfig, context: VerifyConditionsContext): Promise<ReleaseSession> {
  if (!session || session.ended) await verifyConditions(pluginConfig, context);
  return session!;
}

/** Record the commit mode of the release: "auto" becomes "api" when signatures are required. */
function settleCommitMode(current: ReleaseSession, required: boolean): void {
  current.signaturesRequired = required;
  current.commitMode = resolveCommitMode({ configured: current.config.commitMode, signaturesRequired: required });
}

/** What the preflight judge is told besides the facts, the same in verifyConditions and verifyRelease. */
function judgeOptions(current: ReleaseSession, branch: string, tagFormat: string | undefined) {
  const source = current.source!;
  const { config, owner, repo } = current;
  return {
    ...{ actor: source.actor.login, method: source.method, appSlug: source.app?.slug, appId: source.app?.id },
    ...{ githubUrl: config.githubUrl, owner, repo, branch, commitMode: current.commitMode, updatesBranch: config.assets !== false, tagFormat },
  };
}

function reportPreflight(
  errors: SemanticReleaseError[],
  warnings: string[],
  mode: "error" | "warn" | "off",
  { logger }: Pick<VerifyConditionsContext, "logger">,
): void {
  for (const warning of warnings) logger.warn(warning);
  if (errors.length === 0) return;
  if (mode === "error") throw new AggregateError(errors);
  for (const error of errors) logger.warn("%s %s (preflight: warn, going on)", error.code, error.message);
}

