// The bounded per-cell totals SQL against a reference computed here from the same events: exact
// when no participant exceeds the bounds, and the L0 / C invariants when many do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CATEGORIES, DOOR_TYPES, type TimeGranularity } from "../../src/db/schema/enums";
import {
  type BucketTotals,
  type CellTotalsRow,
  computeCellTotals,
} from "../../src/jobs/precompute/cellTotals";
import { BUCKET_MS, bucketStartOf } from "../../src/privacy/buckets";
import type { GeoBucketType } from "../../src/privacy/cellKey";
import { createTestDatabase, type TestDatabase } from "../support/database";

const NOISE_KEY = { key: Buffer.alloc(32, 3), id: "nk_totals" };
const C = 5;
const L0 = 4;
// Three cities of two geohash3 cells each, and one geohash3 that maps to no city.
const MAP: Array<[geohash3: string, city: string]> = [
  ["dr5", "t-nyc"],
  ["dr7", "t-nyc"],
  ["gcp", "t-lon"],
  ["gcq", "t-lon"],
  ["u09", "t-par"],
  ["u0d", "t-par"],
];
const UNMAPPED = "zzz";
const START = new Date("2026-03-02T00:00:00Z"); // a Monday
const DAYS = 14;

interface TestEvent {
  participant: string;
  at: Date;
  geohash3: string;
  doorType: string;
  category: string;
}

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The context rule of the release: weekend (UTC Saturday, Sunday), else by UTC hour. */
function contextOf(at: Date): string {
  const day = at.getUTCDay();
  if (day === 0 || day === 6) return "weekend";
  const hour = at.getUTCHours();
  if (hour >= 6 && hour < 11) return "morning";
  if (hour >= 11 && hour < 16) return "midday";
  if (hour >= 16 && hour < 23) return "evening";
  return "unknown";
}

type Reference = Map<string, CellTotalsRow & { bucketMs: number; geoType: GeoBucketType }>;

/** Per bucket, geo type and cell: participants, doors clamped to C, repeats, top contributor; no L0. */
function reference(events: TestEvent[], granularity: TimeGranularity): Reference {
  const cityOf = new Map(MAP);
  const perParticipantCell = new Map<string, number>();
  for (const event of events) {
    const city = cityOf.get(event.geohash3);
    if (city === undefined) continue;
    const bucketMs = bucketStartOf(granularity, event.at).getTime();
    const segment = `${event.doorType}|${event.category}|${contextOf(event.at)}`;
    for (const [geoType, geoId] of [
      ["city_code", city],
      ["geohash3", event.geohash3],
    ] as const) {
      const key = `${bucketMs}|${geoType}|${geoId}|${segment}|${event.participant}`;
      perParticipantCell.set(key, (perParticipantCell.get(key) ?? 0) + 1);
    }
  }
  const cells: Reference = new Map();
  for (const [key, doors] of perParticipantCell) {
    const [bucketMs, geoType, geoId, doorType, category, context] = key.split("|") as [
      string,
      GeoBucketType,
      string,
      string,
      string,
      string,
    ];
    const cellKey = key.slice(0, key.lastIndexOf("|"));
    const cell = cells.get(cellKey) ?? {
      bucketMs: Number(bucketMs),
      geoType,
      geo_bucket_id: geoId,
      door_type: doorType,
      category,
      context,
      unique_participants: 0,
      doors_opened: 0,
      repeat_participants: 0,
      top_doors: 0,
    };
    const clamped = Math.min(doors, C);
    cell.unique_participants += 1;
    cell.doors_opened += clamped;
    cell.repeat_participants += clamped >= 2 ? 1 : 0;
    cell.top_doors = Math.max(cell.top_doors, clamped);
    cells.set(cellKey, cell);
  }
  return cells;
}

function flatten(totals: BucketTotals): Reference {
  const cells: Reference = new Map();
  for (const [bucketMs, byGeo] of totals) {
    for (const [geoType, rows] of byGeo) {
      for (const row of rows) {
        const key = `${bucketMs}|${geoType}|${row.geo_bucket_id}|${row.door_type}|${row.category}|${row.context}`;
        expect(cells.has(key), `cell ${key} returned twice`).toBe(false);
        if (row.unique_participants > 0) cells.set(key, { ...row, bucketMs, geoType });
      }
    }
  }
  return cells;
}

