import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";

/** The drizzle API both backends share; code depends on this, never on a driver. */
export type Database = PgDatabase<PgQueryResultHKT>;

export type DatabaseKind = "pglite" | "postgres";

export interface DatabaseHandle {
  kind: DatabaseKind;
  /** Drizzle over the same connections: for the migrator and the typed inserts of reference and demo rows. */
  db: Database;
  /** The connection URL (postgres only), for tools that need their own connection (pg-boss). */
  url?: string;
  /** The embedded client (pglite only), for tools that adapt to it (pg-boss's fromPglite). */
  pglite?: PGlite;
  /**
   * Runs one SQL statement and returns its rows: how the application reads and writes (README "Data
   * access"); src/db/rows.ts selects and reads a table's rows as its drizzle type.
   */
  query: QueryFn;
  /** Runs `work` in one transaction with raw SQL; a throw rolls everything back. */
  transaction<T>(work: (query: QueryFn) => Promise<T>): Promise<T>;
  /**
   * Subscribes to NOTIFY on `channel` (PostgreSQL: on one dedicated connection per handle, opened on
   * first use and closed by close(); PGlite: its own listen). Resolves once the first LISTEN attempt
   * has settled; handlers.onState says when notifications can be trusted. Returns the unsubscribe.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  /**
   * Hands `payload` to this process's subscribers of `channel` at once, as a notification would:
   * for a change made here, whose NOTIFY reaches this process's own listening connection a moment later.
   */
  notifyLocally(channel: string, payload: string): void;
  close(): Promise<void>;
}

export interface ListenHandlers {
  /** A notification's payload. */
  onNotify(payload: string): void;
  /**
   * true: LISTEN is in effect (again), notifications from now on arrive; anything changed while it
   * was not may have gone unnoticed. false: the listening connection was lost (it is retried every
   * second); until the next true, notifications may be missed.
   */
  onState(listening: boolean): void;
}

/**
 * One SQL statement with its parameters. `single` sends it with the extended protocol even
 * without parameters, so PostgreSQL refuses a text holding more than one statement (PGlite's
 * query always does); use it for any text that embeds SQL from outside, such as a monitor check.
 * `prepare` makes PostgreSQL keep the statement's plan per connection (named by its text): for the
 * few fixed texts on the request path, run again and again; never for texts built from outside.
 */
export type QueryFn = <Row = Record<string, unknown>>(
  text: string,
  params?: unknown[],
  options?: QueryOptions,
) => Promise<Row[]>;

export interface QueryOptions {
  single?: boolean;
  prepare?: boolean;
}

export type DatabaseTarget = (
  | { kind: "postgres"; url: string; maxConnections?: number }
  /** dataDir undefined: in memory (tests). */
  | { kind: "pglite"; dataDir?: string }
) & {
  /**
   * Called with the text of every statement the driver sends on the handle's connections (not the
   * LISTEN connection), transaction control included: what tests and benchmarks count per request.
   */
  onStatement?: (text: string) => void;
};

/** An expected start-up failure: one line for the operator, no stack trace. */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.kind === "postgres"
    ? openPostgres(target.url, target.maxConnections, target.onStatement)
    : openPglite(target.dataDir, target.onStatement);
}

async function openPostgres(
  url: string,
  maxConnections = 10,
  onStatement?: (text: string) => void,
): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max: maxConnections,
    connect_timeout: 10,
    onnotice: () => {},
    ...(onStatement === undefined ? {} : { debug: (_connection: number, text: string) => onStatement(text) }),
  });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new DatabaseOpenError(
      `cannot connect to PostgreSQL at ${redactUrl(url)}: ${describe(error)}. Check DATABASE_URL and that the server is running.`,
    );
  }
  const db = drizzlePostgres({ client }) as unknown as Database;
  const queryWith =
    (runner: postgres.Sql | postgres.TransactionSql): QueryFn =>
    async <Row>(text: string, params: unknown[] = [], options: QueryOptions = {}) =>
      // postgres.js cannot infer a type for a Date in an untyped statement; send instants as ISO text.
      // Without parameters it uses the simple protocol (several statements allowed) unless `single`.
      (await runner.unsafe(
        text,
        params.map(toWireValue) as postgres.ParameterOrJSON<never>[],
        // `simple` is read at run time but missing from postgres.js's types.
        options.prepare === true
          ? ({ simple: false, prepare: true } as postgres.UnsafeQueryOptions)
          : options.single
            ? ({ simple: false, prepare: false } as postgres.UnsafeQueryOptions)
            : undefined,
      )) as unknown as Row[];
  const listener = new PostgresListener(url);
  return {
    kind: "postgres",
    db,
    url,
    query: queryWith(client),
    transaction: async <T>(work: (query: QueryFn) => Promise<T>) =>
      (await client.begin((tx) => work(queryWith(tx)))) as T,
    listen: (channel, handlers) => listener.subscribe(channel, handlers),
    notifyLocally: (channel, payload) => listener.subscribers.dispatch(channel, payload),
    close: async () => {
      await listener.close();
      await client.end({ timeout: 5 });
    },
  };
}

