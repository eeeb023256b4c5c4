// serverTime (CONTRACT.md "Transport"): the one field a request may select without a key, answered
// from the server's clock with milliseconds; any other field in the same request still needs a key;
// such requests count against the address's allowance of requests without a valid key.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { fixedClock } from "../../src/clock";
import { configFrom } from "../../src/config";
import { selectsOnlyServerTime } from "../../src/http/front";
import { flushRequestLogs, issueTestKey, trackRequestLogs } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const NOW = "2026-03-04T05:06:07.890Z";
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.destroy();
});

function app(env: Record<string, string> = {}) {
  const yoga = trackRequestLogs(
    createApp({
      database: db,
      config: configFrom({ LOG_LEVEL: "silent", ...env }),
      clock: fixedClock(NOW),
      logger: pino({ level: "silent" }),
      clientAddress: (request) => request.headers.get("x-test-address") ?? undefined,
    }),
  );
  return async (query: string, options: { key?: string; address?: string; operationName?: string } = {}) => {
    const response = await yoga.fetch("http://yoga/graphql", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-test-address": options.address ?? "192.0.2.10",
        ...(options.key === undefined ? {} : { authorization: `Bearer ${options.key}` }),
      },
      body: JSON.stringify({ query, operationName: options.operationName }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: unknown;
        errors?: Array<{ extensions?: Record<string, unknown> }>;
      },
    };
  };
}

async function requestLogRows(): Promise<number> {
  await flushRequestLogs();
  const [row] = await db.query<{ n: number }>("select count(*)::int as n from request_logs");
  return row?.n ?? 0;
}

describe("serverTime", () => {
  it("answers without a key, in UTC with milliseconds, and writes no request log row", async () => {
    const ask = app();
    const before = await requestLogRows();
    const plain = await ask("{ serverTime }");
    expect(plain.body).toEqual({ data: { serverTime: NOW } });
    const aliased = await ask("query Sync { t: serverTime __typename }", { operationName: "Sync" });
    expect(aliased.body).toEqual({ data: { t: NOW, __typename: "Query" } });
    expect(await requestLogRows()).toBe(before);
  });

  it("any other field in the same request still needs a key; with a key it is answered too", async () => {
    const ask = app();
    const mixed = await ask("{ serverTime viewer { role } }");
    expect(mixed.body.data).toBeUndefined();
    expect(mixed.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const mutation = await ask("mutation { __typename }");
    expect(mutation.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const fragment = await ask("{ ...F } fragment F on Query { serverTime viewer { role } }");
    expect(fragment.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // A key that is sent must be valid, even for serverTime.
    const forged = await ask("{ serverTime }", { key: "ib_buyer_notarealkey" });
    expect(forged.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const { apiKey: key } = await issueTestKey(db, "internal");
    const keyed = await ask("{ serverTime viewer { role } }", { key });
    expect(keyed.body).toEqual({ data: { serverTime: NOW, viewer: { role: "INTERNAL" } } });
    const { apiKey: buyer } = await issueTestKey(db, "buyer");
    expect((await ask("{ serverTime }", { key: buyer })).body).toEqual({ data: { serverTime: NOW } });
  });

  it("counts against the address's allowance of requests without a valid key", async () => {
    const ask = app({ RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: "3" });
    for (let i = 0; i < 3; i++) {
      expect((await ask("{ serverTime }", { address: "198.51.100.7" })).body).toEqual({
        data: { serverTime: NOW },
      });
    }
    const limited = await ask("{ serverTime }", { address: "198.51.100.7" });
    expect(limited.status).toBe(429);
    expect(limited.body.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
    // Another address is not affected.
    expect((await ask("{ serverTime }", { address: "198.51.100.8" })).body).toEqual({
      data: { serverTime: NOW },
    });
  });

  it("recognises only a query of serverTime and __typename", () => {
    expect(selectsOnlyServerTime("{ serverTime }")).toBe(true);
    expect(selectsOnlyServerTime("query A { serverTime } query B { viewer { role } }", "A")).toBe(true);
    expect(selectsOnlyServerTime("query A { serverTime } query B { viewer { role } }", "B")).toBe(false);
    expect(selectsOnlyServerTime("query A { serverTime } query B { serverTime }")).toBe(false);
    expect(selectsOnlyServerTime("{ __typename }")).toBe(false);
    expect(selectsOnlyServerTime("{ serverTime @include(if: true) }")).toBe(false);
    expect(selectsOnlyServerTime("{ serverTime")).toBe(false);
    expect(selectsOnlyServerTime(undefined)).toBe(false);
  });
});
