import type { DatabaseHandle } from "../../db/client";
import type { UserError } from "../../errors";
import { geohashBounds } from "./geohash";

/** A rectangle in degrees. `west > east` when it crosses the antimeridian. */
export interface BoundingBox {
  south: number;
  west: number;
  north: number;
  east: number;
}

export interface Geohash3CellBounds extends BoundingBox {
  geohash3: string;
  /** circle (from the city definition) or an operator's override. */
  source: string;
}

export interface CityGeohash3Bounds {
  cityCode: string;
  cells: Geohash3CellBounds[];
  /** The smallest box holding every cell; null when the city has no cell. */
  bounds: BoundingBox | null;
}

const CITY_CODE = /^[a-z]{2}-[a-z0-9]{2,8}$/;

/** GeoJSON Polygon coordinates of a box: one closed ring, [longitude, latitude], counter-clockwise. */
export function boxRing(box: BoundingBox): number[][][] {
  return [
    [
      [box.west, box.south],
      [box.east, box.south],
      [box.east, box.north],
      [box.west, box.north],
      [box.west, box.south],
    ],
  ];
}

/** A GeoJSON FeatureCollection of a city's cells, one Polygon feature per cell. */
export function cellsFeatureCollection(city: CityGeohash3Bounds) {
  return {
    type: "FeatureCollection",
    ...(city.bounds === null
      ? {}
      : { bbox: [city.bounds.west, city.bounds.south, city.bounds.east, city.bounds.north] }),
    features: city.cells.map((cell) => ({
      type: "Feature",
      id: cell.geohash3,
      properties: { geohash3: cell.geohash3, cityCode: city.cityCode },
      geometry: { type: "Polygon", coordinates: boxRing(cell) },
    })),
  };
}

/**
 * The smallest box holding every given box. Longitudes wrap: the box leaves out the widest
 * longitude gap between the boxes, so a city astride the antimeridian gets west > east instead of
 * a box around the whole world.
 */
export function unionBounds(boxes: readonly BoundingBox[]): BoundingBox | null {
  if (boxes.length === 0) return null;
  const south = Math.min(...boxes.map((box) => box.south));
  const north = Math.max(...boxes.map((box) => box.north));
  const spans = boxes.map((box) => ({ west: box.west, east: box.east })).sort((a, b) => a.west - b.west);
  const merged: Array<{ west: number; east: number }> = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last !== undefined && span.west <= last.east) last.east = Math.max(last.east, span.east);
    else merged.push({ ...span });
  }
  const first = merged[0] as { west: number; east: number };
  const final = merged.at(-1) as { west: number; east: number };
  let west = first.west;
  let east = final.east;
  let widestGap = first.west + 360 - final.east;
  for (let index = 0; index + 1 < merged.length; index += 1) {
    const before = merged[index] as { west: number; east: number };
    const after = merged[index + 1] as { west: number; east: number };
    const gap = after.west - before.east;
    if (gap > widestGap) {
      widestGap = gap;
      west = after.west;
      east = before.east;
    }
  }
  return { south, west, north, east };
}

/**
 * Every geohash3 cell mapped to a city with its box, and the city's box. Refused with a userError:
 * a code that is not a city code (INVALID_CITY_CODE) and a city that does not exist (UNKNOWN_CITY);
 * for a buyer, a city is one it may query, a CITY_CODE bucket, only when cells are mapped to it.
 */
export async function cityGeohash3Bounds(
  database: DatabaseHandle,
  cityCode: string,
  audience: "internal" | "buyer",
): Promise<{ ok: true; city: CityGeohash3Bounds } | { ok: false; userErrors: UserError[] }> {
  const refuse = (code: string, message: string) => ({
    ok: false as const,
    userErrors: [{ field: ["cityCode"], code, message }],
  });
  if (!CITY_CODE.test(cityCode)) {
    return refuse(
      "INVALID_CITY_CODE",
      "cityCode must look like us-nyc: two-letter country, dash, 2-8 lowercase letters or digits.",
    );
  }
  const [city] = await database.query<{ code: string }>("select code from city_definitions where code = $1", [
    cityCode,
  ]);
  const cells = await database.query<{ geohash3: string; source: string }>(
    "select geohash3, source from city_geohash3_map where city_code = $1 order by geohash3",
    [cityCode],
  );
  if (city === undefined || (audience === "buyer" && cells.length === 0)) {
    return refuse(
      "UNKNOWN_CITY",
      audience === "buyer"
        ? `No city ${cityCode} with geohash3 cells; use a geoBucket id of a CITY_CODE insights cell.`
        : `No city ${cityCode}; the cities query lists the known codes.`,
    );
  }
  const boxes = cells.map((cell) => {
    const { minLat, minLng, maxLat, maxLng } = geohashBounds(cell.geohash3);
    return {
      geohash3: cell.geohash3,
      source: cell.source,
      south: minLat,
      west: minLng,
      north: maxLat,
      east: maxLng,
    };
  });
  return { ok: true, city: { cityCode, cells: boxes, bounds: unionBounds(boxes) } };
}
