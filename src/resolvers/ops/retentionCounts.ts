import type { DatabaseHandle } from "../../db/client";
import { columnsOf } from "../../db/rows";
import { opsRetentionCounts, type RetentionCountKind } from "../../db/schema/ops";
import { apiError } from "../../errors";

export type RetentionCountRow = Omit<typeof opsRetentionCounts.$inferSelect, "updatedAt">;

const COUNT = columnsOf(opsRetentionCounts, { omit: ["updatedAt"] });

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;
/** The longest range one read may cover. */
export const MAX_RETENTION_COUNT_DAYS = 400;

function parseDay(value: string, field: string): Date {
  const parsed = new Date(`${value}T00:00:00Z`);
  if (!DAY.test(value) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) {
    throw apiError("BAD_USER_INPUT", `${field} must be a UTC day, YYYY-MM-DD.`, { field });
  }
  return parsed;
}

/**
 * What the feed retention deleted, per UTC day of the deleted rows, monitor and severity, for days
 * in [fromDay, toDay] (default: the 400 days up to today), oldest first.
 */
export async function listRetentionCounts(
  database: DatabaseHandle,
  args: { kind?: RetentionCountKind | null; fromDay?: string | null; toDay?: string | null },
  now: Date,
): Promise<RetentionCountRow[]> {
  const to = args.toDay ? parseDay(args.toDay, "toDay") : new Date(now.toISOString().slice(0, 10));
  const from = args.fromDay
    ? parseDay(args.fromDay, "fromDay")
    : new Date(to.getTime() - (MAX_RETENTION_COUNT_DAYS - 1) * DAY_MS);
  const span = (to.getTime() - from.getTime()) / DAY_MS + 1;
  if (span < 1 || span > MAX_RETENTION_COUNT_DAYS) {
    throw apiError(
      "BAD_USER_INPUT",
      `fromDay must not be after toDay, and the range may cover at most ${MAX_RETENTION_COUNT_DAYS} days; read a longer history in several ranges.`,
      { field: "fromDay", limit: MAX_RETENTION_COUNT_DAYS },
    );
  }
  const rows = await database.query(
    `select ${COUNT.list} from ops_retention_counts
     where day between $1::date and $2::date and ($3::text is null or kind = $3)
     order by day, kind, monitor, severity::text`,
    [from.toISOString().slice(0, 10), to.toISOString().slice(0, 10), args.kind ?? null],
  );
  return rows.map(COUNT.read);
}
