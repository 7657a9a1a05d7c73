// Git object IDs in both formats a repository can have: 40 hex digits (SHA-1) or 64 (SHA-256,
// `git init --object-format=sha256`). GitHub answers which one a repository uses at
// `GET /repos/{owner}/{repo}/hash-algorithm` (docs/github.md §17). The all-zero ID stands for "no
// object" in ref updates (a created or deleted ref) and is as long as the repository's IDs.
import type { Repository } from "./world.js";

export type ObjectFormat = "sha1" | "sha256";

/** a full object ID of either format, lower-case as git prints it */
export const OBJECT_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

const HEX_DIGITS: Record<ObjectFormat, number> = { sha1: 40, sha256: 64 };

export function objectFormatOf(repo: Pick<Repository, "objectFormat">): ObjectFormat {
  return repo.objectFormat ?? "sha1";
}

/** whether `sha` is a full object ID of the repository's format */
export function isObjectIdOf(repo: Pick<Repository, "objectFormat">, sha: string): boolean {
  return OBJECT_ID.test(sha) && sha.length === HEX_DIGITS[objectFormatOf(repo)];
}

/** the all-zero object ID of the repository's format */
export function zeroOid(repo: Pick<Repository, "objectFormat">): string {
  return "0".repeat(HEX_DIGITS[objectFormatOf(repo)]);
}

/** whether `sha` is an all-zero object ID (of either format): no object */
export function isZeroOid(sha: string): boolean {
  return /^(?:0{40}|0{64})$/.test(sha);
}
