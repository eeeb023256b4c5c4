import type { Plugin } from "graphql-yoga";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { ApiRole } from "../db/schema/enums";
import { apiError } from "../errors";
import {
  authFailureMessage,
  type PrincipalResult,
  publicAuthFailureReason,
  resolvePrincipal,
} from "./principal";
import type { RateLimiter } from "./rateLimit";
import type { RequestState } from "./requestState";
import type { UnauthenticatedGate } from "./unauthenticated";

type Resolution = PrincipalResult | { ok: false; limited: number };

/**
 * Step 1 of the pipeline: resolves the bearer key before the document is even parsed, refuses the
 * request with UNAUTHENTICATED (HTTP 401) without a valid key, and applies the per-key rate limit.
 */
export function usePrincipal(options: {
  db: Database;
  clock: Clock;
  states: WeakMap<Request, RequestState>;
  rateLimiter: RateLimiter;
  perMinute: (role: ApiRole) => number;
  unauthenticated: UnauthenticatedGate;
}): Plugin {
  const results = new WeakMap<Request, Resolution>();
  return {
    // Resolved as the request arrives, so that the schema chosen for it (buyer or full) can depend on the role.
    async onRequest({ request, url }) {
      if (url.pathname !== "/graphql") return;
      const state = options.states.get(request);
      const result = await authenticate(request, state, options);
      results.set(request, result);
    },
    onParams({ request, params, setResult }) {
      const state = options.states.get(request);
      if (state) state.operationName = params.operationName ?? null;
      const result: Resolution = results.get(request) ?? { ok: false, reason: "missing" };
      if (!result.ok && "limited" in result) {
        if (state) state.policy.outcomeCode = "RATE_LIMITED";
        setResult({ errors: [unauthenticatedRateLimited(result.limited)] });
        return;
      }
      if (!result.ok) {
        if (state) state.policy.outcomeCode = "UNAUTHENTICATED";
        setResult({
          errors: [
            apiError("UNAUTHENTICATED", authFailureMessage(result.reason), {
              reason: publicAuthFailureReason(result.reason),
            }),
          ],
        });
        return;
      }
      if (state?.rateLimitExempt === true) return;
      const retryAfter = options.rateLimiter.take(
        result.principal.keyId,
        options.clock.now().getTime(),
        options.perMinute(result.principal.role),
      );
      if (retryAfter > 0) {
        if (state) state.policy.outcomeCode = "RATE_LIMITED";
        setResult({
          errors: [
            apiError("RATE_LIMITED", `Too many requests for this key; retry in ${retryAfter} s.`, {
              retryAfterSeconds: retryAfter,
              http: { status: 429, headers: { "retry-after": String(retryAfter) } },
            }),
          ],
        });
      }
    },
  };
}

/**
 * Resolves the request's key, unless its client address has used up its allowance of requests
 * without a valid key: then nothing is looked up. A failure takes from that allowance.
 */
export async function authenticate(
  request: Request,
  state: RequestState | undefined,
  options: { db: Database; clock: Clock; unauthenticated: UnauthenticatedGate },
): Promise<Resolution> {
  const address = state?.clientAddress ?? "unknown";
  const nowMs = options.clock.now().getTime();
  const limited = options.unauthenticated.check(address, nowMs);
  if (limited > 0) return { ok: false, limited };
  const result = await resolvePrincipal(options.db, request.headers.get("authorization"), options.clock);
  if (result.ok) {
    if (state) state.principal = result.principal;
  } else {
    options.unauthenticated.failed(address, nowMs);
    if (state) state.authFailure = result.reason;
  }
  return result;
}

export function unauthenticatedRateLimited(retryAfter: number) {
  return apiError(
    "RATE_LIMITED",
    `Too many requests without a valid API key from this address; retry in ${retryAfter} s.`,
    { retryAfterSeconds: retryAfter, http: { status: 429, headers: { "retry-after": String(retryAfter) } } },
  );
}
