// Pure judgement of one ruleset against the release push (docs/architecture.md "Preflight"): which of
// its rules would refuse the push without bypass, and what the pushing actor's bypass status makes of
// that. No requests, no logging. Rule effects follow docs/github.md §2; bypass semantics §1.3 and §5.
import { fnmatch } from "./fnmatch.js";

/** A rule as GitHub returns it inside a ruleset (`repository-rule`). */
export interface Rule {
  type: string;
  parameters?: Record<string, unknown> | null | undefined;
}

/** The fields of `GET /repos/{o}/{r}/rulesets/{id}` (schema `repository-ruleset`) this plugin reads. */
export interface RulesetDetails {
  id: number;
  name: string;
  target?: string | undefined;
  source_type?: string | undefined;
  source: string;
  enforcement: string;
  conditions?: { ref_name?: { include?: string[]; exclude?: string[] } | undefined } | null | undefined;
  rules?: Rule[] | undefined;
  bypass_actors?: { actor_id?: number | null; actor_type: string; bypass_mode?: string }[] | undefined;
  current_user_can_bypass?: string | undefined;
}

/** `current_user_can_bypass`, or "unknown" when GitHub did not say (older GHES, docs/github.md §12). */
export type BypassStatus = "always" | "pull_requests_only" | "never" | "exempt" | "unknown";

/**
 * ok: nothing refuses the push; bypassed: rules would refuse it but the actor bypasses them ("Always
 * allow"); exempt: rules are not evaluated for the actor; pr-only: the actor bypasses only when merging
 * pull requests; blocked: refused; unknown: rules would refuse it and GitHub did not say whether the
 * actor can bypass.
 */
export type Verdict = "ok" | "bypassed" | "exempt" | "blocked" | "pr-only" | "unknown";

/** What is known about the push being judged. */
export interface PushFacts {
  /** the ref pushed: `refs/heads/<branch>` or `refs/tags/<tag>` */
  ref: string;
  /** true when the push creates the ref (a release tag), false when it moves an existing one (the branch) */
  creating: boolean;
  /** whether the push brings a new commit (false: the tag points at a commit already on the branch) */
  newCommit: boolean;
  /** how the release commit is made: "api" commits are signed by GitHub (docs/github.md §8) */
  commitMode: "git" | "api";
  /** the tag name, when known (judged against `tag_name_pattern`) */
  tagName?: string | undefined;
  /** the release commit, when known (judged against the metadata rules) */
  commit?: CommitFacts | undefined;
  /** the files of the release commit, when known (judged against the file rules) */
  files?: FileFacts[] | undefined;
  /** the push moves an existing ref to a commit that does not descend from it (a floating tag, docs/github.md §15.2) */
  forced?: boolean | undefined;
}

export interface CommitFacts {
  message: string;
  authorEmail: string;
  /** ignored with commitMode "api": GitHub commits those as `noreply@github.com` (docs/github.md §2) */
  committerEmail: string;
}

export interface FileFacts {
  path: string;
  /** bytes, when known */
  size?: number | undefined;
}

/** The verdict on one ruleset, as reported and turned into errors. */
export interface RulesetVerdict {
  id: number;
  name: string;
  /** "Repository" | "Organization" | "Enterprise" */
  source_type: string;
  source: string;
  enforcement: string;
  /** "branch" | "tag" | "push" */
  target: string;
  ref: string;
  /** rule types that refuse this push without bypass */
  blockingRules: string[];
  /** rule types that can only be judged once the tag name or the commit is known (verifyRelease) */
  pendingRules: string[];
  /** file rules that were not checked because the commit's files are not known */
  uncheckedRules: string[];
  bypass: BypassStatus;
  verdict: Verdict;
  settingsUrl: string;
}

/** Rules that refuse any fresh push they apply to (docs/github.md §2). */
const ALWAYS_BLOCKING = new Set([
  "pull_request",
  "merge_queue",
  "required_deployments",
  "workflows",
  "code_scanning",
]);

/** Rules with no effect on a fast-forward of one new single-parent commit or a new tag (docs/github.md §2). */
const NON_BLOCKING = new Set([
  "deletion",
  "non_fast_forward",
  "required_linear_history",
  "copilot_code_review",
  "license_compliance_scanning",
]);

const METADATA_RULES = new Set(["commit_message_pattern", "commit_author_email_pattern", "committer_email_pattern"]);
const FILE_RULES = new Set(["file_path_restriction", "max_file_path_length", "file_extension_restriction", "max_file_size"]);

