/** One printed row: column name -> value. */
export type Row = Record<string, string | number | boolean | null | undefined>;

const cell = (value: Row[string]) => (value === null || value === undefined ? "-" : String(value));

/** Plain aligned columns; empty values as "-". */
export function formatTable(rows: Row[]): string {
  const first = rows[0];
  if (first === undefined) return "(no rows)\n";
  const columns = Object.keys(first);
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => cell(row[column]).length)),
  );
  const line = (values: string[]) =>
    `${values
      .map((value, index) => value.padEnd(widths[index] ?? 0))
      .join("  ")
      .trimEnd()}\n`;
  return [
    line(columns),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map((row) => line(columns.map((column) => cell(row[column])))),
  ].join("");
}

/** One record as "name  value" lines, names aligned. */
export function formatRecord(record: Row): string {
  const width = Math.max(...Object.keys(record).map((name) => name.length));
  return Object.entries(record)
    .map(([name, value]) => `${name.padEnd(width)}  ${cell(value)}\n`)
    .join("");
}
