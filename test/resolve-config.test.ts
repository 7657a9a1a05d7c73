import { test } from "node:test";
import assert from "node:assert/strict";
import { resolveConfig, deriveApiUrl, DEFAULT_MESSAGE } from "../lib/config/resolve-config.js";
import type { Env, PluginConfig, ResolvedConfig } from "../lib/types.js";

// PEM armor lines are written `KEY${"-----"}` so that no source file holds a private-key header (secret scanners).
const APP = { GITHUB_APP_CLIENT_ID: "Iv23liAbCdEf0123", GITHUB_APP_PRIVATE_KEY: `-----BEGIN RSA PRIVATE KEY${"-----"}\n…` };

test("Ask for @semantic-release/github's comment permissions when the token is exported to it", () => {
  const plugins = ["@semantic-release/commit-analyzer", ["semantic-release-github-app", {}], ["@semantic-release/github", { successComment: true }]];
  assert.deepEqual(resolveConfig({}, { env: {}, plugins }).laterPluginPermissions, { issues: "write", pull_requests: "write" });
  assert.deepEqual(resolveConfig({ exportToken: false }, { env: {}, plugins: ["@semantic-release/github"] }).laterPluginPermissions, {});
  assert.deepEqual(resolveConfig({}, { env: {}, plugins: ["@semantic-release/npm"] }).laterPluginPermissions, {});
});

test("Fill in every default when nothing is configured", () => {
  const expected: ResolvedConfig = {
    authMethod: "github-token",
    assets: ["CHANGELOG.md", "package.json", "package-lock.json", "npm-shrinkwrap.json"],
    message: "chore(release): ${nextRelease.version} [skip ci]\n\n${nextRelease.notes}",
    commitMode: "auto",
    permissions: undefined,
    laterPluginPermissions: {},
    preflight: "error",
    dispatch: [],
    exportToken: true,
    revokeToken: true,
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
});

const authCases: Array<{ title: string; option?: PluginConfig["authMethod"]; env: Env; expected: ResolvedConfig["authMethod"] }> = [
  { title: "auto picks the App when client ID and key are set", env: { ...APP, GH_TOKEN: "x", GITHUB_TOKEN: "y" }, expected: "app" },
  { title: "auto picks the App with a numeric GITHUB_APP_ID", env: { GITHUB_APP_ID: "123", GITHUB_APP_PRIVATE_KEY: "k" }, expected: "app" },
  { title: "auto picks pat when only GH_TOKEN is set", env: { GH_TOKEN: "x", GITHUB_TOKEN: "y" }, expected: "pat" },
  { title: "auto picks github-token when only GITHUB_TOKEN is set", env: { GITHUB_TOKEN: "y" }, expected: "github-token" },
  { title: "auto does not pick the App with the ID alone", env: { GITHUB_APP_ID: "123", GH_TOKEN: "x" }, expected: "pat" },
  { title: "auto does not pick the App with the key alone", env: { GITHUB_APP_PRIVATE_KEY: "k" }, expected: "github-token" },
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
  assert.equal(deriveApiUrl("not a url/"), "not a url/api/v3");
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
    { message: "release ${nextRelease.version}", commitMode: "api", permissions: { contents: "write" }, preflight: "warn", dispatch, exportToken: false, revokeToken: false },
    { env: {} },
  );
  assert.equal(resolved.message, "release ${nextRelease.version}");
  assert.equal(resolved.commitMode, "api");
  assert.deepEqual(resolved.permissions, { contents: "write" });
  assert.equal(resolved.preflight, "warn");
  assert.deepEqual(resolved.dispatch, dispatch);
  assert.equal(resolved.exportToken, false);
  assert.equal(resolved.revokeToken, false);
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
