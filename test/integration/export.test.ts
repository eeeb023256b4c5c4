import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { configFrom } from "../../src/config";
import type { DatabaseHandle } from "../../src/db/client";
import { trendScore } from "../../src/insights/trendScores";
import { precomputeRelease } from "../../src/jobs/precompute/precomputeRelease";
import { newPolicyReport } from "../../src/policy/requestState";
import { exportDataset } from "../../src/resolvers/insights/export";
import { flushRequestLogs, issueTestKey, testApp, trackRequestLogs } from "../support/app";
import { buildBuyerWorld, policyState } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let tenantKey: string;
let bigBuyerKey: string;

const EXPORT_URL = "http://yoga/v1/datasets/spots_insights_v1";
/** 54 GEOHASH3 DAY releases before the world's ten days: 54 x 4 geohash3 cells x 135 segments = 29,160 cells. */
const LONG_RANGE = { start: "2025-11-08T00:00:00Z", end: "2026-01-01T00:00:00Z", days: 54 };
const LONG_RANGE_CELLS = LONG_RANGE.days * 4 * 135;
/** A suppression cause in any case (a word of its own, so k_min_enforced does not count). */
const SUPPRESSION_CAUSES = /\b(k_min|noisy_threshold|dominance)\b/i;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  // Releases without events: every cell suppressed, but the full lattice, enough for a 30-page export.
  for (let day = 0; day < LONG_RANGE.days; day++) {
    await precomputeRelease(
      { database: db, noiseKey: { key: Buffer.alloc(32, 5), id: "nk_test" }, clock: world.clock },
      {
        granularity: "day",
        bucketStart: new Date(Date.parse(LONG_RANGE.start) + day * 86_400_000),
        geoType: "geohash3",
      },
    );
  }
  tenantKey = (await issueTestKey(db, "tenant", { clock: world.clock })).apiKey;
  bigBuyerKey = (await issueTestKey(db, "buyer", { clock: world.clock, partnerId: "outside_buyer_initech" }))
    .apiKey;
  const operator = testApp(db, world.clock);
  for (const [partnerId, epsilonLimit] of [
    ["outside_buyer_initech", 30],
    ["outside_buyer_globex", 1],
  ] as const) {
    const set = await operator.graphql(
      `mutation($p: String!, $e: Float!) { setBuyerBudget(input: { partnerId: $p, epsilonLimit: $e }) { userErrors { code } } }`,
      { key: world.operatorKey, variables: { p: partnerId, e: epsilonLimit } },
    );
    expect(set.body.data?.setBuyerBudget).toEqual({ userErrors: [] });
  }
}, 300_000);
afterAll(async () => {
  await db?.destroy();
});

type Params = Record<string, string>;

function app(overrides: Record<string, string> = {}, handle: DatabaseHandle = db) {
  return trackRequestLogs(
    createApp({
      database: handle,
      config: configFrom({ LOG_LEVEL: "silent", ...overrides }),
      clock: world.clock,
      logger: pino({ level: "silent" }),
    }),
  );
}

async function exportGet(
  params: Params,
  key: string | null = world.buyerKey,
  extra: Record<string, string> = {},
): Promise<Response> {
  return app().fetch(`${EXPORT_URL}?${new URLSearchParams(params)}`, {
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...extra },
  });
}

async function exportPost(body: string, key: string | null = world.buyerKey): Promise<Response> {
  return app().fetch(EXPORT_URL, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body,
  });
}

const days = (from: number, to: number) => ({
  time_bucket_start_utc: `2026-01-${String(from).padStart(2, "0")}T00:00:00Z`,
  time_bucket_end_utc: `2026-01-${String(to).padStart(2, "0")}T00:00:00Z`,
});

