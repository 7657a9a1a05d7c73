// Bad input, through the plugin's real verifyConditions: every option with a wrong type or
// value, broken App credentials, App installations that do not cover the repository, repository URLs
// that name no GitHub repository, and branch/tag names git refuses. For each: exactly the expected
// code(s), a SemanticReleaseError (`semanticRelease: true`), a message and details that say what was
// expected, what was found and the fix, a link to the README entry, no stack frames, and no secret.
// The cases that reach the network run against ONE local GitHub stand-in started for this file.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { fail, verifyConditions, verifyRelease } from "../index.js";
import type { PluginConfig } from "../lib/types.js";
import { refNameProblem, verifyRefName } from "../lib/config/verify-ref-names.js";
import { getError } from "../lib/errors/get-error.js";
import { startStandIn, type StandIn, type App, type Repository } from "github-stand-in";

// ---- secrets made at run time; none of them may reach an error ----------------------------------

const rsa = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const PAIR = rsa();
const OTHER_KEY = rsa().privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const KEY_PKCS8 = PAIR.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const PUBLIC_KEY = PAIR.publicKey.export({ type: "spki", format: "pem" }).toString();
const RSA_PUBLIC_KEY = PAIR.publicKey.export({ type: "pkcs1", format: "pem" }).toString();
const ENCRYPTED_KEY = PAIR.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "hunter2" }).toString();
const ENCRYPTED_PKCS1 = PAIR.privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-128-cbc", passphrase: "hunter2" }).toString();
const EC_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const ED25519_KEY = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const b64lines = (bytes: number) => randomBytes(bytes).toString("base64").replace(/.{1,70}/g, "$&\n");
// PEM armor lines are written `KEY${"-----"}` so that no source file holds a private-key header (secret scanners).
const OPENSSH_KEY = `-----BEGIN OPENSSH PRIVATE KEY${"-----"}\n${b64lines(400)}-----END OPENSSH PRIVATE KEY-----\n`;
const CERTIFICATE = `-----BEGIN CERTIFICATE-----\n${b64lines(700)}-----END CERTIFICATE-----\n`;
const SSH_PUBLIC = `ssh-rsa ${randomBytes(270).toString("base64")} dev@laptop`;
const WORKFLOW_TOKEN = `ghs_${randomBytes(27).toString("base64url").replace(/[-_]/g, "x")}`;
const PAT = `ghp_${randomBytes(27).toString("base64url").replace(/[-_]/g, "y")}`;

const pemBody = (pem: string) => pem.split("\n").filter((l) => l !== "" && !l.startsWith("-----") && !l.includes(":")).join("");
const lines = KEY_PKCS8.trimEnd().split("\n");
const TRUNCATED_KEY = lines.slice(0, Math.floor(lines.length / 2)).join("\n"); // the END line is gone
const GARBLED_KEY = KEY_PKCS8.replace(/\n([A-Za-z0-9+/]{64})\n/, (_m, line: string) => `\n${line.slice(0, 20)}!!${line.slice(22)}\n`);
const KEY_DATA_CHANGED = (() => {
  // valid base64 and DER, but the modulus no longer matches the private numbers
  const body = pemBody(KEY_PKCS8);
  const at = 60; // inside the modulus (a change in d alone still signs: OpenSSL signs with the CRT numbers)
  const flipped = body.slice(0, at) + (body[at] === "A" ? "B" : "A") + body.slice(at + 1);
  return `-----BEGIN PRIVATE KEY${"-----"}\n${flipped.replace(/.{1,64}/g, "$&\n")}-----END PRIVATE KEY-----\n`;
})();

let standIn: StandIn;
let app: App;
let repo: Repository;
const stdout: string[] = [];

function secrets(): string[] {
  const minted = standIn ? standIn.tokens().map((t) => t.token) : [];
  return [WORKFLOW_TOKEN, PAT, "hunter2", ...minted, ...[KEY_PKCS8, OTHER_KEY, ENCRYPTED_KEY, ENCRYPTED_PKCS1, EC_KEY, ED25519_KEY, OPENSSH_KEY, CERTIFICATE].map(pemBody), SSH_PUBLIC.split(" ")[1]!];
}

