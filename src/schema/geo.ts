import type { UserError } from "../errors";
import {
  type CityRow,
  cityLocalities,
  type LocalityRow,
  listCities,
  localityShape,
  lookupCityCode,
  lookupLocalityCode,
  type PolygonShape,
  upsertCityDefinition,
} from "../resolvers/geo/cities";
import {
  type BoundingBox,
  boxRing,
  type CityGeohash3Bounds,
  cellsFeatureCollection,
  cityGeohash3Bounds,
  type Geohash3CellBounds,
} from "../resolvers/geo/cityBounds";
import { populateCityGeohashMapAudited } from "../resolvers/geo/cityGeohashMap";
import { upsertLocality } from "../resolvers/geo/localities";
import { adminMutationField, mutationPayload } from "./adminMutation";
import { builder } from "./builder";
import { UserErrorType } from "./userErrors";

const City = builder.objectRef<CityRow>("City").implement({
  description: "A city bucket: its definition (centre and radius) and how many geohash3 cells it holds.",
  fields: (t) => ({
    code: t.exposeString("code", { description: "The city code, e.g. us-nyc." }),
    name: t.exposeString("name", { description: "The city's name." }),
    countryCode: t.exposeString("countryCode", { description: "ISO 3166-1 alpha-2 country." }),
    centerLat: t.exposeFloat("centerLat", { description: "Centre latitude." }),
    centerLng: t.exposeFloat("centerLng", { description: "Centre longitude." }),
    radiusKm: t.exposeFloat("radiusKm", { description: "Radius of the circle that claims geohash3 cells." }),
    priority: t.exposeInt("priority", { description: "Higher wins a geohash3 cell two circles claim." }),
    geohash3Cells: t.exposeInt("geohash3Cells", { description: "geohash3 cells mapped to this city." }),
  }),
});

const Locality = builder.objectRef<LocalityRow>("Locality").implement({
  description: "A locality or neighbourhood of a city (city -> locality -> neighbourhood).",
  fields: (t) => ({
    code: t.exposeString("code", { description: "The locality code." }),
    cityCode: t.exposeString("cityCode", { description: "Its city." }),
    parentCode: t.exposeString("parentCode", {
      nullable: true,
      description: "The locality a neighbourhood belongs to.",
    }),
    kind: t.exposeString("kind", { description: "locality or neighbourhood." }),
    name: t.exposeString("name", { description: "Its name." }),
  }),
});

const LocalityShape = builder.objectRef<PolygonShape>("LocalityShape").implement({
  description: "A locality's outline as a GeoJSON Polygon (closed rings of [longitude, latitude]).",
  fields: (t) => ({
    localityCode: t.exposeString("localityCode", { description: "The locality." }),
    type: t.exposeString("type", { description: 'Always "Polygon".' }),
    geojson: t.string({
      description: 'The GeoJSON geometry as JSON text: {"type":"Polygon","coordinates":[[[lng, lat], ...]]}.',
      resolve: (shape) => JSON.stringify({ type: shape.type, coordinates: shape.coordinates }),
    }),
  }),
});

builder.queryFields((t) => ({
  cities: t.field({
    type: [City],
    description: "Every city bucket.",
    authScopes: { internal: true },
    resolve: (_root, _args, context) => listCities(context.database),
  }),
  cityLocalities: t.field({
    type: [Locality],
    description: "A city's localities and neighbourhoods.",
    authScopes: { internal: true },
    args: { cityCode: t.arg.string({ required: true, description: "The city code." }) },
    resolve: (_root, { cityCode }, context) => cityLocalities(context.database, cityCode),
  }),
  lookupCityCode: t.string({
    nullable: true,
    description: "The city code for a city name (case- and accent-insensitive), or null.",
    authScopes: { internal: true },
    args: { name: t.arg.string({ required: true, description: "A city name, e.g. New York." }) },
    resolve: (_root, { name }, context) => lookupCityCode(context.database, name),
  }),
  lookupLocalityCode: t.string({
    nullable: true,
    description: "The locality code for a name within a city (case- and accent-insensitive), or null.",
    authScopes: { internal: true },
    args: {
      cityCode: t.arg.string({ required: true, description: "The city code." }),
      name: t.arg.string({ required: true, description: "A locality or neighbourhood name." }),
    },
    resolve: (_root, { cityCode, name }, context) => lookupLocalityCode(context.database, cityCode, name),
  }),
  localityShape: t.field({
    type: LocalityShape,
    nullable: true,
    description: "A locality's outline as GeoJSON, or null when it has none.",
    authScopes: { internal: true },
    args: { localityCode: t.arg.string({ required: true, description: "The locality code." }) },
    resolve: (_root, { localityCode }, context) => localityShape(context.database, localityCode),
  }),
}));

