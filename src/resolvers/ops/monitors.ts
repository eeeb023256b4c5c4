import type { AdminActor } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import type { UserError } from "../../errors";
import { BUYER_PARTNER_PREFIX, revokeKeyInTransaction } from "../admin/apiKeys";
import { sampleDatabaseHealth } from "./databaseHealth";
import { type CheckRow, runCheck } from "./monitorSql";

export type MonitorSeverity = "error" | "warning" | "info";

export interface MonitorRow {
  id: string;
  name: string;
  description: string;
  sql: string;
  threshold: number;
  windowMinutes: number;
  severity: MonitorSeverity;
  enabled: boolean;
  builtin: boolean;
  proposesAction: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MonitorEventRow {
  id: string;
  monitorId: string;
  occurredAt: Date;
  value: number | null;
  fired: boolean;
  error: string | null;
  durationMs: number | null;
  firedTargets: string[];
}

export type FeedStatus = "new" | "read" | "archived";

export interface FeedItemRow {
  id: string;
  createdAt: Date;
  severity: MonitorSeverity;
  source: string;
  title: string;
  body: string | null;
  status: FeedStatus;
  incidentKey: string | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
}

export type ApprovalStatus = "PENDING" | "APPROVED" | "REJECTED";
export type ActionStatus = "proposed" | "executed" | "failed";

export interface ActionRow {
  id: string;
  createdAt: Date;
  actionType: string;
  target: string;
  reason: string;
  proposedBy: string;
  approvalStatus: ApprovalStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  status: ActionStatus;
  result: unknown;
  feedItemId: string | null;
}

/** The action a buyer-abuse monitor proposes: revoke every active key of the buyer it names. */
export const REVOKE_BUYER_KEYS = "revoke_buyer_keys";

export const MONITOR_COLUMNS = `id::text as id, name, description, sql, threshold, window_minutes as "windowMinutes",
  severity, enabled, builtin, proposes_action as "proposesAction", created_at as "createdAt", updated_at as "updatedAt"`;

export async function listMonitors(database: DatabaseHandle): Promise<MonitorRow[]> {
  const rows = await database.query<MonitorRow>(`select ${MONITOR_COLUMNS} from monitors order by name`);
  return rows.map((row) => ({ ...row, threshold: Number(row.threshold) }));
}

/** Each monitor's newest event. */
export async function lastMonitorEvents(database: DatabaseHandle): Promise<Map<string, MonitorEventRow>> {
  const rows = await database.query<{
    id: string;
    monitor_id: string;
    occurred_at: Date;
    value: number | null;
    fired: boolean;
    error: string | null;
    duration_ms: number | null;
    details: { firedTargets?: string[] } | null;
  }>(
    `select distinct on (monitor_id) id::text as id, monitor_id::text as monitor_id, occurred_at, value, fired,
            error, duration_ms, details
     from monitor_events order by monitor_id, occurred_at desc, id`,
  );
  return new Map(
    rows.map((row) => [
      row.monitor_id,
      {
        id: row.id,
        monitorId: row.monitor_id,
        occurredAt: new Date(row.occurred_at),
        value: row.value === null ? null : Number(row.value),
        fired: row.fired,
        error: row.error,
        durationMs: row.duration_ms,
        firedTargets: row.details?.firedTargets ?? [],
      },
    ]),
  );
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
  const monitors = (await listMonitors(database)).filter(
    (monitor) => monitor.enabled && (options.only === undefined || options.only.includes(monitor.name)),
  );
  // Checks cannot read pg_stat_activity; the connection counts they watch are sampled here first.
  // A failed sample never stops the run: the connections check then finds no sample in its window.
  if (monitors.length > 0) await sampleDatabaseHealth(database, now).catch(() => undefined);
  for (const monitor of monitors) {
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

const FEED_COLUMNS = `id::text as id, created_at as "createdAt", severity, source, title, body, status,
  incident_key as "incidentKey", acknowledged_at as "acknowledgedAt", acknowledged_by as "acknowledgedBy"`;

/** A page of the feed, newest first; the cursor is "<created_at ISO>|<id>". */
export async function listFeed(
  database: DatabaseHandle,
  options: { status: FeedStatus | null; first: number; after: { at: Date; id: string } | null },
): Promise<{ items: FeedItemRow[]; hasNextPage: boolean; totalCount: number }> {
  const rows = await database.query<FeedItemRow>(
    `select ${FEED_COLUMNS} from ops_feed
     where ($1::text is null or status = $1)
       and ($2::timestamptz is null or (created_at, id) < ($2::timestamptz, $3::uuid))
     order by created_at desc, id desc limit $4`,
    [options.status, options.after?.at ?? null, options.after?.id ?? null, options.first + 1],
  );
  const [count] = await database.query<{ n: number }>(
    "select count(*)::int as n from ops_feed where ($1::text is null or status = $1)",
    [options.status],
  );
  return {
    items: rows.slice(0, options.first).map(feedRow),
    hasNextPage: rows.length > options.first,
    totalCount: count?.n ?? 0,
  };
}

function feedRow(row: FeedItemRow): FeedItemRow {
  return {
    ...row,
    createdAt: new Date(row.createdAt),
    acknowledgedAt: row.acknowledgedAt === null ? null : new Date(row.acknowledgedAt),
  };
}

const ACTION_COLUMNS = `id::text as id, created_at as "createdAt", action_type as "actionType", target, reason,
  proposed_by as "proposedBy", approval_status as "approvalStatus", decided_by as "decidedBy",
  decided_at as "decidedAt", decision_reason as "decisionReason", status, result, feed_item_id::text as "feedItemId"`;

function actionRow(row: ActionRow): ActionRow {
  return {
    ...row,
    createdAt: new Date(row.createdAt),
    decidedAt: row.decidedAt === null ? null : new Date(row.decidedAt),
  };
}

export async function listActions(
  database: DatabaseHandle,
  approvalStatus: ApprovalStatus | null,
  limit: number,
): Promise<ActionRow[]> {
  const rows = await database.query<ActionRow>(
    `select ${ACTION_COLUMNS} from action_ledger where ($1::text is null or approval_status = $1)
     order by created_at desc, id desc limit $2`,
    [approvalStatus, limit],
  );
  return rows.map(actionRow);
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

type Refusal = { ok: false; userErrors: UserError[] };

const notFound = (what: string): Refusal => ({
  ok: false,
  userErrors: [{ field: ["input", "id"], code: "NOT_FOUND", message: `No ${what} has this id.` }],
});

/** Marks a feed item read or archived; an archived item stays archived. Audited. */
export async function acknowledgeFeedItem(
  database: DatabaseHandle,
  input: { id: string; status: "read" | "archived" },
  now: Date,
  actor: AdminActor,
): Promise<{ ok: true; item: FeedItemRow } | Refusal> {
  if (!isUuid(input.id)) return notFound("feed item");
  return database.transaction(async (query) => {
    const [before] = await query<FeedItemRow>(
      `select ${FEED_COLUMNS} from ops_feed where id = $1 for update`,
      [input.id],
    );
    if (before === undefined) return notFound("feed item");
    if (before.status === "archived" && input.status !== "archived") {
      return {
        ok: false,
        userErrors: [
          {
            field: ["input", "status"],
            code: "ARCHIVED",
            message: "An archived item stays archived; a persisting signal opens a new item.",
          },
        ],
      } satisfies Refusal;
    }
    const [after] = await query<FeedItemRow>(
      `update ops_feed set status = $2, acknowledged_at = $3, acknowledged_by = $4 where id = $1
       returning ${FEED_COLUMNS}`,
      [input.id, input.status, now, actor.actor],
    );
    if (after === undefined) throw new Error("feed item vanished during its update");
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "acknowledgeFeedItem",
      target: input.id,
      outcome: "OK",
      before: { status: before.status },
      after: { status: after.status },
    });
    return { ok: true, item: feedRow(after) } as const;
  });
}

/**
 * Approves (and executes) or rejects a PENDING action. Approving a revoke_buyer_keys action revokes
 * every active key of that buyer with revokeApiKey's SQL and audit, in the same transaction; an
 * action cannot be approved by a key it targets, nor decided twice. Audited.
 */
export async function decideAction(
  database: DatabaseHandle,
  input: { id: string; decision: "APPROVE" | "REJECT"; reason: string },
  now: Date,
  actor: AdminActor,
): Promise<{ ok: true; action: ActionRow } | Refusal> {
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) {
    return {
      ok: false,
      userErrors: [
        {
          field: ["input", "reason"],
          code: "INVALID_REASON",
          message: "reason must be 1 to 500 characters.",
        },
      ],
    };
  }
  if (!isUuid(input.id)) return notFound("action");
  return database.transaction(async (query): Promise<{ ok: true; action: ActionRow } | Refusal> => {
    const [before] = await query<ActionRow>(
      `select ${ACTION_COLUMNS} from action_ledger where id = $1 for update`,
      [input.id],
    );
    if (before === undefined) return notFound("action");
    if (before.approvalStatus !== "PENDING") {
      return {
        ok: false,
        userErrors: [
          {
            field: ["input", "id"],
            code: "ALREADY_DECIDED",
            message: `This action was already ${before.approvalStatus.toLowerCase()}.`,
          },
        ],
      };
    }
    let approvalStatus: ApprovalStatus = "REJECTED";
    let status: ActionStatus = before.status;
    let outcome: unknown = null;
    if (input.decision === "APPROVE") {
      approvalStatus = "APPROVED";
      if (before.actionType === REVOKE_BUYER_KEYS) {
        const keys = await query<{ id: string }>(
          "select id::text as id from api_keys where partner_id = $1 and revoked_at is null order by created_at",
          [before.target],
        );
        if (actor.actorKeyId !== null && keys.some((key) => key.id === actor.actorKeyId)) {
          return {
            ok: false,
            userErrors: [
              {
                field: ["input", "id"],
                code: "SELF_APPROVAL",
                message: "An action cannot be approved by a key it targets.",
              },
            ],
          };
        }
        const revoked: string[] = [];
        for (const key of keys) {
          await revokeKeyInTransaction(query, key.id, now, actor);
          revoked.push(key.id);
        }
        status = "executed";
        outcome = { revokedKeyIds: revoked, partnerId: before.target };
      } else {
        status = "failed";
        outcome = { error: `No executor for action type ${before.actionType}.` };
      }
    }
    const [after] = await query<ActionRow>(
      `update action_ledger set approval_status = $2, status = $3, result = $4, decided_by = $5, decided_at = $6,
         decision_reason = $7 where id = $1 returning ${ACTION_COLUMNS}`,
      [
        before.id,
        approvalStatus,
        status,
        outcome === null ? null : JSON.stringify(outcome),
        actor.actor,
        now,
        reason,
      ],
    );
    if (after === undefined) throw new Error("action vanished during its update");
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "decideAction",
      target: before.id,
      outcome: "OK",
      before: { approvalStatus: before.approvalStatus, status: before.status },
      after: { approvalStatus, status, result: outcome, reason },
    });
    return { ok: true, action: actionRow(after) };
  });
}

