import { fixedClock } from "../../src/clock";
import { precomputeRelease } from "../../src/jobs/precompute/precomputeRelease";
import { issueTestKey } from "./app";
import type { TestDatabase } from "./database";
import { insertEvents, seedTestCities } from "./events";

export const WORLD_NOW = "2026-01-20T12:00:00Z";
/** Ten released DAY buckets (both geo types), Jan 1..10, with one big cell per day in each city. */
export const WORLD_DAYS = Array.from({ length: 10 }, (_, index) => new Date(Date.UTC(2026, 0, 1 + index)));

export async function buildBuyerWorld(db: TestDatabase) {
  const clock = fixedClock(WORLD_NOW);
  await seedTestCities(db);
  for (const day of WORLD_DAYS) {
    const morning = new Date(day.getTime() + 8 * 3_600_000);
    await insertEvents(db, [
      { city: "us-nyc", participants: 700, doors: 2, doorType: "spot", category: "coffee", at: morning },
      {
        city: "gb-lon",
        participants: 650,
        participantOffset: 20_000,
        doorType: "spot",
        category: "food",
        at: morning,
      },
    ]);
    for (const geoType of ["city_code", "geohash3"] as const) {
      await precomputeRelease(
        { database: db, noiseKey: { key: Buffer.alloc(32, 5), id: "nk_test" }, clock },
        { granularity: "day", bucketStart: day, geoType },
      );
    }
  }
  const buyer = await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_acme" });
  const otherBuyer = await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_globex" });
  const internal = await issueTestKey(db, "internal", { clock });
  const operator = await issueTestKey(db, "operator", { clock });
  return {
    clock,
    buyerKey: buyer.apiKey,
    otherBuyerKey: otherBuyer.apiKey,
    internalKey: internal.apiKey,
    operatorKey: operator.apiKey,
  };
}

/** Budget, quota, charges and cells as they stand: equal before and after a refusal. */
export async function policyState(db: TestDatabase) {
  const [row] = await db.query<Record<string, number | string>>(
    `select (select count(*)::int from budget_charges) as charges,
            (select coalesce(sum(epsilon), 0)::float8 from budget_charges) as spent,
            (select count(*)::int from query_fingerprints) as shapes,
            (select coalesce(sum(hits), 0)::int from query_fingerprints) as hits,
            (select count(*)::int from buyer_budgets) as budgets,
            (select count(*)::int from insight_cells) as cells,
            (select count(*)::int from releases) as releases,
            (select count(*)::int from audit_logs) as audit`,
  );
  return row;
}
