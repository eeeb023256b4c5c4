/** Row limits of the import contract (002 seed): 1..5000 rows, 5 MB body, 8 KB of JSON per row. */
export const MAX_IMPORT_ROWS = 5000;
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_ROW_BYTES = 8 * 1024;
export const MAX_TEXT_LENGTH = 256;
const MAX_COUNT = 2_147_483_647;

/** Text fields of one import row, in the seed's snake_case, in checksum order. */
export const TEXT_FIELDS = [
  "stage_application",
  "delivery_partner",
  "developer_class",
  "relationship_manager",
  "rm_preferred_username",
  "deployment_specialist",
  "stage_application_created",
] as const;
export const COUNT_FIELDS = ["residential", "commercial", "essential", "premises_count"] as const;

type TextField = (typeof TEXT_FIELDS)[number];
type CountField = (typeof COUNT_FIELDS)[number];

/** One row after normalization: strings trimmed (blank -> ""), counts as non-negative integers. */
export type ProjectRow = Record<TextField, string> & Record<CountField, number>;

export type RowErrorCode =
  | "NOT_AN_OBJECT"
  | "REQUIRED"
  | "WRONG_TYPE"
  | "NOT_AN_INTEGER"
  | "NEGATIVE"
  | "OUT_OF_RANGE"
  | "TOO_LONG"
  | "INVALID_DATE"
  | "DUPLICATE_KEY"
  | "ROW_TOO_LARGE";

/** A problem with one field of one row; rowIndex is 0-based, field is the seed's snake_case name. */
export interface RowError {
  rowIndex: number;
  field: string;
  code: RowErrorCode;
  message: string;
}

export type NormalizedRows = { rows: ProjectRow[]; rowErrors: RowError[] };

/**
 * Normalizes every row exactly as the seed says (trim all strings; blank counts -> 0) and reports
 * every problem of every row at once, so a tenant fixes a batch in one round.
 */
export function normalizeProjectRows(input: readonly unknown[]): NormalizedRows {
  const rows: ProjectRow[] = [];
  const rowErrors: RowError[] = [];
  const firstIndexByKey = new Map<string, number>();
  input.forEach((raw, rowIndex) => {
    const errors: RowError[] = [];
    const fail = (field: string, code: RowErrorCode, message: string) =>
      errors.push({ rowIndex, field, code, message });
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      fail("row", "NOT_AN_OBJECT", `Row ${rowIndex} must be a JSON object with the seed's fields.`);
      rowErrors.push(...errors);
      return;
    }
    const size = Buffer.byteLength(JSON.stringify(raw));
    if (size > MAX_ROW_BYTES) {
      fail(
        "row",
        "ROW_TOO_LARGE",
        `Row ${rowIndex} is ${size} bytes of JSON; the limit is ${MAX_ROW_BYTES}.`,
      );
      rowErrors.push(...errors);
      return;
    }
    const record = raw as Record<string, unknown>;
    const row = {} as ProjectRow;
    for (const field of TEXT_FIELDS) row[field] = normalizeText(record[field], field, fail);
    for (const field of COUNT_FIELDS) row[field] = normalizeCount(record[field], field, fail);
    if (row.stage_application === "" && !errors.some((e) => e.field === "stage_application")) {
      fail("stage_application", "REQUIRED", "stage_application is required: it is the project key.");
    }
    const created = row.stage_application_created;
    if (created !== "" && !isIsoDate(created)) {
      fail(
        "stage_application_created",
        "INVALID_DATE",
        "stage_application_created must be a YYYY-MM-DD date.",
      );
    }
    if (row.stage_application !== "") {
      const first = firstIndexByKey.get(row.stage_application);
      if (first === undefined) firstIndexByKey.set(row.stage_application, rowIndex);
      else {
        fail(
          "stage_application",
          "DUPLICATE_KEY",
          `stage_application ${row.stage_application} already appears in row ${first}; send each project once per batch.`,
        );
      }
    }
    rowErrors.push(...errors);
    rows.push(row);
  });
  return { rows, rowErrors };
}

type Fail = (field: string, code: RowErrorCode, message: string) => void;

function normalizeText(value: unknown, field: string, fail: Fail): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    fail(field, "WRONG_TYPE", `${field} must be a string.`);
    return "";
  }
  const text = value.trim();
  if (text.length > MAX_TEXT_LENGTH) {
    fail(field, "TOO_LONG", `${field} is ${text.length} characters; the limit is ${MAX_TEXT_LENGTH}.`);
  }
  return text;
}

function normalizeCount(value: unknown, field: string, fail: Fail): number {
  if (value === undefined || value === null) return 0;
  let number: number;
  if (typeof value === "number") number = value;
  else if (typeof value === "string") {
    const text = value.trim();
    if (text === "") return 0;
    if (!/^-?\d+$/.test(text)) {
      fail(field, "NOT_AN_INTEGER", `${field} must be a whole number (got "${text.slice(0, 32)}").`);
      return 0;
    }
    number = Number(text);
  } else {
    fail(field, "WRONG_TYPE", `${field} must be a whole number or a string of digits.`);
    return 0;
  }
  if (!Number.isInteger(number)) {
    fail(field, "NOT_AN_INTEGER", `${field} must be a whole number.`);
    return 0;
  }
  if (number < 0) {
    fail(field, "NEGATIVE", `${field} must not be negative (got ${number}).`);
    return 0;
  }
  if (number > MAX_COUNT) {
    fail(field, "OUT_OF_RANGE", `${field} must be at most ${MAX_COUNT}.`);
    return 0;
  }
  return number;
}

function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const parsed = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(text);
}
