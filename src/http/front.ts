import { randomUUID } from "node:crypto";
import { type DocumentNode, type GraphQLError, Kind, type OperationDefinitionNode, parse } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Logger } from "pino";
import type { Clock } from "../clock";
import type { DatabaseHandle } from "../db/client";
import type { ApiRole } from "../db/schema/enums";
import { apiError } from "../errors";
import type { KeyCache } from "../policy/keyCache";
import {
  type AuthFailureReason,
  authFailureMessage,
  type Principal,
  publicAuthFailureReason,
} from "../policy/principal";
import type { RateLimiter } from "../policy/rateLimit";
import { type RequestLogWriter, requestLogRow } from "../policy/requestLog";
import { newPolicyReport, type RequestState } from "../policy/requestState";
import type { UnauthenticatedGate } from "../policy/unauthenticated";
import { restErrorResponse } from "./restErrors";

/** What a client's x-request-id must look like to be kept (in request_logs.client_request_id) and echoed. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Why the front refused a request: the same code, message, details and headers on every route. */
export interface Refusal {
  code: "UNAUTHENTICATED" | "RATE_LIMITED";
  message: string;
  /** `reason` for UNAUTHENTICATED, `retryAfterSeconds` for RATE_LIMITED. */
  details: Record<string, unknown>;
  status: 401 | 429;
  headers: Record<string, string>;
}

export type Admission = { ok: true; principal: Principal } | { ok: false; refusal: Refusal };

/** A REST route behind the front: it runs only for an admitted request, with its principal. */
export interface RestRoute {
  path: string;
  endpoint: RequestState["endpoint"];
  /** Other methods are answered 405 METHOD_NOT_ALLOWED with `message`, before any key lookup. */
  methods: { allowed: string[]; message: string };
  handle: (request: Request, admitted: { state: RequestState; principal: Principal }) => Promise<Response>;
}

export interface FrontOptions {
  database: DatabaseHandle;
  clock: Clock;
  logger: Logger;
  /** Resolves keys (cached per process, invalidated across processes). */
  keys: KeyCache;
  rateLimiter: RateLimiter;
  perMinute: (role: ApiRole) => number;
  unauthenticated: UnauthenticatedGate;
  /** Where the log rows go: queued, written in batches off the request path. */
  requestLog: RequestLogWriter;
  /** The client address of a request (the socket's unless the app was told otherwise). */
  clientAddress: (request: Request, serverContext: Record<string, unknown>) => string | undefined;
  /** The GraphQL endpoint; its requests are admitted here and refused in GraphQL's own format. */
  graphqlPath: string;
  /** A GraphQL body declared larger than this is refused 413 QUERY_REJECTED, unread and before any key lookup. */
  maxGraphqlBodyBytes: number;
  restRoutes: RestRoute[];
}

/** A page of a dataset export: a GraphQL request the export route makes in-process. */
interface ExportPage {
  parent: RequestState;
  index: number;
}

/**
 * The one HTTP front of every route (`/graphql`, `POST /import-projects`, `/v1/datasets/...`):
 * it assigns the server's request id (keeping a well-formed client x-request-id beside it),
 * authenticates the key (after the per-address allowance of requests without a valid key),
 * takes the key's rate-limit token, and at the end sets the id headers and queues the request's
 * log row (without a valid key, at most a few rows per address and minute).
 */
export class HttpFront {
  /** Everything known about each request, from the front's first hook to its log row. */
  readonly states = new WeakMap<Request, RequestState>();
  private readonly exportPages = new WeakMap<Request, ExportPage>();
  private readonly admissions = new WeakMap<Request, Admission>();
  private readonly restRoutes: Map<string, RestRoute>;

  constructor(private readonly options: FrontOptions) {
    this.restRoutes = new Map(options.restRoutes.map((route) => [route.path, route]));
  }

  /** The request's state: its server id, the client's id, its address and endpoint. */
  enter(request: Request, pathname: string, serverContext: Record<string, unknown>): RequestState {
    const page = this.exportPages.get(request);
    const parent = page?.parent;
    // The server's id keys budget charges, audit rows and logs; a client's id is only kept beside it.
    const incoming = parent === undefined ? request.headers.get("x-request-id") : null;
    const state: RequestState = {
      id: parent === undefined || page === undefined ? randomUUID() : `${parent.id}.${page.index + 1}`,
      clientRequestId:
        parent !== undefined
          ? parent.clientRequestId
          : incoming !== null && REQUEST_ID_PATTERN.test(incoming)
            ? incoming
            : null,
      clientAddress: parent?.clientAddress ?? this.options.clientAddress(request, serverContext) ?? "unknown",
      startedAt: performance.now(),
      endpoint: parent !== undefined ? "export" : (this.restRoutes.get(pathname)?.endpoint ?? "graphql"),
      ...(page === undefined ? {} : { exportPage: page.index }),
      principal: null,
      operationName: null,
      policy: newPolicyReport(),
    };
    this.states.set(request, state);
    return state;
  }

