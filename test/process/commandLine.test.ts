// Start-up failures and the bootstrap command line, as real processes. None of it depends on the
// backend under test, so it lives outside test/integration (which CI runs a second time on PGlite);
// the server's own start on each backend stays in test/integration/startup.test.ts.
import { mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_RELEASE_PLAN } from "../../src/privacy/releasePlan";
import { childEnv, freePort, runScript, tempDataDir } from "../support/processes";

const NOISE_KEY = "ab".repeat(32);
const KEY_LINE = /^ib_operator_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/;

/** An expected failure: exit 1 and exactly one line, no stack trace. */
function expectOneLineFailure(result: { code: number | null; stderr: string }, pattern: RegExp) {
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe("start-up failures end with one clear line and exit 1", () => {
  it("a malformed DATABASE_URL", async () => {
    const result = await runScript(
      "src/server.ts",
      [],
      childEnv({ DATABASE_URL: "mysql://localhost/db", NOISE_KEY }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("DATABASE_URL: must be a postgres:// or postgresql:// URL");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a bad PORT and a missing NOISE_KEY, both in one report", async () => {
    const result = await runScript(
      "src/server.ts",
      [],
      childEnv({ DATABASE_URL: "postgres://u@127.0.0.1/db", PORT: "70000" }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT: must be between 1 and 65535 (got "70000")');
    expect(result.stderr).toContain("NOISE_KEY: required when DATABASE_URL is set");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unreachable PostgreSQL", async () => {
    const port = await freePort();
    const result = await runScript(
      "src/server.ts",
      [],
      childEnv({ DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${port}/nowhere`, NOISE_KEY }),
    );
    expectOneLineFailure(
      result,
      /^error: cannot connect to PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/,
    );
  });

  it("a port already in use", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const result = await runScript(
        "src/server.ts",
        [],
        childEnv({ DATA_DIR: tempDataDir(), PORT: String(port) }),
      );
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `error: port ${port} on 127.0.0.1 is already in use: stop the other process or set PORT to a free port`,
      );
    } finally {
      blocker.close();
    }
  });

  it("a corrupt data folder", async () => {
    const dataDir = tempDataDir();
    mkdirSync(path.join(dataDir, "pgdata", "global"), { recursive: true });
    writeFileSync(path.join(dataDir, "pgdata", "PG_VERSION"), "not a version\n");
    writeFileSync(path.join(dataDir, "pgdata", "global", "pg_control"), "garbage");
    const result = await runScript(
      "src/server.ts",
      [],
      childEnv({ DATA_DIR: dataDir, PORT: String(await freePort()) }),
    );
    expectOneLineFailure(result, /^error: cannot open the embedded database in .*pgdata: .*move it aside/);
  });
});

describe("the bootstrap command line", () => {
  it("issues an operator key without a server, prints it once, and lists it without the secret", async () => {
    const env = childEnv({ DATA_DIR: tempDataDir() });
    const issued = await runScript(
      "src/cli/main.ts",
      ["keys", "issue", "--role", "OPERATOR", "--name", "ops"],
      env,
    );
    expect(issued.code).toBe(0);
    const key = issued.stdout.trim();
    expect(key).toMatch(KEY_LINE);
    expect(issued.stderr).toContain('Issued OPERATOR key "ops"');
    const listed = await runScript("src/cli/main.ts", ["keys", "list"], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${key.slice(0, 12)}…  OPERATOR active  ops`);
    expect(listed.stdout).not.toContain(key.slice(12));
  });

  it("refuses a BUYER key without an outside_buyer_ partner id, naming the rule", async () => {
    const result = await runScript(
      "src/cli/main.ts",
      ["keys", "issue", "--role", "BUYER", "--name", "acme", "--partner-id", "acme"],
      childEnv({ DATA_DIR: tempDataDir() }),
    );
    expectOneLineFailure(
      result,
      /^error: PARTNER_ID_REQUIRED: A BUYER key needs a partnerId starting "outside_buyer_"/,
    );
  });

  it("precomputes a range of DAY releases with a summary, then finds nothing missing", async () => {
    const env = childEnv({ DATA_DIR: tempDataDir(), DEMO_DAYS: "14", DEMO_SCALE: "0.02" });
    expect((await runScript("src/cli/main.ts", ["demo-data"], env)).code).toBe(0);
    const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
    const args = ["precompute", "--granularity", "day", "--from", day(8), "--to", day(5)];
    // Every DAY entry of the default plan, for each of the three days.
    const perDay = DEFAULT_RELEASE_PLAN.filter(
      (entry) => entry.granularity === "day" && entry.enabled,
    ).length;
    const first = await runScript("src/cli/main.ts", args, env);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(
      new RegExp(
        `precompute day .*: ${3 * perDay} released \\(\\d+ cells released, [\\d,]+ suppressed\\), 0 still under the 72 h reporting delay`,
      ),
    );
    const second = await runScript("src/cli/main.ts", args, env);
    expect(second.stderr).toMatch(/: 0 released .*nothing was missing/);
    const bad = await runScript(
      "src/cli/main.ts",
      ["precompute", "--granularity", "month", "--from", day(8), "--to", day(5)],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--granularity must be one of hour, day, week");
    // The plan's DAY releases hold each day at 1.8; new versions of all of them would make 3.6: those
    // that would take a day above the cap of 3.0 are refused, writing nothing, with exit code 3.
    const again = [...args, "--new-version", "--reason", "recount"];
    const refused = await runScript("src/cli/main.ts", again, env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(
      /PRIVACY_CAP_REACHED day\|.*would take \d{4}-\d{2}-\d{2} to epsilon 3\.\d+/,
    );
  }, 240_000);

  it("explains its usage with --help and refuses an unknown command", async () => {
    const help = await runScript("src/cli/main.ts", ["--help"], childEnv({}));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("keys issue --role ROLE --name NAME");
    expect(help.stdout).toMatch(
      /Exit codes:\n {2}0 {2}done\n {2}1 {2}failed.*\n {2}2 {2}wrong usage.*\n {2}3 {2}precompute only/,
    );
    const unknown = await runScript("src/cli/main.ts", ["frobnicate"], childEnv({}));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });

  it("every command answers --help with its usage and the exit codes, exit 0, without a database", async () => {
    // A configuration that could not start anything: help must not need it.
    const env = childEnv({ DATABASE_URL: "postgres://u@127.0.0.1:1/none", PORT: "0" });
    const commands: Array<[string[], string]> = [
      [["precompute", "--help"], "precompute --granularity day|week|hour --from DATE --to DATE"],
      [["keys", "issue", "--help"], "keys issue --role ROLE --name NAME"],
      [["keys", "list", "-h"], "keys list"],
      [["demo-data", "--help"], "demo-data [--seed N] [--days N]"],
      [["migrate", "--help"], "Apply database migrations"],
      [["schema:print", "--help"], "schema:print [--out FILE]"],
      [["help", "precompute"], "PRIVACY_CAP_REACHED, exit 3"],
    ];
    const results = await Promise.all(commands.map(([args]) => runScript("src/cli/main.ts", args, env)));
    results.forEach((result, index) => {
      const [args, expected] = commands[index] ?? [[], ""];
      expect(result.code, args.join(" ")).toBe(0);
      expect(result.stdout, args.join(" ")).toContain(expected);
      expect(result.stdout, args.join(" ")).toContain("2  wrong usage");
      expect(result.stderr, args.join(" ")).toBe("");
    });
    const ops = await runScript("src/cli/main.ts", ["ops", "precompute", "run", "--help"], childEnv({}));
    expect(ops.code).toBe(0);
    // Both programs list their exit codes the same way.
    expect(ops.stdout).toMatch(
      /Exit codes:\n {2}0 {2}done\n {2}1 {2}refused or failed.*\n {2}2 {2}wrong usage/,
    );
  });
});
