/**
 * The noisy threshold of a release (PRIVACY.md "Materialising a release", step 4): m is the smallest
 * integer >= 1 with P(X >= m) = q^m / (1 + q) <= delta_a, X the discrete Laplace noise of the unique
 * count (q = exp(-1 / scale)) and delta_a = 1 - (1 - delta)^(1 / L0). The decision is exact: BigInt
 * interval bounds on q and q^m, and P <= delta_a tested as (1 - P)^L0 >= 1 - delta with delta the
 * exact value of its double. exp of a non-zero rational is transcendental, so P never equals
 * delta_a and widening the precision always settles the comparison.
 */
import type { RationalScale } from "./discreteLaplace";
import { ceilDiv, dyadicFromDouble, expNegativeBounds, smallestHolding } from "./exactExp";

export interface ThresholdInputs {
  /** Noise scale of the unique count (sensitivity / epsilon_unique). */
  scale: RationalScale;
  /** The release's delta, 0 < delta < 1. */
  delta: number;
  /** L0: cells one participant-day may count in. */
  maxPartitionsContributed: number;
}

const START_BITS = 256;
// Far beyond any realistic need (each doubling costs a few milliseconds at most); a safeguard only.
const MAX_BITS = 1 << 16;

/** delta_a in floating point, for display and receipts only: decisions use tailWithinPerPartitionDelta. */
export function perPartitionDelta(delta: number, maxPartitionsContributed: number): number {
  // 1 - (1 - delta)^(1/L0), computed with log1p/expm1 so tiny deltas keep their precision.
  return -Math.expm1(Math.log1p(-delta) / maxPartitionsContributed);
}

function checkInputs(inputs: ThresholdInputs): void {
  const { scale, delta, maxPartitionsContributed: l0 } = inputs;
  if (scale.numerator <= 0n || scale.denominator <= 0n) {
    throw new RangeError(
      `noise scale must be a positive rational, got ${scale.numerator}/${scale.denominator}`,
    );
  }
  if (!(Number.isFinite(delta) && delta > 0 && delta < 1)) {
    throw new RangeError(`delta must be a finite number in (0, 1), got ${delta}`);
  }
  if (!Number.isSafeInteger(l0) || l0 < 1) {
    throw new RangeError(`L0 must be a positive integer, got ${l0}`);
  }
}

/** true: certainly within delta_a; false: certainly not; null: undecided at this precision. */
function decideAt(m: bigint, inputs: ThresholdInputs, bits: bigint): boolean | null {
  const { numerator: t, denominator: s } = inputs.scale;
  const one = 1n << bits;
  // q = exp(-s / t), q^m = exp(-m s / t).
  const [qLo, qHi] = expNegativeBounds(s, t, bits);
  const [qmLo, qmHi] = expNegativeBounds(m * s, t, bits);
  const pHi = ceilDiv(qmHi * one, one + qLo);
  const pLo = (qmLo * one) / (one + qHi);
  const l0 = BigInt(inputs.maxPartitionsContributed);
  const { numerator: deltaNumerator, shift } = dyadicFromDouble(inputs.delta);
  // (1 - P)^L0 >= 1 - delta, both sides over 2^(bits L0 + shift).
  const keep = ((1n << shift) - deltaNumerator) << (bits * l0);
  if (((one - pHi) ** l0) << shift >= keep) return true;
  if (((one - pLo) ** l0) << shift < keep) return false;
  return null;
}

/** Exactly whether q^m / (1 + q) <= delta_a, for an integer m >= 1. */
export function tailWithinPerPartitionDelta(m: number | bigint, inputs: ThresholdInputs): boolean {
  checkInputs(inputs);
  const steps = BigInt(m);
  if (steps < 1n) throw new RangeError(`m must be an integer >= 1, got ${m}`);
  // q^m = exp(-x) needs about 1.45 x bits before its first significant one: start past those.
  const x = (steps * inputs.scale.denominator) / inputs.scale.numerator;
  const leading = x > BigInt(MAX_BITS) ? MAX_BITS : Number((x * 3n) / 2n);
  for (let bits = START_BITS + leading; bits <= MAX_BITS + START_BITS; bits *= 2) {
    const decided = decideAt(steps, inputs, BigInt(bits));
    if (decided !== null) return decided;
  }
  throw new Error(`could not decide the threshold inequality for m = ${m} within ${MAX_BITS} bits`);
}

/**
 * The smallest integer m >= 1 with q^m / (1 + q) <= delta_a, found by exact decisions only (a
 * floating-point estimate merely picks where the search starts).
 */
export function noisyThresholdM(inputs: ThresholdInputs): number {
  checkInputs(inputs);
  // Profiles are read on every request; the few distinct inputs are each decided once.
  const key = `${inputs.scale.numerator}/${inputs.scale.denominator}|${inputs.delta}|${inputs.maxPartitionsContributed}`;
  const known = THRESHOLDS.get(key);
  if (known !== undefined) return known;
  const m = searchThresholdM(inputs);
  if (THRESHOLDS.size >= MAX_REMEMBERED) THRESHOLDS.clear();
  THRESHOLDS.set(key, m);
  return m;
}

const THRESHOLDS = new Map<string, number>();
const MAX_REMEMBERED = 256;

function searchThresholdM(inputs: ThresholdInputs): number {
  const within = (m: bigint) => tailWithinPerPartitionDelta(m, inputs);
  const scale = Number(inputs.scale.numerator) / Number(inputs.scale.denominator);
  const q = Math.exp(-1 / scale);
  const deltaA = perPartitionDelta(inputs.delta, inputs.maxPartitionsContributed);
  const estimate = Math.ceil(scale * Math.log(1 / (deltaA * (1 + q))));
  const guess = Number.isFinite(estimate) && estimate >= 1 && estimate <= 2 ** 52 ? BigInt(estimate) : 1n;
  const hi = smallestHolding(1n, guess, within);
  if (hi > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`threshold m = ${hi} is not a safe integer`);
  return Number(hi);
}
