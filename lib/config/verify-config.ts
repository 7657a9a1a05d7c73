// Every problem with the options and the environment, as a list (never throws), so that
// verifyConditions can add the auth errors and throw them all at once (STYLE.md §3–§4).
// One validator per option, keyed by name; the code is EINVALID<OPTION>. null and undefined are
// not checked (= default). Unknown option names are ignored: semantic-release passes its global
// options (branches, repositoryUrl, …) to every plugin.
import { isAbsolute, posix, win32 } from "node:path";
import template from "lodash-es/template.js"; // the one function, not the 600-module barrel (bench line 4/5: ~300 ms, ~20 MB)
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import { APP_PERMISSIONS } from "../token/app-permissions.js";
import { describeSecret } from "../errors/config.js";
import { normalizePrivateKey } from "../token/private-key.js";
import { appIdFrom } from "./resolve-config.js";
import type { Env, PluginConfig } from "../types.js";

type Validator = (value: unknown, env: Env) => SemanticReleaseError | undefined;

// The three codes share one context shape ({ value }); the cast only picks one of them for tsc.
const oneOf =
  (code: "EINVALIDAUTHMETHOD" | "EINVALIDCOMMITMODE" | "EINVALIDPREFLIGHT", values: readonly string[]): Validator =>
  (value) =>
    typeof value === "string" && values.includes(value) ? undefined : getError(code as "EINVALIDAUTHMETHOD", { value });

const boolean =
  (code: "EINVALIDEXPORTTOKEN" | "EINVALIDREVOKETOKEN"): Validator =>
  (value) =>
    typeof value === "boolean" ? undefined : getError(code, { value });

const VALIDATORS: Record<string, Validator> = {
  authMethod: oneOf("EINVALIDAUTHMETHOD", ["auto", "app", "pat", "github-token"]),
  assets: (value) => {
    const problem = assetsProblem(value);
    return problem === undefined ? undefined : getError("EINVALIDASSETS", { value, problem });
  },
  message: (value) => {
    const problem = messageProblem(value);
    return problem === undefined ? undefined : getError("EINVALIDMESSAGE", { value, problem });
  },
  commitMode: oneOf("EINVALIDCOMMITMODE", ["auto", "git", "api"]),
  permissions: (value) => {
    const problems = permissionsProblems(value);
    return problems.length === 0 ? undefined : getError("EINVALIDPERMISSIONS", { value, problems });
  },
  preflight: oneOf("EINVALIDPREFLIGHT", ["error", "warn", "off"]),
  dispatch: (value) => {
    const problems = dispatchProblems(value);
    return problems.length === 0 ? undefined : getError("EINVALIDDISPATCH", { value, problems });
  },
  exportToken: boolean("EINVALIDEXPORTTOKEN"),
  revokeToken: boolean("EINVALIDREVOKETOKEN"),
  githubUrl: (value) => {
    const problem = urlProblem(value);
    return problem === undefined ? undefined : getError("EINVALIDGITHUBURL", { value, source: "githubUrl", problem });
  },
  githubApiUrl: (value) => {
    const problem = urlProblem(value);
    return problem === undefined ? undefined : getError("EINVALIDGITHUBAPIURL", { value, source: "githubApiUrl", problem });
  },
  installationId: (value) => (isInstallationId(value) ? undefined : getError("EINVALIDINSTALLATIONID", { value, source: "installationId" })),
};

export function verifyConfig(pluginConfig: PluginConfig, { env }: { env: Env }): SemanticReleaseError[] {
  const options = pluginConfig as Record<string, unknown>;
  const errors: SemanticReleaseError[] = [];
  for (const [name, validate] of Object.entries(VALIDATORS)) {
    const value = options[name];
    if (value === undefined || value === null) continue;
    const error = validate(value, env);
    if (error) errors.push(error);
  }
  errors.push(...verifyEnvUrls(pluginConfig, env), ...verifyCredentials(pluginConfig, env));
  return errors;
}

