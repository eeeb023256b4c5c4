import { type DatabaseHandle, redactUrl } from "../src/db/client";
import { createThrowawayDatabase, type ThrowawayDatabase as Throwaway } from "../src/db/throwawayDatabase";

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
  const throwaway = await createThrowawayDatabase({ serverUrl, prefix, maxConnections: 4 });
  const { handle: database, server } = throwaway;
  if (server === undefined) {
    return { database, label: "PGlite (embedded, in memory)", dispose: () => database.close() };
  }
  const drop = dropUnlessKept(throwaway, keep, (line) => process.stderr.write(`${line}\n`));
  process.once("SIGINT", () => {
    process.stderr.write(`\ninterrupted: dropping ${server.name}\n`);
    void drop().finally(() => process.exit(130));
  });
  try {
    const [version] = await database.query<{ server_version: string }>("show server_version");
    return {
      database,
      label: `PostgreSQL ${version?.server_version ?? "?"} at ${redactUrl(server.url)} (throwaway)`,
      dispose: async () => {
        await database.close();
        await drop();
      },
    };
  } catch (error) {
    await database.close().catch(() => {});
    await drop();
    throw error;
  }
}

/** The database's drop(), or with --keep a line saying how to drop it by hand. */
export function dropUnlessKept(
  throwaway: Throwaway,
  keep: boolean,
  log: (line: string) => void,
): () => Promise<void> {
  return async () => {
    if (!keep) return throwaway.drop();
    const name = throwaway.server?.name;
    if (name !== undefined) log(`kept database ${name} (--keep); drop it with: drop database ${name}`);
  };
}
