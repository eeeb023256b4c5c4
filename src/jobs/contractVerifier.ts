import type { AdminActor, AdminDeps } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import type { DatabaseHandle, QueryFn } from "../db/client";
import { columnsOf } from "../db/rows";
import { type ContractCheck, contractViolations } from "../db/schema/contractViolations";
import { MAX_SAMPLE_RECORDS, MAX_WINDOW_DAYS, type TimingPolicyKey } from "../db/timingPolicyRegistry";
import type { AdminOutcome, UserError } from "../errors";
import {
  type CanonicalRecord,
  canonicalRecord,
  DATASET,
  type ExportedCell,
  SCHEMA_VERSION,
} from "../insights/exportRecord";
import { createInsightLoaders } from "../insights/loaders";
import { DENIED_KEYS, findDeniedKeys } from "../policy/denyList";
import { cellAccuracy } from "../privacy/accuracy";
import { dayKey, ledgerDays } from "../privacy/participantDays";
import { buyerSuppressionReason } from "../privacy/releaseMechanism";
import { EPSILON_TOLERANCE, loadPrivacyCap } from "../privacy/releasePlan";
import { loadTimingPolicy } from "./timingPolicies";

/** The verifier's timing policy: when it runs, how far back, how many records it renders. */
export const CONTRACT_VERIFIER_POLICY_KEY = "contract_verifier_v1" satisfies TimingPolicyKey;
export const CONTRACT_VERIFIER_QUEUE = "contract_verifier_hourly";
/** The ops feed source of a violation's item. */
export const CONTRACT_VERIFIER_SOURCE = "contract_verifier";

/** The 001 contract's invariants the verifier re-checks, with what each one's count counts. */
export const CONTRACT_CHECKS = {
  released_below_k:
    "A served cell is released although its bounded true count of distinct participants is below k (the receipt's k-min, never below the contract's 100, HOUR 300). Count: cells.",
  suppression_cause_visible:
    "A cause of suppression a buyer could tell apart: a rendered export record whose suppressed_reason is not below_threshold (or not null when released), or a served released cell carrying a stored cause. Count: cells or records.",
  metric_on_suppressed:
    "A suppressed cell carries a metric (a stored estimate, or in its rendered export record a metric or margin). Count: cells or records.",
  geo_finer_than_city:
    "A geo bucket finer than city scale: a CITY_CODE id that is not a defined city (e.g. a locality), or a GEOHASH3 id that is not exactly 3 geohash characters. Count: cells.",
  denied_key:
    "A data-contract denied key (user_id, latitude, message, ... in any case style) in a stored buyer-visible value (geo bucket id, city name) or a rendered export record. Count: cells, records or names.",
  release_without_receipt: "A release has no receipt. Count: 1.",
  release_without_ledger:
    "A release family lacks a participant-day ledger row for a day it covers, or the row holds less epsilon than the release. Count: days.",
  day_over_cap:
    "A UTC day's ledger epsilon or delta is above the participant-day cap (days outside the guarantee excepted: they are published as such). Count: release families that day.",
} as const satisfies Record<ContractCheck, string>;

/** One finding of a run, before it is stored. */
export interface FoundViolation {
  check: ContractCheck;
  releaseId: string | null;
  subject: string;
  count: number;
  detail: string;
}

export type ContractViolationRow = typeof contractViolations.$inferSelect;

export interface VerifyOptions {
  windowDays: number;
  sampleRecords: number;
}

export interface VerificationResult extends VerifyOptions {
  windowStart: Date;
  checkedReleases: number;
  checkedCells: number;
  sampledRecords: number;
  checkedDays: number;
  /** Violations found by this run (new and still open). */
  found: number;
  /** Violations this run opened (each with an ops feed item). */
  newViolations: ContractViolationRow[];
  /** Violations this run found that were already open (updated, not duplicated). */
  stillOpen: number;
  /** Open violations whose subject this run re-checked and no longer found. */
  resolved: number;
}

const DAY_MS = 86_400_000;

// The deny list's normalisation: userId, user_id, USER-ID all read "userid".
const normalise = (value: string) => value.toLowerCase().replace(/[^a-z0-9]/g, "");
const DENIED = new Set(DENIED_KEYS.map(normalise));

