import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig as resolve, DEFAULT_MESSAGE, type Settings } from "../lib/config/resolve-config.js";
import { deriveApiUrl } from "../lib/config/github-urls.js";
import { loadConfig } from "../lib/config/index.js";
import type { Env, PluginConfig, ResolvedConfig } from "../lib/types.js";

/** resolve-config.ts alone: which value applies, normalised (no validation). */
const resolveConfig = (pluginConfig: PluginConfig, { env, plugins }: { env: Env; plugins?: unknown }) => resolve({ pluginConfig, env, plugins }).config;
const RELEASE = { options: { repositoryUrl: "https://github.com/octo/lib.git" }, branch: { name: "main" } };

// PEM armor lines are written `KEY${"-----"}` so that no source file holds a private-key header (secret scanners).
const APP = { GITHUB_APP_CLIENT_ID: "Iv23liAbCdEf0123", GITHUB_APP_PRIVATE_KEY: `-----BEGIN RSA PRIVATE KEY${"-----"}\n…` };

test("Ask for @semantic-release/github's comment permissions only when the token is exported to it", () => {
  const plugins = ["@semantic-release/commit-analyzer", ["semantic-release-github-app", {}], ["@semantic-release/github", { successComment: true }]];
  assert.deepEqual(resolveConfig({ exportToken: true }, { env: {}, plugins }).laterPluginPermissions, { issues: "write", pull_requests: "write" });
  assert.deepEqual(resolveConfig({ exportToken: false }, { env: {}, plugins: ["@semantic-release/github"] }).laterPluginPermissions, {});
  assert.deepEqual(resolveConfig({ exportToken: true }, { env: {}, plugins: ["@semantic-release/npm"] }).laterPluginPermissions, {});
  // listed by a path into its package (as a monorepo or a test harness may do), not by name
  const byPath = [["/ci/node_modules/@semantic-release/github/index.js", {}]];
  assert.deepEqual(resolveConfig({ exportToken: true }, { env: {}, plugins: byPath }).laterPluginPermissions, { issues: "write", pull_requests: "write" });
  assert.deepEqual(resolveConfig({ exportToken: true }, { env: {}, plugins: ["/ci/node_modules/@semantic-release/github-extra/index.js"] }).laterPluginPermissions, {});
  // exportToken is off by default: nothing is asked for a plugin that will not get the token
  assert.deepEqual(resolveConfig({}, { env: {}, plugins }).laterPluginPermissions, {});
  assert.equal(resolveConfig({}, { env: {} }).exportToken, false);
});

test("Fill in every default when nothing is configured", () => {
  const expected: Settings = {
    authMethod: "github-token",
    assets: ["CHANGELOG.md", "package.json", "package-lock.json", "npm-shrinkwrap.json"],
    message: "chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}",
    commitMode: "auto",
    permissions: undefined,
    laterPluginPermissions: {},
    preflight: "error",
    dispatch: [],
    exportToken: false,
    floatingTags: false,
    pushMode: "direct",
    pullRequestTimeout: 1_800_000,
    githubUrl: "https://github.com",
    githubApiUrl: "https://api.github.com",
    installationId: undefined,
    appId: undefined,
    privateKey: undefined,
    pat: undefined,
    githubToken: undefined,
  };
  assert.deepEqual(resolveConfig({}, { env: {} }), expected);
  assert.equal(DEFAULT_MESSAGE, expected.message);
  // loadConfig adds the repository, the configured URL, dryRun and the warnings
  const loaded: ResolvedConfig = { ...expected, githubToken: "wf", owner: "octo", repo: "lib", repositoryUrl: "https://github.com/octo/lib.git", dryRun: false, warnings: [] };
  assert.deepEqual(loadConfig({ pluginConfig: {}, env: { GITHUB_TOKEN: "wf" }, ...RELEASE }), loaded);
});

