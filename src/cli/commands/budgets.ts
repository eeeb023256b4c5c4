import { execute } from "../../client/opsClient";
import { OpsBudgetsDocument, OpsSetBuyerBudgetDocument } from "../../generated/graphql/graphql";
import { numberOf, text } from "../framework";
import { type OpsCommand, recordOf, round } from "../opsCommand";

/** `npm run ops` commands. Buyers' privacy budgets: the usage view and setting one. */
export const budgetsCommands: OpsCommand[] = [
  {
    path: ["budgets"],
    summary: "Every buyer's privacy budget: limit, spent, remaining, window, last charge.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsBudgetsDocument, {});
      const rows = data.ops.privacyBudgetUsage.map((row) => ({
        partner: row.partnerId,
        limit: row.epsilonLimit,
        spent: round(row.epsilonSpent),
        remaining: round(row.epsilonRemaining),
        windowDays: row.windowDays,
        lastCharge: row.lastChargeAt ?? null,
      }));
      return { kind: "rows", rows, json: rows };
    },
  },
  {
    path: ["budget", "set"],
    summary: "Set a buyer's privacy budget (and optionally its daily query-shape quota).",
    options: {
      "partner-id": {
        type: "string",
        value: "ID",
        required: true,
        description: "The buyer, outside_buyer_...",
      },
      "epsilon-limit": {
        type: "string",
        value: "E",
        required: true,
        description: "Epsilon per window (0..1000).",
      },
      "daily-query-limit": { type: "string", value: "N", description: "Distinct query shapes per UTC day." },
    },
    async run({ endpoint, values }) {
      const partnerId = text(values, "partner-id") ?? "";
      const data = await execute(endpoint, OpsSetBuyerBudgetDocument, {
        input: {
          partnerId,
          epsilonLimit: numberOf("epsilon-limit", text(values, "epsilon-limit")) ?? 0,
          dailyQueryLimit: numberOf("daily-query-limit", text(values, "daily-query-limit"), true) ?? null,
        },
      });
      return recordOf(data.setBuyerBudget, (payload) => ({ partner: partnerId, ...payload.budget }));
    },
  },
];
