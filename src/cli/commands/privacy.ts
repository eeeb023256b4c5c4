import { execute } from "../../client/opsClient";
import {
  type GeoBucketType,
  OpsPrivacyLedgerDocument,
  OpsPrivacyStatementDocument,
  OpsSetPrivacyCapDocument,
  OpsSetReleasePlanEntryDocument,
  type SegmentDimension,
} from "../../generated/graphql/graphql";
import { booleanOf, instantOf, numberOf, oneOf, text, type Values } from "../framework";
import { GRANULARITIES, type OpsCommand, outcomeOf, recordOf, round } from "../opsCommand";

const GEO_TYPES = ["CITY_CODE", "GEOHASH3"] as const satisfies readonly GeoBucketType[];

const SEGMENT_DIMENSIONS = [
  "DOOR_TYPE",
  "CATEGORY",
  "CONTEXT",
] as const satisfies readonly SegmentDimension[];

/** --from and --to as the instants a ledger range takes (null: the server's default). */
const rangeOf = (values: Values) => ({
  fromUtc: instantOf("from", text(values, "from")) ?? null,
  toUtc: instantOf("to", text(values, "to")) ?? null,
});

/** `npm run ops` commands. The participant-day guarantee: the ledger, the published statement, the cap and the release plan. */
export const privacyCommands: OpsCommand[] = [
  {
    path: ["ledger"],
    summary:
      "The participant-day ledger: epsilon and delta per UTC day against the cap, and the highest day.",
    options: {
      from: { type: "string", value: "DATE", description: "First day (default: 30 days before --to)." },
      to: { type: "string", value: "DATE", description: "End, exclusive (default: now)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsPrivacyLedgerDocument, {
        ...rangeOf(values),
      });
      const ledger = data.ops.privacyLedger;
      const rows = ledger.days.map((day) => ({
        day: day.dayUtc,
        epsilon: round(day.epsilon),
        cap: ledger.epsilonCap,
        delta: day.delta,
        families: day.families,
        outsideGuarantee: day.outsideGuarantee,
      }));
      const highest = ledger.highestDay;
      return {
        kind: "rows",
        rows,
        json: ledger,
        note: highest
          ? `Highest day ${highest.dayUtc}: epsilon ${round(highest.epsilon)} of the cap ${ledger.epsilonCap} (plan epsilon_day ${ledger.planEpsilonPerParticipantDay}).`
          : `No release covers this range (cap ${ledger.epsilonCap}, plan epsilon_day ${ledger.planEpsilonPerParticipantDay}).`,
      };
    },
  },
  {
    path: ["privacy"],
    summary:
      "The published guarantee: cap, plan entries, epsilon_day, 30-day worst case, highest ledger day.",
    options: {
      from: { type: "string", value: "DATE", description: "Start of the range for the highest day." },
      to: { type: "string", value: "DATE", description: "End, exclusive." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsPrivacyStatementDocument, {
        ...rangeOf(values),
      });
      const statement = data.privacyStatement;
      const rows = statement.families.map((entry) => ({
        granularity: entry.granularity,
        geoType: entry.geoBucketType,
        breakdown: entry.breakdown.length === 3 ? "FULL" : entry.breakdown.join("+") || "TOTAL",
        epsilon: entry.epsilon,
        delta: entry.delta,
        enabled: entry.enabled,
      }));
      return {
        kind: "rows",
        rows,
        json: statement,
        note: `Per participant-day: plan epsilon ${statement.planEpsilonPerParticipantDay}, delta ${statement.planDeltaPerParticipantDay} (cap ${statement.epsilonCap}, ${statement.deltaCap}); 30 days: ${statement.worstCase30DayEpsilon}. Highest ledger day: ${statement.highestLedgerDay ? `${statement.highestLedgerDay.dayUtc} at ${round(statement.highestLedgerDay.epsilon)}` : "none"}.`,
      };
    },
  },
  {
    path: ["cap", "set"],
    summary:
      "Set the participant-day cap (at most the contract ceiling 3.0 / 2e-5, at least the plan's sums).",
    options: {
      epsilon: { type: "string", value: "E", required: true, description: "Epsilon per participant-day." },
      delta: { type: "string", value: "D", required: true, description: "Delta per participant-day." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsSetPrivacyCapDocument, {
        input: {
          epsilonCap: numberOf("epsilon", text(values, "epsilon")) ?? 0,
          deltaCap: numberOf("delta", text(values, "delta")) ?? 0,
        },
      });
      return recordOf(data.setPrivacyCap, (payload) => ({ ...payload.cap }));
    },
  },
  {
    path: ["plan", "set"],
    summary: "Add or change a release plan entry; refused when the plan would go above the cap.",
    options: {
      granularity: { type: "string", value: "G", required: true, description: "HOUR, DAY or WEEK." },
      "geo-type": { type: "string", value: "T", required: true, description: "CITY_CODE or GEOHASH3." },
      breakdown: {
        type: "string",
        value: "DIMS",
        description:
          "Kept dimensions, comma-separated (DOOR_TYPE,CATEGORY,CONTEXT; default all = FULL; '' = TOTAL).",
      },
      epsilon: { type: "string", value: "E", required: true, description: "Epsilon per release." },
      delta: { type: "string", value: "D", description: "Delta per release (default 1e-6)." },
      enabled: { type: "string", value: "BOOL", description: "true (default) or false." },
    },
    async run({ endpoint, values }) {
      const breakdownText = text(values, "breakdown");
      const breakdown = (
        breakdownText === undefined
          ? ["DOOR_TYPE", "CATEGORY", "CONTEXT"]
          : breakdownText.split(",").filter((value) => value.trim() !== "")
      ).map((value) => oneOf("breakdown", value.trim(), SEGMENT_DIMENSIONS) ?? "DOOR_TYPE");
      const data = await execute(endpoint, OpsSetReleasePlanEntryDocument, {
        input: {
          granularity: oneOf("granularity", text(values, "granularity"), GRANULARITIES) ?? "DAY",
          geoBucketType: oneOf("geo-type", text(values, "geo-type"), GEO_TYPES) ?? "CITY_CODE",
          breakdown,
          epsilon: numberOf("epsilon", text(values, "epsilon")) ?? 0,
          delta: numberOf("delta", text(values, "delta")) ?? 1e-6,
          enabled: booleanOf("enabled", text(values, "enabled")) ?? true,
        },
      });
      return outcomeOf(data.setReleasePlanEntry, (payload) => ({
        kind: "rows",
        rows: (payload.plan ?? []).map((entry) => ({
          granularity: entry.granularity,
          geoType: entry.geoBucketType,
          breakdown: entry.breakdown.join("+"),
          epsilon: entry.epsilon,
          delta: entry.delta,
          enabled: entry.enabled,
        })),
        json: payload,
      }));
    },
  },
];
