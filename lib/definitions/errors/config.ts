// Error definitions: see ../errors.ts. Each entry: (context) => ({ message, details }).
import type { ErrorDefinition } from "../errors.js";

export const CONFIG_ERRORS = {} satisfies Record<string, (ctx: never) => ErrorDefinition>;
