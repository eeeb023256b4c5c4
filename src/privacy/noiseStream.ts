import { type Cipher, createCipheriv, createHmac } from "node:crypto";

export interface UniformSource {
  /** uniform integer in [0, n), n >= 1 */
  below(n: bigint): bigint;
}

const SEED_BYTES = 32;
const ZERO_IV = Buffer.alloc(16);
// Streams start small (a cell's noise needs a few dozen bytes) and double for long test runs.
const FIRST_CHUNK = 64;
const MAX_CHUNK = 16_384;
const ZEROS = Buffer.alloc(MAX_CHUNK);
// Below 2^48 a candidate fits a double exactly, so it is assembled without BigInt until returned.
const SMALL_LIMIT = 2n ** 48n;

/**
 * The per-cell noise stream (PRIVACY.md "Noise"): keyed by the cell, never by the query or buyer,
 * so every request and every re-run of a release sees the same numbers.
 */
export function keyedNoiseStream(
  key: Buffer,
  cellKey: string,
  metric: string,
  releaseVersion: number,
): UniformSource {
  if (key.length === 0) throw new Error("noise key must not be empty");
  if (!Number.isSafeInteger(releaseVersion) || releaseVersion < 1) {
    throw new Error(`release version must be a positive integer, got ${releaseVersion}`);
  }
  const seed = createHmac("sha256", key).update(`${cellKey}|${metric}|${releaseVersion}`).digest();
  return seededUniformSource(seed);
}

/** The same expansion from a given 32-byte seed. */
export function seededUniformSource(seed: Buffer): UniformSource {
  if (seed.length !== SEED_BYTES) throw new Error(`seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  // AES-256-CTR keystream (zero IV, zero bytes): measured ~2 GB/s here against ~15 MB/s for
  // HMAC-SHA256(seed, counter) blocks.
  return new CtrSource(createCipheriv("aes-256-ctr", seed, ZERO_IV));
}

class CtrSource implements UniformSource {
  private buffer: Buffer = Buffer.alloc(0);
  private offset = 0;
  private chunk = FIRST_CHUNK;
  private lastN = 0n;
  private lastBytes = 0;
  private lastTopMask = 0;

  constructor(private readonly cipher: Cipher) {}

  below(n: bigint): bigint {
    if (n < 1n) throw new RangeError(`below(n) needs n >= 1, got ${n}`);
    if (n === 1n) return 0n;
    if (n !== this.lastN) this.prepare(n);
    const bytes = this.lastBytes;
    const topMask = this.lastTopMask;
    if (n <= SMALL_LIMIT) {
      const limit = Number(n);
      for (;;) {
        this.ensure(bytes);
        const buf = this.buffer;
        let at = this.offset;
        let value = buf[at++]! & topMask;
        for (let i = 1; i < bytes; i++) value = value * 256 + buf[at++]!;
        this.offset = at;
        if (value < limit) return BigInt(value);
      }
    }
    for (;;) {
      this.ensure(bytes);
      const at = this.offset;
      this.offset = at + bytes;
      const top = this.buffer[at]! & topMask;
      const rest = this.buffer.toString("hex", at + 1, at + bytes);
      const value = (BigInt(top) << BigInt(8 * (bytes - 1))) | BigInt(`0x0${rest}`);
      if (value < n) return value;
    }
  }

  /** Candidates are the fewest whole big-endian bytes covering n - 1, top byte masked to its bit length. */
  private prepare(n: bigint): void {
    const bits = (n - 1n).toString(2).length;
    const spare = bits % 8;
    this.lastN = n;
    this.lastBytes = (bits + 7) >> 3;
    this.lastTopMask = spare === 0 ? 0xff : (1 << spare) - 1;
  }

  private ensure(count: number): void {
    if (this.buffer.length - this.offset >= count) return;
    const rest = this.buffer.subarray(this.offset);
    const size = Math.max(this.chunk, count);
    const fresh = this.cipher.update(size <= MAX_CHUNK ? ZEROS.subarray(0, size) : Buffer.alloc(size));
    this.buffer = rest.length === 0 ? fresh : Buffer.concat([rest, fresh]);
    this.offset = 0;
    if (this.chunk < MAX_CHUNK) this.chunk *= 2;
  }
}
