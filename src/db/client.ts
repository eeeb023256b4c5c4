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
  /** The connection URL (postgres only), for tools that need their own connection. */
  url?: string;
  /** Runs raw SQL and returns plain rows (for pg-boss, migrations checks and set-based jobs). */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

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
  return {
    kind: "postgres",
    db,
    url,
    query: async <Row>(text: string, params: unknown[] = []) =>
      // postgres.js cannot infer a type for a Date in an untyped statement; send instants as ISO text.
      (await client.unsafe(
        text,
        params.map((value) =>
          value instanceof Date ? value.toISOString() : value,
        ) as postgres.ParameterOrJSON<never>[],
      )) as unknown as Row[],
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
    query: async <Row>(text: string, params: unknown[] = []) => (await client.query<Row>(text, params)).rows,
    close: () => client.close(),
  };
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
