import type { Clock } from "../clock";
import type { DatabaseHandle } from "../db/client";
import { columnsOf } from "../db/rows";
import { apiKeys } from "../db/schema/access";
import type { ApiRole } from "../db/schema/enums";
import { hashApiKey, hashesEqual, parseApiKey } from "./apiKeyFormat";

/** Who is calling: resolved from the API key before any resolver runs. */
export interface Principal {
  keyId: string;
  keyName: string;
  keyPrefix: string;
  role: ApiRole;
  partnerId: string | null;
  tenantId: string | null;
  /** BUSINESS keys: the business whose spots the key may read. */
  businessId: string | null;
}

export type AuthFailureReason = "missing" | "malformed" | "bad_checksum" | "unknown" | "revoked" | "expired";

export type PrincipalResult = { ok: true; principal: Principal } | { ok: false; reason: AuthFailureReason };

const INVALID_KEY_MESSAGE =
  "Invalid API key: it is unknown, revoked or expired; ask an operator for a valid one.";

const AUTH_MESSAGES: Record<AuthFailureReason, string> = {
  missing: "Missing API key: send `Authorization: Bearer <api key>`.",
  malformed: "Malformed API key: expected `ib_<role>_<32 characters>_<6-character checksum>`.",
  bad_checksum: "Invalid API key: its checksum does not match (was it copied completely?).",
  // One message for the three: a client must not learn whether a key once existed.
  unknown: INVALID_KEY_MESSAGE,
  revoked: INVALID_KEY_MESSAGE,
  expired: INVALID_KEY_MESSAGE,
};

export function authFailureMessage(reason: AuthFailureReason): string {
  return AUTH_MESSAGES[reason];
}

/**
 * The reason a client sees in `extensions.reason`: MISSING, MALFORMED and BAD_CHECKSUM are found
 * without the database; unknown, revoked and expired keys all read INVALID. The request log keeps
 * the exact reason (`request_logs.outcome_detail`).
 */
export function publicAuthFailureReason(reason: AuthFailureReason): string {
  return reason === "unknown" || reason === "revoked" || reason === "expired"
    ? "INVALID"
    : reason.toUpperCase();
}

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const KEY = columnsOf(apiKeys);

/** The one statement a key lookup sends. */
export const KEY_BY_HASH = `select ${KEY.list} from api_keys where key_hash = $1 limit 1`;

/** A key's row by the hash of the key (never the key itself); undefined when none is stored. */
export async function selectKeyRow(
  database: DatabaseHandle,
  keyHash: string,
): Promise<ApiKeyRow | undefined> {
  const [row] = await database.query(KEY_BY_HASH, [keyHash]);
  return row === undefined ? undefined : KEY.read(row);
}

/** The key of an `Authorization` header, parsed and hashed; malformed keys never reach the database. */
export function presentedKey(
  authorization: string | null,
): { ok: true; hash: string; role: ApiRole } | { ok: false; reason: AuthFailureReason } {
  const token = bearerToken(authorization);
  if (token === undefined) return { ok: false, reason: "missing" };
  const parsed = parseApiKey(token);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  return { ok: true, hash: hashApiKey(token), role: parsed.role };
}

/** Whether a stored row admits the presented key at `now` (revocation and expiry by the clock). */
export function admitRow(
  row: ApiKeyRow | undefined,
  presented: { hash: string; role: ApiRole },
  now: Date,
): { ok: true; row: ApiKeyRow } | { ok: false; reason: AuthFailureReason } {
  if (row === undefined || !hashesEqual(row.keyHash, presented.hash) || row.role !== presented.role) {
    return { ok: false, reason: "unknown" };
  }
  if (row.revokedAt !== null && row.revokedAt <= now) return { ok: false, reason: "revoked" };
  if (row.expiresAt !== null && row.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, row };
}

export function principalOf(row: ApiKeyRow): Principal {
  return {
    keyId: row.id,
    keyName: row.name,
    keyPrefix: row.prefix,
    role: row.role,
    partnerId: row.partnerId,
    tenantId: row.tenantId,
    businessId: row.businessId,
  };
}

/**
 * Resolves an `Authorization` header value to a principal straight from the database, recording no
 * use. Requests go through the KeyCache (src/policy/keyCache.ts) instead.
 */
export async function resolvePrincipal(
  database: DatabaseHandle,
  authorization: string | null,
  clock: Clock,
): Promise<PrincipalResult> {
  const presented = presentedKey(authorization);
  if (!presented.ok) return presented;
  const admitted = admitRow(await selectKeyRow(database, presented.hash), presented, clock.now());
  return admitted.ok ? { ok: true, principal: principalOf(admitted.row) } : admitted;
}

function bearerToken(authorization: string | null): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  return match?.[1];
}
