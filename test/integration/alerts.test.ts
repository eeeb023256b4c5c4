import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { configFrom } from "../../src/config";
import { hoursBefore, insertAnomalies } from "../support/anomalies";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { startWebhookReceiver } from "../support/webhookReceiver";

// The verifier checks webhook-timestamp against the real time, so the test clock starts at it.
const clock = fixedClock(new Date());
const secret = `whsec_${randomBytes(32).toString("base64")}`;
let db: TestDatabase;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let api: ReturnType<typeof testApp>;
let operatorKey: string;

const SEND = `mutation { sendAnomalyAlerts(input: {}) {
  outcome sent webhookId attempts responseStatus windowHours totalCount errorCount
  groups { tenantId anomalyType severity count }
  userErrors { code }
} }`;
const DELIVERIES = `{ alertDeliveries(first: 20) { totalCount nodes { webhookId status attempt responseStatus targetUrl } } }`;

interface SendResult {
  outcome: string;
  sent: boolean;
  webhookId: string | null;
  attempts: number;
  responseStatus: number | null;
  totalCount: number;
  errorCount: number;
  groups: Array<{ tenantId: string; anomalyType: string; severity: string; count: number }>;
}

async function send(target = api): Promise<SendResult> {
  const { body } = await target.graphql(SEND, { key: operatorKey });
  expect(body.errors).toBeUndefined();
  return body.data?.sendAnomalyAlerts as SendResult;
}

async function setPolicy(overrides: Record<string, unknown>) {
  await db.query(
    `update timing_policies set payload = payload || $1::jsonb where policy_key = 'anomaly_alerts_v1'`,
    [JSON.stringify(overrides)],
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startWebhookReceiver();
  api = testApp(db, clock, { ANOMALIES_ALERT_WEBHOOK: receiver.url, ANOMALIES_ALERT_SECRET: secret });
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  // Retries back off 1, 2, 4 ms here instead of seconds.
  await setPolicy({ backoff_ms: 1, max_attempts: 4 });
});
afterAll(async () => {
  await receiver?.close();
  await db?.destroy();
});
beforeEach(async () => {
  await db.query("delete from import_anomalies");
  await db.query("delete from alert_deliveries");
  receiver.received.length = 0;
  receiver.respondWith([]);
  clock.set(new Date());
});

