import { createServer } from "node:http";
import pino from "pino";
import { createApp } from "./app";
import { systemClock } from "./clock";
import { ConfigError, loadConfig } from "./config";
import { DatabaseOpenError, redactUrl } from "./db/client";
import { prepareDatabase } from "./db/prepare";
import { runDemoActivity } from "./demo/demoActivity";
import { DEMO_BUSINESS_ID, ensureDemoBusinesses } from "./demo/demoBusinesses";
import { isDemoDataComplete } from "./demo/demoData";
import { ensureDemoKeys } from "./demo/demoKeys";
import { withDemoNoiseKey } from "./demo/demoNoiseKey";
import { precomputeDemoWindow, runDemoData } from "./demo/runDemoData";
import { alertTargetOf } from "./jobs/anomalyAlerts";
import { type Scheduler, startScheduler } from "./jobs/scheduler";
import { resolveNoiseKey } from "./privacy/noiseKey";

/** Entry: config -> database -> migrate -> (demo seed) -> HTTP listen. Expected failures exit 1 with one line. */
async function start(): Promise<void> {
  const loaded = loadConfig();
  const logger = pino({ level: loaded.logLevel });
  const clock = systemClock;
  const out = process.stdout;

  out.write(
    loaded.demoMode
      ? `Starting in demo mode: embedded database in ${loaded.dataDir}\n`
      : `Starting on PostgreSQL ${redactUrl(loaded.databaseUrl ?? "")}\n`,
  );
  const database = await prepareDatabase(loaded);
  // From here on the config carries the noise key (in demo mode the one kept in DATA_DIR) for the
  // jobs and the app's runPrecompute.
  const config = withDemoNoiseKey(loaded);
  const precompute = {
    database,
    noiseKey: resolveNoiseKey(config),
    clock,
    totalsResources: config.precompute,
  };
  let scheduler: Scheduler | undefined;

  let demoReady = !config.demoMode;
  const app = createApp({
    database: database,
    config,
    clock,
    logger,
    readinessChecks: config.demoMode
      ? [{ name: "demoData", check: async () => demoReady && (await isDemoDataComplete(database)) }]
      : [],
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  }).catch(async (error: NodeJS.ErrnoException) => {
    await app.shutdown();
    await database.close();
    if (error.code === "EADDRINUSE") {
      throw new StartupError(
        `port ${config.port} on ${config.host} is already in use: stop the other process or set PORT to a free port`,
      );
    }
    if (error.code === "EACCES")
      throw new StartupError(`no permission to listen on port ${config.port}: set PORT above 1023`);
    throw error;
  });

  installShutdown(
    server,
    config.shutdownTimeoutMs,
    async () => {
      // The request_logs rows still queued (at most REQUEST_LOG_FLUSH_MS old), the key uses and the
      // shape hits recorded since the last flush go in before the database closes; a database that
      // does not answer holds the exit up to SHUTDOWN_TIMEOUT_MS.
      await app.shutdown(config.shutdownTimeoutMs);
      await database.close();
    },
    logger,
  );

  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${config.port}/graphql`;
  if (config.demoMode) {
    out.write(`Listening on ${url} (GET /readyz turns ready when the demo data is in place)\n`);
    await runDemoData(database, config, clock);
    await precomputeDemoWindow(precompute);
    const keys = await ensureDemoKeys(database, clock, config.dataDir);
    // Already set up by ensureDemoKeys; read again for the printed spot ids.
    const businesses = await ensureDemoBusinesses(database, clock.now());
    // The simulated activity only fills the ops views; the demo serves without it.
    await runDemoActivity(database, config, clock, keys).catch((error: unknown) => {
      out.write(
        `demo activity failed (${error instanceof Error ? error.message : String(error)}); the ops views show only what it did\n`,
      );
    });
    if (config.jobsEnabled)
      scheduler = await startScheduler({ ...precompute, logger, alertTarget: alertTargetOf(config) });
    demoReady = true;
    out.write(`\nReady. GraphiQL: ${url}\nDemo API keys (send as "Authorization: Bearer <key>"):\n`);
    for (const key of keys) out.write(`  ${key.role.toUpperCase().padEnd(8)} ${key.apiKey}\n`);
    const business = businesses.find((candidate) => candidate.id === DEMO_BUSINESS_ID);
    out.write(
      `The TENANT key is bound to tenant TELCO; the BUSINESS key to ${DEMO_BUSINESS_ID}, whose spots are ${business?.spotIds.join(", ") || "(none)"}. Stop with Ctrl-C.\n`,
    );
  } else {
    if (config.jobsEnabled) {
      scheduler = await startScheduler({ ...precompute, logger, alertTarget: alertTargetOf(config) });
      // Fill the policy's window now rather than at the next full hour.
      void scheduler
        .tick()
        .catch((error: unknown) => logger.error({ err: String(error) }, "initial precompute tick failed"));
    }
    out.write(`Ready. GraphiQL: ${url}\n`);
  }
}

class StartupError extends Error {}

function installShutdown(
  server: ReturnType<typeof createServer>,
  timeoutMs: number,
  closeResources: () => Promise<void>,
  logger: pino.Logger,
) {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
    // Stop accepting; idle keep-alive sockets close now, busy ones after their response.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    await closed;
    clearTimeout(timer);
    await closeResources();
    logger.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
  return stop;
}

start().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof DatabaseOpenError || error instanceof StartupError) {
    process.stderr.write(`error: ${error.message}\n`);
  } else {
    process.stderr.write(
      `error: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
