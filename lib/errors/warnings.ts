// The warning catalog: code → (context) → one line for context.logger.warn. Like the error catalog
// (./catalog.ts, ./get-error.ts), split by concern into ./*.ts; this file is the one map the rest of
// the plugin uses. A warning says what was not checked or looks wrong, and what happens then; it stops nothing.
import { RULES_WARNINGS } from "./rules.js";
import { CONFIG_WARNINGS } from "./config.js";
import { scrubDeep } from "./scrub-urls.js";

export const WARNINGS = { ...RULES_WARNINGS, ...CONFIG_WARNINGS };
export type WarningCode = keyof typeof WARNINGS;

/** The text of the warning `code`; the context shape is checked against the catalog. */
export function getWarning<C extends WarningCode>(code: C, ...ctx: Parameters<(typeof WARNINGS)[C]>): string {
  const define = WARNINGS[code] as (...args: unknown[]) => string;
  return define(...ctx.map((value) => scrubDeep(value, "***@"))); // no URL credentials, as getError
}
