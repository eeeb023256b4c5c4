import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { DatabaseHandle } from "../../db/client";
import { type AdminOutcome, refused, type UserError } from "../../errors";
import {
  listMonitors,
  type MonitorRow,
  type MonitorSeverity,
  monitorStatementTimeoutMs,
  REVOKE_BUYER_KEYS,
  type RunMonitorsCounts,
  runMonitors,
} from "../../jobs/monitors";
import { revokeKeyInTransaction } from "../admin/apiKeys";

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

/** A monitor with its newest run, as ops.monitors and upsertMonitor show it. */
export interface MonitorView extends MonitorRow {
  lastEvent: MonitorEventRow | null;
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

const notFound = (what: string) => refused(["input", "id"], "NOT_FOUND", `No ${what} has this id.`);

/** Marks a feed item read or archived; an archived item stays archived. Audited. */
export async function acknowledgeFeedItem(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { id: string | number; status: "read" | "archived" },
): Promise<AdminOutcome<{ item: FeedItemRow }>> {
  const id = String(input.id);
  const now = clock.now();
  if (!isUuid(id)) return notFound("feed item");
  return database.transaction(async (query): Promise<AdminOutcome<{ item: FeedItemRow }>> => {
    const [before] = await query<FeedItemRow>(
      `select ${FEED_COLUMNS} from ops_feed where id = $1 for update`,
      [id],
    );
    if (before === undefined) return notFound("feed item");
    if (before.status === "archived" && input.status !== "archived") {
      return refused(
        ["input", "status"],
        "ARCHIVED",
        "An archived item stays archived; a persisting signal opens a new item.",
      );
    }
    const [after] = await query<FeedItemRow>(
      `update ops_feed set status = $2, acknowledged_at = $3, acknowledged_by = $4 where id = $1
       returning ${FEED_COLUMNS}`,
      [id, input.status, now, actor.actor],
    );
    if (after === undefined) throw new Error("feed item vanished during its update");
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "acknowledgeFeedItem",
      target: id,
      outcome: "OK",
      before: { status: before.status },
      after: { status: after.status },
    });
    return { ok: true, value: { item: feedRow(after) } };
  });
}

/**
 * Approves (and executes) or rejects a PENDING action. Approving a revoke_buyer_keys action revokes
 * every active key of that buyer with revokeApiKey's SQL and audit, in the same transaction; an
 * action cannot be approved by a key it targets, nor decided twice. Audited.
 */
export async function decideAction(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { id: string | number; decision: "APPROVE" | "REJECT"; reason: string },
): Promise<AdminOutcome<{ action: ActionRow }>> {
  const id = String(input.id);
  const now = clock.now();
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) {
    return refused(["input", "reason"], "INVALID_REASON", "reason must be 1 to 500 characters.");
  }
  if (!isUuid(id)) return notFound("action");
  return database.transaction(async (query): Promise<AdminOutcome<{ action: ActionRow }>> => {
    const [before] = await query<ActionRow>(
      `select ${ACTION_COLUMNS} from action_ledger where id = $1 for update`,
      [id],
    );
    if (before === undefined) return notFound("action");
    if (before.approvalStatus !== "PENDING") {
      return refused(
        ["input", "id"],
        "ALREADY_DECIDED",
        `This action was already ${before.approvalStatus.toLowerCase()}.`,
      );
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
          return refused(
            ["input", "id"],
            "SELF_APPROVAL",
            "An action cannot be approved by a key it targets.",
          );
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
    return { ok: true, value: { action: actionRow(after) } };
  });
}

/**
 * An operator's runMonitors: every enabled monitor, or the named ones (each must exist and be
 * enabled), under the policy's statement timeout, then one audit row with the counts.
 */
export async function runMonitorsForOperator(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { names?: string[] | null } | null | undefined,
): Promise<AdminOutcome<RunMonitorsCounts>> {
  const statementTimeoutMs = await monitorStatementTimeoutMs(database);
  const now = clock.now();
  const names = input?.names ?? null;
  if (names !== null) {
    const known = new Map((await listMonitors(database)).map((monitor) => [monitor.name, monitor]));
    const userErrors: UserError[] = [];
    names.forEach((name, index) => {
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
    if (names.length === 0) {
      userErrors.push({
        field: ["input", "names"],
        code: "EMPTY_LIST",
        message: "Name at least one monitor, or leave names out to run every enabled one.",
      });
    }
    if (userErrors.length > 0) return { ok: false, userErrors };
  }
  const counts = await runMonitors(database, now, {
    statementTimeoutMs,
    ...(names === null ? {} : { only: names }),
  });
  await database.transaction((query) =>
    appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "runMonitors",
      target: names?.join(",") ?? null,
      outcome: "OK",
      after: counts,
    }),
  );
  return { ok: true, value: counts };
}
