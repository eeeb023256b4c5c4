import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { beginCheck } from "../../src/jobs/monitorSql";
import { runMonitors as runMonitorsNow, runScheduledMonitors } from "../../src/jobs/monitors";
import { type GraphQLBody, issueTestKey, testApp } from "../support/app";
import { buildBuyerWorld, WORLD_NOW } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { lastAuditId, stateDigest } from "../support/stateDigest";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;

const api = () => testApp(db, world.clock);
const opsOf = <T>(body: GraphQLBody): T => body.data?.ops as T;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  // A synthetic fingerprint burst: globex used 35 distinct query shapes today.
  for (let index = 0; index < 35; index += 1) {
    await db.query(
      `insert into query_fingerprints (partner_id, day, fingerprint, algorithm_version, first_seen_at, hits)
       values ('outside_buyer_globex', $1::timestamptz::date, $2, 1, $1, 1)`,
      [WORLD_NOW, `shape_${index}`],
    );
  }
});
afterAll(async () => {
  await db?.destroy();
});

interface Counts {
  checked: number;
  fired: number;
  newFeedItems: number;
  proposedActions: number;
  failed: number;
}

async function runMonitors(key = world.operatorKey) {
  const { body } = await api().graphql(
    "mutation { runMonitors { checked fired newFeedItems proposedActions failed } }",
    { key },
  );
  return { body, counts: body.data?.runMonitors as Counts };
}

interface FeedNode {
  id: string;
  source: string;
  status: string;
  severity: string;
  incidentKey: string;
  title: string;
}

async function feed(status?: string) {
  const { body } = await api().graphql(
    `query($status: FeedStatus) { ops { feed(status: $status, first: 100) { totalCount edges { node { id source status severity incidentKey title } } } } }`,
    { key: world.internalKey, variables: { status } },
  );
  const connection = opsOf<{ feed: { totalCount: number; edges: Array<{ node: FeedNode }> } }>(body).feed;
  return { totalCount: connection.totalCount, items: connection.edges.map((edge) => edge.node) };
}

interface ActionNode {
  id: string;
  actionType: string;
  target: string;
  approvalStatus: string;
  status: string;
  result: string | null;
  feedItemId: string | null;
  reason: string;
}

async function actions(approvalStatus?: string) {
  const { body } = await api().graphql(
    `query($s: ApprovalStatus) { ops { actions(approvalStatus: $s) { id actionType target approvalStatus status result feedItemId reason } } }`,
    { key: world.internalKey, variables: { s: approvalStatus } },
  );
  return opsOf<{ actions: ActionNode[] }>(body).actions;
}

async function acknowledge(id: string, status: string) {
  const { body } = await api().graphql(
    `mutation($input: AcknowledgeFeedItemInput!) { acknowledgeFeedItem(input: $input) { item { id status } userErrors { code field } } }`,
    { key: world.operatorKey, variables: { input: { id, status } } },
  );
  return body.data?.acknowledgeFeedItem as {
    item: { id: string; status: string } | null;
    userErrors: Array<{ code: string; field: string[] }>;
  };
}

async function decide(
  id: string,
  decision: string,
  reason = "checked the request logs",
  key = world.operatorKey,
) {
  const { body } = await api().graphql(
    `mutation($input: DecideActionInput!) { decideAction(input: $input) { action { id approvalStatus status result decidedBy } userErrors { code field } } }`,
    { key, variables: { input: { id, decision, reason } } },
  );
  return body.data?.decideAction as {
    action: { id: string; approvalStatus: string; status: string; result: string | null } | null;
    userErrors: Array<{ code: string; field: string[] }>;
  };
}

const buyerRead = (key: string) =>
  api().graphql(
    `{ insights(filter: { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-02T00:00:00Z", geoBucketIds: ["us-nyc"] }) { totalCount } }`,
    { key },
  );

const FINGERPRINT_INCIDENT = "buyer_fingerprint_growth:outside_buyer_globex";

