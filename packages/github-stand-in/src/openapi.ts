// Checks the stand-in's traffic against GitHub's official OpenAPI description
// (https://github.com/github/rest-api-description, shipped as
// node_modules/@octokit/openapi/generated/api.github.com.json: OpenAPI 3.0.3, ~13 MB), so the
// stand-in cannot drift from the real API's shapes.
//
// The description is parsed once per process on first use, normalized for ajv (see `normalize`), and
// registered with ajv as one schema document; each (operation, request|status) validator is compiled
// on demand through a JSON-pointer `$ref` into that document and cached, so only the schemas an
// operation actually uses are ever compiled.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import AjvModule, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

// ajv and ajv-formats are CommonJS with `exports.default`; under NodeNext the default import is the
// module object, whose `.default` is the class/plugin.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const DOCUMENT_ID = "api.github.com";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/**
 * Statuses GitHub can answer on any operation whether or not the description lists them: 401 bad
 * credentials, 403/429 rate limits and missing permissions, 404 for resources the caller may not see,
 * 5xx server errors (the stand-in injects these with failNext to exercise retries). 401/403/404/429
 * bodies are still checked against `basic-error`; 5xx bodies are not checked.
 */
const ANY_OPERATION_STATUSES = new Set([401, 403, 404, 429, 500, 502, 503, 504]);

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  route: string;
  operationId: string;
  object: Json;
}

interface Loaded {
  document: Json;
  ajv: InstanceType<typeof Ajv>;
  operations: Map<string, Operation>; // key: "GET /route"
  validators: Map<string, ValidateFunction | null>; // null: no JSON schema to check against
  routeMatchers: Map<string, Array<{ route: string; exact: RegExp; greedy: RegExp | undefined; literalChars: number }>>;
  loadMs: number;
}

let loaded: Loaded | undefined;

