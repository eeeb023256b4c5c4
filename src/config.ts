import path from "node:path";
import { z } from "zod";

/** A PostgreSQL memory size for work_mem: a whole number of kB, MB or GB (checked again where it is spliced into SET). */
export const WORK_MEM = /^[1-9][0-9]{0,6}(kB|MB|GB)$/;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/**
 * Every environment variable the service reads, with its default and meaning.
 * README's configuration table is this list; keep them together.
 */
export const ENV_DOCS = {
  PORT: { default: "4000", doc: "HTTP port to listen on." },
  HOST: { default: "127.0.0.1", doc: "Interface to bind; use 0.0.0.0 in a container." },
  DATABASE_URL: {
    default: "(unset)",
    doc: "postgres:// URL of a PostgreSQL database. Unset: embedded PGlite in DATA_DIR, demo mode.",
  },
  DATA_DIR: { default: ".data", doc: "Folder of the embedded database and demo files (demo mode only)." },
  NOISE_KEY: {
    default: "(unset)",
    doc: "Secret key (>= 32 bytes, hex or base64) for the DP noise streams. Required with DATABASE_URL; generated once into DATA_DIR in demo mode.",
  },
  LOG_LEVEL: { default: "info", doc: `pino log level: ${LOG_LEVELS.join(", ")}.` },
  SHUTDOWN_TIMEOUT_MS: {
    default: "10000",
    doc: "On SIGTERM/SIGINT, how long in-flight requests may take before connections are closed, and then how long the queued request_logs rows may take to be written.",
  },
  POLICY_STRIP_MODE: {
    default: "filter",
    doc: "What the policy does with fields a role may not read: filter (remove them, report in extensions.policy.strippedFields) or reject (FIELD_NOT_ALLOWED).",
  },
  RATE_LIMIT_BUYER_PER_MINUTE: {
    default: "120",
    doc: "Requests per minute per BUYER key (per API process).",
  },
  RATE_LIMIT_BUSINESS_PER_MINUTE: {
    default: "60",
    doc: "Requests per minute per BUSINESS key (per API process).",
  },
  RATE_LIMIT_PER_MINUTE: {
    default: "1200",
    doc: "Requests per minute per key of the other roles (per API process).",
  },
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: {
    default: "30",
    doc: "Requests without a valid key (none, malformed, unknown, revoked, expired) per minute per client address (per API process); beyond it they are refused RATE_LIMITED before any key lookup.",
  },
  UNAUTHENTICATED_LOG_ROWS_PER_MINUTE: {
    default: "10",
    doc: "Most request_logs rows per client address and minute for requests without a valid key; the rest are counted and their count logged (`unauthenticated refusals not logged`).",
  },
  REQUEST_LOG_FLUSH_MS: {
    default: "250",
    doc: "request_logs rows are written in batches after the responses: a row waits at most this long (10 to 10,000 ms; or until 500 are queued). A crash loses the rows still queued (about this long's worth, at most 10,000); SIGTERM/SIGINT writes them.",
  },
  EXPORT_MAX_CELLS: {
    default: "100000",
    doc: "Most cells one dataset export may stream (1,000 to 10,000,000); a larger one is refused before anything is charged (EXPORT_TOO_LARGE) and must be split into shorter ranges or fewer geo buckets.",
  },
  JOBS_ENABLED: {
    default: "true",
    doc: "Run the scheduler and job workers (pg-boss) in this process; set false on API-only replicas.",
  },
  ANOMALIES_ALERT_WEBHOOK: {
    default: "(unset)",
    doc: "https:// URL that receives signed anomaly alerts (Standard Webhooks); http:// only for a loopback host. Unset: alerts are not sent.",
  },
  ANOMALIES_ALERT_SECRET: {
    default: "(unset)",
    doc: "Signing secret of the anomaly alerts, whsec_<base64>. Required with ANOMALIES_ALERT_WEBHOOK.",
  },
  OPS_API_KEY: {
    default: "(unset)",
    doc: "INTERNAL or OPERATOR key the `ops` command line sends when --key is not given.",
  },
  PRECOMPUTE_PARALLELISM: {
    default: "2",
    doc: "Connections one precompute pass uses side by side on PostgreSQL (1 to 16), each sorting in up to PRECOMPUTE_WORK_MEM; PGlite always uses one.",
  },
  PRECOMPUTE_WORK_MEM: {
    default: "(1GB; 256MB on PGlite)",
    doc: "work_mem of each precompute connection while it computes totals, e.g. 256MB; the final hash aggregate may use hash_mem_multiplier times this.",
  },
  DEMO_SEED: { default: "20261123", doc: "Seed of the deterministic demo-data generator." },
  DEMO_DAYS: { default: "28", doc: "Days of demo events to generate, ending now." },
  DEMO_SCALE: {
    default: "1",
    doc: "Multiplies the demo participant counts (0.01 to 4); below 1 gives a quicker, smaller demo.",
  },
} as const;

