import pino from "pino";
import { createApp } from "../../src/app";
import { systemActor } from "../../src/audit/actor";
import { type Clock, systemClock } from "../../src/clock";
import { configFrom } from "../../src/config";
import type { DatabaseHandle } from "../../src/db/client";
import type { ApiRole } from "../../src/db/schema/enums";
import type { RequestLogWriter } from "../../src/policy/requestLog";
import { issueApiKey } from "../../src/resolvers/admin/apiKeys";

// The request-log writers of the apps built here: a test reads request_logs after flushRequestLogs().
const writers = new Set<RequestLogWriter>();

/** Remembers an app's request-log writer for flushRequestLogs(). */
export function trackRequestLogs<App extends { requestLog: RequestLogWriter }>(app: App): App {
  writers.add(app.requestLog);
  return app;
}

/**
 * Writes the queued request_logs rows of every app built by the test support (apps write them in
 * batches after the responses): call it before reading request_logs.
 */
export async function flushRequestLogs(): Promise<void> {
  await Promise.all([...writers].map((writer) => writer.flush()));
}

export function testApp(
  db: DatabaseHandle,
  clock: Clock = systemClock,
  /** Extra environment for the app's config, e.g. the alert webhook. */
  env: Record<string, string> = {},
) {
  const app = trackRequestLogs(
    createApp({
      database: db,
      config: configFrom({ LOG_LEVEL: "silent", ...env }),
      clock,
      logger: pino({ level: "silent" }),
    }),
  );
  return {
    app,
    /** POST /graphql through app.fetch(); no port. */
    async graphql(
      query: string,
      options: { key?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
    ) {
      const response = await app.fetch("http://yoga/graphql", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables: options.variables }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: (await response.json()) as GraphQLBody,
      };
    },
  };
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

export async function issueTestKey(
  db: DatabaseHandle,
  role: ApiRole,
  extra: { partnerId?: string; tenantId?: string; expiresAt?: Date; clock?: Clock } = {},
) {
  const result = await issueApiKey({ database: db, clock: extra.clock ?? systemClock }, systemActor("test"), {
    role,
    name: `test-${role}`,
    partnerId: extra.partnerId ?? (role === "buyer" ? "outside_buyer_test" : null),
    tenantId: extra.tenantId ?? (role === "tenant" ? "TELCO" : null),
    expiresAt: extra.expiresAt ?? null,
  });
  if (!result.ok) throw new Error(result.userErrors.map((e) => e.message).join("; "));
  return result.value;
}
