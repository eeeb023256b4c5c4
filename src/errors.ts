import { GraphQLError } from "graphql";

/** The stable `extensions.code` values of CONTRACT.md. */
export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "REPORTING_DELAY_NOT_MET"
  | "RANGE_TOO_LARGE"
  | "TOO_MANY_GEO_BUCKETS"
  | "FILTER_NOT_ALLOWED"
  | "LEVEL_NOT_AVAILABLE"
  | "FIELD_NOT_ALLOWED"
  | "QUERY_BUDGET_EXCEEDED"
  | "PRIVACY_BUDGET_EXCEEDED"
  | "RATE_LIMITED"
  | "QUERY_REJECTED"
  | "IMPORT_TOO_LARGE"
  | "IMPORT_INVALID"
  | "IMPORT_IN_PROGRESS"
  | "EXPORT_TOO_LARGE"
  | "TOO_MANY_SPOTS"
  | "INTERNAL_ERROR";

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
  RATE_LIMITED: 429,
};

/** A client-facing error: stable code, a message that says what to do, and the broken limit if any. */
export function apiError(
  code: ErrorCode,
  message: string,
  details: Record<string, unknown> = {},
): GraphQLError {
  const status = HTTP_STATUS[code];
  const http = {
    ...(status === undefined ? {} : { status }),
    ...(details.http as Record<string, unknown> | undefined),
  };
  return new GraphQLError(message, {
    extensions: { code, ...details, ...(Object.keys(http).length > 0 ? { http } : {}) },
  });
}

/**
 * A refusal of an admin mutation's input, returned in its payload's `userErrors` (HOUSE_STYLE 5):
 * the input path, a stable UPPER_SNAKE code, and a message that says what to do.
 */
export interface UserError {
  field: string[];
  code: string;
  message: string;
}

/**
 * What an admin domain function returns: the payload's own fields, or the refusal of its input. A
 * refusal changed nothing; the schema turns either into the mutation's payload.
 */
export type AdminOutcome<Value> = { ok: true; value: Value } | { ok: false; userErrors: UserError[] };

/** A refusal of one input field. */
export function refused(
  field: string[],
  code: string,
  message: string,
): { ok: false; userErrors: UserError[] } {
  return { ok: false, userErrors: [{ field, code, message }] };
}
