import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock";
import type { Principal } from "../../src/policy/principal";
import { importProjects } from "../../src/resolvers/imports/importProjects";
import { flushRequestLogs, issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
let tenantKey: string;
let otherTenantKey: string;
let buyerKey: string;
let tenantPrincipal: Principal;
const clock = fixedClock("2026-03-01T12:00:00Z");
interface RestBody {
  batch_id: string;
  correlation_id: string;
  tenant_id: string;
  replayed: boolean;
  metrics: { staging_id: string; [metric: string]: number | string } | null;
  row_errors?: Array<{ row_index: number; field: string; code: string; message: string }>;
  error: { code: string; message: string };
}

interface AnomalyRow {
  row_index: number;
  project_key: string;
  anomaly_type: string;
  severity: string;
  batch_id: string;
  staging_id: string;
  payload_excerpt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The 002 seed's sample payload, as the tenant sends it. */
const SEED_PAYLOAD = {
  tenant_id: "TELCO",
  source: "projects-import",
  batch_id: "2025-08-18T17:00:00+0930-batch-001",
  correlation_id: "7f2a7eed-7b46-49ef-9f77-2a0c6a6ad001",
  rows: [
    {
      stage_application: "STG-000000000001",
      delivery_partner: "Fulton Hogan",
      developer_class: "Class 2",
      relationship_manager: "First Last",
      deployment_specialist: "PREFERRED_USERNAME",
      residential: "45",
      commercial: "5",
      essential: "",
      stage_application_created: "2025-04-01",
    },
  ],
};

const IMPORT_MUTATION = `mutation Import($input: ImportProjectsInput!) {
  importProjects(input: $input) {
    batchId correlationId tenantId replayed
    metrics { insertedProjects updatedProjects orgMembershipsUpserted userMembershipsUpserted anomaliesCount stagingId }
    rowErrors { rowIndex field code message }
  }
}`;

beforeAll(async () => {
  db = await createTestDatabase();
  // The demo's import directories (src/demo/demoData.ts seedImportDirectories), plus a second tenant.
  await db.query("insert into tenants (id, name) values ('TELCO', 'Telco'), ('OTHER', 'Other')");
  await db.query(
    "insert into partner_normalization (raw_key, canonical_name) values ('fulton hogan', 'Fulton Hogan')",
  );
  await db.query("insert into ds_directory (preferred_username, active) values ('PREFERRED_USERNAME', true)");
  await db.query(
    "insert into rm_directory (preferred_username, display_name, active) values ('first.last', 'First Last', true)",
  );
  const tenant = await issueTestKey(db, "tenant", { clock });
  tenantKey = tenant.apiKey;
  tenantPrincipal = {
    keyId: tenant.key.id,
    keyName: tenant.key.name,
    keyPrefix: tenant.key.prefix,
    role: "tenant",
    partnerId: null,
    tenantId: "TELCO",
    businessId: null,
  };
  otherTenantKey = (await issueTestKey(db, "tenant", { clock, tenantId: "OTHER" })).apiKey;
  buyerKey = (await issueTestKey(db, "buyer", { clock })).apiKey;
}, 120_000);
afterAll(async () => {
  await db?.destroy();
});

function app() {
  return testApp(db, clock);
}

async function postImport(body: unknown, options: { key?: string | null; raw?: string } = {}) {
  const key = options.key === undefined ? tenantKey : options.key;
  const response = await app().app.fetch("http://yoga/import-projects", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-request-id": `imp-${Math.random().toString(36).slice(2)}`,
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: options.raw ?? JSON.stringify(body),
  });
  return {
    status: response.status,
    requestId: response.headers.get("x-request-id") ?? "",
    body: (await response.json()) as RestBody,
  };
}

async function graphqlImport(input: Record<string, unknown>, key: string | null = tenantKey) {
  const result = await app().graphql(IMPORT_MUTATION, { key: key ?? undefined, variables: { input } });
  return result.body;
}

function rows(count: number, prefix: string, extra: Record<string, string> = {}) {
  return Array.from({ length: count }, (_, i) => ({
    stage_application: `${prefix}-${String(i).padStart(5, "0")}`,
    delivery_partner: "Fulton Hogan",
    developer_class: "Class 1",
    relationship_manager: "First Last",
    deployment_specialist: "PREFERRED_USERNAME",
    residential: String(i % 7),
    commercial: "",
    essential: "1",
    stage_application_created: "2025-05-01",
    ...extra,
  }));
}

function batch(batchRows: unknown[], extra: Record<string, unknown> = {}) {
  return {
    tenant_id: "TELCO",
    source: "projects-import",
    batch_id: `batch-${Math.random()}`,
    rows: batchRows,
    ...extra,
  };
}

async function tableCounts() {
  const [row] = await db.query<Record<string, number>>(
    `select (select count(*)::int from staging_imports) as staging, (select count(*)::int from projects) as projects,
       (select count(*)::int from org_memberships) as org, (select count(*)::int from user_memberships) as users,
       (select count(*)::int from import_anomalies) as anomalies`,
  );
  return row;
}

describe("the 002 seed's sample payload", () => {
  it("imports over REST with the seed's response shape, memberships from the demo directories, and a staging row", async () => {
    const { status, body, requestId } = await postImport(SEED_PAYLOAD);
    expect(status).toBe(200);
    expect(body).toEqual({
      batch_id: expect.stringMatching(UUID),
      correlation_id: "7f2a7eed-7b46-49ef-9f77-2a0c6a6ad001",
      tenant_id: "TELCO",
      replayed: false,
      metrics: {
        inserted_projects: 1,
        updated_projects: 0,
        org_memberships_upserted: 1,
        user_memberships_upserted: 2,
        anomalies_count: 0,
        staging_id: expect.stringMatching(UUID),
      },
    });
    const [staging] = await db.query<Record<string, unknown>>("select * from staging_imports where id = $1", [
      body.metrics?.staging_id,
    ]);
    expect(staging).toMatchObject({
      tenant_id: "TELCO",
      batch_id: body.batch_id,
      request_batch_id: "2025-08-18T17:00:00+0930-batch-001",
      source: "projects-import",
      row_count: 1,
      correlation_id: "7f2a7eed-7b46-49ef-9f77-2a0c6a6ad001",
      status: "merged",
    });
    expect(staging?.raw).toMatchObject({ rows: SEED_PAYLOAD.rows });
    const [project] = await db.query<Record<string, unknown>>(
      "select * from projects where tenant_id = 'TELCO' and stage_application = 'STG-000000000001'",
    );
    expect(project).toMatchObject({
      delivery_partner: "Fulton Hogan",
      residential: 45,
      commercial: 5,
      essential: 0,
    });
    const memberships = await db.query(
      `select 'org' as kind, org_name as name from org_memberships where project_id = $1
       union all select role, username from user_memberships where project_id = $1 order by 1, 2`,
      [project?.id],
    );
    expect(memberships).toEqual([
      { kind: "DS", name: "PREFERRED_USERNAME" },
      { kind: "RM", name: "first.last" },
      { kind: "org", name: "Fulton Hogan" },
    ]);
    await flushRequestLogs();
    const logs = await db.query(
      "select endpoint, outcome_code, http_status from request_logs where request_id = $1",
      [requestId],
    );
    expect(logs).toEqual([{ endpoint: "import", outcome_code: "OK", http_status: 200 }]);
  });

  it("a replay answers the original metrics and correlation id with replayed true and writes nothing", async () => {
    const before = await tableCounts();
    const first = await postImport(SEED_PAYLOAD);
    // Row order, whitespace and batch id do not change the checksum; the correlation id is the original's.
    const reshaped = await postImport({
      ...SEED_PAYLOAD,
      batch_id: "another-id",
      correlation_id: undefined,
      rows: [{ ...SEED_PAYLOAD.rows[0], delivery_partner: "  Fulton Hogan  " }],
    });
    for (const replay of [first, reshaped]) {
      expect(replay.status).toBe(200);
      expect(replay.body.replayed).toBe(true);
      expect(replay.body.correlation_id).toBe("7f2a7eed-7b46-49ef-9f77-2a0c6a6ad001");
      expect(replay.body.metrics).toMatchObject({ inserted_projects: 1, user_memberships_upserted: 2 });
      // Same keys in the seed's order as the first answer, not jsonb's.
      expect(Object.keys(replay.body.metrics ?? {})).toEqual([
        "inserted_projects",
        "updated_projects",
        "org_memberships_upserted",
        "user_memberships_upserted",
        "anomalies_count",
        "staging_id",
      ]);
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("imports over GraphQL with the same shape; a second batch updates the project", async () => {
    const input = {
      source: "projects-import",
      batchId: "gql-batch-001",
      rows: [
        {
          stageApplication: "STG-000000000002",
          deliveryPartner: "fulton hogan",
          developerClass: "Class 2",
          relationshipManager: "first.last",
          deploymentSpecialist: "PREFERRED_USERNAME",
          residential: " 12 ",
          commercial: "",
          essential: "3",
          stageApplicationCreated: "2025-04-02",
        },
      ],
    };
    const first = await graphqlImport(input);
    expect(first.errors).toBeUndefined();
    expect(first.data?.importProjects).toEqual({
      batchId: expect.stringMatching(UUID),
      correlationId: expect.stringMatching(UUID),
      tenantId: "TELCO",
      replayed: false,
      metrics: {
        insertedProjects: 1,
        updatedProjects: 0,
        orgMembershipsUpserted: 1,
        userMembershipsUpserted: 2,
        anomaliesCount: 0,
        stagingId: expect.stringMatching(UUID),
      },
      rowErrors: [],
    });
    const changed = await graphqlImport({ ...input, rows: [{ ...input.rows[0], residential: "13" }] });
    expect(changed.data?.importProjects).toMatchObject({
      replayed: false,
      metrics: {
        insertedProjects: 0,
        updatedProjects: 1,
        orgMembershipsUpserted: 0,
        userMembershipsUpserted: 0,
      },
    });
  });
});

describe("idempotency and atomicity", () => {
  it("20 concurrent copies of one new batch merge exactly once", async () => {
    const payload = batch(rows(25, "CONC"));
    const results = await Promise.all(Array.from({ length: 20 }, () => postImport(payload)));
    const merged = results.filter((r) => r.status === 200 && r.body.replayed === false);
    expect(merged).toHaveLength(1);
    for (const result of results) {
      if (result.status === 200) {
        expect(result.body.metrics).toEqual(merged[0]?.body.metrics);
        expect(result.body.correlation_id).toBe(merged[0]?.body.correlation_id);
      } else {
        expect(result.status).toBe(409);
        expect(result.body.error.code).toBe("IMPORT_IN_PROGRESS");
      }
    }
    expect(merged[0]?.body.metrics).toMatchObject({ inserted_projects: 25, user_memberships_upserted: 50 });
    const [staged] = await db.query<{ n: number }>(
      "select count(*)::int as n from staging_imports where id = $1 or batch_id = $2",
      [merged[0]?.body.metrics?.staging_id, merged[0]?.body.batch_id],
    );
    expect(staged?.n).toBe(1);
    const [projects] = await db.query<{ n: number }>(
      "select count(*)::int as n from projects where stage_application like 'CONC-%'",
    );
    expect(projects?.n).toBe(25);
  });

  it("a fault injected mid-merge leaves no staging, project, membership or anomaly row; a retry then merges", async () => {
    const before = await tableCounts();
    const payload = {
      source: "projects-import",
      batchId: "fault-batch",
      rows: rows(30, "FAULT", { deployment_specialist: "nobody.known" }),
    };
    await expect(
      importProjects(db, tenantPrincipal, payload, {
        clock,
        beforeCommit: async () => {
          throw new Error("injected fault");
        },
      }),
    ).rejects.toThrow("injected fault");
    expect(await tableCounts()).toEqual(before);
    const retry = await importProjects(db, tenantPrincipal, payload, { clock });
    expect(retry).toMatchObject({
      ok: true,
      replayed: false,
      metrics: { inserted_projects: 30, anomalies_count: 30 },
    });
  });

  it("a batch whose staging row is still merging is refused with 409 IMPORT_IN_PROGRESS (REST) and the code (GraphQL)", async () => {
    const payload = batch(rows(2, "INFLIGHT"));
    // A committed 'merging' row stands for a batch another transaction holds; compute its checksum by dry-running nothing.
    const { batchChecksum } = await import("../../src/resolvers/imports/batchChecksum");
    const { normalizeProjectRows } = await import("../../src/resolvers/imports/projectRows");
    const checksum = batchChecksum(normalizeProjectRows(payload.rows).rows);
    const [held] = await db.query<{ id: string }>(
      `insert into staging_imports (tenant_id, batch_id, source, raw, batch_checksum, row_count, correlation_id)
       values ('TELCO', gen_random_uuid(), 'test', '{}', $1, 2, gen_random_uuid()) returning id`,
      [checksum],
    );
    const before = await tableCounts();
    const rest = await postImport(payload);
    expect(rest.status).toBe(409);
    expect(rest.body.error.code).toBe("IMPORT_IN_PROGRESS");
    const gql = await graphqlImport({ source: "s", batchId: "b", rows: payload.rows.map(camel) });
    expect(gql.errors?.[0]?.extensions?.code).toBe("IMPORT_IN_PROGRESS");
    expect(await tableCounts()).toEqual(before);
    await db.query("delete from staging_imports where id = $1", [held?.id]);
  });

  it("a copy sent while the first is mid-merge gets 409 on Postgres (on PGlite, which serialises transactions, it waits and is answered as a replay)", async () => {
    const payload = { source: "projects-import", batchId: "race", rows: rows(3, "RACE") };
    let release: () => void = () => {};
    let entered: () => void = () => {};
    const inMerge = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = importProjects(db, tenantPrincipal, payload, {
      clock,
      beforeCommit: () => {
        entered();
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    });
    await inMerge;
    const second = postImport({
      tenant_id: "TELCO",
      batch_id: "race-2",
      source: "x",
      rows: payload.rows,
    });
    if (db.kind === "postgres") {
      expect((await second).status).toBe(409);
      release();
      expect(await first).toMatchObject({ ok: true, replayed: false, metrics: { inserted_projects: 3 } });
    } else {
      release();
      expect(await first).toMatchObject({ ok: true, replayed: false, metrics: { inserted_projects: 3 } });
      const answered = await second;
      expect(answered.status).toBe(200);
      expect(answered.body.replayed).toBe(true);
    }
  });
});

describe("anomalies", () => {
  it("records UNKNOWN_DELIVERY_PARTNER (warning), UNKNOWN_DS and UNKNOWN_RM (error) with a bounded excerpt of their own row", async () => {
    const long = "x".repeat(250);
    const payload = batch(
      [
        { ...rows(1, "ANOM-DP")[0], delivery_partner: "Unknown Civil Pty", developer_class: long },
        { ...rows(1, "ANOM-DS")[0], deployment_specialist: "ghost.ds", developer_class: long },
        { ...rows(1, "ANOM-RM")[0], relationship_manager: "Nobody Here", developer_class: long },
        rows(1, "ANOM-OK")[0],
      ],
      { correlation_id: "0b5b4c1e-1111-4222-8333-944445555666" },
    );
    const { status, body } = await postImport(payload);
    expect(status).toBe(200);
    expect(body.metrics).toMatchObject({
      inserted_projects: 4,
      anomalies_count: 3,
      org_memberships_upserted: 3,
    });
    const anomalies = await db.query<AnomalyRow>(
      `select row_index, project_key, anomaly_type, severity, correlation_id, batch_id, staging_id, payload_excerpt
       from import_anomalies where correlation_id = $1 order by row_index`,
      ["0b5b4c1e-1111-4222-8333-944445555666"],
    );
    expect(anomalies.map((a) => [a.row_index, a.project_key, a.anomaly_type, a.severity])).toEqual([
      [0, "ANOM-DP-00000", "UNKNOWN_DELIVERY_PARTNER", "warning"],
      [1, "ANOM-DS-00000", "UNKNOWN_DS", "error"],
      [2, "ANOM-RM-00000", "UNKNOWN_RM", "error"],
    ]);
    for (const anomaly of anomalies) {
      expect(anomaly.batch_id).toBe(body.batch_id);
      expect(anomaly.staging_id).toBe(body.metrics?.staging_id);
      expect(anomaly.payload_excerpt.length).toBeLessThanOrEqual(500);
      expect(anomaly.payload_excerpt).toContain(anomaly.project_key);
      const others = ["ANOM-DP", "ANOM-DS", "ANOM-RM", "ANOM-OK"].filter(
        (key) => !anomaly.project_key.startsWith(key),
      );
      for (const other of others) expect(anomaly.payload_excerpt).not.toContain(other);
    }
    expect(anomalies[0]?.payload_excerpt).toHaveLength(500);
  });
});

describe("dry run and bad input", () => {
  const badRows = [
    { stage_application: "DRY-1", residential: "-3" },
    { stage_application: "  ", commercial: "4.5" },
    { stage_application: "DRY-3", essential: true },
    { stage_application: "DRY-4", premises_count: "" },
  ];

  it("a dry run stores nothing and reports every bad row (REST and GraphQL)", async () => {
    const before = await tableCounts();
    const rest = await postImport(batch(badRows, { dry_run: true }));
    expect(rest.status).toBe(200);
    expect(rest.body.metrics).toBeNull();
    expect(rest.body.row_errors?.map((e) => [e.row_index, e.field, e.code])).toEqual([
      [0, "residential", "NEGATIVE"],
      [1, "commercial", "NOT_AN_INTEGER"],
      [1, "stage_application", "REQUIRED"],
      [2, "essential", "WRONG_TYPE"],
    ]);
    const gql = await graphqlImport({
      source: "s",
      batchId: "dry",
      dryRun: true,
      rows: [
        { stageApplication: "DRY-1", residential: "-3" },
        { stageApplication: "DRY-2" },
        { residential: "1" },
      ],
    });
    expect(gql.data?.importProjects).toMatchObject({
      metrics: null,
      replayed: false,
      rowErrors: [
        { rowIndex: 0, field: "residential", code: "NEGATIVE" },
        { rowIndex: 2, field: "stage_application", code: "REQUIRED" },
      ],
    });
    expect(await tableCounts()).toEqual(before);
  });

  const oversized = (() => {
    const padded = rows(1, "BIG", { developer_class: "y".repeat(850) })[0];
    return Array.from({ length: 4900 }, (_, i) => ({ ...padded, stage_application: `BIG-${i}` }));
  })();

  const cases: Array<{
    name: string;
    send: () => ReturnType<typeof postImport>;
    status: number;
    code: string;
  }> = [
    {
      name: "malformed JSON",
      send: () => postImport(null, { raw: '{"rows": [' }),
      status: 400,
      code: "MALFORMED_JSON",
    },
    {
      name: "no key",
      send: () => postImport(SEED_PAYLOAD, { key: null }),
      status: 401,
      code: "UNAUTHENTICATED",
    },
    {
      name: "a bad key",
      send: () => postImport(SEED_PAYLOAD, { key: "ib_tenant_nope" }),
      status: 401,
      code: "UNAUTHENTICATED",
    },
    {
      name: "a buyer key",
      send: () => postImport(SEED_PAYLOAD, { key: buyerKey }),
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "another tenant's tenant_id",
      send: () => postImport({ ...SEED_PAYLOAD, tenant_id: "OTHER" }),
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "the other tenant's key on TELCO's batch",
      send: () => postImport(SEED_PAYLOAD, { key: otherTenantKey }),
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "a body over 5 MB",
      send: () =>
        postImport(null, { raw: JSON.stringify(batch(rows(1, "HUGE"), { pad: "z".repeat(5_300_000) })) }),
      status: 413,
      code: "IMPORT_TOO_LARGE",
    },
    { name: "zero rows", send: () => postImport(batch([])), status: 422, code: "IMPORT_INVALID" },
    {
      name: "5001 rows",
      send: () => postImport(batch(rows(5001, "MANY"))),
      status: 422,
      code: "IMPORT_INVALID",
    },
    {
      name: "wrong types",
      send: () => postImport(batch([{ stage_application: 42, residential: {} }])),
      status: 422,
      code: "IMPORT_INVALID",
    },
    {
      name: "negative counts",
      send: () => postImport(batch([{ stage_application: "NEG-1", commercial: -1 }])),
      status: 422,
      code: "IMPORT_INVALID",
    },
    {
      name: "missing stage_application",
      send: () => postImport(batch([{ delivery_partner: "Fulton Hogan" }])),
      status: 422,
      code: "IMPORT_INVALID",
    },
    {
      name: "a row over 8 KB",
      send: () => postImport(batch([{ stage_application: "FAT-1", developer_class: "f".repeat(9000) }])),
      status: 422,
      code: "IMPORT_INVALID",
    },
  ];

  it.each(cases)("REST: $name -> HTTP $status $code, nothing left behind", async ({ send, status, code }) => {
    const before = await tableCounts();
    const result = await send();
    expect(result.status).toBe(status);
    expect(result.body.error.code).toBe(code);
    expect(typeof result.body.error.message).toBe("string");
    if (status === 422 && code === "IMPORT_INVALID" && Array.isArray(result.body.row_errors)) {
      expect(result.body.row_errors[0]).toMatchObject({ row_index: 0, code: expect.any(String) });
    }
    expect(await tableCounts()).toEqual(before);
  });

  it("REST: a streamed body without content-length is cut off past 5 MB, before it is all read", async () => {
    let chunksPulled = 0;
    const chunk = new TextEncoder().encode(" ".repeat(1024 * 1024));
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        chunksPulled++;
        if (chunksPulled > 20) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const response = await app().app.fetch("http://yoga/import-projects", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${tenantKey}` },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(((await response.json()) as RestBody).error.code).toBe("IMPORT_TOO_LARGE");
    expect(chunksPulled).toBeLessThan(10);
  });

  it("REST: row-level refusals list the bad rows", async () => {
    const result = await postImport(
      batch([{ stage_application: 42, residential: {} }, { stage_application: "OK-1" }]),
    );
    expect(result.body.row_errors).toEqual([
      { row_index: 0, field: "stage_application", code: "WRONG_TYPE", message: expect.any(String) },
      { row_index: 0, field: "residential", code: "WRONG_TYPE", message: expect.any(String) },
    ]);
  });

  const graphqlCases: Array<{
    name: string;
    key: () => string | null;
    input: () => Record<string, unknown>;
    code: string;
  }> = [
    {
      name: "no key",
      key: () => null,
      input: () => gqlBatch([{ stageApplication: "G-1" }]),
      code: "UNAUTHENTICATED",
    },
    {
      name: "a buyer key",
      key: () => buyerKey,
      input: () => gqlBatch([{ stageApplication: "G-1" }]),
      code: "FORBIDDEN",
    },
    { name: "zero rows", key: () => tenantKey, input: () => gqlBatch([]), code: "IMPORT_INVALID" },
    {
      name: "5001 rows",
      key: () => tenantKey,
      input: () => gqlBatch(rows(5001, "GMANY").map(camel)),
      code: "IMPORT_INVALID",
    },
    {
      name: "rows over 5 MB",
      key: () => tenantKey,
      input: () => gqlBatch(oversized.map(camel)),
      code: "IMPORT_TOO_LARGE",
    },
    {
      name: "negative counts and a missing key",
      key: () => tenantKey,
      input: () => gqlBatch([{ stageApplication: "G-1", residential: "-1" }, { residential: "2" }]),
      code: "IMPORT_INVALID",
    },
  ];

  it.each(graphqlCases)("GraphQL: $name -> $code, nothing left behind", async ({ key, input, code }) => {
    const before = await tableCounts();
    const body = await graphqlImport(input(), key());
    expect(body.data?.importProjects ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe(code);
    expect(await tableCounts()).toEqual(before);
  });

  it("GraphQL: row-level refusals carry rowErrors in extensions", async () => {
    const body = await graphqlImport(
      gqlBatch([{ stageApplication: "G-1", residential: "-1" }, { residential: "2" }]),
    );
    expect(body.errors?.[0]?.extensions?.rowErrors).toEqual([
      { rowIndex: 0, field: "residential", code: "NEGATIVE", message: expect.any(String) },
      { rowIndex: 1, field: "stage_application", code: "REQUIRED", message: expect.any(String) },
    ]);
  });
});

describe("a 5,000-row batch", () => {
  it("merges in one request over REST and GraphQL", async () => {
    const rest = await postImport(batch(rows(5000, "BULK")));
    expect(rest.status).toBe(200);
    expect(rest.body.metrics).toMatchObject({
      inserted_projects: 5000,
      org_memberships_upserted: 5000,
      user_memberships_upserted: 10_000,
      anomalies_count: 0,
    });
    const gql = await graphqlImport(gqlBatch(rows(5000, "BULK", { essential: "2" }).map(camel)));
    expect(gql.errors).toBeUndefined();
    expect(gql.data?.importProjects).toMatchObject({
      metrics: { insertedProjects: 0, updatedProjects: 5000 },
    });
  }, 60_000);
});

function gqlBatch(batchRows: unknown[]) {
  return { source: "projects-import", batchId: `gql-${Math.random()}`, rows: batchRows };
}

function camel(row: unknown): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row as Record<string, unknown>).map(([key, value]) => [
      key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()),
      value,
    ]),
  );
}

describe("rate limit", () => {
  it("an import beyond the key's rate gets 429 RATE_LIMITED with retry-after, and nothing is stored", async () => {
    const limited = testApp(db, clock, { RATE_LIMIT_PER_MINUTE: "2" });
    const send = () =>
      limited.app.fetch("http://yoga/import-projects", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${tenantKey}` },
        body: JSON.stringify(batch([{ stage_application: "RL-1" }], { dry_run: true })),
      });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const before = await tableCounts();
    const refused = await send();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    expect(await tableCounts()).toEqual(before);
  });
});