const authCases: Array<{ title: string; option?: PluginConfig["authMethod"]; env: Env; expected: ResolvedConfig["authMethod"] }> = [
  { title: "auto picks the App when client ID and key are set", env: { ...APP, GH_TOKEN: "x", GITHUB_TOKEN: "y" }, expected: "app" },
  { title: "auto picks the App with a numeric GITHUB_APP_ID", env: { GITHUB_APP_ID: "123", GITHUB_APP_PRIVATE_KEY: "k" }, expected: "app" },
  { title: "auto picks pat when only GH_TOKEN is set", env: { GH_TOKEN: "x", GITHUB_TOKEN: "y" }, expected: "pat" },
  { title: "auto picks github-token when only GITHUB_TOKEN is set", env: { GITHUB_TOKEN: "y" }, expected: "github-token" },
  // half an App set is the App, refused by loadConfig with ENOAPPCREDENTIALS (below), never replaced by another token
  { title: "auto with the ID alone is the App, not the PAT", env: { GITHUB_APP_ID: "123", GH_TOKEN: "x" }, expected: "app" },
  { title: "auto with the key alone is the App, not the workflow token", env: { GITHUB_APP_PRIVATE_KEY: "k", GITHUB_TOKEN: "y" }, expected: "app" },
  { title: "auto treats empty variables (a missing Actions secret) as unset", env: { GITHUB_APP_CLIENT_ID: "", GITHUB_APP_PRIVATE_KEY: "", GH_TOKEN: "" }, expected: "github-token" },
  { title: "an explicit method wins over the credentials present", option: "pat", env: { ...APP }, expected: "pat" },
  { title: "explicit app without credentials stays app", option: "app", env: {}, expected: "app" },
  { title: "explicit github-token", option: "github-token", env: { ...APP, GH_TOKEN: "x" }, expected: "github-token" },
];

for (const { title, option, env, expected } of authCases) {
  test(`authMethod: ${title}`, () => {
    assert.equal(resolveConfig(option === undefined ? {} : { authMethod: option }, { env }).authMethod, expected);
  });
}

test("Prefer GITHUB_APP_CLIENT_ID over GITHUB_APP_ID, and keep the credentials from env", () => {
  const resolved = resolveConfig({}, { env: { ...APP, GITHUB_APP_ID: "123", GH_TOKEN: "pat", GITHUB_TOKEN: "wf" } });
  assert.equal(resolved.appId, "Iv23liAbCdEf0123");
  assert.equal(resolved.privateKey, APP.GITHUB_APP_PRIVATE_KEY);
  assert.equal(resolved.pat, "pat");
  assert.equal(resolved.githubToken, "wf");
  assert.equal(resolveConfig({}, { env: { GITHUB_APP_CLIENT_ID: "", GITHUB_APP_ID: " 123\n" } }).appId, "123");
});

const urlCases: Array<{ title: string; config?: PluginConfig; env?: Env; githubUrl: string; githubApiUrl: string }> = [
  { title: "github.com by default", githubUrl: "https://github.com", githubApiUrl: "https://api.github.com" },
  {
    title: "GitHub Actions on GHES",
    env: { GITHUB_SERVER_URL: "https://ghes.example.com", GITHUB_API_URL: "https://ghes.example.com/api/v3" },
    githubUrl: "https://ghes.example.com",
    githubApiUrl: "https://ghes.example.com/api/v3",
  },
  { title: "GHES API URL derived from GITHUB_SERVER_URL", env: { GITHUB_SERVER_URL: "https://ghes.example.com/" }, githubUrl: "https://ghes.example.com", githubApiUrl: "https://ghes.example.com/api/v3" },
  { title: "a local stand-in", env: { GITHUB_SERVER_URL: "http://127.0.0.1:4567" }, githubUrl: "http://127.0.0.1:4567", githubApiUrl: "http://127.0.0.1:4567/api/v3" },
  { title: "GHE.com derives api.<host>", env: { GITHUB_SERVER_URL: "https://octocorp.ghe.com" }, githubUrl: "https://octocorp.ghe.com", githubApiUrl: "https://api.octocorp.ghe.com" },
  { title: "GH_URL as @semantic-release/github reads it", env: { GH_URL: "https://ghes.example.com" }, githubUrl: "https://ghes.example.com", githubApiUrl: "https://ghes.example.com/api/v3" },
  { title: "GITHUB_URL with GH_PREFIX", env: { GITHUB_URL: "https://ghes.example.com", GH_PREFIX: "/api/v3/" }, githubUrl: "https://ghes.example.com", githubApiUrl: "https://ghes.example.com/api/v3" },
  { title: "GITHUB_SERVER_URL wins over GH_URL", env: { GITHUB_SERVER_URL: "https://a.example", GH_URL: "https://b.example" }, githubUrl: "https://a.example", githubApiUrl: "https://a.example/api/v3" },
  {
    title: "options win over env and lose their trailing slashes",
    config: { githubUrl: "https://ghes.example.com//", githubApiUrl: "https://api.ghes.example.com/" },
    env: { GITHUB_SERVER_URL: "https://github.com", GITHUB_API_URL: "https://api.github.com" },
    githubUrl: "https://ghes.example.com",
    githubApiUrl: "https://api.ghes.example.com",
  },
  {
    title: "a githubUrl option for another server does not take GITHUB_API_URL from the runner's server",
    config: { githubUrl: "https://ghes.example.com" },
    env: { GITHUB_SERVER_URL: "https://github.com", GITHUB_API_URL: "https://api.github.com" },
    githubUrl: "https://ghes.example.com",
    githubApiUrl: "https://ghes.example.com/api/v3",
  },
  {
    title: "a githubUrl option for the runner's own server keeps GITHUB_API_URL",
    config: { githubUrl: "https://ghes.example.com/" },
    env: { GITHUB_SERVER_URL: "https://ghes.example.com", GITHUB_API_URL: "https://ghes.example.com/api/v3/" },
    githubUrl: "https://ghes.example.com",
    githubApiUrl: "https://ghes.example.com/api/v3",
  },
  { title: "empty env URLs count as unset", env: { GITHUB_SERVER_URL: "", GITHUB_API_URL: "" }, githubUrl: "https://github.com", githubApiUrl: "https://api.github.com" },
];

