import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { defaultTimingPolicyRows, TIMING_POLICIES } from "../../src/db/timingPolicyRegistry";
import { PRECOMPUTE_POLICY_KEY } from "../../src/jobs/precompute/planReleases";
import { cronOf, loadTimingPolicy } from "../../src/jobs/timingPolicies";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const clock = fixedClock("2026-03-01T12:00:00Z");
let db: TestDatabase;
let operatorKey: string;
let internalKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  internalKey = (await issueTestKey(db, "internal", { clock })).apiKey;
});
afterAll(async () => {
  await db?.destroy();
});

const set = (policyKey: string, payload: string, key = operatorKey) =>
  testApp(db, clock).graphql(
    `mutation($input: SetTimingPolicyInput!) { setTimingPolicy(input: $input) { policy { policyKey payload updatedBy } userErrors { field code } } }`,
    { key, variables: { input: { policyKey, payload } } },
  );

describe("the timing policy registry", () => {
  it("seeds a new database with exactly one row per registered policy: its default and description", async () => {
    const fresh = await createTestDatabase();
    try {
      const rows = await fresh.query<{ policy_key: string; payload: unknown; description: string }>(
        "select policy_key, payload, description from timing_policies order by policy_key",
      );
      expect(rows.map((row) => row.policy_key)).toEqual(Object.keys(TIMING_POLICIES).sort());
      const seeded = defaultTimingPolicyRows().sort((a, b) => a.policyKey.localeCompare(b.policyKey));
      expect(rows).toEqual(
        seeded.map((row) => ({
          policy_key: row.policyKey,
          payload: row.payload,
          description: row.description,
        })),
      );
    } finally {
      await fresh.destroy();
    }
  });

  it("holds defaults that pass their own schema unchanged, so the jobs read what was seeded", () => {
    for (const [key, policy] of Object.entries(TIMING_POLICIES)) {
      const parsed = policy.schema.safeParse(policy.defaultPayload);
      expect(parsed.success, key).toBe(true);
      expect(parsed.data, key).toEqual(policy.defaultPayload);
    }
  });

  it("falls back to the registry's default cron when a stored policy is unreadable", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "error" }, { write: (line: string) => lines.push(line) });
    await db.query(
      `update timing_policies set payload = payload || '{"cron": 5}'::jsonb where policy_key = 'data_retention_v1'`,
    );
    try {
      await expect(loadTimingPolicy(db, "data_retention_v1")).rejects.toThrow(
        "timing policy data_retention_v1 is invalid: cron:",
      );
      expect(await cronOf(db, "data_retention_v1", logger)).toBe("20 3 * * *");
      expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ policyKey: "data_retention_v1" });
      // A cron that parses but a payload that does not: ops.jobs shows the cron the scheduler applies.
      await db.query(
        `update timing_policies set payload = payload || '{"cron": "0 1 * * *", "events_days": -1}'::jsonb where policy_key = 'data_retention_v1'`,
      );
      expect(await cronOf(db, "data_retention_v1", logger)).toBe("20 3 * * *");
      const { body } = await testApp(db, clock).graphql("{ ops { jobs { name schedule } } }", {
        key: internalKey,
      });
      const jobs = (body.data as { ops: { jobs: { name: string; schedule: string | null }[] } }).ops.jobs;
      expect(jobs.find((job) => job.name === "data_retention_daily")?.schedule).toBe("20 3 * * *");
    } finally {
      await db.query(
        `update timing_policies set payload = payload || '{"cron": "20 3 * * *", "events_days": 400}'::jsonb where policy_key = 'data_retention_v1'`,
      );
    }
  });
});

describe("timing policies", () => {
  it("lists the policies the jobs read", async () => {
    const { body } = await testApp(db, clock).graphql("{ timingPolicies { policyKey } }", {
      key: internalKey,
    });
    expect(
      (body.data!.timingPolicies as Array<{ policyKey: string }>).map((policy) => policy.policyKey),
    ).toEqual(expect.arrayContaining(["outside_buyer_precompute_v1"]));
  });

  it("an operator changes the precompute policy; the job reads the new payload; the change is audited", async () => {
    const payload = {
      enabled: true,
      granularities: ["day"],
      hour_buckets: 0,
      day_buckets: 7,
      week_buckets: 0,
    };
    const { body } = await set("outside_buyer_precompute_v1", JSON.stringify(payload));
    expect(body.data?.setTimingPolicy).toMatchObject({
      userErrors: [],
      policy: { policyKey: "outside_buyer_precompute_v1" },
    });
    expect(await loadTimingPolicy(db, PRECOMPUTE_POLICY_KEY)).toEqual(payload);
    const [audit] = await db.query<{ action: string; target: string }>(
      "select action, target from audit_logs where action = 'setTimingPolicy'",
    );
    expect(audit).toEqual({ action: "setTimingPolicy", target: "outside_buyer_precompute_v1" });
  });

  it("refuses an invalid payload field by field, an unknown policy, and non-operators; nothing changes", async () => {
    const before = await loadTimingPolicy(db, PRECOMPUTE_POLICY_KEY);
    const invalid = await set(
      "outside_buyer_precompute_v1",
      JSON.stringify({
        enabled: "yes",
        granularities: [],
        hour_buckets: -1,
        day_buckets: 7,
        week_buckets: 0,
      }),
    );
    const errors = (
      invalid.body.data!.setTimingPolicy as { userErrors: Array<{ field: string[]; code: string }> }
    ).userErrors;
    expect(errors.map((error) => error.field.slice(2).join("."))).toEqual(
      expect.arrayContaining(["enabled", "granularities", "hour_buckets"]),
    );
    const unknown = await set("no_such_policy", "{}");
    expect(
      (unknown.body.data!.setTimingPolicy as { userErrors: Array<{ code: string }> }).userErrors[0]?.code,
    ).toBe("UNKNOWN_POLICY");
    const notJson = await set("outside_buyer_precompute_v1", "{");
    expect((notJson.body.data!.setTimingPolicy as { userErrors: unknown[] }).userErrors).toEqual([
      { field: ["input", "payload"], code: "INVALID_JSON" },
    ]);
    const forbidden = await set("outside_buyer_precompute_v1", "{}", internalKey);
    expect(forbidden.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await loadTimingPolicy(db, PRECOMPUTE_POLICY_KEY)).toEqual(before);
  });
});
