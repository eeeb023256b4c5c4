// The project itself: its production entry (src/server.ts) as `npm start` runs it, configured by the
// environment the harness passes (DATABASE_URL, NOISE_KEY, LOG_LEVEL, JOBS_ENABLED, rate limits);
// this wrapper only turns `--port N` into PORT. It serves both the `project` (BUYER key) and the
// `project_internal` (INTERNAL key) runs, each in its own process.
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { port: { type: "string" } }, strict: false });
if (values.port === undefined || typeof values.port !== "string") throw new Error("--port N is required");
process.env.PORT = values.port;
process.env.HOST = "127.0.0.1";
await import("../../src/server");
