import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { precomputeRelease } from "../../src/jobs/precompute/precomputeRelease";
import { releaseParameters } from "../../src/privacy/releaseParameters";
import {
  CONTRACT_RELEASE_PROFILES,
  InvalidReleaseProfileError,
  loadReleaseProfile,
} from "../../src/privacy/releaseProfiles";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { seedTestCities } from "../support/events";

const BACKEND = process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite";
const NOISE_KEY = { key: Buffer.alloc(32, 7), id: "nk_test" };
const DAY = new Date("2026-01-06T00:00:00Z");
const clock = fixedClock("2026-01-20T00:00:00Z");

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}
afterAll(async () => {
  for (const db of databases) await db.destroy();
});

// [granularity, assignment, the constraint that refuses it]
const REFUSED: Array<[string, string, string]> = [
  ["day", "epsilon = 'NaN'", "release_profiles_epsilon_finite_positive"],
  ["day", "epsilon = 'Infinity'", "release_profiles_epsilon_finite_positive"],
  ["day", "epsilon = '-Infinity'", "release_profiles_epsilon_finite_positive"],
  ["day", "epsilon = 0", "release_profiles_epsilon_finite_positive"],
  ["day", "epsilon = -0.5", "release_profiles_epsilon_finite_positive"],
  ["day", "buyer_cost = 'NaN'", "release_profiles_buyer_cost_finite_positive"],
  ["day", "buyer_cost = 'Infinity'", "release_profiles_buyer_cost_finite_positive"],
  ["day", "delta = 'NaN'", "release_profiles_delta_open_unit"],
  ["day", "delta = 'Infinity'", "release_profiles_delta_open_unit"],
  ["day", "delta = 0", "release_profiles_delta_open_unit"],
  ["day", "delta = -1e-6", "release_profiles_delta_open_unit"],
  ["day", "delta = 1", "release_profiles_delta_open_unit"],
  ["day", "dominance_max_share = 'NaN'", "release_profiles_dominance_share_range"],
  ["day", "dominance_max_share = 0", "release_profiles_dominance_share_range"],
  ["day", "dominance_max_share = -0.01", "release_profiles_dominance_share_range"],
  ["day", "dominance_max_share = 0.06", "release_profiles_dominance_share_range"],
  ["day", "k_min = 99", "release_profiles_k_min_contract"],
  ["day", "k_min = 0", "release_profiles_k_min_contract"],
  ["hour", "k_min = 299", "release_profiles_k_min_contract"],
  ["day", "reporting_delay_hours = 71", "release_profiles_delay_contract"],
  ["hour", "reporting_delay_hours = 167", "release_profiles_delay_contract"],
  ["day", "max_geo_ids = 0", "release_profiles_limits_positive"],
  ["day", "max_doors_per_cell = 0", "release_profiles_limits_positive"],
  ["day", "max_cells_per_participant = -1", "release_profiles_limits_positive"],
  ["day", "allowed_geo_types = '{}'", "release_profiles_limits_positive"],
  [
    "day",
    `epsilon_split = '{"uniqueParticipants": 0.5, "doorsOpened": 0.5}'`,
    "release_profiles_epsilon_split_valid",
  ],
  [
    "day",
    `epsilon_split = '{"uniqueParticipants": 0.5, "doorsOpened": 0.5, "repeatParticipants": 0}'`,
    "release_profiles_epsilon_split_valid",
  ],
  [
    "day",
    `epsilon_split = '{"uniqueParticipants": 0.5, "doorsOpened": 0.25, "repeatParticipants": 0.15}'`,
    "release_profiles_epsilon_split_valid",
  ],
  [
    "day",
    `epsilon_split = '{"uniqueParticipants": "0.5", "doorsOpened": 0.25, "repeatParticipants": 0.25}'`,
    "release_profiles_epsilon_split_valid",
  ],
];