/**
 * The denied keys a stored value names, in any case style, as a whole or as a run of its words
 * ("x-user-id", "userId" and "USER_ID" name user_id; "context" does not name text).
 */
export function deniedKeysInValue(value: string): string[] {
  const words = value
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "");
  const hits = new Set<string>();
  for (let start = 0; start < words.length; start++) {
    let joined = "";
    for (let end = start; end < words.length; end++) {
      joined += words[end];
      if (DENIED.has(joined)) hits.add(joined);
    }
  }
  if (DENIED.has(normalise(value))) hits.add(normalise(value));
  return [...hits];
}

const GEOHASH3 = /^[0-9b-hjkmnp-z]{3}$/;

/** What is wrong with one rendered export record, by check (empty when it keeps the contract). */
export function recordProblems(record: CanonicalRecord): Array<{ check: ContractCheck; problem: string }> {
  const problems: Array<{ check: ContractCheck; problem: string }> = [];
  const suppressed = record.privacy.suppressed;
  const reason = record.privacy.suppressed_reason;
  if (suppressed ? reason !== "below_threshold" : reason !== null) {
    problems.push({ check: "suppression_cause_visible", problem: `suppressed_reason ${String(reason)}` });
  }
  const metrics = Object.entries(record.metrics).filter(([, value]) => value !== null);
  if (suppressed && (metrics.length > 0 || record.accuracy !== null)) {
    const names = [...metrics.map(([name]) => name), ...(record.accuracy === null ? [] : ["accuracy"])];
    problems.push({ check: "metric_on_suppressed", problem: names.join(", ") });
  }
  const geo = record.geo_bucket;
  if (
    (geo.type !== "city_code" && geo.type !== "geohash3") ||
    (geo.type === "geohash3" && !GEOHASH3.test(geo.id))
  ) {
    problems.push({ check: "geo_finer_than_city", problem: `${geo.type} ${geo.id}` });
  }
  const denied = [...findDeniedKeys(record), ...stringLeaves(record).flatMap(deniedKeysInValue)];
  if (denied.length > 0) problems.push({ check: "denied_key", problem: [...new Set(denied)].join(", ") });
  return problems;
}

function stringLeaves(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(stringLeaves);
}

/** The releases a run re-checks: not retired, bucket or creation within the window. */
const WINDOW_RELEASES = `select r.* from releases r
  where r.retired_at is null and (r.bucket_start >= $1 or r.created_at >= $1)`;

/** The per-release cell counts that must be zero: the column counting them, its check, its detail. */
const CELL_CHECKS: ReadonlyArray<
  readonly ["metric" | "cause" | "geo", ContractCheck, (count: number) => string]
> = [
  ["metric", "metric_on_suppressed", (count) => `${count} suppressed cells with a stored estimate`],
  ["cause", "suppression_cause_visible", (count) => `${count} released cells carrying a suppression cause`],
  [
    "geo",
    "geo_finer_than_city",
    (count) => `${count} cells whose geo bucket is not a city code or a geohash3 cell`,
  ],
];

/**
 * Re-checks the window's releases against the contract, reading only (the findings are stored by
 * recordFindings): the served cells (current versions) as stored, the release receipts and the
 * participant-day ledger, and a sample of served cells rendered as the dataset export renders them.
 */
