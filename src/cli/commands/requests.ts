import { execute } from "../../client/opsClient";
import { OpsFingerprintStatsDocument, OpsRequestStatsDocument } from "../../generated/graphql/graphql";
import { daysOf, daysOption, type OpsCommand, round } from "../opsCommand";

/** `npm run ops` commands. Buyer traffic: requests per day and distinct query shapes per buyer. */
export const requestsCommands: OpsCommand[] = [
  {
    path: ["requests"],
    summary: "Buyer requests per UTC day: count, p50/p99 latency, and count per outcome code.",
    options: { days: daysOption(14) },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsRequestStatsDocument, { days: daysOf(values, 14) });
      const rows = data.ops.exportRequestStats.map((row) => ({
        day: row.day,
        requests: row.requests,
        p50Ms: round(row.p50LatencyMs),
        p99Ms: round(row.p99LatencyMs),
        outcomes: row.byOutcome.map((outcome) => `${outcome.code} ${outcome.count}`).join(", "),
      }));
      return { kind: "rows", rows, json: data.ops.exportRequestStats };
    },
  },
  {
    path: ["shapes"],
    summary: "Distinct query shapes and quota refusals per buyer per UTC day (the intersection-attack view).",
    options: { days: daysOption(14) },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsFingerprintStatsDocument, { days: daysOf(values, 14) });
      const rows = data.ops.queryFingerprintStats.map((row) => ({ ...row }));
      return { kind: "rows", rows, json: rows };
    },
  },
];
