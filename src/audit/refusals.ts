import type { DatabaseHandle } from "../db/client";
import type { UserError } from "../errors";
import type { Principal } from "../policy/principal";
import { type AdminActor, actorOf } from "./actor";
import { appendAuditEntry, lockAuditChain } from "./chain";

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
        actor: principal === null ? "anonymous" : actorOf(principal),
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

export interface DeniedResponseKeysAttempt {
  at: Date;
  principal: Principal;
  /** The denied response keys of the refused document. */
  responseKeys: string[];
  requestId: string;
}

/**
 * Records a buyer document refused for denied response keys (type denied_response_key, outcome
 * REFUSED), at most one row per API key and minute so that a flood of such requests cannot grow
 * the audit log: later refusals in the same minute are in the request log only.
 */
export async function auditDeniedResponseKeys(
  database: DatabaseHandle,
  attempt: DeniedResponseKeysAttempt,
): Promise<boolean> {
  const { principal } = attempt;
  const minute = new Date(Math.floor(attempt.at.getTime() / 60_000) * 60_000);
  return database.transaction(async (query) => {
    // Under the chain lock, so two processes cannot both see the minute empty.
    await lockAuditChain(query);
    const [recorded] = await query<{ n: number }>(
      `select count(*)::int as n from audit_logs
        where type = 'denied_response_key' and actor_key_id = $1 and at >= $2 and at < $3`,
      [principal.keyId, minute, new Date(minute.getTime() + 60_000)],
    );
    if ((recorded?.n ?? 0) > 0) return false;
    await appendAuditEntry(query, {
      at: attempt.at,
      type: "denied_response_key",
      actor: actorOf(principal),
      actorKeyId: principal.keyId,
      action: "refuseDocument",
      target: principal.partnerId,
      outcome: "REFUSED",
      details: { responseKeys: attempt.responseKeys.slice(0, 20).map((key) => key.slice(0, 64)) },
      requestId: attempt.requestId,
    });
    return true;
  });
}