// --- environment -------------------------------------------------------------------------------

/** GITHUB_SERVER_URL & co. are checked only where no option overrides them. */
function verifyEnvUrls(c: PluginConfig, env: Env): SemanticReleaseError[] {
  const errors: SemanticReleaseError[] = [];
  if (isUnset(c.githubUrl)) {
    const source = (["GITHUB_SERVER_URL", "GH_URL", "GITHUB_URL"] as const).find((name) => !isUnset(env[name]));
    const problem = source && urlProblem(env[source]);
    if (source && problem) errors.push(getError("EINVALIDGITHUBURL", { value: env[source], source, problem }));
  }
  if (isUnset(c.githubApiUrl) && !isUnset(env.GITHUB_API_URL)) {
    const problem = urlProblem(env.GITHUB_API_URL);
    if (problem) errors.push(getError("EINVALIDGITHUBAPIURL", { value: env.GITHUB_API_URL, source: "GITHUB_API_URL", problem }));
  }
  return errors;
}

/**
 * Which auth method applies, and whether its credentials are there. The App's own variables are
 * checked only when the App method applies.
 */
function verifyCredentials(c: PluginConfig, env: Env): SemanticReleaseError[] {
  const method = c.authMethod ?? "auto";
  if (!["auto", "app", "pat", "github-token"].includes(method)) return []; // EINVALIDAUTHMETHOD already says it
  const hasId = appIdFrom(env) !== undefined;
  const hasKey = !isUnset(env.GITHUB_APP_PRIVATE_KEY);
  const appEnv = {
    GITHUB_APP_CLIENT_ID: describeSecret(env.GITHUB_APP_CLIENT_ID),
    GITHUB_APP_ID: describeSecret(env.GITHUB_APP_ID),
    GITHUB_APP_PRIVATE_KEY: describeSecret(env.GITHUB_APP_PRIVATE_KEY),
  };
  const tokenEnv = { GH_TOKEN: describeSecret(env.GH_TOKEN), GITHUB_TOKEN: describeSecret(env.GITHUB_TOKEN) };

  if (method === "app" || (method === "auto" && (hasId || hasKey))) {
    const errors: SemanticReleaseError[] = [];
    // A half-configured App under "auto" is a mistake, not a reason to fall back to another token.
    if (!hasId || !hasKey) errors.push(getError("ENOAPPCREDENTIALS", { authMethod: method, env: appEnv }));
    errors.push(...verifyAppEnv(c, env));
    return errors;
  }
  if (method === "pat") return isUnset(env.GH_TOKEN) ? [getError("ENOTOKEN", { authMethod: "pat", env: tokenEnv })] : [];
  if (method === "github-token") {
    return isUnset(env.GITHUB_TOKEN) ? [getError("ENOTOKEN", { authMethod: "github-token", env: tokenEnv })] : [];
  }
  // auto without any App variable: GH_TOKEN, else GITHUB_TOKEN
  return isUnset(env.GH_TOKEN) && isUnset(env.GITHUB_TOKEN) ? [getError("ENOTOKEN", { authMethod: "auto", env: tokenEnv })] : [];
}

/** The App ID's form, the installation ID, and the private key (parsed here so all problems show at once). */
function verifyAppEnv(c: PluginConfig, env: Env): SemanticReleaseError[] {
  const errors: SemanticReleaseError[] = [];
  const variable = !isUnset(env.GITHUB_APP_CLIENT_ID) ? "GITHUB_APP_CLIENT_ID" : !isUnset(env.GITHUB_APP_ID) ? "GITHUB_APP_ID" : undefined;
  if (variable !== undefined) {
    const value = env[variable]!.trim();
    if (!isAppId(value)) errors.push(getError("EINVALIDAPPID", { value, variable }));
  }
  if (isUnset(c.installationId) && !isUnset(env.GITHUB_APP_INSTALLATION_ID) && !isInstallationId(env.GITHUB_APP_INSTALLATION_ID)) {
    errors.push(getError("EINVALIDINSTALLATIONID", { value: env.GITHUB_APP_INSTALLATION_ID, source: "GITHUB_APP_INSTALLATION_ID" }));
  }
  if (!isUnset(env.GITHUB_APP_PRIVATE_KEY)) {
    try {
      normalizePrivateKey(env.GITHUB_APP_PRIVATE_KEY);
    } catch (error) {
      errors.push(error as SemanticReleaseError);
    }
  }
  return errors;
}