  /**
   * Authenticates and rate-limits: an address out of its allowance of requests without a valid key
   * is refused before any lookup, a failed lookup takes from that allowance, and a valid key takes
   * one of its tokens. A page of an export is its export's: same principal, no lookup, and no token
   * (the export took one at the front, its first page takes one for each further page).
   */
  async admit(request: Request, state: RequestState): Promise<Admission> {
    const parent = this.exportPages.get(request)?.parent;
    if (parent?.principal != null) {
      state.principal = parent.principal;
      return { ok: true, principal: parent.principal };
    }
    const { clock, unauthenticated } = this.options;
    const nowMs = clock.now().getTime();
    const limited = unauthenticated.check(state.clientAddress, nowMs);
    if (limited > 0) {
      return refuse(
        state,
        rateLimited(
          limited,
          `Too many requests without a valid API key from this address; retry in ${limited} s.`,
        ),
      );
    }
    const result = await this.options.keys.resolve(request.headers.get("authorization"));
    if (!result.ok) {
      unauthenticated.failed(state.clientAddress, nowMs);
      state.authFailure = result.reason;
      return refuse(state, unauthenticatedRefusal(result.reason));
    }
    const principal = result.principal;
    state.principal = principal;
    const wait = this.options.rateLimiter.take(
      principal.keyId,
      nowMs,
      this.options.perMinute(principal.role),
    );
    if (wait > 0)
      return refuse(state, rateLimited(wait, `Too many requests for this key; retry in ${wait} s.`));
    return { ok: true, principal };
  }

  /**
   * Makes `page` a page of the export `parent` (index 0 = first): it keeps the export's client id,
   * address and principal, and its id is the export's, a dot and the page number. Once a page runs,
   * the pages' log rows are the export's log.
   */
  exportPage(parent: RequestState, page: Request, index: number): void {
    this.exportPages.set(page, { parent, index });
    parent.loggedByPages = true;
  }

  /**
   * Sets the id headers, queues the request's log row (written with others in a batch, after the
   * response; the response waits only when the queue is full) and writes its log line.
   */
  async finish(request: Request, pathname: string, response: Response): Promise<void> {
    const state = this.states.get(request);
    if (state === undefined) return;
    response.headers.set("x-request-id", state.id);
    if (state.clientRequestId !== null) response.headers.set("x-client-request-id", state.clientRequestId);
    if (pathname === "/healthz" || pathname === "/readyz") return;
    const { clock, logger, requestLog, unauthenticated } = this.options;
    // Every API request is logged; a browser loading GraphiQL is not one, nor an export whose pages log it.
    // Without a valid key, at most a few rows per address and minute (a forged-key flood is counted, not logged).
    const logged =
      state.loggedByPages !== true &&
      (state.principal !== null ||
        (state.policy.outcomeCode !== null &&
          unauthenticated.mayLog(state.clientAddress, clock.now().getTime())));
    if (logged) {
      const full = requestLog.add(requestLogRow(state, { httpStatus: response.status, at: clock.now() }));
      if (full !== undefined) await full;
    }
    // A clock sync without a key is not worth a line per request at info level.
    logger[state.anonymousServerTime === true ? "debug" : "info"](
      {
        reqId: state.id,
        method: request.method,
        path: pathname,
        status: response.status,
        ms: Math.round(performance.now() - state.startedAt),
        role: state.principal?.role,
        key: state.principal?.keyPrefix,
        outcome: state.policy.outcomeCode ?? "OK",
      },
      "request",
    );
  }

