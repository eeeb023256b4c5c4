import { type FormEvent, useState } from "react";
import {
  ConsoleAnomaliesDocument,
  type ConsoleAnomaliesQuery,
  type Severity,
} from "../../../src/generated/graphql/graphql";
import type { ViewProps } from "../App";
import { type Column, SortTable } from "../components/SortTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { utc } from "../format";
import { useQuery } from "../useQuery";

const WINDOWS = [1, 6, 24, 72, 168, 720];
const SEVERITIES: Severity[] = ["ERROR", "WARNING", "INFO"];

interface AnomalyRow {
  id: string;
  createdAt: string;
  severity: Severity;
  anomalyType: string;
  tenantId: string;
  projectKey?: string | null;
  rowIndex: number;
  payloadExcerpt: string;
}

const ANOMALY_COLUMNS: Array<Column<AnomalyRow>> = [
  { key: "createdAt", label: "When", value: (row) => row.createdAt, render: (row) => utc(row.createdAt) },
  { key: "type", label: "Type", value: (row) => row.anomalyType },
  { key: "tenant", label: "Tenant", value: (row) => row.tenantId },
  { key: "project", label: "Project", value: (row) => row.projectKey ?? null },
  { key: "row", label: "Row", value: (row) => row.rowIndex, numeric: true },
  {
    key: "excerpt",
    label: "Payload excerpt (bounded)",
    value: (row) => row.payloadExcerpt,
    render: (row) => <code className="excerpt">{row.payloadExcerpt}</code>,
  },
];

export function AnomaliesView({ apiKey }: ViewProps) {
  const [windowHours, setWindowHours] = useState(24);
  const [tenantDraft, setTenantDraft] = useState("");
  const [tenant, setTenant] = useState("");
  const [severity, setSeverity] = useState<Severity | "">("");
  const result = useQuery(
    ConsoleAnomaliesDocument,
    { windowHours, tenant: tenant === "" ? null : tenant, severity: severity === "" ? null : [severity] },
    apiKey,
  );

  function applyTenant(event: FormEvent) {
    event.preventDefault();
    setTenant(tenantDraft.trim());
  }

  return (
    <section aria-label="Anomalies">
      <form className="filters" onSubmit={applyTenant}>
        <div>
          <label htmlFor="anomaly-window">Window</label>
          <select
            id="anomaly-window"
            value={windowHours}
            onChange={(event) => setWindowHours(Number(event.target.value))}
          >
            {WINDOWS.map((hours) => (
              <option key={hours} value={hours}>
                last {hours < 48 ? `${hours} h` : `${hours / 24} days`}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="anomaly-severity">Severity</label>
          <select
            id="anomaly-severity"
            value={severity}
            onChange={(event) => setSeverity(event.target.value as Severity | "")}
          >
            <option value="">all</option>
            {SEVERITIES.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="anomaly-tenant">Tenant</label>
          <input
            id="anomaly-tenant"
            value={tenantDraft}
            placeholder="all tenants"
            onChange={(event) => setTenantDraft(event.target.value)}
          />
        </div>
        <button type="submit">Apply tenant</button>
      </form>
      {result.status === "error" ? <ErrorState error={result.error} onRetry={result.reload} /> : null}
      {result.data === undefined ? (
        result.status === "loading" ? (
          <Loading what="anomalies" />
        ) : null
      ) : (
        <AnomalyData data={result.data} filtered={tenant !== "" || severity !== ""} />
      )}
    </section>
  );
}

function AnomalyData({ data, filtered }: { data: ConsoleAnomaliesQuery; filtered: boolean }) {
  const stats = data.anomalyStats;
  const nodes = data.anomalies.nodes as AnomalyRow[];
  return (
    <>
      <ul className="tiles" aria-label="Anomalies in the window">
        <li className="tile sev-ERROR">
          <span className="tile-value">{stats.errorCount}</span> errors
        </li>
        <li className="tile sev-WARNING">
          <span className="tile-value">{stats.warningCount}</span> warnings
        </li>
        <li className="tile sev-INFO">
          <span className="tile-value">{stats.infoCount}</span> info
        </li>
        <li className="tile">
          <span className="tile-value">{stats.totalCount}</span> in all since {utc(stats.since)}
        </li>
      </ul>
      {stats.byTypeAndSeverity.length === 0 ? (
        <Empty>
          No anomalies in the last {stats.windowHours} h. Widen the window; imports that name unknown people
          or partners raise them.
        </Empty>
      ) : (
        <SortTable
          caption={`By type and severity, last ${stats.windowHours} h (all tenants)`}
          columns={[
            { key: "type", label: "Type", value: (row) => row.anomalyType },
            { key: "severity", label: "Severity", value: (row) => row.severity },
            { key: "count", label: "Count", value: (row) => row.count, numeric: true },
          ]}
          rows={stats.byTypeAndSeverity}
          rowKey={(row) => `${row.anomalyType}:${row.severity}`}
          initialSort={{ key: "count", descending: true }}
        />
      )}
      <h3>
        Most recent {nodes.length} of {data.anomalies.totalCount}
        {filtered ? " (filtered)" : ""}
      </h3>
      {nodes.length === 0 ? (
        <Empty>
          {filtered
            ? "No anomaly matches these filters. Clear the tenant or severity, or widen the window."
            : "Nothing to list in this window. Widen it to see older anomalies."}
        </Empty>
      ) : (
        SEVERITIES.map((level) => {
          const rows = nodes.filter((node) => node.severity === level);
          return rows.length === 0 ? null : (
            <SortTable
              key={level}
              caption={`${level} (${rows.length})`}
              columns={ANOMALY_COLUMNS}
              rows={rows}
              rowKey={(row) => row.id}
              initialSort={{ key: "createdAt", descending: true }}
            />
          );
        })
      )}
    </>
  );
}
