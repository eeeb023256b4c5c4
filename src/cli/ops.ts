import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import {
  OpsAuditLogDocument,
  OpsBudgetsDocument,
  OpsFreshnessDocument,
  OpsJobsDocument,
} from "../generated/graphql/graphql";

export const OPS_HELP = `Usage: npm run cli -- ops <view> [--url URL] [--key KEY] [--json] [--first N]

Reads an ops view from a running server over HTTP, with an INTERNAL or OPERATOR key, using the
generated typed documents (src/cli/operations/ops.graphql).

Views:
  budgets     Every buyer's privacy budget: limit, spent, remaining, window, last charge.
  freshness   Per granularity: newest released bucket, lag, stale.
  audit       The audit log, newest first (--first N, default 20).
  jobs        Every job: schedule, policy, last run, runs and failures in 24 h, next due.

Options:
  --url URL   GraphQL endpoint (default http://127.0.0.1:4000/graphql).
  --key KEY   API key; default: the OPS_API_KEY environment variable.
  --json      Print the view as JSON instead of a table.

Exit codes: 0 shown, 1 refused or failed (the error code is printed), 2 wrong usage.
`;

export const OPS_VIEWS = ["budgets", "freshness", "audit", "jobs"] as const;
export type OpsView = (typeof OPS_VIEWS)[number];

export interface OpsRequest {
  url: string;
  key: string;
  view: string;
  json?: boolean;
  first?: number;
}

export interface OpsResult {
  exitCode: number;
  text: string;
}

type Row = Record<string, string | number | boolean | null | undefined>;

/** Runs one ops view against a server and returns what to print (a table, or JSON with json). */
export async function runOpsView(request: OpsRequest): Promise<OpsResult> {
  if (!(OPS_VIEWS as readonly string[]).includes(request.view)) {
    return { exitCode: 2, text: `error: unknown view "${request.view}" (views: ${OPS_VIEWS.join(", ")})\n` };
  }
  if (!request.key) {
    return { exitCode: 2, text: "error: no API key: pass --key or set OPS_API_KEY\n" };
  }
  try {
    const rows = await fetchView(request, request.view as OpsView);
    return { exitCode: 0, text: request.json ? `${JSON.stringify(rows, null, 2)}\n` : formatTable(rows) };
  } catch (error) {
    return { exitCode: 1, text: `error: ${error instanceof Error ? error.message : String(error)}\n` };
  }
}

async function fetchView(request: OpsRequest, view: OpsView): Promise<Row[]> {
  switch (view) {
    case "budgets": {
      const data = await execute(request, OpsBudgetsDocument, {});
      return data.ops.privacyBudgetUsage.map((row) => ({
        partner: row.partnerId,
        limit: row.epsilonLimit,
        spent: round(row.epsilonSpent),
        remaining: round(row.epsilonRemaining),
        windowDays: row.windowDays,
        lastCharge: row.lastChargeAt ?? null,
      }));
    }
    case "freshness": {
      const data = await execute(request, OpsFreshnessDocument, {});
      return data.ops.cacheFreshness.map((row) => ({
        granularity: row.granularity,
        latestBucket: row.latestReleasedBucketUtc ?? null,
        lagHours: row.lagHours === null || row.lagHours === undefined ? null : round(row.lagHours),
        stale: row.stale,
      }));
    }
    case "audit": {
      const data = await execute(request, OpsAuditLogDocument, { first: request.first ?? 20 });
      return data.ops.auditLog.edges.map(({ node }) => ({
        id: node.id,
        at: node.at,
        action: node.action,
        actor: node.actor,
        target: node.target ?? null,
        outcome: node.outcome,
        requestId: node.requestId ?? null,
      }));
    }
    case "jobs": {
      const data = await execute(request, OpsJobsDocument, {});
      return data.ops.jobs.map((job) => ({
        job: job.name,
        schedule: job.schedule ?? null,
        policy: job.policyKey ?? null,
        lastStart: job.lastRun?.startedAt ?? null,
        lastOutcome: job.lastRun?.outcome ?? null,
        rows:
          job.lastRun?.planned === null || job.lastRun?.planned === undefined
            ? (job.lastRun?.rows ?? null)
            : `${job.lastRun.rows ?? 0}/${job.lastRun.planned}`,
        runs24h: job.runs24h,
        failures24h: job.failures24h,
        nextDue: job.nextDueAt ?? null,
        error: job.lastRun?.error ?? null,
      }));
    }
  }
}

/** POSTs a typed document; a GraphQL error becomes a thrown "CODE: message". */
async function execute<TResult, TVariables>(
  request: OpsRequest,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(request.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${request.key}` },
    body: JSON.stringify({ query: print(document), variables }),
  }).catch((error: unknown) => {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
    throw new Error(`could not reach ${request.url}${cause}`);
  });
  const body = (await response.json().catch(() => null)) as {
    data?: TResult | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  } | null;
  const error = body?.errors?.[0];
  if (error) throw new Error(`${error.extensions?.code ?? "ERROR"}: ${error.message}`);
  if (!response.ok || body?.data === undefined || body.data === null) {
    throw new Error(`the server answered HTTP ${response.status} without data`);
  }
  return body.data;
}

/** Plain aligned columns; empty values as "-". */
export function formatTable(rows: Row[]): string {
  const first = rows[0];
  if (first === undefined) return "(no rows)\n";
  const columns = Object.keys(first);
  const cell = (value: Row[string]) => (value === null || value === undefined ? "-" : String(value));
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

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
