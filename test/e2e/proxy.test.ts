// End to end: a release behind an HTTP(S) proxy (README "Proxies", lib/proxy.ts). The real
// semantic-release CLI and git against the stand-in, through a forward proxy written for the test
// (test/helpers/forward-proxy.ts) that records what went through it. The proxy is proven to be used
// by addresses only it can reach: `127.7.7.7` (loopback, but nothing listens there: the proxy
// routes it to the stand-in) and `github.proxy.test` (a name that resolves nowhere, RFC 6761: the
// proxy answers its TLS with a certificate made for the test). A request that reached GitHub must
// have gone through the proxy.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertNoSecrets, assertReleasePushedByApp, assertTokensRevoked, output, releaseWorld, type ReleaseWorld, type RunResult } from "../helpers/e2e.js";
import { refusesDirect, startForwardProxy, type ForwardProxy, type ProxiedRequest } from "../helpers/forward-proxy.js";

const PROXY_ONLY_HOST = "127.7.7.7";
const PROXY_ONLY_NAME = "github.proxy.test";
const PLUGIN_AGENT = /^semantic-release-github-app\//;
const GIT_AGENT = /^git\//;

const describeRequest = (r: ProxiedRequest) => `${r.method} ${r.path.split("?")[0]}`;
const pluginRequests = (proxy: ForwardProxy) => proxy.seen.filter((r) => PLUGIN_AGENT.test(r.userAgent)).map(describeRequest);

/** What the plugin asks GitHub in a release as the App: the token, the rules, the revocation. */
function assertPluginWentThrough(proxy: ForwardProxy, target: string, world: ReleaseWorld): void {
  const sent = pluginRequests(proxy);
  assert.ok(sent.includes(`POST /api/v3/app/installations/${world.installation.id}/access_tokens`), `the mint went through the proxy: ${sent.join(", ")}`);
  assert.ok(sent.includes("GET /api/v3/repos/octo/lib/rules/branches/main"), "the preflight went through the proxy");
  assert.ok(sent.includes("DELETE /api/v3/installation/token"), "the revocation went through the proxy");
  assert.ok(proxy.seen.filter((r) => PLUGIN_AGENT.test(r.userAgent)).every((r) => r.target === target), `every plugin request asked for ${target}`);
}

/** The plugin's own push, made by git through the proxy to the proxy-only address. */
function assertGitPushWentThrough(proxy: ForwardProxy, target: string): void {
  const pushes = proxy.seen.filter((r) => GIT_AGENT.test(r.userAgent) && r.target === target && r.method === "POST" && r.path.endsWith("/git-receive-pack"));
  assert.equal(pushes.length, 1, "git pushed the release once, through the proxy");
}

describe("http_proxy: a release whose API and git server only the proxy reaches", () => {
  let world: ReleaseWorld;
  let proxy: ForwardProxy;
  let result: RunResult;
  let target: string;
  let since: ReturnType<ReleaseWorld["standIn"]["mark"]>;

  before(async () => {
    world = await releaseWorld();
    const port = Number(new URL(world.standIn.origin).port);
    target = `${PROXY_ONLY_HOST}:${port}`;
    proxy = await startForwardProxy({ routes: { [target]: `127.0.0.1:${port}` } });
    assert.ok(await refusesDirect(PROXY_ONLY_HOST, port), `${target} is not reachable without the proxy`);
    since = world.standIn.mark(); // after the workspace was cloned
    result = await world.run([], {
      GITHUB_SERVER_URL: `http://${target}`,
      GITHUB_API_URL: `http://${target}/api/v3`,
      // curl (git) reads only the lower-case form for http URLs; the plugin reads both
      http_proxy: proxy.url,
    });
  });
  after(async () => {
    await proxy.close();
    await world.close();
  });

  it("releases as the App", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertReleasePushedByApp(world);
  });

  it("sent every API request and its own push through the proxy; nothing reached GitHub directly", () => {
    assertPluginWentThrough(proxy, target, world);
    assertGitPushWentThrough(proxy, target);
    assert.ok(proxy.tunnels.every((t) => t === target), "the plugin tunnels (CONNECT) to the API's address");
    // semantic-release's own git commands go to the origin remote (127.0.0.1), through the proxy too
    assert.equal(world.standIn.requests({ since }).length, proxy.seen.length, "the stand-in answered only what the proxy relayed");
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

describe("HTTPS_PROXY: an https GitHub whose name only the proxy resolves", { skip: hasOpenssl ? false : "needs the openssl command to make a certificate" }, () => {
  let world: ReleaseWorld;
  let proxy: ForwardProxy;
  let result: RunResult;
  let dir: string;
  const target = `${PROXY_ONLY_NAME}:443`;

  before(async () => {
    world = await releaseWorld();
    dir = mkdtempSync(join(tmpdir(), "proxy-tls-"));
    const key = join(dir, "key.pem");
    const cert = join(dir, "cert.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", `/CN=${PROXY_ONLY_NAME}`, "-addext", `subjectAltName=DNS:${PROXY_ONLY_NAME}`], { stdio: "ignore" });
    const port = Number(new URL(world.standIn.origin).port);
    proxy = await startForwardProxy({ routes: { [target]: `127.0.0.1:${port}` }, tls: { [target]: { key: readFileSync(key), cert: readFileSync(cert) } } });
    result = await world.run([], {
      GITHUB_SERVER_URL: `https://${PROXY_ONLY_NAME}`,
      GITHUB_API_URL: `https://${PROXY_ONLY_NAME}/api/v3`,
      HTTPS_PROXY: proxy.url,
      // trust the test's certificate: Node (the plugin) and git
      NODE_EXTRA_CA_CERTS: cert,
      GIT_SSL_CAINFO: cert,
    });
  });
  after(async () => {
    await proxy.close();
    await world.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("releases as the App", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertReleasePushedByApp(world);
  });

  it("tunnelled every API request and its own push through the proxy (CONNECT, TLS inside)", () => {
    assertPluginWentThrough(proxy, target, world);
    assertGitPushWentThrough(proxy, target);
    assert.ok(proxy.seen.filter((r) => r.target === target).every((r) => r.via === "tunnel"));
    // HTTPS_PROXY is for https URLs: semantic-release's git commands to the http origin go direct
    assert.ok(proxy.seen.every((r) => r.target === target), "nothing for http URLs went through the https proxy");
  });

  it("revokes the token and leaks no secret", async () => {
    assertTokensRevoked(world);
    await assertNoSecrets(world, result);
  });
});

describe("NO_PROXY: a listed host is reached directly", () => {
  let world: ReleaseWorld;
  let proxy: ForwardProxy;
  let result: RunResult;

  before(async () => {
    world = await releaseWorld();
    proxy = await startForwardProxy();
    // the stand-in is at 127.0.0.1 (the world's GITHUB_SERVER_URL / GITHUB_API_URL)
    result = await world.run([], { http_proxy: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: "example.com, 127.0.0.1" });
  });
  after(async () => {
    await proxy.close();
    await world.close();
  });

  it("releases as the App without the proxy seeing anything", async () => {
    assert.equal(result.code, 0, output(result));
    assert.ok(await world.remoteRef("refs/tags/v1.0.0"));
    assertReleasePushedByApp(world);
    assert.deepEqual(proxy.seen, []);
    assert.deepEqual(proxy.tunnels, []);
    assertTokensRevoked(world);
  });
});
