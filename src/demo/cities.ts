import { localityNameKey } from "../db/schema/geo";
import type { CityRow } from "../resolvers/geo/cities";

/** A demo city: its circle feeds city_definitions, its weight sets how busy it is. */
export interface DemoCity extends Omit<CityRow, "geohash3Cells"> {
  /** Relative daily activity; the busiest city is ~30x the quietest. */
  weight: number;
}

// Far apart on purpose: every city keeps geohash3 cells of its own (a cell is ~156 km wide).
export const DEMO_CITIES: readonly DemoCity[] = [
  {
    code: "us-nyc",
    name: "New York",
    countryCode: "US",
    centerLat: 40.7128,
    centerLng: -74.006,
    radiusKm: 40,
    priority: 2,
    weight: 30,
  },
  {
    code: "jp-tyo",
    name: "Tokyo",
    countryCode: "JP",
    centerLat: 35.6762,
    centerLng: 139.6503,
    radiusKm: 45,
    priority: 2,
    weight: 26,
  },
  {
    code: "gb-lon",
    name: "London",
    countryCode: "GB",
    centerLat: 51.5074,
    centerLng: -0.1278,
    radiusKm: 35,
    priority: 2,
    weight: 22,
  },
  {
    code: "fr-par",
    name: "Paris",
    countryCode: "FR",
    centerLat: 48.8566,
    centerLng: 2.3522,
    radiusKm: 25,
    priority: 1,
    weight: 12,
  },
  {
    code: "au-syd",
    name: "Sydney",
    countryCode: "AU",
    centerLat: -33.8688,
    centerLng: 151.2093,
    radiusKm: 35,
    priority: 1,
    weight: 9,
  },
  {
    code: "de-ber",
    name: "Berlin",
    countryCode: "DE",
    centerLat: 52.52,
    centerLng: 13.405,
    radiusKm: 25,
    priority: 1,
    weight: 7,
  },
  {
    code: "ca-tor",
    name: "Toronto",
    countryCode: "CA",
    centerLat: 43.6532,
    centerLng: -79.3832,
    radiusKm: 30,
    priority: 1,
    weight: 6,
  },
  {
    code: "us-aus",
    name: "Austin",
    countryCode: "US",
    centerLat: 30.2672,
    centerLng: -97.7431,
    radiusKm: 25,
    priority: 0,
    weight: 4,
  },
  {
    code: "pt-lis",
    name: "Lisbon",
    countryCode: "PT",
    centerLat: 38.7223,
    centerLng: -9.1393,
    radiusKm: 20,
    priority: 0,
    weight: 3,
  },
  {
    code: "nz-wlg",
    name: "Wellington",
    countryCode: "NZ",
    centerLat: -41.2865,
    centerLng: 174.7762,
    radiusKm: 15,
    priority: 0,
    weight: 1.5,
  },
  {
    code: "is-rey",
    name: "Reykjavík",
    countryCode: "IS",
    centerLat: 64.1466,
    centerLng: -21.9426,
    radiusKm: 12,
    priority: 0,
    weight: 1.2,
  },
  {
    code: "us-boi",
    name: "Boise",
    countryCode: "US",
    centerLat: 43.615,
    centerLng: -116.2023,
    radiusKm: 15,
    priority: 0,
    weight: 1,
  },
];

/** A locality or neighbourhood of the expert geo hierarchy (city -> locality -> neighbourhood). */
export interface DemoLocality {
  code: string;
  cityCode: string;
  parentCode: string | null;
  kind: "locality" | "neighbourhood";
  name: string;
  centerLat: number;
  centerLng: number;
}

type LocalityOutline = [name: string, lat: number, lng: number, neighbourhoods: [string, number, number][]];

const LOCALITY_OUTLINES: Record<string, LocalityOutline[]> = {
  "us-nyc": [
    [
      "Manhattan",
      40.7831,
      -73.9712,
      [
        ["Harlem", 40.8116, -73.9465],
        ["Chelsea", 40.7465, -74.0014],
      ],
    ],
    [
      "Brooklyn",
      40.6782,
      -73.9442,
      [
        ["Williamsburg", 40.7081, -73.9571],
        ["Park Slope", 40.671, -73.9814],
      ],
    ],
    [
      "Queens",
      40.7282,
      -73.7949,
      [
        ["Astoria", 40.7644, -73.9235],
        ["Flushing", 40.7675, -73.8331],
      ],
    ],
    [
      "The Bronx",
      40.8448,
      -73.8648,
      [
        ["Riverdale", 40.89, -73.912],
        ["Mott Haven", 40.8091, -73.9229],
      ],
    ],
    ["Staten Island", 40.5795, -74.1502, [["St. George", 40.6437, -74.0736]]],
  ],
  "gb-lon": [
    [
      "Westminster",
      51.4975,
      -0.1357,
      [
        ["Soho", 51.5136, -0.1365],
        ["Mayfair", 51.5094, -0.149],
      ],
    ],
    [
      "Camden",
      51.529,
      -0.1255,
      [
        ["Camden Town", 51.539, -0.1426],
        ["Hampstead", 51.556, -0.178],
      ],
    ],
    [
      "Hackney",
      51.545,
      -0.0553,
      [
        ["Shoreditch", 51.526, -0.078],
        ["Dalston", 51.5462, -0.075],
      ],
    ],
    [
      "Southwark",
      51.5035,
      -0.0804,
      [
        ["Peckham", 51.474, -0.069],
        ["Bermondsey", 51.4979, -0.0637],
      ],
    ],
  ],
};

function slug(name: string): string {
  return localityNameKey(name)
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export const DEMO_LOCALITIES: readonly DemoLocality[] = Object.entries(LOCALITY_OUTLINES).flatMap(
  ([cityCode, outlines]) =>
    outlines.flatMap(([name, centerLat, centerLng, neighbourhoods]) => {
      const code = `${cityCode}-${slug(name)}`;
      return [
        { code, cityCode, parentCode: null, kind: "locality" as const, name, centerLat, centerLng },
        ...neighbourhoods.map(([childName, childLat, childLng]) => ({
          code: `${code}-${slug(childName)}`,
          cityCode,
          parentCode: code,
          kind: "neighbourhood" as const,
          name: childName,
          centerLat: childLat,
          centerLng: childLng,
        })),
      ];
    }),
);

export interface GeoJsonPolygon {
  type: "Polygon";
  /** [lng, lat] positions; one closed, counter-clockwise exterior ring (RFC 7946). */
  coordinates: [number, number][][];
}

/** A square outline around a locality's centre; a placeholder shape, not a real boundary. */
export function squarePolygonAround(
  centerLat: number,
  centerLng: number,
  halfSideKm: number,
): GeoJsonPolygon {
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  const dLat = halfSideKm / 111.32;
  const dLng = halfSideKm / (111.32 * Math.cos((centerLat * Math.PI) / 180));
  const south = round(centerLat - dLat);
  const north = round(centerLat + dLat);
  const west = round(centerLng - dLng);
  const east = round(centerLng + dLng);
  return {
    type: "Polygon",
    coordinates: [
      [
        [west, south],
        [east, south],
        [east, north],
        [west, north],
        [west, south],
      ],
    ],
  };
}
