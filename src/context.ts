import type { Logger } from "pino";
import type { Clock } from "./clock";
import type { Config } from "./config";
import type { Database, DatabaseHandle } from "./db/client";
import type { Principal } from "./policy/principal";
import type { InsightLoaders } from "./resolvers/insights/loaders";

/** What the policy layer reports in `extensions.policy`; resolvers add to it. */
export interface PolicyReport {
  /** Set once an insights selection ran; only then is `extensions.policy` written. */
  active: boolean;
  releaseIds: Set<string>;
  missingBuckets: Set<string>;
}

/** Everything a resolver may use; built once per request. */
export interface AppContext {
  db: Database;
  database: DatabaseHandle;
  config: Config;
  clock: Clock;
  /** Null only for requests the auth step already refused; resolvers never see that. */
  principal: Principal | null;
  requestId: string;
  logger: Logger;
  loaders: InsightLoaders;
  policy: PolicyReport;
}
