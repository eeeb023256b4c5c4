import { createHash } from "node:crypto";
import { COUNT_FIELDS, type ProjectRow, TEXT_FIELDS } from "./projectRows";

/**
 * The batch's idempotency key: rows sorted by stage_application, each as a stable key string of its
 * normalized fields in a fixed order, SHA-256 over the lines. Row order and whitespace do not matter.
 */
export function batchChecksum(rows: readonly ProjectRow[]): string {
  const lines = rows
    .map((row) => JSON.stringify([...TEXT_FIELDS.map((f) => row[f]), ...COUNT_FIELDS.map((f) => row[f])]))
    .sort(compareLines);
  const hash = createHash("sha256");
  for (const line of lines) hash.update(line).update("\n");
  return hash.digest("hex");
}

// stage_application leads each line, so sorting the lines sorts by it; plain code-unit order, no locale.
function compareLines(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
