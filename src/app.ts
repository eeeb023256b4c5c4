import { randomUUID } from "node:crypto";
import { createYoga, type Plugin } from "graphql-yoga";
import pino, { type Logger } from "pino";
import { type Clock, systemClock } from "./clock";
import type { Config } from "./config";
import type { AppContext } from "./context";
import type { DatabaseHandle } from "./db/client";
import { migrationsApplied } from "./db/migrate";
import type { Principal } from "./policy/principal";
import { usePrincipal } from "./policy/principalPlugin";
import { usePolicyReport } from "./policy/reportPlugin";
import { createInsightLoaders } from "./resolvers/insights/loaders";
import { schema } from "./schema/index";

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
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Builds the whole HTTP app; tests call `app.fetch()`, the server hands it to node:http. */
export function createApp(options: AppOptions) {
  const { db: database, config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: config.logLevel });
  const principals = new WeakMap<Request, Principal>();
  const requests = new WeakMap<Request, { id: string; startedAt: number }>();

  const checks: ReadinessCheck[] = [
    {
      name: "database",
      check: async () => (await database.query<{ ok: number }>("select 1 as ok"))[0]?.ok === 1,
    },
    { name: "migrations", check: () => migrationsApplied(database) },
    ...(options.readinessChecks ?? []),
  ];

  const httpPlugin: Plugin = {
    onRequest({ request, url, endResponse }) {
      const incoming = request.headers.get("x-request-id");
      const id = incoming && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
      requests.set(request, { id, startedAt: performance.now() });
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
    onResponse({ request, response }) {
      const state = requests.get(request);
      if (state === undefined) return;
      response.headers.set("x-request-id", state.id);
      const url = new URL(request.url);
      if (url.pathname === "/healthz" || url.pathname === "/readyz") return;
      logger.info(
        {
          reqId: state.id,
          method: request.method,
          path: url.pathname,
          status: response.status,
          ms: Math.round(performance.now() - state.startedAt),
          role: principals.get(request)?.role,
          key: principals.get(request)?.keyPrefix,
        },
        "request",
      );
    },
  };

  return createYoga<Record<string, unknown>, AppContext>({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    batching: false,
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
    plugins: [httpPlugin, usePrincipal({ db: database.db, clock, principals }), usePolicyReport()],
    context: ({ request }) => {
      const requestId = requests.get(request)?.id ?? randomUUID();
      return {
        db: database.db,
        database,
        config,
        clock,
        principal: principals.get(request) ?? null,
        requestId,
        logger: logger.child({ reqId: requestId }),
        loaders: createInsightLoaders(database),
        policy: { active: false, releaseIds: new Set<string>(), missingBuckets: new Set<string>() },
      };
    },
  });
}

export type App = ReturnType<typeof createApp>;

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
