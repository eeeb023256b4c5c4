import { getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import type { Clock } from "../clock";
import type { DatabaseHandle } from "../db/client";
import {
  type ApiKeyRow,
  admitRow,
  type Principal,
  type PrincipalResult,
  presentedKey,
  principalOf,
  selectKeyRow,
} from "./principal";
import { WriteBehind } from "./writeBehind";

/** The channel a trigger on api_keys notifies on every change (payload: the key's id, or `*`). */
export const API_KEYS_CHANNEL = "api_keys_changed";

/** Keys held at most; the least recently used goes first. */
const MAX_ENTRIES = 10_000;
/**
 * The longest an entry is served without reading its row again. Notifications are the invalidation;
 * this is the second line of defence for the changes they can miss without the listening connection
 * being seen as lost: a half-open TCP connection the kernel has not noticed yet, or a change made
 * with triggers off (`session_replication_role = replica`, `ALTER TABLE ... DISABLE TRIGGER`, a
 * restore). Such a change still takes effect within a minute.
 */
const MAX_AGE_MS = 60_000;
/**
 * How often recorded uses are written to api_keys.last_used_at: one UPDATE for every key used since
 * the last write, so each key's column is written at most once a minute by a process and lags its
 * last use by at most this much (the resolution the column had when requests wrote it).
 */
const FLUSH_INTERVAL_MS = 60_000;

interface Entry {
  row: ApiKeyRow;
  principal: Principal;
  /** Monotonic milliseconds when the row was read. */
  readAt: number;
}

export interface KeyCacheOptions {
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  maxEntries?: number;
  maxAgeMs?: number;
  flushIntervalMs?: number;
  /** Monotonic milliseconds for entry ages (default performance.now: real time, whatever the clock says). */
  monotonic?: () => number;
}

/**
 * The process's API keys, by the SHA-256 of the key (never the key): each request is admitted from
 * the cached row, revocation and expiry checked against the clock every time, without a statement.
 *
 * - Invalidation: a trigger on api_keys NOTIFYs every insert, update (but a last_used_at-only one),
 *   delete and truncate; this cache LISTENs and drops the key's entry. A GraphQL mutation run in this
 *   process drops every entry of the process before it answers (changedHere), so a key revoked here
 *   is refused on the next request; other processes hear the NOTIFY within milliseconds.
 * - Until LISTEN holds, and whenever its connection is lost, nothing is served from the cache (every
 *   request reads the row) and the cache is emptied when LISTEN holds again: correctness over speed.
 * - A lookup that raced an invalidation is not stored (a generation counter), so a row read just
 *   before a change cannot outlive the change's notification.
 * - Only keys that exist are cached (forged keys cannot fill it, and a key created in another
 *   process works here at once); at most maxEntries, least recently used out first; each entry at
 *   most maxAgeMs old.
 * - Uses are recorded in memory and written to last_used_at off the request path (flushUses), every
 *   flushIntervalMs and at close().
 */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  private generation = 0;
  private listening = false;
  private everListened = false;
  private closed = false;
  /** Each used key's latest use, written to last_used_at off the request path. */
  private readonly uses: WriteBehind<string, Date>;
  private readonly unlisten: Promise<(() => Promise<void>) | undefined>;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly monotonic: () => number;
  /** Resolves once the first LISTEN attempt has settled (serving tells whether it held). */
  readonly ready: Promise<void>;

  constructor(private readonly options: KeyCacheOptions) {
    this.maxEntries = options.maxEntries ?? MAX_ENTRIES;
    this.maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS;
    this.monotonic = options.monotonic ?? (() => performance.now());
    this.uses = new WriteBehind<string, Date>({
      intervalMs: options.flushIntervalMs ?? FLUSH_INTERVAL_MS,
      merge: (pending, at) => (pending < at ? at : pending),
      write: (batch) => writeUses(options.database, batch),
      onError: (error) =>
        options.logger.warn({ err: describe(error) }, "could not record API key uses; retrying later"),
    });
    this.unlisten = options.database
      .listen(API_KEYS_CHANNEL, {
        onNotify: (payload) => this.invalidate(payload),
        onState: (listening) => this.listeningChanged(listening),
      })
      .catch((error: unknown) => {
        options.logger.error(
          { err: describe(error) },
          "key cache cannot LISTEN: keys are read from the database on every request",
        );
        return undefined;
      });
    this.ready = this.unlisten.then(() => {});
  }

  /** True while entries are served (LISTEN holds and the cache is open). */
  get serving(): boolean {
    return this.listening && !this.closed;
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }

  /** Resolves an `Authorization` header value to a principal. Malformed keys never reach the database. */
  async resolve(authorization: string | null): Promise<PrincipalResult> {
    const presented = presentedKey(authorization);
    if (!presented.ok) return presented;
    let entry = this.cached(presented.hash);
    if (entry === undefined) {
      const generation = this.generation;
      const row = await selectKeyRow(this.options.database, presented.hash);
      if (row !== undefined) {
        entry = { row, principal: Object.freeze(principalOf(row)), readAt: this.monotonic() };
        if (this.serving && generation === this.generation) this.store(presented.hash, entry);
      }
    }
    const now = this.options.clock.now();
    const admitted = admitRow(entry?.row, presented, now);
    if (!admitted.ok) return admitted;
    this.uses.record(admitted.row.id, now);
    return { ok: true, principal: entry?.principal ?? principalOf(admitted.row) };
  }

  /**
   * A key may have changed in this process (a mutation ran): every cache of the process drops every
   * entry now, before the change's notification comes back.
   */
  changedHere(): void {
    this.clear();
    this.options.database.notifyLocally(API_KEYS_CHANNEL, "*");
  }

  /** Drops every entry; a lookup in flight is not stored. */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Writes the recorded uses to last_used_at in one statement (never moving it back). */
  flushUses(): Promise<void> {
    return this.uses.flush();
  }

  /** Stops the timer, writes the recorded uses and stops listening. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clear();
    await this.uses.close();
    const unlisten = await this.unlisten;
    await unlisten?.().catch(() => {});
  }

  private cached(hash: string): Entry | undefined {
    if (!this.serving) return undefined;
    const entry = this.entries.get(hash);
    if (entry === undefined) return undefined;
    this.entries.delete(hash);
    if (this.monotonic() - entry.readAt >= this.maxAgeMs) return undefined;
    // Re-inserted: a Map iterates in insertion order, so the first entry is the least recently used.
    this.entries.set(hash, entry);
    return entry;
  }

  private store(hash: string, entry: Entry): void {
    this.entries.delete(hash);
    this.entries.set(hash, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  private invalidate(payload: string): void {
    this.generation++;
    if (payload === "*") {
      this.entries.clear();
      return;
    }
    for (const [hash, entry] of this.entries) {
      if (entry.row.id === payload) this.entries.delete(hash);
    }
  }

  private listeningChanged(listening: boolean): void {
    // Either way what is held may have missed a notification: start empty.
    this.clear();
    this.listening = listening;
    const { logger } = this.options;
    if (!listening) {
      logger.warn(
        "key cache off: its LISTEN connection was lost; keys are read on every request until it is back",
      );
    } else if (this.everListened) {
      logger.info("key cache on again: LISTEN holds");
    }
    this.everListened ||= listening;
  }
}

/** Moves each key's last_used_at to its latest recorded use, in one statement (never back). */
async function writeUses(database: DatabaseHandle, batch: Array<[string, Date]>): Promise<void> {
  await database.query(
    `update api_keys as k set last_used_at = u.at
       from jsonb_to_recordset($1::jsonb) as u(id uuid, at timestamptz)
      where k.id = u.id and (k.last_used_at is null or k.last_used_at < u.at)`,
    [JSON.stringify(batch.map(([id, at]) => ({ id, at })))],
  );
}

/** A plugin that drops the process's cached keys and release settings when a GraphQL mutation has run, before it answers. */
export function keyCacheInvalidation(...caches: Array<{ changedHere(): void }>): Plugin {
  return {
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== "mutation") return;
      return {
        onExecuteDone: () => {
          for (const cache of caches) cache.changedHere();
        },
      };
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
