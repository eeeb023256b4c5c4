/**
 * Exact interval arithmetic for the privacy decisions (thresholds.ts, accuracy.ts): fixed-point
 * BigInt bounds on exp(-a / b) and the exact value of a double. No floating point decides anything.
 */

/** The exact value of a finite positive double as numerator / 2^shift. */
export function dyadicFromDouble(value: number): { numerator: bigint; shift: bigint } {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`expected a finite positive number, got ${value}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  // value = mantissa * 2^exponent, subnormals included.
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) return { numerator: mantissa << BigInt(exponent), shift: 0n };
  return { numerator: mantissa, shift: BigInt(-exponent) };
}

/** Fixed-point bounds [lo, hi] (units of 2^-bits) on exp(-a / b) for integers a >= 0, b > 0. */
export function expNegativeBounds(a: bigint, b: bigint, bits: bigint): [bigint, bigint] {
  const one = 1n << bits;
  if (a === 0n) return [one, one];
  // exp(-x) = exp(-x / 2^r)^(2^r) with x / 2^r <= 1, so the Taylor terms decrease from the first.
  let r = 0n;
  while (a > b << r) r += 1n;
  const yDenominator = b << r;
  let lo = one;
  let hi = one;
  let termLo = one;
  let termHi = one;
  for (let k = 1n; ; k += 1n) {
    termLo = (termLo * a) / (yDenominator * k);
    termHi = ceilDiv(termHi * a, yDenominator * k);
    if (termHi <= 1n) {
      // The alternating tail from here on is at most this term, itself at most one unit.
      lo -= 1n;
      hi += 1n;
      break;
    }
    if (k % 2n === 1n) {
      lo -= termHi;
      hi -= termLo;
    } else {
      lo += termLo;
      hi += termHi;
    }
  }
  if (lo < 0n) lo = 0n;
  if (hi > one) hi = one;
  for (let i = 0n; i < r; i += 1n) {
    lo = (lo * lo) >> bits;
    hi = ceilDiv(hi * hi, one);
  }
  return [lo, hi];
}

export function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/**
 * The smallest integer n >= minimum for which `holds(n)`, given that `holds` is monotone (false,
 * then true from some n on): gallop from `guess` to a bracket, then bisect. Every decision is the
 * caller's exact one; the guess only decides where the search starts.
 */
export function smallestHolding(minimum: bigint, guess: bigint, holds: (n: bigint) => boolean): bigint {
  const start = guess < minimum ? minimum : guess;
  // lo fails (or is minimum - 1), hi holds.
  let lo: bigint;
  let hi = start;
  if (holds(start)) {
    let step = 1n;
    lo = hi - step;
    while (lo >= minimum && holds(lo)) {
      hi = lo;
      step *= 2n;
      lo = hi - step;
    }
    if (lo < minimum - 1n) lo = minimum - 1n;
  } else {
    lo = start;
    let step = 1n;
    for (;;) {
      const next = lo + step;
      if (holds(next)) {
        hi = next;
        break;
      }
      lo = next;
      step *= 2n;
    }
  }
  while (hi - lo > 1n) {
    const middle = (lo + hi) / 2n;
    if (holds(middle)) hi = middle;
    else lo = middle;
  }
  return hi;
}
