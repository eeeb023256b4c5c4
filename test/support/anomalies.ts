import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "../../src/db/client";

export interface TestAnomaly {
  tenantId?: string;
  anomalyType?: string;
  severity?: "error" | "warning" | "info";
  createdAt: Date;
  rowIndex?: number;
  projectKey?: string;
  payloadExcerpt?: string;
}

/** Inserts anomalies as the merge would (one shared batch); returns their ids in input order. */
export async function insertAnomalies(db: DatabaseHandle, anomalies: TestAnomaly[]): Promise<string[]> {
  const batchId = randomUUID();
  const correlationId = randomUUID();
  const ids: string[] = [];
  for (const [index, anomaly] of anomalies.entries()) {
    const [row] = await db.query<{ id: string }>(
      `insert into import_anomalies
         (tenant_id, batch_id, row_index, project_key, anomaly_type, severity, correlation_id, payload_excerpt, created_at)
       values ($1, $2, $3, $4, $5, $6::severity, $7, $8, $9) returning id`,
      [
        anomaly.tenantId ?? "TELCO",
        batchId,
        anomaly.rowIndex ?? index,
        anomaly.projectKey ?? `STG-${String(index).padStart(12, "0")}`,
        anomaly.anomalyType ?? "UNKNOWN_DS",
        anomaly.severity ?? "error",
        correlationId,
        anomaly.payloadExcerpt ??
          `{"stage_application":"STG-${index}","deployment_specialist":"secret-name-${index}"}`,
        anomaly.createdAt,
      ],
    );
    if (row === undefined) throw new Error("anomaly insert returned no row");
    ids.push(row.id);
  }
  return ids;
}

export const hoursBefore = (now: Date, hours: number) => new Date(now.getTime() - hours * 3_600_000);
