// What the comparison systems (bench/systems/*.ts, except the project's own) share: the port and
// database from the harness, the pool size, the equivalent GraphQL schema, and the one SELECT that
// reads a page of released cells with everything a record shows (release receipt, trend score).
import { parseArgs } from "node:util";
import postgres from "postgres";

/** Every system gets the project's default pool size (src/db/client.ts openPostgres). */
export const POOL_SIZE = 10;

export interface SystemOptions {
  port: number;
  databaseUrl: string;
}

/** `--port N`, and DATABASE_URL from the environment, as the harness passes them. */
export function systemOptions(): SystemOptions {
  const { values } = parseArgs({ options: { port: { type: "string" } }, strict: false });
  const port = Number(values.port);
  const databaseUrl = process.env.DATABASE_URL;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error("--port N is required");
  if (!databaseUrl) throw new Error("DATABASE_URL is required");
  return { port, databaseUrl };
}

/** The line the harness waits for on stdout before it sends requests. */
export function announceReady(name: string, port: number): void {
  process.stdout.write(`ready ${name} ${port}\n`);
}

export function openSql(databaseUrl: string) {
  return postgres(databaseUrl, { max: POOL_SIZE, onnotice: () => {} });
}

/**
 * The subset of the project's schema the benchmark query reads, with the same names and types, except
 * that the filter's two defaulted enums are nullable here: graphql-jit (mercurius) refuses a variable
 * that leaves out a non-null input field with a default ("was not provided").
 */
export const TYPE_DEFS = /* GraphQL */ `
  scalar DateTime
  enum DoorType { COMMUNITY EVENT SPOT }
  enum Category { ART COFFEE COMMUNITY FOOD MUSIC OTHER OUTDOOR SPORTS TECH }
  enum Context { EVENING MIDDAY MORNING UNKNOWN WEEKEND }
  enum GeoBucketType { CITY_CODE GEOHASH3 }
  enum TimeGranularity { DAY HOUR WEEK }
  enum SuppressionReason { BELOW_THRESHOLD }
  input InsightsFilter {
    categories: [Category!]
    contexts: [Context!]
    doorTypes: [DoorType!]
    geoBucketIds: [String!]
    geoBucketType: GeoBucketType = CITY_CODE
    granularity: TimeGranularity = DAY
    timeBucketEndUtc: DateTime!
    timeBucketStartUtc: DateTime!
  }
  type GeoBucket { id: String! type: GeoBucketType! }
  type Segment { category: Category! context: Context! doorType: DoorType! }
  type CellMetrics { doorsOpenedEst: Int repeatRateEst: Float trendScoreEst: Float uniqueParticipantsEst: Int }
  type DpParameters {
    budgetWindowDays: Int!
    delta: Float!
    enabled: Boolean!
    epsilon: Float!
    mechanism: String!
    noiseScale: Float!
    releaseId: ID!
  }
  type CellPrivacy { dp: DpParameters! kMinEnforced: Int! suppressed: Boolean! suppressedReason: SuppressionReason }
  type InsightCell {
    dataset: String!
    geoBucket: GeoBucket!
    metrics: CellMetrics!
    privacy: CellPrivacy!
    reportingDelayHours: Int!
    schemaVersion: String!
    segment: Segment!
    timeBucketStartUtc: DateTime!
    timeGranularity: TimeGranularity!
  }
  type InsightCellConnection { nodes: [InsightCell!]! totalCount: Int! }
  type Query { insights(filter: InsightsFilter!, first: Int = 500): InsightCellConnection! }
`;

/** The filter as GraphQL variables carry it (enum names upper case). */
export interface FilterInput {
  timeBucketStartUtc: string;
  timeBucketEndUtc: string;
  geoBucketIds?: string[] | null;
  categories?: string[] | null;
  doorTypes?: string[] | null;
  contexts?: string[] | null;
  granularity?: string;
  geoBucketType?: string;
}

const lower = (values: string[] | null | undefined) =>
  values === null || values === undefined ? null : values.map((value) => value.toLowerCase());

interface CellRow {
  bucket_start: Date;
  granularity: string;
  geo_type: string;
  geo_bucket_id: string;
  door_type: string;
  category: string;
  context: string;
  unique_participants_est: number | null;
  doors_opened_est: number | null;
  repeat_rate_est: number | null;
  suppressed: boolean;
  release_id: string;
  epsilon: number;
  delta: number;
  k_min: number;
  reporting_delay_hours: number;
  budget_window_days: number;
  noise_scale: number;
  previous_unique: number | null;
  total: number;
}

/**
 * One statement: the page of current, full-level releases' cells in the project's order, joined to
 * their receipts, with the same cell of the previous bucket for the trend and the total count.
 */
