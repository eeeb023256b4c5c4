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
import { usePolicy } from "./policy/policyPlugin";
import { authenticate, usePrincipal } from "./policy/principalPlugin";
import { RateLimiter } from "./policy/rateLimit";
import { usePolicyReport } from "./policy/reportPlugin";
import { writeRequestLog } from "./policy/requestLog";
import { newPolicyReport, type RequestState } from "./policy/requestState";
import { UnauthenticatedGate } from "./policy/unauthenticated";
import { handleImportRequest, IMPORT_PROJECTS_PATH } from "./resolvers/imports/importRoute";
import { DATASET_EXPORT_PATH, exportDataset } from "./resolvers/insights/export";
import { createInsightLoaders } from "./resolvers/insights/loaders";
import { buyerSchema, schema } from "./schema/index";

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

export interface AppOptions {
  db: DatabaseHandle;
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
  /** False leaves the usePolicy plugin out: only for the policy benchmark's baseline (default true). */
  policy?: boolean;
}

const UNEXPECTED_ERROR_MESSAGE =
  "Unexpected error. Retry later; if it persists, give an operator this response's x-request-id.";

/** A page request of a dataset export: its id derives from the export's, and it keeps the client's id. */
interface ExportPage {
  exportId: string;
  clientAddress: string;
  clientRequestId: string | null;
  index: number;
}

/** What a client's x-request-id must look like to be kept (in request_logs.client_request_id) and echoed. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Largest GraphQL request body accepted (query plus variables); larger ones are refused unread. */
// 6 MB: a 5,000-row import fits; the import service enforces its own 5 MB / 5,000-row limits.
export const MAX_GRAPHQL_BODY_BYTES = 6_000_000;

