import type { AdminActor, AdminDeps } from "../../audit/actor";
import { appendAuditEntry } from "../../audit/chain";
import { BUYER_PARTNER_PREFIX } from "../../db/schema/access";
import type { AdminOutcome, UserError } from "../../errors";
import { type BudgetState, readBudgetState } from "../../policy/budget";

export interface SetBuyerBudgetInput {
  partnerId: string;
  epsilonLimit: number;
  dailyQueryLimit?: number | null;
}

export function validateSetBuyerBudget(input: SetBuyerBudgetInput): UserError[] {
  const errors: UserError[] = [];
  if (!input.partnerId.startsWith(BUYER_PARTNER_PREFIX)) {
    errors.push({
      field: ["input", "partnerId"],
      code: "PARTNER_ID_INVALID",
      message: `partnerId must start with "${BUYER_PARTNER_PREFIX}".`,
    });
  }
  if (!Number.isFinite(input.epsilonLimit) || input.epsilonLimit < 0 || input.epsilonLimit > 1000) {
    errors.push({
      field: ["input", "epsilonLimit"],
      code: "OUT_OF_RANGE",
      message: "epsilonLimit must be between 0 and 1000.",
    });
  }
  const daily = input.dailyQueryLimit;
  if (daily !== null && daily !== undefined && (!Number.isInteger(daily) || daily < 0 || daily > 100_000)) {
    errors.push({
      field: ["input", "dailyQueryLimit"],
      code: "OUT_OF_RANGE",
      message: "dailyQueryLimit must be an integer between 0 and 100000.",
    });
  }
  return errors;
}

/**
 * Sets a buyer's epsilon limit (and optionally its daily shape quota), audited in the same
 * transaction; the payload is the budget as the buyer now sees it.
 */
export async function setBuyerBudget(
  { database, clock }: Pick<AdminDeps, "database" | "clock">,
  actor: AdminActor,
  input: SetBuyerBudgetInput,
): Promise<AdminOutcome<{ budget: BudgetState }>> {
  const userErrors = validateSetBuyerBudget(input);
  if (userErrors.length > 0) return { ok: false, userErrors };
  const at = clock.now();
  await database.transaction(async (query) => {
    const [before] = await query<{ epsilon_limit: number; daily_query_limit: number; window_days: number }>(
      "select epsilon_limit, daily_query_limit, window_days from buyer_budgets where partner_id = $1 for update",
      [input.partnerId],
    );
    const [after] = await query<{ epsilon_limit: number; daily_query_limit: number; window_days: number }>(
      `insert into buyer_budgets (partner_id, epsilon_limit, daily_query_limit, updated_at)
       values ($1, $2, coalesce($3, 50), $4)
       on conflict (partner_id) do update set epsilon_limit = excluded.epsilon_limit,
         daily_query_limit = coalesce($3, buyer_budgets.daily_query_limit), updated_at = excluded.updated_at
       returning epsilon_limit, daily_query_limit, window_days`,
      [input.partnerId, input.epsilonLimit, input.dailyQueryLimit ?? null, at],
    );
    await appendAuditEntry(query, {
      at,
      type: "admin_mutation",
      ...actor,
      action: "setBuyerBudget",
      target: input.partnerId,
      outcome: "OK",
      before: before ?? null,
      after,
    });
  });
  return { ok: true, value: { budget: await readBudgetState(database, input.partnerId, at) } };
}
