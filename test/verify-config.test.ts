import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { verifyConfig as verify } from "../lib/config/verify-config.js";
import { resolveConfig } from "../lib/config/resolve-config.js";
import type { Env, PluginConfig } from "../lib/types.js";

/** resolve, then check: the values as given, where they came from (lib/config/index.ts runs the same two) */
const verifyConfig = (pluginConfig: PluginConfig | Record<string, unknown>, { env }: { env: Env }) => verify({ ...resolveConfig({ pluginConfig: pluginConfig as PluginConfig, env }), env });

// Secrets made up at run time; the assertions check that none of them reaches an error.
const KEY = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const EC_KEY = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const WORKFLOW_TOKEN = `ghs_${"w".repeat(36)}`;
const PAT = `ghp_${"p".repeat(36)}`;
const CLIENT_ID = "Iv23liAbCdEf01234567";
const APP_ENV: Env = { GITHUB_APP_CLIENT_ID: CLIENT_ID, GITHUB_APP_PRIVATE_KEY: KEY };
const TOKEN_ENV: Env = { GITHUB_TOKEN: WORKFLOW_TOKEN };
const keyBody = (pem: string) => pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join("");
const SECRETS = [WORKFLOW_TOKEN, PAT, keyBody(KEY), keyBody(EC_KEY)];

interface ErrorShape {
  name: string;
  code?: string;
  message: string;
  details?: string;
  semanticRelease?: boolean;
}

/** The error texts contain no 12-character window of any secret. */
function assertNoSecret(error: ErrorShape): void {
  const text = `${error.message}\n${error.details ?? ""}`;
  for (const secret of SECRETS) {
    for (let i = 0; i + 12 <= secret.length; i += 6) {
      assert.ok(!text.includes(secret.slice(i, i + 12)), `${error.code} leaks a secret`);
    }
  }
}

/** details = Expected, Found, Fix, link (lib/errors/config.ts). */
function assertDetails(error: ErrorShape, { expected, found, fix, anchor }: { expected: RegExp; found: RegExp; fix: RegExp; anchor: string }): void {
  const [expectedPart = "", foundPart = "", fixPart = "", linkPart = ""] = (error.details ?? "").split("\n\n");
  assert.match(expectedPart, /^\*\*Expected:\*\* /);
  assert.match(expectedPart, expected);
  assert.match(foundPart, /^\*\*Found:\*\* /);
  assert.match(foundPart, found);
  assert.match(fixPart, /^\*\*Fix:\*\* /);
  assert.match(fixPart, fix);
  assert.match(linkPart, new RegExp(`\\]\\(https://\\S+/README\\.md#${anchor}\\)\\.$`));
}

interface Case {
  title: string;
  config?: Record<string, unknown>;
  env?: Env;
  code: string;
  message?: RegExp;
  expected: RegExp;
  found: RegExp;
  fix: RegExp;
  anchor?: string;
}

