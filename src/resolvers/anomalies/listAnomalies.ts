import type { DatabaseHandle } from "../../db/client";
import { isUuid } from "../../db/uuid";
import { apiError } from "../../errors";
import { type AnomalySeverity, assertWindowHours } from "../../jobs/anomalyStats";

export interface AnomalyRow {
  id: string;
  anomalyType: string;
  severity: AnomalySeverity;
  tenantId: string;
  batchId: string;
  rowIndex: number;
  projectKey: string | null;
  correlationId: string;
  payloadExcerpt: string;
  createdAt: Date;
}

export interface AnomalyFilter {
  windowHours: number;
  tenant?: string | null;
  severities?: readonly AnomalySeverity[] | null;
}

export const MAX_ANOMALY_PAGE_SIZE = 500;

export function encodeAnomalyCursor(row: AnomalyRow): string {
  return Buffer.from(row.id).toString("base64url");
}

function decodeAnomalyCursor(cursor: string): string {
  const id = cursor.length <= 64 ? Buffer.from(cursor, "base64url").toString("utf8") : "";
  if (!isUuid(id)) {
    throw apiError("BAD_USER_INPUT", "after is not a cursor returned by anomalies.", { field: "after" });
  }
  return id;
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
 * on the last row's id; plus the total across pages.
 */
export async function listAnomalies(
  database: DatabaseHandle,
  filter: AnomalyFilter,
  page: { first: number; after?: string | null },
  now: Date,
): Promise<{ rows: AnomalyRow[]; totalCount: number; hasNextPage: boolean }> {
  if (!Number.isInteger(page.first) || page.first < 0 || page.first > MAX_ANOMALY_PAGE_SIZE) {
    throw apiError("BAD_USER_INPUT", `first must be between 0 and ${MAX_ANOMALY_PAGE_SIZE}.`, {
      field: "first",
    });
  }
  const { where, params } = filterSql(filter, now);
  const [total] = await database.query<{ n: number }>(
    `select count(*)::int as n from import_anomalies a where ${where.join(" and ")}`,
    params,
  );
  const pageWhere = [...where];
  const pageParams = [...params];
  if (page.after) {
    pageParams.push(decodeAnomalyCursor(page.after));
    const n = pageParams.length;
    // A cursor whose row is gone (deleted by retention) matches nothing, so the page is empty.
    pageWhere.push(
      `(a.created_at, a.id) < (select c.created_at, c.id from import_anomalies c where c.id = $${n}::uuid)`,
    );
  }
  pageParams.push(page.first + 1);
  const rows = await database.query<{
    id: string;
    anomaly_type: string;
    severity: AnomalySeverity;
    tenant_id: string;
    batch_id: string;
    row_index: number;
    project_key: string | null;
    correlation_id: string;
    payload_excerpt: string;
    created_at: Date | string;
  }>(
    `select a.id, a.anomaly_type, a.severity::text as severity, a.tenant_id, a.batch_id, a.row_index,
            a.project_key, a.correlation_id, a.payload_excerpt, a.created_at
       from import_anomalies a
      where ${pageWhere.join(" and ")}
      order by a.created_at desc, a.id desc
      limit $${pageParams.length}`,
    pageParams,
  );
  return {
    rows: rows.slice(0, page.first).map((row) => ({
      id: row.id,
      anomalyType: row.anomaly_type,
      severity: row.severity,
      tenantId: row.tenant_id,
      batchId: row.batch_id,
      rowIndex: row.row_index,
      projectKey: row.project_key,
      correlationId: row.correlation_id,
      // Stored bounded by the merge; bounded again here so no read can show more than its own row's 500 characters.
      payloadExcerpt: row.payload_excerpt.slice(0, 500),
      createdAt: new Date(row.created_at),
    })),
    totalCount: total?.n ?? 0,
    hasNextPage: rows.length > page.first,
  };
}
