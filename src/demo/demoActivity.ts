import pino from "pino";
import { createApp } from "../app";
import { execute, type OpsEndpoint, OpsRequestError } from "../client/opsClient";
import { type Clock, fixedClock } from "../clock";
import type { Config } from "../config";
import type { DatabaseHandle } from "../db/client";
import {
  DemoImportProjectsDocument,
  DemoInsightsDocument,
  DemoQuoteInsightsDocument,
  type InsightsFilter,
  OpsIssueApiKeyDocument,
  OpsRunMonitorsDocument,
  OpsSetBuyerBudgetDocument,
} from "../generated/graphql/graphql";
import { BUCKET_MS, bucketStartOf } from "../privacy/buckets";
import type { DemoKey } from "./demoKeys";

export const DEMO_ACTIVITY_JOB = "demo-activity";
/** Days of simulated history before today's burst. */
const HISTORY_DAYS = 14;
const HOUR_MS = 3_600_000;
const DAY_MS = BUCKET_MS.day;
const DAY_DELAY_MS = 72 * HOUR_MS;
const HOUR_DELAY_MS = 168 * HOUR_MS;
const CATEGORIES = [
  "COFFEE",
  "MUSIC",
  "SPORTS",
  "ART",
  "FOOD",
  "OUTDOOR",
  "TECH",
  "COMMUNITY",
  "OTHER",
] as const;
/** A third buyer probes this many distinct shapes today, past its daily quota: the intersection-attack signal. */
const PROBE_SHAPES = 45;
const PROBE_QUOTA = 30;

export interface DemoActivitySummary {
  requests: number;
  refused: Record<string, number>;
  firedMonitors: number;
  proposedActions: number;
  seconds: number;
}

/**
 * Demo mode only, once: a fortnight of what the ops views exist to show, sent through the real API
 * (keys, policy, budgets, request logs, audit chain) by simulated clients on a replayed clock. An
 * operator issues two more buyer keys and sets budgets; three buyers read insights daily (and
 * sometimes break a rule); the tenant imports batches with unknown directory entries; today one
 * buyer probes many distinct query shapes; then the monitors run, so the feed and the action
 * ledger have something to act on.
 */
export async function runDemoActivity(
  database: DatabaseHandle,
  config: Config,
  clock: Clock,
  keys: DemoKey[],
  out: NodeJS.WritableStream = process.stderr,
): Promise<DemoActivitySummary | undefined> {
  const [earlier] = await database.query<{ outcome: string }>(
    "select outcome from job_runs where job_name = $1 order by started_at desc limit 1",
    [DEMO_ACTIVITY_JOB],
  );
  if (earlier?.outcome === "completed") {
    out.write("demo activity: already in place\n");
    return undefined;
  }
  if (earlier !== undefined) {
    // What an interrupted attempt sent is committed; repeating it would duplicate keys and traffic.
    out.write(
      `demo activity: an earlier attempt did not finish (${earlier.outcome}); not repeated, so nothing is sent twice (delete the data folder to start over)\n`,
    );
    return undefined;
  }
  const startedAt = performance.now();
  const now = clock.now();
  const [run] = await database.query<{ id: string }>(
    "insert into job_runs (job_name, started_at, outcome) values ($1, $2, 'running') returning id::text as id",
    [DEMO_ACTIVITY_JOB, now],
  );
  let summary: DemoActivitySummary;
  try {
    summary = await simulate(database, config, now, keys);
  } catch (error) {
    // Recorded as failed (later starts do not repeat it); the caller decides whether that is fatal.
    await database
      .query("update job_runs set finished_at = $2, outcome = 'failed', error = $3 where id = $1", [
        run?.id,
        clock.now(),
        (error instanceof Error ? error.message : String(error)).slice(0, 2000),
      ])
      .catch(() => {});
    throw error;
  }
  summary.seconds = (performance.now() - startedAt) / 1000;
  await database.query(
    "update job_runs set finished_at = $2, outcome = 'completed', rows = $3, details = $4 where id = $1",
    [run?.id, clock.now(), summary.requests, JSON.stringify(summary)],
  );
  const refused = Object.entries(summary.refused)
    .map(([code, count]) => `${count} ${code}`)
    .join(", ");
  out.write(
    `demo activity: ${summary.requests} API requests over ${HISTORY_DAYS} days by 3 buyers, the tenant and the operator (refused: ${refused || "none"}); ${summary.firedMonitors} monitor signals, ${summary.proposedActions} actions awaiting approval; ${summary.seconds.toFixed(1)}s\n`,
  );
  return summary;
}

