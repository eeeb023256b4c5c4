import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runOps } from "../../src/cli/ops";
import type { CanonicalRecord } from "../../src/insights/exportRecord";
import {
  CONTRACT_VERIFIER_QUEUE,
  deniedKeysInValue,
  recordProblems,
  runScheduledContractVerifier,
} from "../../src/jobs/contractVerifier";
import { recordJobRun } from "../../src/jobs/jobRuns";
import { testApp } from "../support/app";
import { buildBuyerWorld, WORLD_DAYS } from "../support/buyerWorld";
import { capturedIo } from "../support/capture";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { lastAuditId, stateDigest } from "../support/stateDigest";

// Releases made by the real precompute (buildBuyerWorld: DAY, both geo types, Jan 1..10, read on
// Jan 20), then each kind of contract violation planted straight into the tables.

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
const api = () => testApp(db, world.clock);

const VERIFY = `mutation ($input: VerifyContractsInput) {
  verifyContracts(input: $input) {
    windowDays windowStart checkedReleases checkedCells sampledRecords checkedDays found stillOpen resolved
    newViolations { id check releaseId subject count detail feedItemId resolvedAt }
    userErrors { field code message }
  }
}`;

const VIOLATIONS = `query ($status: ContractViolationStatus, $check: ContractCheck, $first: Int, $after: String) {
  ops { contractViolations(status: $status, check: $check, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id check releaseId subject count detail detectedAt lastSeenAt resolvedAt feedItemId } }
  } }
}`;

interface Payload {
  windowDays: number | null;
  windowStart: string | null;
  checkedReleases: number | null;
  checkedCells: number | null;
  sampledRecords: number | null;
  checkedDays: number | null;
  found: number | null;
  stillOpen: number | null;
  resolved: number | null;
  newViolations: Array<{
    id: string;
    check: string;
    releaseId: string | null;
    subject: string;
    count: number;
    detail: string;
    feedItemId: string | null;
    resolvedAt: string | null;
  }> | null;
  userErrors: Array<{ field: string[]; code: string; message: string }>;
}

async function verify(input: Record<string, unknown> | null, key = world.operatorKey) {
  const { body } = await api().graphql(VERIFY, { key, variables: { input } });
  return { body, payload: body.data?.verifyContracts as Payload | undefined };
}

async function contractFeed() {
  return db.query<{ id: string; severity: string; incident_key: string; status: string }>(
    "select id::text as id, severity, incident_key, status from ops_feed where source = 'contract_verifier' order by incident_key",
  );
}

/** The world's releases by day and geo type: day index 0..9. */
async function releaseOf(dayIndex: number, geoType: "city_code" | "geohash3") {
  const [row] = await db.query<{ id: string }>(
    "select id::text as id from releases where granularity = 'day' and geo_type = $1 and bucket_start = $2",
    [geoType, WORLD_DAYS[dayIndex]],
  );
  if (row === undefined) throw new Error(`no release for day ${dayIndex} ${geoType}`);
  return row.id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
}, 120_000);
afterAll(async () => {
  await db?.destroy();
});

