// Classic branch protection (github-facts §9): `GET /repos/{o}/{r}/branches/{branch}` (Contents: read)
// says `protected` (true for rulesets too) and `protection.enabled` (classic protection only). The
// details, `GET …/branches/{branch}/protection`, need Administration: read; without it a classic-
// protected branch gives a warning naming the permission. `loadClassicProtection` makes the requests,
// `judgeClassicProtection` is pure (the commit mode may be settled later).
import { RequestError } from "@octokit/request-error";
import { httpStatus, isRateLimit } from "../octokit.js";
import type { AuthMethod, Permissions } from "../types.js";
import type { PreflightOctokit } from "./branch.js";

/** The parts of the `protected-branch` schema this plugin reads; the stand-in's bare booleans are accepted too. */
interface ProtectionResponse {
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
  failedStatus?: number;
  protection?: ProtectionResponse;
  /** the web page with the branch protection rules */
  settingsUrl: string;
}

export interface ClassicVerdict {
  state: ClassicProtectionData["state"];
  protected: boolean | undefined;
  classic: boolean | undefined;
  /** settings that refuse the push, in words; empty when none do */
  blocking: string[];
  /** settings the actor passes, in words (for the report) */
  passed: string[];
  enforceAdmins: boolean | undefined;
  settingsUrl: string;
}

/** the HTTP status of an answer; undefined for a rate limit the throttling plugin gave up on (a failure, EGITHUBAPI) */
function status(error: unknown): number | undefined {
  if (error instanceof RequestError && isRateLimit(error)) return undefined;
  return httpStatus(error);
}

function enabled(toggle: Toggle): boolean {
  return typeof toggle === "boolean" ? toggle : toggle?.enabled === true;
}

function names(list: Named[] | undefined): string[] {
  return (list ?? []).map((entry) => (typeof entry === "string" ? entry : (entry.slug ?? entry.login ?? entry.name ?? ""))).filter(Boolean);
}

export async function loadClassicProtection(opts: {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
  branch: string;
  githubUrl: string;
  /** permissions of the token; undefined when unknown (PAT, GITHUB_TOKEN): the details are then tried */
  tokenPermissions: Permissions | undefined;
}): Promise<ClassicProtectionData> {
  const { octokit, owner, repo, branch, tokenPermissions } = opts;
  const settingsUrl = `${opts.githubUrl.replace(/\/+$/, "")}/${owner}/${repo}/settings/branches`;
  let data: { protected?: boolean; protection?: { enabled?: boolean } };
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/branches/{branch}", { owner, repo, branch }));
  } catch (error) {
    const code = status(error);
    if (code === 404 || code === 403) return { protected: undefined, classic: undefined, state: "branch-unknown", failedStatus: code, settingsUrl };
    throw error;
  }
  const isProtected = data.protected === true;
  // github-facts §9: `protection.enabled` is true for classic protection only (`protected` also for rulesets)
  const classic = isProtected && data.protection?.enabled === true;
  if (!classic) return { protected: isProtected, classic, state: "not-protected", settingsUrl };
  // the installation's permissions are known: do not waste a request on a 403 (DESIGN.md "Preflight")
  if (tokenPermissions && !tokenPermissions.administration) return { protected: true, classic: true, state: "no-permission", settingsUrl };
  try {
    const { data: protection } = await octokit.request("GET /repos/{owner}/{repo}/branches/{branch}/protection", { owner, repo, branch });
    return { protected: true, classic: true, state: "read", protection: protection as ProtectionResponse, settingsUrl };
  } catch (error) {
    const code = status(error);
    // 403/401: no Administration: read; 404 "Branch not protected" can also mean "not allowed to see it"
    if (code === 403 || code === 404) return { protected: true, classic: true, state: "no-permission", failedStatus: code, settingsUrl };
    throw error;
  }
}

/**
 * Which classic settings refuse a direct push of one new commit by `actor` (github-facts §9): required
 * reviews (unless the App or user is in bypass_pull_request_allowances), push restrictions (unless
 * listed in restrictions), required status checks (no allow list), required signatures (unless the
 * commit is made through the API), a locked branch. Admins skip all of it while enforce_admins is off:
 * only a user token can be an admin here (whether Administration: write makes an App one is undocumented).
 */
export function judgeClassicProtection(
  data: ClassicProtectionData,
  who: { actor: string; appSlug?: string | undefined; method: AuthMethod; commitMode: "git" | "api"; newCommit?: boolean },
): ClassicVerdict {
  const verdict: ClassicVerdict = {
    state: data.state,
    protected: data.protected,
    classic: data.classic,
    blocking: [],
    passed: [],
    enforceAdmins: undefined,
    settingsUrl: data.settingsUrl,
  };
  const p = data.protection;
  if (data.state !== "read" || !p || who.newCommit === false) return verdict;
  const slug = who.appSlug ?? (who.actor.endsWith("[bot]") ? who.actor.slice(0, -"[bot]".length) : undefined);
  const isListed = (list: { users?: Named[]; apps?: Named[] } | undefined) =>
    slug !== undefined && who.method !== "pat" ? names(list?.apps).includes(slug) : names(list?.users).includes(who.actor);
  verdict.enforceAdmins = enabled(p.enforce_admins);
  // the protection details answer only to repository admins; a user token that read them is an admin
  if (who.method === "pat" && !verdict.enforceAdmins) {
    verdict.passed.push(`${who.actor} is a repository administrator and "Do not allow bypassing the above settings" is off`);
    return verdict;
  }
  if (enabled(p.lock_branch)) verdict.blocking.push(`the branch is locked ("Lock branch")`);
  const reviews = p.required_pull_request_reviews;
  if (reviews) {
    if (isListed(reviews.bypass_pull_request_allowances)) verdict.passed.push(`required pull request reviews: ${who.actor} is allowed to bypass them`);
    else verdict.blocking.push(`pull requests are required ("Require a pull request before merging") and ${who.actor} is not in "Allow specified actors to bypass required pull requests"`);
  }
  if (p.restrictions) {
    if (isListed(p.restrictions)) verdict.passed.push(`push restrictions: ${who.actor} may push`);
    else verdict.blocking.push(`pushes are restricted ("Restrict who can push to matching branches") and ${who.actor} is not in the list`);
  }
  const checks = p.required_status_checks;
  const contexts = [...new Set([...(checks?.contexts ?? []), ...(checks?.checks ?? []).map((c) => c.context)])];
  if (checks && contexts.length > 0) {
    verdict.blocking.push(`status checks are required (${contexts.map((c) => `"${c}"`).join(", ")}) and a new release commit has none; classic protection has no allow list for them`);
  }
  if (enabled(p.required_signatures)) {
    if (who.commitMode === "api") verdict.passed.push("required signatures: the release commit is made through the API and signed by GitHub");
    else verdict.blocking.push(`signed commits are required ("Require signed commits") and a local commit by ${who.actor} is not signed (use commitMode "api")`);
  }
  return verdict;
}
