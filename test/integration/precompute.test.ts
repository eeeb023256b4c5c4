import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { openDatabase } from "../../src/db/client";
import { type PrecomputeDependencies, precomputeRelease } from "../../src/jobs/precompute/precomputeRelease";
import { CONTRACT_RELEASE_PROFILES } from "../../src/privacy/releaseProfiles";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { insertEvents, seedTestCities } from "../support/events";

const NOISE_KEY = { key: Buffer.alloc(32, 7), id: "nk_test" };
const DAY = new Date("2026-01-06T00:00:00Z"); // a Tuesday
const MORNING = new Date("2026-01-06T08:00:00Z");
const clock = fixedClock("2026-01-20T00:00:00Z");

async function seedDay(db: TestDatabase): Promise<void> {
  await seedTestCities(db);
  await insertEvents(db, [
    { city: "us-nyc", participants: 600, doors: 2, doorType: "spot", category: "coffee", at: MORNING },
    {
      city: "us-nyc",
      participants: 50,
      participantOffset: 10_000,
      doorType: "event",
      category: "music",
      at: MORNING,
    },
    {
      city: "gb-lon",
      participants: 200,
      participantOffset: 20_000,
      doorType: "spot",
      category: "food",
      at: MORNING,
    },
  ]);
}

async function cellDigest(db: TestDatabase, releaseId?: string): Promise<string> {
  const [row] = await db.query<{ digest: string }>(
    `select md5(string_agg(concat_ws(',', c.geo_bucket_id, c.door_type, c.category, c.context, c.unique_participants_est,
              c.doors_opened_est, c.repeat_participants_est, c.suppressed, c.suppressed_reason), ';'
              order by c.geo_bucket_id, c.door_type, c.category, c.context)) as digest
     from insight_cells c ${releaseId ? "where c.release_id = $1" : ""}`,
    releaseId ? [releaseId] : [],
  );
  return row?.digest ?? "";
}

async function counts(db: TestDatabase) {
  const [row] = await db.query<{ releases: number; cells: number; receipts: number; ledger: number }>(
    `select (select count(*)::int from releases) as releases, (select count(*)::int from insight_cells) as cells,
            (select count(*)::int from release_receipts) as receipts, (select count(*)::int from privacy_ledger_days) as ledger`,
  );
  return row;
}

const databases: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  await seedDay(db);
  return db;
}
afterAll(async () => {
  for (const db of databases) await db.destroy();
});

