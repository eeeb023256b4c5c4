import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_RELEASE_PLAN } from "../../src/privacy/releasePlan";
import { testApp } from "../support/app";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;
let api: ReturnType<typeof testApp>;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
  api = testApp(db, world.clock, { NOISE_KEY: "05".repeat(32) });
});
afterAll(async () => {
  await db?.destroy();
});

const RUN = `mutation($input: RunPrecomputeInput!) {
  runPrecompute(input: $input) { jobRunId plannedReleases userErrors { field code } }
}`;
const JOB_RUN = `query($id: ID!) { ops { jobRun(id: $id) { jobName outcome rows planned finishedAt error } } }`;

interface JobRunView {
  jobName: string;
  outcome: string;
  rows: number | null;
  planned: number | null;
  finishedAt: string | null;
  error: string | null;
}

async function waitForRun(id: string): Promise<JobRunView> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { body } = await api.graphql(JOB_RUN, { key: world.internalKey, variables: { id } });
    const run = (body.data?.ops as { jobRun: JobRunView | null } | undefined)?.jobRun;
    if (run?.finishedAt) return run;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`job run ${id} did not finish`);
}

async function waitForAudit(type: string, action: string, count: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const rows = await db.query<{ actor: string; outcome: string; request_id: string | null }>(
      "select actor, outcome, request_id from audit_logs where type = $1 and action = $2 order by id",
      [type, action],
    );
    if (rows.length >= count) return rows;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${type} audit row for ${action}`);
}

/** Releases the default plan makes per DAY bucket (every geo type and level). */
const DAY_RELEASES = DEFAULT_RELEASE_PLAN.filter(
  (entry) => entry.granularity === "day" && entry.enabled,
).length;
/** The world holds FULL DAY releases of Jan 1..10 (both geo types), not the roll-up levels. */
const DAY_ROLLUPS = DEFAULT_RELEASE_PLAN.filter(
  (entry) => entry.granularity === "day" && entry.enabled && entry.level !== "full",
).length;

describe("ops.jobs and runPrecompute", () => {
  it("an operator's runPrecompute computes the missing days in the background, visible in jobRun and jobs", async () => {
    const before = await db.query<{ n: number }>("select count(*)::int as n from releases");
    const { body } = await api.graphql(RUN, {
      key: world.operatorKey,
      variables: {
        input: { granularities: ["DAY"], from: "2026-01-08T00:00:00Z", to: "2026-01-14T00:00:00Z" },
      },
    });
    const payload = (body.data as { runPrecompute: { jobRunId: string; plannedReleases: number } })
      .runPrecompute;
    // Jan 8..10 have their FULL releases (only their roll-ups are missing); Jan 11..13 miss every
    // geo type and level of the plan.
    const planned = 3 * DAY_ROLLUPS + 3 * DAY_RELEASES;
    expect(payload).toMatchObject({ plannedReleases: planned, userErrors: [] });

    const run = await waitForRun(payload.jobRunId);
    expect(run).toMatchObject({
      jobName: "precompute-manual",
      outcome: "completed",
      rows: planned,
      planned,
    });
    const after = await db.query<{ n: number }>("select count(*)::int as n from releases");
    expect(after[0]!.n - before[0]!.n).toBe(planned);

    const jobs = await api.graphql(
      "{ ops { jobs { name schedule policyKey runs24h failures24h nextDueAt lastRun { outcome rows } } } }",
      { key: world.internalKey },
    );
    const list = (jobs.body.data!.ops as { jobs: Array<Record<string, unknown>> }).jobs;
    expect(list.find((job) => job.name === "precompute-manual")).toMatchObject({
      schedule: null,
      runs24h: 1,
      failures24h: 0,
      lastRun: { outcome: "completed", rows: planned },
    });
    expect(list.find((job) => job.name === "outside_buyer_precompute_v1_hourly")).toMatchObject({
      schedule: "0 * * * *",
      policyKey: "outside_buyer_precompute_v1",
      nextDueAt: "2026-01-20T13:00:00Z",
    });
    expect(list.find((job) => job.name === "imports_retention_daily")).toMatchObject({
      schedule: "10 3 * * *",
      nextDueAt: "2026-01-21T03:10:00Z",
    });
    expect(list.find((job) => job.name === "ops_monitors_check")).toMatchObject({
      schedule: "*/5 * * * *",
      policyKey: "ops_monitors_v1",
      nextDueAt: "2026-01-20T12:05:00Z",
    });
    // The per-release runs of the manual precompute are recorded under their own job name.
    expect(list.find((job) => job.name === "precompute-release")).toMatchObject({ runs24h: planned });

    const [audit] = await waitForAudit("admin", "runPrecompute", 1);
    expect(audit).toMatchObject({ outcome: "OK" });
  });

  it("a runPrecompute whose releases would take a day above the participant-day cap ends PRIVACY_CAP_REACHED, writing none of them", async () => {
    // Jan 15 already holds 2.95 (as if other releases covered it): each DAY release (0.1 or 0.5) would go above 3.0.
    const [anyRelease] = await db.query<{ id: string }>("select id from releases limit 1");
    await db.query(
      `insert into privacy_ledger_days (family_id, day, granularity, geo_type, level, version, epsilon, delta, accounting, recorded_at)
       values ($1, '2026-01-15', 'day', 'city_code', 'full', 1, 2.95, 1e-6, 'participant_day', now())`,
      [anyRelease?.id],
    );
    const { body } = await api.graphql(RUN, {
      key: world.operatorKey,
      variables: {
        input: { granularities: ["DAY"], from: "2026-01-15T00:00:00Z", to: "2026-01-16T00:00:00Z" },
      },
    });
    const payload = (body.data as { runPrecompute: { jobRunId: string; plannedReleases: number } })
      .runPrecompute;
    expect(payload.plannedReleases).toBe(DAY_RELEASES);
    const run = await waitForRun(payload.jobRunId);
    expect(run).toMatchObject({ outcome: "PRIVACY_CAP_REACHED", planned: DAY_RELEASES });
    expect(
      await db.query("select count(*)::int as n from releases where bucket_start = '2026-01-15T00:00:00Z'"),
    ).toEqual([{ n: 0 }]);
    const perRelease = await db.query<{ outcome: string }>(
      "select outcome from job_runs where job_name = 'precompute-release' and job_key like 'day|2026-01-15%'",
    );
    expect(perRelease.map((row) => row.outcome)).toEqual(Array(DAY_RELEASES).fill("PRIVACY_CAP_REACHED"));
  });

  it("refuses a reversed range and a range over 400 days, computing nothing", async () => {
    const before = await db.query<{ n: number }>("select count(*)::int as n from job_runs");
    const reversed = await api.graphql(RUN, {
      key: world.operatorKey,
      variables: {
        input: { granularities: ["DAY"], from: "2026-01-10T00:00:00Z", to: "2026-01-01T00:00:00Z" },
      },
    });
    expect(reversed.body.data!.runPrecompute).toEqual({
      jobRunId: null,
      plannedReleases: 0,
      userErrors: [{ field: ["input", "to"], code: "INVALID_RANGE" }],
    });
    const long = await api.graphql(RUN, {
      key: world.operatorKey,
      variables: {
        input: { granularities: ["DAY"], from: "2024-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" },
      },
    });
    expect((long.body.data!.runPrecompute as { userErrors: unknown[] }).userErrors).toEqual([
      { field: ["input", "to"], code: "RANGE_TOO_LARGE" },
    ]);
    const after = await db.query<{ n: number }>("select count(*)::int as n from job_runs");
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it("jobRun rejects an id that is not a run id and returns null for an unknown one", async () => {
    const bad = await api.graphql(JOB_RUN, { key: world.internalKey, variables: { id: "nope" } });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const unknown = await api.graphql(JOB_RUN, {
      key: world.internalKey,
      variables: { id: "00000000-0000-4000-8000-000000000000" },
    });
    expect(unknown.body.data).toEqual({ ops: { jobRun: null } });
  });

  it("an INTERNAL key may not runPrecompute", async () => {
    const { body } = await api.graphql(RUN, {
      key: world.internalKey,
      variables: {
        input: { granularities: ["DAY"], from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" },
      },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("refused admin attempts are audited", () => {
  const SET_BUDGET = `mutation($input: SetBuyerBudgetInput!) { setBuyerBudget(input: $input) { userErrors { code } } }`;
  const input = { partnerId: "outside_buyer_acme", epsilonLimit: 99 };

  it("an INTERNAL key calling setBuyerBudget gets FORBIDDEN and an admin_refused row", async () => {
    const { body, headers } = await api.graphql(SET_BUDGET, {
      key: world.internalKey,
      variables: { input },
      headers: { "x-request-id": "refused-internal-1" },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(body.data ?? null).toBeNull();
    const rows = await waitForAudit("admin_refused", "setBuyerBudget", 1);
    // Audit rows carry the server's request id, never the client's.
    expect(rows[0]).toMatchObject({ outcome: "FORBIDDEN", request_id: headers.get("x-request-id") });
    expect(rows[0]!.actor).toMatch(/^ib_internal_.* \(test-internal\)$/);
  });

  it("a BUYER calling setBuyerBudget is refused by the strip step and audited as well", async () => {
    const { body, headers } = await api.graphql(SET_BUDGET, {
      key: world.buyerKey,
      variables: { input },
      headers: { "x-request-id": "refused-buyer-1" },
    });
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const rows = await waitForAudit("admin_refused", "setBuyerBudget", 2);
    expect(rows[1]).toMatchObject({ outcome: "FORBIDDEN", request_id: headers.get("x-request-id") });
    expect(rows[1]!.actor).toMatch(/\(test-buyer\)$/);
    const chain = await api.graphql("{ ops { verifyAuditChain { valid } } }", { key: world.internalKey });
    expect(chain.body.data).toEqual({ ops: { verifyAuditChain: { valid: true } } });
  });
});