interface Node {
  schemaVersion: string;
  dataset: string;
  timeBucketStartUtc: string;
  timeGranularity: string;
  reportingDelayHours: number;
  geoBucket: { type: string; id: string };
  segment: { doorType: string; category: string; context: string };
  metrics: Record<
    "uniqueParticipantsEst" | "doorsOpenedEst" | "repeatRateEst" | "trendScoreEst",
    number | null
  >;
  accuracy: Record<"confidence" | "uniqueParticipants" | "doorsOpened" | "repeatParticipants", number> | null;
  privacy: {
    kMinEnforced: number;
    suppressed: boolean;
    suppressedReason: string | null;
    dp: {
      enabled: boolean;
      mechanism: string;
      epsilon: number;
      participantDayEpsilon: number;
      delta: number;
      budgetWindowDays: number;
      noiseScale: number;
      releaseId: string;
    };
  };
}

/** Every cell `insights` returns for a filter, page by page. */
async function insightsCells(filter: Record<string, unknown>, key = world.buyerKey): Promise<Node[]> {
  const api = testApp(db, world.clock);
  const nodes: Node[] = [];
  let after: string | null = null;
  do {
    const { body } = await api.graphql(
      `query($f: InsightsFilter!, $after: String) { insights(filter: $f, first: 1000, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes { schemaVersion dataset timeBucketStartUtc timeGranularity reportingDelayHours
          geoBucket { type id } segment { doorType category context }
          metrics { uniqueParticipantsEst doorsOpenedEst repeatRateEst trendScoreEst }
          accuracy { confidence uniqueParticipants doorsOpened repeatParticipants }
          privacy { kMinEnforced suppressed suppressedReason
            dp { enabled mechanism epsilon participantDayEpsilon delta budgetWindowDays noiseScale releaseId } } } } }`,
      { key, variables: { f: filter, after } },
    );
    expect(body.errors).toBeUndefined();
    const page = (
      body.data as { insights: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: Node[] } }
    ).insights;
    nodes.push(...page.nodes);
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after !== null);
  return nodes;
}

/** The canonical record (001 seed, section 4.2) a cell must export as, keys in this order. */
function expectedRecord(node: Node) {
  return {
    schema_version: node.schemaVersion,
    dataset: node.dataset,
    time_bucket_start_utc: node.timeBucketStartUtc,
    time_granularity: node.timeGranularity.toLowerCase(),
    reporting_delay_hours: node.reportingDelayHours,
    geo_bucket: { type: node.geoBucket.type.toLowerCase(), id: node.geoBucket.id },
    segment: {
      door_type: node.segment.doorType.toLowerCase(),
      category: node.segment.category.toLowerCase(),
      context: node.segment.context.toLowerCase(),
    },
    metrics: {
      unique_participants_est: node.metrics.uniqueParticipantsEst,
      doors_opened_est: node.metrics.doorsOpenedEst,
      repeat_rate_est: node.metrics.repeatRateEst,
      trend_score_est: node.metrics.trendScoreEst,
    },
    accuracy:
      node.accuracy === null
        ? null
        : {
            confidence: node.accuracy.confidence,
            unique_participants: node.accuracy.uniqueParticipants,
            doors_opened: node.accuracy.doorsOpened,
            repeat_participants: node.accuracy.repeatParticipants,
          },
    privacy: {
      k_min_enforced: node.privacy.kMinEnforced,
      suppressed: node.privacy.suppressed,
      suppressed_reason: node.privacy.suppressedReason?.toLowerCase() ?? null,
      dp: {
        enabled: node.privacy.dp.enabled,
        mechanism: node.privacy.dp.mechanism,
        epsilon: node.privacy.dp.epsilon,
        participant_day_epsilon: node.privacy.dp.participantDayEpsilon,
        delta: node.privacy.dp.delta,
        budget_window_days: node.privacy.dp.budgetWindowDays,
        noise_scale: node.privacy.dp.noiseScale,
        release_id: node.privacy.dp.releaseId,
      },
    },
  };
}

/** Leaves as [dotted name, value] in key order: the CSV columns (a released record has every one). */
function flatten(value: object, prefix = ""): Array<[string, unknown]> {
  return Object.entries(value).flatMap(
    ([key, child]): Array<[string, unknown]> =>
      typeof child === "object" && child !== null
        ? flatten(child, `${prefix}${key}.`)
        : [[`${prefix}${key}`, child]],
  );
}

