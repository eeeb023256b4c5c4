import { ConsoleFreshnessDocument } from "../../../src/generated/graphql/graphql";
import type { ViewProps } from "../App";
import { SortTable } from "../components/SortTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { number, utc } from "../format";
import { useQuery } from "../useQuery";

export function FreshnessView({ apiKey }: ViewProps) {
  const result = useQuery(ConsoleFreshnessDocument, {}, apiKey);
  if (result.data === undefined) {
    return result.status === "error" ? (
      <ErrorState error={result.error} onRetry={result.reload} />
    ) : (
      <Loading what="freshness and jobs" />
    );
  }
  const { cacheFreshness, jobs } = result.data.ops;
  const stale = cacheFreshness.filter((row) => row.stale);
  return (
    <section aria-label="Freshness and jobs">
      {result.status === "error" ? <ErrorState error={result.error} onRetry={result.reload} /> : null}
      <p className={stale.length > 0 ? "notice notice-bad" : "notice"}>
        {stale.length > 0
          ? `Stale: ${stale.map((row) => row.granularity).join(", ")}. Check the precompute job below; npm run ops -- precompute runs it now.`
          : "Every granularity is within its expected lag."}
      </p>
      <SortTable
        caption="Newest released bucket per granularity"
        columns={[
          { key: "granularity", label: "Granularity", value: (row) => row.granularity },
          {
            key: "latest",
            label: "Latest released bucket",
            value: (row) => row.latestReleasedBucketUtc ?? null,
            render: (row) => utc(row.latestReleasedBucketUtc),
          },
          {
            key: "lag",
            label: "Lag (h)",
            value: (row) => row.lagHours ?? null,
            render: (row) => (row.lagHours == null ? "never released" : number(row.lagHours, 1)),
            numeric: true,
          },
          { key: "stale", label: "Status", value: (row) => (row.stale ? "STALE" : "fresh") },
        ]}
        rows={cacheFreshness}
        rowKey={(row) => row.granularity}
        rowClass={(row) => (row.stale ? "row-bad" : undefined)}
      />
      {jobs.length === 0 ? (
        <Empty>No jobs are registered. Start the server with JOBS_ENABLED=true.</Empty>
      ) : (
        <SortTable
          caption="Jobs: last run and outcome"
          columns={[
            { key: "name", label: "Job", value: (row) => row.name },
            { key: "schedule", label: "Schedule", value: (row) => row.schedule ?? null },
            {
              key: "started",
              label: "Last run",
              value: (row) => row.lastRun?.startedAt ?? null,
              render: (row) => utc(row.lastRun?.startedAt),
            },
            {
              key: "outcome",
              label: "Outcome",
              value: (row) => row.lastRun?.outcome ?? null,
              render: (row) =>
                row.lastRun == null ? (
                  "never run"
                ) : (
                  <span title={row.lastRun.error ?? undefined}>{row.lastRun.outcome}</span>
                ),
            },
            { key: "rows", label: "Rows", value: (row) => row.lastRun?.rows ?? null, numeric: true },
            { key: "runs", label: "Runs 24 h", value: (row) => row.runs24h, numeric: true },
            { key: "failures", label: "Failures 24 h", value: (row) => row.failures24h, numeric: true },
            {
              key: "next",
              label: "Next due",
              value: (row) => row.nextDueAt ?? null,
              render: (row) => utc(row.nextDueAt),
            },
          ]}
          rows={jobs}
          rowKey={(row) => row.name}
          rowClass={(row) =>
            row.failures24h > 0 || /^(failed|partial|refused)/i.test(row.lastRun?.outcome ?? "")
              ? "row-warn"
              : undefined
          }
        />
      )}
    </section>
  );
}
