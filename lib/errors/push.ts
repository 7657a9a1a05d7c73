// Error definitions: see ../errors.ts. Each entry: (context) => ({ message, details }).
// Codes of the prepare step: the atomic push (lib/push/push-release.ts) and the API commit
// (lib/push/commit-via-api.ts). Texts GitHub sends back: docs/github.md §3.
import type { ErrorDefinition } from "./catalog.js";
import { linkify } from "../definitions/constants.js";

/** How the release reached GitHub. */
export type PushVia = "git" | "api";

export interface PushRejectionContext {
  code: "GH013" | "GH006";
  /** full ref, refs/heads/main or refs/tags/v1.0.0 */
  ref: string;
  rules: string[];
  rulesUrl?: string;
}

const CODE_NAMES = { GH013: "repository rules", GH006: "classic branch protection" } as const;

function fence(text: string, max = 4000): string {
  const clipped = text.length > max ? `${text.slice(0, max)}\n[… ${text.length - max} more characters]` : text;
  return "```\n" + clipped.replace(/```/g, "'''").trimEnd() + "\n```";
}

function settingsUrl(ctx: { githubUrl?: string; owner?: string; repo?: string }, page: "rules" | "branches"): string | undefined {
  if (!ctx.githubUrl || !ctx.owner || !ctx.repo) return undefined;
  return `${ctx.githubUrl}/${ctx.owner}/${ctx.repo}/settings/${page}`;
}

function nothingLanded(via: PushVia, tag: string | undefined, tagLeftBehind: boolean | undefined): string {
  if (via === "git") {
    return "The release commit and tag were pushed in one atomic push, so nothing was written to the remote. The release commit stays in the local clone only.";
  }
  if (tagLeftBehind && tag) {
    return `The commit was created through the API, but the branch was not moved. **The tag ref \`refs/tags/${tag}\` could not be deleted again**: delete it before the next run (\`git push --delete origin ${tag}\`).`;
  }
  return "The commit was created through the API, but the branch was not moved and the tag ref was deleted again, so no ref changed on the remote.";
}

export const PUSH_ERRORS = {
  EPUSHREJECTED: (ctx: {
    rejections: PushRejectionContext[];
    /** login that authenticated the push, e.g. `my-app[bot]` */
    actor?: string;
    owner?: string;
    repo?: string;
    githubUrl?: string;
    via: PushVia;
    tag?: string;
    tagLeftBehind?: boolean;
  }): ErrorDefinition => {
    const refs = ctx.rejections.map((rejection) => rejection.ref);
    const codes = [...new Set(ctx.rejections.map((rejection) => rejection.code))];
    const who = ctx.actor ? ` as \`${ctx.actor}\`` : "";
    const sections = ctx.rejections.map((rejection) => {
      const rules = rejection.rules.length > 0 ? rejection.rules.map((rule) => `- ${rule}`).join("\n") : "- (GitHub gave no rule text)";
      const review = rejection.rulesUrl ? `\n\nAll rules for this ref: ${rejection.rulesUrl}` : "";
      return `**\`${rejection.ref}\`** (${rejection.code}, ${CODE_NAMES[rejection.code]}):\n\n${rules}${review}`;
    });
    const fixes: string[] = [];
    if (codes.includes("GH013")) {
      const url = settingsUrl(ctx, "rules");
      fixes.push(
        `- **Rulesets (GH013):** open ${url ?? "the repository's *Settings → Rules → Rulesets*"} and, in every ruleset that contains the rules above, add the App${ctx.actor ? ` (\`${ctx.actor}\`)` : ""} to the **Bypass list** with the mode **Always** ("For pull requests only" does not cover a direct push). Rulesets of the organization are edited in the organization's settings (*Settings → Repository → Rulesets*) by an organization owner.`,
      );
    }
    if (codes.includes("GH006")) {
      const url = settingsUrl(ctx, "branches");
      fixes.push(
        `- **Classic branch protection (GH006):** open ${url ?? "the repository's *Settings → Branches*"} and, in the rule that protects the branch, add the App to *Allow specified actors to bypass required pull requests* and, if push restrictions are on, to *Restrict who can push* (both exist on organization repositories only). Required status checks and signatures have no allow list there: move the protection into a ruleset, where an App can be a bypass actor.`,
      );
    }
    return {
      // the message is printed as it is (plain text); markdown belongs in details
      message: `GitHub rejected the release push of ${refs.join(" and ")}${ctx.actor ? ` as ${ctx.actor}` : ""} (${codes.join(", ")}).`,
      details: `The release push was expected to pass the branch and tag rules${who}. GitHub refused it:

${sections.join("\n\n")}

${nothingLanded(ctx.via, ctx.tag, ctx.tagLeftBehind)}

Fix:
${fixes.join("\n")}

Then run the release again. \`--dry-run\` shows which rulesets the App can bypass before anything is pushed.

See [EPUSHREJECTED](${linkify("epushrejected")}).`,
    };
  },

  EREMOTEAHEAD: (ctx: {
    branch: string;
    /** the commit we tried to push (the release commit, or its parent in API mode) */
    localSha: string;
    /** the branch tip on the remote, when known */
    remoteSha?: string;
    via: PushVia;
    tag?: string;
    tagLeftBehind?: boolean;
  }): ErrorDefinition => ({
    message: `The branch ${ctx.branch} moved on the remote while the release was being prepared.`,
    details: `The release commit was expected to fast-forward \`${ctx.branch}\`${ctx.remoteSha ? ` from \`${ctx.remoteSha.slice(0, 12)}\`` : ""}, but the remote branch now has commits that the local clone does not contain${ctx.remoteSha ? "" : " (the remote refused a non-fast-forward update)"}.

${nothingLanded(ctx.via, ctx.tag, ctx.tagLeftBehind)}

Fix: run the release again on the new tip of \`${ctx.branch}\` (a CI re-run checks out the latest commit; locally, \`git pull --rebase\` first). If this happens often, let only one release job run at a time (a \`concurrency\` group in GitHub Actions).

See [EREMOTEAHEAD](${linkify("eremoteahead")}).`,
  }),

  EGITAUTHOVERRIDDEN: (ctx: {
    remoteUrl: string;
    /** where a `url.<base>.insteadOf` sends the push instead, if anywhere */
    rewrittenTo?: string | undefined;
    /** `key (origin)` of every extraheader / insteadOf entry git sees (values never shown) */
    origins: string[];
  }): ErrorDefinition => ({
    message: `git would not push to ${ctx.remoteUrl} with the App token: another credential in the git configuration wins.`,
    details: `The release push was expected to go to \`${ctx.remoteUrl}\` with the App token, the credential the preflight approved. ${
      ctx.rewrittenTo
        ? `A \`url.<base>.insteadOf\` entry rewrites that URL to \`${ctx.rewrittenTo}\`, so git would push there with whatever credential that URL uses.`
        : "git's configuration has an `http.<url>.extraheader` entry that git would send instead of the App token's header."
    }

Entries git sees (key and where it is set, the plugin's own among them as "command line"; values are not shown):
${ctx.origins.length > 0 ? ctx.origins.map((entry) => `- \`${entry}\``).join("\n") : "- (none outside the plugin's own entries)"}

Nothing was pushed. Fix: remove the entry that targets this repository (\`git config --unset-all <key>\` in the file named above, or the \`-c\`/\`GIT_CONFIG_*\` setting that adds it). A header persisted by \`actions/checkout\` is not a problem: the plugin replaces it; a more specific one or a URL rewrite is.

See [EGITAUTHOVERRIDDEN](${linkify("egitauthoverridden")}).`,
  }),

  ETAGEXISTS: (ctx: {
    tag: string;
    /** commit the existing tag points to, when known */
    existingSha?: string;
    /** the commit that would have been tagged */
    headSha: string;
    where: "remote" | "local";
  }): ErrorDefinition => ({
    message: `The tag ${ctx.tag} already exists ${ctx.where === "remote" ? "on the remote" : "in the local clone"}${ctx.existingSha ? ` at another commit (${ctx.existingSha.slice(0, 12)})` : ""}.`,
    details: `The tag \`${ctx.tag}\` was expected to be new, to be created on \`${ctx.headSha.slice(0, 12)}\`. It already exists ${ctx.where === "remote" ? "on the remote" : "in the local clone"}${ctx.existingSha ? ` and points to \`${ctx.existingSha.slice(0, 12)}\`` : ""}. Nothing was overwritten and nothing was pushed.

This usually means an earlier release pushed the tag but did not finish (or a tag was created by hand), so semantic-release computed the same version again.

Fix: if \`${ctx.tag}\` is a leftover, delete it (\`git push --delete origin ${ctx.tag}\` and \`git tag -d ${ctx.tag}\`) and run the release again. If it is a real release, make sure its commit is reachable from the release branch (semantic-release finds the last release through the tags merged into the branch), or release a higher version.

See [ETAGEXISTS](${linkify("etagexists")}).`,
  }),

  EPUSHFAILED: (ctx: {
    branch: string;
    tag?: string;
    via: PushVia;
    /** git's stderr or the API's error message, scrubbed of credentials */
    output: string;
    exitCode?: number | null;
    /** HTTP status of an API request */
    status?: number;
    /** a sentence naming the likely cause, when one is recognised */
    hint?: string;
    /** whether a transient failure was retried */
    retried?: boolean;
    /** the refs did land on GitHub (a failure after the API update, e.g. the local fetch) */
    landed?: boolean;
  }): ErrorDefinition => ({
    message: `The release push of ${ctx.branch}${ctx.tag ? ` and ${ctx.tag}` : ""} failed${ctx.status ? ` (HTTP ${ctx.status})` : ctx.exitCode != null ? ` (git exit code ${ctx.exitCode})` : ""}.`,
    details: `The release ${ctx.via === "git" ? "commit and tag were expected to be pushed with `git push --atomic`" : "commit was expected to be created through the GitHub API"}. It failed${ctx.retried ? " (a transient failure was retried once)" : ""} with:

${fence(ctx.output || "(no output)")}

${ctx.hint ? `${ctx.hint}\n\n` : ""}${ctx.landed ? "The release commit and tag are on GitHub, but the release stopped before publishing. A re-run sees the tag as the last release and will not publish this version: publish it by hand, or delete the tag and let the next run release it again." : ctx.via === "git" ? "Because the push was atomic, either every ref was updated or none; nothing was overwritten." : "No branch was moved."}

See [EPUSHFAILED](${linkify("epushfailed")}).`,
  }),
} satisfies Record<string, (ctx: never) => ErrorDefinition>;
