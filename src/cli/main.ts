import { ConfigError, loadConfig } from "../config";
import { DatabaseOpenError } from "../db/client";
import { localCommands } from "./commands/local";
import { EXIT_FAILED, type Io, type Program, runProgram } from "./framework";
import { runOps } from "./ops";
import { EXIT_CAP_REACHED } from "./precompute";

/** `npm run cli`: the commands on the database, and `ops` (the HTTP command line of ./ops.ts). */
const CLI_PROGRAM: Program<Io> = {
  invocation: "npm run cli --",
  intro:
    "Admin command line. Works directly on the configured database (DATABASE_URL, or the embedded " +
    "database in DATA_DIR); no server and no API key needed (except ops, which talks to one). Stop " +
    "`npm start` before using it on the embedded database: PGlite allows one process at a time. " +
    "Help never opens the database.",
  commands: [
    ...localCommands,
    {
      path: ["ops"],
      summary:
        "The ops command line (also `npm run ops -- ...`): keys, budgets, precompute, every ops view, feed, " +
        "actions, audit, monitors, policies, cities and localities, over HTTP against a running server with " +
        "an OPERATOR key (INTERNAL for reads; --key or OPS_API_KEY). `npm run ops -- --help` lists them.",
      passThrough: true,
      run: (io, _values, argv) => runOps([...argv], { ...io, defaultKey: loadConfig().opsApiKey }),
    },
  ],
  exitCodes: [
    [0, "done"],
    [1, "failed: invalid configuration, database unreachable, a refused key issue, an error"],
    [2, "wrong usage: unknown command or option, a missing or invalid option value"],
    [
      EXIT_CAP_REACHED,
      "precompute only: a release was refused at the participant-day cap (PRIVACY_CAP_REACHED)",
    ],
  ],
  examples: [
    "npm run cli -- keys issue --role OPERATOR --name ops",
    "npm run cli -- keys issue --role BUYER --name acme --partner-id outside_buyer_acme",
    "npm run cli -- precompute --granularity day --from 2026-01-01 --to 2026-02-01",
    "OPS_API_KEY=ib_operator_… npm run ops -- jobs --url http://127.0.0.1:4000/graphql",
  ],
};

const io: Io = { stdout: process.stdout, stderr: process.stderr };

runProgram(CLI_PROGRAM, process.argv.slice(2), io, io).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Wrong usage was answered by runProgram (exit 2); what is left is a failure, exit 1, in one line
    // when it is an expected one.
    if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
    else if (error instanceof DatabaseOpenError) process.stderr.write(`error: ${error.message}\n`);
    else
      process.stderr.write(
        `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    process.exit(EXIT_FAILED);
  },
);
