/**
 * Exact discrete Laplace sampling: Canonne, Kamath, Steinke, "The Discrete Gaussian for
 * Differential Privacy" (NeurIPS 2020), Algorithms 1 and 2, the sampler OpenDP uses.
 * Hand-written because no npm package samples it exactly in integer arithmetic from a keyed
 * stream; floating-point samplers leak through their rounding (Mironov 2012), so this file stays
 * BigInt-only (a test scans it).
 */
import type { UniformSource } from "./noiseStream";

/** Scale t = numerator / denominator > 0; P(x) is proportional to exp(-|x| / t) over the integers. */
export interface RationalScale {
  numerator: bigint;
  denominator: bigint;
}

/** Bernoulli(n / d); the shortcuts consume no randomness where the outcome is certain. */
function bernoulli(numerator: bigint, denominator: bigint, source: UniformSource): boolean {
  if (numerator <= 0n) return false;
  if (numerator >= denominator) return true;
  return source.below(denominator) < numerator;
}

/** Algorithm 1 for gamma = n / d in [0, 1]: the parity of the first failing Bernoulli(gamma / K). */
function bernoulliExpUnit(numerator: bigint, denominator: bigint, source: UniformSource): boolean {
  let k = 1n;
  while (bernoulli(numerator, denominator * k, source)) k += 1n;
  return k % 2n === 1n;
}

/** Bernoulli(exp(-gamma)) for rational gamma = gammaNumerator / gammaDenominator >= 0. */
export function sampleBernoulliExp(
  gammaNumerator: bigint,
  gammaDenominator: bigint,
  source: UniformSource,
): boolean {
  if (gammaDenominator <= 0n) throw new RangeError(`gamma denominator must be > 0, got ${gammaDenominator}`);
  if (gammaNumerator < 0n)
    throw new RangeError(`gamma must be >= 0, got ${gammaNumerator}/${gammaDenominator}`);
  // exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))), each factor an independent trial.
  const whole = gammaNumerator / gammaDenominator;
  for (let i = 0n; i < whole; i += 1n) {
    if (!bernoulliExpUnit(1n, 1n, source)) return false;
  }
  return bernoulliExpUnit(gammaNumerator - whole * gammaDenominator, gammaDenominator, source);
}

/** One draw X, P(X = x) proportional to exp(-|x| / scale) (Algorithm 2: s = denominator, t = numerator). */
export function sampleDiscreteLaplace(scale: RationalScale, source: UniformSource): bigint {
  const t = scale.numerator;
  const s = scale.denominator;
  if (t <= 0n || s <= 0n) throw new RangeError(`scale must be a positive rational, got ${t}/${s}`);
  for (;;) {
    const u = source.below(t);
    if (!sampleBernoulliExp(u, t, source)) continue;
    let v = 0n;
    while (bernoulliExpUnit(1n, 1n, source)) v += 1n;
    // u + t*v is geometric with ratio exp(-1/t); dividing by s turns it into ratio exp(-s/t).
    const magnitude = (u + t * v) / s;
    const negative = source.below(2n) === 1n;
    // Zero would otherwise be drawn with both signs, i.e. twice as often as it should be.
    if (negative && magnitude === 0n) continue;
    return negative ? -magnitude : magnitude;
  }
}
