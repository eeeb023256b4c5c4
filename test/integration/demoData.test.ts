import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { configFrom } from "../../src/config";
import type { DatabaseHandle } from "../../src/db/client";
import { cityDefinitions, localityNameKey } from "../../src/db/schema/geo";
import { DEMO_CITIES } from "../../src/demo/cities";
import {
  type DemoDataOptions,
  type DemoDataSummary,
  generateDemoData,
  isDemoDataComplete,
  isDemoDataPresent,
} from "../../src/demo/demoData";
import { runDemoData } from "../../src/demo/runDemoData";
import { assignGeohash3ToCities, populateCityGeohashMap } from "../../src/resolvers/geo/cityGeohashMap";
import { coverCircleWithGeohash } from "../../src/resolvers/geo/geohash";
import { createTestDatabase, type TestDatabase } from "../support/database";

const NOW = new Date("2025-03-10T12:00:00Z");
const SMALL: DemoDataOptions = { seed: 7, days: 14, now: NOW, scale: 0.02 };

async function mapRows(handle: DatabaseHandle) {
  return handle.query<{ geohash3: string; city_code: string; source: string; updated_at: string }>(
    "select geohash3, city_code, source, updated_at::text from city_geohash3_map order by geohash3",
  );
}

async function fingerprint(handle: DatabaseHandle): Promise<{ events: string; spots: string }> {
  const [events] = await handle.query<{ digest: string }>(
    `select md5(string_agg(participant_id || occurred_at::text || spot_id, ','
                           order by occurred_at, participant_id, spot_id)) as digest
     from interaction_events`,
  );
  const [spots] = await handle.query<{ digest: string }>(
    `select md5(string_agg(id || city_code || door_type || category || lat || ',' || lng || geohash, ';'
                           order by id)) as digest
     from spots`,
  );
  return { events: events?.digest ?? "", spots: spots?.digest ?? "" };
}

describe("populateCityGeohashMap", () => {
  let database: TestDatabase;
  // Two 90 km circles 82 km apart: spg, u05, u07 and u0h are claimed by both.
  const west = {
    code: "zz-west",
    name: "West",
    countryCode: "ZZ",
    centerLat: 45.76,
    centerLng: 4.84,
    radiusKm: 90,
  };
  const east = {
    code: "zz-east",
    name: "East",
    countryCode: "ZZ",
    centerLat: 45.76,
    centerLng: 5.9,
    radiusKm: 90,
  };
  const westCover = coverCircleWithGeohash(west.centerLat, west.centerLng, west.radiusKm);
  const shared = westCover.filter((cell) =>
    coverCircleWithGeohash(east.centerLat, east.centerLng, east.radiusKm).includes(cell),
  );

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.destroy();
  });

  it("the test circles really collide on some geohash3 cells", () => {
    expect(shared).toEqual(["spg", "u05", "u07", "u0h"]);
  });

  it("gives every contested cell to the higher-priority city and is idempotent across runs", async () => {
    await database.db.insert(cityDefinitions).values([
      { ...west, priority: 0 },
      { ...east, priority: 5 },
    ]);
    const first = await populateCityGeohashMap(database, fixedClock("2025-01-01T00:00:00Z"));
    const rowsAfterFirst = await mapRows(database);
    const second = await populateCityGeohashMap(database, fixedClock("2025-02-01T00:00:00Z"));

    expect(first).toEqual({ cells: rowsAfterFirst.length, cities: 2 });
    expect(second).toEqual(first);
    // Nothing changed, so not even updated_at moved.
    expect(await mapRows(database)).toEqual(rowsAfterFirst);
    const owner = new Map(rowsAfterFirst.map((row) => [row.geohash3, row.city_code]));
    for (const cell of shared) expect(owner.get(cell)).toBe("zz-east");
    const westOnly = westCover.filter((cell) => !shared.includes(cell));
    expect(westOnly.length).toBeGreaterThan(0);
    for (const cell of westOnly) expect(owner.get(cell)).toBe("zz-west");
  });

  it("with equal priority gives a contested cell to the city whose centre is nearer", async () => {
    const assignment = assignGeohash3ToCities([
      { ...west, priority: 1 },
      { ...east, priority: 1 },
    ]);
    // u05's centre is 9 km from West's and 76 km from East's; u0h's is 116 km and 34 km.
    expect(assignment.get("u05")).toBe("zz-west");
    expect(assignment.get("u0h")).toBe("zz-east");
    expect(assignment.get("u04")).toBe("zz-west");
    expect(assignment.get("u0k")).toBe("zz-east");
  });

  it("removes circle rows no definition covers any more and keeps operator overrides", async () => {
    await database.query(
      "insert into city_geohash3_map (geohash3, city_code, source) values ('zzz', 'zz-west', 'manual')",
    );
    await database.query("delete from city_definitions where code = 'zz-east'");
    await database.query("update city_definitions set radius_km = 1 where code = 'zz-west'");
    const result = await populateCityGeohashMap(database, fixedClock("2025-03-01T00:00:00Z"));
    const rows = await mapRows(database);

    expect(result).toEqual({ cells: 1, cities: 1 });
    expect(rows.map((row) => [row.geohash3, row.city_code, row.source])).toEqual([
      ["u05", "zz-west", "circle"],
      ["zzz", "zz-west", "manual"],
    ]);
  });
});

