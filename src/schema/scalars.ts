import { Kind } from "graphql";
import { apiError } from "../errors";
import { quoteShort } from "../insights/insightsFilter";
import { builder } from "./builder";

// RFC 3339 with an explicit offset; a bare date or local time is ambiguous, so it is refused.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

export function parseDateTime(value: unknown): Date {
  if (typeof value !== "string" || !RFC3339.test(value)) {
    throw apiError(
      "BAD_USER_INPUT",
      `DateTime must be an RFC 3339 string such as 2026-01-01T00:00:00Z; got ${JSON.stringify(value)}.`,
    );
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw apiError("BAD_USER_INPUT", `DateTime ${quoteShort(value)} is not a real instant.`);
  }
  return date;
}

/** UTC, second precision unless the instant has milliseconds: 2026-01-01T00:00:00Z. */
const ISO_WITH_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function formatDateTime(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}Z` : iso;
}

builder.scalarType("DateTime", {
  subGraphs: ["internal", "buyer", "business"],
  description: "An instant as an RFC 3339 string; always returned in UTC (e.g. 2026-01-01T00:00:00Z).",
  // A full ISO string with milliseconds (serverTime) passes through as it is.
  serialize: (value) =>
    typeof value === "string" && ISO_WITH_MS.test(value)
      ? value
      : formatDateTime(value instanceof Date ? value : new Date(String(value))),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw apiError("BAD_USER_INPUT", "DateTime must be a string literal.");
    return parseDateTime(ast.value);
  },
});
