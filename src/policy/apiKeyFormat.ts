import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import { crc32 } from "node:zlib";
import type { ApiRole } from "../db/schema/enums";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
/** How many leading characters are kept for display (CONTRACT.md "API keys"). */
export const DISPLAY_PREFIX_LENGTH = 12;

export const KEY_PREFIX_BY_ROLE: Record<ApiRole, string> = {
  buyer: "ib_buyer",
  internal: "ib_internal",
  operator: "ib_operator",
  tenant: "ib_tenant",
  business: "ib_business",
};

const ROLE_BY_PREFIX = new Map(
  Object.entries(KEY_PREFIX_BY_ROLE).map(([role, prefix]) => [prefix, role as ApiRole]),
);
const KEY_PATTERN = /^(ib_[a-z]+)_([0-9A-Za-z]{32})_([0-9A-Za-z]{6})$/;

export interface GeneratedApiKey {
  /** The plaintext: shown once, never stored. */
  plaintext: string;
  displayPrefix: string;
  hash: string;
}

export type ParsedApiKey = { ok: true; role: ApiRole } | { ok: false; reason: "malformed" | "bad_checksum" };

/** `<prefix>_<32 base62>_<6-char base62 CRC32 of the rest>`; the secret uses crypto.randomInt (unbiased). */
export function generateApiKey(role: ApiRole): GeneratedApiKey {
  let secret = "";
  for (let i = 0; i < SECRET_LENGTH; i++) secret += BASE62[randomInt(BASE62.length)];
  const body = `${KEY_PREFIX_BY_ROLE[role]}_${secret}`;
  const plaintext = `${body}_${checksumOf(body)}`;
  return { plaintext, displayPrefix: plaintext.slice(0, DISPLAY_PREFIX_LENGTH), hash: hashApiKey(plaintext) };
}

/** Checks shape and checksum only: no database needed, so typos and forgeries cost nothing. */
export function parseApiKey(candidate: string): ParsedApiKey {
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return { ok: false, reason: "malformed" };
  const [, prefix = "", secret = "", checksum = ""] = match;
  const role = ROLE_BY_PREFIX.get(prefix);
  if (role === undefined) return { ok: false, reason: "malformed" };
  const expected = checksumOf(`${prefix}_${secret}`);
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(checksum)))
    return { ok: false, reason: "bad_checksum" };
  return { ok: true, role };
}

export function hashApiKey(plaintext: string): string {
  return createHash("sha256").update(plaintext, "utf8").digest("hex");
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

export function checksumOf(body: string): string {
  return toBase62(crc32(Buffer.from(body, "utf8")), CHECKSUM_LENGTH);
}

function toBase62(value: number, width: number): string {
  let rest = value;
  let out = "";
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, "0");
}
