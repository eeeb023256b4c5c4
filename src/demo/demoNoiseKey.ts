import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config";

/**
 * The config with a noise key: as given when NOISE_KEY is set (or outside demo mode, where loading
 * the config already demands it); in demo mode without one, the key generated once and kept in
 * DATA_DIR/noise.key, so that restarts reproduce the same releases.
 */
export function withDemoNoiseKey(config: Config): Config {
  if (config.noiseKey !== undefined || !config.demoMode) return config;
  return { ...config, noiseKey: demoNoiseKey(config.dataDir) };
}

function demoNoiseKey(dataDir: string): Buffer {
  const file = path.join(dataDir, "noise.key");
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  return key;
}
