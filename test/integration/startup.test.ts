import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { childEnv, freePort, runScript, startServer, tempDataDir } from "../support/processes";

const NOISE_KEY = "ab".repeat(32);
const KEY_LINE = /^ib_operator_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/;

/** An expected failure: exit 1 and exactly one line, no stack trace. */
function expectOneLineFailure(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const db of databases) await db.destroy();
});

describe("start-up failures end with one clear line and exit 1", () => {
  it("a malformed DATABASE_URL", async () => {
    const result = await runScript(
      "src/server.ts",
      [],
      childEnv({ DATABASE_URL: "mysql://localhost/db", NOISE_KEY }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unreachable PostgreSQL", async () => {
    const port = await freePort();
    const result = await runScript(
      "src/server.ts",
      [],
      childEnv({ DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/nowhere`, NOISE_KEY }),
    );
    expectOneLineFailure(
      result,
      /^error: cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/,
    );
  });

  it("a port already in use", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const result = await runScript(
        "src/server.ts",
        [],
        childEnv({ DATA_DIR: tempDataDir(), PORT: String(port) }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `error: port ${port} on 127.0.0.1 is already in use: stop the other process or set PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
  });

  it("a corrupt data folder", async () => {
    const dataDir = tempDataDir();
    mkdirSync(path.join(dataDir, "pgdata", "global"), { recursive: true });
    writeFileSync(path.join(dataDir, "pgdata", "PG_VERSION"), "not a version\n");
    writeFileSync(path.join(dataDir, "pgdata", "global", "pg_control"), "garbage");
    const result = await runScript(
      "src/server.ts",
      [],
      childEnv({ DATA_DIR: dataDir, PORT: String(await freePort()) }),
    );
    expectOneLineFailure(result, /^error: cannot open the embedded database in .*pgdata: .*move it aside/);
  });
});

describe("the bootstrap command line", () => {
  it("issues an operator key without a server, prints it once, and lists it without the secret", async () => {
    const env = childEnv({ DATA_DIR: tempDataDir() });
    const issued = await runScript(
      "src/cli/main.ts",
      ["keys", "issue", "--role", "OPERATOR", "--name", "ops"],
      env,
    );
    expect(issued.code).toBe(0);
    const key = issued.stdout.trim();
    expect(key).toMatch(KEY_LINE);
    expect(issued.stderr).toContain('Issued OPERATOR key "ops"');
    const listed = await runScript("src/cli/main.ts", ["keys", "list"], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${key.slice(0, 12)}…  OPERATOR active  ops`);
    expect(listed.stdout).not.toContain(key.slice(12));
  });

  it("refuses a BUYER key without an outside_buyer_ partner id, naming the rule", async () => {
    const result = await runScript(
      "src/cli/main.ts",
      ["keys", "issue", "--role", "BUYER", "--name", "acme", "--partner-id", "acme"],
      childEnv({ DATA_DIR: tempDataDir() }),
    );
    expectOneLineFailure(
      result,
      /^error: PARTNER_ID_REQUIRED: A BUYER key needs a partnerId starting "outside_buyer_"/,
    );
  });

  it("precomputes a range of DAY releases with a summary, then finds nothing missing", async () => {
    const env = childEnv({ DATA_DIR: tempDataDir(), DEMO_DAYS: "14", DEMO_SCALE: "0.02" });
    expect((await runScript("src/cli/main.ts", ["demo-data"], env)).code).toBe(0);
    const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
    const args = ["precompute", "--granularity", "day", "--from", day(8), "--to", day(5)];
    const first = await runScript("src/cli/main.ts", args, env);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(
      /precompute day .*: 6 released \(\d+ cells released, [\d,]+ suppressed\), 0 still under the 72 h reporting delay/,
    );
    const second = await runScript("src/cli/main.ts", args, env);
    expect(second.stderr).toMatch(/: 0 released .*nothing was missing/);
    const bad = await runScript(
      "src/cli/main.ts",
      ["precompute", "--granularity", "month", "--from", day(8), "--to", day(5)],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--granularity must be one of hour, day, week");
  });

  it("explains its usage with --help and refuses an unknown command", async () => {
    const help = await runScript("src/cli/main.ts", ["--help"], childEnv({}));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("keys issue --role ROLE --name NAME");
    const unknown = await runScript("src/cli/main.ts", ["frobnicate"], childEnv({}));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});

describe("the server", () => {
  it(`starts on the backend under test (${process.env.TEST_DATABASE_URL ? "PostgreSQL, no demo" : "embedded, demo mode"}), serves, and stops on SIGTERM`, async () => {
    const port = await freePort();
    let env: NodeJS.ProcessEnv;
    let db: TestDatabase | undefined;
    if (process.env.TEST_DATABASE_URL) {
      db = await createTestDatabase({ migrate: false });
      databases.push(db);
      env = childEnv({ DATABASE_URL: db.url ?? "", NOISE_KEY, PORT: String(port) });
    } else {
      env = childEnv({ DATA_DIR: tempDataDir(), PORT: String(port), DEMO_DAYS: "14", DEMO_SCALE: "0.02" });
    }
    const server = startServer(env);
    try {
      await server.waitFor(/Ready\. GraphiQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);

      let key: string;
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
              .matchAll(/^\s*(OPERATOR|INTERNAL|BUYER|TENANT)\s+(ib_[a-z]+_\w{32}_\w{6})\s*$/gm),
          ].map((match) => [match[1], match[2]]),
        );
        expect([...printed.keys()].sort()).toEqual(["BUYER", "INTERNAL", "OPERATOR", "TENANT"]);
        for (const [role, printedKey] of printed)
          expect(printedKey).toMatch(new RegExp(`^ib_${role?.toLowerCase()}_`));
        key = printed.get("INTERNAL") ?? "";
      }
      const response = await fetch(`${base}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      expect(await response.json()).toEqual({ data: { __typename: "Query" } });
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
      }

      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill("SIGKILL");
    }
  });
});
