import pino from "pino";
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/policy/rateLimit";
import { UnauthenticatedGate } from "../../src/policy/unauthenticated";

describe("RateLimiter", () => {
  it("allows a burst of the capacity, then one token per 60 s / capacity", () => {
    const limiter = new RateLimiter();
    for (let i = 0; i < 6; i++) expect(limiter.take("k", 0, 6)).toBe(0);
    expect(limiter.take("k", 0, 6)).toBe(10);
    expect(limiter.take("k", 9_999, 6)).toBe(1);
    expect(limiter.take("k", 10_000, 6)).toBe(0);
    expect(limiter.take("other", 10_000, 6)).toBe(0);
  });

  it("a clock that steps back neither drains nor refills the bucket", () => {
    const limiter = new RateLimiter();
    expect(limiter.take("k", 3_600_000, 6)).toBe(0);
    // Five hours back: before the fix the bucket went deeply negative and refused for hours.
    expect(limiter.take("k", 3_600_000 - 5 * 3_600_000, 6)).toBe(0);
    for (let i = 0; i < 4; i++) expect(limiter.take("k", 0, 6)).toBe(0);
    expect(limiter.take("k", 0, 6)).toBeGreaterThan(0);
    expect(limiter.take("k", 3_600_000 + 10_000, 6)).toBe(0);
  });

  it("takes several tokens at once or none, and says when that many are there", () => {
    const limiter = new RateLimiter();
    expect(limiter.take("k", 0, 6, 4)).toBe(0);
    // Two left: four more need two more tokens, 20 s at 6 a minute; nothing is taken meanwhile.
    expect(limiter.take("k", 0, 6, 4)).toBe(20);
    expect(limiter.take("k", 0, 6, 2)).toBe(0);
    expect(limiter.take("k", 0, 6)).toBe(10);
  });
});

describe("RateLimiter.peek and prune", () => {
  it("peek takes nothing and says when a token is there", () => {
    const limiter = new RateLimiter();
    expect(limiter.peek("k", 0, 6)).toBe(0);
    for (let i = 0; i < 6; i++) limiter.take("k", 0, 6);
    expect(limiter.peek("k", 0, 6)).toBe(10);
    expect(limiter.peek("k", 0, 6)).toBe(10);
    expect(limiter.peek("k", 10_000, 6)).toBe(0);
    expect(limiter.take("k", 10_000, 6)).toBe(0);
  });

  it("prune forgets the buckets used longest ago", () => {
    const limiter = new RateLimiter();
    limiter.take("a", 0, 1);
    limiter.take("b", 0, 1);
    limiter.take("a", 1, 1);
    limiter.prune(1);
    expect(limiter.peek("a", 1, 1)).toBeGreaterThan(0);
    expect(limiter.peek("b", 1, 1)).toBe(0);
  });
});

describe("UnauthenticatedGate", () => {
  it("logs at most N rows per address and minute and reports the rest when the next minute starts", () => {
    const warnings: unknown[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(JSON.parse(line)) });
    const gate = new UnauthenticatedGate({ perMinute: 100, logRowsPerMinute: 2, logger });
    const decisions = Array.from({ length: 5 }, () => gate.mayLog("198.51.100.1", 1_000));
    expect(decisions).toEqual([true, true, false, false, false]);
    expect(gate.mayLog("198.51.100.2", 1_000)).toBe(true);
    expect(gate.mayLog("198.51.100.1", 61_000)).toBe(true);
    expect(warnings).toMatchObject([{ msg: "unauthenticated refusals not logged", count: 3 }]);
  });
});
