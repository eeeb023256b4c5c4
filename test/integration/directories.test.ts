import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

const clock = fixedClock("2026-04-01T09:00:00Z");
let db: TestDatabase;
let api: ReturnType<typeof testApp>;
let operatorKey: string;

const PARTNER = `mutation ($input: UpsertPartnerNormalizationInput!) {
  upsertPartnerNormalization(input: $input) { partnerNormalization { rawKey canonicalName } userErrors { field code } }
}`;
const ENTRY = `mutation ($input: UpsertDirectoryEntryInput!) {
  upsertDirectoryEntry(input: $input) { entry { directory preferredUsername displayName active } userErrors { field code } }
}`;
const BACKFILL = `mutation ($input: BackfillMembershipsInput!) {
  backfillMemberships(input: $input) { projectsScanned orgMembershipsUpserted userMembershipsUpserted userErrors { code } }
}`;

async function call(query: string, input: Record<string, unknown>, key = operatorKey) {
  const { body } = await api.graphql(query, { key, variables: { input } });
  expect(body.errors).toBeUndefined();
  return Object.values(body.data ?? {})[0] as Record<string, unknown>;
}

async function memberships() {
  return db.query<{ key: string; kind: string; role: string; name: string }>(
    `select p.stage_application as key, 'org' as kind, o.role, o.org_name as name
       from org_memberships o join projects p on p.id = o.project_id
     union all
     select p.stage_application, 'user', u.role, u.username
       from user_memberships u join projects p on p.id = u.project_id
     order by 1, 2, 3`,
  );
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = testApp(db, clock);
  operatorKey = (await issueTestKey(db, "operator", { clock })).apiKey;
  await db.query("insert into tenants (id, name) values ('TELCO', 'Telco'), ('OTHER', 'Other')");
  // Projects as a merge left them when the directories did not know these names yet.
  await db.query(
    `insert into projects (tenant_id, stage_application, delivery_partner, relationship_manager, rm_preferred_username, deployment_specialist)
     values ('TELCO', 'STG-000000000001', 'Fulton Hogan', 'First Last', null, 'PREFERRED_USERNAME'),
            ('TELCO', 'STG-000000000002', '  FULTON HOGAN ', null, 'jane.rm', 'ds.two'),
            ('TELCO', 'STG-000000000003', '', null, null, null),
            ('OTHER', 'STG-000000000004', 'Downer', 'First Last', null, 'PREFERRED_USERNAME')`,
  );
});
afterAll(async () => {
  await db?.destroy();
});

