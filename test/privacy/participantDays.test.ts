// Participant-day accounting (PRIVACY.md "The guarantee", "Tests" -> Accounting): the ledger of every
// day equals the sum of the releases covering it, precompute at the cap refuses and leaves nothing, a
// new version is counted again, the plan and the cap cannot be pushed above the ceiling, an HOUR
// family is charged once, and privacyStatement matches the plan for every role.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { type PrecomputeDependencies, precomputeRelease } from "../../src/jobs/precompute/precomputeRelease";
import { PRIVACY_CAP_REACHED, runRecordedRelease } from "../../src/jobs/precompute/runReleases";
import { coveredDays } from "../../src/privacy/participantDays";
import {
  DEFAULT_RELEASE_PLAN,
  loadPrivacyCap,
  loadReleasePlan,
  type PlanEntry,
  planTotals,
} from "../../src/privacy/releasePlan";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { insertEvents, seedTestCities } from "../support/events";
import { lastAuditId, stateDigest } from "../support/stateDigest";

const NOISE_KEY = { key: Buffer.alloc(32, 9), id: "nk_days" };
const clock = fixedClock("2026-01-25T00:00:00Z");
const MONDAY = new Date("2026-01-05T00:00:00Z");
const DAYS = Array.from({ length: 7 }, (_, index) => new Date(MONDAY.getTime() + index * 86_400_000));
/** A plan of FULL DAY and WEEK releases and the HOUR TOTAL family: epsilon_day 2.25, so new versions fit under the cap. */
const TEST_PLAN: readonly PlanEntry[] = [
  ...DEFAULT_RELEASE_PLAN.filter((entry) => entry.level === "full"),
  { granularity: "hour", geoType: "city_code", level: "total", epsilon: 0.25, delta: 1e-6, enabled: true },
];

let db: TestDatabase;
let deps: PrecomputeDependencies;

beforeAll(async () => {
  db = await createTestDatabase();
  deps = { database: db, noiseKey: NOISE_KEY, clock };
  await seedTestCities(db);
  await db.query("delete from release_plan");
  for (const entry of TEST_PLAN) {
    await db.query(
      "insert into release_plan (granularity, geo_type, level, epsilon, delta, enabled) values ($1, $2, $3, $4, $5, $6)",
      [entry.granularity, entry.geoType, entry.level, entry.epsilon, entry.delta, entry.enabled],
    );
  }
  for (const day of DAYS.slice(0, 3)) {
    await insertEvents(db, [
      {
        city: "us-nyc",
        participants: 300,
        doors: 2,
        doorType: "spot",
        category: "coffee",
        at: new Date(day.getTime() + 9 * 3_600_000),
      },
    ]);
  }
  // The whole plan for three days, the week that holds them, and those days' HOUR families.
  for (const day of DAYS.slice(0, 3)) {
    for (const geoType of ["city_code", "geohash3"] as const) {
      expect((await precomputeRelease(deps, { granularity: "day", bucketStart: day, geoType })).status).toBe(
        "released",
      );
    }
    expect(
      (await precomputeRelease(deps, { granularity: "hour", bucketStart: day, geoType: "city_code" })).status,
    ).toBe("released");
  }
  for (const geoType of ["city_code", "geohash3"] as const) {
    expect(
      (await precomputeRelease(deps, { granularity: "week", bucketStart: MONDAY, geoType })).status,
    ).toBe("released");
  }
});

afterAll(async () => {
  await db.destroy();
});

/** Each day's epsilon and delta recomputed from the releases themselves: a family counts once per day it reads. */
async function ledgerFromReleases(): Promise<Map<string, { epsilon: number; delta: number }>> {
  const releases = await db.query<{
    family_id: string;
    granularity: "hour" | "day" | "week";
    bucket_start: Date;
    epsilon: number;
    delta: number;
  }>("select family_id, granularity, bucket_start, epsilon, delta from releases where retired_at is null");
  const counted = new Set<string>();
  const days = new Map<string, { epsilon: number; delta: number }>();
  for (const release of releases) {
    for (const day of coveredDays(release.granularity, new Date(release.bucket_start))) {
      const key = `${release.family_id}|${day}`;
      if (counted.has(key)) continue;
      counted.add(key);
      const total = days.get(day) ?? { epsilon: 0, delta: 0 };
      days.set(day, { epsilon: total.epsilon + release.epsilon, delta: total.delta + release.delta });
    }
  }
  return days;
}

