import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { DatabaseHandle } from "../../db/client";
import { columnsOf } from "../../db/rows";
import {
  type ActionStatus,
  type ApprovalStatus,
  actionLedger,
  type FeedStatus,
  monitorEvents,
  opsFeed,
} from "../../db/schema/ops";
import { isUuid } from "../../db/uuid";
import { type AdminOutcome, refused, type UserError } from "../../errors";
import {
  listMonitors,
  type MonitorRow,
  monitorStatementTimeoutMs,
  REVOKE_BUYER_KEYS,
  type RunMonitorsCounts,
  runMonitors,
} from "../../jobs/monitors";
import { revokeKeyInTransaction } from "../admin/apiKeys";

export type FeedItemRow = typeof opsFeed.$inferSelect;
export type ActionRow = typeof actionLedger.$inferSelect;
/** One run of a monitor's check; of its details, the targets that reached the threshold. */
export type MonitorEventRow = Omit<typeof monitorEvents.$inferSelect, "details"> & { firedTargets: string[] };

/** A monitor with its newest run, as ops.monitors and upsertMonitor show it. */
export interface MonitorView extends MonitorRow {
  lastEvent: MonitorEventRow | null;
}

const EVENT = columnsOf(monitorEvents);
const FEED = columnsOf(opsFeed);
const ACTION = columnsOf(actionLedger);

/** Each monitor's newest event. */
export async function lastMonitorEvents(database: DatabaseHandle): Promise<Map<string, MonitorEventRow>> {
  const rows = await database.query(
    `select distinct on (monitor_id) ${EVENT.list} from monitor_events order by monitor_id, occurred_at desc, id`,
  );
  return new Map(
    rows
      .map(EVENT.read)
      .map(({ details, ...event }) => [
        event.monitorId,
        { ...event, firedTargets: (details as { firedTargets?: string[] } | null)?.firedTargets ?? [] },
      ]),
  );
}

/** A page of the feed, newest first; the cursor is "<created_at ISO>|<id>". */
export async function listFeed(
  database: DatabaseHandle,
  options: { status: FeedStatus | null; first: number; after: { at: Date; id: string } | null },
): Promise<{ items: FeedItemRow[]; hasNextPage: boolean; totalCount: number }> {
  const rows = await database.query(
    `select ${FEED.list} from ops_feed
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
    items: rows.slice(0, options.first).map(FEED.read),
    hasNextPage: rows.length > options.first,
    totalCount: count?.n ?? 0,
  };
}

export async function listActions(
  database: DatabaseHandle,
  approvalStatus: ApprovalStatus | null,
  limit: number,
): Promise<ActionRow[]> {
  const rows = await database.query(
    `select ${ACTION.list} from action_ledger where ($1::text is null or approval_status = $1)
     order by created_at desc, id desc limit $2`,
    [approvalStatus, limit],
  );
  return rows.map(ACTION.read);
}

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
    const [locked] = await query(`select ${FEED.list} from ops_feed where id = $1 for update`, [id]);
    const before = locked === undefined ? undefined : FEED.read(locked);
    if (before === undefined) return notFound("feed item");
    if (before.status === "archived" && input.status !== "archived") {
      return refused(
        ["input", "status"],
        "ARCHIVED",
        "An archived item stays archived; a persisting signal opens a new item.",
      );
    }
    const [updated] = await query(
      `update ops_feed set status = $2, acknowledged_at = $3, acknowledged_by = $4 where id = $1
       returning ${FEED.list}`,
      [id, input.status, now, actor.actor],
    );
    if (updated === undefined) throw new Error("feed item vanished during its update");
    const after = FEED.read(updated);
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
    return { ok: true, value: { item: after } };
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
    const [locked] = await query(`select ${ACTION.list} from action_ledger where id = $1 for update`, [id]);
    const before = locked === undefined ? undefined : ACTION.read(locked);
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
    const [updated] = await query(
      `update action_ledger set approval_status = $2, status = $3, result = $4, decided_by = $5, decided_at = $6,
         decision_reason = $7 where id = $1 returning ${ACTION.list}`,
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
    if (updated === undefined) throw new Error("action vanished during its update");
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
    return { ok: true, value: { action: ACTION.read(updated) } };
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
