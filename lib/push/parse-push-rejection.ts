// Reads GitHub's push rejection texts (docs/github.md §3, docs/semantic-release.md §8.4) out of
// git's stderr: GH013 (rulesets) and GH006 (classic protection) blocks with their rule lines, the
// "Bypassed rule violations" notice, git's own per-ref status lines, and the 422 text of the REST
// ref endpoints (docs/github.md §3.4). Pure functions, never throw.

export type RejectionCode = "GH013" | "GH006";

export interface PushRejection {
  code: RejectionCode;
  /** full ref name, e.g. refs/heads/main */
  ref: string;
  /** one entry per violated rule; continuation lines (`  Found 1 violation:`, SHAs) are folded in */
  rules: string[];
  /** `Review all repository rules at <url>` (GH013 on github.com) */
  rulesUrl?: string;
}

export interface BypassNotice {
  ref: string;
  rules: string[];
}

export interface RefStatus {
  /** `rejected` = refused by the client or for a non-fast-forward; `remote rejected` = refused by the server */
  status: "rejected" | "remote rejected" | "remote failure";
  /** left side as git prints it (`HEAD`, `main`, `v1.0.0`) */
  source: string;
  /** right side, short name as git prints it (`main`, `v1.0.0`) */
  destination: string;
  /** text in brackets: `fetch first`, `non-fast-forward`, `stale info`, `already exists`, `atomic push failure`, `pre-receive hook declined`, ... */
  reason: string;
}

// CSI sequences (colours, ESC[K the sideband uses on a TTY, docs/semantic-release.md §8.4), then other 2-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]/g;

interface Line {
  /** text came after a `remote:` prefix (hook output relayed by git) */
  remote: boolean;
  /** without the prefix, ANSI codes and trailing padding; leading indentation kept */
  text: string;
}

function splitLines(stderr: string): Line[] {
  if (typeof stderr !== "string") return [];
  return stderr
    .replace(ANSI, "")
    .split(/\r\n|\r|\n/)
    .map((raw) => {
      // the sideband relays hook output as "remote: <text>" + 8 spaces of "dumb suffix" (§8.4)
      const match = /^\s*remote:(?: |$)?(.*)$/.exec(raw);
      const text = (match ? match[1]! : raw).trimEnd();
      return { remote: Boolean(match), text };
    });
}

const GH013_HEADER = /^(?:error:\s*)?GH013:\s*Repository rule violations found for\s+(\S+?)\.?$/i;
const GH006_HEADER = /^(?:error:\s*)?GH006:\s*Protected branch update failed for\s+(\S+?)\.?$/i;
const BYPASS_HEADER = /^Bypassed rule violations for\s+(\S+?):?$/i;
const REVIEW_LINE = /^Review all repository rules at\s+(\S+)/i;
const BULLET = /^-\s+(\S.*)$/;
const ERROR_REASON = /^error:\s*(\S.*)$/i;

type Block =
  | { kind: "rejection"; value: PushRejection }
  | { kind: "bypass"; value: BypassNotice };

function parseBlocks(stderr: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | undefined;
  /** the rule list continuation lines attach to */
  let lastRules: string[] | undefined;
  for (const { remote, text } of splitLines(stderr)) {
    // hook output always arrives through the sideband; git's own lines (To ..., ! [..]) are not rule text
    if (!remote) continue;
    const trimmed = text.trim();
    if (trimmed === "") continue;
    const gh013 = GH013_HEADER.exec(trimmed);
    const gh006 = gh013 ? null : GH006_HEADER.exec(trimmed);
    if (gh013 || gh006) {
      const code: RejectionCode = gh013 ? "GH013" : "GH006";
      current = { kind: "rejection", value: { code, ref: (gh013 ?? gh006)![1]!, rules: [] } };
      blocks.push(current);
      lastRules = undefined;
      continue;
    }
    const header = BYPASS_HEADER.exec(trimmed);
    if (header) {
      current = { kind: "bypass", value: { ref: header[1]!, rules: [] } };
      blocks.push(current);
      lastRules = undefined;
      continue;
    }
    if (!current) continue;
    const review = REVIEW_LINE.exec(trimmed);
    if (review) {
      if (current.kind === "rejection") current.value.rulesUrl = review[1];
      continue;
    }
    const indented = /^\s/.test(text);
    const bullet = BULLET.exec(trimmed);
    if (bullet && !indented) {
      current.value.rules.push(bullet[1]!.trim());
      lastRules = current.value.rules;
      continue;
    }
    if (indented && lastRules && lastRules.length > 0) {
      // "  Found 1 violation:" and the SHA lines under "Commits must have verified signatures." (docs/github.md §3.1)
      lastRules[lastRules.length - 1] += ` ${trimmed}`;
      continue;
    }
    const reason = ERROR_REASON.exec(trimmed);
    if (reason && current.kind === "rejection" && current.value.code === "GH006") {
      // classic protection states its reasons as "error: <reason>" lines (docs/github.md §3.3)
      current.value.rules.push(reason[1]!.trim());
      lastRules = current.value.rules;
      continue;
    }
    // anything else (progress, notices, unrelated hook output) is noise
  }
  return blocks;
}

/** GH013/GH006 blocks in git push stderr, one per rejected ref, in order of appearance. */
export function parsePushRejection(stderr: string): PushRejection[] {
  try {
    return parseBlocks(stderr).flatMap((block) => (block.kind === "rejection" ? [block.value] : []));
  } catch {
    return [];
  }
}

/** "Bypassed rule violations for <ref>:" notices (push accepted; docs/github.md §3.2). */
export function parseBypassNotice(stderr: string): BypassNotice[] {
  try {
    return parseBlocks(stderr).flatMap((block) => (block.kind === "bypass" ? [block.value] : []));
  } catch {
    return [];
  }
}

const STATUS_LINE = /^\s*!\s*\[(rejected|remote rejected|remote failure)\]\s+(.+?)\s+->\s+(\S+)(?:\s+\((.*)\))?\s*$/;

/** git's own ` ! [rejected] main -> main (fetch first)` lines. */
export function parseRefStatuses(stderr: string): RefStatus[] {
  const statuses: RefStatus[] = [];
  for (const { remote, text } of splitLines(stderr)) {
    if (remote) continue;
    const match = STATUS_LINE.exec(text);
    if (match) {
      statuses.push({
        status: match[1] as RefStatus["status"],
        source: match[2]!,
        destination: match[3]!,
        reason: match[4] ?? "",
      });
    }
  }
  return statuses;
}

/**
 * The message of a 422/409 answer to a ref or commit write through the REST API
 * (`Repository rule violations found\n\n<rule>\n\n`, docs/github.md §3.4; also with a leading
 * `pre_receive ` field name) → code and rules. undefined when it is not a rule violation.
 */
export function parseApiRejection(message: string): { code: RejectionCode; rules: string[] } | undefined {
  if (typeof message !== "string") return undefined;
  const text = message.replace(ANSI, "");
  const ruleset = /Repository rule violations found/i.exec(text);
  const classic = /Protected branch update failed(?: for \S+)?/i.exec(text);
  const match = ruleset ?? classic;
  if (!match) return undefined;
  const rest = text.slice(match.index + match[0].length);
  const rules = rest
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .map((line) => line.replace(/^-\s+/, "").replace(/^error:\s*/i, ""))
    .filter((line) => line !== "" && line !== ".");
  return { code: ruleset ? "GH013" : "GH006", rules };
}
