import type { QueryFn } from "../../db/client";
import type { ProjectRow } from "./projectRows";

/** What one merge changed; memoized on the staging row and answered again on replays. */
export interface ImportMetrics {
  inserted_projects: number;
  updated_projects: number;
  org_memberships_upserted: number;
  user_memberships_upserted: number;
  anomalies_count: number;
  staging_id: string;
}

export interface MergeTarget {
  tenantId: string;
  stagingId: string;
  batchId: string;
  correlationId: string;
  at: Date;
}

/** At most this many characters of one row are kept with its anomaly (and never another row's). */
export const MAX_EXCERPT_CHARS = 500;

const RM_MATCH = `r.active and (r.display_name = i.relationship_manager
  or r.preferred_username = nullif(i.rm_preferred_username, '') or r.preferred_username = i.relationship_manager)`;

// One statement: unnest turns the parallel arrays into a relation once, and data-modifying CTEs
// upsert projects, memberships and anomalies from it (foreign keys are checked at statement end).
const MERGE = `with input as (
  select * from unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::text[], $10::int[], $11::int[], $12::int[], $13::int[])
    as r(row_index, stage_application, delivery_partner, developer_class, relationship_manager,
      rm_preferred_username, deployment_specialist, stage_application_created, residential, commercial,
      essential, premises_count)
),
upserted as (
  insert into projects (tenant_id, stage_application, delivery_partner, developer_class, relationship_manager,
    rm_preferred_username, deployment_specialist, residential, commercial, essential, premises_count,
    stage_application_created, last_staging_id, created_at, updated_at)
  select $1, stage_application, nullif(delivery_partner, ''), nullif(developer_class, ''),
    nullif(relationship_manager, ''), nullif(rm_preferred_username, ''), nullif(deployment_specialist, ''),
    residential, commercial, essential, premises_count, nullif(stage_application_created, '')::date,
    $14::uuid, $15::timestamptz, $15::timestamptz
  from input
  on conflict (tenant_id, stage_application) do update set
    delivery_partner = excluded.delivery_partner, developer_class = excluded.developer_class,
    relationship_manager = excluded.relationship_manager, rm_preferred_username = excluded.rm_preferred_username,
    deployment_specialist = excluded.deployment_specialist, residential = excluded.residential,
    commercial = excluded.commercial, essential = excluded.essential, premises_count = excluded.premises_count,
    stage_application_created = excluded.stage_application_created, last_staging_id = excluded.last_staging_id,
    updated_at = excluded.updated_at
  returning id as project_id, (xmax = 0) as inserted, delivery_partner, relationship_manager, rm_preferred_username,
    deployment_specialist
),
-- The upsert's own RETURNING carries the row's values on (null for blanks): no join back to the input.
projected as (select * from upserted),
org as (
  insert into org_memberships (project_id, org_name, role, updated_at)
  select p.project_id, n.canonical_name, 'DELIVERY_PARTNER', $15::timestamptz
  from projected p join partner_normalization n on n.raw_key = lower(p.delivery_partner)
  where p.delivery_partner is not null
  on conflict (project_id, role) do update set org_name = excluded.org_name, updated_at = excluded.updated_at
    where org_memberships.org_name is distinct from excluded.org_name
  returning 1
),
ds as (
  select p.project_id, 'DS' as role, d.preferred_username as username
  from projected p join ds_directory d on d.preferred_username = p.deployment_specialist and d.active
  where p.deployment_specialist is not null
),
rm as (
  select distinct on (i.project_id) i.project_id, 'RM' as role, r.preferred_username as username
  from projected i join rm_directory r on ${RM_MATCH}
  order by i.project_id, coalesce(r.preferred_username = i.rm_preferred_username, false) desc, r.preferred_username
),
users as (
  insert into user_memberships (project_id, role, username, updated_at)
  select project_id, role, username, $15::timestamptz from (select * from ds union all select * from rm) m
  on conflict (project_id, role) do update set username = excluded.username, updated_at = excluded.updated_at
    where user_memberships.username is distinct from excluded.username
  returning 1
),
found as (
  select i.row_index, i.stage_application, 'UNKNOWN_DELIVERY_PARTNER' as anomaly_type, 'warning'::severity as severity, i
  from input i
  where i.delivery_partner <> ''
    and not exists (select 1 from partner_normalization n where n.raw_key = lower(i.delivery_partner))
  union all
  select i.row_index, i.stage_application, 'UNKNOWN_DS', 'error'::severity, i
  from input i
  where i.deployment_specialist <> ''
    and not exists (select 1 from ds_directory d where d.preferred_username = i.deployment_specialist and d.active)
  union all
  select i.row_index, i.stage_application, 'UNKNOWN_RM', 'error'::severity, i
  from input i
  where (i.relationship_manager <> '' or i.rm_preferred_username <> '')
    and not exists (select 1 from rm_directory r where ${RM_MATCH})
),
recorded as (
  insert into import_anomalies (tenant_id, staging_id, batch_id, row_index, project_key, anomaly_type, severity,
    correlation_id, payload_excerpt, created_at)
  select $1, $14::uuid, $16::uuid, f.row_index, f.stage_application, f.anomaly_type, f.severity, $17::uuid,
    -- The excerpt is built from this row only, here, so only anomalous rows pay for it.
    left(json_build_object('stage_application', (f.i).stage_application, 'delivery_partner', (f.i).delivery_partner,
      'developer_class', (f.i).developer_class, 'relationship_manager', (f.i).relationship_manager,
      'rm_preferred_username', (f.i).rm_preferred_username, 'deployment_specialist', (f.i).deployment_specialist,
      'residential', (f.i).residential, 'commercial', (f.i).commercial, 'essential', (f.i).essential,
      'premises_count', (f.i).premises_count, 'stage_application_created', (f.i).stage_application_created)::text,
      ${MAX_EXCERPT_CHARS}),
    $15::timestamptz
  from found f
  returning 1
)
select (select count(*) from upserted where inserted)::int as inserted_projects,
  (select count(*) from upserted where not inserted)::int as updated_projects,
  (select count(*) from org)::int as org_memberships_upserted,
  (select count(*) from users)::int as user_memberships_upserted,
  (select count(*) from recorded)::int as anomalies_count`;

/**
 * Merges a validated batch inside the caller's transaction: projects, memberships via partner
 * normalization and the directories, and one anomaly per unknown partner, DS or RM of a row.
 */
export async function mergeBatch(
  query: QueryFn,
  target: MergeTarget,
  rows: readonly ProjectRow[],
): Promise<ImportMetrics> {
  const params = [
    target.tenantId,
    rows.map((_row, index) => index),
    rows.map((row) => row.stage_application),
    rows.map((row) => row.delivery_partner),
    rows.map((row) => row.developer_class),
    rows.map((row) => row.relationship_manager),
    rows.map((row) => row.rm_preferred_username),
    rows.map((row) => row.deployment_specialist),
    rows.map((row) => row.stage_application_created),
    rows.map((row) => row.residential),
    rows.map((row) => row.commercial),
    rows.map((row) => row.essential),
    rows.map((row) => row.premises_count),
    target.stagingId,
    target.at,
    target.batchId,
    target.correlationId,
  ];
  const [counts] = await query<Omit<ImportMetrics, "staging_id">>(MERGE, params);
  if (counts === undefined) throw new Error("the merge statement returned no counts");
  return { ...counts, staging_id: target.stagingId };
}
