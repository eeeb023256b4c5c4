import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { decodeWebhookSecret, isAlertWebhookUrl } from "../../src/config";
import { signWebhook } from "../../src/jobs/anomalyAlerts";
import { validateRetention } from "../../src/jobs/retention";

describe("alert signing and retention input", () => {
  it("signs exactly as the reference Standard Webhooks library does", () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const key = decodeWebhookSecret(secret);
    if (key === undefined) throw new Error("secret did not decode");
    const body = JSON.stringify({ type: "import_anomalies.threshold_reached", data: { total: 7 } });
    const timestamp = 1_790_000_000;
    expect(signWebhook(key, "msg_1", timestamp, body)).toBe(
      new Webhook(secret).sign("msg_1", new Date(timestamp * 1000), body),
    );
  });

  it("allows https anywhere and http only to loopback hosts", () => {
    expect(isAlertWebhookUrl("https://hooks.example.com/a?b=c")).toBe(true);
    expect(isAlertWebhookUrl("http://127.0.0.1:9000/hook")).toBe(true);
    expect(isAlertWebhookUrl("http://localhost/hook")).toBe(true);
    expect(isAlertWebhookUrl("http://[::1]:8080/hook")).toBe(true);
    expect(isAlertWebhookUrl("http://10.0.0.5/hook")).toBe(false);
    expect(isAlertWebhookUrl("ftp://127.0.0.1/hook")).toBe(false);
    expect(isAlertWebhookUrl("not a url")).toBe(false);
  });

  it("refuses negative days, and 0 days unless confirmed", () => {
    expect(validateRetention({ stagingDays: 60, anomaliesDays: 90 })).toEqual([]);
    expect(
      validateRetention({ stagingDays: -1, anomaliesDays: 1.5 }).map((e) => [e.field[1], e.code]),
    ).toEqual([
      ["stagingDays", "OUT_OF_RANGE"],
      ["anomaliesDays", "OUT_OF_RANGE"],
    ]);
    expect(validateRetention({ stagingDays: 0, anomaliesDays: 90 }).map((e) => e.code)).toEqual([
      "CONFIRMATION_REQUIRED",
    ]);
    expect(validateRetention({ stagingDays: 0, anomaliesDays: 0, confirm: true })).toEqual([]);
  });
});
