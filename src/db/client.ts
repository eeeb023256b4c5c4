import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";

/** The drizzle API both backends share; code depends on this, never on a driver. */
export type Database = PgDatabase<PgQueryResultHKT>;

/** Anything that can run a statement: the database or a transaction. */
export type Executor = Pick<Database, "execute">;

export type DatabaseKind = "pglite" | "postgres";

export interface DatabaseHandle {
  kind: DatabaseKind;
  db: Database;
  /** The connection URL (postgres only), for tools that need their own connection (pg-boss). */
  url?: string;
  /** The embedded client (pglite only), for tools that adapt to it (pg-boss's fromPglite). */
  pglite?: PGlite;
  /** Runs raw SQL and returns plain rows (for pg-boss, migrations checks and set-based jobs). */
  query: QueryFn;
  /** Runs `work` in one transaction with raw SQL; a throw rolls everything back. */
  transaction<T>(work: (query: QueryFn) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * One SQL statement with its parameters. `single` sends it with the extended protocol even
 * without parameters, so PostgreSQL refuses a text holding more than one statement (PGlite's
 * query always does); use it for any text that embeds SQL from outside, such as a monitor check.
 */
export type QueryFn = <Row = Record<string, unknown>>(
  text: string,
  params?: unknown[],
  options?: { single?: boolean },
) => Promise<Row[]>;

export type DatabaseTarget =
  | { kind: "postgres"; url: string; maxConnections?: number }
  /** dataDir undefined: in memory (tests). */
  | { kind: "pglite"; dataDir?: string };

/** An expected start-up failure: one line for the operator, no stack trace. */
export class DatabaseOpenError extends Error {
  override name = "DatabaseOpenError";
}

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.kind === "postgres"
    ? openPostgres(target.url, target.maxConnections)
    : openPglite(target.dataDir);
}

async function openPostgres(url: string, maxConnections = 10): Promise<DatabaseHandle> {
  const client = postgres(url, {
    max: maxConnections,
    connect_timeout: 10,
    onnotice: () => {},
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
    async <Row>(text: string, params: unknown[] = [], options: { single?: boolean } = {}) =>
      // postgres.js cannot infer a type for a Date in an untyped statement; send instants as ISO text.
      // Without parameters it uses the simple protocol (several statements allowed) unless `single`.
      (await runner.unsafe(
        text,
        params.map(toWireValue) as postgres.ParameterOrJSON<never>[],
        // `simple` is read at run time but missing from postgres.js's types.
        options.single ? ({ simple: false, prepare: false } as postgres.UnsafeQueryOptions) : undefined,
      )) as unknown as Row[];
  return {
    kind: "postgres",
    db,
    url,
    query: queryWith(client),
    transaction: async <T>(work: (query: QueryFn) => Promise<T>) =>
      (await client.begin((tx) => work(queryWith(tx)))) as T,
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  let client: PGlite;
  try {
    if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
    client = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
    await client.query("select 1");
  } catch (error) {
    throw new DatabaseOpenError(
      `cannot open the embedded database in ${dataDir ?? "memory"}: ${describe(error)}. If the folder is corrupt or from another version, move it aside (or delete it to start over with fresh demo data).`,
    );
  }
  const db = drizzlePglite({ client }) as unknown as Database;
  return {
    kind: "pglite",
    db,
    pglite: client,
    query: async <Row>(text: string, params: unknown[] = []) => (await client.query<Row>(text, params)).rows,
    transaction: <T>(work: (query: QueryFn) => Promise<T>) =>
      client.transaction((tx) =>
        work(async <Row>(text: string, params: unknown[] = []) => (await tx.query<Row>(text, params)).rows),
      ),
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

/** Normalises the result of db.execute() across drivers (postgres.js: array; PGlite: { rows }). */
export function rowsOf<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}

export async function selectRows<Row>(executor: Executor, query: SQL): Promise<Row[]> {
  return rowsOf<Row>(await executor.execute(query));
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
