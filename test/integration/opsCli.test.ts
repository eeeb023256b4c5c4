import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { OPS_HELP, runOpsView } from "../../src/cli/ops";
import { configFrom } from "../../src/config";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let server: Server;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  await db.query(
    "insert into job_runs (job_name, started_at, finished_at, outcome, rows) values ('imports_retention_daily', $1, $1, 'ok', 3)",
    [world.clock.now()],
  );
  await db.query("insert into buyer_budgets (partner_id, epsilon_limit) values ('outside_buyer_acme', 12.5)");
  const app = createApp({
    db,
    config: configFrom({ LOG_LEVEL: "silent" }),
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

describe("ops command line against a running server", () => {
  it("prints the jobs view as a table with the retention job's cron, last run and next due", async () => {
    const result = await runOpsView({ url, key: world.internalKey, view: "jobs" });
    expect(result.exitCode).toBe(0);
    const lines = result.text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^job\s+schedule\s+policy\s+lastStart\s+lastOutcome\s+rows\s+runs24h/);
    const retention = lines.find((line) => line.startsWith("imports_retention_daily"));
    expect(retention).toContain("10 3 * * *");
    expect(retention).toContain("ok");
    expect(retention).toContain("2026-01-21T03:10:00Z");
    expect(lines.some((line) => line.startsWith("outside_buyer_precompute_v1_hourly"))).toBe(true);
  });

  it("prints freshness, budgets and the audit log; --json gives the rows", async () => {
    const freshness = await runOpsView({ url, key: world.operatorKey, view: "freshness", json: true });
    expect(freshness.exitCode).toBe(0);
    const rows = JSON.parse(freshness.text) as Array<{ granularity: string; latestBucket: string | null }>;
    expect(rows.find((row) => row.granularity === "DAY")?.latestBucket).toBe("2026-01-10T00:00:00Z");

    const budgets = await runOpsView({ url, key: world.internalKey, view: "budgets" });
    expect(budgets.exitCode).toBe(0);
    expect(budgets.text).toMatch(/^partner\s+limit\s+spent\s+remaining/);
    expect(budgets.text).toMatch(/outside_buyer_acme\s+12\.5\s+0\s+12\.5\s+30/);

    const audit = await runOpsView({ url, key: world.internalKey, view: "audit", first: 5 });
    expect(audit.exitCode).toBe(0);
    expect(audit.text.split("\n")[0]).toMatch(/^id\s+at\s+action\s+actor/);
  });

  it("a BUYER key is refused with exit code 1 and the error code; an unknown view is a usage error", async () => {
    const refused = await runOpsView({ url, key: world.buyerKey, view: "jobs" });
    expect(refused).toEqual({ exitCode: 1, text: expect.stringMatching(/^error: FORBIDDEN: /) });
    const unknown = await runOpsView({ url, key: world.internalKey, view: "nope" });
    expect(unknown.exitCode).toBe(2);
    expect(OPS_HELP).toMatch(/budgets[\s\S]*freshness[\s\S]*audit[\s\S]*jobs/);
  });
});
