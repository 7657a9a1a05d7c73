// Every error's details link to a README anchor; a link to nowhere is a broken promise to a user
// who is in the middle of a failed release.
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

/** Call each definition with a context that has whatever it reads: a proxy answering every key. */
function sampleContext(): unknown {
  const handler: ProxyHandler<object> = {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => "x" : key === Symbol.iterator ? [][Symbol.iterator] : key === "length" ? 0 : new Proxy(() => "x", handler)),
    apply: () => "x",
  };
  return new Proxy(() => "x", handler);
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

  it("resolves every README link that an error's details carry", () => {
    const broken: string[] = [];
    for (const [code, define] of Object.entries(ERRORS)) {
      let details = "";
      try {
        details = (define as (ctx: unknown) => { details: string })(sampleContext()).details;
      } catch {
        continue; // a definition that needs a real context is covered by its module's tests
      }
      for (const [, anchor] of details.matchAll(new RegExp(`${HOMEPAGE.replace(/[.]/g, "\\.")}/blob/main/README\\.md#([a-z0-9-]+)`, "g"))) {
        if (!anchors.has(anchor!)) broken.push(`${code} → #${anchor}`);
      }
    }
    assert.deepEqual(broken, []);
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
