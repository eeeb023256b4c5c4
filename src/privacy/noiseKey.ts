import { createHash } from "node:crypto";
import type { Config } from "../config";

export interface NoiseKey {
  key: Buffer;
  /** Public identifier recorded in receipts: a hash prefix, never the key. */
  id: string;
}

/**
 * The secret behind every noise stream: NOISE_KEY, or in demo mode the key generated once into
 * DATA_DIR, which the entry points put in the config at start (demo/demoNoiseKey.ts), so that this
 * module reads no file.
 */
export function resolveNoiseKey(config: Pick<Config, "noiseKey" | "demoMode">): NoiseKey {
  if (config.noiseKey !== undefined) return withId(config.noiseKey);
  throw new Error(
    config.demoMode
      ? "no noise key: in demo mode the entry point loads the generated key from DATA_DIR (withDemoNoiseKey)"
      : "NOISE_KEY is required when DATABASE_URL is set",
  );
}

function withId(key: Buffer): NoiseKey {
  return { key, id: `nk_${createHash("sha256").update(key).digest("hex").slice(0, 12)}` };
}
