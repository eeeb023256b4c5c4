import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/client";
import type { GraphQLBody } from "../support/app";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import {
  buyerKey,
  codeOf,
  dataField,
  days,
  partnerSpend,
  policyOf,
  type RedteamApi,
  redteamApp,
  setBudget,
} from "../support/redteam";

let db: TestDatabase;
/** A second connection pool to the same database on Postgres (another API process); the same handle on PGlite. */
let second: DatabaseHandle;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let operator: RedteamApi;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  second =
    db.kind === "postgres" && db.url !== undefined
      ? await openDatabase({ kind: "postgres", url: db.url, maxConnections: 5 })
      : db;
  operator = redteamApp(db, world.clock);
});
afterAll(async () => {
  if (second !== undefined && second !== db) await second.close();
  await db?.destroy();
});

const READ = "query($f: InsightsFilter!) { insights(filter: $f) { totalCount } }";
/** One CITY_CODE DAY release per filter: Jan `day`. */
const singleDays = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, index) => days(from + index, from + index + 1));

/** Fires every filter at once, round-robin over the given app instances. */
async function race(apis: RedteamApi[], key: string, filters: Array<Record<string, unknown>>) {
  return Promise.all(
    filters.map(async (filter, index) => {
      const api = apis[index % apis.length];
      if (api === undefined) throw new Error("no app");
      return (await api.graphql(READ, { key, variables: { f: filter } })).body;
    }),
  );
}

async function chargedReleases(partnerId: string): Promise<string[]> {
  const rows = await db.query<{ release_id: string }>(
    "select release_id from budget_charges where partner_id = $1 order by release_id",
    [partnerId],
  );
  return rows.map((row) => row.release_id);
}

function split(bodies: GraphQLBody[]) {
  const ok = bodies.filter((body) => body.errors === undefined);
  const refused = bodies.filter((body) => body.errors !== undefined);
  return { ok, refused };
}

/** Exactly `expected` of the parallel requests succeed; the rest are refused with `code` and no data. */
function expectExactly(bodies: GraphQLBody[], expected: number, code: string) {
  const { ok, refused } = split(bodies);
  expect(refused.map(codeOf)).toEqual(Array(bodies.length - expected).fill(code));
  for (const body of refused) expect(body.data ?? null).toBeNull();
  expect(ok).toHaveLength(expected);
  for (const body of ok)
    expect(dataField<{ totalCount: number }>(body, "insights").totalCount).toBeGreaterThan(0);
  return ok;
}

async function expectChargesMatch(
  partnerId: string,
  ok: GraphQLBody[],
  limit: number,
  expectedSpent: number,
) {
  const spend = await partnerSpend(db, partnerId);
  expect(spend.spent).toBeLessThanOrEqual(limit + 1e-9);
  expect(spend.spent).toBeCloseTo(expectedSpent, 9);
  // What was charged is exactly what the successful requests read.
  const read = ok.flatMap((body) => (policyOf(body).epsilonCharged > 0 ? policyOf(body).releaseIds : []));
  expect(await chargedReleases(partnerId)).toEqual([...new Set(read)].sort());
}

async function appsFor(count: 1 | 2, env: Record<string, string> = {}): Promise<RedteamApi[]> {
  const first = redteamApp(db, world.clock, env);
  return count === 1 ? [first] : [first, redteamApp(second, world.clock, env)];
}

