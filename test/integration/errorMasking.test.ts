import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
const clock = fixedClock("2026-03-01T12:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.destroy();
});

/** Runs `body` with NODE_ENV=development, the mode in which Yoga would otherwise show error details. */
async function inDevelopment<T>(body: () => Promise<T>): Promise<T> {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = "development";
  try {
    return await body();
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

describe("errors reaching clients", () => {
  it("with NODE_ENV=development, a resolver's unexpected error reaches the client without its message or stack", async () => {
    const internal = await issueTestKey(db, "internal", { clock });
    const api = testApp(db, clock);
    // The cities resolver now fails inside the database driver: an unexpected, internal error.
    await db.query("alter table city_definitions rename to city_definitions_hidden");
    try {
      const response = await inDevelopment(() =>
        api.graphql("{ cities { code } }", {
          key: internal.apiKey,
          headers: { "x-request-id": "masking-1" },
        }),
      );
      const text = JSON.stringify(response.body);
      expect(text).not.toContain("city_definitions");
      expect(text).not.toContain("originalError");
      expect(text).not.toContain("stack");
      expect(text).not.toMatch(/\.ts:\d+/);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/^Unexpected error\./),
        path: ["cities"],
        extensions: { code: "INTERNAL_ERROR" },
      });
      expect(Object.keys(response.body.errors?.[0]?.extensions ?? {})).toEqual(["code"]);
    } finally {
      await db.query("alter table city_definitions_hidden rename to city_definitions");
    }
  });

  it("with NODE_ENV=development, errors with a stable code come through unchanged", async () => {
    const buyer = await issueTestKey(db, "buyer", { clock, partnerId: "outside_buyer_masking" });
    const api = testApp(db, clock);
    const forbidden = await inDevelopment(() => api.graphql("{ cities { code } }", { key: buyer.apiKey }));
    const badInput = await inDevelopment(() =>
      api.graphql(
        `{ insights(filter: { timeBucketStartUtc: "2026-02-01T05:00:00Z", timeBucketEndUtc: "2026-02-02T00:00:00Z" }) { totalCount } }`,
        { key: buyer.apiKey },
      ),
    );
    const unauthenticated = await inDevelopment(() =>
      api.graphql("{ viewer { role } }", { key: "not-a-key" }),
    );
    expect(forbidden.body.errors).toEqual([
      {
        message: "This key's role may not use Query.cities.",
        extensions: { code: "FORBIDDEN", field: "Query.cities" },
      },
    ]);
    expect(badInput.body.errors).toEqual([
      {
        message:
          "timeBucketStartUtc 2026-02-01T05:00:00.000Z is not aligned to DAY buckets (00:00 UTC, e.g. 2026-01-01T00:00:00Z).",
        extensions: { code: "BAD_USER_INPUT", field: "timeBucketStartUtc" },
      },
    ]);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.errors?.[0]?.extensions).toEqual({
      code: "UNAUTHENTICATED",
      reason: "MALFORMED",
    });
  });
});
