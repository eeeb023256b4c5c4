/**
 * The noisy-threshold rule of Google's differential-privacy library (PRIVACY.md "Materialising a
 * release", step 4). Floating point is fine here: these are published parameters, not the sampler.
 */
export function perPartitionDelta(delta: number, maxPartitionsContributed: number): number {
  // 1 - (1 - delta)^(1/L0), computed with log1p/expm1 so tiny deltas keep their precision.
  return -Math.expm1(Math.log1p(-delta) / maxPartitionsContributed);
}

export function noisyThresholdTau(options: {
  epsilonUnique: number;
  delta: number;
  maxPartitionsContributed: number;
  maxContributionsPerPartition?: number;
}): number {
  const lInf = options.maxContributionsPerPartition ?? 1;
  const l0 = options.maxPartitionsContributed;
  const deltaA = perPartitionDelta(options.delta, l0);
  return lInf - ((l0 * lInf) / options.epsilonUnique) * Math.log(2 * deltaA);
}