async function insert(db: TestDatabase, events: TestEvent[]): Promise<void> {
  await db.query(
    `insert into interaction_events (participant_id, occurred_at, lat, lng, geohash, geohash3, door_type, category)
     select u.participant, u.at, 0, 0, u.geohash3 || 'aaaa', u.geohash3, u.door::door_type, u.category::category
     from unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[]) as u(participant, at, geohash3, door, category)`,
    [
      events.map((event) => event.participant),
      events.map((event) => event.at.toISOString()),
      events.map((event) => event.geohash3),
      events.map((event) => event.doorType),
      events.map((event) => event.category),
    ],
  );
}

async function seedMap(db: TestDatabase): Promise<void> {
  for (const city of new Set(MAP.map(([, code]) => code))) {
    await db.query(
      `insert into city_definitions (code, name, country_code, center_lat, center_lng, radius_km) values ($1, $1, 'XX', 0, 0, 10)`,
      [city],
    );
  }
  for (const [geohash3, city] of MAP) {
    await db.query("insert into city_geohash3_map (geohash3, city_code) values ($1, $2)", [geohash3, city]);
  }
}

function totalsOf(
  db: TestDatabase,
  granularity: TimeGranularity,
  bucketCount: number,
  geoTypes: GeoBucketType[] = ["city_code", "geohash3"],
  start: Date = START,
) {
  return computeCellTotals(db, NOISE_KEY, {
    granularity,
    geoTypes,
    start,
    bucketCount,
    version: 1,
    parameters: { maxDoorsPerCell: C, maxCellsPerParticipant: L0 },
  });
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.destroy();
});

