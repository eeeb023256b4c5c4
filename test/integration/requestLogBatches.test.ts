import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { configFrom } from "../../src/config";
import type { DatabaseHandle, QueryFn, QueryOptions } from "../../src/db/client";
import { RequestLogWriter, type RequestLogWriterOptions } from "../../src/policy/requestLog";
import { issueTestKey } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

// request_logs rows are queued as the response leaves and written in batches (one multi-row INSERT
// each) when the batch is full, an interval after the first queued row, on flush() and on close().

let db: TestDatabase;
let internalKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  internalKey = (await issueTestKey(db, "internal")).apiKey;
}, 120_000);
afterAll(async () => {
  await db?.destroy();
});

const isLogInsert = (text: string) => /^\s*insert into request_logs\b/.test(text);

/** A handle that counts the request_logs inserts and can make the next `failures` of them throw. */
function watchedHandle(inner: DatabaseHandle) {
  const watch = { inserts: 0, failures: 0 };
  const query = (async (text: string, params?: unknown[], options?: QueryOptions) => {
    if (isLogInsert(text)) {
      watch.inserts++;
      if (watch.failures > 0) {
        watch.failures--;
        throw new Error("connection reset (injected)");
      }
    }
    return inner.query(text, params, options);
  }) as QueryFn;
  return { handle: { ...inner, query } as DatabaseHandle, watch };
}

function appOn(handle: DatabaseHandle, requestLog: RequestLogWriterOptions, lines: string[] = []) {
  return createApp({
    database: handle,
    config: configFrom({ LOG_LEVEL: "silent" }),
    logger: pino({ level: "info" }, { write: (line: string) => lines.push(line) }),
    requestLog,
  });
}