function descriptionPath(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve("@octokit/openapi/package.json");
  return main.replace(/package\.json$/, "generated/api.github.com.json");
}

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Resolves a local `$ref` ("#/components/schemas/x") in the document. */
function resolveLocal(document: Json, ref: string): unknown {
  let target: unknown = document;
  for (const raw of ref.replace(/^#\//, "").split("/")) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    target = isObject(target) ? target[part] : undefined;
  }
  return target;
}

/** The single value an alternative fixes for `property` (`enum: [v]` or `const: v`), through $ref and allOf. */
function fixedValue(document: Json, schema: unknown, property: string, depth = 0): unknown {
  if (!isObject(schema) || depth > 8) return undefined;
  if (typeof schema.$ref === "string") return fixedValue(document, resolveLocal(document, schema.$ref), property, depth + 1);
  const declared = isObject(schema.properties) ? schema.properties[property] : undefined;
  if (isObject(declared)) {
    if ("const" in declared) return declared.const;
    if (Array.isArray(declared.enum) && declared.enum.filter((v) => v !== null).length === 1) return declared.enum.find((v) => v !== null);
  }
  if (Array.isArray(schema.allOf)) {
    for (const part of schema.allOf) {
      const value = fixedValue(document, part, property, depth + 1);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

/**
 * A `oneOf` whose alternatives each fix a distinct `type` (GitHub's rule unions: `repository-rule`,
 * `repository-rule-detailed`...) becomes "type is one of these" + `if type == v then <alternative>`,
 * so a bad rule reports the errors of its own alternative, not of all twenty.
 */
function discriminated(document: Json, alternatives: unknown[]): Json[] | undefined {
  const property = "type";
  const values = alternatives.map((alternative) => fixedValue(document, alternative, property));
  if (values.some((value) => typeof value !== "string") || new Set(values).size !== values.length) return undefined;
  return [
    { type: "object", required: [property], properties: { [property]: { enum: values } } },
    ...alternatives.map((alternative, i) => ({
      if: { required: [property], properties: { [property]: { const: values[i] } } },
      then: alternative,
    })),
  ];
}

/**
 * OpenAPI 3.0 -> what ajv 8 (draft-07 + its `nullable` keyword) accepts, in place:
 * - `nullable: true` without `type` (135 places, next to allOf/oneOf): ajv refuses it, so it becomes
 *   `anyOf: [{type: "null"}, <the rest>]`;
 * - the one nullable allOf-of-alternatives (see below) becomes anyOf;
 * - `nullable: true` with an `enum` lacking null: null is added (GitHub means "may be null");
 * - `oneOf` with a distinct `type` per alternative becomes a tagged union (see `discriminated`);
 *   any other `oneOf` is read as `anyOf`: the description's alternatives are not always mutually
 *   exclusive, and a false violation would fail every test that touches the operation.
 * `example`/`examples` are skipped (data, not schemas).
 */
function normalize(document: Json, node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) normalize(document, item);
    return;
  }
  if (!isObject(node)) return;
  // Description bug: the inlined `GET /app/installations` item has `account: {nullable, allOf: [Simple
  // User, Enterprise]}`, which no account satisfies; components/schemas/installation says anyOf. A
  // nullable allOf of several titled alternatives is read as anyOf (the only such place).
  if (
    node.nullable === true &&
    Array.isArray(node.allOf) &&
    node.allOf.length > 1 &&
    node.allOf.every((part) => isObject(part) && typeof part.title === "string") &&
    node.anyOf === undefined
  ) {
    node.anyOf = node.allOf;
    delete node.allOf;
  }
  if (node.nullable === true && node.type === undefined) {
    const rest: Json = { ...node };
    delete rest.nullable;
    for (const key of Object.keys(node)) delete node[key];
    node.anyOf = [{ type: "null" }, rest];
    normalize(document, rest);
    return;
  }
  if (node.nullable === true && Array.isArray(node.enum) && !node.enum.includes(null)) node.enum.push(null);
  if (Array.isArray(node.oneOf)) {
    const alternatives = node.oneOf;
    delete node.oneOf;
    const tagged = discriminated(document, alternatives);
    if (tagged) node.allOf = [...(Array.isArray(node.allOf) ? node.allOf : []), ...tagged];
    else if (node.anyOf === undefined) node.anyOf = alternatives;
    else node.allOf = [...(Array.isArray(node.allOf) ? node.allOf : []), { anyOf: alternatives }];
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === "example" || key === "examples") continue;
    normalize(document, value);
  }
}

/**
 * Object IDs the description pins to 40 characters, although those of a SHA-256 repository have 64
 * (docs/github.md §17): `git-ref`'s `object.sha`. The description's other object-ID schemas already
 * allow 40 to 64 characters (`snapshot.sha`, `code-scanning-analysis-commit-sha`); this one gets the same.
 */
function allowSha256ObjectIds(document: Json): void {
  const sha = resolveLocal(document, "#/components/schemas/git-ref/properties/object/properties/sha");
  if (isObject(sha) && sha.maxLength === 40) sha.maxLength = 64;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function load(): Loaded {
  if (loaded) return loaded;
  const started = performance.now();
  const document = JSON.parse(readFileSync(descriptionPath(), "utf8")) as Json;
  normalize(document, document.components);
  normalize(document, document.paths);
  allowSha256ObjectIds(document);

  // strict: false ignores OpenAPI-only keywords (example, discriminator, x-github, deprecated...);
  // type checking stays on. validateSchema: false: the document is not itself a JSON Schema.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, verbose: false });
  addFormats(ajv);
  for (const format of ["repo.nwo", "timestamp"]) ajv.addFormat(format, true); // used by GitHub, not in ajv-formats
  ajv.addSchema({ ...document, $id: DOCUMENT_ID }, DOCUMENT_ID);

  const operations = new Map<string, Operation>();
  const routeMatchers: Loaded["routeMatchers"] = new Map();
  for (const [route, item] of Object.entries(document.paths as Record<string, Json>)) {
    for (const method of METHODS) {
      const object = item[method];
      if (!isObject(object)) continue;
      const upper = method.toUpperCase();
      operations.set(`${upper} ${route}`, { method: upper, route, operationId: String(object.operationId ?? ""), object });
      const parts = route.split(/(\{[^}]+\})/);
      const literalChars = parts.filter((_part, i) => i % 2 === 0).join("").length;
      const lastParam = parts.length >= 2 && parts.at(-1) === "" ? parts.length - 2 : -1;
      const build = (greedy: boolean) =>
        new RegExp(`^${parts.map((part, i) => (i % 2 === 0 ? escapeRegExp(part) : greedy && i === lastParam ? "(.+)" : "([^/]+)")).join("")}$`);
      const list = routeMatchers.get(upper) ?? [];
      list.push({ route, exact: build(false), greedy: lastParam >= 0 ? build(true) : undefined, literalChars });
      routeMatchers.set(upper, list);
    }
  }
  for (const list of routeMatchers.values()) list.sort((a, b) => b.literalChars - a.literalChars);
  loaded = { document, ajv, operations, validators: new Map(), routeMatchers, loadMs: performance.now() - started };
  return loaded;
}

/** JSON pointer from path parts, as a URI fragment (ajv decodes it). */
function pointer(parts: string[]): string {
  return `#/${parts.map((part) => encodeURIComponent(part.replace(/~/g, "~0").replace(/\//g, "~1"))).join("/")}`;
}

/** Follows a `$ref: "#/components/..."` on an OpenAPI object (response, request body), keeping its location. */
function deref(document: Json, location: string[], object: Json): { location: string[]; object: Json } {
  let current = { location, object };
  for (let hops = 0; typeof current.object.$ref === "string" && hops < 10; hops++) {
    const ref = current.object.$ref as string;
    const parts = ref.replace(/^#\//, "").split("/").map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"));
    const target = resolveLocal(document, ref);
    if (!isObject(target)) throw new Error(`unresolvable $ref ${ref} in GitHub's OpenAPI description`);
    current = { location: parts, object: target };
  }
  return current;
}

/** The location of the JSON schema of an OpenAPI content map, or undefined when it has no JSON content. */
function jsonSchemaLocation(location: string[], content: unknown): string[] | undefined {
  if (!isObject(content)) return undefined;
  const type = "application/json" in content ? "application/json" : Object.keys(content).find((t) => /[/+]json$/.test(t));
  if (type === undefined || !isObject(content[type]) || content[type].schema === undefined) return undefined;
  return [...location, "content", type, "schema"];
}

function validatorAt(state: Loaded, location: string[] | undefined): ValidateFunction | null {
  if (location === undefined) return null;
  const key = location.join("\0");
  let validate = state.validators.get(key);
  if (validate === undefined) {
    validate = state.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer(location)}` });
    state.validators.set(key, validate);
  }
  return validate;
}

function describeValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const MAX_ERRORS = 8;

function formatErrors(prefix: string, errors: ErrorObject[] | null | undefined, data: unknown): string[] {
  if (!errors?.length) return [`${prefix}: does not match the schema`];
  // Combinator summaries ("must match \"then\" schema", "must match a schema in anyOf") only repeat
  // what the specific errors say; keep them only when nothing else explains the failure.
  const specific = errors.filter((error) => !["if", "anyOf", "oneOf", "allOf", "not"].includes(error.keyword));
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const error of specific.length ? specific : errors) {
    const at = error.instancePath || "(root)";
    let message = error.message ?? "is invalid";
    if (error.keyword === "enum") message += `: ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    if (error.keyword === "additionalProperties") message += ` '${(error.params as { additionalProperty: string }).additionalProperty}'`;
    let value: unknown = data;
    for (const part of error.instancePath.split("/").slice(1)) {
      const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
      value = isObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
    }
    const line = `${prefix}: ${at} ${message}${error.keyword === "required" ? "" : ` (found ${describeValue(value)})`}`;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  return lines.length > MAX_ERRORS ? [...lines.slice(0, MAX_ERRORS), `${prefix}: ... and ${lines.length - MAX_ERRORS} more`] : lines;
}

function isEmptyBody(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    body === "" ||
    (body instanceof Uint8Array && body.length === 0) ||
    (isObject(body) && Object.keys(body).length === 0 && !(body instanceof Uint8Array))
  );
}

function findOperation(state: Loaded, method: string, route: string): Operation | undefined {
  return state.operations.get(`${method.toUpperCase()} ${route}`);
}

function unknownOperation(method: string, route: string): string {
  return `${method.toUpperCase()} ${route}: no such operation in GitHub's OpenAPI description`;
}

/**
 * Request bodies GitHub documents in prose but whose schema lacks them: "Add labels to an issue" also
 * takes the names as a bare JSON array ("You can also pass an `array` of labels directly", the
 * description of its `labels` field), the form @semantic-release/github sends. Such an array is
 * checked as the object `{ <field>: array }`.
 */
const BARE_ARRAY_BODIES: Record<string, string> = {
  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels": "labels",
};

/**
 * Violations of the request body of `method route` (route = the OpenAPI path template, e.g.
 * `/app/installations/{installation_id}/access_tokens`). Empty when valid. `body` is the parsed JSON
 * (undefined when the request had none).
 */
export function checkRequest(method: string, route: string, body: unknown): string[] {
  const wrapIn = BARE_ARRAY_BODIES[`${method.toUpperCase()} ${route}`];
  if (wrapIn && Array.isArray(body)) body = { [wrapIn]: body };
  const state = load();
  const operation = findOperation(state, method, route);
  if (!operation) return [unknownOperation(method, route)];
  const prefix = `${operation.method} ${route} request body`;
  const location = ["paths", route, operation.method.toLowerCase()];
  if (!isObject(operation.object.requestBody)) {
    return isEmptyBody(body) ? [] : [`${prefix}: the operation takes no request body (found ${describeValue(body)})`];
  }
  const requestBody = deref(state.document, [...location, "requestBody"], operation.object.requestBody);
  if (body === undefined) {
    return requestBody.object.required === true ? [`${prefix}: missing (the description marks it required)`] : [];
  }
  const validate = validatorAt(state, jsonSchemaLocation(requestBody.location, requestBody.object.content));
  if (!validate || validate(body)) return [];
  return formatErrors(prefix, validate.errors, body);
}

/**
 * Violations of a response of `method route` with `status` and parsed JSON `body` (undefined or ""
 * when empty): unknown operation, undocumented status, a body where none is documented, a body not
 * matching the documented schema. Empty when valid.
 */
export function checkResponse(method: string, route: string, status: number, body: unknown): string[] {
  const state = load();
  const operation = findOperation(state, method, route);
  if (!operation) return [unknownOperation(method, route)];
  const prefix = `${operation.method} ${route} ${status} response body`;
  const responses = isObject(operation.object.responses) ? operation.object.responses : {};
  const location = ["paths", route, operation.method.toLowerCase(), "responses"];
  let response: { location: string[]; object: Json } | undefined;
  const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => isObject(responses[k]));
  if (key !== undefined) {
    response = deref(state.document, [...location, key], responses[key] as Json);
  } else if (ANY_OPERATION_STATUSES.has(status)) {
    if (status >= 500 || isEmptyBody(body)) return [];
    const validate = validatorAt(state, ["components", "schemas", "basic-error"])!;
    return validate(body) ? [] : formatErrors(prefix, validate.errors, body);
  } else {
    return [`${operation.method} ${route}: status ${status} is not documented (documented: ${Object.keys(responses).join(", ")})`];
  }

  if (!isObject(response.object.content)) {
    return isEmptyBody(body) ? [] : [`${prefix}: the description documents no body for this status (found ${describeValue(body)})`];
  }
  const validate = validatorAt(state, jsonSchemaLocation(response.location, response.object.content));
  if (!validate) return []; // not JSON (e.g. text/html, application/vnd.github.diff)
  if (body === undefined || body === "") return [`${prefix}: missing (the description documents a JSON body)`];
  if (validate(body)) return [];
  return formatErrors(prefix, validate.errors, body);
}