const UpsertCityDefinitionInput = builder.inputType("UpsertCityDefinitionInput", {
  description: "A city's definition: code, name, centre and radius.",
  fields: (t) => ({
    code: t.string({ required: true, description: "The city code, e.g. us-la." }),
    name: t.string({ required: true, description: "The city's name." }),
    countryCode: t.string({ required: true, description: "ISO 3166-1 alpha-2 country, e.g. US." }),
    centerLat: t.float({ required: true, description: "Centre latitude." }),
    centerLng: t.float({ required: true, description: "Centre longitude." }),
    radiusKm: t.float({ required: true, description: "Radius in km (1..300)." }),
    priority: t.int({ required: false, description: "Higher wins contested cells (default 0)." }),
  }),
});

const UpsertCityDefinitionPayload = mutationPayload<{ city: CityRow | null; userErrors: UserError[] }>(
  "UpsertCityDefinitionPayload",
  "The result of upsertCityDefinition.",
  (t) => ({
    city: t.field({
      type: City,
      nullable: true,
      description: "The city as it now stands.",
      resolve: (p) => p.city,
    }),
  }),
);

const PopulateCityGeohashMapInput = builder.inputType("PopulateCityGeohashMapInput", {
  description: "No options yet: rebuilds the circle-derived map from every city definition.",
  fields: (t) => ({
    dryRun: t.boolean({ required: false, defaultValue: false, description: "Reserved; must be false." }),
  }),
});

const PopulateCityGeohashMapPayload = mutationPayload<{
  cells: number;
  cities: number;
  userErrors: UserError[];
}>("PopulateCityGeohashMapPayload", "The result of populateCityGeohashMap.", (t) => ({
  cells: t.exposeInt("cells", { description: "geohash3 cells assigned from circles." }),
  cities: t.exposeInt("cities", { description: "City definitions read." }),
}));

adminMutationField("upsertCityDefinition", {
  payload: UpsertCityDefinitionPayload,
  description: "Create or change a city definition (then run populateCityGeohashMap). Audited.",
  input: { type: UpsertCityDefinitionInput, description: "The definition." },
  auditTarget: (input) => input.code,
  run: upsertCityDefinition,
  refused: { city: null },
});

adminMutationField("populateCityGeohashMap", {
  payload: PopulateCityGeohashMapPayload,
  description:
    "Rebuild the geohash3 -> city map from the city circles (idempotent; operator overrides kept). Audited.",
  input: { type: PopulateCityGeohashMapInput, description: "Options.", required: false },
  auditTarget: () => "city_geohash3_map",
  run: populateCityGeohashMapAudited,
  refused: { cells: 0, cities: 0 },
});

const LocalityKindEnum = builder.enumType("LocalityKind", {
  description: "Where a place sits in the hierarchy city -> locality -> neighbourhood.",
  values: {
    LOCALITY: { value: "locality", description: "A part of a city (e.g. Brooklyn)." },
    NEIGHBOURHOOD: { value: "neighbourhood", description: "A part of a locality (e.g. Williamsburg)." },
  } as const,
});

const UpsertLocalityInput = builder.inputType("UpsertLocalityInput", {
  description: "A locality or neighbourhood to create or change, by code, and optionally its outline.",
  fields: (t) => ({
    code: t.string({
      required: true,
      description: "Its code: the city code, a dash, then lowercase parts, e.g. us-nyc-brooklyn.",
    }),
    cityCode: t.string({
      required: true,
      description: "Its city (an existing city definition; cannot change).",
    }),
    kind: t.field({ type: LocalityKindEnum, required: true, description: "LOCALITY or NEIGHBOURHOOD." }),
    parentCode: t.string({
      required: false,
      description: "A NEIGHBOURHOOD's locality, in the same city; a LOCALITY has none.",
    }),
    name: t.string({
      required: true,
      description: "Its name (1 to 100 characters); looked up accent-insensitively.",
    }),
    centerLat: t.float({ required: false, description: "Centre latitude, -90..90 (with centerLng)." }),
    centerLng: t.float({ required: false, description: "Centre longitude, -180..180 (with centerLat)." }),
    shape: t.string({
      required: false,
      description:
        'Its outline as GeoJSON text, {"type":"Polygon","coordinates":[[[lng, lat], ...]]}: every ring closed, at least 4 positions, in range. Absent keeps the stored outline.',
    }),
  }),
});

const UpsertLocalityPayload = mutationPayload<{
  locality: LocalityRow | null;
  shape: PolygonShape | null;
  created: boolean;
  userErrors: UserError[];
}>("UpsertLocalityPayload", "The result of upsertLocality.", (t) => ({
  locality: t.field({
    type: Locality,
    nullable: true,
    description: "The locality as it now stands.",
    resolve: (p) => p.locality,
  }),
  shape: t.field({
    type: LocalityShape,
    nullable: true,
    description: "Its outline as it now stands, if it has one.",
    resolve: (p) => p.shape,
  }),
  created: t.exposeBoolean("created", { description: "True when it did not exist before." }),
}));

