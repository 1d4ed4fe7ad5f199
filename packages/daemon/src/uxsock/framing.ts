/**
 * multipathd's socket framing (libmpathcmd/mpath_cmd.c, libmpathutil/uxsock.c): every message is
 * a native-endian `size_t` (8 bytes) holding the length of what follows *including* a terminating
 * NUL, then the bytes of the C string and the NUL. Commands may be at most 512 bytes (longer or
 * empty ones make the daemon drop the connection); replies must be shorter than 32 MiB.
 */
import { Buffer } from "node:buffer";
import { endianness as hostEndianness } from "node:os";

/** sizeof(size_t) on the 64-bit hosts multipathd runs on. */
export const SIZE_T_BYTES = 8;
/** _MAX_CMD_LEN: the largest command length (NUL included) the daemon accepts. */
export const MAX_CMD_LEN = 512;
/** MAX_REPLY_LEN: replies this long or longer are refused by the client library. */
export const MAX_REPLY_LEN = 32 * 1024 * 1024;
/** DEFAULT_SOCKET: the abstract socket name (`@/org/kernel/linux/storage/multipathd`). */
export const DEFAULT_SOCKET = "/org/kernel/linux/storage/multipathd";
/** DEFAULT_REPLY_TIMEOUT / uxsock_timeout default, in milliseconds. */
export const DEFAULT_UXSOCK_TIMEOUT_MS = 4000;

/** Byte order of the length word. */
export type Endianness = "LE" | "BE";

/** The byte order of this host (the length word is native-endian). */
export function nativeEndianness(): Endianness {
  return hostEndianness();
}

/** The 8-byte length word for `len`. */
export function encodeLength(len: number | bigint, endianness: Endianness = nativeEndianness()): Buffer {
  const b = Buffer.alloc(SIZE_T_BYTES);
  const v = BigInt(len);
  if (endianness === "LE") b.writeBigUInt64LE(v);
  else b.writeBigUInt64BE(v);
  return b;
}

/**
 * One message: length word (string bytes + 1), the string as UTF-8, and a NUL. A string is cut
 * at an embedded NUL first, as `strlen()` would.
 */
export function encodeFrame(payload: string, endianness: Endianness = nativeEndianness()): Buffer {
  const nul = payload.indexOf("\0");
  const body = Buffer.from(nul >= 0 ? payload.slice(0, nul) : payload, "utf8");
  return Buffer.concat([encodeLength(body.length + 1, endianness), body, Buffer.from([0])]);
}

/**
 * The C string in a received body: the bytes up to the first NUL (or all of them), decoded as
 * UTF-8. Invalid UTF-8 becomes U+FFFD — the one place the model is not byte-exact.
 */
export function bodyToString(body: Uint8Array): string {
  const nul = body.indexOf(0);
  const bytes = nul >= 0 ? body.subarray(0, nul) : body;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** What {@link FrameReader.next} found. */
export type FrameEvent =
  | { readonly kind: "frame"; readonly body: Buffer }
  /** The length word is out of range; `length` is its value. */
  | { readonly kind: "bad-length"; readonly length: bigint }
  /** More bytes are needed. */
  | { readonly kind: "need-more" };

/** An incremental reader of length-prefixed frames from a byte stream. */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);
  #want: number | null = null;
  readonly #accept: (len: bigint) => boolean;
  readonly #endianness: Endianness;

  /**
   * @param accept which lengths are valid (others give `bad-length`; the reader then stops).
   */
  constructor(accept: (len: bigint) => boolean, endianness: Endianness = nativeEndianness()) {
    this.#accept = accept;
    this.#endianness = endianness;
  }

  /** Appends received bytes. */
  push(chunk: Uint8Array): void {
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
  }

  /** Bytes received but not consumed yet. */
  get buffered(): number {
    return this.#buf.length;
  }

  /** True while a frame's length was read but its body is incomplete. */
  get inFrame(): boolean {
    return this.#want !== null;
  }

  /** Forgets any partial frame and buffered bytes. */
  reset(): void {
    this.#buf = Buffer.alloc(0);
    this.#want = null;
  }

  /**
   * Reads the length word when enough bytes are there. Returns the length, `bad-length`, or null
   * when the word is incomplete. Calling it while a body is pending returns that body's length.
   */
  readLength():
    | { readonly ok: true; readonly length: number }
    | { readonly ok: false; readonly length: bigint }
    | null {
    if (this.#want !== null) return { ok: true, length: this.#want };
    if (this.#buf.length < SIZE_T_BYTES) return null;
    const len = this.#endianness === "LE" ? this.#buf.readBigUInt64LE(0) : this.#buf.readBigUInt64BE(0);
    this.#buf = this.#buf.subarray(SIZE_T_BYTES);
    if (!this.#accept(len)) return { ok: false, length: len };
    this.#want = Number(len);
    return { ok: true, length: this.#want };
  }

  /** The next complete frame, a bad length, or `need-more`. */
  next(): FrameEvent {
    const l = this.readLength();
    if (l === null) return { kind: "need-more" };
    if (!l.ok) return { kind: "bad-length", length: l.length };
    if (this.#buf.length < l.length) return { kind: "need-more" };
    const body = this.#buf.subarray(0, l.length);
    this.#buf = this.#buf.subarray(l.length);
    this.#want = null;
    return { kind: "frame", body };
  }
}

/** Lengths the daemon accepts for a command: 1..512. */
export function acceptCommandLength(len: bigint): boolean {
  return len > 0n && len <= BigInt(MAX_CMD_LEN);
}

/** Lengths the client accepts for a reply: 1..32 MiB - 1. */
export function acceptReplyLength(len: bigint): boolean {
  return len > 0n && len < BigInt(MAX_REPLY_LEN);
}
