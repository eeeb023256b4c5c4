/**
 * Margins of error of released counts (PRIVACY.md "Accuracy"): post-processing of the published
 * noise scales, so no budget. For discrete Laplace noise X with scale t, q = exp(-1 / t):
 * P(|X| > a) = 2 q^(a + 1) / (1 + q), and the margin is the smallest integer a >= 0 with
 * P(|X| > a) <= alpha. A float estimate picks where the search starts; each candidate is decided
 * exactly (BigInt bounds on q and q^(a + 1), alpha read as its decimal: 0.05 is 1/20). exp of a
 * non-zero rational is transcendental, so P never equals alpha and widening the precision settles it.
 */
import type { RationalScale } from "./discreteLaplace";
import { expNegativeBounds, smallestHolding } from "./exactExp";
import { rationalFromDecimal } from "./rational";
import { NOISED_METRICS, type NoisedMetric } from "./releaseParameters";

export const ACCURACY_ALPHA = 0.05;
/** 1 - ACCURACY_ALPHA, as published. */
export const ACCURACY_CONFIDENCE = 0.95;

/** The 95% margins of a released cell's noised counts: the interval is [max(0, y - a), y + a]. */
export interface CellMargins {
  confidence: number;
  uniqueParticipants: number;
  doorsOpened: number;
  repeatParticipants: number;
}

const START_BITS = 128;
// Far beyond any realistic need; a safeguard only.
const MAX_BITS = 1 << 16;

function checkScale(scale: RationalScale): void {
  if (scale.numerator <= 0n || scale.denominator <= 0n) {
    throw new RangeError(
      `noise scale must be a positive rational, got ${scale.numerator}/${scale.denominator}`,
    );
  }
}

function alphaOf(alpha: number): RationalScale {
  if (!(Number.isFinite(alpha) && alpha > 0 && alpha < 1)) {
    throw new RangeError(`alpha must be a finite number in (0, 1), got ${alpha}`);
  }
  return rationalFromDecimal(alpha);
}

/** true: certainly P(|X| > a) <= alpha; false: certainly not; null: undecided at this precision. */
function decideAt(a: bigint, scale: RationalScale, alpha: RationalScale, bits: bigint): boolean | null {
  const { numerator: t, denominator: s } = scale;
  const one = 1n << bits;
  // q = exp(-s / t), q^(a + 1) = exp(-(a + 1) s / t).
  const [qLo, qHi] = expNegativeBounds(s, t, bits);
  const [tailLo, tailHi] = expNegativeBounds((a + 1n) * s, t, bits);
  // 2 q^(a+1) / (1 + q) <= alphaN / alphaD  <=>  2 alphaD q^(a+1) <= alphaN (1 + q).
  if (2n * alpha.denominator * tailHi <= alpha.numerator * (one + qLo)) return true;
  if (2n * alpha.denominator * tailLo > alpha.numerator * (one + qHi)) return false;
  return null;
}

/** Exactly whether P(|X| > a) = 2 q^(a + 1) / (1 + q) <= alpha, for an integer a >= 0. */
export function tailBeyondWithin(a: number | bigint, scale: RationalScale, alpha = ACCURACY_ALPHA): boolean {
  checkScale(scale);
  const alphaExact = alphaOf(alpha);
  const steps = BigInt(a);
  if (steps < 0n) throw new RangeError(`a must be an integer >= 0, got ${a}`);
  // q^(a+1) = exp(-x) needs about 1.45 x bits before its first significant one: start past those.
  const x = ((steps + 1n) * scale.denominator) / scale.numerator;
  const leading = x > BigInt(MAX_BITS) ? MAX_BITS : Number((x * 3n) / 2n);
  for (let bits = START_BITS + leading; bits <= MAX_BITS + START_BITS; bits *= 2) {
    const decided = decideAt(steps, scale, alphaExact, BigInt(bits));
    if (decided !== null) return decided;
  }
  throw new Error(`could not decide the margin inequality for a = ${a} within ${MAX_BITS} bits`);
}

const MARGINS = new Map<string, number>();
const MAX_REMEMBERED = 1024;

/**
 * The (1 - alpha) margin of error of discrete Laplace noise with this scale: the smallest integer
 * a >= 0 with P(|X| > a) <= alpha (so alpha < P(|X| > a - 1) when a >= 1).
 */
export function marginOfError(scale: RationalScale, alpha = ACCURACY_ALPHA): number {
  checkScale(scale);
  alphaOf(alpha);
  // Every cell of a page asks for the margins of the same few scales: each is decided once.
  const key = `${scale.numerator}/${scale.denominator}|${alpha}`;
  const known = MARGINS.get(key);
  if (known !== undefined) return known;
  const margin = searchMargin(scale, alpha);
  if (MARGINS.size >= MAX_REMEMBERED) MARGINS.clear();
  MARGINS.set(key, margin);
  return margin;
}

function searchMargin(scale: RationalScale, alpha: number): number {
  const within = (a: bigint) => tailBeyondWithin(a, scale, alpha);
  const t = Number(scale.numerator) / Number(scale.denominator);
  // a = ceil(t ln(2 / (alpha (e^(1/t) + 1)))), at least 0: only where the search starts.
  const estimate = Math.ceil(t * Math.log(2 / (alpha * (Math.exp(1 / t) + 1))));
  const guess = Number.isFinite(estimate) && estimate >= 0 && estimate <= 2 ** 52 ? BigInt(estimate) : 0n;
  const hi = smallestHolding(0n, guess, within);
  if (hi > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`margin a = ${hi} is not a safe integer`);
  return Number(hi);
}

/** The margins of every noised metric of a release, from its exact noise scales. */
export function releaseMargins(scales: Record<NoisedMetric, RationalScale>): CellMargins {
  const [uniqueParticipants, doorsOpened, repeatParticipants] = NOISED_METRICS.map((metric) =>
    marginOfError(scales[metric]),
  ) as [number, number, number];
  return { confidence: ACCURACY_CONFIDENCE, uniqueParticipants, doorsOpened, repeatParticipants };
}

/**
 * What a buyer sees of a cell's accuracy: a function of the suppressed flag and the published
 * scales only, never of a true count; null for a suppressed cell (there is no estimate to bound).
 */
export function cellAccuracy(
  suppressed: boolean,
  scales: Record<NoisedMetric, RationalScale>,
): CellMargins | null {
  return suppressed ? null : releaseMargins(scales);
}
