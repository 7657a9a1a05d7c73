// Every problem with the resolved settings, as a list (never throws), so that loadConfig can add the
// repository and branch problems and throw them all at once (lib/config/index.ts). One validator per
// option, keyed by name, run on the value as given (resolve-config.ts says which value applies and
// where it came from); the code is EINVALID<OPTION>. Unknown option names are ignored:
// semantic-release passes its global options (branches, repositoryUrl, …) to every plugin.
import { posix } from "node:path";
import template from "lodash-es/template.js"; // the one function, not the 600-module barrel (docs/performance.md)
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import { APP_PERMISSIONS } from "../token/app-permissions.js";
import { describeSecret, type AssetProblem } from "../errors/config.js";
import { normalizePrivateKey } from "../token/private-key.js";
import { installationIdOf, type Given, type GivenSettings, type OptionName, type Settings } from "./resolve-config.js";
import { isInsecure, urlProblem } from "./github-urls.js";
import type { Env } from "../types.js";

type Validator = (given: Given) => SemanticReleaseError | undefined;

// The three codes share one context shape ({ value }); the cast only picks one of them for tsc.
const oneOf =
  (code: "EINVALIDAUTHMETHOD" | "EINVALIDCOMMITMODE" | "EINVALIDPREFLIGHT", values: readonly string[]): Validator =>
  ({ value }) =>
    typeof value === "string" && values.includes(value) ? undefined : getError(code as "EINVALIDAUTHMETHOD", { value });

/** A server or API URL: its form first (EINVALID…URL), then plain http to a host that is not loopback (EINSECUREURL). */
const url =
  (code: "EINVALIDGITHUBURL" | "EINVALIDGITHUBAPIURL", option: "githubUrl" | "githubApiUrl"): Validator =>
  ({ value, source }) => {
    const problem = urlProblem(value);
    if (problem !== undefined) return getError(code, { value, source, problem });
    return isInsecure(value as string) ? getError("EINSECUREURL", { value: value as string, source, option }) : undefined;
  };

const VALIDATORS: Record<OptionName, Validator> = {
  authMethod: oneOf("EINVALIDAUTHMETHOD", ["auto", "app", "pat", "github-token"]),
  assets: ({ value }) => {
    const problems = assetsProblems(value);
    return problems.length === 0 ? undefined : getError("EINVALIDASSETS", { value, problems });
  },
  message: ({ value }) => {
    const problem = messageProblem(value);
    return problem === undefined ? undefined : getError("EINVALIDMESSAGE", { value, problem });
  },
  commitMode: oneOf("EINVALIDCOMMITMODE", ["auto", "git", "api"]),
  permissions: ({ value }) => {
    const problems = permissionsProblems(value);
    return problems.length === 0 ? undefined : getError("EINVALIDPERMISSIONS", { value, problems });
  },
  preflight: oneOf("EINVALIDPREFLIGHT", ["error", "warn", "off"]),
  dispatch: ({ value }) => {
    const problems = dispatchProblems(value);
    return problems.length === 0 ? undefined : getError("EINVALIDDISPATCH", { value, problems });
  },
  exportToken: ({ value }) => (typeof value === "boolean" ? undefined : getError("EINVALIDEXPORTTOKEN", { value })),
  floatingTags: ({ value }) => (typeof value === "boolean" ? undefined : getError("EINVALIDFLOATINGTAGS", { value })),
  pushMode: ({ value }) => (value === "direct" || value === "pull-request" || value === "auto" ? undefined : getError("EINVALIDPUSHMODE", { value })),
  pullRequestTimeout: ({ value }) =>
    typeof value === "number" && Number.isInteger(value) && value >= 1000 && value <= 86_400_000 ? undefined : getError("EINVALIDPULLREQUESTTIMEOUT", { value }),
  // removed: whatever the value, the token is revoked at the end of every release
  revokeToken: ({ value }) => getError("EINVALIDREVOKETOKEN", { value }),
  githubUrl: url("EINVALIDGITHUBURL", "githubUrl"),
  githubApiUrl: url("EINVALIDGITHUBAPIURL", "githubApiUrl"),
  installationId: ({ value, source }) =>
    installationIdOf(value) === undefined ? getError("EINVALIDINSTALLATIONID", { value, source: source as "installationId" | "GITHUB_APP_INSTALLATION_ID" }) : undefined,
};

/**
 * Options as given, and the server and API URLs wherever they came from. The App's settings from the
 * environment (its ID, key and GITHUB_APP_INSTALLATION_ID) are checked with its credentials, only when
 * the App is the method.
 */
export function verifyConfig({ config, given, env }: { config: Settings; given: GivenSettings; env: Env }): SemanticReleaseError[] {
  const errors: SemanticReleaseError[] = [];
  for (const name of Object.keys(VALIDATORS) as OptionName[]) {
    const entry = given[name];
    if (entry === undefined || (entry.source !== name && name === "installationId")) continue;
    const error = VALIDATORS[name](entry);
    if (error) errors.push(error);
  }
  if (!VALIDATORS.authMethod({ value: given.authMethod?.value ?? "auto", source: "authMethod" })) {
    errors.push(...verifyCredentials({ config, given, env })); // with an invalid authMethod, EINVALIDAUTHMETHOD says it alone
  }
  return errors;
}

// --- credentials -------------------------------------------------------------------------------

