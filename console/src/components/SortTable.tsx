import { type ReactNode, useMemo, useState } from "react";

export interface Column<Row> {
  key: string;
  label: string;
  /** The value sorted on (and shown, unless `render` is given). */
  value: (row: Row) => string | number | null;
  render?: (row: Row) => ReactNode;
  numeric?: boolean;
}

interface Props<Row> {
  caption: string;
  columns: Array<Column<Row>>;
  rows: Row[];
  rowKey: (row: Row) => string;
  initialSort?: { key: string; descending: boolean };
  rowClass?: (row: Row) => string | undefined;
}

/** A table whose column headers sort it (click or Enter/Space on the header button). */
export function SortTable<Row>({ caption, columns, rows, rowKey, initialSort, rowClass }: Props<Row>) {
  const [sort, setSort] = useState(initialSort ?? { key: columns[0]?.key ?? "", descending: false });
  const sorted = useMemo(() => {
    const column = columns.find((candidate) => candidate.key === sort.key);
    if (column === undefined) return rows;
    const direction = sort.descending ? -1 : 1;
    return [...rows].sort((a, b) => {
      const left = column.value(a);
      const right = column.value(b);
      if (left === right) return 0;
      if (left === null) return 1;
      if (right === null) return -1;
      return (left < right ? -1 : 1) * direction;
    });
  }, [rows, columns, sort]);
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => {
              const active = column.key === sort.key;
              return (
                <th
                  key={column.key}
                  scope="col"
                  className={column.numeric ? "numeric" : undefined}
                  aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
                >
                  <button
                    type="button"
                    className="sort"
                    onClick={() =>
                      setSort({
                        key: column.key,
                        descending: active ? !sort.descending : column.numeric === true,
                      })
                    }
                  >
                    {column.label}
                    <span aria-hidden="true">{active ? (sort.descending ? " ▼" : " ▲") : ""}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={rowKey(row)} className={rowClass?.(row)}>
              {columns.map((column) => (
                <td key={column.key} className={column.numeric ? "numeric" : undefined}>
                  {column.render === undefined ? show(column.value(row)) : column.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function show(value: string | number | null): string {
  if (value === null) return "–";
  return typeof value === "number" ? value.toLocaleString("en", { maximumFractionDigits: 3 }) : value;
}
