import type { Logger } from "pino";
import type { AdminActor, AdminDeps } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import type { DatabaseHandle } from "../db/client";
import { columnsOf } from "../db/rows";
import { timingPolicies } from "../db/schema/releases";
import {
  isTimingPolicyKey,
  type ScheduledTimingPolicyKey,
  TIMING_POLICIES,
  type TimingPolicy,
  type TimingPolicyKey,
} from "../db/timingPolicyRegistry";
import { type AdminOutcome, refused } from "../errors";

/** A policy's stored row; undefined when it is missing. */
async function storedPolicy(
  database: DatabaseHandle,
  key: TimingPolicyKey,
): Promise<{ payload: unknown } | undefined> {
  const [row] = await database.query<{ payload: unknown }>(
    "select payload from timing_policies where policy_key = $1",
    [key],
  );
  return row;
}

/** A stored policy row read against its schema: the policy, or what is wrong with it. */
function readPolicy<Key extends TimingPolicyKey>(
  key: Key,
  row: { payload: unknown } | undefined,
): { ok: true; policy: TimingPolicy<Key> } | { ok: false; problem: string } {
  if (row === undefined) return { ok: false, problem: `timing policy ${key} is missing` };
  const parsed = TIMING_POLICIES[key].schema.safeParse(row.payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    return { ok: false, problem: `timing policy ${key} is invalid: ${issues}` };
  }
  return { ok: true, policy: parsed.data as TimingPolicy<Key> };
}

/** Reads and validates one timing policy row, naming the bad fields when it is invalid. */
export async function loadTimingPolicy<Key extends TimingPolicyKey>(
  database: DatabaseHandle,
  key: Key,
): Promise<TimingPolicy<Key>> {
  const row = await storedPolicy(database, key);
  const read = readPolicy(key, row);
  if (!read.ok) throw new Error(read.problem);
  return read.policy;
}

/**
 * The cron a scheduled policy's stored row gives; a missing or invalid row falls back to the
 * registry's default, so the job keeps its schedule (its runs then record the error). The one rule
 * of the scheduler and of ops.jobs.
 */
export function scheduledCron(
  key: ScheduledTimingPolicyKey,
  row: { payload: unknown } | undefined,
): { cron: string; problem: string | null } {
  const read = readPolicy(key, row);
  return read.ok
    ? { cron: read.policy.cron, problem: null }
    : { cron: TIMING_POLICIES[key].defaultPayload.cron, problem: read.problem };
}

/** A scheduled policy's cron as the scheduler applies it (scheduledCron), logging a fallback. */
export async function cronOf(
  database: DatabaseHandle,
  key: ScheduledTimingPolicyKey,
  logger: Logger,
): Promise<string> {
  const row = await storedPolicy(database, key);
  const { cron, problem } = scheduledCron(key, row);
  if (problem !== null) {
    logger.error({ err: problem, policyKey: key }, "timing policy unreadable; using its default cron");
  }
  return cron;
}

export type TimingPolicyRow = typeof timingPolicies.$inferSelect;

const POLICY = columnsOf(timingPolicies);

export async function listTimingPolicies(database: DatabaseHandle): Promise<TimingPolicyRow[]> {
  const rows = await database.query(`select ${POLICY.list} from timing_policies order by policy_key`);
  return rows.map(POLICY.read);
}

/**
 * Replaces a timing policy's payload (JSON text) after validating it against that policy's schema;
 * the jobs read it at their next tick, so it takes effect without a restart. Audited in the same
 * transaction.
 */
export async function setTimingPolicy(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: { policyKey: string; payload: string },
): Promise<AdminOutcome<{ policy: TimingPolicyRow }>> {
  let payload: unknown;
  try {
    payload = JSON.parse(input.payload);
  } catch {
    return refused(
      ["input", "payload"],
      "INVALID_JSON",
      "payload is not valid JSON; send the parameters as a JSON object.",
    );
  }
  if (!isTimingPolicyKey(input.policyKey)) {
    return refused(
      ["input", "policyKey"],
      "UNKNOWN_POLICY",
      `Unknown policy; known: ${Object.keys(TIMING_POLICIES).sort().join(", ")}.`,
    );
  }
  const parsed = TIMING_POLICIES[input.policyKey].schema.safeParse(payload);
  if (!parsed.success) {
    return {
      ok: false,
      userErrors: parsed.error.issues.map((issue) => ({
        field: ["input", "payload", ...issue.path.map(String)],
        code: "INVALID_PAYLOAD",
        message: issue.message,
      })),
    };
  }
  const at = clock.now();
  await database.transaction(async (query) => {
    const [before] = await query<{ payload: unknown }>(
      "select payload from timing_policies where policy_key = $1 for update",
      [input.policyKey],
    );
    await query(
      `insert into timing_policies (policy_key, payload, updated_at, updated_by) values ($1, $2, $3, $4)
       on conflict (policy_key) do update set payload = excluded.payload, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      [input.policyKey, JSON.stringify(parsed.data), at, actor.actor],
    );
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "setTimingPolicy",
      target: input.policyKey,
      outcome: "OK",
      before: before?.payload ?? null,
      after: parsed.data,
    });
  });
  const policy = (await listTimingPolicies(database)).find((row) => row.policyKey === input.policyKey);
  if (policy === undefined) throw new Error("timing policy vanished after its update");
  return { ok: true, value: { policy } };
}
