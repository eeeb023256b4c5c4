import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_LOG, auditEntryOfRow, auditHash } from "../../src/audit/chain";
import { fixedClock } from "../../src/clock";
import { openDatabase } from "../../src/db/client";
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

const api = () => testApp(db, clock);

/** The URL of the test file's own database on the server of TEST_DATABASE_URL. */
async function currentDatabaseUrl(serverUrl: string): Promise<string> {
  const [row] = await db.query<{ name: string }>("select current_database() as name");
  const url = new URL(serverUrl);
  url.pathname = `/${row?.name}`;
  return url.toString();
}
const whoAmI = async (key: string) => (await api().graphql("{ viewer { role } }", { key })).body;

interface KeyPayload {
  apiKey: string | null;
  key: {
    id: string;
    role: string;
    partnerId: string | null;
    prefix: string;
    revokedAt: string | null;
  } | null;
  userErrors: Array<{ code: string; field: string[] }>;
}

async function issue(input: Record<string, unknown>, key = operatorKey) {
  const { body } = await api().graphql(
    `mutation($input: IssueApiKeyInput!) { issueApiKey(input: $input) { apiKey key { id role partnerId prefix revokedAt } userErrors { code field } } }`,
    { key, variables: { input } },
  );
  return { body, payload: body.data?.issueApiKey as KeyPayload | undefined };
}

