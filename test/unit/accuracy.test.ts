import { describe, expect, it } from "vitest";
import {
  ACCURACY_CONFIDENCE,
  cellAccuracy,
  marginOfError,
  releaseMargins,
  tailBeyondWithin,
} from "../../src/privacy/accuracy";
import { type RationalScale, sampleDiscreteLaplace } from "../../src/privacy/discreteLaplace";
import { keyedNoiseStream } from "../../src/privacy/noiseStream";
import { rationalToNumber } from "../../src/privacy/rational";
import {
  NOISED_METRICS,
  noiseScalesOf,
  publishedNoiseScales,
  releaseParameters,
} from "../../src/privacy/releaseParameters";
import { CONTRACT_RELEASE_PROFILES } from "../../src/privacy/releaseProfiles";
import { clopperPearson } from "../support/statistics";

const scale = (numerator: bigint, denominator = 1n): RationalScale => ({ numerator, denominator });

/** PRIVACY.md's closed form in floating point: a = max(0, ceil(s ln(2 / (alpha (e^(1/s) + 1))))). */
function closedForm(s: number, alpha = 0.05): { margin: number; slack: number } {
  const x = s * Math.log(2 / (alpha * (Math.exp(1 / s) + 1)));
  return { margin: Math.max(0, Math.ceil(x)), slack: Math.abs(x - Math.round(x)) };
}

/** Scales n/d for n in 1..60 and d in 1..8: small, fractional and contract-sized ones. */
const GRID: RationalScale[] = [];
for (let n = 1n; n <= 60n; n++) for (let d = 1n; d <= 8n; d++) GRID.push(scale(n, d));

