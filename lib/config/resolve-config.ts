// pluginConfig + env → every setting, once: which value applies (option, then env, then default), where
// it came from, and its normalised form. The "auto" auth rule lives here and nowhere else. Pure: no
// I/O, no logging, no validation (verify-config.ts checks the values given here; lib/config/index.ts
// runs both). An env variable set to "" counts as unset: GitHub Actions expands a missing secret or
// variable to an empty string.
import type { AssetEntry, AuthMethod, Env, PluginConfig, ResolvedConfig } from "../types.js";
import { DEFAULT_MESSAGE } from "../definitions/constants.js";
import { deriveApiUrl } from "./github-urls.js";

export const DEFAULT_ASSETS: readonly string[] = ["CHANGELOG.md", "package.json", "package-lock.json", "npm-shrinkwrap.json"];
// Same default as @semantic-release/git, so this plugin is a drop-in replacement (README.md "message").
export { DEFAULT_MESSAGE };
const DEFAULT_GITHUB_URL = "https://github.com";
/** `pullRequestTimeout`: 30 minutes (README "pullRequestTimeout") */
export const DEFAULT_PULL_REQUEST_TIMEOUT_MS = 30 * 60 * 1000;

/** A setting as the user gave it: the raw value, and the option or env variable it came from. */
export interface Given {
  value: unknown;
  /** the option's name (e.g. `githubUrl`) or the env variable's (e.g. `GITHUB_SERVER_URL`) */
  source: string;
}

/** Plugin options, by name; `revokeToken` is listed so that it is refused, not ignored. */
export const OPTION_NAMES = [
  "authMethod",
  "assets",
  "message",
  "commitMode",
  "permissions",
  "preflight",
  "dispatch",
  "exportToken",
  "pushMode",
  "pullRequestTimeout",
  "floatingTags",
  "revokeToken",
  "githubUrl",
  "githubApiUrl",
  "installationId",
] as const;
export type OptionName = (typeof OPTION_NAMES)[number];

/** What was given for each setting that applies; a setting left out takes its default. */
export type GivenSettings = Partial<Record<OptionName | "appId" | "privateKey" | "pat" | "githubToken", Given>>;

/** The resolved settings; owner, repo and the rest of semantic-release's options are added by loadConfig. */
export type Settings = Omit<ResolvedConfig, "owner" | "repo" | "repositoryUrl" | "dryRun" | "warnings">;

export interface Resolution {
  config: Settings;
  given: GivenSettings;
}

/**
 * `plugins` is semantic-release's own plugins list (`context.options.plugins`; semantic-release leaves
 * it out of the options it merges into each plugin's config).
 */
export function resolveConfig({ pluginConfig, env, plugins }: { pluginConfig: PluginConfig; env: Env; plugins?: unknown }): Resolution {
  const given = givenSettings(pluginConfig as Record<string, unknown>, env);
  const githubUrl = urlOf(given.githubUrl) ?? DEFAULT_GITHUB_URL;
  const exportToken = given.exportToken?.value === true;
  const config: Settings = {
    authMethod: chooseAuthMethod(given),
    assets: resolveAssets(given.assets?.value),
    message: typeof given.message?.value === "string" ? given.message.value : DEFAULT_MESSAGE,
    commitMode: oneOf(given.commitMode?.value, ["auto", "git", "api"] as const, "auto"),
    permissions: isObject(given.permissions?.value) ? ({ ...given.permissions.value } as Settings["permissions"]) : undefined,
    laterPluginPermissions: {
      ...(exportToken && listsPlugin(plugins, "@semantic-release/github") ? SEMANTIC_RELEASE_GITHUB_PERMISSIONS : {}),
      // the pull-request mode opens, auto-merges or enqueues the release pull request (README "Releasing through a pull request")
      // and reads its check runs (Checks: read) to stop as soon as a required check fails
      ...(given.pushMode?.value === "pull-request" || given.pushMode?.value === "auto" ? { pull_requests: "write" as const, checks: "read" as const } : {}),
    },
    preflight: oneOf(given.preflight?.value, ["error", "warn", "off"] as const, "error"),
    dispatch: Array.isArray(given.dispatch?.value) ? [...(given.dispatch.value as Settings["dispatch"])] : [],
    exportToken,
    floatingTags: given.floatingTags?.value === true,
    pushMode: oneOf(given.pushMode?.value, ["direct", "pull-request", "auto"] as const, "direct"),
    pullRequestTimeout: typeof given.pullRequestTimeout?.value === "number" ? given.pullRequestTimeout.value : DEFAULT_PULL_REQUEST_TIMEOUT_MS,
    githubUrl,
    githubApiUrl: urlOf(given.githubApiUrl) ?? apiUrlFromPrefix(env, given, githubUrl) ?? deriveApiUrl(githubUrl),
    installationId: installationIdOf(given.installationId?.value),
    appId: given.appId?.value as string | undefined,
    privateKey: given.privateKey?.value as string | undefined,
    pat: given.pat?.value as string | undefined,
    githubToken: given.githubToken?.value as string | undefined,
  };
  return { config, given };
}