/** No 12-character window of any secret in the text (hunter2 is shorter: checked whole). */
function assertNoSecret(text: string, where: string): void {
  for (const secret of secrets()) {
    if (secret.length < 12) assert.ok(!text.includes(secret), `a secret in ${where}`);
    for (let i = 0; i + 12 <= secret.length; i += 6) assert.ok(!text.includes(secret.slice(i, i + 12)), `a secret in ${where}`);
  }
}

interface ErrorShape {
  name: string;
  code?: string;
  message: string;
  details?: string;
  stack?: string;
  semanticRelease?: boolean;
}

const ANCHOR_FOR: Record<string, string> = {
  EINVALIDAUTHMETHOD: "authmethod",
  EINVALIDASSETS: "assets",
  EINVALIDMESSAGE: "message",
  EINVALIDCOMMITMODE: "commitmode",
  EINVALIDPERMISSIONS: "permissions",
  EINVALIDPREFLIGHT: "preflight",
  EINVALIDDISPATCH: "dispatch",
  EINVALIDEXPORTTOKEN: "exporttoken",
  EINVALIDREVOKETOKEN: "revoketoken",
  EINVALIDGITHUBURL: "githuburl",
  EINVALIDGITHUBAPIURL: "githubapiurl",
  EINVALIDINSTALLATIONID: "installationid",
};
const anchorOf = (code: string) => ANCHOR_FOR[code] ?? code.toLowerCase();

/** The user-facing contract of one error. */
function assertUserFacing(error: ErrorShape, code: string): void {
  assert.equal(error.semanticRelease, true, `${code}: a SemanticReleaseError`);
  assert.equal(error.name, "SemanticReleaseError");
  assert.ok(error.message.trim().length > 10, `${code}: a message`);
  assert.ok(!error.message.includes("\n"), `${code}: the message is one line`);
  const details = error.details ?? "";
  assert.match(details, /\*\*Expected:\*\* \S/, `${code}: details say what was expected`);
  assert.match(details, /\*\*Found:\*\* \S/, `${code}: details say what was found`);
  assert.match(details, /\*\*Fix:\*\* \S/, `${code}: details give the fix`);
  assert.match(details, new RegExp(`\\]\\(https://\\S+/README\\.md#${anchorOf(code)}\\)\\.?$`), `${code}: details end with the README link`);
  assert.doesNotMatch(error.stack ?? "", /\n\s+at /, `${code}: no stack frames`);
  assert.doesNotMatch(inspect(error), /\n\s+at \S/, `${code}: util.inspect (what the CLI prints) shows no stack frames`);
  assertNoSecret(`${error.message}\n${details}\n${inspect(error)}`, code);
}

// ---- context ------------------------------------------------------------------------------------

function baseEnv(): Record<string, string> {
  return {
    GITHUB_API_URL: standIn.apiUrl,
    GITHUB_SERVER_URL: standIn.origin,
    GITHUB_APP_CLIENT_ID: app.clientId,
    GITHUB_APP_PRIVATE_KEY: KEY_PKCS8,
    GITHUB_TOKEN: WORKFLOW_TOKEN,
  };
}

function context(opts: { env?: Record<string, string | undefined>; repositoryUrl?: string; branch?: string; tagFormat?: string } = {}) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...baseEnv(), ...opts.env })) if (v !== undefined) env[k] = v;
  const repositoryUrl = opts.repositoryUrl ?? `${standIn.origin}/octo/lib.git`;
  const log = (...args: unknown[]) => void stdout.push(args.map(String).join(" "));
  return {
    env,
    cwd: process.cwd(),
    options: { repositoryUrl, originalRepositoryURL: repositoryUrl, tagFormat: opts.tagFormat ?? "v${version}", branches: ["main"], dryRun: false },
    branch: { name: opts.branch ?? "main" },
    branches: [{ name: opts.branch ?? "main" }],
    logger: { log, warn: log, success: log, error: log },
    stdout: { write: (s: string) => void stdout.push(s) },
    stderr: { write: (s: string) => void stdout.push(s) },
  } as unknown as Parameters<typeof verifyConditions>[1];
}

/**
 * verifyConditions' rejection, as the list of errors it aggregates. Config and env problems come as
 * one AggregateError; an auth problem found while minting comes as the SemanticReleaseError itself
 * (index.ts lets createTokenSource's error through; semantic-release aggregates it either way).
 * exportToken defaults to false here so that a session that starts ends in fail() (with exportToken the
 * token waits for the process's end, lib/session/process-exit.ts).
 */
