// Immutable releases (docs/github.md §15.1): a release published while the setting is on locks its tag,
// and its tag name can never be used again, even after the release is deleted. semantic-release does
// not know this and computes the burned version again; the release would then fail at the push (a
// deleted release's name) or at @semantic-release/github (a live one), after other plugins may have
// published. This module reads the setting (verifyConditions, with the other preflight reads) and the
// release of the exact next tag (verifyRelease, only when the setting is on), and judges them; the
// judges are pure.
import type SemanticReleaseError from "@semantic-release/error";
import debugFactory from "debug";
import { DEBUG_NAMESPACE } from "../definitions/constants.js";
import { getError } from "../errors/get-error.js";
import { readFailure } from "../octokit.js";
import type { PushRejection } from "../push/parse-push-rejection.js";
import type { Permissions } from "../types.js";
import type { PreflightOctokit } from "./fetch.js";

const debug = debugFactory(`${DEBUG_NAMESPACE}:preflight`);

/** The immutable-releases setting of the repository, as read in verifyConditions. */
export interface ImmutableFacts {
  /** "unknown": the token may not read it (Administration: read), or GitHub refused */
  state: "on" | "off" | "unknown";
  /** set by an organization policy, not by the repository */
  enforcedByOwner?: boolean | undefined;
  /** why it is unknown: the token lacks Administration: read ("permission"), or GitHub answered this status */
  unknownBecause?: "permission" | number | undefined;
}

/** The published release of a tag, as far as the guard needs it. */
export interface ReleaseOfTag {
  immutable: boolean;
  htmlUrl: string;
}

interface Where {
  octokit: PreflightOctokit;
  owner: string;
  repo: string;
}

function statusOf(error: unknown): number | undefined {
  const failure = readFailure(error);
  return failure.rateLimited ? undefined : failure.status;
}

/**
 * `GET /repos/{o}/{r}/immutable-releases` (docs/github.md §15.1): 200 with `enabled`, 404 when off.
 * It needs Administration: read; a token known to lack it makes no request.
 */
export async function readImmutableReleases({ octokit, owner, repo, tokenPermissions }: Where & { tokenPermissions?: Permissions | undefined }): Promise<ImmutableFacts> {
  if (tokenPermissions && !tokenPermissions.administration) return { state: "unknown", unknownBecause: "permission" };
  try {
    // 404 is the answer "off", not a replica that lags: not retried (lib/definitions/retry.ts retries 404 elsewhere)
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/immutable-releases", { owner, repo, request: { retries: 0 } });
    const answer = data as { enabled?: boolean; enforced_by_owner?: boolean };
    return { state: answer.enabled === false ? "off" : "on", enforcedByOwner: answer.enforced_by_owner === true };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404) return { state: "off" };
    if (status === 403 || status === 401) {
      debug("immutable releases of %s/%s not readable: %d", owner, repo, status);
      return { state: "unknown", unknownBecause: status };
    }
    throw error;
  }
}

/** `GET /repos/{o}/{r}/releases/tags/{tag}`: the published release of the tag, undefined on 404 (none, or deleted). */
export async function readReleaseOfTag({ octokit, owner, repo, tag }: Where & { tag: string }): Promise<ReleaseOfTag | undefined> {
  try {
    // 404 is the usual answer (no release of that tag), not a replica that lags: not retried
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { owner, repo, tag, request: { retries: 0 } });
    const release = data as { immutable?: boolean; html_url: string };
    return { immutable: release.immutable === true, htmlUrl: release.html_url };
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** What ETAGBURNED is told: the tag, why it is burned, and what to tag to move past it. */
export interface BurnedTagContext {
  tag: string;
  version: string;
  /** semantic-release's `tagFormat` */
  tagFormat: string;
  /** the last release's tag, where the marker tag goes; undefined for a first release */
  lastTag?: string | undefined;
  /** "release": an immutable release of this tag exists; "deleted": the push was refused as a deleted one's name */
  reason: "release" | "deleted";
  releaseUrl?: string | undefined;
}

/** verifyRelease: the next tag is taken when an immutable release of it exists. Pure. */
export function judgeReleaseOfTag(options: Omit<BurnedTagContext, "reason" | "releaseUrl"> & { release: ReleaseOfTag | undefined }): SemanticReleaseError | undefined {
  const { release, ...context } = options;
  if (!release?.immutable) return undefined;
  return getError("ETAGBURNED", { ...context, reason: "release", releaseUrl: release.htmlUrl });
}

const CREATION_REFUSED = /^Cannot create ref due to creations being restricted\.?$/;

/**
 * prepare: GitHub refused the push of the release tag with only the creation line while immutable
 * releases are on and no tag ruleset with a `creation` rule targets the tag: that is how a
 * name a deleted immutable release used shows (docs/github.md §15.1). Pure.
 */
export function burnedByRefusal(options: {
  rejections: PushRejection[];
  tag: string;
  immutable: ImmutableFacts | undefined;
  /** does an active tag ruleset with a `creation` rule target the tag (then the refusal may be that rule) */
  creationRuleApplies: boolean;
}): boolean {
  const { rejections, tag, immutable } = options;
  // unknown is not enough: a tag ruleset added after the preflight refuses a creation with the same line
  if (immutable?.state !== "on" || options.creationRuleApplies) return false;
  const onTag = rejections.filter((r) => r.ref === `refs/tags/${tag}`);
  return onTag.length > 0 && onTag.every((r) => r.code === "GH013" && r.rules.length > 0 && r.rules.every((rule) => CREATION_REFUSED.test(rule.trim())));
}

/** The dry-run report's line for the setting. */
export function describeImmutable(facts: ImmutableFacts | undefined): string {
  if (!facts) return "not read (preflight: off)";
  if (facts.state === "on") return `on${facts.enforcedByOwner ? " (enforced by the owner)" : ""}: a published release locks its tag, and a used tag name is never accepted again`;
  if (facts.state === "off") return "off";
  return facts.unknownBecause === "permission" ? "unknown (reading it needs Administration: read)" : `unknown (GitHub answered ${facts.unknownBecause})`;
}