/** The committer of commits made through the REST git database by an App (docs/github.md §2, §8). */
export const API_COMMITTER_EMAIL = "noreply@github.com";

type RuleOutcome = "blocks" | "passes" | "pending" | "unchecked";

/**
 * Does `value` satisfy a metadata pattern rule? `operator` starts_with | ends_with | contains | regex;
 * `negate: true` means the rule fails when the pattern matches (schema `repository-rule-commit-message-pattern`).
 * Returns undefined for an operator or a regular expression this cannot evaluate.
 */
export function satisfiesPattern(parameters: Record<string, unknown> | null | undefined, value: string): boolean | undefined {
  const operator = parameters?.operator;
  const pattern = parameters?.pattern;
  if (typeof pattern !== "string") return undefined;
  let matches: boolean;
  switch (operator) {
    case "starts_with":
      matches = value.startsWith(pattern);
      break;
    case "ends_with":
      matches = value.endsWith(pattern);
      break;
    case "contains":
      matches = value.includes(pattern);
      break;
    case "regex":
      try {
        // GitHub's regex dialect is not documented; JavaScript's is close for the usual anchors and classes.
        matches = new RegExp(pattern, "u").test(value);
      } catch {
        try {
          matches = new RegExp(pattern).test(value);
        } catch {
          return undefined;
        }
      }
      break;
    default:
      return undefined;
  }
  return parameters?.negate === true ? !matches : matches;
}

function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(dot).toLowerCase() : "";
}

function fileRuleOutcome(rule: Rule, files: FileFacts[] | undefined): RuleOutcome {
  if (!files) return "unchecked";
  const p = rule.parameters ?? {};
  switch (rule.type) {
    case "file_path_restriction": {
      const restricted = Array.isArray(p.restricted_file_paths) ? (p.restricted_file_paths as string[]) : [];
      return files.some((f) => restricted.some((pattern) => fnmatch(pattern, f.path))) ? "blocks" : "passes";
    }
    case "max_file_path_length": {
      const max = Number(p.max_file_path_length);
      return Number.isFinite(max) && files.some((f) => f.path.length > max) ? "blocks" : "passes";
    }
    case "file_extension_restriction": {
      // parameters seen as ".exe" and "*.exe"
      const restricted = (Array.isArray(p.restricted_file_extensions) ? (p.restricted_file_extensions as string[]) : []).map((e) =>
        e.replace(/^\*/, "").toLowerCase(),
      );
      return files.some((f) => restricted.includes(extensionOf(f.path))) ? "blocks" : "passes";
    }
    case "max_file_size": {
      const maxMb = Number(p.max_file_size);
      if (!Number.isFinite(maxMb)) return "passes";
      if (files.some((f) => f.size === undefined)) return "unchecked";
      return files.some((f) => (f.size ?? 0) > maxMb * 1024 * 1024) ? "blocks" : "passes";
    }
    default:
      return "unchecked";
  }
}