describe("anomaly alerts", () => {
  it("posts a Standard Webhooks signed aggregate with counts and types only, never payload text", async () => {
    const now = clock.now();
    await insertAnomalies(db, [
      { createdAt: hoursBefore(now, 0.1), payloadExcerpt: '{"deployment_specialist":"ZZ-SECRET-ROW-TEXT"}' },
      { createdAt: hoursBefore(now, 0.2), payloadExcerpt: '{"deployment_specialist":"ZZ-SECRET-ROW-TEXT"}' },
      { createdAt: hoursBefore(now, 0.3), anomalyType: "UNKNOWN_DELIVERY_PARTNER", severity: "warning" },
      { createdAt: hoursBefore(now, 5), payloadExcerpt: "old, outside the 1 h window" },
    ]);
    const result = await send();
    expect(result).toMatchObject({
      outcome: "SENT",
      sent: true,
      attempts: 1,
      responseStatus: 200,
      totalCount: 3,
      errorCount: 2,
    });
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    if (delivery === undefined) throw new Error("nothing received");
    const verified = new Webhook(secret).verify(delivery.body, {
      "webhook-id": String(delivery.headers["webhook-id"]),
      "webhook-timestamp": String(delivery.headers["webhook-timestamp"]),
      "webhook-signature": String(delivery.headers["webhook-signature"]),
    }) as { type: string; data: { total: number; errors: number; groups: unknown[] } };
    expect(delivery.headers["webhook-id"]).toBe(result.webhookId);
    expect(verified.type).toBe("import_anomalies.threshold_reached");
    expect(verified.data).toMatchObject({ total: 3, errors: 2 });
    expect(verified.data.groups).toEqual([
      { tenantId: "TELCO", anomalyType: "UNKNOWN_DS", severity: "error", count: 2 },
      { tenantId: "TELCO", anomalyType: "UNKNOWN_DELIVERY_PARTNER", severity: "warning", count: 1 },
    ]);
    expect(delivery.body).not.toMatch(/ZZ-SECRET|deployment_specialist|stage_application|STG-/);
    // A tampered body fails the same verifier.
    expect(() =>
      new Webhook(secret).verify(delivery.body.replace('"total":3', '"total":4'), {
        "webhook-id": String(delivery.headers["webhook-id"]),
        "webhook-timestamp": String(delivery.headers["webhook-timestamp"]),
        "webhook-signature": String(delivery.headers["webhook-signature"]),
      }),
    ).toThrow();
  });

  it("retries 5xx and 429 with backoff until a 200, recording every attempt under one webhook id", async () => {
    await insertAnomalies(db, [
      { createdAt: hoursBefore(clock.now(), 0.1) },
      { createdAt: hoursBefore(clock.now(), 0.2) },
    ]);
    receiver.respondWith([503, 429, 200]);
    const result = await send();
    expect(result).toMatchObject({ outcome: "SENT", attempts: 3, responseStatus: 200 });
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"]))).toEqual(
      new Set([result.webhookId]),
    );
    const { body } = await api.graphql(DELIVERIES, { key: operatorKey });
    const deliveries = body.data?.alertDeliveries as {
      totalCount: number;
      nodes: Array<Record<string, unknown>>;
    };
    expect(deliveries.totalCount).toBe(3);
    expect(deliveries.nodes.map((n) => [n.attempt, n.status, n.responseStatus, n.webhookId]).sort()).toEqual([
      [1, "retrying", 503, result.webhookId],
      [2, "retrying", 429, result.webhookId],
      [3, "delivered", 200, result.webhookId],
    ]);
    expect(deliveries.nodes[0]?.targetUrl).toBe(receiver.url);
  });

  it("pages delivery attempts by cursor, also attempts of the same instant, and refuses a first above 500 rather than clamping it", async () => {
    await insertAnomalies(db, [
      { createdAt: hoursBefore(clock.now(), 0.1) },
      { createdAt: hoursBefore(clock.now(), 0.2) },
    ]);
    receiver.respondWith([503, 503, 200]);
    expect(await send()).toMatchObject({ outcome: "SENT", attempts: 3 });
    const PAGE = `query ($first: Int, $after: String) { alertDeliveries(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { attempt }
    } }`;
    const attempts: number[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 5; pages++) {
      const { body } = await api.graphql(PAGE, { key: operatorKey, variables: { first: 1, after } });
      expect(body.errors).toBeUndefined();
      const page = body.data?.alertDeliveries as {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        nodes: Array<{ attempt: number }>;
      };
      expect(page.totalCount).toBe(3);
      attempts.push(...page.nodes.map((node) => node.attempt));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(attempts.sort()).toEqual([1, 2, 3]);

    const tooMany = await api.graphql(PAGE, { key: operatorKey, variables: { first: 501 } });
    expect(tooMany.body.errors?.[0]).toMatchObject({
      message: "first must be between 0 and 500.",
      extensions: { code: "BAD_USER_INPUT", limit: 500 },
    });
    const forged = await api.graphql(PAGE, { key: operatorKey, variables: { after: "nope" } });
    expect(forged.body.errors?.[0]).toMatchObject({
      message: "after is not a cursor returned by alertDeliveries.",
      extensions: { code: "BAD_USER_INPUT", field: "after" },
    });
  });

  it("does not retry a 4xx other than 429, and records the failure", async () => {
    await insertAnomalies(db, [
      { createdAt: hoursBefore(clock.now(), 0.1) },
      { createdAt: hoursBefore(clock.now(), 0.2) },
    ]);
    receiver.respondWith([400, 200]);
    const result = await send();
    expect(result).toMatchObject({ outcome: "FAILED", sent: false, attempts: 1, responseStatus: 400 });
    expect(receiver.received).toHaveLength(1);
    const rows = await db.query<{ status: string; attempts: number }>(
      "select status, attempts from alert_deliveries",
    );
    expect(rows).toEqual([{ status: "failed", attempts: 1 }]);
  });

  it("gives up after max_attempts of 5xx", async () => {
    await insertAnomalies(db, [
      { createdAt: hoursBefore(clock.now(), 0.1) },
      { createdAt: hoursBefore(clock.now(), 0.2) },
    ]);
    receiver.respondWith([500, 502, 503, 504, 200]);
    const result = await send();
    expect(result).toMatchObject({ outcome: "FAILED", attempts: 4, responseStatus: 504 });
    const rows = await db.query<{ status: string }>("select status from alert_deliveries order by attempts");
    expect(rows.map((r) => r.status)).toEqual(["retrying", "retrying", "retrying", "failed"]);
  });

  it("alerts once per ongoing (tenant, type) problem within the suppression window, and again after it", async () => {
    const now = clock.now();
    await insertAnomalies(db, [{ createdAt: hoursBefore(now, 0.1) }, { createdAt: hoursBefore(now, 0.2) }]);
    expect((await send()).outcome).toBe("SENT");
    await insertAnomalies(db, [{ createdAt: hoursBefore(now, 0.05) }, { createdAt: hoursBefore(now, 0.01) }]);
    const second = await send();
    expect(second).toMatchObject({ outcome: "SUPPRESSED", sent: false, attempts: 0 });
    expect(receiver.received).toHaveLength(1);
    // A new problem (another tenant) still alerts, and carries only the new pair.
    await insertAnomalies(db, [
      { createdAt: hoursBefore(now, 0.02), tenantId: "OTHER", anomalyType: "UNKNOWN_RM" },
      { createdAt: hoursBefore(now, 0.01), tenantId: "OTHER", anomalyType: "UNKNOWN_RM" },
    ]);
    const third = await send();
    expect(third.outcome).toBe("SENT");
    expect(third.groups).toEqual([
      { tenantId: "OTHER", anomalyType: "UNKNOWN_RM", severity: "ERROR", count: 2 },
    ]);
    // After the suppression window (240 min by default) the ongoing problem alerts again. The
    // deliveries are moved back rather than the clock forward: the key's rate limiter runs on the clock.
    await db.query("update alert_deliveries set created_at = created_at - interval '241 minutes'");
    const later = await send();
    expect(later.outcome).toBe("SENT");
    expect(later.groups.map((g) => g.tenantId).sort()).toEqual(["OTHER", "TELCO"]);
  });

  it("sends nothing below the thresholds (5 total, 2 errors)", async () => {
    await insertAnomalies(db, [
      { createdAt: hoursBefore(clock.now(), 0.1) },
      ...Array.from({ length: 3 }, () => ({
        createdAt: hoursBefore(clock.now(), 0.2),
        anomalyType: "UNKNOWN_DELIVERY_PARTNER",
        severity: "warning" as const,
      })),
    ]);
    expect(await send()).toMatchObject({
      outcome: "BELOW_THRESHOLD",
      sent: false,
      totalCount: 4,
      errorCount: 1,
    });
    expect(receiver.received).toHaveLength(0);
  });

  it("answers that nothing was sent when no webhook is configured", async () => {
    await insertAnomalies(db, [
      { createdAt: hoursBefore(clock.now(), 0.1) },
      { createdAt: hoursBefore(clock.now(), 0.2) },
    ]);
    const bare = testApp(db, clock);
    expect(await send(bare)).toMatchObject({
      outcome: "NO_WEBHOOK",
      sent: false,
      attempts: 0,
      totalCount: 2,
    });
    expect(receiver.received).toHaveLength(0);
    expect(await db.query("select id from alert_deliveries")).toEqual([]);
  });

  it("audits every call in the audit log", async () => {
    const before = await db.query<{ n: number }>(
      "select count(*)::int as n from audit_logs where action = 'sendAnomalyAlerts'",
    );
    await send();
    const [after] = await db.query<{ n: number; outcome: string }>(
      "select count(*)::int as n, max(outcome) as outcome from audit_logs where action = 'sendAnomalyAlerts'",
    );
    expect(after?.n).toBe((before[0]?.n ?? 0) + 1);
  });

  it("accepts only https webhooks, or http on a loopback host, with a whsec_ secret", () => {
    const ok = configFrom({
      ANOMALIES_ALERT_WEBHOOK: "https://alerts.example.com/hook",
      ANOMALIES_ALERT_SECRET: secret,
    });
    expect(ok.anomaliesAlertWebhook).toBe("https://alerts.example.com/hook");
    expect(ok.anomaliesAlertSecret?.length).toBe(32);
    expect(() =>
      configFrom({
        ANOMALIES_ALERT_WEBHOOK: "http://alerts.example.com/hook",
        ANOMALIES_ALERT_SECRET: secret,
      }),
    ).toThrow(/ANOMALIES_ALERT_WEBHOOK: must be an https:\/\/ URL/);
    expect(() => configFrom({ ANOMALIES_ALERT_WEBHOOK: "https://alerts.example.com/hook" })).toThrow(
      /ANOMALIES_ALERT_SECRET: required/,
    );
    expect(() =>
      configFrom({ ANOMALIES_ALERT_WEBHOOK: receiver.url, ANOMALIES_ALERT_SECRET: "not-a-secret" }),
    ).toThrow(/ANOMALIES_ALERT_SECRET: must be whsec_/);
  });
});
