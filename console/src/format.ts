/** "2026-05-20 12:00 UTC" from an ISO instant; "–" for none. */
export function utc(iso: string | null | undefined): string {
  if (iso == null) return "–";
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function number(value: number, digits = 2): string {
  return value.toLocaleString("en", { maximumFractionDigits: digits });
}

export const SEVERITY_RANK: Record<string, number> = { ERROR: 0, WARNING: 1, INFO: 2 };
