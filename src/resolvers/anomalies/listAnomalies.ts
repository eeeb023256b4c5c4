import type { DatabaseHandle } from "../../db/client";
import type { KeysetPage, KeysetRows } from "../../db/keysetPage";
import { columnsOf } from "../../db/rows";
import { importAnomalies } from "../../db/schema/imports";
import { type AnomalySeverity, assertWindowHours } from "../../jobs/anomalyStats";

/** An anomaly as the lists show it (not its staging row). */
const ANOMALY = columnsOf(importAnomalies, { omit: ["stagingId"], from: "a" });

export type AnomalyRow = ReturnType<typeof ANOMALY.read>;

export interface AnomalyFilter {
  windowHours: number;
  tenant?: string | null;
  severities?: readonly AnomalySeverity[] | null;
}

/** The window's filter as SQL, shared by the page and its total. */
function filterSql(filter: AnomalyFilter, now: Date): { where: string[]; params: unknown[] } {
  assertWindowHours(filter.windowHours);
  const params: unknown[] = [new Date(now.getTime() - filter.windowHours * 3_600_000)];
  const where = ["a.created_at >= $1"];
  if (filter.tenant !== null && filter.tenant !== undefined) {
    params.push(filter.tenant);
    where.push(`a.tenant_id = $${params.length}`);
  }
  if (filter.severities !== null && filter.severities !== undefined && filter.severities.length > 0) {
    // Enum columns compare as text: PGlite cannot bind enum arrays.
    params.push([...new Set(filter.severities)]);
    where.push(`a.severity::text = any($${params.length}::text[])`);
  }
  return { where, params };
}

/**
 * A page of anomalies in the window, newest first (created_at, then id, descending), keyset-paginated
 * after the previous page's last (created_at, id); plus the total across pages.
 */
export async function listAnomalies(
  database: DatabaseHandle,
  filter: AnomalyFilter,
  page: KeysetPage,
  now: Date,
): Promise<KeysetRows<AnomalyRow>> {
  const { where, params } = filterSql(filter, now);
  const [total] = await database.query<{ n: number }>(
    `select count(*)::int as n from import_anomalies a where ${where.join(" and ")}`,
    params,
  );
  const pageWhere = [...where];
  const pageParams = [...params];
  if (page.after !== null) {
    pageParams.push(page.after.at, page.after.id);
    const n = pageParams.length;
    pageWhere.push(`(a.created_at, a.id) < ($${n - 1}::timestamptz, $${n}::uuid)`);
  }
  pageParams.push(page.first + 1);
  const rows = await database.query(
    `select ${ANOMALY.list}
       from import_anomalies a
      where ${pageWhere.join(" and ")}
      order by a.created_at desc, a.id desc
      limit $${pageParams.length}`,
    pageParams,
  );
  return {
    rows: rows.slice(0, page.first).map((raw) => {
      const row = ANOMALY.read(raw);
      // Stored bounded by the merge; bounded again here so no read can show more than its own row's 500 characters.
      return { ...row, payloadExcerpt: row.payloadExcerpt.slice(0, 500) };
    }),
    totalCount: total?.n ?? 0,
    hasNextPage: rows.length > page.first,
  };
}
