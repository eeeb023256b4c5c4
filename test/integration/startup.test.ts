import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/db/client";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { childEnv, freePort, runScript, startServer, tempDataDir } from "../support/processes";

// The server's start on the backend under test. Start-up failures and the bootstrap command line,
// which do not depend on the backend, are in test/process/commandLine.test.ts.
const NOISE_KEY = "ab".repeat(32);

// Request log rows wait this long in memory unless the server stops first.
const SLOW_REQUEST_LOGS = { REQUEST_LOG_FLUSH_MS: "10000" };

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.destroy();
});

async function loggedRequests(db: DatabaseHandle, requestIds: string[]): Promise<string[]> {
  const rows = await db.query<{ request_id: string }>(
    "select request_id from request_logs where request_id = any($1::text[]) order by id",
    [requestIds],
  );
  return rows.map((row) => row.request_id);
}

describe("the server", () => {
  it(`starts on the backend under test (${process.env.TEST_DATABASE_URL ? "PostgreSQL, no demo" : "embedded, demo mode"}), serves, and stops on SIGTERM, writing the queued request log rows first`, async () => {
    const port = await freePort();
    let env: NodeJS.ProcessEnv;
    let db: TestDatabase | undefined;
    let dataDir = "";
    if (process.env.TEST_DATABASE_URL) {
      db = await createTestDatabase({ migrate: false });
      databases.push(db);
      env = childEnv({ DATABASE_URL: db.url ?? "", NOISE_KEY, PORT: String(port), ...SLOW_REQUEST_LOGS });
    } else {
      dataDir = tempDataDir();
      env = childEnv({
        DATA_DIR: dataDir,
        PORT: String(port),
        DEMO_DAYS: "14",
        DEMO_SCALE: "0.02",
        ...SLOW_REQUEST_LOGS,
      });
    }
    const server = startServer(env);
    try {
      await server.waitFor(/Ready\. GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);

      let key: string;
      let businessKey = "";
      if (db) {
        // With DATABASE_URL nothing is invented: no demo events, no keys.
        expect(server.output()).not.toMatch(/ib_[a-z]+_[0-9A-Za-z]{32}/);
        const counts = await db.query<{ events: number; keys: number }>(
          "select (select count(*)::int from interaction_events) as events, (select count(*)::int from api_keys) as keys",
        );
        expect(counts[0]).toEqual({ events: 0, keys: 0 });
        const issued = await runScript(
          "src/cli/main.ts",
          ["keys", "issue", "--role", "INTERNAL", "--name", "t"],
          env,
        );
        key = issued.stdout.trim();
      } else {
        // One key per role, each on its own line, with the role's prefix.
        const printed = new Map(
          [
            ...server
              .output()
              .matchAll(/^\s*(OPERATOR|INTERNAL|BUYER|TENANT|BUSINESS)\s+(ib_[a-z]+_\w{32}_\w{6})\s*$/gm),
          ].map((match) => [match[1], match[2]]),
        );
        expect([...printed.keys()].sort()).toEqual(["BUSINESS", "BUYER", "INTERNAL", "OPERATOR", "TENANT"]);
        for (const [role, printedKey] of printed)
          expect(printedKey).toMatch(new RegExp(`^ib_${role?.toLowerCase()}_`));
        key = printed.get("INTERNAL") ?? "";
        businessKey = printed.get("BUSINESS") ?? "";
      }
      const response = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(await response.json()).toEqual({ data: { __typename: "Query" } });
      const requestIds = [response.headers.get("x-request-id") ?? ""];
      if (!db) {
        // Demo mode computed the releases before turning ready: the newest DAY buckets past the delay are served.
        const end = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 3 * 86_400_000);
        const start = new Date(end.getTime() - 7 * 86_400_000);
        const read = await fetch(`${base}/graphql`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({
            query: `{ insights(filter: { timeBucketStartUtc: "${start.toISOString()}", timeBucketEndUtc: "${end.toISOString()}" }, first: 1) { totalCount } }`,
          }),
        });
        const body = (await read.json()) as {
          data: { insights: { totalCount: number } };
          extensions: { policy: { missingBuckets: string[] } };
        };
        expect(body.data.insights.totalCount).toBe(7 * 12 * 135);
        expect(body.extensions.policy.missingBuckets).toEqual([]);
        requestIds.push(read.headers.get("x-request-id") ?? "");

        // The printed BUSINESS key reads the printed spots of its business, and only those.
        const spotIds = /the BUSINESS key to biz_\w+, whose spots are ([\w-]+(?:, [\w-]+)*)\./
          .exec(server.output())?.[1]
          ?.split(", ");
        expect(spotIds?.length).toBeGreaterThan(0);
        const businessRead = await fetch(`${base}/graphql`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            authorization: `Bearer ${businessKey}`,
          },
          body: JSON.stringify({
            query: `{ businessInsights(filter: { granularity: DAY, timeBucketStartUtc: "${start.toISOString()}", timeBucketEndUtc: "${end.toISOString()}", spotIds: ${JSON.stringify(spotIds)} }) { cells { spotId } } }`,
          }),
        });
        const businessBody = (await businessRead.json()) as {
          data: { businessInsights: { cells: Array<{ spotId: string }> } };
        };
        expect(businessBody.data.businessInsights.cells).toHaveLength((spotIds?.length ?? 0) * 7 * 3);
      }
      // The rows wait in the queue (the interval is long) ...
      if (db) expect(await loggedRequests(db, requestIds)).toEqual([]);

      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      // ... and the shutdown wrote them before closing the database.
      const stopped = db ?? (await openDatabase({ kind: "pglite", dataDir: path.join(dataDir, "pgdata") }));
      try {
        expect(await loggedRequests(stopped, requestIds)).toEqual(requestIds);
      } finally {
        if (!db) await stopped.close();
      }
    } finally {
      server.child.kill("SIGKILL");
    }
  }, 180_000);
});
