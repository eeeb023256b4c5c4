import type { ApiRole } from "../db/schema/enums";
import { builder } from "./builder";

export const RoleEnum = builder.enumType("Role", {
  subGraphs: ["internal", "buyer", "business"],
  description: "What an API key may do.",
  values: {
    BUYER: {
      value: "buyer",
      description: "Outside data buyer: insights, quotes, viewer and the dataset export.",
    },
    INTERNAL: {
      value: "internal",
      description: "Internal tool: every read, including diagnostics and ops views.",
    },
    OPERATOR: { value: "operator", description: "Operator: everything INTERNAL may, plus admin mutations." },
    TENANT: { value: "tenant", description: "Import tenant: importProjects for its own tenant only." },
    BUSINESS: {
      value: "business",
      description:
        "First-party business: businessInsights on its own spots only (outside the outside-buyer DP guarantee), viewer, privacyStatement.",
    },
  } as const,
});

interface ViewerShape {
  role: ApiRole;
  partnerId: string | null;
  tenantId: string | null;
  businessId: string | null;
}

export const Viewer = builder.objectRef<ViewerShape>("Viewer").implement({
  subGraphs: ["internal", "buyer", "business"],
  description: "The caller, as its API key says.",
  fields: (t) => ({
    role: t.field({ type: RoleEnum, description: "The key's role.", resolve: (viewer) => viewer.role }),
    partnerId: t.exposeString("partnerId", {
      nullable: true,
      description: "The buyer's partner id (BUYER keys only, starts with outside_buyer_).",
    }),
    tenantId: t.exposeString("tenantId", { nullable: true, description: "The tenant (TENANT keys only)." }),
    businessId: t.exposeString("businessId", {
      nullable: true,
      description: "The business whose own spots the key may read (BUSINESS keys only).",
    }),
  }),
});

builder.queryField("viewer", (t) =>
  t.field({
    type: Viewer,
    description: "Who is calling, and (for buyers) what budget and quota remain.",
    authScopes: { authenticated: true },
    subGraphs: ["internal", "buyer", "business"],
    resolve: (_root, _args, context) => {
      const principal = context.principal!;
      return {
        role: principal.role,
        partnerId: principal.partnerId,
        tenantId: principal.tenantId,
        businessId: principal.businessId,
      };
    },
  }),
);
