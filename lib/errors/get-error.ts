import SemanticReleaseError from "@semantic-release/error";
import { ERRORS, type ErrorCode } from "./catalog.js";

/** Build the SemanticReleaseError for `code`; the context shape is checked against the catalog. */
export function getError<C extends ErrorCode>(code: C, ...ctx: Parameters<(typeof ERRORS)[C]>): SemanticReleaseError {
  const define = ERRORS[code] as (...args: unknown[]) => { message: string; details: string };
  const { message, details } = define(...ctx);
  const error = new SemanticReleaseError(message, code, details);
  // A user-facing error is about the user's set-up, not our call stack: semantic-release's CLI prints
  // util.inspect(error) (and aggregate-error folds each stack into its message), so keep it to one line.
  error.stack = `${error.name}: ${message}`;
  return error;
}
