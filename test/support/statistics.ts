// Exact binomial tails and Clopper–Pearson bounds for the statistical privacy tests. Plain floating
// point is fine here: these judge the sampler's output, they are not part of it.

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Gamma(x) for x > 0 (Lanczos, g = 7): relative error ~1e-15, enough for n up to 1e8. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = 0.99999999999980993;
  LANCZOS.forEach((c, i) => {
    sum += c / (z + i + 1);
  });
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz), valid for x < (a + 1) / (a + b + 2). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 100_000; m++) {
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + even / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + odd / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < 1e-15) return h;
  }
  throw new Error(`incomplete beta did not converge for x=${x}, a=${a}, b=${b}`);
}

/** The regularised incomplete beta I_x(a, b), each tail computed directly (no 1 - tiny cancellation). */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(X >= k) for X ~ Binomial(trials, p). */
export function binomialUpperTail(trials: number, p: number, k: number): number {
  if (k <= 0) return 1;
  if (k > trials) return 0;
  return regularizedIncompleteBeta(p, k, trials - k + 1);
}

/** P(X <= k) for X ~ Binomial(trials, p). */
export function binomialLowerTail(trials: number, p: number, k: number): number {
  if (k < 0) return 0;
  if (k >= trials) return 1;
  return regularizedIncompleteBeta(1 - p, trials - k, k + 1);
}

/**
 * The smallest count c with P(X >= c) <= alpha for X ~ Binomial(trials, p): seeing c or more
 * successes rejects "the rate is at most p" at level alpha.
 */
export function binomialUpperQuantile(trials: number, p: number, alpha: number): number {
  let c = Math.max(0, Math.floor(trials * p));
  while (binomialUpperTail(trials, p, c) > alpha) c++;
  return c;
}

/** Solves f(p) = target on [0, 1] for f monotone increasing (bisection to double precision). */
function solveIncreasing(f: (p: number) => number, target: number): number {
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 0; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface ProportionBounds {
  /** One-sided lower bound: the true p is below it with probability at most alpha. */
  lower: number;
  /** One-sided upper bound: the true p is above it with probability at most alpha. */
  upper: number;
}

/** Exact (Clopper–Pearson) one-sided bounds on a binomial proportion, each at level alpha. */
export function clopperPearson(successes: number, trials: number, alpha: number): ProportionBounds {
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`successes must be an integer in [0, ${trials}], got ${successes}`);
  }
  const lower = successes === 0 ? 0 : solveIncreasing((p) => binomialUpperTail(trials, p, successes), alpha);
  const upper =
    successes === trials ? 1 : solveIncreasing((p) => -binomialLowerTail(trials, p, successes), -alpha);
  return { lower, upper };
}

/** P(X >= t) for X discrete Laplace with real scale b: P(x) = (1 - q) / (1 + q) q^|x|, q = e^(-1/b). */
export function discreteLaplaceUpperTail(scale: number, t: number): number {
  const q = Math.exp(-1 / scale);
  const k = Math.ceil(t);
  return k >= 1 ? q ** k / (1 + q) : 1 - q ** (1 - k) / (1 + q);
}

/** Regularised upper incomplete gamma Q(a, x) (series / continued fraction), for chi-square tails. */
export function upperGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const prefix = Math.exp(-x + a * Math.log(x) - logGamma(a));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000 && Math.abs(term) > Math.abs(sum) * 1e-16; n++) {
      term *= x / (a + n);
      sum += term;
    }
    return 1 - sum * prefix;
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return prefix * h;
}

export function chiSquareCritical(df: number, alpha: number): number {
  let lo = 0;
  let hi = df + 100 * Math.sqrt(2 * df) + 100;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (upperGammaQ(df / 2, mid / 2) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}