/** The simulated fortnight itself, through the app on a replayed clock that ends at `now`. */
async function simulate(
  database: DatabaseHandle,
  config: Config,
  now: Date,
  keys: DemoKey[],
): Promise<DemoActivitySummary> {
  const replay = fixedClock(now);
  const app = createApp({ database: database, config, clock: replay, logger: pino({ level: "silent" }) });
  const appFetch = (url: string, init: RequestInit) => Promise.resolve(app.fetch(url, init));
  const endpoint = (key: string): OpsEndpoint => ({ url: "http://demo/graphql", key, fetch: appFetch });
  const keyOf = (role: DemoKey["role"]) => {
    const key = keys.find((candidate) => candidate.role === role);
    if (key === undefined) throw new Error(`no demo ${role} key`);
    return endpoint(key.apiKey);
  };
  const operator = keyOf("operator");
  const demoBuyer = keyOf("buyer");
  const tenant = keyOf("tenant");
  const summary: DemoActivitySummary = {
    requests: 0,
    refused: {},
    firedMonitors: 0,
    proposedActions: 0,
    seconds: 0,
  };
  /** Sends one request; a refusal is counted by its code, as the ops views will show it. */
  const send = async <Result>(work: () => Promise<Result>): Promise<Result | undefined> => {
    summary.requests++;
    try {
      return await work();
    } catch (error) {
      const code = error instanceof OpsRequestError ? error.code : "ERROR";
      summary.refused[code] = (summary.refused[code] ?? 0) + 1;
      return undefined;
    }
  };

  const cities = (
    await database.query<{ code: string }>("select code from city_definitions order by code")
  ).map((row) => row.code);
  const busiest = ["us-nyc", "gb-lon"].filter((code) => cities.includes(code));
  const geohashes = (
    await database.query<{ geohash3: string }>(
      "select geohash3 from city_geohash3_map where city_code = $1 order by geohash3 limit 5",
      [busiest[0] ?? cities[0] ?? ""],
    )
  ).map((row) => row.geohash3);
  const firstDay = new Date(bucketStartOf("day", now).getTime() - HISTORY_DAYS * DAY_MS);

  // The printed demo keys were issued a moment ago, but the story uses them from its first day:
  // date them there, so that no key shows a use before its creation.
  await database.query("update api_keys set created_at = $1 where created_by = 'demo' and created_at > $1", [
    firstDay,
  ]);
  // Day one: the operator onboards two more buyers and sets their budgets.
  replay.set(new Date(firstDay.getTime() + 8 * HOUR_MS));
  const issue = async (name: string, partnerId: string) => {
    const result = await send(() =>
      execute(operator, OpsIssueApiKeyDocument, { input: { role: "BUYER", name, partnerId } }),
    );
    const apiKey = result?.issueApiKey.apiKey;
    if (!apiKey) throw new Error(`demo activity: could not issue the ${name} key`);
    return endpoint(apiKey);
  };
  const acme = await issue("acme-analytics", "outside_buyer_acme");
  const globex = await issue("globex-research", "outside_buyer_globex");
  // The printed demo buyer key keeps most of its budget for whoever tries it next.
  for (const [partnerId, epsilonLimit, dailyQueryLimit] of [
    ["outside_buyer_demo", 60, 50],
    ["outside_buyer_acme", 40, 50],
    ["outside_buyer_globex", 12, PROBE_QUOTA],
  ] as const) {
    await send(() =>
      execute(operator, OpsSetBuyerBudgetDocument, { input: { partnerId, epsilonLimit, dailyQueryLimit } }),
    );
  }

  const insights = (who: OpsEndpoint, filter: InsightsFilter) =>
    send(() => execute(who, DemoInsightsDocument, { filter, first: 200 }));
  /** The newest `days` DAY buckets a buyer may read at `at` (the 72 h delay). */
  const dayRange = (at: Date, days: number, extra: Partial<InsightsFilter> = {}): InsightsFilter => {
    const end = bucketStartOf("day", new Date(at.getTime() - DAY_DELAY_MS));
    return {
      granularity: "DAY",
      timeBucketStartUtc: new Date(end.getTime() - days * DAY_MS).toISOString(),
      timeBucketEndUtc: end.toISOString(),
      ...extra,
    };
  };

  for (let day = 0; day < HISTORY_DAYS; day++) {
    const dayStart = new Date(firstDay.getTime() + day * DAY_MS);
    // The replayed clock only moves forward through the day.
    const at = (hours: number) => {
      replay.set(new Date(dayStart.getTime() + hours * HOUR_MS));
      return replay.now();
    };
    // The demo buyer's morning report: a quote, then last week by city for two categories.
    const report = dayRange(at(9), 7, { categories: ["COFFEE", "FOOD"] });
    await send(() => execute(demoBuyer, DemoQuoteInsightsDocument, { filter: report }));
    await insights(demoBuyer, report);
    // Weekly trend for the two busiest cities.
    const weekEnd = bucketStartOf("week", new Date(at(11).getTime() - DAY_DELAY_MS));
    await insights(demoBuyer, {
      granularity: "WEEK",
      timeBucketStartUtc: new Date(weekEnd.getTime() - 4 * BUCKET_MS.week).toISOString(),
      timeBucketEndUtc: weekEnd.toISOString(),
      geoBucketIds: busiest,
    });
    // Rules broken now and then: a range too long, one too recent, a geo type HOUR does not release.
    if (day === 3) await insights(acme, dayRange(at(12), 120));
    // Acme: a fortnight of geohash3 cells in one city, and a few hours of a week ago by the hour.
    await insights(acme, dayRange(at(14), 14, { geoBucketType: "GEOHASH3", geoBucketIds: geohashes }));
    const hourEnd = bucketStartOf("hour", new Date(at(15).getTime() - HOUR_DELAY_MS));
    await insights(acme, {
      granularity: "HOUR",
      timeBucketStartUtc: new Date(hourEnd.getTime() - 4 * HOUR_MS).toISOString(),
      timeBucketEndUtc: hourEnd.toISOString(),
      geoBucketIds: busiest.slice(0, 1),
      // HOUR is released as city totals (the default plan): no segment filter reads the TOTAL level.
    });
    if (day % 2 === 0) await insights(globex, dayRange(at(16), 3, { geoBucketIds: cities.slice(0, 3) }));
    if (day % 4 === 1) {
      const today = bucketStartOf("day", at(17));
      await insights(demoBuyer, {
        granularity: "DAY",
        timeBucketStartUtc: new Date(today.getTime() - 2 * DAY_MS).toISOString(),
        timeBucketEndUtc: today.toISOString(),
      });
    }
    if (day === 6) {
      at(18);
      await insights(globex, {
        granularity: "HOUR",
        timeBucketStartUtc: new Date(hourEnd.getTime() - 2 * HOUR_MS).toISOString(),
        timeBucketEndUtc: hourEnd.toISOString(),
        geoBucketType: "GEOHASH3",
        geoBucketIds: geohashes.slice(0, 1),
      });
    }
    if (day === HISTORY_DAYS - 5) {
      at(19);
      await send(() => importBatch(tenant, "crm-export", `demo-batch-${day}`, 12, 3, 1, 0));
    }
  }

  // Today: a burst of new shapes from one buyer, and a batch full of unknown names from the tenant.
  const today = todaySchedule(now, PROBE_SHAPES);
  for (const [shape, at] of today.probes.entries()) {
    replay.set(at);
    await insights(
      globex,
      dayRange(replay.now(), 7, {
        geoBucketIds: [cities[shape % cities.length] ?? "us-nyc"],
        categories: [CATEGORIES[Math.floor(shape / cities.length) % CATEGORIES.length] ?? "OTHER"],
      }),
    );
  }
  replay.set(today.importAt);
  await send(() => importBatch(tenant, "crm-export", "demo-batch-today", 8, 1, 3, 3));
  replay.set(now);
  // The monitors read request_logs: every row of the fortnight is written before they run.
  await app.requestLog.flush();
  const monitors = await send(() => execute(operator, OpsRunMonitorsDocument, {}));
  summary.firedMonitors = monitors?.runMonitors.fired ?? 0;
  summary.proposedActions = monitors?.runMonitors.proposedActions ?? 0;
  // The replayed uses go to last_used_at now rather than at the app's next flush, the last log rows too.
  await app.shutdown();

  return summary;
}

