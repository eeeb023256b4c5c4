import { createCipheriv, createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyedNoiseStream, seededUniformSource, type UniformSource } from "../../src/privacy/noiseStream";
import { chiSquareCritical } from "../support/statistics";

const ALPHA = 1e-6;
const GOLDEN_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const GOLDEN_CELL = "day|2026-01-05T00:00:00Z|city_code|us-nyc|spot|coffee|morning";
const GOLDEN_METRIC = "unique_participants";

function seedFor(label: string): Buffer {
  return createHash("sha256").update(`noiseStream.test|${label}`).digest();
}

function keystream(seed: Buffer, length: number): Buffer {
  return createCipheriv("aes-256-ctr", seed, Buffer.alloc(16)).update(Buffer.alloc(length));
}

function draws(source: UniformSource, n: bigint, count: number): bigint[] {
  return Array.from({ length: count }, () => source.below(n));
}

function expectUniform(values: bigint[], buckets: number, bucketOf: (v: bigint) => number): void {
  const counts = new Array<number>(buckets).fill(0);
  for (const v of values) {
    const b = bucketOf(v);
    counts[b] = (counts[b] ?? 0) + 1;
  }
  const expected = values.length / buckets;
  expect(expected).toBeGreaterThanOrEqual(5);
  const statistic = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
  expect(statistic).toBeLessThan(chiSquareCritical(buckets - 1, ALPHA));
}

describe("chi-square critical values used by these tests", () => {
  it("match closed forms: df 2 is 2 ln(1/alpha), df 1 is the squared two-sided normal quantile", () => {
    expect(chiSquareCritical(2, ALPHA)).toBeCloseTo(2 * Math.log(1e6), 6);
    expect(Math.sqrt(chiSquareCritical(1, ALPHA))).toBeCloseTo(4.891638, 5);
  });
});

describe("seededUniformSource expansion", () => {
  it("is the AES-256-CTR keystream (zero IV) read byte by byte, seamless across buffer refills", () => {
    const seed = seedFor("bytes");
    const bytes = draws(seededUniformSource(seed), 256n, 40_000).map((v) => Number(v));
    expect(bytes).toEqual([...keystream(seed, 40_000)]);
  });

  it("reads the fewest whole big-endian bytes and masks the top byte to the bit length of n - 1", () => {
    const seed = seedFor("multibyte");
    const ks = keystream(seed, 4_000);
    const twelveBit = draws(seededUniformSource(seed), 2n ** 12n, 2_000);
    expect(twelveBit).toEqual(
      Array.from({ length: 2_000 }, (_, i) => BigInt(((ks[2 * i]! & 0x0f) << 8) | ks[2 * i + 1]!)),
    );
    const wide = draws(seededUniformSource(seed), 2n ** 64n, 500);
    expect(wide).toEqual(Array.from({ length: 500 }, (_, i) => ks.readBigUInt64BE(8 * i)));
  });

  it("rejects out-of-range candidates instead of reducing them modulo n", () => {
    const seed = seedFor("reject");
    const expected = [...keystream(seed, 3_000)].filter((b) => b < 200).map((b) => BigInt(b));
    expect(draws(seededUniformSource(seed), 200n, expected.length)).toEqual(expected);
  });

  it("answers below(1n) with 0n without consuming any randomness", () => {
    const seed = seedFor("one");
    const plain = draws(seededUniformSource(seed), 1_000n, 50);
    const interleaved = seededUniformSource(seed);
    const mixed = plain.map(() => {
      expect(interleaved.below(1n)).toBe(0n);
      return interleaved.below(1_000n);
    });
    expect(mixed).toEqual(plain);
  });

  it("refuses n < 1 and seeds that are not 32 bytes", () => {
    const source = seededUniformSource(seedFor("refuse"));
    expect(() => source.below(0n)).toThrow(/n >= 1/);
    expect(() => source.below(-5n)).toThrow(/n >= 1/);
    expect(() => seededUniformSource(Buffer.alloc(31))).toThrow(/32 bytes/);
  });
});

