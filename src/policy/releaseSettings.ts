import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import type { TimeGranularity } from "../db/schema/enums";
import type { ReleaseProfile } from "../privacy/releaseParameters";
import { loadReleasePlan, type PlanEntry } from "../privacy/releasePlan";
import { loadReleaseProfile } from "../privacy/releaseProfiles";

/** The channel a trigger on release_plan and release_profiles notifies on every change (payload: the table). */
export const RELEASE_SETTINGS_CHANNEL = "release_settings_changed";

/** The longest a value is served without reading it again (as for keys: for changes a notification misses). */
const MAX_AGE_MS = 60_000;

/** What a request needs of the release settings: the plan (which levels are readable) and a profile (bounds). */
export interface ReleaseSettings {
  plan(): Promise<readonly PlanEntry[]>;
  profile(granularity: TimeGranularity): Promise<ReleaseProfile>;
}

/** Reads the settings from the database every time (jobs, tools, and the cache while it cannot serve). */
export function uncachedReleaseSettings(database: DatabaseHandle): ReleaseSettings {
  return {
    plan: () => loadReleasePlan(database.query),
    profile: (granularity) => loadReleaseProfile(database, granularity),
  };
}

/**
 * The release plan and profiles of a process, read once and kept until they change, so a request
 * reads neither (both are on every buyer request's path). The same rules as the key cache:
 * a trigger NOTIFYs every change, a mutation run here drops everything before it answers, nothing is
 * served until LISTEN holds (nor while its connection is lost), a read that raced a change is not
 * kept, and a value is read again after a minute at most.
 */
export class ReleaseSettingsCache implements ReleaseSettings {
  private readonly values = new Map<string, { value: Promise<unknown>; readAt: number }>();
  private listening = false;
  private closed = false;
  private readonly direct: ReleaseSettings;
  private readonly unlisten: Promise<(() => Promise<void>) | undefined>;
  /** Resolves once the first LISTEN attempt has settled. */
  readonly ready: Promise<void>;

  constructor(
    private readonly database: DatabaseHandle,
    logger: Logger,
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    this.direct = uncachedReleaseSettings(database);
    this.unlisten = database
      .listen(RELEASE_SETTINGS_CHANNEL, {
        onNotify: () => this.clear(),
        onState: (listening) => {
          this.clear();
          this.listening = listening;
        },
      })
      .catch((error: unknown) => {
        logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          "release settings cache cannot LISTEN: the plan and profiles are read on every request",
        );
        return undefined;
      });
    this.ready = this.unlisten.then(() => {});
  }

  plan(): Promise<readonly PlanEntry[]> {
    return this.cached("plan", () => this.direct.plan());
  }

  profile(granularity: TimeGranularity): Promise<ReleaseProfile> {
    return this.cached(`profile:${granularity}`, () => this.direct.profile(granularity));
  }

  /** The settings may have changed in this process (a mutation ran): drop everything now. */
  changedHere(): void {
    this.clear();
    this.database.notifyLocally(RELEASE_SETTINGS_CHANNEL, "*");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clear();
    const unlisten = await this.unlisten;
    await unlisten?.().catch(() => {});
  }

  private clear(): void {
    this.values.clear();
  }

  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (!this.listening || this.closed) return read();
    const entry = this.values.get(key);
    if (entry !== undefined && this.monotonic() - entry.readAt < MAX_AGE_MS) return entry.value as Promise<T>;
    const readAt = this.monotonic();
    const value = read();
    this.values.set(key, { value, readAt });
    // A change while the read is in flight clears the entry (the read may predate it); a failed read is not kept.
    value.catch(() => {
      if (this.values.get(key)?.value === value) this.values.delete(key);
    });
    return value;
  }
}
