// Ruby `File.fnmatch(pattern, path, File::FNM_PATHNAME)`, the matcher GitHub uses for ruleset
// `conditions.ref_name` (docs/github.md §1.4: "Matching is Ruby File.fnmatch with File::FNM_PATHNAME").
//
// This is a direct port of `fnmatch()`, `fnmatch_helper()` and `bracket()` in Ruby's dir.c with the
// flag set fixed to FNM_PATHNAME only, so:
// - escapes are on (no FNM_NOESCAPE): `\x` matches `x` literally; a trailing `\` is ignored;
// - case-sensitive (no FNM_CASEFOLD);
// - a leading `.` of a path segment is matched only by a literal `.` (no FNM_DOTMATCH), and `**/`
//   does not descend into a directory whose name starts with `.`;
// - braces are literal (no FNM_EXTGLOB).
// Backtracking is Ruby's: only the latest `*` inside a segment and the latest `**/` are retried, so the
// cost is polynomial (at most segments(path) x |pattern| x |path|), never exponential.
// test/fnmatch-ruby.test.ts compares this port with real Ruby on thousands of generated pairs.

const NUL = 0;
const BANG = 0x21; // !
const STAR = 0x2a; // *
const DASH = 0x2d; // -
const DOT = 0x2e; // .
const SLASH = 0x2f; // /
const QUESTION = 0x3f; // ?
const LBRACKET = 0x5b; // [
const BACKSLASH = 0x5c; // \
const RBRACKET = 0x5d; // ]
const CARET = 0x5e; // ^

/** A string as code points, so multi-byte characters count as one character as in Ruby (UTF-8). */
function codePoints(text: string): number[] {
  return Array.from(text, (ch) => ch.codePointAt(0)!);
}

/** The C-string view: reading past the end yields NUL. */
function at(chars: number[], index: number): number {
  return index < chars.length ? chars[index]! : NUL;
}

/** ISEND with FNM_PATHNAME: end of string or a `/`. */
function isEnd(ch: number): boolean {
  return ch === NUL || ch === SLASH;
}

/**
 * `bracket()` in dir.c. `start` is the index just after `[`, `ch` the string character to test
 * (never NUL or `/`). Returns the index just after the closing `]` when `ch` is in the set, else -1
 * (also -1 for an unterminated bracket, which in Ruby never matches anything).
 */
function bracket(pattern: number[], start: number, ch: number): number {
  const end = pattern.length;
  let i = start;
  if (i >= end) return -1;
  let negated = false;
  if (pattern[i] === BANG || pattern[i] === CARET) {
    negated = true;
    i++;
  }
  let ok = false;
  while (at(pattern, i) !== RBRACKET) {
    let t1 = i;
    if (at(pattern, t1) === BACKSLASH) t1++;
    if (at(pattern, t1) === NUL) return -1;
    i = t1 + 1;
    if (i >= end) return -1;
    if (pattern[i] === DASH && at(pattern, i + 1) !== RBRACKET) {
      let t2 = i + 1;
      if (at(pattern, t2) === BACKSLASH) t2++;
      if (at(pattern, t2) === NUL) return -1;
      i = t2 + 1;
      if (ok) continue;
      const low = pattern[t1]!;
      const high = pattern[t2]!;
      if (low === ch || high === ch) {
        ok = true;
        continue;
      }
      if (ch < low || ch > high) continue;
    } else {
      if (ok) continue;
      if (pattern[t1] !== ch) continue;
    }
    ok = true;
  }
  return ok === negated ? -1 : i + 1;
}

interface Cursor {
  p: number;
  s: number;
}

/** The index of the character an escape at `i` stands for (a trailing `\` leaves NUL: ignored). */
function skipEscape(pattern: number[], i: number): number {
  return at(pattern, i) === BACKSLASH ? i + 1 : i;
}

/** `fnmatch_helper()`'s state inside one segment: the cursor plus the latest `*` to backtrack to. */
interface SegmentState extends Cursor {
  /** pattern index after the latest `*` (-1: none yet) */
  pStar: number;
  /** string index that `*` is currently assumed to stop at */
  sStar: number;
}

/**
 * What one step of `fnmatch_helper()` leads to: "next" (matched a piece, go on), "failed" (dir.c's
 * `goto failed`: a mismatch the latest `*` may still absorb), "match", "nomatch" (final answers).
 */
type Step = "next" | "failed" | "match" | "nomatch";

/**
 * `fnmatch_helper()` in dir.c: matches one path segment of `path` starting at `cursor.s` against
 * `pattern` starting at `cursor.p`. On success, leaves the cursor where Ruby leaves it (pattern at the
 * end of its segment; string possibly mid-segment when the pattern ended with `*`).
 */
function matchSegment(pattern: number[], path: number[], cursor: Cursor): boolean {
  // Leading period: only a literal `.` in the pattern matches it.
  if (at(path, cursor.s) === DOT && at(pattern, skipEscape(pattern, cursor.p)) !== DOT) return false;

  const state: SegmentState = { p: cursor.p, s: cursor.s, pStar: -1, sStar: -1 };
  for (;;) {
    let step = matchStep(pattern, path, state);
    if (step === "failed") step = retryStar(state);
    if (step === "match") {
      cursor.p = state.p;
      cursor.s = state.s;
      return true;
    }
    if (step === "nomatch") return false;
  }
}

