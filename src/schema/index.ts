import { builder } from "./builder";
import "./scalars";
import "./viewer";
import "./insights";
import "./budgets";
import "./privacy";
import "./businessInsights";
import "./serverTime";
import "./anomalies";
import "./directories";
import "./importRetention";
import "./anomalyAlerts";
import "./dataRetention";
import "./feedRetention";
import "./contractVerifier";
import "./imports";
import "./apiKeys";
import "./ops";
import "./monitors";
import "./jobs";
import "./databaseHealth";
import "./geo";
import "./timingPolicies";

builder.queryType({
  description:
    "Reads: insights for buyers, businessInsights for first-party businesses, anomalies and ops views for internal tools.",
  subGraphs: ["internal", "buyer", "business"],
  defaultSubGraphsForFields: ["internal"],
});

builder.mutationType({
  description: "Changes: admin mutations for operators, imports for tenants.",
  subGraphs: ["internal"],
});

/** The whole schema: internal tools, operators and tenants. */
export const schema = builder.toSchema({ sortSchema: true });
/** What buyers may select and introspect; the policy strips anything else before execution. */
export const buyerSchema = builder.toSchema({ sortSchema: true, subGraph: "buyer" });
/** What BUSINESS keys may select and introspect: businessInsights, viewer, privacyStatement, serverTime. */
export const businessSchema = builder.toSchema({ sortSchema: true, subGraph: "business" });
