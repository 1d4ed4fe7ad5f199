import { crc32c } from "./crc32c.js";
import type { VerifyKind } from "./job-options.js";
import { Md5 } from "./md5.js";

/**
 * fio-style data verification. Every `interval` bytes of a written block carry a header, a
 * digest and a pseudo-random payload:
 *
 * ```
 *  0  u16 magic 0xacca     2  u16 kind (1 md5, 2 crc32c)   4  u32 interval length
 *  8  u32 write seed      12  u32 thread number
 * 16  u64 byte offset of this chunk on the device          24  u32 0
 * 28  u32 crc32c of bytes 0..27
 * 32  digest of the payload (16 bytes of md5, or 4 of crc32c)
 * 48  (md5) or 36 (crc32c): payload, a xorshift stream seeded by (seed, offset), to the chunk's end
 * ```
 *
 * A read checks, in order: magic, header (kind, length, header crc), the offset (a misdirected
 * write or read), the seed against the last write that completed there (a lost or stale write),
 * then the payload digest (corruption). All little-endian.
 */
export const VERIFY_MAGIC = 0xacca;
/** Header bytes before the digest. */
export const VERIFY_HEADER_BYTES = 32;
/** Digest bytes per checksum. */
const DIGEST_BYTES: Record<VerifyKind, number> = { md5: 16, crc32c: 4 };
/** Offset of the payload in a chunk: right after the digest, so every byte is covered. */
export function verifyPayloadOffset(kind: VerifyKind): number {
  return VERIFY_HEADER_BYTES + DIGEST_BYTES[kind];
}

/** Why a chunk failed verification. */
export type VerifyFailureKind = "bad-magic" | "bad-header" | "wrong-offset" | "stale-data" | "checksum";

/** One failed chunk. */
export interface VerifyFailure {
  readonly kind: VerifyFailureKind;
  /** Device byte offset of the failing chunk. */
  readonly offset: number;
  /** Chunk length. */
  readonly length: number;
  /** The I/O that read it. */
  readonly requestOffset: number;
  readonly requestLength: number;
  /** What was expected and what was found, as fio prints them (hex digests, numbers). */
  readonly expected: string;
  readonly received: string;
  /** Checksum used ("md5", "crc32c"). */
  readonly checksum: VerifyKind;
}

const KIND_CODE: Record<VerifyKind, number> = { md5: 1, crc32c: 2 };

function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}
function get32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/** Writes and checks verify chunks. One per job thread (it owns an MD5 scratch state). */
export class Verifier {
  readonly kind: VerifyKind;
  readonly interval: number;
  readonly #md5 = new Md5();
  readonly #digest = new Uint8Array(16);

  constructor(kind: VerifyKind, interval: number) {
    this.kind = kind;
    this.interval = interval;
  }

