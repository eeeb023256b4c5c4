import type { DatabaseHandle } from "../../src/db/client";

// Logs that every request or refusal appends to by design; everything else must stay as it was.
const LOG_TABLES = new Set(["audit_logs", "request_logs"]);

/**
 * A digest of every application table (row count and an md5 over its rows), so a test can show
 * that a refused call changed nothing at all; the audit and request logs are left out.
 */
export async function stateDigest(db: DatabaseHandle): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    "select tablename as name from pg_tables where schemaname = 'public' order by tablename",
  );
  const digest: Record<string, string> = {};
  for (const { name } of tables) {
    if (LOG_TABLES.has(name)) continue;
    const [row] = await db.query<{ n: number; md5: string }>(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as md5 from "${name}" t`,
    );
    digest[name] = `${row?.n}:${row?.md5}`;
  }
  return digest;
}

/** The id of the newest audit row (0 when there is none). */
export async function lastAuditId(db: DatabaseHandle): Promise<number> {
  const [row] = await db.query<{ id: string | null }>("select max(id)::text as id from audit_logs");
  return Number(row?.id ?? 0);
}
