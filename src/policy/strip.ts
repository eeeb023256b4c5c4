import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";
import { apiError } from "../errors";

export type StripMode = "filter" | "reject";

export interface StripResult {
  document: DocumentNode;
  /** Response paths of removed selections, e.g. "insights.nodes.diagnostics" (fragments: "...Cell.diagnostics"). */
  strippedFields: string[];
}

/**
 * Step 2 of the policy: removes every selection the role's visible schema does not have, before
 * validation and execution, so no resolver for it runs. Root fields the role may not use are
 * FORBIDDEN; in reject mode any other hidden selection is FIELD_NOT_ALLOWED; a selection set that
 * would be left empty (an invalid response) is refused too.
 */
export function stripDocument(
  document: DocumentNode,
  fullSchema: GraphQLSchema,
  visibleSchema: GraphQLSchema,
  mode: StripMode,
): StripResult {
  const stripped: string[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }

  const typeVisible = (name: string) => visibleSchema.getType(name) !== undefined;
  const fieldVisible = (typeName: string, fieldName: string) => {
    if (fieldName.startsWith("__")) return true;
    const type = visibleSchema.getType(typeName);
    return (isObjectType(type) || isInterfaceType(type)) && type.getFields()[fieldName] !== undefined;
  };
  const hide = (path: string, isRoot: boolean, name: string) => {
    if (isRoot) throw apiError("FORBIDDEN", `This key's role may not use ${name}.`, { field: name });
    if (mode === "reject") {
      throw apiError("FIELD_NOT_ALLOWED", `This key's role may not read ${path}; remove it from the query.`, {
        path,
      });
    }
    stripped.push(path);
  };

  const stripSet = (
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType,
    path: string,
    isRoot: boolean,
  ): SelectionSetNode => {
    const kept: SelectionNode[] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const responseKey = selection.alias?.value ?? name;
        const fieldPath = path ? `${path}.${responseKey}` : responseKey;
        if (!fieldVisible(parent.name, name)) {
          hide(fieldPath, isRoot, `${parent.name}.${name}`);
          continue;
        }
        if (!selection.selectionSet || name.startsWith("__")) {
          kept.push(selection);
          continue;
        }
        const fieldType =
          isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name]?.type : undefined;
        const named = fieldType === undefined ? undefined : getNamedType(fieldType);
        if (!named || !isCompositeType(named)) {
          kept.push(selection);
          continue;
        }
        const inner = stripSet(selection.selectionSet, named, fieldPath, false);
        if (inner.selections.length === 0) {
          throw apiError(
            "FIELD_NOT_ALLOWED",
            `Nothing this key's role may read is left under ${fieldPath}.`,
            { path: fieldPath },
          );
        }
        kept.push({ ...selection, selectionSet: inner });
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value ?? parent.name;
        if (!typeVisible(typeName)) {
          hide(`${path}(... on ${typeName})`, isRoot, typeName);
          continue;
        }
        const type = fullSchema.getType(typeName);
        if (!type || !isCompositeType(type)) {
          kept.push(selection);
          continue;
        }
        const inner = stripSet(selection.selectionSet, type, path, isRoot);
        if (inner.selections.length > 0) kept.push({ ...selection, selectionSet: inner });
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment && !typeVisible(fragment.typeCondition.name.value)) {
          hide(`${path}(...${fragment.name.value})`, isRoot, fragment.typeCondition.name.value);
          continue;
        }
        // A fragment left with nothing visible goes, like an inline fragment would.
        if (emptyFragments.has(selection.name.value)) continue;
        kept.push(selection);
      }
    }
    return { ...selectionSet, selections: kept };
  };

  // Fragments first, so that spreads of a fragment stripped to nothing can be dropped.
  const emptyFragments = new Set<string>();
  const rewrittenFragments = new Map<string, FragmentDefinitionNode>();
  const rewriteFragment = (definition: FragmentDefinitionNode, seen: Set<string>): FragmentDefinitionNode => {
    const done = rewrittenFragments.get(definition.name.value);
    if (done) return done;
    const type = fullSchema.getType(definition.typeCondition.name.value);
    if (!type || !isCompositeType(type) || !typeVisible(type.name) || seen.has(definition.name.value))
      return definition;
    // Nested spreads are resolved before this fragment's own selections.
    const nested = new Set(seen).add(definition.name.value);
    for (const spread of spreadsIn(definition.selectionSet)) {
      const inner = fragments.get(spread);
      if (inner) rewriteFragment(inner, nested);
    }
    const isRootType = type === fullSchema.getQueryType() || type === fullSchema.getMutationType();
    const inner = stripSet(definition.selectionSet, type, `...${definition.name.value}`, isRootType);
    if (inner.selections.length === 0) emptyFragments.add(definition.name.value);
    const rewritten = { ...definition, selectionSet: inner };
    rewrittenFragments.set(definition.name.value, rewritten);
    return rewritten;
  };
  for (const fragment of fragments.values()) rewriteFragment(fragment, new Set());

  const definitions = document.definitions.map((definition) => {
    if (definition.kind === Kind.OPERATION_DEFINITION) {
      const root =
        definition.operation === "query"
          ? fullSchema.getQueryType()
          : definition.operation === "mutation"
            ? fullSchema.getMutationType()
            : fullSchema.getSubscriptionType();
      if (!root) return definition;
      return { ...definition, selectionSet: stripSet(definition.selectionSet, root, "", true) };
    }
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const type = fullSchema.getType(definition.typeCondition.name.value);
      if (!type || !isCompositeType(type) || !typeVisible(type.name)) return definition;
      const isRootType = type === fullSchema.getQueryType() || type === fullSchema.getMutationType();
      const inner = stripSet(definition.selectionSet, type, `...${definition.name.value}`, isRootType);
      if (inner.selections.length === 0) {
        throw apiError(
          "FIELD_NOT_ALLOWED",
          `Nothing this key's role may read is left in fragment ${definition.name.value}.`,
        );
      }
      return { ...definition, selectionSet: inner };
    }
    return definition;
  });

  return {
    document: { ...document, definitions: dropUnusedFragments(definitions) },
    strippedFields: stripped,
  };
}

function spreadsIn(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) =>
    selection.kind === Kind.FRAGMENT_SPREAD
      ? [selection.name.value]
      : selection.selectionSet
        ? spreadsIn(selection.selectionSet)
        : [],
  );
}

/** Fragments only reachable through removed selections would fail validation ("never used"). */
function dropUnusedFragments(definitions: DocumentNode["definitions"]): DocumentNode["definitions"] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const used = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        if (used.has(name)) continue;
        used.add(name);
        const fragment = fragments.get(name);
        if (fragment) visit(fragment.selectionSet);
      } else if (selection.selectionSet) {
        visit(selection.selectionSet);
      }
    }
  };
  for (const definition of definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) visit(definition.selectionSet);
  }
  return definitions.filter(
    (definition) => definition.kind !== Kind.FRAGMENT_DEFINITION || used.has(definition.name.value),
  );
}
