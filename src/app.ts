import { randomUUID } from "node:crypto";
import { blockFieldSuggestionsPlugin } from "@escape.tech/graphql-armor-block-field-suggestions";
import { GraphQLError } from "graphql";
import { createYoga, maskError, type Plugin } from "graphql-yoga";
import pino, { type Logger } from "pino";
import { type Clock, systemClock } from "./clock";
import type { Config } from "./config";
import type { AppContext } from "./context";
import type { DatabaseHandle } from "./db/client";
import { migrationsApplied } from "./db/migrate";
import type { ApiRole } from "./db/schema/enums";
import { browserPagesPlugin, DEFAULT_CONSOLE_DIR, renderLocalGraphiQL } from "./http/browserPages";
import { useCompiledExecution } from "./http/compiledExecution";
import { HttpFront } from "./http/front";
import { createInsightLoaders, createReceiptCache } from "./insights/loaders";
import { ShapeHits } from "./policy/budget";
import { DocumentCache } from "./policy/documentCache";
import { KeyCache, keyCacheInvalidation } from "./policy/keyCache";
import { usePolicy } from "./policy/policyPlugin";
import { RateLimiter } from "./policy/rateLimit";
import { ReleaseSettingsCache } from "./policy/releaseSettings";
import { usePolicyReport } from "./policy/reportPlugin";
import { RequestLogWriter, type RequestLogWriterOptions } from "./policy/requestLog";
import { newPolicyReport } from "./policy/requestState";
import { UnauthenticatedGate } from "./policy/unauthenticated";
import {
  handleImportRequest,
  IMPORT_PROJECTS_METHODS,
  IMPORT_PROJECTS_PATH,
} from "./resolvers/imports/importRoute";
import { DATASET_EXPORT_METHODS, DATASET_EXPORT_PATH, exportDataset } from "./resolvers/insights/export";
import { businessSchema, buyerSchema, schema } from "./schema/index";

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

export interface AppOptions {
  database: DatabaseHandle;
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** Extra gates for /readyz beyond database and migrations (e.g. demo data and releases in place). */
  readinessChecks?: ReadinessCheck[];
  /**
   * The client address of a request, for the limits on requests without a valid key. Default: the
   * socket's remote address (node:http's `req` in the server context); X-Forwarded-For is never read.
   */
  clientAddress?: (request: Request, serverContext: Record<string, unknown>) => string | undefined;
  /** The console's built files (default console/dist, written by `npm install`). */
  consoleDir?: string;
  /** False leaves the usePolicy plugin out: only for the policy benchmark's baseline (default true). */
  policy?: boolean;
  /** Batching of the request_logs rows (default: REQUEST_LOG_FLUSH_MS, 500 rows a batch, 10,000 queued). */
  requestLog?: RequestLogWriterOptions;
}

const UNEXPECTED_ERROR_MESSAGE =
  "Unexpected error. Retry later; if it persists, give an operator this response's x-request-id.";

/** Largest GraphQL request body accepted (query plus variables); larger ones are refused unread. */
// 6 MB: a 5,000-row import fits; the import service enforces its own 5 MB / 5,000-row limits.
export const MAX_GRAPHQL_BODY_BYTES = 6_000_000;

/**
 * Builds the whole HTTP app; tests call `app.fetch()`, the server hands it to node:http. Its
 * `requestLog` property is the writer of the request_logs rows (in batches, after the responses):
 * flush it before reading them, close it at shutdown.
 */
