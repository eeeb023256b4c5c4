import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { DatabaseHandle, QueryFn } from "../../db/client";
import { columnsOf } from "../../db/rows";
import { apiKeys, BUYER_PARTNER_PREFIX } from "../../db/schema/access";
import type { ApiRole } from "../../db/schema/enums";
import { type AdminOutcome, refused, type UserError } from "../../errors";
import { generateApiKey } from "../../policy/apiKeyFormat";

export interface IssueApiKeyInput {
  role: ApiRole;
  name: string;
  partnerId?: string | null;
  tenantId?: string | null;
  /** BUSINESS keys: an existing business (businesses.id) whose spots the key may read. */
  businessId?: string | null;
  expiresAt?: Date | null;
}

/** Validates an issue request; every problem is reported, not just the first. */
export function validateIssueApiKey(input: IssueApiKeyInput, now: Date): UserError[] {
  const errors: UserError[] = [];
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    errors.push({
      field: ["input", "name"],
      code: "INVALID_NAME",
      message: "name must be 1 to 100 characters.",
    });
  }
  if (input.role === "buyer" && !input.partnerId?.startsWith(BUYER_PARTNER_PREFIX)) {
    errors.push({
      field: ["input", "partnerId"],
      code: "PARTNER_ID_REQUIRED",
      message: `A BUYER key needs a partnerId starting "${BUYER_PARTNER_PREFIX}" (e.g. ${BUYER_PARTNER_PREFIX}acme).`,
    });
  }
  if (input.role !== "buyer" && input.partnerId) {
    errors.push({
      field: ["input", "partnerId"],
      code: "PARTNER_ID_NOT_ALLOWED",
      message: "Only BUYER keys carry a partnerId.",
    });
  }
  if (input.role === "tenant" && !input.tenantId?.trim()) {
    errors.push({
      field: ["input", "tenantId"],
      code: "TENANT_ID_REQUIRED",
      message: "A TENANT key needs a tenantId (e.g. TELCO).",
    });
  }
  if (input.role !== "tenant" && input.tenantId) {
    errors.push({
      field: ["input", "tenantId"],
      code: "TENANT_ID_NOT_ALLOWED",
      message: "Only TENANT keys carry a tenantId.",
    });
  }
  if (input.role === "business" && !input.businessId?.trim()) {
    errors.push({
      field: ["input", "businessId"],
      code: "BUSINESS_ID_REQUIRED",
      message:
        "A BUSINESS key needs a businessId: the business whose spots it may read (e.g. biz_harbour_coffee).",
    });
  }
  if (input.role !== "business" && input.businessId) {
    errors.push({
      field: ["input", "businessId"],
      code: "BUSINESS_ID_NOT_ALLOWED",
      message: "Only BUSINESS keys carry a businessId.",
    });
  }
  if (input.expiresAt && input.expiresAt <= now) {
    errors.push({
      field: ["input", "expiresAt"],
      code: "EXPIRES_IN_PAST",
      message: "expiresAt must be in the future.",
    });
  }
  return errors;
}

export type ApiKeyRow = typeof apiKeys.$inferSelect;

const KEY_COLUMNS = `id, name, prefix, key_hash as "keyHash", role, partner_id as "partnerId", tenant_id as "tenantId",
  business_id as "businessId", created_at as "createdAt", expires_at as "expiresAt", revoked_at as "revokedAt", last_used_at as "lastUsedAt",
  rotated_from_id as "rotatedFromId", created_by as "createdBy"`;

/** What an audit row may say about a key: never its hash. */
function redacted(key: ApiKeyRow) {
  const { keyHash: _hash, ...rest } = key;
  return rest;
}

/** Issues a key: stores its hash and display prefix, returns the plaintext once; audited with the change. */
export async function issueApiKey(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: IssueApiKeyInput,
): Promise<AdminOutcome<{ apiKey: string; key: ApiKeyRow }>> {
  const now = clock.now();
  const userErrors = validateIssueApiKey(input, now);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const businessId = input.businessId?.trim() || null;
  if (businessId !== null) {
    const [known] = await database.query<{ id: string }>("select id from businesses where id = $1", [
      businessId,
    ]);
    if (known === undefined) {
      return refused(
        ["input", "businessId"],
        "UNKNOWN_BUSINESS",
        `No business has the id ${JSON.stringify(businessId.slice(0, 64))}; businesses and their spots are set up by the data pipeline.`,
      );
    }
  }
  const generated = generateApiKey(input.role);
  const key = await database.transaction(async (query) => {
    const tenantId = input.tenantId?.trim() || null;
    if (tenantId !== null) {
      await query("insert into tenants (id, name) values ($1, $1) on conflict (id) do nothing", [tenantId]);
    }
    const row = await insertKey(query, {
      name: input.name.trim(),
      displayPrefix: generated.displayPrefix,
      hash: generated.hash,
      role: input.role,
      partnerId: input.partnerId?.trim() || null,
      tenantId,
      businessId,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      rotatedFromId: null,
      createdBy: actor.actor,
    });
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "issueApiKey",
      target: row.id,
      outcome: "OK",
      after: redacted(row),
    });
    return row;
  });
  return { ok: true, value: { apiKey: generated.plaintext, key } };
}

const NOT_FOUND = refused(["input", "id"], "NOT_FOUND", "No API key has this id.");

