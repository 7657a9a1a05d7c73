// Error definitions: see ../errors.ts. Each entry: (context) => ({ message, details }).
// The preflight errors (DESIGN.md "Preflight"): each names the ruleset or protection setting, where it
// is configured, the rules that would refuse the push, the actor that would push, and the fix.
import type { ErrorDefinition } from "./catalog.js";
import { linkify } from "../definitions/constants.js";

/** What every ruleset error is told about the ruleset that blocks. */
export interface BlockingRulesetContext {
  /** ruleset name and id */
  name: string;
  id: number;
  /** "Repository" | "Organization" | "Enterprise" */
  sourceType: string;
  /** `owner/repo`, the organization login or the enterprise slug */
  source: string;
  /** the page where the ruleset's bypass list is edited */
  settingsUrl: string;
  /** the ref pushed: `refs/heads/main` or `refs/tags/v1.0.0` */
  ref: string;
  /** rule types that refuse the push without bypass */
  blockingRules: string[];
  /** login the push is authenticated as, e.g. `release-bot[bot]` */
  actor: string;
  /** the App's slug when pushing as an App */
  appSlug?: string | undefined;
}

export interface ProtectedBranchContext {
  owner: string;
  repo: string;
  branch: string;
  /** the classic protection settings that refuse the push, in words */
  settings: string[];
  actor: string;
  appSlug?: string | undefined;
  /** `<githubUrl>/<owner>/<repo>/settings/branches` */
  settingsUrl: string;
  method: string;
}

function describeSource({ sourceType, source }: { sourceType: string; source: string }): string {
  if (sourceType === "Organization") return `organization ${source}`;
  if (sourceType === "Enterprise") return `enterprise ${source}`;
  return `repository ${source}`;
}

function rulesList(rules: string[]): string {
  return rules.map((rule) => `\`${rule}\``).join(", ");
}

function whoCanEdit({ sourceType, source }: { sourceType: string; source: string }): string {
  if (sourceType === "Organization") return `an owner of the organization \`${source}\` must make this change (organization rulesets are edited at the organization level)`;
  if (sourceType === "Enterprise") return `an owner of the enterprise \`${source}\` must make this change`;
  return `a repository administrator of \`${source}\` can make this change`;
}

function botName(ctx: { actor: string; appSlug?: string | undefined }): string {
  return ctx.appSlug ?? ctx.actor.replace(/\[bot\]$/, "");
}

