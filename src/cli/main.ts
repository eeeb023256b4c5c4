import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { systemClock } from "../clock";
import { ConfigError, loadConfig } from "../config";
import { type DatabaseHandle, DatabaseOpenError } from "../db/client";
import { prepareDatabase } from "../db/prepare";
import { API_ROLES, type ApiRole } from "../db/schema/enums";
import { issueApiKey, listApiKeys } from "../resolvers/admin/apiKeys";
import { printSortedSchema } from "../schema/print";
import { runDemoData } from "./demoData";
import { runOps } from "./ops";
import { EXIT_CAP_REACHED, PrecomputeUsageError, runPrecomputeCommand } from "./precompute";

/** Each command's usage, as shown by `--help` and by `<command> --help`. */
const COMMANDS: Array<{ name: string; usage: string }> = [
  {
    name: "keys",
    usage: `  keys issue --role ROLE --name NAME [--partner-id ID] [--tenant-id ID] [--business-id ID] [--expires-at ISO]
                        Issue an API key and print it once. ROLE: BUYER, INTERNAL, OPERATOR, TENANT, BUSINESS.
                        BUYER needs --partner-id outside_buyer_<name>; TENANT needs --tenant-id;
                        BUSINESS needs --business-id (an existing business).
  keys list             List keys (prefix, role, name, state); never secrets.
`,
  },
  {
    name: "precompute",
    usage: `  precompute --granularity day|week|hour --from DATE --to DATE [--geo-type city_code|geohash3]
                        Compute the missing releases whose buckets start in [from, to), with a
                        progress bar and a summary. Buckets still under the reporting delay are
                        skipped. --new-version --reason TEXT makes a new version of every release
                        in the range (fresh noise; buyers are charged again): an operator action.
                        HOUR releases are families of a whole UTC day. A release that would take a
                        day above the participant-day cap is refused (PRIVACY_CAP_REACHED, exit ${EXIT_CAP_REACHED}).
`,
  },
  {
    name: "demo-data",
    usage: `  demo-data [--seed N] [--days N]
                        Generate the deterministic demo data set into an empty database.
`,
  },
  {
    name: "migrate",
    usage: `  migrate               Apply database migrations and reference data.
`,
  },
  {
    name: "ops",
    usage: `  ops <command> [--url URL] [--key KEY] [--json]
                        The ops command line (also \`npm run ops -- ...\`): keys, budgets,
                        precompute, feed, actions, audit, monitors, policies, cities and
                        localities, over HTTP against a running server with an OPERATOR key
                        (INTERNAL for reads; default: OPS_API_KEY). \`npm run ops -- --help\`.
`,
  },
  {
    name: "schema:print",
    usage: `  schema:print [--out FILE]
                        Write the sorted GraphQL schema (default: schema.graphql).
`,
  },
];

const EXIT_CODES = `Exit codes:
  0  done
  1  failed: invalid configuration, database unreachable, a refused key issue, an error
  2  wrong usage: unknown command or option, a missing or invalid option value
  ${EXIT_CAP_REACHED}  precompute only: a release was refused at the participant-day cap (PRIVACY_CAP_REACHED)
`;

const HELP = `Usage: npm run cli -- <command> [options]

Admin command line. Works directly on the configured database (DATABASE_URL, or the embedded
database in DATA_DIR); no server and no API key needed. Stop \`npm start\` before using it on the
embedded database: PGlite allows one process at a time.

Commands (each also answers <command> --help):
${COMMANDS.map((command) => command.usage).join("")}  help [COMMAND]        Show this text, or one command's.

${EXIT_CODES}
Examples:
  npm run cli -- keys issue --role OPERATOR --name ops
  npm run cli -- keys issue --role BUYER --name acme --partner-id outside_buyer_acme
  npm run cli -- precompute --granularity day --from 2026-01-01 --to 2026-02-01
  OPS_API_KEY=ib_operator_… npm run ops -- jobs --url http://127.0.0.1:4000/graphql
`;

/** One command's usage and the exit codes; undefined for an unknown command. */
function commandHelp(name: string): string | undefined {
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) return undefined;
  return `Usage: npm run cli -- ${name} [options]\n\n${command.usage}\n${EXIT_CODES}`;
}

/** Wrong usage exits 2, as in the ops command line. */
const EXIT_USAGE = 2;

