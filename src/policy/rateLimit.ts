/**
 * Per-key token buckets: `perMinute` requests a minute with a burst of the same size. In memory,
 * so each API process enforces it on its own (N replicas allow N times the rate).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  /**
   * Takes `count` tokens (at most `capacity`) or none; returns 0 when allowed, otherwise the seconds
   * until that many are there.
   */
  take(key: string, nowMs: number, capacity: number, count = 1): number {
    const refillPerMs = capacity / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, updatedAt: nowMs };
    // A clock that steps back (NTP, a replayed clock) refills nothing, and never drains the bucket.
    const elapsed = Math.max(0, nowMs - bucket.updatedAt);
    bucket.tokens = Math.min(capacity, bucket.tokens + elapsed * refillPerMs);
    bucket.updatedAt = Math.max(nowMs, bucket.updatedAt);
    // Re-inserted so that the map's order is the order of last use (prune forgets the oldest).
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= count) {
      bucket.tokens -= count;
      return 0;
    }
    return Math.max(1, Math.ceil((count - bucket.tokens) / refillPerMs / 1000));
  }

  /** Like `take` with count 1, but takes nothing: 0 when a token is there, otherwise the seconds until one is. */
  peek(key: string, nowMs: number, capacity: number): number {
    const bucket = this.buckets.get(key);
    if (bucket === undefined) return 0;
    const refillPerMs = capacity / 60_000;
    const tokens = Math.min(capacity, bucket.tokens + Math.max(0, nowMs - bucket.updatedAt) * refillPerMs);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / refillPerMs / 1000));
  }

  /** Keeps at most `max` buckets, forgetting those used longest ago (a forgotten bucket is full again). */
  prune(max: number): void {
    while (this.buckets.size > max) {
      const oldest = this.buckets.keys().next().value;
      if (oldest === undefined) return;
      this.buckets.delete(oldest);
    }
  }
}
