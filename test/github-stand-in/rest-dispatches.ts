import type { RouteDef } from "./rest-common.js";

export const dispatchRoutes: RouteDef[] = [];
