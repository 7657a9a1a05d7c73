import { test } from "node:test";
import assert from "node:assert/strict";
import { CORE_DEFAULT_IDENTITY, commitIdentityEnv, identityFor, noreplyDomain, noreplyEmail, resolveBotIdentity } from "../lib/token/bot-identity.js";
import { ReleaseOctokit, toOctokitOptions } from "../lib/octokit.js";
import { startStandIn } from "github-stand-in";

const bot = { name: "release-bot[bot]", email: "149+release-bot[bot]@users.noreply.github.com" };

test("The bot e-mail follows the <id>+<login>@users.noreply.github.com rule on github.com", () => {
  assert.equal(noreplyEmail("github-actions[bot]", 41898282, "https://github.com"), "41898282+github-actions[bot]@users.noreply.github.com");
  assert.deepEqual(identityFor("release-bot[bot]", 149, "https://github.com"), { name: "release-bot[bot]", email: "149+release-bot[bot]@users.noreply.github.com", userId: 149 });
});

test("On GitHub Enterprise Server the noreply domain is the server's own", () => {
  assert.equal(noreplyDomain("https://ghe.example.com"), "users.noreply.ghe.example.com");
  assert.equal(noreplyDomain("https://GHE.Example.com:8443/"), "users.noreply.ghe.example.com");
  assert.equal(noreplyEmail("release-bot[bot]", 7, "https://ghe.example.com"), "7+release-bot[bot]@users.noreply.ghe.example.com");
});

test("commitIdentityEnv: the bot when nothing is set", () => {
  assert.deepEqual(commitIdentityEnv({}, bot), {
    GIT_AUTHOR_NAME: bot.name,
    GIT_AUTHOR_EMAIL: bot.email,
    GIT_COMMITTER_NAME: bot.name,
    GIT_COMMITTER_EMAIL: bot.email,
  });
});

test("commitIdentityEnv: semantic-release core's defaults do not count as the user's choice", () => {
  const coreDefaults = {
    GIT_AUTHOR_NAME: CORE_DEFAULT_IDENTITY.name,
    GIT_AUTHOR_EMAIL: CORE_DEFAULT_IDENTITY.email,
    GIT_COMMITTER_NAME: "semantic-release-bot",
    GIT_COMMITTER_EMAIL: "semantic-release-bot@martynus.net",
  };
  assert.deepEqual(commitIdentityEnv(coreDefaults, bot), commitIdentityEnv({}, bot));
});

test("commitIdentityEnv: explicit user values win, each variable on its own; empty ones do not count", () => {
  assert.deepEqual(
    commitIdentityEnv({ GIT_AUTHOR_NAME: "Jane", GIT_AUTHOR_EMAIL: "jane@example.com", GIT_COMMITTER_NAME: "", GIT_COMMITTER_EMAIL: "semantic-release-bot@martynus.net" }, bot),
    { GIT_AUTHOR_NAME: "Jane", GIT_AUTHOR_EMAIL: "jane@example.com", GIT_COMMITTER_NAME: bot.name, GIT_COMMITTER_EMAIL: bot.email },
  );
});

test("resolveBotIdentity asks GET /users/<slug>%5Bbot%5D and builds the name and e-mail from the bot's user id", async (t) => {
  const standIn = await startStandIn();
  t.after(() => standIn.close());
  standIn.createUser("octo");
  const { app } = standIn.createApp({ slug: "release-bot", owner: "octo", permissions: { contents: "write", metadata: "read" } });
  const installation = standIn.installApp(app, "octo");
  const token = standIn.mintInstallationToken(installation).token;
  const octokit = new ReleaseOctokit(toOctokitOptions({ baseUrl: standIn.apiUrl, auth: token }));
  const identity = await resolveBotIdentity({ octokit, slug: "release-bot", githubUrl: "https://github.com" });
  assert.deepEqual(identity, {
    name: "release-bot[bot]",
    email: `${app.botUserId}+release-bot[bot]@users.noreply.github.com`,
    userId: app.botUserId,
  });
  assert.notEqual(app.botUserId, app.id);
  const request = standIn.requests({ route: "GET /users/{username}" })[0];
  assert.equal(request?.path, "/api/v3/users/release-bot%5Bbot%5D");
  assert.equal(request?.status, 200);
});