const port = z.coerce
  .number({ error: "must be a number" })
  .int("must be an integer")
  .min(1, "must be between 1 and 65535")
  .max(65535, "must be between 1 and 65535");

const envSchema = z.object({
  PORT: port.default(4000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.trim() : undefined))
    .refine((value) => value === undefined || isPostgresUrl(value), {
      message: "must be a postgres:// or postgresql:// URL, e.g. postgres://user@127.0.0.1:5432/insights",
    }),
  DATA_DIR: z.string().min(1).default(".data"),
  NOISE_KEY: z
    .string()
    .optional()
    .refine((value) => value === undefined || decodeKey(value) !== undefined, {
      message: "must be at least 32 bytes, hex or base64 encoded (e.g. `openssl rand -hex 32`)",
    }),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  POLICY_STRIP_MODE: z.enum(["filter", "reject"], { error: "must be filter or reject" }).default("filter"),
  RATE_LIMIT_BUYER_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
  RATE_LIMIT_BUSINESS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(60),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(30),
  UNAUTHENTICATED_LOG_ROWS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(10),
  REQUEST_LOG_FLUSH_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  EXPORT_MAX_CELLS: z.coerce.number().int().min(1000).max(10_000_000).default(100_000),
  JOBS_ENABLED: z.enum(["true", "false"], { error: "must be true or false" }).default("true"),
  ANOMALIES_ALERT_WEBHOOK: z
    .string()
    .optional()
    .refine((value) => value === undefined || isAlertWebhookUrl(value.trim()), {
      message: "must be an https:// URL (http:// is allowed only for 127.0.0.1, ::1 or localhost)",
    }),
  ANOMALIES_ALERT_SECRET: z
    .string()
    .optional()
    .refine((value) => value === undefined || decodeWebhookSecret(value) !== undefined, {
      message:
        "must be whsec_ followed by base64 of at least 24 bytes (e.g. whsec_$(openssl rand -base64 32))",
    }),
  OPS_API_KEY: z.string().optional(),
  PRECOMPUTE_PARALLELISM: z.coerce.number().int().min(1).max(16).default(2),
  PRECOMPUTE_WORK_MEM: z
    .string()
    .trim()
    .regex(WORK_MEM, { message: "must be a whole number of kB, MB or GB, such as 256MB or 1GB" })
    .optional(),
  DEMO_SEED: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(20261123),
  DEMO_DAYS: z.coerce.number().int().min(14).max(400).default(28),
  DEMO_SCALE: z.coerce.number().min(0.01).max(4).default(1),
});

/**
 * What one totals pass may use on PostgreSQL: `parallelism` parts side by side (one connection
 * each; bucket ranges, or participant partitions of a single bucket), each sorting in up to
 * `workMem` (a PostgreSQL memory size such as '1GB'; the final hash aggregate may take
 * hash_mem_multiplier times that). PGlite has one connection, so it always runs one part.
 * From PRECOMPUTE_PARALLELISM and PRECOMPUTE_WORK_MEM.
 */
export interface TotalsResources {
  parallelism: number;
  workMem: string | undefined;
}

