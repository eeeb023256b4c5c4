import ngeohash from "ngeohash";

const EARTH_RADIUS_KM = 6371.0088;
const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
const toDegrees = (radians: number) => (radians * 180) / Math.PI;

export interface LatLng {
  lat: number;
  lng: number;
}

/** A geohash cell's rectangle in degrees. */
export interface GeohashBounds {
  minLat: number;
  minLng: number;
  maxLat: number;
  maxLng: number;
}

export function encodeGeohash(lat: number, lng: number, precision: number): string {
  return ngeohash.encode(lat, lng, precision);
}

export function geohashBounds(geohash: string): GeohashBounds {
  const [minLat, minLng, maxLat, maxLng] = ngeohash.decode_bbox(geohash);
  return { minLat, minLng, maxLat, maxLng };
}

export function geohashCenter(geohash: string): LatLng {
  const { latitude, longitude } = ngeohash.decode(geohash);
  return { lat: latitude, lng: longitude };
}

/** Great-circle distance in km. */
export function haversineKm(aLat: number, aLng: number, bLat: number, bLng: number): number {
  const dLat = toRadians(bLat - aLat);
  const dLng = toRadians(bLng - aLng);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRadians(aLat)) * Math.cos(toRadians(bLat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point reached from a start point after distanceKm along an initial bearing (degrees from north). */
export function destinationPoint(
  lat: number,
  lng: number,
  bearingDegrees: number,
  distanceKm: number,
): LatLng {
  const angular = distanceKm / EARTH_RADIUS_KM;
  const bearing = toRadians(bearingDegrees);
  const lat1 = toRadians(lat);
  const lat2 = Math.asin(
    Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing),
  );
  const lng2 =
    toRadians(lng) +
    Math.atan2(
      Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1),
      Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2),
    );
  return { lat: toDegrees(lat2), lng: normalizeLongitude(toDegrees(lng2)) };
}

function normalizeLongitude(lng: number): number {
  return ((((lng + 180) % 360) + 360) % 360) - 180;
}

/** Signed longitude difference in (-180, 180]. */
function longitudeDelta(from: number, to: number): number {
  const delta = normalizeLongitude(to - from);
  return delta === -180 ? 180 : delta;
}

/** Distance in km from a point to the nearest point of a lat/lng rectangle (0 when inside). */
export function distanceToBoundsKm(lat: number, lng: number, bounds: GeohashBounds): number {
  const toMin = longitudeDelta(lng, bounds.minLng);
  const toMax = longitudeDelta(lng, bounds.maxLng);
  const insideLngRange = toMin <= 0 && toMax >= 0;
  if (insideLngRange) {
    const nearestLat = Math.min(Math.max(lat, bounds.minLat), bounds.maxLat);
    return haversineKm(lat, lng, nearestLat, lng);
  }
  const edgeLng = Math.abs(toMin) <= Math.abs(toMax) ? bounds.minLng : bounds.maxLng;
  // Along a meridian the closest point lies poleward of the point's own latitude, not level with it.
  const delta = toRadians(longitudeDelta(lng, edgeLng));
  const closestLat =
    Math.abs(delta) >= Math.PI / 2
      ? lat >= 0
        ? 90
        : -90
      : toDegrees(Math.atan(Math.tan(toRadians(lat)) / Math.cos(delta)));
  const nearestLat = Math.min(Math.max(closestLat, bounds.minLat), bounds.maxLat);
  return haversineKm(lat, lng, nearestLat, edgeLng);
}

/** Longitude ranges of a circle's bounding box, split where it crosses the antimeridian. */
function circleBoundingBoxes(centerLat: number, centerLng: number, radiusKm: number): GeohashBounds[] {
  const angular = radiusKm / EARTH_RADIUS_KM;
  const minLat = centerLat - toDegrees(angular);
  const maxLat = centerLat + toDegrees(angular);
  const sinRatio = Math.sin(angular) / Math.cos(toRadians(centerLat));
  if (minLat <= -90 || maxLat >= 90 || sinRatio >= 1) {
    return [{ minLat: Math.max(minLat, -90), minLng: -180, maxLat: Math.min(maxLat, 90), maxLng: 180 }];
  }
  const lngDelta = toDegrees(Math.asin(sinRatio));
  const west = centerLng - lngDelta;
  const east = centerLng + lngDelta;
  if (west < -180) {
    return [
      { minLat, minLng: -180, maxLat, maxLng: east },
      { minLat, minLng: west + 360, maxLat, maxLng: 180 },
    ];
  }
  if (east > 180) {
    return [
      { minLat, minLng: west, maxLat, maxLng: 180 },
      { minLat, minLng: -180, maxLat, maxLng: east - 360 },
    ];
  }
  return [{ minLat, minLng: west, maxLat, maxLng: east }];
}

/**
 * Every geohash cell of the given precision whose rectangle intersects the circle, sorted.
 * Candidates come from the circle's bounding box; each is kept only when its nearest point is
 * within the radius, so bounding-box corners far from the circle are dropped.
 */
export function coverCircleWithGeohash(
  centerLat: number,
  centerLng: number,
  radiusKm: number,
  precision = 3,
): string[] {
  if (!(radiusKm >= 0)) throw new Error(`radiusKm must be a non-negative number, got ${radiusKm}`);
  const cells = new Set<string>([encodeGeohash(centerLat, centerLng, precision)]);
  for (const box of circleBoundingBoxes(centerLat, centerLng, radiusKm)) {
    for (const candidate of ngeohash.bboxes(box.minLat, box.minLng, box.maxLat, box.maxLng, precision)) {
      if (cells.has(candidate)) continue;
      if (distanceToBoundsKm(centerLat, centerLng, geohashBounds(candidate)) <= radiusKm)
        cells.add(candidate);
    }
  }
  return [...cells].sort();
}
