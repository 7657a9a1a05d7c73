// `commitMode: "auto"` settled (README "Options": `api` when a `required_signatures` rule applies to the
// branch): commits made through the API are signed by GitHub (docs/github.md §8), a local commit is not.
// Pure; the session calls these whatever `preflight` is (with `preflight: "off"` it reads the branch's
// rules alone, lib/preflight/fetch.ts readSignatureRules).
import type { PreflightFacts } from "./fetch.js";
import { candidateTagRulesets } from "./tag.js";

/** "auto" → "api" when signatures are required, else "git"; "git" and "api" stay as configured. */
export function resolveCommitMode(options: { configured: "auto" | "git" | "api"; signaturesRequired: boolean }): "git" | "api" {
  if (options.configured !== "auto") return options.configured;
  return options.signaturesRequired ? "api" : "git";
}

/**
 * Does an active ruleset that applies to the release push have `required_signatures`? The branch's
 * rulesets count when the release pushes a commit to it; of the tag rulesets, before the tag is known
 * every active one (the choice can only get narrower in verifyRelease), then those that target the tag.
 */
export function signaturesRequired(options: { facts: PreflightFacts; tag?: string | undefined; updatesBranch: boolean }): boolean {
  const { facts, tag, updatesBranch } = options;
  return [...(updatesBranch ? facts.branch.rulesets : []), ...candidateTagRulesets(facts.tag, tag)].some(
    (ruleset) => ruleset.enforcement === "active" && (ruleset.rules ?? []).some((rule) => rule.type === "required_signatures"),
  );
}
