// Checks the stand-in's ruleset pattern matcher (src/ref-pattern.ts) against the behaviour it models:
// Ruby's File.fnmatch(p, s, File::FNM_PATHNAME), which GitHub uses for ruleset ref and repository
// name conditions (docs/github.md §1.4). The corpus (src/ruby-fnmatch.ts) is the one
// test/fnmatch-ruby.test.ts runs against the plugin's matcher, plus cases of the stand-in's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fnmatchPathname } from "../src/ref-pattern.js";
import { PAIRS, rubyAnswers, rubyFnmatchCorpus } from "../src/ruby-fnmatch.js";



// Cases of the stand-in's own: GitHub's documented examples and the corners of its compiler
// (globstars, hidden segments, brackets that hold a `/`, escapes, unterminated brackets).
const STAND_IN_CASES: Array<[string, string]> = [
  ["refs/heads/main", "refs/heads/main"],
  ["refs/heads/main", "refs/heads/main2"],
  ["main", "refs/heads/main"],
  ["refs/heads/release/*", "refs/heads/release/1.x"],
  ["refs/heads/release/*", "refs/heads/release/1.x/hotfix"],
  ["refs/heads/release/**/*", "refs/heads/release/1.x/hotfix"],
  ["refs/heads/**/*", "refs/heads/.hidden/x"],
  ["refs/tags/v*", "refs/tags/v1.0.0"],
  ["refs/tags/v*", "refs/tags/.v1"],
  ["refs/tags/*", "refs/tags/"],
  ["refs/**", "refs/heads/main"],
  ["**", "a/b"],
  ["**/", "a/b/"],
  ["**/**/b", "a/b"],
  ["a/**/**/", "a/"],
  ["*/", "/"],
  ["", ""],
  ["*", ""],
  ["/a", "/a"],
  ["a/", "a"],
  ["a\\/b", "a/b"],
  ["a[/]b", "a/b"],
  ["a[b/]c/d", "abc/d"],
  ["[!a]", "/"],
  ["[a-]", "-"],
  ["[a-\\]]", "]"],
  ["[a\\-z]", "-"],
  ["[z-a]", "m"],
  ["[z-a]", "z"],
  ["[!]", "."],
  [".*", ".a"],
  ["\\.*", ".a"],
  ["?a", ".a"],
  ["[.]a", ".a"],
  ["*[", "a["],
  ["a[b", "a[b"],
  ["a/[b/c", "a/[b/c"],
  ["***/x", "a/x"],
  ["a**/x", "ab/x"],
  ["**\\/x", "a/x"],
  ["x/**/y", "x/y"],
  ["x/**/y", "x/.a/y"],
  ["x/**/.a/y", "x/b/.a/y"],
  ["repo-*", "repo-api"],
  ["repo-*", "Repo-api"],
  ["v[0-9].*", "v1.x"],
  ["é*", "éa"],
  ["[é-ê]", "ê"],
  ["[😀]?", "😀x"],
];

function mismatches(pairs: Array<[string, string]>): { differences: string[]; rubyMatches: number } {
  const answers = rubyAnswers(pairs);
  const differences: string[] = [];
  let rubyMatches = 0;
  pairs.forEach(([pattern, path], i) => {
    const ruby = answers[i]!;
    const where = `pattern ${JSON.stringify(pattern)} path ${JSON.stringify(path)}`;
    if (typeof ruby === "string") {
      differences.push(`ruby raised ${ruby} for ${where}`);
      return;
    }
    if (ruby) rubyMatches++;
    const ours = fnmatchPathname(pattern, path);
    if (ours !== ruby) differences.push(`${where}: ruby ${ruby}, stand-in ${ours}`);
  });
  return { differences, rubyMatches };
}

test(`the stand-in's matcher agrees with Ruby File.fnmatch(p, s, File::FNM_PATHNAME) on ${PAIRS} generated pairs`, () => {
  const pairs = rubyFnmatchCorpus();
  const { differences, rubyMatches } = mismatches(pairs);
  // The generator must produce a healthy share of both outcomes, or the comparison proves little.
  assert.ok(rubyMatches > pairs.length * 0.2 && rubyMatches < pairs.length * 0.8, `ruby matched ${rubyMatches} of ${pairs.length} pairs: the generator is unbalanced`);
  assert.deepEqual(differences.slice(0, 20), [], `${differences.length} of ${pairs.length} pairs differ from Ruby (first 20 shown)`);
});

test("the stand-in's matcher agrees with Ruby on ref names, hidden segments, globstars and bracket corners", () => {
  const { differences, rubyMatches } = mismatches(STAND_IN_CASES);
  assert.ok(rubyMatches > 10 && rubyMatches < STAND_IN_CASES.length - 10, `ruby matched ${rubyMatches} of ${STAND_IN_CASES.length}`);
  assert.deepEqual(differences, []);
});

test("the stand-in's matcher stays fast on patterns made to backtrack", () => {
  const started = performance.now();
  const stars = "*a".repeat(30);
  assert.equal(fnmatchPathname(`${stars}b`, "a".repeat(200)), false);
  assert.equal(fnmatchPathname(`${"**/".repeat(20)}x/y`, `${"d/".repeat(200)}x/z`), false);
  assert.ok(performance.now() - started < 1000, "answered in under a second");
});
