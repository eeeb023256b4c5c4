import type { DatabaseHandle } from "../../db/client";
import type { Principal } from "../../policy/principal";
import { appendAuditEntry } from "./audit";

export interface RefusedAdminAttempt {
  at: Date;
  principal: Principal | null;
  /** The mutation's name. */
  action: string;
  requestId: string | null;
}

/**
 * Records a mutation refused for the caller's role (type admin_refused, outcome FORBIDDEN). It runs
 * beside the refusal, never in its way: a failure to record is logged, and the caller still gets FORBIDDEN.
 */
export function auditRefusedAdminAttempt(
  database: DatabaseHandle,
  attempt: RefusedAdminAttempt,
  onError: (error: unknown) => void,
): Promise<void> {
  const { principal } = attempt;
  return database
    .transaction((query) =>
      appendAuditEntry(query, {
        at: attempt.at,
        type: "admin_refused",
        actor: principal === null ? "anonymous" : `${principal.keyPrefix} (${principal.keyName})`,
        actorKeyId: principal?.keyId ?? null,
        action: attempt.action,
        outcome: "FORBIDDEN",
        details: { role: principal?.role ?? null },
        requestId: attempt.requestId,
      }),
    )
    .then(() => undefined, onError);
}
