import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { type DatabaseHandle, openDatabase } from "../../src/db/client";
import { generateApiKey } from "../../src/policy/apiKeyFormat";
import { API_KEYS_CHANNEL, KeyCache } from "../../src/policy/keyCache";
import { KEY_BY_HASH } from "../../src/policy/principal";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, notificationsSettled, type TestDatabase } from "../support/database";
import { recordingHandle } from "../support/redteam";

// The per-process key cache on the backend under test: what it serves without a statement, and
// every way a change reaches it. Two server processes on one PostgreSQL database are in
// test/postgres/keyCacheProcesses.test.ts.

const BACKEND = process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite";
const clock = fixedClock("2026-03-01T12:00:00Z");
const silent = pino({ level: "silent" });
const QUERY = "{ __typename }";

let db: TestDatabase;
let recording: ReturnType<typeof recordingHandle>;
let operatorKey: string;
/** Another process's view of the database: its own pool and LISTEN connection on PostgreSQL; the same handle on PGlite (one process owns it). */
let other: DatabaseHandle;
const caches: KeyCache[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  recording = recordingHandle(db);
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  other =
    db.kind === "postgres" && db.url !== undefined
      ? await openDatabase({ kind: "postgres", url: db.url, maxConnections: 2 })
      : db;
});
afterAll(async () => {
  for (const cache of caches) await cache.close();
  if (other !== undefined && other !== db) await other.close();
  await db?.destroy();
});

/** An app on the recording handle, once its cache listens. */
async function recordedApp(appClock = clock) {
  const api = testApp(recording.handle, appClock);
  caches.push(api.app.keys);
  await api.app.keys.ready;
  expect(api.app.keys.serving).toBe(true);
  return api;
}

/** Every notification sent so far has reached the listeners of `handle` (see notificationsSettled). */
function settled(handle: DatabaseHandle = db): Promise<void> {
  return notificationsSettled(handle, API_KEYS_CHANNEL);
}

/** What the app sent while `work` ran, but the request log rows it writes by design. */
async function statementsOf(work: () => Promise<unknown>, recorder = recording): Promise<string[]> {
  recorder.reset();
  await work();
  return recorder.statements().filter((text) => !/\brequest_logs\b/.test(text));
}

async function status(api: ReturnType<typeof testApp>, key: string) {
  const { status, body } = await api.graphql(QUERY, { key });
  return status === 200 ? "OK" : String(body.errors?.[0]?.extensions?.reason);
}

