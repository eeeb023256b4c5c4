import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { AdminOutcome, UserError } from "../../errors";

export type DirectoryKind = "ds" | "rm";

export interface PartnerNormalizationEntry {
  rawKey: string;
  canonicalName: string;
  updatedAt: Date;
}

export interface DirectoryEntry {
  directory: DirectoryKind;
  preferredUsername: string;
  displayName: string | null;
  active: boolean;
  updatedAt: Date;
}

export interface UpsertPartnerNormalizationInput {
  rawName: string;
  canonicalName: string;
}

export interface UpsertDirectoryEntryInput {
  directory: DirectoryKind;
  preferredUsername: string;
  displayName?: string | null;
  active?: boolean | null;
}

const MAX_NAME_LENGTH = 200;

/** The key a delivery partner's spelling is looked up by: trimmed and lowercased, as the merge does. */
export function partnerKey(rawName: string): string {
  return rawName.trim().toLowerCase();
}

function requireName(errors: UserError[], field: string, value: string | null | undefined): void {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "" || trimmed.length > MAX_NAME_LENGTH) {
    errors.push({
      field: ["input", field],
      code: trimmed === "" ? "REQUIRED" : "TOO_LONG",
      message: `${field} must be 1..${MAX_NAME_LENGTH} characters after trimming.`,
    });
  }
}

/** Maps a raw delivery-partner spelling to its canonical organisation; audited in the same transaction. */
export async function upsertPartnerNormalization(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: UpsertPartnerNormalizationInput,
): Promise<AdminOutcome<{ partnerNormalization: PartnerNormalizationEntry }>> {
  const at = clock.now();
  const userErrors: UserError[] = [];
  requireName(userErrors, "rawName", input.rawName);
  requireName(userErrors, "canonicalName", input.canonicalName);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const rawKey = partnerKey(input.rawName);
  const partnerNormalization = await database.transaction(async (query) => {
    const [before] = await query<{ canonical_name: string }>(
      "select canonical_name from partner_normalization where raw_key = $1 for update",
      [rawKey],
    );
    const [row] = await query<{ raw_key: string; canonical_name: string; updated_at: Date | string }>(
      `insert into partner_normalization (raw_key, canonical_name, updated_at) values ($1, $2, $3)
       on conflict (raw_key) do update set canonical_name = excluded.canonical_name, updated_at = excluded.updated_at
       returning raw_key, canonical_name, updated_at`,
      [rawKey, input.canonicalName.trim(), at],
    );
    if (row === undefined) throw new Error("partner_normalization upsert returned no row");
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "upsertPartnerNormalization",
      target: rawKey,
      outcome: "OK",
      before: before ?? null,
      after: { canonical_name: row.canonical_name },
    });
    return { rawKey: row.raw_key, canonicalName: row.canonical_name, updatedAt: new Date(row.updated_at) };
  });
  return { ok: true, value: { partnerNormalization } };
}

/** Adds or corrects a DS or RM directory entry (including its active flag); audited in the same transaction. */
export async function upsertDirectoryEntry(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: UpsertDirectoryEntryInput,
): Promise<AdminOutcome<{ entry: DirectoryEntry }>> {
  const at = clock.now();
  const userErrors: UserError[] = [];
  requireName(userErrors, "preferredUsername", input.preferredUsername);
  if (input.directory === "rm") requireName(userErrors, "displayName", input.displayName);
  else if ((input.displayName?.trim().length ?? 0) > MAX_NAME_LENGTH) {
    requireName(userErrors, "displayName", input.displayName);
  }
  if (userErrors.length > 0) return { ok: false, userErrors };
  const table = input.directory === "ds" ? "ds_directory" : "rm_directory";
  const username = input.preferredUsername.trim();
  const displayName = input.displayName?.trim() || null;
  const entry = await database.transaction(async (query) => {
    const [before] = await query<{ display_name: string | null; active: boolean }>(
      `select display_name, active from ${table} where preferred_username = $1 for update`,
      [username],
    );
    // An absent active flag keeps the stored one (a new entry starts active); an absent DS display name likewise.
    const [row] = await query<{
      preferred_username: string;
      display_name: string | null;
      active: boolean;
      updated_at: Date | string;
    }>(
      `insert into ${table} (preferred_username, display_name, active, updated_at)
       values ($1, $2, coalesce($3::boolean, true), $4)
       on conflict (preferred_username) do update set
         display_name = coalesce(excluded.display_name, ${table}.display_name),
         active = coalesce($3::boolean, ${table}.active),
         updated_at = excluded.updated_at
       returning preferred_username, display_name, active, updated_at`,
      [username, displayName, input.active ?? null, at],
    );
    if (row === undefined) throw new Error(`${table} upsert returned no row`);
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "upsertDirectoryEntry",
      target: `${table}:${username}`,
      outcome: "OK",
      before: before ?? null,
      after: { display_name: row.display_name, active: row.active },
    });
    return {
      directory: input.directory,
      preferredUsername: row.preferred_username,
      displayName: row.display_name,
      active: row.active,
      updatedAt: new Date(row.updated_at),
    };
  });
  return { ok: true, value: { entry } };
}