/** Builds the whole HTTP app; tests call `app.fetch()`, the server hands it to node:http. */
export function createApp(options: AppOptions) {
  const { db: database, config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.logLevel });
  const states = new WeakMap<Request, RequestState>();
  const rateLimiter = new RateLimiter();
  const unauthenticated = new UnauthenticatedGate({
    perMinute: config.rateLimitUnauthenticatedPerMinute,
    logRowsPerMinute: config.unauthenticatedLogRowsPerMinute,
    logger,
  });
  const clientAddressOf = options.clientAddress ?? socketAddress;
  const perMinute = (role: ApiRole) =>
    role === "buyer" ? config.rateLimitBuyerPerMinute : config.rateLimitPerMinute;
  // The GraphQL requests the dataset export makes for its pages; only this process can add one.
  const exportPages = new WeakMap<Request, ExportPage>();

  const checks: ReadinessCheck[] = [
    {
      name: "database",
      check: async () => (await database.query<{ ok: number }>("select 1 as ok"))[0]?.ok === 1,
    },
    { name: "migrations", check: () => migrationsApplied(database) },
    ...(options.readinessChecks ?? []),
  ];

  const httpPlugin: Plugin = {
    onRequest({ request, url, endResponse, serverContext }) {
      const exportPage = exportPages.get(request);
      // The server's id keys budget charges, audit rows and logs; a client's id is only kept beside it.
      const id = exportPage !== undefined ? `${exportPage.exportId}.${exportPage.index + 1}` : randomUUID();
      const incoming = request.headers.get("x-request-id");
      const clientRequestId =
        exportPage !== undefined
          ? exportPage.clientRequestId
          : incoming !== null && REQUEST_ID_PATTERN.test(incoming)
            ? incoming
            : null;
      const clientAddress =
        exportPage?.clientAddress ??
        clientAddressOf(request, (serverContext ?? {}) as Record<string, unknown>) ??
        "unknown";
      const state: RequestState = {
        id,
        clientRequestId,
        clientAddress,
        startedAt: performance.now(),
        endpoint:
          exportPage !== undefined || url.pathname === DATASET_EXPORT_PATH
            ? "export"
            : url.pathname === IMPORT_PROJECTS_PATH
              ? "import"
              : "graphql",
        // The export's first page takes a rate-limit token for each of its pages; its later pages take none.
        rateLimitExempt: exportPage !== undefined && exportPage.index > 0,
        ...(exportPage === undefined ? {} : { exportPage: exportPage.index }),
        principal: null,
        operationName: null,
        policy: newPolicyReport(),
      };
      states.set(request, state);
      if (url.pathname === DATASET_EXPORT_PATH) {
        return exportDataset(request, {
          requestId: id,
          logger,
          report: state.policy,
          runPage: async (page, index) => {
            exportPages.set(page, { exportId: id, clientRequestId, clientAddress, index });
            return yoga.fetch(page);
          },
        }).then(endResponse);
      }
      if (url.pathname === IMPORT_PROJECTS_PATH) {
        return handleImportRequest(request, {
          database,
          clock,
          authenticate: () => authenticate(request, state, { db: database.db, clock, unauthenticated }),
          // The same per-key bucket as GraphQL requests: an import takes one token.
          takeToken: (principal) =>
            rateLimiter.take(principal.keyId, clock.now().getTime(), perMinute(principal.role)),
        }).then((outcome) => {
          state.principal = outcome.principal;
          state.policy.outcomeCode = outcome.outcomeCode;
          endResponse(outcome.response);
        });
      }
      if (
        url.pathname === "/graphql" &&
        Number(request.headers.get("content-length") ?? 0) > MAX_GRAPHQL_BODY_BYTES
      ) {
        state.policy.outcomeCode = "QUERY_REJECTED";
        endResponse(
          Response.json(
            {
              errors: [
                {
                  message: `The request body is larger than ${MAX_GRAPHQL_BODY_BYTES} bytes.`,
                  extensions: { code: "QUERY_REJECTED", limit: MAX_GRAPHQL_BODY_BYTES },
                },
              ],
            },
            { status: 413, headers: { "x-request-id": id } },
          ),
        );
        return;
      }
      if (url.pathname === "/healthz") {
        endResponse(Response.json({ status: "ok" }, { headers: { "x-request-id": id } }));
      } else if (url.pathname === "/readyz") {
        return readiness(checks).then((report) =>
          endResponse(
            Response.json(report, {
              status: report.status === "ready" ? 200 : 503,
              headers: { "x-request-id": id },
            }),
          ),
        );
      }
    },
    onResultProcess({ request, result }) {
      const state = states.get(request);
      if (state === undefined || state.policy.outcomeCode !== null) return;
      const results = Array.isArray(result) ? result : [result];
      for (const item of results) {
        const code = (item as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]?.extensions
          ?.code;
        if (code !== undefined) {
          state.policy.outcomeCode = String(code);
          return;
        }
      }
    },
    async onResponse({ request, response }) {
      const state = states.get(request);
      if (state === undefined) return;
      response.headers.set("x-request-id", state.id);
      if (state.clientRequestId !== null) response.headers.set("x-client-request-id", state.clientRequestId);
      const url = new URL(request.url);
      if (url.pathname === "/healthz" || url.pathname === "/readyz") return;
      // Every API request is logged; a browser loading GraphiQL is not one.
      // Without a valid key, at most a few rows per address and minute (a forged-key flood is counted, not logged).
      const logged =
        state.principal !== null ||
        (state.policy.outcomeCode !== null &&
          unauthenticated.mayLog(state.clientAddress, clock.now().getTime()));
      if (logged) {
        await writeRequestLog(database, state, { httpStatus: response.status, at: clock.now() }, logger);
      }
      logger.info(
        {
          reqId: state.id,
          method: request.method,
          path: url.pathname,
          status: response.status,
          ms: Math.round(performance.now() - state.startedAt),
          role: state.principal?.role,
          key: state.principal?.keyPrefix,
          outcome: state.policy.outcomeCode ?? "OK",
        },
        "request",
      );
    },
  };

  const yoga = createYoga<Record<string, unknown>, AppContext>({
    // Buyers parse, validate, introspect and execute against the buyer-visible schema only.
    schema: ({ request }) => (states.get(request)?.principal?.role === "buyer" ? buyerSchema : schema),
    // The policy rewrites buyer documents after parsing, so parse results must not be shared between roles.
    parserAndValidationCache: false,
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
    plugins: [
      httpPlugin,
      blockFieldSuggestionsPlugin(),
      usePrincipal({
        db: database.db,
        clock,
        states,
        rateLimiter,
        perMinute,
        unauthenticated,
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
              stripMode: config.policyStripMode,
              exportLimits: { maxCells: config.exportMaxCells, rateLimiter, perMinute },
            }),
          ]),
      usePolicyReport(),
    ],
    context: ({ request }) => {
      const state = states.get(request);
      const requestId = state?.id ?? randomUUID();
      return {
        db: database.db,
        database,
        config,
        clock,
        principal: state?.principal ?? null,
        requestId,
        logger: logger.child({ reqId: requestId }),
        loaders: createInsightLoaders(database),
        policy: state?.policy ?? newPolicyReport(),
      };
    },
  });
  return yoga;
}

export type App = ReturnType<typeof createApp>;

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
