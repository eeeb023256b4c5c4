// The project's Yoga app without the policy plugin (createApp({ policy: false })), the baseline of
// bench:policy: same schema, principal, rate limit, request log and configuration as the project
// (read from the same environment), served by node:http like src/server.ts. Queried with an INTERNAL key.
import { createServer } from "node:http";
import pino from "pino";
import { createApp } from "../../src/app";
import { loadConfig } from "../../src/config";
import { openDatabase } from "../../src/db/client";
import { announceReady, POOL_SIZE, systemOptions } from "./common";

const { port, databaseUrl } = systemOptions();
const config = loadConfig();
const database = await openDatabase({ kind: "postgres", url: databaseUrl, maxConnections: POOL_SIZE });
const app = createApp({
  database: database,
  config,
  logger: pino({ level: config.logLevel }),
  policy: false,
});
const server = createServer(app);
server.listen(port, "127.0.0.1", () => announceReady("bare_yoga", port));
process.once("SIGTERM", () => {
  server.close();
  server.closeIdleConnections();
  void database.close().finally(() => process.exit(0));
});
