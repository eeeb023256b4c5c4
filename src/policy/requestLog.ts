import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import type { RequestState } from "./requestState";

/**
 * One request_logs row: key prefix, role, fingerprints, outcome code, epsilon charged, latency.
 * Never the key or a payload. Built when the response is ready (its `at` and latency are then).
 */
export interface RequestLogRow {
  at: Date;
  requestId: string;
  clientRequestId: string | null;
  keyPrefix: string | null;
  role: string | null;
  partnerId: string | null;
  operationName: string | null;
  fingerprints: string[] | null;
  outcomeCode: string;
  epsilonCharged: number;
  latencyMs: number;
  httpStatus: number;
  endpoint: string;
  outcomeDetail: string | null;
}

/** The request's log row, as its response leaves. */
export function requestLogRow(state: RequestState, outcome: { httpStatus: number; at: Date }): RequestLogRow {
  const principal = state.principal;
  return {
    at: outcome.at,
    requestId: state.id,
    clientRequestId: state.clientRequestId,
    keyPrefix: principal?.keyPrefix ?? null,
    role: principal?.role ?? null,
    partnerId: principal?.partnerId ?? null,
    operationName: state.operationName,
    fingerprints: state.policy.fingerprints.length > 0 ? [...state.policy.fingerprints] : null,
    outcomeCode: state.policy.outcomeCode ?? (outcome.httpStatus < 400 ? "OK" : `HTTP_${outcome.httpStatus}`),
    epsilonCharged: state.policy.epsilonCharged,
    latencyMs: Math.round(performance.now() - state.startedAt),
    httpStatus: outcome.httpStatus,
    endpoint: state.endpoint,
    outcomeDetail: state.authFailure?.toUpperCase() ?? null,
  };
}

export interface RequestLogWriterOptions {
  /** A queued row waits at most this long before its batch is written (default 250 ms). */
  flushIntervalMs?: number;
  /** Rows per INSERT statement; a full batch is written at once, without waiting for the interval (default 500). */
  batchSize?: number;
  /**
   * Most rows queued in memory (default 10,000). A response whose row finds the queue full waits
   * until a batch is written and its row fits: the database is then behind, and slowing the
   * requests down loses no row, where dropping them would hide who asked what from the operators.
   */
  maxQueued?: number;
}

export const REQUEST_LOG_DEFAULTS = { flushIntervalMs: 250, batchSize: 500, maxQueued: 10_000 } as const;

// One fixed text whatever the batch size, one array a column, so it is prepared once per connection.
// A row's fingerprints travel as one array literal
// (unnest cannot take an array of arrays of different lengths) and are cast back.
const INSERT_BATCH = `insert into request_logs (at, request_id, client_request_id, key_prefix, role, partner_id,
    operation_name, fingerprints, outcome_code, epsilon_charged, latency_ms, http_status, endpoint, outcome_detail)
  select at, request_id, client_request_id, key_prefix, role::api_role, partner_id,
    operation_name, fingerprints::text[], outcome_code, epsilon_charged, latency_ms, http_status, endpoint, outcome_detail
  from unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::float8[], $11::int[], $12::int[], $13::text[], $14::text[])
    as row(at, request_id, client_request_id, key_prefix, role, partner_id, operation_name, fingerprints,
      outcome_code, epsilon_charged, latency_ms, http_status, endpoint, outcome_detail)`;

/**
 * Writes request_logs rows in batches, off the request path: `add` queues a row and returns at
 * once; a batch is written when `batchSize` rows are queued or `flushIntervalMs` after the first
 * queued row, one multi-row INSERT at a time, in the order the rows were added. A failed batch is
 * logged (counts and request ids, never the rows) and retried once, then dropped and counted.
 * `flush()` writes everything queued; `close()` flushes and writes later rows at once. The timer
 * never keeps the process alive, so what a crash loses is at most the rows still queued: about
 * one interval's worth, never more than `maxQueued` (plus the batch being written).
 */
