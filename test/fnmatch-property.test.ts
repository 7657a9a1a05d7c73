// Properties of lib/preflight/fnmatch.ts on arbitrary input (fast-check): it never throws, stays fast, and
// the ref_name specials behave as GitHub documents them (docs/github.md §1.3/§1.4).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { fnmatch, matchesRefName } from "../lib/preflight/fnmatch.js";

// Strings rich in the characters the matcher treats specially, plus arbitrary ones.
const globChar = fc.constantFrom("*", "**", "**/", "?", "[", "]", "!", "^", "-", "\\", "/", ".", "a", "b", "{", ",", "}");
const globString = fc.array(globChar, { maxLength: 40 }).map((parts) => parts.join(""));
const anyString = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: "binary", maxLength: 60 }), globString);
const pathString = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(fc.constantFrom("a", "b", ".", "/", "-", "refs/", "heads/", "tags/"), { maxLength: 40 }).map((p) => p.join("")),
);
const literal = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !/[*?[\\\0]/.test(s));

test("fnmatch never throws and answers quickly on arbitrary strings", () => {
  // Timing bounds are loose (shared CI machines, GC pauses); a backtracking blow-up would exceed them by far.
  let total = 0;
  fc.assert(
    fc.property(anyString, pathString, (pattern, path) => {
      const started = performance.now();
      const result = fnmatch(pattern, path);
      const elapsed = performance.now() - started;
      total += elapsed;
      assert.equal(typeof result, "boolean");
      assert.ok(elapsed < 1000, `slow (${elapsed} ms): ${JSON.stringify(pattern)} vs ${JSON.stringify(path)}`);
    }),
    { numRuns: 3000 },
  );
  assert.ok(total < 3000, `3000 calls took ${total} ms`);
});

test("many stars against a long path stay fast", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 100, max: 3000 }), (stars, length) => {
      const started = performance.now();
      assert.equal(fnmatch(`${"*a".repeat(stars)}*b`, "a".repeat(length)), false);
      assert.equal(fnmatch(`${"**/*a".repeat(Math.min(stars, 40))}/b`, "a/".repeat(Math.min(length, 400)) + "c"), false);
      assert.ok(performance.now() - started < 1000);
    }),
    { numRuns: 30 },
  );
});

test("a pattern without special characters matches exactly itself", () => {
  fc.assert(
    fc.property(literal, (text) => {
      assert.equal(fnmatch(text, text), true);
    }),
  );
  fc.assert(
    fc.property(literal, pathString, (text, other) => {
      assert.equal(fnmatch(text, other), text === other);
      assert.equal(fnmatch(text, text + other), other === "");
    }),
  );
});

test("~ALL matches every ref, whatever the default branch", () => {
  fc.assert(
    fc.property(pathString, fc.string(), (ref, defaultBranch) => {
      assert.equal(matchesRefName({ include: ["~ALL"], exclude: [] }, ref, defaultBranch), true);
      assert.equal(matchesRefName({ include: ["~ALL"], exclude: ["~ALL"] }, ref, defaultBranch), false);
    }),
  );
});

test("~DEFAULT_BRANCH matches exactly refs/heads/<default branch>", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), pathString, (branch, ref) => {
      assert.equal(matchesRefName({ include: ["~DEFAULT_BRANCH"], exclude: [] }, `refs/heads/${branch}`, branch), true);
      assert.equal(matchesRefName({ include: ["~DEFAULT_BRANCH"], exclude: [] }, ref, branch), ref === `refs/heads/${branch}`);
    }),
  );
});