describe("cell totals when nobody exceeds L0 cells", () => {
  let db: TestDatabase;
  const events: TestEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    databases.push(db);
    await seedMap(db);
    const random = generator(20261129);
    const geohashes = [...MAP.map(([geohash3]) => geohash3), UNMAPPED];
    // At most 4 active days a participant, one cell a day: never more than L0 cells in any bucket,
    // however long; bursts of 1..4 doors, so C is reached only by the "heavy" participant below.
    for (let participant = 0; participant < 400; participant++) {
      const days = new Set(
        Array.from({ length: 1 + Math.floor(random() * 4) }, () => Math.floor(random() * DAYS)),
      );
      for (const day of days) {
        const burst = 1 + Math.floor(random() * 4);
        const geohash3 = geohashes[Math.floor(random() * geohashes.length)] ?? UNMAPPED;
        const doorType = DOOR_TYPES[Math.floor(random() * 2)] ?? "spot";
        const category = CATEGORIES[Math.floor(random() * 3)] ?? "coffee";
        const second = Math.floor(random() * 86_400);
        for (let i = 0; i < burst; i++) {
          events.push({
            participant: `p${participant}`,
            at: new Date(START.getTime() + day * BUCKET_MS.day + ((second + i * 7) % 86_400) * 1000),
            geohash3,
            doorType,
            category,
          });
        }
      }
    }
    // Six doors of one participant in one cell (above C), and the context boundaries of one weekday.
    for (let i = 0; i < 6; i++) {
      events.push({
        participant: "heavy",
        at: new Date(START.getTime() + BUCKET_MS.day + 3_600_000 * 9 + i * 1000),
        geohash3: "gcp",
        doorType: "event",
        category: "music",
      });
    }
    for (const time of [
      "05:59:59.999",
      "06:00:00",
      "10:59:59",
      "11:00:00",
      "15:59:59",
      "16:00:00",
      "22:59:59",
      "23:00:00",
    ]) {
      events.push({
        participant: `clock-${time}`,
        at: new Date(`2026-03-03T${time}Z`),
        geohash3: "u09",
        doorType: "community",
        category: "other",
      });
    }
    await insert(db, events);
  });

  it("DAY totals of both geo types equal the reference exactly, over a run of buckets", async () => {
    const actual = flatten(await totalsOf(db, "day", DAYS));
    const expected = reference(events, "day");
    expect(actual.size).toBe(expected.size);
    expect(actual).toEqual(expected);
    // Three bucket ranges side by side (PostgreSQL), each with a smaller work_mem: the same totals.
    const resources = { parallelism: 3, workMem: "8MB" };
    expect(
      flatten(
        await computeCellTotals(
          db,
          NOISE_KEY,
          {
            granularity: "day",
            geoTypes: ["city_code", "geohash3"],
            start: START,
            bucketCount: DAYS,
            version: 1,
            parameters: { maxDoorsPerCell: C, maxCellsPerParticipant: L0 },
          },
          undefined,
          resources,
        ),
      ),
    ).toEqual(expected);
    expect(
      [...actual.values()].find(
        (cell) =>
          cell.geoType === "geohash3" &&
          cell.geo_bucket_id === "gcp" &&
          cell.door_type === "event" &&
          cell.category === "music" &&
          cell.top_doors === C,
      ),
    ).toBeDefined();
  });

  it("HOUR and WEEK buckets, and one geo type alone, agree with the reference", async () => {
    expect(flatten(await totalsOf(db, "hour", 48, ["city_code"]))).toEqual(
      new Map(
        [...reference(events, "hour")].filter(
          ([, cell]) => cell.geoType === "city_code" && cell.bucketMs < START.getTime() + 48 * BUCKET_MS.hour,
        ),
      ),
    );
    expect(flatten(await totalsOf(db, "week", 2))).toEqual(reference(events, "week"));
    expect(flatten(await totalsOf(db, "day", DAYS, ["geohash3"]))).toEqual(
      new Map([...reference(events, "day")].filter(([, cell]) => cell.geoType === "geohash3")),
    );
  });

  it("divides instants before 1970 into the same days, weeks, hours and contexts", async () => {
    // Integer division truncates towards zero: negative epoch seconds would land in the next bucket.
    const early: TestEvent[] = [
      "1969-12-28T00:00:00Z", // a Sunday: weekend
      "1969-12-29T05:59:59Z", // Monday, unknown
      "1969-12-30T03:00:00Z",
      "1969-12-31T23:59:59.5Z",
      "1970-01-01T00:00:00Z",
      "1970-01-01T07:30:00Z",
    ].map((at, index) => ({
      participant: `old-${index}`,
      at: new Date(at),
      geohash3: "dr5",
      doorType: "event",
      category: "art",
    }));
    await insert(db, early);
    const only = (cells: Reference, from: Date, to: Date) =>
      new Map(
        [...cells].filter(([, cell]) => cell.bucketMs >= from.getTime() && cell.bucketMs < to.getTime()),
      );
    const dayStart = new Date("1969-12-27T00:00:00Z");
    expect(flatten(await totalsOf(db, "day", 6, undefined, dayStart))).toEqual(
      only(reference(early, "day"), dayStart, new Date("1970-01-02T00:00:00Z")),
    );
    const weekStart = new Date("1969-12-22T00:00:00Z"); // a Monday
    expect(flatten(await totalsOf(db, "week", 2, undefined, weekStart))).toEqual(
      only(reference(early, "week"), weekStart, new Date("1970-01-05T00:00:00Z")),
    );
    const hourStart = new Date("1969-12-31T20:00:00Z");
    const hours = flatten(await totalsOf(db, "hour", 12, ["city_code"], hourStart));
    expect(hours).toEqual(
      new Map(
        [...only(reference(early, "hour"), hourStart, new Date("1970-01-01T08:00:00Z"))].filter(
          ([, cell]) => cell.geoType === "city_code",
        ),
      ),
    );
    expect(hours.size).toBe(3);
  });

  it("puts each event in the context of its UTC clock time", async () => {
    const contexts = [...flatten(await totalsOf(db, "day", DAYS)).values()]
      .filter(
        (cell) => cell.geoType === "city_code" && cell.door_type === "community" && cell.category === "other",
      )
      .filter((cell) => cell.bucketMs === new Date("2026-03-03T00:00:00Z").getTime())
      .map((cell) => [cell.context, cell.unique_participants]);
    const expected = reference(events, "day");
    const clockParticipants = (context: string) =>
      [...expected.values()].find(
        (cell) =>
          cell.geoType === "city_code" &&
          cell.door_type === "community" &&
          cell.category === "other" &&
          cell.context === context &&
          cell.bucketMs === new Date("2026-03-03T00:00:00Z").getTime(),
      )?.unique_participants;
    expect(Object.fromEntries(contexts)).toEqual({
      unknown: clockParticipants("unknown"),
      morning: clockParticipants("morning"),
      midday: clockParticipants("midday"),
      evening: clockParticipants("evening"),
    });
    expect(clockParticipants("unknown")).toBeGreaterThanOrEqual(2);
  });
});