async function ask(app: ReturnType<typeof appOn>, clientRequestId: string, query = "{ viewer { role } }") {
  const response = await app.fetch("http://yoga/graphql", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${internalKey}`,
      "x-request-id": clientRequestId,
    },
    body: JSON.stringify({ query }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return response.headers.get("x-request-id") ?? "";
}

async function rowsOf(clientRequestIdPrefix: string) {
  return db.query<{ request_id: string; client_request_id: string; role: string; outcome_code: string }>(
    `select request_id, client_request_id, role::text as role, outcome_code from request_logs
      where client_request_id like $1 order by id`,
    [`${clientRequestIdPrefix}%`],
  );
}

const errorLines = (lines: string[]) =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.level === 50);

describe("request logs in batches", () => {
  it("a response is answered before its row is written; the row appears on flush", async () => {
    const { handle, watch } = watchedHandle(db);
    const app = appOn(handle, { flushIntervalMs: 60_000 });
    const requestId = await ask(app, "before-flush-1");
    expect(await rowsOf("before-flush-")).toEqual([]);
    expect(watch.inserts).toBe(0);
    expect(app.requestLog.queued).toBe(1);

    await app.requestLog.flush();
    expect(await rowsOf("before-flush-")).toEqual([
      { request_id: requestId, client_request_id: "before-flush-1", role: "internal", outcome_code: "OK" },
    ]);
    expect(watch.inserts).toBe(1);
    expect(app.requestLog.counts).toEqual({ written: 1, dropped: 0 });
    await app.requestLog.close();
  });

  it("without a flush, a queued row is written one interval after it was queued", async () => {
    const app = appOn(db, { flushIntervalMs: 150 });
    const requestId = await ask(app, "interval-1");
    expect(await rowsOf("interval-")).toEqual([]);
    const deadline = Date.now() + 5_000;
    let rows = await rowsOf("interval-");
    while (rows.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      rows = await rowsOf("interval-");
    }
    expect(rows.map((row) => row.request_id)).toEqual([requestId]);
    expect(app.requestLog.queued).toBe(0);
    await app.requestLog.close();
  });

  it("30 concurrent requests write 30 rows, with their fingerprints, in a few INSERT statements", async () => {
    const { handle, watch } = watchedHandle(db);
    const app = appOn(handle, { flushIntervalMs: 60_000, batchSize: 8 });
    const ids = await Promise.all(Array.from({ length: 30 }, (_, index) => ask(app, `concurrent-${index}`)));
    // Full batches of 8 go at once, the last 6 wait for the interval or a flush.
    await app.requestLog.flush();
    const rows = await rowsOf("concurrent-");
    expect(rows).toHaveLength(30);
    expect(new Set(rows.map((row) => row.request_id))).toEqual(new Set(ids));
    expect(rows.every((row) => row.outcome_code === "OK" && row.role === "internal")).toBe(true);
    expect(watch.inserts).toBe(4);
    expect(app.requestLog.counts).toEqual({ written: 30, dropped: 0 });
    await app.requestLog.close();
  });

  it("rows keep every column, in the order they were queued (fingerprints, nulls, quotes)", async () => {
    const writer = new RequestLogWriter(db, pino({ level: "silent" }), { flushIntervalMs: 60_000 });
    const at = new Date("2026-02-03T04:05:06.789Z");
    const base = {
      at,
      clientRequestId: null,
      keyPrefix: "ib_buyer_abc",
      role: "buyer",
      partnerId: "outside_buyer_rows",
      operationName: 'Op "quoted" \\ back',
      outcomeCode: "OK",
      epsilonCharged: 0.25,
      latencyMs: 12,
      httpStatus: 200,
      endpoint: "graphql",
      outcomeDetail: null,
    };
    writer.add({ ...base, requestId: "rows-1", fingerprints: ["fp,one", 'fp"two', "fp\\three", "NULL"] });
    writer.add({ ...base, requestId: "rows-2", fingerprints: null, role: null, keyPrefix: null });
    writer.add({ ...base, requestId: "rows-3", fingerprints: [], outcomeDetail: "REVOKED", httpStatus: 401 });
    await writer.close();
    const rows = await db.query(
      `select request_id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, key_prefix, role::text as role, partner_id, operation_name, fingerprints, outcome_code,
              epsilon_charged, latency_ms, http_status, endpoint, outcome_detail, client_request_id
         from request_logs where request_id like 'rows-%' order by id`,
    );
    const row = (overrides: Record<string, unknown>) => ({
      at: at.toISOString(),
      key_prefix: "ib_buyer_abc",
      role: "buyer",
      partner_id: "outside_buyer_rows",
      operation_name: 'Op "quoted" \\ back',
      outcome_code: "OK",
      epsilon_charged: 0.25,
      latency_ms: 12,
      http_status: 200,
      endpoint: "graphql",
      outcome_detail: null,
      client_request_id: null,
      ...overrides,
    });
    expect(rows).toEqual([
      row({ request_id: "rows-1", fingerprints: ["fp,one", 'fp"two', "fp\\three", "NULL"] }),
      row({ request_id: "rows-2", fingerprints: null, role: null, key_prefix: null }),
      row({ request_id: "rows-3", fingerprints: [], outcome_detail: "REVOKED", http_status: 401 }),
    ]);
  });

  it("close() writes what is queued, stops the timer, and writes later rows at once", async () => {
    const { handle, watch } = watchedHandle(db);
    const app = appOn(handle, { flushIntervalMs: 60_000 });
    const first = await ask(app, "close-1");
    const second = await ask(app, "close-2");
    expect(await rowsOf("close-")).toEqual([]);
    await app.requestLog.close();
    expect((await rowsOf("close-")).map((row) => row.request_id)).toEqual([first, second]);
    expect(watch.inserts).toBe(1);
    // A response that finishes during shutdown, after close(): written without waiting for a timer.
    const late = await ask(app, "close-3");
    await app.requestLog.flush();
    expect((await rowsOf("close-")).map((row) => row.request_id)).toEqual([first, second, late]);
  });

  it("close(timeoutMs) gives up on a database that does not answer, counting the rows not written", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const hanging: DatabaseHandle = {
      ...db,
      query: (async (text: string, params?: unknown[]) => {
        if (isLogInsert(text)) await held;
        return db.query(text, params);
      }) as QueryFn,
    };
    const lines: string[] = [];
    const app = appOn(hanging, { flushIntervalMs: 60_000 }, lines);
    const ids = [await ask(app, "hung-1"), await ask(app, "hung-2")];
    const started = Date.now();
    expect(await app.requestLog.close(100)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(errorLines(lines)).toEqual([
      expect.objectContaining({
        msg: "request log rows not written before the shutdown timeout",
        unwritten: 2,
        written: 0,
        dropped: 0,
      }),
    ]);
    // Once the database answers, the batch goes in after all.
    release();
    await app.requestLog.flush();
    expect((await rowsOf("hung-")).map((row) => row.request_id)).toEqual(ids);
    expect(await app.requestLog.close(1_000)).toBe(true);
  });

  it("a full queue makes the next row wait for room instead of dropping one", async () => {
    // Slow inserts: the database is behind, the queue fills up to its cap.
    let queuedAtInsert: number[] = [];
    let writer: RequestLogWriter | undefined;
    const slow: DatabaseHandle = {
      ...db,
      query: (async (text: string, params?: unknown[]) => {
        if (isLogInsert(text)) {
          queuedAtInsert.push(writer?.queued ?? -1);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return db.query(text, params);
      }) as QueryFn,
    };
    writer = new RequestLogWriter(slow, pino({ level: "silent" }), {
      flushIntervalMs: 60_000,
      batchSize: 2,
      maxQueued: 4,
    });
    const row = (index: number) => ({
      at: new Date(),
      requestId: `full-${index}`,
      clientRequestId: null,
      keyPrefix: null,
      role: null,
      partnerId: null,
      operationName: null,
      fingerprints: null,
      outcomeCode: "OK",
      epsilonCharged: 0,
      latencyMs: 1,
      httpStatus: 200,
      endpoint: "graphql",
      outcomeDetail: null,
    });
    // Rows 1-2 go out as a batch at once; rows 3-6 fill the queue; rows 7-10 must wait.
    const added = Array.from({ length: 10 }, (_, index) => writer.add(row(index + 1)));
    expect(added.map((result) => result !== undefined)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    expect(writer.queued).toBe(4);
    await Promise.all(added);
    await writer.flush();
    const rows = await db.query<{ request_id: string }>(
      "select request_id from request_logs where request_id like 'full-%' order by id",
    );
    expect(rows.map((r) => r.request_id)).toEqual(
      Array.from({ length: 10 }, (_, index) => `full-${index + 1}`),
    );
    expect(queuedAtInsert.every((queued) => queued <= 4)).toBe(true);
    expect(queuedAtInsert).toHaveLength(5);
    expect(writer.counts).toEqual({ written: 10, dropped: 0 });
    queuedAtInsert = [];
    await writer.close();
    expect(queuedAtInsert).toEqual([]);
  });

  it("a batch that fails once is retried and written; the error line names ids and counts, never row contents", async () => {
    const { handle, watch } = watchedHandle(db);
    const lines: string[] = [];
    const app = appOn(handle, { flushIntervalMs: 60_000 }, lines);
    const ids = [await ask(app, "retry-1"), await ask(app, "retry-2")];
    watch.failures = 1;
    await app.requestLog.flush();
    expect((await rowsOf("retry-")).map((row) => row.request_id)).toEqual(ids);
    const errors = errorLines(lines);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      msg: "request log batch write failed; retrying once",
      rows: 2,
      requestIds: ids,
      err: "connection reset (injected)",
    });
    expect(JSON.stringify(errors)).not.toMatch(/internal|retry-1|ib_internal|viewer/);
    expect(app.requestLog.counts).toEqual({ written: 2, dropped: 0 });
    await app.requestLog.close();
  });

  it("a batch the database refuses is dropped and counted at error level; the app keeps serving and logging", async () => {
    const lines: string[] = [];
    const app = appOn(db, { flushIntervalMs: 60_000 }, lines);
    const lost = await ask(app, "dropped-1");
    await db.query("alter table request_logs rename to request_logs_away");
    try {
      await app.requestLog.flush();
    } finally {
      await db.query("alter table request_logs_away rename to request_logs");
    }
    const errors = errorLines(lines);
    expect(errors.map((line) => line.msg)).toEqual([
      "request log batch write failed; retrying once",
      "request log batch dropped",
    ]);
    expect(errors[1]).toMatchObject({ rows: 1, droppedTotal: 1, requestIds: [lost] });
    expect(String(errors[1]?.err)).toMatch(/request_logs/);
    expect(JSON.stringify(errors)).not.toMatch(/dropped-1|internal|ib_internal/);
    expect(app.requestLog.counts).toEqual({ written: 0, dropped: 1 });

    const kept = await ask(app, "dropped-2");
    await app.requestLog.flush();
    expect((await rowsOf("dropped-")).map((row) => row.request_id)).toEqual([kept]);
    expect(app.requestLog.counts).toEqual({ written: 1, dropped: 1 });
    await app.requestLog.close();
  });
});
