// The demo's simulated fortnight: every ops view an operator opens after `npm start` has something
// in it, and it all came through the real API (policy, budgets, audit chain).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { configFrom } from "../../src/config";
import { runDemoActivity } from "../../src/demo/demoActivity";
import { DEMO_BUSINESS_ID, ensureDemoBusinesses } from "../../src/demo/demoBusinesses";
import { type DemoKey, ensureDemoKeys } from "../../src/demo/demoKeys";
import { precomputeDemoWindow, runDemoData } from "../../src/demo/runDemoData";
import { testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const NOW = new Date("2026-05-20T12:00:00Z");
const config = configFrom({ DEMO_DAYS: "30", DEMO_SCALE: "0.05", DEMO_SEED: "11", LOG_LEVEL: "silent" });
const sink = () => Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;

describe("demo activity", () => {
  let db: TestDatabase;
  let keys: DemoKey[];
  let dataDir: string;
  let internalKey: string;
  const clock = fixedClock(NOW);
  let output = "";

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), "demo-activity-"));
    await runDemoData(db, config, clock, sink());
    await precomputeDemoWindow(
      { database: db, noiseKey: { key: Buffer.alloc(32, 9), id: "nk_demo" }, clock },
      sink(),
    );
    keys = await ensureDemoKeys(db, clock, dataDir);
    internalKey = keys.find((key) => key.role === "internal")?.apiKey ?? "";
    const out = new PassThrough();
    out.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await runDemoActivity(db, config, clock, keys, out);
  }, 300_000);

  afterAll(async () => {
    await db?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function ops<T>(selection: string): Promise<T> {
    const { body } = await testApp(db, clock).graphql(`{ ops { ${selection} } }`, { key: internalKey });
    expect(body.errors).toBeUndefined();
    return (body.data as { ops: T }).ops;
  }

  it("reports what it did, refusals by code", () => {
    expect(output).toMatch(/^demo activity: \d+ API requests over 14 days/);
    expect(output).toMatch(/QUERY_BUDGET_EXCEEDED/);
    expect(output).not.toMatch(/RATE_LIMITED/);
  });

  it("dates the printed demo keys from the fortnight's first day: no key is used before it exists", async () => {
    const keyRows = await db.query<{
      name: string;
      demo: boolean;
      used_before_created: boolean;
      dated_back: boolean;
    }>(
      `select name, created_by = 'demo' as demo, coalesce(last_used_at < created_at, false) as used_before_created,
              created_at <= $1::timestamptz - interval '13 days' as dated_back
       from api_keys order by name`,
      [NOW],
    );
    expect(keyRows.filter((row) => row.used_before_created)).toEqual([]);
    expect(keyRows.filter((row) => row.demo)).toHaveLength(keys.length);
    // Issued at the real now, they are dated back to the replay's first day (a fortnight earlier).
    expect(keyRows.filter((row) => row.demo && !row.dated_back)).toEqual([]);
  });

  it("fills budgets and request statistics for three buyers over the fortnight, with every refusal kind", async () => {
    const { privacyBudgetUsage, exportRequestStats, queryFingerprintStats } = await ops<{
      privacyBudgetUsage: Array<{ partnerId: string; epsilonSpent: number; epsilonRemaining: number }>;
      exportRequestStats: Array<{
        day: string;
        requests: number;
        byOutcome: Array<{ code: string; count: number }>;
      }>;
      queryFingerprintStats: Array<{
        day: string;
        partnerId: string;
        distinctShapes: number;
        quotaRefusals: number;
      }>;
    }>(`privacyBudgetUsage { partnerId epsilonSpent epsilonRemaining }
        exportRequestStats(days: 20) { day requests byOutcome { code count } }
        queryFingerprintStats(days: 20) { day partnerId distinctShapes quotaRefusals }`);
    const spent = Object.fromEntries(privacyBudgetUsage.map((row) => [row.partnerId, row.epsilonSpent]));
    expect(Object.keys(spent).sort()).toEqual([
      "outside_buyer_acme",
      "outside_buyer_demo",
      "outside_buyer_globex",
    ]);
    for (const value of Object.values(spent)) expect(value).toBeGreaterThan(0);
    // The printed demo buyer key is still usable.
    expect(
      privacyBudgetUsage.find((row) => row.partnerId === "outside_buyer_demo")?.epsilonRemaining,
    ).toBeGreaterThan(20);
    expect(exportRequestStats.length).toBeGreaterThanOrEqual(14);
    const outcomes = new Set(exportRequestStats.flatMap((day) => day.byOutcome.map((row) => row.code)));
    for (const code of [
      "OK",
      "REPORTING_DELAY_NOT_MET",
      "RANGE_TOO_LARGE",
      "FILTER_NOT_ALLOWED",
      "QUERY_BUDGET_EXCEEDED",
    ]) {
      expect(outcomes, code).toContain(code);
    }
    const probe = queryFingerprintStats.find(
      (row) => row.partnerId === "outside_buyer_globex" && row.day === "2026-05-20",
    );
    expect(probe).toMatchObject({ distinctShapes: 30, quotaRefusals: 15 });
  });

  it("leaves fired monitors in the feed and a revoke of the probing buyer awaiting approval", async () => {
    const { feed, actions } = await ops<{
      feed: { nodes: Array<{ source: string; status: string; severity: string }> };
      actions: Array<{ actionType: string; target: string; approvalStatus: string }>;
    }>(`feed(status: NEW) { nodes { source status severity } }
        actions(approvalStatus: PENDING) { actionType target approvalStatus }`);
    const sources = new Set(feed.nodes.map((item) => item.source));
    expect(sources).toContain("buyer_fingerprint_growth");
    expect(sources).toContain("buyer_budget_refusals");
    expect(sources).toContain("import_anomaly_spike");
    expect(actions).toContainEqual({
      actionType: "revoke_buyer_keys",
      target: "outside_buyer_globex",
      approvalStatus: "PENDING",
    });
  });

  it("writes the operator's work to a verifiable audit chain and the tenant's anomalies to the anomaly log", async () => {
    const { auditLog, verifyAuditChain } = await ops<{
      auditLog: { edges: Array<{ node: { action: string; actor: string } }> };
      verifyAuditChain: { valid: boolean };
    }>("auditLog(first: 200) { edges { node { action actor } } } verifyAuditChain { valid }");
    const actions = auditLog.edges
      .filter(({ node }) => node.actor.endsWith("(demo-operator)"))
      .map(({ node }) => node.action);
    expect(actions.filter((action) => action === "issueApiKey")).toHaveLength(2);
    expect(actions.filter((action) => action === "setBuyerBudget")).toHaveLength(3);
    expect(actions).toContain("runMonitors");
    expect(verifyAuditChain.valid).toBe(true);
    const [anomalies] = await db.query<{ errors: number; warnings: number }>(
      `select count(*) filter (where severity = 'error')::int as errors, count(*) filter (where severity = 'warning')::int as warnings
       from import_anomalies`,
    );
    expect(anomalies).toEqual({ errors: 7, warnings: 4 });
  });

  it("runs once: a second start finds it in place and sends nothing", async () => {
    const [before] = await db.query<{ n: number }>("select count(*)::int as n from request_logs");
    const out = new PassThrough();
    let second = "";
    out.on("data", (chunk: Buffer) => {
      second += chunk.toString();
    });
    expect(await runDemoActivity(db, config, clock, keys, out)).toBeUndefined();
    expect(second).toBe("demo activity: already in place\n");
    const [after] = await db.query<{ n: number }>("select count(*)::int as n from request_logs");
    expect(after?.n).toBe(before?.n);
  });
});