describe("below(n)", () => {
  it("never returns a value >= n, and uses the high bits, for n from 2 up to 2^64", () => {
    const sizes = [
      2n,
      3n,
      7n,
      255n,
      256n,
      257n,
      1_000n,
      2n ** 31n + 1n,
      2n ** 48n - 1n,
      2n ** 48n,
      2n ** 48n + 1n,
      2n ** 53n + 1n,
      2n ** 63n + 1n,
      2n ** 64n - 1n,
      2n ** 64n,
    ];
    const source = seededUniformSource(seedFor("range"));
    for (const n of sizes) {
      const values = draws(source, n, 2_000);
      expect(values.every((v) => v >= 0n && v < n)).toBe(true);
      // With 2,000 uniform draws, all landing in one half has probability 2^-1999.
      expect(values.some((v) => v >= n / 2n)).toBe(true);
      expect(values.some((v) => v < n / 2n)).toBe(true);
    }
  });

  it("is uniform over 6 values (chi-square, df 5, alpha 1e-6)", () => {
    const values = draws(seededUniformSource(seedFor("six")), 6n, 60_000);
    expectUniform(values, 6, (v) => Number(v));
  });

  it("is uniform over 1000 values (chi-square, df 999, alpha 1e-6)", () => {
    const values = draws(seededUniformSource(seedFor("thousand")), 1_000n, 300_000);
    expectUniform(values, 1_000, (v) => Number(v));
  });

  it("is uniform in 16 equal slices for n = 2^64, 2^63 + 1 and 3 * 2^62 (BigInt path)", () => {
    // 2^63 + 1 rejects half the candidates; at 3 * 2^62, reducing modulo n would double the lowest third.
    for (const n of [2n ** 64n, 2n ** 63n + 1n, 3n * 2n ** 62n]) {
      const values = draws(seededUniformSource(seedFor(`slices ${n}`)), n, 40_000);
      expectUniform(values, 16, (v) => Number((v * 16n) / n));
    }
  });
});

describe("keyedNoiseStream", () => {
  it("is seeded with HMAC-SHA256(key, cellKey|metric|releaseVersion)", () => {
    const seed = createHmac("sha256", GOLDEN_KEY).update(`${GOLDEN_CELL}|${GOLDEN_METRIC}|1`).digest();
    const keyed = draws(keyedNoiseStream(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 1), 2n ** 40n, 100);
    expect(keyed).toEqual(draws(seededUniformSource(seed), 2n ** 40n, 100));
  });

  it("produces the golden words for the fixed key and cell (checked against openssl)", () => {
    const source = keyedNoiseStream(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 1);
    expect(draws(source, 2n ** 32n, 8)).toEqual([
      3417361276n,
      1484821109n,
      1778850340n,
      595824317n,
      2989039014n,
      1679870142n,
      3743208438n,
      2364181718n,
    ]);
  });

  it("repeats for the same inputs and differs when the metric, cell key, version or key changes", () => {
    const first = (key: Buffer, cell: string, metric: string, version: number) =>
      draws(keyedNoiseStream(key, cell, metric, version), 2n ** 32n, 16);
    const base = first(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 1);
    expect(first(Buffer.from(GOLDEN_KEY), GOLDEN_CELL, GOLDEN_METRIC, 1)).toEqual(base);
    const otherKey = Buffer.from(GOLDEN_KEY);
    otherKey[31] = 0;
    const variants = [
      first(GOLDEN_KEY, GOLDEN_CELL, "doors_opened", 1),
      first(GOLDEN_KEY, GOLDEN_CELL.replace("us-nyc", "us-sfo"), GOLDEN_METRIC, 1),
      first(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 2),
      first(otherKey, GOLDEN_CELL, GOLDEN_METRIC, 1),
    ];
    for (const variant of variants) expect(variant).not.toEqual(base);
    expect(new Set(variants.map((v) => v.join(","))).size).toBe(variants.length);
  });

  it("refuses an empty key and a release version that is not a positive integer", () => {
    expect(() => keyedNoiseStream(Buffer.alloc(0), GOLDEN_CELL, GOLDEN_METRIC, 1)).toThrow(/empty/);
    expect(() => keyedNoiseStream(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 0)).toThrow(/positive integer/);
    expect(() => keyedNoiseStream(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 1.5)).toThrow(/positive integer/);
  });
});
