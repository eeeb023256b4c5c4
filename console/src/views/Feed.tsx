import { useState } from "react";
import {
  ConsoleAcknowledgeFeedItemDocument,
  ConsoleDecideActionDocument,
  ConsoleFeedDocument,
  type ConsoleFeedQuery,
  type FeedStatus,
} from "../../../src/generated/graphql/graphql";
import type { ViewProps } from "../App";
import { describeError, request } from "../api";
import { SortTable } from "../components/SortTable";
import { Empty, ErrorState, Loading } from "../components/States";
import { SEVERITY_RANK, utc } from "../format";
import { useQuery } from "../useQuery";

type Action = ConsoleFeedQuery["ops"]["actions"][number];
type FeedItem = ConsoleFeedQuery["ops"]["feed"]["nodes"][number];

export function FeedView({ apiKey, role }: ViewProps) {
  const [status, setStatus] = useState<FeedStatus | "">("NEW");
  const result = useQuery(ConsoleFeedDocument, { status: status === "" ? null : status }, apiKey);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const operator = role === "OPERATOR";

  async function acknowledge(item: FeedItem, next: "READ" | "ARCHIVED") {
    setOutcome(null);
    try {
      const { acknowledgeFeedItem } = await request(
        ConsoleAcknowledgeFeedItemDocument,
        { input: { id: item.id, status: next } },
        apiKey,
      );
      const problem = acknowledgeFeedItem.userErrors[0];
      setOutcome(
        problem === undefined
          ? { ok: true, text: `Marked "${item.title}" ${next.toLowerCase()}.` }
          : { ok: false, text: `${problem.code}: ${problem.message}` },
      );
      result.reload();
    } catch (error) {
      setOutcome({ ok: false, text: describeError(error).title });
    }
  }

  if (result.data === undefined) {
    return result.status === "error" ? (
      <ErrorState error={result.error} onRetry={result.reload} />
    ) : (
      <Loading what="the feed" />
    );
  }
  const { feed, actions } = result.data.ops;
  const pending = actions.filter((action) => action.approvalStatus === "PENDING");
  const decided = actions.filter((action) => action.approvalStatus !== "PENDING");
  const bySeverity = (level: string) => feed.nodes.filter((item) => item.severity === level).length;
  return (
    <section aria-label="Feed and actions">
      {result.status === "error" ? <ErrorState error={result.error} onRetry={result.reload} /> : null}
      {outcome === null ? null : (
        <p className={outcome.ok ? "notice" : "notice notice-bad"} role="status">
          {outcome.text}
        </p>
      )}
      <h3>Pending actions</h3>
      {operator ? null : (
        <p className="hint">Only an OPERATOR key may approve or reject; this INTERNAL key can look.</p>
      )}
      {pending.length === 0 ? (
        <Empty>
          No action waits for a decision. Monitors propose one when a buyer's traffic looks like abuse.
        </Empty>
      ) : (
        <ul className="cards">
          {pending.map((action) => (
            <PendingAction
              key={action.id}
              action={action}
              apiKey={apiKey}
              operator={operator}
              onDecided={(text, ok) => {
                setOutcome({ ok, text });
                result.reload();
              }}
            />
          ))}
        </ul>
      )}
      <h3>Feed</h3>
      <div className="filters">
        <div>
          <label htmlFor="feed-status">Status</label>
          <select
            id="feed-status"
            value={status}
            onChange={(event) => setStatus(event.target.value as FeedStatus | "")}
          >
            <option value="NEW">new</option>
            <option value="READ">read</option>
            <option value="ARCHIVED">archived</option>
            <option value="">all</option>
          </select>
        </div>
        <p className="counts">
          {feed.totalCount} items: {bySeverity("ERROR")} error, {bySeverity("WARNING")} warning,{" "}
          {bySeverity("INFO")} info (of those shown)
        </p>
      </div>
      {feed.nodes.length === 0 ? (
        <Empty>
          {status === "NEW"
            ? "Nothing new in the feed. Choose “all” to see items already read or archived."
            : "No feed items with this status."}
        </Empty>
      ) : (
        <SortTable
          caption="Feed items (severity first)"
          columns={[
            {
              key: "severity",
              label: "Severity",
              value: (row) => SEVERITY_RANK[row.severity] ?? 9,
              render: (row) => <span className={`badge sev-${row.severity}`}>{row.severity}</span>,
            },
            { key: "title", label: "What", value: (row) => row.title },
            { key: "source", label: "Monitor", value: (row) => row.source },
            {
              key: "created",
              label: "Raised",
              value: (row) => row.createdAt,
              render: (row) => utc(row.createdAt),
            },
            { key: "status", label: "Status", value: (row) => row.status },
            {
              key: "do",
              label: operator ? "Acknowledge" : "Acknowledged by",
              value: (row) => row.acknowledgedBy ?? null,
              render: (row) =>
                operator && row.status !== "ARCHIVED" ? (
                  <span className="buttons">
                    {row.status === "NEW" ? (
                      <button type="button" onClick={() => acknowledge(row, "READ")}>
                        Mark read
                      </button>
                    ) : null}
                    <button type="button" onClick={() => acknowledge(row, "ARCHIVED")}>
                      Archive
                    </button>
                  </span>
                ) : (
                  (row.acknowledgedBy ?? "–")
                ),
            },
          ]}
          rows={feed.nodes}
          rowKey={(row) => row.id}
          initialSort={{ key: "severity", descending: false }}
        />
      )}
      <h3>Decided actions</h3>
      {decided.length === 0 ? (
        <Empty>No action has been decided yet.</Empty>
      ) : (
        <SortTable
          caption="Decided actions, newest first"
          columns={[
            {
              key: "created",
              label: "Proposed",
              value: (row) => row.createdAt,
              render: (row) => utc(row.createdAt),
            },
            { key: "type", label: "Action", value: (row) => row.actionType },
            { key: "target", label: "Target", value: (row) => row.target },
            { key: "decision", label: "Decision", value: (row) => row.approvalStatus },
            { key: "status", label: "Status", value: (row) => row.status },
            { key: "by", label: "By", value: (row) => row.decidedBy ?? null },
            { key: "why", label: "Reason", value: (row) => row.decisionReason ?? null },
          ]}
          rows={decided}
          rowKey={(row) => row.id}
          initialSort={{ key: "created", descending: true }}
        />
      )}
    </section>
  );
}

