import { type Column, getTableColumns, type InferSelectModel, type Table } from "drizzle-orm";

/** A table's columns as hand-written SQL selects and reads them. */
export interface SelectedColumns<Row> {
  /** The select list: each column `as` its property name (`"created_at" as "createdAt"`). */
  list: string;
  /** One row the list selected, as the drizzle table types it (instants as Date, jsonb parsed, bigint as number). */
  read: (raw: Record<string, unknown>) => Row;
}

// Both drivers hand these back as a Date (PGlite) or as text (postgres.js), so they are read as text.
const READ_AS_TEXT = new Set(["PgDateString", "PgTimestampString"]);

/**
 * The select list and row reader of a drizzle table, so that a raw statement's rows are the table's
 * own `$inferSelect` (less the omitted columns) on either driver: each value goes through the
 * column's own driver mapping, the one drizzle's query builder applies. `from` qualifies the
 * columns with a table alias.
 */
export function columnsOf<T extends Table, Omitted extends keyof InferSelectModel<T> = never>(
  table: T,
  options: { omit?: readonly Omitted[]; from?: string } = {},
): SelectedColumns<Omit<InferSelectModel<T>, Omitted>> {
  const omitted = new Set<string>(options.omit?.map(String));
  const columns = Object.entries(getTableColumns(table) as Record<string, Column>).filter(
    ([property]) => !omitted.has(property),
  );
  const qualifier = options.from === undefined ? "" : `${options.from}.`;
  const list = columns
    .map(([property, column]) => {
      const value = `${qualifier}"${column.name}"${READ_AS_TEXT.has(column.columnType) ? "::text" : ""}`;
      return `${value} as "${property}"`;
    })
    .join(", ");
  const read = (raw: Record<string, unknown>) => {
    const row: Record<string, unknown> = {};
    for (const [property, column] of columns) {
      const value = raw[property];
      row[property] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
    }
    return row as Omit<InferSelectModel<T>, Omitted>;
  };
  return { list, read };
}
