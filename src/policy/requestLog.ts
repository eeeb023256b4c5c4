import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import type { RequestState } from "./requestState";

/**
 * One request_logs row per request: key prefix, role, fingerprints, outcome code, epsilon charged,
 * latency. Written after the response is built, as one small insert; never the key or a payload.
 */
export async function writeRequestLog(
  database: DatabaseHandle,
  state: RequestState,
  outcome: { httpStatus: number; at: Date },
  logger: Logger,
): Promise<void> {
  const principal = state.principal;
  try {
    await database.query(
      `insert into request_logs (at, request_id, client_request_id, key_prefix, role, partner_id, operation_name, fingerprints, outcome_code,
         epsilon_charged, latency_ms, http_status, endpoint, outcome_detail)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        outcome.at,
        state.id,
        state.clientRequestId,
        principal?.keyPrefix ?? null,
        principal?.role ?? null,
        principal?.partnerId ?? null,
        state.operationName,
        state.policy.fingerprints.length > 0 ? state.policy.fingerprints : null,
        state.policy.outcomeCode ?? (outcome.httpStatus < 400 ? "OK" : `HTTP_${outcome.httpStatus}`),
        state.policy.epsilonCharged,
        Math.round(performance.now() - state.startedAt),
        outcome.httpStatus,
        state.endpoint,
        state.authFailure?.toUpperCase() ?? null,
      ],
    );
  } catch (error) {
    logger.error(
      { reqId: state.id, err: error instanceof Error ? error.message : String(error) },
      "request log write failed",
    );
  }
}
