import { eq } from "drizzle-orm";
import { print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../src/audit/actor";
import { fixedClock } from "../../src/clock";
import { apiKeys } from "../../src/db/schema/access";
import { ViewerDocument, type ViewerQuery } from "../../src/generated/graphql/graphql";
import { generateApiKey } from "../../src/policy/apiKeyFormat";
import { issueApiKey } from "../../src/resolvers/admin/apiKeys";
import { issueTestKey, testApp } from "../support/app";
import { createTestDatabase, type TestDatabase } from "../support/database";

let db: TestDatabase;
const clock = fixedClock("2026-03-01T12:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.destroy();
});

describe("health endpoints", () => {
  it("/healthz answers without a key", async () => {
    const response = await testApp(db, clock).app.fetch("http://yoga/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("/readyz reports database and migrations ready", async () => {
    const response = await testApp(db, clock).app.fetch("http://yoga/readyz");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready", checks: { database: true, migrations: true } });
  });
});

describe("authentication", () => {
  const query = "{ __typename }";

  it("refuses a request without a key with UNAUTHENTICATED and HTTP 401", async () => {
    const { status, body } = await testApp(db, clock).graphql(query);
    expect(status).toBe(401);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "MISSING" });
  });

  it("refuses malformed and bad-checksum keys", async () => {
    const api = testApp(db, clock);
    const malformed = await api.graphql(query, { key: "not-a-key" });
    expect(malformed.body.errors?.[0]?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      reason: "MALFORMED",
    });
    const valid = generateApiKey("internal").plaintext;
    const broken = `${valid.slice(0, -1)}${valid.endsWith("A") ? "B" : "A"}`;
    const badChecksum = await api.graphql(query, { key: broken });
    expect(badChecksum.body.errors?.[0]?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      reason: "BAD_CHECKSUM",
    });
  });

  it("refuses a well-formed key that was never issued", async () => {
    const { body } = await testApp(db, clock).graphql(query, { key: generateApiKey("operator").plaintext });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID" });
  });

  it("answers an issued key and reports its role on viewer", async () => {
    const issued = await issueTestKey(db, "buyer", { clock });
    const { status, body } = await testApp(db, clock).graphql(
      "{ __typename viewer { role partnerId tenantId } }",
      {
        key: issued.apiKey,
      },
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        __typename: "Query",
        viewer: { role: "BUYER", partnerId: "outside_buyer_test", tenantId: null },
      },
    });
  });

  it("refuses a key revoked through the API on the next request", async () => {
    const issued = await issueTestKey(db, "internal", { clock });
    const operator = await issueTestKey(db, "operator", { clock });
    const api = testApp(db, clock);
    await api.app.keys.ready;
    expect((await api.graphql(query, { key: issued.apiKey })).status).toBe(200);
    expect((await api.graphql(query, { key: issued.apiKey })).status).toBe(200);
    const revoked = await api.graphql(
      "mutation($id: ID!) { revokeApiKey(input: { id: $id }) { userErrors { code } } }",
      { key: operator.apiKey, variables: { id: issued.key.id } },
    );
    expect(revoked.body.data?.revokeApiKey).toEqual({ userErrors: [] });
    const { body } = await api.graphql(query, { key: issued.apiKey });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID" });
  });

  it("refuses a key once its expiry has passed", async () => {
    const moving = fixedClock("2026-03-01T12:00:00Z");
    const issued = await issueTestKey(db, "operator", {
      clock: moving,
      expiresAt: new Date("2026-03-01T13:00:00Z"),
    });
    const api = testApp(db, moving);
    expect((await api.graphql(query, { key: issued.apiKey })).status).toBe(200);
    moving.set("2026-03-01T13:00:00Z");
    const { body } = await api.graphql(query, { key: issued.apiKey });
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID" });
  });

  it("records when a key was last used, off the request path", async () => {
    const issued = await issueTestKey(db, "internal", { clock });
    const api = testApp(db, clock);
    await api.graphql(query, { key: issued.apiKey });
    const lastUsed = async () =>
      (await db.db.select().from(apiKeys).where(eq(apiKeys.id, issued.key.id)))[0]?.lastUsedAt ?? null;
    expect(await lastUsed()).toBeNull();
    await api.app.keys.flushUses();
    expect((await lastUsed())?.toISOString()).toBe(clock.now().toISOString());
  });

  it("stores only the hash and a 12-character display prefix", async () => {
    const issued = await issueTestKey(db, "tenant", { clock });
    const [row] = await db.db.select().from(apiKeys).where(eq(apiKeys.id, issued.key.id));
    expect(row?.prefix).toBe(issued.apiKey.slice(0, 12));
    expect(JSON.stringify(row)).not.toContain(issued.apiKey.slice(12, 44));
  });
});

describe("issuing keys", () => {
  it("refuses a BUYER without an outside_buyer_ partner and a TENANT without a tenant, reporting both fields", async () => {
    const buyer = await issueApiKey({ database: db, clock }, systemActor("test"), {
      role: "buyer",
      name: "acme",
      partnerId: "acme",
    });
    expect(buyer).toMatchObject({
      ok: false,
      userErrors: [{ code: "PARTNER_ID_REQUIRED", field: ["input", "partnerId"] }],
    });
    const tenant = await issueApiKey({ database: db, clock }, systemActor("test"), {
      role: "tenant",
      name: "t",
    });
    expect(tenant).toMatchObject({ ok: false, userErrors: [{ code: "TENANT_ID_REQUIRED" }] });
    const both = await issueApiKey({ database: db, clock }, systemActor("test"), {
      role: "internal",
      name: " ",
      partnerId: "outside_buyer_x",
      expiresAt: new Date("2020-01-01T00:00:00Z"),
    });
    expect(both.ok ? [] : both.userErrors.map((e) => e.code)).toEqual([
      "INVALID_NAME",
      "PARTNER_ID_NOT_ALLOWED",
      "EXPIRES_IN_PAST",
    ]);
  });
});

describe("request ids", () => {
  it("makes its own x-request-id and echoes a valid incoming one as x-client-request-id", async () => {
    const api = testApp(db, clock);
    const echoed = await api.graphql("{ __typename }", { headers: { "x-request-id": "trace-123" } });
    expect(echoed.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(echoed.headers.get("x-client-request-id")).toBe("trace-123");
    const invented = await api.graphql("{ __typename }", {
      headers: { "x-request-id": "bad id with spaces" },
    });
    expect(invented.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(invented.headers.get("x-client-request-id")).toBeNull();
  });
});

describe("typed documents for internal tools", () => {
  it("the generated Viewer document runs against the schema and matches its type", async () => {
    const issued = await issueTestKey(db, "tenant", { clock });
    const { body } = await testApp(db, clock).graphql(print(ViewerDocument), { key: issued.apiKey });
    const data = body.data as ViewerQuery;
    expect(data.viewer).toEqual({ role: "TENANT", partnerId: null, tenantId: "TELCO" });
  });
});

describe("GraphiQL", () => {
  it("is served at /graphql to a browser without a key", async () => {
    const response = await testApp(db, clock).app.fetch("http://yoga/graphql", {
      headers: { accept: "text/html" },
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("<title>Insights API</title>");
  });
});
