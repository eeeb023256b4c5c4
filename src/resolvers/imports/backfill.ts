import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { QueryFn } from "../../db/client";
import { type AdminOutcome, refused } from "../../errors";

/** Membership roles, as the merge writes them. */
export const MEMBERSHIP_ROLES = { deliveryPartner: "DELIVERY_PARTNER", ds: "DS", rm: "RM" } as const;

export interface BackfillCounts {
  /** Projects whose canonical fields were read. */
  projectsScanned: number;
  /** Org memberships inserted or changed (0 when everything was already in place). */
  orgMembershipsUpserted: number;
  /** User memberships (DS and RM) inserted or changed. */
  userMembershipsUpserted: number;
}

/**
 * Materialises org and user memberships from the projects' canonical fields through the current
 * partner normalization and directories (after an operator corrected them). Only missing or
 * different rows are written, so a second run changes nothing and counts 0. Set-based: three statements.
 */
export async function materialiseMemberships(
  query: QueryFn,
  at: Date,
  tenantId: string | null,
): Promise<BackfillCounts> {
  const [scanned] = await query<{ n: number }>(
    "select count(*)::int as n from projects where ($1::text is null or tenant_id = $1)",
    [tenantId],
  );
  const org = await query(
    `insert into org_memberships (project_id, org_name, role, updated_at)
     select p.id, n.canonical_name, $3, $2::timestamptz
       from projects p
       join partner_normalization n on n.raw_key = lower(btrim(p.delivery_partner))
      where ($1::text is null or p.tenant_id = $1) and btrim(coalesce(p.delivery_partner, '')) <> ''
     on conflict (project_id, role) do update set org_name = excluded.org_name, updated_at = excluded.updated_at
      where org_memberships.org_name is distinct from excluded.org_name
     returning project_id`,
    [tenantId, at, MEMBERSHIP_ROLES.deliveryPartner],
  );
  // RM: a preferred-username match wins over a display-name match; ties go to the smallest username.
  const users = await query(
    `insert into user_memberships (project_id, role, username, updated_at)
     select project_id, role, username, $2::timestamptz from (
       (select p.id as project_id, $3::text as role, d.preferred_username as username
         from projects p
         join ds_directory d on d.preferred_username = btrim(p.deployment_specialist) and d.active
        where ($1::text is null or p.tenant_id = $1))
       union all
       (select distinct on (p.id) p.id, $4::text, r.preferred_username
         from projects p
         join rm_directory r on r.active
          and (r.preferred_username = btrim(p.rm_preferred_username) or r.display_name = btrim(p.relationship_manager))
        where ($1::text is null or p.tenant_id = $1)
        order by p.id, (r.preferred_username = btrim(p.rm_preferred_username)) desc nulls last, r.preferred_username)
     ) wanted
     on conflict (project_id, role) do update set username = excluded.username, updated_at = excluded.updated_at
      where user_memberships.username is distinct from excluded.username
     returning project_id`,
    [tenantId, at, MEMBERSHIP_ROLES.ds, MEMBERSHIP_ROLES.rm],
  );
  return {
    projectsScanned: scanned?.n ?? 0,
    orgMembershipsUpserted: org.length,
    userMembershipsUpserted: users.length,
  };
}

/**
 * The operator's backfill: materialise memberships and write the audit row in one transaction. A
 * tenant that does not exist is refused rather than reported as "0 changed".
 */
export async function backfillMemberships(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { tenantId?: string | null },
): Promise<AdminOutcome<BackfillCounts>> {
  const at = clock.now();
  const tenantId = input.tenantId?.trim() || null;
  if (tenantId !== null) {
    const [tenant] = await database.query("select 1 from tenants where id = $1", [tenantId]);
    if (tenant === undefined) {
      return refused(
        ["input", "tenantId"],
        "UNKNOWN_TENANT",
        `No tenant "${tenantId}"; leave tenantId out to backfill every tenant.`,
      );
    }
  }
  const counts = await database.transaction(async (query) => {
    const counts = await materialiseMemberships(query, at, tenantId);
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "backfillMemberships",
      target: tenantId ?? "all tenants",
      outcome: "OK",
      after: counts,
    });
    return counts;
  });
  return { ok: true, value: counts };
}