/**
 * Replaces a key with a new one of the same role, partner and tenant. The old key keeps working for
 * overlapSeconds (0 = refused from now on), then is refused; the plaintext of the new one is shown once.
 */
export async function rotateApiKey(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { id: string | number; overlapSeconds?: number | null },
): Promise<AdminOutcome<{ apiKey: string; key: ApiKeyRow }>> {
  const overlap = input.overlapSeconds ?? 0;
  if (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 86_400) {
    return refused(
      ["input", "overlapSeconds"],
      "OUT_OF_RANGE",
      "overlapSeconds must be 0 to 2592000 (30 days).",
    );
  }
  const now = clock.now();
  return database.transaction(async (query) => {
    const [old] = await query<ApiKeyRow>(
      `select ${KEY_COLUMNS} from api_keys where id::text = $1 for update`,
      [String(input.id)],
    );
    if (old === undefined) return NOT_FOUND;
    if (old.revokedAt !== null)
      return refused(["input", "id"], "REVOKED", "A revoked key cannot be rotated.");
    const generated = generateApiKey(old.role);
    const replacement = await insertKey(query, {
      name: old.name,
      displayPrefix: generated.displayPrefix,
      hash: generated.hash,
      role: old.role,
      partnerId: old.partnerId,
      tenantId: old.tenantId,
      businessId: old.businessId,
      createdAt: now,
      expiresAt: old.expiresAt,
      rotatedFromId: old.id,
      createdBy: actor.actor,
    });
    const overlapEnd = new Date(now.getTime() + overlap * 1000);
    const oldExpiry =
      old.expiresAt !== null && new Date(old.expiresAt) < overlapEnd ? new Date(old.expiresAt) : overlapEnd;
    await query("update api_keys set expires_at = $2 where id = $1", [old.id, oldExpiry]);
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "rotateApiKey",
      target: old.id,
      outcome: "OK",
      before: redacted(old),
      after: { replacedBy: replacement.id, oldKeyExpiresAt: oldExpiry.toISOString() },
    });
    return { ok: true, value: { key: replacement, apiKey: generated.plaintext } } as const;
  });
}

/**
 * Revokes a key. Through the API it is refused on the process's very next request (a mutation empties
 * the process's key cache before it answers) and within a second by every other process (the
 * api_keys trigger's NOTIFY); see src/policy/keyCache.ts.
 */
export async function revokeApiKey(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { id: string | number },
): Promise<AdminOutcome<{ key: ApiKeyRow }>> {
  const now = clock.now();
  return database.transaction(async (query) => {
    const key = await revokeKeyInTransaction(query, String(input.id), now, actor);
    return key === null ? NOT_FOUND : ({ ok: true, value: { key } } as const);
  });
}

/**
 * revokeApiKey's change inside the caller's transaction (also used by an approved decideAction):
 * sets revoked_at (kept if already set) and appends the revokeApiKey audit entry. Null: no such key.
 */
export async function revokeKeyInTransaction(
  query: QueryFn,
  id: string,
  now: Date,
  actor: AdminActor,
): Promise<ApiKeyRow | null> {
  const [before] = await query<ApiKeyRow>(
    `select ${KEY_COLUMNS} from api_keys where id::text = $1 for update`,
    [id],
  );
  if (before === undefined) return null;
  const [after] = await query<ApiKeyRow>(
    `update api_keys set revoked_at = coalesce(revoked_at, $2) where id = $1 returning ${KEY_COLUMNS}`,
    [before.id, now],
  );
  if (after === undefined) throw new Error("revoke returned no row");
  await appendAuditEntry(query, {
    at: now,
    type: "admin_mutation",
    ...actor,
    action: "revokeApiKey",
    target: before.id,
    outcome: "OK",
    before: redacted(before),
    after: redacted(after),
  });
  return after;
}

async function insertKey(
  query: QueryFn,
  key: {
    name: string;
    displayPrefix: string;
    hash: string;
    role: ApiRole;
    partnerId: string | null;
    tenantId: string | null;
    businessId: string | null;
    createdAt: Date;
    expiresAt: Date | null;
    rotatedFromId: string | null;
    createdBy: string;
  },
): Promise<ApiKeyRow> {
  const [row] = await query<ApiKeyRow>(
    `insert into api_keys (name, prefix, key_hash, role, partner_id, tenant_id, business_id, created_at, expires_at, rotated_from_id, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${KEY_COLUMNS}`,
    [
      key.name,
      key.displayPrefix,
      key.hash,
      key.role,
      key.partnerId,
      key.tenantId,
      key.businessId,
      key.createdAt,
      key.expiresAt,
      key.rotatedFromId,
      key.createdBy,
    ],
  );
  if (row === undefined) throw new Error("insert into api_keys returned no row");
  return {
    ...row,
    createdAt: new Date(row.createdAt),
    expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt),
  };
}

const LISTED_KEY = columnsOf(apiKeys, { omit: ["keyHash", "rotatedFromId", "createdBy"] });

/** Every key, newest first; hashes are never selected. */
export async function listApiKeys(database: DatabaseHandle) {
  const rows = await database.query(`select ${LISTED_KEY.list} from api_keys order by created_at desc`);
  return rows.map(LISTED_KEY.read);
}
