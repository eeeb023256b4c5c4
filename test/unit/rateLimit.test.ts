import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/policy/rateLimit";

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
