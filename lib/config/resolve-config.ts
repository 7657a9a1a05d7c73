// pluginConfig + env → every option with its default filled in (STYLE.md §4). Pure: no I/O, no
// logging, no validation (verify-config.ts does that). Precedence: option, then env, then default
// (DESIGN.md, "Environment" and "Options"). An env variable set to "" counts as unset: GitHub Actions
// expands a missing secret or variable to an empty string.
import type { AuthMethod, Env, PluginConfig, ResolvedConfig } from "../types.js";
import { DEFAULT_MESSAGE } from "../definitions/constants.js";

export const DEFAULT_ASSETS: readonly string[] = ["CHANGELOG.md", "package.json", "package-lock.json", "npm-shrinkwrap.json"];
// Same default as @semantic-release/git, so this plugin is a drop-in replacement (DESIGN.md, "Options").
export { DEFAULT_MESSAGE };
const DEFAULT_GITHUB_URL = "https://github.com";

/**
 * `plugins` is semantic-release's own plugins list (`context.options.plugins`; semantic-release leaves
 * it out of the options it merges into each plugin's config).
 */
export function resolveConfig(pluginConfig: PluginConfig, { env, plugins }: { env: Env; plugins?: unknown }): ResolvedConfig {
  const c = pluginConfig;
  const appId = appIdFrom(env);
  const privateKey = nonEmpty(env.GITHUB_APP_PRIVATE_KEY);
  const pat = nonEmpty(env.GH_TOKEN);
  const githubToken = nonEmpty(env.GITHUB_TOKEN);

  const githubUrl = withoutTrailingSlash(
    nonEmpty(c.githubUrl) ?? nonEmpty(env.GITHUB_SERVER_URL) ?? nonEmpty(env.GH_URL) ?? nonEmpty(env.GITHUB_URL) ?? DEFAULT_GITHUB_URL,
  );

  return {
    authMethod: chooseAuthMethod(c.authMethod, { appId, privateKey, pat }),
    assets: resolveAssets(c.assets),
    message: c.message ?? DEFAULT_MESSAGE,
    commitMode: c.commitMode ?? "auto",
    permissions: c.permissions ? { ...c.permissions } : undefined,
    laterPluginPermissions: (c.exportToken ?? true) && listsPlugin(plugins, "@semantic-release/github") ? { ...SEMANTIC_RELEASE_GITHUB_PERMISSIONS } : {},
    preflight: c.preflight ?? "error",
    dispatch: Array.isArray(c.dispatch) ? [...c.dispatch] : [],
    exportToken: c.exportToken ?? true,
    revokeToken: c.revokeToken ?? true,
    githubUrl,
    githubApiUrl: resolveApiUrl(c, env, githubUrl),
    installationId: toInstallationId(c.installationId) ?? toInstallationId(env.GITHUB_APP_INSTALLATION_ID),
    appId,
    privateKey,
    pat,
    githubToken,
  };
}

/**
 * What @semantic-release/github does with an exported token besides creating the release (contents):
 * comment on the released issues and pull requests, open an issue when a release fails, add labels.
 */
const SEMANTIC_RELEASE_GITHUB_PERMISSIONS = { issues: "write", pull_requests: "write" } as const;

/** Whether semantic-release's `plugins` list names `name` (as a string or as `[name, options]`). */
function listsPlugin(plugins: unknown, name: string): boolean {
  return Array.isArray(plugins) && plugins.some((entry) => (Array.isArray(entry) ? entry[0] : entry) === name);
}

/** GITHUB_APP_CLIENT_ID (preferred: github-facts §6.3, JWT `iss` = client ID recommended) or GITHUB_APP_ID. */
export function appIdFrom(env: Env): string | undefined {
  return nonEmpty(env.GITHUB_APP_CLIENT_ID)?.trim() ?? nonEmpty(env.GITHUB_APP_ID)?.trim();
}

/** `auto`: the App when both its ID and key are set, else a PAT in GH_TOKEN, else the workflow GITHUB_TOKEN. */
function chooseAuthMethod(
  option: PluginConfig["authMethod"] | undefined,
  { appId, privateKey, pat }: { appId: string | undefined; privateKey: string | undefined; pat: string | undefined },
): AuthMethod {
  if (option === "app" || option === "pat" || option === "github-token") return option;
  if (appId !== undefined && privateKey !== undefined) return "app";
  return pat !== undefined ? "pat" : "github-token";
}

function resolveAssets(assets: PluginConfig["assets"] | null | undefined): string[] | false {
  if (assets === false) return false;
  if (typeof assets === "string") return [assets];
  if (Array.isArray(assets)) return [...assets];
  return [...DEFAULT_ASSETS];
}

/**
 * githubApiUrl: the option, else GITHUB_API_URL, else GH_URL/GITHUB_URL + GH_PREFIX/GITHUB_PREFIX
 * (@semantic-release/github's convention), else derived from githubUrl. GITHUB_API_URL belongs to
 * GITHUB_SERVER_URL (both set by Actions), so it is skipped when the githubUrl option names another server.
 */
function resolveApiUrl(c: PluginConfig, env: Env, githubUrl: string): string {
  const option = nonEmpty(c.githubApiUrl);
  if (option !== undefined) return withoutTrailingSlash(option);
  const envServer = nonEmpty(env.GITHUB_SERVER_URL);
  const otherServer = nonEmpty(c.githubUrl) !== undefined && envServer !== undefined && withoutTrailingSlash(envServer) !== githubUrl;
  const envApi = nonEmpty(env.GITHUB_API_URL);
  if (envApi !== undefined && !otherServer) return withoutTrailingSlash(envApi);
  const prefix = nonEmpty(env.GH_PREFIX) ?? nonEmpty(env.GITHUB_PREFIX);
  if (prefix !== undefined && nonEmpty(c.githubUrl) === undefined && envServer === undefined) {
    return withoutTrailingSlash(`${githubUrl}/${prefix.replace(/^\/+/, "")}`);
  }
  return deriveApiUrl(githubUrl);
}

/** github.com → https://api.github.com; GHE.com → api.<host>; GHES and other hosts → <githubUrl>/api/v3 (github-facts §12). */
export function deriveApiUrl(githubUrl: string): string {
  let url: URL;
  try {
    url = new URL(githubUrl);
  } catch {
    return `${withoutTrailingSlash(githubUrl)}/api/v3`;
  }
  const host = url.hostname.toLowerCase();
  if (host === "github.com" || host === "www.github.com") return "https://api.github.com";
  if (host.endsWith(".ghe.com") && !host.startsWith("api.")) return `${url.protocol}//api.${url.host}`;
  return `${withoutTrailingSlash(githubUrl)}/api/v3`;
}

function toInstallationId(value: number | string | undefined | null): number | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  if (typeof value === "string" && /^\s*[1-9][0-9]*\s*$/.test(value)) {
    const id = Number(value.trim());
    return Number.isSafeInteger(id) ? id : undefined;
  }
  return undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function withoutTrailingSlash(url: string): string {
  return url.trim().replace(/\/+$/, "");
}
