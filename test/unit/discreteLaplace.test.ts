import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  type RationalScale,
  sampleBernoulliExp,
  sampleDiscreteLaplace,
} from "../../src/privacy/discreteLaplace";
import { keyedNoiseStream, seededUniformSource, type UniformSource } from "../../src/privacy/noiseStream";
import { noiseScaleFor, rationalFromDecimal, rationalToNumber } from "../../src/privacy/rational";
import { chiSquareCritical } from "../support/statistics";

const ALPHA = 1e-6;
const DRAWS = 1_000_000;
const GOLDEN_KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const GOLDEN_CELL = "day|2026-01-05T00:00:00Z|city_code|us-nyc|spot|coffee|morning";
const GOLDEN_METRIC = "unique_participants";

function sourceFor(label: string): UniformSource {
  return seededUniformSource(createHash("sha256").update(`discreteLaplace.test|${label}`).digest());
}

/** Two-sided normal quantile at alpha: a chi-square(1) critical value is its square. */
const Z = Math.sqrt(chiSquareCritical(1, ALPHA));

function expectBinomial(count: number, trials: number, p: number): void {
  expect(Math.abs(count - trials * p)).toBeLessThanOrEqual(Z * Math.sqrt(trials * p * (1 - p)));
}

/** The exact discrete Laplace law with scale t: P(x) = (1 - q) / (1 + q) q^|x|, q = e^(-1/t). */
function law(scale: RationalScale) {
  const q = Math.exp(-Number(scale.denominator) / Number(scale.numerator));
  return {
    pmf: (x: number) => ((1 - q) / (1 + q)) * q ** Math.abs(x),
    /** P(X > m) = P(X < -m) for m >= 0. */
    tailBeyond: (m: number) => q ** (m + 1) / (1 + q),
  };
}

const SCALES: Record<string, RationalScale> = {
  "16/1": { numerator: 16n, denominator: 1n },
  "5/2": { numerator: 5n, denominator: 2n },
  "1/3": { numerator: 1n, denominator: 3n },
};

const sampleCache = new Map<string, Map<number, number>>();

