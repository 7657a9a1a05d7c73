// Installation token permissions: what to ask for, what is missing, how to show them. Pure.
// Names and levels: lib/token/app-permissions.ts; how GitHub grants them: docs/github.md §6.1.
import type { PermissionLevel, Permissions, ResolvedConfig } from "../types.js";

const RANK: Readonly<Record<PermissionLevel, number>> = { read: 1, write: 2, admin: 3 };

/**
 * `administration: read, contents: write` (sorted by name, as GitHub's settings pages list them),
 * `none` for an empty set, `unknown` when not known (a PAT or the workflow token).
 */
export function formatPermissions(permissions: Permissions | undefined): string {
  if (!permissions) return "unknown";
  const entries = Object.entries(permissions).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([name, level]) => `${name}: ${level}`).join(", ") : "none";
}

/** The entries of `want` that `have` does not cover (absent, or at a lower level). */
export function missingPermissions(want: Permissions, have: Permissions | undefined): Permissions {
  const missing: Permissions = {};
  for (const [name, level] of Object.entries(want)) {
    const held = have?.[name];
    if ((held ? RANK[held] : 0) < (RANK[level] ?? Number.POSITIVE_INFINITY)) missing[name] = level;
  }
  return missing;
}

/** The known levels of an API response's `permissions` object (GitHub may add other fields). */
export function parsePermissions(raw: Record<string, unknown> | null | undefined): Permissions {
  const permissions: Permissions = {};
  for (const [name, level] of Object.entries(raw ?? {})) {
    if (level === "read" || level === "write" || level === "admin") permissions[name] = level;
  }
  return permissions;
}

export interface PermissionsToRequestOptions {
  config: Pick<ResolvedConfig, "permissions" | "dispatch" | "laterPluginPermissions">;
  /** what the installation has; undefined when not known yet (an installation ID was given) */
  installationPermissions?: Permissions | undefined;
  /** a dry run: read access only */
  readOnly?: boolean | undefined;
}

/**
 * What the token is asked for. A dry run (`readOnly`): `contents: read` and `metadata: read`, plus
 * `administration: read` when the installation has it: enough for the whole preflight, because
 * GitHub computes a ruleset's `current_user_can_bypass` for the actor making the request (the App),
 * not from the token's permissions (docs/github.md §1.3; https://docs.github.com/en/rest/repos/rules#get-a-repository-ruleset),
 * so a read-only token gets the same verdict as the write token of the real release. Otherwise the `permissions` option when
 * given; else `contents: write` (release commit and tag, repository_dispatch), `actions: write` for a
 * workflow dispatch target, and, only when the installation already has them (never asked blindly,
 * so no request is wasted on a 422): `administration: read` to read classic branch protection
 * (docs/architecture.md "Preflight") and what a later plugin needs from the exported token
 * (`laterPluginPermissions`).
 */
export function permissionsToRequest({ config, installationPermissions, readOnly = false }: PermissionsToRequestOptions): Permissions {
  const has = (optional: Permissions) => installationPermissions !== undefined && Object.keys(missingPermissions(optional, installationPermissions)).length === 0;
  if (readOnly) return { contents: "read", metadata: "read", ...(has({ administration: "read" }) ? { administration: "read" } : {}) };
  if (config.permissions) return { ...config.permissions };
  const wanted: Permissions = { contents: "write" };
  if (config.dispatch.some((target) => "workflow" in target)) wanted.actions = "write";
  for (const [name, level] of Object.entries({ administration: "read", ...config.laterPluginPermissions } as Permissions)) {
    if (has({ [name]: level })) wanted[name] = level;
  }
  return wanted;
}

/** Whether `requested` is missing a permission of `wider` (then a second mint is worth it). */
export function widens(requested: Permissions, wider: Permissions): boolean {
  return Object.keys(wider).some((name) => !requested[name]);
}