export class RequestLogWriter {
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly maxQueued: number;
  private queue: RequestLogRow[] = [];
  private writing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Waiting for room in a full queue: called after each batch. */
  private roomWaiters: Array<() => void> = [];
  private written = 0;
  private dropped = 0;
  /** Rows of the batch being written. */
  private inFlight = 0;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly logger: Logger,
    options: RequestLogWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? REQUEST_LOG_DEFAULTS.flushIntervalMs;
    this.batchSize = Math.max(1, options.batchSize ?? REQUEST_LOG_DEFAULTS.batchSize);
    this.maxQueued = Math.max(this.batchSize, options.maxQueued ?? REQUEST_LOG_DEFAULTS.maxQueued);
  }

  /** Rows queued and not yet being written. */
  get queued(): number {
    return this.queue.length;
  }

  /** Rows written so far, and rows dropped after a batch failed twice. */
  get counts(): { written: number; dropped: number } {
    return { written: this.written, dropped: this.dropped };
  }

  /**
   * Queues a row. Returns undefined when it was queued; a promise, to await before the response
   * leaves, only when the queue is full and the row must wait for room.
   */
  add(row: RequestLogRow): Promise<void> | undefined {
    if (this.queue.length < this.maxQueued) {
      this.enqueue(row);
      return undefined;
    }
    return this.addWhenRoom(row);
  }

  /** Writes every queued row (and any queued meanwhile) and resolves once they are written or dropped. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.writing !== null) {
      await (this.writing ?? this.startWrite(true));
    }
  }

  /**
   * Stops the timer and writes everything queued; a row added later is written at once. Resolves
   * true once all is written (or dropped), false when `timeoutMs` passes first: the rows not yet
   * written are then counted in an error line, and the caller may go on (e.g. exit).
   */
  async close(timeoutMs?: number): Promise<boolean> {
    this.closed = true;
    this.disarm();
    if (timeoutMs === undefined) {
      await this.flush();
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = await Promise.race([this.flush().then(() => true as const), timedOut]);
    clearTimeout(timer);
    if (!done) {
      this.logger.error(
        { unwritten: this.queue.length + this.inFlight, written: this.written, dropped: this.dropped },
        "request log rows not written before the shutdown timeout",
      );
    }
    return done;
  }

  private enqueue(row: RequestLogRow): void {
    this.queue.push(row);
    if (this.closed) void this.startWrite(true);
    else if (this.queue.length >= this.batchSize) void this.startWrite(false);
    else this.arm();
  }

  private async addWhenRoom(row: RequestLogRow): Promise<void> {
    while (this.queue.length >= this.maxQueued) {
      const room = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      void this.startWrite(false);
      await room;
    }
    this.enqueue(row);
  }

  /** The first row queued after a write waits at most one interval; a write in progress arms it when done. */
  private arm(): void {
    if (this.timer !== null || this.writing !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.startWrite(true);
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Starts a write unless one is in progress, and resolves when the write in progress ends. `all`
   * (the interval, flush, close) writes every row queued when it starts; otherwise only full batches.
   */
  private startWrite(all: boolean): Promise<void> {
    if (this.writing === null) {
      if (all) this.disarm();
      this.writing = this.writeQueued(all).finally(() => {
        this.writing = null;
        if (this.queue.length === 0) return;
        if (this.closed) void this.startWrite(true);
        else if (this.queue.length >= this.batchSize) void this.startWrite(false);
        else this.arm();
      });
    }
    return this.writing;
  }

  /** One batch at a time: full batches while there are, then (`all`) the rest of what was queued at the start. */
  private async writeQueued(all: boolean): Promise<void> {
    let remaining = all ? this.queue.length : 0;
    while (this.queue.length >= this.batchSize || remaining > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      remaining -= batch.length;
      await this.writeBatch(batch);
      this.inFlight = 0;
      for (const resolve of this.roomWaiters.splice(0)) resolve();
    }
  }

  private async writeBatch(batch: RequestLogRow[]): Promise<void> {
    const requestIds = batch.map((row) => row.requestId);
    this.inFlight = batch.length;
    try {
      await this.database.query(INSERT_BATCH, batchParams(batch), { prepare: true });
      this.written += batch.length;
      return;
    } catch (error) {
      // The statement is one transaction: a failed one wrote nothing, so once more is no duplicate.
      this.logger.error(
        { rows: batch.length, requestIds, err: errorText(error) },
        "request log batch write failed; retrying once",
      );
    }
    try {
      await this.database.query(INSERT_BATCH, batchParams(batch), { prepare: true });
      this.written += batch.length;
    } catch (error) {
      this.dropped += batch.length;
      this.logger.error(
        { rows: batch.length, droppedTotal: this.dropped, requestIds, err: errorText(error) },
        "request log batch dropped",
      );
    }
  }
}

/** The batch as one array a column, in the statement's order. */
function batchParams(batch: RequestLogRow[]): unknown[] {
  return [
    batch.map((row) => row.at.toISOString()),
    batch.map((row) => row.requestId),
    batch.map((row) => row.clientRequestId),
    batch.map((row) => row.keyPrefix),
    batch.map((row) => row.role),
    batch.map((row) => row.partnerId),
    batch.map((row) => row.operationName),
    batch.map((row) => (row.fingerprints === null ? null : arrayLiteral(row.fingerprints))),
    batch.map((row) => row.outcomeCode),
    batch.map((row) => row.epsilonCharged),
    batch.map((row) => row.latencyMs),
    batch.map((row) => row.httpStatus),
    batch.map((row) => row.endpoint),
    batch.map((row) => row.outcomeDetail),
  ];
}

/** A PostgreSQL text[] literal, every element quoted. */
function arrayLiteral(values: string[]): string {
  return `{${values.map((value) => `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`).join(",")}}`;
}

/** The driver's message and SQLSTATE only: a PostgreSQL error's detail may quote the failing row. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && !error.message.includes(code)
    ? `${error.message} (${code})`
    : error.message;
}
