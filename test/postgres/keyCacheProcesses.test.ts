import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/clock";
import { openDatabase } from "../../src/db/client";
import { KeyCache } from "../../src/policy/keyCache";
import { KEY_BY_HASH } from "../../src/policy/principal";
import { issueTestKey } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { childEnv, freePort, type RunningServer, startServer } from "../support/processes";
import { recordingHandle } from "../support/redteam";

// PostgreSQL only (vitest.config.ts collects test/postgres/ only with TEST_DATABASE_URL): two server
// processes on one database, each with its own key cache, and the cache's LISTEN connection lost.

const NOISE_KEY = "cd".repeat(32);
const QUERY = JSON.stringify({ query: "{ __typename }" });

let db: TestDatabase;
let operatorKey: string;
const servers: RunningServer[] = [];
let a: string;
let b: string;

beforeAll(async () => {
  db = await createTestDatabase();
  operatorKey = (await issueTestKey(db, "operator", { clock: systemClock })).apiKey;
  const start = async () => {
    const port = await freePort();
    const server = startServer(
      childEnv({ DATABASE_URL: db.url ?? "", NOISE_KEY, PORT: String(port), JOBS_ENABLED: "false" }),
    );
    servers.push(server);
    await server.waitFor(/Ready\. GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
    return `http://127.0.0.1:${port}/graphql`;
  };
  [a, b] = await Promise.all([start(), start()]);
}, 180_000);
afterAll(async () => {
  for (const server of servers) server.child.kill("SIGKILL");
  await db?.destroy();
});

async function status(url: string, key: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: QUERY,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Polls `url` every 50 ms until it refuses `key`; milliseconds since `since` (Infinity past 3 s). */
async function msUntilRefused(url: string, key: string, since: number): Promise<number> {
  while (performance.now() - since < 3_000) {
    if ((await status(url, key)) === 401) return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.POSITIVE_INFINITY;
}

async function keyUsedInBoth(name: string) {
  const issued = await issueTestKey(db, "internal", { clock: systemClock });
  for (let request = 0; request < 3; request++) {
    expect(await status(a, issued.apiKey), name).toBe(200);
    expect(await status(b, issued.apiKey), name).toBe(200);
  }
  return issued;
}

describe("two server processes on one PostgreSQL database", () => {
  it("a key revoked through process A's mutation: A refuses it on the next request, B within a second", async () => {
    const issued = await keyUsedInBoth("before the revocation");
    const response = await fetch(a, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${operatorKey}` },
      body: JSON.stringify({
        query: "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { userErrors { code } } }",
        variables: { id: issued.key.id },
      }),
    });
    expect(await response.json()).toEqual({ data: { revokeApiKey: { userErrors: [] } } });
    const revokedAt = performance.now();
    expect(await status(a, issued.apiKey)).toBe(401);
    const msB = await msUntilRefused(b, issued.apiKey, revokedAt);
    expect(msB).toBeLessThan(1_000);
  });

  it("a change made with plain SQL reaches both within a second", async () => {
    const issued = await keyUsedInBoth("before the change");
    const since = performance.now();
    await db.query("update api_keys set revoked_at = now() where id = $1", [issued.key.id]);
    const [msA, msB] = await Promise.all([
      msUntilRefused(a, issued.apiKey, since),
      msUntilRefused(b, issued.apiKey, since),
    ]);
    expect(msA).toBeLessThan(1_000);
    expect(msB).toBeLessThan(1_000);
  });

  it("each writes its recorded uses to last_used_at when it stops", async () => {
    const usedFrom = Date.now();
    const issued = await keyUsedInBoth("before the stop");
    const lastUsed = async () =>
      (
        await db.query<{ at: Date | null }>("select last_used_at as at from api_keys where id = $1", [
          issued.key.id,
        ])
      )[0]?.at ?? null;
    const stoppedAfter = Date.now();
    for (const server of servers) server.child.kill("SIGTERM");
    for (const server of servers) expect(await server.exited).toBe(0);
    const at = await lastUsed();
    expect(at).not.toBeNull();
    expect(new Date(at ?? 0).getTime()).toBeLessThanOrEqual(stoppedAfter);
    expect(new Date(at ?? 0).getTime()).toBeGreaterThanOrEqual(usedFrom);
  });
});

describe("the cache's LISTEN connection lost", () => {
  it("serves nothing while it is down, and serves again, emptied, once LISTEN holds again", async () => {
    // Issued before the cache listens: their notifications are not in its way.
    const cached = `Bearer ${(await issueTestKey(db, "internal", { clock: systemClock })).apiKey}`;
    const revoked = await issueTestKey(db, "internal", { clock: systemClock });
    const handle = await openDatabase({ kind: "postgres", url: db.url ?? "", maxConnections: 2 });
    const recording = recordingHandle(handle);
    const cache = new KeyCache({
      database: recording.handle,
      clock: systemClock,
      logger: pino({ level: "silent" }),
    });
    try {
      await cache.ready;
      expect(cache.serving).toBe(true);
      const lookups = async (authorization: string) => {
        recording.reset();
        const result = await cache.resolve(authorization);
        return { ok: result.ok, statements: recording.statements() };
      };
      expect(await lookups(cached)).toEqual({ ok: true, statements: [KEY_BY_HASH] });
      expect(await lookups(`Bearer ${revoked.apiKey}`)).toEqual({ ok: true, statements: [KEY_BY_HASH] });
      expect(await lookups(cached)).toEqual({ ok: true, statements: [] });
      expect(await lookups(`Bearer ${revoked.apiKey}`)).toEqual({ ok: true, statements: [] });

      // Every LISTEN connection of this test's database (only this cache's is open now).
      const killed = await db.query<{ pid: number }>(
        `select pg_terminate_backend(pid) as pid from pg_stat_activity
          where application_name = 'insights-listen' and datname = current_database()`,
      );
      expect(killed.length).toBeGreaterThan(0);
      const since = performance.now();
      while (cache.serving && performance.now() - since < 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(cache.serving).toBe(false);
      // Down: nothing is served from memory; a revocation is seen at once although nobody hears it.
      await db.query("update api_keys set revoked_at = now() where id = $1", [revoked.key.id]);
      expect(await lookups(`Bearer ${revoked.apiKey}`)).toEqual({
        ok: false,
        statements: [KEY_BY_HASH],
      });
      expect(await lookups(cached)).toEqual({ ok: true, statements: [KEY_BY_HASH] });
      expect(await lookups(cached)).toEqual({ ok: true, statements: [KEY_BY_HASH] });
      // LISTEN is retried one second after the loss: it was not back yet.
      expect(performance.now() - since).toBeLessThan(1_000);
      // LISTEN is retried every second; once it holds the cache starts empty and serves again.
      while (!cache.serving && performance.now() - since < 5_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(cache.serving).toBe(true);
      expect(cache.size).toBe(0);
      expect(await lookups(cached)).toEqual({ ok: true, statements: [KEY_BY_HASH] });
      expect(await lookups(cached)).toEqual({ ok: true, statements: [] });
      expect(await lookups(`Bearer ${revoked.apiKey}`)).toEqual({
        ok: false,
        statements: [KEY_BY_HASH],
      });
    } finally {
      await cache.close();
      await handle.close();
    }
  });
});