for (const { title, config = {}, env = {}, githubUrl, githubApiUrl } of urlCases) {
  test(`URLs: ${title}`, () => {
    const resolved = resolveConfig(config, { env });
    assert.equal(resolved.githubUrl, githubUrl);
    assert.equal(resolved.githubApiUrl, githubApiUrl);
  });
}

test("deriveApiUrl", () => {
  assert.equal(deriveApiUrl("https://github.com"), "https://api.github.com");
  assert.equal(deriveApiUrl("https://ghes.example.com"), "https://ghes.example.com/api/v3");
  assert.equal(deriveApiUrl("https://octocorp.ghe.com"), "https://api.octocorp.ghe.com");
  assert.equal(deriveApiUrl("not a url"), "not a url/api/v3");
});

test("assets: a string becomes a list, false is kept, a list is copied", () => {
  assert.deepEqual(resolveConfig({ assets: "dist/*.js" }, { env: {} }).assets, ["dist/*.js"]);
  assert.equal(resolveConfig({ assets: false }, { env: {} }).assets, false);
  const assets = ["a", "b"];
  const resolved = resolveConfig({ assets }, { env: {} }).assets;
  assert.deepEqual(resolved, assets);
  assert.notEqual(resolved, assets);
  assert.deepEqual(resolveConfig({ assets: [] }, { env: {} }).assets, []);
});

test("installationId: option, then GITHUB_APP_INSTALLATION_ID, as a number", () => {
  assert.equal(resolveConfig({ installationId: 42 }, { env: { GITHUB_APP_INSTALLATION_ID: "7" } }).installationId, 42);
  assert.equal(resolveConfig({ installationId: "43" }, { env: {} }).installationId, 43);
  assert.equal(resolveConfig({}, { env: { GITHUB_APP_INSTALLATION_ID: "7" } }).installationId, 7);
  assert.equal(resolveConfig({}, { env: { GITHUB_APP_INSTALLATION_ID: "abc" } }).installationId, undefined);
  assert.equal(resolveConfig({ installationId: -1 }, { env: {} }).installationId, undefined);
});

test("Other options are taken as given", () => {
  const dispatch = [{ repository: "o/r", eventType: "released" }];
  const resolved = resolveConfig(
    { message: "release ${nextRelease.version}", commitMode: "api", permissions: { contents: "write" }, preflight: "warn", dispatch, exportToken: true },
    { env: {} },
  );
  assert.equal(resolved.message, "release ${nextRelease.version}");
  assert.equal(resolved.commitMode, "api");
  assert.deepEqual(resolved.permissions, { contents: "write" });
  assert.equal(resolved.preflight, "warn");
  assert.deepEqual(resolved.dispatch, dispatch);
  assert.equal(resolved.exportToken, true);
  assert.ok(!("revokeToken" in resolved), "revokeToken is gone");
});

test("resolveConfig is pure: it changes neither its arguments nor process.env", () => {
  const config: PluginConfig = { assets: ["a"], permissions: { contents: "write" } };
  const env: Env = { ...APP, GITHUB_SERVER_URL: "https://ghes.example.com/" };
  const before = JSON.stringify([config, env]);
  const processEnv = JSON.stringify(process.env);
  const first = resolveConfig(config, { env });
  assert.equal(JSON.stringify([config, env]), before);
  assert.equal(JSON.stringify(process.env), processEnv);
  assert.deepEqual(resolveConfig(config, { env }), first);
});

// ---- loadConfig: resolve once, check, one AggregateError ------------------------------------------

type Coded = { code?: string; message: string; details?: string };
function problems(run: () => unknown): Coded[] {
  try {
    run();
  } catch (error) {
    const errors = (error as { errors?: Coded[] }).errors;
    assert.ok(Array.isArray(errors), "an AggregateError");
    return [...errors];
  }
  assert.fail("loadConfig accepted the input");
}

