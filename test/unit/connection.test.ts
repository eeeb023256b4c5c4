import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { isUuid } from "../../src/db/uuid";
import {
  connectionOf,
  decodeCursor,
  encodeCursor,
  isSequenceId,
  MAX_PAGE_SIZE,
  pageRequest,
} from "../../src/schema/connection";

const position = { at: new Date("2026-03-10T08:15:30.123Z"), id: "0b6f3c1e-5d7a-4c2b-9e8f-1a2b3c4d5e6f" };

function refusal(work: () => unknown): { message: string; extensions: Record<string, unknown> } {
  try {
    work();
  } catch (error) {
    if (error instanceof GraphQLError) return { message: error.message, extensions: error.extensions };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("the connection helper of the hand-built connections", () => {
  it("round-trips a cursor: opaque base64url of the row's timestamp and id", () => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, "base64url").toString("utf8")).toBe(
      "2026-03-10T08:15:30.123Z|0b6f3c1e-5d7a-4c2b-9e8f-1a2b3c4d5e6f",
    );
    expect(decodeCursor(cursor, isUuid)).toEqual(position);
    const auditPosition = { at: new Date("2026-01-20T12:00:00Z"), id: "42" };
    expect(decodeCursor(encodeCursor(auditPosition), isSequenceId)).toEqual(auditPosition);
    expect(pageRequest("feed", { first: 2, after: cursor })).toEqual({ first: 2, after: position });
  });

  it("decodes nothing but its own cursors", () => {
    const encode = (text: string) => Buffer.from(text).toString("base64url");
    for (const forged of [
      "nope",
      "",
      encode("0b6f3c1e-5d7a-4c2b-9e8f-1a2b3c4d5e6f"),
      encode("not a date|0b6f3c1e-5d7a-4c2b-9e8f-1a2b3c4d5e6f"),
      encode("2026-03-10T08:15:30Z|0b6f3c1e-5d7a-4c2b-9e8f-1a2b3c4d5e6f"),
      encode("2026-03-10T08:15:30.123Z|42"),
      `${encodeCursor(position)}=`,
      encodeCursor(position).repeat(3),
    ]) {
      expect(decodeCursor(forged, isUuid), forged).toBeNull();
    }
    expect(decodeCursor(encodeCursor(position), isSequenceId)).toBeNull();
  });

  it(`refuses a first outside 0..${MAX_PAGE_SIZE} with the limit, and a foreign after with the field's name`, () => {
    for (const first of [-1, MAX_PAGE_SIZE + 1]) {
      expect(refusal(() => pageRequest("alertDeliveries", { first }))).toEqual({
        message: `first must be between 0 and ${MAX_PAGE_SIZE}.`,
        extensions: { code: "BAD_USER_INPUT", field: "first", limit: MAX_PAGE_SIZE },
      });
    }
    expect(pageRequest("alertDeliveries", { first: 0 })).toEqual({ first: 0, after: null });
    expect(pageRequest("alertDeliveries", { first: MAX_PAGE_SIZE })).toEqual({
      first: MAX_PAGE_SIZE,
      after: null,
    });
    expect(pageRequest("alertDeliveries", { first: null })).toEqual({ first: 50, after: null });
    expect(refusal(() => pageRequest("auditLog", { first: 5, after: "17" }, isSequenceId))).toEqual({
      message: "after is not a cursor returned by auditLog.",
      extensions: { code: "BAD_USER_INPUT", field: "after" },
    });
  });

  it("builds the page's edges, cursors and pageInfo", () => {
    const rows = [
      { id: "b", createdAt: new Date("2026-03-10T09:00:00Z") },
      { id: "a", createdAt: new Date("2026-03-10T08:00:00Z") },
    ];
    const first = connectionOf(
      { first: 2, after: null },
      { rows, hasNextPage: true, totalCount: 5 },
      (row) => ({
        at: row.createdAt,
        id: row.id,
      }),
    );
    expect(first.edges.map((edge) => edge.node)).toEqual(rows);
    expect(first.totalCount).toBe(5);
    expect(first.pageInfo).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: encodeCursor({ at: new Date("2026-03-10T09:00:00Z"), id: "b" }),
      endCursor: encodeCursor({ at: new Date("2026-03-10T08:00:00Z"), id: "a" }),
    });
    const empty = connectionOf(
      { first: 2, after: position },
      { rows: [], hasNextPage: false, totalCount: 5 },
      () => position,
    );
    expect(empty.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: null,
      endCursor: null,
    });
  });
});
