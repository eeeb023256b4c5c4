import path from "node:path";
import type { Config } from "../config";
import { type DatabaseHandle, type DatabaseTarget, openDatabase } from "./client";
import { migrateDatabase } from "./migrate";
import { ensureReferenceData } from "./referenceData";

/** DATABASE_URL when set; otherwise the embedded database inside DATA_DIR. */
export function databaseTargetFor(config: Config): DatabaseTarget {
  return config.databaseUrl === undefined
    ? { kind: "pglite", dataDir: path.join(config.dataDir, "pgdata") }
    : { kind: "postgres", url: config.databaseUrl };
}

/** Opens the configured database, applies migrations and fills reference rows: what every entry point needs. */
export async function prepareDatabase(config: Config): Promise<DatabaseHandle> {
  const handle = await openDatabase(databaseTargetFor(config));
  try {
    await migrateDatabase(handle);
    await ensureReferenceData(handle);
    return handle;
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}
