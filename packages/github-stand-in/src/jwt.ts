// App JWT verification (docs/github.md §6.3): RS256 against the App's public key, `iss` = App ID
// (number or numeric string) or client ID, `exp` at most 10 minutes ahead, `iat` not in the
// future. Error texts are GitHub's, so clients that parse them (octokit/auth-app's clock-skew
// retry) behave as they would against github.com.
import { createPublicKey, verify } from "node:crypto";
import type { App, World } from "./world.js";

export type JwtResult = { app: App } | { status: 401 | 404; message: string };

// docs/github.md §6.3: the exact error texts GitHub answers with
export const JWT_ERRORS = {
  undecodable: "A JSON web token could not be decoded",
  unknownIssuer: "Integration not found",
  expTooFar: "'Expiration time' claim ('exp') is too far in the future",
  expInvalid:
    "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
  iatInvalid: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
} as const;

/** the longest JWT lifetime GitHub accepts, in seconds (docs/github.md §6.3: "exp ≤ 10 min ahead") */
export const MAX_JWT_LIFETIME_SECONDS = 600;

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw new Error("not base64url");
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

/** Finds the App a JWT's `iss` names: the numeric App ID (number or numeric string) or the client ID. */
export function appForIssuer(world: World, iss: unknown): App | undefined {
  if (typeof iss === "number" && Number.isInteger(iss)) return world.apps.get(iss);
  if (typeof iss === "string") {
    if (/^\d+$/.test(iss)) return world.apps.get(Number(iss));
    return [...world.apps.values()].find((app) => app.clientId === iss);
  }
  return undefined;
}

/**
 * Verifies an App JWT as GitHub does. `nowMs` is the stand-in's clock (may be skewed on purpose).
 */
export function verifyAppJwt(world: World, jwt: string, nowMs: number): JwtResult {
  const undecodable = { status: 401, message: JWT_ERRORS.undecodable } as const;
  const parts = jwt.split(".");
  if (parts.length !== 3) return undecodable;
  let header: unknown;
  let payload: unknown;
  try {
    header = decodeSegment(parts[0]!);
    payload = decodeSegment(parts[1]!);
  } catch {
    return undecodable;
  }
  if (!isObject(header) || !isObject(payload) || header.alg !== "RS256") return undecodable;

  const app = appForIssuer(world, payload.iss);
  if (!app) return { status: 404, message: JWT_ERRORS.unknownIssuer };

  // docs/github.md §6.3: a key that does not belong to `iss` gives "could not be decoded"
  let valid = false;
  try {
    valid = verify(
      "RSA-SHA256",
      Buffer.from(`${parts[0]}.${parts[1]}`),
      createPublicKey(app.publicKeyPem),
      Buffer.from(parts[2]!, "base64url"),
    );
  } catch {
    valid = false;
  }
  if (!valid) return undecodable;

  const now = Math.floor(nowMs / 1000);
  const { iat, exp } = payload;
  // Order: a client clock running ahead gives "too far in the future" (docs/github.md §6.3), one
  // running behind gives the "exp must be ... future" text; a future `iat` comes last.
  if (typeof exp === "number" && (exp - now > MAX_JWT_LIFETIME_SECONDS || (typeof iat === "number" && exp - iat > MAX_JWT_LIFETIME_SECONDS))) {
    return { status: 401, message: JWT_ERRORS.expTooFar };
  }
  if (typeof exp !== "number" || !Number.isFinite(exp) || exp <= now) {
    return { status: 401, message: JWT_ERRORS.expInvalid };
  }
  if (typeof iat !== "number" || !Number.isInteger(iat) || iat > now) {
    return { status: 401, message: JWT_ERRORS.iatInvalid };
  }
  return { app };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
