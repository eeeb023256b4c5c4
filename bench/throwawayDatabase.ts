import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase, redactUrl } from "../src/db/client";

export interface ThrowawayDatabase {
  database: DatabaseHandle;
  label: string;
  dispose(): Promise<void>;
}

/**
 * A fresh database for one benchmark run: PGlite in memory, or, when DATABASE_URL or
 * TEST_DATABASE_URL names a server, a database on it that only this run uses, dropped at the end
 * (and on Ctrl-C) unless `keep`.
 */
export async function openThrowawayDatabase(prefix: string, keep = false): Promise<ThrowawayDatabase> {
  const serverUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  if (!serverUrl) {
    const database = await openDatabase({ kind: "pglite" });
    return { database, label: "PGlite (embedded, in memory)", dispose: () => database.close() };
  }
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (keep) {
      process.stderr.write(`kept database ${name} (--keep); drop it with: drop database ${name}\n`);
      return;
    }
    if (dropped) return;
    dropped = true;
    const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await cleanup.unsafe(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  };
  process.once("SIGINT", () => {
    process.stderr.write(`\ninterrupted: dropping ${name}\n`);
    void drop().finally(() => process.exit(130));
  });
  try {
    const database = await openDatabase({ kind: "postgres", url: url.toString(), maxConnections: 4 });
    const [version] = await database.query<{ server_version: string }>("show server_version");
    return {
      database,
      label: `PostgreSQL ${version?.server_version ?? "?"} at ${redactUrl(url.toString())} (throwaway)`,
      dispose: async () => {
        await database.close();
        await drop();
      },
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
