// The first-party business tier (001 seed, Appendix A2; issue 15 item 3): a BUSINESS key reads exact
// counts on its own spots only, 24 h after a bucket ends, cells under 10 participants suppressed;
// another business's spot is FORBIDDEN with nothing read; insights, quotes and the export are
// refused; every read is audited; the privacy statement names the tier as outside the guarantee.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../src/audit/actor";
import { fixedClock } from "../../src/clock";
import type { DatabaseHandle, QueryFn } from "../../src/db/client";
import { issueApiKey } from "../../src/resolvers/admin/apiKeys";
import { type GraphQLBody, issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { lastAuditId, stateDigest } from "../support/stateDigest";

const NOW = "2026-03-10T12:00:00Z";
const clock = fixedClock(NOW);
const DAY1 = "2026-03-08T00:00:00Z";
const DAY2 = "2026-03-09T00:00:00Z";
const DAY3 = "2026-03-10T00:00:00Z";

let db: TestDatabase;
/** Every raw SQL text the app sends through the handle, in order. */
const statements: string[] = [];
let recorded: DatabaseHandle;
let businessKey: string;
let otherBusinessKey: string;
let buyerKey: string;
let operatorKey: string;
let internalKey: string;

async function insertSpot(id: string, businessId: string | null): Promise<void> {
  await db.query(
    `insert into spots (id, business_id, city_code, name, door_type, category, lat, lng, geohash)
     values ($1, $2, 'us-nyc', $1, 'spot', 'coffee', 40.7128, -74.006, 'dr5regw')`,
    [id, businessId],
  );
}

/** Participants p<offset>..p<offset+count-1> each open `doors` doors of `doorType` at `spot`, from `at` on. */
async function insertEvents(group: {
  spot: string;
  participants: number;
  offset?: number;
  doors?: number;
  doorType: "spot" | "event" | "community";
  at: string;
}): Promise<void> {
  await db.query(
    `insert into interaction_events (participant_id, occurred_at, lat, lng, geohash, geohash3, door_type, category, spot_id, ingested_at)
     select 'p' || (p + $1), $2::timestamptz + make_interval(secs => p * 10 + d), 40.7128, -74.006, 'dr5regw', 'dr5',
            $3::door_type, 'coffee', $4, $2::timestamptz
     from generate_series(0, $5 - 1) as p, generate_series(0, $6 - 1) as d`,
    [group.offset ?? 0, group.at, group.doorType, group.spot, group.participants, group.doors ?? 1],
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  await db.query(
    "insert into businesses (id, name) values ('biz_a', 'A Coffee'), ('biz_b', 'B Bakery'), ('biz_c', 'C Empty')",
  );
  await insertSpot("a-1", "biz_a");
  await insertSpot("a-2", "biz_a");
  await insertSpot("b-1", "biz_b");
  await insertSpot("x-1", null);
  // Day 1 at a-1: 12 participants x 2 SPOT doors in hour 10; 5 participants at an EVENT door in hour 14.
  await insertEvents({
    spot: "a-1",
    participants: 12,
    doors: 2,
    doorType: "spot",
    at: "2026-03-08T10:00:00Z",
  });
  await insertEvents({ spot: "a-1", participants: 5, doorType: "event", at: "2026-03-08T14:00:00Z" });
  // Day 1 at a-2: exactly 10 participants x 3 doors (released), 9 at COMMUNITY doors (suppressed).
  await insertEvents({
    spot: "a-2",
    participants: 10,
    doors: 3,
    doorType: "spot",
    at: "2026-03-08T09:00:00Z",
  });
  await insertEvents({
    spot: "a-2",
    participants: 9,
    offset: 100,
    doorType: "community",
    at: "2026-03-08T20:00:00Z",
  });
  // The same participants at a-1 again in hour 11 (a second SPOT hour), then on day 2 from 00:00:00.
  await insertEvents({ spot: "a-1", participants: 11, doorType: "spot", at: "2026-03-08T11:00:00Z" });
  await insertEvents({ spot: "a-1", participants: 20, doorType: "spot", at: DAY2 });
  await insertEvents({ spot: "b-1", participants: 50, doorType: "spot", at: "2026-03-08T12:00:00Z" });

  businessKey = (await issueApiKeyFor("business", "biz_a")).apiKey;
  otherBusinessKey = (await issueApiKeyFor("business", "biz_b")).apiKey;
  buyerKey = (await issueTestKey(db, "buyer", { clock })).apiKey;
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  internalKey = (await issueTestKey(db, "internal", { clock })).apiKey;

  const record: QueryFn = (text, params, options) => {
    statements.push(text);
    return db.query(text, params, options);
  };
  recorded = {
    ...db,
    query: record,
    transaction: (work) =>
      db.transaction((query) =>
        work((text, params, options) => {
          statements.push(text);
          return query(text, params, options);
        }),
      ),
  };
});
afterAll(async () => {
  await db?.destroy();
});

async function issueApiKeyFor(role: "business", businessId: string) {
  const result = await issueApiKey({ database: db, clock }, systemActor("test"), {
    role,
    name: `test-${businessId}`,
    businessId,
  });
  if (!result.ok) throw new Error(result.userErrors.map((e) => e.message).join("; "));
  return result.value;
}

const READ = `query Read($filter: BusinessInsightsFilter!) {
  businessInsights(filter: $filter) {
    businessId granularity reportingDelayHours kMin outsideDpGuarantee
    cells { spotId timeBucketStartUtc timeGranularity doorType suppressed suppressedReason
            metrics { uniqueParticipants doorsOpened } }
  }
}`;

interface Cell {
  spotId: string;
  timeBucketStartUtc: string;
  timeGranularity: string;
  doorType: string;
  suppressed: boolean;
  suppressedReason: string | null;
  metrics: { uniqueParticipants: number | null; doorsOpened: number | null };
}

function read(filter: Record<string, unknown>, key = businessKey, env: Record<string, string> = {}) {
  return testApp(recorded, clock, env).graphql(READ, { key, variables: { filter } });
}

const released = (participants: number, doors: number) => ({
  suppressed: false,
  suppressedReason: null,
  metrics: { uniqueParticipants: participants, doorsOpened: doors },
});
const suppressed = {
  suppressed: true,
  suppressedReason: "BELOW_THRESHOLD",
  metrics: { uniqueParticipants: null, doorsOpened: null },
};
/** The cells of a businessInsights answer (none when it was refused). */
const cellsOf = (body: GraphQLBody): Cell[] =>
  (body.data?.businessInsights as { cells: Cell[] } | undefined)?.cells ?? [];
const valuesOf = (cells: Cell[]) =>
  cells.map(({ spotId, timeBucketStartUtc, doorType, suppressed, suppressedReason, metrics }) => ({
    key: `${spotId} ${timeBucketStartUtc} ${doorType}`,
    suppressed,
    suppressedReason,
    metrics,
  }));

describe("businessInsights: a BUSINESS key reads its own spots", () => {
  it("gives exact unique participants and doors opened per (spot, day, door type), suppressing cells under 10", async () => {
    const { body } = await read({
      granularity: "DAY",
      timeBucketStartUtc: DAY1,
      timeBucketEndUtc: DAY2,
      spotIds: ["a-2", "a-1"],
    });
    expect(body.errors).toBeUndefined();
    const insights = body.data?.businessInsights as { cells: Cell[] } & Record<string, unknown>;
    expect(insights).toMatchObject({
      businessId: "biz_a",
      granularity: "DAY",
      reportingDelayHours: 24,
      kMin: 10,
      outsideDpGuarantee: true,
    });
    expect(valuesOf(insights.cells)).toEqual([
      // a-1: hour 10 (12 x 2 doors) and hour 11 (the same 11 of them again) are one day: 12 people, 35 doors.
      { key: `a-1 ${DAY1} SPOT`, ...released(12, 35) },
      { key: `a-1 ${DAY1} EVENT`, ...suppressed },
      { key: `a-1 ${DAY1} COMMUNITY`, ...suppressed },
      // Exactly the threshold is released.
      { key: `a-2 ${DAY1} SPOT`, ...released(10, 30) },
      { key: `a-2 ${DAY1} EVENT`, ...suppressed },
      { key: `a-2 ${DAY1} COMMUNITY`, ...suppressed },
    ]);
    expect(insights.cells.every((cell) => cell.timeGranularity === "DAY")).toBe(true);
  });

  it("HOUR cells: each hour on its own, an empty hour suppressed like a small one", async () => {
    const { body } = await read({
      granularity: "HOUR",
      timeBucketStartUtc: "2026-03-08T10:00:00Z",
      timeBucketEndUtc: "2026-03-08T13:00:00Z",
      spotIds: ["a-1"],
    });
    expect(body.errors).toBeUndefined();
    const cells = cellsOf(body);
    expect(valuesOf(cells).filter((cell) => cell.key.endsWith("SPOT"))).toEqual([
      { key: "a-1 2026-03-08T10:00:00Z SPOT", ...released(12, 24) },
      { key: "a-1 2026-03-08T11:00:00Z SPOT", ...released(11, 11) },
      { key: "a-1 2026-03-08T12:00:00Z SPOT", ...suppressed },
    ]);
    expect(cells).toHaveLength(3 * 3);
    expect(cells.filter((cell) => !cell.doorType.startsWith("SPOT")).every((cell) => cell.suppressed)).toBe(
      true,
    );
  });

  it("waits 24 h after a bucket ends: a day that ended 12 h ago is REPORTING_DELAY_NOT_MET", async () => {
    const { body } = await read({
      granularity: "DAY",
      timeBucketStartUtc: DAY2,
      timeBucketEndUtc: DAY3,
      spotIds: ["a-1"],
    });
    expect(body.data?.businessInsights ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: "REPORTING_DELAY_NOT_MET",
      limit: 24,
      latestAllowedEnd: "2026-03-09T12:00:00.000Z",
    });
    // The last hour that ended 24 h ago is readable, and day 2's first events are in it.
    const ok = await read({
      granularity: "HOUR",
      timeBucketStartUtc: "2026-03-09T00:00:00Z",
      timeBucketEndUtc: "2026-03-09T12:00:00Z",
      spotIds: ["a-1"],
    });
    const cells = cellsOf(ok.body);
    expect(valuesOf(cells)[0]).toEqual({ key: "a-1 2026-03-09T00:00:00Z SPOT", ...released(20, 20) });
  });

  it("refuses ranges and spot lists beyond the tier's limits, with stable codes and the limit", async () => {
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [
        {
          granularity: "DAY",
          timeBucketStartUtc: "2026-02-01T00:00:00Z",
          timeBucketEndUtc: "2026-03-05T00:00:00Z",
          spotIds: ["a-1"],
        },
        { code: "RANGE_TOO_LARGE", limit: 31, actual: 32 },
      ],
      [
        {
          granularity: "HOUR",
          timeBucketStartUtc: "2026-03-01T00:00:00Z",
          timeBucketEndUtc: "2026-03-08T01:00:00Z",
          spotIds: ["a-1"],
        },
        { code: "RANGE_TOO_LARGE", limit: 168, actual: 169 },
      ],
      [
        {
          granularity: "DAY",
          timeBucketStartUtc: DAY1,
          timeBucketEndUtc: DAY2,
          spotIds: Array.from({ length: 11 }, (_, i) => `a-${i}`),
        },
        { code: "TOO_MANY_SPOTS", limit: 10, actual: 11 },
      ],
      [
        {
          granularity: "DAY",
          timeBucketStartUtc: "2026-03-08T01:00:00Z",
          timeBucketEndUtc: DAY2,
          spotIds: ["a-1"],
        },
        { code: "BAD_USER_INPUT", field: "timeBucketStartUtc" },
      ],
      [
        { granularity: "DAY", timeBucketStartUtc: DAY2, timeBucketEndUtc: DAY1, spotIds: ["a-1"] },
        { code: "BAD_USER_INPUT", field: "timeBucketEndUtc" },
      ],
      [
        { granularity: "DAY", timeBucketStartUtc: DAY1, timeBucketEndUtc: DAY2, spotIds: [] },
        { code: "BAD_USER_INPUT", field: "spotIds" },
      ],
    ];
    for (const [filter, extensions] of cases) {
      const { body } = await read(filter);
      expect(body.data?.businessInsights ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions).toMatchObject(extensions);
    }
  });
});