/** Precedence, once: the option (any value but null/undefined), else the first env variable that is set. */
function givenSettings(options: Record<string, unknown>, env: Env): GivenSettings {
  const given: GivenSettings = {};
  for (const name of OPTION_NAMES) {
    if (options[name] !== undefined && options[name] !== null) given[name] = { value: options[name], source: name };
  }
  const fromEnv = (...names: string[]): Given | undefined => {
    const source = names.find((name) => nonEmpty(env[name]) !== undefined);
    return source === undefined ? undefined : { value: env[source], source };
  };
  given.githubUrl ??= fromEnv("GITHUB_SERVER_URL", "GH_URL", "GITHUB_URL");
  // GITHUB_API_URL belongs to GITHUB_SERVER_URL (both set by Actions): not taken when the githubUrl option names another server
  if (given.githubApiUrl === undefined && !(given.githubUrl?.source === "githubUrl" && otherServer(given.githubUrl.value, env))) {
    given.githubApiUrl = fromEnv("GITHUB_API_URL");
  }
  given.installationId ??= fromEnv("GITHUB_APP_INSTALLATION_ID");
  const appId = fromEnv("GITHUB_APP_CLIENT_ID", "GITHUB_APP_ID");
  const entries = { appId: appId && { ...appId, value: String(appId.value).trim() }, privateKey: fromEnv("GITHUB_APP_PRIVATE_KEY"), pat: fromEnv("GH_TOKEN"), githubToken: fromEnv("GITHUB_TOKEN") };
  for (const [name, entry] of Object.entries(entries)) if (entry) given[name as keyof GivenSettings] = entry;
  return Object.fromEntries(Object.entries(given).filter(([, entry]) => entry !== undefined)) as GivenSettings;
}

function otherServer(githubUrlOption: unknown, env: Env): boolean {
  const envServer = nonEmpty(env.GITHUB_SERVER_URL);
  return envServer !== undefined && typeof githubUrlOption === "string" && normaliseUrl(envServer) !== normaliseUrl(githubUrlOption);
}

/**
 * `auto`: the App when any of its variables is set (half a set is reported as ENOAPPCREDENTIALS, never
 * replaced by another token), else a PAT in GH_TOKEN, else the workflow GITHUB_TOKEN. An invalid
 * `authMethod` counts as `auto` here; EINVALIDAUTHMETHOD stops the release anyway.
 */
function chooseAuthMethod(given: GivenSettings): AuthMethod {
  const option = given.authMethod?.value;
  if (option === "app" || option === "pat" || option === "github-token") return option;
  if (given.appId !== undefined || given.privateKey !== undefined) return "app";
  return given.pat !== undefined ? "pat" : "github-token";
}

/**
 * What @semantic-release/github does with an exported token besides creating the release (contents):
 * comment on the released issues and pull requests, open an issue when a release fails, add labels.
 */
const SEMANTIC_RELEASE_GITHUB_PERMISSIONS = { issues: "write", pull_requests: "write" } as const;

/** Whether semantic-release's `plugins` list names `name` (as a string or as `[name, options]`, by name or by a path into its package). */
function listsPlugin(plugins: unknown, name: string): boolean {
  const names = (entry: unknown) => typeof entry === "string" && (entry === name || entry.replace(/\\/g, "/").includes(`/node_modules/${name}/`));
  return Array.isArray(plugins) && plugins.some((entry) => names(Array.isArray(entry) ? entry[0] : entry));
}

/** As @semantic-release/git's resolve-config.js: absent → the default list; one entry → a list of it; `false` stays. */
function resolveAssets(assets: unknown): AssetEntry[] | false {
  if (assets === false) return false;
  if (assets === undefined || assets === null) return [...DEFAULT_ASSETS];
  return Array.isArray(assets) ? [...(assets as AssetEntry[])] : [assets as AssetEntry];
}

/** GH_URL/GITHUB_URL + GH_PREFIX/GITHUB_PREFIX (@semantic-release/github's convention), when neither the option nor GITHUB_SERVER_URL names the server. */
function apiUrlFromPrefix(env: Env, given: GivenSettings, githubUrl: string): string | undefined {
  const prefix = nonEmpty(env.GH_PREFIX) ?? nonEmpty(env.GITHUB_PREFIX);
  if (prefix === undefined || given.githubUrl === undefined || !["GH_URL", "GITHUB_URL"].includes(given.githubUrl.source)) return undefined;
  return normaliseUrl(`${githubUrl}/${prefix.replace(/^\/+/, "")}`);
}

/** The installation ID as a number: a positive safe integer, or a string of digits (whitespace around allowed); else undefined. */
export function installationIdOf(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value !== "string" || !/^\s*[1-9][0-9]*\s*$/.test(value)) return undefined;
  const id = Number(value.trim());
  return Number.isSafeInteger(id) ? id : undefined;
}

/** A string with something besides whitespace in it, else undefined. */
function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

/** The one place trailing slashes leave a URL: every later use takes githubUrl/githubApiUrl as they are. */
function normaliseUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

function urlOf(entry: Given | undefined): string | undefined {
  return typeof entry?.value === "string" ? normaliseUrl(entry.value) : undefined;
}

function oneOf<T extends string>(value: unknown, values: readonly T[], fallback: T): T {
  return values.includes(value as T) ? (value as T) : fallback;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
