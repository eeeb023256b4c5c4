import type { PgBoss } from "pg-boss";
import type { Logger } from "pino";
import { z } from "zod";
import type { Clock } from "../clock";
import type { DatabaseHandle } from "../db/client";
import { DEFAULT_TIMING_POLICIES } from "../db/referenceData";
import { runMonitors } from "../resolvers/ops/monitors";
import { recordJobRun } from "./jobRuns";
import { loadPolicy } from "./retention";

export const MONITORS_POLICY_KEY = "ops_monitors_v1";
export const MONITORS_QUEUE = "ops_monitors_check";

/** timing_policies.ops_monitors_v1: how often the monitors run, their statement timeout, the staleness margin. */
export const monitorsPolicySchema = z.object({
  enabled: z.boolean(),
  cron: z.string().min(9),
  statement_timeout_ms: z.number().int().min(100).max(60_000),
  /** Hours a precompute may lag beyond its expected cadence before the stale-precompute monitor fires. */
  stale_margin_hours: z.number().min(0).max(720),
});

export type MonitorsPolicy = z.infer<typeof monitorsPolicySchema>;

export async function loadMonitorsPolicy(database: DatabaseHandle): Promise<MonitorsPolicy> {
  return loadPolicy(database, MONITORS_POLICY_KEY, monitorsPolicySchema);
}

/** The checks' statement timeout; 5 s when the policy is unreadable, so an operator's call still runs. */
export async function monitorStatementTimeoutMs(database: DatabaseHandle): Promise<number> {
  return loadMonitorsPolicy(database)
    .then((policy) => policy.statement_timeout_ms)
    .catch(() => 5000);
}

/** The scheduled run: every enabled monitor, recorded as a job run (no audit row: no operator acted). */
export async function runScheduledMonitors(database: DatabaseHandle, clock: Clock) {
  const policy = await loadMonitorsPolicy(database);
  if (!policy.enabled) return { outcome: "disabled", rows: 0 };
  const counts = await runMonitors(database, clock.now(), {
    statementTimeoutMs: policy.statement_timeout_ms,
  });
  return { outcome: counts.failed > 0 ? "partial" : "ok", rows: counts.checked, details: { ...counts } };
}

/**
 * Creates the monitors queue, schedules it from the policy's cron and works it. Called by the
 * scheduler at start and at every hourly tick (schedule() replaces the entry, so a changed cron
 * takes effect within the hour).
 */
export async function scheduleMonitors(
  boss: PgBoss,
  deps: { database: DatabaseHandle; clock: Clock; logger: Logger },
): Promise<{ run: () => Promise<string>; sync: () => Promise<void> }> {
  const { database, clock, logger } = deps;
  await boss.createQueue(MONITORS_QUEUE);
  const sync = async () => {
    let cron: string;
    try {
      cron = (await loadMonitorsPolicy(database)).cron;
    } catch (error) {
      logger.error({ err: String(error) }, "monitors policy unreadable; using its default cron");
      const fallback = DEFAULT_TIMING_POLICIES.find((policy) => policy.policyKey === MONITORS_POLICY_KEY);
      cron = String((fallback?.payload as { cron?: string } | undefined)?.cron ?? "*/5 * * * *");
    }
    await boss.schedule(MONITORS_QUEUE, cron, {}, { tz: "UTC" });
  };
  await sync();
  const run = async () =>
    (
      await recordJobRun(database, { name: MONITORS_QUEUE, now: () => clock.now() }, () =>
        runScheduledMonitors(database, clock),
      )
    ).outcome;
  await boss.work(MONITORS_QUEUE, async () => {
    await run();
  });
  return { run, sync };
}
