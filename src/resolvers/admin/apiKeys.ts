import { desc } from "drizzle-orm";
import type { Clock } from "../../clock";
import type { Database } from "../../db/client";
import { apiKeys } from "../../db/schema/access";
import type { ApiRole } from "../../db/schema/enums";
import { tenants } from "../../db/schema/imports";
import { generateApiKey } from "../../policy/apiKeyFormat";

export const BUYER_PARTNER_PREFIX = "outside_buyer_";

export interface IssueApiKeyInput {
  role: ApiRole;
  name: string;
  partnerId?: string | null;
  tenantId?: string | null;
  expiresAt?: Date | null;
  /** Who issued it: an operator key's name, or "cli" for the bootstrap. */
  createdBy: string;
}

export interface UserError {
  field: string[];
  code: string;
  message: string;
}

export type IssueApiKeyResult =
  | { ok: true; apiKey: string; key: typeof apiKeys.$inferSelect }
  | { ok: false; userErrors: UserError[] };

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
  if (input.expiresAt && input.expiresAt <= now) {
    errors.push({
      field: ["input", "expiresAt"],
      code: "EXPIRES_IN_PAST",
      message: "expiresAt must be in the future.",
    });
  }
  return errors;
}

/** Issues a key: stores its hash and display prefix, returns the plaintext once. */
export async function issueApiKey(
  db: Database,
  clock: Clock,
  input: IssueApiKeyInput,
): Promise<IssueApiKeyResult> {
  const now = clock.now();
  const userErrors = validateIssueApiKey(input, now);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const generated = generateApiKey(input.role);
  const key = await db.transaction(async (tx) => {
    const tenantId = input.tenantId?.trim() || null;
    if (tenantId !== null) {
      await tx.insert(tenants).values({ id: tenantId, name: tenantId }).onConflictDoNothing();
    }
    const [row] = await tx
      .insert(apiKeys)
      .values({
        name: input.name.trim(),
        prefix: generated.displayPrefix,
        keyHash: generated.hash,
        role: input.role,
        partnerId: input.partnerId?.trim() || null,
        tenantId,
        createdAt: now,
        expiresAt: input.expiresAt ?? null,
        createdBy: input.createdBy,
      })
      .returning();
    if (row === undefined) throw new Error("insert into api_keys returned no row");
    return row;
  });
  return { ok: true, apiKey: generated.plaintext, key };
}

/** Every key, newest first; hashes are never selected. */
export async function listApiKeys(db: Database) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      role: apiKeys.role,
      partnerId: apiKeys.partnerId,
      tenantId: apiKeys.tenantId,
      createdAt: apiKeys.createdAt,
      expiresAt: apiKeys.expiresAt,
      revokedAt: apiKeys.revokedAt,
      lastUsedAt: apiKeys.lastUsedAt,
    })
    .from(apiKeys)
    .orderBy(desc(apiKeys.createdAt));
}