async function ledger(): Promise<Map<string, { epsilon: number; delta: number }>> {
  const rows = await db.query<{ day: string; epsilon: number; delta: number }>(
    "select day::text as day, sum(epsilon)::float8 as epsilon, sum(delta)::float8 as delta from privacy_ledger_days group by day",
  );
  return new Map(rows.map((row) => [row.day, { epsilon: row.epsilon, delta: row.delta }]));
}

function expectSameLedger(
  actual: Map<string, { epsilon: number; delta: number }>,
  expected: Map<string, { epsilon: number; delta: number }>,
) {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [day, total] of expected) {
    expect(actual.get(day)?.epsilon).toBeCloseTo(total.epsilon, 9);
    expect(actual.get(day)?.delta).toBeCloseTo(total.delta, 15);
  }
}

describe("the participant-day ledger", () => {
  it("holds, for every day, the sum of the releases covering it: the whole plan on a fully released day", async () => {
    const fromReleases = await ledgerFromReleases();
    expectSameLedger(await ledger(), fromReleases);
    const { epsilonDay, deltaDay } = planTotals(TEST_PLAN);
    // Jan 5-7: DAY x2, WEEK x2 and the HOUR family; Jan 8-11: the two WEEK releases only.
    expect(fromReleases.get("2026-01-05")?.epsilon).toBeCloseTo(epsilonDay, 9);
    expect(fromReleases.get("2026-01-07")?.delta).toBeCloseTo(deltaDay, 15);
    expect(fromReleases.get("2026-01-09")?.epsilon).toBeCloseTo(1.0, 9);
    expect(fromReleases.has("2026-01-12")).toBe(false);
  });

  it("counts a day's HOUR family once, however many hours it has", async () => {
    const hours = await db.query<{ n: number }>(
      "select count(*)::int as n from releases where granularity = 'hour' and bucket_start >= $1 and bucket_start < $2",
      [DAYS[0], DAYS[1]],
    );
    expect(hours[0]?.n).toBe(24);
    const rows = await db.query<{ n: number; epsilon: number }>(
      "select count(*)::int as n, sum(epsilon)::float8 as epsilon from privacy_ledger_days where granularity = 'hour' and day = '2026-01-05'",
    );
    expect(rows[0]).toEqual({ n: 1, epsilon: 0.25 });
  });

  it("counts a new version again, and refuses one that would take a day above the cap, leaving nothing", async () => {
    // 2.25 on Jan 5; a new DAY version adds 0.5 (2.75, allowed); the next would make 3.25.
    const second = await precomputeRelease(deps, {
      granularity: "day",
      bucketStart: DAYS[0] as Date,
      geoType: "city_code",
      newVersion: { reason: "counted again" },
    });
    expect(second).toMatchObject({ status: "released", version: 2 });
    expectSameLedger(await ledger(), await ledgerFromReleases());
    expect((await ledger()).get("2026-01-05")?.epsilon).toBeCloseTo(2.75, 9);

    const before = await stateDigest(db);
    const refused = await precomputeRelease(deps, {
      granularity: "day",
      bucketStart: DAYS[0] as Date,
      geoType: "geohash3",
      newVersion: { reason: "one too many" },
    });
    expect(refused).toMatchObject({ status: "cap_reached", day: "2026-01-05", epsilonAfter: 3.25 });
    expect(await stateDigest(db)).toEqual(before);

    // Exactly at the cap is allowed: a new version of the HOUR family takes Jan 5 to 3.0.
    const hourAgain = await precomputeRelease(deps, {
      granularity: "hour",
      bucketStart: DAYS[0] as Date,
      geoType: "city_code",
      newVersion: { reason: "fits: 3.0" },
    });
    expect(hourAgain).toMatchObject({ status: "released", version: 2 });
    expect((await ledger()).get("2026-01-05")?.epsilon).toBeCloseTo(3, 9);
    expectSameLedger(await ledger(), await ledgerFromReleases());
  });

  it("records a refusal at the cap in the job run and the ops feed", async () => {
    // Take the week's city release out by hand (as if it had never been made) and lower the cap: the
    // job's attempt to make it would take Jan 5 from 2.5 to 3.0, above 2.9.
    await db.query(
      "update releases set retired_at = now(), current = false where granularity = 'week' and geo_type = 'city_code'",
    );
    await db.query(
      "delete from privacy_ledger_days where family_id in (select family_id from releases where granularity = 'week' and geo_type = 'city_code')",
    );
    await db.query("update privacy_cap set epsilon_cap = 2.9");
    const result = await runRecordedRelease(
      deps,
      { granularity: "week", bucketStart: MONDAY, geoType: "city_code", level: "full" },
      "test",
    );
    expect(result.status).toBe("cap_reached");
    const [run] = await db.query<{ outcome: string; details: { day: string } }>(
      "select outcome, details from job_runs where job_name = 'precompute-release' order by started_at desc limit 1",
    );
    expect(run?.outcome).toBe(PRIVACY_CAP_REACHED);
    expect(run?.details.day).toBe("2026-01-05");
    const feed = await db.query<{ source: string; incident_key: string }>(
      "select source, incident_key from ops_feed where source = $1",
      [PRIVACY_CAP_REACHED],
    );
    expect(feed).toEqual([
      { source: PRIVACY_CAP_REACHED, incident_key: `${PRIVACY_CAP_REACHED}:2026-01-05` },
    ]);
    expect(
      await db.query(
        "select count(*)::int as n from releases where granularity = 'week' and geo_type = 'city_code' and retired_at is null",
      ),
    ).toEqual([{ n: 0 }]);
  });
});

