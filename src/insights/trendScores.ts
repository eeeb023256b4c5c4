/**
 * Who reads the trend: INTERNAL and OPERATOR see every trend; a buyer only trends whose previous
 * release it was charged for in its current budget window (PRIVACY.md, step 3).
 */
export type TrendReader =
  | { kind: "unrestricted" }
  | { kind: "buyer"; partnerId: string; budgetWindowStart: Date };

const RATIO_DIGITS = 1e4;

/** 0.5 = as many participants as the previous bucket, towards 1 growing, towards 0 shrinking. */
export function trendScore(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || current + previous === 0) return null;
  return Math.round((current / (current + previous)) * RATIO_DIGITS) / RATIO_DIGITS;
}
