import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import SubGraphPlugin from "@pothos/plugin-sub-graph";
import ValidationPlugin from "@pothos/plugin-validation";
import { auditRefusedAdminAttempt } from "../audit/refusals";
import type { AppContext } from "../context";
import { apiError } from "../errors";

export const builder = new SchemaBuilder<{
  Context: AppContext;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  AuthScopes: {
    authenticated: boolean;
    buyer: boolean;
    internal: boolean;
    operator: boolean;
    tenant: boolean;
    business: boolean;
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  /**
   * "buyer" is the buyer-visible schema: what buyers may select and introspect; "business" is the
   * narrower one of BUSINESS keys (businessInsights, viewer, privacyStatement, serverTime).
   */
  SubGraphs: "internal" | "buyer" | "business";
}>({
  plugins: [ScopeAuthPlugin, SubGraphPlugin, ErrorsPlugin, RelayPlugin, ValidationPlugin, DataloaderPlugin],
  // Everything is internal unless a type or field says buyers may see it.
  subGraphs: { defaultForTypes: ["internal"], fieldsInheritFromTypes: true },
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => {
      const role = context.principal?.role;
      return {
        authenticated: role !== undefined,
        buyer: role === "buyer",
        // OPERATOR may do everything INTERNAL may (ARCHITECTURE.md "Who uses it").
        internal: role === "internal" || role === "operator",
        operator: role === "operator",
        tenant: role === "tenant",
        business: role === "business",
      };
    },
    unauthorizedError: (_parent, context, info) => {
      if (info.parentType.name === "Mutation") {
        void auditRefusedAdminAttempt(
          context.database,
          {
            at: context.clock.now(),
            principal: context.principal,
            action: info.fieldName,
            requestId: context.requestId,
          },
          (error) => context.logger.error({ err: String(error) }, "audit of a refused mutation failed"),
        );
      }
      return apiError(
        "FORBIDDEN",
        `The ${context.principal?.role?.toUpperCase() ?? "anonymous"} role may not use ${info.parentType.name}.${info.fieldName}.`,
        {
          field: `${info.parentType.name}.${info.fieldName}`,
        },
      );
    },
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    edgesFieldOptions: { nullable: false, description: "The page's items with their cursors." },
    nodeFieldOptions: { nullable: false, description: "The item." },
    cursorFieldOptions: { description: "Opaque cursor of this item; pass it as `after` to read on." },
    hasNextPageFieldOptions: { description: "True when items follow this page." },
    hasPreviousPageFieldOptions: { description: "True when this page was read after a cursor." },
    startCursorFieldOptions: { description: "Cursor of the page's first item; null on an empty page." },
    endCursorFieldOptions: { description: "Cursor of the page's last item; null on an empty page." },
    nodesOnConnection: { description: "The page's items, without cursors." },
    pageInfoFieldOptions: { description: "Where this page sits: cursors and whether more pages exist." },
    pageInfoTypeOptions: {
      subGraphs: ["internal", "buyer"],
      description: "Cursors of a page and whether more pages exist.",
    },
  },
  errors: { defaultTypes: [] },
});

/** The builder's type parameters, for helpers that build fields or types for any object. */
export type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