function PendingAction({
  action,
  apiKey,
  operator,
  onDecided,
}: {
  action: Action;
  apiKey: string;
  operator: boolean;
  onDecided: (text: string, ok: boolean) => void;
}) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const reasonId = `reason-${action.id}`;

  async function decide(decision: "APPROVE" | "REJECT") {
    if (reason.trim() === "") {
      onDecided("Give a reason before deciding: it goes into the audit log.", false);
      return;
    }
    setBusy(true);
    try {
      const { decideAction } = await request(
        ConsoleDecideActionDocument,
        { input: { id: action.id, decision, reason: reason.trim() } },
        apiKey,
      );
      const problem = decideAction.userErrors[0];
      onDecided(
        problem === undefined
          ? `${decision === "APPROVE" ? "Approved" : "Rejected"} ${action.actionType} for ${action.target}: ${decideAction.action?.status ?? ""}.`
          : `${problem.code}: ${problem.message}`,
        problem === undefined,
      );
    } catch (error) {
      onDecided(describeError(error).title, false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="card" data-action-id={action.id}>
      <p>
        <strong>{action.actionType}</strong> for <strong>{action.target}</strong>, proposed by{" "}
        {action.proposedBy} at {utc(action.createdAt)}
      </p>
      <p className="reason">{action.reason}</p>
      <p>
        Status: <span data-testid="action-status">{action.approvalStatus}</span>
      </p>
      {operator ? (
        <div className="decide">
          <label htmlFor={reasonId}>Reason for the decision</label>
          <input id={reasonId} value={reason} onChange={(event) => setReason(event.target.value)} />
          <span className="buttons">
            <button type="button" disabled={busy} onClick={() => decide("APPROVE")}>
              Approve
            </button>
            <button type="button" disabled={busy} onClick={() => decide("REJECT")}>
              Reject
            </button>
          </span>
        </div>
      ) : null}
    </li>
  );
}