describe("generateDemoData", () => {
  let first: TestDatabase;
  let twin: TestDatabase;
  let otherSeed: TestDatabase;
  let summary: DemoDataSummary;

  beforeAll(async () => {
    [first, twin, otherSeed] = await Promise.all([
      createTestDatabase(),
      createTestDatabase(),
      createTestDatabase(),
    ]);
    expect(await isDemoDataPresent(first)).toBe(false);
    summary = await generateDemoData(first, SMALL);
    await generateDemoData(twin, SMALL);
    await generateDemoData(otherSeed, { ...SMALL, seed: 8 });
  });
  afterAll(async () => {
    await Promise.all([first?.destroy(), twin?.destroy(), otherSeed?.destroy()]);
  });

  it("produces identical spots and events for the same seed and options", async () => {
    const a = await fingerprint(first);
    expect(a.events).toMatch(/^[0-9a-f]{32}$/);
    expect(await fingerprint(twin)).toEqual(a);
  });

  it("produces different events and spots for a different seed", async () => {
    const a = await fingerprint(first);
    const b = await fingerprint(otherSeed);
    expect(b.events).not.toBe(a.events);
    expect(b.spots).not.toBe(a.spots);
  });

  it("returns a summary that matches what is in the database", async () => {
    const [counts] = await first.query<{
      events: number;
      participants: number;
      spots: number;
      cities: number;
    }>(
      `select (select count(*)::int from interaction_events) as events,
              (select count(distinct participant_id)::int from interaction_events) as participants,
              (select count(*)::int from spots) as spots,
              (select count(*)::int from city_definitions) as cities`,
    );
    expect(summary.events).toBeGreaterThan(3000);
    expect(counts).toEqual({
      events: summary.events,
      participants: summary.participants,
      spots: summary.spots,
      cities: DEMO_CITIES.length,
    });
    expect(summary.cities).toBe(12);
    expect(summary.spots).toBeGreaterThanOrEqual(12 * 100);
  });

  it("maps every event's geohash3 to its spot's city and keeps spots inside their city circle", async () => {
    const [check] = await first.query<{
      unmapped: number;
      wrong_city: number;
      mismatched: number;
      outside: number;
    }>(
      `select
         (select count(*)::int from interaction_events e
            left join city_geohash3_map m on m.geohash3 = e.geohash3 where m.city_code is null) as unmapped,
         (select count(*)::int from interaction_events e
            join city_geohash3_map m on m.geohash3 = e.geohash3
            join spots s on s.id = e.spot_id where m.city_code <> s.city_code) as wrong_city,
         (select count(*)::int from interaction_events e join spots s on s.id = e.spot_id
            where e.geohash <> s.geohash or e.geohash3 <> left(s.geohash, 3) or length(s.geohash) <> 7
               or e.door_type <> s.door_type or e.category <> s.category or e.lat <> s.lat or e.lng <> s.lng) as mismatched,
         (select count(*)::int from spots s join city_definitions c on c.code = s.city_code
            where 2 * 6371.0088 * asin(sqrt(power(sin(radians(s.lat - c.center_lat) / 2), 2)
                  + cos(radians(c.center_lat)) * cos(radians(s.lat)) * power(sin(radians(s.lng - c.center_lng) / 2), 2)))
                  > c.radius_km) as outside`,
    );
    expect(check).toEqual({ unmapped: 0, wrong_city: 0, mismatched: 0, outside: 0 });
    const cellsOfOwnCity = assignGeohash3ToCities(DEMO_CITIES);
    for (const city of DEMO_CITIES) expect([...cellsOfOwnCity.values()]).toContain(city.code);
  });

  it("puts every event strictly before now, spread over the 14 requested UTC days", async () => {
    const [span] = await first.query<{
      first_day: string;
      last_day: string;
      days: number;
      at_or_after_now: number;
    }>(
      `select min((occurred_at at time zone 'UTC')::date)::text as first_day,
              max((occurred_at at time zone 'UTC')::date)::text as last_day,
              count(distinct (occurred_at at time zone 'UTC')::date)::int as days,
              count(*) filter (where occurred_at >= $1::timestamptz)::int as at_or_after_now
       from interaction_events`,
      [NOW.toISOString()],
    );
    expect(span).toEqual({ first_day: "2025-02-25", last_day: "2025-03-10", days: 14, at_or_after_now: 0 });
    expect(summary.lastEventAt!.getTime()).toBeLessThan(NOW.getTime());
    expect(summary.firstEventAt!.toISOString().slice(0, 10)).toBe("2025-02-25");
  });

  it("has busy mornings, lunches and evenings and quiet nights", async () => {
    const rows = await first.query<{ hour: number; events: number }>(
      `select extract(hour from occurred_at at time zone 'UTC')::int as hour, count(*)::int as events
       from interaction_events group by 1`,
    );
    const byHour = new Map(rows.map((row) => [row.hour, row.events]));
    const at = (hour: number) => byHour.get(hour) ?? 0;
    const night = at(2) + at(3) + at(4);
    expect(at(8)).toBeGreaterThan(5 * night);
    expect(at(12)).toBeGreaterThan(5 * night);
    expect(at(19)).toBeGreaterThan(5 * night);
  });

  it("has a loyal core that returns most days and visitors seen only once or twice", async () => {
    const [loyalty] = await first.query<{ most_days: number; rare: number }>(
      `select count(*) filter (where days >= 9)::int as most_days, count(*) filter (where days <= 2)::int as rare
       from (select participant_id, count(distinct (occurred_at at time zone 'UTC')::date) as days
             from interaction_events group by participant_id) p`,
    );
    expect(loyalty?.most_days).toBeGreaterThan(50);
    expect(loyalty?.rare).toBeGreaterThan(loyalty?.most_days ?? 0);
  });

  it("makes big cities several times busier than small ones and weekends lean to the outdoors", async () => {
    const [shape] = await first.query<{
      nyc: number;
      boise: number;
      weekend_outdoor: number;
      weekday_outdoor: number;
    }>(
      `select count(*) filter (where s.city_code = 'us-nyc')::int as nyc,
              count(*) filter (where s.city_code = 'us-boi')::int as boise,
              avg((e.category = 'outdoor')::int) filter (where extract(isodow from e.occurred_at at time zone 'UTC') >= 6)::float8
                as weekend_outdoor,
              avg((e.category = 'outdoor')::int) filter (where extract(isodow from e.occurred_at at time zone 'UTC') < 6)::float8
                as weekday_outdoor
       from interaction_events e join spots s on s.id = e.spot_id`,
    );
    // Weights 30 + 6 and 1 + 6 (every city gets the floor, so its daily total clears the threshold).
    expect(shape?.nyc).toBeGreaterThan(4 * (shape?.boise ?? 0));
    expect(shape?.weekend_outdoor).toBeGreaterThan(2 * (shape?.weekday_outdoor ?? 0));
  });

  it("seeds the tenant, directories and partner spelling the 002 sample row needs", async () => {
    const [seeded] = await first.query<Record<string, string | boolean | null>>(
      `select (select name from tenants where id = 'TELCO') as tenant,
              (select canonical_name from partner_normalization where raw_key = 'fulton hogan') as partner,
              (select active from ds_directory where preferred_username = 'PREFERRED_USERNAME') as ds_active,
              (select preferred_username from rm_directory where display_name = 'First Last' and active) as rm`,
    );
    expect(seeded).toEqual({ tenant: "Telco", partner: "Fulton Hogan", ds_active: true, rm: "first.last" });
  });

  it("seeds New York and London localities with lookup keys and closed polygon shapes", async () => {
    const rows = await first.query<{
      code: string;
      city_code: string;
      parent_code: string | null;
      name_key: string;
      geojson: unknown;
    }>(
      `select l.code, l.city_code, l.parent_code, l.name_key, s.geojson
       from localities l join locality_shapes s on s.locality_code = l.code order by l.code`,
    );
    expect(new Set(rows.map((row) => row.city_code))).toEqual(new Set(["us-nyc", "gb-lon"]));
    expect(rows.find((row) => row.code === "us-nyc-the-bronx-mott-haven")).toMatchObject({
      parent_code: "us-nyc-the-bronx",
      name_key: "mott haven",
    });
    for (const row of rows) {
      const shape = row.geojson as { type: string; coordinates: [number, number][][] };
      const ring = shape.coordinates[0] ?? [];
      expect(shape.type).toBe("Polygon");
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[ring.length - 1]).toEqual(ring[0]);
    }
    expect(localityNameKey("  Saint-Germain-des-Prés ")).toBe("saint-germain-des-pres");
    expect(localityNameKey("Reykjavík")).toBe("reykjavik");
  });

  it("refuses to generate a second time into a database that already has events", async () => {
    expect(await isDemoDataPresent(first)).toBe(true);
    await expect(generateDemoData(first, SMALL)).rejects.toThrow(/interaction_events already has rows/);
    const [count] = await first.query<{ events: number }>(
      "select count(*)::int as events from interaction_events",
    );
    expect(count?.events).toBe(summary.events);
  });
});

