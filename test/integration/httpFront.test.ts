import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { configFrom } from "../../src/config";
import type { DatabaseHandle } from "../../src/db/client";
import { generateApiKey } from "../../src/policy/apiKeyFormat";
import { KEY_BY_HASH } from "../../src/policy/principal";
import { flushRequestLogs, trackRequestLogs } from "../support/app";
import { buildBuyerWorld } from "../support/buyerWorld";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { recordingHandle } from "../support/redteam";

let db: TestDatabase;
let world: Awaited<ReturnType<typeof buildBuyerWorld>>;

beforeAll(async () => {
  db = await createTestDatabase();
  world = await buildBuyerWorld(db);
}, 300_000);
afterAll(async () => {
  await db?.destroy();
});

type Route = "graphql" | "import" | "export";
const ROUTES: Route[] = ["graphql", "import", "export"];
const EXPORT_QUERY = new URLSearchParams({
  time_bucket_start_utc: "2026-01-01T00:00:00Z",
  time_bucket_end_utc: "2026-01-02T00:00:00Z",
  geo_bucket_ids: "us-nyc,gb-lon",
});

/** An app whose client address is the test's `x-test-address` header, and one request to each route. */
function frontApp(env: Record<string, string> = {}, handle: DatabaseHandle = db) {
  const app = trackRequestLogs(
    createApp({
      database: handle,
      config: configFrom({ LOG_LEVEL: "silent", ...env }),
      clock: world.clock,
      logger: pino({ level: "silent" }),
      clientAddress: (request) => request.headers.get("x-test-address") ?? undefined,
    }),
  );
  return (route: Route, key: string | null, headers: Record<string, string> = {}) => {
    const common = {
      "x-test-address": "192.0.2.80",
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...headers,
    };
    if (route === "graphql") {
      return app.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { ...common, "content-type": "application/json" },
        body: JSON.stringify({ query: "{ viewer { role } }" }),
      });
    }
    if (route === "import") {
      return app.fetch("http://yoga/import-projects", {
        method: "POST",
        headers: { ...common, "content-type": "application/json" },
        body: JSON.stringify({ tenant_id: "TELCO", source: "front", batch_id: "front-1", rows: [] }),
      });
    }
    return app.fetch(`http://yoga/v1/datasets/spots_insights_v1?${EXPORT_QUERY}`, { headers: common });
  };
}

/** The error code of a GraphQL or REST answer. */
async function codeOf(response: Response): Promise<string | undefined> {
  const body = (await response.json()) as {
    errors?: Array<{ extensions?: { code?: string } }>;
    error?: { code?: string };
  };
  return body.errors?.[0]?.extensions?.code ?? body.error?.code;
}

