import { useMemo } from "react";
import { ConsoleBudgetsDocument } from "../../../src/generated/graphql/graphql";
import type { ViewProps } from "../App";
import { chartColor, DayChart, daysBetween } from "../components/Chart";
import { SortTable } from "../components/SortTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { number, utc } from "../format";
import { useQuery } from "../useQuery";

const DAYS = 30;

export function BudgetsView({ apiKey }: ViewProps) {
  const result = useQuery(ConsoleBudgetsDocument, { days: DAYS }, apiKey);
  const charges = result.data?.ops.budgetChargesPerDay;
  const chart = useMemo(() => {
    if (charges === undefined || charges.length === 0) return null;
    const sortedDays = charges.map((row) => row.day).sort();
    const days = daysBetween(sortedDays[0]!, sortedDays[sortedDays.length - 1]!);
    const buyers = [...new Set(charges.map((row) => row.partnerId))].sort();
    const series = buyers.map((buyer, index) => ({
      label: buyer,
      color: chartColor(index),
      values: days.map(
        (day) => charges.find((row) => row.partnerId === buyer && row.day === day)?.epsilon ?? 0,
      ),
    }));
    return { days, series };
  }, [charges]);

  if (result.data === undefined) {
    return result.status === "error" ? (
      <ErrorState error={result.error} onRetry={result.reload} />
    ) : (
      <Loading what="budgets" />
    );
  }
  const usage = result.data.ops.privacyBudgetUsage;
  return (
    <section aria-label="Budgets">
      {result.status === "error" ? <ErrorState error={result.error} onRetry={result.reload} /> : null}
      {usage.length === 0 ? (
        <Empty>No buyer has a budget yet. Set one with setBuyerBudget (npm run ops -- budgets set).</Empty>
      ) : (
        <>
          <ul className="bars" aria-label="Spent against limit in each buyer's current window">
            {usage.map((row) => {
              return (
                <li key={row.partnerId}>
                  <div className="bar-label">
                    <span>{row.partnerId}</span>
                    <span>
                      ε {number(row.epsilonSpent)} of {number(row.epsilonLimit)} ({row.windowDays}-day window)
                    </span>
                  </div>
                  <meter
                    aria-label={`${row.partnerId}: epsilon spent of its limit`}
                    min={0}
                    max={row.epsilonLimit}
                    low={row.epsilonLimit * 0.6}
                    high={row.epsilonLimit * 0.9}
                    optimum={0}
                    value={row.epsilonSpent}
                  />
                </li>
              );
            })}
          </ul>
          <SortTable
            caption="Budgets in the current window"
            columns={[
              { key: "buyer", label: "Buyer", value: (row) => row.partnerId },
              { key: "limit", label: "ε limit", value: (row) => row.epsilonLimit, numeric: true },
              { key: "spent", label: "ε spent", value: (row) => row.epsilonSpent, numeric: true },
              { key: "left", label: "ε left", value: (row) => row.epsilonRemaining, numeric: true },
              { key: "window", label: "Window (days)", value: (row) => row.windowDays, numeric: true },
              {
                key: "last",
                label: "Last charge",
                value: (row) => row.lastChargeAt ?? null,
                render: (row) => utc(row.lastChargeAt),
              },
            ]}
            rows={usage}
            rowKey={(row) => row.partnerId}
            initialSort={{ key: "spent", descending: true }}
          />
        </>
      )}
      {chart === null ? (
        <Empty>No epsilon charged in the last {DAYS} days: no buyer has read a release yet.</Empty>
      ) : (
        <DayChart
          title={`Epsilon charged per UTC day, per buyer (last ${DAYS} days)`}
          days={chart.days}
          series={chart.series}
          yLabel="ε per day"
        />
      )}
    </section>
  );
}
