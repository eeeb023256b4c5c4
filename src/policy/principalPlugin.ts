import type { Plugin } from "graphql-yoga";
import type { Clock } from "../clock";
import type { Database } from "../db/client";
import { apiError } from "../errors";
import { authFailureMessage, type Principal, resolvePrincipal } from "./principal";

/**
 * Step 2 of the pipeline: resolves the bearer key before the document is even parsed, and refuses
 * the request with UNAUTHENTICATED (HTTP 401) when there is no valid key.
 */
export function usePrincipal(options: {
  db: Database;
  clock: Clock;
  principals: WeakMap<Request, Principal>;
}): Plugin {
  return {
    async onParams({ request, setResult }) {
      const result = await resolvePrincipal(options.db, request.headers.get("authorization"), options.clock);
      if (result.ok) {
        options.principals.set(request, result.principal);
        return;
      }
      setResult({
        errors: [
          apiError("UNAUTHENTICATED", authFailureMessage(result.reason), {
            reason: result.reason.toUpperCase(),
          }),
        ],
      });
    },
  };
}