/**
 * Client IDs look like `Iv1.` + 16 hex digits or `Iv23` + letters and digits; App IDs are numbers.
 * Accept any such-looking value without whitespace: GitHub may change the client ID format.
 */
function isAppId(value: string): boolean {
  return /^[0-9]+$/.test(value) || /^Iv\S+$/.test(value);
}

// --- option checks ------------------------------------------------------------------------------

function assetsProblem(value: unknown): string | undefined {
  if (value === false) return undefined;
  if (typeof value === "string") return globProblem(value);
  if (!Array.isArray(value)) {
    return value === true ? "`true` is not allowed (use `false` for no commit, or a list of globs)" : `it is ${kind(value)}, not a list of globs`;
  }
  for (const [index, item] of value.entries()) {
    if (typeof item !== "string") return `entry ${index} is ${kind(item)}, not a glob string`;
    const problem = globProblem(item, index);
    if (problem) return problem;
  }
  return undefined;
}

function globProblem(glob: string, index?: number): string | undefined {
  const entry = index === undefined ? "" : ` (entry ${index})`;
  if (glob.trim() === "") return `${index === undefined ? "it" : `entry ${index}`} is an empty string`;
  const path = glob.replace(/^!/, "");
  if (posix.isAbsolute(path) || win32.isAbsolute(path) || isAbsolute(path)) {
    return `\`${glob}\`${entry} is an absolute path; assets are committed from the repository, so they must be relative to its root`;
  }
  // Walk the segments (either slash, as git on Windows takes both): one `..` too many leaves the repository.
  let depth = 0;
  for (const segment of path.split(/[\\/]+/)) {
    if (segment === "..") depth -= 1;
    else if (segment !== "." && segment !== "") depth += 1;
    if (depth < 0) return `\`${glob}\`${entry} points outside the repository`;
  }
  return undefined;
}

function messageProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `it is ${kind(value)}, not a string`;
  if (value.trim() === "") return "it is empty; git refuses a commit without a message";
  try {
    template(value);
  } catch (error) {
    return `the template does not compile (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`;
  }
  return undefined;
}

