import type { Logger } from "pino";
import type { Clock } from "./clock";
import type { Config } from "./config";
import type { DatabaseHandle } from "./db/client";
import type { InsightLoaders } from "./insights/loaders";
import type { Principal } from "./policy/principal";
import type { ReleaseSettings } from "./policy/releaseSettings";
import type { PolicyReport } from "./policy/requestState";

/** Everything a resolver may use; built once per request. */
export interface AppContext {
  database: DatabaseHandle;
  config: Config;
  clock: Clock;
  /** Null only for requests the auth step already refused; resolvers never see that. */
  principal: Principal | null;
  requestId: string;
  logger: Logger;
  loaders: InsightLoaders;
  policy: PolicyReport;
  /** The release plan and profiles (cached per process). */
  settings: ReleaseSettings;
}