export function createApp(options: AppOptions) {
  const { database, config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.logLevel });
  const rateLimiter = new RateLimiter();
  const documentCache = new DocumentCache();
  const receipts = createReceiptCache();
  // Keys by hash, per process; whoever creates an app owns it: shut the app down (app.shutdown()) when done.
  const keys = new KeyCache({ database, clock, logger });
  // The release plan and profiles, per process, kept until they change.
  const settings = new ReleaseSettingsCache(database, logger);
  const shapeHits = new ShapeHits(database, (error) =>
    logger.warn(
      { err: error instanceof Error ? error.message : String(error) },
      "could not add query shape hits; retrying later",
    ),
  );
  const perMinute = (role: ApiRole) => perMinuteOf(config, role);

  const checks: ReadinessCheck[] = [
    {
      name: "database",
      check: async () => (await database.query<{ ok: number }>("select 1 as ok"))[0]?.ok === 1,
    },
    { name: "migrations", check: () => migrationsApplied(database) },
    ...(options.readinessChecks ?? []),
  ];

  const requestLog = new RequestLogWriter(database, logger, {
    flushIntervalMs: config.requestLogFlushMs,
    ...options.requestLog,
  });

  // Every route passes through the front: request id, key, rate limit, log row.
  const front: HttpFront = new HttpFront({
    database,
    clock,
    logger,
    keys,
    rateLimiter,
    perMinute,
    requestLog,
    unauthenticated: new UnauthenticatedGate({
      perMinute: config.rateLimitUnauthenticatedPerMinute,
      logRowsPerMinute: config.unauthenticatedLogRowsPerMinute,
      logger,
    }),
    clientAddress: options.clientAddress ?? socketAddress,
    graphqlPath: "/graphql",
    maxGraphqlBodyBytes: MAX_GRAPHQL_BODY_BYTES,
    restRoutes: [
      {
        path: IMPORT_PROJECTS_PATH,
        endpoint: "import",
        methods: IMPORT_PROJECTS_METHODS,
        handle: async (request, { state, principal }) => {
          const outcome = await handleImportRequest(request, principal, { database, clock });
          state.policy.outcomeCode = outcome.outcomeCode;
          return outcome.response;
        },
      },
      {
        path: DATASET_EXPORT_PATH,
        endpoint: "export",
        methods: DATASET_EXPORT_METHODS,
        handle: (request, { state }): Promise<Response> =>
          exportDataset(request, {
            requestId: state.id,
            logger,
            report: state.policy,
            // Each page is an ordinary GraphQL request through this app, as the export's page.
            runPage: (page, index): Promise<Response> => {
              front.exportPage(state, page, index);
              return Promise.resolve(yoga.fetch(page));
            },
          }),
      },
    ],
  });
  const states = front.states;

  const healthPlugin: Plugin = {
    onRequest({ url, endResponse }) {
      if (url.pathname === "/healthz") {
        endResponse(Response.json({ status: "ok" }));
      } else if (url.pathname === "/readyz") {
        return readiness(checks).then((report) =>
          endResponse(Response.json(report, { status: report.status === "ready" ? 200 : 503 })),
        );
      }
    },
  };

  const yoga = createYoga<Record<string, unknown>, AppContext>({
    // Buyers and businesses parse, validate, introspect and execute against their visible schema only.
    schema: ({ request }) => schemaOf(states.get(request)?.principal?.role),
    // With the policy, its own cache (per audience: the strip and the limits depend on the role);
    // without it (the benchmark's baseline), Yoga's.
    parserAndValidationCache: options.policy === false,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    batching: false,
    // Masked whatever NODE_ENV says: an unexpected error's message and stack go to the log only.
    // Errors with a stable code (apiError) pass unchanged.
    maskedErrors: { isDev: false, errorMessage: UNEXPECTED_ERROR_MESSAGE, maskError: maskUnexpectedError },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(" ")),
      info: (...args) => logger.info(args.map(String).join(" ")),
      warn: (...args) => logger.warn(args.map(String).join(" ")),
      error: (...args) => logger.error(args.map(String).join(" ")),
    },
    graphiql: {
      title: "Insights API",
      headers: JSON.stringify({ Authorization: "Bearer <paste an API key>" }),
    },
    // GraphiQL from the installed bundle, served by this server (src/http/browserPages.ts): no CDN.
    renderGraphiQL: renderLocalGraphiQL,
    plugins: [
      // The console's and GraphiQL's static files: no data, no key, answered before the front.
      browserPagesPlugin({ graphqlPath: "/graphql", consoleDir: options.consoleDir ?? DEFAULT_CONSOLE_DIR }),
      front.plugin(),
      keyCacheInvalidation(keys, settings),
      healthPlugin,
      blockFieldSuggestionsPlugin(),
      // Compiled execution for repeated query documents (a one-off document is not worth compiling).
      useCompiledExecution({
        compiles: (document) => options.policy === false || documentCache.isCached(document),
        logger,
      }),
      ...(options.policy === false
        ? []
        : [
            usePolicy({
              database,
              clock,
              states,
              schema,
              buyerSchema,
              businessSchema,
              stripMode: config.policyStripMode,
              exportLimits: { maxCells: config.exportMaxCells, rateLimiter, perMinute },
              documentCache,
              shapeHits,
            }),
          ]),
      usePolicyReport(),
    ],
    context: ({ request }) => {
      const state = states.get(request);
      const requestId = state?.id ?? randomUUID();
      return {
        database,
        config,
        clock,
        principal: state?.principal ?? null,
        requestId,
        logger: logger.child({ reqId: requestId }),
        loaders: createInsightLoaders(database, receipts),
        settings,
        policy: state?.policy ?? newPolicyReport(),
      };
    },
  });
  return Object.assign(yoga, {
    keys,
    settings,
    requestLog,
    /** Writes what is kept in memory for later (request log rows, key uses, shape hits) now. */
    flush: async (): Promise<void> => {
      await Promise.all([requestLog.flush(), keys.flushUses(), shapeHits.flush()]);
    },
    /**
     * Writes what is kept in memory and stops listening: call once, before closing the database.
     * The request log waits at most `timeoutMs` for the database (then says what it could not write).
     */
    shutdown: async (timeoutMs?: number): Promise<void> => {
      await Promise.all([requestLog.close(timeoutMs), keys.close(), settings.close(), shapeHits.close()]);
    },
  });
}

