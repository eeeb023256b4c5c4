import type { KeysetPage, KeysetPosition, KeysetRows } from "../db/keysetPage";
import { isUuid } from "../db/uuid";
import { apiError } from "../errors";

// The one rule of the hand-built connections (anomalies, alertDeliveries, ops.auditLog, ops.feed,
// ops.contractViolations; the buyer's insights cursor is its own, see docs/privacy.md):
// - newest first, keyset-paginated on the row's timestamp, then its id;
// - `first` is 0..MAX_PAGE_SIZE; any other value is refused (BAD_USER_INPUT, with the limit), never clamped;
// - a cursor is opaque: base64url of "<ISO timestamp>|<id>", the sort key of its row, so a page
//   resumes after that key even when the row itself is gone; any other `after` is refused with
//   "after is not a cursor returned by <field>.".

/** What every hand-built connection's `first` defaults to. */
export const DEFAULT_PAGE_SIZE = 50;
/** The largest `first` a hand-built connection serves. */
export const MAX_PAGE_SIZE = 500;

/** The ids of rows keyed by a bigint sequence (the audit log). */
export const isSequenceId = (id: string): boolean => /^\d{1,18}$/.test(id);

// Far longer than any cursor this file writes; bounds the work spent on a forged one.
const MAX_CURSOR_LENGTH = 128;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at.toISOString()}|${position.id}`).toString("base64url");
}

/** The position a cursor of encodeCursor holds; null for any other string. */
export function decodeCursor(cursor: string, isId: (id: string) => boolean): KeysetPosition | null {
  if (cursor.length > MAX_CURSOR_LENGTH) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const separator = text.indexOf("|");
  if (separator < 0) return null;
  const at = new Date(text.slice(0, separator));
  const id = text.slice(separator + 1);
  if (Number.isNaN(at.getTime()) || !isId(id)) return null;
  const position = { at, id };
  // Only the exact bytes encodeCursor writes: no other spelling of the same instant or padding.
  return encodeCursor(position) === cursor ? position : null;
}

export interface ConnectionArguments {
  first?: number | null;
  after?: string | null;
}

/** A connection field's `first` and `after`, checked and decoded for its list function. */
export function pageRequest(
  field: string,
  args: ConnectionArguments,
  isId: (id: string) => boolean = isUuid,
): KeysetPage {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw apiError("BAD_USER_INPUT", `first must be between 0 and ${MAX_PAGE_SIZE}.`, {
      field: "first",
      limit: MAX_PAGE_SIZE,
    });
  }
  if (args.after === null || args.after === undefined) return { first, after: null };
  const after = decodeCursor(args.after, isId);
  if (after === null) {
    throw apiError("BAD_USER_INPUT", `after is not a cursor returned by ${field}.`, { field: "after" });
  }
  return { first, after };
}

/** The connection object of one page: its edges with their cursors, pageInfo and totalCount. */
export function connectionOf<Node>(
  request: KeysetPage,
  page: KeysetRows<Node>,
  positionOf: (node: Node) => KeysetPosition,
) {
  const edges = page.rows.map((node) => ({ cursor: encodeCursor(positionOf(node)), node }));
  return {
    edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: request.after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
