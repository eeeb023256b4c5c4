import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

/**
 * The one command framework behind `npm run cli` and `npm run ops`: a program is a list of
 * commands, each a path of words, a summary, its options and a run function. The framework finds
 * the command, parses its options (node:util parseArgs, strict), checks the required ones, writes
 * every help text from these definitions and turns a UsageError into exit code 2.
 */

/** Exit codes shared by every command: 0 done, 1 refused or failed, 2 wrong usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Wrong usage (an unknown command or option, a missing or invalid value): exit 2 with a pointer to help. */
export class UsageError extends Error {}

export interface OptionSpec {
  type: "string" | "boolean";
  /** The value's placeholder in help, e.g. ROLE. */
  value?: string;
  required?: true;
  multiple?: true;
  description: string;
}

export type Options = Record<string, OptionSpec>;
export type Values = Record<string, string | boolean | string[] | undefined>;

/** Where a command writes. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export interface Command<C> {
  /** The words typed after the program, e.g. ["keys", "issue"]. */
  path: readonly string[];
  /** What it does: listed in the program's and the group's help. */
  summary: string;
  /** More, shown in the command's own help only. */
  details?: string;
  options?: Options;
  examples?: readonly string[];
  /** The arguments after the path go to run unparsed: a program of its own (`cli ops ...`). */
  passThrough?: true;
  /** Returns the exit code; throws UsageError for wrong usage. */
  run(context: C, values: Values, argv: readonly string[]): Promise<number>;
}

export interface Program<C> {
  /** How it is called, e.g. "npm run ops --". */
  invocation: string;
  /** What the program is, above its command list. */
  intro: string;
  commands: readonly Command<C>[];
  /** Other spellings: the words typed -> the command's path. */
  aliases?: Readonly<Record<string, readonly string[]>>;
  /** Options every command takes (e.g. --url, --key, --json). */
  globalOptions?: Options;
  exitCodes: ReadonlyArray<readonly [number, string]>;
  examples?: readonly string[];
}

// ---- values -------------------------------------------------------------------------------------

/** A string option's value. */
export const text = (values: Values, name: string): string | undefined => {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
};

/** One of the allowed values, compared in upper case. */
export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (!(allowed as readonly string[]).includes(upper))
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")} (got "${value}")`);
  return upper as T;
}

export function numberOf(name: string, value: string | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || (integer && !Number.isInteger(parsed)))
    throw new UsageError(`--${name} must be ${integer ? "a whole number" : "a number"} (got "${value}")`);
  return parsed;
}

export function instantOf(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime()))
    throw new UsageError(`--${name} must be a date or instant, e.g. 2026-01-01 or 2026-01-01T00:00:00Z`);
  return parsed.toISOString();
}

export function booleanOf(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "true" || value === "false") return value === "true";
  throw new UsageError(`--${name} must be true or false (got "${value}")`);
}

/** A value given inline (--sql) or read from a file (--sql-file), not both. */
export function inlineOrFile(values: Values, name: string): string | undefined {
  const inline = text(values, name);
  const file = text(values, `${name}-file`);
  if (inline !== undefined && file !== undefined)
    throw new UsageError(`give --${name} or --${name}-file, not both`);
  if (file === undefined) return inline;
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(
      `cannot read --${name}-file ${file}: ${error instanceof Error ? error.message : error}`,
    );
  }
}

// ---- help ---------------------------------------------------------------------------------------

const HELP_WIDTH = 100;

