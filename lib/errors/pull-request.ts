// Error definitions of the pull-request mode (README "Releasing through a pull request"): its two
// options, the preflight of the mode (lib/preflight/pull-request.ts) and the ways a release pull
// request can fail to be merged (lib/push/pull-request/). Each entry: (context) → { message, details },
// details = what was expected, what was found, the fix, a README link. Every failure after the pull
// request was opened names its link and says what was left behind: nothing tagged, nothing published.
import { inspect } from "node:util";
import type { ErrorDefinition } from "./catalog.js";
import { linkify } from "../definitions/constants.js";

function details(parts: { expected: string; found: string; fix: string; link: [label: string, anchor: string] }): string {
  const [label, anchor] = parts.link;
  return [`**Expected:** ${parts.expected}`, `**Found:** ${parts.found}`, `**Fix:** ${parts.fix}`, `See [${label}](${linkify(anchor)}).`].join("\n\n");
}

function show(value: unknown): string {
  return `\`${inspect(value, { depth: 2, breakLength: Infinity, maxStringLength: 200 })}\``;
}

/** What every failure of a pull request that was opened is told. */
export interface ReleasePullRequestContext {
  /** the pull request's web link */
  url: string;
  number: number;
  /** the release branch, e.g. `semantic-release/v1.2.0` */
  releaseBranch: string;
  /** the base branch */
  branch: string;
  tag: string;
}

const LEFT = (ctx: ReleasePullRequestContext) =>
  `The release branch \`${ctx.releaseBranch}\` was deleted (which closes the pull request), nothing was tagged and nothing was published: run the release again once the cause is fixed; a new pull request replaces this one.`;

/** 45 s, 30 minutes */
const duration = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} minutes`);

const pr = (ctx: ReleasePullRequestContext) => `pull request #${ctx.number} (${ctx.url})`;

