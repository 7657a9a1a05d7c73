// The preflight's texts (docs/architecture.md "Preflight"). Errors (see ./catalog.ts; each entry:
// (context) => ({ message, details })) name the ruleset or protection setting, where it is configured,
// the rules that would refuse the push, the actor that would push, and the fix. Warnings (see
// ./warnings.ts; each entry: (context) => one line) say what could not be checked and what happens then.
// The classic protection settings in words feed EPROTECTEDBRANCH and the dry-run report.
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

/** Classic branch protection settings in words (lib/preflight/classic.ts), for EPROTECTEDBRANCH and the dry-run report. */
export const CLASSIC_SETTING = {
  adminSkips: (actor: string) => `${actor} is a repository administrator and "Do not allow bypassing the above settings" is off`,
  locked: () => `the branch is locked ("Lock branch")`,
  reviewsBypassed: (actor: string) => `required pull request reviews: ${actor} is allowed to bypass them`,
  reviewsRequired: (actor: string) =>
    `pull requests are required ("Require a pull request before merging") and ${actor} is not in "Allow specified actors to bypass required pull requests"`,
  pushAllowed: (actor: string) => `push restrictions: ${actor} may push`,
  pushRestricted: (actor: string) => `pushes are restricted ("Restrict who can push to matching branches") and ${actor} is not in the list`,
  statusChecks: (contexts: string[]) =>
    `status checks are required (${contexts.map((c) => `"${c}"`).join(", ")}) and a new release commit has none; classic protection has no allow list for them`,
  signedThroughApi: () => "required signatures: the release commit is made through the API and signed by GitHub",
  signaturesRequired: (actor: string) => `signed commits are required ("Require signed commits") and a local commit by ${actor} is not signed (use commitMode "api")`,
};

/** What the preflight tells people about a ruleset the actor passes thanks to its bypass (context.logger.log). */
export const RULES_LOGS = {
  passes: (ctx: { actor: string; name: string; source: string; ref: string; verdict: "bypassed" | "exempt"; rules: string[] }) =>
    ctx.verdict === "exempt"
      ? `${ctx.actor} is exempt from the ruleset "${ctx.name}" (${ctx.source}) on ${ctx.ref}: its rules${ctx.rules.length ? ` (${ctx.rules.join(", ")})` : ""} are not evaluated for it, and GitHub prints no bypass notice (bypass mode "exempt")`
      : `${ctx.actor} bypasses the ruleset "${ctx.name}" (${ctx.source}) on ${ctx.ref}: ${ctx.rules.join(", ")} (bypass mode "always"; GitHub prints a bypass notice)`,
};

/** What every ruleset warning is told about the ruleset. */
export interface RulesetWarningContext {
  name: string;
  /** `owner/repo`, the organization login or the enterprise slug */
  source: string;
}

const NOTHING_HALF_PUSHED = "the atomic push fails with nothing half-pushed.";

/** Things the preflight could not check, one line each for context.logger.warn (lib/errors/warnings.ts). */
export const RULES_WARNINGS = {
  WBYPASSUNKNOWN: (ctx: RulesetWarningContext & { actor: string; appSlug?: string | undefined; blockingRules: string[]; ref: string; settingsUrl: string }) =>
    `GitHub did not say whether ${ctx.actor} can bypass the ruleset "${ctx.name}" (${ctx.source}), whose rules ${ctx.blockingRules.join(", ")} would refuse the push of ${ctx.ref}: make sure ${ctx.appSlug ?? ctx.actor} is on its bypass list with the mode "Always allow" (${ctx.settingsUrl}). If GitHub refuses the push, ${NOTHING_HALF_PUSHED}`,

  WFILERULESUNCHECKED: (ctx: RulesetWarningContext & { rules: string[] }) =>
    `The ruleset "${ctx.name}" (${ctx.source}) has file rules that were not checked because the release commit's files are not known yet: ${ctx.rules.join(", ")}.`,

  WCLASSICNOPERMISSION: (ctx: { branch: string; refused: boolean; settingsUrl: string }) =>
    `The branch ${ctx.branch} has classic branch protection, but its settings need the permission Administration: read, which the token ${ctx.refused ? "was refused" : "does not have"}; they were not checked. Grant the App "Administration: read" to check them before releasing (${ctx.settingsUrl}). If the protection refuses the push, ${NOTHING_HALF_PUSHED}`,

  WBRANCHUNREADABLE: (ctx: { owner: string; repo: string; branch: string; status: number | undefined }) =>
    `The branch ${ctx.owner}/${ctx.repo}:${ctx.branch} could not be read (HTTP ${ctx.status}); its classic protection was not checked.`,

  WNORULESENDPOINT: (ctx: { owner: string; repo: string }) =>
    `GitHub has no rules endpoint for ${ctx.owner}/${ctx.repo} (HTTP 404, older GitHub Enterprise Server?): branch rulesets were not checked.`,

  WNORULESETSENDPOINT: (ctx: { owner: string; repo: string }) =>
    `GitHub has no rulesets endpoint for ${ctx.owner}/${ctx.repo} (HTTP 404, older GitHub Enterprise Server?): tag rulesets were not checked.`,

  WTAGRULESETUNREADABLE: (ctx: { name: string; id: number }) => `The tag ruleset "${ctx.name}" (id ${ctx.id}) could not be read; it was not checked.`,
} satisfies Record<string, (ctx: never) => string>;