describe("directories and membership backfill", () => {
  it("upserts a partner normalization keyed by the trimmed, lowercased spelling", async () => {
    expect(await call(PARTNER, { rawName: "  Fulton Hogan ", canonicalName: "Fulton Hogan Pty" })).toEqual({
      partnerNormalization: { rawKey: "fulton hogan", canonicalName: "Fulton Hogan Pty" },
      userErrors: [],
    });
    expect(await call(PARTNER, { rawName: "fulton hogan", canonicalName: "Fulton Hogan" })).toMatchObject({
      partnerNormalization: { rawKey: "fulton hogan", canonicalName: "Fulton Hogan" },
    });
    const rows = await db.query("select raw_key, canonical_name from partner_normalization");
    expect(rows).toEqual([{ raw_key: "fulton hogan", canonical_name: "Fulton Hogan" }]);
    expect(await call(PARTNER, { rawName: "  ", canonicalName: "X" })).toEqual({
      partnerNormalization: null,
      userErrors: [{ field: ["input", "rawName"], code: "REQUIRED" }],
    });
  });

  it("upserts DS and RM entries with their active flag; an RM needs a display name", async () => {
    expect(await call(ENTRY, { directory: "DS", preferredUsername: "PREFERRED_USERNAME" })).toEqual({
      entry: { directory: "DS", preferredUsername: "PREFERRED_USERNAME", displayName: null, active: true },
      userErrors: [],
    });
    expect(await call(ENTRY, { directory: "DS", preferredUsername: "ds.two", active: false })).toMatchObject({
      entry: { active: false },
    });
    expect(await call(ENTRY, { directory: "RM", preferredUsername: "first.last" })).toEqual({
      entry: null,
      userErrors: [{ field: ["input", "displayName"], code: "REQUIRED" }],
    });
    expect(
      await call(ENTRY, { directory: "RM", preferredUsername: "first.last", displayName: "First Last" }),
    ).toMatchObject({ entry: { directory: "RM", displayName: "First Last", active: true } });
    // Absent fields keep what is stored.
    expect(await call(ENTRY, { directory: "DS", preferredUsername: "ds.two" })).toMatchObject({
      entry: { active: false },
    });
  });

  it("backfill materialises memberships from canonical fields through active entries only, and a second run changes nothing", async () => {
    expect(await call(BACKFILL, {})).toEqual({
      projectsScanned: 4,
      orgMembershipsUpserted: 2,
      userMembershipsUpserted: 4,
      userErrors: [],
    });
    const first = await memberships();
    expect(first).toEqual([
      { key: "STG-000000000001", kind: "org", role: "DELIVERY_PARTNER", name: "Fulton Hogan" },
      { key: "STG-000000000001", kind: "user", role: "DS", name: "PREFERRED_USERNAME" },
      { key: "STG-000000000001", kind: "user", role: "RM", name: "first.last" },
      { key: "STG-000000000002", kind: "org", role: "DELIVERY_PARTNER", name: "Fulton Hogan" },
      { key: "STG-000000000004", kind: "user", role: "DS", name: "PREFERRED_USERNAME" },
      { key: "STG-000000000004", kind: "user", role: "RM", name: "first.last" },
    ]);
    expect(await call(BACKFILL, {})).toMatchObject({ orgMembershipsUpserted: 0, userMembershipsUpserted: 0 });
    expect(await memberships()).toEqual(first);
  });

  it("after a directory correction, backfill adds just what the correction enables, per tenant when asked", async () => {
    await call(ENTRY, { directory: "DS", preferredUsername: "ds.two", active: true });
    await call(ENTRY, { directory: "RM", preferredUsername: "jane.rm", displayName: "Jane" });
    await call(PARTNER, { rawName: "Downer", canonicalName: "Downer Group" });
    expect(await call(BACKFILL, { tenantId: "TELCO" })).toEqual({
      projectsScanned: 3,
      orgMembershipsUpserted: 0,
      userMembershipsUpserted: 2,
      userErrors: [],
    });
    expect(await call(BACKFILL, { tenantId: "OTHER" })).toMatchObject({
      projectsScanned: 1,
      orgMembershipsUpserted: 1,
      userMembershipsUpserted: 0,
    });
    expect(await call(BACKFILL, {})).toMatchObject({ orgMembershipsUpserted: 0, userMembershipsUpserted: 0 });
    expect((await memberships()).filter((m) => m.key === "STG-000000000002")).toEqual([
      { key: "STG-000000000002", kind: "org", role: "DELIVERY_PARTNER", name: "Fulton Hogan" },
      { key: "STG-000000000002", kind: "user", role: "DS", name: "ds.two" },
      { key: "STG-000000000002", kind: "user", role: "RM", name: "jane.rm" },
    ]);
  });

  it("writes one audit row per operator mutation, and refuses other roles", async () => {
    const audit = await db.query<{ action: string; outcome: string; n: number }>(
      `select action, outcome, count(*)::int as n from audit_logs where action <> 'issueApiKey'
       group by action, outcome order by action, outcome`,
    );
    // One row per change, and one per refused input (outcome: its code) that changed nothing.
    expect(audit).toEqual([
      { action: "backfillMemberships", outcome: "OK", n: 5 },
      { action: "upsertDirectoryEntry", outcome: "OK", n: 6 },
      { action: "upsertDirectoryEntry", outcome: "REQUIRED", n: 1 },
      { action: "upsertPartnerNormalization", outcome: "OK", n: 3 },
      { action: "upsertPartnerNormalization", outcome: "REQUIRED", n: 1 },
    ]);
    const internal = (await issueTestKey(db, "internal", { clock })).apiKey;
    const tenant = (await issueTestKey(db, "tenant", { clock })).apiKey;
    for (const key of [internal, tenant]) {
      const { body } = await api.graphql(BACKFILL, { key, variables: { input: {} } });
      expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
  });
});