export const PULL_REQUEST_ERRORS = {
  EINVALIDPUSHMODE: ({ value }: { value: unknown }) => ({
    message: `Invalid \`pushMode\` option: ${show(value)}.`,
    details: details({
      expected: '`"direct"` (push the release commit and tag to the branch, the default), `"pull-request"` (open a pull request as the App and release once it is merged) or `"auto"` (direct when the preflight allows it, else a pull request).',
      found: `\`pushMode\` set to ${show(value)}.`,
      fix: 'Set `pushMode` to one of `"direct"`, `"pull-request"`, `"auto"`, or remove it.',
      link: ["pushMode", "pushmode"],
    }),
  }),

  EINVALIDPULLREQUESTTIMEOUT: ({ value }: { value: unknown }) => ({
    message: `Invalid \`pullRequestTimeout\` option: ${show(value)}.`,
    details: details({
      expected: "how long to wait for the release pull request to be merged, in milliseconds: a whole number from 1000 to 86400000 (24 hours); default 1800000 (30 minutes).",
      found: `\`pullRequestTimeout\` set to ${show(value)}.`,
      fix: "Give a number of milliseconds, e.g. `3600000` for an hour, or remove the option.",
      link: ["pullRequestTimeout", "pullrequesttimeout"],
    }),
  }),

  EPULLREQUESTPERMISSION: (ctx: { appSlug?: string | undefined; permissionsUrl?: string | undefined; pushMode: string; held: string }): ErrorDefinition => ({
    message: `The release must go through a pull request (pushMode: ${ctx.pushMode}), but the App may not open pull requests (it needs Pull requests: write).`,
    details: details({
      expected: "an App installation with the permission **Pull requests: write** (to open the release pull request, enable auto-merge or enqueue it) besides Contents: write (to push the release branch and the tag).",
      found: `the installation has ${ctx.held}.`,
      fix: `In the App's settings${ctx.permissionsUrl ? ` (${ctx.permissionsUrl})` : ""}, under *Permissions → Repository permissions*, set **Pull requests** to *Read and write*, then accept the new permission on the installation (organization or user *Settings → GitHub Apps*).${ctx.pushMode === "auto" ? ' Or put the App on the bypass list of the rules that refuse the direct push ("auto" then pushes directly).' : ""}`,
      link: ["Releasing through a pull request", "releasing-through-a-pull-request"],
    }),
  }),

  ERELEASEBRANCHBLOCKED: (ctx: { releaseBranch: string; rulesets: { name: string; source: string; settingsUrl: string; blockingRules: string[] }[]; actor: string }): ErrorDefinition => ({
    message: `The release branch ${ctx.releaseBranch} may not be created by ${ctx.actor}: ${ctx.rulesets.map((r) => `"${r.name}" (${r.blockingRules.join(", ")})`).join(", ")}.`,
    details: details({
      expected: `that ${ctx.actor} may create and push \`refs/heads/${ctx.releaseBranch}\`, the branch the release pull request is opened from.`,
      found: ctx.rulesets.map((r) => `- the ruleset "${r.name}" (${r.source}, ${r.settingsUrl}) refuses it with ${r.blockingRules.map((rule) => `\`${rule}\``).join(", ")}`).join("\n"),
      fix: "Exclude `refs/heads/semantic-release/**` from those rulesets, or put the App on their bypass list.",
      link: ["Releasing through a pull request", "releasing-through-a-pull-request"],
    }),
  }),

  EPULLREQUESTFAILED: (ctx: { action: string; status?: number | undefined; message: string; releaseBranch: string; url?: string | undefined }): ErrorDefinition => ({
    message: `GitHub refused to ${ctx.action}${ctx.url ? ` (${ctx.url})` : ""}: ${ctx.message}`,
    details: details({
      expected: `that the App can ${ctx.action}.`,
      found: `GitHub answered${ctx.status ? ` HTTP ${ctx.status}` : ""}: ${ctx.message}`,
      fix: `Check the repository's pull request settings (allowed merge methods, auto-merge) and the App's permissions (Pull requests: write, Contents: write). The release branch \`${ctx.releaseBranch}\` was deleted, nothing was tagged and nothing was published; a re-run starts over.`,
      link: ["Releasing through a pull request", "releasing-through-a-pull-request"],
    }),
  }),

  EPULLREQUESTCHECKSFAILED: (ctx: ReleasePullRequestContext & { checks: { name: string; conclusion: string; url?: string | undefined }[] }): ErrorDefinition => ({
    message: `Required checks failed on the release ${pr(ctx)}: ${ctx.checks.map((c) => `${c.name} (${c.conclusion})`).join(", ")}.`,
    details: details({
      expected: `the status checks that ${ctx.branch} requires to pass on the release commit.`,
      found: ctx.checks.map((c) => `- \`${c.name}\`: ${c.conclusion}${c.url ? ` (${c.url})` : ""}`).join("\n"),
      fix: `Fix what made the checks fail on \`${ctx.branch}\`. ${LEFT(ctx)}`,
      link: ["EPULLREQUESTCHECKSFAILED", "epullrequestchecksfailed"],
    }),
  }),

  EPULLREQUESTCLOSED: (ctx: ReleasePullRequestContext & { closedBy?: string | undefined }): ErrorDefinition => ({
    message: `The release ${pr(ctx)} was closed without being merged${ctx.closedBy ? ` by ${ctx.closedBy}` : ""}.`,
    details: details({
      expected: `that the release pull request of ${ctx.tag} is merged into ${ctx.branch}.`,
      found: "it was closed without a merge.",
      fix: `If it was closed on purpose, nothing is to be done. ${LEFT(ctx)}`,
      link: ["EPULLREQUESTCLOSED", "epullrequestclosed"],
    }),
  }),

  EPULLREQUESTTIMEOUT: (ctx: ReleasePullRequestContext & { timeoutMs: number; waitingFor: string }): ErrorDefinition => ({
    message: `The release ${pr(ctx)} was not merged within ${duration(ctx.timeoutMs)} (pullRequestTimeout); it was waiting for ${ctx.waitingFor}.`,
    details: details({
      expected: `that the release pull request is merged within \`pullRequestTimeout\` (${ctx.timeoutMs} ms).`,
      found: `it was still open, waiting for ${ctx.waitingFor}.`,
      fix: `Raise \`pullRequestTimeout\` when checks or the merge queue take longer, or make sure a person approves in time when reviews are required. ${LEFT(ctx)}`,
      link: ["EPULLREQUESTTIMEOUT", "epullrequesttimeout"],
    }),
  }),

  EPULLREQUESTBASEMOVED: (ctx: ReleasePullRequestContext & { state: string }): ErrorDefinition => ({
    message: `${ctx.branch} moved while the release ${pr(ctx)} waited, and the pull request can no longer be merged as it is (${ctx.state}).`,
    details: details({
      expected: `that the release commit can be merged into ${ctx.branch} as semantic-release computed it.`,
      found: `GitHub says the pull request is \`${ctx.state}\`: ${ctx.state === "behind" ? `${ctx.branch} requires branches to be up to date, and new commits landed on it` : `it conflicts with commits that landed on ${ctx.branch}`}. The version and release notes were computed without those commits, so the plugin does not update the pull request; a new run computes them again.`,
      fix: `Run the release again. ${LEFT(ctx)}`,
      link: ["EPULLREQUESTBASEMOVED", "epullrequestbasemoved"],
    }),
  }),

  EMERGEQUEUEDROPPED: (ctx: ReleasePullRequestContext): ErrorDefinition => ({
    message: `The merge queue of ${ctx.branch} removed the release ${pr(ctx)} without merging it.`,
    details: details({
      expected: `that the merge queue of ${ctx.branch} merges the release pull request.`,
      found: "the pull request left the queue and was not merged (its merge group failed its checks, conflicted, or someone removed it).",
      fix: `Look at the merge group's checks in the pull request's timeline. ${LEFT(ctx)}`,
      link: ["EMERGEQUEUEDROPPED", "emergequeuedropped"],
    }),
  }),
} satisfies Record<string, (ctx: never) => ErrorDefinition>;

/** Lines for context.logger of the pull-request mode (the prose users read lives here, not inline). */
export const PULL_REQUEST_LOGS = {
  mode: (ctx: { mode: "direct" | "pull-request"; configured: string; reason: string }) => `Push mode: ${ctx.mode}${ctx.configured === "auto" ? " (pushMode: auto)" : ""}: ${ctx.reason}`,
  reviews: (ctx: { count: number; branch: string }) =>
    `${ctx.branch} requires ${ctx.count} approving review${ctx.count === 1 ? "" : "s"}: a person must approve the release pull request (an App cannot approve its own pull request); the release waits for it.`,
  workflowToken: (ctx: { checks: string[] }) =>
    `The release pull request would be opened with the workflow GITHUB_TOKEN, and pull requests it opens start no pull_request workflows: the required checks (${ctx.checks.join(", ")}) would never report and the release would wait until pullRequestTimeout. Release as a GitHub App (README "GitHub App setup").`,
  checks: (ctx: { checks: string[] }) => `Required status checks that will run on the release pull request: ${ctx.checks.join(", ")}`,
  opened: (ctx: { number: number; url: string; reused: boolean }) => `${ctx.reused ? "Updated" : "Opened"} the release pull request #${ctx.number}: ${ctx.url}`,
  strategy: ({ plan, start }: { plan: { strategy: string; method: string; autoMergeMethod?: string | undefined }; start: { armed: boolean; enqueued: boolean } }) => {
    const queue = plan.strategy === "merge-queue";
    if (start.enqueued) return `Added it to the merge queue (the queue merges with ${plan.method})`;
    if (start.armed) return `Enabled auto-merge (${plan.autoMergeMethod})${queue ? ": GitHub adds it to the merge queue once its checks pass" : ""}`;
    return queue ? "It will be added to the merge queue as soon as GitHub allows" : `It will be merged (${plan.method}) as soon as GitHub allows`;
  },
  waiting: (ctx: { number: number; url: string; waitingFor: string; elapsedMs: number }) =>
    `Waiting for pull request #${ctx.number} to be merged (${Math.round(ctx.elapsedMs / 1000)} s): ${ctx.waitingFor} — ${ctx.url}`,
  merged: (ctx: { number: number; sha: string; tagged: string }) => `Pull request #${ctx.number} was merged as ${ctx.sha.slice(0, 12)}; the tag goes on ${ctx.tagged.slice(0, 12)}`,
  tagAfterMerge: (ctx: { number: number; tag: string; sha: string; branch: string; floatingTags?: string[] | undefined }) =>
    `Pull request #${ctx.number} is merged, so the release commit is on ${ctx.branch}, but its tag ${ctx.tag} could not be pushed (the error follows). Once the cause is fixed, create it on that commit (git push origin ${ctx.sha}:refs/tags/${ctx.tag}); a new run would otherwise release the same commits again.${
      ctx.floatingTags?.length ? ` The floating tags did not move either: ${ctx.floatingTags.map((name) => `git push --force origin ${ctx.sha}:refs/tags/${name}`).join("; ")}.` : ""
    }`,
  notDeleted: (ctx: { releaseBranch: string; message: string }) => `The release branch ${ctx.releaseBranch} could not be deleted: ${ctx.message}. Delete it by hand.`,
};
