// Synthetic cities and interaction events generated in SQL, shared by bench:precompute and the API
// benchmark's released-cells data set (bench/api.ts).
import type { DatabaseHandle } from "../src/db/client";

const GEOHASH_ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";
const INSERT_BATCH = 1_000_000;

export interface SyntheticWorld {
  cities: number;
  cellsPerCity: number;
  eventsPerParticipant: number;
  start: Date;
  days: number;
}

/** City codes in the API's format (`xx-code`): bx-c01, bx-c02, ... */
export function benchCityCode(city: number): string {
  return `bx-c${String(city + 1).padStart(2, "0")}`;
}

function geohash3Of(city: number, cell: number): string {
  return `b${GEOHASH_ALPHABET[city]}${GEOHASH_ALPHABET[cell]}`;
}

export async function insertCities(database: DatabaseHandle, world: SyntheticWorld): Promise<void> {
  for (let city = 0; city < world.cities; city++) {
    const code = benchCityCode(city);
    await database.query(
      `insert into city_definitions (code, name, country_code, center_lat, center_lng, radius_km)
       values ($1, $2, 'XX', $3, $4, 40)`,
      [code, `Bench City ${city + 1}`, -60 + 10 * city, -150 + 25 * city],
    );
    for (let cell = 0; cell < world.cellsPerCity; cell++) {
      await database.query("insert into city_geohash3_map (geohash3, city_code) values ($1, $2)", [
        geohash3Of(city, cell),
        code,
      ]);
    }
  }
}

/**
 * Events generated in SQL: cities, door types and categories skewed (a few busy cells pass k, most
 * do not), each participant tied to one city with ~eventsPerParticipant events, times uniform over
 * the days. Batches arrive in time order, as ingestion does, which keeps the occurred_at indexes
 * cheap to build. Seeded, so a re-run generates the same events.
 */
export async function insertEvents(
  database: DatabaseHandle,
  world: SyntheticWorld,
  total: number,
  onProgress: (done: number) => void = () => {},
): Promise<void> {
  const { cities, cellsPerCity } = world;
  const participantsPerCity = Math.max(1, Math.ceil(total / world.eventsPerParticipant / cities));
  const geohashes = Array.from({ length: cities * cellsPerCity }, (_, i) =>
    geohash3Of(Math.floor(i / cellsPerCity), i % cellsPerCity),
  );
  const batches = Math.ceil(total / INSERT_BATCH);
  const sliceSeconds = (world.days * 86_400) / batches;
  for (let done = 0, batch = 0; done < total; batch++) {
    const size = Math.min(INSERT_BATCH, total - done);
    await database.transaction(async (query) => {
      // Seeded per batch (same session as the insert).
      await query("select setseed($1)", [((batch % 1000) + 1) / 1001]);
      await query(
        `insert into interaction_events (participant_id, occurred_at, lat, lng, geohash, geohash3, door_type, category)
         select 'p' || (s.city + $2::int * s.member), $3::timestamptz + s.second * interval '1 second', 0, 0,
                ($4::text[])[1 + s.city * $5::int + s.cell] || 'zzzz', ($4::text[])[1 + s.city * $5::int + s.cell],
                (array['spot', 'spot', 'spot', 'spot', 'spot', 'spot', 'spot', 'event', 'event', 'community'])[1 + s.door]::door_type,
                (enum_range(null::category))[1 + s.category]
         from (
           select floor($2::int * random() ^ 1.5)::int as city,
                  floor($6::int * random())::int as member,
                  floor($7::float8 + $8::float8 * random())::int as second,
                  floor($5::int * random())::int as cell,
                  floor(10 * random())::int as door,
                  floor(9 * random() ^ 2)::int as category
           from generate_series(1, $1::int)
         ) s
         order by s.second`,
        [
          size,
          cities,
          world.start,
          geohashes,
          cellsPerCity,
          participantsPerCity,
          batch * sliceSeconds,
          sliceSeconds,
        ],
      );
    });
    done += size;
    onProgress(done);
  }
}
