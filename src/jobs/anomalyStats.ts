import type { QueryFn } from "../db/client";
import { apiError } from "../errors";

export type AnomalySeverity = "error" | "warning" | "info";

/** A quarter of a year: longer than anomalies are kept (90 days), so every stored row is reachable. */
export const MAX_WINDOW_HOURS = 24 * 92;

/** The window rule of the anomalies and anomalyStats fields and of the alert job's counts. */
export function assertWindowHours(windowHours: number): void {
  if (!Number.isInteger(windowHours) || windowHours < 1 || windowHours > MAX_WINDOW_HOURS) {
    throw apiError(
      "BAD_USER_INPUT",
      `windowHours must be an integer between 1 and ${MAX_WINDOW_HOURS} (anomalies are kept 90 days).`,
      { field: "windowHours" },
    );
  }
}

export interface AnomalyStatsGroup {
  tenantId: string;
  anomalyType: string;
  severity: AnomalySeverity;
  count: number;
}

export interface AnomalyStats {
  windowHours: number;
  since: Date;
  total: number;
  errors: number;
  warnings: number;
  infos: number;
  /** Per (tenant, type, severity), largest first. */
  groups: AnomalyStatsGroup[];
}

/** Counts of the anomalies created in the last `windowHours` (up to now), per tenant, type and severity. */
export async function readAnomalyStats(
  query: QueryFn,
  windowHours: number,
  now: Date,
): Promise<AnomalyStats> {
  assertWindowHours(windowHours);
  const since = new Date(now.getTime() - windowHours * 3_600_000);
  const rows = await query<{ tenant_id: string; anomaly_type: string; severity: AnomalySeverity; n: number }>(
    `select tenant_id, anomaly_type, severity::text as severity, count(*)::int as n
       from import_anomalies
      where created_at >= $1 and created_at <= $2
      group by tenant_id, anomaly_type, severity
      order by n desc, tenant_id, anomaly_type, severity`,
    [since, now],
  );
  const groups = rows.map((row) => ({
    tenantId: row.tenant_id,
    anomalyType: row.anomaly_type,
    severity: row.severity,
    count: row.n,
  }));
  const sum = (severity?: AnomalySeverity) =>
    groups.filter((g) => severity === undefined || g.severity === severity).reduce((n, g) => n + g.count, 0);
  return {
    windowHours,
    since,
    total: sum(),
    errors: sum("error"),
    warnings: sum("warning"),
    infos: sum("info"),
    groups,
  };
}

/** The groups summed over tenants: per (type, severity), largest first. */
export function byTypeAndSeverity(
  groups: AnomalyStatsGroup[],
): Array<{ anomalyType: string; severity: AnomalySeverity; count: number }> {
  const totals = new Map<string, { anomalyType: string; severity: AnomalySeverity; count: number }>();
  for (const group of groups) {
    const key = `${group.anomalyType}|${group.severity}`;
    const entry = totals.get(key) ?? { anomalyType: group.anomalyType, severity: group.severity, count: 0 };
    entry.count += group.count;
    totals.set(key, entry);
  }
  return [...totals.values()].sort(
    (a, b) =>
      b.count - a.count || a.anomalyType.localeCompare(b.anomalyType) || a.severity.localeCompare(b.severity),
  );
}
