/** Policy refusals of a well-formed request: HTTP 422 on the REST routes. */
const POLICY_REFUSALS = [
  "REPORTING_DELAY_NOT_MET",
  "RANGE_TOO_LARGE",
  "TOO_MANY_GEO_BUCKETS",
  "FILTER_NOT_ALLOWED",
  "LEVEL_NOT_AVAILABLE",
  "FIELD_NOT_ALLOWED",
  "QUERY_BUDGET_EXCEEDED",
  "PRIVACY_BUDGET_EXCEEDED",
  "EXPORT_TOO_LARGE",
  "IMPORT_INVALID",
] as const;

/**
 * The one HTTP status table of the REST routes (POST /import-projects, /v1/datasets/...): each
 * error code they answer with `{ "error": { "code", "message" } }` and its status.
 */
export const REST_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  BAD_USER_INPUT: 400,
  QUERY_REJECTED: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  METHOD_NOT_ALLOWED: 405,
  IMPORT_IN_PROGRESS: 409,
  IMPORT_TOO_LARGE: 413,
  PAYLOAD_TOO_LARGE: 413,
  ...Object.fromEntries(POLICY_REFUSALS.map((code) => [code, 422])),
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
};

/** The REST status of an error code, or undefined for a code no REST route maps. */
export function restStatusOf(code: string): number | undefined {
  return Object.hasOwn(REST_STATUS_BY_CODE, code) ? REST_STATUS_BY_CODE[code] : undefined;
}

/**
 * A REST error response: `{ "error": { code, message, ...details } }` (plus `extra` beside `error`,
 * e.g. row_errors) with the code's status from the table, never cached.
 */
export function restErrorResponse(
  code: string,
  message: string,
  options: {
    details?: Record<string, unknown>;
    extra?: Record<string, unknown>;
    headers?: Record<string, string>;
  } = {},
): Response {
  return Response.json(
    { error: { code, message, ...options.details }, ...options.extra },
    { status: restStatusOf(code) ?? 500, headers: { "cache-control": "no-store", ...options.headers } },
  );
}