export async function findViolations(
  database: DatabaseHandle,
  options: VerifyOptions,
  now: Date,
): Promise<{
  found: FoundViolation[];
  windowStart: Date;
  windowReleaseIds: Set<string>;
  checkedDays: Set<string>;
  ledgerFrom: string;
  checkedCities: Set<string>;
  counts: { releases: number; cells: number; records: number; days: number };
}> {
  const windowStart = new Date(now.getTime() - options.windowDays * DAY_MS);
  const query = database.query;
  const found = new Map<string, FoundViolation>();
  const add = (violation: FoundViolation) => {
    const key = `${violation.check}|${violation.subject}`;
    const known = found.get(key);
    if (known === undefined) found.set(key, violation);
    else {
      known.count = Math.max(known.count, violation.count);
      known.detail = `${known.detail}; ${violation.detail}`;
    }
  };

  const releases = await query<{ id: string; current: boolean }>(
    `select id::text as id, current from (${WINDOW_RELEASES}) w`,
    [windowStart],
  );
  const windowReleaseIds = new Set(releases.map((release) => release.id));
  const [cellCount] = await query<{ n: number }>(
    `select count(*)::int as n from (${WINDOW_RELEASES}) r join insight_cells c on c.release_id = r.id where r.current`,
    [windowStart],
  );

  // Released cells under k: the bounded true count is stored beside each cell for this decision.
  for (const row of await query<{ release_id: string; n: number; lowest: number; k: number }>(
    `select r.id::text as release_id, count(*)::int as n, min(c.true_unique_participants)::int as lowest, k.k
     from (${WINDOW_RELEASES}) r
     join insight_cells c on c.release_id = r.id
     left join release_receipts rr on rr.release_id = r.id
     left join release_profiles p on p.granularity = r.granularity
     cross join lateral (select greatest(coalesce((rr.profile->>'kMin')::int, p.k_min, 0),
       case r.granularity when 'hour' then 300 else 100 end) as k) k
     where r.current and not c.suppressed and c.true_unique_participants < k.k
     group by r.id, k.k`,
    [windowStart],
  )) {
    add({
      check: "released_below_k",
      releaseId: row.release_id,
      subject: row.release_id,
      count: row.n,
      detail: `${row.n} released cells with a bounded true count below k ${row.k} (lowest ${row.lowest})`,
    });
  }

  for (const row of await query<{
    release_id: string;
    metric: number;
    cause: number;
    geo: number;
  }>(
    `select r.id::text as release_id,
       count(*) filter (where c.suppressed and (c.unique_participants_est is not null or c.doors_opened_est is not null
         or c.repeat_participants_est is not null or c.repeat_rate_est is not null))::int as metric,
       count(*) filter (where not c.suppressed and c.suppressed_reason is not null)::int as cause,
       count(*) filter (where (r.geo_type = 'geohash3' and c.geo_bucket_id !~ '^[0-9b-hjkmnp-z]{3}$')
         or (r.geo_type = 'city_code' and not exists (select 1 from city_definitions d where d.code = c.geo_bucket_id)))::int as geo
     from (${WINDOW_RELEASES}) r join insight_cells c on c.release_id = r.id
     where r.current
     group by r.id`,
    [windowStart],
  )) {
    for (const [column, check, detail] of CELL_CHECKS) {
      const count = row[column];
      if (count > 0)
        add({ check, releaseId: row.release_id, subject: row.release_id, count, detail: detail(count) });
    }
  }

  // Denied keys in the buyer-visible text of a cell: its geo bucket id, and the city name it reads.
  const geoIds = await query<{ release_id: string; geo_bucket_id: string; n: number }>(
    `select r.id::text as release_id, c.geo_bucket_id, count(*)::int as n
     from (${WINDOW_RELEASES}) r join insight_cells c on c.release_id = r.id
     where r.current group by r.id, c.geo_bucket_id`,
    [windowStart],
  );
  const deniedByRelease = new Map<string, { n: number; keys: Set<string> }>();
  for (const row of geoIds) {
    const keys = deniedKeysInValue(row.geo_bucket_id);
    if (keys.length === 0) continue;
    const entry = deniedByRelease.get(row.release_id) ?? { n: 0, keys: new Set<string>() };
    entry.n += row.n;
    for (const key of keys) entry.keys.add(key);
    deniedByRelease.set(row.release_id, entry);
  }
  for (const [releaseId, entry] of deniedByRelease) {
    add({
      check: "denied_key",
      releaseId,
      subject: releaseId,
      count: entry.n,
      detail: `${entry.n} cells whose geo bucket id names ${[...entry.keys].sort().join(", ")}`,
    });
  }
  const cities = await query<{ code: string; name: string }>(
    `select distinct d.code, d.name from city_definitions d
     where d.code in (select c.geo_bucket_id from (${WINDOW_RELEASES}) r join insight_cells c on c.release_id = r.id
                      where r.current and r.geo_type = 'city_code')
        or d.code in (select m.city_code from city_geohash3_map m where m.geohash3 in (
                      select c.geo_bucket_id from (${WINDOW_RELEASES}) r join insight_cells c on c.release_id = r.id
                      where r.current and r.geo_type = 'geohash3'))`,
    [windowStart],
  );
  for (const city of cities) {
    const keys = deniedKeysInValue(city.name);
    if (keys.length > 0)
      add({
        check: "denied_key",
        releaseId: null,
        subject: `city:${city.code}`,
        count: 1,
        detail: `the name of city ${city.code} (read as geoBucket.name) names ${keys.sort().join(", ")}`,
      });
  }

  for (const row of await query<{ id: string }>(
    `select r.id::text as id from (${WINDOW_RELEASES}) r
     where not exists (select 1 from release_receipts rr where rr.release_id = r.id)`,
    [windowStart],
  )) {
    add({
      check: "release_without_receipt",
      releaseId: row.id,
      subject: row.id,
      count: 1,
      detail: "the release has no receipt",
    });
  }

  // Every day a family covers (an HOUR family its day, a DAY release its day, a WEEK its seven).
  for (const row of await query<{ family_id: string; n: number; days: string }>(
    `with families as (
       select r.family_id, min(r.granularity::text) as granularity, max(r.epsilon) as epsilon,
              min((r.bucket_start at time zone 'UTC')::date) as first_day
       from (${WINDOW_RELEASES}) r group by r.family_id),
     expected as (
       select f.family_id, f.epsilon, f.first_day + g.i as day
       from families f cross join lateral generate_series(0, case f.granularity when 'week' then 6 else 0 end) g(i))
     select e.family_id::text as family_id, count(*)::int as n, string_agg(e.day::text, ', ' order by e.day) as days
     from expected e left join privacy_ledger_days l on l.family_id = e.family_id and l.day = e.day
     where l.family_id is null or l.epsilon + ${EPSILON_TOLERANCE} < e.epsilon
     group by e.family_id`,
    [windowStart],
  )) {
    add({
      check: "release_without_ledger",
      releaseId: row.family_id,
      subject: row.family_id,
      count: row.n,
      detail: `no ledger entry with the release's epsilon for ${row.days}`,
    });
  }

  // Every ledger day a window release can cover (a WEEK starts up to 6 days before the window).
  const ledgerFrom = new Date(windowStart.getTime() - 7 * DAY_MS);
  const cap = await loadPrivacyCap(query);
  const days = await ledgerDays(query, { from: ledgerFrom });
  for (const day of days) {
    if (day.outsideGuarantee) continue;
    if (
      day.epsilon > cap.epsilonCap + EPSILON_TOLERANCE ||
      day.delta > cap.deltaCap * (1 + EPSILON_TOLERANCE)
    ) {
      add({
        check: "day_over_cap",
        releaseId: null,
        subject: day.day,
        count: day.families,
        detail: `${day.day}: epsilon ${day.epsilon} and delta ${day.delta.toExponential(2)} per participant-day over ${day.families} release families; the cap is epsilon ${cap.epsilonCap} and delta ${cap.deltaCap.toExponential(2)}`,
      });
    }
  }

  const records = await sampleRecords(database, windowStart, options.sampleRecords, now);
  const recordFindings = new Map<
    string,
    { check: ContractCheck; releaseId: string; n: number; problems: Set<string> }
  >();
  for (const record of records) {
    for (const { check, problem } of recordProblems(record)) {
      const releaseId = record.privacy.dp.release_id;
      const key = `${check}|${releaseId}`;
      const entry = recordFindings.get(key) ?? { check, releaseId, n: 0, problems: new Set<string>() };
      entry.n += 1;
      entry.problems.add(problem);
      recordFindings.set(key, entry);
    }
  }
  for (const entry of recordFindings.values()) {
    add({
      check: entry.check,
      releaseId: entry.releaseId,
      subject: entry.releaseId,
      count: entry.n,
      detail: `${entry.n} sampled export records: ${[...entry.problems].slice(0, 5).join("; ")}`,
    });
  }

  return {
    found: [...found.values()],
    windowStart,
    windowReleaseIds,
    checkedDays: new Set(days.map((day) => day.day)),
    ledgerFrom: dayKey(ledgerFrom),
    checkedCities: new Set(cities.map((city) => city.code)),
    counts: {
      releases: releases.length,
      cells: cellCount?.n ?? 0,
      records: records.length,
      days: days.length,
    },
  };
}

