import { createHash } from "node:crypto";
import type { QueryFn } from "../db/client";
import { columnsOf } from "../db/rows";
import { auditLogs } from "../db/schema/logs";

export interface AuditEntry {
  at: Date;
  type: string;
  actor: string;
  actorKeyId?: string | null;
  action: string;
  target?: string | null;
  outcome: string;
  before?: unknown;
  after?: unknown;
  details?: unknown;
  requestId?: string | null;
}

// Appends are serialised so each entry can hash its predecessor; any constant works as the key.
const AUDIT_CHAIN_LOCK = 7_301_944_119;

/**
 * Appends an audit entry inside the caller's transaction, chained to the previous entry by
 * SHA-256, so a changed or deleted row breaks the chain from that point on.
 */
export async function appendAuditEntry(query: QueryFn, entry: AuditEntry): Promise<string> {
  await lockAuditChain(query);
  const [previous] = await query<{ hash: string }>("select hash from audit_logs order by id desc limit 1");
  const prevHash = previous?.hash ?? null;
  const hash = auditHash(prevHash, entry);
  await query(
    `insert into audit_logs (at, type, actor_key_id, actor, action, target, outcome, before, after, details, request_id, prev_hash, hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      entry.at,
      entry.type,
      entry.actorKeyId ?? null,
      entry.actor,
      entry.action,
      entry.target ?? null,
      entry.outcome,
      json(entry.before),
      json(entry.after),
      json(entry.details),
      entry.requestId ?? null,
      prevHash,
      hash,
    ],
  );
  return hash;
}

/** Holds the audit chain until the caller's transaction ends: no other entry is appended meanwhile. */
export async function lockAuditChain(query: QueryFn): Promise<void> {
  await query("select pg_advisory_xact_lock($1)", [AUDIT_CHAIN_LOCK]);
}

export function auditHash(prevHash: string | null, entry: AuditEntry): string {
  const canonical = canonicalJson([
    prevHash,
    entry.at.toISOString(),
    entry.type,
    entry.actorKeyId ?? null,
    entry.actor,
    entry.action,
    entry.target ?? null,
    entry.outcome,
    plain(entry.before),
    plain(entry.after),
    plain(entry.details),
    entry.requestId ?? null,
  ]);
  return createHash("sha256").update(canonical).digest("hex");
}

function json(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(plain(value));
}

/** What a value looks like after a JSON round trip (instants as ISO strings): what jsonb gives back. */
function plain(value: unknown): unknown {
  return value === undefined || value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** JSON with object keys sorted at every depth, so a row read back from jsonb hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export type AuditRow = typeof auditLogs.$inferSelect;

/** Every column of audit_logs, to read stored entries back (e.g. to verify the chain). */
export const AUDIT_LOG = columnsOf(auditLogs);

/** The entry a stored row was hashed from, so that its hash can be recomputed. */
export function auditEntryOfRow(row: AuditRow): AuditEntry {
  return {
    at: row.at,
    type: row.type,
    actorKeyId: row.actorKeyId,
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    before: row.before,
    after: row.after,
    details: row.details,
    requestId: row.requestId,
  };
}
