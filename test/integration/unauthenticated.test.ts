import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { fixedClock } from "../../src/clock";
import { configFrom } from "../../src/config";
import type { DatabaseHandle } from "../../src/db/client";
import { generateApiKey } from "../../src/policy/apiKeyFormat";
import { KEY_BY_HASH } from "../../src/policy/principal";
import { flushRequestLogs, issueTestKey, trackRequestLogs } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { recordingHandle } from "../support/redteam";

let db: TestDatabase;
const clock = fixedClock("2026-03-01T12:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.destroy();
});

/** An app whose client address is the test's `x-test-address` header (the default reads the socket). */
function appFrom(handle: DatabaseHandle, env: Record<string, string> = {}) {
  const app = trackRequestLogs(
    createApp({
      database: handle,
      config: configFrom({ LOG_LEVEL: "silent", ...env }),
      clock,
      logger: pino({ level: "silent" }),
      clientAddress: (request) => request.headers.get("x-test-address") ?? undefined,
    }),
  );
  const graphql = async (key: string | undefined, address: string) => {
    const response = await app.fetch("http://yoga/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-test-address": address,
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    return { response, text: await response.text() };
  };
  return { app, graphql };
}

async function logRows(requestIds: string[]) {
  await flushRequestLogs();
  return db.query<{ outcome_code: string; outcome_detail: string | null; request_id: string }>(
    "select outcome_code, outcome_detail, request_id from request_logs where request_id = any($1) order by id",
    [requestIds],
  );
}

describe("requests without a valid key", () => {
  it("a forged-key flood from one address is limited before any key lookup and leaves a bounded log", async () => {
    const recording = recordingHandle(db);
    const { graphql } = appFrom(recording.handle, {
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: "5",
      UNAUTHENTICATED_LOG_ROWS_PER_MINUTE: "3",
    });
    const ids: string[] = [];
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const { response } = await graphql(generateApiKey("operator").plaintext, "203.0.113.7");
      ids.push(response.headers.get("x-request-id") ?? "");
      statuses.push(response.status);
      if (response.status === 429) retryAfter ??= response.headers.get("retry-after");
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Five key lookups (one a forged key), none after the limit.
    expect(recording.statements().filter((text) => text === KEY_BY_HASH)).toHaveLength(5);
    const rows = await logRows(ids);
    expect(rows).toHaveLength(3);
    expect(rows.map((row) => row.outcome_detail)).toEqual(["UNKNOWN", "UNKNOWN", "UNKNOWN"]);

    // Another address is not affected.
    const other = await graphql(generateApiKey("operator").plaintext, "198.51.100.9");
    expect(other.response.status).toBe(401);
  });

  it("unknown, revoked and expired keys get byte-identical refusals; the log keeps the reason", async () => {
    const moving = fixedClock(clock.now());
    const revoked = await issueTestKey(db, "internal", { clock: moving });
    await db.query("update api_keys set revoked_at = $1 where id = $2", [clock.now(), revoked.key.id]);
    const expired = await issueTestKey(db, "internal", {
      clock: fixedClock("2026-02-01T00:00:00Z"),
      expiresAt: new Date("2026-02-02T00:00:00Z"),
    });
    const { graphql } = appFrom(db);
    const unknown = await graphql(generateApiKey("internal").plaintext, "192.0.2.1");
    const wasRevoked = await graphql(revoked.apiKey, "192.0.2.1");
    const wasExpired = await graphql(expired.apiKey, "192.0.2.1");
    for (const result of [unknown, wasRevoked, wasExpired]) expect(result.response.status).toBe(401);
    expect(wasRevoked.text).toBe(unknown.text);
    expect(wasExpired.text).toBe(unknown.text);
    expect(JSON.parse(unknown.text).errors[0].extensions).toEqual({
      code: "UNAUTHENTICATED",
      reason: "INVALID",
    });
    const ids = [unknown, wasRevoked, wasExpired].map(
      (result) => result.response.headers.get("x-request-id") ?? "",
    );
    const rows = await logRows(ids);
    expect(rows.map((row) => [row.outcome_code, row.outcome_detail])).toEqual([
      ["UNAUTHENTICATED", "UNKNOWN"],
      ["UNAUTHENTICATED", "REVOKED"],
      ["UNAUTHENTICATED", "EXPIRED"],
    ]);
  });

  it("an address out of allowance is refused on POST /import-projects too, with retry-after", async () => {
    const { app } = appFrom(db, { RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: "1" });
    const send = () =>
      app.fetch("http://yoga/import-projects", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-test-address": "192.0.2.50",
          authorization: `Bearer ${generateApiKey("tenant").plaintext}`,
        },
        body: JSON.stringify({ rows: [] }),
      });
    expect((await send()).status).toBe(401);
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
  });

  it("by default the address is the socket's, never X-Forwarded-For", async () => {
    const app = createApp({
      database: db,
      config: configFrom({ LOG_LEVEL: "silent", RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: "1" }),
      clock,
      logger: pino({ level: "silent" }),
    });
    const send = (forwarded: string, remoteAddress: string) =>
      app.fetch(
        "http://yoga/graphql",
        {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": forwarded },
          body: JSON.stringify({ query: "{ __typename }" }),
        },
        { req: { socket: { remoteAddress } } },
      );
    expect((await send("10.0.0.1", "192.0.2.60")).status).toBe(401);
    // A new forwarded-for does not reset the allowance of the socket's address ...
    expect((await send("10.0.0.2", "192.0.2.60")).status).toBe(429);
    // ... and another socket address has its own.
    expect((await send("10.0.0.2", "192.0.2.61")).status).toBe(401);
  });
});
