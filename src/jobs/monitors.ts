import type { Clock } from "../clock";
import type { DatabaseHandle, QueryFn } from "../db/client";
import { columnsOf } from "../db/rows";
import { BUYER_PARTNER_PREFIX } from "../db/schema/access";
import { monitors } from "../db/schema/ops";
import type { TimingPolicyKey } from "../db/timingPolicyRegistry";
import { sampleDatabaseHealth } from "./databaseHealth";
import { type CheckRow, runCheck } from "./monitorSql";
import { loadTimingPolicy } from "./timingPolicies";

/** The monitors' timing policy: how often they run, their statement timeout, the staleness margin. */
export const MONITORS_POLICY_KEY = "ops_monitors_v1" satisfies TimingPolicyKey;
export const MONITORS_QUEUE = "ops_monitors_check";

/** The checks' statement timeout; 5 s when the policy is unreadable, so an operator's call still runs. */
export async function monitorStatementTimeoutMs(database: DatabaseHandle): Promise<number> {
  return loadTimingPolicy(database, MONITORS_POLICY_KEY)
    .then((policy) => policy.statement_timeout_ms)
    .catch(() => 5000);
}

/** The scheduled run: every enabled monitor, recorded as a job run (no audit row: no operator acted). */
export async function runScheduledMonitors(database: DatabaseHandle, clock: Clock) {
  const policy = await loadTimingPolicy(database, MONITORS_POLICY_KEY);
  if (!policy.enabled) return { outcome: "disabled", rows: 0 };
  const counts = await runMonitors(database, clock.now(), {
    statementTimeoutMs: policy.statement_timeout_ms,
  });
  return { outcome: counts.failed > 0 ? "partial" : "ok", rows: counts.checked, details: { ...counts } };
}

export type MonitorRow = typeof monitors.$inferSelect;
export type MonitorSeverity = MonitorRow["severity"];

/** The action a buyer-abuse monitor proposes: revoke every active key of the buyer it names. */
export const REVOKE_BUYER_KEYS = "revoke_buyer_keys";

export const MONITOR = columnsOf(monitors);

export async function listMonitors(database: DatabaseHandle): Promise<MonitorRow[]> {
  const rows = await database.query(`select ${MONITOR.list} from monitors order by name`);
  return rows.map(MONITOR.read);
}

export interface RunMonitorsCounts {
  checked: number;
  fired: number;
  newFeedItems: number;
  proposedActions: number;
  failed: number;
}

/**
 * Runs every enabled monitor's check, each in its own READ ONLY transaction under a statement
 * timeout, with $1 = the window start (and `current_setting('monitor.now')` = now). A check that
 * fails or times out is recorded as an event with its error; it never stops the run. A firing
 * target (value >= threshold) opens a feed item once per incident (monitor + target) and, for
 * abuse monitors, proposes an action into the ledger as PENDING.
 */
export async function runMonitors(
  database: DatabaseHandle,
  now: Date,
  options: { statementTimeoutMs?: number; only?: string[] } = {},
): Promise<RunMonitorsCounts> {
  const timeoutMs = options.statementTimeoutMs ?? 5000;
  const counts: RunMonitorsCounts = { checked: 0, fired: 0, newFeedItems: 0, proposedActions: 0, failed: 0 };
  const due = (await listMonitors(database)).filter(
    (monitor) => monitor.enabled && (options.only === undefined || options.only.includes(monitor.name)),
  );
  // Checks cannot read pg_stat_activity; the connection counts they watch are sampled here first.
  // A failed sample never stops the run: the connections check then finds no sample in its window.
  if (due.length > 0) await sampleDatabaseHealth(database, now).catch(() => undefined);
  for (const monitor of due) {
    counts.checked += 1;
    const started = Date.now();
    let rows: CheckRow[];
    try {
      rows = await runCheck(database, monitor.sql, {
        now,
        windowMinutes: monitor.windowMinutes,
        statementTimeoutMs: timeoutMs,
      });
    } catch (error) {
      counts.failed += 1;
      const message = error instanceof Error ? error.message : String(error);
      await database
        .query(
          `insert into monitor_events (monitor_id, occurred_at, value, fired, details, error, duration_ms)
           values ($1, $2, null, false, null, $3, $4)`,
          [monitor.id, now, message.slice(0, 1000), Date.now() - started],
        )
        .catch(() => undefined);
      continue;
    }
    const durationMs = Date.now() - started;
    const firing = rows.filter((row) => row.value >= monitor.threshold);
    if (firing.length > 0) counts.fired += 1;
    try {
      const written = await database.transaction((query) =>
        recordOutcome(query, monitor, now, rows, firing, durationMs),
      );
      counts.newFeedItems += written.newFeedItems;
      counts.proposedActions += written.proposedActions;
    } catch {
      counts.failed += 1;
    }
  }
  return counts;
}

