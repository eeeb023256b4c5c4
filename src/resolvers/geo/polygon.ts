/** A GeoJSON Polygon geometry (RFC 7946): rings of [longitude, latitude] positions, each closed. */
export interface GeoJsonPolygon {
  type: "Polygon";
  coordinates: number[][][];
}

export interface PolygonProblem {
  /** Where in the GeoJSON, e.g. ["coordinates", "0"] for the first ring. */
  path: string[];
  code: string;
  message: string;
}

export type PolygonCheck = { ok: true; polygon: GeoJsonPolygon } | { ok: false; problems: PolygonProblem[] };

const MAX_RINGS = 100;
const MAX_POSITIONS = 10_000;
// Enough to say what is wrong with a bad shape without echoing thousands of positions back.
const MAX_PROBLEMS = 20;

/**
 * Checks a GeoJSON Polygon: one or more rings, each of at least 4 [lon, lat] positions of finite
 * numbers in range (lon -180..180, lat -90..90), its last position equal to its first.
 */
export function checkPolygon(value: unknown): PolygonCheck {
  const problems: PolygonProblem[] = [];
  const problem = (path: Array<string | number>, code: string, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ path: path.map(String), code, message });
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      problems: [
        { path: [], code: "INVALID_GEOJSON", message: "The shape must be a GeoJSON Polygon object." },
      ],
    };
  }
  const { type, coordinates } = value as { type?: unknown; coordinates?: unknown };
  if (type !== "Polygon") problem(["type"], "NOT_A_POLYGON", 'type must be "Polygon".');
  if (!Array.isArray(coordinates) || coordinates.length === 0) {
    problem(["coordinates"], "INVALID_GEOJSON", "coordinates must be a non-empty array of rings.");
    return { ok: false, problems };
  }
  const positions = coordinates.reduce<number>(
    (sum, ring) => sum + (Array.isArray(ring) ? ring.length : 0),
    0,
  );
  if (coordinates.length > MAX_RINGS || positions > MAX_POSITIONS) {
    problem(
      ["coordinates"],
      "SHAPE_TOO_LARGE",
      `A shape may have at most ${MAX_RINGS} rings and ${MAX_POSITIONS} positions; simplify it.`,
    );
    return { ok: false, problems };
  }
  coordinates.forEach((ring: unknown, ringIndex) => {
    if (!Array.isArray(ring)) {
      problem(
        ["coordinates", ringIndex],
        "INVALID_GEOJSON",
        `Ring ${ringIndex} must be an array of positions.`,
      );
      return;
    }
    let positionsValid = true;
    ring.forEach((position: unknown, index) => {
      const path = ["coordinates", ringIndex, index];
      if (!Array.isArray(position) || position.length !== 2 || position.some((n) => typeof n !== "number")) {
        positionsValid = false;
        problem(path, "INVALID_POSITION", "A position is [longitude, latitude]: two numbers.");
      } else if (!position.every((n) => Number.isFinite(n))) {
        positionsValid = false;
        problem(
          path,
          "POSITION_NOT_FINITE",
          "Longitude and latitude must be finite numbers (no NaN or infinity).",
        );
      } else if (Math.abs(position[0]) > 180 || Math.abs(position[1]) > 90) {
        positionsValid = false;
        problem(
          path,
          "POSITION_OUT_OF_RANGE",
          `[${position[0]}, ${position[1]}] is out of range: longitude -180..180, latitude -90..90 (GeoJSON order is [lon, lat]).`,
        );
      }
    });
    if (ring.length < 4) {
      problem(
        ["coordinates", ringIndex],
        "RING_TOO_SHORT",
        `Ring ${ringIndex} has ${ring.length} positions; a closed ring needs at least 4 (the last repeating the first).`,
      );
    } else if (positionsValid) {
      const first = ring[0] as number[];
      const last = ring[ring.length - 1] as number[];
      if (first[0] !== last[0] || first[1] !== last[1]) {
        problem(
          ["coordinates", ringIndex],
          "POLYGON_NOT_CLOSED",
          `Ring ${ringIndex} does not close: its last position must equal its first, [${first[0]}, ${first[1]}].`,
        );
      }
    }
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, polygon: { type: "Polygon", coordinates: coordinates as number[][][] } };
}
