import { parseArgs } from "node:util";
import { fixedClock } from "../src/clock";
import type { DatabaseHandle } from "../src/db/client";
import { migrateDatabase } from "../src/db/migrate";
import type { Principal } from "../src/policy/principal";
import { importProjects } from "../src/resolvers/imports/importProjects";
import { openThrowawayDatabase } from "./throwawayDatabase";

const ROWS = 5000;
const { values } = parseArgs({ options: { runs: { type: "string" }, json: { type: "boolean" } } });
const runs = values.runs === undefined ? 11 : Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) {
  process.stderr.write(`--runs must be a positive integer, got ${values.runs}\n`);
  process.exit(2);
}
const clock = fixedClock("2026-03-01T12:00:00Z");
const principal: Principal = {
  keyId: "00000000-0000-4000-8000-000000000000",
  keyName: "bench",
  keyPrefix: "ib_tenant_be",
  role: "tenant",
  partnerId: null,
  tenantId: "TELCO",
  businessId: null,
};

/** Run `variant` of the batch: same keys every run (updates after the first), distinct counts so no replay. */
function batchRows(variant: number) {
  return Array.from({ length: ROWS }, (_, i) => ({
    stage_application: `STG-${String(i).padStart(12, "0")}`,
    delivery_partner: i % 50 === 0 ? "Unknown Partner" : "Fulton Hogan",
    developer_class: "Class 2",
    relationship_manager: "First Last",
    deployment_specialist: i % 100 === 0 ? "nobody" : "PREFERRED_USERNAME",
    residential: String((i + variant) % 90),
    commercial: String(i % 5),
    essential: "",
    stage_application_created: "2025-04-01",
  }));
}

async function plainInsert(database: DatabaseHandle, rows: ReturnType<typeof batchRows>): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const base = params.length;
    params.push(
      row.stage_application,
      row.delivery_partner,
      row.developer_class,
      row.relationship_manager,
      row.deployment_specialist,
      Number(row.residential),
      Number(row.commercial),
      0,
      row.stage_application_created,
    );
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}::int, $${base + 7}::int, $${base + 8}::int, $${base + 9}::date)`;
  });
  await database.query(
    `insert into bench_plain_projects (stage_application, delivery_partner, developer_class, relationship_manager,
       deployment_specialist, residential, commercial, essential, stage_application_created)
     values ${tuples.join(", ")}`,
    params,
  );
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function main(): Promise<void> {
  const target = await openThrowawayDatabase("bench_imports", false);
  const { database } = target;
  try {
    await migrateDatabase(database);
    await database.query("insert into tenants (id, name) values ('TELCO', 'Telco')");
    await database.query(
      "insert into partner_normalization (raw_key, canonical_name) values ('fulton hogan', 'Fulton Hogan')",
    );
    await database.query("insert into ds_directory (preferred_username) values ('PREFERRED_USERNAME')");
    await database.query(
      "insert into rm_directory (preferred_username, display_name) values ('first.last', 'First Last')",
    );
    await database.query(
      `create table bench_plain_projects (stage_application text, delivery_partner text, developer_class text,
         relationship_manager text, deployment_specialist text, residential int, commercial int, essential int,
         stage_application_created date)`,
    );
    const merge: number[] = [];
    const plain: number[] = [];
    // Run 0 inserts 5,000 projects; later runs update them (the steady state of a daily import).
    for (let run = 0; run <= runs; run++) {
      const rows = batchRows(run);
      const started = performance.now();
      const result = await importProjects(
        database,
        principal,
        { source: "bench", batchId: `bench-${run}`, rows },
        { clock },
      );
      const mergeMs = performance.now() - started;
      if (!result.ok || result.replayed)
        throw new Error(`run ${run} did not merge: ${JSON.stringify(result)}`);
      await database.query("truncate bench_plain_projects");
      const plainStarted = performance.now();
      await plainInsert(database, rows);
      const plainMs = performance.now() - plainStarted;
      process.stderr.write(
        `run ${run}: merge ${mergeMs.toFixed(0)} ms (${JSON.stringify(result.metrics)}), plain insert ${plainMs.toFixed(0)} ms\n`,
      );
      // Run 0 (first insert, cold caches) is reported but left out of the medians.
      if (run > 0) {
        merge.push(mergeMs);
        plain.push(plainMs);
      }
    }
    const mergeP50 = median(merge);
    const plainP50 = median(plain);
    process.stdout.write(
      `${target.label}: ${ROWS}-row import merge p50 ${mergeP50.toFixed(0)} ms vs plain multi-row INSERT p50 ${plainP50.toFixed(0)} ms (${(mergeP50 / plainP50).toFixed(1)}x) over ${runs} runs; target p50 <= 250 ms on Postgres\n`,
    );
    if (values.json) {
      // One machine-readable line for `npm run bench` (bench/main.ts), which runs this script as a child.
      process.stdout.write(
        `${JSON.stringify({
          rows: ROWS,
          p50Ms: Math.round(mergeP50),
          baselineInsertP50Ms: Math.round(plainP50),
          ratio: Number((mergeP50 / plainP50).toFixed(2)),
          database: target.label,
        })}\n`,
      );
    }
  } finally {
    await target.dispose();
  }
}

await main();
