import type { OpsEndpoint } from "../client/opsClient";
import type { TimeGranularity } from "../generated/graphql/graphql";
import { type Io, numberOf, type OptionSpec, type Options, text, UsageError, type Values } from "./framework";
import type { Row } from "./table";

/** Where the ops command line writes, and what it needs from its environment. */
export interface OpsIo extends Io {
  /** OPS_API_KEY: the key sent when --key is not given. */
  defaultKey?: string;
  /** How --wait pauses between polls (tests pass a shorter one). */
  sleep?: (ms: number) => Promise<void>;
}

export interface UserErrorView {
  field: string[];
  code: string;
  message: string;
}

/** What an ops command produced; src/cli/ops.ts prints it as a table, a record or JSON and picks the exit code. */
export type Outcome =
  | { kind: "rows"; rows: Row[]; json: unknown; note?: string }
  | { kind: "record"; record: Row; json: unknown; secret?: string; note?: string }
  | { kind: "refused"; userErrors: UserErrorView[]; json: unknown }
  | { kind: "failed"; code: string; message: string; record?: Row; json: unknown };

export interface OpsContext {
  endpoint: OpsEndpoint;
  values: Values;
  io: OpsIo;
}

/**
 * One `npm run ops` command: a path, its help and options (see Command in framework.ts), and a run
 * that sends the generated typed documents and says what came back.
 */
export interface OpsCommand {
  path: readonly string[];
  summary: string;
  details?: string;
  options?: Options;
  examples?: readonly string[];
  run(context: OpsContext): Promise<Outcome>;
}

/** A payload's userErrors as a refusal, or its result when there are none. */
export function outcomeOf<P extends { userErrors: UserErrorView[] }>(
  payload: P,
  done: (payload: P) => Outcome,
): Outcome {
  return payload.userErrors.length > 0
    ? { kind: "refused", userErrors: payload.userErrors, json: payload }
    : done(payload);
}

/** A mutation's payload whose one result prints as a record. */
export const recordOf = <P extends { userErrors: UserErrorView[] }>(
  payload: P,
  record: (payload: P) => Row,
) => outcomeOf(payload, (done) => ({ kind: "record", record: record(done), json: done }));

export const round = (value: number) => Math.round(value * 1000) / 1000;

// ---- options several commands share ---------------------------------------------------------------

export const idOption = (description: string): Options => ({
  id: { type: "string", value: "ID", required: true, description },
});

export const firstOption: Options = {
  first: { type: "string", value: "N", description: "How many, newest first (1 to 500; default 20)." },
};

export const firstOf = (values: Values) => {
  const value = numberOf("first", text(values, "first"), true) ?? 20;
  if (value < 1 || value > 500) throw new UsageError("--first must be from 1 to 500");
  return value;
};

export const daysOption = (fallback: number): OptionSpec => ({
  type: "string",
  value: "N",
  description: `How many UTC days back (default ${fallback}).`,
});

export const daysOf = (values: Values, fallback: number) =>
  numberOf("days", text(values, "days"), true) ?? fallback;

/** The granularities precompute and the release plan take. */
export const GRANULARITIES = ["HOUR", "DAY", "WEEK"] as const satisfies readonly TimeGranularity[];