describe("key lifecycle mutations", () => {
  it("an operator issues a key; its plaintext is shown once and it works at once", async () => {
    const { payload } = await issue({ role: "BUYER", name: "acme", partnerId: "outside_buyer_acme" });
    expect(payload?.userErrors).toEqual([]);
    expect(payload?.key).toMatchObject({ role: "BUYER", partnerId: "outside_buyer_acme", revokedAt: null });
    expect(payload?.apiKey).toMatch(/^ib_buyer_\w{32}_\w{6}$/);
    expect(payload?.key?.prefix).toBe(payload?.apiKey?.slice(0, 12));
    expect(await whoAmI(payload?.apiKey ?? "")).toEqual({ data: { viewer: { role: "BUYER" } } });
  });

  it("reports the role rules as userErrors and issues nothing", async () => {
    const [before] = await db.query<{ n: number }>("select count(*)::int as n from api_keys");
    const { payload } = await issue({ role: "TENANT", name: "t" });
    expect(payload).toEqual({
      apiKey: null,
      key: null,
      userErrors: [{ code: "TENANT_ID_REQUIRED", field: ["input", "tenantId"] }],
    });
    const [after] = await db.query<{ n: number }>("select count(*)::int as n from api_keys");
    expect(after?.n).toBe(before?.n);
  });

  it("is for operators only: an INTERNAL key gets FORBIDDEN", async () => {
    const { body } = await issue({ role: "INTERNAL", name: "x" }, internalKey);
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("rotation keeps the old key working for the overlap only, and the new one works at once", async () => {
    const { payload } = await issue({ role: "INTERNAL", name: "tool" });
    const oldKey = payload?.apiKey ?? "";
    const { body } = await api().graphql(
      `mutation($id: ID!) { rotateApiKey(input: { id: $id, overlapSeconds: 300 }) { apiKey key { id role } userErrors { code } } }`,
      { key: operatorKey, variables: { id: payload?.key?.id } },
    );
    const rotated = body.data?.rotateApiKey as KeyPayload;
    expect(rotated.userErrors).toEqual([]);
    expect(rotated.apiKey).not.toBe(oldKey);
    const moving = fixedClock(clock.now());
    const at = (offsetSeconds: number) => {
      moving.set(new Date(clock.now().getTime() + offsetSeconds * 1000));
      return testApp(db, moving);
    };
    expect((await at(299).graphql("{ viewer { role } }", { key: oldKey })).body.data).toEqual({
      viewer: { role: "INTERNAL" },
    });
    expect(
      (await at(300).graphql("{ viewer { role } }", { key: oldKey })).body.errors?.[0]?.extensions?.reason,
    ).toBe("INVALID");
    expect((await at(300).graphql("{ viewer { role } }", { key: rotated.apiKey ?? "" })).body.data).toEqual({
      viewer: { role: "INTERNAL" },
    });
  });

  it("a revoked key is refused on its very next request", async () => {
    const { payload } = await issue({ role: "INTERNAL", name: "leaked" });
    const key = payload?.apiKey ?? "";
    expect((await whoAmI(key)).data).toEqual({ viewer: { role: "INTERNAL" } });
    const { body } = await api().graphql(
      `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { key { revokedAt } userErrors { code } } }`,
      { key: operatorKey, variables: { id: payload?.key?.id } },
    );
    expect(body.data?.revokeApiKey).toEqual({ key: { revokedAt: "2026-03-01T12:00:00Z" }, userErrors: [] });
    expect((await whoAmI(key)).errors?.[0]?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      reason: "INVALID",
    });
    const missing = await api().graphql(
      `mutation { revokeApiKey(input: { id: "00000000-0000-0000-0000-000000000000" }) { key { id } userErrors { code } } }`,
      { key: operatorKey },
    );
    expect(missing.body.data?.revokeApiKey).toEqual({ key: null, userErrors: [{ code: "NOT_FOUND" }] });
  });

  it("a key revoked through one app instance is refused by a second instance within a second, though the second had cached it", async () => {
    // A second process: its own app and, on PostgreSQL, its own connection pool (and LISTEN
    // connection) to the same database; on PGlite the same handle (one process owns it).
    const url = process.env.TEST_DATABASE_URL;
    const secondHandle =
      db.kind === "postgres" && url !== undefined
        ? await openDatabase({ kind: "postgres", url: await currentDatabaseUrl(url), maxConnections: 2 })
        : db;
    try {
      const second = testApp(secondHandle, clock);
      await second.app.keys.ready;
      expect(second.app.keys.serving).toBe(true);
      const { payload } = await issue({ role: "INTERNAL", name: "seen-by-two" });
      const key = payload?.apiKey ?? "";
      // The second instance has served the key and holds it.
      for (let request = 0; request < 3; request++) {
        expect((await second.graphql("{ viewer { role } }", { key })).body.data).toEqual({
          viewer: { role: "INTERNAL" },
        });
      }
      expect(second.app.keys.size).toBeGreaterThan(0);
      const revoked = await api().graphql(
        `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { userErrors { code } } }`,
        { key: operatorKey, variables: { id: payload?.key?.id } },
      );
      expect(revoked.body.data?.revokeApiKey).toEqual({ userErrors: [] });
      const revokedAt = performance.now();
      // The revocation's notification reaches the second instance: it refuses within a second.
      let next = await second.graphql("{ viewer { role } }", { key });
      while (next.status === 200 && performance.now() - revokedAt < 2_000) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        next = await second.graphql("{ viewer { role } }", { key });
      }
      expect(performance.now() - revokedAt).toBeLessThan(1_000);
      expect(next.status).toBe(401);
      expect(next.body.errors?.[0]?.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "INVALID" });
    } finally {
      if (secondHandle !== db) await secondHandle.close();
    }
  });

  it("audits every change in a hash chain that never holds a key hash", async () => {
    const rows = (await db.query(`select ${AUDIT_LOG.list} from audit_logs order by id`)).map(AUDIT_LOG.read);
    expect(rows.map((row) => row.action)).toEqual(
      expect.arrayContaining(["issueApiKey", "rotateApiKey", "revokeApiKey"]),
    );
    expect(JSON.stringify(rows)).not.toMatch(/keyHash|key_hash/);
    let previous: string | null = null;
    for (const row of rows) {
      expect(row.prevHash).toBe(previous);
      const recomputed = auditHash(previous, auditEntryOfRow(row));
      expect(recomputed).toBe(row.hash);
      previous = row.hash;
    }
  });
});