  /**
   * Fills the chunk at `buf[at, at + interval)` for device offset `offset`. `words` is a
   * Uint32Array view of the same buffer (4-byte aligned), used for a fast payload fill.
   */
  fill(buf: Uint8Array, words: Uint32Array, at: number, offset: number, seed: number, thread: number): void {
    const n = this.interval;
    put32(buf, at, VERIFY_MAGIC | (KIND_CODE[this.kind] << 16));
    put32(buf, at + 4, n);
    put32(buf, at + 8, seed);
    put32(buf, at + 12, thread);
    put32(buf, at + 16, offset >>> 0);
    put32(buf, at + 20, Math.floor(offset / 4294967296));
    put32(buf, at + 24, 0);
    put32(buf, at + 28, crc32c(buf, at, at + 28));
    // Payload: xorshift32 from a splitmix of (seed, offset) — distinct per chunk and per write.
    let x = mix(seed ^ mix((offset / 512) >>> 0) ^ Math.floor(offset / 2199023255552)) || 0x9e3779b9;
    const w0 = (at + verifyPayloadOffset(this.kind)) >>> 2;
    const w1 = (at + n) >>> 2;
    for (let i = w0; i < w1; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    this.#digestOf(buf, at, this.#digest);
    const dl = DIGEST_BYTES[this.kind];
    for (let i = 0; i < dl; i++) buf[at + VERIFY_HEADER_BYTES + i] = this.#digest[i]!;
  }

  /**
   * Checks the chunk at `buf[at, …)` read from device offset `offset`, whose last completed write
   * had `expectedSeed`. Returns null when good; allocates only to describe a failure.
   */
  check(
    buf: Uint8Array,
    at: number,
    offset: number,
    expectedSeed: number,
    requestOffset: number,
    requestLength: number,
  ): VerifyFailure | null {
    const n = this.interval;
    const fail = (kind: VerifyFailureKind, expected: string, received: string, checksum = this.kind) => ({
      kind,
      offset,
      length: n,
      requestOffset,
      requestLength,
      expected,
      received,
      checksum,
    });
    const w0 = get32(buf, at);
    const magic = w0 & 0xffff;
    if (magic !== VERIFY_MAGIC) return fail("bad-magic", hex16(VERIFY_MAGIC), hex16(magic));
    const code = w0 >>> 16;
    const kind: VerifyKind | null = code === 1 ? "md5" : code === 2 ? "crc32c" : null;
    const len = get32(buf, at + 4);
    const hdrCrc = get32(buf, at + 28);
    const calc = crc32c(buf, at, at + 28);
    if (kind === null || len !== n || hdrCrc !== calc)
      return fail(
        "bad-header",
        `crc32c ${hex32(calc)}, length ${n}`,
        `crc32c ${hex32(hdrCrc)}, length ${len}, type ${code}`,
        "crc32c",
      );
    const hdrOffset = get32(buf, at + 16) + get32(buf, at + 20) * 4294967296;
    if (hdrOffset !== offset) return fail("wrong-offset", `offset ${offset}`, `offset ${hdrOffset}`);
    const seed = get32(buf, at + 8);
    if (seed !== expectedSeed)
      return fail("stale-data", `seed ${hex32(expectedSeed)}`, `seed ${hex32(seed)}`, kind);
    this.#digestOf(buf, at, this.#digest, kind);
    const dl = DIGEST_BYTES[kind];
    for (let i = 0; i < dl; i++)
      if (buf[at + VERIFY_HEADER_BYTES + i] !== this.#digest[i])
        return fail(
          "checksum",
          hexBytes(buf.subarray(at + VERIFY_HEADER_BYTES, at + VERIFY_HEADER_BYTES + dl)),
          hexBytes(this.#digest.subarray(0, dl)),
          kind,
        );
    return null;
  }

  #digestOf(buf: Uint8Array, at: number, out: Uint8Array, kind: VerifyKind = this.kind): void {
    const s = at + verifyPayloadOffset(kind);
    const e = at + this.interval;
    if (kind === "md5") this.#md5.digestInto(buf, s, e, out, 0);
    else put32(out, 0, crc32c(buf, s, e));
  }
}

/** splitmix32's finalizer: a good 32-bit mix. */
function mix(v: number): number {
  let z = (v + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

const hex16 = (v: number) => v.toString(16).padStart(4, "0");
const hex32 = (v: number) => v.toString(16).padStart(8, "0");
const hexBytes = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

/** fio's verify failure message (first line), e.g. `md5: verify failed at file dm-0 offset 8192, length 4096 …`. */
export function formatVerifyFailure(f: VerifyFailure, file: string): string {
  const what: Record<VerifyFailureKind, string> = {
    "bad-magic": `verify: bad magic header ${f.received}, wanted ${f.expected} at file ${file} offset ${f.offset}, length ${f.length} (requested block: offset=${f.requestOffset}, length=${f.requestLength})`,
    "bad-header": `verify: bad header ${f.received}, wanted ${f.expected} at file ${file} offset ${f.offset}, length ${f.length} (requested block: offset=${f.requestOffset}, length=${f.requestLength})`,
    "wrong-offset": `verify: bad header ${f.received}, wanted ${f.expected} at file ${file} offset ${f.offset}, length ${f.length} (requested block: offset=${f.requestOffset}, length=${f.requestLength})`,
    "stale-data": `verify: stale data (${f.received}, wanted ${f.expected}) at file ${file} offset ${f.offset}, length ${f.length} (requested block: offset=${f.requestOffset}, length=${f.requestLength})`,
    checksum: `${f.checksum}: verify failed at file ${file} offset ${f.offset}, length ${f.length} (requested block: offset=${f.requestOffset}, length=${f.requestLength})\n       Expected CRC: ${f.expected}\n       Received CRC: ${f.received}`,
  };
  return what[f.kind];
}
