// Immutable releases (docs/github.md §15.1): the repository setting
// (`GET|PUT|DELETE /repos/{owner}/{repo}/immutable-releases`), a release by its tag, deleting a release,
// and the lock the engine (rules.ts) applies to tag refs: the tag of a live immutable release can be
// neither moved nor deleted, and a tag name an immutable release ever used can never be created again,
// by anyone (no bypass, no exemption), through git or REST.
import { accessRepo, error, isReply, notFound, validationFailed, type RestContext, type RouteDef } from "./rest-common.js";
import type { ReleaseRecord, Repository, World } from "./world.js";

const ZERO = /^0+$/;

/** The repository's immutability state, created on first use (off, nothing burned). */
export function immutabilityOf(repo: Repository): NonNullable<Repository["immutable"]> {
  repo.immutable ??= { enabled: false, enforcedByOwner: false, burnedTags: new Set() };
  return repo.immutable;
}

/** Switch immutable releases on or off, as an admin does in the settings (affects later releases only). */
export function setImmutableReleases(repo: Repository, enabled: boolean): void {
  immutabilityOf(repo).enabled = enabled;
}

/** A release just published: immutable when the setting is on; its tag name is then used for good. */
export function publishRelease(repo: Repository, record: ReleaseRecord): void {
  const state = immutabilityOf(repo);
  if (record.draft || !state.enabled) return;
  record.immutable = true;
  state.burnedTags.add(record.tag_name);
}

/** A tag name that an immutable release used: a new release or tag of that name is refused. */
export function isBurned(repo: Repository, tag: string): boolean {
  return repo.immutable?.burnedTags.has(tag) ?? false;
}

/**
 * GitHub's rule lines for a tag update that immutability refuses (docs/github.md §15.1): the same
 * lines as the `creation`, `update` and `deletion` rules; none for a branch or an allowed update.
 */
export function immutableTagViolations(world: World, repo: Repository, update: { ref: string; oldSha: string; newSha: string }): string[] {
  if (!update.ref.startsWith("refs/tags/") || !repo.immutable) return [];
  const tag = update.ref.slice("refs/tags/".length);
  const creating = ZERO.test(update.oldSha);
  const deleting = ZERO.test(update.newSha);
  if (creating) return isBurned(repo, tag) ? ["Cannot create ref due to creations being restricted."] : [];
  const locked = world.releasesOf(repo).some((r) => r.immutable && r.tag_name === tag);
  if (!locked) return [];
  return [deleting ? "Cannot delete this tag." : "Cannot update this protected ref."];
}

export const immutableRoutes: RouteDef[] = [
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/immutable-releases",
    handler(ctx) {
      // "The authenticated user must have admin read access to the repository" (docs/github.md §15.1)
      const repo = accessRepo(ctx, "administration", "read");
      if (isReply(repo)) return repo;
      const state = immutabilityOf(repo);
      // 404 "if immutable releases are not enabled for the repository", documented without a body
      if (!state.enabled) return { status: 404 };
      return { status: 200, body: { enabled: true, enforced_by_owner: state.enforcedByOwner } };
    },
  },
  {
    method: "PUT",
    template: "/repos/{owner}/{repo}/immutable-releases",
    handler(ctx) {
      const repo = accessRepo(ctx, "administration", "write");
      if (isReply(repo)) return repo;
      setImmutableReleases(repo, true);
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/immutable-releases",
    handler(ctx) {
      const repo = accessRepo(ctx, "administration", "write");
      if (isReply(repo)) return repo;
      if (immutabilityOf(repo).enforcedByOwner) return error(409, "Immutable releases are enforced by the repository owner.");
      setImmutableReleases(repo, false);
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/releases/{release_id}",
    handler(ctx: RestContext) {
      const repo = accessRepo(ctx, "contents", "write");
      if (isReply(repo)) return repo;
      const list = ctx.world.releasesOf(repo);
      const index = list.findIndex((r) => String(r.id) === ctx.params.release_id);
      if (index < 0) return notFound();
      // the release goes; an immutable release's tag name stays used (immutabilityOf(repo).burnedTags)
      list.splice(index, 1);
      return { status: 204 };
    },
  },
];

/** The 422 GitHub answers when a release is created with a burned tag name (docs/github.md §15.1). */
export function burnedTagReply(): ReturnType<typeof validationFailed> {
  return validationFailed("Validation Failed", [{ resource: "Release", code: "custom", field: "tag_name", message: "tag_name was used by an immutable release" }]);
}