describe("contract verifier", () => {
  it("stays quiet on clean releases made by the real precompute, and says what it checked", async () => {
    const [cells] = await db.query<{ released: number; suppressed: number; total: number }>(
      `select count(*) filter (where not suppressed)::int as released, count(*) filter (where suppressed)::int as suppressed,
              count(*)::int as total from insight_cells`,
    );
    expect(cells?.released).toBeGreaterThan(0);
    expect(cells?.suppressed).toBeGreaterThan(0);

    const { payload } = await verify(null);
    expect(payload).toMatchObject({
      windowDays: 35,
      windowStart: "2025-12-16T12:00:00Z",
      checkedReleases: 20,
      checkedCells: cells?.total,
      sampledRecords: 200,
      // Jan 1..10 in the ledger (the window reaches back to Dec 9 for weeks).
      checkedDays: 10,
      found: 0,
      stillOpen: 0,
      resolved: 0,
      newViolations: [],
      userErrors: [],
    });
    // Every served cell rendered, released and suppressed ones alike.
    const all = await verify({ sampleRecords: 10_000 });
    expect(all.payload).toMatchObject({ sampledRecords: cells?.total, found: 0 });

    const scheduled = await recordJobRun(
      db,
      { name: CONTRACT_VERIFIER_QUEUE, now: () => world.clock.now() },
      () => runScheduledContractVerifier(db, world.clock.now()),
    );
    expect(scheduled).toMatchObject({ outcome: "ok", rows: 0 });
    const { body } = await api().graphql(VIOLATIONS, { key: world.internalKey });
    expect(body.data?.ops).toEqual({
      contractViolations: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] },
    });
    expect(await contractFeed()).toEqual([]);
    const [audit] = await db.query<{ action: string; outcome: string; target: string }>(
      "select action, outcome, target from audit_logs where action = 'verifyContracts' order by id limit 1",
    );
    expect(audit).toEqual({ action: "verifyContracts", outcome: "OK", target: "window 35d, sample 200" });
  });

  it("reports every planted kind of violation once, with an ERROR feed item; a re-run duplicates nothing; undone, they resolve", async () => {
    const released = await releaseOf(0, "city_code");
    const metric = await releaseOf(1, "city_code");
    const cause = await releaseOf(2, "city_code");
    const finerCity = await releaseOf(3, "city_code");
    const finerGeohash = await releaseOf(3, "geohash3");
    const denied = await releaseOf(4, "city_code");
    const noReceipt = await releaseOf(5, "city_code");
    const noLedger = await releaseOf(6, "city_code");
    const overCap = await releaseOf(7, "city_code");
    const overCapDay = WORLD_DAYS[7]?.toISOString().slice(0, 10) ?? "";

    const oneCell = async (releaseId: string, suppressed: boolean) => {
      const [row] = await db.query<{
        geo_bucket_id: string;
        door_type: string;
        category: string;
        context: string;
      }>(
        `select geo_bucket_id, door_type::text, category::text, context::text from insight_cells
         where release_id = $1 and suppressed = $2 order by geo_bucket_id, door_type, category, context limit 1`,
        [releaseId, suppressed],
      );
      if (row === undefined) throw new Error("no such cell");
      return row;
    };
    const cellWhere = `release_id = $1 and geo_bucket_id = $2 and door_type::text = $3 and category::text = $4 and context::text = $5`;
    const cellKey = (releaseId: string, cell: Awaited<ReturnType<typeof oneCell>>) => [
      releaseId,
      cell.geo_bucket_id,
      cell.door_type,
      cell.category,
      cell.context,
    ];

    // 1. A released cell whose bounded true count is below k.
    const belowK = await oneCell(released, false);
    const [{ true_unique_participants: trueCount } = { true_unique_participants: 0 }] = await db.query<{
      true_unique_participants: number;
    }>(`select true_unique_participants from insight_cells where ${cellWhere}`, cellKey(released, belowK));
    await db.query(
      `update insight_cells set true_unique_participants = 42 where ${cellWhere}`,
      cellKey(released, belowK),
    );
    // 2. A metric on a suppressed cell.
    const withMetric = await oneCell(metric, true);
    await db.query(
      `update insight_cells set unique_participants_est = 7 where ${cellWhere}`,
      cellKey(metric, withMetric),
    );
    // 3. A cause stored on a released cell.
    const withCause = await oneCell(cause, false);
    await db.query(
      `update insight_cells set suppressed_reason = 'k_min' where ${cellWhere}`,
      cellKey(cause, withCause),
    );
    // 4. Geo buckets finer than a city: a locality code, a geohash of precision 5.
    const plantCell = (releaseId: string, geo: string) =>
      db.query(
        `insert into insight_cells (release_id, geo_bucket_id, door_type, category, context, suppressed, suppressed_reason,
           true_unique_participants, true_doors_opened, top_contributor_share)
         values ($1, $2, 'spot', 'coffee', 'morning', true, 'k_min', 3, 3, 0.3)`,
        [releaseId, geo],
      );
    await plantCell(finerCity, "us-nyc-soho");
    await plantCell(finerGeohash, "dr5ru");
    // 5. Denied keys: in a geo bucket id (not a city either), and in a city name buyers read.
    await plantCell(denied, "user_id");
    await db.query("update city_definitions set name = 'London deviceId' where code = 'gb-lon'");
    // 6. A release without its receipt; 7. one without its ledger entry; 8. a day over the cap.
    const [receipt] = await db.query<{ row: Record<string, unknown> }>(
      "select row_to_json(rr) as row from release_receipts rr where release_id = $1",
      [noReceipt],
    );
    await db.query("delete from release_receipts where release_id = $1", [noReceipt]);
    const [ledger] = await db.query<{ row: Record<string, unknown> }>(
      "select row_to_json(l) as row from privacy_ledger_days l where family_id = $1",
      [noLedger],
    );
    await db.query("delete from privacy_ledger_days where family_id = $1", [noLedger]);
    await db.query("update privacy_ledger_days set epsilon = 2.9 where family_id = $1", [overCap]);

    const first = await verify(null);
    const found = (first.payload?.newViolations ?? [])
      .map((violation) => ({
        check: violation.check,
        subject: violation.subject,
        releaseId: violation.releaseId,
        count: violation.count,
      }))
      .sort((a, b) => `${a.check}|${a.subject}`.localeCompare(`${b.check}|${b.subject}`));
    const expected = [
      { check: "DAY_OVER_CAP", subject: overCapDay, releaseId: null, count: 2 },
      { check: "DENIED_KEY", subject: denied, releaseId: denied, count: 1 },
      { check: "DENIED_KEY", subject: "city:gb-lon", releaseId: null, count: 1 },
      { check: "GEO_FINER_THAN_CITY", subject: denied, releaseId: denied, count: 1 },
      { check: "GEO_FINER_THAN_CITY", subject: finerCity, releaseId: finerCity, count: 1 },
      { check: "GEO_FINER_THAN_CITY", subject: finerGeohash, releaseId: finerGeohash, count: 1 },
      { check: "METRIC_ON_SUPPRESSED", subject: metric, releaseId: metric, count: 1 },
      { check: "RELEASED_BELOW_K", subject: released, releaseId: released, count: 1 },
      { check: "RELEASE_WITHOUT_LEDGER", subject: noLedger, releaseId: noLedger, count: 1 },
      { check: "RELEASE_WITHOUT_RECEIPT", subject: noReceipt, releaseId: noReceipt, count: 1 },
      { check: "SUPPRESSION_CAUSE_VISIBLE", subject: cause, releaseId: cause, count: 1 },
    ].sort((a, b) => `${a.check}|${a.subject}`.localeCompare(`${b.check}|${b.subject}`));
    expect(found).toEqual(expected);
    expect(first.payload).toMatchObject({ found: 11, stillOpen: 0, resolved: 0, userErrors: [] });
    const belowKDetail = first.payload?.newViolations?.find((v) => v.check === "RELEASED_BELOW_K")?.detail;
    expect(belowKDetail).toBe("1 released cells with a bounded true count below k 100 (lowest 42)");

    // One ERROR feed item per violation, linked to it.
    const feed = await contractFeed();
    expect(feed).toHaveLength(11);
    expect(new Set(feed.map((item) => item.severity))).toEqual(new Set(["error"]));
    expect(feed.map((item) => item.incident_key).sort()).toEqual(
      expected.map((v) => `contract_verifier:${v.check.toLowerCase()}:${v.subject}`).sort(),
    );
    expect(new Set(first.payload?.newViolations?.map((v) => v.feedItemId))).toEqual(
      new Set(feed.map((item) => item.id)),
    );

    // The hourly job finds the same: updated, never duplicated, no new feed item.
    const again = await runScheduledContractVerifier(db, new Date(world.clock.now().getTime() + 3_600_000));
    expect(again).toMatchObject({
      outcome: "violations",
      rows: 11,
      details: { newViolations: 0, stillOpen: 11 },
    });
    expect(await contractFeed()).toHaveLength(11);
    const open = await api().graphql(VIOLATIONS, {
      key: world.internalKey,
      variables: { status: "OPEN", first: 5 },
    });
    const page = (open.body.data!.ops as { contractViolations: Record<string, unknown> })
      .contractViolations as {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      edges: Array<{ node: { lastSeenAt: string; detectedAt: string } }>;
    };
    expect(page.totalCount).toBe(11);
    expect(page.edges).toHaveLength(5);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges[0]?.node).toMatchObject({
      detectedAt: "2026-01-20T12:00:00Z",
      lastSeenAt: "2026-01-20T13:00:00Z",
    });
    const rest = await api().graphql(VIOLATIONS, {
      key: world.internalKey,
      variables: { status: "OPEN", first: 50, after: page.pageInfo.endCursor },
    });
    expect(
      (rest.body.data!.ops as { contractViolations: { edges: unknown[] } }).contractViolations.edges.length,
    ).toBe(6);
    const onlyCap = await api().graphql(VIOLATIONS, {
      key: world.internalKey,
      variables: { check: "DAY_OVER_CAP" },
    });
    expect(
      (
        onlyCap.body.data!.ops as { contractViolations: { edges: Array<{ node: { subject: string } }> } }
      ).contractViolations.edges.map((edge) => edge.node.subject),
    ).toEqual([overCapDay]);

    // Undo every plant: the next run resolves them all and finds nothing.
    await db.query(`update insight_cells set true_unique_participants = $6 where ${cellWhere}`, [
      ...cellKey(released, belowK),
      trueCount,
    ]);
    await db.query(
      `update insight_cells set unique_participants_est = null where ${cellWhere}`,
      cellKey(metric, withMetric),
    );
    await db.query(
      `update insight_cells set suppressed_reason = null where ${cellWhere}`,
      cellKey(cause, withCause),
    );
    await db.query("delete from insight_cells where geo_bucket_id in ('us-nyc-soho', 'dr5ru', 'user_id')");
    await db.query("update city_definitions set name = 'London' where code = 'gb-lon'");
    await db.query(
      "insert into release_receipts select * from json_populate_record(null::release_receipts, $1::json)",
      [JSON.stringify(receipt?.row)],
    );
    await db.query(
      "insert into privacy_ledger_days select * from json_populate_record(null::privacy_ledger_days, $1::json)",
      [JSON.stringify(ledger?.row)],
    );
    await db.query("update privacy_ledger_days set epsilon = 0.5 where family_id = $1", [overCap]);
    const clean = await verify({ sampleRecords: 10_000 });
    expect(clean.payload).toMatchObject({ found: 0, resolved: 11, newViolations: [] });
    const resolved = await api().graphql(VIOLATIONS, {
      key: world.internalKey,
      variables: { status: "RESOLVED", first: 50 },
    });
    expect(
      (resolved.body.data!.ops as { contractViolations: { totalCount: number } }).contractViolations
        .totalCount,
    ).toBe(11);
  });

  it("refuses a bad window or sample with a stable code, changing nothing but the audit log", async () => {
    const before = await stateDigest(db);
    const auditBefore = await lastAuditId(db);
    const { payload } = await verify({ windowDays: 0, sampleRecords: 10_001 });
    expect(payload?.userErrors.map(({ field, code }) => ({ field, code }))).toEqual([
      { field: ["input", "windowDays"], code: "OUT_OF_RANGE" },
      { field: ["input", "sampleRecords"], code: "OUT_OF_RANGE" },
    ]);
    expect(payload?.found).toBeNull();
    expect(await stateDigest(db)).toEqual(before);
    const audit = await db.query<{ action: string; outcome: string }>(
      "select action, outcome from audit_logs where id > $1 order by id",
      [auditBefore],
    );
    expect(audit).toEqual([{ action: "verifyContracts", outcome: "OUT_OF_RANGE" }]);

    const internal = await verify({ windowDays: 7 }, world.internalKey);
    expect(internal.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const badCursor = await api().graphql(VIOLATIONS, {
      key: world.internalKey,
      variables: { after: "nope" },
    });
    expect(badCursor.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const buyer = await api().graphql(VIOLATIONS, { key: world.buyerKey });
    expect(buyer.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("ops command line: contracts", () => {
  /** Runs `npm run ops -- <argv>` in-process against the app on a local port. */
  async function ops(...argv: string[]) {
    const server = createServer(api().app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const { io, out } = capturedIo();
    try {
      const code = await runOps([...argv, "--url", url], { ...io, defaultKey: world.operatorKey });
      return { code, ...out };
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  it("contracts verify runs the verifier, contracts list shows what it found, bad values are refused", async () => {
    const run = await ops("contracts", "verify", "--window-days", "30", "--sample-records", "50", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      windowDays: 30,
      checkedReleases: 20,
      sampledRecords: 50,
      found: 0,
      newViolations: [],
      userErrors: [],
    });
    const refused = await ops("contracts", "verify", "--window-days", "0");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("error: OUT_OF_RANGE (input.windowDays)");
    const list = await ops("contracts", "list", "--status", "resolved", "--check", "day_over_cap", "--json");
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ totalCount: 1 });
    const wrong = await ops("contracts", "list", "--check", "nope");
    expect(wrong.code).toBe(2);
  });
});

describe("export record and value checks", () => {
  const record = (
    overrides: Partial<CanonicalRecord["privacy"]> & { metrics?: Partial<CanonicalRecord["metrics"]> },
  ) => {
    const { metrics, ...privacy } = overrides;
    return {
      schema_version: "1.0",
      dataset: "spots_insights_v1",
      time_bucket_start_utc: "2026-01-01T00:00:00Z",
      time_granularity: "day",
      reporting_delay_hours: 72,
      geo_bucket: { type: "city_code", id: "us-nyc" },
      segment: { door_type: "spot", category: "coffee", context: "morning" },
      metrics: {
        unique_participants_est: null,
        doors_opened_est: null,
        repeat_rate_est: null,
        trend_score_est: null,
        ...metrics,
      },
      accuracy: null,
      privacy: {
        k_min_enforced: 100,
        suppressed: true,
        suppressed_reason: "below_threshold",
        dp: {
          enabled: true,
          mechanism: "discrete_laplace",
          epsilon: 0.5,
          participant_day_epsilon: 3,
          delta: 1e-6,
          budget_window_days: 30,
          noise_scale: 16,
          release_id: "r",
        },
        ...privacy,
      },
    } satisfies CanonicalRecord;
  };

  it("a rendered record that names its suppression cause, or shows a metric while suppressed, is a violation", () => {
    expect(recordProblems(record({}))).toEqual([]);
    expect(recordProblems(record({ suppressed_reason: "k_min" }))).toEqual([
      { check: "suppression_cause_visible", problem: "suppressed_reason k_min" },
    ]);
    expect(recordProblems(record({ suppressed: false, suppressed_reason: "noisy_threshold" }))).toEqual([
      { check: "suppression_cause_visible", problem: "suppressed_reason noisy_threshold" },
    ]);
    expect(recordProblems(record({ metrics: { doors_opened_est: 12 } }))).toEqual([
      { check: "metric_on_suppressed", problem: "doors_opened_est" },
    ]);
  });

  it("a denied key is found in a value in any case style, as a whole or as a run of words", () => {
    expect(deniedKeysInValue("user_id")).toEqual(["userid"]);
    expect(deniedKeysInValue("x-User-Id")).toEqual(["userid"]);
    expect(deniedKeysInValue("London deviceId")).toEqual(["deviceid"]);
    expect(deniedKeysInValue("IP_ADDRESS")).toEqual(["ipaddress"]);
    expect(deniedKeysInValue("us-nyc")).toEqual([]);
    expect(deniedKeysInValue("context")).toEqual([]);
    expect(deniedKeysInValue("dr5")).toEqual([]);
  });
});