export interface Config {
  port: number;
  host: string;
  /** Unset means the embedded PGlite database in dataDir (demo mode). */
  databaseUrl: string | undefined;
  dataDir: string;
  /** Embedded database: demo data and demo keys are created; never true with DATABASE_URL. */
  demoMode: boolean;
  noiseKey: Buffer | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  shutdownTimeoutMs: number;
  jobsEnabled: boolean;
  policyStripMode: "filter" | "reject";
  rateLimitBuyerPerMinute: number;
  rateLimitBusinessPerMinute: number;
  rateLimitPerMinute: number;
  rateLimitUnauthenticatedPerMinute: number;
  unauthenticatedLogRowsPerMinute: number;
  /** Longest a request_logs row waits in memory before its batch is written. */
  requestLogFlushMs: number;
  /** Most cells one dataset export may stream. */
  exportMaxCells: number;
  /** Where anomaly alerts go; undefined: alerts are not sent. */
  anomaliesAlertWebhook: string | undefined;
  /** The decoded bytes of the whsec_ signing secret. */
  anomaliesAlertSecret: Buffer | undefined;
  /** The key of the `ops` command line; read only by that command. */
  opsApiKey: string | undefined;
  /** Memory and connections of a precompute totals pass. */
  precompute: TotalsResources;
  demoSeed: number;
  demoDays: number;
  demoScale: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and validates the environment; reports every problem at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(Object.keys(ENV_DOCS).map((name) => [name, emptyToUndefined(env[name])]));
  const parsed = envSchema.safeParse(known);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "environment");
      problems.push(`${name}: ${issue.message} (got ${JSON.stringify(known[name] ?? null)})`);
    }
  }
  // Cross-field rules read the raw values, so they are reported beside any other variable's problem.
  if (known.DATABASE_URL !== undefined && known.NOISE_KEY === undefined) {
    problems.push(
      "NOISE_KEY: required when DATABASE_URL is set, so that releases are noised with a key you keep (generate one with `openssl rand -hex 32`)",
    );
  }
  if (known.ANOMALIES_ALERT_WEBHOOK !== undefined && known.ANOMALIES_ALERT_SECRET === undefined) {
    problems.push(
      "ANOMALIES_ALERT_SECRET: required when ANOMALIES_ALERT_WEBHOOK is set, so that receivers can verify the alerts",
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const data = parsed.data;
  return {
    port: data.PORT,
    host: data.HOST,
    databaseUrl: data.DATABASE_URL,
    dataDir: path.resolve(data.DATA_DIR),
    demoMode: data.DATABASE_URL === undefined,
    noiseKey: data.NOISE_KEY === undefined ? undefined : decodeKey(data.NOISE_KEY),
    logLevel: data.LOG_LEVEL,
    shutdownTimeoutMs: data.SHUTDOWN_TIMEOUT_MS,
    jobsEnabled: data.JOBS_ENABLED === "true",
    policyStripMode: data.POLICY_STRIP_MODE,
    rateLimitBuyerPerMinute: data.RATE_LIMIT_BUYER_PER_MINUTE,
    rateLimitBusinessPerMinute: data.RATE_LIMIT_BUSINESS_PER_MINUTE,
    rateLimitPerMinute: data.RATE_LIMIT_PER_MINUTE,
    rateLimitUnauthenticatedPerMinute: data.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    unauthenticatedLogRowsPerMinute: data.UNAUTHENTICATED_LOG_ROWS_PER_MINUTE,
    requestLogFlushMs: data.REQUEST_LOG_FLUSH_MS,
    exportMaxCells: data.EXPORT_MAX_CELLS,
    anomaliesAlertWebhook: data.ANOMALIES_ALERT_WEBHOOK?.trim(),
    anomaliesAlertSecret:
      data.ANOMALIES_ALERT_SECRET === undefined
        ? undefined
        : decodeWebhookSecret(data.ANOMALIES_ALERT_SECRET),
    opsApiKey: data.OPS_API_KEY?.trim(),
    precompute: { parallelism: data.PRECOMPUTE_PARALLELISM, workMem: data.PRECOMPUTE_WORK_MEM },
    demoSeed: data.DEMO_SEED,
    demoDays: data.DEMO_DAYS,
    demoScale: data.DEMO_SCALE,
  };
}

/** A config for tests and tools: defaults plus overrides, no environment read. */
export function configFrom(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfig(overrides);
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "postgres:" || url.protocol === "postgresql:") && url.hostname !== "";
  } catch {
    return false;
  }
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Alerts leave the network only over TLS; plain http is for a receiver on this machine (tests). */
export function isAlertWebhookUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.protocol === "https:") return url.hostname !== "";
    return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/** The key bytes of a Standard Webhooks secret ("whsec_" + base64). */
export function decodeWebhookSecret(value: string): Buffer | undefined {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value.trim());
  if (match?.[1] === undefined) return undefined;
  const bytes = Buffer.from(match[1], "base64");
  return bytes.length >= 24 ? bytes : undefined;
}

function decodeKey(value: string): Buffer | undefined {
  const trimmed = value.trim();
  const bytes =
    /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0
      ? Buffer.from(trimmed, "hex")
      : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
        ? Buffer.from(trimmed, "base64")
        : undefined;
  return bytes !== undefined && bytes.length >= 32 ? bytes : undefined;
}
