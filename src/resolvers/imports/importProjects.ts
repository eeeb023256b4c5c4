import { randomUUID } from "node:crypto";
import type { Clock } from "../../clock";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { isUuid } from "../../db/uuid";
import type { Principal } from "../../policy/principal";
import { batchChecksum } from "./batchChecksum";
import { storedBatchId } from "./batchId";
import { type ImportMetrics, mergeBatch } from "./mergeBatch";
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, normalizeProjectRows, type RowError } from "./projectRows";

/** One import request, as both the REST route and the mutation hand it over (rows still raw). */
export interface ImportProjectsInput {
  /** REST only: must name the key's own tenant when present. */
  tenantId?: string | null;
  source: unknown;
  batchId: unknown;
  correlationId?: unknown;
  dryRun?: boolean | null;
  rows: unknown;
}

export interface ImportAccepted {
  ok: true;
  batchId: string;
  correlationId: string;
  tenantId: string;
  replayed: boolean;
  dryRun: boolean;
  /** Null on dry runs. */
  metrics: ImportMetrics | null;
  /** Dry runs only: every problem of every row. */
  rowErrors: RowError[];
}

export type ImportRefusalCode = "FORBIDDEN" | "IMPORT_TOO_LARGE" | "IMPORT_INVALID" | "IMPORT_IN_PROGRESS";

export interface ImportRefused {
  ok: false;
  code: ImportRefusalCode;
  message: string;
  rowErrors: RowError[];
}

export type ImportResult = ImportAccepted | ImportRefused;

export interface ImportOptions {
  clock: Clock;
  /** Test seam: runs after the merge, before commit; a throw rolls everything back. */
  beforeCommit?: () => Promise<void>;
}

const MAX_SOURCE_LENGTH = 128;
const MAX_BATCH_ID_LENGTH = 256;

/**
 * Imports a tenant's batch: validates every row, then in ONE transaction stages it and merges it.
 * The (tenant, checksum) pair is the idempotency key: a merged batch answers its memoized metrics
 * again (replayed), a batch another transaction is merging is refused as in progress.
 */
export async function importProjects(
  database: DatabaseHandle,
  principal: Principal,
  input: ImportProjectsInput,
  options: ImportOptions,
): Promise<ImportResult> {
  const tenantId = principal.tenantId;
  if (principal.role !== "tenant" || tenantId === null) {
    return refuse("FORBIDDEN", "Only a TENANT key may import projects.");
  }
  if (input.tenantId !== undefined && input.tenantId !== null && input.tenantId !== tenantId) {
    return refuse(
      "FORBIDDEN",
      `This key imports for tenant ${tenantId} only; tenant_id must be ${tenantId}.`,
    );
  }
  const header = validateHeader(input);
  if (typeof header === "string") return refuse("IMPORT_INVALID", header);
  if (!Array.isArray(input.rows)) return refuse("IMPORT_INVALID", "rows must be an array of 1..5000 rows.");
  const rawRows = input.rows as unknown[];
  if (rawRows.length < 1 || rawRows.length > MAX_IMPORT_ROWS) {
    return refuse(
      "IMPORT_INVALID",
      `A batch holds 1..${MAX_IMPORT_ROWS} rows; this one has ${rawRows.length}. Split larger batches.`,
    );
  }
  const size = Buffer.byteLength(JSON.stringify(rawRows));
  if (size > MAX_IMPORT_BYTES) {
    return refuse(
      "IMPORT_TOO_LARGE",
      `The rows are ${size} bytes; the limit is ${MAX_IMPORT_BYTES}. Split the batch.`,
    );
  }
  const { rows, rowErrors } = normalizeProjectRows(rawRows);
  const { batchId, requestBatchId } = storedBatchId(header.batchId);
  const correlationId = header.correlationId ?? randomUUID();
  if (input.dryRun === true) {
    return {
      ok: true,
      batchId,
      correlationId,
      tenantId,
      replayed: false,
      dryRun: true,
      metrics: null,
      rowErrors,
    };
  }
  if (rowErrors.length > 0) {
    return {
      ok: false,
      code: "IMPORT_INVALID",
      message: `${new Set(rowErrors.map((e) => e.rowIndex)).size} of ${rows.length} rows are invalid; nothing was imported. Fix them (see the row errors) and send the batch again.`,
      rowErrors,
    };
  }
  const checksum = batchChecksum(rows);
  const raw = {
    tenant_id: tenantId,
    source: header.source,
    batch_id: header.batchId,
    correlation_id: correlationId,
    rows: rawRows,
  };
  return database.transaction(async (query) => {
    const [tenant] = await query<{ id: string }>("select id from tenants where id = $1", [tenantId]);
    if (tenant === undefined) return refuse("FORBIDDEN", `Tenant ${tenantId} is not registered for imports.`);
    // Whoever holds this lock owns the batch until commit; a concurrent copy is told to retry.
    const [lock] = await query<{ locked: boolean }>(
      "select pg_try_advisory_xact_lock(hashtextextended($1, 0)) as locked",
      [`import:${tenantId}:${checksum}`],
    );
    if (lock?.locked !== true) return inProgress();
    const replay = await findStaged(query, tenantId, checksum);
    if (replay !== null) return replay;
    const at = options.clock.now();
    const [staged] = await query<{ id: string }>(
      `insert into staging_imports (tenant_id, batch_id, request_batch_id, source, raw, batch_checksum, row_count,
         correlation_id, status, created_at)
       values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, 'merging', $9)
       on conflict (tenant_id, batch_checksum) do nothing
       returning id`,
      [
        tenantId,
        batchId,
        requestBatchId,
        header.source,
        JSON.stringify(raw),
        checksum,
        rows.length,
        correlationId,
        at,
      ],
    );
    if (staged === undefined) return inProgress();
    const metrics = await mergeBatch(
      query,
      { tenantId, stagingId: staged.id, batchId, correlationId, at },
      rows,
    );
    await query(
      "update staging_imports set status = 'merged', metrics = $2::jsonb, merged_at = $3 where id = $1",
      [staged.id, JSON.stringify(metrics), at],
    );
    await options.beforeCommit?.();
    return {
      ok: true,
      batchId,
      correlationId,
      tenantId,
      replayed: false,
      dryRun: false,
      metrics,
      rowErrors: [],
    };
  });
}

