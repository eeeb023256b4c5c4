import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config";

const KEY = "a".repeat(64);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("uses the documented defaults and demo mode when nothing is set", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.databaseUrl).toBeUndefined();
    expect(config.demoMode).toBe(true);
    expect(config.dataDir.endsWith(".data")).toBe(true);
    expect(config.logLevel).toBe("info");
  });

  it("leaves demo mode when DATABASE_URL is set and decodes a hex NOISE_KEY", () => {
    const config = loadConfig({
      DATABASE_URL: "postgres://u@127.0.0.1:5432/db",
      NOISE_KEY: KEY,
      PORT: "8080",
    });
    expect(config.demoMode).toBe(false);
    expect(config.port).toBe(8080);
    expect(config.noiseKey?.length).toBe(32);
  });

  it("reads the precompute's memory and parallelism, and refuses what SET could not take", () => {
    expect(loadConfig({}).precompute).toEqual({ parallelism: 2, workMem: undefined });
    expect(loadConfig({ PRECOMPUTE_PARALLELISM: "4", PRECOMPUTE_WORK_MEM: " 256MB " }).precompute).toEqual({
      parallelism: 4,
      workMem: "256MB",
    });
    expect(problemsOf({ PRECOMPUTE_PARALLELISM: "0", PRECOMPUTE_WORK_MEM: "1GB'; reset all; --" })).toEqual([
      expect.stringMatching(/^PRECOMPUTE_PARALLELISM: .*1/),
      expect.stringMatching(/^PRECOMPUTE_WORK_MEM: must be a whole number of kB, MB or GB/),
    ]);
    expect(problemsOf({ PRECOMPUTE_WORK_MEM: "1.5GB" })).toHaveLength(1);
  });

  it("reports every problem at once, each naming its variable", () => {
    const problems = problemsOf({
      PORT: "70000",
      DATABASE_URL: "mysql://x",
      LOG_LEVEL: "loud",
      NOISE_KEY: "short",
    });
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "DATABASE_URL",
      "LOG_LEVEL",
      "NOISE_KEY",
      "PORT",
    ]);
    expect(problems.find((p) => p.startsWith("PORT"))).toContain("between 1 and 65535");
  });

  it("reports a bad PORT and a missing NOISE_KEY together, cross-field rules beside the others", () => {
    const problems = problemsOf({
      PORT: "70000",
      DATABASE_URL: "postgres://u@127.0.0.1/db",
      ANOMALIES_ALERT_WEBHOOK: "https://alerts.example.com/hook",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^PORT: must be between 1 and 65535 \(got "70000"\)/),
      expect.stringMatching(/^NOISE_KEY: required when DATABASE_URL is set/),
      expect.stringMatching(/^ANOMALIES_ALERT_SECRET: required when ANOMALIES_ALERT_WEBHOOK is set/),
    ]);
  });

  it("requires a NOISE_KEY outside demo mode", () => {
    const problems = problemsOf({ DATABASE_URL: "postgres://u@127.0.0.1/db" });
    expect(problems).toEqual([expect.stringMatching(/^NOISE_KEY: required when DATABASE_URL is set/)]);
  });

  it("treats an empty variable as unset", () => {
    expect(loadConfig({ DATABASE_URL: "  ", PORT: "" }).demoMode).toBe(true);
  });

  it("refuses a port that is not a number", () => {
    expect(problemsOf({ PORT: "http" })).toEqual([expect.stringMatching(/^PORT: .*got "http"/)]);
  });
});
