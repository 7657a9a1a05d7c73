// Ruby's File.fnmatch(pattern, path, File::FNM_PATHNAME) as the reference for GitHub's ruleset
// pattern matching (docs/github.md §1.4): a deterministic corpus of pattern/path pairs (a seeded
// PRNG plus fixed corner cases) and one ruby process that answers them all. Shared by the tests of
// the stand-in's own matcher and of the plugin's (test/fnmatch-ruby.test.ts): the same pairs judge
// both matchers, and neither matcher is shared. Ruby is required (CI's .ci/run installs it).
import { spawnSync } from "node:child_process";

const SEED = 0x5eed_f17e;
export const PAIRS = 4000;

/** mulberry32: small, deterministic, good enough to vary test cases. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** the generator's state: reset by rubyFnmatchCorpus, so every call yields the same pairs */
let random = prng(SEED);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const chance = (p: number): boolean => random() < p;

// A small alphabet so that generated paths often hit the pattern; a few specials and non-ASCII.
const LETTERS = ["a", "b", "c", "v", "x", "0", "1", "9", "-", "_", ".", "A"] as const;
const RARE = ["é", "😀", "{", "}", ",", "]", "!", "^", "\\", "*", "?", "["] as const;
const letter = (): string => (chance(0.07) ? pick(RARE) : pick(LETTERS));

/** A pattern token plus a generator of strings it should match (within a segment). */
interface Token {
  pattern: string;
  sample: () => string;
}

function bracketToken(): Token {
  const negated = chance(0.3) ? pick(["!", "^"]) : "";
  const members: string[] = [];
  const matching: string[] = [];
  const count = 1 + int(3);
  for (let i = 0; i < count; i++) {
    if (chance(0.35)) {
      const [low, high] = pick([["a", "c"], ["0", "9"], ["v", "x"], ["A", "Z"], ["c", "a"], ["-", "."]] as const);
      members.push(`${low}-${high}`);
      matching.push(low, high);
    } else if (chance(0.1)) {
      const ch = pick(["]", "-", "\\", "/", "!", "^"]);
      members.push(`\\${ch}`);
      matching.push(ch);
    } else if (chance(0.05)) {
      members.push("/");
    } else {
      const ch = letter();
      members.push(ch === "\\" || ch === "]" ? `\\${ch}` : ch);
      matching.push(ch);
    }
  }
  // Sometimes: `]` first (Ruby closes immediately), a trailing `-`, or no closing bracket.
  if (chance(0.05)) members.unshift("]");
  if (chance(0.05)) members.push("-");
  const close = chance(0.04) ? "" : "]";
  const pattern = `[${negated}${members.join("")}${close}`;
  return {
    pattern,
    sample: () => (negated || matching.length === 0 || chance(0.2) ? letter() : pick(matching)),
  };
}

function token(): Token {
  const roll = random();
  if (roll < 0.4) {
    const ch = letter();
    if (ch === "\\" || ch === "*" || ch === "?" || ch === "[") return { pattern: `\\${ch}`, sample: () => ch };
    return { pattern: ch, sample: () => ch };
  }
  if (roll < 0.6) {
    const stars = chance(0.8) ? "*" : "**";
    return { pattern: stars, sample: () => Array.from({ length: int(4) }, letter).join("") };
  }
  if (roll < 0.72) return { pattern: "?", sample: letter };
  if (roll < 0.85) return bracketToken();
  if (roll < 0.9) return { pattern: ".", sample: () => "." };
  if (roll < 0.94) {
    const ch = pick(["a", ".", "/", "{", "\\"]);
    return { pattern: `\\${ch}`, sample: () => ch };
  }
  if (roll < 0.97) return { pattern: "{a,b}", sample: () => (chance(0.5) ? "{a,b}" : pick(["a", "b"])) };
  return { pattern: "\\", sample: () => "" }; // a lone backslash (trailing when last)
}

interface Segment {
  pattern: string;
  sample: () => string;
}

function segment(): Segment {
  if (chance(0.15)) {
    // `**` as a whole segment: zero or more directories.
    return {
      pattern: "**",
      sample: () =>
        Array.from({ length: int(3) }, () => Array.from({ length: 1 + int(3) }, letter).join("")).join("/"),
    };
  }
  const tokens = Array.from({ length: 1 + int(4) }, token);
  return {
    pattern: tokens.map((t) => t.pattern).join(""),
    sample: () => tokens.map((t) => t.sample()).join(""),
  };
}

