// fail: GH013/GH006 rejections that reached semantic-release through other plugins' errors (for
// example @semantic-release/git's branch push, or a publish step), explained in words a release
// engineer can act on. Our own EPUSHREJECTED already carries this explanation.
import { linkify } from "../definitions/constants.js";
import { parsePushRejection } from "./parse-push-rejection.js";
import type { Logger } from "../logger.js";

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  details?: unknown;
  stderr?: unknown;
}

/** Logs one explanation per rejected ref found in `errors`; returns how many it found. */
export function explainRejections(errors: unknown, logger: Logger): number {
  // semantic-release passes an array; its types say AggregateError (which iterates its errors)
  const list = (Array.isArray(errors) ? errors : [...((errors as { errors?: unknown[] })?.errors ?? [])]) as ErrorLike[];
  let found = 0;
  for (const error of list) {
    if (!error || error.code === "EPUSHREJECTED") continue;
    const text = [error.message, error.details, error.stderr].filter((part) => typeof part === "string").join("\n");
    for (const rejection of parsePushRejection(text)) {
      found++;
      const what = rejection.code === "GH013" ? "repository rules (GH013)" : "classic branch protection (GH006)";
      logger.error(
        "GitHub refused the push of %s because of %s: %s. Push as a GitHub App that bypasses them (this plugin, with the App as a bypass actor, mode \"Always allow\"); see %s",
        rejection.ref,
        what,
        rejection.rules.join("; ") || "no rule listed",
        linkify(rejection.code === "GH013" ? "erulesetblocked" : "eprotectedbranch"),
      );
    }
  }
  return found;
}
