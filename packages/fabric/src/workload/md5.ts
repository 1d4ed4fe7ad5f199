/** Per-round shift amounts of MD5 (RFC 1321). */
const S: readonly number[] = [
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
  14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15,
  21, 6, 10, 15, 21,
];

/** K[i] = floor(2^32 · |sin(i + 1)|). */
const K: Int32Array = Int32Array.from(
  { length: 64 },
  (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0,
);

/**
 * MD5 (RFC 1321) for fio-style `verify=md5`. An instance owns its scratch state, so hashing
 * allocates nothing; it is not for security, only for catching corrupted blocks.
 */
export class Md5 {
  readonly #state = new Int32Array(4);
  readonly #w = new Int32Array(16);
  readonly #tail = new Uint8Array(128);

  /** Writes the 16-byte digest of `data[start, end)` to `out[outOffset, outOffset + 16)`. */
  digestInto(data: Uint8Array, start: number, end: number, out: Uint8Array, outOffset = 0): void {
    const st = this.#state;
    st[0] = 0x67452301;
    st[1] = 0xefcdab89 | 0;
    st[2] = 0x98badcfe | 0;
    st[3] = 0x10325476;
    const len = end - start;
    let i = start;
    for (; i + 64 <= end; i += 64) this.#block(data, i);
    // Padding: 0x80, zeros, then the bit length (little-endian 64-bit) in the last 8 bytes.
    const tail = this.#tail;
    const rem = end - i;
    tail.fill(0);
    for (let j = 0; j < rem; j++) tail[j] = data[i + j]!;
    tail[rem] = 0x80;
    const tailLen = rem + 1 + 8 <= 64 ? 64 : 128;
    const bitsLo = (len * 8) >>> 0;
    const bitsHi = Math.floor((len * 8) / 4294967296) >>> 0;
    for (let j = 0; j < 4; j++) {
      tail[tailLen - 8 + j] = (bitsLo >>> (8 * j)) & 0xff;
      tail[tailLen - 4 + j] = (bitsHi >>> (8 * j)) & 0xff;
    }
    this.#block(tail, 0);
    if (tailLen === 128) this.#block(tail, 64);
    for (let j = 0; j < 4; j++) {
      const v = st[j]!;
      out[outOffset + 4 * j] = v & 0xff;
      out[outOffset + 4 * j + 1] = (v >>> 8) & 0xff;
      out[outOffset + 4 * j + 2] = (v >>> 16) & 0xff;
      out[outOffset + 4 * j + 3] = (v >>> 24) & 0xff;
    }
  }

  /** Hex digest of a whole buffer (convenience for tests and reports; allocates). */
  hex(data: Uint8Array): string {
    const out = new Uint8Array(16);
    this.digestInto(data, 0, data.length, out);
    return Array.from(out, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  #block(d: Uint8Array, off: number): void {
    const w = this.#w;
    for (let j = 0; j < 16; j++) {
      const p = off + 4 * j;
      w[j] = d[p]! | (d[p + 1]! << 8) | (d[p + 2]! << 16) | (d[p + 3]! << 24);
    }
    const st = this.#state;
    let a = st[0]!;
    let b = st[1]!;
    let c = st[2]!;
    let dd = st[3]!;
    for (let j = 0; j < 64; j++) {
      let f: number;
      let g: number;
      if (j < 16) {
        f = (b & c) | (~b & dd);
        g = j;
      } else if (j < 32) {
        f = (dd & b) | (~dd & c);
        g = (5 * j + 1) & 15;
      } else if (j < 48) {
        f = b ^ c ^ dd;
        g = (3 * j + 5) & 15;
      } else {
        f = c ^ (b | ~dd);
        g = (7 * j) & 15;
      }
      const x = (a + f + K[j]! + w[g]!) | 0;
      const s = S[j]!;
      a = dd;
      dd = c;
      c = b;
      b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
    }
    st[0] = (st[0]! + a) | 0;
    st[1] = (st[1]! + b) | 0;
    st[2] = (st[2]! + c) | 0;
    st[3] = (st[3]! + dd) | 0;
  }
}