function generatePair(): [string, string] {
  const prefix = chance(0.3) ? pick(["refs/heads/", "refs/tags/", "refs/"]) : "";
  const segments = Array.from({ length: 1 + int(4) }, segment);
  const trailingSlash = chance(0.05) ? "/" : "";
  const leadingSlash = chance(0.03) ? "/" : "";
  const pattern = leadingSlash + prefix + segments.map((s) => s.pattern).join("/") + trailingSlash;

  const roll = random();
  let path: string;
  if (roll < 0.65) {
    // Built to match (the `**` segment may produce an empty string, giving `a//b`, also a useful case).
    path = leadingSlash + prefix + segments.map((s) => s.sample()).filter((x, i) => x !== "" || i === 0 || chance(0.3)).join("/") + trailingSlash;
  } else if (roll < 0.85) {
    // Built to match, then mutated.
    const base = Array.from(prefix + segments.map((s) => s.sample()).join("/"));
    const mutations = 1 + int(2);
    for (let i = 0; i < mutations; i++) {
      const at = int(base.length + 1);
      const kind = int(3);
      if (kind === 0) base.splice(at, 0, chance(0.3) ? "/" : chance(0.3) ? "." : letter());
      else if (kind === 1) base.splice(at, 1);
      else base.splice(at, 1, letter());
    }
    path = base.join("");
  } else {
    path = prefix + Array.from({ length: 1 + int(3) }, () => (chance(0.15) ? "." : "") + Array.from({ length: 1 + int(4) }, letter).join("")).join("/");
  }
  return [pattern, path];
}

// Cases worth pinning besides the generated ones (GitHub docs examples and edge cases).
const FIXED: Array<[string, string]> = [
  ["releases/**/*", "releases/v1/hotfix"],
  ["releases/**/*", "releases/"],
  ["refs/heads/qa/**/*", "refs/heads/qa/release/v1"],
  ["refs/tags/v[0-9]*", "refs/tags/v1.0.0"],
  ["refs/tags/v*", "refs/tags/v1/x"],
  ["**/x", ".a/x"],
  ["a/**/x", "a/.b/x"],
  ["[a/]b", "ab"],
  ["[!]", "x"],
  ["[]", "x"],
  ["[a", "[a"],
  ["a\\", "a"],
  ["a\\/b", "a/b"],
  ["**/", "a/"],
  ["a**/b", "ab/b"],
  ["{a,b}", "a"],
  ["[--0]", "."],
  ["[\\]]", "]"],
];

/** The corpus: the fixed corner cases, then PAIRS generated pairs (always the same ones). */
export function rubyFnmatchCorpus(): Array<[string, string]> {
  random = prng(SEED);
  return [...FIXED, ...Array.from({ length: PAIRS }, generatePair)];
}

const RUBY_SCRIPT = `
require "json"
STDIN.each_line do |line|
  pattern, path = JSON.parse(line)
  begin
    puts(File.fnmatch(pattern, path, File::FNM_PATHNAME) ? "1" : "0")
  rescue => e
    puts("E #{e.class}")
  end
end
`;

/** Ruby's answer for each pair: true, false, or the name of the error it raised. */
export function rubyAnswers(pairs: Array<[string, string]>): Array<boolean | string> {
  const run = spawnSync("ruby", ["-e", RUBY_SCRIPT], {
    input: pairs.map((pair) => JSON.stringify(pair)).join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error && (run.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("ruby is not installed: the ref-pattern matchers are checked against Ruby's File.fnmatch. Install Ruby (e.g. `apt-get install ruby`; CI's .ci/run installs it).");
  }
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`ruby exited with ${run.status}: ${run.stderr}`);
  const answers = run.stdout.trimEnd().split("\n");
  if (answers.length !== pairs.length) throw new Error(`ruby answered ${answers.length} lines for ${pairs.length} pairs`);
  return answers.map((answer) => (answer.startsWith("E") ? answer.slice(2) : answer === "1"));
}

