import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { OPS_COMMAND_PATHS, OPS_HELP, runOps } from "../../src/cli/ops";
import { configFrom } from "../../src/config";
import { DEFAULT_RELEASE_PLAN, planTotals } from "../../src/privacy/releasePlan";
import { buildBuyerWorld, WORLD_NOW } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { plannedPerBucket } from "../support/plan";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let server: Server;
let app: ReturnType<typeof createApp>;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  await db.query(
    "insert into job_runs (job_name, started_at, finished_at, outcome, rows) values ('imports_retention_daily', $1, $1, 'ok', 3)",
    [world.clock.now()],
  );
  await db.query("insert into buyer_budgets (partner_id, epsilon_limit) values ('outside_buyer_acme', 12.5)");
  app = createApp({
    database: db,
    config: configFrom({ LOG_LEVEL: "silent", NOISE_KEY: "05".repeat(32) }),
    clock: world.clock,
    logger: pino({ level: "silent" }),
  });
  server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await db?.destroy();
});

/** Runs `npm run ops -- <argv>` in-process against the test server; the operator key is OPS_API_KEY. */
async function ops(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runOps([...argv, "--url", url], {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
    defaultKey: world.operatorKey,
    sleep: () => new Promise((resolve) => setTimeout(resolve, 20)),
  });
  return { code, stdout, stderr };
}

const lines = (text: string) => text.trimEnd().split("\n");

describe("ops command line: views", () => {
  it("prints the jobs view as a table with the retention job's cron, last run and next due", async () => {
    const result = await ops("jobs", "--key", world.internalKey);
    expect(result.code).toBe(0);
    const rows = lines(result.stdout);
    expect(rows[0]).toMatch(/^job\s+schedule\s+policy\s+lastStart\s+lastOutcome\s+rows\s+runs24h/);
    const retention = rows.find((line) => line.startsWith("imports_retention_daily"));
    expect(retention).toContain("10 3 * * *");
    expect(retention).toContain("ok");
    expect(retention).toContain("2026-01-21T03:10:00Z");
    expect(rows.some((line) => line.startsWith("outside_buyer_precompute_v1_hourly"))).toBe(true);
  });

  it("prints freshness, budgets and the audit log; --json gives the rows", async () => {
    const freshness = await ops("freshness", "--json");
    expect(freshness.code).toBe(0);
    const rows = JSON.parse(freshness.stdout) as Array<{ granularity: string; latestBucket: string | null }>;
    expect(rows.find((row) => row.granularity === "DAY")?.latestBucket).toBe("2026-01-10T00:00:00Z");

    const budgets = await ops("budgets", "--key", world.internalKey);
    expect(budgets.code).toBe(0);
    expect(budgets.stdout).toMatch(/^partner\s+limit\s+spent\s+remaining/);
    expect(budgets.stdout).toMatch(/outside_buyer_acme\s+12\.5\s+0\s+12\.5\s+30/);
    expect((await ops("budget", "list")).stdout).toBe(budgets.stdout);

    const audit = await ops("audit", "list", "--first", "5");
    expect(audit.code).toBe(0);
    expect(lines(audit.stdout)[0]).toMatch(/^id\s+at\s+action\s+actor/);
    expect((await ops("audit", "--first", "5")).stdout).toBe(audit.stdout);
  });
});

