// Side-by-side benchmarks: each case is reported as a ratio against a baseline measured in the
// same run on the same machine, never as an absolute time.
import pino from "pino";
import { createApp } from "../src/app";
import { systemClock } from "../src/clock";
import { configFrom } from "../src/config";
import { openDatabase } from "../src/db/client";
import { migrateDatabase } from "../src/db/migrate";
import { issueApiKey } from "../src/resolvers/admin/apiKeys";

const ITERATIONS = Number(process.argv[2] ?? 300);

async function median(iterations: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? 0;
}

const database = await openDatabase({ kind: "pglite" });
await migrateDatabase(database);
const app = createApp({
  db: database,
  config: configFrom({ LOG_LEVEL: "silent" }),
  logger: pino({ level: "silent" }),
});
const issued = await issueApiKey(database, systemClock, {
  role: "internal",
  name: "bench",
  createdBy: "bench",
});
if (!issued.ok) throw new Error("could not issue a key");

const baseline = await median(ITERATIONS, () => app.fetch("http://yoga/healthz"));
const authenticated = await median(ITERATIONS, () =>
  app.fetch("http://yoga/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${issued.apiKey}` },
    body: JSON.stringify({ query: "{ __typename }" }),
  }),
);
const refused = await median(ITERATIONS, () =>
  app.fetch("http://yoga/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer ib_internal_bad" },
    body: JSON.stringify({ query: "{ __typename }" }),
  }),
);

process.stdout.write(
  [
    `iterations: ${ITERATIONS} (embedded PGlite)`,
    `authenticated { __typename } / GET /healthz: ${(authenticated / baseline).toFixed(2)}x`,
    `malformed key refused / GET /healthz:        ${(refused / baseline).toFixed(2)}x (no database lookup)`,
    "",
  ].join("\n"),
);
await database.close();
