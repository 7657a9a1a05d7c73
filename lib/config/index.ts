// The one config pipeline: the plugin's options, the environment and semantic-release's own options →
// ResolvedConfig, or one AggregateError with every problem. Resolved once (resolve-config.ts: which
// value applies, defaults, the "auto" auth rule), then checked (verify-config.ts: one validator per
// option, the credentials of the chosen method), then the repository URL and the branch name.
import AggregateError from "aggregate-error";
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import { getWarning } from "../errors/warnings.js";
import { scrubValue } from "../errors/scrub-urls.js";
import type { Env, PluginConfig, ResolvedConfig } from "../types.js";
import { apiBelongsToServer } from "./github-urls.js";
import { parseGitHubUrl } from "./parse-github-url.js";
import { resolveConfig } from "./resolve-config.js";
import { verifyConfig } from "./verify-config.js";
import { verifyRefName } from "./verify-ref-names.js";

export { DEFAULT_ASSETS, DEFAULT_MESSAGE } from "./resolve-config.js";
export { verifyRefName } from "./verify-ref-names.js";

/** The part of semantic-release's `context.options` the config reads. */
export interface ReleaseOptions {
  repositoryUrl?: unknown;
  /** the URL as configured, before core put GH_TOKEN into it (docs/semantic-release.md §2) */
  originalRepositoryURL?: unknown;
  dryRun?: unknown;
  /** semantic-release's plugins list (it is not merged into the plugin's own config) */
  plugins?: unknown;
}

export interface LoadConfigOptions {
  pluginConfig: PluginConfig;
  env: Env;
  options: ReleaseOptions;
  /** semantic-release's `context.branch` */
  branch: { name: string };
}

/** Every setting resolved and checked; throws one AggregateError of SemanticReleaseErrors with every problem found. */
export function loadConfig({ pluginConfig, env, options, branch }: LoadConfigOptions): ResolvedConfig {
  const { config, given } = resolveConfig({ pluginConfig, env, plugins: options.plugins });
  const errors: SemanticReleaseError[] = verifyConfig({ config, given, env });
  const configured = options.originalRepositoryURL ?? options.repositoryUrl;
  const repositoryUrl = configured === undefined || configured === null ? "" : String(configured);
  const repository = parseGitHubUrl(repositoryUrl);
  if (!repository) errors.push(getError("EINVALIDREPOSITORYURL", { repositoryUrl }));
  const branchProblem = verifyRefName("branch", branch.name);
  if (branchProblem) errors.push(branchProblem);
  if (errors.length > 0 || !repository) throw new AggregateError(errors);

  const warnings = apiBelongsToServer(config.githubUrl, config.githubApiUrl)
    ? []
    : [getWarning("WAPIHOSTNOTSERVER", { githubUrl: config.githubUrl, githubApiUrl: config.githubApiUrl, apiSource: given.githubApiUrl?.source, serverSource: given.githubUrl?.source })];
  return { ...config, ...repository, repositoryUrl: scrubValue(repositoryUrl.trim()), dryRun: options.dryRun === true, warnings };
}
