import type { RationalScale } from "./discreteLaplace";

// Sign, integer digits, optional fraction, optional exponent: the forms String(number) produces.
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const MAX_EXPONENT = 400;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function reduced(numerator: bigint, denominator: bigint): RationalScale {
  const divisor = gcd(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

/**
 * The exact rational a finite positive decimal denotes. Numbers go through their shortest
 * round-trip decimal form, so 0.1 is 1/10 and not the binary double nearest to it.
 */
export function rationalFromDecimal(value: number | string): RationalScale {
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new Error(`expected a finite positive decimal, got ${value}`);
  }
  const text = typeof value === "number" ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  const whole = match?.[2] ?? "";
  const fraction = match?.[3] ?? "";
  if (match === null || whole.length + fraction.length === 0) {
    throw new Error(`expected a finite positive decimal, got ${JSON.stringify(value)}`);
  }
  const exponent = Number(match[4] ?? "0") - fraction.length;
  if (Math.abs(exponent) > MAX_EXPONENT) throw new Error(`decimal exponent out of range in ${text}`);
  const digits = BigInt(whole + fraction);
  if (digits === 0n) throw new Error(`expected a positive decimal, got ${text}`);
  if (match[1] === "-") throw new Error(`expected a positive decimal, got ${text}`);
  const power = 10n ** BigInt(Math.abs(exponent));
  return exponent >= 0 ? reduced(digits * power, 1n) : reduced(digits, power);
}

/** Noise scale sensitivity / epsilon, exact in the decimal forms of both (4 / 0.3 is 40/3). */
export function noiseScaleFor(sensitivity: number, epsilon: number): RationalScale {
  const s = rationalFromDecimal(sensitivity);
  const e = rationalFromDecimal(epsilon);
  return reduced(s.numerator * e.denominator, s.denominator * e.numerator);
}

/** For display and receipts only; the sampler never sees this. */
export function rationalToNumber(r: RationalScale): number {
  return Number(r.numerator) / Number(r.denominator);
}