describe("privacy budget under parallel requests", () => {
  it("limit 2.0, 10 parallel requests over 10 distinct releases at 0.5: exactly 4 succeed, spent exactly 2.0", async () => {
    const partner = "outside_buyer_race_one_app";
    const key = await buyerKey(db, world.clock, partner);
    await setBudget(operator, world.operatorKey, partner, 2);
    const bodies = await race(await appsFor(1), key, singleDays(1, 10));
    const ok = expectExactly(bodies, 4, "PRIVACY_BUDGET_EXCEEDED");
    for (const body of ok) expect(policyOf(body).epsilonCharged).toBe(0.5);
    await expectChargesMatch(partner, ok, 2, 2);
    const alerts = await db.query<{ action: string }>(
      "select action from audit_logs where type = 'outside_buyer_privacy_budget' and target = $1 order by id",
      [partner],
    );
    expect(alerts.map((row) => row.action)).toEqual(["budget_80_percent", "budget_100_percent"]);
  });

  it("limit 2.0 with 0.5 already spent: of 9 parallel new releases exactly floor(1.5 / 0.5) = 3 succeed", async () => {
    const partner = "outside_buyer_race_prespent";
    const key = await buyerKey(db, world.clock, partner);
    await setBudget(operator, world.operatorKey, partner, 2);
    const [warmup] = await race(await appsFor(1), key, singleDays(1, 1));
    expect(warmup && policyOf(warmup).epsilonRemaining).toBe(1.5);
    const bodies = await race(await appsFor(1), key, singleDays(2, 10));
    const ok = expectExactly(bodies, 3, "PRIVACY_BUDGET_EXCEEDED");
    await expectChargesMatch(partner, [...ok, ...(warmup ? [warmup] : [])], 2, 2);
  });

  it("two app instances over two database handles: still exactly 4 of 10 succeed", async () => {
    const partner = "outside_buyer_race_two_apps";
    const key = await buyerKey(db, world.clock, partner);
    await setBudget(operator, world.operatorKey, partner, 2);
    const bodies = await race(await appsFor(2), key, singleDays(1, 10));
    const ok = expectExactly(bodies, 4, "PRIVACY_BUDGET_EXCEEDED");
    await expectChargesMatch(partner, ok, 2, 2);
  });

  it("limit 2.0, 6 parallel requests costing 1.0 each (two days): exactly 2 succeed", async () => {
    const partner = "outside_buyer_race_pairs";
    const key = await buyerKey(db, world.clock, partner);
    await setBudget(operator, world.operatorKey, partner, 2);
    const pairs = [1, 3, 5, 7, 9].map((day) => days(day, day + 2));
    const geohashPair = { ...days(1, 3), geoBucketType: "GEOHASH3" };
    const bodies = await race(await appsFor(2), key, [...pairs, geohashPair]);
    const ok = expectExactly(bodies, 2, "PRIVACY_BUDGET_EXCEEDED");
    for (const body of ok) expect(policyOf(body).epsilonCharged).toBe(1);
    await expectChargesMatch(partner, ok, 2, 2);
  });

  it("a buyer without a budget row yet: 20 parallel requests over all 20 releases spend exactly the default 10", async () => {
    const partner = "outside_buyer_race_default";
    const key = await buyerKey(db, world.clock, partner);
    const filters = [
      ...singleDays(1, 10),
      ...singleDays(1, 10).map((filter) => ({ ...filter, geoBucketType: "GEOHASH3" })),
    ];
    const bodies = await race(await appsFor(2), key, filters);
    const ok = expectExactly(bodies, 20, "PRIVACY_BUDGET_EXCEEDED");
    await expectChargesMatch(partner, ok, 10, 10);
    const rows = await db.query<{ n: number }>(
      "select count(*)::int as n from buyer_budgets where partner_id = $1",
      [partner],
    );
    expect(rows[0]?.n).toBe(1);
    const [extra] = await race(await appsFor(1), key, [{ ...days(1, 2), geoBucketIds: ["us-nyc"] }]);
    expect(extra && policyOf(extra).epsilonCharged).toBe(0);
  });

  it("8 parallel reads of one release with a limit of exactly one release: all succeed, charged once", async () => {
    const partner = "outside_buyer_race_same_release";
    const key = await buyerKey(db, world.clock, partner);
    await setBudget(operator, world.operatorKey, partner, 0.5);
    const bodies = await race(await appsFor(2), key, Array(8).fill(days(4, 5)));
    const ok = expectExactly(bodies, 8, "PRIVACY_BUDGET_EXCEEDED");
    expect(ok.map((body) => policyOf(body).epsilonCharged).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0.5]);
    await expectChargesMatch(partner, ok, 0.5, 0.5);
    expect((await partnerSpend(db, partner)).charges).toBe(1);
  });
});

describe("daily shape quota under parallel requests", () => {
  const CATEGORIES = ["COFFEE", "FOOD", "MUSIC", "SPORTS", "ART", "OUTDOOR", "TECH", "OTHER"];
  /** Eight distinct shapes over the same single release (Jan 3). */
  const shapes = CATEGORIES.map((category) => ({ ...days(3, 4), categories: [category] }));

  for (const count of [1, 2] as const) {
    it(`quota 3, 8 parallel distinct shapes on ${count} app instance(s): exactly 3 succeed`, async () => {
      const partner = `outside_buyer_quota_race_${count}`;
      const key = await buyerKey(db, world.clock, partner);
      await setBudget(operator, world.operatorKey, partner, 100, 3);
      const bodies = await race(await appsFor(count), key, shapes);
      const ok = expectExactly(bodies, 3, "QUERY_BUDGET_EXCEEDED");
      const spend = await partnerSpend(db, partner);
      expect(spend).toEqual({ charges: 1, spent: 0.5, shapes: 3 });
      const counted = await db.query<{ fingerprint: string }>(
        "select fingerprint from query_fingerprints where partner_id = $1 order by fingerprint",
        [partner],
      );
      expect(counted.map((row) => row.fingerprint)).toEqual(
        ok.map((body) => policyOf(body).fingerprint as string).sort(),
      );
    });
  }
});