async function recordOutcome(
  query: QueryFn,
  monitor: MonitorRow,
  now: Date,
  rows: CheckRow[],
  firing: CheckRow[],
  durationMs: number,
): Promise<{ newFeedItems: number; proposedActions: number }> {
  const top = rows.reduce<number | null>(
    (max, row) => (max === null || row.value > max ? row.value : max),
    null,
  );
  const details = {
    rows: rows.length,
    firedTargets: firing.map((row) => row.target ?? "*").slice(0, 100),
    values: firing.slice(0, 100).map((row) => ({ target: row.target, value: row.value })),
    threshold: monitor.threshold,
  };
  const [event] = await query<{ id: string }>(
    `insert into monitor_events (monitor_id, occurred_at, value, fired, details, error, duration_ms)
     values ($1, $2, $3, $4, $5, null, $6) returning id::text as id`,
    [monitor.id, now, top, firing.length > 0, JSON.stringify(details), durationMs],
  );
  let newFeedItems = 0;
  let proposedActions = 0;
  for (const row of firing) {
    const target = row.target ?? "*";
    const incidentKey = `${monitor.name}:${target}`;
    const subject = row.target === null ? "" : ` for ${row.target}`;
    const [item] = await query<{ id: string }>(
      `insert into ops_feed (created_at, severity, source, title, body, status, incident_key, monitor_event_id)
       values ($1, $2, $3, $4, $5, 'new', $6, $7)
       on conflict (incident_key) where status <> 'archived' do nothing
       returning id::text as id`,
      [
        now,
        monitor.severity,
        monitor.name,
        `${monitor.name} fired${subject}: ${formatNumber(row.value)} >= ${formatNumber(monitor.threshold)}`,
        `${monitor.description} Value ${formatNumber(row.value)} (threshold ${formatNumber(monitor.threshold)}, window ${monitor.windowMinutes} min).`,
        incidentKey,
        event?.id ?? null,
      ],
    );
    if (item === undefined) continue;
    newFeedItems += 1;
    if (monitor.proposesAction === REVOKE_BUYER_KEYS && row.target?.startsWith(BUYER_PARTNER_PREFIX)) {
      // A revoke already awaiting approval for this buyer gains this signal instead of a duplicate.
      const [proposal] = await query<{ inserted: boolean }>(
        `insert into action_ledger (created_at, action_type, target, reason, proposed_by, approval_status, status, feed_item_id)
         values ($1, $2, $3, $4, $5, 'PENDING', 'proposed', $6)
         on conflict (action_type, target) where approval_status = 'PENDING'
         do update set reason = action_ledger.reason || ' ' || excluded.reason
         returning (xmax = 0) as inserted`,
        [
          now,
          monitor.proposesAction,
          row.target,
          `Revoke the keys of ${row.target}: ${monitor.name} at ${formatNumber(row.value)} (threshold ${formatNumber(monitor.threshold)}).`,
          `monitor:${monitor.name}`,
          item.id,
        ],
      );
      if (proposal?.inserted) proposedActions += 1;
    }
  }
  return { newFeedItems, proposedActions };
}

const formatNumber = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));