describe("demo activity that cannot run", () => {
  it("records the run as failed and rejects; a later start does not repeat it", async () => {
    const db = await createTestDatabase();
    try {
      await expect(runDemoActivity(db, config, fixedClock(NOW), [], sink())).rejects.toThrow(
        "no demo operator key",
      );
      expect(await db.query("select outcome, error from job_runs where job_name = 'demo-activity'")).toEqual([
        { outcome: "failed", error: "no demo operator key" },
      ]);
      const out = new PassThrough();
      let said = "";
      out.on("data", (chunk: Buffer) => {
        said += chunk.toString();
      });
      expect(await runDemoActivity(db, config, fixedClock(NOW), [], out)).toBeUndefined();
      expect(said).toMatch(/^demo activity: an earlier attempt did not finish \(failed\); not repeated/);
    } finally {
      await db.destroy();
    }
  });
});

describe("demo businesses", () => {
  const clock = fixedClock(NOW);
  let db: TestDatabase;
  let dataDir: string;
  let keys: DemoKey[];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), "demo-businesses-"));
    await runDemoData(db, config, clock, sink());
    keys = await ensureDemoKeys(db, clock, dataDir);
  }, 300_000);

  afterAll(async () => {
    await db?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("gives three businesses their busiest spots, each spot to one business, and is idempotent", async () => {
    const owned = await ensureDemoBusinesses(db, NOW);
    expect(owned.map((business) => [business.id, business.spotIds.length])).toEqual([
      [DEMO_BUSINESS_ID, 3],
      ["biz_thames_food_hall", 3],
      ["biz_trailhead_outdoors", 2],
    ]);
    const spots = await db.query<{ id: string; business_id: string; city_code: string; category: string }>(
      "select id, business_id, city_code, category::text from spots where business_id is not null order by id",
    );
    expect(spots).toHaveLength(8);
    expect(
      spots.filter((spot) => spot.business_id === DEMO_BUSINESS_ID).map((spot) => spot.category),
    ).toEqual(["coffee", "coffee", "coffee"]);
    expect(await ensureDemoBusinesses(db, NOW)).toEqual(owned);
  });

  it("the printed BUSINESS key reads its spots, with released cells, and is refused another business's", async () => {
    const businessKey = keys.find((key) => key.role === "business")?.apiKey ?? "";
    expect(businessKey).toMatch(/^ib_business_/);
    const [own, other] = await ensureDemoBusinesses(db, NOW);
    const { graphql } = testApp(db, clock);
    const read = (spotIds: string[]) =>
      graphql(
        `query($spotIds: [String!]!) { businessInsights(filter: { granularity: DAY, timeBucketStartUtc: "2026-05-12T00:00:00Z", timeBucketEndUtc: "2026-05-19T00:00:00Z", spotIds: $spotIds }) {
           cells { suppressed metrics { uniqueParticipants doorsOpened } } } }`,
        { key: businessKey, variables: { spotIds } },
      );
    const { body } = await read(own?.spotIds ?? []);
    expect(body.errors).toBeUndefined();
    const cells = (
      body.data?.businessInsights as
        | {
            cells: Array<{
              suppressed: boolean;
              metrics: { uniqueParticipants: number | null; doorsOpened: number | null };
            }>;
          }
        | undefined
    )?.cells;
    expect(cells).toHaveLength(3 * 7 * 3);
    const released = (cells ?? []).filter((cell) => !cell.suppressed);
    expect(released.length).toBeGreaterThan(0);
    for (const cell of released) {
      expect(cell.metrics.uniqueParticipants).toBeGreaterThanOrEqual(10);
      expect(cell.metrics.doorsOpened).toBeGreaterThanOrEqual(cell.metrics.uniqueParticipants ?? 0);
    }
    const refused = await read(other?.spotIds.slice(0, 1) ?? []);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