describe("ops command line: request, shape, coverage, ledger and anomaly views", () => {
  it("shows a buyer's request, its query shape, the city coverage and the privacy ledger", async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${world.buyerKey}` },
      body: JSON.stringify({
        query: `{ insights(filter: { timeBucketStartUtc: "2026-01-01T00:00:00Z", timeBucketEndUtc: "2026-01-03T00:00:00Z", geoBucketIds: ["us-nyc"] }) { totalCount } }`,
      }),
    });
    expect(response.status).toBe(200);
    // The request view reads request_logs, which the server writes in batches after the responses.
    await app.requestLog.flush();

    const requests = await ops("requests", "--days", "3", "--json", "--key", world.internalKey);
    expect(requests.code).toBe(0);
    const day = (
      JSON.parse(requests.stdout) as Array<{
        day: string;
        requests: number;
        byOutcome: Array<{ code: string }>;
      }>
    ).find((row) => row.day === "2026-01-20");
    expect(day?.requests).toBeGreaterThanOrEqual(1);
    expect(day?.byOutcome.map((row) => row.code)).toContain("OK");
    expect(lines((await ops("requests")).stdout)[0]).toMatch(/^day\s+requests\s+p50Ms\s+p99Ms\s+outcomes/);

    const shapes = await ops("shapes", "--days", "3");
    expect(shapes.code).toBe(0);
    expect(shapes.stdout).toMatch(/2026-01-20\s+outside_buyer_acme\s+1\s+0/);

    const coverage = await ops("coverage");
    expect(coverage.code).toBe(0);
    expect(coverage.stdout).toMatch(/^gb-lon\s+London/m);
    expect(coverage.stdout).toMatch(/^us-nyc\s+New York/m);
    expect(coverage.stdout).toContain("unmapped: 0% of 7-day events");

    const ledger = await ops("ledger", "--json");
    const view = JSON.parse(ledger.stdout) as {
      days: Array<{ dayUtc: string; epsilon: number }>;
      highestDay: unknown;
    };
    expect(view.days).toHaveLength(10);
    expect(view.days[0]).toMatchObject({ dayUtc: "2026-01-01", epsilon: 1 });
    expect(view.highestDay).toMatchObject({ dayUtc: "2026-01-01", epsilon: 1 });
    const table = await ops("ledger", "--from", "2026-01-09", "--to", "2026-01-11");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^2026-01-09\s+1\s+3\s/m);
    const { epsilonDay } = planTotals(DEFAULT_RELEASE_PLAN);
    expect(table.stderr).toContain(
      `Highest day 2026-01-09: epsilon 1 of the cap 3 (plan epsilon_day ${epsilonDay}).`,
    );
    const privacy = await ops("privacy", "--json");
    expect(JSON.parse(privacy.stdout)).toMatchObject({
      unit: "participant-day",
      planEpsilonPerParticipantDay: epsilonDay,
    });

    const anomalies = await ops("anomalies", "--hours", "48", "--json");
    expect(anomalies.code).toBe(0);
    expect(JSON.parse(anomalies.stdout)).toMatchObject({ totalCount: 0, nodes: [] });
    expect((await ops("anomalies", "--hours", "soon")).code).toBe(2);
  });
});

describe("ops command line: mutations", () => {
  it("keys issue prints the new key alone on stdout; rotate, revoke and list follow it", async () => {
    const issued = await ops("keys", "issue", "--role", "internal", "--name", "cli tool");
    expect(issued.code).toBe(0);
    const key = issued.stdout.trim();
    expect(key).toMatch(/^ib_internal_\w{32}_\w{6}$/);
    expect(issued.stderr).toMatch(/^id\s+[0-9a-f-]{36}$/m);
    const keyId = /^id\s+(\S+)$/m.exec(issued.stderr)?.[1] ?? "";

    const listed = await ops("keys", "list", "--json");
    const keys = JSON.parse(listed.stdout) as Array<{ id: string; name: string; prefix: string }>;
    expect(keys.find((entry) => entry.id === keyId)).toMatchObject({
      name: "cli tool",
      prefix: key.slice(0, 12),
    });
    expect(listed.stdout).not.toContain(key.slice(12));

    const rotated = await ops("keys", "rotate", "--id", keyId, "--overlap-seconds", "60");
    expect(rotated.code).toBe(0);
    const newKey = rotated.stdout.trim();
    expect(newKey).toMatch(/^ib_internal_/);
    expect(newKey).not.toBe(key);
    const newId = /^id\s+(\S+)$/m.exec(rotated.stderr)?.[1] ?? "";

    const revoked = await ops("keys", "revoke", "--id", newId);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^revokedAt\s+2026-01-20T12:00:00Z$/m);
    expect(await ops("jobs", "--key", newKey)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: UNAUTHENTICATED: /),
    });
  });

  it("keys issue --role BUSINESS needs --business-id of an existing business; the key lists its business as owner", async () => {
    const missing = await ops("keys", "issue", "--role", "BUSINESS", "--name", "cafe");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: BUSINESS_ID_REQUIRED \(input\.businessId\): /);
    await db.query(
      "insert into businesses (id, name) values ('biz_cli_cafe', 'CLI Cafe') on conflict do nothing",
    );
    const issued = await ops(
      "keys",
      "issue",
      "--role",
      "BUSINESS",
      "--name",
      "cafe",
      "--business-id",
      "biz_cli_cafe",
    );
    expect(issued.code).toBe(0);
    expect(issued.stdout.trim()).toMatch(/^ib_business_\w{32}_\w{6}$/);
    expect(issued.stderr).toMatch(/^owner\s+biz_cli_cafe$/m);
  });

  it("a refused input exits 1 with the userError's code and field; --json prints the payload", async () => {
    const refused = await ops("keys", "issue", "--role", "BUYER", "--name", "acme");
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toMatch(/^error: PARTNER_ID_REQUIRED \(input\.partnerId\): /);
    const asJson = await ops("keys", "rotate", "--id", "00000000-0000-4000-8000-000000000000", "--json");
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toEqual({
      apiKey: null,
      key: null,
      userErrors: [{ field: ["input", "id"], code: "NOT_FOUND", message: "No API key has this id." }],
    });
    const budget = await ops("budget", "set", "--partner-id", "acme", "--epsilon-limit", "5");
    expect(budget).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: PARTNER_ID_INVALID \(input\.partnerId\)/),
    });
  });

  it("wrong usage exits 2 and says what to run for help", async () => {
    for (const argv of [
      ["nope"],
      ["keys", "explode"],
      ["keys", "issue", "--name", "x"],
      ["keys", "issue", "--role", "ADMIN", "--name", "x"],
      ["keys", "list", "--colour"],
      ["budget", "set", "--partner-id", "outside_buyer_acme", "--epsilon-limit", "lots"],
      ["precompute", "run", "--granularity", "DAY", "--from", "yesterday", "--to", "2026-01-02"],
      ["keys"],
    ]) {
      const result = await ops(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/error: |Usage: /);
    }
    const noKey = await runOps(["jobs", "--url", url], {
      stdout: new Writable({ write: (_c, _e, done) => done() }),
      stderr: new Writable({ write: (_c, _e, done) => done() }),
    });
    expect(noKey).toBe(2);
  });

  it("budget set and policy set change what the views show", async () => {
    const budget = await ops(
      "budget",
      "set",
      "--partner-id",
      "outside_buyer_acme",
      "--epsilon-limit",
      "7",
      "--daily-query-limit",
      "9",
    );
    expect(budget.code).toBe(0);
    expect(budget.stdout).toMatch(/^epsilonLimit\s+7$/m);
    const payload = JSON.stringify({
      enabled: true,
      cron: "*/10 * * * *",
      statement_timeout_ms: 4000,
      stale_margin_hours: 3,
    });
    const policy = await ops("policy", "set", "--policy", "ops_monitors_v1", "--payload", payload);
    expect(policy.code).toBe(0);
    const policies = JSON.parse((await ops("policy", "list", "--json")).stdout) as Array<{
      policyKey: string;
      payload: string;
    }>;
    expect(
      JSON.parse(policies.find((entry) => entry.policyKey === "ops_monitors_v1")?.payload ?? "{}"),
    ).toMatchObject({
      cron: "*/10 * * * *",
    });
    const wrongShape = await ops(
      "policy",
      "set",
      "--policy",
      "ops_monitors_v1",
      "--payload",
      '{"enabled":"yes"}',
    );
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.stderr).toMatch(/^error: INVALID_PAYLOAD \(input\.payload\.enabled\)/m);
  });

  it("precompute run --wait follows the run to its end with a progress display", async () => {
    const result = await ops(
      "precompute",
      "run",
      "--granularity",
      "day",
      "--from",
      "2026-01-11",
      "--to",
      "2026-01-13",
      "--wait",
      "--interval-ms",
      "20",
    );
    // Jan 11 and 12, every DAY release of the plan.
    const planned = 2 * plannedPerBucket("day");
    expect(result.stderr).toMatch(new RegExp(`^precompute: ${planned}/${planned} \\(100%\\)$`, "m"));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^outcome\s+completed$/m);
    expect(result.stdout).toMatch(new RegExp(`^rows\\s+${planned}$`, "m"));
    const refused = await ops(
      "precompute",
      "run",
      "--granularity",
      "DAY,WEEK",
      "--from",
      "2026-01-13",
      "--to",
      "2026-01-11",
    );
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: INVALID_RANGE \(input\.to\)/),
    });
  });

  it("monitors upsert, run, feed list and ack, actions list and approve: a fingerprint burst to a revoked buyer", async () => {
    for (let index = 0; index < 31; index += 1) {
      await db.query(
        `insert into query_fingerprints (partner_id, day, fingerprint, algorithm_version, first_seen_at, hits)
         values ('outside_buyer_globex', $1::timestamptz::date, $2, 1, $1, 1)`,
        [WORLD_NOW, `shape_${index}`],
      );
    }
    const dir = mkdtempSync(path.join(tmpdir(), "ops-cli-"));
    const sqlFile = path.join(dir, "check.sql");
    writeFileSync(
      sqlFile,
      "select partner_id as target, count(*)::float8 as value from budget_charges group by partner_id\n",
    );
    const created = await ops(
      "monitors",
      "upsert",
      "--name",
      "buyer_charges",
      "--description",
      "Charges per buyer.",
      "--sql-file",
      sqlFile,
      "--threshold",
      "1000",
      "--window-minutes",
      "60",
      "--severity",
      "info",
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^created\s+true$/m);
    const writes = await ops(
      "monitors",
      "upsert",
      "--name",
      "sneaky",
      "--description",
      "x",
      "--sql",
      "delete from api_keys",
      "--threshold",
      "1",
      "--window-minutes",
      "5",
    );
    expect(writes).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: MONITOR_SQL_NOT_READ_ONLY \(input\.sql\)/),
    });
    expect((await ops("monitors", "list")).stdout).toMatch(
      /^buyer_charges\s+true\s+false\s+1000\s+60\s+INFO/m,
    );

    const run = await ops("monitors", "run", "--name", "buyer_fingerprint_growth", "--name", "buyer_charges");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^checked\s+2$/m);
    expect(run.stdout).toMatch(/^proposedActions\s+1$/m);
    expect((await ops("monitors", "run", "--name", "no_such")).stderr).toMatch(
      /^error: UNKNOWN_MONITOR \(input\.names\.0\)/,
    );

    const feed = JSON.parse((await ops("feed", "list", "--status", "new", "--json")).stdout) as {
      nodes: Array<{ id: string; incidentKey: string }>;
    };
    const item = feed.nodes.find(
      (node) => node.incidentKey === "buyer_fingerprint_growth:outside_buyer_globex",
    );
    expect(item).toBeDefined();
    expect((await ops("feed", "ack", "--id", item?.id ?? "")).stdout).toMatch(/^status\s+READ$/m);

    const pending = await ops("actions", "list", "--status", "pending");
    const actionId = /^([0-9a-f-]{36})\s+\S+\s+revoke_buyer_keys\s+outside_buyer_globex\s+PENDING/m.exec(
      pending.stdout,
    )?.[1];
    expect(actionId).toBeDefined();
    const noReason = await ops("actions", "approve", "--id", actionId ?? "");
    expect(noReason.code).toBe(2);
    const approved = await ops(
      "actions",
      "approve",
      "--id",
      actionId ?? "",
      "--reason",
      "31 shapes in a day",
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/^status\s+EXECUTED$/m);
    const again = await ops("actions", "reject", "--id", actionId ?? "", "--reason", "too late");
    expect(again).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: ALREADY_DECIDED \(input\.id\)/),
    });
    expect((await ops("jobs", "--key", world.otherBuyerKey)).stderr).toMatch(/^error: UNAUTHENTICATED: /);
  });

  it("cities and localities: list, and a polygon that does not close is refused with exit code 1", async () => {
    expect((await ops("cities", "list")).stdout).toMatch(/^gb-lon\s+London/m);
    const open = JSON.stringify({
      type: "Polygon",
      coordinates: [
        [
          [-73.96, 40.8],
          [-73.93, 40.8],
          [-73.93, 40.82],
          [-73.96, 40.82],
        ],
      ],
    });
    const refused = await ops(
      "localities",
      "upsert",
      "--code",
      "us-nyc-harlem",
      "--city",
      "us-nyc",
      "--kind",
      "locality",
      "--name",
      "Harlem",
      "--shape",
      open,
    );
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: POLYGON_NOT_CLOSED \(input\.shape\.coordinates\.0\)/),
    });
    const closed = JSON.stringify({
      type: "Polygon",
      coordinates: [
        [
          [-73.96, 40.8],
          [-73.93, 40.8],
          [-73.93, 40.82],
          [-73.96, 40.82],
          [-73.96, 40.8],
        ],
      ],
    });
    const saved = await ops(
      "localities",
      "upsert",
      "--code",
      "us-nyc-harlem",
      "--city",
      "us-nyc",
      "--kind",
      "locality",
      "--name",
      "Harlem",
      "--shape",
      closed,
    );
    expect(saved.code).toBe(0);
    expect((await ops("localities", "list", "--city", "us-nyc")).stdout).toMatch(
      /^us-nyc-harlem\s+us-nyc\s+-\s+locality\s+Harlem$/m,
    );
  });

  it("cities bounds, db-health, feed retention and feed counts", async () => {
    const bounds = await ops("cities", "bounds", "--city", "gb-lon");
    expect(bounds.code).toBe(0);
    const [header, _rule, ...cells] = lines(bounds.stdout);
    expect(header).toMatch(/^geohash3\s+source\s+south\s+west\s+north\s+east$/);
    const mapped = await db.query<{ geohash3: string }>(
      "select geohash3 from city_geohash3_map where city_code = 'gb-lon' order by geohash3",
    );
    expect(cells.map((line) => line.split(/\s+/)[0])).toEqual(mapped.map((row) => row.geohash3));
    expect(bounds.stderr).toMatch(new RegExp(`^gb-lon: ${mapped.length} cells within south `));
    const unknown = await ops("cities", "bounds", "--city", "xx-nope");
    expect(unknown).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: UNKNOWN_CITY \(cityCode\)/),
    });

    const health = await ops("db-health", "--json");
    expect(health.code).toBe(0);
    const view = JSON.parse(health.stdout) as {
      activeConnections: number;
      statementStatistics: { available: boolean };
    };
    expect(view.activeConnections).toBeGreaterThanOrEqual(1);
    expect(view.statementStatistics.available).toBe(false);
    const table = await ops("db-health");
    expect(table.stdout).toMatch(/^status\s+OK$/m);
    expect(table.stderr).toMatch(/Slowest statements: not available\. /);

    const old = new Date(world.clock.now().getTime() - 100 * 86_400_000);
    await db.query(
      `insert into ops_feed (created_at, severity, source, title, status) values ($1, 'warning', 'stale_precompute', 'old', 'archived')`,
      [old],
    );
    const refused = await ops("feed", "retention", "--delete-days", "0");
    expect(refused).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error: CONFIRMATION_REQUIRED \(input\.deleteDays\)/),
    });
    const run = await ops("feed", "retention", "--json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ deleteDays: 90, feedItemsDeleted: 1, userErrors: [] });
    const counts = await ops("feed", "counts", "--kind", "feed_item");
    expect(counts.stdout).toMatch(
      new RegExp(
        `^FEED_ITEM\\s+${old.toISOString().slice(0, 10)}\\s+stale_precompute\\s+WARNING\\s+1\\s+0\\s+0$`,
        "m",
      ),
    );
  });

  it("audit verify exits 0 on an intact chain and 1 naming the first edited entry", async () => {
    const intact = await ops("audit", "verify", "--json");
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ valid: true, firstBrokenId: null });
    const [victim] = await db.query<{ id: string }>(
      "select id::text as id from audit_logs order by id desc limit 1 offset 2",
    );
    await db.query("update audit_logs set outcome = 'EDITED' where id = $1", [victim?.id]);
    const broken = await ops("audit", "verify");
    expect(broken.code).toBe(1);
    expect(broken.stderr).toBe(
      `error: AUDIT_CHAIN_BROKEN: audit entry ${victim?.id} no longer matches its hash or link\n`,
    );
  });
});

describe("ops command line: help and refusals", () => {
  it("every command and group answers --help with exit code 0", async () => {
    expect(OPS_HELP).toMatch(
      /keys issue[\s\S]*budget set[\s\S]*precompute run[\s\S]*audit verify[\s\S]*monitors upsert/,
    );
    for (const command of [
      ...OPS_COMMAND_PATHS,
      "keys",
      "feed",
      "actions",
      "monitors",
      "policy",
      "cities",
      "localities",
    ]) {
      const result = await ops(...command.split(" "), "--help");
      expect(result.code, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`^Usage: npm run ops -- ${command} `));
    }
    expect((await ops("--help")).stdout).toBe(OPS_HELP);
  });

  it("a BUYER key is refused with exit code 1 and the error code; --json prints it as JSON", async () => {
    const refused = await ops("jobs", "--key", world.buyerKey);
    expect(refused).toEqual({ code: 1, stdout: "", stderr: expect.stringMatching(/^error: FORBIDDEN: /) });
    const asJson = await ops("keys", "list", "--key", world.buyerKey, "--json");
    expect(asJson.code).toBe(1);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ error: { code: "FORBIDDEN" } });
  });
});
