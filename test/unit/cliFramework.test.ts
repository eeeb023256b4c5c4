import { describe, expect, it } from "vitest";
import {
  type Command,
  numberOf,
  type Program,
  programHelp,
  runProgram,
  text,
  UsageError,
} from "../../src/cli/framework";
import { OPS_COMMAND_PATHS, runOps } from "../../src/cli/ops";
import { capturedIo } from "../support/capture";

/** What a command saw: its values and the arguments after its path. */
type Seen = { path: string; values: Record<string, unknown>; argv: readonly string[] };

const greet: Command<Seen[]> = {
  path: ["greet", "one"],
  summary:
    "Greet someone by name, politely and at some length, so that the wrapping reaches the span `npm run demo -- greet one` and keeps it whole.",
  details: "Say it --times times.",
  options: {
    name: { type: "string", value: "NAME", required: true, description: "Whom to greet." },
    times: { type: "string", value: "N", description: "How often (default 1)." },
    tag: { type: "string", value: "T", multiple: true, description: "Tags (repeatable)." },
  },
  examples: ["npm run demo -- greet one --name Ada"],
  async run(seen, values, argv) {
    const times = numberOf("times", text(values, "times"), true) ?? 1;
    if (times < 1) throw new UsageError("--times must be at least 1");
    seen.push({ path: "greet one", values, argv });
    return times > 3 ? 1 : 0;
  },
};

const PROGRAM: Program<Seen[]> = {
  invocation: "npm run demo --",
  intro: "A program for the framework's tests.",
  commands: [
    greet,
    {
      path: ["greet", "all"],
      summary: "Greet everyone.",
      async run(seen, values) {
        seen.push({ path: "greet all", values, argv: [] });
        return 0;
      },
    },
    {
      path: ["inner"],
      summary: "A program of its own.",
      passThrough: true,
      async run(seen, values, argv) {
        seen.push({ path: "inner", values, argv });
        return 7;
      },
    },
  ],
  aliases: { everyone: ["greet", "all"] },
  globalOptions: { loud: { type: "boolean", description: "Shout." } },
  exitCodes: [
    [0, "done"],
    [1, "failed"],
    [2, "wrong usage"],
  ],
};

async function run(...argv: string[]) {
  const { io, out } = capturedIo();
  const seen: Seen[] = [];
  const code = await runProgram(PROGRAM, argv, io, seen);
  return { code, seen, ...out };
}

describe("the command framework", () => {
  it("runs a command with its parsed options, the global ones included, and returns its exit code", async () => {
    const done = await run("greet", "one", "--name", "Ada", "--tag", "a", "--tag", "b", "--loud");
    expect(done.code).toBe(0);
    expect(done.seen).toEqual([
      {
        path: "greet one",
        values: { name: "Ada", tag: ["a", "b"], loud: true },
        argv: ["--name", "Ada", "--tag", "a", "--tag", "b", "--loud"],
      },
    ]);
    expect((await run("greet", "one", "--name", "Ada", "--times", "4")).code).toBe(1);
    expect((await run("everyone")).seen[0]?.path).toBe("greet all");
  });

  it("answers wrong usage with exit 2, one error line and the command's help to run", async () => {
    const cases: Array<[string[], string]> = [
      [["greet", "one"], "--name is required"],
      [["greet", "one", "--name", "Ada", "--colour", "red"], "Unknown option '--colour'"],
      [["greet", "one", "--name", "Ada", "--times", "lots"], '--times must be a whole number (got "lots")'],
      [["greet", "one", "--name", "Ada", "--times", "0"], "--times must be at least 1"],
    ];
    for (const [argv, message] of cases) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(2);
      expect(result.seen).toEqual([]);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`error: ${message}`);
      expect(result.stderr).toContain("run `npm run demo -- greet one --help` for usage\n");
    }
    const unknown = await run("greet", "two");
    expect(unknown).toMatchObject({
      code: 2,
      stderr: 'error: unknown command "greet two"\nrun `npm run demo -- --help` for usage\n',
    });
  });

  it("writes every help from the definitions: program, group and command, on stdout with exit 0", async () => {
    const program = await run("--help");
    expect(program).toMatchObject({ code: 0, stdout: programHelp(PROGRAM), stderr: "" });
    expect(program.stdout).toContain(
      "  greet one --name NAME [--times N] [--tag T ...]\n      Greet someone by name, politely and at some length, so that the wrapping reaches the span\n      `npm run demo -- greet one` and keeps it whole.\n",
    );
    expect(program.stdout).toContain("Global options:\n  --loud  Shout.\n");
    expect(program.stdout).toContain("Exit codes:\n  0  done\n  1  failed\n  2  wrong usage\n");
    expect((await run("help")).stdout).toBe(program.stdout);

    const command = await run("greet", "one", "--times", "x", "-h");
    expect(command.code).toBe(0);
    expect(command.seen).toEqual([]);
    expect(command.stdout).toMatch(
      /^Usage: npm run demo -- greet one --name NAME \[--times N\] \[--tag T \.\.\.\] \[global options\]\n\n/,
    );
    expect(command.stdout).toContain("Say it --times times.\n\nOptions:\n  --name NAME  Whom to greet.\n");
    expect(command.stdout).toContain("Examples:\n  npm run demo -- greet one --name Ada\n");
    expect((await run("help", "greet", "one")).stdout).toBe(command.stdout);

    const group = await run("help", "greet");
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(
      /^Usage: npm run demo -- greet <subcommand> \[options\]\n\nSubcommands:\n {2}greet one /,
    );
    // A group or a program without its command is wrong usage: the same help, on stderr.
    expect(await run("greet")).toMatchObject({ code: 2, stdout: "", stderr: group.stdout });
    expect(await run()).toMatchObject({ code: 2, stdout: "", stderr: program.stdout });
  });

  it("hands a pass-through command the rest of the line unparsed, --help included", async () => {
    const inner = await run("inner", "a", "--b", "-h");
    expect(inner.code).toBe(7);
    expect(inner.seen).toEqual([{ path: "inner", values: {}, argv: ["a", "--b", "-h"] }]);
    expect((await run("help", "inner")).seen[0]?.argv).toEqual(["--help"]);
  });
});

describe("the ops program on the framework", () => {
  it("answers help for every command without a key or a server", async () => {
    for (const path of OPS_COMMAND_PATHS) {
      const { io, out } = capturedIo();
      const code = await runOps(["help", ...path.split(" ")], io);
      expect(code, path).toBe(0);
      expect(out.stdout, path).toMatch(
        new RegExp(`^Usage: npm run ops -- ${path} .*\\[global options\\]\\n`),
      );
    }
  });
});