/** Who listens to which channel in this process. */
class Subscribers {
  readonly byChannel = new Map<string, Set<ListenHandlers>>();

  add(channel: string, handlers: ListenHandlers): void {
    const set = this.byChannel.get(channel) ?? new Set();
    set.add(handlers);
    this.byChannel.set(channel, set);
  }

  /** Removes a subscriber; true when it was the channel's last. */
  remove(channel: string, handlers: ListenHandlers): boolean {
    const set = this.byChannel.get(channel);
    if (set === undefined || !set.delete(handlers)) return false;
    if (set.size > 0) return false;
    this.byChannel.delete(channel);
    return true;
  }

  dispatch(channel: string, payload: string): void {
    for (const handlers of this.byChannel.get(channel) ?? []) handlers.onNotify(payload);
  }

  state(listening: boolean, channel?: string): void {
    for (const [name, set] of this.byChannel) {
      if (channel !== undefined && name !== channel) continue;
      for (const handlers of set) handlers.onState(listening);
    }
  }
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const LISTEN_RETRY_MS = 1_000;

/**
 * LISTEN on one dedicated PostgreSQL connection (postgres.js's own `listen` re-listens after a drop
 * but never says the connection was down, and gives up silently when the first retry fails). Its
 * loss is reported to every subscriber at once, and LISTEN is retried every second until it holds.
 */
class PostgresListener {
  readonly subscribers = new Subscribers();
  private client: postgres.Sql | undefined;
  private listening = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private establishing: Promise<void> | undefined;

  constructor(private readonly url: string) {}

