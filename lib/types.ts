// Public and shared types. Option names and meanings: README.md "Options".

export type AuthMethod = "app" | "pat" | "github-token";
export type PushMode = "direct" | "pull-request" | "auto";
export type PermissionLevel = "read" | "write" | "admin";
export type Permissions = Record<string, PermissionLevel>;

export type DispatchTarget =
  | { repository: string; eventType: string; clientPayload?: Record<string, unknown> }
  | { workflow: string; ref: string; inputs?: Record<string, string>; repository?: string };

/**
 * One entry of `assets`, as @semantic-release/git takes it (README.md "assets"): a glob, a group of
 * globs matched together (a `!` glob removes what the group's globs before it matched), or an object
 * whose `path` is either (its other keys are ignored, as there).
 */
export type AssetEntry = string | string[] | { path: string | string[]; [key: string]: unknown };

/** What users write in `.releaserc` for this plugin. */
export interface PluginConfig {
  authMethod?: "auto" | AuthMethod;
  /** one entry or a list of entries; `false`: no release commit */
  assets?: AssetEntry | AssetEntry[] | false;
  message?: string;
  commitMode?: "auto" | "git" | "api";
  permissions?: Permissions;
  preflight?: "error" | "warn" | "off";
  dispatch?: DispatchTarget[];
  exportToken?: boolean;
  /** move `v<major>` and `v<major>.<minor>` to each release (README "floatingTags") */
  floatingTags?: boolean;
  /** how the release commit reaches the branch (README "pushMode") */
  pushMode?: PushMode;
  /** how long to wait for the release pull request to be merged, in ms (README "pullRequestTimeout") */
  pullRequestTimeout?: number;
  githubUrl?: string;
  githubApiUrl?: string;
  installationId?: number | string;
}

/**
 * Every option with its default filled in, plus what comes from the environment and from
 * semantic-release's own options (lib/config/index.ts `loadConfig`: resolved once, validated).
 */
export interface ResolvedConfig {
  /** "auto" is resolved to a concrete method (lib/config/resolve-config.ts, the one place of that rule) */
  authMethod: AuthMethod;
  /** always a list (a single entry is wrapped, as @semantic-release/git does); `false`: no release commit */
  assets: AssetEntry[] | false;
  message: string;
  commitMode: "auto" | "git" | "api";
  /** permissions asked for explicitly; undefined = what the enabled features need */
  permissions: Permissions | undefined;
  /**
   * asked for too, when the installation has them, because the token is exported to a later plugin
   * that needs them: @semantic-release/github comments on released issues and pull requests
   */
  laterPluginPermissions: Permissions;
  preflight: "error" | "warn" | "off";
  dispatch: DispatchTarget[];
  /** hand the token to later plugins in GH_TOKEN/GITHUB_TOKEN; default false */
  exportToken: boolean;
  /** move the floating tags `v<major>`, `v<major>.<minor>` with each release; default false */
  floatingTags: boolean;
  /** "direct" (default), "pull-request", or "auto": settled per release by the preflight (lib/preflight/pull-request.ts) */
  pushMode: PushMode;
  /** ms to wait for the release pull request to be merged; default 1800000 */
  pullRequestTimeout: number;
  /** web origin without trailing slash, e.g. https://github.com */
  githubUrl: string;
  /** REST base without trailing slash, e.g. https://api.github.com */
  githubApiUrl: string;
  installationId: number | undefined;
  /** GITHUB_APP_CLIENT_ID or GITHUB_APP_ID (client ID preferred) */
  appId: string | undefined;
  /** GITHUB_APP_PRIVATE_KEY as given (normalised later by normalizePrivateKey) */
  privateKey: string | undefined;
  /** GH_TOKEN, for the `pat` method */
  pat: string | undefined;
  /** GITHUB_TOKEN, for the `github-token` method */
  githubToken: string | undefined;
  /** the repository's owner and name, from `repositoryUrl` */
  owner: string;
  repo: string;
  /** the configured repository URL (`options.originalRepositoryURL ?? options.repositoryUrl`), trimmed, without credentials */
  repositoryUrl: string;
  /** semantic-release's `--dry-run` (`options.dryRun`) */
  dryRun: boolean;
  /** things worth saying that do not stop the release (e.g. an API host that is not the server's); the caller logs them */
  warnings: string[];
}

export type Env = Record<string, string | undefined>;
