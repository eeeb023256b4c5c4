import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { GraphQLError, type ValidationContext, type ValidationRule } from "graphql";
import type { ApiRole } from "../db/schema/enums";

export interface ArmorLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
}

/**
 * graphql-armor limits per role. Buyers get the tight ones of PRIVACY.md; the buyer cost limit is
 * sized to the largest legal buyer query (5 aliased insights selections with every field, edges and
 * nodes), which a test keeps true.
 */
export const ARMOR_LIMITS: Record<"buyer" | "staff", ArmorLimits> = {
  buyer: { maxTokens: 1000, maxDepth: 8, maxAliases: 5, maxDirectives: 10, maxCost: 1_600_000 },
  staff: { maxTokens: 10_000, maxDepth: 15, maxAliases: 50, maxDirectives: 50, maxCost: 20_000_000 },
};

export function armorLimitsFor(role: ApiRole | undefined): ArmorLimits {
  // BUSINESS keys come from outside too: the buyers' tight limits.
  return role === "buyer" || role === "business" || role === undefined
    ? ARMOR_LIMITS.buyer
    : ARMOR_LIMITS.staff;
}

export function armorRules(limits: ArmorLimits): ValidationRule[] {
  // Report (not throw) so every broken limit comes back as a validation error with its numbers.
  const common = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(error)],
  };
  return [
    maxDepthRule({ ...common, n: limits.maxDepth, ignoreIntrospection: false, flattenFragments: true }),
    // No allow-list: graphql-armor's default exempts "__typename" as an alias too, a way around the limit.
    maxAliasesRule({ ...common, n: limits.maxAliases, allowList: [] }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives }),
    costLimitRule({ ...common, maxCost: limits.maxCost, ignoreIntrospection: false }),
  ] as unknown as ValidationRule[];
}

// graphql-js's messages for argument values of the wrong type or shape (ValuesOfCorrectTypeRule).
const WRONG_VALUE =
  /^(Value ".*" does not exist in ".*" enum|Expected value of type|Enum ".*" cannot represent|(Int|Float|String|Boolean|ID) cannot represent|Field ".*" of required type ".*" was not provided|Field ".*" is not defined by type)/;

/**
 * Gives validation errors the contract's codes: armor's refusals ("Syntax Error: ...") become
 * QUERY_REJECTED; argument values of the wrong type become BAD_USER_INPUT, as they do when sent as variables.
 */
export function withContractCode(error: Error): Error {
  if (!(error instanceof GraphQLError)) return error;
  if (WRONG_VALUE.test(error.message)) {
    return new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: "BAD_USER_INPUT" } });
  }
  if (!error.message.startsWith("Syntax Error:")) return error;
  return new GraphQLError(error.message.replace(/^Syntax Error: /, "Query rejected: "), {
    nodes: error.nodes,
    extensions: { code: "QUERY_REJECTED" },
  });
}