/** The value of each dotted column in a record; a leaf under a null object (a suppressed record's accuracy) is null. */
function valuesAt(record: object, columns: string[]): unknown[] {
  return columns.map((column) =>
    column
      .split(".")
      .reduce<unknown>(
        (value, key) =>
          value === null || typeof value !== "object" ? null : (value as Record<string, unknown>)[key],
        record,
      ),
  );
}

/** The DAY contract profile's 95% margins (scales 16, 160, 32), as exported. */
const DAY_ACCURACY = {
  confidence: 0.95,
  unique_participants: 48,
  doors_opened: 479,
  repeat_participants: 96,
};

/** Reads a streamed body chunk by chunk; returns the text and how many chunks it came in. */
async function readStream(response: Response): Promise<{ text: string; chunks: number }> {
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error("no body");
  const decoder = new TextDecoder();
  let text = "";
  let chunks = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks++;
    text += decoder.decode(value, { stream: true });
  }
  return { text, chunks };
}

const jsonLines = (text: string) =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The request-log rows of an export's pages: their ids are the export's x-request-id, a dot and the page number. */
async function exportRows(response: Response) {
  const exportId = response.headers.get("x-request-id");
  expect(exportId).toMatch(/^[0-9a-f-]{36}$/);
  await flushRequestLogs();
  return db.query<{
    request_id: string;
    client_request_id: string | null;
    endpoint: string;
    outcome_code: string;
    epsilon_charged: number;
  }>(
    `select request_id, client_request_id, endpoint, outcome_code, epsilon_charged from request_logs
      where request_id like $1 order by id`,
    [`${exportId}.%`],
  );
}