/** Polls every 50 ms until `api` refuses `key`; the milliseconds it took (Infinity past 3 s). */
async function msUntilRefused(api: ReturnType<typeof testApp>, key: string, since: number) {
  while (performance.now() - since < 3_000) {
    if ((await status(api, key)) === "INVALID") return performance.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Number.POSITIVE_INFINITY;
}

describe(`the key cache (${BACKEND})`, () => {
  it("reads a key once, then admits it without a statement; revokeApiKey takes effect on the very next request", async () => {
    const api = await recordedApp();
    const issued = await issueTestKey(db, "internal", { clock });
    await settled();
    expect(await statementsOf(() => api.graphql(QUERY, { key: issued.apiKey }))).toEqual([KEY_BY_HASH]);
    for (let request = 0; request < 3; request++) {
      expect(await statementsOf(async () => expect(await status(api, issued.apiKey)).toBe("OK"))).toEqual([]);
    }
    const revoked = await api.graphql(
      "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { userErrors { code } } }",
      { key: operatorKey, variables: { id: issued.key.id } },
    );
    expect(revoked.body.data?.revokeApiKey).toEqual({ userErrors: [] });
    // The mutation emptied the cache before it answered: the row is read again, revoked.
    expect(await statementsOf(async () => expect(await status(api, issued.apiKey)).toBe("INVALID"))).toEqual([
      KEY_BY_HASH,
    ]);
    // A revoked key stays refused from the cache (once the revocation's own notification is in).
    await settled();
    await status(api, issued.apiKey);
    expect(await statementsOf(async () => expect(await status(api, issued.apiKey)).toBe("INVALID"))).toEqual(
      [],
    );
  });

  it("refuses a cached key once the clock passes its expiry, and a revocation set for later once the clock reaches it", async () => {
    const moving = fixedClock(clock.now());
    const api = await recordedApp(moving);
    const expiring = await issueTestKey(db, "internal", {
      clock,
      expiresAt: new Date(clock.now().getTime() + 3_600_000),
    });
    const later = await issueTestKey(db, "internal", { clock });
    await db.query("update api_keys set revoked_at = $1 where id = $2", [
      new Date(clock.now().getTime() + 1_800_000),
      later.key.id,
    ]);
    await settled();
    for (const key of [expiring.apiKey, later.apiKey]) {
      expect(await status(api, key)).toBe("OK");
      expect(await statementsOf(async () => expect(await status(api, key)).toBe("OK"))).toEqual([]);
    }
    moving.set(new Date(clock.now().getTime() + 1_800_000));
    expect(await statementsOf(async () => expect(await status(api, later.apiKey)).toBe("INVALID"))).toEqual(
      [],
    );
    expect(await statementsOf(async () => expect(await status(api, expiring.apiKey)).toBe("OK"))).toEqual([]);
    moving.set(new Date(clock.now().getTime() + 3_600_000));
    expect(
      await statementsOf(async () => expect(await status(api, expiring.apiKey)).toBe("INVALID")),
    ).toEqual([]);
  });

  it("does not remember unknown keys: a key created after a miss works at once, here and in another process", async () => {
    const here = await recordedApp();
    const elsewhere = testApp(other, clock);
    caches.push(elsewhere.app.keys);
    await elsewhere.app.keys.ready;
    const generated = generateApiKey("internal");
    expect(await status(here, generated.plaintext)).toBe("INVALID");
    expect(await status(elsewhere, generated.plaintext)).toBe("INVALID");
    await db.query(
      "insert into api_keys (name, prefix, key_hash, role, created_by) values ('late', $1, $2, 'internal', 'test')",
      [generated.displayPrefix, generated.hash],
    );
    expect(await status(here, generated.plaintext)).toBe("OK");
    expect(await status(elsewhere, generated.plaintext)).toBe("OK");
  });

  it("hears a change made with plain SQL: in this process and in another within a second", async () => {
    const here = await recordedApp();
    const elsewhere = testApp(other, clock);
    caches.push(elsewhere.app.keys);
    await elsewhere.app.keys.ready;
    expect(elsewhere.app.keys.serving).toBe(true);
    const issued = await issueTestKey(db, "internal", { clock });
    // The insert's own notification must not overlap the first lookups (a lookup that overlaps a
    // notification is, rightly, not kept), or nothing would be cached to be told of the revocation.
    await settled();
    for (const api of [here, elsewhere]) {
      expect(await status(api, issued.apiKey)).toBe("OK");
      expect(await status(api, issued.apiKey)).toBe("OK");
    }
    expect(here.app.keys.size).toBeGreaterThan(0);
    const since = performance.now();
    await db.query("update api_keys set revoked_at = $1 where id = $2", [clock.now(), issued.key.id]);
    const hereMs = await msUntilRefused(here, issued.apiKey, since);
    const elsewhereMs = await msUntilRefused(elsewhere, issued.apiKey, since);
    expect(hereMs).toBeLessThan(1_000);
    expect(elsewhereMs).toBeLessThan(1_000);
    // Deleting a key (and emptying the table) reaches the cache as well.
    const deleted = await issueTestKey(db, "internal", { clock });
    expect(await status(here, deleted.apiKey)).toBe("OK");
    await db.query("delete from api_keys where id = $1", [deleted.key.id]);
    expect(await msUntilRefused(here, deleted.apiKey, performance.now())).toBeLessThan(1_000);
  });

  it("holds only keys that exist, at most maxEntries of them, least recently used out first", async () => {
    const cache = new KeyCache({ database: recording.handle, clock, logger: silent, maxEntries: 2 });
    caches.push(cache);
    await cache.ready;
    const keys = await Promise.all(
      [1, 2, 3].map(async () => (await issueTestKey(db, "internal", { clock })).apiKey),
    );
    await settled();
    const resolve = async (key: string) => {
      const result = await cache.resolve(`Bearer ${key}`);
      return result.ok ? "OK" : result.reason;
    };
    for (const key of keys) expect(await resolve(key)).toBe("OK");
    expect(cache.size).toBe(2);
    // The first key was pushed out: it is read again; the third is still held.
    expect(await statementsOf(() => resolve(keys[0] ?? ""))).toEqual([KEY_BY_HASH]);
    expect(await statementsOf(() => resolve(keys[2] ?? ""))).toEqual([]);
    // A flood of well-formed forged keys: each is looked up, none is held.
    const forged = Array.from({ length: 50 }, () => generateApiKey("buyer").plaintext);
    const statements = await statementsOf(async () => {
      for (const key of forged) expect(await resolve(key)).toBe("unknown");
    });
    expect(statements).toHaveLength(50);
    expect(cache.size).toBe(2);
    // Malformed keys never reach the database.
    expect(await statementsOf(() => resolve("ib_internal_short"))).toEqual([]);
  });

  it("reads an entry again once it is maxAgeMs old, whatever the request clock says", async () => {
    let monotonic = 0;
    const cache = new KeyCache({
      database: recording.handle,
      clock,
      logger: silent,
      maxAgeMs: 60_000,
      monotonic: () => monotonic,
    });
    caches.push(cache);
    await cache.ready;
    const key = `Bearer ${(await issueTestKey(db, "internal", { clock })).apiKey}`;
    await settled();
    expect(await statementsOf(() => cache.resolve(key))).toEqual([KEY_BY_HASH]);
    monotonic = 59_999;
    expect(await statementsOf(() => cache.resolve(key))).toEqual([]);
    monotonic = 60_000;
    expect(await statementsOf(() => cache.resolve(key))).toEqual([KEY_BY_HASH]);
  });

  it("serves nothing from the cache until LISTEN holds", async () => {
    const key = `Bearer ${(await issueTestKey(db, "internal", { clock })).apiKey}`;
    // On PostgreSQL a fresh pool, whose LISTEN connection is not open yet.
    const fresh =
      db.kind === "postgres" && db.url !== undefined
        ? await openDatabase({ kind: "postgres", url: db.url, maxConnections: 2 })
        : db;
    const recorder = recordingHandle(fresh);
    try {
      await settled();
      const cache = new KeyCache({ database: recorder.handle, clock, logger: silent });
      caches.push(cache);
      expect(cache.serving).toBe(false);
      // Looked up before LISTEN holds: read, and not kept (even if LISTEN comes up meanwhile).
      expect(await statementsOf(() => cache.resolve(key), recorder)).toEqual([KEY_BY_HASH]);
      await cache.ready;
      expect(cache.serving).toBe(true);
      expect(await statementsOf(() => cache.resolve(key), recorder)).toEqual([KEY_BY_HASH]);
      expect(await statementsOf(() => cache.resolve(key), recorder)).toEqual([]);
      await cache.close();
      expect(cache.serving).toBe(false);
    } finally {
      if (fresh !== db) await fresh.close();
    }
  });

  it("writes uses to last_used_at off the request path, in one statement, without dropping cached keys", async () => {
    const moving = fixedClock(clock.now());
    const api = await recordedApp(moving);
    const first = await issueTestKey(db, "internal", { clock });
    const second = await issueTestKey(db, "tenant", { clock });
    await settled();
    const lastUsed = async (id: string) =>
      (
        await db.query<{ at: string | null }>("select last_used_at::text as at from api_keys where id = $1", [
          id,
        ])
      )[0]?.at ?? null;
    const requests = await statementsOf(async () => {
      for (const key of [first.apiKey, second.apiKey, first.apiKey])
        expect(await status(api, key)).toBe("OK");
      moving.set(new Date(clock.now().getTime() + 90_000));
      expect(await status(api, first.apiKey)).toBe("OK");
    });
    expect(requests).toEqual([KEY_BY_HASH, KEY_BY_HASH]);
    expect(await lastUsed(first.key.id)).toBeNull();
    const flush = await statementsOf(() => api.app.keys.flushUses());
    expect(flush).toHaveLength(1);
    expect(flush[0]).toMatch(/^update api_keys/);
    expect(new Date((await lastUsed(first.key.id)) ?? "").toISOString()).toBe(
      new Date(clock.now().getTime() + 90_000).toISOString(),
    );
    expect(new Date((await lastUsed(second.key.id)) ?? "").toISOString()).toBe(clock.now().toISOString());
    // Nothing new: no statement. Writing last_used_at notified nobody: both keys are still cached.
    expect(await statementsOf(() => api.app.keys.flushUses())).toEqual([]);
    expect(await statementsOf(async () => expect(await status(api, second.apiKey)).toBe("OK"))).toEqual([]);
    // A use older than what is stored (another process was later) never moves it back.
    moving.set(clock.now());
    expect(await status(api, first.apiKey)).toBe("OK");
    await api.app.keys.flushUses();
    expect(new Date((await lastUsed(first.key.id)) ?? "").toISOString()).toBe(
      new Date(clock.now().getTime() + 90_000).toISOString(),
    );
  });

  it("refusals record no use", async () => {
    const api = await recordedApp();
    const issued = await issueTestKey(db, "internal", { clock });
    await db.query("update api_keys set revoked_at = $1 where id = $2", [clock.now(), issued.key.id]);
    await settled();
    expect(await status(api, issued.apiKey)).toBe("INVALID");
    expect(await statementsOf(() => api.app.keys.flushUses())).toEqual([]);
  });
});