/** Thrown for wrong usage: printed as one line plus a pointer to --help. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `<command> --help` answers without reading the configuration or opening the database; ops has its own.
  if (command !== undefined && command !== "ops" && (rest.includes("--help") || rest.includes("-h"))) {
    const help = commandHelp(command);
    if (help === undefined) throw new UsageError(`unknown command "${command}"`);
    process.stdout.write(help);
    return 0;
  }
  switch (command) {
    case undefined:
    case "--help":
    case "-h":
      process.stdout.write(HELP);
      return 0;
    case "help": {
      const [topic] = rest;
      if (topic === undefined) {
        process.stdout.write(HELP);
        return 0;
      }
      if (topic === "ops") return opsCommand(["--help"]);
      const help = commandHelp(topic);
      if (help === undefined) throw new UsageError(`unknown command "${topic}"`);
      process.stdout.write(help);
      return 0;
    }
    case "schema:print": {
      const { values } = parseArgs({
        args: rest,
        options: { out: { type: "string", default: "schema.graphql" } },
      });
      const out = path.resolve(values.out);
      writeFileSync(out, printSortedSchema());
      process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}\n`);
      return 0;
    }
    case "migrate":
      parseArgs({ args: rest, options: {} });
      await withDatabase(async () => {
        process.stdout.write("database migrated\n");
      });
      return 0;
    case "keys":
      return keysCommand(rest);
    case "ops":
      return opsCommand(rest);
    case "precompute": {
      const { values } = parseArgs({
        args: rest,
        options: {
          granularity: { type: "string" },
          from: { type: "string" },
          to: { type: "string" },
          "geo-type": { type: "string" },
          "new-version": { type: "boolean", default: false },
          reason: { type: "string" },
        },
      });
      const config = loadConfig();
      return withDatabase(
        (handle) =>
          runPrecomputeCommand(handle, config, systemClock, {
            granularity: values.granularity,
            from: values.from,
            to: values.to,
            geoType: values["geo-type"],
            newVersion: values["new-version"] ?? false,
            reason: values.reason,
          }),
        config,
      );
    }
    case "demo-data": {
      const { values } = parseArgs({
        args: rest,
        options: { seed: { type: "string" }, days: { type: "string" } },
      });
      const config = loadConfig({
        ...process.env,
        ...(values.seed === undefined ? {} : { DEMO_SEED: values.seed }),
        ...(values.days === undefined ? {} : { DEMO_DAYS: values.days }),
      });
      await withDatabase((handle) => runDemoData(handle, config, systemClock), config);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

function opsCommand(args: string[]): Promise<number> {
  return runOps(args, { stdout: process.stdout, stderr: process.stderr, defaultKey: loadConfig().opsApiKey });
}

async function keysCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "list") {
    parseArgs({ args: rest, options: {} });
    await withDatabase(async (handle) => {
      const keys = await listApiKeys(handle.db);
      const now = systemClock.now();
      for (const key of keys) {
        const state = key.revokedAt
          ? "revoked"
          : key.expiresAt && key.expiresAt <= now
            ? "expired"
            : "active";
        const owner = key.partnerId ?? key.tenantId ?? key.businessId ?? "";
        process.stdout.write(
          `${key.prefix}…  ${key.role.toUpperCase().padEnd(8)} ${state.padEnd(7)} ${key.name}${owner ? ` (${owner})` : ""}  ${key.id}\n`,
        );
      }
      if (keys.length === 0)
        process.stdout.write("no keys yet: npm run cli -- keys issue --role OPERATOR --name ops\n");
    });
    return 0;
  }
  if (sub !== "issue")
    throw new UsageError(`unknown keys command "${sub ?? ""}" (use: keys issue, keys list)`);
  const { values } = parseArgs({
    args: rest,
    options: {
      role: { type: "string" },
      name: { type: "string" },
      "partner-id": { type: "string" },
      "tenant-id": { type: "string" },
      "business-id": { type: "string" },
      "expires-at": { type: "string" },
    },
  });
  const role = values.role?.toLowerCase();
  if (!role || !(API_ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role must be one of ${API_ROLES.map((r) => r.toUpperCase()).join(", ")}`);
  }
  if (!values.name) throw new UsageError("--name is required (who or what the key is for)");
  let expiresAt: Date | null = null;
  if (values["expires-at"] !== undefined) {
    expiresAt = new Date(values["expires-at"]);
    if (Number.isNaN(expiresAt.getTime()))
      throw new UsageError("--expires-at must be an ISO date, e.g. 2027-01-01T00:00:00Z");
  }
  let exitCode = 0;
  await withDatabase(async (handle) => {
    const result = await issueApiKey(handle, systemClock, {
      role: role as ApiRole,
      name: values.name ?? "",
      partnerId: values["partner-id"] ?? null,
      tenantId: values["tenant-id"] ?? null,
      businessId: values["business-id"] ?? null,
      expiresAt,
      createdBy: "cli",
    });
    if (!result.ok) {
      for (const error of result.userErrors) process.stderr.write(`error: ${error.code}: ${error.message}\n`);
      exitCode = 1;
      return;
    }
    process.stderr.write(
      `Issued ${role.toUpperCase()} key "${result.key.name}" (id ${result.key.id}). It is shown once:\n`,
    );
    process.stdout.write(`${result.apiKey}\n`);
  });
  return exitCode;
}

async function withDatabase<T>(
  work: (handle: DatabaseHandle) => Promise<T>,
  config = loadConfig(),
): Promise<T> {
  const handle = await prepareDatabase(config);
  try {
    return await work(handle);
  } finally {
    await handle.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
    } else if (
      error instanceof DatabaseOpenError ||
      error instanceof UsageError ||
      error instanceof PrecomputeUsageError
    ) {
      process.stderr.write(`error: ${error.message}\n`);
      if (!(error instanceof DatabaseOpenError)) {
        process.stderr.write("run `npm run cli -- --help` for usage\n");
        process.exit(EXIT_USAGE);
      }
    } else if (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`error: ${error.message}\nrun \`npm run cli -- --help\` for usage\n`);
      process.exit(EXIT_USAGE);
    } else {
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(1);
  },
);
