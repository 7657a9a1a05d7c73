// The GraphQL endpoint, `POST /api/graphql` (where GitHub Enterprise Server serves it; @octokit/graphql
// turns a base URL ending in `/api/v3` into `/api/graphql`, https://github.com/octokit/graphql.js).
// Every request is parsed, validated and executed against GitHub's published schema, the package
// `@octokit/graphql-schema` (https://github.com/octokit/graphql-schema), with the `graphql` package's
// `parse`, `validate` and `execute`: a query GitHub would refuse is refused here, and an answer can
// only have the schema's shape. The values come from the stand-in's world (graphql-model.ts).
//
// Errors are GitHub's (https://docs.github.com/en/graphql/guides/forming-calls-with-graphql): HTTP 200
// with an `errors` list, each with a `type` such as FORBIDDEN or NOT_FOUND next to graphql's `message`,
// `locations` and `path`. Parse and validation messages keep graphql-js's wording (GitHub runs
// graphql-ruby, whose wording differs); a variable that cannot be coerced gets graphql-ruby's
// "Variable $owner of type String! was provided invalid value", which clients print.
//
// What the stand-in cannot answer as GitHub would (a field the model lacks, a resolver failing) goes
// to `violations` as well, so `close()` fails: the stand-in never invents a null.
import { readFileSync } from "node:fs";
import {
  buildClientSchema,
  execute,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  type OperationDefinitionNode,
  parse,
  print,
  validate,
} from "graphql";
import { actorString } from "./issues.js";
import { GitHubGraphqlError, ModelGap, rootValue, type GraphqlContext } from "./graphql-model.js";
import type { Actor, RecordedGraphql, World } from "./world.js";

let schema: GraphQLSchema | undefined;

/** GitHub's GraphQL schema from `@octokit/graphql-schema` (its introspection result), built once per process */
export function githubSchema(): GraphQLSchema {
  if (!schema) {
    const file = new URL("./schema.json", import.meta.resolve("@octokit/graphql-schema"));
    schema = buildClientSchema(JSON.parse(readFileSync(file, "utf8")));
  }
  return schema;
}

const DOCS = "https://docs.github.com/graphql";

/** What the endpoint needs from the stand-in. */
export interface GraphqlHost {
  world: World;
  origin: string;
  apiUrl: string;
  nowMs: number;
  services: GraphqlContext["services"];
  violations: string[];
}

export interface GraphqlReply {
  status: number;
  body: unknown;
}

type GitHubError = RecordedGraphql["errors"][number] & { locations?: readonly { line: number; column: number }[]; extensions?: Record<string, unknown> };

