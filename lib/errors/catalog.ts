// The error catalog: code → (context) → { message, details } (warnings: ./warnings.ts). Split by
// concern into ./*.ts (each file one family of codes); this file is the one map the rest of the
// plugin uses (through ./get-error.ts). Pattern from
// https://github.com/semantic-release/github/blob/master/lib/definitions/errors.js
import { CONFIG_ERRORS } from "./config.js";
import { AUTH_ERRORS } from "./auth.js";
import { NETWORK_ERRORS } from "./network.js";
import { RULES_ERRORS } from "./rules.js";
import { PUSH_ERRORS } from "./push.js";
import { RELEASE_TAG_ERRORS } from "./release-tags.js";
import { SETUP_ERRORS } from "./setup.js";
import { PULL_REQUEST_ERRORS } from "./pull-request.js";

export interface ErrorDefinition {
  /** one line: what is wrong */
  message: string;
  /** markdown: what was expected, what was found, the fix, a README link */
  details: string;
}

export const ERRORS = { ...CONFIG_ERRORS, ...AUTH_ERRORS, ...NETWORK_ERRORS, ...RULES_ERRORS, ...PUSH_ERRORS, ...RELEASE_TAG_ERRORS, ...SETUP_ERRORS, ...PULL_REQUEST_ERRORS };
export type ErrorCode = keyof typeof ERRORS;