type Header = { source: string; batchId: string; correlationId: string | null };

function validateHeader(input: ImportProjectsInput): Header | string {
  const source = typeof input.source === "string" ? input.source.trim() : "";
  if (source === "" || source.length > MAX_SOURCE_LENGTH) {
    return `source is required: a non-blank string of at most ${MAX_SOURCE_LENGTH} characters.`;
  }
  const batchId = typeof input.batchId === "string" ? input.batchId.trim() : "";
  if (batchId === "" || batchId.length > MAX_BATCH_ID_LENGTH) {
    return `batch_id is required: a non-blank string of at most ${MAX_BATCH_ID_LENGTH} characters.`;
  }
  const given = input.correlationId;
  if (given === undefined || given === null || given === "") return { source, batchId, correlationId: null };
  if (typeof given !== "string" || !isUuid(given.trim())) {
    return "correlation_id must be a UUID when given; leave it out to have one generated.";
  }
  return { source, batchId, correlationId: given.trim().toLowerCase() };
}

async function findStaged(query: QueryFn, tenantId: string, checksum: string): Promise<ImportResult | null> {
  const [row] = await query<{ batch_id: string; correlation_id: string; status: string; metrics: unknown }>(
    "select batch_id, correlation_id, status, metrics from staging_imports where tenant_id = $1 and batch_checksum = $2",
    [tenantId, checksum],
  );
  if (row === undefined) return null;
  if (row.status !== "merged" || row.metrics === null) return inProgress();
  const stored = (typeof row.metrics === "string" ? JSON.parse(row.metrics) : row.metrics) as ImportMetrics;
  // jsonb reorders keys; a replay answers in the seed's order, byte-for-byte like the original.
  const metrics: ImportMetrics = {
    inserted_projects: stored.inserted_projects,
    updated_projects: stored.updated_projects,
    org_memberships_upserted: stored.org_memberships_upserted,
    user_memberships_upserted: stored.user_memberships_upserted,
    anomalies_count: stored.anomalies_count,
    staging_id: stored.staging_id,
  };
  return {
    ok: true,
    batchId: row.batch_id,
    correlationId: row.correlation_id,
    tenantId,
    replayed: true,
    dryRun: false,
    metrics,
    rowErrors: [],
  };
}

function inProgress(): ImportRefused {
  return refuse(
    "IMPORT_IN_PROGRESS",
    "The same batch is being merged by another request; retry in a few seconds to get its result.",
  );
}

function refuse(code: ImportRefusalCode, message: string): ImportRefused {
  return { ok: false, code, message, rowErrors: [] };
}
