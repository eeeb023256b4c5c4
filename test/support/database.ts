import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase } from "../../src/db/client";
import { migrateDatabase } from "../../src/db/migrate";
import { ensureReferenceData } from "../../src/db/referenceData";

export interface TestDatabase extends DatabaseHandle {
  /** Closes and, on Postgres, drops the throwaway database. */
  destroy(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * database on the server of TEST_DATABASE_URL (created here, dropped by destroy()).
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  let handle: DatabaseHandle;
  let drop: () => Promise<void> = async () => {};
  if (serverUrl) {
    // Named after the server URL's database, so CI can drop every leftover of its run by prefix.
    const parent = new URL(serverUrl).pathname.slice(1) || "test";
    const name = `${parent}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`.toLowerCase();
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    handle = await openDatabase({ kind: "postgres", url: url.toString(), maxConnections: 5 });
    drop = async () => {
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    };
  } else {
    handle = await openDatabase({ kind: "pglite" });
  }
  if (options.migrate !== false) {
    await migrateDatabase(handle);
    await ensureReferenceData(handle.db);
  }
  return {
    ...handle,
    async destroy() {
      await handle.close();
      await drop();
    },
  };
}
