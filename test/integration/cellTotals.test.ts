// The bounded per-cell totals SQL against a reference computed here from the same events, with the
// bounding rules of PRIVACY.md per participant-day (DAY: L0 cells a day; HOUR: L0 (hour, cell) pairs
// a day; WEEK: L0 cells chosen per day, doors clamped to C over the week), exact whether or not
// participants exceed the bounds; the keyed order's hashes come from the database's own hash
// functions with the same seeds. Plus the L0 / C invariants and the neighbour (one participant-day
// removed) bounds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TotalsResources } from "../../src/config";
import { CATEGORIES, DOOR_TYPES, SEGMENT_CONTEXTS, type TimeGranularity } from "../../src/db/schema/enums";
import {
  type BucketTotals,
  boundingSeeds,
  type CellTotalsRow,
  computeCellTotals,
  totalsKey,
} from "../../src/jobs/precompute/cellTotals";
import { BUCKET_MS, bucketStartOf } from "../../src/privacy/buckets";
import type { GeoBucketType } from "../../src/privacy/cellKey";
import { levelMaxCells } from "../../src/privacy/releasePlan";
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

const CITIES = [...new Set(MAP.map(([, city]) => city))].sort();
const GEOHASHES = MAP.map(([geohash3]) => geohash3).sort();
// Whole epoch seconds shifted by 400,000 weeks, as the SQL does before dividing.
const EPOCH_SHIFT_SECONDS = 400_000 * 604_800;

function segmentOrdinal(event: TestEvent): number {
  return (
    (DOOR_TYPES.indexOf(event.doorType as never) * CATEGORIES.length +
      CATEGORIES.indexOf(event.category as never)) *
      SEGMENT_CONTEXTS.length +
    SEGMENT_CONTEXTS.indexOf(contextOf(event.at) as never)
  );
}

/** HOUR's keyed order also hashes the absolute (shifted) hour; DAY and WEEK hash 0. */
function orderSalt(granularity: TimeGranularity, at: Date): number {
  return granularity === "hour"
    ? Math.floor((Math.floor(at.getTime() / 1000) + EPOCH_SHIFT_SECONDS) / 3600)
    : 0;
}

type Orders = Map<string, { city: bigint; geo: bigint }>;
const orderKey = (participant: string, geohash3: string, segment: number, salt: number) =>
  `${participant}|${geohash3}|${segment}|${salt}`;

/** The keyed city-cell and geo-cell order of every event's cell, hashed by the database with the release's seeds. */
async function keyedOrders(
  db: TestDatabase,
  events: TestEvent[],
  granularity: TimeGranularity,
): Promise<Orders> {
  const cityOf = new Map(MAP);
  const distinct = new Map<string, [string, string, string, number, number]>();
  for (const event of events) {
    const city = cityOf.get(event.geohash3);
    if (city === undefined) continue;
    const segment = segmentOrdinal(event);
    const salt = orderSalt(granularity, event.at);
    distinct.set(orderKey(event.participant, event.geohash3, segment, salt), [
      event.participant,
      event.geohash3,
      city,
      segment,
      salt,
    ]);
  }
  const seeds = boundingSeeds(NOISE_KEY, granularity, 1);
  const tuples = [...distinct.values()];
  const rows = await db.query<{ key: string; city_order: string; geo_order: string }>(
    `select u.participant || '|' || u.geohash3 || '|' || u.segment || '|' || u.salt as key,
            hashint8extended(h.p # hashint8extended(hashtextextended(u.city, 0) # u.segment, u.salt), $6::bigint)::text as city_order,
            hashint8extended(h.p # hashint8extended(hashtextextended(u.geohash3, 0) # u.segment, u.salt), $7::bigint)::text as geo_order
     from unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) as u(participant, geohash3, city, segment, salt)
     cross join lateral (select hashtextextended(u.participant, $8::bigint) as p) h`,
    [
      tuples.map((tuple) => tuple[0]),
      tuples.map((tuple) => tuple[1]),
      tuples.map((tuple) => tuple[2]),
      tuples.map((tuple) => tuple[3]),
      tuples.map((tuple) => tuple[4]),
      seeds.cityOrder,
      seeds.geoOrder,
      seeds.participant,
    ],
  );
  return new Map(rows.map((row) => [row.key, { city: BigInt(row.city_order), geo: BigInt(row.geo_order) }]));
}

