import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase } from "./client";
import { migrateDatabase } from "./migrate";
import { ensureReferenceData } from "./referenceData";

export interface ThrowawayDatabaseOptions {
  /** The PostgreSQL server to create the database on; unset or empty: PGlite in memory. */
  serverUrl?: string | undefined;
  /** Start of the new database's name, so that the leftovers of a run can be dropped by prefix. */
  prefix: string;
  /** Connections of the handle (PostgreSQL; the driver's default when unset). */
  maxConnections?: number;
  /** Apply the migrations and fill the reference rows (default: leave the database empty). */
  migrate?: boolean;
  /** Every statement the driver sends (see DatabaseTarget.onStatement). */
  onStatement?: ((text: string) => void) | undefined;
}

export interface ThrowawayDatabase {
  handle: DatabaseHandle;
  /** On PostgreSQL, the new database's name and URL (other programs, e.g. benchmark peers, connect to it). */
  server: { name: string; url: string } | undefined;
  /** Drops the database, ending its open connections (PostgreSQL; nothing for PGlite). Only the first call drops. */
  drop(): Promise<void>;
}

/**
 * A database that lives for one run (a test file, a benchmark): a new database named
 * `<prefix>_<time>_<random>` on the server of `serverUrl`, or PGlite in memory without one. When it
 * cannot be opened or migrated it is closed and dropped before the error is thrown.
 */
export async function createThrowawayDatabase(options: ThrowawayDatabaseOptions): Promise<ThrowawayDatabase> {
  const { serverUrl, onStatement } = options;
  const statements = onStatement === undefined ? {} : { onStatement };
  if (!serverUrl) {
    const handle = await openDatabase({ kind: "pglite", ...statements });
    await prepare(handle, options.migrate === true, async () => {});
    return { handle, server: undefined, drop: async () => {} };
  }
  const name = `${options.prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`.toLowerCase();
  await onServer(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    await onServer(serverUrl, `drop database if exists ${name} with (force)`);
  };
  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({
      kind: "postgres",
      url: url.toString(),
      ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
      ...statements,
    });
  } catch (error) {
    await drop();
    throw error;
  }
  await prepare(handle, options.migrate === true, drop);
  return { handle, server: { name, url: url.toString() }, drop };
}

async function prepare(handle: DatabaseHandle, migrate: boolean, drop: () => Promise<void>): Promise<void> {
  if (!migrate) return;
  try {
    await migrateDatabase(handle);
    await ensureReferenceData(handle);
  } catch (error) {
    await handle.close().catch(() => {});
    await drop();
    throw error;
  }
}

/** One statement on the server's own database (create and drop cannot run inside the database). */
async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(statement);
  } finally {
    await admin.end();
  }
}