/**
 * A sample of served cells of the window rendered as the dataset export renders them: the stored
 * values through the same functions the `insights` resolvers use (buyer suppression reason, margins
 * from the receipt) and the export's canonicalRecord. The sample is chosen by a hash of each cell
 * salted with the run's instant, so each run reads other cells and a re-run of one instant the same.
 */
async function sampleRecords(
  database: DatabaseHandle,
  windowStart: Date,
  size: number,
  now: Date,
): Promise<CanonicalRecord[]> {
  if (size === 0) return [];
  const rows = await database.query<{
    release_id: string;
    bucket_start: Date;
    granularity: string;
    geo_type: string;
    geo_bucket_id: string;
    door_type: string | null;
    category: string | null;
    context: string | null;
    unique_participants_est: number | null;
    doors_opened_est: number | null;
    repeat_rate_est: number | null;
    suppressed: boolean;
  }>(
    `select r.id::text as release_id, r.bucket_start, r.granularity, r.geo_type, c.geo_bucket_id,
            c.door_type, c.category, c.context, c.unique_participants_est, c.doors_opened_est,
            c.repeat_rate_est, c.suppressed
     from (${WINDOW_RELEASES}) r join insight_cells c on c.release_id = r.id
     where r.current
     order by md5(r.id::text || '|' || c.geo_bucket_id || '|' || coalesce(c.door_type::text, '')
       || '|' || coalesce(c.category::text, '') || '|' || coalesce(c.context::text, '') || '|' || $2)
     limit $3`,
    [windowStart, now.toISOString(), size],
  );
  const receipts = createInsightLoaders(database).receipt;
  const records: CanonicalRecord[] = [];
  for (const row of rows) {
    // A release without a receipt cannot be exported (its read fails); release_without_receipt reports it.
    const receipt = await receipts.load(row.release_id);
    if (receipt === null) continue;
    const upper = (value: string | null) => (value === null ? null : value.toUpperCase());
    const cell: ExportedCell = {
      schemaVersion: SCHEMA_VERSION,
      dataset: DATASET,
      timeBucketStartUtc: new Date(row.bucket_start).toISOString(),
      timeGranularity: row.granularity.toUpperCase(),
      reportingDelayHours: receipt.reportingDelayHours,
      geoBucket: { type: row.geo_type.toUpperCase(), id: row.geo_bucket_id },
      segment: { doorType: upper(row.door_type), category: upper(row.category), context: upper(row.context) },
      metrics: {
        uniqueParticipantsEst: row.unique_participants_est,
        doorsOpenedEst: row.doors_opened_est,
        repeatRateEst: row.repeat_rate_est,
        // Computed at read time from two published estimates, never stored: nothing to check here.
        trendScoreEst: null,
      },
      accuracy: cellAccuracy(row.suppressed, receipt.exactNoiseScales),
      privacy: {
        kMinEnforced: receipt.kMin,
        suppressed: row.suppressed,
        suppressedReason: upper(buyerSuppressionReason(row.suppressed)),
        dp: {
          enabled: true,
          mechanism: "discrete_laplace",
          epsilon: receipt.epsilon,
          participantDayEpsilon: receipt.participantDayEpsilon,
          delta: receipt.delta,
          budgetWindowDays: receipt.budgetWindowDays,
          noiseScale: receipt.noiseScales.uniqueParticipants ?? 0,
          releaseId: row.release_id,
        },
      },
    };
    records.push(canonicalRecord(cell));
  }
  return records;
}

