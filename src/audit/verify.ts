import type { DatabaseHandle } from "../db/client";
import { AUDIT_LOG, auditEntryOfRow, auditHash } from "./chain";

export interface AuditChainReport {
  valid: boolean;
  checkedEntries: number;
  /** The first entry whose hash or link does not match, if any. */
  firstBrokenId: string | null;
}

/** Recomputes every audit hash in order; a changed, inserted or deleted row breaks the chain there. */
export async function verifyAuditChain(database: DatabaseHandle): Promise<AuditChainReport> {
  const rows = (await database.query(`select ${AUDIT_LOG.list} from audit_logs order by id`)).map(
    AUDIT_LOG.read,
  );
  let previous: string | null = null;
  for (const row of rows) {
    const expected = auditHash(previous, auditEntryOfRow(row));
    if (row.prevHash !== previous || row.hash !== expected) {
      return { valid: false, checkedEntries: rows.length, firstBrokenId: String(row.id) };
    }
    previous = row.hash;
  }
  return { valid: true, checkedEntries: rows.length, firstBrokenId: null };
}