/** Answers one request body of `POST /api/graphql` for `actor`, and records it in `world.graphql`. */
export async function answerGraphql(host: GraphqlHost, actor: Actor, body: unknown): Promise<GraphqlReply> {
  if (actor.kind === "anonymous") {
    return { status: 401, body: { message: "This endpoint requires you to be authenticated.", documentation_url: `${DOCS}/guides/forming-calls-with-graphql#authenticating-with-graphql` } };
  }
  if (actor.kind === "app") {
    // an App's JWT only reaches the /app endpoints (docs/github.md §6.3); the same answer as REST (inferred)
    return { status: 403, body: { message: "Resource not accessible by integration", documentation_url: DOCS } };
  }
  const request = (typeof body === "object" && body !== null ? body : {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
  const variables = (typeof request.variables === "object" && request.variables !== null ? request.variables : {}) as Record<string, unknown>;
  const operationName = typeof request.operationName === "string" ? request.operationName : null;
  const record = (fields: string[], errors: GitHubError[], name: string | null): void => {
    host.world.graphql.push({
      operationName: name,
      actor: actorString(actor),
      fields,
      variables: structuredClone(variables),
      errors: errors.map(({ type, message, path }) => ({ ...(type ? { type } : {}), message, ...(path ? { path: [...path] } : {}) })),
      at: host.nowMs,
    });
  };
  if (typeof request.query !== "string") {
    const errors = [{ message: "A query attribute must be specified and must be a string." }];
    record([], errors, operationName);
    return { status: 200, body: { errors } };
  }
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (err) {
    const errors = [githubError(err as GraphQLError)];
    record([], errors, operationName);
    return { status: 200, body: { errors } };
  }
  const operation = selectedOperation(document, operationName);
  const name = operation?.name?.value ?? operationName;
  const fields = operation ? topLevelFields(operation) : [];
  const invalid = validateAsGitHub(document);
  if (invalid.length > 0) {
    const errors = invalid.map((e) => githubError(e));
    record(fields, errors, name);
    return { status: 200, body: { errors } };
  }
  const result = await run(host, actor, document, variables, operationName);
  const errors = (result.errors ?? []).map((e) => githubError(e, document, variables));
  for (const e of result.errors ?? []) {
    if (!(e.originalError instanceof GitHubGraphqlError) && !isRequestError(e)) host.violations.push(`POST /graphql ${name ?? "(anonymous operation)"}: ${e.message}${e.path ? ` at ${e.path.join(".")}` : ""}`);
  }
  record(fields, errors, name);
  return { status: 200, body: { ...("data" in result ? { data: result.data } : {}), ...(errors.length ? { errors } : {}) } };
}

/**
 * graphql-js's `validate` with the specification's rules, less one leniency of GitHub's: GitHub runs
 * graphql-ruby, which only warns when two fields of one response key return different leaf types
 * ("legacy invalid return type conflicts",
 * https://github.com/rmosolgo/graphql-ruby/blob/master/lib/graphql/static_validation/rules/fields_will_merge.rb),
 * where the specification's SameResponseShape refuses them. @semantic-release/github relies on it: its
 * getRelatedIssues asks `state` in `... on Issue` (IssueState) and `... on PullRequest`
 * (PullRequestState) under one alias, and GitHub answers (docs/github.md §14).
 */
function validateAsGitHub(document: DocumentNode): readonly GraphQLError[] {
  return validate(githubSchema(), document).filter(
    (e) => !(/they return conflicting types/.test(e.message) && !/differing|are different fields/.test(e.message)),
  );
}

/** Runs the operation with the world's resolvers; a field the model lacks throws ModelGap. */
async function run(host: GraphqlHost, actor: Actor, document: DocumentNode, variables: Record<string, unknown>, operationName: string | null): Promise<ExecutionResult> {
  const context: GraphqlContext = { world: host.world, actor, origin: host.origin, apiUrl: host.apiUrl, nowMs: host.nowMs, services: host.services };
  const fieldResolver: GraphQLFieldResolver<unknown, GraphqlContext> = (source, args, ctx, info) => {
    const object = source as Record<string, unknown> | null;
    if (object === null || typeof object !== "object" || !(info.fieldName in object)) throw new ModelGap(`${info.parentType.name}.${info.fieldName}`);
    const value = object[info.fieldName];
    return typeof value === "function" ? (value as (a: unknown, c: unknown, i: unknown) => unknown).call(object, args, ctx, info) : value;
  };
  return execute({ schema: githubSchema(), document, rootValue: rootValue(context), contextValue: context, variableValues: variables, operationName, fieldResolver });
}

/** errors of the request itself (variables, operation choice), raised before any resolver ran: they have no path */
function isRequestError(error: GraphQLError): boolean {
  return error.path === undefined;
}

function selectedOperation(document: DocumentNode, operationName: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === "OperationDefinition");
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

function topLevelFields(operation: OperationDefinitionNode): string[] {
  return operation.selectionSet.selections.flatMap((s) => (s.kind === "Field" ? [s.name.value] : []));
}

const VARIABLE_ERROR = /^Variable "\$(\w+)" (?:got invalid value [\s\S]*?; ([\s\S]*)|of required type "[^"]+" was not provided\.|of non-null type "[^"]+" must not be null\.)$/;

/** A graphql-js error as GitHub sends it: `type` from the resolver's error, graphql-ruby's text for variables. */
function githubError(error: GraphQLError, document?: DocumentNode, variables: Record<string, unknown> = {}): GitHubError {
  const original = error.originalError;
  const base = {
    ...(error.path ? { path: [...error.path] } : {}),
    ...(error.locations ? { locations: error.locations } : {}),
  };
  if (original instanceof GitHubGraphqlError) return { type: original.type, ...base, message: original.message };
  if (original instanceof ModelGap) return { ...base, message: `Something went wrong while executing your query. (the stand-in does not model ${original.field})` };
  const variable = VARIABLE_ERROR.exec(error.message);
  if (variable && document) {
    const name = variable[1]!;
    const definition = document.definitions
      .flatMap((d) => (d.kind === "OperationDefinition" ? (d.variableDefinitions ?? []) : []))
      .find((v) => v.variable.name.value === name);
    const type = definition ? print(definition.type) : "?";
    const explanation = variable[2] ?? "Expected value to not be null";
    return {
      ...base,
      message: `Variable $${name} of type ${type} was provided invalid value`,
      extensions: { value: variables[name] ?? null, problems: [{ path: [], explanation }] },
    };
  }
  return { ...base, message: error.message };
}