describe("the plan and the cap through the API", () => {
  let api: ReturnType<typeof testApp>;
  let operator: string;
  let buyer: string;
  let tenant: string;

  beforeAll(async () => {
    await db.query("update privacy_cap set epsilon_cap = 3.0");
    api = testApp(db, clock);
    operator = (await issueTestKey(db, "operator", { clock })).apiKey;
    buyer = (await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_days" })).apiKey;
    tenant = (await issueTestKey(db, "tenant", { clock })).apiKey;
  });

  const STATEMENT = `{ privacyStatement { unit epsilonCap deltaCap planEpsilonPerParticipantDay planDeltaPerParticipantDay
    worstCase30DayEpsilon families { granularity geoBucketType breakdown epsilon delta enabled }
    highestLedgerDay { dayUtc epsilon } daysOutsideGuarantee } }`;

  it("privacyStatement matches the plan and the ledger, the same for a buyer and a tenant", async () => {
    const asBuyer = await api.graphql(STATEMENT, { key: buyer });
    const asTenant = await api.graphql(STATEMENT, { key: tenant });
    expect(asBuyer.body.errors).toBeUndefined();
    expect(asTenant.body.data).toEqual(asBuyer.body.data);
    const statement = asBuyer.body.data?.privacyStatement as Record<string, unknown>;
    const { epsilonDay, deltaDay } = planTotals(TEST_PLAN);
    expect(statement).toMatchObject({
      unit: "participant-day",
      epsilonCap: 3,
      deltaCap: 2e-5,
      planEpsilonPerParticipantDay: epsilonDay,
      planDeltaPerParticipantDay: deltaDay,
      worstCase30DayEpsilon: 30 * epsilonDay,
      // 3.0 less the WEEK city release the test above took out.
      highestLedgerDay: { dayUtc: "2026-01-05", epsilon: 2.5 },
      daysOutsideGuarantee: [],
    });
    expect(statement.families).toHaveLength(TEST_PLAN.length);
    expect(statement.families).toContainEqual({
      granularity: "HOUR",
      geoBucketType: "CITY_CODE",
      breakdown: [],
      epsilon: 0.25,
      delta: 1e-6,
      enabled: true,
    });
    const ranged = await api.graphql(
      `{ privacyStatement(fromUtc: "2026-01-08T00:00:00Z", toUtc: "2026-01-10T00:00:00Z") { highestLedgerDay { dayUtc epsilon } } }`,
      { key: buyer },
    );
    expect(ranged.body.data?.privacyStatement).toEqual({
      highestLedgerDay: { dayUtc: "2026-01-08", epsilon: 0.5 },
    });
  });

  it("charges a buyer an HOUR family's epsilon once per day read, whichever of its hours", async () => {
    const read = async (start: string, end: string) => {
      const { body } = await api.graphql(
        `{ insights(filter: { granularity: HOUR, timeBucketStartUtc: "${start}", timeBucketEndUtc: "${end}", geoBucketIds: ["us-nyc"] }) { totalCount } }`,
        { key: buyer },
      );
      expect(body.errors).toBeUndefined();
      return (body.extensions?.policy as { epsilonCharged: number } | undefined)?.epsilonCharged;
    };
    expect(await read("2026-01-06T08:00:00Z", "2026-01-06T10:00:00Z")).toBe(0.25);
    expect(await read("2026-01-06T10:00:00Z", "2026-01-06T12:00:00Z")).toBe(0);
    // Two hours across midnight: the Jan 6 family is paid for, the Jan 7 one is new.
    expect(await read("2026-01-06T23:00:00Z", "2026-01-07T01:00:00Z")).toBe(0.25);
  });

  it("refuses a cap above the contract ceiling or below the plan, and a plan entry that would exceed the cap; nothing stored, audited", async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["setPrivacyCap", { epsilonCap: 3.5, deltaCap: 2e-5 }, "CAP_ABOVE_CEILING"],
      ["setPrivacyCap", { epsilonCap: 3, deltaCap: 1e-4 }, "CAP_ABOVE_CEILING"],
      ["setPrivacyCap", { epsilonCap: 2, deltaCap: 2e-5 }, "PLAN_EXCEEDS_CAP"],
      [
        "setReleasePlanEntry",
        {
          granularity: "DAY",
          geoBucketType: "CITY_CODE",
          breakdown: ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
          epsilon: 1.5,
          delta: 1e-6,
          enabled: true,
        },
        "PLAN_LOOSER_THAN_CONTRACT",
      ],
      [
        "setReleasePlanEntry",
        {
          granularity: "HOUR",
          geoBucketType: "GEOHASH3",
          breakdown: ["CATEGORY"],
          epsilon: 0.1,
          delta: 1e-6,
          enabled: true,
        },
        "FILTER_NOT_ALLOWED",
      ],
      [
        "setReleasePlanEntry",
        {
          granularity: "HOUR",
          geoBucketType: "CITY_CODE",
          breakdown: ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
          epsilon: 0.1,
          delta: 1e-6,
          enabled: true,
        },
        "LEVEL_NOT_AVAILABLE",
      ],
      [
        "setReleasePlanEntry",
        {
          granularity: "DAY",
          geoBucketType: "CITY_CODE",
          breakdown: ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
          epsilon: -0.5,
          delta: 1e-6,
          enabled: true,
        },
        "PLAN_VALUE_INVALID",
      ],
    ];
    // A key's last use is the one thing a request may change.
    const digest = async () => ({ ...(await stateDigest(db)), api_keys: "" });
    for (const [mutation, input, code] of cases) {
      const before = await digest();
      const audit = await lastAuditId(db);
      const type = mutation === "setPrivacyCap" ? "SetPrivacyCapInput" : "SetReleasePlanEntryInput";
      const { body } = await api.graphql(
        `mutation($input: ${type}!) { ${mutation}(input: $input) { userErrors { code message } } }`,
        { key: operator, variables: { input } },
      );
      const payload = body.data?.[mutation] as { userErrors: Array<{ code: string }> } | undefined;
      const errors = payload?.userErrors ?? [];
      expect(errors.map((error) => error.code)).toContain(code);
      expect(await digest()).toEqual(before);
      const rows = await db.query<{ action: string; outcome: string }>(
        "select action, outcome from audit_logs where id > $1",
        [audit],
      );
      expect(rows).toEqual([{ action: mutation, outcome: expect.stringContaining(code) }]);
    }
  });

  it("lets an operator lower the cap to the plan and change an entry within it, never above it; audited", async () => {
    const mutate = async (mutation: string) =>
      (await api.graphql(`mutation { ${mutation} }`, { key: operator })).body.data;
    const hour = (epsilon: number) =>
      `setReleasePlanEntry(input: { granularity: HOUR, geoBucketType: CITY_CODE,
         breakdown: [], epsilon: ${epsilon}, delta: 1e-6, enabled: true }) {
         plan { granularity epsilon } userErrors { code } }`;
    expect(
      await mutate(
        "setPrivacyCap(input: { epsilonCap: 2.5, deltaCap: 1e-5 }) { cap { epsilonCap deltaCap } userErrors { code } }",
      ),
    ).toEqual({ setPrivacyCap: { cap: { epsilonCap: 2.5, deltaCap: 1e-5 }, userErrors: [] } });
    expect(await mutate(hour(0.1))).toMatchObject({ setReleasePlanEntry: { userErrors: [] } });
    // The plan is now 2.1: the cap may come down to it, and then the HOUR entry cannot go back up.
    expect(
      await mutate("setPrivacyCap(input: { epsilonCap: 2.1, deltaCap: 1e-5 }) { userErrors { code } }"),
    ).toEqual({
      setPrivacyCap: { userErrors: [] },
    });
    const before = await stateDigest(db);
    expect(await mutate(hour(0.25))).toEqual({
      setReleasePlanEntry: { plan: null, userErrors: [{ code: "PLAN_EXCEEDS_CAP" }] },
    });
    expect({ ...(await stateDigest(db)), api_keys: "" }).toEqual({ ...before, api_keys: "" });
    const statement = await api.graphql("{ privacyStatement { epsilonCap planEpsilonPerParticipantDay } }", {
      key: buyer,
    });
    expect(statement.body.data?.privacyStatement).toEqual({
      epsilonCap: 2.1,
      planEpsilonPerParticipantDay: 2.1,
    });
    const audit = await db.query<{ action: string; outcome: string }>(
      "select action, outcome from audit_logs where action in ('setPrivacyCap', 'setReleasePlanEntry') and outcome = 'OK' order by id",
    );
    expect(audit).toEqual([
      { action: "setPrivacyCap", outcome: "OK" },
      { action: "setReleasePlanEntry", outcome: "OK" },
      { action: "setPrivacyCap", outcome: "OK" },
    ]);
  });
});

