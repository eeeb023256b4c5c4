import { useGraphQlJit } from "@envelop/graphql-jit";
import {
  astFromValue,
  BREAK,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  type OperationDefinitionNode,
  typeFromAST,
  valueFromASTUntyped,
  visit,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";

export interface CompiledExecutionOptions {
  /** Whether a document is worth compiling (it will be executed again: a cached one). */
  compiles: (document: DocumentNode) => boolean;
  logger: Logger;
}

/**
 * Executes repeated query documents with graphql-jit (compiled once per document, then plain
 * function calls instead of graphql-js's generic walk). Only documents with one operation, a query:
 * the plugin's cache is per document and ignores operationName, and mutations keep graphql-js.
 *
 * Documents with fragments stay on graphql-js: graphql-jit orders a response's fields differently
 * from the spec's CollectFields when fragments mix with fields (and responses must be byte-stable
 * whatever the phrasing, test/redteam/stability.test.ts).
 *
 * graphql-jit refuses a variable whose input object leaves out a non-null field that has a default
 * (`granularity`, `geoBucketType` of InsightsFilter), where graphql-js applies the default; the
 * defaults are filled into the variables first, so both engines accept the same requests.
 */
export function useCompiledExecution(options: CompiledExecutionOptions): Plugin {
  const jit = useGraphQlJit(
    {},
    {
      onError: (error) =>
        options.logger.warn({ err: String(error) }, "graphql-jit could not compile a document"),
    },
  );
  return {
    onExecute(payload) {
      const { args } = payload;
      if (!options.compiles(args.document)) return;
      const operation = singleQuery(args.document);
      if (operation === undefined) return;
      args.variableValues = withInputDefaults(args.schema, operation, args.variableValues ?? undefined);
      return jit.onExecute?.(payload as never);
    },
  };
}

const compilable = new WeakMap<DocumentNode, OperationDefinitionNode | null>();

/** The document's one operation when it is a query without fragments (remembered per document). */
function singleQuery(document: DocumentNode): OperationDefinitionNode | undefined {
  let known = compilable.get(document);
  if (known === undefined) {
    const operations = document.definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    const [operation] = operations;
    known =
      operations.length === document.definitions.length &&
      operations.length === 1 &&
      operation?.operation === "query" &&
      !hasInlineFragment(operation)
        ? operation
        : null;
    compilable.set(document, known);
  }
  return known ?? undefined;
}

function hasInlineFragment(operation: OperationDefinitionNode): boolean {
  let found = false;
  visit(operation, {
    InlineFragment() {
      found = true;
      return BREAK;
    },
  });
  return found;
}

/** The variables with every missing input-object field that has a default set to it (as a client would send it). */
export function withInputDefaults(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (variables === undefined || operation.variableDefinitions === undefined) return variables;
  let result: Record<string, unknown> | undefined;
  for (const definition of operation.variableDefinitions) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (type === undefined || !(name in variables)) continue;
    const filled = fill(variables[name], type);
    if (filled !== variables[name]) {
      result ??= { ...variables };
      result[name] = filled;
    }
  }
  return result ?? variables;
}

function fill(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return value;
    let changed = false;
    const items = value.map((item) => {
      const next = fill(item, nullable.ofType);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? items : value;
  }
  if (!isInputObjectType(nullable) || typeof value !== "object" || Array.isArray(value)) return value;
  const object = value as Record<string, unknown>;
  let result: Record<string, unknown> | undefined;
  for (const field of Object.values(nullable.getFields())) {
    const current = object[field.name];
    let next = current;
    if (current === undefined && field.defaultValue !== undefined) {
      const literal = astFromValue(field.defaultValue, field.type);
      next = literal === null || literal === undefined ? undefined : valueFromASTUntyped(literal);
    } else if (current !== undefined) {
      next = fill(current, field.type);
    }
    if (next !== current) {
      result ??= { ...object };
      result[field.name] = next;
    }
  }
  return result ?? value;
}
