import { CONTRACT_CAP, DEFAULT_RELEASE_PLAN } from "../privacy/releasePlan";
import { CONTRACT_RELEASE_PROFILES } from "../privacy/releaseProfiles";
import type { DatabaseHandle } from "./client";
import { monitors } from "./schema/ops";
import { privacyCap, releasePlan, releaseProfiles, timingPolicies } from "./schema/releases";
import { defaultTimingPolicyRows } from "./timingPolicyRegistry";

/**
 * Built-in monitors (the incident signals of the runbook). Each check is one read-only SELECT
 * returning a numeric `value` and optionally a `target` (one row per target); $1 is the window
 * start and current_setting('monitor.now') the run's instant. Operators may disable or retune them.
 */
export const BUILTIN_MONITORS: Array<typeof monitors.$inferInsert> = [
  {
    name: "buyer_fingerprint_growth",
    description: "A buyer used many distinct query shapes in the window: the intersection-attack signal.",
    sql: `select partner_id as target, count(distinct fingerprint)::float8 as value
from query_fingerprints where first_seen_at >= $1::timestamptz group by partner_id`,
    threshold: 30,
    windowMinutes: 1440,
    severity: "error",
    builtin: true,
    proposesAction: "revoke_buyer_keys",
  },
  {
    name: "buyer_budget_refusals",
    description: "A buyer was refused with QUERY_BUDGET_EXCEEDED many times in the window.",
    sql: `select partner_id as target, count(*)::float8 as value
from request_logs where at >= $1::timestamptz and outcome_code = 'QUERY_BUDGET_EXCEEDED' and partner_id is not null
group by partner_id`,
    threshold: 10,
    windowMinutes: 60,
    severity: "warning",
    builtin: true,
    proposesAction: "revoke_buyer_keys",
  },
  {
    name: "buyer_budget_burn",
    description:
      "A buyer spent epsilon in the window this many times faster than an even spend of its limit over its budget window.",
    sql: `select c.partner_id as target,
  sum(c.epsilon) / nullif(b.epsilon_limit / b.window_days * current_setting('monitor.window_minutes')::float8 / 1440, 0) as value
from budget_charges c join buyer_budgets b on b.partner_id = c.partner_id
where c.charged_at >= $1::timestamptz
group by c.partner_id, b.epsilon_limit, b.window_days`,
    threshold: 20,
    windowMinutes: 60,
    severity: "warning",
    builtin: true,
    proposesAction: "revoke_buyer_keys",
  },
  {
    name: "import_anomaly_spike",
    description:
      "A tenant's imports raised >= 5 anomalies or >= 2 errors in the last hour (value: the larger of count/5 and errors/2).",
    sql: `select tenant_id as target,
  greatest(count(*) / 5.0, count(*) filter (where severity = 'error') / 2.0)::float8 as value
from import_anomalies where created_at >= $1::timestamptz group by tenant_id`,
    threshold: 1,
    windowMinutes: 60,
    severity: "warning",
    builtin: true,
    proposesAction: null,
  },
  {
    name: "database_connections",
    description:
      "Client connections running a statement (pg_stat_activity, sampled before each monitors run) reached the threshold: the connection pool is close to exhaustion (the 003 seed warns at 150 active). ops.databaseHealth shows the states and the longest-running statements.",
    sql: `select 'active_connections' as target, active::float8 as value
from database_health_samples where sampled_at >= $1::timestamptz
order by sampled_at desc limit 1`,
    threshold: 150,
    windowMinutes: 15,
    severity: "warning",
    builtin: true,
    proposesAction: null,
  },
  {
    name: "stale_precompute",
    description:
      "The newest DAY release lags its expected cadence (reporting delay + two buckets) by more than ops_monitors_v1.stale_margin_hours (value: hours beyond that).",
    sql: `select 'day' as target,
  extract(epoch from (current_setting('monitor.now')::timestamptz - max(r.bucket_end))) / 3600
    - p.reporting_delay_hours - 48
    - coalesce((select (payload->>'stale_margin_hours')::float8 from timing_policies where policy_key = 'ops_monitors_v1'), 3)
    as value
from releases r join release_profiles p on p.granularity = r.granularity
where r.current and r.granularity = 'day'
group by p.reporting_delay_hours`,
    threshold: 0,
    windowMinutes: 60,
    severity: "warning",
    builtin: true,
    proposesAction: null,
  },
];

/**
 * Rows every database needs before it serves: the contract release profiles, the default release
 * plan and the participant-day cap (the contract ceiling), and the default timing policies. Existing rows are left as operators set them.
 */
export async function ensureReferenceData(database: DatabaseHandle): Promise<void> {
  // Typed inserts of the constant rows above: the one place (with the demo seed) drizzle's builder writes.
  const { db } = database;
  await db
    .insert(releaseProfiles)
    .values(Object.values(CONTRACT_RELEASE_PROFILES))
    .onConflictDoNothing({ target: releaseProfiles.granularity });
  // The plan and the cap are seeded once; operators edit them (within the cap) from then on.
  const [planned] = await db.select({ granularity: releasePlan.granularity }).from(releasePlan).limit(1);
  if (planned === undefined)
    await db
      .insert(releasePlan)
      .values([...DEFAULT_RELEASE_PLAN])
      .onConflictDoNothing();
  await db
    .insert(privacyCap)
    .values({
      id: true,
      epsilonCap: CONTRACT_CAP.epsilon,
      deltaCap: CONTRACT_CAP.delta,
      updatedBy: "default",
    })
    .onConflictDoNothing({ target: privacyCap.id });
  await db.insert(timingPolicies).values(defaultTimingPolicyRows()).onConflictDoNothing({
    target: timingPolicies.policyKey,
  });
  await db.insert(monitors).values(BUILTIN_MONITORS).onConflictDoNothing({ target: monitors.name });
}