describe("marginOfError", () => {
  it("gives 48 at scale 16 (PRIVACY.md's example)", () => {
    expect(marginOfError(scale(16n))).toBe(48);
    expect(tailBeyondWithin(48, scale(16n))).toBe(true);
    expect(tailBeyondWithin(47, scale(16n))).toBe(false);
  });

  it("gives the contract profiles' margins for all three metrics (DAY and WEEK 16/160/32, HOUR 32/960/64)", () => {
    const margins = Object.fromEntries(
      (["day", "week", "hour"] as const).map((granularity) => [
        granularity,
        releaseMargins(releaseParameters(CONTRACT_RELEASE_PROFILES[granularity]).noiseScales),
      ]),
    );
    expect(margins).toEqual({
      day: { confidence: 0.95, uniqueParticipants: 48, doorsOpened: 479, repeatParticipants: 96 },
      week: { confidence: 0.95, uniqueParticipants: 48, doorsOpened: 479, repeatParticipants: 96 },
      hour: { confidence: 0.95, uniqueParticipants: 96, doorsOpened: 2876, repeatParticipants: 192 },
    });
  });

  it("gives small scales their margins: 1/100 -> 0, 1/3 -> 1, 1/2 -> 1, 1 -> 3", () => {
    expect(marginOfError(scale(1n, 100n))).toBe(0);
    expect(marginOfError(scale(1n, 3n))).toBe(1);
    expect(marginOfError(scale(1n, 2n))).toBe(1);
    expect(marginOfError(scale(1n))).toBe(3);
    // 1/3: P(|X| > 0) = 2 e^-3 / (1 + e^-3) ~ 0.095 > 0.05 >= P(|X| > 1) ~ 0.0047.
    expect(tailBeyondWithin(0, scale(1n, 3n))).toBe(false);
    expect(tailBeyondWithin(1, scale(1n, 3n))).toBe(true);
  });

  it(`decides P(|X| > a) <= 0.05 < P(|X| > a - 1) exactly over a grid of ${GRID.length} scales, agreeing with the closed form`, () => {
    let compared = 0;
    for (const s of GRID) {
      const a = marginOfError(s);
      const label = `${s.numerator}/${s.denominator}`;
      expect(tailBeyondWithin(a, s), label).toBe(true);
      if (a > 0) expect(tailBeyondWithin(a - 1, s), label).toBe(false);
      const { margin, slack } = closedForm(rationalToNumber(s));
      // Where the float is not within rounding of an integer, the closed form must agree.
      if (slack > 1e-9) {
        expect(a, label).toBe(margin);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(GRID.length - 5);
  });

  it("never decreases as the scale grows", () => {
    const sorted = [...GRID].sort((x, y) => rationalToNumber(x) - rationalToNumber(y));
    let previous = 0;
    for (const s of sorted) {
      const a = marginOfError(s);
      expect(a, `${s.numerator}/${s.denominator}`).toBeGreaterThanOrEqual(previous);
      previous = a;
    }
    expect(previous).toBe(marginOfError(scale(60n)));
  });

  it("takes other confidence levels: alpha 0.01 at scale 16 gives the closed form's margin", () => {
    expect(marginOfError(scale(16n), 0.01)).toBe(closedForm(16, 0.01).margin);
    expect(marginOfError(scale(16n), 0.01)).toBeGreaterThan(48);
  });

  it("refuses a scale or alpha out of range", () => {
    expect(() => marginOfError(scale(0n))).toThrow(/positive rational/);
    expect(() => marginOfError(scale(1n, 0n))).toThrow(/positive rational/);
    expect(() => marginOfError(scale(16n), 0)).toThrow(/alpha/);
    expect(() => marginOfError(scale(16n), 1)).toThrow(/alpha/);
    expect(() => tailBeyondWithin(-1, scale(16n))).toThrow(/a must be/);
  });
});

describe("cell accuracy from a receipt", () => {
  it("is null for a suppressed cell and the margins of the scales otherwise", () => {
    const scales = releaseParameters(CONTRACT_RELEASE_PROFILES.day).noiseScales;
    expect(cellAccuracy(true, scales)).toBeNull();
    expect(cellAccuracy(false, scales)).toEqual({
      confidence: ACCURACY_CONFIDENCE,
      uniqueParticipants: 48,
      doorsOpened: 479,
      repeatParticipants: 96,
    });
  });

  it("recovers the exact scales a receipt published as numbers (epsilon 0.3: 40/3, not 13.333333333333334)", () => {
    const inputs = {
      epsilon: 0.3,
      epsilonSplit: { uniqueParticipants: 0.5, doorsOpened: 0.25, repeatParticipants: 0.25 },
      maxCellsPerParticipant: 2,
      maxDoorsPerCell: 3,
    };
    const exact = noiseScalesOf(inputs);
    const published = Object.fromEntries(NOISED_METRICS.map((m) => [m, rationalToNumber(exact[m])]));
    expect(exact.uniqueParticipants).toEqual(scale(40n, 3n));
    expect(publishedNoiseScales(inputs, published)).toEqual(exact);
    // A number the inputs do not give is taken as the decimal it is.
    expect(publishedNoiseScales(inputs, { ...published, doorsOpened: 12.5 }).doorsOpened).toEqual(
      scale(25n, 2n),
    );
  });
});

describe("the margins hold for the real sampler", () => {
  const KEY = Buffer.alloc(32, 0x5a);
  // The scale 16 gap between the two sides is ~0.0014, so it needs ~2M draws to show at alpha 1e-6.
  const CASES: Array<[RationalScale, number]> = [
    [scale(1n, 2n), 200_000],
    [scale(1n), 200_000],
    [scale(5n, 2n), 200_000],
    [scale(4n), 200_000],
    [scale(16n), 2_000_000],
  ];
  for (const [s, draws] of CASES) {
    it(`scale ${s.numerator}/${s.denominator}: over ${draws.toLocaleString("en")} keyed draws |X| <= a covers >= 95% and |X| <= a - 1 less (alpha 1e-6)`, () => {
      const a = marginOfError(s);
      const source = keyedNoiseStream(KEY, `accuracy.test|${s.numerator}/${s.denominator}`, "unique", 1);
      let within = 0;
      let withinLess = 0;
      for (let i = 0; i < draws; i++) {
        const x = Math.abs(Number(sampleDiscreteLaplace(s, source)));
        if (x <= a) within++;
        if (x <= a - 1) withinLess++;
      }
      // Coverage of at least 95% is not contradicted; coverage of a - 1 is shown to be below 95%.
      expect(clopperPearson(within, draws, 1e-6).upper).toBeGreaterThanOrEqual(0.95);
      expect(clopperPearson(withinLess, draws, 1e-6).upper).toBeLessThan(0.95);
    }, 60_000);
  }
});
