import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../config";

export interface NoiseKey {
  key: Buffer;
  /** Public identifier recorded in receipts: a hash prefix, never the key. */
  id: string;
}

/**
 * The secret behind every noise stream. Configured (NOISE_KEY) outside demo mode; in demo mode
 * generated once and kept in DATA_DIR so that restarts reproduce the same releases.
 */
export function resolveNoiseKey(config: Config): NoiseKey {
  if (config.noiseKey !== undefined) return withId(config.noiseKey);
  if (!config.demoMode) throw new Error("NOISE_KEY is required when DATABASE_URL is set");
  const file = path.join(config.dataDir, "noise.key");
  if (existsSync(file)) return withId(Buffer.from(readFileSync(file, "utf8").trim(), "hex"));
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  return withId(key);
}

function withId(key: Buffer): NoiseKey {
  return { key, id: `nk_${createHash("sha256").update(key).digest("hex").slice(0, 12)}` };
}