function permissionsProblems(value: unknown): string[] {
  if (!isPlainObject(value)) return [`it is ${kind(value)}, not an object of permission names and levels`];
  const problems: string[] = [];
  for (const [name, level] of Object.entries(value)) {
    const allowed = APP_PERMISSIONS[name];
    if (!Object.hasOwn(APP_PERMISSIONS, name) || allowed === undefined) {
      const hint = suggestPermission(name);
      problems.push(`\`${name}\` is not a GitHub App permission${hint ? ` (did you mean \`${hint}\`?)` : ""}`);
    } else if (typeof level !== "string" || !(allowed as readonly string[]).includes(level)) {
      problems.push(`\`${name}\` is ${JSON.stringify(level) ?? String(level)}; it takes ${allowed.map((l) => `\`"${l}"\``).join(" or ")}`);
    }
  }
  return problems;
}

/** `pull-requests`, `PullRequests`, `pullRequests` → `pull_requests`. */
function suggestPermission(name: string): string | undefined {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-\s]+/g, "_")
    .toLowerCase();
  if (Object.hasOwn(APP_PERMISSIONS, snake)) return snake;
  if (Object.hasOwn(APP_PERMISSIONS, `${snake}s`)) return `${snake}s`;
  return undefined;
}

const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
const REPOSITORY_DISPATCH_KEYS = ["repository", "eventType", "clientPayload"];
const WORKFLOW_DISPATCH_KEYS = ["workflow", "ref", "inputs", "repository"];

function dispatchProblems(value: unknown): string[] {
  if (!Array.isArray(value)) return [`it is ${kind(value)}, not an array of events`];
  return value.flatMap((entry, index) => dispatchEntryProblems(entry).map((problem) => `entry ${index}: ${problem}`));
}

function dispatchEntryProblems(entry: unknown): string[] {
  if (!isPlainObject(entry)) return [`it is ${kind(entry)}, not an object`];
  const problems: string[] = [];
  const isWorkflow = "workflow" in entry;
  if (isWorkflow && "eventType" in entry) return ["it has both `workflow` and `eventType`; give one event per entry"];
  if (!isWorkflow && !("eventType" in entry)) return ["it has neither `eventType` (repository_dispatch) nor `workflow` (workflow_dispatch)"];
  const known = isWorkflow ? WORKFLOW_DISPATCH_KEYS : REPOSITORY_DISPATCH_KEYS;
  for (const key of Object.keys(entry)) if (!known.includes(key)) problems.push(`unknown key \`${key}\``);

  const repository = entry.repository;
  if (isWorkflow ? repository !== undefined && !isRepository(repository) : !isRepository(repository)) {
    problems.push(`\`repository\` must be "owner/repo", found ${JSON.stringify(repository) ?? String(repository)}`);
  }
  if (isWorkflow) {
    const workflow = entry.workflow;
    const isId = (typeof workflow === "number" && Number.isSafeInteger(workflow) && workflow > 0) || (typeof workflow === "string" && /^[1-9][0-9]*$/.test(workflow));
    const isFile = typeof workflow === "string" && /^[^/\\\s]+\.ya?ml$/.test(workflow);
    if (!isId && !isFile) problems.push(`\`workflow\` must be a workflow file name such as "deploy.yml" or a numeric workflow ID, found ${JSON.stringify(workflow) ?? String(workflow)}`);
    if (typeof entry.ref !== "string" || entry.ref.trim() === "") problems.push("`ref` must be a non-empty branch or tag name");
    if (entry.inputs !== undefined) {
      if (!isPlainObject(entry.inputs)) problems.push("`inputs` must be an object");
      else {
        for (const [name, input] of Object.entries(entry.inputs)) {
          if (typeof input !== "string") problems.push(`input \`${name}\` must be a string, found ${kind(input)}`);
        }
      }
    }
  } else {
    if (typeof entry.eventType !== "string" || entry.eventType.trim() === "") problems.push("`eventType` must be a non-empty string");
    if (entry.clientPayload !== undefined && !isPlainObject(entry.clientPayload)) problems.push("`clientPayload` must be an object");
  }
  return problems;
}

function isRepository(value: unknown): boolean {
  return typeof value === "string" && REPOSITORY.test(value) && !value.split("/").some((part) => /^\.+$/.test(part));
}

function urlProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return `it is ${kind(value)}, not a string`;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return "it is not an absolute URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return `the scheme is \`${url.protocol.slice(0, -1)}\`, not http or https`;
  if (url.username !== "" || url.password !== "") return "it contains credentials; tokens come from the environment, never from a URL";
  if (url.search !== "" || url.hash !== "") return "it has a query or fragment";
  return undefined;
}

function isInstallationId(value: unknown): boolean {
  if (typeof value === "number") return Number.isSafeInteger(value) && value > 0;
  return typeof value === "string" && /^\s*[1-9][0-9]*\s*$/.test(value) && Number.isSafeInteger(Number(value.trim()));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.trim() === "" ? "an empty string" : "a string";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