  /**
   * The front as the Yoga app's first plugin: every request enters here; REST routes are admitted
   * and answered here; GraphQL requests are admitted as they arrive (so that the schema chosen for
   * them can depend on the role) and refused in GraphQL's format once their parameters are read.
   */
  plugin(): Plugin {
    const { graphqlPath, maxGraphqlBodyBytes } = this.options;
    return {
      onRequest: ({ request, url, endResponse, serverContext }) => {
        const state = this.enter(request, url.pathname, (serverContext ?? {}) as Record<string, unknown>);
        const route = this.restRoutes.get(url.pathname);
        if (route !== undefined) {
          return this.answerRest(route, request, state).then(endResponse);
        }
        if (url.pathname !== graphqlPath) return;
        if (Number(request.headers.get("content-length") ?? 0) > maxGraphqlBodyBytes) {
          state.policy.outcomeCode = "QUERY_REJECTED";
          endResponse(
            Response.json(
              {
                errors: [
                  {
                    message: `The request body is larger than ${maxGraphqlBodyBytes} bytes.`,
                    extensions: { code: "QUERY_REJECTED", limit: maxGraphqlBodyBytes },
                  },
                ],
              },
              { status: 413 },
            ),
          );
          return;
        }
        return this.admit(request, state).then((admission) => {
          this.admissions.set(request, admission);
        });
      },
      onParams: ({ request, params, setResult }) => {
        const state = this.states.get(request);
        if (state === undefined) return;
        state.operationName = params.operationName ?? null;
        // Fail closed: a GraphQL request the front did not admit is refused as if it had no key.
        const admission = this.admissions.get(request) ?? refuse(state, unauthenticatedRefusal("missing"));
        if (admission.ok) return;
        // Without any key, a query of serverTime alone (clients sync their clocks) is answered; it
        // already took from the address's allowance of requests without a valid key.
        if (state.authFailure === "missing" && selectsOnlyServerTime(params.query, params.operationName)) {
          state.policy.outcomeCode = null;
          state.anonymousServerTime = true;
          return;
        }
        setResult({ errors: [refusalAsGraphQLError(admission.refusal)] });
      },
      onResultProcess: ({ request, result }) => {
        const state = this.states.get(request);
        if (state === undefined || state.policy.outcomeCode !== null) return;
        const results = Array.isArray(result) ? result : [result];
        for (const item of results) {
          const code = (item as { errors?: Array<{ extensions?: { code?: unknown } }> }).errors?.[0]
            ?.extensions?.code;
          if (code !== undefined) {
            state.policy.outcomeCode = String(code);
            return;
          }
        }
      },
      onResponse: ({ request, response }) => this.finish(request, new URL(request.url).pathname, response),
    };
  }

  private async answerRest(route: RestRoute, request: Request, state: RequestState): Promise<Response> {
    if (!route.methods.allowed.includes(request.method)) {
      state.policy.outcomeCode = "METHOD_NOT_ALLOWED";
      return restErrorResponse("METHOD_NOT_ALLOWED", route.methods.message, {
        headers: { allow: route.methods.allowed.join(", ") },
      });
    }
    const admission = await this.admit(request, state);
    if (!admission.ok) return refusalAsRestResponse(admission.refusal);
    return route.handle(request, { state, principal: admission.principal });
  }
}

/**
 * Whether a GraphQL document's operation selects nothing at its root but `serverTime` and
 * `__typename` (aliases allowed; no fragments, no directives, queries only), the one request
 * CONTRACT.md answers without a key. An unparsable document is not.
 */
export function selectsOnlyServerTime(query: string | undefined, operationName?: string | null): boolean {
  if (query === undefined) return false;
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch {
    return false;
  }
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operations.length !== document.definitions.length) return false;
  const operation =
    operationName == null
      ? operations.length === 1
        ? operations[0]
        : undefined
      : operations.find((op) => op.name?.value === operationName);
  if (operation === undefined || operation.operation !== "query") return false;
  if ((operation.directives?.length ?? 0) > 0) return false;
  const selections = operation.selectionSet.selections;
  return (
    selections.length > 0 &&
    selections.some((selection) => selection.kind === Kind.FIELD && selection.name.value === "serverTime") &&
    selections.every(
      (selection) =>
        selection.kind === Kind.FIELD &&
        (selection.name.value === "serverTime" || selection.name.value === "__typename") &&
        (selection.directives?.length ?? 0) === 0 &&
        (selection.arguments?.length ?? 0) === 0 &&
        selection.selectionSet === undefined,
    )
  );
}

function unauthenticatedRefusal(reason: AuthFailureReason): Refusal {
  return {
    code: "UNAUTHENTICATED",
    message: authFailureMessage(reason),
    details: { reason: publicAuthFailureReason(reason) },
    status: 401,
    headers: {},
  };
}

function rateLimited(seconds: number, message: string): Refusal {
  return {
    code: "RATE_LIMITED",
    message,
    details: { retryAfterSeconds: seconds },
    status: 429,
    headers: { "retry-after": String(seconds) },
  };
}

function refuse(state: RequestState, refusal: Refusal): Admission {
  state.policy.outcomeCode = refusal.code;
  return { ok: false, refusal };
}

/** A refusal as GraphQL answers it: the code and details in `extensions`, the status and headers over HTTP. */
export function refusalAsGraphQLError(refusal: Refusal): GraphQLError {
  return apiError(refusal.code, refusal.message, {
    ...refusal.details,
    ...(Object.keys(refusal.headers).length > 0
      ? { http: { status: refusal.status, headers: refusal.headers } }
      : {}),
  });
}

/** A refusal as the REST routes answer it: `{ "error": { code, message, ...details } }`. */
export function refusalAsRestResponse(refusal: Refusal): Response {
  return restErrorResponse(refusal.code, refusal.message, {
    details: refusal.details,
    headers: refusal.headers,
  });
}