export async function readInsights(
  sql: ReturnType<typeof openSql>,
  filter: FilterInput,
  first: number,
): Promise<{ totalCount: number; nodes: InsightRecord[] }> {
  const granularity = (filter.granularity ?? "DAY").toLowerCase();
  const geoType = (filter.geoBucketType ?? "CITY_CODE").toLowerCase();
  // Only the filter's present sets become conditions (as in the project), so the planner always sees them.
  const geoIds = filter.geoBucketIds ?? null;
  const categories = lower(filter.categories);
  const doorTypes = lower(filter.doorTypes);
  const contexts = lower(filter.contexts);
  const where = sql`
    where r.granularity = ${granularity}::time_granularity and r.geo_type = ${geoType}::geo_bucket_type
      and r.level = 'full' and r.current and r.retired_at is null
      and r.bucket_start >= ${filter.timeBucketStartUtc}::timestamptz and r.bucket_start < ${filter.timeBucketEndUtc}::timestamptz
      ${geoIds === null ? sql`` : sql`and c.geo_bucket_id = any(${geoIds}::text[])`}
      ${categories === null ? sql`` : sql`and c.category::text = any(${categories}::text[])`}
      ${doorTypes === null ? sql`` : sql`and c.door_type::text = any(${doorTypes}::text[])`}
      ${contexts === null ? sql`` : sql`and c.context::text = any(${contexts}::text[])`}`;
  // The page first (an ordered LIMIT), then the trend and receipt joins for its rows only, and the
  // count of every matching cell, all in one statement.
  const rows = await sql<CellRow[]>`
    with page as (
      select r.id as release_id, r.bucket_start, r.bucket_end, r.granularity, r.geo_type, r.epsilon,
             c.geo_bucket_id, c.door_type, c.category, c.context, c.unique_participants_est, c.doors_opened_est,
             c.repeat_rate_est, c.suppressed
      from insight_cells c join releases r on r.id = c.release_id
      ${where}
      order by r.bucket_start, c.geo_bucket_id, c.door_type, c.category, c.context
      limit ${first}
    ), total as (
      select count(*)::int as n from insight_cells c join releases r on r.id = c.release_id ${where}
    )
    select g.bucket_start, g.granularity::text, g.geo_type::text, g.geo_bucket_id, g.door_type::text,
           g.category::text, g.context::text, g.unique_participants_est, g.doors_opened_est, g.repeat_rate_est,
           g.suppressed, g.release_id, g.epsilon, rr.delta, (rr.profile ->> 'kMin')::int as k_min,
           (rr.profile ->> 'reportingDelayHours')::int as reporting_delay_hours,
           (rr.profile ->> 'budgetWindowDays')::int as budget_window_days,
           coalesce((rr.noise_scales ->> 'uniqueParticipants')::float8, 0) as noise_scale,
           p.unique_participants_est as previous_unique, total.n as total
    from page g
    cross join total
    join release_receipts rr on rr.release_id = g.release_id
    left join releases pr on pr.granularity = g.granularity and pr.geo_type = g.geo_type and pr.level = 'full'
      and pr.current and pr.retired_at is null and pr.bucket_start = g.bucket_start - (g.bucket_end - g.bucket_start)
    left join insight_cells p on p.release_id = pr.id and p.geo_bucket_id = g.geo_bucket_id
      and p.door_type = g.door_type and p.category = g.category and p.context = g.context
      and p.unique_participants_est is not null
    order by g.bucket_start, g.geo_bucket_id, g.door_type, g.category, g.context`;
  return { totalCount: rows[0]?.total ?? 0, nodes: rows.map(toRecord) };
}

export interface InsightRecord {
  schemaVersion: string;
  dataset: string;
  timeBucketStartUtc: string;
  timeGranularity: string;
  reportingDelayHours: number;
  geoBucket: { type: string; id: string };
  segment: { doorType: string; category: string; context: string };
  metrics: {
    uniqueParticipantsEst: number | null;
    doorsOpenedEst: number | null;
    repeatRateEst: number | null;
    trendScoreEst: number | null;
  };
  privacy: {
    kMinEnforced: number;
    suppressed: boolean;
    suppressedReason: string | null;
    dp: {
      enabled: boolean;
      mechanism: string;
      epsilon: number;
      delta: number;
      budgetWindowDays: number;
      noiseScale: number;
      releaseId: string;
    };
  };
}

function trendScore(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || current + previous === 0) return null;
  return Math.round((current / (current + previous)) * 1e4) / 1e4;
}

function toRecord(row: CellRow): InsightRecord {
  return {
    schemaVersion: "1.0",
    dataset: "spots_insights_v1",
    timeBucketStartUtc: new Date(row.bucket_start).toISOString(),
    timeGranularity: row.granularity.toUpperCase(),
    reportingDelayHours: row.reporting_delay_hours,
    geoBucket: { type: row.geo_type.toUpperCase(), id: row.geo_bucket_id },
    segment: {
      doorType: row.door_type.toUpperCase(),
      category: row.category.toUpperCase(),
      context: row.context.toUpperCase(),
    },
    metrics: {
      uniqueParticipantsEst: row.unique_participants_est,
      doorsOpenedEst: row.doors_opened_est,
      repeatRateEst: row.repeat_rate_est,
      trendScoreEst: trendScore(row.unique_participants_est, row.previous_unique),
    },
    privacy: {
      kMinEnforced: row.k_min,
      suppressed: row.suppressed,
      suppressedReason: row.suppressed ? "BELOW_THRESHOLD" : null,
      dp: {
        enabled: true,
        mechanism: "discrete_laplace",
        epsilon: row.epsilon,
        delta: row.delta,
        budgetWindowDays: row.budget_window_days,
        noiseScale: row.noise_scale,
        releaseId: row.release_id,
      },
    },
  };
}

/** The resolvers of TYPE_DEFS: one statement per request, every other field is a property. */
export function makeResolvers(sql: ReturnType<typeof openSql>) {
  return {
    Query: {
      insights: (_root: unknown, args: { filter: FilterInput; first?: number | null }) =>
        readInsights(sql, args.filter, Math.min(args.first ?? 500, 500)),
    },
  };
}
