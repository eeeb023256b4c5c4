import { useMemo, useState } from "react";
import { ConsoleRequestsDocument } from "../../../src/generated/graphql/graphql";
import type { ViewProps } from "../App";
import { chartColor, DayChart, daysBetween } from "../components/Chart";
import { SortTable } from "../components/SortTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { number } from "../format";
import { useQuery } from "../useQuery";

export function RequestsView({ apiKey }: ViewProps) {
  const [days, setDays] = useState(14);
  const result = useQuery(ConsoleRequestsDocument, { days }, apiKey);
  const stats = result.data?.ops.exportRequestStats;
  const chart = useMemo(() => {
    if (stats === undefined || stats.length === 0) return null;
    const sortedDays = stats.map((row) => row.day).sort();
    const axis = daysBetween(sortedDays[0]!, sortedDays[sortedDays.length - 1]!);
    const codes = [...new Set(stats.flatMap((row) => row.byOutcome.map((outcome) => outcome.code)))].sort(
      (a, b) => (a === "OK" ? -1 : b === "OK" ? 1 : a.localeCompare(b)),
    );
    return {
      days: axis,
      series: codes.map((code, index) => ({
        label: code,
        color: chartColor(index),
        values: axis.map(
          (day) => stats.find((row) => row.day === day)?.byOutcome.find((o) => o.code === code)?.count ?? 0,
        ),
      })),
    };
  }, [stats]);

  const picker = (
    <div className="filters">
      <div>
        <label htmlFor="request-days">Days</label>
        <select id="request-days" value={days} onChange={(event) => setDays(Number(event.target.value))}>
          {[7, 14, 30, 90].map((value) => (
            <option key={value} value={value}>
              last {value} days
            </option>
          ))}
        </select>
      </div>
    </div>
  );
  if (result.data === undefined) {
    return (
      <section aria-label="Requests">
        {picker}
        {result.status === "error" ? (
          <ErrorState error={result.error} onRetry={result.reload} />
        ) : (
          <Loading what="request statistics" />
        )}
      </section>
    );
  }
  const { exportRequestStats, queryFingerprintStats } = result.data.ops;
  return (
    <section aria-label="Requests">
      {picker}
      {result.status === "error" ? <ErrorState error={result.error} onRetry={result.reload} /> : null}
      {chart === null ? (
        <Empty>
          No buyer request in the last {days} days. Buyers' requests to /graphql and exports show here.
        </Empty>
      ) : (
        <>
          <DayChart
            title={`Buyer requests per UTC day by outcome code (last ${days} days)`}
            days={chart.days}
            series={chart.series}
            yLabel="requests"
          />
          <SortTable
            caption="Buyer requests per day"
            columns={[
              { key: "day", label: "Day (UTC)", value: (row) => row.day },
              { key: "requests", label: "Requests", value: (row) => row.requests, numeric: true },
              {
                key: "refused",
                label: "Not OK",
                value: (row) =>
                  row.byOutcome.filter((o) => o.code !== "OK").reduce((sum, o) => sum + o.count, 0),
                numeric: true,
              },
              {
                key: "outcomes",
                label: "By outcome",
                value: (row) => row.byOutcome.map((o) => `${o.code} ${o.count}`).join(", "),
              },
              {
                key: "p50",
                label: "p50 ms",
                value: (row) => row.p50LatencyMs,
                render: (row) => number(row.p50LatencyMs, 1),
                numeric: true,
              },
              {
                key: "p99",
                label: "p99 ms",
                value: (row) => row.p99LatencyMs,
                render: (row) => number(row.p99LatencyMs, 1),
                numeric: true,
              },
            ]}
            rows={exportRequestStats}
            rowKey={(row) => row.day}
            initialSort={{ key: "day", descending: true }}
          />
        </>
      )}
      {queryFingerprintStats.length === 0 ? (
        <Empty>No query shapes recorded in the last {days} days.</Empty>
      ) : (
        <SortTable
          caption="Distinct query shapes per buyer per day (many shapes: an intersection-attack signal)"
          columns={[
            { key: "day", label: "Day (UTC)", value: (row) => row.day },
            { key: "buyer", label: "Buyer", value: (row) => row.partnerId },
            { key: "shapes", label: "Distinct shapes", value: (row) => row.distinctShapes, numeric: true },
            { key: "refusals", label: "Quota refusals", value: (row) => row.quotaRefusals, numeric: true },
          ]}
          rows={queryFingerprintStats}
          rowKey={(row) => `${row.day}:${row.partnerId}`}
          initialSort={{ key: "shapes", descending: true }}
          rowClass={(row) => (row.quotaRefusals > 0 ? "row-warn" : undefined)}
        />
      )}
    </section>
  );
}
