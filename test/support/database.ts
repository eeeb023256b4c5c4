import { randomUUID } from "node:crypto";
import type { DatabaseHandle } from "../../src/db/client";
import { createThrowawayDatabase } from "../../src/db/throwawayDatabase";

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
  const throwaway = await createThrowawayDatabase({
    serverUrl,
    // Named after the server URL's database, so CI can drop every leftover of its run by prefix.
    prefix: (serverUrl && new URL(serverUrl).pathname.slice(1)) || "test",
    maxConnections: 5,
    migrate: options.migrate !== false,
    onStatement: options.onStatement,
  });
  const { handle } = throwaway;
  return {
    ...handle,
    async destroy() {
      await handle.close();
      await throwaway.drop();
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
