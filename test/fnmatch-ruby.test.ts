// Compares lib/preflight/fnmatch.ts with the reference it ports: Ruby's File.fnmatch(p, s, File::FNM_PATHNAME)
// (docs/github.md §1.4). The pairs come from the stand-in's Ruby corpus (github-stand-in/ruby-fnmatch:
// a seeded generator and fixed corner cases), which also judges the stand-in's own matcher; one ruby
// process answers them all. Ruby is required: CI's .ci/run installs it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PAIRS, rubyAnswers, rubyFnmatchCorpus } from "github-stand-in/ruby-fnmatch";
import { fnmatch } from "../lib/preflight/fnmatch.js";

test(`fnmatch agrees with Ruby File.fnmatch(p, s, File::FNM_PATHNAME) on ${PAIRS} generated pairs`, () => {
  const pairs = rubyFnmatchCorpus();
  const answers = rubyAnswers(pairs);
  const mismatches: string[] = [];
  let rubyMatches = 0;
  pairs.forEach(([pattern, path], i) => {
    const ruby = answers[i]!;
    const where = `pattern ${JSON.stringify(pattern)} path ${JSON.stringify(path)}`;
    if (typeof ruby === "string") {
      mismatches.push(`ruby raised ${ruby} for ${where}`);
      return;
    }
    if (ruby) rubyMatches++;
    const ours = fnmatch(pattern, path);
    if (ours !== ruby) mismatches.push(`${where}: ruby ${ruby}, fnmatch ${ours}`);
  });
  // The generator must produce a healthy share of both outcomes, or the comparison proves little.
  assert.ok(rubyMatches > pairs.length * 0.2 && rubyMatches < pairs.length * 0.8, `ruby matched ${rubyMatches} of ${pairs.length} pairs: the generator is unbalanced`);
  assert.deepEqual(
    mismatches.slice(0, 20),
    [],
    `${mismatches.length} of ${pairs.length} pairs differ from Ruby (first 20 shown; ${rubyMatches} matched in Ruby)`,
  );
});