describe("dataset export: records", () => {
  it("streams a 6-page GEOHASH3 range as canonical JSON lines identical to insights, charging each release once", async () => {
    const before = await policyState(db);
    const response = await exportGet({ ...days(1, 11), geo_bucket_type: "geohash3" }, world.buyerKey, {
      "x-request-id": "export-jsonl",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get("content-disposition")).toBe(
      'attachment; filename="spots_insights_v1_day_geohash3_2026-01-01_2026-01-11.jsonl"',
    );
    const { text, chunks } = await readStream(response);
    const records = jsonLines(text);
    expect(records).toHaveLength(10 * 4 * 135);
    expect(chunks).toBeGreaterThanOrEqual(6);

    const after = await policyState(db);
    expect(Number(after?.charges) - Number(before?.charges)).toBe(10);
    expect(Number(after?.spent) - Number(before?.spent)).toBeCloseTo(10 * 0.5, 9);
    expect(Number(after?.shapes) - Number(before?.shapes)).toBe(1);
    const rows = await exportRows(response);
    expect(rows.every((row) => row.client_request_id === "export-jsonl")).toBe(true);
    expect(rows.map((row) => [row.endpoint, row.outcome_code, row.epsilon_charged])).toEqual([
      ["export", "OK", 5],
      ...Array.from({ length: 5 }, () => ["export", "OK", 0]),
    ]);

    const nodes = await insightsCells({
      timeBucketStartUtc: "2026-01-01T00:00:00Z",
      timeBucketEndUtc: "2026-01-11T00:00:00Z",
      geoBucketType: "GEOHASH3",
    });
    expect(nodes).toHaveLength(records.length);
    expect(records.some((record) => (record.privacy as { suppressed: boolean }).suppressed)).toBe(true);
    expect(records.some((record) => !(record.privacy as { suppressed: boolean }).suppressed)).toBe(true);
    // Every suppressed record reads below_threshold, whatever withheld it; no cause appears anywhere.
    for (const record of records) {
      const privacy = record.privacy as { suppressed: boolean; suppressed_reason: string | null };
      expect(privacy.suppressed_reason).toBe(privacy.suppressed ? "below_threshold" : null);
    }
    expect(text).not.toMatch(SUPPRESSION_CAUSES);
    records.forEach((record, index) => {
      const expected = expectedRecord(nodes[index] as Node);
      // Same values and the same key order at every level.
      expect(JSON.stringify(record)).toBe(JSON.stringify(expected));
    });
    expect(Object.keys(records[0] ?? {})).toEqual([
      "schema_version",
      "dataset",
      "time_bucket_start_utc",
      "time_granularity",
      "reporting_delay_hours",
      "geo_bucket",
      "segment",
      "metrics",
      "accuracy",
      "privacy",
    ]);
    // Released records carry their release's margins, suppressed ones null.
    for (const record of records) {
      const suppressed = (record.privacy as { suppressed: boolean }).suppressed;
      expect(record.accuracy).toEqual(suppressed ? null : DAY_ACCURACY);
    }
  });

  it("a second export of the same range charges nothing and counts no new shape", async () => {
    const before = await policyState(db);
    const response = await exportGet({ ...days(1, 11), geo_bucket_type: "geohash3" });
    expect(response.headers.get("x-policy-epsilon-charged")).toBe("0");
    expect(jsonLines(await response.text())).toHaveLength(5400);
    const after = await policyState(db);
    expect({ ...after, hits: 0 }).toEqual({ ...before, hits: 0 });
  });

  it("CSV has a header of dotted names and the same cells as insights, one RFC 4180 line each", async () => {
    const response = await exportGet({ ...days(1, 4), format: "csv", categories: "coffee,food" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toContain('.csv"');
    const text = await response.text();
    expect(text.endsWith("\r\n")).toBe(true);
    const [header, ...lines] = text.slice(0, -2).split("\r\n");
    const nodes = await insightsCells({
      timeBucketStartUtc: "2026-01-01T00:00:00Z",
      timeBucketEndUtc: "2026-01-04T00:00:00Z",
      categories: ["COFFEE", "FOOD"],
    });
    expect(nodes).toHaveLength(3 * 2 * 2 * 3 * 5);
    const released = nodes.find((node) => !node.privacy.suppressed);
    if (released === undefined) throw new Error("the range has no released cell");
    const columns = flatten(expectedRecord(released)).map(([name]) => name);
    expect(header?.split(",")).toEqual(columns);
    expect(header).toContain(
      "metrics.trend_score_est,accuracy.confidence,accuracy.unique_participants,accuracy.doors_opened,accuracy.repeat_participants,privacy.k_min_enforced",
    );
    const expected = nodes.map((node) => valuesAt(expectedRecord(node), columns));
    expect(header).toContain("privacy.dp.epsilon,privacy.dp.participant_day_epsilon");
    // Each record carries the plan's epsilon per participant-day beside the per-release epsilon.
    const firstRow = new Map(columns.map((column, index) => [column, expected[0]?.[index]]));
    // The default plan's epsilon_day (PRIVACY.md "Default plan", with roll-ups): 3.0.
    expect(firstRow.get("privacy.dp.participant_day_epsilon")).toBe(3);
    expect(firstRow.get("privacy.dp.epsilon")).toBe(0.5);
    expect(lines).toHaveLength(nodes.length);
    expect(text).toContain(",true,below_threshold,");
    // A suppressed record's four accuracy columns are empty; a released one's hold the margins.
    expect(text).toContain(",,,,,,,,,100,true,below_threshold,");
    expect(text).toContain(",0.95,48,479,96,");
    expect(text).not.toMatch(SUPPRESSION_CAUSES);
    lines.forEach((line, index) => {
      // No value here holds a comma or quote, so a plain split is the RFC 4180 parse.
      expect(line.split(",")).toEqual(expected[index]?.map((value) => (value === null ? "" : String(value))));
    });
  });

  it("GET and POST (lists as arrays or comma-separated) give byte-identical exports", async () => {
    const get = await exportGet({ ...days(1, 4), categories: "coffee,food", door_types: "spot" });
    const postArrays = await exportPost(
      JSON.stringify({ ...days(1, 4), categories: ["coffee", "food"], door_types: ["spot"] }),
    );
    const postString = await exportPost(
      JSON.stringify({ ...days(1, 4), format: "jsonl", categories: "coffee,food", door_types: "spot" }),
    );
    const text = await get.text();
    expect(jsonLines(text)).toHaveLength(3 * 2 * 2 * 5);
    expect(await postArrays.text()).toBe(text);
    expect(await postString.text()).toBe(text);
  });

  it("INTERNAL and OPERATOR keys export the same records as a buyer, without diagnostics", async () => {
    const params = { ...days(1, 3), geo_bucket_ids: "us-nyc" };
    const buyer = await (await exportGet(params)).text();
    for (const key of [world.internalKey, world.operatorKey]) {
      const response = await exportGet(params, key);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).toBe(buyer);
      expect(text).not.toMatch(/diagnostics|true_unique|top_contributor/);
    }
  });
});

describe("dataset export: trends", () => {
  type Metrics = { unique_participants_est: number | null; trend_score_est: number | null };
  const metricsOf = (record: Record<string, unknown>) => record.metrics as Metrics;
  const withoutTrend = (record: Record<string, unknown>) => ({
    ...record,
    metrics: { ...metricsOf(record), trend_score_est: null },
  });
  const read = async (params: Params, key: string) => {
    const response = await exportGet(params, key);
    expect(response.status).toBe(200);
    return jsonLines(await response.text());
  };

  it("trend_score_est follows the buyer's charges: null until the previous day was read, then the formula", async () => {
    const buyer = (await issueTestKey(db, "buyer", { clock: world.clock, partnerId: "outside_buyer_trend" }))
      .apiKey;
    const cities = { geo_bucket_ids: "us-nyc,gb-lon" };
    const previous = await read({ ...days(5, 6), ...cities }, world.internalKey);
    const internal = await read({ ...days(6, 7), ...cities }, world.internalKey);
    // INTERNAL sees u / (u + u_previous) wherever both weekdays were released (one cell per city).
    const expected = internal.map((record, index) =>
      trendScore(
        metricsOf(record).unique_participants_est,
        metricsOf(previous[index] ?? {}).unique_participants_est ?? null,
      ),
    );
    expect(expected.filter((trend) => trend !== null)).toHaveLength(2);
    expect(internal.map((record) => metricsOf(record).trend_score_est)).toEqual(expected);

    const uncharged = await read({ ...days(6, 7), ...cities }, buyer);
    expect(uncharged.every((record) => metricsOf(record).trend_score_est === null)).toBe(true);
    expect(uncharged).toEqual(internal.map(withoutTrend));

    await read({ ...days(5, 6), ...cities }, buyer);
    expect(await read({ ...days(6, 7), ...cities }, buyer)).toEqual(internal);
  });
});

describe("dataset export: refusals", () => {
  const cases: Array<[string, () => Promise<Response>, number, string]> = [
    ["no key", () => exportGet(days(1, 2), null), 401, "UNAUTHENTICATED"],
    ["a malformed key", () => exportGet(days(1, 2), "ib_buyer_nope"), 401, "UNAUTHENTICATED"],
    ["a TENANT key", () => exportGet(days(1, 2), tenantKey), 403, "FORBIDDEN"],
    ["an unknown format", () => exportGet({ ...days(1, 2), format: "xml" }), 400, "BAD_USER_INPUT"],
    ["an unknown parameter", () => exportGet({ ...days(1, 2), first: "10" }), 400, "BAD_USER_INPUT"],
    [
      "an unknown category",
      () => exportGet({ ...days(1, 2), categories: "coffee,tea" }),
      400,
      "BAD_USER_INPUT",
    ],
    [
      "an unaligned start",
      () => exportGet({ ...days(1, 2), time_bucket_start_utc: "2026-01-01T05:00:00Z" }),
      400,
      "BAD_USER_INPUT",
    ],
    [
      "a date that does not exist",
      () => exportGet({ ...days(1, 2), time_bucket_end_utc: "2026-01-32T00:00:00Z" }),
      400,
      "BAD_USER_INPUT",
    ],
    [
      "a missing start",
      () => exportGet({ time_bucket_end_utc: "2026-01-02T00:00:00Z" }),
      400,
      "BAD_USER_INPUT",
    ],
    ["a body that is not JSON", () => exportPost("{not json"), 400, "BAD_USER_INPUT"],
    [
      "a range ending inside the 72 h delay",
      () =>
        exportGet({
          time_bucket_start_utc: "2026-01-17T00:00:00Z",
          time_bucket_end_utc: "2026-01-18T00:00:00Z",
        }),
      422,
      "REPORTING_DELAY_NOT_MET",
    ],
    [
      "HOUR without geo ids",
      () => exportGet({ ...days(1, 2), time_granularity: "hour" }),
      422,
      "TOO_MANY_GEO_BUCKETS",
    ],
    [
      "a range costing more than the remaining budget",
      () => exportGet(days(1, 5), world.otherBuyerKey),
      422,
      "PRIVACY_BUDGET_EXCEEDED",
    ],
    [
      "a body over 64 KB",
      () => exportPost(JSON.stringify({ ...days(1, 2), geo_bucket_ids: "us-nyc,".repeat(10_000) })),
      413,
      "PAYLOAD_TOO_LARGE",
    ],
  ];
  for (const [name, send, status, code] of cases) {
    it(`refuses ${name} with HTTP ${status} and ${code}, charging nothing and logging one export row`, async () => {
      const before = await policyState(db);
      await flushRequestLogs();
      const [logsBefore] = await db.query<{ n: number }>("select count(*)::int as n from request_logs");
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(10);
      expect(await policyState(db)).toEqual(before);
      await flushRequestLogs();
      const logs = await db.query<{ endpoint: string; outcome_code: string; http_status: number }>(
        "select endpoint, outcome_code, http_status from request_logs order by id offset $1",
        [logsBefore?.n ?? 0],
      );
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({ endpoint: "export", outcome_code: code });
    });
  }

  it("answers a rate-limited key with HTTP 429, RATE_LIMITED and retry-after, charging nothing", async () => {
    const limited = app({ RATE_LIMIT_BUYER_PER_MINUTE: "1" });
    const url = `${EXPORT_URL}?${new URLSearchParams(days(1, 2))}`;
    const headers = { authorization: `Bearer ${world.buyerKey}` };
    expect((await limited.fetch(url, { headers })).status).toBe(200);
    const before = await policyState(db);
    const refused = await limited.fetch(url, { headers });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect(await policyState(db)).toEqual(before);
  });
});

describe("dataset export: paging", () => {
  const longExport = (api: ReturnType<typeof app>) =>
    api.fetch(
      `${EXPORT_URL}?${new URLSearchParams({
        time_bucket_start_utc: LONG_RANGE.start,
        time_bucket_end_utc: LONG_RANGE.end,
        geo_bucket_type: "geohash3",
      })}`,
      { headers: { authorization: `Bearer ${bigBuyerKey}` } },
    );

  /** The database handle with a log of the count statements over insight_cells. */
  function countingCells() {
    const counts: string[] = [];
    const handle: DatabaseHandle = {
      ...db,
      query: (async (text: string, params?: unknown[]) => {
        if (/count\(\*\)/i.test(text) && text.includes("insight_cells")) counts.push(text);
        return db.query(text, params);
      }) as DatabaseHandle["query"],
    };
    return { handle, counts };
  }

  it("an export above EXPORT_MAX_CELLS is refused with the limit and how to split it, charging nothing", async () => {
    const before = await policyState(db);
    const response = await longExport(app({ EXPORT_MAX_CELLS: "5000" }));
    expect(response.status).toBe(422);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("EXPORT_TOO_LARGE");
    expect(body.error.message).toContain(`This export has ${LONG_RANGE_CELLS} cells, more than the 5000`);
    expect(body.error.message).toMatch(
      /Split it into exports of at most 5000 cells each: shorter time ranges \(about 9 time buckets each\)/,
    );
    expect(body.error.message).toContain("Nothing was charged.");
    expect(await policyState(db)).toEqual(before);
  });

  it("an export of more pages than the key's tokens a minute is refused before the charge", async () => {
    const before = await policyState(db);
    const response = await longExport(app({ RATE_LIMIT_BUYER_PER_MINUTE: "3" }));
    expect(response.status).toBe(429);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(body.error.message).toMatch(
      /needs 30 pages of 1000 cells, one rate-limit token each, more than this key's 3 a minute/,
    );
    expect(await policyState(db)).toEqual(before);
  });

  it("a 30-page export runs one count statement, takes a rate-limit token per page and charges each of its releases once", async () => {
    const counting = countingCells();
    const limited = app({ RATE_LIMIT_BUYER_PER_MINUTE: "40" }, counting.handle);
    const headers = { authorization: `Bearer ${bigBuyerKey}` };
    const before = await policyState(db);
    const response = await longExport(limited);
    expect(response.status).toBe(200);
    const { text } = await readStream(response);
    const records = jsonLines(text);
    expect(records).toHaveLength(LONG_RANGE_CELLS);
    expect(records.every((record) => !("error" in record))).toBe(true);
    // The size check before the charge; the pages never select totalCount, so they count nothing.
    expect(counting.counts).toHaveLength(1);

    const rows = await exportRows(response);
    expect(rows).toHaveLength(Math.ceil(LONG_RANGE_CELLS / 1000));
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => row.endpoint === "export" && row.outcome_code === "OK")).toBe(true);
    expect(rows.map((row) => row.epsilon_charged)).toEqual([LONG_RANGE.days * 0.5, ...Array(29).fill(0)]);
    const after = await policyState(db);
    expect(Number(after?.charges) - Number(before?.charges)).toBe(LONG_RANGE.days);
    expect(Number(after?.spent) - Number(before?.spent)).toBeCloseTo(LONG_RANGE.days * 0.5, 9);
    expect(Number(after?.shapes) - Number(before?.shapes)).toBe(1);

    // The export took 30 of the 40 tokens: ten more requests pass, the eleventh is refused.
    const viewer = () =>
      limited.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({ query: "{ viewer { role } }" }),
      });
    for (let request = 0; request < 10; request++) expect((await viewer()).status).toBe(200);
    expect((await viewer()).status).toBe(429);
  }, 120_000);
});

