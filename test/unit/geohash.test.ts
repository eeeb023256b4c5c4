import ngeohash from "ngeohash";
import { describe, expect, it } from "vitest";
import {
  coverCircleWithGeohash,
  destinationPoint,
  distanceToBoundsKm,
  encodeGeohash,
  geohashBounds,
  haversineKm,
} from "../../src/resolvers/geo/geohash";

const NEW_YORK = { lat: 40.7128, lng: -74.006 };

/** Independent of distanceToBoundsKm: the closest of a dense grid of points over the cell. */
function sampledMinDistanceKm(lat: number, lng: number, geohash: string): number {
  const bounds = geohashBounds(geohash);
  const steps = 60;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i <= steps; i++) {
    for (let j = 0; j <= steps; j++) {
      const pointLat = bounds.minLat + ((bounds.maxLat - bounds.minLat) * i) / steps;
      const pointLng = bounds.minLng + ((bounds.maxLng - bounds.minLng) * j) / steps;
      best = Math.min(best, haversineKm(lat, lng, pointLat, pointLng));
    }
  }
  return best;
}

describe("geohash helpers", () => {
  it("encodes New York City Hall as geohash3 dr5 and precision 7 dr5regw", () => {
    expect(encodeGeohash(NEW_YORK.lat, NEW_YORK.lng, 3)).toBe("dr5");
    expect(encodeGeohash(NEW_YORK.lat, NEW_YORK.lng, 7)).toBe("dr5regw");
  });

  it("measures London to Paris as about 344 km", () => {
    expect(haversineKm(51.5074, -0.1278, 48.8566, 2.3522)).toBeCloseTo(343.9, 0);
  });

  it("gives zero distance to a cell from a point inside it and the edge distance from outside", () => {
    expect(distanceToBoundsKm(NEW_YORK.lat, NEW_YORK.lng, geohashBounds("dr5"))).toBe(0);
    // dr5's northern edge is latitude 40.78125, 0.06845 degrees (7.6 km) north of City Hall.
    expect(distanceToBoundsKm(NEW_YORK.lat, NEW_YORK.lng, geohashBounds("dr7"))).toBeCloseTo(7.61, 1);
  });
});

describe("coverCircleWithGeohash", () => {
  it("covers a 40 km circle around New York with exactly dr5 and dr7", () => {
    expect(coverCircleWithGeohash(NEW_YORK.lat, NEW_YORK.lng, 40)).toEqual(["dr5", "dr7"]);
  });

  it("always contains the cell of the centre, even for a zero radius", () => {
    for (const [lat, lng] of [
      [40.7128, -74.006],
      [-33.8688, 151.2093],
      [64.1466, -21.9426],
    ] as const) {
      for (const radius of [0, 5, 80]) {
        expect(coverCircleWithGeohash(lat, lng, radius)).toContain(encodeGeohash(lat, lng, 3));
      }
    }
    expect(coverCircleWithGeohash(NEW_YORK.lat, NEW_YORK.lng, 0)).toEqual(["dr5"]);
  });

  it("contains no cell farther than the radius from the centre, checked by sampling each cell", () => {
    const radiusKm = 250;
    const cover = coverCircleWithGeohash(NEW_YORK.lat, NEW_YORK.lng, radiusKm);
    expect(cover.length).toBeGreaterThan(10);
    for (const cell of cover) {
      expect(sampledMinDistanceKm(NEW_YORK.lat, NEW_YORK.lng, cell)).toBeLessThanOrEqual(radiusKm + 1);
    }
    // The ring of neighbours just outside the cover really is out of reach.
    const outside = new Set(
      cover.flatMap((cell) => ngeohash.neighbors(cell)).filter((cell) => !cover.includes(cell)),
    );
    expect(outside.size).toBeGreaterThan(0);
    for (const cell of outside) {
      expect(sampledMinDistanceKm(NEW_YORK.lat, NEW_YORK.lng, cell)).toBeGreaterThan(radiusKm - 1);
    }
  });

  it("contains the cell of every point inside the circle", () => {
    const radiusKm = 120;
    const cover = new Set(coverCircleWithGeohash(51.5074, -0.1278, radiusKm));
    for (let bearing = 0; bearing < 360; bearing += 7.5) {
      for (const fraction of [0.25, 0.5, 0.75, 0.999]) {
        const point = destinationPoint(51.5074, -0.1278, bearing, radiusKm * fraction);
        expect(haversineKm(51.5074, -0.1278, point.lat, point.lng)).toBeCloseTo(radiusKm * fraction, 6);
        expect(cover.has(encodeGeohash(point.lat, point.lng, 3))).toBe(true);
      }
    }
  });

  it("grows with the radius and every smaller cover is inside the larger one", () => {
    const radii = [1, 40, 100, 300, 600];
    const covers = radii.map((radius) => coverCircleWithGeohash(NEW_YORK.lat, NEW_YORK.lng, radius));
    expect(covers.map((cover) => cover.length)).toEqual([1, 2, 6, 22, 77]);
    for (let i = 1; i < covers.length; i++) {
      for (const cell of covers[i - 1] ?? []) expect(covers[i]).toContain(cell);
    }
  });

  it("returns sorted, unique cells and works at other precisions", () => {
    const cover = coverCircleWithGeohash(35.6762, 139.6503, 30, 4);
    expect(cover).toEqual([...new Set(cover)].sort());
    expect(cover.every((cell) => cell.length === 4)).toBe(true);
    expect(cover).toContain(encodeGeohash(35.6762, 139.6503, 4));
  });

  it("covers both sides of the antimeridian for a circle that straddles it", () => {
    const cover = coverCircleWithGeohash(-17, 179.95, 30);
    expect(cover).toContain(encodeGeohash(-17, 179.9, 3));
    expect(cover).toContain(encodeGeohash(-17, -179.9, 3));
    expect(cover).toEqual(["2hb", "2j0", "ruz", "rvp"]);
  });

  it("rejects a negative radius", () => {
    expect(() => coverCircleWithGeohash(0, 0, -1)).toThrow(/non-negative/);
  });
});