const cases: Case[] = [
  // authMethod
  { title: "an unknown authMethod", config: { authMethod: "token" }, code: "EINVALIDAUTHMETHOD", expected: /"auto".*"app".*"pat".*"github-token"/, found: /'token'/, fix: /default `"auto"`/ },
  { title: "authMethod in the wrong case", config: { authMethod: "App" }, code: "EINVALIDAUTHMETHOD", expected: /"app"/, found: /'App'/, fix: /one of the values/ },
  // assets: the grammar of @semantic-release/git, and what it refuses (test/compat-git-assets.test.ts has the accepted forms)
  { title: "assets: true", config: { assets: true }, code: "EINVALIDASSETS", message: /`true` is not allowed/, expected: /`false`.*a group of globs.*\["dist\/\*\*", "!\*\*\/\*\.map"\]/, found: /`true`: `true` is not allowed/, fix: /glob string.*`false` for no release commit/ },
  { title: "assets as a number", config: { assets: 42 }, code: "EINVALIDASSETS", expected: /`\{ "path": glob or group \}`/, found: /`42`: it is a number, not a glob/, fix: /group of glob strings/ },
  { title: "an empty asset string", config: { assets: "" }, code: "EINVALIDASSETS", expected: /glob/, found: /it is an empty string/, fix: /Remove the empty globs/ },
  { title: "a whitespace-only asset in a list", config: { assets: ["CHANGELOG.md", " \n"] }, code: "EINVALIDASSETS", expected: /glob/, found: /entry 1 is an empty string/, fix: /Remove the empty globs/ },
  { title: "a number in the list", config: { assets: ["file.js", 42] }, code: "EINVALIDASSETS", expected: /glob/, found: /entry 1 is a number, not a glob, a group of globs or `\{ path \}`/, fix: /`\{ "path": … \}`/ },
  { title: "an object without path", config: { assets: ["CHANGELOG.md", { files: ["dist"] }] }, code: "EINVALIDASSETS", expected: /`\{ "path": glob or group \}`/, found: /entry 1 is an object without `path`/, fix: /`\{ "path": … \}`/ },
  { title: "a path that is a number", config: { assets: { path: 7 } }, code: "EINVALIDASSETS", expected: /path/, found: /the `path` of the object is a number, not a glob or a group of globs/, fix: /group of glob strings/ },
  { title: "an empty group", config: { assets: [[], "CHANGELOG.md"] }, code: "EINVALIDASSETS", expected: /group/, found: /entry 0 is an empty group `\[\]` \(@semantic-release\/git fails on it\)/, fix: /Remove the empty group/ },
  { title: "an empty group as path", config: { assets: [{ path: [] }] }, code: "EINVALIDASSETS", expected: /group/, found: /the `path` of entry 0 is an empty group/, fix: /empty group/ },
  { title: "a group nested in a group", config: { assets: [["dist/**", ["!**/*.map"]]] }, code: "EINVALIDASSETS", expected: /group/, found: /entry 0, glob 1, is an array, not a glob string/, fix: /group of glob strings/ },
  { title: "a group of negations only", config: { assets: [["!**/*.map", "!**/*.d.ts"]] }, code: "EINVALIDASSETS", expected: /removes what the globs before it matched/, found: /entry 0 is a group of `!` globs only: it would commit every other changed or untracked file, ignored ones included/, fix: /Start the group with the files to commit.*\["dist\/\*\*", "!\*\*\/\*\.map"\]/ },
  { title: "an asset that escapes the working directory", config: { assets: ["../secrets.txt"] }, code: "EINVALIDASSETS", expected: /relative to the working directory/, found: /`\.\.\/secrets\.txt` \(entry 0\) points outside the working directory, where no file is a candidate, so it can never match/, fix: /Remove the `\.\.` segments/ },
  { title: "an asset that escapes through a nested ..", config: { assets: ["dist/../../x"] }, code: "EINVALIDASSETS", expected: /relative/, found: /points outside/, fix: /`\.\.`/ },
  { title: "a negated asset in a group that escapes", config: { assets: [["dist/**", "!../x"]] }, code: "EINVALIDASSETS", expected: /relative/, found: /`!\.\.\/x` \(entry 0, glob 1\) points outside/, fix: /`\.\.`/ },
  { title: "an absolute asset path", config: { assets: "/etc/passwd" }, code: "EINVALIDASSETS", expected: /relative/, found: /`\/etc\/passwd` is an absolute path; .*can never match/, fix: /relative to the working directory.*not `\/home/ },
  { title: "a Windows absolute asset path in a path object", config: { assets: [{ path: "C:\\repo\\CHANGELOG.md" }] }, code: "EINVALIDASSETS", expected: /relative/, found: /\(the `path` of entry 0\) is an absolute path/, fix: /relative/ },
  { title: "several problems in one assets option", config: { assets: [[], "/x", { path: ["!a", "!b"] }] }, code: "EINVALIDASSETS", message: /: 3 problems\./, expected: /group/, found: /\n- entry 0 is an empty group.*\n- `\/x` \(entry 1\) is an absolute path.*\n- the `path` of entry 2 is a group of `!` globs only/s, fix: /^\*\*Fix:\*\* Remove the empty group `\[\]`, or put globs in it\. Write the path relative.* Start the group/ },
  // message
  { title: "an empty message", config: { message: "  " }, code: "EINVALIDMESSAGE", expected: /non-empty \[lodash template\]/, found: /it is empty/, fix: /default message/ },
  { title: "a message that is not a string", config: { message: ["release"] }, code: "EINVALIDMESSAGE", expected: /lodash template/, found: /`\[ 'release' \]`: it is an array, not a string/, fix: /template/ },
  { title: "a message template that does not compile", config: { message: "release ${nextRelease version}" }, code: "EINVALIDMESSAGE", expected: /lodash template/, found: /does not compile \(SyntaxError: /, fix: /complete JavaScript expression/ },
  { title: "a message with an unclosed <% %> block", config: { message: "<% if (x) { %>release" }, code: "EINVALIDMESSAGE", expected: /template/, found: /SyntaxError/, fix: /<% … %>/ },
  // commitMode, preflight
  { title: "an unknown commitMode", config: { commitMode: "graphql" }, code: "EINVALIDCOMMITMODE", expected: /"auto".*"git".*"api"/, found: /'graphql'/, fix: /default `"auto"`/ },
  { title: "preflight: true", config: { preflight: true }, code: "EINVALIDPREFLIGHT", expected: /"error".*"warn".*"off"/, found: /true/, fix: /default `"error"`/ },
  // permissions
  { title: "permissions as a list", config: { permissions: ["contents"] }, code: "EINVALIDPERMISSIONS", expected: /maps GitHub App permission names/, found: /not an object/, fix: /remove the option/ },
  { title: "an unknown permission name", config: { permissions: { "pull-requests": "write" } }, code: "EINVALIDPERMISSIONS", expected: /"read"/, found: /`pull-requests` is not a GitHub App permission \(did you mean `pull_requests`\?\)/, fix: /Correct/ },
  { title: "a camelCase permission name", config: { permissions: { pullRequests: "read", contents: "write" } }, code: "EINVALIDPERMISSIONS", expected: /names/, found: /did you mean `pull_requests`/, fix: /Correct/ },
  { title: "a level the permission does not take", config: { permissions: { workflows: "read" } }, code: "EINVALIDPERMISSIONS", expected: /"write"/, found: /`workflows` is "read"; it takes `"write"`/, fix: /Correct/ },
  { title: "a made-up level", config: { permissions: { contents: "push" } }, code: "EINVALIDPERMISSIONS", expected: /"write"/, found: /`contents` is "push"; it takes `"read"` or `"write"`/, fix: /Correct/ },
  { title: "several permission problems at once", config: { permissions: { contents: true, bogus: "read" } }, code: "EINVALIDPERMISSIONS", message: /2 problems/, expected: /names/, found: /- `contents` is true.*\n- `bogus` is not a GitHub App permission/s, fix: /Correct/ },
  // dispatch
  { title: "dispatch as an object", config: { dispatch: { repository: "o/r", eventType: "x" } }, code: "EINVALIDDISPATCH", expected: /an array of events/, found: /not an array of events/, fix: /camelCase/ },
  { title: "a dispatch entry with neither event kind", config: { dispatch: [{ repository: "o/r" }] }, code: "EINVALIDDISPATCH", expected: /repository_dispatch/, found: /entry 0: it has neither `eventType`/, fix: /Correct/ },
  { title: "a dispatch entry with snake_case keys", config: { dispatch: [{ repository: "o/r", event_type: "x" }] }, code: "EINVALIDDISPATCH", expected: /eventType/, found: /neither `eventType`/, fix: /camelCase/ },
  { title: "a repository_dispatch without owner/repo", config: { dispatch: [{ repository: "repo", eventType: "released" }] }, code: "EINVALIDDISPATCH", expected: /owner\/repo/, found: /`repository` must be "owner\/repo", found "repo"/, fix: /Correct/ },
  { title: "an empty eventType and a non-object payload", config: { dispatch: [{ repository: "o/r", eventType: "", clientPayload: "v1" }] }, code: "EINVALIDDISPATCH", expected: /eventType/, found: /`eventType` must be a non-empty string.*\n- entry 0: `clientPayload` must be an object/s, fix: /Correct/ },
  { title: "a workflow given as a path", config: { dispatch: [{ workflow: ".github/workflows/deploy.yml", ref: "main" }] }, code: "EINVALIDDISPATCH", expected: /deploy\.yml/, found: /`workflow` must be a workflow file name/, fix: /Correct/ },
  { title: "a workflow_dispatch without ref and with a number input", config: { dispatch: [{ workflow: "deploy.yml", inputs: { replicas: 3 } }] }, code: "EINVALIDDISPATCH", expected: /inputs/, found: /`ref` must be a non-empty.*input `replicas` must be a string, found a number/s, fix: /Correct/ },
  { title: "a dispatch entry with both kinds", config: { dispatch: [{ workflow: 7, ref: "main", eventType: "x" }] }, code: "EINVALIDDISPATCH", expected: /workflow_dispatch/, found: /both `workflow` and `eventType`/, fix: /Correct/ },
  { title: "an unknown key in a workflow entry", config: { dispatch: [{ workflow: "deploy.yaml", ref: "v1", input: {} }] }, code: "EINVALIDDISPATCH", expected: /inputs/, found: /unknown key `input`/, fix: /Correct/ },
  // exportToken, revokeToken
  { title: 'exportToken: "false" (a string)', config: { exportToken: "false" }, code: "EINVALIDEXPORTTOKEN", expected: /`true` or `false`/, found: /`'false'` \(string\)/, fix: /without quotes/ },
  { title: 'exportToken: "true" (a string)', config: { exportToken: "true" }, code: "EINVALIDEXPORTTOKEN", expected: /`true` or `false`/, found: /`'true'` \(string\)/, fix: /default `false`/ },
  // revokeToken was removed: any value is refused, and the details say why
  { title: "revokeToken: 0", config: { revokeToken: 0 }, code: "EINVALIDREVOKETOKEN", message: /removed/, expected: /revoked when the release ends/, found: /`revokeToken` set to `0`.*no consumer.*should not outlive the release/, fix: /Remove `revokeToken`.*`exportToken: true`/ },
  { title: "revokeToken: false", config: { revokeToken: false }, code: "EINVALIDREVOKETOKEN", message: /revoked at the end of every release/, expected: /revoked/, found: /`false`/, fix: /exportToken/ },
  { title: "revokeToken: true", config: { revokeToken: true }, code: "EINVALIDREVOKETOKEN", message: /removed/, expected: /revoked/, found: /`true`/, fix: /Remove `revokeToken`/ },
  // URLs
  { title: "a githubUrl without scheme", config: { githubUrl: "github.example.com" }, code: "EINVALIDGITHUBURL", expected: /absolute `http` or `https` URL/, found: /not an absolute URL/, fix: /GITHUB_SERVER_URL/ },
  { title: "a githubUrl with an ssh scheme", config: { githubUrl: "ssh://git@github.example.com" }, code: "EINVALIDGITHUBURL", expected: /https/, found: /scheme is `ssh`/, fix: /Correct the option/ },
  { title: "a githubApiUrl with credentials (redacted)", config: { githubApiUrl: `https://x-access-token:${WORKFLOW_TOKEN}@ghes.example.com/api/v3` }, code: "EINVALIDGITHUBAPIURL", expected: /without credentials/, found: /https:\/\/\*\*\*@ghes\.example\.com.*contains credentials/, fix: /GITHUB_API_URL/ },
  { title: "an invalid GITHUB_SERVER_URL", env: { ...TOKEN_ENV, GITHUB_SERVER_URL: "ghes.example.com" }, code: "EINVALIDGITHUBURL", message: /GITHUB_SERVER_URL \(used for `githubUrl`\)/, expected: /absolute/, found: /GITHUB_SERVER_URL environment variable/, fix: /Correct GITHUB_SERVER_URL/ },
  { title: "an http githubUrl to a host that is not loopback", config: { githubUrl: "http://ghes.example.com" }, code: "EINSECUREURL", message: /^Insecure `githubUrl` option: `'http:\/\/ghes\.example\.com'` is plain http/, expected: /`https` URL.*loopback host \(127\.0\.0\.0\/8, `::1`, `localhost`\)/, found: /Authorization/, fix: /`https:\/\/ghes\.example\.com`/, anchor: "einsecureurl" },
  { title: "an http GITHUB_API_URL", env: { ...TOKEN_ENV, GITHUB_SERVER_URL: "https://ghes.example.com", GITHUB_API_URL: "http://ghes.example.com/api/v3" }, code: "EINSECUREURL", message: /GITHUB_API_URL \(used for `githubApiUrl`\)/, expected: /https/, found: /in the GITHUB_API_URL environment variable/, fix: /`https:\/\/ghes\.example\.com\/api\/v3`\) in GITHUB_API_URL/, anchor: "einsecureurl" },
  { title: "an http GITHUB_SERVER_URL", env: { ...TOKEN_ENV, GITHUB_SERVER_URL: "http://ghes.example.com", GITHUB_API_URL: "https://ghes.example.com/api/v3" }, code: "EINSECUREURL", message: /GITHUB_SERVER_URL \(used for `githubUrl`\)/, expected: /https/, found: /GITHUB_SERVER_URL environment variable/, fix: /GITHUB_SERVER_URL/, anchor: "einsecureurl" },
  { title: "an http GH_URL", env: { ...TOKEN_ENV, GH_URL: "HTTP://ghes.example.com:8080" }, code: "EINSECUREURL", message: /GH_URL/, expected: /https/, found: /GH_URL/, fix: /https:\/\/ghes\.example\.com:8080/, anchor: "einsecureurl" },
  { title: "an http githubApiUrl with credentials: EINVALIDGITHUBAPIURL first, never the credentials", config: { githubApiUrl: `http://x-access-token:${WORKFLOW_TOKEN}@ghes.example.com/api/v3` }, code: "EINVALIDGITHUBAPIURL", expected: /without credentials/, found: /http:\/\/\*\*\*@ghes\.example\.com.*contains credentials/, fix: /GITHUB_API_URL/ },
  { title: "an invalid GITHUB_API_URL", env: { ...TOKEN_ENV, GITHUB_API_URL: "api.github.com" }, code: "EINVALIDGITHUBAPIURL", expected: /absolute/, found: /`'api\.github\.com'` in the GITHUB_API_URL environment variable/, fix: /Correct GITHUB_API_URL/ },
  // installationId
  { title: "a negative installationId", config: { installationId: -5 }, code: "EINVALIDINSTALLATIONID", expected: /positive integer/, found: /`-5` in the `installationId` option/, fix: /settings\/installations/ },
  { title: "a non-numeric installationId string", config: { installationId: "12a" }, code: "EINVALIDINSTALLATIONID", expected: /string of digits/, found: /'12a'/, fix: /GET \/repos\/\{owner\}\/\{repo\}\/installation/ },
  { title: "a fractional installationId", config: { installationId: 1.5 }, code: "EINVALIDINSTALLATIONID", expected: /positive integer/, found: /1\.5/, fix: /remove the setting/ },
  { title: "an invalid GITHUB_APP_INSTALLATION_ID", env: { ...APP_ENV, GITHUB_APP_INSTALLATION_ID: "install-1" }, code: "EINVALIDINSTALLATIONID", message: /GITHUB_APP_INSTALLATION_ID/, expected: /positive integer/, found: /`'install-1'` in the GITHUB_APP_INSTALLATION_ID environment variable/, fix: /settings\/installations/ },
  // App ID
  { title: "a GITHUB_APP_ID that is a slug", env: { GITHUB_APP_ID: "my-release-app", GITHUB_APP_PRIVATE_KEY: KEY }, code: "EINVALIDAPPID", message: /GITHUB_APP_ID: it is neither/, expected: /`Iv1\.`.*numeric App ID/, found: /GITHUB_APP_ID is `'my-release-app'`/, fix: /client ID \(preferred\)/, anchor: "einvalidappid" },
  { title: "a client ID with a space in it", env: { GITHUB_APP_CLIENT_ID: "Iv23li AbCd", GITHUB_APP_PRIVATE_KEY: KEY }, code: "EINVALIDAPPID", expected: /Iv23/, found: /GITHUB_APP_CLIENT_ID is `'Iv23li AbCd'`/, fix: /GITHUB_APP_CLIENT_ID/, anchor: "einvalidappid" },
  { title: "the private key put into GITHUB_APP_ID", env: { GITHUB_APP_ID: KEY, GITHUB_APP_PRIVATE_KEY: KEY }, code: "EINVALIDAPPID", expected: /client ID/, found: /looks like a private key \(did you swap the ID and the key\?\)/, fix: /GITHUB_APP_PRIVATE_KEY/, anchor: "einvalidappid" },
  { title: "a token put into GITHUB_APP_CLIENT_ID", env: { GITHUB_APP_CLIENT_ID: PAT, GITHUB_APP_PRIVATE_KEY: KEY }, code: "EINVALIDAPPID", expected: /client ID/, found: /40 characters that looks like a GitHub token/, fix: /App's settings page/, anchor: "einvalidappid" },
  // App credentials
  { title: 'authMethod "app" without any App variable', config: { authMethod: "app" }, env: { GH_TOKEN: PAT }, code: "ENOAPPCREDENTIALS", message: /Missing the App ID \(GITHUB_APP_CLIENT_ID or GITHUB_APP_ID\) and the private key \(GITHUB_APP_PRIVATE_KEY\): `authMethod` is `"app"`/, expected: /GITHUB_APP_CLIENT_ID or GITHUB_APP_ID.*GITHUB_APP_PRIVATE_KEY/, found: /GITHUB_APP_CLIENT_ID not set, GITHUB_APP_ID not set, GITHUB_APP_PRIVATE_KEY not set/, fix: /#github-app-setup/, anchor: "enoappcredentials" },
  { title: 'authMethod "app" with an empty key (missing secret)', config: { authMethod: "app" }, env: { GITHUB_APP_CLIENT_ID: CLIENT_ID, GITHUB_APP_PRIVATE_KEY: "" }, code: "ENOAPPCREDENTIALS", message: /^Missing the private key \(GITHUB_APP_PRIVATE_KEY\)/, expected: /private key/, found: /GITHUB_APP_CLIENT_ID set \(20 characters\).*GITHUB_APP_PRIVATE_KEY empty/, fix: /forks/, anchor: "enoappcredentials" },
  { title: "auto with the key but no ID", env: { GITHUB_APP_PRIVATE_KEY: KEY, GITHUB_TOKEN: WORKFLOW_TOKEN }, code: "ENOAPPCREDENTIALS", message: /^Missing the App ID .*only half of the App credentials are set/, expected: /both/, found: /GITHUB_APP_PRIVATE_KEY set \(\d+ characters\)/, fix: /unset both variables/, anchor: "enoappcredentials" },
  { title: "auto with the ID but an empty key", env: { GITHUB_APP_ID: "12345", GITHUB_APP_PRIVATE_KEY: "", GH_TOKEN: PAT }, code: "ENOAPPCREDENTIALS", message: /^Missing the private key/, expected: /both/, found: /GITHUB_APP_ID set \(5 characters\), GITHUB_APP_PRIVATE_KEY empty/, fix: /github-app-setup/, anchor: "enoappcredentials" },
  // tokens
  { title: 'authMethod "pat" without GH_TOKEN', config: { authMethod: "pat" }, env: { GITHUB_TOKEN: WORKFLOW_TOKEN }, code: "ENOTOKEN", message: /GH_TOKEN/, expected: /personal access token.*GH_TOKEN/, found: /GH_TOKEN not set, GITHUB_TOKEN set \(40 characters\)/, fix: /GH_TOKEN: \$\{\{ secrets/, anchor: "enotoken" },
  { title: 'authMethod "github-token" without GITHUB_TOKEN', config: { authMethod: "github-token" }, env: { GH_TOKEN: PAT }, code: "ENOTOKEN", message: /GITHUB_TOKEN/, expected: /workflow token in GITHUB_TOKEN/, found: /GH_TOKEN set \(40 characters\), GITHUB_TOKEN not set/, fix: /secrets\.GITHUB_TOKEN.*contents: write/, anchor: "enotoken" },
  { title: "auto without any credentials", env: { GH_TOKEN: "", GITHUB_TOKEN: " " }, code: "ENOTOKEN", message: /No credentials/, expected: /GitHub App credentials.*GH_TOKEN.*GITHUB_TOKEN/, found: /GH_TOKEN empty, GITHUB_TOKEN empty/, fix: /started from a fork/, anchor: "enotoken" },
  // private key (parsed by verifyConfig so that every problem shows at once)
  { title: "an EC private key for the App", env: { GITHUB_APP_CLIENT_ID: CLIENT_ID, GITHUB_APP_PRIVATE_KEY: EC_KEY }, code: "EINVALIDPRIVATEKEY", expected: /RSA/, found: /`ec` key/, fix: /Generate a private key/, anchor: "einvalidprivatekey" },
  { title: "a truncated App key", config: { authMethod: "app" }, env: { GITHUB_APP_ID: "1", GITHUB_APP_PRIVATE_KEY: KEY.slice(0, 400) }, code: "EINVALIDPRIVATEKEY", expected: /PEM/, found: /END.*missing/, fix: /END/, anchor: "einvalidprivatekey" },
];

for (const { title, config = {}, env = TOKEN_ENV, code, message, expected, found, fix, anchor } of cases) {
  test(`Return ${code} for ${title}`, () => {
    const errors = verifyConfig(config, { env }) as unknown as ErrorShape[];
    const [error, ...rest] = errors;
    assert.deepEqual(rest.map((e) => e.code), [], "exactly one error");
    assert.ok(error);
    assert.equal(error.name, "SemanticReleaseError");
    assert.equal(error.semanticRelease, true);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    const option = Object.keys(config)[0];
    assertDetails(error, { expected, found, fix, anchor: anchor ?? (option ?? code.replace(/^EINVALID/, "")).toLowerCase() });
    assertNoSecret(error);
  });
}

test("Return no error for a complete, valid configuration", () => {
  const config = {
    authMethod: "app",
    assets: ["CHANGELOG.md", "dist/**/*.js", ["lib/**", "!**/*.map"], { path: ["docs", "!docs/drafts"], label: "ignored" }, "!dist/**/*.map", "./docs/../README.md"],
    message: "chore(release): ${nextRelease.version}\n\n<% if (nextRelease.notes) { %>${nextRelease.notes}<% } %>",
    commitMode: "api",
    permissions: { contents: "write", issues: "write", pull_requests: "write", organization_projects: "admin" },
    preflight: "warn",
    dispatch: [
      { repository: "octo-org/deploy", eventType: "released", clientPayload: { version: "1.0.0" } },
      { workflow: "deploy.yml", ref: "main", inputs: { version: "1.0.0" } },
      { workflow: 123456, ref: "v1.0.0", repository: "octo-org/.github" },
    ],
    exportToken: false,
    floatingTags: false,
    githubUrl: "https://ghes.example.com/",
    githubApiUrl: "http://127.0.0.1:4567/api/v3",
    installationId: "987654",
    // global options that semantic-release passes to every plugin are ignored
    branches: ["main"],
    repositoryUrl: "https://github.com/o/r.git",
    dryRun: false,
  };
  assert.deepEqual(verifyConfig(config as never, { env: { ...APP_ENV, GITHUB_APP_INSTALLATION_ID: "not used: the option wins" } }), []);
});

const validEnvs: Array<[string, Env]> = [
  ["App credentials with a client ID", APP_ENV],
  ["App credentials with a numeric App ID and an escaped key", { GITHUB_APP_ID: "123456", GITHUB_APP_PRIVATE_KEY: KEY.replace(/\n/g, "\\n") }],
  ["an Iv1. client ID", { GITHUB_APP_CLIENT_ID: "Iv1.0123456789abcdef", GITHUB_APP_PRIVATE_KEY: KEY }],
  ["a PAT", { GH_TOKEN: PAT }],
  ["the workflow token", TOKEN_ENV],
  ["a GHES runner", { ...TOKEN_ENV, GITHUB_SERVER_URL: "https://ghes.example.com", GITHUB_API_URL: "https://ghes.example.com/api/v3" }],
  ["a local stand-in over plain http on 127.0.0.1", { ...TOKEN_ENV, GITHUB_SERVER_URL: "http://127.0.0.1:4567", GITHUB_API_URL: "http://127.0.0.1:4567/api/v3" }],
  ["plain http on the rest of 127.0.0.0/8, ::1 and localhost", { ...TOKEN_ENV, GITHUB_SERVER_URL: "http://127.5.6.7", GITHUB_API_URL: "http://[::1]:8080/api/v3", GH_URL: "http://localhost" }],
  ["empty App variables next to a token (secrets not passed to this run)", { GITHUB_APP_CLIENT_ID: "", GITHUB_APP_PRIVATE_KEY: "", GITHUB_TOKEN: WORKFLOW_TOKEN }],
  ["a broken key that the pat method does not use", { GH_TOKEN: PAT, GITHUB_APP_ID: "x" }],
];

for (const [title, env] of validEnvs) {
  test(`Return no error for ${title}`, () => {
    const method = title.includes("does not use") ? { authMethod: "pat" as const } : {};
    assert.deepEqual(verifyConfig(method, { env }), []);
  });
}

test("Check only the URLs that apply: the runner's GITHUB_API_URL is not used when the githubUrl option names another server", () => {
  const env = { ...TOKEN_ENV, GITHUB_SERVER_URL: "https://github.com", GITHUB_API_URL: "http://api.not-used.example" };
  assert.deepEqual(verifyConfig({ githubUrl: "https://ghes.example.com" }, { env }), []);
  assert.deepEqual((verifyConfig({}, { env }) as unknown as ErrorShape[]).map((e) => e.code), ["EINSECUREURL"]);
});

test("Ignore null and undefined options (defaults apply)", () => {
  assert.deepEqual(verifyConfig({ assets: null, message: undefined, dispatch: null } as never, { env: TOKEN_ENV }), []);
});

test("Return every problem at once, never throw", () => {
  const errors = verifyConfig(
    { authMethod: "app", assets: "../x", commitMode: "svn", preflight: "maybe", exportToken: "yes" } as never,
    { env: { GITHUB_APP_ID: "slug", GITHUB_APP_PRIVATE_KEY: `-----BEGIN OPENSSH PRIVATE KEY${"-----"}\nAAAA\n-----END OPENSSH PRIVATE KEY-----`, GITHUB_APP_INSTALLATION_ID: "0" } },
  ) as unknown as ErrorShape[];
  assert.deepEqual(
    errors.map((e) => e.code),
    ["EINVALIDASSETS", "EINVALIDCOMMITMODE", "EINVALIDPREFLIGHT", "EINVALIDEXPORTTOKEN", "EINVALIDAPPID", "EINVALIDINSTALLATIONID", "EINVALIDPRIVATEKEY"],
  );
  for (const error of errors) assertNoSecret(error);
});

test("An invalid authMethod is reported alone, without guessing which credentials were meant", () => {
  const errors = verifyConfig({ authMethod: "apps" } as never, { env: {} }) as unknown as ErrorShape[];
  assert.deepEqual(errors.map((e) => e.code), ["EINVALIDAUTHMETHOD"]);
});