describe("monitors and the ops feed", () => {
  it("lists the built-in monitors", async () => {
    const { body } = await api().graphql(
      "{ ops { monitors { name builtin enabled threshold windowMinutes severity proposesAction lastEvent { fired } } } }",
      { key: world.internalKey },
    );
    const monitors = opsOf<{ monitors: Array<{ name: string; builtin: boolean }> }>(body).monitors;
    expect(monitors.map((monitor) => monitor.name)).toEqual([
      "buyer_budget_burn",
      "buyer_budget_refusals",
      "buyer_fingerprint_growth",
      "database_connections",
      "import_anomaly_spike",
      "stale_precompute",
    ]);
    expect(monitors.every((monitor) => monitor.builtin)).toBe(true);
  });

  it("runMonitors fires the fingerprint-burst and stale-precompute monitors and proposes a revoke", async () => {
    const { counts } = await runMonitors();
    expect(counts).toEqual({ checked: 6, fired: 2, newFeedItems: 2, proposedActions: 1, failed: 0 });
    const { items, totalCount } = await feed();
    expect(totalCount).toBe(2);
    expect(items.map((item) => item.incidentKey).sort()).toEqual([
      FINGERPRINT_INCIDENT,
      "stale_precompute:day",
    ]);
    const burst = items.find((item) => item.incidentKey === FINGERPRINT_INCIDENT);
    expect(burst).toMatchObject({ source: "buyer_fingerprint_growth", status: "NEW", severity: "ERROR" });
    expect(burst?.title).toContain("35 >= 30");
    const pending = await actions("PENDING");
    expect(pending).toEqual([
      expect.objectContaining({
        actionType: "revoke_buyer_keys",
        target: "outside_buyer_globex",
        status: "PROPOSED",
        feedItemId: burst?.id,
      }),
    ]);
    const { body } = await api().graphql(
      "{ ops { monitors { name lastEvent { fired firedTargets error } } } }",
      {
        key: world.internalKey,
      },
    );
    const monitors = opsOf<{ monitors: Array<{ name: string; lastEvent: unknown }> }>(body).monitors;
    expect(monitors.find((monitor) => monitor.name === "buyer_fingerprint_growth")?.lastEvent).toEqual({
      fired: true,
      firedTargets: ["outside_buyer_globex"],
      error: null,
    });
  });

  it("raises one feed item per incident on repeated runs, also once it is read", async () => {
    expect((await runMonitors()).counts).toMatchObject({ fired: 2, newFeedItems: 0, proposedActions: 0 });
    const burst = (await feed()).items.find((item) => item.incidentKey === FINGERPRINT_INCIDENT);
    expect((await acknowledge(burst?.id ?? "", "READ")).item).toEqual({ id: burst?.id, status: "READ" });
    expect((await runMonitors()).counts).toMatchObject({ newFeedItems: 0 });
    expect((await feed()).totalCount).toBe(2);
    expect((await feed("READ")).items.map((item) => item.id)).toEqual([burst?.id]);
    expect(await actions("PENDING")).toHaveLength(1);
  });

  it("opens a new item once the old one is archived and the signal persists", async () => {
    const burst = (await feed()).items.find((item) => item.incidentKey === FINGERPRINT_INCIDENT);
    expect((await acknowledge(burst?.id ?? "", "ARCHIVED")).item?.status).toBe("ARCHIVED");
    const again = await acknowledge(burst?.id ?? "", "READ");
    expect(again).toEqual({ item: null, userErrors: [{ code: "ARCHIVED", field: ["input", "status"] }] });
    // The revoke still awaiting approval gains the new signal rather than a second proposal.
    expect((await runMonitors()).counts).toMatchObject({ newFeedItems: 1, proposedActions: 0 });
    const open = (await feed("NEW")).items.filter((item) => item.incidentKey === FINGERPRINT_INCIDENT);
    expect(open).toHaveLength(1);
    expect(open[0]?.id).not.toBe(burst?.id);
    expect((await feed()).totalCount).toBe(3);
    const pending = await actions("PENDING");
    expect(pending).toHaveLength(1);
    expect(pending[0]?.reason.match(/buyer_fingerprint_growth at 35/g)).toHaveLength(2);
  });

  it("approving the proposed revoke refuses the buyer's key on its next request; deciding twice is refused", async () => {
    expect((await buyerRead(world.otherBuyerKey)).body.errors).toBeUndefined();
    const [newest] = await actions("PENDING");
    const approved = await decide(newest?.id ?? "", "APPROVE");
    expect(approved.userErrors).toEqual([]);
    expect(approved.action).toMatchObject({ approvalStatus: "APPROVED", status: "EXECUTED" });
    const result = JSON.parse(approved.action?.result ?? "{}") as {
      revokedKeyIds: string[];
      partnerId: string;
    };
    expect(result.partnerId).toBe("outside_buyer_globex");
    expect(result.revokedKeyIds).toHaveLength(1);
    expect((await buyerRead(world.otherBuyerKey)).body.errors?.[0]?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      reason: "INVALID",
    });
    // The other buyer is untouched.
    expect((await buyerRead(world.buyerKey)).body.errors).toBeUndefined();
    const twice = await decide(newest?.id ?? "", "REJECT");
    expect(twice).toEqual({
      action: null,
      userErrors: [{ code: "ALREADY_DECIDED", field: ["input", "id"] }],
    });
    // Once decided, a signal that persists is a new incident with a new proposal; rejecting it
    // changes nothing but the ledger.
    const open = (await feed("NEW")).items.find((item) => item.incidentKey === FINGERPRINT_INCIDENT);
    await acknowledge(open?.id ?? "", "ARCHIVED");
    expect((await runMonitors()).counts.proposedActions).toBeGreaterThanOrEqual(1);
    const older = (await actions("PENDING")).find((action) => action.target === "outside_buyer_globex");
    expect(older?.id).toBeDefined();
    expect(older?.id).not.toBe(newest?.id);
    const revokedBefore = await db.query("select id from api_keys where revoked_at is not null");
    const rejected = await decide(older?.id ?? "", "REJECT", "already handled");
    expect(rejected.action).toMatchObject({ approvalStatus: "REJECTED", status: "PROPOSED", result: null });
    expect(await db.query("select id from api_keys where revoked_at is not null")).toEqual(revokedBefore);
    expect((await actions("PENDING")).filter((action) => action.target === "outside_buyer_globex")).toEqual(
      [],
    );
  });

  it("refuses unknown ids and an empty reason", async () => {
    const missing = "00000000-0000-0000-0000-000000000000";
    expect((await decide(missing, "APPROVE")).userErrors).toEqual([
      { code: "NOT_FOUND", field: ["input", "id"] },
    ]);
    expect((await decide("nope", "APPROVE")).userErrors).toEqual([
      { code: "NOT_FOUND", field: ["input", "id"] },
    ]);
    expect((await decide(missing, "APPROVE", " ")).userErrors).toEqual([
      { code: "INVALID_REASON", field: ["input", "reason"] },
    ]);
    expect((await acknowledge(missing, "READ")).userErrors).toEqual([
      { code: "NOT_FOUND", field: ["input", "id"] },
    ]);
  });

  it("audits every mutation, with the revoke done by the approval", async () => {
    const rows = await db.query<{ action: string; outcome: string }>(
      "select action, outcome from audit_logs where type = 'admin_mutation' order by id",
    );
    const seen = new Set(rows.map((row) => `${row.action}:${row.outcome}`));
    for (const expected of [
      "runMonitors:OK",
      "acknowledgeFeedItem:OK",
      "acknowledgeFeedItem:ARCHIVED",
      "decideAction:OK",
      "decideAction:ALREADY_DECIDED",
      "decideAction:NOT_FOUND",
      "revokeApiKey:OK",
    ]) {
      expect(seen).toContain(expected);
    }
  });

  it("is internal to read and for operators to change: FORBIDDEN for buyers and INTERNAL mutations", async () => {
    const read = await api().graphql("{ ops { feed { totalCount } } }", { key: world.buyerKey });
    expect(read.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await runMonitors(world.buyerKey)).body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await runMonitors(world.internalKey)).body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    // Both refusals are audited beside the answer; wait for the rows so later tests count from a quiet log.
    for (let attempt = 0; attempt < 100; attempt++) {
      const [refused] = await db.query<{ n: number }>(
        "select count(*)::int as n from audit_logs where type = 'admin_refused' and action = 'runMonitors'",
      );
      if (refused?.n === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  it("records a broken or writing check as failed, never letting it write", async () => {
    const before = await db.query("select count(*)::int as n from api_keys");
    const [sequence] = await db.query<{ value: string }>(
      "select last_value::text as value from audit_logs_id_seq",
    );
    const broken = [
      ["broken_syntax", "select value from nowhere_at_all"],
      [
        "writes_with_cte",
        "with gone as (delete from api_keys returning 1) select count(*) as value from gone",
      ],
      ["writes_twice", "select 1 as value; delete from api_keys"],
      ["writes_by_function", "select nextval('audit_logs_id_seq')::float8 as value"],
      ["no_value_column", "select 1 as amount"],
    ];
    for (const [name, sql] of broken) {
      await db.query(
        `insert into monitors (name, description, sql, threshold, window_minutes, severity)
         values ($1, 'broken on purpose', $2, 1, 60, 'info')`,
        [name, sql],
      );
    }
    const { counts } = await runMonitors();
    expect(counts).toMatchObject({ checked: 11, failed: 5 });
    const events = await db.query<{ name: string; error: string | null; fired: boolean }>(
      `select m.name, e.error, e.fired from monitor_events e join monitors m on m.id = e.monitor_id
       where m.name = any($1) order by m.name`,
      [broken.map(([name]) => name)],
    );
    expect(events).toHaveLength(5);
    expect(events.every((event) => event.error !== null && !event.fired)).toBe(true);
    // Vetted from its plan before it runs: nextval is volatile, so the check never runs at all.
    expect(events.find((event) => event.name === "writes_by_function")?.error).toMatch(
      /^MONITOR_SQL_NOT_READ_ONLY: .*nextval/,
    );
    expect(await db.query("select count(*)::int as n from api_keys")).toEqual(before);
    const [after] = await db.query<{ value: string }>(
      "select last_value::text as value from audit_logs_id_seq",
    );
    // The audit row of this runMonitors took exactly one value; the writing check took none.
    expect(Number(after?.value)).toBe(Number(sequence?.value) + 1);
    await db.query("delete from monitors where name = any($1)", [broken.map(([name]) => name)]);
  });

  it("runs every check under its statement timeout, and records one that outlives it as failed", async () => {
    // The check's transaction is read only, under the timeout, with the run's settings, on both
    // backends (a check itself may not read server settings, so this reads them beside it).
    const settings = await db.transaction(async (query) => {
      await beginCheck(query, { now: new Date(WORLD_NOW), windowMinutes: 90, statementTimeoutMs: 200 });
      return query<Record<string, string>>(
        `select current_setting('statement_timeout') as timeout, current_setting('transaction_read_only') as read_only,
                current_setting('monitor.now')::timestamptz = $1::timestamptz as now_set,
                current_setting('monitor.window_start')::timestamptz = $1::timestamptz - interval '90 minutes' as start_set`,
        [new Date(WORLD_NOW)],
      );
    });
    expect(settings).toEqual([{ timeout: "200ms", read_only: "on", now_set: true, start_set: true }]);
    // PGlite runs in-process without timer interrupts; the slow check is only interrupted on PostgreSQL.
    if (db.kind !== "postgres") return;
    await db.query(
      `insert into monitors (name, description, sql, threshold, window_minutes, severity)
       values ('slow_check', 'counts far', 'select count(*)::float8 as value from generate_series(1, 500000000)', 1, 60, 'info')`,
    );
    const started = Date.now();
    const counts = await runMonitorsNow(db, new Date(WORLD_NOW), {
      statementTimeoutMs: 200,
      only: ["slow_check"],
    });
    expect(counts).toMatchObject({ checked: 1, failed: 1, fired: 0 });
    expect(Date.now() - started).toBeLessThan(1900);
    const [event] = await db.query<{ error: string }>(
      "select e.error from monitor_events e join monitors m on m.id = e.monitor_id where m.name = 'slow_check'",
    );
    expect(event?.error).toMatch(/statement timeout/);
    await db.query("delete from monitors where name = 'slow_check'");
  });

  it("the scheduled job runs the same checks", async () => {
    const result = await runScheduledMonitors(db, world.clock);
    expect(result).toMatchObject({ outcome: "ok", rows: 6 });
  });
});

describe("decideAction refuses what it must not do, changing nothing", () => {
  it("an action cannot be approved by a key it targets (SELF_APPROVAL), nor decided twice (ALREADY_DECIDED)", async () => {
    // An operator key whose row carries the buyer's partner id (the API never issues one; an edited
    // or legacy row can hold it): approving the revoke would revoke the approver itself.
    const insider = await issueTestKey(db, "operator", { clock: world.clock });
    await db.query("update api_keys set partner_id = 'outside_buyer_insider' where id = $1", [
      insider.key.id,
    ]);
    const insiderBuyer = await issueTestKey(db, "buyer", {
      clock: world.clock,
      partnerId: "outside_buyer_insider",
    });
    await api().graphql("{ viewer { role } }", { key: insider.apiKey });
    const [action] = await db.query<{ id: string }>(
      `insert into action_ledger (created_at, action_type, target, reason, proposed_by)
       values ($1, 'revoke_buyer_keys', 'outside_buyer_insider', 'synthetic burst', 'monitor:buyer_fingerprint_growth')
       returning id::text as id`,
      [WORLD_NOW],
    );
    const id = action?.id ?? "";

    const before = await stateDigest(db);
    const lastId = await lastAuditId(db);
    expect(await decide(id, "APPROVE", "looks fine to me", insider.apiKey)).toEqual({
      action: null,
      userErrors: [{ code: "SELF_APPROVAL", field: ["input", "id"] }],
    });
    expect(await stateDigest(db)).toEqual(before);
    const refusal = await db.query<{ action: string; outcome: string; actor: string }>(
      "select action, outcome, actor from audit_logs where id > $1",
      [lastId],
    );
    expect(refusal).toEqual([
      {
        action: "decideAction",
        outcome: "SELF_APPROVAL",
        actor: expect.stringMatching(/\(test-operator\)$/),
      },
    ]);
    expect((await buyerRead(insiderBuyer.apiKey)).body.errors).toBeUndefined();

    // Another operator approves: both keys of the buyer, the insider's included, are revoked.
    const approved = await decide(id, "APPROVE");
    expect(approved.action).toMatchObject({ approvalStatus: "APPROVED", status: "EXECUTED" });
    expect(JSON.parse(approved.action?.result ?? "{}").revokedKeyIds.sort()).toEqual(
      [insider.key.id, insiderBuyer.key.id].sort(),
    );
    expect((await buyerRead(insiderBuyer.apiKey)).body.errors?.[0]?.extensions?.reason).toBe("INVALID");

    const decided = await stateDigest(db);
    const decidedId = await lastAuditId(db);
    expect(await decide(id, "REJECT", "too late")).toEqual({
      action: null,
      userErrors: [{ code: "ALREADY_DECIDED", field: ["input", "id"] }],
    });
    expect(await stateDigest(db)).toEqual(decided);
    expect(await db.query("select action, outcome from audit_logs where id > $1", [decidedId])).toEqual([
      { action: "decideAction", outcome: "ALREADY_DECIDED" },
    ]);
    const chain = await api().graphql("{ ops { verifyAuditChain { valid } } }", { key: world.internalKey });
    expect(chain.body.data).toEqual({ ops: { verifyAuditChain: { valid: true } } });
  });
});
