// Error definitions for the plugin's options and environment (lib/config/, lib/token/private-key.ts);
// the catalog (./catalog.ts) merges them with the other families. Each entry: (context) → { message,
// details }, details = what was expected, what was found, the fix, then a README link. The user's
// value is shown through `show` (util.inspect, depth 2, URL credentials scrubbed); a secret is only
// ever described by its state (`VarState`) or its shape, never shown.
import { inspect } from "node:util";
import type { ErrorDefinition } from "./catalog.js";
import { linkify } from "../definitions/constants.js";
import { scrubDeep, scrubValue } from "./scrub-urls.js";

/** What may be said about a secret env variable. The template literal type keeps values out. */
export type VarState = "not set" | "empty" | `set (${number} characters)`;

/** The state of a secret env variable, for error details. */
export function describeSecret(value: string | undefined): VarState {
  if (value === undefined) return "not set";
  if (value.trim() === "") return "empty";
  return `set (${value.length} characters)`;
}

/** The user's value in a markdown code span: util.inspect, depth 2, on one line, URL credentials as `***`. Never pass a secret. */
export function show(value: unknown): string {
  const text = inspect(scrubDeep(value, "***@", 3), { depth: 2, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 });
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** Safe description of a value given as an App ID: never the whole value (it may be a swapped secret). */
function describeAppIdValue(value: string): string {
  if (/-----BEGIN/.test(value)) {
    return `a value of ${value.length} characters that looks like a private key (did you swap the ID and the key?)`;
  }
  if (/^gh[psuor]_/.test(value)) return `a value of ${value.length} characters that looks like a GitHub token`;
  if (value.length <= 40) return show(value);
  return `a value of ${value.length} characters starting with ${show(value.slice(0, 4))}`;
}

/** A PEM armor line, e.g. the first line of the App's key file (built here, so no source file holds one) */
function armor(label: string): string {
  return `${"-".repeat(5)}BEGIN ${label}${"-".repeat(5)}`;
}

function details(parts: { expected: string; found: string; fix: string; link: [label: string, anchor: string] }): string {
  const [label, anchor] = parts.link;
  return [
    `**Expected:** ${parts.expected}`,
    `**Found:** ${parts.found}`,
    `**Fix:** ${parts.fix}`,
    `See [${label}](${linkify(anchor)}).`,
  ].join("\n\n");
}

/** git's ref-name rules (`git help check-ref-format`), for EINVALIDTAGNAME / EINVALIDBRANCHNAME */
const REF_RULES =
  "a name git accepts: no spaces, control characters, `~ ^ : ? * [ \\`, `..` or `@{`; no part beginning with `.` or ending with `.lock`; not beginning or ending with `/`, not ending with `.`, not beginning with `-`";

const list = (items: string[]): string => items.map((item) => `\n- ${item}`).join("");

const oneOf = (option: string, values: string[], meaning: string) => ({ value }: { value: unknown }) => ({
  message: `Invalid \`${option}\` option: ${show(value)}.`,
  details: details({
    expected: `one of ${values.map((v) => `\`"${v}"\``).join(", ")} (${meaning}).`,
    found: `${show(value)}.`,
    fix: `Set \`${option}\` to one of the values above, or remove it to use the default \`"${values[0]}"\`.`,
    link: [option, option.toLowerCase()],
  }),
});

const boolean = (option: string, meaning: string, byDefault: boolean) => ({ value }: { value: unknown }) => ({
  message: `Invalid \`${option}\` option: ${show(value)} is not a boolean.`,
  details: details({
    expected: `\`true\` or \`false\` (${meaning}).`,
    found: `${show(value)} (${typeof value}).`,
    fix: `Write \`${option}\` as a JSON boolean without quotes (\`"${option}": ${!byDefault}\`), or remove it to use the default \`${byDefault}\`.`,
    link: [option, option.toLowerCase()],
  }),
});

