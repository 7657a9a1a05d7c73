import { test } from "node:test";
import assert from "node:assert/strict";
import { fnmatch, matchesRefName } from "../lib/preflight/fnmatch.js";

function check(pattern: string, cases: Record<string, boolean>): void {
  for (const [path, expected] of Object.entries(cases)) {
    assert.equal(fnmatch(pattern, path), expected, `fnmatch(${JSON.stringify(pattern)}, ${JSON.stringify(path)})`);
  }
}

test("GitHub docs examples: releases/**/* and qa/**/* cross directories", () => {
  // docs/github.md §1.4: `**/` crosses directories (`qa/**/*`)
  check("releases/**/*", {
    "releases/v1": true,
    "releases/v1/hotfix": true,
    "releases/a/b/c": true,
    releases: false,
    // Ruby: a trailing `*` succeeds even on an empty last segment.
    "releases/": true,
    "other/releases/v1": false,
  });
  check("refs/heads/qa/**/*", {
    "refs/heads/qa/feature1": true,
    "refs/heads/qa/release/v1": true,
    "refs/heads/qa": false,
    "refs/heads/qaa/x": false,
  });
});

test("v* and refs/tags/v[0-9]*: * stops at /", () => {
  check("v*", { v: true, "v1.0.0": true, "v1/x": false, x1: false });
  check("refs/tags/v*", { "refs/tags/v1.0.0": true, "refs/tags/v": true, "refs/tags/release-v1": false, "refs/tags/v1/x": false });
  check("refs/tags/v[0-9]*", {
    "refs/tags/v1.0.0": true,
    "refs/tags/v10": true,
    "refs/tags/vx": false,
    "refs/tags/v": false,
    "refs/heads/v1": false,
  });
  check("refs/heads/*", { "refs/heads/main": true, "refs/heads/feature/x": false });
});

test("? and brackets never match /", () => {
  check("a?b", { axb: true, "a/b": false, ab: false });
  check("a[/x]b", { "a/b": false, axb: true });
  check("a[!x]b", { ayb: true, axb: false, "a/b": false });
  check("a[^x]b", { ayb: true, axb: false });
  check("[a-c]", { a: true, b: true, c: true, d: false, "-": false });
  check("[a-]", { a: true, "-": true, b: false });
  check("[]", { x: false });
  check("[!]", { x: true });
  check("[a", { "[a": false, a: false });
});

test("escapes, literal braces, case sensitivity", () => {
  check("a\\*b", { "a*b": true, axb: false });
  check("\\[a]", { "[a]": true, a: false });
  check("a\\", { a: true });
  check("{a,b}", { "{a,b}": true, a: false });
  check("Main", { Main: true, main: false });
});

test("a leading dot is only matched literally (no FNM_DOTMATCH)", () => {
  check("*", { ".hidden": false, visible: true });
  check("a/*", { "a/.x": false, "a/x": true });
  check("?x", { ".x": false });
  check("[.]x", { ".x": false });
  check(".*", { ".x": true });
  check("**/x", { "a/x": true, ".a/x": false, x: true });
  check("a/**/x", { "a/b/x": true, "a/.b/x": false, "a/x": true });
});

test("** is a directory wildcard only as a whole segment", () => {
  check("a**/b", { "ab/b": true, "a/x/b": false });
  check("**", { abc: true, "a/b": false });
  check("**/", { "a/": true, a: false });
  check("a/**/b/**/c", { "a/b/c": true, "a/x/b/y/z/c": true, "a/x/y/c": false });
});

test("pathological patterns stay fast", () => {
  const path = `refs/heads/${"a".repeat(2000)}`;
  const started = Date.now();
  assert.equal(fnmatch(`${"*a".repeat(200)}b`, path), false);
  assert.equal(fnmatch(`refs/heads/${"*a".repeat(200)}*b`, path), false);
  assert.equal(fnmatch(`${"**/".repeat(50)}x`, `${"d/".repeat(500)}y`), false);
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
});

test("NUL never matches", () => {
  assert.equal(fnmatch("a\0", "a"), false);
  assert.equal(fnmatch("*", "a\0"), false);
});

test("matchesRefName: ~ALL, ~DEFAULT_BRANCH, include and exclude", () => {
  assert.equal(matchesRefName({ include: ["~ALL"], exclude: [] }, "refs/tags/v1.0.0", "main"), true);
  assert.equal(matchesRefName({ include: ["~DEFAULT_BRANCH"], exclude: [] }, "refs/heads/main", "main"), true);
  assert.equal(matchesRefName({ include: ["~DEFAULT_BRANCH"], exclude: [] }, "refs/heads/trunk", "main"), false);
  assert.equal(matchesRefName({ include: ["~DEFAULT_BRANCH"], exclude: [] }, "refs/tags/main", "main"), false);
  assert.equal(matchesRefName({ include: ["refs/tags/v*"], exclude: [] }, "refs/tags/v2.0.0", "main"), true);
  assert.equal(matchesRefName({ include: ["refs/tags/v*"], exclude: ["refs/tags/v*-beta*"] }, "refs/tags/v2.0.0-beta.1", "main"), false);
  assert.equal(matchesRefName({ include: ["~ALL"], exclude: ["~DEFAULT_BRANCH"] }, "refs/heads/main", "main"), false);
  assert.equal(matchesRefName({ include: ["~ALL"], exclude: ["~DEFAULT_BRANCH"] }, "refs/heads/dev", "main"), true);
  assert.equal(matchesRefName({ include: [], exclude: [] }, "refs/heads/main", "main"), false);
  // Patterns are matched against the full ref (docs/github.md §1.4), so a bare branch name does not match.
  assert.equal(matchesRefName({ include: ["main"], exclude: [] }, "refs/heads/main", "main"), false);
});