describe("businessInsights: access control", () => {
  it("another business's spot, an unowned spot or an unknown one is FORBIDDEN, with no event read and nothing changed", async () => {
    const before = await stateDigest(db);
    const auditBefore = await lastAuditId(db);
    const messages: string[] = [];
    for (const spotIds of [["b-1"], ["a-1", "b-1"], ["x-1"], ["no-such-spot"]]) {
      statements.length = 0;
      const { body } = await read({
        granularity: "DAY",
        timeBucketStartUtc: DAY1,
        timeBucketEndUtc: DAY2,
        spotIds,
      });
      expect(body.data?.businessInsights ?? null).toBeNull();
      const error = body.errors?.[0];
      expect(error?.extensions).toMatchObject({ code: "FORBIDDEN", field: "spotIds" });
      // Only the refused ids are named; an owned one in the same list is not.
      expect(error?.extensions?.spotIds).toEqual(spotIds.filter((id) => id !== "a-1"));
      messages.push(String(error?.message).replace(/"[^"]*"/g, "<id>"));
      expect(statements.some((text) => /interaction_events/.test(text))).toBe(false);
      expect(statements.some((text) => /audit_logs/.test(text))).toBe(false);
    }
    // An unknown spot and another business's spot read the same: nothing tells which spots exist.
    expect(new Set(messages).size).toBe(1);
    expect(await stateDigest(db)).toEqual(before);
    expect(await lastAuditId(db)).toBe(auditBefore);
  });

  it("the other business reads its own spot and is refused this one's", async () => {
    const own = await read(
      { granularity: "DAY", timeBucketStartUtc: DAY1, timeBucketEndUtc: DAY2, spotIds: ["b-1"] },
      otherBusinessKey,
    );
    expect(valuesOf(cellsOf(own.body))[0]).toEqual({
      key: `b-1 ${DAY1} SPOT`,
      ...released(50, 50),
    });
    const theirs = await read(
      { granularity: "DAY", timeBucketStartUtc: DAY1, timeBucketEndUtc: DAY2, spotIds: ["a-1"] },
      otherBusinessKey,
    );
    expect(theirs.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("other roles may not call businessInsights", async () => {
    for (const key of [buyerKey, internalKey, operatorKey]) {
      const { body } = await read(
        { granularity: "DAY", timeBucketStartUtc: DAY1, timeBucketEndUtc: DAY2, spotIds: ["a-1"] },
        key,
      );
      expect(body.data?.businessInsights ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
  });

  it("a BUSINESS key is refused insights, quotes, ops views, admin mutations and the dataset export, and nothing changes", async () => {
    const { app, graphql } = testApp(db, clock);
    const before = await stateDigest(db);
    const filter = `{ granularity: DAY, timeBucketStartUtc: "${DAY1}", timeBucketEndUtc: "${DAY2}", geoBucketType: CITY_CODE }`;
    for (const query of [
      `{ insights(filter: ${filter}) { totalCount } }`,
      `{ quoteInsights(filter: ${filter}) { epsilonCost } }`,
      "{ anomalies { totalCount } }",
      "{ ops { auditLog(first: 1) { totalCount } } }",
      `{ viewer { role } insights(filter: ${filter}) { totalCount } }`,
      `mutation { revokeApiKey(input: { id: "00000000-0000-4000-8000-000000000000" }) { userErrors { code } } }`,
    ]) {
      const { body } = await graphql(query, { key: businessKey });
      expect(body.data ?? null, query).toBeNull();
      expect(body.errors?.[0]?.extensions?.code, query).toBe("FORBIDDEN");
    }
    const exported = await app.fetch(
      `http://yoga/v1/datasets/spots_insights_v1?format=jsonl&time_granularity=day&time_bucket_start_utc=${DAY1}&time_bucket_end_utc=${DAY2}&geo_bucket_type=city_code`,
      { headers: { authorization: `Bearer ${businessKey}` } },
    );
    expect(exported.status).toBe(403);
    expect(((await exported.json()) as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    const { audit_logs: _audit, ...after } = await stateDigest(db);
    expect(after).toEqual(before);
    const [charges] = await db.query<{ n: number }>("select count(*)::int as n from budget_charges");
    expect(charges?.n).toBe(0);
  });

  it("introspection shows a BUSINESS key its own narrow schema only", async () => {
    const { body } = await testApp(db, clock).graphql("{ __schema { queryType { fields { name } } } }", {
      key: businessKey,
    });
    const schema = body.data?.__schema as { queryType: { fields: Array<{ name: string }> } } | undefined;
    const fields = (schema?.queryType.fields ?? []).map((field) => field.name);
    expect(fields.sort()).toEqual(["businessInsights", "privacyStatement", "serverTime", "viewer"]);
  });

  it("a response key naming a denied field is refused before anything is read", async () => {
    statements.length = 0;
    const { body } = await testApp(recorded, clock).graphql(
      `{ businessInsights(filter: { granularity: DAY, timeBucketStartUtc: "${DAY1}", timeBucketEndUtc: "${DAY2}", spotIds: ["a-1"] }) { user_id: businessId } }`,
      { key: businessKey },
    );
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: "FIELD_NOT_ALLOWED",
      reason: "DENIED_RESPONSE_KEY",
    });
    expect(statements.some((text) => /interaction_events/.test(text))).toBe(false);
  });

  it("has its own per-key rate limit (RATE_LIMIT_BUSINESS_PER_MINUTE)", async () => {
    const { graphql } = testApp(db, clock, { RATE_LIMIT_BUSINESS_PER_MINUTE: "2" });
    const codes: Array<unknown> = [];
    for (let i = 0; i < 3; i++) {
      const { status, body } = await graphql("{ viewer { role businessId } }", { key: businessKey });
      codes.push(
        status === 200
          ? (body.data?.viewer as { role: string } | undefined)?.role
          : body.errors?.[0]?.extensions?.code,
      );
    }
    expect(codes).toEqual(["BUSINESS", "BUSINESS", "RATE_LIMITED"]);
  });
});

describe("auditing, keys and the privacy statement", () => {
  it("every read is audited: who, when, which spots, which range", async () => {
    const auditBefore = await lastAuditId(db);
    const response = await testApp(db, clock).app.fetch("http://yoga/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${businessKey}` },
      body: JSON.stringify({
        query: READ,
        variables: {
          filter: {
            granularity: "HOUR",
            timeBucketStartUtc: "2026-03-08T10:00:00Z",
            timeBucketEndUtc: "2026-03-08T12:00:00Z",
            spotIds: ["a-1", "a-2", "a-1"],
          },
        },
      }),
    });
    expect(response.status).toBe(200);
    const rows = await db.query<{
      at: Date;
      type: string;
      actor: string;
      actor_key_id: string;
      action: string;
      target: string;
      outcome: string;
      details: unknown;
      request_id: string;
    }>(
      "select at, type, actor, actor_key_id::text, action, target, outcome, details, request_id from audit_logs where id > $1",
      [auditBefore],
    );
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      type: "business_read",
      action: "businessInsights",
      target: "biz_a",
      outcome: "OK",
      request_id: response.headers.get("x-request-id"),
    });
    expect(new Date(row?.at ?? 0).toISOString()).toBe("2026-03-10T12:00:00.000Z");
    expect(row?.actor).toMatch(/^ib_business_.* \(test-biz_a\)$/);
    const details = typeof row?.details === "string" ? JSON.parse(row.details) : row?.details;
    expect(details).toEqual({
      spotIds: ["a-1", "a-2"],
      granularity: "hour",
      timeBucketStartUtc: "2026-03-08T10:00:00Z",
      timeBucketEndUtc: "2026-03-08T12:00:00Z",
      cells: 2 * 2 * 3,
      suppressedCells: 2 * 2 * 3 - 2,
    });
  });

  it("issueApiKey: BUSINESS needs an existing businessId, only BUSINESS carries one, and the key is ib_business_", async () => {
    const { graphql } = testApp(db, clock);
    const issue = (input: string) =>
      graphql(
        `mutation { issueApiKey(input: ${input}) { apiKey key { role businessId prefix } userErrors { field code } } }`,
        {
          key: operatorKey,
        },
      );
    const missing = await issue(`{ role: BUSINESS, name: "no business" }`);
    expect((missing.body.data?.issueApiKey as Record<string, unknown> | undefined)?.userErrors).toEqual([
      { field: ["input", "businessId"], code: "BUSINESS_ID_REQUIRED" },
    ]);
    const unknown = await issue(`{ role: BUSINESS, name: "unknown", businessId: "biz_nope" }`);
    expect((unknown.body.data?.issueApiKey as Record<string, unknown> | undefined)?.userErrors).toEqual([
      { field: ["input", "businessId"], code: "UNKNOWN_BUSINESS" },
    ]);
    const buyer = await issue(
      `{ role: BUYER, name: "buyer", partnerId: "outside_buyer_x", businessId: "biz_a" }`,
    );
    expect((buyer.body.data?.issueApiKey as Record<string, unknown> | undefined)?.userErrors).toEqual([
      { field: ["input", "businessId"], code: "BUSINESS_ID_NOT_ALLOWED" },
    ]);
    const [keys] = await db.query<{ n: number }>(
      "select count(*)::int as n from api_keys where name in ('no business', 'unknown', 'buyer')",
    );
    expect(keys?.n).toBe(0);

    const ok = await issue(`{ role: BUSINESS, name: "c key", businessId: "biz_c" }`);
    const payload = ok.body.data?.issueApiKey as {
      apiKey: string;
      key: Record<string, unknown>;
      userErrors: unknown[];
    };
    expect(payload.userErrors).toEqual([]);
    expect(payload.apiKey).toMatch(/^ib_business_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/);
    expect(payload.key).toMatchObject({ role: "BUSINESS", businessId: "biz_c" });
    const viewer = await graphql("{ viewer { role businessId partnerId tenantId } }", {
      key: payload.apiKey,
    });
    expect(viewer.body.data?.viewer).toEqual({
      role: "BUSINESS",
      businessId: "biz_c",
      partnerId: null,
      tenantId: null,
    });
    // A business without spots may read none: any spot is another's.
    const none = await read(
      { granularity: "DAY", timeBucketStartUtc: DAY1, timeBucketEndUtc: DAY2, spotIds: ["a-1"] },
      payload.apiKey,
    );
    expect(none.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("privacyStatement names the business tier as outside the outside-buyer guarantee, for every role", async () => {
    const { graphql } = testApp(db, clock);
    for (const key of [businessKey, buyerKey, internalKey]) {
      const { body } = await graphql(
        "{ privacyStatement { tiersOutsideGuarantee { role tier statement } } }",
        { key },
      );
      const tiers =
        (body.data?.privacyStatement as { tiersOutsideGuarantee: Array<Record<string, string>> } | undefined)
          ?.tiersOutsideGuarantee ?? [];
      expect(tiers).toHaveLength(1);
      expect(tiers[0]).toMatchObject({ role: "BUSINESS", tier: "first_party_business" });
      expect(tiers[0]?.statement).toMatch(/outside the outside-buyer differential-privacy guarantee/);
      expect(tiers[0]?.statement).toMatch(/never read insights/);
    }
  });
});