describe("a DAY release", () => {
  let db: TestDatabase;
  let deps: PrecomputeDependencies;
  let releaseId: string;

  beforeAll(async () => {
    db = await freshDatabase();
    deps = { database: db, noiseKey: NOISE_KEY, clock };
    const result = await precomputeRelease(deps, {
      granularity: "day",
      bucketStart: DAY,
      geoType: "city_code",
    });
    if (result.status !== "released") throw new Error(`expected a release, got ${result.status}`);
    releaseId = result.releaseId;
  });

  it("covers the whole public lattice, with its receipt and ledger row", async () => {
    expect(await counts(db)).toEqual({ releases: 1, cells: 2 * 135, receipts: 1, ledger: 1 });
    const [receipt] = await db.query<{
      threshold_m: number;
      dominance_violations: number;
      noise_scales: Record<string, number>;
      released_cells: number;
      suppressed_cells: number;
      noise_key_id: string;
      max_cells_per_participant: number;
      max_doors_per_cell: number;
    }>("select * from release_receipts where release_id = $1", [releaseId]);
    expect(receipt?.noise_scales).toEqual({
      uniqueParticipants: 16,
      doorsOpened: 160,
      repeatParticipants: 32,
    });
    // DAY: scale 16, delta_a = 1 - (1 - 1e-6)^(1/4); m = 233 is the smallest m with q^m / (1 + q) <= delta_a.
    expect(receipt?.threshold_m).toBe(233);
    expect(receipt?.dominance_violations).toBe(0);
    expect(receipt?.released_cells).toBe(1);
    expect(receipt?.suppressed_cells).toBe(269);
    expect(receipt?.noise_key_id).toBe("nk_test");
    expect([receipt?.max_cells_per_participant, receipt?.max_doors_per_cell]).toEqual([4, 5]);
    const [ledger] = await db.query<{ epsilon: number; delta: number }>(
      "select epsilon, delta from privacy_ledger_days",
    );
    expect(ledger).toEqual({ epsilon: 0.5, delta: 1e-6 });
  });

  it("releases the big cell with noise and suppresses small ones with the right reason", async () => {
    const cells = await db.query<{
      geo_bucket_id: string;
      door_type: string;
      category: string;
      unique_participants_est: number | null;
      doors_opened_est: number | null;
      repeat_rate_est: number | null;
      suppressed: boolean;
      suppressed_reason: string | null;
      true_unique_participants: number;
      true_doors_opened: number;
      top_contributor_share: number;
    }>(
      "select * from insight_cells where release_id = $1 and context = 'morning' and true_unique_participants > 0",
      [releaseId],
    );
    const byKey = new Map(
      cells.map((cell) => [`${cell.geo_bucket_id}/${cell.door_type}/${cell.category}`, cell]),
    );
    const coffee = byKey.get("us-nyc/spot/coffee");
    expect(coffee).toMatchObject({
      suppressed: false,
      true_unique_participants: 600,
      true_doors_opened: 1200,
    });
    expect(Math.abs((coffee?.unique_participants_est ?? 0) - 600)).toBeLessThan(16 * 12);
    expect(coffee?.unique_participants_est).not.toBe(600);
    expect(coffee?.repeat_rate_est).toBeGreaterThan(0.5);
    expect(coffee?.top_contributor_share).toBeCloseTo(2 / 1200, 12);
    expect(byKey.get("us-nyc/event/music")).toMatchObject({
      suppressed: true,
      suppressed_reason: "k_min",
      unique_participants_est: null,
      doors_opened_est: null,
    });
    expect(byKey.get("gb-lon/spot/food")).toMatchObject({
      suppressed: true,
      suppressed_reason: "noisy_threshold",
    });
    const [empty] = await db.query<{ reason: string; n: number }>(
      "select suppressed_reason as reason, count(*)::int as n from insight_cells where release_id = $1 and true_unique_participants = 0 group by 1",
      [releaseId],
    );
    expect(empty).toEqual({ reason: "k_min", n: 267 });
  });

  it("never releases a cell under k or above the dominance share", async () => {
    const [bad] = await db.query<{ n: number }>(
      "select count(*)::int as n from insight_cells where not suppressed and (true_unique_participants < 100 or top_contributor_share > 0.05)",
    );
    expect(bad?.n).toBe(0);
  });

  it("a second run changes nothing", async () => {
    const before = await cellDigest(db, releaseId);
    const again = await precomputeRelease(deps, {
      granularity: "day",
      bucketStart: DAY,
      geoType: "city_code",
    });
    expect(again).toEqual({ status: "exists", releaseId });
    expect(await cellDigest(db, releaseId)).toBe(before);
    expect(await counts(db)).toEqual({ releases: 1, cells: 270, receipts: 1, ledger: 1 });
  });

  it("events that arrive after the release never change it", async () => {
    const before = await cellDigest(db, releaseId);
    await insertEvents(db, [
      {
        city: "us-nyc",
        participants: 500,
        participantOffset: 50_000,
        doorType: "community",
        category: "art",
        at: MORNING,
      },
    ]);
    expect(
      await precomputeRelease(deps, { granularity: "day", bucketStart: DAY, geoType: "city_code" }),
    ).toEqual({
      status: "exists",
      releaseId,
    });
    expect(await cellDigest(db, releaseId)).toBe(before);
  });

  it("a new version is explicit: it needs a reason, gets fresh noise, and becomes the current one", async () => {
    await expect(
      precomputeRelease(deps, {
        granularity: "day",
        bucketStart: DAY,
        geoType: "city_code",
        newVersion: { reason: " " },
      }),
    ).rejects.toThrow(/needs a reason/);
    const second = await precomputeRelease(deps, {
      granularity: "day",
      bucketStart: DAY,
      geoType: "city_code",
      createdBy: "operator:ops",
      newVersion: { reason: "late events from the Jan 6 outage" },
    });
    expect(second).toMatchObject({ status: "released", version: 2 });
    const rows = await db.query<{
      version: number;
      current: boolean;
      created_by: string;
      reason: string | null;
    }>("select version, current, created_by, reason from releases order by version");
    expect(rows).toEqual([
      { version: 1, current: false, created_by: "scheduler", reason: null },
      { version: 2, current: true, created_by: "operator:ops", reason: "late events from the Jan 6 outage" },
    ]);
    const [v1] = await db.query<{ est: number }>(
      "select unique_participants_est as est from insight_cells where release_id = $1 and geo_bucket_id = 'us-nyc' and door_type = 'spot' and category = 'coffee' and context = 'morning'",
      [releaseId],
    );
    const [v2] = await db.query<{ est: number; true_unique: number }>(
      "select unique_participants_est as est, true_unique_participants as true_unique from insight_cells where release_id = $1 and geo_bucket_id = 'us-nyc' and door_type = 'spot' and category = 'coffee' and context = 'morning'",
      [second.status === "released" ? second.releaseId : ""],
    );
    expect(v2?.true_unique).toBe(600);
    const audit = await db.query<{
      action: string;
      actor: string;
      target: string;
      details: { reason: string };
      hash: string;
    }>("select action, actor, target, details, hash from audit_logs");
    expect(audit).toEqual([
      {
        action: "newReleaseVersion",
        actor: "operator:ops",
        target: "day|2026-01-06T00:00:00Z|city_code|full",
        details: { reason: "late events from the Jan 6 outage" },
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect(v2?.est).not.toBe(v1?.est);
    // The new version is counted again: its day now holds both versions' epsilon.
    expect(
      await db.query("select day::text as day, version, epsilon from privacy_ledger_days order by version"),
    ).toEqual([
      { day: "2026-01-06", version: 1, epsilon: 0.5 },
      { day: "2026-01-06", version: 2, epsilon: 0.5 },
    ]);
  });
});

describe("totals computed ahead of the release", () => {
  it("are used only when their bounds are the ones the release derives: a profile tightened in between recomputes", async () => {
    const db = await freshDatabase();
    const deps = { database: db, noiseKey: NOISE_KEY, clock };
    // Totals a batch computed earlier under the contract bounds (L0 4, C 5), with a marker count.
    const marked = {
      rows: [
        {
          geo_bucket_id: "us-nyc",
          door_type: "spot",
          category: "coffee",
          context: "morning",
          unique_participants: 999,
          doors_opened: 999,
          repeat_participants: 0,
          top_doors: 1,
        },
      ],
      bounds: { maxCellsPerParticipant: 4, maxDoorsPerCell: 5 },
    };
    const trueUnique = async (releaseId: string) =>
      (
        await db.query<{ n: number }>(
          "select true_unique_participants as n from insight_cells where release_id = $1 and geo_bucket_id = 'us-nyc' and door_type = 'spot' and category = 'coffee' and context = 'morning'",
          [releaseId],
        )
      )[0]?.n;
    // The day after DAY has no events at all: a 999 there can only come from the passed totals.
    const used = await precomputeRelease(deps, {
      granularity: "day",
      bucketStart: new Date(DAY.getTime() + 86_400_000),
      geoType: "city_code",
      totals: marked,
    });
    if (used.status !== "released") throw new Error(used.status);
    expect(await trueUnique(used.releaseId)).toBe(999);
    // An operator tightens L0 before the next release of the batch is written: its totals are stale.
    await db.query("update release_profiles set max_cells_per_participant = 2 where granularity = 'day'");
    const recomputed = await precomputeRelease(deps, {
      granularity: "day",
      bucketStart: DAY,
      geoType: "city_code",
      totals: marked,
    });
    if (recomputed.status !== "released") throw new Error(recomputed.status);
    expect(await trueUnique(recomputed.releaseId)).toBe(600);
    const [receipt] = await db.query<{ l0: number }>(
      "select max_cells_per_participant as l0 from release_receipts where release_id = $1",
      [recomputed.releaseId],
    );
    expect(receipt?.l0).toBe(2);
  });
});

describe("failure and concurrency", () => {
  it("a crash before commit leaves nothing, and the re-run writes exactly what an uninterrupted run writes", async () => {
    const crashed = await freshDatabase();
    const clean = await freshDatabase();
    const request = { granularity: "day", bucketStart: DAY, geoType: "city_code" } as const;
    await expect(
      precomputeRelease(
        { database: crashed, noiseKey: NOISE_KEY, clock },
        {
          ...request,
          beforeCommit: async () => {
            throw new Error("injected crash");
          },
        },
      ),
    ).rejects.toThrow("injected crash");
    expect(await counts(crashed)).toEqual({ releases: 0, cells: 0, receipts: 0, ledger: 0 });
    const rerun = await precomputeRelease({ database: crashed, noiseKey: NOISE_KEY, clock }, request);
    const reference = await precomputeRelease({ database: clean, noiseKey: NOISE_KEY, clock }, request);
    expect(rerun.status).toBe("released");
    expect(reference.status).toBe("released");
    expect(await cellDigest(crashed)).toBe(await cellDigest(clean));
  });

  it("two workers on one database never write one bucket twice", async () => {
    const db = await freshDatabase();
    // A second, independent connection pool when on Postgres (as a second process would have).
    const other = db.kind === "postgres" ? await openDatabase({ kind: "postgres", url: db.url ?? "" }) : db;
    try {
      const request = { granularity: "day", bucketStart: DAY, geoType: "city_code" } as const;
      const results = await Promise.all([
        precomputeRelease({ database: db, noiseKey: NOISE_KEY, clock }, request),
        precomputeRelease({ database: other, noiseKey: NOISE_KEY, clock }, request),
        precomputeRelease({ database: other, noiseKey: NOISE_KEY, clock }, request),
      ]);
      expect(results.filter((result) => result.status === "released")).toHaveLength(1);
      expect(results.every((result) => ["released", "busy", "exists"].includes(result.status))).toBe(true);
      expect(await counts(db)).toEqual({ releases: 1, cells: 270, receipts: 1, ledger: 1 });
    } finally {
      if (other !== db) await other.close();
    }
  });
});

describe("profiles and the embargo", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await freshDatabase();
  });

  it("nothing newer than now minus the delay is materialised", async () => {
    const end = new Date(DAY.getTime() + 86_400_000);
    const early = fixedClock(new Date(end.getTime() + 72 * 3_600_000 - 1));
    const result = await precomputeRelease(
      { database: db, noiseKey: NOISE_KEY, clock: early },
      { granularity: "day", bucketStart: DAY, geoType: "geohash3" },
    );
    expect(result).toEqual({
      status: "embargoed",
      releasableAfter: new Date(end.getTime() + 72 * 3_600_000),
    });
    expect((await counts(db))?.releases).toBe(0);
    early.set(new Date(end.getTime() + 72 * 3_600_000));
    expect(
      (
        await precomputeRelease(
          { database: db, noiseKey: NOISE_KEY, clock: early },
          { granularity: "day", bucketStart: DAY, geoType: "geohash3" },
        )
      ).status,
    ).toBe("released");
  });

  it("HOUR follows its profile: CITY_CODE only, k-min 300, 168 h delay, noise scale 32", async () => {
    const hour = new Date("2026-01-06T08:00:00Z");
    const dayEnd = new Date("2026-01-07T00:00:00Z");
    // The plan's HOUR TOTAL entry at the profile's per-release epsilon (the default plan has 0.1).
    await db.query("update release_plan set epsilon = 0.25 where granularity = 'hour' and level = 'total'");
    await expect(
      precomputeRelease(
        { database: db, noiseKey: NOISE_KEY, clock },
        { granularity: "hour", bucketStart: hour, geoType: "geohash3" },
      ),
    ).rejects.toThrow(/does not release geohash3/);
    // The family of the day is released together, once the whole day is 168 h past: not when its hour is.
    const tooSoon = fixedClock(new Date(dayEnd.getTime() + 168 * 3_600_000 - 1));
    expect(
      (
        await precomputeRelease(
          { database: db, noiseKey: NOISE_KEY, clock: tooSoon },
          { granularity: "hour", bucketStart: hour, geoType: "city_code" },
        )
      ).status,
    ).toBe("embargoed");
    const result = await precomputeRelease(
      { database: db, noiseKey: NOISE_KEY, clock },
      { granularity: "hour", bucketStart: hour, geoType: "city_code" },
    );
    if (result.status !== "released") throw new Error(`expected a release, got ${result.status}`);
    // One family: the day's 24 hours, one ledger row for the day.
    expect(result.releaseIds).toHaveLength(24);
    const family = await db.query<{ bucket_start: Date; family_id: string }>(
      "select bucket_start, family_id from releases where granularity = 'hour' order by bucket_start",
    );
    expect(family.map((row) => new Date(row.bucket_start).toISOString().slice(11, 13))).toEqual(
      Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0")),
    );
    expect(new Set(family.map((row) => row.family_id))).toEqual(new Set([result.releaseId]));
    expect(
      await db.query("select day::text as day, epsilon from privacy_ledger_days where granularity = 'hour'"),
    ).toEqual([{ day: "2026-01-06", epsilon: 0.25 }]);
    const [receipt] = await db.query<{
      noise_scales: Record<string, number>;
      profile: { kMin: number };
      threshold_m: number;
      max_doors_per_cell: number;
    }>(
      "select rr.noise_scales, rr.profile, rr.threshold_m, rr.max_doors_per_cell from release_receipts rr join releases r on r.id = rr.release_id where r.granularity = 'hour' and r.bucket_start = $1",
      [hour],
    );
    expect(receipt?.noise_scales).toEqual({
      uniqueParticipants: 32,
      doorsOpened: 960,
      repeatParticipants: 64,
    });
    expect(receipt?.profile.kMin).toBe(CONTRACT_RELEASE_PROFILES.hour.kMin);
    // HOUR: scale 32, so m = 465; C = min(15, floor(0.05 x 300)) = 15.
    expect([receipt?.threshold_m, receipt?.max_doors_per_cell]).toEqual([465, 15]);
    // The HOUR TOTAL level (the default without a breakdown): one cell per city, segments rolled up.
    // 600 participants are far above k for DAY but the HOUR cell needs a noised count >= 300 + 465.
    const [coffee] = await db.query<{ suppressed: boolean; true_unique: number }>(
      `select c.suppressed, c.true_unique_participants as true_unique from insight_cells c join releases r on r.id = c.release_id
       where r.granularity = 'hour' and r.bucket_start = $1 and c.geo_bucket_id = 'us-nyc'
         and c.door_type is null and c.category is null and c.context is null`,
      [hour],
    );
    const [truth] = await db.query<{ n: number }>(
      `select count(distinct e.participant_id)::int as n from interaction_events e
       join city_geohash3_map m on m.geohash3 = e.geohash3
       where m.city_code = 'us-nyc' and e.occurred_at >= $1 and e.occurred_at < $2`,
      [hour, new Date(hour.getTime() + 3_600_000)],
    );
    expect(truth?.n).toBeGreaterThanOrEqual(600);
    expect(coffee?.true_unique).toBe(truth?.n);
  });

  it("WEEK releases are ISO weeks starting Monday and refuse an unaligned start", async () => {
    await expect(
      precomputeRelease(
        { database: db, noiseKey: NOISE_KEY, clock },
        { granularity: "week", bucketStart: DAY, geoType: "city_code" },
      ),
    ).rejects.toThrow(/not aligned to week/);
    const monday = new Date("2026-01-05T00:00:00Z");
    const result = await precomputeRelease(
      { database: db, noiseKey: NOISE_KEY, clock },
      { granularity: "week", bucketStart: monday, geoType: "city_code" },
    );
    expect(result.status).toBe("released");
    const [release] = await db.query<{ bucket_end: Date }>(
      "select bucket_end from releases where granularity = 'week'",
    );
    expect(new Date(release?.bucket_end ?? 0).toISOString()).toBe("2026-01-12T00:00:00.000Z");
  });

  it("bounds each participant to L0 cells and C doors per cell", async () => {
    const bounded = await freshDatabase();
    // One heavy participant: 20 doors in each of 8 cells (8 categories, same morning).
    const heavy = ["coffee", "music", "sports", "art", "food", "outdoor", "tech", "other"];
    await insertEvents(
      bounded,
      heavy.map((category) => ({
        city: "us-nyc" as const,
        participants: 1,
        participantOffset: 90_000,
        doors: 20,
        doorType: "community" as const,
        category,
        at: MORNING,
      })),
    );
    await precomputeRelease(
      { database: bounded, noiseKey: NOISE_KEY, clock },
      { granularity: "day", bucketStart: DAY, geoType: "city_code" },
    );
    const rows = await bounded.query<{ true_unique: number; true_doors: number }>(
      `select true_unique_participants as true_unique, true_doors_opened as true_doors from insight_cells
       where door_type = 'community' and true_unique_participants > 0`,
    );
    expect(rows).toHaveLength(4);
    expect(rows.every((row) => row.true_unique === 1 && row.true_doors === 5)).toBe(true);
  });
});
