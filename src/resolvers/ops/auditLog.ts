import type { DatabaseHandle } from "../../db/client";
import type { KeysetPage, KeysetRows } from "../../db/keysetPage";
import { columnsOf } from "../../db/rows";
import { auditLogs } from "../../db/schema/logs";

/** One audit entry as ops.auditLog shows it: who did what to what, without before/after or hashes. */
const AUDIT_ENTRY = columnsOf(auditLogs, {
  omit: ["type", "actorKeyId", "before", "after", "details", "prevHash", "hash"],
});

export type AuditLogEntry = ReturnType<typeof AUDIT_ENTRY.read>;

/**
 * A page of the audit log, newest first, plus the count of all entries. The log's order is its ids
 * (the order of the hash chain), so the page resumes after the position's id alone; an entry's `at`
 * comes from the clock of whoever wrote it and need not rise with the id.
 */
export async function listAuditLog(
  database: DatabaseHandle,
  page: KeysetPage,
): Promise<KeysetRows<AuditLogEntry>> {
  const rows = await database.query(
    `select ${AUDIT_ENTRY.list} from audit_logs
     where ($1::bigint is null or audit_logs.id < $1::bigint) order by audit_logs.id desc limit $2`,
    [page.after?.id ?? null, page.first + 1],
  );
  const [count] = await database.query<{ n: number }>("select count(*)::int as n from audit_logs");
  return {
    rows: rows.slice(0, page.first).map(AUDIT_ENTRY.read),
    totalCount: count?.n ?? 0,
    hasNextPage: rows.length > page.first,
  };
}
