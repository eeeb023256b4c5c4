import type { Clock } from "../../clock";
import type { DatabaseHandle } from "../../db/client";
import { readBoundedBody } from "../../http/body";
import { restErrorResponse } from "../../http/restErrors";
import type { Principal } from "../../policy/principal";
import { type ImportRefusalCode, importProjects } from "./importProjects";
import { MAX_IMPORT_BYTES, type RowError } from "./projectRows";

export const IMPORT_PROJECTS_PATH = "/import-projects";
/** What the HTTP front answers other methods with (405, before any key lookup). */
export const IMPORT_PROJECTS_METHODS = { allowed: ["POST"], message: "Use POST with a JSON body." };

type RouteErrorCode = ImportRefusalCode | "MALFORMED_JSON";

export interface ImportRouteOutcome {
  response: Response;
  /** OK or the refusal code, for the request log. */
  outcomeCode: string;
}

/**
 * POST /import-projects: the 002 seed's snake_case payload with a TENANT bearer key, for a request
 * the HTTP front admitted (key, rate limit). The body is counted while it streams in and refused
 * past 5 MB before any parsing.
 */
export async function handleImportRequest(
  request: Request,
  principal: Principal,
  deps: { database: DatabaseHandle; clock: Clock },
): Promise<ImportRouteOutcome> {
  if (principal.role !== "tenant") {
    return failure("FORBIDDEN", "Only a TENANT key may import projects.");
  }
  const body = await readBoundedBody(request, MAX_IMPORT_BYTES);
  if (body === null) {
    return failure(
      "IMPORT_TOO_LARGE",
      `The body is larger than ${MAX_IMPORT_BYTES} bytes (5 MB); split the batch.`,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return failure("MALFORMED_JSON", "The body is not valid JSON.");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return failure(
      "MALFORMED_JSON",
      "The body must be a JSON object with tenant_id, source, batch_id and rows.",
    );
  }
  const fields = payload as Record<string, unknown>;
  if (!Array.isArray(fields.rows)) {
    return failure("MALFORMED_JSON", "rows must be a JSON array of row objects.");
  }
  if (fields.tenant_id !== undefined && typeof fields.tenant_id !== "string") {
    return failure("IMPORT_INVALID", "tenant_id must be a string.");
  }
  const result = await importProjects(
    deps.database,
    principal,
    {
      tenantId: fields.tenant_id as string | undefined,
      source: fields.source,
      batchId: fields.batch_id,
      correlationId: fields.correlation_id,
      dryRun: fields.dry_run === true,
      rows: fields.rows,
    },
    { clock: deps.clock },
  );
  if (!result.ok) return failure(result.code, result.message, result.rowErrors);
  return {
    outcomeCode: "OK",
    response: Response.json({
      batch_id: result.batchId,
      correlation_id: result.correlationId,
      tenant_id: result.tenantId,
      replayed: result.replayed,
      ...(result.dryRun ? { dry_run: true, row_errors: result.rowErrors.map(snakeRowError) } : {}),
      metrics: result.metrics,
    }),
  };
}

function snakeRowError(error: RowError) {
  return { row_index: error.rowIndex, field: error.field, code: error.code, message: error.message };
}

function failure(code: RouteErrorCode, message: string, rowErrors: RowError[] = []): ImportRouteOutcome {
  return {
    outcomeCode: code,
    response: restErrorResponse(code, message, {
      extra: rowErrors.length > 0 ? { row_errors: rowErrors.map(snakeRowError) } : {},
    }),
  };
}