type UrlContext = { value: unknown; source: string; problem: string };
const url = (option: "githubUrl" | "githubApiUrl", example: string, derived: string) => ({ value, source, problem }: UrlContext) => ({
  message: `Invalid ${source === option ? `\`${option}\` option` : `${source} (used for \`${option}\`)`}: ${problem}.`,
  details: details({
    expected: `an absolute \`http\` or \`https\` URL without credentials, query or fragment, e.g. \`${example}\` (plain \`http\` only to a loopback host).`,
    found: `${show(value)} in ${source === option ? `the \`${option}\` option` : `the ${source} environment variable`}: ${problem}.`,
    fix: `Correct ${source === option ? `the option` : source}, or remove it: ${derived}`,
    link: [option, option.toLowerCase()],
  }),
});

const APP_SETUP = `[GitHub App setup](${linkify("github-app-setup")})`;

export type PrivateKeyProblem =
  | "empty"
  | "no-pem"
  | "truncated"
  | "garbled"
  | "encrypted"
  | "openssh"
  | "certificate"
  | "public-key"
  | "not-rsa"
  | "unsupported";

const PRIVATE_KEY_FOUND: Record<PrivateKeyProblem, (shape: string, keyType?: string) => string> = {
  empty: () => "GITHUB_APP_PRIVATE_KEY is empty.",
  "no-pem": (shape) => `${shape}, with no \`-----BEGIN … PRIVATE KEY-----\` line, and it is not a base64-encoded PEM either.`,
  truncated: (shape) => `${shape}: the \`-----END …-----\` line is missing, so the key was cut off (often by a multi-line value pasted into a single-line field).`,
  garbled: (shape) => `${shape}: the header and footer are there but the key data between them does not decode (characters were lost or changed).`,
  encrypted: (shape) => `${shape}: the key is encrypted with a passphrase. GitHub never encrypts the keys it generates for Apps.`,
  openssh: (shape) => `${shape}: an OpenSSH key (as made by ssh-keygen), not the App's key.`,
  certificate: (shape) => `${shape}: a certificate, not a private key.`,
  "public-key": (shape) => `${shape}: a public key. The App needs its private key.`,
  "not-rsa": (shape, keyType) => `${shape}: a ${keyType ? `\`${keyType}\`` : "non-RSA"} key. GitHub signs App JWTs with RS256 only, so the key must be RSA.`,
  unsupported: (shape) => `${shape}: a PEM block that is not a private key.`,
};

const PRIVATE_KEY_FIX: Record<PrivateKeyProblem, string> = {
  empty: `Put the whole contents of the App's \`.pem\` file into the GITHUB_APP_PRIVATE_KEY secret. In a workflow, check that the secret exists in this repository or organization and is passed with \`GITHUB_APP_PRIVATE_KEY: \${{ secrets.… }}\` (secrets are empty for workflows started from forks).`,
  "no-pem": "Put the whole contents of the App's `.pem` file into GITHUB_APP_PRIVATE_KEY, including the `-----BEGIN` and `-----END` lines.",
  truncated: "Copy the whole `.pem` file again, up to and including its `-----END` line. Multi-line secrets are fine; so is the PEM with its newlines written as `\\n`, or the file base64-encoded (`base64 -w0 key.pem`).",
  garbled: "Copy the `.pem` file again without editing it, or store it base64-encoded (`base64 -w0 key.pem`) so that no tool can change it on the way.",
  encrypted: "Use the `.pem` file exactly as downloaded from the App's settings page, or decrypt the key (`openssl pkey -in key.pem -out decrypted.pem`).",
  openssh: "Open the App's settings page (Settings → Developer settings → GitHub Apps → your App → Private keys), choose *Generate a private key*, and use the `.pem` file it downloads.",
  certificate: "Use the App's private key: the `.pem` file downloaded from the App's settings page (Private keys → Generate a private key).",
  "public-key": "Use the App's private key: the `.pem` file downloaded from the App's settings page (Private keys → Generate a private key). GitHub keeps only the public half.",
  "not-rsa": "Use the `.pem` file generated on the App's settings page (Private keys → Generate a private key); GitHub generates RSA keys.",
  unsupported: `Use the \`.pem\` file downloaded from the App's settings page; it begins with \`${armor("RSA PRIVATE KEY")}\`.`,
};

/** What is wrong with one `assets` entry (lib/config/verify-config.ts), and which fix fits it. */
export interface AssetProblem {
  problem: string;
  fix: keyof typeof ASSET_FIX;
}

