import type { Plugin } from "graphql-yoga";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import type { ApiRole } from "../db/schema/enums";
import { apiError } from "../errors";
import { authFailureMessage, type PrincipalResult, resolvePrincipal } from "./principal";
import type { RateLimiter } from "./rateLimit";
import type { RequestState } from "./requestState";

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
}): Plugin {
  const results = new WeakMap<Request, PrincipalResult>();
  return {
    // Resolved as the request arrives, so that the schema chosen for it (buyer or full) can depend on the role.
    async onRequest({ request, url }) {
      if (url.pathname !== "/graphql") return;
      const result = await resolvePrincipal(options.db, request.headers.get("authorization"), options.clock);
      results.set(request, result);
      const state = options.states.get(request);
      if (state && result.ok) state.principal = result.principal;
    },
    onParams({ request, params, setResult }) {
      const state = options.states.get(request);
      if (state) state.operationName = params.operationName ?? null;
      const result: PrincipalResult = results.get(request) ?? { ok: false, reason: "missing" };
      if (!result.ok) {
        if (state) state.policy.outcomeCode = "UNAUTHENTICATED";
        setResult({
          errors: [
            apiError("UNAUTHENTICATED", authFailureMessage(result.reason), {
              reason: result.reason.toUpperCase(),
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
