import SemanticReleaseError from "@semantic-release/error";
import { ERRORS, type ErrorCode } from "./definitions/errors.js";

/** Build the SemanticReleaseError for `code`; the context shape is checked against the catalog. */
export function getError<C extends ErrorCode>(code: C, ...ctx: Parameters<(typeof ERRORS)[C]>): SemanticReleaseError {
  const define = ERRORS[code] as (...args: unknown[]) => { message: string; details: string };
  const { message, details } = define(...ctx);
  return new SemanticReleaseError(message, code, details);
}