const ASSET_FIX = {
  shape: 'Write each entry as a glob string (`"CHANGELOG.md"`), a group of glob strings (`["dist/**", "!**/*.map"]`) or `{ "path": … }` holding one of those; use `false` for no release commit.',
  empty: "Remove the empty globs.",
  "empty-group": "Remove the empty group `[]`, or put globs in it.",
  "negations-only": 'Start the group with the files to commit, then the `!` globs that take some of them out: `["dist/**", "!**/*.map"]`.',
  absolute: "Write the path relative to the working directory (semantic-release's `cwd`, usually the repository root): `dist/app.js`, not `/home/runner/work/app/app/dist/app.js`.",
  outside: "Remove the `..` segments: only files inside the working directory can be committed.",
} as const;

export const CONFIG_ERRORS = {
  EINVALIDAUTHMETHOD: oneOf("authMethod", ["auto", "app", "pat", "github-token"], "how the plugin authenticates"),

  EINVALIDASSETS: ({ value, problems }: { value: unknown; problems: AssetProblem[] }) => ({
    message: `Invalid \`assets\` option: ${problems.length === 1 ? problems[0]!.problem : `${problems.length} problems`}.`,
    details: details({
      expected:
        "`false` (no release commit, tag only), or what @semantic-release/git takes: a glob; a group of globs matched together (an array), in which a `!` glob removes what the globs before it matched; an object `{ \"path\": glob or group }`; or a list of these. Globs are relative to the working directory. Example: `[\"CHANGELOG.md\", \"package.json\", [\"dist/**\", \"!**/*.map\"]]` commits the changelog, package.json, and `dist/` without its source maps.",
      found: problems.length === 1 ? `${show(value)}: ${problems[0]!.problem}.` : `${show(value)}:${list(problems.map((p) => p.problem))}`,
      fix: [...new Set(problems.map((p) => ASSET_FIX[p.fix]))].join(" "),
      link: ["assets", "assets"],
    }),
  }),

  EINVALIDMESSAGE: ({ value, problem }: { value: unknown; problem: string }) => ({
    message: `Invalid \`message\` option: ${problem}.`,
    details: details({
      expected: "a non-empty [lodash template](https://lodash.com/docs#template) string, e.g. `chore(release): ${nextRelease.version} [skip ci]\\n\\n${nextRelease.notes}`.",
      found: `${show(value)}: ${problem}.`,
      fix: "Fix the template (each `${…}` and `<% … %>` must hold a complete JavaScript expression or statement), or remove the option to use the default message.",
      link: ["message", "message"],
    }),
  }),

  EINVALIDCOMMITMODE: oneOf("commitMode", ["auto", "git", "api"], "how the release commit is created"),

  EINVALIDPERMISSIONS: ({ value, problems }: { value: unknown; problems: string[] }) => ({
    message: `Invalid \`permissions\` option: ${problems.length === 1 ? problems[0] : `${problems.length} problems`}.`,
    details: details({
      expected: 'an object that maps GitHub App permission names to `"read"`, `"write"` or `"admin"`, e.g. `{ "contents": "write", "issues": "write" }`. The names are those of [the token endpoint](https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app).',
      found: `${show(value)}:${list(problems)}`,
      fix: "Correct or remove the entries listed above, or remove the option to ask for what the enabled features need.",
      link: ["permissions", "permissions"],
    }),
  }),

  EINVALIDPREFLIGHT: oneOf("preflight", ["error", "warn", "off"], "what a failed ruleset check does"),

  EINVALIDDISPATCH: ({ value, problems }: { value: unknown; problems: string[] }) => ({
    message: `Invalid \`dispatch\` option: ${problems.length === 1 ? problems[0] : `${problems.length} problems`}.`,
    details: details({
      expected:
        'an array of events, each either `{ "repository": "owner/repo", "eventType": "released", "clientPayload"?: {…} }` (repository_dispatch) or `{ "workflow": "deploy.yml" or its numeric ID, "ref": "main", "inputs"?: { "name": "string" }, "repository"?: "owner/repo" }` (workflow_dispatch).',
      found: `${show(value)}:${list(problems)}`,
      fix: "Correct the entries listed above (option names are case-sensitive camelCase), or remove the option.",
      link: ["dispatch", "dispatch"],
    }),
  }),

  EINVALIDEXPORTTOKEN: boolean("exportToken", "whether later plugins get the App token in GH_TOKEN/GITHUB_TOKEN", false),

  EINVALIDFLOATINGTAGS: boolean("floatingTags", "whether the floating tags v<major> and v<major>.<minor> move with each release", false),

  EINVALIDREVOKETOKEN: ({ value }: { value: unknown }) => ({
    message: `The \`revokeToken\` option was removed (found ${show(value)}): the token is revoked at the end of every release.`,
    details: details({
      expected: "no `revokeToken` option: every token this plugin mints is revoked when the release ends, whatever the outcome.",
      found: `\`revokeToken\` set to ${show(value)}. A token kept past the release had no consumer (the plugin wrote it nowhere), and a credential that may bypass rulesets should not outlive the release it was minted for.`,
      fix: "Remove `revokeToken` from the plugin's options. To let the plugins listed after this one use the token during the release (e.g. @semantic-release/github publishing as the App), set `exportToken: true`.",
      link: ["revokeToken", "revoketoken"],
    }),
  }),

  EINSECUREURL: ({ value, source, option }: { value: string; source: string; option: "githubUrl" | "githubApiUrl" }) => {
    const where = source === option ? `\`${option}\` option` : `${source} (used for \`${option}\`)`;
    const https = scrubValue(value.trim(), "***@").replace(/^http:/i, "https:");
    return {
      message: `Insecure ${where}: ${show(value)} is plain http; the token would cross the network in clear.`,
      details: details({
        expected: "an `https` URL for the GitHub server and its API. Plain `http` is accepted only for a loopback host (127.0.0.0/8, `::1`, `localhost`), where nothing leaves the machine.",
        found: `${show(value)} in ${source === option ? `the ${where}` : `the ${source} environment variable`}. Every request carries the token in its \`Authorization\` header, which anyone on the path could read over http.`,
        fix: `Use the https address (\`${https}\`) in ${source === option ? `the \`${option}\` option` : source}.`,
        link: ["EINSECUREURL", "einsecureurl"],
      }),
    };
  },

  EINVALIDGITHUBURL: url("githubUrl", "https://github.example.com", "the default is GITHUB_SERVER_URL, then GH_URL/GITHUB_URL, then `https://github.com`."),

  EINVALIDGITHUBAPIURL: url(
    "githubApiUrl",
    "https://github.example.com/api/v3",
    "the default is GITHUB_API_URL, else derived from `githubUrl` (`https://api.github.com` for github.com, `<githubUrl>/api/v3` for GitHub Enterprise Server).",
  ),

  EINVALIDINSTALLATIONID: ({ value, source }: { value: unknown; source: "installationId" | "GITHUB_APP_INSTALLATION_ID" }) => ({
    message: `Invalid ${source === "installationId" ? "`installationId` option" : "GITHUB_APP_INSTALLATION_ID"}: ${show(value)} is not a positive integer.`,
    details: details({
      expected: "the numeric ID of the App's installation on the repository owner (a positive integer, as a number or a string of digits), e.g. `12345678`.",
      found: `${show(value)} in ${source === "installationId" ? "the `installationId` option" : "the GITHUB_APP_INSTALLATION_ID environment variable"}.`,
      fix: "Copy the number at the end of the installation's settings URL (`…/settings/installations/<id>`), or remove the setting: the plugin then looks the installation up with `GET /repos/{owner}/{repo}/installation`.",
      link: ["installationId", "installationid"],
    }),
  }),

  EINVALIDAPPID: ({ value, variable }: { value: string; variable: "GITHUB_APP_CLIENT_ID" | "GITHUB_APP_ID" }) => ({
    message: `Invalid ${variable}: it is neither a GitHub App client ID nor a numeric App ID.`,
    details: details({
      expected: "the App's client ID (`Iv1.` followed by 16 hex digits, or `Iv23` followed by letters and digits) or its numeric App ID, both shown at the top of the App's settings page.",
      found: `${variable} is ${describeAppIdValue(value)}.`,
      fix: `Set ${variable} to the client ID (preferred) or the App ID from the App's settings page. Keep the private key in GITHUB_APP_PRIVATE_KEY.`,
      link: ["EINVALIDAPPID", "einvalidappid"],
    }),
  }),

  EINVALIDREPOSITORYURL: ({ repositoryUrl }: { repositoryUrl: string }) => ({
    message: `The repository URL ${show(repositoryUrl)} names no GitHub owner and repository.`,
    details: details({
      expected: "a URL of the form `https://<host>/<owner>/<repo>.git`, `git@<host>:<owner>/<repo>.git` or `ssh://git@<host>/<owner>/<repo>.git`, in `repositoryUrl` (semantic-release's option), the `repository` field of package.json, or the `origin` remote.",
      found: `${show(repositoryUrl || "nothing")}.`,
      fix: "Set `repositoryUrl` in the release configuration (or `repository` in package.json) to the repository on GitHub that is being released.",
      link: ["EINVALIDREPOSITORYURL", "einvalidrepositoryurl"],
    }),
  }),

  EINVALIDTAGNAME: ({ name, problem, tagFormat }: { name: string; problem: string; tagFormat: string | undefined }) => ({
    message: `Invalid tag name ${name}: ${problem}; git cannot create or push this tag.`,
    details: details({
      expected: `${REF_RULES} as \`refs/tags/<name>\`.`,
      found: `the release tag ${name}: ${problem}. Nothing was pushed.`,
      fix: `Change \`tagFormat\`${tagFormat ? ` (now ${show(tagFormat)})` : ""} so that it renders a valid tag for every version, e.g. \`v\${version}\`; check a result with \`git check-ref-format "refs/tags/<tag>"\`.`,
      link: ["EINVALIDTAGNAME", "einvalidtagname"],
    }),
  }),

  EINVALIDBRANCHNAME: ({ name, problem }: { name: string; problem: string }) => ({
    message: `Invalid branch name ${name}: ${problem}; git cannot push to this branch.`,
    details: details({
      expected: `${REF_RULES} as \`refs/heads/<name>\`.`,
      found: `the release branch ${name}: ${problem}. Nothing was pushed.`,
      fix: "Release from a branch whose name git accepts (`git check-ref-format --branch <name>`), and list it in `branches`.",
      link: ["EINVALIDBRANCHNAME", "einvalidbranchname"],
    }),
  }),

  ENOAPPCREDENTIALS: ({
    authMethod,
    env,
  }: {
    authMethod: "app" | "auto";
    env: { GITHUB_APP_CLIENT_ID: VarState; GITHUB_APP_ID: VarState; GITHUB_APP_PRIVATE_KEY: VarState };
  }) => {
    const hasId = env.GITHUB_APP_CLIENT_ID.startsWith("set") || env.GITHUB_APP_ID.startsWith("set");
    const hasKey = env.GITHUB_APP_PRIVATE_KEY.startsWith("set");
    const missing = [!hasId && "the App ID (GITHUB_APP_CLIENT_ID or GITHUB_APP_ID)", !hasKey && "the private key (GITHUB_APP_PRIVATE_KEY)"].filter(
      (item): item is string => typeof item === "string",
    );
    const why =
      authMethod === "app"
        ? '`authMethod` is `"app"`'
        : 'only half of the App credentials are set (with `authMethod: "auto"` this is treated as a mistake rather than falling back to another token)';
    return {
      message: `Missing ${missing.join(" and ")}: ${why}.`,
      details: details({
        expected: "both the App's client ID or numeric App ID in GITHUB_APP_CLIENT_ID or GITHUB_APP_ID, and its private key (the `.pem` file) in GITHUB_APP_PRIVATE_KEY.",
        found: `GITHUB_APP_CLIENT_ID ${env.GITHUB_APP_CLIENT_ID}, GITHUB_APP_ID ${env.GITHUB_APP_ID}, GITHUB_APP_PRIVATE_KEY ${env.GITHUB_APP_PRIVATE_KEY}.`,
        fix: `Store the client ID in a variable and the key in a secret and pass both to the release step, e.g. \`GITHUB_APP_CLIENT_ID: \${{ vars.RELEASE_APP_CLIENT_ID }}\` and \`GITHUB_APP_PRIVATE_KEY: \${{ secrets.RELEASE_APP_PRIVATE_KEY }}\` (secrets are empty in workflows started from forks). ${
          authMethod === "auto" ? "To release without the App, unset both variables. " : ""
        }How to create and install the App: ${APP_SETUP}.`,
        link: ["ENOAPPCREDENTIALS", "enoappcredentials"],
      }),
    };
  },

  ENOTOKEN: ({
    authMethod,
    env,
  }: {
    authMethod: "pat" | "github-token" | "auto";
    env: { GH_TOKEN: VarState; GITHUB_TOKEN: VarState };
  }) => {
    const found = `GH_TOKEN ${env.GH_TOKEN}, GITHUB_TOKEN ${env.GITHUB_TOKEN}.`;
    if (authMethod === "pat") {
      return {
        message: 'No personal access token in GH_TOKEN: `authMethod` is `"pat"`.',
        details: details({
          expected: "a personal access token of a user who may push to the release branch, in GH_TOKEN.",
          found,
          fix: `Pass the token to the release step (\`GH_TOKEN: \${{ secrets.RELEASE_PAT }}\`), or switch to a GitHub App (\`authMethod: "app"\`, ${APP_SETUP}), whose pushes can bypass rulesets without a personal token.`,
          link: ["ENOTOKEN", "enotoken"],
        }),
      };
    }
    if (authMethod === "github-token") {
      return {
        message: 'No token in GITHUB_TOKEN: `authMethod` is `"github-token"`.',
        details: details({
          expected: "the workflow token in GITHUB_TOKEN.",
          found,
          fix: `Add \`GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}\` to the release step's \`env\`, with \`permissions: contents: write\` on the job. Note that this token cannot bypass rulesets on user-owned repositories; a GitHub App can (${APP_SETUP}).`,
          link: ["ENOTOKEN", "enotoken"],
        }),
      };
    }
    return {
      message: "No credentials: set the GitHub App variables, GH_TOKEN or GITHUB_TOKEN.",
      details: details({
        expected:
          "one of: GitHub App credentials (GITHUB_APP_CLIENT_ID or GITHUB_APP_ID, plus GITHUB_APP_PRIVATE_KEY; recommended), a personal access token in GH_TOKEN, or the workflow token in GITHUB_TOKEN.",
        found: `none of them: GITHUB_APP_CLIENT_ID, GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY not set or empty, ${found}`,
        fix: `Pass the App's client ID and private key to the release step (${APP_SETUP}). If you do and still see this, the secrets are empty in this run (e.g. a workflow started from a fork).`,
        link: ["ENOTOKEN", "enotoken"],
      }),
    };
  },

  EINVALIDPRIVATEKEY: ({ problem, shape, keyType }: { problem: PrivateKeyProblem; shape: string; keyType?: string }) => ({
    message: `Invalid GITHUB_APP_PRIVATE_KEY: ${
      {
        empty: "it is empty",
        "no-pem": "it is not a PEM private key",
        truncated: "the PEM is cut off",
        garbled: "the key data does not decode",
        encrypted: "the key is encrypted",
        openssh: "it is an OpenSSH key, not the App's PEM key",
        certificate: "it is a certificate, not a private key",
        "public-key": "it is a public key, not a private key",
        "not-rsa": "it is not an RSA key",
        unsupported: "it is not a private key",
      }[problem]
    }.`,
    details: details({
      expected:
        `the App's private key as GitHub generates it: an unencrypted RSA key in PEM form (\`${armor("RSA PRIVATE KEY")}\` or \`${armor("PRIVATE KEY")}\`). Newlines written as \`\\n\`, Windows line ends, surrounding quotes and a base64-encoded PEM are accepted.`,
      found: PRIVATE_KEY_FOUND[problem](shape, keyType),
      fix: PRIVATE_KEY_FIX[problem],
      link: ["EINVALIDPRIVATEKEY", "einvalidprivatekey"],
    }),
  }),
} satisfies Record<string, (ctx: never) => ErrorDefinition>;

/** Warnings about the configuration: (context) → the text the caller logs with context.logger.warn. */
export const CONFIG_WARNINGS = {
  WAPIHOSTNOTSERVER: ({ githubUrl, githubApiUrl, apiSource, serverSource }: { githubUrl: string; githubApiUrl: string; apiSource: string | undefined; serverSource: string | undefined }) =>
    `The GitHub API URL ${githubApiUrl}${apiSource ? ` (from ${apiSource})` : ""} does not belong to the server ${githubUrl}${
      serverSource ? ` (from ${serverSource})` : " (the default)"
    }: the token is sent there. Expected api.<host> (github.com, GHE.com) or <server>/api/v3 (GitHub Enterprise Server); check both settings. See ${linkify("githubapiurl")}.`,
} satisfies Record<string, (ctx: never) => string>;
