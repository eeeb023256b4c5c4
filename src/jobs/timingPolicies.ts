import type { z } from "zod";
import type { AdminActor } from "../audit/actor";
import { appendAuditEntry } from "../audit/chain";
import type { DatabaseHandle } from "../db/client";
import { columnsOf } from "../db/rows";
import { timingPolicies } from "../db/schema/releases";
import type { UserError } from "../errors";
import { ALERT_POLICY_KEY, alertPolicySchema } from "./anomalyAlerts";
import { CONTRACT_VERIFIER_POLICY_KEY, contractVerifierPolicySchema } from "./contractVerifier";
import { DATA_RETENTION_POLICY_KEY, dataRetentionPolicySchema } from "./dataRetention";
import { FEED_RETENTION_POLICY_KEY, feedRetentionPolicySchema } from "./feedRetention";
import { MONITORS_POLICY_KEY, monitorsPolicySchema } from "./monitors";
import { PRECOMPUTE_POLICY_KEY, precomputePolicySchema } from "./precompute/planReleases";
import { RETENTION_POLICY_KEY, retentionPolicySchema } from "./retention";

/** Every timing policy the jobs read, with the schema its payload must satisfy. */
export const TIMING_POLICY_SCHEMAS: Record<string, z.ZodType> = {
  [PRECOMPUTE_POLICY_KEY]: precomputePolicySchema,
  [RETENTION_POLICY_KEY]: retentionPolicySchema,
  [ALERT_POLICY_KEY]: alertPolicySchema,
  [DATA_RETENTION_POLICY_KEY]: dataRetentionPolicySchema,
  [FEED_RETENTION_POLICY_KEY]: feedRetentionPolicySchema,
  [MONITORS_POLICY_KEY]: monitorsPolicySchema,
  [CONTRACT_VERIFIER_POLICY_KEY]: contractVerifierPolicySchema,
};

export type TimingPolicyRow = typeof timingPolicies.$inferSelect;

const POLICY = columnsOf(timingPolicies);

export async function listTimingPolicies(database: DatabaseHandle): Promise<TimingPolicyRow[]> {
  const rows = await database.query(`select ${POLICY.list} from timing_policies order by policy_key`);
  return rows.map(POLICY.read);
}

/**
 * Replaces a timing policy's payload after validating it against that policy's schema; the jobs read
 * it at their next tick, so it takes effect without a restart. Audited in the same transaction.
 */
export async function setTimingPolicy(
  database: DatabaseHandle,
  input: { policyKey: string; payload: unknown },
  at: Date,
  actor: AdminActor,
): Promise<{ ok: true; policy: TimingPolicyRow } | { ok: false; userErrors: UserError[] }> {
  const schema = TIMING_POLICY_SCHEMAS[input.policyKey];
  if (schema === undefined) {
    return {
      ok: false,
      userErrors: [
        {
          field: ["input", "policyKey"],
          code: "UNKNOWN_POLICY",
          message: `Unknown policy; known: ${Object.keys(TIMING_POLICY_SCHEMAS).sort().join(", ")}.`,
        },
      ],
    };
  }
  const parsed = schema.safeParse(input.payload);
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
  return { ok: true, policy };
}
