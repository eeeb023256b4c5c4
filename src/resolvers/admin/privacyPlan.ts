import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import type { TimeGranularity } from "../../db/schema/enums";
import type { AdminOutcome } from "../../errors";
import type { GeoBucketType } from "../../privacy/cellKey";
import {
  capProblems,
  levelOf,
  loadPrivacyCap,
  loadReleasePlan,
  type PlanEntry,
  type PrivacyCap,
  planEntryProblems,
  planOverCap,
  type SegmentDimension,
} from "../../privacy/releasePlan";

/**
 * Sets the participant-day cap (operators): never above the contract ceiling, never below the
 * plan's epsilon_day and delta_day (lower the plan first, so the plan always fits the cap). Days
 * already above a lowered cap simply get no further release. Audited in the same transaction.
 */
export async function setPrivacyCap(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: PrivacyCap,
): Promise<AdminOutcome<{ cap: PrivacyCap }>> {
  const problems = capProblems(input);
  if (problems.length > 0) return { ok: false, userErrors: problems };
  const at = clock.now();
  return database.transaction(async (query) => {
    await query("lock table privacy_cap, release_plan in share row exclusive mode");
    const before = await loadPrivacyCap(query);
    const overCap = planOverCap(await loadReleasePlan(query), input).map((problem) => ({
      ...problem,
      field: ["input", problem.field.at(-1) === "delta" ? "deltaCap" : "epsilonCap"],
    }));
    if (overCap.length > 0) return { ok: false, userErrors: overCap } as const;
    await query(
      `insert into privacy_cap (id, epsilon_cap, delta_cap, updated_at, updated_by) values (true, $1, $2, $3, $4)
       on conflict (id) do update set epsilon_cap = excluded.epsilon_cap, delta_cap = excluded.delta_cap,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [input.epsilonCap, input.deltaCap, at, actor.actor],
    );
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "setPrivacyCap",
      target: "privacy_cap",
      outcome: "OK",
      before,
      after: input,
    });
    return { ok: true, value: { cap: input } } as const;
  });
}

/** A plan entry as operators name it: its level by the dimensions it keeps. */
export interface PlanEntryInput {
  granularity: TimeGranularity;
  geoBucketType: GeoBucketType;
  breakdown: readonly SegmentDimension[];
  epsilon: number;
  delta: number;
  enabled: boolean;
}

/**
 * Adds or changes one release plan entry (operators). The entry is validated on its own, then the
 * whole plan with it must stay at or under the cap. Releases already made keep the epsilon they
 * were made with; the change applies to releases made from now on. Audited in the same transaction.
 */
export async function setReleasePlanEntry(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  { geoBucketType, breakdown, ...rest }: PlanEntryInput,
): Promise<AdminOutcome<{ plan: PlanEntry[] }>> {
  const input: PlanEntry = { ...rest, geoType: geoBucketType, level: levelOf([...breakdown]) };
  const problems = planEntryProblems(input);
  if (problems.length > 0) return { ok: false, userErrors: problems };
  const at = clock.now();
  return database.transaction(async (query) => {
    await query("lock table privacy_cap, release_plan in share row exclusive mode");
    const plan = await loadReleasePlan(query);
    const same = (entry: PlanEntry) =>
      entry.granularity === input.granularity &&
      entry.geoType === input.geoType &&
      entry.level === input.level;
    const before = plan.find(same) ?? null;
    const next = [...plan.filter((entry) => !same(entry)), input];
    const overCap = planOverCap(next, await loadPrivacyCap(query));
    if (overCap.length > 0) return { ok: false, userErrors: overCap } as const;
    await query(
      `insert into release_plan (granularity, geo_type, level, epsilon, delta, enabled, updated_at, updated_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (granularity, geo_type, level) do update set epsilon = excluded.epsilon, delta = excluded.delta,
         enabled = excluded.enabled, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [
        input.granularity,
        input.geoType,
        input.level,
        input.epsilon,
        input.delta,
        input.enabled,
        at,
        actor.actor,
      ],
    );
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "setReleasePlanEntry",
      target: `${input.granularity}/${input.geoType}/${input.level}`,
      outcome: "OK",
      before,
      after: input,
    });
    return { ok: true, value: { plan: await loadReleasePlan(query) } } as const;
  });
}
