// The stand-in's own ruleset pattern matcher: Ruby's `File.fnmatch(pattern, path, File::FNM_PATHNAME)`,
// which GitHub uses for ruleset `conditions.ref_name` and `conditions.repository_name` (docs/github.md
// §1.4; https://docs.github.com/en/repositories/configuring-branches-and-merges-in-your-repository/managing-rulesets/creating-rulesets-for-a-repository#using-fnmatch-syntax).
// Semantics are those of https://ruby-doc.org/core/File.html#method-c-fnmatch with FNM_PATHNAME as the
// only flag:
// - `*` matches any run of characters inside one path segment, `?` one character, `[...]` one
//   character of a set (`!` or `^` negates, `a-z` ranges, `\` escapes a member); neither crosses `/`;
// - `**/` at the start of a segment matches zero or more whole segments;
// - a segment that starts with `.` is matched only by a literal `.` (no FNM_DOTMATCH), and `**/`
//   never skips such a segment;
// - `\x` is a literal `x` and a trailing `\` is ignored; braces are literal (no FNM_EXTGLOB);
//   case-sensitive (no FNM_CASEFOLD); a bracket without its closing `]` never matches.
//
// It is written apart from the plugin's matcher so the stand-in stays an independent oracle: the
// pattern is compiled into segments and matched by dynamic programming instead of Ruby's backtracking
// loop. packages/github-stand-in/test/ref-pattern-ruby.test.ts checks it against real Ruby.

/** One character test inside a segment. */
type Token =
  | { kind: "literal"; char: number }
  | { kind: "any" }
  | { kind: "star" }
  | { kind: "set"; negated: boolean; members: Array<{ low: number; high: number }> }
  /** an unterminated `[`: nothing can match it */
  | { kind: "never" };

// A pattern is a sequence of segments (each matches one path segment) and globstars (a leading
// `**/` of a segment: any number of whole segments).
type Part = { kind: "segment"; tokens: Token[] } | { kind: "globstar" };

const SLASH = 0x2f;
const DOT = 0x2e;
const BACKSLASH = 0x5c;

/**
 * Reads a bracket expression whose `[` is at `open`. Returns the token and the index after `]`, or
 * a `never` token (that consumes the rest of the pattern) when no `]` closes it. A `]` right after
 * `[` or `[!` closes the set (so `[]` matches nothing and `[!]` any character); `-` between two
 * members makes a range, whose ends may be escaped; a `-` before `]` is a member.
 */
function readBracket(chars: number[], open: number): { token: Token; next: number } {
  const never = { token: { kind: "never" } as Token, next: chars.length };
  let i = open + 1;
  if (i >= chars.length) return never;
  const negated = chars[i] === 0x21 || chars[i] === 0x5e; // ! ^
  if (negated) i++;
  const members: Array<{ low: number; high: number }> = [];
  while (chars[i] !== 0x5d) {
    // one member, maybe escaped
    if (chars[i] === BACKSLASH) i++;
    if (i >= chars.length) return never;
    const low = chars[i]!;
    i++;
    if (i >= chars.length) return never;
    if (chars[i] === 0x2d && chars[i + 1] !== 0x5d) {
      i++;
      if (chars[i] === BACKSLASH) i++;
      if (i >= chars.length) return never;
      members.push({ low, high: chars[i]! });
      i++;
    } else {
      members.push({ low, high: low });
    }
    if (i >= chars.length) return never;
  }
  return { token: { kind: "set", negated, members }, next: i + 1 };
}

function startsWithGlobstar(chars: number[], i: number): boolean {
  return chars[i] === 0x2a && chars[i + 1] === 0x2a && chars[i + 2] === SLASH;
}

/** Compiles a pattern into parts. A `/` (escaped or not) outside a bracket ends a segment. */
function compile(pattern: string): Part[] {
  const chars = Array.from(pattern, (c) => c.codePointAt(0)!);
  const parts: Part[] = [];
  let tokens: Token[] = [];
  let i = 0;
  let segmentStart = true;
  while (i < chars.length) {
    if (segmentStart && startsWithGlobstar(chars, i)) {
      if (parts.at(-1)?.kind !== "globstar") parts.push({ kind: "globstar" });
      i += 3;
      continue;
    }
    segmentStart = false;
    const c = chars[i]!;
    if (c === BACKSLASH) {
      i++;
      if (i >= chars.length) break; // a trailing backslash stands for nothing
    }
    const literal = chars[i]!;
    if (literal === SLASH) {
      parts.push({ kind: "segment", tokens });
      tokens = [];
      segmentStart = true;
      i++;
    } else if (c === BACKSLASH) {
      tokens.push({ kind: "literal", char: literal });
      i++;
    } else if (c === 0x2a) {
      if (tokens.at(-1)?.kind !== "star") tokens.push({ kind: "star" });
      i++;
    } else if (c === 0x3f) {
      tokens.push({ kind: "any" });
      i++;
    } else if (c === 0x5b) {
      const { token, next } = readBracket(chars, i);
      tokens.push(token);
      i = next;
    } else {
      tokens.push({ kind: "literal", char: c });
      i++;
    }
  }
  parts.push({ kind: "segment", tokens });
  return parts;
}

function tokenAccepts(token: Token, char: number): boolean {
  switch (token.kind) {
    case "literal":
      return token.char === char;
    case "any":
      return true;
    case "set": {
      const inside = token.members.some(({ low, high }) => char === low || char === high || (low <= char && char <= high));
      return inside !== token.negated;
    }
    default:
      return false;
  }
}

/**
 * Whether the tokens of one pattern segment match one path segment (no `/` in it). The set of
 * reachable positions in the segment is carried token by token: a star reaches every position from
 * the first one reached so far.
 */
function segmentMatches(tokens: Token[], segment: number[]): boolean {
  // a hidden segment needs a literal dot first
  if (segment[0] === DOT) {
    const first = tokens[0];
    if (first?.kind !== "literal" || first.char !== DOT) return false;
  }
  let reachable = new Array<boolean>(segment.length + 1).fill(false);
  reachable[0] = true;
  for (const token of tokens) {
    const next = new Array<boolean>(segment.length + 1).fill(false);
    if (token.kind === "star") {
      const from = reachable.indexOf(true);
      if (from === -1) return false;
      next.fill(true, from);
    } else {
      for (let at = 0; at < segment.length; at++) if (reachable[at] && tokenAccepts(token, segment[at]!)) next[at + 1] = true;
    }
    reachable = next;
  }
  return reachable[segment.length]!;
}

/**
 * Ruby `File.fnmatch(pattern, path, File::FNM_PATHNAME)`: whether `path` matches `pattern`.
 * Polynomial in the lengths (each pair of pattern part and path segment is tried once).
 */
export function fnmatchPathname(pattern: string, path: string): boolean {
  const parts = compile(pattern);
  const segments = path.split("/").map((segment) => Array.from(segment, (c) => c.codePointAt(0)!));
  const memo = new Map<number, boolean>();
  const match = (part: number, segment: number): boolean => {
    if (part === parts.length) return segment === segments.length;
    const key = part * (segments.length + 1) + segment;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const current = parts[part]!;
    let result: boolean;
    if (current.kind === "segment") {
      result = segment < segments.length && segmentMatches(current.tokens, segments[segment]!) && match(part + 1, segment + 1);
    } else {
      // zero segments, or skip one that is not hidden (and is followed by a `/`) and try again
      result =
        match(part + 1, segment) ||
        (segment < segments.length - 1 && segments[segment]![0] !== DOT && match(part, segment + 1));
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}
