// Error definitions of the command line's set-up commands (README "Command line"): `setup-bypass`
// (an administrator's token, GitHub Actions as a bypass actor) and `bootstrap-tags` (the workspace's
// packages, tags that already exist elsewhere). Each entry: (context) → { message, details }, details =
// what was expected, what was found, the fix, a README link.
import type { ErrorDefinition } from "./catalog.js";
import { linkify } from "../definitions/constants.js";

function details(parts: { expected: string; found: string; fix: string; link: [label: string, anchor: string] }): string {
  const [label, anchor] = parts.link;
  return [`**Expected:** ${parts.expected}`, `**Found:** ${parts.found}`, `**Fix:** ${parts.fix}`, `See [${label}](${linkify(anchor)}).`].join("\n\n");
}

export interface AdminTokenContext {
  /** missing: GH_ADMIN_TOKEN not set; refused: GitHub answered 401/403/404 for the repository; not-admin: the token cannot see (so cannot edit) the rulesets' bypass lists */
  reason: "missing" | "refused" | "not-admin";
  owner: string;
  repo: string;
  status?: number | undefined;
  /** rulesets whose bypass list the token could not see */
  rulesets?: string[] | undefined;
}

export interface TagElsewhere {
  tag: string;
  /** the commit the existing tag points to */
  existingSha: string;
  where: "remote" | "local";
}

const FOUND_ADMIN: Record<AdminTokenContext["reason"], (ctx: AdminTokenContext) => string> = {
  missing: () => "GH_ADMIN_TOKEN is not set or empty.",
  refused: (ctx) => `GitHub answered ${ctx.status ?? "an error"} when the token asked for ${ctx.owner}/${ctx.repo}.`,
  "not-admin": (ctx) => `GitHub does not show the token the bypass list of ${(ctx.rulesets ?? []).map((name) => `"${name}"`).join(", ")}: it shows bypass lists only to those who may edit the ruleset.`,
};

export const SETUP_ERRORS = {
  EADMINTOKEN: (ctx: AdminTokenContext): ErrorDefinition => ({
    message:
      ctx.reason === "missing"
        ? "setup-bypass needs an administrator's token in GH_ADMIN_TOKEN."
        : `The token in GH_ADMIN_TOKEN cannot administer the rulesets of ${ctx.owner}/${ctx.repo}.`,
    details: details({
      expected: `in GH_ADMIN_TOKEN, a token of a repository administrator of ${ctx.owner}/${ctx.repo}: a fine-grained personal access token with Administration: read and write on the repository, or a classic one with \`repo\`. It is used only by this command, never by the release.`,
      found: FOUND_ADMIN[ctx.reason](ctx),
      fix: "Create such a token (https://github.com/settings/personal-access-tokens), pass it as `GH_ADMIN_TOKEN=… npx semantic-release-github-app setup-bypass …`, and revoke it afterwards if you made it for this. Without one, add the App to each ruleset's bypass list on the settings pages the plan lists.",
      link: ["EADMINTOKEN", "eadmintoken"],
    }),
  }),

  EACTIONSNOTBYPASSABLE: (ctx: { owner: string; repo: string }): ErrorDefinition => ({
    message: `GitHub Actions cannot be a bypass actor of ${ctx.owner}/${ctx.repo}'s rulesets: the repository belongs to a user account, and there GitHub answers 422 "Actor GitHub Actions integration must be part of the ruleset source or owner organization".`,
    details: details({
      expected: "a repository owned by an organization, where GitHub accepts the GitHub Actions integration in a ruleset's bypass list.",
      found: `${ctx.owner}/${ctx.repo} is owned by the user ${ctx.owner}, where GitHub refuses the GitHub Actions integration (App ID 15368) in a bypass list with that 422, so nothing was asked for or changed.`,
      fix: "Release as a GitHub App: create an App with Contents: write, install it on the repository, set `GITHUB_APP_CLIENT_ID` and `GITHUB_APP_PRIVATE_KEY`, and run `setup-bypass` again without `--actor github-actions`: it adds the App to every ruleset that would refuse the release.",
      link: ["EACTIONSNOTBYPASSABLE", "eactionsnotbypassable"],
    }),
  }),

  ENOWORKSPACEPACKAGES: (ctx: { cwd: string; patterns: string[] }): ErrorDefinition => ({
    message: `No workspace package with a name and a version was found in ${ctx.cwd}.`,
    details: details({
      expected: "a root package.json whose `workspaces` (npm, yarn: a list of globs, or `{ packages: [...] }`) or a pnpm-workspace.yaml `packages:` list names folders with a package.json that has a `name` and a `version`.",
      found: ctx.patterns.length > 0 ? `the patterns ${ctx.patterns.map((p) => `\`${p}\``).join(", ")} match no such folder.` : "no `workspaces` in package.json and no pnpm-workspace.yaml.",
      fix: "Run `bootstrap-tags` at the root of the repository's workspace, or add the packages' folders to `workspaces`. For a single-package repository, tag its version by hand: `git tag v1.4.0 && git push origin v1.4.0`.",
      link: ["ENOWORKSPACEPACKAGES", "enoworkspacepackages"],
    }),
  }),

  ETAGONOTHERCOMMIT: (ctx: { tags: TagElsewhere[]; commit: string }): ErrorDefinition => ({
    message: `${ctx.tags.length === 1 ? `The tag ${ctx.tags[0]!.tag} already exists` : `${ctx.tags.length} tags already exist`} at another commit than ${ctx.commit.slice(0, 12)}; no tag was pushed.`,
    details: details({
      expected: `each tag to be new, or to point at ${ctx.commit.slice(0, 12)} already (it is then skipped).`,
      found: ctx.tags.map((t) => `\`${t.tag}\` points at ${t.existingSha.slice(0, 12)} (${t.where === "remote" ? "on GitHub" : "in the local clone"})`).join("; ") + ".",
      fix: "Such a tag already marks that version: semantic-release starts the package's history there, so it needs no new tag. Leave it out by running `bootstrap-tags --commit` on the commit it points at, or, if it is a mistake, delete it (`git push --delete origin <tag>`, `git tag -d <tag>`) and run `bootstrap-tags` again. Nothing was pushed.",
      link: ["ETAGONOTHERCOMMIT", "etagonothercommit"],
    }),
  }),
};
