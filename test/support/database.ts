import { randomBytes, randomUUID } from "node:crypto";
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
export async function createTestDatabase(
  options: {
    migrate?: boolean;
    /** Every statement the driver sends (see DatabaseTarget.onStatement). */
    onStatement?: (text: string) => void;
  } = {},
): Promise<TestDatabase> {
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
    handle = await openDatabase({
      kind: "postgres",
      url: url.toString(),
      maxConnections: 5,
      ...(options.onStatement === undefined ? {} : { onStatement: options.onStatement }),
    });
    drop = async () => {
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    };
  } else {
    handle = await openDatabase({
      kind: "pglite",
      ...(options.onStatement === undefined ? {} : { onStatement: options.onStatement }),
    });
  }
  if (options.migrate !== false) {
    await migrateDatabase(handle);
    await ensureReferenceData(handle);
  }
  return {
    ...handle,
    async destroy() {
      await handle.close();
      await drop();
    },
  };
}

/**
 * Waits until every notification sent so far on `channel` has reached the listeners of `handle` (a
 * probe sent after them arrives after them), so that a count of statements is not raced by a late one.
 */
export async function notificationsSettled(handle: DatabaseHandle, channel: string): Promise<void> {
  const token = `probe-${randomUUID()}`;
  let arrived = () => {};
  const seen = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  const unlisten = await handle.listen(channel, {
    onNotify: (payload) => {
      if (payload === token) arrived();
    },
    onState: () => {},
  });
  await handle.query("select pg_notify($1, $2)", [channel, token]);
  await seen;
  await unlisten();
}