describe("dataset export: a later page that fails", () => {
  /** Runs an export whose second page is replaced by `secondPage`; returns the body and the error logs. */
  async function exportWithSecondPage(secondPage: (real: Response) => Promise<Response>) {
    const logs: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => logs.push(line) });
    const inner = app();
    const response = await exportDataset(
      new Request(`${EXPORT_URL}?${new URLSearchParams({ ...days(1, 11), geo_bucket_type: "geohash3" })}`, {
        headers: { authorization: `Bearer ${world.buyerKey}` },
      }),
      {
        requestId: "export-broken",
        logger,
        report: newPolicyReport(),
        runPage: async (page, index) => {
          const real = await inner.fetch(page);
          return index === 1 ? secondPage(real) : real;
        },
      },
    );
    expect(response.status).toBe(200);
    const lines = (await response.text()).split("\n").filter((line) => line !== "");
    return { lines, errors: logs.filter((line) => line.includes("dataset export ended early")) };
  }

  it("ends the stream with an error line after the first page when a later page is refused, and logs it", async () => {
    const { lines, errors } = await exportWithSecondPage(async () =>
      Response.json({ errors: [{ message: "Too many requests.", extensions: { code: "RATE_LIMITED" } }] }),
    );
    expect(lines).toHaveLength(1000 + 1);
    expect(JSON.parse(lines.at(-1) ?? "")).toEqual({
      error: { code: "RATE_LIMITED", message: "Too many requests." },
    });
    expect(errors).toHaveLength(1);
  });

  it("stops when a later page was charged anything", async () => {
    const { lines, errors } = await exportWithSecondPage(async (real) => {
      const body = (await real.json()) as { extensions: { policy: { epsilonCharged: number } } };
      body.extensions.policy.epsilonCharged = 0.5;
      return Response.json(body);
    });
    expect(lines).toHaveLength(1000 + 1);
    expect(JSON.parse(lines.at(-1) ?? "")).toMatchObject({ error: { code: "INTERNAL_ERROR" } });
    expect(errors).toHaveLength(1);
  });
});
