import { fromPglite, PgBoss } from "pg-boss";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import { recordJobRun } from "./jobRuns";
import {
  loadPrecomputePolicy,
  type PlannedRelease,
  planMissingReleases,
  releaseJobKey,
} from "./precompute/planReleases";
import type { PrecomputeDependencies } from "./precompute/precomputeRelease";
import { RELEASE_JOB_NAME, runRecordedRelease } from "./precompute/runReleases";

export const PRECOMPUTE_TICK_QUEUE = "outside_buyer_precompute_v1_hourly";
export const PRECOMPUTE_RELEASE_QUEUE = "precompute_release";

interface ReleaseJobData {
  granularity: PlannedRelease["granularity"];
  bucketStart: string;
  geoType: PlannedRelease["geoType"];
}

export interface Scheduler {
  boss: PgBoss;
  /** Plans and enqueues the missing releases now (what the hourly tick does). */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * pg-boss on either backend: an hourly cron tick reads the timing policy (so operators change the
 * cadence without a restart) and enqueues missing releases; workers compute them one bucket at a
 * time (stately queue keyed by bucket, plus the release's advisory lock).
 */
export async function startScheduler(deps: PrecomputeDependencies & { logger: Logger }): Promise<Scheduler> {
  const { database, logger } = deps;
  const boss = new PgBoss(bossOptions(database));
  boss.on("error", (error) => logger.error({ err: error.message }, "pg-boss error"));
  await boss.start();
  await boss.createQueue(PRECOMPUTE_TICK_QUEUE);
  await boss.createQueue(PRECOMPUTE_RELEASE_QUEUE, { policy: "stately", retryLimit: 2, retryDelay: 60 });
  await boss.schedule(PRECOMPUTE_TICK_QUEUE, "0 * * * *", {}, { tz: "UTC" });

  const tick = async (): Promise<number> => {
    const result = await recordJobRun(
      database,
      { name: PRECOMPUTE_TICK_QUEUE, now: () => deps.clock.now() },
      async () => {
        const policy = await loadPrecomputePolicy(database);
        const planned = await planMissingReleases(database, deps.clock.now(), policy);
        for (const release of planned) {
          await boss.send(
            PRECOMPUTE_RELEASE_QUEUE,
            { ...release, bucketStart: release.bucketStart.toISOString() } satisfies ReleaseJobData,
            { singletonKey: releaseJobKey(release) },
          );
        }
        return { outcome: policy.enabled ? "enqueued" : "disabled", rows: planned.length };
      },
    );
    return result.rows ?? 0;
  };

  await boss.work(PRECOMPUTE_TICK_QUEUE, async () => {
    await tick();
  });
  await boss.work<ReleaseJobData>(PRECOMPUTE_RELEASE_QUEUE, { batchSize: 1 }, async ([job]) => {
    if (job === undefined) return;
    const release = { ...job.data, bucketStart: new Date(job.data.bucketStart) };
    const result = await runRecordedRelease(deps, release, "scheduler");
    logger.info(
      { job: RELEASE_JOB_NAME, release: releaseJobKey(release), outcome: result.status },
      "precompute",
    );
  });

  return {
    boss,
    tick,
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}

function bossOptions(database: DatabaseHandle): ConstructorParameters<typeof PgBoss>[0] {
  if (database.kind === "pglite") {
    if (database.pglite === undefined) throw new Error("PGlite handle without its client");
    return { db: fromPglite(database.pglite), schema: "pgboss" };
  }
  return { connectionString: database.url ?? "", schema: "pgboss", max: 4 };
}
