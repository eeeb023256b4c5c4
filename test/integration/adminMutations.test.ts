import { getNamedType, isNonNullType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { schema } from "../../src/schema/index";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { lastAuditId, stateDigest } from "../support/stateDigest";

// Every admin mutation, table-driven: each refusal for its input and each refusal for the caller's
// role must change nothing but the audit log, and be in the audit chain.

const clock = fixedClock("2026-03-01T12:00:00Z");
const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

let db: TestDatabase;
let api: ReturnType<typeof testApp>;
const keys = { operator: "", internal: "", buyer: "", tenant: "" };
let spareKeyId = "";

beforeAll(async () => {
  db = await createTestDatabase();
  api = testApp(db, clock, { NOISE_KEY: "05".repeat(32) });
  for (const role of ["operator", "internal", "buyer", "tenant"] as const) {
    keys[role] = (await issueTestKey(db, role, { clock })).apiKey;
    // Each key is read (and cached) before any state is compared.
    await api.graphql("{ viewer { role } }", { key: keys[role] });
  }
  spareKeyId = (await issueTestKey(db, "internal", { clock })).key.id;
});
afterAll(async () => {
  await db?.destroy();
});

interface AdminCase {
  mutation: string;
  /** A well-formed input: with an OPERATOR key it would be carried out. */
  input: Record<string, unknown>;
  /** An input refused with a userError, the code and field it gets, and how the refusal is audited. */
  refusal:
    | {
        input: Record<string, unknown>;
        code: string;
        field: string[];
      }
    | { none: string };
}

const ADMIN_CASES: AdminCase[] = [
  {
    mutation: "issueApiKey",
    input: { role: "INTERNAL", name: "never issued" },
    refusal: {
      input: { role: "BUYER", name: "acme", partnerId: "acme" },
      code: "PARTNER_ID_REQUIRED",
      field: ["input", "partnerId"],
    },
  },
  {
    mutation: "rotateApiKey",
    input: { id: "SPARE", overlapSeconds: 0 },
    // An overlap longer than the allowed maximum (30 days).
    refusal: {
      input: { id: "SPARE", overlapSeconds: 30 * 86_400 + 1 },
      code: "OUT_OF_RANGE",
      field: ["input", "overlapSeconds"],
    },
  },
  {
    mutation: "revokeApiKey",
    input: { id: "SPARE" },
    refusal: { input: { id: UNKNOWN_ID }, code: "NOT_FOUND", field: ["input", "id"] },
  },
  {
    mutation: "setBuyerBudget",
    input: { partnerId: "outside_buyer_acme", epsilonLimit: 3 },
    refusal: {
      input: { partnerId: "acme", epsilonLimit: 3 },
      code: "PARTNER_ID_INVALID",
      field: ["input", "partnerId"],
    },
  },
  {
    mutation: "setTimingPolicy",
    input: {
      policyKey: "ops_monitors_v1",
      payload: JSON.stringify({
        enabled: false,
        cron: "0 * * * *",
        statement_timeout_ms: 1000,
        stale_margin_hours: 1,
      }),
    },
    refusal: {
      input: {
        policyKey: "ops_monitors_v1",
        payload: JSON.stringify({
          enabled: "no",
          cron: "*/5 * * * *",
          statement_timeout_ms: 5000,
          stale_margin_hours: 3,
        }),
      },
      code: "INVALID_PAYLOAD",
      field: ["input", "payload", "enabled"],
    },
  },
  {
    mutation: "runPrecompute",
    input: { granularities: ["DAY"], from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z" },
    refusal: {
      input: { granularities: ["DAY"], from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z" },
      code: "INVALID_RANGE",
      field: ["input", "to"],
    },
  },
  {
    mutation: "upsertCityDefinition",
    input: {
      code: "us-la",
      name: "Los Angeles",
      countryCode: "US",
      centerLat: 34,
      centerLng: -118,
      radiusKm: 40,
    },
    refusal: {
      input: {
        code: "us-la",
        name: "Los Angeles",
        countryCode: "US",
        centerLat: 34,
        centerLng: -118,
        radiusKm: 0,
      },
      code: "OUT_OF_RANGE",
      field: ["input", "radiusKm"],
    },
  },
  {
    mutation: "populateCityGeohashMap",
    input: {},
    refusal: { input: { dryRun: true }, code: "DRY_RUN_NOT_SUPPORTED", field: ["input", "dryRun"] },
  },
  {
    mutation: "upsertLocality",
    input: { code: "us-la-venice", cityCode: "us-la", kind: "LOCALITY", name: "Venice" },
    refusal: {
      input: {
        code: "us-la-venice",
        cityCode: "us-la",
        kind: "LOCALITY",
        name: "Venice",
        shape: JSON.stringify({
          type: "Polygon",
          coordinates: [
            [
              [-118.48, 33.98],
              [-118.45, 33.98],
              [-118.45, 34.0],
              [-118.48, 34.0],
            ],
          ],
        }),
      },
      code: "POLYGON_NOT_CLOSED",
      field: ["input", "shape", "coordinates", "0"],
    },
  },
  {
    mutation: "upsertPartnerNormalization",
    input: { rawName: "Downer", canonicalName: "Downer Group" },
    refusal: {
      input: { rawName: " ", canonicalName: "Downer Group" },
      code: "REQUIRED",
      field: ["input", "rawName"],
    },
  },
  {
    mutation: "upsertDirectoryEntry",
    input: { directory: "DS", preferredUsername: "ds.one" },
    refusal: {
      input: { directory: "RM", preferredUsername: "rm.one" },
      code: "REQUIRED",
      field: ["input", "displayName"],
    },
  },
  {
    mutation: "backfillMemberships",
    input: {},
    refusal: { input: { tenantId: "NOBODY" }, code: "UNKNOWN_TENANT", field: ["input", "tenantId"] },
  },
  {
    mutation: "runRetention",
    input: { stagingDays: 60, anomaliesDays: 90 },
    refusal: {
      input: { stagingDays: 0, anomaliesDays: 90 },
      code: "CONFIRMATION_REQUIRED",
      field: ["input", "stagingDays"],
    },
  },
  {
    mutation: "runDataRetention",
    input: { eventsDays: 400 },
    refusal: { input: { eventsDays: 0 }, code: "OUT_OF_RANGE", field: ["input", "eventsDays"] },
  },
  {
    mutation: "runFeedRetention",
    input: { deleteDays: 90 },
    refusal: { input: { deleteDays: 0 }, code: "CONFIRMATION_REQUIRED", field: ["input", "deleteDays"] },
  },
  {
    mutation: "verifyContracts",
    input: { windowDays: 7 },
    refusal: { input: { windowDays: 0 }, code: "OUT_OF_RANGE", field: ["input", "windowDays"] },
  },
  {
    mutation: "sendAnomalyAlerts",
    input: { dryRun: true },
    refusal: { none: "its only option is dryRun; every call is audited with its outcome" },
  },
  {
    mutation: "runMonitors",
    input: {},
    refusal: {
      input: { names: ["no_such_monitor"] },
      code: "UNKNOWN_MONITOR",
      field: ["input", "names", "0"],
    },
  },
  {
    mutation: "upsertMonitor",
    input: {
      name: "never_saved",
      description: "would be saved",
      sql: "select 1::float8 as value",
      threshold: 1,
      windowMinutes: 60,
    },
    refusal: {
      input: {
        name: "writes",
        description: "a check that writes",
        sql: "with gone as (delete from api_keys returning 1) select count(*)::float8 as value from gone",
        threshold: 1,
        windowMinutes: 60,
      },
      code: "MONITOR_SQL_NOT_READ_ONLY",
      field: ["input", "sql"],
    },
  },
  {
    mutation: "setPrivacyCap",
    input: { epsilonCap: 2.5, deltaCap: 2e-5 },
    refusal: {
      input: { epsilonCap: 3.5, deltaCap: 2e-5 },
      code: "CAP_ABOVE_CEILING",
      field: ["input", "epsilonCap"],
    },
  },
  {
    mutation: "setReleasePlanEntry",
    input: {
      granularity: "DAY",
      geoBucketType: "CITY_CODE",
      breakdown: ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
      epsilon: 0.4,
      delta: 1e-6,
      enabled: true,
    },
    refusal: {
      input: {
        granularity: "DAY",
        geoBucketType: "CITY_CODE",
        breakdown: ["DOOR_TYPE", "CATEGORY", "CONTEXT"],
        epsilon: 1.5,
        delta: 1e-6,
        enabled: true,
      },
      code: "PLAN_LOOSER_THAN_CONTRACT",
      field: ["input", "epsilon"],
    },
  },
  {
    mutation: "acknowledgeFeedItem",
    input: { id: UNKNOWN_ID, status: "READ" },
    refusal: { input: { id: UNKNOWN_ID, status: "READ" }, code: "NOT_FOUND", field: ["input", "id"] },
  },
  {
    mutation: "decideAction",
    input: { id: UNKNOWN_ID, decision: "REJECT", reason: "not needed" },
    refusal: {
      input: { id: UNKNOWN_ID, decision: "REJECT", reason: "  " },
      code: "INVALID_REASON",
      field: ["input", "reason"],
    },
  },
];

/** The mutation document for a case, with its input type as the schema declares it. */
function documentOf(mutation: string): string {
  const field = schema.getMutationType()?.getFields()[mutation];
  const arg = field?.args.find((candidate) => candidate.name === "input");
  if (arg === undefined) throw new Error(`${mutation} has no input argument`);
  const type = `${getNamedType(arg.type).name}${isNonNullType(arg.type) ? "!" : ""}`;
  return `mutation($input: ${type}) { ${mutation}(input: $input) { userErrors { field code } } }`;
}

const withIds = (input: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(input).map(([name, value]) => [name, value === "SPARE" ? spareKeyId : value]),
  );

async function send(mutation: string, input: Record<string, unknown>, key: string) {
  return (await api.graphql(documentOf(mutation), { key, variables: { input: withIds(input) } })).body;
}

async function auditChainValid() {
  const { body } = await api.graphql("{ ops { verifyAuditChain { valid firstBrokenId } } }", {
    key: keys.internal,
  });
  return body.data?.ops;
}

describe("admin mutations", () => {
  it("the table covers every mutation except the TENANT's importProjects", () => {
    const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {}).filter(
      (name) => name !== "importProjects",
    );
    expect(ADMIN_CASES.map((entry) => entry.mutation).sort()).toEqual(mutations.sort());
  });

  describe.each(ADMIN_CASES.filter((entry) => !("none" in entry.refusal)))("$mutation", (entry) => {
    it("a refused input changes nothing and is audited with its code", async () => {
      const refusal = entry.refusal as Exclude<AdminCase["refusal"], { none: string }>;
      const before = await stateDigest(db);
      const lastId = await lastAuditId(db);
      const body = await send(entry.mutation, refusal.input, keys.operator);
      expect(body.errors).toBeUndefined();
      expect((body.data?.[entry.mutation] as { userErrors: unknown[] } | undefined)?.userErrors).toEqual([
        { field: refusal.field, code: refusal.code },
      ]);
      expect(await stateDigest(db)).toEqual(before);
      const audit = await db.query<{
        type: string;
        action: string;
        outcome: string;
        actor: string;
        details: unknown;
      }>("select type, action, outcome, actor, details from audit_logs where id > $1 order by id", [lastId]);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        type: "admin_mutation",
        outcome: refusal.code,
        action: entry.mutation,
        actor: expect.stringMatching(/\(test-operator\)$/),
      });
      expect(audit[0]?.details).toEqual({ userErrors: [{ field: refusal.field, code: refusal.code }] });
    });
  });

  describe.each(["buyer", "tenant", "internal"] as const)("with a %s key", (role) => {
    it.each(ADMIN_CASES)(
      "$mutation is FORBIDDEN, changes nothing and is audited as admin_refused",
      async (entry) => {
        const before = await stateDigest(db);
        const lastId = await lastAuditId(db);
        const body = await send(entry.mutation, entry.input, keys[role]);
        expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
        expect(body.data?.[entry.mutation] ?? null).toBeNull();
        // The refusal's audit row is written beside the answer; wait for it.
        let audit: Array<{ type: string; action: string; outcome: string; actor: string }> = [];
        for (let attempt = 0; attempt < 100 && audit.length === 0; attempt++) {
          audit = await db.query(
            "select type, action, outcome, actor from audit_logs where id > $1 order by id",
            [lastId],
          );
          if (audit.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(audit).toEqual([
          {
            type: "admin_refused",
            action: entry.mutation,
            outcome: "FORBIDDEN",
            actor: expect.stringMatching(new RegExp(`\\(test-${role}\\)$`)),
          },
        ]);
        expect(await stateDigest(db)).toEqual(before);
      },
    );
  });

  it("every refusal above is in an audit chain that still verifies", async () => {
    const [counts] = await db.query<{ refused: number; forbidden: number }>(
      `select count(*) filter (where outcome not in ('OK', 'FORBIDDEN'))::int as refused,
              count(*) filter (where type = 'admin_refused')::int as forbidden from audit_logs`,
    );
    expect(counts).toEqual({ refused: ADMIN_CASES.length - 1, forbidden: ADMIN_CASES.length * 3 });
    expect(await auditChainValid()).toEqual({ verifyAuditChain: { valid: true, firstBrokenId: null } });
  });
});