async function rejection(config: PluginConfig, ctx: Parameters<typeof verifyConditions>[1], opts: { aggregate?: boolean } = {}): Promise<{ aggregate: Error; errors: ErrorShape[] }> {
  try {
    await verifyConditions({ exportToken: false, ...config }, ctx);
  } catch (error) {
    const errors = (error as { errors?: ErrorShape[] }).errors;
    if (opts.aggregate !== false) assert.ok(Array.isArray(errors), `an AggregateError, got ${inspect(error)}`);
    return { aggregate: error as Error, errors: Array.isArray(errors) ? [...errors] : [error as ErrorShape] };
  }
  await endSession();
  assert.fail("verifyConditions accepted the input");
}

/** End a session that a passing verifyConditions started (revokes its token, restores process.env). */
async function endSession(): Promise<void> {
  await fail({}, { ...context(), errors: [] } as unknown as Parameters<typeof fail>[1]);
}

// ---- the table ------------------------------------------------------------------------------------

interface Case {
  title: string;
  config?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  repositoryUrl?: string;
  /** exactly these codes, in any order */
  codes: string[];
  /** the message of the first code */
  message: RegExp;
  /** the details of the first code */
  details?: RegExp;
}

const CASES: Case[] = [
  // options: wrong type or value (lib/config/verify-config.ts, one validator per option)
  { title: "authMethod: an unknown value", config: { authMethod: "token" }, codes: ["EINVALIDAUTHMETHOD"], message: /`authMethod`.*'token'/, details: /"app"/ },
  { title: "authMethod: a number", config: { authMethod: 1 }, codes: ["EINVALIDAUTHMETHOD"], message: /`authMethod`.*`1`/ },
  { title: "assets: true", config: { assets: true }, codes: ["EINVALIDASSETS"], message: /`true` is not allowed/, details: /\["dist\/\*\*", "!\*\*\/\*\.map"\]/ },
  { title: "assets: an object without path", config: { assets: { files: ["a"] } }, codes: ["EINVALIDASSETS"], message: /it is an object without `path`/ },
  { title: "assets: a number in the list (as @semantic-release/git refuses)", config: { assets: ["file.js", 42] }, codes: ["EINVALIDASSETS"], message: /entry 1 is a number/ },
  { title: "assets: an empty group (@semantic-release/git throws on it in prepare)", config: { assets: [["dist/**"], []] }, codes: ["EINVALIDASSETS"], message: /entry 1 is an empty group/ },
  { title: "assets: a group of ! globs only (would commit every other file)", config: { assets: [{ path: ["!**/*.map", "!**/*.d.ts"] }] }, codes: ["EINVALIDASSETS"], message: /the `path` of entry 0 is a group of `!` globs only/, details: /Start the group with the files to commit/ },
  { title: "assets: a glob outside the working directory (../secret)", config: { assets: ["CHANGELOG.md", "../secret"] }, codes: ["EINVALIDASSETS"], message: /`\.\.\/secret` \(entry 1\) points outside the working directory/ },
  { title: "assets: an absolute path (/etc/passwd)", config: { assets: "/etc/passwd" }, codes: ["EINVALIDASSETS"], message: /`\/etc\/passwd` is an absolute path/ },
  { title: "assets: a nested escape in a group (dist/../../x)", config: { assets: [["dist/../../x", "!*.map"]] }, codes: ["EINVALIDASSETS"], message: /\(entry 0, glob 0\) points outside the working directory/ },
  { title: "message: empty", config: { message: "   " }, codes: ["EINVALIDMESSAGE"], message: /it is empty/ },
  { title: "message: a number", config: { message: 42 }, codes: ["EINVALIDMESSAGE"], message: /a number, not a string/ },
  { title: "message: a template that does not compile", config: { message: "release ${nextRelease version}" }, codes: ["EINVALIDMESSAGE"], message: /does not compile/ },
  { title: "commitMode: an unknown value", config: { commitMode: "graphql" }, codes: ["EINVALIDCOMMITMODE"], message: /`commitMode`.*'graphql'/ },
  { title: "permissions: a string", config: { permissions: "write-all" }, codes: ["EINVALIDPERMISSIONS"], message: /a string, not an object/ },
  { title: "permissions: an unknown name and a bad level", config: { permissions: { "pull-requests": "write", contents: "yes" } }, codes: ["EINVALIDPERMISSIONS"], message: /2 problems/, details: /did you mean `pull_requests`/ },
  { title: "preflight: a boolean", config: { preflight: true }, codes: ["EINVALIDPREFLIGHT"], message: /`preflight`.*true/ },
  { title: "dispatch: an object instead of an array", config: { dispatch: { eventType: "x" } }, codes: ["EINVALIDDISPATCH"], message: /not an array of events/ },
  { title: "dispatch: an entry without event type or workflow", config: { dispatch: [{ repository: "o/r" }] }, codes: ["EINVALIDDISPATCH"], message: /neither `eventType`/ },
  { title: "exportToken: the string \"false\"", config: { exportToken: "false" }, codes: ["EINVALIDEXPORTTOKEN"], message: /not a boolean/ },
  { title: "revokeToken: a number", config: { revokeToken: 0 }, codes: ["EINVALIDREVOKETOKEN"], message: /removed/ },
  { title: "revokeToken: false (removed: a kept token had no consumer)", config: { revokeToken: false }, codes: ["EINVALIDREVOKETOKEN"], message: /revoked at the end of every release/, details: /no consumer/ },
  { title: "revokeToken: true (removed, even with the old default)", config: { revokeToken: true }, codes: ["EINVALIDREVOKETOKEN"], message: /removed/, details: /`exportToken: true`/ },
  { title: "githubUrl: an ftp URL", config: { githubUrl: "ftp://github.example.com" }, codes: ["EINVALIDGITHUBURL"], message: /scheme is `ftp`/ },
  { title: "githubUrl: credentials in the URL (never shown)", config: { githubUrl: `https://x-access-token:${PAT}@github.example.com` }, codes: ["EINVALIDGITHUBURL"], message: /contains credentials/ },
  { title: "githubApiUrl: not a URL", config: { githubApiUrl: "api.github.com" }, codes: ["EINVALIDGITHUBAPIURL"], message: /not an absolute URL/ },
  { title: "githubUrl: plain http to a host that is not loopback", config: { githubUrl: "http://github.example.com" }, codes: ["EINSECUREURL"], message: /^Insecure `githubUrl` option/, details: /`https:\/\/github\.example\.com`/ },
  { title: "GITHUB_SERVER_URL and GITHUB_API_URL over plain http", env: { GITHUB_SERVER_URL: "http://github.example.com", GITHUB_API_URL: "http://github.example.com/api/v3" }, codes: ["EINSECUREURL", "EINSECUREURL"], message: /GITHUB_SERVER_URL \(used for `githubUrl`\).*plain http/ },
  { title: "installationId: negative", config: { installationId: -5 }, codes: ["EINVALIDINSTALLATIONID"], message: /not a positive integer/ },
  { title: "installationId: not a number", config: { installationId: "12abc" }, codes: ["EINVALIDINSTALLATIONID"], message: /'12abc'/ },
  { title: "several options wrong at once: every problem is reported", config: { authMethod: "App", assets: "/x", revokeToken: "no" }, codes: ["EINVALIDAUTHMETHOD", "EINVALIDASSETS", "EINVALIDREVOKETOKEN"], message: /`authMethod`/ },
  // environment: App ID and installation ID
  { title: "GITHUB_APP_ID: not numeric", env: { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_ID: "my-release-app" }, codes: ["EINVALIDAPPID"], message: /neither a GitHub App client ID nor a numeric App ID/, details: /'my-release-app'/ },
  { title: "GITHUB_APP_ID: the private key (swapped; never shown)", env: { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_ID: KEY_PKCS8 }, codes: ["EINVALIDAPPID"], message: /GITHUB_APP_ID/, details: /looks like a private key/ },
  { title: "GITHUB_APP_CLIENT_ID: a token (never shown)", env: { GITHUB_APP_CLIENT_ID: PAT }, codes: ["EINVALIDAPPID"], message: /GITHUB_APP_CLIENT_ID/, details: /looks like a GitHub token/ },
  { title: "GITHUB_APP_INSTALLATION_ID: not a number", env: { GITHUB_APP_INSTALLATION_ID: "install-1" }, codes: ["EINVALIDINSTALLATIONID"], message: /GITHUB_APP_INSTALLATION_ID/ },
  // environment: the private key (lib/token/private-key.ts)
  { title: "GITHUB_APP_PRIVATE_KEY: missing", env: { GITHUB_APP_PRIVATE_KEY: undefined }, codes: ["ENOAPPCREDENTIALS"], message: /Missing the private key/, details: /GITHUB_APP_PRIVATE_KEY not set/ },
  { title: "GITHUB_APP_PRIVATE_KEY: whitespace only (an empty secret)", env: { GITHUB_APP_PRIVATE_KEY: " \n " }, codes: ["ENOAPPCREDENTIALS"], message: /Missing the private key/, details: /GITHUB_APP_PRIVATE_KEY empty/ },
  { title: "App ID missing, key set", env: { GITHUB_APP_CLIENT_ID: undefined }, codes: ["ENOAPPCREDENTIALS"], message: /Missing the App ID/ },
  { title: "GITHUB_APP_PRIVATE_KEY: truncated PEM", env: { GITHUB_APP_PRIVATE_KEY: TRUNCATED_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /the PEM is cut off/, details: /`-----END …-----` line is missing/ },
  { title: "GITHUB_APP_PRIVATE_KEY: encrypted PKCS#8", env: { GITHUB_APP_PRIVATE_KEY: ENCRYPTED_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /encrypted/, details: /passphrase/ },
  { title: "GITHUB_APP_PRIVATE_KEY: encrypted PKCS#1 (Proc-Type header)", env: { GITHUB_APP_PRIVATE_KEY: ENCRYPTED_PKCS1 }, codes: ["EINVALIDPRIVATEKEY"], message: /encrypted/ },
  { title: "GITHUB_APP_PRIVATE_KEY: an OpenSSH private key", env: { GITHUB_APP_PRIVATE_KEY: OPENSSH_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /OpenSSH key/ },
  { title: "GITHUB_APP_PRIVATE_KEY: a certificate", env: { GITHUB_APP_PRIVATE_KEY: CERTIFICATE }, codes: ["EINVALIDPRIVATEKEY"], message: /a certificate, not a private key/ },
  { title: "GITHUB_APP_PRIVATE_KEY: the public key (SPKI)", env: { GITHUB_APP_PRIVATE_KEY: PUBLIC_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /a public key, not a private key/ },
  { title: "GITHUB_APP_PRIVATE_KEY: the public key (PKCS#1)", env: { GITHUB_APP_PRIVATE_KEY: RSA_PUBLIC_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /a public key/ },
  { title: "GITHUB_APP_PRIVATE_KEY: an ssh-rsa public key line", env: { GITHUB_APP_PRIVATE_KEY: SSH_PUBLIC }, codes: ["EINVALIDPRIVATEKEY"], message: /a public key/, details: /OpenSSH public key form/ },
  { title: "GITHUB_APP_PRIVATE_KEY: an EC key", env: { GITHUB_APP_PRIVATE_KEY: EC_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /not an RSA key/, details: /RS256/ },
  { title: "GITHUB_APP_PRIVATE_KEY: an Ed25519 key", env: { GITHUB_APP_PRIVATE_KEY: ED25519_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /not an RSA key/ },
  { title: "GITHUB_APP_PRIVATE_KEY: characters lost in the key data", env: { GITHUB_APP_PRIVATE_KEY: GARBLED_KEY }, codes: ["EINVALIDPRIVATEKEY"], message: /does not decode/ },
  { title: "GITHUB_APP_PRIVATE_KEY: key data changed", env: { GITHUB_APP_PRIVATE_KEY: KEY_DATA_CHANGED }, codes: ["EINVALIDPRIVATEKEY"], message: /does not decode/ },
  { title: "GITHUB_APP_PRIVATE_KEY: a token pasted instead of the key", env: { GITHUB_APP_PRIVATE_KEY: PAT }, codes: ["EINVALIDPRIVATEKEY"], message: /not a PEM private key/ },
  { title: "several credentials wrong at once", env: { GITHUB_APP_CLIENT_ID: undefined, GITHUB_APP_ID: "abc", GITHUB_APP_PRIVATE_KEY: CERTIFICATE, GITHUB_APP_INSTALLATION_ID: "0" }, codes: ["EINVALIDAPPID", "EINVALIDPRIVATEKEY", "EINVALIDINSTALLATIONID"], message: /GITHUB_APP_ID/ },
  // repositoryUrl (context.options; lib/config/parse-github-url.ts)
  { title: "repositoryUrl: not a URL", repositoryUrl: "my repository", codes: ["EINVALIDREPOSITORYURL"], message: /names no GitHub owner and repository/ },
  { title: "repositoryUrl: no owner", repositoryUrl: "https://github.com/lib.git", codes: ["EINVALIDREPOSITORYURL"], message: /'https:\/\/github\.com\/lib\.git'/ },
  { title: "repositoryUrl: too deep (a GitLab subgroup)", repositoryUrl: "https://gitlab.com/group/sub/lib.git", codes: ["EINVALIDREPOSITORYURL"], message: /names no GitHub/ },
  { title: "repositoryUrl: a local path", repositoryUrl: "/srv/git/lib.git", codes: ["EINVALIDREPOSITORYURL"], message: /names no GitHub/ },
  { title: "repositoryUrl: a file: URL", repositoryUrl: "file:///srv/git/octo/lib.git", codes: ["EINVALIDREPOSITORYURL"], message: /names no GitHub/ },
  { title: "repositoryUrl: empty", repositoryUrl: "", codes: ["EINVALIDREPOSITORYURL"], message: /names no GitHub/ },
  { title: "repositoryUrl: credentials in it are never shown", repositoryUrl: `https://x-access-token:${WORKFLOW_TOKEN}@github.com/just-owner`, codes: ["EINVALIDREPOSITORYURL"], message: /\*\*\*@github\.com/ },
  { title: "repositoryUrl: credentials after leading whitespace are never shown", repositoryUrl: `  https://x-access-token:${WORKFLOW_TOKEN}@github.com/just-owner`, codes: ["EINVALIDREPOSITORYURL"], message: /'  https:\/\/\*\*\*@github\.com\/just-owner'/ },
  { title: "repositoryUrl: credentials without the slashes (https:user:token@host) are never shown", repositoryUrl: `https:x-access-token:${WORKFLOW_TOKEN}@github.com/just-owner`, codes: ["EINVALIDREPOSITORYURL"], message: /https:\*\*\*@github\.com/ },
  { title: "repositoryUrl: credentials with a space in the user name are never shown", repositoryUrl: `https://x access:${WORKFLOW_TOKEN}@github.com/just-owner`, codes: ["EINVALIDREPOSITORYURL"], message: /https:\/\/\*\*\*@github\.com/ },
  { title: "a bad option and a bad repositoryUrl together", config: { preflight: "strict" }, repositoryUrl: "nope", codes: ["EINVALIDPREFLIGHT", "EINVALIDREPOSITORYURL"], message: /`preflight`/ },
];

before(async () => {
  standIn = await startStandIn();
  standIn.createUser("octo");
  repo = await standIn.createRepo("octo", "lib");
  await standIn.createRepo("octo", "other");
  await standIn.createRepo("octo", "uninstalled");
  ({ app } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } }));
  // The App's key is PAIR's (the stand-in generated its own; swap in ours so KEY_PKCS8 is the real one).
  app.publicKeyPem = PAIR.publicKey.export({ type: "spki", format: "pem" }).toString();
  standIn.installApp(app, "octo", { repositories: ["lib", "other"], permissions: { contents: "write", metadata: "read" } });
});

after(async () => {
  await endSession();
  await standIn.close();
});

describe("verifyConditions refuses bad input with one clear error per problem", () => {
  for (const c of CASES) {
    test(c.title, async () => {
      const { aggregate, errors } = await rejection((c.config ?? {}) as PluginConfig, context({ env: c.env ?? {}, ...(c.repositoryUrl !== undefined ? { repositoryUrl: c.repositoryUrl } : {}) }));
      assert.deepEqual(errors.map((e) => e.code).sort(), [...c.codes].sort(), inspect(errors.map((e) => `${e.code} ${e.message}`)));
      for (const error of errors) assertUserFacing(error, error.code!);
      const first = errors.find((e) => e.code === c.codes[0])!;
      assert.match(first.message, c.message);
      if (c.details) assert.match(first.details ?? "", c.details);
      assertNoSecret(aggregate.message, "the AggregateError's message");
      assert.doesNotMatch(aggregate.message, /\n\s+at \S/, "the aggregate message holds no stack frames");
      assert.equal(standIn.tokens().length, 0, "no token was minted for bad input");
    });
  }
});

describe("App installations that do not cover the repository (against the stand-in)", () => {
  const network: Case[] = [
    { title: "GITHUB_APP_INSTALLATION_ID of no installation (999999)", env: { GITHUB_APP_INSTALLATION_ID: "999999" }, codes: ["EAPPNOTINSTALLED"], message: /has no installation `999999`/, details: /Remove `GITHUB_APP_INSTALLATION_ID`/ },
    { title: "installed on the owner, but not on this repository", repositoryUrl: "REPO:uninstalled", codes: ["EAPPNOTINSTALLED"], message: /is not installed on `octo\/uninstalled`/, details: /Repository access/ },
    { title: "installed on the owner, installation ID given, repository not selected", env: { GITHUB_APP_INSTALLATION_ID: "INSTALLATION" }, repositoryUrl: "REPO:uninstalled", codes: ["EAPPNOTINSTALLED"], message: /not installed on `octo\/uninstalled`/ },
    { title: "not installed on the owner at all", repositoryUrl: "REPO:nobody/lib", codes: ["EAPPNOTINSTALLED"], message: /not installed on `nobody\/lib`/ },
    { title: "a key that is not the App's", env: { GITHUB_APP_PRIVATE_KEY: OTHER_KEY }, codes: ["EAPPAUTHFAILED"], message: /refused to authenticate/ },
    { title: "a client ID of no App", env: { GITHUB_APP_CLIENT_ID: "Iv23liNoSuchApp00000" }, codes: ["EAPPAUTHFAILED"], message: /Iv23liNoSuchApp00000/ },
  ];
  before(async () => {
    standIn.createUser("nobody");
    await standIn.createRepo("nobody", "lib");
  });
  for (const c of network) {
    test(c.title, async () => {
      const installation = standIn.installations({ appId: app.id })[0]!;
      const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, v === "INSTALLATION" ? String(installation.id) : v]));
      const repositoryUrl = c.repositoryUrl?.startsWith("REPO:") ? `${standIn.origin}/${c.repositoryUrl.slice(5).includes("/") ? c.repositoryUrl.slice(5) : `octo/${c.repositoryUrl.slice(5)}`}.git` : undefined;
      const { errors } = await rejection({}, context({ env, ...(repositoryUrl ? { repositoryUrl } : {}) }), { aggregate: false });
      assert.deepEqual(errors.map((e) => e.code), c.codes, inspect(errors.map((e) => `${e.code} ${e.message}`)));
      for (const error of errors) assertUserFacing(error, error.code!);
      assert.match(errors[0]!.message, c.message);
      if (c.details) assert.match(errors[0]!.details ?? "", c.details);
    });
  }

  test("a valid set-up passes (control), and its token is revoked when the session ends", async () => {
    const before = standIn.mark();
    await verifyConditions({ exportToken: false }, context());
    const minted = standIn.tokens({ since: before });
    assert.equal(minted.length, 1);
    await endSession();
    assert.equal(standIn.revoked(minted[0]!.token), true); // tokens() gives copies: ask again
  });
});

// ---- branch and tag names ---------------------------------------------------------------------------
// A branch name git refuses cannot be a remote branch, so semantic-release never hands one to a plugin;
// a valid non-ASCII one can. Core refuses a tagFormat whose v0.0.0 rendering is not a valid ref
// (EINVALIDTAGFORMAT, before any plugin runs). lib/config/verify-ref-names.ts is the plugin's own check for
// names that get through anyway (programmatic use, a tag that depends on the version).

describe("branch and tag names", () => {
  test("a non-ASCII branch name git accepts passes verifyConditions (URL-encoded in REST paths)", async () => {
    await standIn.git(repo, "branch", "release/ünïcode-β", "main");
    await verifyConditions({ exportToken: false }, context({ branch: "release/ünïcode-β" }));
    await endSession();
    const rules = standIn.requests({ route: "GET /repos/{owner}/{repo}/rules/branches/{branch}" });
    assert.ok(rules.length > 0 && rules.every((r) => r.status === 200), "the branch rules were read");
  });

  const INVALID: [name: string, problem: RegExp][] = [
    ["v1.0.0..x", /`\.\.`/],
    ["v 1.0.0", /a space/],
    ["v1.0.0 ", /a space/],
    ["release/v1.0.0.lock", /ends with `\.lock`/],
    ["v1.0.0.", /ends with `\.`/],
    ["v1~1", /`~`/],
    ["v1^0", /`\^`/],
    ["v1:0", /`:`/],
    ["v1?", /`\?`/],
    ["v1*", /`\*`/],
    ["v[1]", /`\[`/],
    ["v1\\0", /`\\`/],
    ["v1@{0}", /`@\{`/],
    ["@", /`@` alone/],
    ["/v1", /begins or ends with `\/`/],
    ["a//b", /`\/\/`/],
    [".hidden/v1", /begins with `\.`/],
    ["v1\u0007", /control character U\+0007/],
    ["-v1", /begins with `-`/],
    ["", /empty/],
  ];
  for (const [name, problem] of INVALID) {
    test(`refNameProblem refuses ${JSON.stringify(name)}`, () => {
      assert.match(refNameProblem(name) ?? "(accepted)", problem);
    });
  }
  for (const name of ["v1.0.0", "v1.0.0-beta.1", "release/1.x", "v1.0.0+build.5", "ünïcode-β", "@v1", "v1@0", "a.b/c.d"]) {
    test(`refNameProblem accepts ${JSON.stringify(name)}`, () => assert.equal(refNameProblem(name), undefined));
  }

  test("EINVALIDREPOSITORYURL never shows the credentials of a URL with leading whitespace", () => {
    const error = getError("EINVALIDREPOSITORYURL", { repositoryUrl: `  https://x-access-token:${WORKFLOW_TOKEN}@github.com/o/r.git` });
    assertUserFacing(error as ErrorShape, "EINVALIDREPOSITORYURL");
    assert.ok(!`${error.message}${error.details}`.includes("x-access-token"), "no user name either");
    assert.match(error.message, /https:\/\/\*\*\*@github\.com\/o\/r\.git/);
  });

  test("verifyRefName builds a user-facing EINVALIDTAGNAME / EINVALIDBRANCHNAME", () => {
    const tag = verifyRefName("tag", "v1.0.0..x", { tagFormat: "v${version}..x" })!;
    assertUserFacing(tag as ErrorShape, "EINVALIDTAGNAME");
    assert.match(tag.message, /Invalid tag name "v1\.0\.0\.\.x": it contains `\.\.`/);
    assert.match(tag.details!, /tagFormat` \(now `'v\$\{version\}\.\.x'`\)/);
    assert.match(tag.details!, /Nothing was pushed/);
    const branch = verifyRefName("branch", "my branch")!;
    assertUserFacing(branch as ErrorShape, "EINVALIDBRANCHNAME");
    assert.equal(verifyRefName("tag", "v1.2.3"), undefined);
  });

  test(
    "verifyRelease refuses an invalid nextRelease.gitTag before anything is pushed",
    async () => {
      const ctx = context({ tagFormat: "v${version}..x" }) as unknown as Record<string, unknown>;
      await verifyConditions({ exportToken: false }, ctx as never);
      const pushesBefore = standIn.mark();
      try {
        await assert.rejects(
          verifyRelease({ exportToken: false }, { ...ctx, lastRelease: {}, commits: [], nextRelease: { type: "minor", version: "1.0.0", gitTag: "v1.0.0..x", gitHead: "HEAD", name: "v1.0.0..x", channel: null, notes: "" } } as never),
          (error: { errors?: ErrorShape[] }) => {
            const codes = (error.errors ?? [error as ErrorShape]).map((e) => e.code);
            assert.deepEqual(codes, ["EINVALIDTAGNAME"]);
            return true;
          },
        );
        assert.deepEqual(standIn.refPushes({ since: pushesBefore }), []);
      } finally {
        await endSession();
      }
    },
  );
});