/** The effect of one rule on the push described by `facts`. */
export function ruleOutcome(rule: Rule, facts: PushFacts): RuleOutcome {
  const { type } = rule;
  if (type === "non_fast_forward" && facts.forced === true) return "blocks";
  if (NON_BLOCKING.has(type)) return "passes";
  if (ALWAYS_BLOCKING.has(type)) return "blocks";
  switch (type) {
    case "update":
      // blocks every update of an existing ref; creating a ref is not an update (docs/github.md §2)
      return facts.creating ? "passes" : "blocks";
    case "creation":
      return facts.creating ? "blocks" : "passes";
    case "required_status_checks":
      // a fresh commit has no passing checks; `do_not_enforce_on_create` spares ref creation
      if (facts.creating && rule.parameters?.do_not_enforce_on_create === true) return "passes";
      return "blocks";
    case "required_signatures":
      // API commits by an App are signed by GitHub (docs/github.md §8); a tag on a commit already on the
      // branch brings no new commit to check
      if (!facts.newCommit) return "passes";
      return facts.commitMode === "api" ? "passes" : "blocks";
    case "branch_name_pattern":
    case "tag_name_pattern": {
      const isTag = facts.ref.startsWith("refs/tags/");
      if (!facts.creating || isTag !== (type === "tag_name_pattern")) return "passes";
      const name = facts.tagName ?? (isTag ? undefined : facts.ref.replace(/^refs\/heads\//, ""));
      if (name === undefined) return "pending";
      const ok = satisfiesPattern(rule.parameters, name);
      return ok === false ? "blocks" : "passes";
    }
  }
  if (METADATA_RULES.has(type)) {
    if (!facts.newCommit) return "passes";
    if (!facts.commit) return "pending";
    const value =
      type === "commit_message_pattern"
        ? facts.commit.message
        : type === "commit_author_email_pattern"
          ? facts.commit.authorEmail
          : facts.commitMode === "api"
            ? API_COMMITTER_EMAIL
            : facts.commit.committerEmail;
    return satisfiesPattern(rule.parameters, value) === false ? "blocks" : "passes";
  }
  if (FILE_RULES.has(type)) {
    if (!facts.newCommit) return "passes";
    return fileRuleOutcome(rule, facts.files);
  }
  // unknown rule types (GitHub adds new ones): assume they do not block a direct push, like the PR-time rules
  return "passes";
}

/** Where the rulesets being judged live, and who pushes. */
export interface RulesetWhere {
  /** web origin, e.g. https://github.com (settings links) */
  githubUrl: string;
  owner: string;
  repo: string;
  /** the App id: reads the App's bypass entry when GitHub leaves out current_user_can_bypass (older GHES) */
  appId?: number | undefined;
}

/** The web page where a ruleset (and its bypass list) is edited. */
export function rulesetSettingsUrl(options: {
  githubUrl: string;
  owner: string;
  repo: string;
  ruleset: Pick<RulesetDetails, "id" | "source" | "source_type">;
}): string {
  const { owner, repo, ruleset } = options;
  const base = options.githubUrl; // without trailing slash (lib/config/resolve-config.ts)
  if (ruleset.source_type === "Organization") return `${base}/organizations/${ruleset.source}/settings/rules/${ruleset.id}`;
  if (ruleset.source_type === "Enterprise") return `${base}/enterprises/${ruleset.source}/settings/rules/${ruleset.id}`;
  return `${base}/${owner}/${repo}/settings/rules/${ruleset.id}`;
}

/**
 * `current_user_can_bypass`; when GitHub leaves it out (older GHES, docs/github.md §12) but shows the
 * bypass list (only to callers who may edit the ruleset, §1.3), read the App's entry from it
 * (`Integration` ids are App ids, §1.3).
 */
export function bypassStatus(ruleset: RulesetDetails, appId?: number): BypassStatus {
  const value = ruleset.current_user_can_bypass;
  if (value === "always" || value === "pull_requests_only" || value === "never" || value === "exempt") return value;
  if (appId !== undefined && Array.isArray(ruleset.bypass_actors)) {
    const entry = ruleset.bypass_actors.find((a) => a.actor_type === "Integration" && a.actor_id === appId);
    if (!entry) return "never";
    if (entry.bypass_mode === "pull_request") return "pull_requests_only";
    if (entry.bypass_mode === "exempt") return "exempt";
    return "always";
  }
  return "unknown";
}

/**
 * Judge one ruleset against the push. Rulesets that are not `active` (evaluate, disabled) enforce
 * nothing (docs/github.md §1.3) and get "ok" with no rules listed.
 */
export function evaluateRuleset(options: { ruleset: RulesetDetails; push: PushFacts; where: RulesetWhere }): RulesetVerdict {
  const { ruleset, push: facts, where } = options;
  const bypass = bypassStatus(ruleset, where.appId);
  const blockingRules: string[] = [];
  const pendingRules: string[] = [];
  const uncheckedRules: string[] = [];
  if (ruleset.enforcement === "active") {
    for (const rule of ruleset.rules ?? []) {
      const outcome = ruleOutcome(rule, facts);
      const list = outcome === "blocks" ? blockingRules : outcome === "pending" ? pendingRules : outcome === "unchecked" ? uncheckedRules : undefined;
      if (list && !list.includes(rule.type)) list.push(rule.type);
    }
  }
  let verdict: Verdict;
  if (bypass === "exempt" && ruleset.enforcement === "active") verdict = "exempt";
  else if (blockingRules.length === 0) verdict = "ok";
  else if (bypass === "always") verdict = "bypassed";
  else if (bypass === "pull_requests_only") verdict = "pr-only";
  else if (bypass === "unknown") verdict = "unknown";
  else verdict = "blocked";
  return {
    id: ruleset.id,
    name: ruleset.name,
    source_type: ruleset.source_type ?? "Repository",
    source: ruleset.source,
    enforcement: ruleset.enforcement,
    target: ruleset.target ?? (facts.ref.startsWith("refs/tags/") ? "tag" : "branch"),
    ref: facts.ref,
    blockingRules,
    pendingRules,
    uncheckedRules,
    bypass,
    verdict,
    settingsUrl: rulesetSettingsUrl({ ...where, ruleset }),
  };
}