describe("cell totals when participants exceed the bounds", () => {
  let db: TestDatabase;
  const events: TestEvent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    databases.push(db);
    await seedMap(db);
    const random = generator(7);
    // 300 participants, each in 1..10 cells of one day, 1..8 doors each: most exceed L0 and C.
    for (let participant = 0; participant < 300; participant++) {
      const cells = 1 + Math.floor(random() * 10);
      for (let cell = 0; cell < cells; cell++) {
        const doors = 1 + Math.floor(random() * 8);
        const geohash3 = MAP[Math.floor(random() * MAP.length)]?.[0] ?? "dr5";
        const doorType = DOOR_TYPES[Math.floor(random() * 3)] ?? "spot";
        const category = CATEGORIES[Math.floor(random() * 9)] ?? "coffee";
        const hour = 6 + Math.floor(random() * 16);
        for (let door = 0; door < doors; door++) {
          events.push({
            participant: `h${participant}`,
            at: new Date(START.getTime() + hour * 3_600_000 + door * 1000),
            geohash3,
            doorType,
            category,
          });
        }
      }
    }
    await insert(db, events);
  });

  it("keeps exactly min(L0, cells) cells of every participant, never more than C doors, per geo type", async () => {
    const actual = flatten(await totalsOf(db, "day", 1));
    const unbounded = reference(events, "day");
    for (const geoType of ["city_code", "geohash3"] as const) {
      const cellsOfParticipant = new Map<string, Set<string>>();
      for (const event of events) {
        const city = new Map(MAP).get(event.geohash3) ?? "";
        const geoId = geoType === "city_code" ? city : event.geohash3;
        const cells = cellsOfParticipant.get(event.participant) ?? new Set();
        cells.add(`${geoId}|${event.doorType}|${event.category}|${contextOf(event.at)}`);
        cellsOfParticipant.set(event.participant, cells);
      }
      const expectedParticipantCells = [...cellsOfParticipant.values()].reduce(
        (sum, cells) => sum + Math.min(L0, cells.size),
        0,
      );
      const ofType = [...actual.values()].filter((cell) => cell.geoType === geoType);
      expect(ofType.reduce((sum, cell) => sum + cell.unique_participants, 0)).toBe(expectedParticipantCells);
      expect(expectedParticipantCells).toBeLessThan(events.length);
      for (const cell of ofType) {
        const key = `${cell.bucketMs}|${geoType}|${cell.geo_bucket_id}|${cell.door_type}|${cell.category}|${cell.context}`;
        const full = unbounded.get(key);
        expect(full, key).toBeDefined();
        expect(cell.unique_participants).toBeLessThanOrEqual(full?.unique_participants ?? 0);
        expect(cell.doors_opened).toBeLessThanOrEqual(full?.doors_opened ?? 0);
        expect(cell.doors_opened).toBeLessThanOrEqual(C * cell.unique_participants);
        expect(cell.repeat_participants).toBeLessThanOrEqual(cell.unique_participants);
        expect(cell.top_doors).toBeLessThanOrEqual(C);
      }
    }
  });

  it("is reproducible, and the parallel partitions add up to the single pass", async () => {
    const parallel = await totalsOf(db, "day", 1);
    const single = await db.transaction((query) =>
      computeCellTotals(
        db,
        NOISE_KEY,
        {
          granularity: "day",
          geoTypes: ["city_code", "geohash3"],
          start: START,
          bucketCount: 1,
          version: 1,
          parameters: { maxDoorsPerCell: C, maxCellsPerParticipant: L0 },
        },
        query,
      ),
    );
    expect(flatten(parallel)).toEqual(flatten(single));
    // Inside a release's transaction the totals' planner settings do not outlive the totals.
    const after = await db.transaction(async (query) => {
      await computeCellTotals(
        db,
        NOISE_KEY,
        {
          granularity: "day",
          geoTypes: ["city_code"],
          start: START,
          bucketCount: 1,
          version: 1,
          parameters: { maxDoorsPerCell: C, maxCellsPerParticipant: L0 },
        },
        query,
      );
      return query<{ enable_sort: string; work_mem: string }>(
        "select current_setting('enable_sort') as enable_sort, current_setting('work_mem') as work_mem",
      );
    });
    const [defaults] = await db.query<{ enable_sort: string; work_mem: string }>(
      "select current_setting('enable_sort') as enable_sort, current_setting('work_mem') as work_mem",
    );
    expect(after).toEqual([defaults]);
    expect(defaults?.enable_sort).toBe("on");
    expect(flatten(await totalsOf(db, "day", 1))).toEqual(flatten(parallel));
  });

  it("a city release computed alone keeps the same cells as one computed with the geohash3 release", async () => {
    const both = flatten(await totalsOf(db, "day", 1));
    const alone = flatten(await totalsOf(db, "day", 1, ["city_code"]));
    expect(alone).toEqual(new Map([...both].filter(([, cell]) => cell.geoType === "city_code")));
    const geoAlone = flatten(await totalsOf(db, "day", 1, ["geohash3"]));
    expect(geoAlone).toEqual(new Map([...both].filter(([, cell]) => cell.geoType === "geohash3")));
  });
});