describe("stored plan and cap values", () => {
  it("CHECK constraints refuse zero, negative, NaN, infinite and above-ceiling values; a row written around them fails on read", async () => {
    const store = await createTestDatabase();
    try {
      const refused = [
        "update release_plan set epsilon = 0",
        "update release_plan set epsilon = -0.5",
        "update release_plan set epsilon = 'NaN'",
        "update release_plan set epsilon = 'Infinity'",
        "update release_plan set epsilon = 3.5",
        "update release_plan set delta = 0",
        "update release_plan set delta = 'NaN'",
        "update release_plan set delta = 1e-4",
        "update privacy_cap set epsilon_cap = 3.01",
        "update privacy_cap set epsilon_cap = 'NaN'",
        "update privacy_cap set epsilon_cap = 0",
        "update privacy_cap set delta_cap = 'Infinity'",
        "update privacy_cap set delta_cap = -1e-6",
        "insert into privacy_cap (id, epsilon_cap, delta_cap) values (false, 1, 1e-6)",
      ];
      for (const statement of refused) {
        await expect(store.query(statement), statement).rejects.toThrow(/violates check constraint|check/i);
      }
      const key = (entry: { granularity: string; geoType: string; level: string }) =>
        `${entry.granularity}/${entry.geoType}/${entry.level}`;
      const sorted = <T extends { granularity: string; geoType: string; level: string }>(
        entries: readonly T[],
      ) => [...entries].sort((a, b) => key(a).localeCompare(key(b)));
      expect(sorted(await loadReleasePlan(store.query))).toEqual(sorted(DEFAULT_RELEASE_PLAN));
      await store.query("alter table release_plan drop constraint release_plan_epsilon_valid");
      await store.query(
        "update release_plan set epsilon = 'NaN' where granularity = 'day' and geo_type = 'city_code'",
      );
      await expect(loadReleasePlan(store.query)).rejects.toThrow(/day\/city_code\/[a-z_+]+ is invalid/);
      await store.query("alter table privacy_cap drop constraint privacy_cap_epsilon_valid");
      await store.query("update privacy_cap set epsilon_cap = 4");
      await expect(loadPrivacyCap(store.query)).rejects.toThrow(/privacy cap is invalid/);
    } finally {
      await store.destroy();
    }
  });
});