/** Whether the method that applies (resolve-config.ts chose it) has its credentials. */
function verifyCredentials({ config, given, env }: { config: Settings; given: GivenSettings; env: Env }): SemanticReleaseError[] {
  const option = given.authMethod?.value === "app" || given.authMethod?.value === "pat" || given.authMethod?.value === "github-token" ? given.authMethod.value : "auto";
  if (config.authMethod === "app") {
    const errors: SemanticReleaseError[] = [];
    if (given.appId === undefined || given.privateKey === undefined) {
      const appEnv = {
        GITHUB_APP_CLIENT_ID: describeSecret(env.GITHUB_APP_CLIENT_ID),
        GITHUB_APP_ID: describeSecret(env.GITHUB_APP_ID),
        GITHUB_APP_PRIVATE_KEY: describeSecret(env.GITHUB_APP_PRIVATE_KEY),
      };
      errors.push(getError("ENOAPPCREDENTIALS", { authMethod: option === "app" ? "app" : "auto", env: appEnv }));
    }
    return [...errors, ...verifyAppSettings(given)];
  }
  const present = config.authMethod === "pat" ? given.pat : given.githubToken;
  if (present !== undefined) return [];
  const tokenEnv = { GH_TOKEN: describeSecret(env.GH_TOKEN), GITHUB_TOKEN: describeSecret(env.GITHUB_TOKEN) };
  return [getError("ENOTOKEN", { authMethod: option === "auto" ? "auto" : config.authMethod, env: tokenEnv })];
}

/** The App ID's form, the installation ID from the environment, and the private key (parsed here so all problems show at once). */
function verifyAppSettings(given: GivenSettings): SemanticReleaseError[] {
  const errors: SemanticReleaseError[] = [];
  if (given.appId !== undefined && !isAppId(given.appId.value as string)) {
    errors.push(getError("EINVALIDAPPID", { value: given.appId.value as string, variable: given.appId.source as "GITHUB_APP_CLIENT_ID" | "GITHUB_APP_ID" }));
  }
  const installationId = given.installationId;
  if (installationId !== undefined && installationId.source !== "installationId") {
    const error = VALIDATORS.installationId(installationId);
    if (error) errors.push(error);
  }
  if (given.privateKey !== undefined) {
    try {
      normalizePrivateKey(given.privateKey.value as string);
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

// assets: the grammar of @semantic-release/git (https://github.com/semantic-release/git/blob/master/lib/verify.js):
// `false`, or one entry or a list of entries, each a glob, a group of globs, or `{ path }` holding
// either. Refused besides what it refuses (README.md "assets", where this plugin differs): an empty
// group (its prepare step throws on one), a group of `!` globs only (it would select every other
// changed or untracked file, ignored ones included), and a glob that can never match a candidate
// (an absolute path, or `..` above the working directory: `git ls-files` lists only files below it).

function assetsProblems(value: unknown): AssetProblem[] {
  if (value === false) return [];
  if (value === true) return [{ problem: "`true` is not allowed (`false` means no release commit; otherwise list the files to commit)", fix: "shape" }];
  if (Array.isArray(value)) return value.flatMap((entry, index) => assetEntryProblems(entry, `entry ${index}`));
  if (typeof value === "string" || isPlainObject(value)) return assetEntryProblems(value, "it");
  return [{ problem: `it is ${kind(value)}, not a glob, a group of globs or a list of them`, fix: "shape" }];
}

/** One entry: a glob, a group, or `{ path }` with either. `where` names it: "entry 2", or "it" for a lone entry. */
function assetEntryProblems(entry: unknown, where: string): AssetProblem[] {
  if (typeof entry === "string") return globProblems(entry, where);
  if (Array.isArray(entry)) return groupProblems(entry, where);
  if (isPlainObject(entry)) {
    if (!("path" in entry)) return [{ problem: `${where} is an object without \`path\``, fix: "shape" }];
    const path = `the \`path\` of ${where === "it" ? "the object" : where}`;
    if (typeof entry.path === "string") return globProblems(entry.path, path);
    if (Array.isArray(entry.path)) return groupProblems(entry.path, path);
    return [{ problem: `${path} is ${kind(entry.path)}, not a glob or a group of globs`, fix: "shape" }];
  }
  return [{ problem: `${where} is ${kind(entry)}, not a glob, a group of globs or \`{ path }\``, fix: "shape" }];
}

function groupProblems(group: unknown[], where: string): AssetProblem[] {
  if (group.length === 0) return [{ problem: `${where} is an empty group \`[]\` (@semantic-release/git fails on it)`, fix: "empty-group" }];
  const problems = group.flatMap((glob, index): AssetProblem[] =>
    typeof glob === "string" ? globProblems(glob, `${where}, glob ${index}`) : [{ problem: `${where}, glob ${index}, is ${kind(glob)}, not a glob string`, fix: "shape" }],
  );
  if (problems.length === 0 && group.length > 1 && group.every((glob) => (glob as string).startsWith("!"))) {
    problems.push({ problem: `${where} is a group of \`!\` globs only: it would commit every other changed or untracked file, ignored ones included`, fix: "negations-only" });
  }
  return problems;
}

function globProblems(glob: string, where: string): AssetProblem[] {
  if (glob.trim() === "") return [{ problem: `${where} is an empty string`, fix: "empty" }];
  const named = where === "it" ? `\`${glob}\`` : `\`${glob}\` (${where})`;
  const path = glob.replace(/^!/, "");
  // `/x`, `C:\x`, `C:/x`; not a leading backslash, which micromatch reads as an escape
  if (posix.isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) {
    return [{ problem: `${named} is an absolute path; files are matched by their path relative to the working directory, so it can never match`, fix: "absolute" }];
  }
  // Walk the segments (either slash, as git on Windows takes both): one `..` too many leaves the working directory.
  let depth = 0;
  for (const segment of path.split(/[\\/]+/)) {
    if (segment === "..") depth -= 1;
    else if (segment !== "." && segment !== "") depth += 1;
    if (depth < 0) return [{ problem: `${named} points outside the working directory, where no file is a candidate, so it can never match`, fix: "outside" }];
  }
  return [];
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.trim() === "" ? "an empty string" : "a string";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
