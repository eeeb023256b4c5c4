import type { DatabaseHandle } from "../../db/client";
import type { Principal } from "../../policy/principal";
import type { AdminActor, UserError } from "./apiKeys";
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

export interface RefusedInput {
  at: Date;
  actor: AdminActor;
  /** The mutation's name. */
  action: string;
  /** What the refused call was about (an id, key or code), as far as the input names it. */
  target: string | null;
  userErrors: UserError[];
}

/**
 * Records an admin mutation refused for its input (its userErrors). Nothing was changed, so the row
 * is written in a transaction of its own; the outcome is the one code, or USER_ERROR when they differ.
 * Only fields and codes are kept: messages may quote the input.
 */
export async function auditRefusedInput(database: DatabaseHandle, refusal: RefusedInput): Promise<void> {
  const codes = [...new Set(refusal.userErrors.map((error) => error.code))];
  await database.transaction((query) =>
    appendAuditEntry(query, {
      at: refusal.at,
      type: "admin_mutation",
      ...refusal.actor,
      action: refusal.action,
      target: refusal.target?.slice(0, 200) ?? null,
      outcome: codes.length === 1 ? (codes[0] ?? "USER_ERROR") : "USER_ERROR",
      details: { userErrors: refusal.userErrors.map(({ field, code }) => ({ field, code })) },
    }),
  );
}