/**
 * When today's probes and import happen: in the last 20 minutes but never before today's UTC
 * midnight, so the probes count against one day's quota; in order, none after `now`.
 */
export function todaySchedule(now: Date, probes: number): { probes: Date[]; importAt: Date } {
  const start = Math.max(now.getTime() - 20 * 60_000, bucketStartOf("day", now).getTime());
  const step = Math.min(10_000, (now.getTime() - start) / (probes + 2));
  return {
    probes: Array.from({ length: probes }, (_, index) => new Date(Math.floor(start + index * step))),
    importAt: new Date(Math.floor(start + (probes + 1) * step)),
  };
}

/**
 * A tenant batch of `rows` projects: `unknownPartners` rows name a delivery partner nobody
 * normalised (warnings), `unknownDs` and `unknownRm` rows name people missing from the directories
 * (errors); the rest match the directories the demo seeds.
 */
function importBatch(
  tenant: OpsEndpoint,
  source: string,
  batchId: string,
  rows: number,
  unknownPartners: number,
  unknownDs: number,
  unknownRm: number,
) {
  return execute(tenant, DemoImportProjectsDocument, {
    input: {
      source,
      batchId,
      rows: Array.from({ length: rows }, (_, index) => ({
        stageApplication: `STG-${batchId}-${String(index + 1).padStart(4, "0")}`,
        deliveryPartner: index < unknownPartners ? `Partner ${index + 1} Pty` : "fulton hogan",
        developerClass: "Class 2",
        deploymentSpecialist: index < unknownDs ? `ds.unknown${index + 1}` : "PREFERRED_USERNAME",
        relationshipManager: index < unknownRm ? `Unknown Manager ${index + 1}` : "first.last",
        residential: String(10 + index),
        commercial: String(index % 3),
        essential: "1",
        stageApplicationCreated: "2026-06-01",
      })),
    },
  });
}