describe("runDemoData (what npm start and the CLI call)", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it("records a finished run, skips the next start, and redoes a run that was interrupted", async () => {
    const config = configFrom({ DEMO_DAYS: "14", DEMO_SCALE: "0.02", DEMO_SEED: "7" });
    const clock = fixedClock(SMALL.now);
    const sink = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    const first = await runDemoData(db, config, clock, sink);
    expect(first?.events).toBeGreaterThan(0);
    expect(await isDemoDataComplete(db)).toBe(true);
    // A 14-day demo asks the precompute policy for no bucket before its first day: 10 days of DAY
    // (72 h delay and the current day), 1 week, 6 days of HOUR families (168 h delay).
    const [policy] = await db.query<{ payload: Record<string, unknown>; updated_by: string }>(
      "select payload, updated_by from timing_policies where policy_key = 'outside_buyer_precompute_v1'",
    );
    expect(policy).toMatchObject({
      payload: { day_buckets: 10, week_buckets: 1, hour_buckets: 144 },
      updated_by: "demo",
    });
    expect(await runDemoData(db, config, clock, sink)).toBeUndefined();

    // Simulate a run cut off half-way: events present, no succeeded job run.
    await db.query("delete from job_runs where job_name = 'demo-data'");
    await db.query("delete from interaction_events where occurred_at >= $1", [
      new Date(SMALL.now.getTime() - 3 * 86_400_000),
    ]);
    expect(await isDemoDataComplete(db)).toBe(false);
    const redone = await runDemoData(db, config, clock, sink);
    expect(redone?.events).toBe(first?.events);
    const [count] = await db.query<{ events: number }>(
      "select count(*)::int as events from interaction_events",
    );
    expect(count?.events).toBe(first?.events);
    expect(await isDemoDataComplete(db)).toBe(true);
  });
});
