import type { Clock } from "../../clock";
import type { DatabaseHandle } from "../../db/client";
import { readBoundedBody } from "../../http/body";
import { restStatusOf } from "../../http/restErrors";
import { type AuthFailureReason, authFailureMessage, type Principal } from "../../policy/principal";
import { type ImportRefusalCode, importProjects } from "./importProjects";
import { MAX_IMPORT_BYTES, type RowError } from "./projectRows";

export const IMPORT_PROJECTS_PATH = "/import-projects";

type RouteErrorCode =
  | ImportRefusalCode
  | "UNAUTHENTICATED"
  | "MALFORMED_JSON"
  | "METHOD_NOT_ALLOWED"
  | "RATE_LIMITED";

export interface ImportRouteOutcome {
  response: Response;
  principal: Principal | null;
  /** OK or the refusal code, for the request log. */
  outcomeCode: string;
}

/**
 * POST /import-projects: the 002 seed's snake_case payload with a TENANT bearer key. The body is
 * counted while it streams in and refused past 5 MB before any parsing.
 */
export async function handleImportRequest(
  request: Request,
  deps: {
    database: DatabaseHandle;
    clock: Clock;
    /** The app's key resolution: refuses an address out of unauthenticated allowance before any lookup. */
    authenticate: () => Promise<
      | { ok: true; principal: Principal }
      | { ok: false; reason: AuthFailureReason }
      | { ok: false; limited: number }
    >;
    /** Takes one of the key's rate-limit tokens: 0 when allowed, otherwise the seconds to wait. */
    takeToken: (principal: Principal) => number;
  },
): Promise<ImportRouteOutcome> {
  if (request.method !== "POST") {
    return failure(null, "METHOD_NOT_ALLOWED", "Use POST with a JSON body.", [], { allow: "POST" });
  }
  const auth = await deps.authenticate();
  if (!auth.ok && "limited" in auth) {
    return failure(
      null,
      "RATE_LIMITED",
      `Too many requests without a valid API key from this address; retry in ${auth.limited} s.`,
      [],
      { "retry-after": String(auth.limited) },
    );
  }
  if (!auth.ok) return failure(null, "UNAUTHENTICATED", authFailureMessage(auth.reason));
  const principal = auth.principal;
  const wait = deps.takeToken(principal);
  if (wait > 0) {
    return failure(principal, "RATE_LIMITED", `Too many requests for this key; retry in ${wait} s.`, [], {
      "retry-after": String(wait),
    });
  }
  if (principal.role !== "tenant") {
    return failure(principal, "FORBIDDEN", "Only a TENANT key may import projects.");
  }
  const body = await readBoundedBody(request, MAX_IMPORT_BYTES);
  if (body === null) {
    return failure(
      principal,
      "IMPORT_TOO_LARGE",
      `The body is larger than ${MAX_IMPORT_BYTES} bytes (5 MB); split the batch.`,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return failure(principal, "MALFORMED_JSON", "The body is not valid JSON.");
  }
  if (payload === null || typeof payload !== "object" || Array.isArray(payload)) {
    return failure(
      principal,
      "MALFORMED_JSON",
      "The body must be a JSON object with tenant_id, source, batch_id and rows.",
    );
  }
  const fields = payload as Record<string, unknown>;
  if (!Array.isArray(fields.rows)) {
    return failure(principal, "MALFORMED_JSON", "rows must be a JSON array of row objects.");
  }
  if (fields.tenant_id !== undefined && typeof fields.tenant_id !== "string") {
    return failure(principal, "IMPORT_INVALID", "tenant_id must be a string.");
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
  if (!result.ok) return failure(principal, result.code, result.message, result.rowErrors);
  return {
    principal,
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

function failure(
  principal: Principal | null,
  code: RouteErrorCode,
  message: string,
  rowErrors: RowError[] = [],
  headers: Record<string, string> = {},
): ImportRouteOutcome {
  return {
    principal,
    outcomeCode: code,
    response: Response.json(
      {
        error: { code, message },
        ...(rowErrors.length > 0 ? { row_errors: rowErrors.map(snakeRowError) } : {}),
      },
      { status: restStatusOf(code) ?? 500, headers },
    ),
  };
}
