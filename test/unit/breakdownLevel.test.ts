import type { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { levelOfFilter, readableLevel } from "../../src/insights/breakdownLevel";
import type { InsightsFilter } from "../../src/insights/insightsFilter";
import { fingerprintSelection } from "../../src/policy/fingerprint";
import { DEFAULT_RELEASE_PLAN } from "../../src/privacy/releasePlan";
import {
  ExportParameterError,
  parseExportBody,
  parseExportQuery,
} from "../../src/resolvers/insights/exportParameters";

const day: InsightsFilter = {
  granularity: "day",
  timeBucketStartUtc: new Date("2026-01-05T00:00:00Z"),
  timeBucketEndUtc: new Date("2026-01-06T00:00:00Z"),
  geoBucketType: "city_code",
};
const hour: InsightsFilter = {
  ...day,
  granularity: "hour",
  timeBucketEndUtc: new Date("2026-01-05T01:00:00Z"),
  geoBucketIds: ["us-nyc"],
};

function refusal(filter: InsightsFilter): GraphQLError {
  try {
    readableLevel(filter, DEFAULT_RELEASE_PLAN);
  } catch (error) {
    return error as GraphQLError;
  }
  throw new Error("expected a refusal");
}

describe("the level a filter reads", () => {
  it("absent breakdown: FULL for DAY and WEEK, whatever the filters", () => {
    expect(levelOfFilter(day)).toBe("full");
    expect(levelOfFilter({ ...day, granularity: "week", doorTypes: ["spot"], contexts: ["morning"] })).toBe(
      "full",
    );
  });

  it("absent breakdown at HOUR: the one filtered dimension, TOTAL without one, none with two", () => {
    expect(levelOfFilter(hour)).toBe("total");
    expect(levelOfFilter({ ...hour, categories: ["coffee", "food"] })).toBe("category");
    expect(levelOfFilter({ ...hour, contexts: ["morning"] })).toBe("context");
    expect(levelOfFilter({ ...hour, doorTypes: ["spot"], categories: ["coffee"] })).toBeUndefined();
  });

  it("a given breakdown names the level in lattice order, duplicates ignored; [] is TOTAL", () => {
    expect(levelOfFilter({ ...day, breakdown: [] })).toBe("total");
    expect(levelOfFilter({ ...day, breakdown: ["context", "door_type", "door_type"] })).toBe(
      "door_type+context",
    );
    expect(levelOfFilter({ ...day, breakdown: ["category", "context", "door_type"] })).toBe("full");
    expect(levelOfFilter({ ...hour, breakdown: [], categories: ["coffee"] })).toBe("total");
  });
});

describe("readableLevel under the default plan", () => {
  it("accepts a released level with filters on the dimensions it keeps", () => {
    expect(
      readableLevel({ ...day, breakdown: ["category"], categories: ["coffee"] }, DEFAULT_RELEASE_PLAN),
    ).toBe("category");
    expect(readableLevel(hour, DEFAULT_RELEASE_PLAN)).toBe("total");
    expect(readableLevel({ ...day, breakdown: [] }, DEFAULT_RELEASE_PLAN)).toBe("total");
  });

  it("LEVEL_NOT_AVAILABLE lists the levels released for that granularity and geo type", () => {
    const error = refusal({ ...day, geoBucketType: "geohash3", breakdown: ["door_type"] });
    expect(error.extensions).toMatchObject({
      code: "LEVEL_NOT_AVAILABLE",
      field: "breakdown",
      released: [["DOOR_TYPE", "CATEGORY", "CONTEXT"]],
    });
    expect(error.message).toBe(
      "DAY GEOHASH3 cells are not released at breakdown [DOOR_TYPE]. The release plan releases [DOOR_TYPE, CATEGORY, CONTEXT] (FULL) for them; choose one of those. Nothing was charged.",
    );
    // HOUR never keeps two dimensions, and the default plan releases it only as TOTAL.
    expect(refusal({ ...hour, breakdown: ["category", "context"] }).extensions?.released).toEqual([[]]);
    expect(refusal({ ...hour, doorTypes: ["spot"] }).extensions?.code).toBe("LEVEL_NOT_AVAILABLE");
  });

  it("FILTER_NOT_ALLOWED for a filter on a rolled-up dimension, naming the filter", () => {
    const error = refusal({
      ...day,
      breakdown: ["door_type"],
      categories: ["coffee"],
      contexts: ["morning"],
    });
    expect(error.extensions).toMatchObject({
      code: "FILTER_NOT_ALLOWED",
      field: "categories",
      breakdown: ["DOOR_TYPE"],
    });
    expect(error.message).toContain("rolls up CATEGORY, CONTEXT");
    expect(refusal({ ...hour, doorTypes: ["spot"], contexts: ["morning"] }).extensions).toMatchObject({
      code: "FILTER_NOT_ALLOWED",
      field: "breakdown",
    });
  });
});

describe("the fingerprint and the level", () => {
  it("differs by level, matches for the same level however written, and keeps FULL shapes as before", () => {
    const full = fingerprintSelection("insights", day);
    expect(
      fingerprintSelection("insights", { ...day, breakdown: ["context", "category", "door_type"] }),
    ).toBe(full);
    expect(fingerprintSelection("insights", { ...day, breakdown: [] })).not.toBe(full);
    expect(fingerprintSelection("insights", { ...day, breakdown: ["door_type"] })).not.toBe(
      fingerprintSelection("insights", { ...day, breakdown: ["category"] }),
    );
    // HOUR: the default level and the explicit one are the same shape.
    expect(fingerprintSelection("insights", { ...hour, categories: ["coffee"] })).toBe(
      fingerprintSelection("insights", { ...hour, categories: ["coffee"], breakdown: ["category"] }),
    );
    // A FULL filter hashes the canonical form it had before levels (version 1, no level key): SHA-256 of
    // {"v":1,"field":"insights","granularity":"day",...,"contexts":null}.
    expect(full).toBe("fp1_632c881b88ea13c4dbc7444361114461cfc738ea5f2ec6e45448aa551a4239a9");
  });
});

describe("the export's breakdown parameter", () => {
  const range = {
    time_bucket_start_utc: "2026-01-05T00:00:00Z",
    time_bucket_end_utc: "2026-01-06T00:00:00Z",
  };

  it("breakdown= is TOTAL, a list names the level, absent leaves the default", () => {
    expect(parseExportQuery(new URLSearchParams({ ...range, breakdown: "" })).filter.breakdown).toEqual([]);
    expect(
      parseExportQuery(new URLSearchParams({ ...range, breakdown: "door_type,category" })).filter.breakdown,
    ).toEqual(["DOOR_TYPE", "CATEGORY"]);
    expect(parseExportQuery(new URLSearchParams(range)).filter.breakdown).toBeUndefined();
    expect(parseExportBody({ ...range, breakdown: [] }).filter.breakdown).toEqual([]);
    expect(parseExportBody({ ...range, breakdown: ["context"] }).filter.breakdown).toEqual(["CONTEXT"]);
  });

  it("refuses an unknown dimension and an empty item in a list", () => {
    expect(() => parseExportQuery(new URLSearchParams({ ...range, breakdown: "city" }))).toThrow(
      ExportParameterError,
    );
    expect(() => parseExportQuery(new URLSearchParams({ ...range, breakdown: "door_type," }))).toThrow(
      ExportParameterError,
    );
  });
});
