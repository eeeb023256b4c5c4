import type { DatabaseHandle } from "../db/client";
import { readableLevel } from "../insights/breakdownLevel";
import type { InsightsFilter } from "../insights/insightsFilter";
import { validateInsightsFilter } from "../insights/insightsFilter";
import { currentReleases, decodeCursor, type ReleaseRef } from "../insights/readInsights";
import type { ReleaseProfile } from "../privacy/releaseParameters";
import type { PlanEntry, ReleaseLevel } from "../privacy/releasePlan";
import { assertWithinBounds } from "./bounds";
import type { ReleaseSettings } from "./releaseSettings";

/** What the policy decided for one insights selection, before anything is counted or charged. */
export interface SelectionDecision {
  /** The buckets of the range. */
  buckets: Date[];
  profile: ReleaseProfile;
  plan: readonly PlanEntry[];
  /** The breakdown level the filter reads (in the plan, filtering only on the dimensions it keeps). */
  level: ReleaseLevel;
  /** The current releases of the range at that level: what reading it costs (per family). */
  releases: ReleaseRef[];
  /** Buckets of the range without a release yet. */
  missingBuckets: Date[];
}

/**
 * The one decision behind a buyer's `insights` selection and its quote: the filter is valid for
 * the page size, within the profile's bounds (delay, range, geo buckets), at a level of the plan,
 * the cursor (if any) one of that level, and the releases it would read. Everything that can refuse
 * runs here, before any charge, so a refusal never costs anything; the charge (chargeBuyer) and the
 * quote (quoteBuyer) price the same releases.
 */
export async function decideSelection(
  deps: { database: DatabaseHandle; settings: ReleaseSettings },
  filter: InsightsFilter,
  page: { first: number; after?: unknown },
  now: Date,
): Promise<SelectionDecision> {
  const buckets = validateInsightsFilter(filter, page.first);
  const profile = await deps.settings.profile(filter.granularity);
  assertWithinBounds(filter, profile, now);
  const plan = await deps.settings.plan();
  const level = readableLevel(filter, plan);
  // A bad cursor (or one of another level) is refused here, before anything is charged.
  if (typeof page.after === "string") decodeCursor(page.after, level);
  const { releases, missingBuckets } = await currentReleases(deps.database, filter, level, buckets);
  return { buckets, profile, plan, level, releases, missingBuckets };
}

/**
 * What the releases cost a buyer, by family: an HOUR family costs its epsilon once, whichever of
 * its hours are read; each level is its own releases and families, so two levels cost both.
 */
export function familyCosts(releases: Iterable<ReleaseRef>): Array<{ releaseId: string; epsilon: number }> {
  const costs = new Map<string, number>();
  for (const release of releases) costs.set(release.familyId, release.epsilon);
  return [...costs].map(([releaseId, epsilon]) => ({ releaseId, epsilon }));
}
