import type { Logger } from "pino";
import { RateLimiter } from "./rateLimit";

/** How many addresses the gate remembers before it forgets those seen longest ago. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Bounds what requests without a valid key cost, per client address (per API process):
 * - at most `perMinute` failed authentications a minute (token bucket); once an address has none
 *   left, its requests are refused RATE_LIMITED before any key lookup, whatever key they carry;
 * - at most `logRowsPerMinute` request_logs rows a minute; the rest are counted and the count is
 *   written to the process log when the address's next minute starts.
 */
export class UnauthenticatedGate {
  private readonly limiter = new RateLimiter();
  private readonly logWindows = new Map<string, { minute: number; rows: number; suppressed: number }>();

  constructor(private readonly options: { perMinute: number; logRowsPerMinute: number; logger: Logger }) {}

  /** 0 when the address may try a key; otherwise the seconds until it may. Takes nothing. */
  check(address: string, nowMs: number): number {
    return this.limiter.peek(address, nowMs, this.options.perMinute);
  }

  /** Records one request of the address that had no valid key. */
  failed(address: string, nowMs: number): void {
    this.limiter.take(address, nowMs, this.options.perMinute);
    this.limiter.prune(MAX_TRACKED_ADDRESSES);
  }

  /** Whether this unauthenticated request of the address gets a request_logs row. */
  mayLog(address: string, nowMs: number): boolean {
    const minute = Math.floor(nowMs / 60_000);
    let window = this.logWindows.get(address);
    if (window === undefined || window.minute !== minute) {
      if (window !== undefined && window.suppressed > 0) {
        this.options.logger.warn(
          { address, minute: new Date(window.minute * 60_000).toISOString(), count: window.suppressed },
          "unauthenticated refusals not logged",
        );
      }
      window = { minute, rows: 0, suppressed: 0 };
      this.logWindows.delete(address);
      this.logWindows.set(address, window);
      if (this.logWindows.size > MAX_TRACKED_ADDRESSES) {
        const oldest = this.logWindows.keys().next().value;
        if (oldest !== undefined) this.logWindows.delete(oldest);
      }
    }
    if (window.rows < this.options.logRowsPerMinute) {
      window.rows += 1;
      return true;
    }
    window.suppressed += 1;
    return false;
  }
}