  async subscribe(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>> {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
    if (this.closed) throw new Error("the database handle is closed");
    const known = this.subscribers.byChannel.has(channel);
    this.subscribers.add(channel, handlers);
    if (known && this.listening) {
      handlers.onState(true);
    } else if (this.listening) {
      // The connection is up: add this channel to it.
      try {
        await this.connection().unsafe(`listen ${channel}`);
        handlers.onState(true);
      } catch {
        this.lost();
      }
    } else {
      await this.establish();
    }
    return async () => {
      if (this.subscribers.remove(channel, handlers) && this.listening && this.client !== undefined) {
        await this.client.unsafe(`unlisten ${channel}`).catch(() => {});
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.listening = false;
    await this.client?.end({ timeout: 1 }).catch(() => {});
    this.client = undefined;
  }

  private connection(): postgres.Sql {
    if (this.client !== undefined) return this.client;
    const options = {
      max: 1,
      idle_timeout: 0,
      max_lifetime: 0,
      connect_timeout: 10,
      fetch_types: false,
      onnotice: () => {},
      // Operators (and tests) can tell it from the pool in pg_stat_activity.
      connection: { application_name: "insights-listen" },
      // Read at run time but missing from postgres.js's types (its own listen uses it).
      onnotify: (channel: string, payload: string) => this.subscribers.dispatch(channel, payload),
      onclose: () => this.lost(),
    };
    this.client = postgres(this.url, options as postgres.Options<Record<string, never>>);
    return this.client;
  }

  /** LISTENs on every subscribed channel; on success every subscriber hears true, else a retry is set. */
  private establish(): Promise<void> {
    this.establishing ??= (async () => {
      try {
        for (const channel of this.subscribers.byChannel.keys()) {
          await this.connection().unsafe(`listen ${channel}`);
        }
        if (this.closed) return;
        this.listening = true;
        this.subscribers.state(true);
      } catch {
        this.lost();
      } finally {
        this.establishing = undefined;
      }
    })();
    return this.establishing;
  }

  private lost(): void {
    if (this.closed) return;
    if (this.listening) {
      this.listening = false;
      this.subscribers.state(false);
    }
    if (this.retry !== undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.closed && !this.listening) void this.establish();
    }, LISTEN_RETRY_MS);
    this.retry.unref();
  }
}

async function openPglite(
  dataDir: string | undefined,
  onStatement?: (text: string) => void,
): Promise<DatabaseHandle> {
  let client: PGlite;
  try {
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    client = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
    await client.query("select 1");
    if (onStatement !== undefined) observeStatements(client, onStatement);
  } catch (error) {
    throw new DatabaseOpenError(
      `cannot open the embedded database in ${dataDir ?? "memory"}: ${describe(error)}. If the folder is corrupt or from another version, move it aside (or delete it to start over with fresh demo data).`,
    );
  }
  const db = drizzlePglite({ client }) as unknown as Database;
  const subscribers = new Subscribers();
  const unlistens = new Map<string, Promise<() => Promise<void>>>();
  return {
    kind: "pglite",
    db,
    pglite: client,
    query: async <Row>(text: string, params: unknown[] = []) => (await client.query<Row>(text, params)).rows,
    transaction: <T>(work: (query: QueryFn) => Promise<T>) =>
      client.transaction((tx) =>
        work(async <Row>(text: string, params: unknown[] = []) => (await tx.query<Row>(text, params)).rows),
      ),
    // One embedded connection: a notification is handed over while the statement that committed it
    // runs, so a change is seen before that statement returns; the connection is never lost.
    listen: async (channel, handlers) => {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
      subscribers.add(channel, handlers);
      let unlisten = unlistens.get(channel);
      if (unlisten === undefined) {
        unlisten = client.listen(channel, (payload) => subscribers.dispatch(channel, payload));
        unlistens.set(channel, unlisten);
      }
      await unlisten;
      handlers.onState(true);
      return async () => {
        if (!subscribers.remove(channel, handlers)) return;
        const last = unlistens.get(channel);
        unlistens.delete(channel);
        if (last !== undefined && !client.closed) await (await last)().catch(() => {});
      };
    },
    notifyLocally: (channel, payload) => subscribers.dispatch(channel, payload),
    close: () => client.close(),
  };
}

// postgres.js infers array element types badly for untyped statements (booleans fail, instants
// lose their zone); a Postgres array literal cast in the SQL (e.g. $1::bool[]) parses exactly.
function toWireValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(",")}}`;
  return value;
}

function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "t" : "f";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable url)";
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/**
 * Reports every statement sent through the PGlite instance (query, exec, and a transaction's own
 * statements with its BEGIN and COMMIT or ROLLBACK), like postgres.js's debug option does.
 */
function observeStatements(client: PGlite, onStatement: (text: string) => void): void {
  const query = client.query.bind(client);
  const exec = client.exec.bind(client);
  const transaction = client.transaction.bind(client);
  client.query = ((text: string, ...rest: unknown[]) => {
    onStatement(text);
    return (query as (...args: unknown[]) => unknown)(text, ...rest);
  }) as PGlite["query"];
  client.exec = ((text: string, ...rest: unknown[]) => {
    onStatement(text);
    return (exec as (...args: unknown[]) => unknown)(text, ...rest);
  }) as PGlite["exec"];
  client.transaction = (async (
    work: (tx: Parameters<Parameters<PGlite["transaction"]>[0]>[0]) => unknown,
  ) => {
    onStatement("BEGIN");
    try {
      const result = await transaction(async (tx) => {
        const txQuery = tx.query.bind(tx);
        const txExec = tx.exec.bind(tx);
        tx.query = ((text: string, ...rest: unknown[]) => {
          onStatement(text);
          return (txQuery as (...args: unknown[]) => unknown)(text, ...rest);
        }) as typeof tx.query;
        tx.exec = ((text: string, ...rest: unknown[]) => {
          onStatement(text);
          return (txExec as (...args: unknown[]) => unknown)(text, ...rest);
        }) as typeof tx.exec;
        return work(tx);
      });
      onStatement("COMMIT");
      return result;
    } catch (error) {
      onStatement("ROLLBACK");
      throw error;
    }
  }) as PGlite["transaction"];
}