const VIOLATION = columnsOf(contractViolations);

/**
 * Stores a run's findings in the caller's transaction: a finding with no open violation of its
 * check and subject opens one and an ops feed item (severity error); one already open is updated
 * (count, detail, last seen), never duplicated; an open violation whose subject this run re-checked
 * and no longer found is resolved.
 */
async function recordFindings(
  query: QueryFn,
  run: Awaited<ReturnType<typeof findViolations>>,
  now: Date,
): Promise<{ newViolations: ContractViolationRow[]; stillOpen: number; resolved: number }> {
  const newViolations: ContractViolationRow[] = [];
  let stillOpen = 0;
  const seen = new Set<string>();
  for (const finding of run.found) {
    const [stored] = await query(
      `insert into contract_violations (check_name, release_id, subject, row_count, detail, detected_at, last_seen_at)
       values ($1, $2, $3, $4, $5, $6, $6)
       on conflict (check_name, subject) where resolved_at is null
       do update set row_count = excluded.row_count, detail = excluded.detail, last_seen_at = excluded.last_seen_at
       returning ${VIOLATION.list}, (xmax = 0) as inserted`,
      [finding.check, finding.releaseId, finding.subject, finding.count, finding.detail.slice(0, 2000), now],
    );
    if (stored === undefined) continue;
    const row = VIOLATION.read(stored);
    seen.add(row.id);
    if (stored.inserted !== true) {
      stillOpen += 1;
      continue;
    }
    const incidentKey = `${CONTRACT_VERIFIER_SOURCE}:${finding.check}:${finding.subject}`;
    const [opened] = await query<{ id: string }>(
      `insert into ops_feed (created_at, severity, source, title, body, status, incident_key)
       values ($1, 'error', $2, $3, $4, 'new', $5)
       on conflict (incident_key) where status <> 'archived' do nothing
       returning id::text as id`,
      [
        now,
        CONTRACT_VERIFIER_SOURCE,
        `Contract violation ${finding.check}: ${finding.subject}`,
        `${CONTRACT_CHECKS[finding.check]} Found: ${finding.detail.slice(0, 1500)}.`,
        incidentKey,
      ],
    );
    // An item of the same incident still open (read, not archived) is the one to follow.
    const [item] =
      opened !== undefined
        ? [opened]
        : await query<{ id: string }>(
            "select id::text as id from ops_feed where incident_key = $1 and status <> 'archived'",
            [incidentKey],
          );
    await query("update contract_violations set feed_item_id = $2 where id = $1", [row.id, item?.id ?? null]);
    newViolations.push({ ...row, feedItemId: item?.id ?? null });
  }

  const open = await query<Pick<ContractViolationRow, "id" | "checkName" | "releaseId" | "subject">>(
    `select id, check_name as "checkName", release_id as "releaseId", subject
     from contract_violations where resolved_at is null`,
  );
  const rechecked = (violation: (typeof open)[number]) => {
    if (violation.checkName === "day_over_cap") return violation.subject >= run.ledgerFrom;
    if (violation.subject.startsWith("city:")) return run.checkedCities.has(violation.subject.slice(5));
    return violation.releaseId !== null && run.windowReleaseIds.has(violation.releaseId);
  };
  const resolvedIds = open
    .filter((violation) => !seen.has(violation.id) && rechecked(violation))
    .map((v) => v.id);
  if (resolvedIds.length > 0) {
    await query("update contract_violations set resolved_at = $2 where id = any($1::uuid[])", [
      resolvedIds,
      now,
    ]);
  }
  return { newViolations, stillOpen, resolved: resolvedIds.length };
}

