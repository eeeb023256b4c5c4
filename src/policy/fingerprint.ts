import { createHash } from "node:crypto";
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { apiError } from "../errors";
import { levelOfFilter } from "../insights/breakdownLevel";
import type { InsightsFilter } from "../insights/insightsFilter";

/** Bump when the canonical form changes; old and new fingerprints then never collide. */
export const FINGERPRINT_VERSION = 1;

/** Root fields that select cells, and so count as query shapes. */
export const CELL_SELECTING_FIELDS = new Set(["insights"]);

export interface RootSelection {
  /** The response key (alias or name): where the result lands. */
  responseKey: string;
  fieldName: string;
  args: Record<string, unknown>;
  node: FieldNode;
}

export interface SelectionShape {
  responseKey: string;
  fieldName: string;
  filter: InsightsFilter;
  fingerprint: string;
}

export function operationOf(document: DocumentNode, operationName?: string | null): OperationDefinitionNode {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation)
    throw apiError(
      "BAD_USER_INPUT",
      "The document has no operation to run (or operationName does not match one).",
    );
  return operation;
}

/** Coerces raw variables the way the executor will (defaults filled, enums to internal values, scalars parsed). */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], raw ?? {});
  if (result.errors) {
    throw apiError("BAD_USER_INPUT", result.errors.map((error) => error.message).join("; "));
  }
  return result.coerced;
}

/**
 * The root fields that will execute, collected as the executor does: fragments and inline
 * fragments flattened, @skip/@include applied, arguments computed from literals or variables alike
 * with defaults filled. Same response key twice = one execution (fields merge).
 */
export function collectRootSelections(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): RootSelection[] {
  const rootType = operation.operation === "query" ? schema.getQueryType() : schema.getMutationType();
  if (!rootType) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const selections = new Map<string, RootSelection>();
  const visitedFragments = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!shouldInclude(selection, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const responseKey = selection.alias?.value ?? selection.name.value;
        if (selections.has(responseKey)) continue;
        const fieldDef = rootType.getFields()[selection.name.value];
        if (!fieldDef) continue;
        selections.set(responseKey, {
          responseKey,
          fieldName: selection.name.value,
          args: getArgumentValues(fieldDef, selection, variables),
          node: selection,
        });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || visitedFragments.has(name)) continue;
        visitedFragments.add(name);
        collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return [...selections.values()];
}

function shouldInclude(
  node: { directives?: readonly import("graphql").DirectiveNode[] },
  variables: Record<string, unknown>,
): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, node, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, node, variables);
  return include?.if !== false;
}

/**
 * The shape of one cell-selecting root field: what selects cells (field, granularity, range, geo
 * type, geo ids, segment filters, breakdown level), canonicalised (sets sorted and de-duplicated,
 * UTC instants, sorted keys) and hashed with the algorithm version. Aliases, names, sub-fields,
 * pagination, whitespace and order never change it.
 *
 * The level is the one the filter resolves to (an absent breakdown and its explicit default select
 * the same cells, so they hash alike). The FULL level adds no key: FULL shapes hash as they did
 * before levels existed, so a buyer's shapes already counted today stay the same shapes.
 */
export function fingerprintSelection(fieldName: string, filter: InsightsFilter): string {
  const level = levelOfFilter(filter);
  const canonical = {
    v: FINGERPRINT_VERSION,
    field: fieldName,
    granularity: filter.granularity,
    start: filter.timeBucketStartUtc.toISOString(),
    end: filter.timeBucketEndUtc.toISOString(),
    geoType: filter.geoBucketType,
    geoIds: canonicalSet(filter.geoBucketIds),
    doorTypes: canonicalSet(filter.doorTypes),
    categories: canonicalSet(filter.categories),
    contexts: canonicalSet(filter.contexts),
    // An HOUR filter without a level (several filtered dimensions) is refused before it counts.
    ...(level === "full" ? {} : { level: level ?? "unresolved" }),
  };
  return `fp${FINGERPRINT_VERSION}_${createHash("sha256").update(JSON.stringify(canonical)).digest("hex")}`;
}

function canonicalSet(values: readonly string[] | null | undefined): string[] | null {
  return values === null || values === undefined ? null : [...new Set(values)].sort();
}

/** Every cell-selecting root selection that will execute, with its filter and fingerprint, in document order. */
export function fingerprintOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): SelectionShape[] {
  return collectRootSelections(schema, document, operation, variables)
    .filter((selection) => CELL_SELECTING_FIELDS.has(selection.fieldName))
    .map((selection) => {
      const filter = selection.args.filter as InsightsFilter;
      return {
        responseKey: selection.responseKey,
        fieldName: selection.fieldName,
        filter,
        fingerprint: fingerprintSelection(selection.fieldName, filter),
      };
    });
}