/** Text wrapped at HELP_WIDTH columns, each line indented; its own newlines are kept. */
function wrap(words: string, indent: string): string {
  return words
    .split("\n")
    .map((paragraph) => {
      const lines: string[] = [];
      let line = "";
      // A `code span` is one word, never broken.
      for (const word of paragraph.match(/(?:`[^`]*`|\S)+/g) ?? []) {
        if (line !== "" && indent.length + line.length + 1 + word.length > HELP_WIDTH) {
          lines.push(line);
          line = word;
        } else line = line === "" ? word : `${line} ${word}`;
      }
      lines.push(line);
      return lines.map((part) => `${indent}${part}\n`).join("");
    })
    .join("");
}

const flag = (name: string, spec: OptionSpec) => `--${name}${spec.value ? ` ${spec.value}` : ""}`;

/** The options as typed: required ones bare, the others in brackets. */
export function synopsis(options: Options = {}): string {
  return Object.entries(options)
    .map(([name, spec]) => {
      const typed = `${flag(name, spec)}${spec.multiple ? " ..." : ""}`;
      return spec.required ? typed : `[${typed}]`;
    })
    .join(" ");
}

function optionLines(options: Options): string {
  const flags = Object.entries(options).map(([name, spec]) => flag(name, spec));
  const width = Math.max(...flags.map((typed) => typed.length));
  return Object.values(options)
    .map((spec, index) => `  ${(flags[index] ?? "").padEnd(width)}  ${spec.description}\n`)
    .join("");
}

const usageLine = <C>(command: Command<C>) =>
  [command.path.join(" "), synopsis(command.options), command.passThrough ? "<command> [options]" : ""]
    .filter((part) => part !== "")
    .join(" ");

function commandList<C>(commands: readonly Command<C>[]): string {
  return commands.map((command) => `  ${usageLine(command)}\n${wrap(command.summary, "      ")}`).join("");
}

function footer<C>(program: Program<C>, examples: readonly string[] = []): string {
  const globals =
    program.globalOptions === undefined ? "" : `\nGlobal options:\n${optionLines(program.globalOptions)}`;
  const codes = program.exitCodes.map(([code, meaning]) => `  ${code}  ${meaning}\n`).join("");
  const shown = examples.length > 0 ? `\nExamples:\n${examples.map((line) => `  ${line}\n`).join("")}` : "";
  return `${globals}\nExit codes:\n${codes}${shown}`;
}

export function programHelp<C>(program: Program<C>): string {
  return `Usage: ${program.invocation} <command> [options]

${wrap(program.intro, "").trimEnd()}

Commands (each also answers <command> --help):
${commandList(program.commands)}  help [COMMAND]
      Show this text, or one command's or group's.
${footer(program, program.examples)}`;
}

function groupHelp<C>(program: Program<C>, group: string): string {
  return `Usage: ${program.invocation} ${group} <subcommand> [options]

Subcommands:
${commandList(program.commands.filter((command) => command.path[0] === group))}${footer(program)}`;
}

function commandHelp<C>(program: Program<C>, command: Command<C>): string {
  const options = command.options ?? {};
  const globals = program.globalOptions === undefined ? "" : " [global options]";
  const text = [command.summary, command.details].filter((part) => part !== undefined).join("\n");
  const listed = Object.keys(options).length > 0 ? `\nOptions:\n${optionLines(options)}` : "";
  return `Usage: ${program.invocation} ${usageLine(command)}${globals}

${wrap(text, "")}${listed}${footer(program, command.examples)}`;
}

// ---- running ------------------------------------------------------------------------------------

/** Every command's path as typed (for help and tests). */
export const commandPaths = <C>(program: Program<C>): string[] =>
  program.commands.map((command) => command.path.join(" "));

function find<C>(program: Program<C>, words: readonly string[]): Command<C> | undefined {
  const path = program.aliases?.[words.join(" ")] ?? words;
  return program.commands.find(
    (candidate) =>
      candidate.path.length === path.length && candidate.path.every((word, index) => path[index] === word),
  );
}

const isGroup = <C>(program: Program<C>, word: string | undefined) =>
  program.commands.some((command) => command.path[0] === word && command.path.length > 1);

/**
 * Runs one command line (argv after the program) and returns its exit code. The command's words
 * come first, then its options; `--help`/`-h` anywhere, or `help [COMMAND]`, prints help (exit 0)
 * without running anything. A group without its subcommand, or no command at all, prints the
 * group's or the program's help on stderr (exit 2).
 */
export async function runProgram<C>(
  program: Program<C>,
  argv: readonly string[],
  io: Io,
  context: C,
): Promise<number> {
  const usage = (message: string, help = `${program.invocation} --help`) => {
    io.stderr.write(`error: ${message}\nrun \`${help}\` for usage\n`);
    return EXIT_USAGE;
  };
  const split = argv.findIndex((arg) => arg.startsWith("-"));
  const words = split === -1 ? [...argv] : argv.slice(0, split);
  const rest = split === -1 ? [] : argv.slice(split);

  const passThrough = program.commands.find((command) => command.passThrough && command.path[0] === words[0]);
  if (passThrough !== undefined) return passThrough.run(context, {}, argv.slice(1));

  const asked = words[0] === "help";
  const topic = asked ? words.slice(1) : words;
  const wantsHelp = asked || rest.includes("--help") || rest.includes("-h");
  const show = (help: string) => {
    (wantsHelp ? io.stdout : io.stderr).write(help);
    return wantsHelp ? EXIT_OK : EXIT_USAGE;
  };
  if (topic.length === 0) return show(programHelp(program));
  const command = find(program, topic);
  if (command === undefined) {
    if (topic.length === 1 && isGroup(program, topic[0])) return show(groupHelp(program, topic[0] ?? ""));
    return usage(`unknown command "${topic.join(" ")}"`);
  }
  if (command.passThrough) return command.run(context, {}, ["--help"]);
  if (wantsHelp) return show(commandHelp(program, command));

  const help = `${program.invocation} ${command.path.join(" ")} --help`;
  const options = { ...program.globalOptions, ...command.options };
  let values: Values;
  try {
    values = parseArgs({
      args: [...rest],
      strict: true,
      allowPositionals: false,
      options: Object.fromEntries(
        Object.entries(options).map(([name, spec]) => [
          name,
          { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) },
        ]),
      ),
    }).values as Values;
  } catch (error) {
    return usage(error instanceof Error ? error.message : String(error), help);
  }
  for (const [name, spec] of Object.entries(options)) {
    if (spec.required && values[name] === undefined) return usage(`--${name} is required`, help);
  }
  try {
    return await command.run(context, values, rest);
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message, help);
    throw error;
  }
}