/** True when `method route` is an operation of GitHub's description. */
export function hasOperation(method: string, route: string): boolean {
  return findOperation(load(), method, route) !== undefined;
}

/** Every operation of the description: method (upper case), route template, operationId. */
export function listOperations(): Array<{ method: string; route: string; operationId: string }> {
  return [...load().operations.values()].map(({ method, route, operationId }) => ({ method, route, operationId }));
}

/**
 * The route template for a concrete request path relative to the API root (no `/api/v3`, no query),
 * e.g. `/repos/o/r/rules/branches/main` -> `/repos/{owner}/{repo}/rules/branches/{branch}`.
 * Parameters match one path segment; if nothing matches that way, a trailing parameter may span
 * several (`/repos/o/r/git/ref/heads/feature/x`). The template with the most literal text wins.
 */
export function findRoute(method: string, pathname: string): string | undefined {
  const candidates = load().routeMatchers.get(method.toUpperCase()) ?? [];
  return (
    candidates.find((candidate) => candidate.exact.test(pathname))?.route ??
    candidates.find((candidate) => candidate.greedy?.test(pathname))?.route
  );
}

/** How long parsing + normalizing the description took in this process (ms), and validators compiled so far. */
export function openapiStats(): { loadMs: number; compiledValidators: number; operations: number } {
  const state = load();
  return { loadMs: state.loadMs, compiledValidators: state.validators.size, operations: state.operations.size };
}
