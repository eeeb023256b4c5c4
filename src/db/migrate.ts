import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { DatabaseHandle } from "./client";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

const pgliteMigrations = new WeakMap<DatabaseHandle, Promise<void>>();

// Any constant works; it only has to be the same in every process migrating this database.
const MIGRATION_LOCK_ID = 7_301_944_118;

/**
 * Applies drizzle-kit's migrations. On Postgres several processes may start at once, so the
 * run holds an advisory lock on its own connection.
 */
export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === "pglite") {
    // One process owns a PGlite database; callers in it queue so their migrations do not interleave.
    const previous = pgliteMigrations.get(handle) ?? Promise.resolve();
    const run = previous.then(() =>
      migratePglite(handle.db as unknown as PgliteDatabase, { migrationsFolder: MIGRATIONS_FOLDER }),
    );
    pgliteMigrations.set(
      handle,
      run.catch(() => {}),
    );
    return run;
  }
  // One dedicated connection, so the session-level lock and the migration share it.
  const client = postgres(handle.url ?? "", { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migratePostgres(drizzle({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Number of migrations drizzle-kit generated (drizzle/meta/_journal.json). */
export function expectedMigrationCount(): number {
  const journal = JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}/meta/_journal.json`, "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

/** True when every generated migration is recorded as applied. */
export async function migrationsApplied(handle: DatabaseHandle): Promise<boolean> {
  try {
    const rows = await handle.query<{ n: number }>(
      "select count(*)::int as n from drizzle.__drizzle_migrations",
    );
    return (rows[0]?.n ?? 0) >= expectedMigrationCount();
  } catch {
    return false;
  }
}