adminMutationField("upsertLocality", {
  payload: UpsertLocalityPayload,
  description:
    "Create or change a locality or neighbourhood and its outline (operators). A polygon that does not close, has fewer than 4 positions or leaves the lon/lat range is refused. Audited.",
  input: { type: UpsertLocalityInput, description: "The locality." },
  auditTarget: (input) => input.code,
  run: upsertLocality,
  refused: { locality: null, shape: null, created: false },
});

const BoundingBoxType = builder.objectRef<BoundingBox>("BoundingBox").implement({
  description:
    "A rectangle in degrees (WGS 84), as GeoJSON's bbox orders it: west, south, east, north. west > east when it crosses the antimeridian.",
  subGraphs: ["internal", "buyer"],
  fields: (t) => ({
    south: t.exposeFloat("south", { description: "Southern edge, degrees of latitude." }),
    west: t.exposeFloat("west", { description: "Western edge, degrees of longitude." }),
    north: t.exposeFloat("north", { description: "Northern edge, degrees of latitude." }),
    east: t.exposeFloat("east", { description: "Eastern edge, degrees of longitude." }),
  }),
});

const Geohash3CellType = builder.objectRef<Geohash3CellBounds>("Geohash3Cell").implement({
  description: "One geohash3 cell of a city (a GEOHASH3 geo bucket) and its rectangle.",
  subGraphs: ["internal", "buyer"],
  fields: (t) => ({
    geohash3: t.exposeString("geohash3", { description: "The cell, e.g. dr5." }),
    bounds: t.field({
      type: BoundingBoxType,
      description: "The cell's rectangle.",
      resolve: (cell) => cell,
    }),
    geojson: t.string({
      description:
        'The cell as GeoJSON text: {"type":"Polygon","coordinates":[[[west, south], ...]]}, one closed ring.',
      resolve: (cell) => JSON.stringify({ type: "Polygon", coordinates: boxRing(cell) }),
    }),
    source: t.exposeString("source", {
      subGraphs: ["internal"],
      description:
        "How the cell came to the city: circle (its definition) or an operator's override. INTERNAL and OPERATOR only.",
    }),
  }),
});

const CityGeohash3BoundsType = builder
  .objectRef<{ city: CityGeohash3Bounds | null; userErrors: UserError[] }>("CityGeohash3Bounds")
  .implement({
    description:
      "A city's geohash3 cells with their rectangles, for map overlays of CITY_CODE cells; userErrors when the city cannot be shown.",
    subGraphs: ["internal", "buyer"],
    fields: (t) => ({
      cityCode: t.string({
        nullable: true,
        description: "The city code; null when refused.",
        resolve: (p) => p.city?.cityCode ?? null,
      }),
      cellCount: t.int({
        nullable: true,
        description: "How many geohash3 cells are mapped to the city; null when refused.",
        resolve: (p) => p.city?.cells.length ?? null,
      }),
      cells: t.field({
        type: [Geohash3CellType],
        description: "Every geohash3 cell mapped to the city, by geohash; empty when refused.",
        resolve: (p) => p.city?.cells ?? [],
      }),
      bounds: t.field({
        type: BoundingBoxType,
        nullable: true,
        description:
          "The smallest rectangle holding every cell; null when the city has no cell or was refused.",
        resolve: (p) => p.city?.bounds ?? null,
      }),
      geojson: t.string({
        nullable: true,
        description:
          "Every cell as GeoJSON text: a FeatureCollection with a bbox and one Polygon Feature per cell (properties geohash3 and cityCode); null when refused.",
        resolve: (p) => (p.city === null ? null : JSON.stringify(cellsFeatureCollection(p.city))),
      }),
      userErrors: t.field({
        type: [UserErrorType],
        description: "Why the city cannot be shown (INVALID_CITY_CODE, UNKNOWN_CITY); empty on success.",
        resolve: (p) => p.userErrors,
      }),
    }),
  });

builder.queryField("cityGeohash3Bounds", (t) =>
  t.field({
    type: CityGeohash3BoundsType,
    description:
      "Every geohash3 cell mapped to a city with its rectangle and as GeoJSON, and the city's rectangle (map overlays). INTERNAL and OPERATOR: any defined city; BUYER: the cities it may query (a CITY_CODE bucket with cells), city-level only (no cell sources, no localities).",
    authScopes: { $any: { internal: true, buyer: true } },
    subGraphs: ["internal", "buyer"],
    args: { cityCode: t.arg.string({ required: true, description: "The city code, e.g. us-nyc." }) },
    resolve: async (_root, { cityCode }, context) => {
      const audience = context.principal?.role === "buyer" ? "buyer" : "internal";
      const result = await cityGeohash3Bounds(context.database, cityCode, audience);
      return result.ok
        ? { city: result.city, userErrors: [] }
        : { city: null, userErrors: result.userErrors };
    },
  }),
);