/** One verification: the checks (reads), then the findings stored in one transaction with `within`. */
async function verify(
  database: DatabaseHandle,
  options: VerifyOptions,
  now: Date,
  within?: (query: QueryFn, result: VerificationResult) => Promise<void>,
): Promise<VerificationResult> {
  const run = await findViolations(database, options, now);
  return database.transaction(async (query) => {
    const stored = await recordFindings(query, run, now);
    const result: VerificationResult = {
      ...options,
      windowStart: run.windowStart,
      checkedReleases: run.counts.releases,
      checkedCells: run.counts.cells,
      sampledRecords: run.counts.records,
      checkedDays: run.counts.days,
      found: run.found.length,
      ...stored,
    };
    await within?.(query, result);
    return result;
  });
}

/** The scheduled run: the policy's window and sample (no audit row: no operator acted). */
export async function runScheduledContractVerifier(database: DatabaseHandle, now: Date) {
  const policy = await loadTimingPolicy(database, CONTRACT_VERIFIER_POLICY_KEY);
  if (!policy.enabled) return { outcome: "disabled", rows: 0 };
  const result = await verify(
    database,
    { windowDays: policy.window_days, sampleRecords: policy.sample_records },
    now,
  );
  return {
    outcome: result.found > 0 ? "violations" : "ok",
    rows: result.found,
    details: summaryOf(result),
  };
}