export const RULES_ERRORS = {
  ERULESETBLOCKED: (ctx: BlockingRulesetContext) => ({
    message: `The ruleset "${ctx.name}" (${describeSource(ctx)}) blocks the release push of ${ctx.ref} as ${ctx.actor}: ${ctx.blockingRules.join(", ")}.`,
    details: `The release commit and tag are pushed as \`${ctx.actor}\`, so every active ruleset that applies to \`${ctx.ref}\` must either let the push through or list \`${ctx.actor}\` as a bypass actor with the mode "Always allow".

Found: the ruleset **${ctx.name}** (id ${ctx.id}, ${describeSource(ctx)}) has the rule${ctx.blockingRules.length === 1 ? "" : "s"} ${rulesList(ctx.blockingRules)}, which refuse${ctx.blockingRules.length === 1 ? "s" : ""} this push, and GitHub reports that \`${ctx.actor}\` cannot bypass it (\`current_user_can_bypass: never\`).

Fix: open ${ctx.settingsUrl}, under "Bypass list" choose "Add bypass", add the GitHub App \`${botName(ctx)}\` and set its mode to "Always allow"; ${whoCanEdit(ctx)}. Nothing was pushed or published.

See ${linkify("erulesetblocked")}.`,
  }),

  EBYPASSPULLREQUESTONLY: (ctx: BlockingRulesetContext) => ({
    message: `${ctx.actor} may bypass the ruleset "${ctx.name}" (${describeSource(ctx)}) only for pull requests, so the direct release push of ${ctx.ref} would be refused: ${ctx.blockingRules.join(", ")}.`,
    details: `A release pushes \`${ctx.ref}\` directly, so \`${ctx.actor}\` must be a bypass actor of the ruleset with the mode "Always allow".

Found: the ruleset **${ctx.name}** (id ${ctx.id}, ${describeSource(ctx)}) lists \`${ctx.actor}\` with the mode "For pull requests only" (\`current_user_can_bypass: pull_requests_only\`); its rule${ctx.blockingRules.length === 1 ? "" : "s"} ${rulesList(ctx.blockingRules)} refuse${ctx.blockingRules.length === 1 ? "s" : ""} a direct push.

Fix: open ${ctx.settingsUrl}, find \`${botName(ctx)}\` in the "Bypass list" and change its mode from "For pull requests only" to "Always allow"; ${whoCanEdit(ctx)}. Nothing was pushed or published.

See ${linkify("ebypasspullrequestonly")}.`,
  }),

  EGITHUBACTIONSBYPASS: (ctx: BlockingRulesetContext) => ({
    message: `The ruleset "${ctx.name}" (${describeSource(ctx)}) blocks the release push of ${ctx.ref} as ${ctx.actor} (the workflow GITHUB_TOKEN): ${ctx.blockingRules.join(", ")}.`,
    details: `The \`github-token\` auth method pushes as \`${ctx.actor}\`, the built-in GitHub Actions integration; it can only push where no active ruleset rule refuses the push.

Found: the ruleset **${ctx.name}** (id ${ctx.id}, ${describeSource(ctx)}) has the rule${ctx.blockingRules.length === 1 ? "" : "s"} ${rulesList(ctx.blockingRules)} and \`${ctx.actor}\` cannot bypass it. GitHub Actions cannot be added as a bypass actor on repositories owned by a user account (GitHub answers 422 "Actor GitHub Actions integration must be part of the ruleset source or owner organization"), and GitHub documents no bypass route for it elsewhere either.

Fix: release as a GitHub App instead: create an App with Contents: write, install it on the repository, add it to the ruleset's bypass list (${ctx.settingsUrl}) with the mode "Always allow", and set \`GITHUB_APP_CLIENT_ID\` and \`GITHUB_APP_PRIVATE_KEY\` (see ${linkify("github-app-setup")}). Nothing was pushed or published.

See ${linkify("egithubactionsbypass")}.`,
  }),

  EPROTECTEDBRANCH: (ctx: ProtectedBranchContext) => {
    const personal = "Personal repositories have no allowance lists for Apps; there, replace the classic protection with a ruleset that lists the App as a bypass actor.";
    const appFix = ctx.appSlug
      ? `add the GitHub App \`${ctx.appSlug}\` to the allowance of each setting above ("Allow specified actors to bypass required pull requests", "Restrict who can push to matching branches"; organization repositories only), or better, move the protection to a ruleset and add \`${ctx.appSlug}\` as a bypass actor with the mode "Always allow". Required status checks and required signatures have no allowance list: only a ruleset with the App as bypass actor lets such a push through (or \`commitMode: "api"\` for signatures). ${personal}`
      : `release as a GitHub App and move the protection to a ruleset that lists the App as a bypass actor with the mode "Always allow" (see ${linkify("github-app-setup")}). ${personal}`;
    return {
      message: `The classic branch protection of ${ctx.owner}/${ctx.repo}:${ctx.branch} blocks the release push as ${ctx.actor}: ${ctx.settings.join(", ")}.`,
      details: `The release commit is pushed to \`${ctx.branch}\` as \`${ctx.actor}\` (auth method \`${ctx.method}\`), so the branch protection rule of \`${ctx.branch}\` must let that actor push directly.

Found:
${ctx.settings.map((setting) => `- ${setting}`).join("\n")}

Fix: open ${ctx.settingsUrl} and ${appFix} Nothing was pushed or published.

See ${linkify("eprotectedbranch")}.`,
    };
  },
} satisfies Record<string, (ctx: never) => ErrorDefinition>;
