import { useMemo } from "react";
import { ConsolePrivacyDocument } from "../../../src/generated/graphql/graphql";
import type { ViewProps } from "../App";
import { DayChart } from "../components/Chart";
import { SortTable } from "../components/SortTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { number } from "../format";
import { useQuery } from "../useQuery";

const DAYS = 30;

export function PrivacyView({ apiKey }: ViewProps) {
  // The range starts at a whole UTC day, so the variables (and the query) stay the same all day.
  const fromUtc = useMemo(
    () => `${new Date(Date.now() - DAYS * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`,
    [],
  );
  const result = useQuery(ConsolePrivacyDocument, { fromUtc }, apiKey);
  const ledger = result.data?.ops.privacyLedger;
  const chart = useMemo(() => {
    if (ledger === undefined || ledger.days.length === 0) return null;
    const days = ledger.days.map((day) => day.dayUtc);
    return {
      days,
      series: [
        { label: "ε of the day", color: "#2563eb", values: ledger.days.map((day) => day.epsilon) },
        {
          label: "plan ε_day",
          color: "#16a34a",
          dashed: true,
          values: days.map(() => ledger.planEpsilonPerParticipantDay),
        },
        { label: "cap", color: "#dc2626", dashed: true, values: days.map(() => ledger.epsilonCap) },
      ],
    };
  }, [ledger]);

  if (result.data === undefined) {
    return result.status === "error" ? (
      <ErrorState error={result.error} onRetry={result.reload} />
    ) : (
      <Loading what="the privacy ledger" />
    );
  }
  const statement = result.data.privacyStatement;
  const families = statement.families.map((family) => ({
    ...family,
    id: `${family.granularity}:${family.geoBucketType}:${family.breakdown.join("+") || "TOTAL"}`,
  }));
  return (
    <section aria-label="Privacy">
      <ul className="tiles" aria-label="The guarantee">
        <li className="tile">
          <span className="tile-value">{number(statement.planEpsilonPerParticipantDay, 3)}</span> plan ε_day
        </li>
        <li className="tile">
          <span className="tile-value">{number(statement.epsilonCap, 3)}</span> cap (ε per participant-day)
        </li>
        <li className="tile">
          <span className="tile-value">{statement.planDeltaPerParticipantDay.toExponential(1)}</span> plan
          δ_day (cap {statement.deltaCap.toExponential(1)})
        </li>
        <li className="tile">
          <span className="tile-value">{number(statement.worstCase30DayEpsilon, 1)}</span> worst case over 30
          days
        </li>
      </ul>
      {chart === null ? (
        <Empty>
          No release covers the last {DAYS} days yet: the ledger fills as precompute releases days (npm run
          ops -- precompute).
        </Empty>
      ) : (
        <DayChart
          title={`Participant-day ledger: ε per UTC day against the cap (last ${DAYS} days)`}
          days={chart.days}
          series={chart.series}
          yLabel="ε"
        />
      )}
      {ledger?.highestDay == null ? null : (
        <p>
          Highest day: {ledger.highestDay.dayUtc} at ε {number(ledger.highestDay.epsilon, 3)}.
          {statement.daysOutsideGuarantee.length > 0
            ? ` Days outside the guarantee: ${statement.daysOutsideGuarantee.join(", ")}.`
            : " No day is outside the guarantee."}
        </p>
      )}
      <SortTable
        caption="The plan's families (each reads a participant-day once)"
        columns={[
          { key: "granularity", label: "Granularity", value: (row) => row.granularity },
          { key: "geo", label: "Geo type", value: (row) => row.geoBucketType },
          { key: "level", label: "Level", value: (row) => row.breakdown.join(" × ") || "TOTAL" },
          { key: "epsilon", label: "ε", value: (row) => row.epsilon, numeric: true },
          {
            key: "delta",
            label: "δ",
            value: (row) => row.delta,
            render: (row) => row.delta.toExponential(1),
            numeric: true,
          },
          { key: "enabled", label: "Enabled", value: (row) => (row.enabled ? "yes" : "no") },
        ]}
        rows={families}
        rowKey={(row) => row.id}
        initialSort={{ key: "epsilon", descending: true }}
      />
    </section>
  );
}
