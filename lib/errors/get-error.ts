// Build the user-facing errors from the catalog (./catalog.ts; warnings: ./warnings.ts). Every context value
// passes through the one URL scrubber first (./scrub-urls.ts), so no definition can print the
// credentials of a URL it was given, whatever the family.
import SemanticReleaseError from "@semantic-release/error";
import { ERRORS, type ErrorCode } from "./catalog.js";
import { scrubDeep } from "./scrub-urls.js";

/** Build the SemanticReleaseError for `code`; the context shape is checked against the catalog. */
export function getError<C extends ErrorCode>(code: C, ...ctx: Parameters<(typeof ERRORS)[C]>): SemanticReleaseError {
  const define = ERRORS[code] as (...args: unknown[]) => { message: string; details: string };
  const { message, details } = define(...ctx.map((value) => scrubDeep(value, "***@")));
  const error = new SemanticReleaseError(message, code, details);
  // A user-facing error is about the user's set-up, not our call stack: semantic-release's CLI prints
  // util.inspect(error) (and aggregate-error folds each stack into its message), so keep it to one line.
  error.stack = `${error.name}: ${message}`;
  return error;
}