export type App = ReturnType<typeof createApp>;

/** Requests per minute per key of a role (the HTTP front takes one token a request). */
function perMinuteOf(config: Config, role: ApiRole): number {
  if (role === "buyer") return config.rateLimitBuyerPerMinute;
  if (role === "business") return config.rateLimitBusinessPerMinute;
  return config.rateLimitPerMinute;
}

/** The schema a role parses, validates, introspects and executes against. */
function schemaOf(role: ApiRole | undefined) {
  return role === "buyer" ? buyerSchema : role === "business" ? businessSchema : schema;
}

/** The socket's remote address from node:http's request in the server context; never a header. */
function socketAddress(_request: Request, serverContext: Record<string, unknown>): string | undefined {
  const req = serverContext.req as { socket?: { remoteAddress?: string } } | undefined;
  return req?.socket?.remoteAddress;
}

/** Yoga's masking with development details always off, reporting the contract's INTERNAL_ERROR code. */
function maskUnexpectedError(error: unknown, message: string): Error {
  const masked = maskError(error, message, false);
  if (masked === error || !(masked instanceof GraphQLError)) return masked;
  return new GraphQLError(message, {
    nodes: masked.nodes,
    source: masked.source,
    positions: masked.positions,
    path: masked.path,
    extensions: {
      code: "INTERNAL_ERROR",
      ...(masked.extensions.http === undefined ? {} : { http: masked.extensions.http }),
    },
  });
}

async function readiness(checks: ReadinessCheck[]) {
  const results: Record<string, boolean> = {};
  for (const { name, check } of checks) {
    results[name] = await check().catch(() => false);
    // Later checks (e.g. demo data) need the earlier ones; stop at the first failure.
    if (!results[name]) break;
  }
  const ready = checks.every(({ name }) => results[name] === true);
  return { status: ready ? "ready" : "not_ready", checks: results };
}