function compareKeys(a: bigint[], b: bigint[]): number {
  for (let index = 0; index < a.length; index++) {
    const x = a[index] ?? 0n;
    const y = b[index] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * Per bucket, geo type and cell: participants, doors clamped to C, repeats, top contributor, after
 * the bounding of PRIVACY.md. Per participant-day (DAY: the bucket; HOUR, WEEK: the UTC day) and geo
 * type, the L0 first cells in keyed order are kept (HOUR: (hour, cell) pairs; a geo cell ranks by
 * its city cell's order first, as the SQL's one sort does); a participant's kept events of one
 * bucket and cell (WEEK: of every day that chose the week cell) count min(n, C) doors.
 */
async function reference(
  db: TestDatabase,
  events: TestEvent[],
  granularity: TimeGranularity,
  maxCells = L0,
): Promise<Reference> {
  const orders = await keyedOrders(db, events, granularity);
  const cityOf = new Map(MAP);
  const hourly = granularity === "hour";
  interface Placed {
    bucketMs: number;
    /** The participant-day (DAY: the bucket) whose L0 the event's cell competes for. */
    unit: string;
    segment: string;
    cells: Array<{ geoType: GeoBucketType; geoId: string; rankCell: string; sortKey: bigint[] }>;
  }
  const placed: Array<[TestEvent, Placed]> = [];
  for (const event of events) {
    const city = cityOf.get(event.geohash3);
    if (city === undefined) continue;
    const bucketMs = bucketStartOf(granularity, event.at).getTime();
    const dayMs = bucketStartOf("day", event.at).getTime();
    const segmentOrd = segmentOrdinal(event);
    const salt = orderSalt(granularity, event.at);
    const order = orders.get(orderKey(event.participant, event.geohash3, segmentOrd, salt));
    if (order === undefined) throw new Error("no keyed order");
    const hour = BigInt(hourly ? bucketMs : 0);
    const cityKey = [order.city, hour, BigInt(CITIES.indexOf(city)), BigInt(segmentOrd)];
    placed.push([
      event,
      {
        bucketMs,
        unit: `${dayMs}|${event.participant}`,
        segment: `${event.doorType}|${event.category}|${contextOf(event.at)}`,
        cells: [
          { geoType: "city_code", geoId: city, rankCell: `${hour}|${city}|${segmentOrd}`, sortKey: cityKey },
          {
            geoType: "geohash3",
            geoId: event.geohash3,
            rankCell: `${hour}|${event.geohash3}|${segmentOrd}`,
            sortKey: [...cityKey, order.geo, BigInt(GEOHASHES.indexOf(event.geohash3))],
          },
        ],
      },
    ]);
  }
  // Per participant-day and geo type: its cells in keyed order, the first maxCells kept.
  const candidates = new Map<string, Map<string, bigint[]>>();
  for (const [, { unit, cells }] of placed) {
    for (const { geoType, rankCell, sortKey } of cells) {
      const group = candidates.get(`${unit}|${geoType}`) ?? new Map<string, bigint[]>();
      group.set(rankCell, sortKey);
      candidates.set(`${unit}|${geoType}`, group);
    }
  }
  const kept = new Set<string>();
  for (const [group, cells] of candidates) {
    const ranked = [...cells].sort(([, a], [, b]) => compareKeys(a, b));
    for (const [rankCell] of ranked.slice(0, maxCells)) kept.add(`${group}|${rankCell}`);
  }
  const perParticipantCell = new Map<string, number>();
  for (const [event, { bucketMs, unit, segment, cells }] of placed) {
    for (const { geoType, geoId, rankCell } of cells) {
      if (!kept.has(`${unit}|${geoType}|${rankCell}`)) continue;
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
    for (const [geoType, rows] of byGeo as Map<GeoBucketType, CellTotalsRow[]>) {
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
  resources?: TotalsResources,
) {
  return computeCellTotals(
    db,
    NOISE_KEY,
    {
      granularity,
      geoTypes,
      start,
      bucketCount,
      version: 1,
      parameters: { maxDoorsPerCell: C, maxCellsPerParticipant: L0 },
    },
    undefined,
    resources,
  );
}

/** The cells of `cells` whose bucket starts in [from, from + count buckets). */
function within(cells: Reference, granularity: TimeGranularity, from: Date, count: number): Reference {
  const end = from.getTime() + count * BUCKET_MS[granularity];
  return new Map([...cells].filter(([, cell]) => cell.bucketMs >= from.getTime() && cell.bucketMs < end));
}

const METRICS = ["unique_participants", "doors_opened", "repeat_participants"] as const;

/**
 * Every cell whose totals differ between two results, per geo type, with the change of each
 * metric (a cell missing on one side counts as zero there).
 */
function changedCells(
  a: Reference,
  b: Reference,
): Map<GeoBucketType, Array<Record<(typeof METRICS)[number], number>>> {
  const changes = new Map<GeoBucketType, Array<Record<(typeof METRICS)[number], number>>>([
    ["city_code", []],
    ["geohash3", []],
  ]);
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const cell = (a.get(key) ?? b.get(key))!;
    const change = Object.fromEntries(
      METRICS.map((metric) => [metric, (a.get(key)?.[metric] ?? 0) - (b.get(key)?.[metric] ?? 0)]),
    ) as Record<(typeof METRICS)[number], number>;
    if (METRICS.some((metric) => change[metric] !== 0)) changes.get(cell.geoType)?.push(change);
  }
  return changes;
}

/** Removing (or adding) one participant-day: at most L0 cells per geo type, each by at most (1, C, 1). */
function expectParticipantDayBound(with_: Reference, without: Reference): number {
  let changed = 0;
  for (const [geoType, changes] of changedCells(with_, without)) {
    expect(changes.length, geoType).toBeLessThanOrEqual(L0);
    for (const change of changes) {
      expect(Math.abs(change.unique_participants)).toBeLessThanOrEqual(1);
      expect(Math.abs(change.doors_opened)).toBeLessThanOrEqual(C);
      expect(Math.abs(change.repeat_participants)).toBeLessThanOrEqual(1);
    }
    changed += changes.length;
  }
  return changed;
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
    const expected = await reference(db, events, "day");
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
        [...(await reference(db, events, "hour"))].filter(
          ([, cell]) => cell.geoType === "city_code" && cell.bucketMs < START.getTime() + 48 * BUCKET_MS.hour,
        ),
      ),
    );
    expect(flatten(await totalsOf(db, "week", 2))).toEqual(await reference(db, events, "week"));
    expect(flatten(await totalsOf(db, "day", DAYS, ["geohash3"]))).toEqual(
      new Map([...(await reference(db, events, "day"))].filter(([, cell]) => cell.geoType === "geohash3")),
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
      only(await reference(db, early, "day"), dayStart, new Date("1970-01-02T00:00:00Z")),
    );
    const weekStart = new Date("1969-12-22T00:00:00Z"); // a Monday
    expect(flatten(await totalsOf(db, "week", 2, undefined, weekStart))).toEqual(
      only(await reference(db, early, "week"), weekStart, new Date("1970-01-05T00:00:00Z")),
    );
    const hourStart = new Date("1969-12-31T20:00:00Z");
    const hours = flatten(await totalsOf(db, "hour", 12, ["city_code"], hourStart));
    expect(hours).toEqual(
      new Map(
        [...only(await reference(db, early, "hour"), hourStart, new Date("1970-01-01T08:00:00Z"))].filter(
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
    const expected = await reference(db, events, "day");
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

  it("every roll-up level of DAY, WEEK and HOUR equals a direct SQL roll-up of the events, in the same pass as FULL", async () => {
    const cases: Array<[TimeGranularity, number, string[]]> = [
      [
        "day",
        DAYS,
        [
          "door_type+category",
          "door_type+context",
          "category+context",
          "door_type",
          "category",
          "context",
          "total",
        ],
      ],
      ["week", 2, ["door_type", "total"]],
      ["hour", 48, ["category", "context", "total"]],
    ];
    for (const [granularity, bucketCount, levels] of cases) {
      const rollups = levels.flatMap((level) =>
        (["city_code", "geohash3"] as const).map((geoType) => ({ geoType, level })),
      );
      const both = await computeCellTotals(db, NOISE_KEY, {
        granularity,
        geoTypes: ["city_code", "geohash3"],
        rollups,
        start: START,
        bucketCount,
        version: 1,
        parameters: { maxDoorsPerCell: C, maxCellsPerParticipant: L0 },
      });
      // FULL is unchanged by the roll-ups computed beside it.
      const fullOnly = await totalsOf(db, granularity, bucketCount);
      for (const [bucketMs, sets] of fullOnly) {
        for (const geoType of ["city_code", "geohash3"]) {
          expect(sortRows(both.get(bucketMs)?.get(geoType) ?? [])).toEqual(sortRows(sets.get(geoType) ?? []));
        }
      }
      for (const { geoType, level } of rollups) {
        const actual = [...both].flatMap(([bucketMs, sets]) =>
          (sets.get(totalsKey(geoType, level)) ?? []).map((row) => ({ bucketMs, ...row })),
        );
        const expected = await directRollup(db, granularity, bucketCount, geoType, level);
        expect(actual.length, `${granularity} ${geoType} ${level}`).toBeGreaterThan(0);
        expect(sortRows(actual), `${granularity} ${geoType} ${level}`).toEqual(sortRows(expected));
      }
    }
  });
});

/** Rows in one order, for comparing sets of cells. */
function sortRows<T extends object>(rows: T[]): T[] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * A level's true roll-up, straight from the events in SQL: per bucket, geo cell and the level's kept
 * dimensions, each participant once with min(doors, C) (valid when nobody exceeds L0 cells).
 */
async function directRollup(
  db: TestDatabase,
  granularity: TimeGranularity,
  bucketCount: number,
  geoType: GeoBucketType,
  level: string,
): Promise<Array<CellTotalsRow & { bucketMs: number }>> {
  const kept = level === "total" ? [] : level.split("+");
  const dimension = (name: string, expression: string) =>
    kept.includes(name) ? `${expression}` : "null::text";
  const rows = await db.query<{
    bucket_ms: number;
    geo: string;
    door_type: string | null;
    category: string | null;
    context: string | null;
    unique_participants: number;
    doors_opened: number;
    repeat_participants: number;
    top_doors: number;
  }>(
    `with per_participant as (
       select (extract(epoch from date_trunc($1, e.occurred_at at time zone 'UTC')) * 1000)::float8 as bucket_ms,
              ${geoType === "city_code" ? "m.city_code" : "m.geohash3"} as geo,
              ${dimension("door_type", "e.door_type::text")} as door_type,
              ${dimension("category", "e.category::text")} as category,
              ${dimension(
                "context",
                `case when extract(isodow from e.occurred_at at time zone 'UTC') >= 6 then 'weekend'
                      when extract(hour from e.occurred_at at time zone 'UTC') between 6 and 10 then 'morning'
                      when extract(hour from e.occurred_at at time zone 'UTC') between 11 and 15 then 'midday'
                      when extract(hour from e.occurred_at at time zone 'UTC') between 16 and 22 then 'evening'
                      else 'unknown' end`,
              )} as context,
              e.participant_id, least(count(*), $4)::int as doors
       from interaction_events e join city_geohash3_map m on m.geohash3 = e.geohash3
       where e.occurred_at >= $2 and e.occurred_at < $3
       group by 1, 2, 3, 4, 5, 6
     )
     select bucket_ms, geo, door_type, category, context, count(*)::int as unique_participants,
            sum(doors)::int as doors_opened, (count(*) filter (where doors >= 2))::int as repeat_participants,
            max(doors)::int as top_doors
     from per_participant
     group by 1, 2, 3, 4, 5`,
    [
      granularity,
      START.toISOString(),
      new Date(START.getTime() + bucketCount * BUCKET_MS[granularity]).toISOString(),
      C,
    ],
  );
  return rows.map((row) => ({
    bucketMs: Number(row.bucket_ms),
    geo_bucket_id: row.geo,
    door_type: row.door_type,
    category: row.category,
    context: row.context,
    unique_participants: row.unique_participants,
    doors_opened: row.doors_opened,
    repeat_participants: row.repeat_participants,
    top_doors: row.top_doors,
  }));
}

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
    const unbounded = await reference(db, events, "day", Number.POSITIVE_INFINITY);
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

  it("DAY, HOUR and WEEK totals equal the bounded reference exactly", async () => {
    expect(flatten(await totalsOf(db, "day", 1))).toEqual(await reference(db, events, "day"));
    expect(flatten(await totalsOf(db, "hour", 24))).toEqual(await reference(db, events, "hour"));
    expect(flatten(await totalsOf(db, "week", 1))).toEqual(await reference(db, events, "week"));
  });

  it("HOUR keeps at most L0 (hour, cell) pairs of a participant over the whole day, not L0 per hour", async () => {
    const hours = flatten(await totalsOf(db, "hour", 24));
    for (const geoType of ["city_code", "geohash3"] as const) {
      const pairs = new Map<string, Set<string>>();
      const perHour = new Map<string, Set<string>>();
      for (const event of events) {
        const geoId = geoType === "city_code" ? (new Map(MAP).get(event.geohash3) ?? "") : event.geohash3;
        const hour = bucketStartOf("hour", event.at).getTime();
        const cell = `${geoId}|${event.doorType}|${event.category}|${contextOf(event.at)}`;
        const ofDay = pairs.get(event.participant) ?? new Set();
        pairs.set(event.participant, ofDay.add(`${hour}|${cell}`));
        const ofHour = perHour.get(`${event.participant}|${hour}`) ?? new Set();
        perHour.set(`${event.participant}|${hour}`, ofHour.add(cell));
      }
      const perDayBound = [...pairs.values()].reduce((sum, set) => sum + Math.min(L0, set.size), 0);
      const perHourBound = [...perHour.values()].reduce((sum, set) => sum + Math.min(L0, set.size), 0);
      const counted = [...hours.values()]
        .filter((cell) => cell.geoType === geoType)
        .reduce((sum, cell) => sum + cell.unique_participants, 0);
      expect(counted).toBe(perDayBound);
      // The data tells the two rules apart: bounding each hour alone would count more.
      expect(perHourBound).toBeGreaterThan(perDayBound);
      for (const cell of hours.values()) expect(cell.top_doors).toBeLessThanOrEqual(C);
    }
  });

  it("HOUR: one hour, or any range of hours, yields exactly the rows the whole day yields for it", async () => {
    const day = flatten(await totalsOf(db, "hour", 24));
    const hour = (index: number) => new Date(START.getTime() + index * BUCKET_MS.hour);
    for (const [from, count] of [
      [6, 1],
      [13, 1],
      [21, 1],
      [5, 12],
      [10, 14],
      [-3, 6],
      [20, 30],
    ] as const) {
      const part = flatten(await totalsOf(db, "hour", count, undefined, hour(from)));
      expect(part, `hours [${from}, ${from + count})`).toEqual(within(day, "hour", hour(from), count));
      // Events fall in hours 6..21 of the day.
      expect(part.size > 0).toBe(from < 22 && from + count > 6);
    }
  });
});

describe("cell totals of participant-days across a week", () => {
  let db: TestDatabase;
  const events: TestEvent[] = [];
  // Eight cells a day for seven days (rotating through twelve), ten doors each, each in its own hour.
  const HEAVY = "heavy-week";
  const heavyPool = Array.from({ length: 12 }, (_, index) => ({
    geohash3: MAP[index % MAP.length]?.[0] ?? "dr5",
    doorType: DOOR_TYPES[index % 3] ?? "spot",
    category: CATEGORIES[index % 4] ?? "coffee",
  }));

  beforeAll(async () => {
    db = await createTestDatabase();
    databases.push(db);
    await seedMap(db);
    const random = generator(314);
    // Participants on 1..7 days of two weeks, 1..7 cells a day out of a personal pool of six (so
    // week cells recur across days), 1..4 doors each.
    for (let participant = 0; participant < 200; participant++) {
      const pool = Array.from({ length: 6 }, () => ({
        geohash3: MAP[Math.floor(random() * MAP.length)]?.[0] ?? "dr5",
        doorType: DOOR_TYPES[Math.floor(random() * 3)] ?? "spot",
        category: CATEGORIES[Math.floor(random() * 4)] ?? "coffee",
        hour: 6 + Math.floor(random() * 16),
      }));
      const days = new Set(
        Array.from({ length: 1 + Math.floor(random() * 7) }, () => Math.floor(random() * DAYS)),
      );
      for (const day of days) {
        const cells = 1 + Math.floor(random() * 7);
        for (let cell = 0; cell < cells; cell++) {
          const spot = pool[Math.floor(random() * pool.length)] ?? pool[0]!;
          const doors = 1 + Math.floor(random() * 4);
          for (let door = 0; door < doors; door++) {
            events.push({
              participant: `w${participant}`,
              at: new Date(
                START.getTime() + day * BUCKET_MS.day + spot.hour * 3_600_000 + (cell * 60 + door) * 1000,
              ),
              geohash3: spot.geohash3,
              doorType: spot.doorType,
              category: spot.category,
            });
          }
        }
      }
    }
    events.push(...heavyEvents());
    await insert(db, events);
  });

  function heavyEvents(onlyDay?: number): TestEvent[] {
    const out: TestEvent[] = [];
    for (let day = 0; day < 7; day++) {
      if (onlyDay !== undefined && day !== onlyDay) continue;
      for (let cell = 0; cell < 8; cell++) {
        const spot = heavyPool[(day + cell) % heavyPool.length]!;
        for (let door = 0; door < 10; door++) {
          out.push({
            participant: HEAVY,
            at: new Date(START.getTime() + day * BUCKET_MS.day + (8 + cell) * 3_600_000 + door * 1000),
            ...spot,
          });
        }
      }
    }
    return out;
  }

  async function withoutHeavyDay<T>(day: number, compute: () => Promise<T>): Promise<T> {
    const from = new Date(START.getTime() + day * BUCKET_MS.day);
    await db.query(
      "delete from interaction_events where participant_id = $1 and occurred_at >= $2 and occurred_at < $3",
      [HEAVY, from, new Date(from.getTime() + BUCKET_MS.day)],
    );
    try {
      return await compute();
    } finally {
      await insert(db, heavyEvents(day));
    }
  }

  it("WEEK, DAY and HOUR totals equal the bounded reference exactly (HOUR also in day-aligned parallel parts)", async () => {
    expect(flatten(await totalsOf(db, "week", 2))).toEqual(await reference(db, events, "week"));
    expect(flatten(await totalsOf(db, "day", DAYS))).toEqual(await reference(db, events, "day"));
    const hours = await reference(db, events, "hour");
    expect(flatten(await totalsOf(db, "hour", 72))).toEqual(within(hours, "hour", START, 72));
    // 67 hours from 05:00 over three days (PostgreSQL: parts of whole days side by side).
    const from = new Date(START.getTime() + 5 * BUCKET_MS.hour);
    const resources = { parallelism: 3, workMem: "8MB" };
    expect(flatten(await totalsOf(db, "hour", 67, undefined, from, resources))).toEqual(
      within(hours, "hour", from, 67),
    );
  });

  it("WEEK: a participant active every day counts in at most L0 cells per day, with at most C doors per week cell", async () => {
    const all = flatten(await totalsOf(db, "week", 1));
    await db.query("delete from interaction_events where participant_id = $1", [HEAVY]);
    const without = flatten(await totalsOf(db, "week", 1));
    await insert(db, heavyEvents());
    const contribution = changedCells(all, without);
    // Cells chosen by each day of the week (the reference's rule), at most L0 a day.
    const chosen = await reference(db, heavyEvents(), "week");
    for (const geoType of ["city_code", "geohash3"] as const) {
      const changes = contribution.get(geoType) ?? [];
      const heavyCells = [...chosen.values()].filter((cell) => cell.geoType === geoType);
      expect(changes.length).toBe(heavyCells.length);
      expect(changes.length).toBeLessThanOrEqual(7 * L0);
      expect(changes.length).toBeGreaterThan(L0);
      for (const change of changes) {
        expect(change.unique_participants).toBe(1);
        // Each chosen week cell held ten doors a day, on one or more days: clamped to C over the week.
        expect(change.doors_opened).toBe(C);
        expect(change.repeat_participants).toBe(1);
      }
    }
    for (const cell of all.values()) expect(cell.top_doors).toBeLessThanOrEqual(C);
  });

  it("WEEK: removing one day of a participant active all week changes at most L0 week cells, each by at most (1, C, 1)", async () => {
    const all = flatten(await totalsOf(db, "week", 1));
    let changed = 0;
    for (let day = 0; day < 7; day++) {
      const without = await withoutHeavyDay(day, async () => flatten(await totalsOf(db, "week", 1)));
      changed += expectParticipantDayBound(all, without);
      expect(without).toEqual(
        within(
          await reference(
            db,
            events.filter(
              (event) =>
                event.participant !== HEAVY ||
                bucketStartOf("day", event.at).getTime() !== START.getTime() + day * BUCKET_MS.day,
            ),
            "week",
          ),
          "week",
          START,
          1,
        ),
      );
    }
    expect(changed).toBeGreaterThan(0);
    expect(flatten(await totalsOf(db, "week", 1))).toEqual(all);
  });

  it("every roll-up level is bounded on its own cells: removing one participant-day changes at most L0 cells of each level, each by at most (1, C, 1)", async () => {
    const cases: Array<[TimeGranularity, number, string[]]> = [
      ["day", 3, ["door_type+category", "door_type", "category", "total"]],
      ["week", 1, ["door_type+category", "category", "total"]],
      ["hour", 72, ["door_type", "category", "context", "total"]],
    ];
    for (const [granularity, bucketCount, levels] of cases) {
      // Each level with its own L0 (TOTAL 1, a single dimension 2, a pair 3; HOUR the profile's).
      const rollups = levels.flatMap((level) =>
        (["city_code", "geohash3"] as const).map((geoType) => ({
          geoType,
          level,
          maxCells: levelMaxCells(granularity, level, L0),
        })),
      );
      const compute = async () => {
        const totals = await computeCellTotals(db, NOISE_KEY, {
          granularity,
          geoTypes: [],
          rollups,
          start: START,
          bucketCount,
          version: 1,
          parameters: { maxDoorsPerCell: C, maxCellsPerParticipant: L0 },
        });
        const cells = new Map<string, CellTotalsRow>();
        for (const [bucketMs, sets] of totals) {
          for (const [set, rows] of sets) {
            for (const row of rows) {
              cells.set(
                `${set}#${bucketMs}|${row.geo_bucket_id}|${row.door_type}|${row.category}|${row.context}`,
                row,
              );
            }
          }
        }
        return cells;
      };
      const all = await compute();
      const without = await withoutHeavyDay(1, compute);
      let changedTotal = 0;
      for (const { geoType, level, maxCells } of rollups) {
        const set = `${totalsKey(geoType, level)}#`;
        const keys = new Set([...all.keys(), ...without.keys()].filter((key) => key.startsWith(set)));
        let changed = 0;
        for (const key of keys) {
          const a = all.get(key);
          const b = without.get(key);
          const change = METRICS.map((metric) => (a?.[metric] ?? 0) - (b?.[metric] ?? 0));
          if (change.every((value) => value === 0)) continue;
          changed++;
          expect(change[0], key).toBeGreaterThanOrEqual(0);
          expect(change[0], key).toBeLessThanOrEqual(1);
          expect(change[1], key).toBeLessThanOrEqual(C);
          expect(change[2], key).toBeLessThanOrEqual(1);
        }
        expect(changed, `${granularity} ${geoType} ${level}`).toBeLessThanOrEqual(maxCells);
        changedTotal += changed;
      }
      // The heavy participant-day was there to remove: DAY and HOUR cells lose it (a WEEK cell it
      // chose is chosen, and clamped to C, on its other days as well).
      if (granularity !== "week") expect(changedTotal, granularity).toBeGreaterThan(rollups.length);
    }
  });

  it("HOUR and DAY: removing one participant-day spread over many hours changes at most L0 cells, each by at most (1, C, 1)", async () => {
    for (const granularity of ["hour", "day"] as const) {
      const count = granularity === "hour" ? 72 : 3;
      const all = flatten(await totalsOf(db, granularity, count));
      const without = await withoutHeavyDay(1, async () => flatten(await totalsOf(db, granularity, count)));
      // Eight (hour, cell) pairs that day, ten doors each: exactly L0 of them go, each by (1, C, 1).
      const changes = changedCells(all, without);
      expect(expectParticipantDayBound(all, without)).toBe(2 * L0);
      for (const list of changes.values()) {
        for (const change of list)
          expect(change).toEqual({ unique_participants: 1, doors_opened: C, repeat_participants: 1 });
      }
    }
  });
});