describe(`release_profiles CHECK constraints (${BACKEND})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });

  it.each(REFUSED)("refuse a %s row with %s (%s)", async (granularity, assignment, constraint) => {
    await expect(
      db.query(`update release_profiles set ${assignment} where granularity = $1`, [granularity]),
    ).rejects.toThrow(new RegExp(constraint));
    // Nothing changed: the stored row is still the contract's.
    expect(await loadReleaseProfile(db, granularity as "day" | "hour")).toEqual(
      CONTRACT_RELEASE_PROFILES[granularity as "day" | "hour"],
    );
  });

  it("accept the contract rows and an operator's tightening, which loads as stored", async () => {
    await db.query(
      `update release_profiles set k_min = 150, reporting_delay_hours = 96, epsilon = 0.3, delta = 1e-8,
         dominance_max_share = 0.02, allowed_geo_types = '{city_code}', max_geo_ids = 20,
         epsilon_split = '{"uniqueParticipants": 0.6, "doorsOpened": 0.2, "repeatParticipants": 0.2}'
       where granularity = 'day'`,
    );
    const profile = await loadReleaseProfile(db, "day");
    expect(profile).toEqual({
      ...CONTRACT_RELEASE_PROFILES.day,
      kMin: 150,
      reportingDelayHours: 96,
      epsilon: 0.3,
      delta: 1e-8,
      dominanceMaxShare: 0.02,
      allowedGeoTypes: ["city_code"],
      maxGeoIds: 20,
      epsilonSplit: { uniqueParticipants: 0.6, doorsOpened: 0.2, repeatParticipants: 0.2 },
    });
    // C = min(5, floor(0.02 x 150)) = 3.
    expect(releaseParameters(profile).maxDoorsPerCell).toBe(3);
    expect(await loadReleaseProfile(db, "hour")).toEqual(CONTRACT_RELEASE_PROFILES.hour);
  });
});

describe(`a stored profile written around the CHECKs (${BACKEND})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
    // As a row edited before the constraints existed, or by hand with them dropped.
    for (const constraint of [
      "release_profiles_epsilon_finite_positive",
      "release_profiles_delta_open_unit",
      "release_profiles_k_min_contract",
      "release_profiles_dominance_share_range",
    ]) {
      await db.query(`alter table release_profiles drop constraint ${constraint}`);
    }
  });

  it.each([
    ["epsilon = 'NaN'", "epsilon", "PROFILE_VALUE_NOT_FINITE"],
    ["epsilon = -0.5", "epsilon", "PROFILE_VALUE_OUT_OF_RANGE"],
    ["delta = 'NaN'", "delta", "PROFILE_VALUE_NOT_FINITE"],
    ["delta = 'Infinity'", "delta", "PROFILE_VALUE_NOT_FINITE"],
    // The old effectiveProfile took min(delta, contract): a negative delta passed as "tighter".
    ["delta = -1e-6", "delta", "PROFILE_VALUE_OUT_OF_RANGE"],
    ["delta = 0", "delta", "PROFILE_VALUE_OUT_OF_RANGE"],
    ["k_min = 50", "kMin", "PROFILE_LOOSER_THAN_CONTRACT"],
    ["dominance_max_share = 0.5", "dominanceMaxShare", "PROFILE_LOOSER_THAN_CONTRACT"],
    ["dominance_max_share = 0.001", "dominanceMaxShare", "PROFILE_DOOR_CAP_BELOW_ONE"],
  ])("is refused on read, never replaced by the contract's: %s", async (assignment, field, code) => {
    await db.query(`update release_profiles set ${assignment} where granularity = 'day'`);
    try {
      const failure = await loadReleaseProfile(db, "day").then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(InvalidReleaseProfileError);
      expect((failure as InvalidReleaseProfileError).errors).toEqual([
        expect.objectContaining({ field, code }),
      ]);
      expect((failure as Error).message).toContain(
        `the stored day release profile is invalid (${field}: ${code}:`,
      );
      // Precompute refuses too: no release is written from an invalid profile.
      await expect(
        precomputeRelease(
          { database: db, noiseKey: NOISE_KEY, clock },
          { granularity: "day", bucketStart: DAY, geoType: "city_code" },
        ),
      ).rejects.toThrow(InvalidReleaseProfileError);
      const [releases] = await db.query<{ n: number }>("select count(*)::int as n from releases");
      expect(releases?.n).toBe(0);
    } finally {
      await db.query(
        `update release_profiles set epsilon = 0.5, delta = 1e-6, k_min = 100, dominance_max_share = 0.05
         where granularity = 'day'`,
      );
    }
  });
});

describe(`a tightened dominance share in a real release (${BACKEND})`, () => {
  it("bounds doors per cell by the smaller C and records it and m on the receipt", async () => {
    const db = await freshDatabase();
    await seedTestCities(db);
    await db.query("update release_profiles set dominance_max_share = 0.02 where granularity = 'day'");
    const result = await precomputeRelease(
      { database: db, noiseKey: NOISE_KEY, clock },
      { granularity: "day", bucketStart: DAY, geoType: "city_code" },
    );
    expect(result.status).toBe("released");
    const [receipt] = await db.query<{
      max_doors_per_cell: number;
      threshold_m: number;
      noise_scales: object;
    }>("select max_doors_per_cell, threshold_m, noise_scales from release_receipts");
    // C = min(5, floor(0.02 x 100)) = 2: the doors metric's sensitivity is L0 x C = 8, scale 8 / 0.125.
    expect(receipt).toEqual({
      max_doors_per_cell: 2,
      threshold_m: 233,
      noise_scales: { uniqueParticipants: 16, doorsOpened: 64, repeatParticipants: 32 },
    });
  });
});
