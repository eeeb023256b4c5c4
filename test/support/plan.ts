import type { QueryFn } from "../../src/db/client";
import { DEFAULT_RELEASE_PLAN } from "../../src/privacy/releasePlan";

/** Releases the default plan makes per bucket of a granularity (every enabled geo type and level). */
export function plannedPerBucket(granularity: "hour" | "day" | "week"): number {
  return DEFAULT_RELEASE_PLAN.filter((entry) => entry.enabled && entry.granularity === granularity).length;
}

/**
 * Leaves only the FULL entries of the stored plan, for tests about scheduling and jobs rather than
 * levels: one release per bucket and geo type, as before roll-ups.
 */
export async function keepOnlyFullLevels(query: QueryFn): Promise<void> {
  await query("delete from release_plan where level <> 'full'");
}