function summaryOf(result: VerificationResult) {
  return {
    windowDays: result.windowDays,
    sampleRecords: result.sampleRecords,
    checkedReleases: result.checkedReleases,
    checkedCells: result.checkedCells,
    sampledRecords: result.sampledRecords,
    checkedDays: result.checkedDays,
    found: result.found,
    newViolations: result.newViolations.length,
    stillOpen: result.stillOpen,
    resolved: result.resolved,
  };
}

/** An operator's window and sample for one run; each left out is the policy's. */
export interface VerifyContractsInput {
  windowDays?: number | null;
  sampleRecords?: number | null;
}

export function validateVerifyContracts(input: VerifyContractsInput): UserError[] {
  const errors: UserError[] = [];
  const { windowDays, sampleRecords } = input;
  if (windowDays !== undefined && windowDays !== null && (windowDays < 1 || windowDays > MAX_WINDOW_DAYS)) {
    errors.push({
      field: ["input", "windowDays"],
      code: "OUT_OF_RANGE",
      message: `windowDays must be a whole number of days from 1 to ${MAX_WINDOW_DAYS}; releases older than the window are not re-checked.`,
    });
  }
  if (
    sampleRecords !== undefined &&
    sampleRecords !== null &&
    (sampleRecords < 0 || sampleRecords > MAX_SAMPLE_RECORDS)
  ) {
    errors.push({
      field: ["input", "sampleRecords"],
      code: "OUT_OF_RANGE",
      message: `sampleRecords must be from 0 (no rendered records) to ${MAX_SAMPLE_RECORDS}.`,
    });
  }
  return errors;
}

/**
 * The operator's verifyContracts: the policy's window and sample unless given, whether or not the
 * scheduled job is enabled; the findings and the audit row are written in one transaction.
 */
export async function runContractVerifier(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: VerifyContractsInput | null | undefined,
): Promise<AdminOutcome<{ result: VerificationResult }>> {
  const now = clock.now();
  const given = input ?? {};
  const userErrors = validateVerifyContracts(given);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const policy = await loadTimingPolicy(database, CONTRACT_VERIFIER_POLICY_KEY);
  const options: VerifyOptions = {
    windowDays: given.windowDays ?? policy.window_days,
    sampleRecords: given.sampleRecords ?? policy.sample_records,
  };
  const result = await verify(database, options, now, async (query, done) => {
    await appendAuditEntry(query, {
      at: now,
      type: "admin_mutation",
      ...actor,
      action: "verifyContracts",
      target: `window ${options.windowDays}d, sample ${options.sampleRecords}`,
      outcome: "OK",
      details: options,
      after: summaryOf(done),
    });
  });
  return { ok: true, value: { result } };
}

/** A page of violations, newest first; the cursor is "<detected_at ISO>|<id>". */
export async function listContractViolations(
  database: DatabaseHandle,
  options: {
    open: boolean | null;
    check: ContractCheck | null;
    first: number;
    after: { at: Date; id: string } | null;
  },
): Promise<{ items: ContractViolationRow[]; hasNextPage: boolean; totalCount: number }> {
  const filter = `($1::boolean is null or (resolved_at is null) = $1) and ($2::text is null or check_name = $2)`;
  const rows = await database.query(
    `select ${VIOLATION.list} from contract_violations
     where ${filter} and ($3::timestamptz is null or (detected_at, id) < ($3::timestamptz, $4::uuid))
     order by detected_at desc, id desc limit $5`,
    [options.open, options.check, options.after?.at ?? null, options.after?.id ?? null, options.first + 1],
  );
  const [count] = await database.query<{ n: number }>(
    `select count(*)::int as n from contract_violations where ${filter}`,
    [options.open, options.check],
  );
  return {
    items: rows.slice(0, options.first).map(VIOLATION.read),
    hasNextPage: rows.length > options.first,
    totalCount: count?.n ?? 0,
  };
}