test("loadConfig: half an App set under auto is ENOAPPCREDENTIALS, even with a token next to it", () => {
  for (const env of [{ GITHUB_APP_ID: "123", GH_TOKEN: "x" }, { GITHUB_APP_PRIVATE_KEY: "k", GITHUB_TOKEN: "y" }]) {
    const codes = problems(() => loadConfig({ pluginConfig: {}, env, ...RELEASE })).map((e) => e.code);
    assert.equal(codes[0], "ENOAPPCREDENTIALS", String(codes)); // ("k" is no key either: EINVALIDPRIVATEKEY may follow)
  }
});

test("loadConfig: every problem at once: options, credentials, repository URL and branch name", () => {
  const errors = problems(() =>
    loadConfig({ pluginConfig: { preflight: "strict" as never, revokeToken: false } as PluginConfig, env: {}, options: { repositoryUrl: "https://github.com/just-owner" }, branch: { name: "my branch" } }),
  );
  assert.deepEqual(errors.map((e) => e.code), ["EINVALIDPREFLIGHT", "EINVALIDREVOKETOKEN", "ENOTOKEN", "EINVALIDREPOSITORYURL", "EINVALIDBRANCHNAME"]);
});

test("loadConfig: owner, repo, the configured repository URL (trimmed, without credentials) and dryRun", () => {
  const config = loadConfig({
    pluginConfig: {},
    env: { GITHUB_TOKEN: "wf" },
    // core puts GH_TOKEN into repositoryUrl; the configured one is originalRepositoryURL
    options: { repositoryUrl: "https://x-access-token:ghs_core@github.com/octo/lib.git", originalRepositoryURL: "  https://x-access-token:ghs_abc@github.com/octo/lib.git\n", dryRun: true },
    branch: { name: "main" },
  });
  assert.equal(config.owner, "octo");
  assert.equal(config.repo, "lib");
  assert.equal(config.repositoryUrl, "https://github.com/octo/lib.git");
  assert.equal(config.dryRun, true);
  assert.equal(loadConfig({ pluginConfig: {}, env: { GITHUB_TOKEN: "wf" }, ...RELEASE }).dryRun, false);
});

test("loadConfig: trailing slashes leave the URLs once, here; later users take them as they are", () => {
  const config = loadConfig({ pluginConfig: { githubUrl: "https://ghes.example.com///" }, env: { GITHUB_TOKEN: "wf", GITHUB_API_URL: "https://ghes.example.com/api/v3/" }, ...RELEASE });
  assert.equal(config.githubUrl, "https://ghes.example.com");
  assert.equal(config.githubApiUrl, "https://ghes.example.com/api/v3");
});

const apiHostCases: Array<{ title: string; env: Env; config?: PluginConfig; warns: boolean }> = [
  { title: "github.com and api.github.com", env: {}, warns: false },
  { title: "GHES and <server>/api/v3", env: { GITHUB_SERVER_URL: "https://ghes.example.com", GITHUB_API_URL: "https://ghes.example.com/api/v3" }, warns: false },
  { title: "GHE.com and api.<host>", env: { GITHUB_SERVER_URL: "https://octocorp.ghe.com", GITHUB_API_URL: "https://api.octocorp.ghe.com" }, warns: false },
  { title: "a local stand-in (loopback pair)", env: { GITHUB_SERVER_URL: "http://127.0.0.1:4567", GITHUB_API_URL: "http://localhost:4568/api/v3" }, warns: false },
  { title: "an API on another host than the server", env: { GITHUB_SERVER_URL: "https://ghes.example.com", GITHUB_API_URL: "https://api.github.com" }, warns: true },
  { title: "an API option on another host", env: {}, config: { githubApiUrl: "https://evil.example.net/api/v3" }, warns: true },
  { title: "the API on the server's host but not under /api", env: { GITHUB_SERVER_URL: "https://ghes.example.com", GITHUB_API_URL: "https://ghes.example.com/v3" }, warns: true },
];

for (const { title, env, config = {}, warns } of apiHostCases) {
  test(`loadConfig: the API host and the server: ${title}${warns ? " → a warning" : ""}`, () => {
    const { warnings, githubApiUrl, githubUrl } = loadConfig({ pluginConfig: config, env: { GITHUB_TOKEN: "wf", ...env }, ...RELEASE });
    assert.equal(warnings.length, warns ? 1 : 0, inspectWarnings(warnings));
    if (warns) {
      assert.ok(warnings[0]!.includes(githubApiUrl) && warnings[0]!.includes(githubUrl), warnings[0]);
      assert.match(warnings[0]!, /the token is sent there/);
      assert.match(warnings[0]!, /README\.md#githubapiurl/);
    }
  });
}

function inspectWarnings(warnings: string[]): string {
  return JSON.stringify(warnings);
}