describe("the HTTP front of every route", () => {
  it("one key's rate-limit tokens are one bucket across /graphql, /import-projects and /v1/datasets", async () => {
    const send = frontApp({ RATE_LIMIT_PER_MINUTE: "3" });
    // Three requests, one a route each, take the key's three tokens (the import is refused for the role after its token).
    const admitted: Response[] = [];
    for (const route of ROUTES) admitted.push(await send(route, world.internalKey));
    expect(admitted.map((response) => response.status)).toEqual([200, 403, 200]);
    expect(await codeOf(admitted[1] as Response)).toBe("FORBIDDEN");
    await admitted[2]?.text();

    // Now every route refuses the key alike: 429, RATE_LIMITED, retry-after.
    for (const route of ROUTES) {
      const refused = await send(route, world.internalKey);
      expect([route, refused.status]).toEqual([route, 429]);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await codeOf(refused)).toBe("RATE_LIMITED");
    }
    // Another key has its own bucket.
    expect((await send("graphql", world.operatorKey)).status).toBe(200);
  });

  it("every route answers with the server's request id, echoes the client's, and writes the request_logs row", async () => {
    const send = frontApp();
    const ids: Record<string, string> = {};
    for (const route of ROUTES) {
      const response = await send(route, world.internalKey, { "x-request-id": `front-${route}` });
      await response.text();
      ids[route] = response.headers.get("x-request-id") ?? "";
      expect(ids[route]).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("x-client-request-id")).toBe(`front-${route}`);
    }
    expect(new Set(Object.values(ids)).size).toBe(3);
    await flushRequestLogs();
    const rows = await db.query<{
      request_id: string;
      client_request_id: string;
      endpoint: string;
      outcome_code: string;
      role: string;
    }>(
      `select request_id, client_request_id, endpoint, outcome_code, role from request_logs
        where client_request_id like 'front-%' order by id`,
    );
    // An export's log is its pages' rows: its id, a dot and the page number.
    expect(rows).toEqual([
      {
        request_id: ids.graphql,
        client_request_id: "front-graphql",
        endpoint: "graphql",
        outcome_code: "OK",
        role: "internal",
      },
      {
        request_id: ids.import,
        client_request_id: "front-import",
        endpoint: "import",
        outcome_code: "FORBIDDEN",
        role: "internal",
      },
      {
        request_id: `${ids.export}.1`,
        client_request_id: "front-export",
        endpoint: "export",
        outcome_code: "OK",
        role: "internal",
      },
    ]);
  });

  it("a forged key is refused alike on every route and counted by one per-address allowance before any lookup", async () => {
    const recording = recordingHandle(db);
    const send = frontApp({ RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: "3" }, recording.handle);
    const forged = generateApiKey("internal").plaintext;
    const refusals: Array<{ id: string; body: unknown }> = [];
    for (const route of ROUTES) {
      const response = await send(route, forged, { "x-test-address": "198.51.100.80" });
      expect([route, response.status]).toEqual([route, 401]);
      refusals.push({ id: response.headers.get("x-request-id") ?? "", body: await response.json() });
    }
    const [graphql, restImport, restExport] = refusals.map((refusal) => refusal.body) as [
      { errors: Array<{ message: string; extensions: Record<string, unknown> }> },
      { error: Record<string, unknown> },
      { error: Record<string, unknown> },
    ];
    const error = graphql.errors[0];
    expect(error?.extensions).toEqual({ code: "UNAUTHENTICATED", reason: "INVALID" });
    // The REST routes answer the same code, message and reason in their own envelope.
    expect(restImport).toEqual({
      error: { code: "UNAUTHENTICATED", message: error?.message, reason: "INVALID" },
    });
    expect(restExport).toEqual(restImport);

    // The address's allowance (3) is used up across the routes: each is now refused unlooked-up.
    for (const route of ROUTES) {
      const limited = await send(route, forged, { "x-test-address": "198.51.100.80" });
      expect([route, limited.status]).toEqual([route, 429]);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await codeOf(limited)).toBe("RATE_LIMITED");
    }
    expect(recording.statements().filter((text) => text === KEY_BY_HASH)).toHaveLength(3);
    await flushRequestLogs();
    const rows = await db.query<{
      request_id: string;
      endpoint: string;
      outcome_code: string;
      outcome_detail: string;
    }>(
      "select request_id, endpoint, outcome_code, outcome_detail from request_logs where request_id = any($1) order by id",
      [refusals.map((refusal) => refusal.id)],
    );
    expect(rows).toEqual(
      ROUTES.map((endpoint, index) => ({
        request_id: refusals[index]?.id,
        endpoint,
        outcome_code: "UNAUTHENTICATED",
        outcome_detail: "UNKNOWN",
      })),
    );
    // Another address still gets its own allowance.
    expect((await send("import", forged, { "x-test-address": "198.51.100.81" })).status).toBe(401);
  });

  it("a method a REST route does not take is refused 405 before any key lookup", async () => {
    const recording = recordingHandle(db);
    const app = createApp({
      database: recording.handle,
      config: configFrom({ LOG_LEVEL: "silent" }),
      clock: world.clock,
      logger: pino({ level: "silent" }),
    });
    for (const [path, allow] of [
      ["/import-projects", "POST"],
      ["/v1/datasets/spots_insights_v1", "GET, POST"],
    ] as const) {
      const response = await app.fetch(`http://yoga${path}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${world.internalKey}` },
      });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
      expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(await codeOf(response)).toBe("METHOD_NOT_ALLOWED");
    }
    expect(recording.statements().filter((text) => text === KEY_BY_HASH)).toHaveLength(0);
  });
});
