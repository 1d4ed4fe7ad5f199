/**
 * Byte helpers the fabric needs beyond @mp/dm-core's big-endian accessors: 64-bit identifiers
 * (NAA, WWPN) that exceed 2^53, space-padded ASCII fields, and binary sysfs attributes carried
 * as text.
 */

/** Writes a 64-bit identifier big-endian (exact for any value, unlike a JS number). */
export function putU64(b: Uint8Array, off: number, v: bigint): void {
  const x = BigInt.asUintN(64, v);
  for (let i = 0; i < 8; i++) b[off + i] = Number((x >> BigInt(8 * (7 - i))) & 0xffn);
}

/** Reads a 64-bit identifier big-endian. */
export function getU64(b: Uint8Array, off: number): bigint {
  let x = 0n;
  for (let i = 0; i < 8; i++) x = (x << 8n) | BigInt(b[off + i] ?? 0);
  return x;
}

/** ASCII bytes of `s`, truncated or space-padded to `len` (INQUIRY identification fields). */
export function asciiField(s: string, len: number): Uint8Array {
  const out = new Uint8Array(len).fill(0x20);
  for (let i = 0; i < len && i < s.length; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

/** Text of bytes `b[off .. off+len)` (one char per byte). */
export function asciiText(b: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = off; i < off + len && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

/** A binary attribute's bytes as text, one char per byte (how `SysfsView.read` carries them). */
export function bytesToBinaryString(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
}

export function binaryStringToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** Lower-case hex of `b[off .. off+len)`, no separators. */
export function hex(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = "";
  for (let i = off; i < off + len; i++) s += (b[i] ?? 0).toString(16).padStart(2, "0");
  return s;
}