/** DRAWS draws per scale, tallied by value; shared by the tests of one scale. */
function countsFor(label: string): Map<number, number> {
  const cached = sampleCache.get(label);
  if (cached !== undefined) return cached;
  const scale = SCALES[label]!;
  const source = sourceFor(`scale ${label}`);
  const counts = new Map<number, number>();
  for (let i = 0; i < DRAWS; i++) {
    const x = Number(sampleDiscreteLaplace(scale, source));
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  sampleCache.set(label, counts);
  return counts;
}

describe("sampleDiscreteLaplace", () => {
  describe.each(Object.keys(SCALES))("at scale %s over 1,000,000 draws", (label) => {
    const scale = SCALES[label]!;
    const { pmf, tailBeyond } = law(scale);

    it("fits the exact pmf (chi-square, tails pooled so every expected count >= 5, alpha 1e-6)", () => {
      const counts = countsFor(label);
      let m = 0;
      while (DRAWS * tailBeyond(m + 1) >= 5 && DRAWS * pmf(m + 1) >= 5) m++;
      let below = 0;
      let above = 0;
      for (const [x, c] of counts) {
        if (x < -m) below += c;
        if (x > m) above += c;
      }
      const bins: Array<[observed: number, expected: number]> = [
        [below, DRAWS * tailBeyond(m)],
        [above, DRAWS * tailBeyond(m)],
      ];
      for (let x = -m; x <= m; x++) bins.push([counts.get(x) ?? 0, DRAWS * pmf(x)]);
      expect(Math.min(...bins.map(([, e]) => e))).toBeGreaterThanOrEqual(5);
      expect(bins.reduce((acc, [o]) => acc + o, 0)).toBe(DRAWS);
      const statistic = bins.reduce((acc, [o, e]) => acc + (o - e) ** 2 / e, 0);
      expect(statistic).toBeLessThan(chiSquareCritical(bins.length - 1, ALPHA));
    });

    it("is symmetric: +x and -x agree overall and per magnitude (binomial and chi-square, alpha 1e-6)", () => {
      const counts = countsFor(label);
      let positive = 0;
      let negative = 0;
      for (const [x, c] of counts) {
        if (x > 0) positive += c;
        if (x < 0) negative += c;
      }
      expectBinomial(positive, positive + negative, 0.5);
      // Given c(+x) + c(-x), c(+x) is Binomial(., 1/2); the sum of squared standardised gaps is chi-square.
      let statistic = 0;
      let groups = 0;
      let pooledPlus = 0;
      let pooledMinus = 0;
      const largest = Math.max(...[...counts.keys()].map((x) => Math.abs(x)));
      for (let x = 1; x <= largest; x++) {
        const plus = counts.get(x) ?? 0;
        const minus = counts.get(-x) ?? 0;
        if (plus + minus >= 20) {
          statistic += (plus - minus) ** 2 / (plus + minus);
          groups++;
        } else {
          pooledPlus += plus;
          pooledMinus += minus;
        }
      }
      if (pooledPlus + pooledMinus > 0) {
        statistic += (pooledPlus - pooledMinus) ** 2 / (pooledPlus + pooledMinus);
        groups++;
      }
      expect(groups).toBeGreaterThanOrEqual(label === "1/3" ? 2 : 10);
      expect(statistic).toBeLessThan(chiSquareCritical(groups, ALPHA));
    });

    it("draws 0 with its exact probability (1 - q) / (1 + q)", () => {
      expectBinomial(countsFor(label).get(0) ?? 0, DRAWS, pmf(0));
    });

    it("puts the exact mass 2 q^m / (1 + q) on |X| >= m = ceil(3t)", () => {
      const m = Math.ceil((3 * Number(scale.numerator)) / Number(scale.denominator));
      let tail = 0;
      for (const [x, c] of countsFor(label)) if (Math.abs(x) >= m) tail += c;
      const exact = 2 * tailBeyond(m - 1);
      expect(DRAWS * exact).toBeGreaterThan(50);
      expectBinomial(tail, DRAWS, exact);
    });
  });

  it("refuses a scale that is not a positive rational", () => {
    const source = sourceFor("refuse");
    expect(() => sampleDiscreteLaplace({ numerator: 0n, denominator: 1n }, source)).toThrow(/positive/);
    expect(() => sampleDiscreteLaplace({ numerator: 1n, denominator: 0n }, source)).toThrow(/positive/);
    expect(() => sampleDiscreteLaplace({ numerator: -4n, denominator: 1n }, source)).toThrow(/positive/);
  });
});

describe("sampleBernoulliExp", () => {
  const TRIALS = 200_000;

  it("is always true for gamma = 0", () => {
    const source = sourceFor("bernoulli 0");
    let hits = 0;
    for (let i = 0; i < TRIALS; i++) if (sampleBernoulliExp(0n, 7n, source)) hits++;
    expect(hits).toBe(TRIALS);
  });

  it.each([
    [1, 3],
    [1, 1],
    [5, 2],
    [7, 7],
    [7, 3],
  ])("hits exp(-%s/%s) within a binomial bound at alpha 1e-6", (numerator, denominator) => {
    const source = sourceFor(`bernoulli ${numerator}/${denominator}`);
    let hits = 0;
    for (let i = 0; i < TRIALS; i++) {
      if (sampleBernoulliExp(BigInt(numerator), BigInt(denominator), source)) hits++;
    }
    expectBinomial(hits, TRIALS, Math.exp(-numerator / denominator));
  });

  it("refuses a negative gamma and a non-positive denominator", () => {
    const source = sourceFor("bernoulli refuse");
    expect(() => sampleBernoulliExp(-1n, 2n, source)).toThrow(/>= 0/);
    expect(() => sampleBernoulliExp(1n, 0n, source)).toThrow(/denominator/);
  });
});

describe("keyed discrete Laplace noise", () => {
  const SCALE_16: RationalScale = { numerator: 16n, denominator: 1n };
  const firstTen = (key: Buffer, cell: string, metric: string, version: number) => {
    const source = keyedNoiseStream(key, cell, metric, version);
    return Array.from({ length: 10 }, () => sampleDiscreteLaplace(SCALE_16, source));
  };

  it("reproduces the golden vector for the fixed key, cell, metric and version at scale 16/1", () => {
    expect(firstTen(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 1)).toEqual([
      12n,
      23n,
      -9n,
      6n,
      5n,
      -4n,
      -11n,
      -19n,
      3n,
      -14n,
    ]);
  });

  it("repeats for the same inputs and changes with the metric, cell key, version or key", () => {
    const base = firstTen(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 1);
    expect(firstTen(Buffer.from(GOLDEN_KEY), `${GOLDEN_CELL}`, GOLDEN_METRIC, 1)).toEqual(base);
    const otherKey = Buffer.from(GOLDEN_KEY);
    otherKey[0] = 0xff;
    expect(firstTen(GOLDEN_KEY, GOLDEN_CELL, "repeat_participants", 1)).not.toEqual(base);
    expect(firstTen(GOLDEN_KEY, GOLDEN_CELL.replace("morning", "evening"), GOLDEN_METRIC, 1)).not.toEqual(
      base,
    );
    expect(firstTen(GOLDEN_KEY, GOLDEN_CELL, GOLDEN_METRIC, 2)).not.toEqual(base);
    expect(firstTen(otherKey, GOLDEN_CELL, GOLDEN_METRIC, 1)).not.toEqual(base);
  });
});

describe("the sampler source has no floating point", () => {
  const read = (file: string) =>
    readFileSync(fileURLToPath(new URL(`../../src/privacy/${file}`, import.meta.url)), "utf8");
  const FORBIDDEN: Array<[name: string, pattern: RegExp]> = [
    ["Math.", /\bMath\./],
    ["Math.random", /Math\.random/],
    ["Number(", /\bNumber\s*\(/],
    ["parseFloat", /\bparseFloat\b/],
    ["parseInt", /\bparseInt\b/],
    ["toFixed", /\btoFixed\b/],
    ["decimal literal", /\b\d+\.\d+/],
    ["leading-dot decimal literal", /(?<![\w.)\]])\.\d/],
    ["exponent literal", /\b\d+(?:\.\d*)?[eE][+-]?\d+\b/],
  ];

  it("the scanner's patterns catch each forbidden form", () => {
    const samples = [
      "Math.floor(x)",
      "Math.random()",
      "Number(x)",
      "parseFloat(s)",
      "parseInt(s)",
      "x.toFixed(2)",
      "const p = 0.5;",
      "const p = .5;",
      "const p = 1e-6;",
    ];
    FORBIDDEN.forEach(([, pattern], i) => {
      expect(pattern.test(samples[i]!)).toBe(true);
    });
    expect(FORBIDDEN.some(([, pattern]) => pattern.test("const k = 10n ** 3n; a.b(1n);"))).toBe(false);
  });

  it("discreteLaplace.ts contains none of them and imports only types from ./noiseStream", () => {
    const text = read("discreteLaplace.ts");
    for (const [name, pattern] of FORBIDDEN) expect(pattern.test(text), name).toBe(false);
    const imports = text.split("\n").filter((line) => /^\s*(import|export\s.*\bfrom\b)/.test(line));
    expect(imports).toEqual(['import type { UniformSource } from "./noiseStream";']);
    expect(text).not.toMatch(/\brequire\s*\(|\bimport\s*\(/);
  });

  it("noiseStream.ts never uses Math.random", () => {
    expect(read("noiseStream.ts")).not.toMatch(/Math\.random/);
  });
});

describe("rationalFromDecimal", () => {
  it.each<[number | string, bigint, bigint]>([
    [0.125, 1n, 8n],
    [16, 16n, 1n],
    [0.1, 1n, 10n],
    [0.3, 3n, 10n],
    [1e-6, 1n, 1_000_000n],
    [1e-7, 1n, 10_000_000n],
    [1e21, 10n ** 21n, 1n],
    ["1e-6", 1n, 1_000_000n],
    ["2.50", 5n, 2n],
    ["1.5E3", 1500n, 1n],
    [".5", 1n, 2n],
    ["+4", 4n, 1n],
    ["12.5e-1", 5n, 4n],
  ])("converts %s exactly to %s/%s", (value, numerator, denominator) => {
    expect(rationalFromDecimal(value)).toEqual({ numerator, denominator });
  });

  it.each<number | string>([
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    0,
    -0,
    -1,
    -0.5,
    "0.000",
    "-2",
    "",
    "abc",
    "1.2.3",
    "0x10",
    "Infinity",
    "1e999",
  ])("refuses %s with a clear error", (value) => {
    expect(() => rationalFromDecimal(value)).toThrow(/positive decimal|out of range/);
  });
});

describe("noiseScaleFor", () => {
  it.each<[number, number, bigint, bigint]>([
    [4, 0.25, 16n, 1n],
    [20, 0.125, 160n, 1n],
    [4, 0.3, 40n, 3n],
    [1, 0.5, 2n, 1n],
    [5, 0.25, 20n, 1n],
    [0.5, 0.75, 2n, 3n],
  ])("is sensitivity %s / epsilon %s = %s/%s exactly", (sensitivity, epsilon, numerator, denominator) => {
    expect(noiseScaleFor(sensitivity, epsilon)).toEqual({ numerator, denominator });
  });

  it("refuses a zero or negative epsilon or sensitivity", () => {
    expect(() => noiseScaleFor(1, 0)).toThrow(/positive/);
    expect(() => noiseScaleFor(1, -0.5)).toThrow(/positive/);
    expect(() => noiseScaleFor(0, 1)).toThrow(/positive/);
  });

  it("converts to a number only for display", () => {
    expect(rationalToNumber({ numerator: 40n, denominator: 3n })).toBeCloseTo(13.3333333, 6);
    expect(rationalToNumber(noiseScaleFor(20, 0.125))).toBe(160);
  });
});
