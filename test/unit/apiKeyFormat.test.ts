import { describe, expect, it } from "vitest";
import {
  checksumOf,
  DISPLAY_PREFIX_LENGTH,
  generateApiKey,
  hashApiKey,
  hashesEqual,
  parseApiKey,
} from "../../src/policy/apiKeyFormat";

describe("API key format", () => {
  it("has the contract's shape for every role", () => {
    const patterns = {
      buyer: /^ib_buyer_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/,
      internal: /^ib_internal_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/,
      operator: /^ib_operator_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/,
      tenant: /^ib_tenant_[0-9A-Za-z]{32}_[0-9A-Za-z]{6}$/,
    } as const;
    for (const [role, pattern] of Object.entries(patterns)) {
      const key = generateApiKey(role as keyof typeof patterns);
      expect(key.plaintext).toMatch(pattern);
      expect(parseApiKey(key.plaintext)).toEqual({ ok: true, role });
      expect(key.displayPrefix).toBe(key.plaintext.slice(0, DISPLAY_PREFIX_LENGTH));
      expect(key.hash).toBe(hashApiKey(key.plaintext));
      expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("computes the checksum as base62 CRC32 of everything before it", () => {
    // CRC32("ib_buyer_" + 32 zeros) is a fixed value; base62, zero-padded to 6.
    const body = `ib_buyer_${"0".repeat(32)}`;
    expect(checksumOf(body)).toHaveLength(6);
    expect(checksumOf("")).toBe("000000");
    // CRC32("a") = 0xe8b7be43, the standard check value, rendered in base62 by the helper below.
    expect(checksumOf("a")).toBe(base62(0xe8b7be43));
  });

  it("never repeats a secret", () => {
    const keys = new Set(Array.from({ length: 500 }, () => generateApiKey("internal").plaintext));
    expect(keys.size).toBe(500);
  });

  it("refuses a key whose checksum does not match, before any lookup", () => {
    const key = generateApiKey("operator").plaintext;
    const last = key.at(-1) === "A" ? "B" : "A";
    expect(parseApiKey(`${key.slice(0, -1)}${last}`)).toEqual({ ok: false, reason: "bad_checksum" });
    // One changed character of the secret also breaks it.
    const secretIndex = "ib_operator_".length;
    const flipped = key[secretIndex] === "x" ? "y" : "x";
    expect(parseApiKey(`${key.slice(0, secretIndex)}${flipped}${key.slice(secretIndex + 1)}`)).toEqual({
      ok: false,
      reason: "bad_checksum",
    });
  });

  it("refuses malformed keys: unknown prefix, wrong lengths, wrong alphabet", () => {
    const key = generateApiKey("buyer").plaintext;
    for (const candidate of [
      "",
      "ib_buyer",
      key.replace("ib_buyer", "ib_admin"),
      `${key}x`,
      key.slice(1),
      key.replace(/_(\w{6})$/, "_!!!!!!"),
      `sk_live_${"a".repeat(32)}_AAAAAA`,
    ]) {
      expect(parseApiKey(candidate)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("compares hashes in constant time and only equal hashes match", () => {
    const a = hashApiKey("one");
    expect(hashesEqual(a, hashApiKey("one"))).toBe(true);
    expect(hashesEqual(a, hashApiKey("two"))).toBe(false);
    expect(hashesEqual(a, "abcd")).toBe(false);
  });
});

function base62(value: number): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  let out = "";
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) out = alphabet[rest % 62] + out;
  return out.padStart(6, "0");
}
