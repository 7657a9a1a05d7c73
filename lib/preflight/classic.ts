// Classic branch protection, judged (docs/github.md §9). Pure: lib/preflight/fetch.ts reads the branch
// (`protected`, `protection.enabled`) and, with Administration: read, the protection details; this
// module says which of those settings refuse the release push of the actor.
import { CLASSIC_SETTING } from "../errors/rules.js";
import type { AuthMethod } from "../types.js";

/** The parts of the `protected-branch` schema this plugin reads; the stand-in's bare booleans are accepted too. */
export interface ProtectionResponse {
  required_pull_request_reviews?: {
    required_approving_review_count?: number;
    bypass_pull_request_allowances?: { users?: Named[]; teams?: Named[]; apps?: Named[] };
  } | null;
  required_status_checks?: { contexts?: string[]; checks?: { context: string }[] } | null;
  restrictions?: { users?: Named[]; teams?: Named[]; apps?: Named[] } | null;
  enforce_admins?: Toggle;
  required_signatures?: Toggle;
  lock_branch?: Toggle;
}
type Named = string | { slug?: string; login?: string; name?: string };
type Toggle = boolean | { enabled?: boolean } | null | undefined;

/** What GitHub said about the branch's classic protection (plain data, read by lib/preflight/fetch.ts). */
export interface ClassicProtectionData {
  /** `protected` of the branch (rulesets count too); undefined when the branch could not be read */
  protected: boolean | undefined;
  /** `protection.enabled`: classic protection is on */
  classic: boolean | undefined;
  /**
   * read: details below; no-permission: the token lacks Administration: read; not-protected: no
   * classic protection; branch-unknown: the branch request failed (404: no such branch, 403: no Contents: read)
   */
  state: "read" | "no-permission" | "not-protected" | "branch-unknown";
  /** HTTP status of the failed request, for the warning */
  failedStatus?: number | undefined;
  protection?: ProtectionResponse | undefined;
}

export interface ClassicVerdict {
  /** as in ClassicProtectionData; "not-read" when the release pushes no commit to the branch, so nothing was read */
  state: ClassicProtectionData["state"] | "not-read";
  protected: boolean | undefined;
  classic: boolean | undefined;
  /** settings that refuse the push, in words; empty when none do */
  blocking: string[];
  /** settings the actor passes, in words (for the report) */
  passed: string[];
  enforceAdmins: boolean | undefined;
  /** the web page with the branch protection rules */
  settingsUrl: string;
}

function enabled(toggle: Toggle): boolean {
  return typeof toggle === "boolean" ? toggle : toggle?.enabled === true;
}

function names(list: Named[] | undefined): string[] {
  return (list ?? []).map((entry) => (typeof entry === "string" ? entry : (entry.slug ?? entry.login ?? entry.name ?? ""))).filter(Boolean);
}

/** `<githubUrl>/<owner>/<repo>/settings/branches`, where classic protection is edited. */
export function branchSettingsUrl(options: { githubUrl: string; owner: string; repo: string }): string {
  return `${options.githubUrl}/${options.owner}/${options.repo}/settings/branches`;
}

export interface ClassicJudgeOptions {
  /** undefined when it was not read (the release pushes no commit to the branch) */
  data: ClassicProtectionData | undefined;
  settingsUrl: string;
  actor: string;
  appSlug?: string | undefined;
  method: AuthMethod;
  commitMode: "git" | "api";
  /** false when the release pushes no commit to the branch: nothing to judge */
  newCommit: boolean;
}

/**
 * Which classic settings refuse a direct push of one new commit by `actor` (docs/github.md §9): required
 * reviews (unless the App or user is in bypass_pull_request_allowances), push restrictions (unless
 * listed in restrictions), required status checks (no allow list), required signatures (unless the
 * commit is made through the API), a locked branch. Admins skip all of it while enforce_admins is off:
 * only a user token can be an admin here (whether Administration: write makes an App one is undocumented).
 */
export function judgeClassicProtection(options: ClassicJudgeOptions): ClassicVerdict {
  const { data, actor, method } = options;
  const verdict: ClassicVerdict = {
    state: data?.state ?? "not-read",
    protected: data?.protected,
    classic: data?.classic,
    blocking: [],
    passed: [],
    enforceAdmins: undefined,
    settingsUrl: options.settingsUrl,
  };
  const p = data?.protection;
  if (data?.state !== "read" || !p || !options.newCommit) return verdict;
  const slug = options.appSlug ?? (actor.endsWith("[bot]") ? actor.slice(0, -"[bot]".length) : undefined);
  const isListed = (list: { users?: Named[]; apps?: Named[] } | undefined) =>
    slug !== undefined && method !== "pat" ? names(list?.apps).includes(slug) : names(list?.users).includes(actor);
  verdict.enforceAdmins = enabled(p.enforce_admins);
  // the protection details answer only to repository admins; a user token that read them is an admin
  if (method === "pat" && !verdict.enforceAdmins) {
    verdict.passed.push(CLASSIC_SETTING.adminSkips(actor));
    return verdict;
  }
  if (enabled(p.lock_branch)) verdict.blocking.push(CLASSIC_SETTING.locked());
  const reviews = p.required_pull_request_reviews;
  if (reviews) {
    if (isListed(reviews.bypass_pull_request_allowances)) verdict.passed.push(CLASSIC_SETTING.reviewsBypassed(actor));
    else verdict.blocking.push(CLASSIC_SETTING.reviewsRequired(actor));
  }
  if (p.restrictions) {
    if (isListed(p.restrictions)) verdict.passed.push(CLASSIC_SETTING.pushAllowed(actor));
    else verdict.blocking.push(CLASSIC_SETTING.pushRestricted(actor));
  }
  const checks = p.required_status_checks;
  const contexts = [...new Set([...(checks?.contexts ?? []), ...(checks?.checks ?? []).map((c) => c.context)])];
  if (checks && contexts.length > 0) verdict.blocking.push(CLASSIC_SETTING.statusChecks(contexts));
  if (enabled(p.required_signatures)) {
    if (options.commitMode === "api") verdict.passed.push(CLASSIC_SETTING.signedThroughApi());
    else verdict.blocking.push(CLASSIC_SETTING.signaturesRequired(actor));
  }
  return verdict;
}
