import { createHmac, randomUUID } from "node:crypto";
import type { AdminActor, AdminDeps } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import type { Clock } from "../clock";
import type { Config } from "../config";
import type { DatabaseHandle } from "../db/client";
import type { KeysetPage, KeysetRows } from "../db/keysetPage";
import { columnsOf } from "../db/rows";
import { alertDeliveries } from "../db/schema/ops";
import type { TimingPolicy, TimingPolicyKey } from "../db/timingPolicyRegistry";
import type { AdminOutcome } from "../errors";
import { type AnomalyStatsGroup, readAnomalyStats } from "./anomalyStats";
import { loadTimingPolicy } from "./timingPolicies";

export const ALERT_POLICY_KEY = "anomaly_alerts_v1" satisfies TimingPolicyKey;
export const ALERT_JOB_NAME = "anomaly_alerts";
export const ALERT_KIND = "anomaly_alert";

/** timing_policies.anomaly_alerts_v1: schedule, window, thresholds, suppression and retries. */
export type AlertPolicy = TimingPolicy<typeof ALERT_POLICY_KEY>;

export interface AlertTarget {
  url: string;
  /** The decoded bytes of the whsec_ secret. */
  secret: Buffer;
}

export interface AlertDependencies {
  database: DatabaseHandle;
  clock: Clock;
  /** Undefined: no webhook configured, nothing is sent. */
  target: AlertTarget | undefined;
  fetch?: typeof fetch;
  /** Waits between retries; tests pass a no-op. */
  sleep?: (ms: number) => Promise<void>;
}

export type AlertOutcome = "SENT" | "NO_WEBHOOK" | "BELOW_THRESHOLD" | "SUPPRESSED" | "FAILED";

export interface AlertResult {
  outcome: AlertOutcome;
  sent: boolean;
  webhookId: string | null;
  attempts: number;
  responseStatus: number | null;
  windowHours: number;
  total: number;
  errors: number;
  /** The (tenant, type, severity) counts the alert carried, or would have carried. */
  groups: AnomalyStatsGroup[];
}

export function alertTargetOf(config: Config): AlertTarget | undefined {
  return config.anomaliesAlertWebhook !== undefined && config.anomaliesAlertSecret !== undefined
    ? { url: config.anomaliesAlertWebhook, secret: config.anomaliesAlertSecret }
    : undefined;
}

