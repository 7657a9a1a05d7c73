// Error definitions: see ./catalog.ts. Each entry: (context) => ({ message, details }).
// Codes about the release's tags beyond rulesets: a tag name an immutable release burned
// (lib/preflight/immutable.ts) and the floating tags `v1`/`v1.2` (lib/preflight/floating-tags.ts).
// The facts: docs/github.md §15.
import type { ErrorDefinition } from "./catalog.js";
import { linkify } from "../definitions/constants.js";
import type { BurnedTagContext } from "../preflight/immutable.js";

/** The tag that marks `version` as used without being the burned name: `v1.3.0+burned` for `v${version}`. */
export function burnedMarkerTag(tagFormat: string, version: string): string {
  return tagFormat.replace("${version}", `${version}+burned`);
}

function moveOn(ctx: BurnedTagContext): string {
  const marker = burnedMarkerTag(ctx.tagFormat, ctx.version);
  const where = ctx.lastTag ? `${ctx.lastTag}^{commit}` : "<the commit before the first one to release>";
  return `Fix: GitHub will never accept \`${ctx.tag}\` again, so this version has to be skipped. semantic-release takes the last release from the tags on the branch and accepts semver build metadata in them (docs/github.md §15.1), so mark ${ctx.version} as used with a tag of its own on the commit of the last release${ctx.lastTag ? ` (\`${ctx.lastTag}\`)` : ""}:

\`\`\`
git tag '${marker}' '${where}'
git push origin 'refs/tags/${marker}'
\`\`\`

The next run then releases the version after ${ctx.version}, with the same commits and notes. A new commit alone does not help: the version is computed from the last release and the kind of the commits since, so a \`fix:\` or \`feat:\` commit that is no bigger than the change that made ${ctx.version} gives ${ctx.version} again.${ctx.reason === "release" ? ` If \`${ctx.tag}\` is a real release, you may instead merge its commit into the branch: semantic-release then finds it as the last release.` : ""}`;
}

export const RELEASE_TAG_ERRORS = {
  ETAGBURNED: (ctx: BurnedTagContext): ErrorDefinition => ({
    message: `The tag ${ctx.tag} can never be created again: ${ctx.reason === "release" ? "an immutable release uses it" : "an immutable release used it before it was deleted"}.`,
    details: `Version ${ctx.version} was expected to be released as the new tag \`${ctx.tag}\`. ${
      ctx.reason === "release"
        ? `But an immutable release of \`${ctx.tag}\` already exists${ctx.releaseUrl ? ` (${ctx.releaseUrl})` : ""}, so its tag is locked where it is. semantic-release chose this version again because that tag is not on the release branch.`
        : `GitHub refused to create it with only \`Cannot create ref due to creations being restricted.\`, and no tag ruleset with a \`creation\` rule targets it: the repository has immutable releases, and an immutable release with this tag was published and then deleted. Its name stays used for good.`
    } Nothing was pushed${ctx.reason === "release" ? " and nothing was published" : ": the push was atomic, so the branch did not move either"}.

${moveOn(ctx)}

See [ETAGBURNED](${linkify("etagburned")}).`,
  }),

  EFLOATINGTAGLOCKED: (ctx: { tag: string; releaseUrl: string }): ErrorDefinition => ({
    message: `The floating tag ${ctx.tag} cannot move: an immutable release locks it.`,
    details: `With \`floatingTags: true\`, \`${ctx.tag}\` was expected to move to the new release. But a published immutable release uses the tag \`${ctx.tag}\` (${ctx.releaseUrl}), so GitHub locks it where it is, for every actor: no bypass or exemption lets it move (docs/github.md §15.1). Nothing was pushed or published.

Fix: a floating tag must never be the tag of a release. Delete that release (its tag name then stays used for good, so \`${ctx.tag}\` cannot be created again either) and turn \`floatingTags\` off, or release with a \`tagFormat\` whose floating names no release uses.

See [EFLOATINGTAGLOCKED](${linkify("efloatingtaglocked")}).`,
  }),
} satisfies Record<string, (ctx: never) => ErrorDefinition>;
