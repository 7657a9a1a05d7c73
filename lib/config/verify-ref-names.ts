// Branch and tag names the release would push, checked before anything is pushed.
// semantic-release core checks `tagFormat` once, rendered with version 0.0.0 (`git check-ref-format
// refs/tags/v0.0.0`, docs/semantic-release.md §1.2 step 3), and a branch name git refuses cannot
// be a remote branch. A name that reaches the plugin otherwise (the programmatic API, a tagFormat
// whose output depends on the version, another core) would only fail at `git tag` / `git push`
// with a raw error, after the release commit was made. This is git's own rule set
// (`git help check-ref-format`, refs.c check_refname_component), as a pure function: no spawn.
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";

/** Why `name` (a short branch or tag name, without refs/heads/ or refs/tags/) is not a valid ref name; undefined when it is. */
export function refNameProblem(name: unknown): string | undefined {
  if (typeof name !== "string") return `it is ${name === null ? "null" : typeof name}, not a string`;
  if (name === "") return "it is empty";
  if (name === "@") return "`@` alone is not a ref name";
  // eslint-disable-next-line no-control-regex
  const control = /[\x00-\x20\x7f]/.exec(name);
  if (control) return control[0] === " " ? "it contains a space" : `it contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  const forbidden = /[~^:?*[\\]/.exec(name);
  if (forbidden) return `it contains \`${forbidden[0]}\``;
  if (name.includes("..")) return "it contains `..`";
  if (name.includes("@{")) return "it contains `@{`";
  if (name.startsWith("/") || name.endsWith("/")) return "it begins or ends with `/`";
  if (name.includes("//")) return "it contains `//`";
  if (name.endsWith(".")) return "it ends with `.`";
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return `the part \`${component}\` begins with \`.\``;
    if (component.endsWith(".lock")) return `the part \`${component}\` ends with \`.lock\``;
  }
  if (name.startsWith("-")) return "it begins with `-` (git would read it as an option)";
  return undefined;
}

type RefKind = "tag" | "branch";

/** The SemanticReleaseError (EINVALIDTAGNAME / EINVALIDBRANCHNAME) for an invalid tag or branch name, or undefined. */
export function verifyRefName(kind: RefKind, name: unknown, source?: { tagFormat?: string | undefined }): SemanticReleaseError | undefined {
  const problem = refNameProblem(name);
  if (problem === undefined) return undefined;
  const shown = JSON.stringify(name) ?? String(name);
  return kind === "tag" ? getError("EINVALIDTAGNAME", { name: shown, problem, tagFormat: source?.tagFormat }) : getError("EINVALIDBRANCHNAME", { name: shown, problem });
}
