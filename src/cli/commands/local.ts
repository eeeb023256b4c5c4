import { writeFileSync } from "node:fs";
import path from "node:path";
import { systemActor } from "../../audit/actor";
import { systemClock } from "../../clock";
import { type Config, loadConfig } from "../../config";
import type { DatabaseHandle } from "../../db/client";
import { prepareDatabase } from "../../db/prepare";
import type { ApiRole } from "../../db/schema/enums";
import { runDemoData } from "../../demo/runDemoData";
import { issueApiKey, listApiKeys } from "../../resolvers/admin/apiKeys";
import { printSortedSchema } from "../../schema/print";
import { type Command, EXIT_FAILED, EXIT_OK, type Io, instantOf, oneOf, text } from "../framework";
import { EXIT_CAP_REACHED, runPrecomputeCommand } from "../precompute";
import { ISSUE_KEY_OPTIONS, ROLES } from "./keys";

/** Opens (and migrates) the configured database for one piece of work, and closes it. */
async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>, config: Config = loadConfig()) {
  const handle = await prepareDatabase(config);
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

/**
 * `npm run cli` commands that work on the configured database directly, with no server and no API
 * key: the first key, a precompute range, the demo data, migrations, and the printed schema.
 */
export const localCommands: Command<Io>[] = [
  {
    path: ["keys", "issue"],
    summary:
      "Issue an API key and print it once. BUYER needs --partner-id outside_buyer_<name>; TENANT needs " +
      "--tenant-id; BUSINESS needs --business-id (an existing business).",
    options: ISSUE_KEY_OPTIONS,
    async run(io, values) {
      const role = (oneOf("role", text(values, "role"), ROLES) ?? "INTERNAL").toLowerCase() as ApiRole;
      const expiresAt = instantOf("expires-at", text(values, "expires-at"));
      return withDatabase(async (handle) => {
        const result = await issueApiKey({ database: handle, clock: systemClock }, systemActor("cli"), {
          role,
          name: text(values, "name") ?? "",
          partnerId: text(values, "partner-id") ?? null,
          tenantId: text(values, "tenant-id") ?? null,
          businessId: text(values, "business-id") ?? null,
          expiresAt: expiresAt === undefined ? null : new Date(expiresAt),
        });
        if (!result.ok) {
          for (const error of result.userErrors) io.stderr.write(`error: ${error.code}: ${error.message}\n`);
          return EXIT_FAILED;
        }
        io.stderr.write(
          `Issued ${role.toUpperCase()} key "${result.value.key.name}" (id ${result.value.key.id}). It is shown once:\n`,
        );
        io.stdout.write(`${result.value.apiKey}\n`);
        return EXIT_OK;
      });
    },
  },
  {
    path: ["keys", "list"],
    summary: "List keys (prefix, role, name, state); never secrets.",
    run: (io) =>
      withDatabase(async (handle) => {
        const keys = await listApiKeys(handle);
        const now = systemClock.now();
        for (const key of keys) {
          const state = key.revokedAt
            ? "revoked"
            : key.expiresAt && key.expiresAt <= now
              ? "expired"
              : "active";
          const owner = key.partnerId ?? key.tenantId ?? key.businessId ?? "";
          io.stdout.write(
            `${key.prefix}…  ${key.role.toUpperCase().padEnd(8)} ${state.padEnd(7)} ${key.name}${owner ? ` (${owner})` : ""}  ${key.id}\n`,
          );
        }
        if (keys.length === 0)
          io.stdout.write("no keys yet: npm run cli -- keys issue --role OPERATOR --name ops\n");
        return EXIT_OK;
      }),
  },
  {
    path: ["precompute"],
    summary:
      "Compute the missing releases whose buckets start in [from, to), with a progress bar and a summary. " +
      "Buckets still under the reporting delay are skipped. --new-version --reason TEXT makes a new version " +
      "of every release in the range (fresh noise; buyers are charged again): an operator action. HOUR " +
      "releases are families of a whole UTC day. A release that would take a day above the " +
      `participant-day cap is refused (PRIVACY_CAP_REACHED, exit ${EXIT_CAP_REACHED}).`,
    options: {
      granularity: {
        type: "string",
        value: "day|week|hour",
        required: true,
        description: "The release size.",
      },
      from: {
        type: "string",
        value: "DATE",
        required: true,
        description: "Start: a date such as 2026-01-01, or an ISO instant (floored to the bucket).",
      },
      to: { type: "string", value: "DATE", required: true, description: "End, exclusive." },
      "geo-type": {
        type: "string",
        value: "city_code|geohash3",
        description: "Only this geo type (default: every one the release profile allows).",
      },
      "new-version": {
        type: "boolean",
        description: "A new version of every release in the range (fresh noise; buyers are charged again).",
      },
      reason: { type: "string", value: "TEXT", description: "Why: required with --new-version." },
    },
    examples: [
      "npm run cli -- precompute --granularity day --from 2026-01-01 --to 2026-02-01",
      'npm run cli -- precompute --granularity week --from 2026-01-05 --to 2026-01-12 --new-version --reason "recount"',
    ],
    run(_io, values) {
      const config = loadConfig();
      return withDatabase(
        (handle) =>
          runPrecomputeCommand(handle, config, systemClock, {
            granularity: text(values, "granularity"),
            from: text(values, "from"),
            to: text(values, "to"),
            geoType: text(values, "geo-type"),
            newVersion: values["new-version"] === true,
            reason: text(values, "reason"),
          }),
        config,
      );
    },
  },
  {
    path: ["demo-data"],
    summary: "Generate the deterministic demo data set into an empty database.",
    options: {
      seed: { type: "string", value: "N", description: "The generator's seed (default: DEMO_SEED)." },
      days: { type: "string", value: "N", description: "Days of history (default: DEMO_DAYS)." },
    },
    async run(_io, values) {
      const seed = text(values, "seed");
      const days = text(values, "days");
      const config = loadConfig({
        ...process.env,
        ...(seed === undefined ? {} : { DEMO_SEED: seed }),
        ...(days === undefined ? {} : { DEMO_DAYS: days }),
      });
      await withDatabase((handle) => runDemoData(handle, config, systemClock), config);
      return EXIT_OK;
    },
  },
  {
    path: ["migrate"],
    summary: "Apply database migrations and reference data.",
    async run(io) {
      await withDatabase(async () => {
        io.stdout.write("database migrated\n");
      });
      return EXIT_OK;
    },
  },
  {
    path: ["schema:print"],
    summary: "Write the sorted GraphQL schema (default: schema.graphql).",
    options: { out: { type: "string", value: "FILE", description: "Where (default: schema.graphql)." } },
    async run(io, values) {
      const out = path.resolve(text(values, "out") ?? "schema.graphql");
      writeFileSync(out, printSortedSchema());
      io.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
      return EXIT_OK;
    },
  },
];
