import { createHash } from "node:crypto";
import type { DatabaseHandle } from "../db/client";
import { CATEGORIES, type Category, DOOR_TYPES, type DoorType } from "../db/schema/enums";
import { cityDefinitions, localities, localityNameKey, localityShapes } from "../db/schema/geo";
import { dsDirectory, partnerNormalization, rmDirectory, tenants } from "../db/schema/imports";
import { populateCityGeohashMap } from "../resolvers/geo/cityGeohashMap";
import { destinationPoint, encodeGeohash } from "../resolvers/geo/geohash";
import { DEMO_CITIES, DEMO_LOCALITIES, type DemoCity, squarePolygonAround } from "./cities";

export interface DemoDataOptions {
  seed: number;
  /** UTC days of events, the last one being the day that contains `now`. */
  days: number;
  /** Every event is strictly before this instant. */
  now: Date;
  /** Multiplies participant counts; 1 is the full demo (~1.3 million events over the default 28 days). */
  scale?: number;
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface DemoDataSummary {
  cities: number;
  spots: number;
  events: number;
  /** Distinct participants with at least one event. */
  participants: number;
  firstEventAt: Date | null;
  lastEventAt: Date | null;
}

const SECONDS_PER_DAY = 86_400;
const MS_PER_DAY = SECONDS_PER_DAY * 1000;
const EVENT_BATCH_ROWS = 25_000;
const SPOT_BATCH_ROWS = 5_000;
/** Events reach the database shortly after they happen; precompute may filter on ingestion time. */
const INGESTION_DELAY_SECONDS = 90;

// Per unit of city weight (the city's weight plus CITY_WEIGHT_FLOOR); sized with `npm run
// bench:utility` so that every city's daily total clears its release threshold and the busiest
// segments of the biggest cities clear FULL's, while most FULL cells stay suppressed.
const LOYAL_PARTICIPANTS_PER_WEIGHT = 120;
const OCCASIONAL_PARTICIPANTS_PER_WEIGHT = 1650;
/** Added to every city's weight, so the smallest city still has ~700 participants a day. */
const CITY_WEIGHT_FLOOR = 6;
const SPOTS_BASE = 110;
const SPOTS_PER_WEIGHT = 12;
/** Relative growth of activity from the first to the last day, so trends have a direction. */
const GROWTH_OVER_PERIOD = 0.15;

type DayPart = "morning" | "midday" | "evening" | "night";
type Segment = `${DoorType}/${Category}`;
type SegmentWeights = Partial<Record<Segment, number>>;

const SEGMENTS: readonly Segment[] = DOOR_TYPES.flatMap((door) =>
  CATEGORIES.map((category): Segment => `${door}/${category}`),
);
/** Every segment keeps a little activity, so rare cells exist everywhere. */
const SEGMENT_FLOOR_WEIGHT = 0.3;

// Which doors people open at which time; weekdays follow commute and lunch, weekends leisure.
const WEEKDAY_SEGMENTS: Record<DayPart, SegmentWeights> = {
  morning: {
    "spot/coffee": 70,
    "spot/food": 8,
    "spot/sports": 6,
    "spot/outdoor": 5,
    "event/tech": 3,
    "community/community": 2,
  },
  midday: {
    "spot/food": 55,
    "spot/coffee": 12,
    "spot/outdoor": 6,
    "spot/art": 4,
    "event/tech": 5,
    "spot/tech": 3,
    "community/community": 2,
  },
  evening: {
    "event/music": 34,
    "spot/food": 22,
    "spot/sports": 9,
    "event/sports": 6,
    "event/art": 5,
    "spot/music": 5,
    "community/community": 4,
    "event/tech": 3,
    "community/sports": 2,
  },
  night: { "event/music": 20, "spot/food": 8, "spot/music": 6, "spot/other": 2 },
};
const WEEKEND_SEGMENTS: SegmentWeights = {
  "spot/outdoor": 26,
  "spot/food": 22,
  "spot/coffee": 16,
  "event/music": 12,
  "event/sports": 8,
  "spot/art": 6,
  "community/community": 5,
  "event/art": 3,
  "spot/sports": 4,
  "community/outdoor": 2,
};

// Relative activity per UTC hour 0..23: morning, lunch and evening peaks, quiet nights.
const WEEKDAY_HOURS = [
  0.3, 0.2, 0.15, 0.15, 0.2, 0.5, 1.8, 4.5, 7, 6, 3.5, 3.5, 6.5, 6, 3, 2.5, 3, 4.5, 6, 6.5, 5, 3.5, 2, 1,
];
const WEEKEND_HOURS = [
  1.2, 0.9, 0.6, 0.3, 0.2, 0.2, 0.4, 0.8, 1.5, 3, 5, 6, 6.5, 6.5, 6, 5.5, 5, 4.5, 5, 5.5, 5, 4, 3, 2,
];

/** The release contexts' day parts, in UTC: morning 06-11, midday 11-16, evening 16-23, else night. */
function dayPartOf(hour: number): DayPart {
  if (hour >= 6 && hour < 11) return "morning";
  if (hour >= 11 && hour < 16) return "midday";
  if (hour >= 16 && hour < 23) return "evening";
  return "night";
}

/** sfc32, seeded from sha256 of a label: fast, deterministic, independent streams per label. */
function createRandom(label: string): () => number {
  const digest = createHash("sha256").update(label).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = () => {
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Draws an index with probability proportional to its weight (binary search on cumulative sums). */
class WeightedPicker {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((weight, index) => {
      sum += weight;
      this.cumulative[index] = sum;
    });
    if (!(sum > 0)) throw new Error("WeightedPicker needs at least one positive weight");
    this.total = sum;
  }

  pick(random: () => number): number {
    const target = random() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.cumulative[middle] ?? 0) > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

function segmentPicker(weights: SegmentWeights): WeightedPicker {
  return new WeightedPicker(SEGMENTS.map((segment) => weights[segment] ?? SEGMENT_FLOOR_WEIGHT));
}

const WEEKDAY_SEGMENT_PICKERS: Record<DayPart, WeightedPicker> = {
  morning: segmentPicker(WEEKDAY_SEGMENTS.morning),
  midday: segmentPicker(WEEKDAY_SEGMENTS.midday),
  evening: segmentPicker(WEEKDAY_SEGMENTS.evening),
  night: segmentPicker(WEEKDAY_SEGMENTS.night),
};
const WEEKEND_SEGMENT_PICKER = segmentPicker(WEEKEND_SEGMENTS);
const WEEKDAY_HOUR_PICKER = new WeightedPicker(WEEKDAY_HOURS);
const WEEKEND_HOUR_PICKER = new WeightedPicker(WEEKEND_HOURS);

/** How many spots of each segment a city has: roughly its overall share of activity. */
const SPOT_SEGMENT_PICKER = new WeightedPicker(
  SEGMENTS.map(
    (segment) =>
      Object.values(WEEKDAY_SEGMENTS).reduce((sum, weights) => sum + (weights[segment] ?? 0), 0) +
      (WEEKEND_SEGMENTS[segment] ?? 0) +
      1,
  ),
);

interface DemoSpot {
  id: string;
  cityCode: string;
  name: string;
  doorType: DoorType;
  category: Category;
  lat: number;
  lng: number;
  geohash: string;
  popularity: number;
}

interface Participant {
  /** Index into the generator's participant id list. */
  index: number;
  weekdayActivity: number;
  weekendActivity: number;
  extraEventChance: number;
  favouriteShare: number;
  favouriteSpot: number;
}

interface CityModel {
  random: () => number;
  spots: DemoSpot[];
  /** First global index of this city's spots. */
  spotOffset: number;
  spotPickerBySegment: (WeightedPicker | undefined)[];
  spotIndexesBySegment: number[][];
  participants: Participant[];
}

const SPOT_NAME_WORDS = ["Harbour", "Corner", "Lantern", "Maple", "Granite", "Willow", "Station", "Garden"];
const SEGMENT_NOUNS: Record<DoorType, string> = { spot: "Spot", event: "Nights", community: "Circle" };

function spotName(city: DemoCity, category: Category, doorType: DoorType, ordinal: number): string {
  const word = SPOT_NAME_WORDS[ordinal % SPOT_NAME_WORDS.length] ?? "Corner";
  const label = category.charAt(0).toUpperCase() + category.slice(1);
  return `${city.name} ${word} ${label} ${SEGMENT_NOUNS[doorType]} ${ordinal + 1}`;
}

function buildSpots(city: DemoCity, seed: number): DemoSpot[] {
  const random = createRandom(`${seed}|${city.code}|spots`);
  const count = Math.round(SPOTS_BASE + SPOTS_PER_WEIGHT * city.weight);
  const spots: DemoSpot[] = [];
  for (let ordinal = 0; ordinal < count; ordinal++) {
    // The first spots cover every segment once, so every lattice cell can occur in every city.
    const segmentIndex = ordinal < SEGMENTS.length ? ordinal : SPOT_SEGMENT_PICKER.pick(random);
    const [doorType, category] = (SEGMENTS[segmentIndex] ?? "spot/other").split("/") as [DoorType, Category];
    // Denser towards the centre; 0.97 keeps rounding from pushing a spot outside the circle.
    const distanceKm = city.radiusKm * 0.97 * random() ** 0.75;
    const position = destinationPoint(city.centerLat, city.centerLng, random() * 360, distanceKm);
    const lat = Math.round(position.lat * 1e6) / 1e6;
    const lng = Math.round(position.lng * 1e6) / 1e6;
    spots.push({
      id: `${city.code}-s${String(ordinal + 1).padStart(4, "0")}`,
      cityCode: city.code,
      name: spotName(city, category, doorType, ordinal),
      doorType,
      category,
      lat,
      lng,
      geohash: encodeGeohash(lat, lng, 7),
      // Pareto tail: a few spots draw crowds, most see a handful of visitors.
      popularity: Math.min(300, (1 - random()) ** (-1 / 1.1)),
    });
  }
  return spots;
}

function participantId(seed: number, cityCode: string, ordinal: number): string {
  return createHash("sha256").update(`${seed}|${cityCode}|${ordinal}`).digest("hex").slice(0, 16);
}

function buildCityModel(
  city: DemoCity,
  seed: number,
  scale: number,
  spotOffset: number,
  participantIds: string[],
): CityModel {
  const spots = buildSpots(city, seed);
  const spotIndexesBySegment: number[][] = SEGMENTS.map(() => []);
  spots.forEach((spot, index) => {
    spotIndexesBySegment[SEGMENTS.indexOf(`${spot.doorType}/${spot.category}`)]?.push(index);
  });
  const spotPickerBySegment = spotIndexesBySegment.map((indexes) =>
    indexes.length === 0
      ? undefined
      : new WeightedPicker(indexes.map((index) => spots[index]?.popularity ?? 1)),
  );
  const favouritePicker = new WeightedPicker(spots.map((spot) => spot.popularity));

  const random = createRandom(`${seed}|${city.code}|participants`);
  const weight = city.weight + CITY_WEIGHT_FLOOR;
  const loyalCount = Math.max(1, Math.round(LOYAL_PARTICIPANTS_PER_WEIGHT * weight * scale));
  const occasionalCount = Math.max(1, Math.round(OCCASIONAL_PARTICIPANTS_PER_WEIGHT * weight * scale));
  const participants: Participant[] = [];
  for (let ordinal = 0; ordinal < loyalCount + occasionalCount; ordinal++) {
    const loyal = ordinal < loyalCount;
    // Loyal regulars show up most weekdays and a little less at weekends; visitors come rarely, more at weekends.
    const weekdayActivity = loyal ? 0.55 + 0.35 * random() : 0.015 + 0.05 * random();
    participants.push({
      index: participantIds.push(participantId(seed, city.code, ordinal)) - 1,
      weekdayActivity,
      weekendActivity: loyal ? weekdayActivity * 0.7 : weekdayActivity * 1.8,
      extraEventChance: loyal ? 0.5 : 0.2,
      favouriteShare: loyal ? 0.35 : 0.15,
      favouriteSpot: favouritePicker.pick(random),
    });
  }
  return {
    random: createRandom(`${seed}|${city.code}|events`),
    spots,
    spotOffset,
    spotPickerBySegment,
    spotIndexesBySegment,
    participants,
  };
}

function pickSpot(model: CityModel, participant: Participant, hour: number, weekend: boolean): number {
  const { random } = model;
  if (random() < participant.favouriteShare) return participant.favouriteSpot;
  const picker = weekend ? WEEKEND_SEGMENT_PICKER : WEEKDAY_SEGMENT_PICKERS[dayPartOf(hour)];
  const segment = picker.pick(random);
  const spotPicker = model.spotPickerBySegment[segment];
  const indexes = model.spotIndexesBySegment[segment];
  if (spotPicker === undefined || indexes === undefined) return participant.favouriteSpot;
  return indexes[spotPicker.pick(random)] ?? participant.favouriteSpot;
}

/** One UTC day of events as parallel arrays, sorted by time. */
interface DayEvents {
  participants: number[];
  offsets: number[];
  spots: number[];
}

function generateDay(
  models: CityModel[],
  dayIndex: number,
  days: number,
  windowStartMs: number,
  nowMs: number,
): DayEvents {
  const dayStartSeconds = dayIndex * SECONDS_PER_DAY;
  const weekday = new Date(windowStartMs + dayIndex * MS_PER_DAY).getUTCDay();
  const weekend = weekday === 0 || weekday === 6;
  const growth = 1 + GROWTH_OVER_PERIOD * (days <= 1 ? 1 : dayIndex / (days - 1));
  const hourPicker = weekend ? WEEKEND_HOUR_PICKER : WEEKDAY_HOUR_PICKER;
  const limitSeconds = (nowMs - windowStartMs) / 1000;

  const rows: { participant: number; offset: number; spot: number }[] = [];
  for (const model of models) {
    const { random } = model;
    // Day-to-day swing per city (weather, local happenings) on top of the slow growth.
    const dailyFactor = growth * (0.9 + 0.2 * random());
    for (const participant of model.participants) {
      const activity = (weekend ? participant.weekendActivity : participant.weekdayActivity) * dailyFactor;
      if (random() >= activity) continue;
      let eventCount = 1;
      if (random() < participant.extraEventChance) eventCount++;
      if (random() < participant.extraEventChance * 0.3) eventCount++;
      for (let n = 0; n < eventCount; n++) {
        const hour = hourPicker.pick(random);
        const spot = pickSpot(model, participant, hour, weekend);
        const offset = dayStartSeconds + hour * 3600 + Math.floor(random() * 3600);
        if (offset >= limitSeconds) continue;
        rows.push({ participant: participant.index, offset, spot: model.spotOffset + spot });
      }
    }
  }
  // Stable sort: ties keep generation order, so the result is the same on every run.
  rows.sort((a, b) => a.offset - b.offset);
  return {
    participants: rows.map((row) => row.participant),
    offsets: rows.map((row) => row.offset),
    spots: rows.map((row) => row.spot),
  };
}

// Enum arrays travel as text[] and are cast per element: PGlite cannot serialise enum[] parameters.
const INSERT_SPOTS_SQL = `
  insert into spots (id, city_code, name, door_type, category, lat, lng, geohash)
  select id, city_code, name, door_type::door_type, category::category, lat, lng, geohash
  from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::text[])
    as u(id, city_code, name, door_type, category, lat, lng, geohash)
  on conflict (id) do nothing`;

// Location, door type and category come from the event's spot, so events and spots cannot disagree.
const INSERT_EVENTS_SQL = `
  insert into interaction_events
    (participant_id, occurred_at, lat, lng, geohash, geohash3, door_type, category, spot_id, ingested_at)
  select e.participant_id, e.occurred_at, s.lat, s.lng, s.geohash, left(s.geohash, 3), s.door_type,
         s.category, s.id, least(e.occurred_at + make_interval(secs => ${INGESTION_DELAY_SECONDS}), $5::timestamptz)
  from (
    select u.participant_id, $4::timestamptz + make_interval(secs => u.offset_seconds) as occurred_at,
           u.spot_id, u.ordinal
    from unnest($1::text[], $2::int4[], $3::text[]) with ordinality as u(participant_id, offset_seconds, spot_id, ordinal)
  ) e
  join spots s on s.id = e.spot_id
  order by e.ordinal`;

const DEMO_JOB_NAME = "demo-data";

/** True when a demo-data run finished (its job run is recorded as succeeded). */
export async function isDemoDataComplete(handle: DatabaseHandle): Promise<boolean> {
  const rows = await handle.query<{ complete: boolean }>(
    "select exists (select 1 from job_runs where job_name = $1 and outcome = 'succeeded') as complete",
    [DEMO_JOB_NAME],
  );
  return rows[0]?.complete === true;
}

/**
 * Removes what an interrupted demo-data run left (its events and spots), so the next run starts
 * clean. Only for the embedded demo database: it deletes every interaction event.
 */
export async function clearIncompleteDemoData(handle: DatabaseHandle): Promise<void> {
  await handle.query("delete from interaction_events");
  await handle.query("delete from spots");
  await handle.query(
    "update job_runs set outcome = 'abandoned', finished_at = now() where job_name = $1 and outcome = 'running'",
    [DEMO_JOB_NAME],
  );
}

/** True when interaction_events already holds rows (demo data or real data). */
export async function isDemoDataPresent(handle: DatabaseHandle): Promise<boolean> {
  const rows = await handle.query<{ present: boolean }>(
    "select exists (select 1 from interaction_events) as present",
  );
  return rows[0]?.present === true;
}

function utcDayStart(ms: number): number {
  return Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;
}

/**
 * Fills an empty database with a deterministic demo world: cities and their geohash3 map, spots,
 * interaction events with daily and weekly rhythms, localities with shapes, and the import
 * directories the 002 seed's sample row needs. The same seed and options give the same rows.
 */
export async function generateDemoData(
  handle: DatabaseHandle,
  options: DemoDataOptions,
): Promise<DemoDataSummary> {
  const { seed, days, now, onProgress } = options;
  const scale = options.scale ?? 1;
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a positive integer, got ${days}`);
  if (!(scale > 0)) throw new Error(`scale must be greater than 0, got ${scale}`);
  if (Number.isNaN(now.getTime())) throw new Error("now must be a valid date");
  if (await isDemoDataPresent(handle)) {
    throw new Error(
      "interaction_events already has rows; demo data is only generated into an empty database. Use a fresh database (or delete the PGlite data folder) to regenerate.",
    );
  }

  const started = await handle.query<{ id: string }>(
    "insert into job_runs (job_name, job_key, started_at, outcome, details) values ($1, $2, now(), 'running', $3) returning id",
    [DEMO_JOB_NAME, `seed:${seed}`, JSON.stringify({ seed, days, scale, now: now.toISOString() })],
  );
  const nowMs = now.getTime();
  // The last day is the UTC day holding the instant just before now (now itself is excluded).
  const windowStartMs = utcDayStart(nowMs - 1) - (days - 1) * MS_PER_DAY;

  onProgress?.("cities", 0, DEMO_CITIES.length);
  await handle.db
    .insert(cityDefinitions)
    .values(DEMO_CITIES.map(({ weight: _weight, ...definition }) => ({ ...definition, updatedAt: now })))
    .onConflictDoNothing({ target: cityDefinitions.code });
  await populateCityGeohashMap(handle, { now: () => now });
  onProgress?.("cities", DEMO_CITIES.length, DEMO_CITIES.length);

  await seedImportDirectories(handle, now);
  await seedLocalities(handle, now);

  const participantIds: string[] = [];
  const models: CityModel[] = [];
  let spotOffset = 0;
  for (const city of DEMO_CITIES) {
    const model = buildCityModel(city, seed, scale, spotOffset, participantIds);
    models.push(model);
    spotOffset += model.spots.length;
  }
  const allSpots = models.flatMap((model) => model.spots);
  await insertSpots(handle, allSpots, onProgress);

  const activeParticipants = new Uint8Array(participantIds.length);
  let events = 0;
  let firstOffset: number | null = null;
  let lastOffset: number | null = null;
  let batch: DayEvents = { participants: [], offsets: [], spots: [] };
  const flush = async () => {
    if (batch.offsets.length === 0) return;
    await handle.query(INSERT_EVENTS_SQL, [
      batch.participants.map((index) => participantIds[index] ?? ""),
      batch.offsets,
      batch.spots.map((index) => allSpots[index]?.id ?? ""),
      new Date(windowStartMs).toISOString(),
      now.toISOString(),
    ]);
    batch = { participants: [], offsets: [], spots: [] };
  };

  onProgress?.("events", 0, days);
  for (let dayIndex = 0; dayIndex < days; dayIndex++) {
    const day = generateDay(models, dayIndex, days, windowStartMs, nowMs);
    for (let row = 0; row < day.offsets.length; row++) {
      const participant = day.participants[row] ?? 0;
      const offset = day.offsets[row] ?? 0;
      activeParticipants[participant] = 1;
      firstOffset ??= offset;
      lastOffset = offset;
      batch.participants.push(participant);
      batch.offsets.push(offset);
      batch.spots.push(day.spots[row] ?? 0);
      if (batch.offsets.length >= EVENT_BATCH_ROWS) {
        await flush();
        onProgress?.("events", dayIndex, days);
      }
    }
    events += day.offsets.length;
  }
  await flush();
  onProgress?.("events", days, days);
  // Fresh statistics, so the first precompute plans its scans on real row counts.
  await handle.query("analyze interaction_events");
  await handle.query(
    "update job_runs set outcome = 'succeeded', finished_at = now(), rows = $2 where id = $1",
    [started[0]?.id, events],
  );

  const toDate = (offset: number | null) =>
    offset === null ? null : new Date(windowStartMs + offset * 1000);
  return {
    cities: DEMO_CITIES.length,
    spots: allSpots.length,
    events,
    participants: activeParticipants.reduce((sum, active) => sum + active, 0),
    firstEventAt: toDate(firstOffset),
    lastEventAt: toDate(lastOffset),
  };
}

async function insertSpots(
  handle: DatabaseHandle,
  spots: DemoSpot[],
  onProgress: DemoDataOptions["onProgress"],
): Promise<void> {
  onProgress?.("spots", 0, spots.length);
  for (let start = 0; start < spots.length; start += SPOT_BATCH_ROWS) {
    const chunk = spots.slice(start, start + SPOT_BATCH_ROWS);
    await handle.query(INSERT_SPOTS_SQL, [
      chunk.map((spot) => spot.id),
      chunk.map((spot) => spot.cityCode),
      chunk.map((spot) => spot.name),
      chunk.map((spot) => spot.doorType),
      chunk.map((spot) => spot.category),
      chunk.map((spot) => spot.lat),
      chunk.map((spot) => spot.lng),
      chunk.map((spot) => spot.geohash),
    ]);
    onProgress?.("spots", start + chunk.length, spots.length);
  }
}

/** Tenant and directory rows the 002 seed's sample import row refers to. */
async function seedImportDirectories(handle: DatabaseHandle, now: Date): Promise<void> {
  const { db } = handle;
  await db.insert(tenants).values({ id: "TELCO", name: "Telco", createdAt: now }).onConflictDoNothing();
  await db
    .insert(partnerNormalization)
    .values({ rawKey: "fulton hogan", canonicalName: "Fulton Hogan", updatedAt: now })
    .onConflictDoNothing();
  await db
    .insert(dsDirectory)
    .values({ preferredUsername: "PREFERRED_USERNAME", active: true, updatedAt: now })
    .onConflictDoNothing();
  await db
    .insert(rmDirectory)
    .values({ preferredUsername: "first.last", displayName: "First Last", active: true, updatedAt: now })
    .onConflictDoNothing();
}

async function seedLocalities(handle: DatabaseHandle, now: Date): Promise<void> {
  const { db } = handle;
  await db
    .insert(localities)
    .values(
      DEMO_LOCALITIES.map((locality) => ({
        ...locality,
        nameKey: localityNameKey(locality.name),
        updatedAt: now,
      })),
    )
    .onConflictDoNothing({ target: localities.code });
  await db
    .insert(localityShapes)
    .values(
      DEMO_LOCALITIES.map((locality) => ({
        localityCode: locality.code,
        geojson: squarePolygonAround(
          locality.centerLat,
          locality.centerLng,
          locality.kind === "locality" ? 3 : 0.8,
        ),
        updatedAt: now,
      })),
    )
    .onConflictDoNothing({ target: localityShapes.localityCode });
}
