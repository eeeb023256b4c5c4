import { execute } from "../../client/opsClient";
import {
  type LocalityKind,
  OpsCitiesDocument,
  OpsCityCoverageDocument,
  OpsCityGeohash3BoundsDocument,
  OpsCityLocalitiesDocument,
  OpsPopulateCityGeohashMapDocument,
  OpsUpsertCityDefinitionDocument,
  OpsUpsertLocalityDocument,
} from "../../generated/graphql/graphql";
import { inlineOrFile, numberOf, oneOf, text } from "../framework";
import { type OpsCommand, outcomeOf, recordOf, round } from "../opsCommand";
import type { Row } from "../table";

const LOCALITY_KINDS = ["LOCALITY", "NEIGHBOURHOOD"] as const satisfies readonly LocalityKind[];

/** `npm run ops` commands. Cities, their coverage and localities. */
export const geoCommands: OpsCommand[] = [
  {
    path: ["coverage"],
    summary: "Per city: geohash3 cells and events in the last 7 days; the share of events no city covers.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsCityCoverageDocument, {});
      const coverage = data.ops.cityCodeCoverage;
      const rows: Row[] = coverage.cities.map((city) => ({ ...city }));
      rows.push({
        cityCode: "(none)",
        name: `unmapped: ${round(coverage.unmappedEventShare7d * 100)}% of 7-day events`,
        geohash3Cells: null,
        events7d: null,
      });
      return { kind: "rows", rows, json: coverage };
    },
  },
  {
    path: ["cities", "list"],
    summary: "Every city bucket with its centre, radius and geohash3 cells.",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsCitiesDocument, {});
      return { kind: "rows", rows: data.cities.map((city) => ({ ...city })), json: data.cities };
    },
  },
  {
    path: ["cities", "upsert"],
    summary: "Create or change a city definition (then run cities populate).",
    options: {
      code: { type: "string", value: "CODE", required: true, description: "e.g. us-la." },
      name: { type: "string", value: "NAME", required: true, description: "The city's name." },
      country: { type: "string", value: "CC", required: true, description: "ISO 3166-1 alpha-2, e.g. US." },
      lat: { type: "string", value: "LAT", required: true, description: "Centre latitude." },
      lng: { type: "string", value: "LNG", required: true, description: "Centre longitude." },
      "radius-km": { type: "string", value: "KM", required: true, description: "Radius (1..300)." },
      priority: { type: "string", value: "N", description: "Higher wins contested cells (default 0)." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsUpsertCityDefinitionDocument, {
        input: {
          code: text(values, "code") ?? "",
          name: text(values, "name") ?? "",
          countryCode: text(values, "country") ?? "",
          centerLat: numberOf("lat", text(values, "lat")) ?? 0,
          centerLng: numberOf("lng", text(values, "lng")) ?? 0,
          radiusKm: numberOf("radius-km", text(values, "radius-km")) ?? 0,
          priority: numberOf("priority", text(values, "priority"), true) ?? null,
        },
      });
      return recordOf(data.upsertCityDefinition, (payload) => ({ ...payload.city }));
    },
  },
  {
    path: ["cities", "populate"],
    summary: "Rebuild the geohash3 -> city map from the city circles (idempotent).",
    async run({ endpoint }) {
      const data = await execute(endpoint, OpsPopulateCityGeohashMapDocument, {});
      return recordOf(data.populateCityGeohashMap, ({ cells, cities }) => ({ cells, cities }));
    },
  },
  {
    path: ["cities", "bounds"],
    summary: "A city's geohash3 cells with their boxes (south, west, north, east), and the city's box.",
    details: "--json prints the payload, whose geojson field is a FeatureCollection for a map.",
    options: { city: { type: "string", value: "CODE", required: true, description: "The city code." } },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsCityGeohash3BoundsDocument, {
        cityCode: text(values, "city") ?? "",
      });
      return outcomeOf(data.cityGeohash3Bounds, (payload) => ({
        kind: "rows",
        rows: payload.cells.map((cell) => ({ geohash3: cell.geohash3, source: cell.source, ...cell.bounds })),
        json: payload,
        note: payload.bounds
          ? `${payload.cityCode}: ${payload.cellCount} cells within south ${payload.bounds.south}, west ${payload.bounds.west}, north ${payload.bounds.north}, east ${payload.bounds.east}.`
          : `${payload.cityCode}: no geohash3 cells (run cities populate).`,
      }));
    },
  },
  {
    path: ["localities", "list"],
    summary: "A city's localities and neighbourhoods.",
    options: { city: { type: "string", value: "CODE", required: true, description: "The city code." } },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsCityLocalitiesDocument, {
        cityCode: text(values, "city") ?? "",
      });
      return {
        kind: "rows",
        rows: data.cityLocalities.map((locality) => ({ ...locality })),
        json: data.cityLocalities,
      };
    },
  },
  {
    path: ["localities", "upsert"],
    summary: "Create or change a locality or neighbourhood, and its GeoJSON outline.",
    options: {
      code: { type: "string", value: "CODE", required: true, description: "e.g. us-nyc-harlem." },
      city: { type: "string", value: "CODE", required: true, description: "Its city code." },
      kind: { type: "string", value: "KIND", required: true, description: "LOCALITY or NEIGHBOURHOOD." },
      name: { type: "string", value: "NAME", required: true, description: "Its name." },
      parent: { type: "string", value: "CODE", description: "A neighbourhood's locality." },
      lat: { type: "string", value: "LAT", description: "Centre latitude (with --lng)." },
      lng: { type: "string", value: "LNG", description: "Centre longitude (with --lat)." },
      shape: { type: "string", value: "JSON", description: "Outline: a GeoJSON Polygon." },
      "shape-file": { type: "string", value: "PATH", description: "Read the outline from a file." },
    },
    async run({ endpoint, values }) {
      const data = await execute(endpoint, OpsUpsertLocalityDocument, {
        input: {
          code: text(values, "code") ?? "",
          cityCode: text(values, "city") ?? "",
          kind: oneOf("kind", text(values, "kind"), LOCALITY_KINDS) ?? "LOCALITY",
          name: text(values, "name") ?? "",
          parentCode: text(values, "parent") ?? null,
          centerLat: numberOf("lat", text(values, "lat")) ?? null,
          centerLng: numberOf("lng", text(values, "lng")) ?? null,
          shape: inlineOrFile(values, "shape") ?? null,
        },
      });
      return recordOf(data.upsertLocality, (payload) => ({
        created: payload.created,
        ...payload.locality,
        outline: payload.shape !== null,
      }));
    },
  },
];
