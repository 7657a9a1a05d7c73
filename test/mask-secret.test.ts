import { test } from "node:test";
import assert from "node:assert/strict";
import { maskSecret } from "../lib/mask-secret.js";

function sink() {
  const chunks: string[] = [];
  return { chunks, write: (chunk: string) => chunks.push(chunk) };
}

test("On GitHub Actions, maskSecret writes ::add-mask:: with the whole value", () => {
  const stdout = sink();
  const token = "ghs_12345_" + "eyJhbGciOi.JSUzI1NiJ9-x_y".repeat(20); // docs/github.md §6.2: long, with dots
  assert.equal(maskSecret(token, { env: { GITHUB_ACTIONS: "true" }, stdout }), true);
  assert.deepEqual(stdout.chunks, [`::add-mask::${token}\n`]);
});

test("maskSecret escapes %, CR and LF as workflow commands require", () => {
  const stdout = sink();
  maskSecret("a%b\r\nc", { env: { GITHUB_ACTIONS: "true" }, stdout });
  assert.deepEqual(stdout.chunks, ["::add-mask::a%25b%0D%0Ac\n"]);
});

test("Nothing is written when not on GitHub Actions, or for an empty value", () => {
  const stdout = sink();
  assert.equal(maskSecret("ghs_secret", { env: {}, stdout }), false);
  assert.equal(maskSecret("ghs_secret", { env: { GITHUB_ACTIONS: "false" }, stdout }), false);
  assert.equal(maskSecret("", { env: { GITHUB_ACTIONS: "true" }, stdout }), false);
  assert.equal(maskSecret(undefined, { env: { GITHUB_ACTIONS: "true" }, stdout }), false);
  assert.deepEqual(stdout.chunks, []);
});