/**
 * An operator's runMonitors: every enabled monitor, or the named ones (each must exist and be
 * enabled), then one audit row with the counts.
 */
export async function runMonitorsForOperator(
  database: DatabaseHandle,
  input: { names: string[] | null; statementTimeoutMs: number },
  now: Date,
  actor: AdminActor,
): Promise<{ ok: true; counts: RunMonitorsCounts } | Refusal> {
  if (input.names !== null) {
    const known = new Map((await listMonitors(database)).map((monitor) => [monitor.name, monitor]));
    const userErrors: UserError[] = [];
    input.names.forEach((name, index) => {
      const monitor = known.get(name);
      if (monitor === undefined || !monitor.enabled) {
        userErrors.push({
          field: ["input", "names", String(index)],
          code: monitor === undefined ? "UNKNOWN_MONITOR" : "MONITOR_DISABLED",
          message:
            monitor === undefined
              ? `No monitor is named "${name}" (see ops.monitors).`
              : `Monitor "${name}" is disabled; enable it with upsertMonitor first.`,
        });
      }
    });
    if (input.names.length === 0) {
      userErrors.push({
        field: ["input", "names"],
        code: "EMPTY_LIST",
        message: "Name at least one monitor, or leave names out to run every enabled one.",
      });
    }
    if (userErrors.length > 0) return { ok: false, userErrors };
  }
  const counts = await runMonitors(database, now, {
    statementTimeoutMs: input.statementTimeoutMs,
    ...(input.names === null ? {} : { only: input.names }),
  });
  await database.transaction((query) =>
    appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "runMonitors",
      target: input.names?.join(",") ?? null,
      outcome: "OK",
      after: counts,
    }),
  );
  return { ok: true, counts };
}
