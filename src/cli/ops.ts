import { OpsRequestError } from "../client/opsClient";
import { actionsCommands } from "./commands/actions";
import { anomaliesCommands } from "./commands/anomalies";
import { auditCommands } from "./commands/audit";
import { budgetsCommands } from "./commands/budgets";
import { contractsCommands } from "./commands/contracts";
import { feedCommands } from "./commands/feed";
import { geoCommands } from "./commands/geo";
import { healthCommands } from "./commands/health";
import { jobsCommands } from "./commands/jobs";
import { keysCommands } from "./commands/keys";
import { monitorsCommands } from "./commands/monitors";
import { policiesCommands } from "./commands/policies";
import { precomputeCommands } from "./commands/precompute";
import { privacyCommands } from "./commands/privacy";
import { requestsCommands } from "./commands/requests";
import {
  type Command,
  commandPaths,
  EXIT_FAILED,
  EXIT_OK,
  type Program,
  programHelp,
  runProgram,
  text,
  UsageError,
} from "./framework";
import type { OpsCommand, OpsIo, Outcome } from "./opsCommand";
import { formatRecord, formatTable } from "./table";

export type { OpsIo } from "./opsCommand";

export const DEFAULT_OPS_URL = "http://127.0.0.1:4000/graphql";

/**
 * `npm run ops`: the ops command line over HTTP. A command is an OpsCommand (src/cli/opsCommand.ts)
 * in its group's file under src/cli/commands/: its path, summary, options and a run that sends one
 * of the typed documents of src/cli/operations/*.graphql (`npm run codegen` after a new one) and
 * returns an Outcome. Add it to its group's list (a new group: to this list); the help, the option
 * parsing, the key, --json and the exit codes follow from the framework (src/cli/framework.ts).
 * Listed in this order by `npm run ops -- --help`.
 */
const OPS_COMMANDS: OpsCommand[] = [
  ...keysCommands,
  ...budgetsCommands,
  ...precomputeCommands,
  ...jobsCommands,
  ...requestsCommands,
  ...geoCommands.filter((command) => command.path[0] === "coverage"),
  ...contractsCommands,
  ...healthCommands,
  ...privacyCommands,
  ...anomaliesCommands,
  ...feedCommands,
  ...actionsCommands,
  ...auditCommands,
  ...monitorsCommands,
  ...policiesCommands,
  ...geoCommands.filter((command) => command.path[0] !== "coverage"),
];

/**
 * An ops command as a framework command: the endpoint and key from --url and --key (or
 * OPS_API_KEY), its outcome printed as a table, a record or JSON; a GraphQL error exits 1.
 */
function asCommand(command: OpsCommand): Command<OpsIo> {
  return {
    ...command,
    async run(io, values) {
      const key = text(values, "key") ?? io.defaultKey ?? "";
      if (key === "") throw new UsageError("no API key: pass --key or set OPS_API_KEY");
      const json = values.json === true;
      try {
        const endpoint = { url: text(values, "url") ?? DEFAULT_OPS_URL, key };
        return print(await command.run({ endpoint, values, io }), io, json);
      } catch (error) {
        if (!(error instanceof OpsRequestError)) throw error;
        if (json)
          io.stdout.write(
            `${JSON.stringify({ error: { code: error.code, message: error.message } }, null, 2)}\n`,
          );
        else io.stderr.write(`error: ${error.code}: ${error.message}\n`);
        return EXIT_FAILED;
      }
    },
  };
}

const OPS_PROGRAM: Program<OpsIo> = {
  invocation: "npm run ops --",
  intro:
    "Talks to a running server over HTTP with an API key, using only the generated typed documents " +
    "(src/cli/operations/*.graphql). Mutations need an OPERATOR key; INTERNAL keys may read. Write the " +
    "command first, then its options; every command and group has --help. Lists print as aligned " +
    "tables, single results as name-value lines; --json prints JSON for scripts instead.",
  commands: OPS_COMMANDS.map(asCommand),
  // `ops audit` lists the log (as it did before the subcommands), `budget list` the budgets.
  aliases: { audit: ["audit", "list"], "budget list": ["budgets"] },
  globalOptions: {
    url: { type: "string", value: "URL", description: `GraphQL endpoint (default ${DEFAULT_OPS_URL}).` },
    key: {
      type: "string",
      value: "KEY",
      description: "API key (OPERATOR; INTERNAL for reads); default: OPS_API_KEY.",
    },
    json: { type: "boolean", description: "Print JSON for scripts instead of tables." },
    help: { type: "boolean", description: "Show the command's help (also -h)." },
  },
  exitCodes: [
    [0, "done"],
    [1, "refused or failed (the userError or error code is printed)"],
    [2, "wrong usage: unknown command or option, a missing or invalid option value, no API key"],
  ],
  examples: [
    "OPS_API_KEY=ib_operator_… npm run ops -- jobs",
    "KEY=$(npm run -s ops -- keys issue --role BUYER --name acme --partner-id outside_buyer_acme)",
    "npm run ops -- precompute run --granularity DAY --from 2026-01-01 --to 2026-02-01 --wait",
    "npm run ops -- feed list --status NEW --json",
  ],
};

/** Every command, as typed after `ops` (for help and tests). */
export const OPS_COMMAND_PATHS: readonly string[] = commandPaths(OPS_PROGRAM);

export const OPS_HELP = programHelp(OPS_PROGRAM);

/**
 * Runs one ops command (argv after `ops`) against a server and returns the exit code: 0 done,
 * 1 refused (userErrors) or failed (an error code), 2 wrong usage.
 */
export function runOps(argv: string[], io: OpsIo): Promise<number> {
  return runProgram(OPS_PROGRAM, argv, io, io);
}

function print(outcome: Outcome, io: OpsIo, json: boolean): number {
  if (json) {
    io.stdout.write(`${JSON.stringify(outcome.json, null, 2)}\n`);
    if (outcome.kind === "failed" && outcome.json === null)
      io.stderr.write(`error: ${outcome.code}: ${outcome.message}\n`);
    return outcome.kind === "refused" || outcome.kind === "failed" ? EXIT_FAILED : EXIT_OK;
  }
  switch (outcome.kind) {
    case "rows":
      io.stdout.write(formatTable(outcome.rows));
      if (outcome.note !== undefined) io.stderr.write(`${outcome.note}\n`);
      return EXIT_OK;
    case "record":
      if (outcome.secret !== undefined) {
        // The secret alone on stdout, so `KEY=$(npm run -s ops -- keys issue ...)` captures just it.
        io.stdout.write(`${outcome.secret}\n`);
        io.stderr.write(formatRecord(outcome.record));
      } else {
        io.stdout.write(formatRecord(outcome.record));
      }
      if (outcome.note !== undefined) io.stderr.write(`${outcome.note}\n`);
      return EXIT_OK;
    case "refused":
      for (const error of outcome.userErrors)
        io.stderr.write(`error: ${error.code} (${error.field.join(".")}): ${error.message}\n`);
      return EXIT_FAILED;
    case "failed":
      if (outcome.record !== undefined) io.stdout.write(formatRecord(outcome.record));
      io.stderr.write(`error: ${outcome.code}: ${outcome.message}\n`);
      return EXIT_FAILED;
  }
}
