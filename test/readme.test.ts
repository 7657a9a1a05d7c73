// Every error's details link to a README anchor; a link to nowhere is a broken promise to a user
// who is in the middle of a failed release. Each code of the catalog is rendered with a context like
// the one its module builds (SAMPLES): a code without a sample, or a definition that throws on its
// sample, fails the test instead of being skipped.
import { strict as assert } from "node:assert";
import { readFileSync, readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { ERRORS, type ErrorCode } from "../lib/errors/catalog.js";
import { HOMEPAGE } from "../lib/definitions/constants.js";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
const anchors = new Set(
  [...readme.matchAll(/^#{1,6} (.+)$/gm)].map(([, title]) =>
    title!
      .replace(/&lt;|&gt;/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-"),
  ),
);

const README_LINK = new RegExp(`${HOMEPAGE.replace(/[.]/g, "\\.")}/blob/main/README\\.md#([a-z0-9-]+)`, "g");

/** The context(s) each definition is called with; one per branch of its text where the branches link differently. */
type Samples = { [C in ErrorCode]: Parameters<(typeof ERRORS)[C]>[0][] };

const where = { owner: "acme", repo: "lib", githubUrl: "https://github.com" };
const apiUrl = "https://api.github.com";
const appId = "Iv23liAbCdEfGh123456";
const ruleset = {
  name: "Protect main",
  id: 42,
  sourceType: "Repository",
  source: "acme/lib",
  settingsUrl: "https://github.com/acme/lib/settings/rules/42",
  ref: "refs/heads/main",
  blockingRules: ["pull_request", "non_fast_forward"],
  actor: "release-bot[bot]",
  appSlug: "release-bot",
};
const orgTagRuleset = { ...ruleset, name: "Release tags", sourceType: "Organization", source: "acme", ref: "refs/tags/v1.2.0", blockingRules: ["creation"] };
const releasePullRequest = { url: "https://github.com/acme/lib/pull/12", number: 12, releaseBranch: "semantic-release/v1.2.0", branch: "main", tag: "v1.2.0" };
const installation = { installationId: 1234567, account: { login: "acme", type: "Organization" } };

const SAMPLES: Samples = {
  EINVALIDAUTHMETHOD: [{ value: "github-app" }],
  EINVALIDASSETS: [
    { value: ["../CHANGELOG.md"], problems: [{ problem: "`../CHANGELOG.md` (entry 0) points outside the working directory", fix: "outside" }] },
    { value: [[], { path: ["!a", "!b"] }], problems: [{ problem: "entry 0 is an empty group", fix: "empty-group" }, { problem: "the `path` of entry 1 is a group of `!` globs only", fix: "negations-only" }] },
  ],
  EINVALIDMESSAGE: [{ value: "release ${nextRelease.version", problem: "the template does not compile: Unexpected end of input" }],
  EINVALIDCOMMITMODE: [{ value: "rest" }],
  EINVALIDPERMISSIONS: [{ value: { contents: "writ" }, problems: ['`contents`: "writ" is not "read", "write" or "admin"'] }],
  EINVALIDPREFLIGHT: [{ value: true }],
  EINVALIDDISPATCH: [{ value: [{ repo: "acme/site" }], problems: ["entry 0: `repository` or `workflow` is missing"] }],
  EINVALIDEXPORTTOKEN: [{ value: "yes" }],
  EINVALIDFLOATINGTAGS: [{ value: "true" }],
  ETAGBURNED: [
    { tag: "v1.3.0", version: "1.3.0", tagFormat: "v${version}", lastTag: "v1.2.0", reason: "release", releaseUrl: "https://github.com/acme/lib/releases/tag/v1.3.0" },
    { tag: "v1.0.0", version: "1.0.0", tagFormat: "v${version}", reason: "deleted" },
  ],
  EFLOATINGTAGLOCKED: [{ tag: "v1", releaseUrl: "https://github.com/acme/lib/releases/tag/v1" }],
  EINVALIDREVOKETOKEN: [{ value: false }],
  EINVALIDGITHUBURL: [
    { value: "github.example.com", source: "githubUrl", problem: "not an absolute http(s) URL" },
    { value: "ftp://github.example.com", source: "GITHUB_SERVER_URL", problem: "the protocol is not http or https" },
  ],
  EINVALIDGITHUBAPIURL: [{ value: "https://github.example.com/api/v3?x=1", source: "GITHUB_API_URL", problem: "it has a query" }],
  EINSECUREURL: [
    { value: "http://github.example.com", source: "githubUrl", option: "githubUrl" },
    { value: "http://github.example.com/api/v3", source: "GITHUB_API_URL", option: "githubApiUrl" },
  ],
  EINVALIDINSTALLATIONID: [
    { value: "abc", source: "installationId" },
    { value: "-1", source: "GITHUB_APP_INSTALLATION_ID" },
  ],
  EINVALIDAPPID: [{ value: "my-release-app", variable: "GITHUB_APP_CLIENT_ID" }],
  EINVALIDREPOSITORYURL: [{ repositoryUrl: "https://github.com/acme" }],
  EINVALIDTAGNAME: [{ name: "v1.2.0 beta", problem: "it contains a space", tagFormat: "v${version} beta" }],
  EINVALIDBRANCHNAME: [{ name: "release..next", problem: "it contains `..`" }],
  ENOAPPCREDENTIALS: [
    { authMethod: "auto", env: { GITHUB_APP_CLIENT_ID: "set (20 characters)", GITHUB_APP_ID: "not set", GITHUB_APP_PRIVATE_KEY: "empty" } },
    { authMethod: "app", env: { GITHUB_APP_CLIENT_ID: "not set", GITHUB_APP_ID: "not set", GITHUB_APP_PRIVATE_KEY: "not set" } },
  ],
  ENOTOKEN: [
    { authMethod: "pat", env: { GH_TOKEN: "not set", GITHUB_TOKEN: "set (40 characters)" } },
    { authMethod: "github-token", env: { GH_TOKEN: "not set", GITHUB_TOKEN: "empty" } },
    { authMethod: "auto", env: { GH_TOKEN: "not set", GITHUB_TOKEN: "not set" } },
  ],
  EINVALIDPRIVATEKEY: [
    { problem: "truncated", shape: "a value of 900 characters on 14 lines" },
    { problem: "not-rsa", shape: "a PEM block of 241 characters", keyType: "ec" },
  ],
  EAPPAUTHFAILED: [{ appId, request: "GET /repos/acme/lib/installation", status: 401, githubMessage: "A JSON web token could not be decoded", apiUrl }],
  EAPPNOTINSTALLED: [
    { appId, slug: "release-bot", ...where, reason: "not-installed" },
    { appId, slug: "release-bot", ...where, reason: "repository-not-selected", ...installation, githubMessage: "The permissions requested are not granted to this installation." },
    { appId, slug: undefined, ...where, reason: "installation-not-found", installationId: 99, githubMessage: "Not Found" },
    { appId, slug: "release-bot", ...where, reason: "suspended", ...installation },
  ],
  EAPPPERMISSIONS: [
    {
      slug: "release-bot",
      ...where,
      requested: { contents: "write", actions: "write" },
      installationPermissions: { contents: "write", metadata: "read" },
      missing: { actions: "write" },
      reason: "refused",
      ...installation,
      appOwner: { login: "acme", type: "Organization" },
      explicit: false,
      githubMessage: "The permissions requested are not granted to this installation.",
    },
    {
      slug: "release-bot",
      ...where,
      requested: { contents: "write" },
      installationPermissions: { contents: "read", metadata: "read" },
      granted: { contents: "read", metadata: "read" },
      missing: { contents: "write" },
      reason: "insufficient",
      explicit: true,
    },
    {
      slug: "release-bot",
      ...where,
      requested: { contents: "read" },
      installationPermissions: { metadata: "read" },
      missing: { contents: "read" },
      reason: "refused",
      explicit: false,
      readOnly: true,
    },
  ],
  EGITHUBAPI: [
    { request: "GET /repos/acme/lib/rules/branches/main", status: 502, githubMessage: "Server Error", apiUrl, attempts: 4 },
    { request: "POST /repos/acme/lib/dispatches", status: 403, githubMessage: "You have exceeded a secondary rate limit", apiUrl, rateLimited: true },
  ],
  EGITHUBUNREACHABLE: [
    { request: "GET /repos/acme/lib/installation", host: "github.example.com", cause: "getaddrinfo ENOTFOUND github.example.com", causeCode: "ENOTFOUND", apiUrl, attempts: 4 },
    { request: "GET /repos/acme/lib/installation", host: "github.example.com", cause: "self-signed certificate in certificate chain", causeCode: "SELF_SIGNED_CERT_IN_CHAIN", apiUrl },
    { request: "GET /repos/acme/lib/installation", host: "127.0.0.1:1", cause: "connect ECONNREFUSED 127.0.0.1:1", causeCode: "ECONNREFUSED", apiUrl },
  ],
  EINVALIDTOKEN: [
    { authMethod: "pat", variable: "GH_TOKEN", request: "GET /user", status: 401, githubMessage: "Bad credentials", apiUrl },
    { authMethod: "github-token", variable: "GITHUB_TOKEN", request: "GET /repos/acme/lib", status: 401, githubMessage: "Bad credentials", apiUrl },
  ],
  ERULESETBLOCKED: [ruleset, orgTagRuleset],
  EBYPASSPULLREQUESTONLY: [{ ...ruleset, blockingRules: ["pull_request"] }],
  EGITHUBACTIONSBYPASS: [{ ...ruleset, actor: "github-actions[bot]", appSlug: undefined }],
  EPROTECTEDBRANCH: [
    { ...where, branch: "main", settings: ["a pull request is required before merging"], actor: "release-bot[bot]", appSlug: "release-bot", settingsUrl: "https://github.com/acme/lib/settings/branches", method: "app" },
    { ...where, branch: "main", settings: ["required status checks: test"], actor: "octocat", appSlug: undefined, settingsUrl: "https://github.com/acme/lib/settings/branches", method: "pat" },
  ],
  EPUSHREJECTED: [
    {
      rejections: [
        { code: "GH013", ref: "refs/heads/main", rules: ["Changes must be made through a pull request."], rulesUrl: "https://github.com/acme/lib/rules?ref=refs%2Fheads%2Fmain" },
        { code: "GH013", ref: "refs/tags/v1.2.0", rules: ["Cannot create ref due to creations being restricted."] },
      ],
      actor: "release-bot[bot]",
      ...where,
      via: "git",
      tag: "v1.2.0",
    },
    { rejections: [{ code: "GH006", ref: "refs/heads/main", rules: ["Required status check \"test\" is expected."] }], via: "api", tag: "v1.2.0", tagLeftBehind: true },
  ],
  EREMOTEAHEAD: [
    { branch: "main", localSha: "a".repeat(40), remoteSha: "b".repeat(40), via: "git", tag: "v1.2.0" },
    { branch: "main", localSha: "a".repeat(40), via: "api", tag: "v1.2.0", tagLeftBehind: false },
  ],
  EGITAUTHOVERRIDDEN: [
    { remoteUrl: "https://github.com/acme/lib.git", origins: ["http.https://github.com/acme/lib.git.extraheader (file:.git/config)"] },
    { remoteUrl: "https://github.com/acme/lib.git", rewrittenTo: "https://mirror.example.com/acme/lib.git", origins: [] },
  ],
  ETAGEXISTS: [
    { tag: "v1.2.0", existingSha: "c".repeat(40), headSha: "a".repeat(40), where: "remote" },
    { tag: "v1.2.0", headSha: "a".repeat(40), where: "local" },
  ],
  EPUSHFAILED: [
    { branch: "main", tag: "v1.2.0", via: "git", output: "fatal: unable to access 'https://github.com/acme/lib.git/': The requested URL returned error: 502", exitCode: 128, retried: true },
    { branch: "main", tag: "v1.2.0", via: "api", output: "Server Error", status: 500, hint: "GitHub answered with a server error.", landed: true },
  ],
  EINVALIDPUSHMODE: [{ value: "pr" }],
  EINVALIDPULLREQUESTTIMEOUT: [{ value: "30m" }],
  EPULLREQUESTPERMISSION: [
    { appSlug: "release-bot", permissionsUrl: "https://github.com/settings/apps/release-bot/permissions", pushMode: "auto", held: "contents: write, metadata: read" },
    { pushMode: "pull-request", held: "contents: write" },
  ],
  ERELEASEBRANCHBLOCKED: [{ releaseBranch: "semantic-release/v1.2.0", rulesets: [{ name: "All branches", source: "acme", settingsUrl: "https://github.com/organizations/acme/settings/rules/7", blockingRules: ["creation"] }], actor: "release-bot[bot]" }],
  EPULLREQUESTFAILED: [
    { action: "open the release pull request from semantic-release/v1.2.0 into main", status: 422, message: "Validation Failed", releaseBranch: "semantic-release/v1.2.0" },
    { action: "enable auto-merge (merge) on pull request #12", message: "Pull request Auto merge is not allowed for this repository", releaseBranch: "semantic-release/v1.2.0", url: "https://github.com/acme/lib/pull/12" },
  ],
  EPULLREQUESTCHECKSFAILED: [{ ...releasePullRequest, checks: [{ name: "ci", conclusion: "failure", url: "https://github.com/acme/lib/runs/5" }] }],
  EPULLREQUESTCLOSED: [{ ...releasePullRequest, closedBy: "octocat" }, releasePullRequest],
  EPULLREQUESTTIMEOUT: [{ ...releasePullRequest, timeoutMs: 1_800_000, waitingFor: "a person's approval" }],
  EPULLREQUESTBASEMOVED: [{ ...releasePullRequest, state: "behind" }, { ...releasePullRequest, state: "dirty" }],
  EMERGEQUEUEDROPPED: [releasePullRequest],
  EADMINTOKEN: [
    { reason: "missing", owner: "acme", repo: "lib" },
    { reason: "refused", owner: "acme", repo: "lib", status: 404 },
    { reason: "not-admin", owner: "acme", repo: "lib", rulesets: ["Protect main"] },
  ],
  EACTIONSNOTBYPASSABLE: [{ owner: "octo", repo: "lib" }],
  ENOWORKSPACEPACKAGES: [
    { cwd: "/home/runner/work/lib", patterns: ["packages/*"] },
    { cwd: "/home/runner/work/lib", patterns: [] },
  ],
  ETAGONOTHERCOMMIT: [
    { tags: [{ tag: "@acme/core@1.4.0", existingSha: "c".repeat(40), where: "remote" }], commit: "a".repeat(40) },
    { tags: [{ tag: "@acme/core@1.4.0", existingSha: "c".repeat(40), where: "remote" }, { tag: "v2.0.0", existingSha: "d".repeat(40), where: "local" }], commit: "a".repeat(40) },
  ],
};

/** Each code's rendered texts; a code without a sample or a definition that throws is a failure, not a skip. */
function renderAll(): { rendered: { code: string; message: string; details: string }[]; problems: string[] } {
  const rendered: { code: string; message: string; details: string }[] = [];
  const problems: string[] = [];
  for (const [code, define] of Object.entries(ERRORS) as [ErrorCode, (ctx: unknown) => { message: string; details: string }][]) {
    const samples = (SAMPLES as Partial<Record<string, unknown[]>>)[code] ?? [];
    if (samples.length === 0) problems.push(`${code}: no sample context in test/readme.test.ts`);
    for (const [i, sample] of samples.entries()) {
      try {
        rendered.push({ code, ...define(sample) });
      } catch (error) {
        problems.push(`${code} (sample ${i + 1}) cannot render: ${(error as Error).message}`);
      }
    }
  }
  return { rendered, problems };
}

describe("README", () => {
  it("opens with the two commands that work on a fresh machine", () => {
    const top = readme.split("\n## ")[0]!;
    assert.match(top, /npm ci && npm run demo/);
    assert.match(top, /npm ci && npm test/);
  });

  it("has a troubleshooting entry for every error code", () => {
    const missing = (Object.keys(ERRORS) as ErrorCode[]).filter((code) => !code.startsWith("EINVALID") || code === "EINVALIDPRIVATEKEY" || code === "EINVALIDAPPID" || code === "EINVALIDREPOSITORYURL" || code === "EINVALIDTOKEN").filter((code) => !anchors.has(code.toLowerCase()));
    assert.deepEqual(missing, []);
    assert.ok(anchors.has("einvalidoption"), "one entry explains every EINVALID<OPTION>");
  });

  it("renders every error code of the catalog, each with a message and details", () => {
    const { rendered, problems } = renderAll();
    assert.deepEqual(problems, []);
    assert.deepEqual(Object.keys(SAMPLES).filter((code) => !(code in ERRORS)), [], "no sample for a code the catalog no longer has");
    for (const { code, message, details } of rendered) {
      assert.ok(message.trim().length > 0 && !message.includes("undefined"), `${code}: message ${JSON.stringify(message)}`);
      assert.ok(details.trim().length > 0 && !/\bundefined\b/.test(details), `${code}: details say "undefined"`);
    }
  });

  it("resolves every README link that an error's details carry, and every code's details carry one", () => {
    const broken: string[] = [];
    const unlinked = new Set<string>();
    for (const { code, details } of renderAll().rendered) {
      const links = [...details.matchAll(README_LINK)].map((m) => m[1]!);
      if (links.length === 0) unlinked.add(code);
      for (const anchor of links) if (!anchors.has(anchor)) broken.push(`${code} → #${anchor}`);
    }
    assert.deepEqual(broken, []);
    assert.deepEqual([...unlinked], []);
  });

  it("resolves every README anchor named in the error catalog's source", () => {
    const dir = new URL("../lib/errors/", import.meta.url);
    const named = readdirSync(dir).flatMap((file) => {
      const source = readFileSync(new URL(file, dir), "utf8");
      return [...source.matchAll(/linkify\("([a-z0-9-]+)"\)|link: \["[^"]+", "([a-z0-9-]+)"\]/g)].map((m) => m[1] ?? m[2]!);
    });
    assert.ok(named.length >= 10, `found ${named.length} anchors`);
    assert.deepEqual(named.filter((anchor) => !anchors.has(anchor)), []);
  });
});