// Standard Webhooks signing is one HMAC over a fixed string (the spec pins it), so node:crypto
// does it here rather than a dependency; the tests verify it with the reference `standardwebhooks`.
export function signWebhook(secret: Buffer, webhookId: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${webhookId}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

const groupKey = (group: { tenantId: string; anomalyType: string }) =>
  `${group.tenantId}|${group.anomalyType}`;

/** (tenant, type) pairs a delivered alert already reported within the suppression window. */
async function suppressedKeys(database: DatabaseHandle, since: Date): Promise<Set<string>> {
  const rows = await database.query<{ payload: unknown }>(
    "select payload from alert_deliveries where kind = $1 and status = 'delivered' and created_at >= $2",
    [ALERT_KIND, since],
  );
  const keys = new Set<string>();
  for (const row of rows) {
    const payload = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as {
      data?: { groups?: Array<{ tenantId: string; anomalyType: string }> };
    };
    for (const group of payload.data?.groups ?? []) keys.add(groupKey(group));
  }
  return keys;
}

/** Where deliveries are logged: the URL without query or credentials, which may hold tokens. */
function loggableUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/**
 * Checks the policy's window; when the anomalies not reported recently reach min_count (or their
 * errors reach min_errors) posts one aggregate (counts per tenant, type and severity, never a
 * payload) to the webhook, signed per Standard Webhooks. Retries 429/5xx/network failures with
 * exponential backoff, never other 4xx. Every attempt is a row in alert_deliveries; only a
 * delivered alert starts the suppression window of the (tenant, type) pairs it carried.
 */
export async function sendAnomalyAlerts(deps: AlertDependencies, policy: AlertPolicy): Promise<AlertResult> {
  const { database, clock } = deps;
  const now = clock.now();
  const stats = await readAnomalyStats(database.query, policy.window_hours, now);
  const suppressed = await suppressedKeys(
    database,
    new Date(now.getTime() - policy.suppression_minutes * 60_000),
  );
  const fresh = stats.groups.filter((group) => !suppressed.has(groupKey(group)));
  const total = fresh.reduce((n, g) => n + g.count, 0);
  const errors = fresh.filter((g) => g.severity === "error").reduce((n, g) => n + g.count, 0);
  const base = { windowHours: policy.window_hours, total, errors, groups: fresh };
  const none = { sent: false, webhookId: null, attempts: 0, responseStatus: null };
  if (total < policy.min_count && errors < policy.min_errors) {
    const wouldHaveFired = stats.total >= policy.min_count || stats.errors >= policy.min_errors;
    return { ...none, ...base, outcome: wouldHaveFired ? "SUPPRESSED" : "BELOW_THRESHOLD" };
  }
  if (deps.target === undefined) return { ...none, ...base, outcome: "NO_WEBHOOK" };

  const webhookId = `msg_${randomUUID()}`;
  const payload = {
    type: "import_anomalies.threshold_reached",
    timestamp: now.toISOString(),
    data: {
      windowHours: policy.window_hours,
      since: stats.since.toISOString(),
      total,
      errors,
      thresholds: { minCount: policy.min_count, minErrors: policy.min_errors },
      groups: fresh.map(({ tenantId, anomalyType, severity, count }) => ({
        tenantId,
        anomalyType,
        severity,
        count,
      })),
    },
  };
  const body = JSON.stringify(payload);
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const targetUrl = loggableUrl(deps.target.url);
  let responseStatus: number | null = null;
  for (let attempt = 1; attempt <= policy.max_attempts; attempt++) {
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    let error: string | null = null;
    responseStatus = null;
    try {
      const response = await doFetch(deps.target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "webhook-id": webhookId,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signWebhook(deps.target.secret, webhookId, timestamp, body),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      responseStatus = response.status;
      await response.body?.cancel();
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    const delivered = responseStatus !== null && responseStatus >= 200 && responseStatus < 300;
    const retryable = responseStatus === null || responseStatus === 429 || responseStatus >= 500;
    const last = delivered || !retryable || attempt === policy.max_attempts;
    const status = delivered ? "delivered" : last ? "failed" : "retrying";
    await database.query(
      `insert into alert_deliveries
         (kind, target_url, payload, webhook_id, status, attempts, response_status, error, created_at, delivered_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        ALERT_KIND,
        targetUrl,
        body,
        webhookId,
        status,
        attempt,
        responseStatus,
        error?.slice(0, 500) ?? null,
        clock.now(),
        delivered ? clock.now() : null,
      ],
    );
    if (last) {
      return {
        ...base,
        outcome: delivered ? "SENT" : "FAILED",
        sent: delivered,
        webhookId,
        attempts: attempt,
        responseStatus,
      };
    }
    await sleep(policy.backoff_ms * 2 ** (attempt - 1));
  }
  throw new Error("unreachable: the attempt loop always returns");
}

/** The scheduled check: the stored policy, recorded as a job run by the caller. */
export async function runScheduledAlerts(deps: AlertDependencies) {
  const policy = await loadTimingPolicy(deps.database, ALERT_POLICY_KEY);
  if (!policy.enabled) return { outcome: "disabled", rows: 0 };
  const result = await sendAnomalyAlerts(deps, policy);
  return {
    outcome: result.outcome.toLowerCase(),
    rows: result.attempts,
    details: { total: result.total, errors: result.errors, webhookId: result.webhookId },
  };
}

/**
 * The operator's sendAnomalyAlerts: the stored policy's check now, sent to the configured webhook
 * (or, on a dry run, to none), and one audit row for what the call amounted to. The attempts are
 * recorded as they happen (each one must survive a later failure), so the audit row is written
 * after them in a transaction of its own.
 */
export async function sendAnomalyAlertsNow(
  { database, clock, config }: Pick<AdminDeps, "database" | "clock" | "config">,
  actor: AdminActor,
  input: { dryRun?: boolean | null },
): Promise<AdminOutcome<{ result: AlertResult }>> {
  const policy = await loadTimingPolicy(database, ALERT_POLICY_KEY);
  const target = input.dryRun ? undefined : alertTargetOf(config);
  const result = await sendAnomalyAlerts({ database, clock, target }, policy);
  await database.transaction((query) =>
    appendAuditEntry(query, {
      at: clock.now(),
      type: "admin_mutation",
      ...actor,
      action: "sendAnomalyAlerts",
      target: result.webhookId,
      outcome: result.outcome,
      details: {
        dryRun: input.dryRun === true,
        total: result.total,
        errors: result.errors,
        attempts: result.attempts,
      },
    }),
  );
  return { ok: true, value: { result } };
}

/** A delivery attempt as alertDeliveries lists it (not its payload). */
const DELIVERY = columnsOf(alertDeliveries, { omit: ["kind", "payload"], from: "d" });

export type AlertDeliveryRow = ReturnType<typeof DELIVERY.read>;

/** Delivery attempts, newest first (created_at, then id), keyset-paginated; plus the total. */
export async function listAlertDeliveries(
  database: DatabaseHandle,
  page: KeysetPage,
): Promise<KeysetRows<AlertDeliveryRow>> {
  const [total] = await database.query<{ n: number }>(
    "select count(*)::int as n from alert_deliveries where kind = $1",
    [ALERT_KIND],
  );
  const rows = await database.query(
    `select ${DELIVERY.list}
       from alert_deliveries d
      where d.kind = $1 and ($2::timestamptz is null or (d.created_at, d.id) < ($2::timestamptz, $3::uuid))
      order by d.created_at desc, d.id desc
      limit $4`,
    [ALERT_KIND, page.after?.at ?? null, page.after?.id ?? null, page.first + 1],
  );
  return {
    rows: rows.slice(0, page.first).map(DELIVERY.read),
    totalCount: total?.n ?? 0,
    hasNextPage: rows.length > page.first,
  };
}