/** One pattern element against the string: `*`, `?`, `[...]` or an ordinary character. */
function matchStep(pattern: number[], path: number[], state: SegmentState): Step {
  const ch = at(pattern, state.p);
  if (ch === STAR) return matchStar(pattern, path, state);
  if (ch === QUESTION) {
    if (isEnd(at(path, state.s))) return "nomatch";
    state.p++;
    state.s++;
    return "next";
  }
  if (ch === LBRACKET) {
    if (isEnd(at(path, state.s))) return "nomatch";
    const next = bracket(pattern, state.p + 1, path[state.s]!);
    if (next < 0) return "failed";
    state.p = next;
    state.s++;
    return "next";
  }
  return matchLiteral(pattern, path, state);
}

/** A run of `*`: matches the rest of the segment when the pattern segment ends here, else remembers where to backtrack. */
function matchStar(pattern: number[], path: number[], state: SegmentState): Step {
  let p = state.p;
  do p++;
  while (at(pattern, p) === STAR);
  if (isEnd(at(pattern, skipEscape(pattern, p)))) {
    state.p = skipEscape(pattern, p);
    return "match";
  }
  if (isEnd(at(path, state.s))) return "nomatch";
  state.p = p;
  state.pStar = p;
  state.sStar = state.s;
  return "next";
}

/** Ordinary character (possibly escaped). */
function matchLiteral(pattern: number[], path: number[], state: SegmentState): Step {
  const p = skipEscape(pattern, state.p);
  state.p = p;
  if (isEnd(at(path, state.s))) return isEnd(at(pattern, p)) ? "match" : "nomatch";
  if (!isEnd(at(pattern, p)) && pattern[p] === path[state.s]) {
    state.p++;
    state.s++;
    return "next";
  }
  return "failed";
}

/** failed: let the latest `*` swallow one more character. */
function retryStar(state: SegmentState): Step {
  if (state.pStar < 0) return "nomatch";
  state.p = state.pStar;
  state.sStar++;
  state.s = state.sStar;
  return "next";
}

/**
 * Ruby `File.fnmatch(pattern, path, File::FNM_PATHNAME)`.
 * `*` matches any run of characters except `/`; `?` one character except `/`; `[...]` a set with
 * ranges and `!`/`^` negation; `\` escapes; `**` followed by `/` (a whole segment) matches zero or more directories.
 * A string containing NUL never matches (Ruby raises ArgumentError for it; git refs cannot contain NUL).
 */
export function fnmatch(pattern: string, path: string): boolean {
  if (pattern.includes("\0") || path.includes("\0")) return false;
  const p = codePoints(pattern);
  const s = codePoints(path);
  const cursor: Cursor = { p: 0, s: 0 };
  let pi = 0;
  let si = 0;
  let pRecurse = -1; // pattern index after the latest `**/`
  let sRecurse = -1; // start of the path segment that `**/` currently stops before

  for (;;) {
    if (at(p, pi) === STAR && at(p, pi + 1) === STAR && at(p, pi + 2) === SLASH) {
      do pi += 3;
      while (at(p, pi) === STAR && at(p, pi + 1) === STAR && at(p, pi + 2) === SLASH);
      pRecurse = pi;
      sRecurse = si;
    }
    cursor.p = pi;
    cursor.s = si;
    if (matchSegment(p, s, cursor)) {
      pi = cursor.p;
      si = cursor.s;
      while (at(s, si) !== NUL && at(s, si) !== SLASH) si++;
      if (at(p, pi) !== NUL && at(s, si) !== NUL) {
        pi++;
        si++;
        continue;
      }
      if (at(p, pi) === NUL && at(s, si) === NUL) return true;
    }
    // failed: let the latest `**/` swallow one more directory (never a dot-directory).
    if (pRecurse >= 0 && at(s, sRecurse) !== DOT) {
      while (at(s, sRecurse) !== NUL && at(s, sRecurse) !== SLASH) sRecurse++;
      if (at(s, sRecurse) !== NUL) {
        pi = pRecurse;
        sRecurse++;
        si = sRecurse;
        continue;
      }
    }
    return false;
  }
}

/** `conditions.ref_name` of a ruleset (docs/github.md §1.3/§1.4). */
export interface RefNameCondition {
  include: string[];
  exclude: string[];
}

function refPatternMatches(pattern: string, ref: string, defaultBranch: string): boolean {
  // docs/github.md §1.3: besides fnmatch patterns on full refs, `~ALL` and `~DEFAULT_BRANCH`.
  if (pattern === "~ALL") return true;
  if (pattern === "~DEFAULT_BRANCH") return ref === `refs/heads/${defaultBranch}`;
  return fnmatch(pattern, ref);
}

/**
 * GitHub's ruleset `conditions.ref_name` semantics: `ref` (a full ref, `refs/heads/main`,
 * `refs/tags/v1.0.0`) is targeted when at least one `include` entry matches and no `exclude` entry
 * does. Entries are `~ALL`, `~DEFAULT_BRANCH` or fnmatch patterns on the full ref
 * (docs/github.md §1.4: "API patterns are full refs").
 */
export function matchesRefName(condition: RefNameCondition, ref: string, defaultBranch: string): boolean {
  return (
    condition.include.some((pattern) => refPatternMatches(pattern, ref, defaultBranch)) &&
    !condition.exclude.some((pattern) => refPatternMatches(pattern, ref, defaultBranch))
  );
}
