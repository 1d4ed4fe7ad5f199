/**
 * MD5 (RFC 1321) for fio-style `verify=md5`. An instance owns its scratch state, so hashing
 * allocates nothing; it is not for security, only for catching corrupted blocks.
 */
export class Md5 {
  readonly #state = new Int32Array(4);
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

  /** One 64-byte block, the 64 steps unrolled (the rounds' functions, constants and shifts inlined). */
  #block(d: Uint8Array, off: number): void {
    const w0 = d[off + 0]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24);
    const w1 = d[off + 4]! | (d[off + 5]! << 8) | (d[off + 6]! << 16) | (d[off + 7]! << 24);
    const w2 = d[off + 8]! | (d[off + 9]! << 8) | (d[off + 10]! << 16) | (d[off + 11]! << 24);
    const w3 = d[off + 12]! | (d[off + 13]! << 8) | (d[off + 14]! << 16) | (d[off + 15]! << 24);
    const w4 = d[off + 16]! | (d[off + 17]! << 8) | (d[off + 18]! << 16) | (d[off + 19]! << 24);
    const w5 = d[off + 20]! | (d[off + 21]! << 8) | (d[off + 22]! << 16) | (d[off + 23]! << 24);
    const w6 = d[off + 24]! | (d[off + 25]! << 8) | (d[off + 26]! << 16) | (d[off + 27]! << 24);
    const w7 = d[off + 28]! | (d[off + 29]! << 8) | (d[off + 30]! << 16) | (d[off + 31]! << 24);
    const w8 = d[off + 32]! | (d[off + 33]! << 8) | (d[off + 34]! << 16) | (d[off + 35]! << 24);
    const w9 = d[off + 36]! | (d[off + 37]! << 8) | (d[off + 38]! << 16) | (d[off + 39]! << 24);
    const w10 = d[off + 40]! | (d[off + 41]! << 8) | (d[off + 42]! << 16) | (d[off + 43]! << 24);
    const w11 = d[off + 44]! | (d[off + 45]! << 8) | (d[off + 46]! << 16) | (d[off + 47]! << 24);
    const w12 = d[off + 48]! | (d[off + 49]! << 8) | (d[off + 50]! << 16) | (d[off + 51]! << 24);
    const w13 = d[off + 52]! | (d[off + 53]! << 8) | (d[off + 54]! << 16) | (d[off + 55]! << 24);
    const w14 = d[off + 56]! | (d[off + 57]! << 8) | (d[off + 58]! << 16) | (d[off + 59]! << 24);
    const w15 = d[off + 60]! | (d[off + 61]! << 8) | (d[off + 62]! << 16) | (d[off + 63]! << 24);
    const st = this.#state;
    let a = st[0]!;
    let b = st[1]!;
    let c = st[2]!;
    let d2 = st[3]!;
    let x = 0;
    x = (a + ((b & c) | (~b & d2)) + -680876936 + w0) | 0;
    a = (b + ((x << 7) | (x >>> 25))) | 0;
    x = (d2 + ((a & b) | (~a & c)) + -389564586 + w1) | 0;
    d2 = (a + ((x << 12) | (x >>> 20))) | 0;
    x = (c + ((d2 & a) | (~d2 & b)) + 606105819 + w2) | 0;
    c = (d2 + ((x << 17) | (x >>> 15))) | 0;
    x = (b + ((c & d2) | (~c & a)) + -1044525330 + w3) | 0;
    b = (c + ((x << 22) | (x >>> 10))) | 0;
    x = (a + ((b & c) | (~b & d2)) + -176418897 + w4) | 0;
    a = (b + ((x << 7) | (x >>> 25))) | 0;
    x = (d2 + ((a & b) | (~a & c)) + 1200080426 + w5) | 0;
    d2 = (a + ((x << 12) | (x >>> 20))) | 0;
    x = (c + ((d2 & a) | (~d2 & b)) + -1473231341 + w6) | 0;
    c = (d2 + ((x << 17) | (x >>> 15))) | 0;
    x = (b + ((c & d2) | (~c & a)) + -45705983 + w7) | 0;
    b = (c + ((x << 22) | (x >>> 10))) | 0;
    x = (a + ((b & c) | (~b & d2)) + 1770035416 + w8) | 0;
    a = (b + ((x << 7) | (x >>> 25))) | 0;
    x = (d2 + ((a & b) | (~a & c)) + -1958414417 + w9) | 0;
    d2 = (a + ((x << 12) | (x >>> 20))) | 0;
    x = (c + ((d2 & a) | (~d2 & b)) + -42063 + w10) | 0;
    c = (d2 + ((x << 17) | (x >>> 15))) | 0;
    x = (b + ((c & d2) | (~c & a)) + -1990404162 + w11) | 0;
    b = (c + ((x << 22) | (x >>> 10))) | 0;
    x = (a + ((b & c) | (~b & d2)) + 1804603682 + w12) | 0;
    a = (b + ((x << 7) | (x >>> 25))) | 0;
    x = (d2 + ((a & b) | (~a & c)) + -40341101 + w13) | 0;
    d2 = (a + ((x << 12) | (x >>> 20))) | 0;
    x = (c + ((d2 & a) | (~d2 & b)) + -1502002290 + w14) | 0;
    c = (d2 + ((x << 17) | (x >>> 15))) | 0;
    x = (b + ((c & d2) | (~c & a)) + 1236535329 + w15) | 0;
    b = (c + ((x << 22) | (x >>> 10))) | 0;
    x = (a + ((d2 & b) | (~d2 & c)) + -165796510 + w1) | 0;
    a = (b + ((x << 5) | (x >>> 27))) | 0;
    x = (d2 + ((c & a) | (~c & b)) + -1069501632 + w6) | 0;
    d2 = (a + ((x << 9) | (x >>> 23))) | 0;
    x = (c + ((b & d2) | (~b & a)) + 643717713 + w11) | 0;
    c = (d2 + ((x << 14) | (x >>> 18))) | 0;
    x = (b + ((a & c) | (~a & d2)) + -373897302 + w0) | 0;
    b = (c + ((x << 20) | (x >>> 12))) | 0;
    x = (a + ((d2 & b) | (~d2 & c)) + -701558691 + w5) | 0;
    a = (b + ((x << 5) | (x >>> 27))) | 0;
    x = (d2 + ((c & a) | (~c & b)) + 38016083 + w10) | 0;
    d2 = (a + ((x << 9) | (x >>> 23))) | 0;
    x = (c + ((b & d2) | (~b & a)) + -660478335 + w15) | 0;
    c = (d2 + ((x << 14) | (x >>> 18))) | 0;
    x = (b + ((a & c) | (~a & d2)) + -405537848 + w4) | 0;
    b = (c + ((x << 20) | (x >>> 12))) | 0;
    x = (a + ((d2 & b) | (~d2 & c)) + 568446438 + w9) | 0;
    a = (b + ((x << 5) | (x >>> 27))) | 0;
    x = (d2 + ((c & a) | (~c & b)) + -1019803690 + w14) | 0;
    d2 = (a + ((x << 9) | (x >>> 23))) | 0;
    x = (c + ((b & d2) | (~b & a)) + -187363961 + w3) | 0;
    c = (d2 + ((x << 14) | (x >>> 18))) | 0;
    x = (b + ((a & c) | (~a & d2)) + 1163531501 + w8) | 0;
    b = (c + ((x << 20) | (x >>> 12))) | 0;
    x = (a + ((d2 & b) | (~d2 & c)) + -1444681467 + w13) | 0;
    a = (b + ((x << 5) | (x >>> 27))) | 0;
    x = (d2 + ((c & a) | (~c & b)) + -51403784 + w2) | 0;
    d2 = (a + ((x << 9) | (x >>> 23))) | 0;
    x = (c + ((b & d2) | (~b & a)) + 1735328473 + w7) | 0;
    c = (d2 + ((x << 14) | (x >>> 18))) | 0;
    x = (b + ((a & c) | (~a & d2)) + -1926607734 + w12) | 0;
    b = (c + ((x << 20) | (x >>> 12))) | 0;
    x = (a + (b ^ c ^ d2) + -378558 + w5) | 0;
    a = (b + ((x << 4) | (x >>> 28))) | 0;
    x = (d2 + (a ^ b ^ c) + -2022574463 + w8) | 0;
    d2 = (a + ((x << 11) | (x >>> 21))) | 0;
    x = (c + (d2 ^ a ^ b) + 1839030562 + w11) | 0;
    c = (d2 + ((x << 16) | (x >>> 16))) | 0;
    x = (b + (c ^ d2 ^ a) + -35309556 + w14) | 0;
    b = (c + ((x << 23) | (x >>> 9))) | 0;
    x = (a + (b ^ c ^ d2) + -1530992060 + w1) | 0;
    a = (b + ((x << 4) | (x >>> 28))) | 0;
    x = (d2 + (a ^ b ^ c) + 1272893353 + w4) | 0;
    d2 = (a + ((x << 11) | (x >>> 21))) | 0;
    x = (c + (d2 ^ a ^ b) + -155497632 + w7) | 0;
    c = (d2 + ((x << 16) | (x >>> 16))) | 0;
    x = (b + (c ^ d2 ^ a) + -1094730640 + w10) | 0;
    b = (c + ((x << 23) | (x >>> 9))) | 0;
    x = (a + (b ^ c ^ d2) + 681279174 + w13) | 0;
    a = (b + ((x << 4) | (x >>> 28))) | 0;
    x = (d2 + (a ^ b ^ c) + -358537222 + w0) | 0;
    d2 = (a + ((x << 11) | (x >>> 21))) | 0;
    x = (c + (d2 ^ a ^ b) + -722521979 + w3) | 0;
    c = (d2 + ((x << 16) | (x >>> 16))) | 0;
    x = (b + (c ^ d2 ^ a) + 76029189 + w6) | 0;
    b = (c + ((x << 23) | (x >>> 9))) | 0;
    x = (a + (b ^ c ^ d2) + -640364487 + w9) | 0;
    a = (b + ((x << 4) | (x >>> 28))) | 0;
    x = (d2 + (a ^ b ^ c) + -421815835 + w12) | 0;
    d2 = (a + ((x << 11) | (x >>> 21))) | 0;
    x = (c + (d2 ^ a ^ b) + 530742520 + w15) | 0;
    c = (d2 + ((x << 16) | (x >>> 16))) | 0;
    x = (b + (c ^ d2 ^ a) + -995338651 + w2) | 0;
    b = (c + ((x << 23) | (x >>> 9))) | 0;
    x = (a + (c ^ (b | ~d2)) + -198630844 + w0) | 0;
    a = (b + ((x << 6) | (x >>> 26))) | 0;
    x = (d2 + (b ^ (a | ~c)) + 1126891415 + w7) | 0;
    d2 = (a + ((x << 10) | (x >>> 22))) | 0;
    x = (c + (a ^ (d2 | ~b)) + -1416354905 + w14) | 0;
    c = (d2 + ((x << 15) | (x >>> 17))) | 0;
    x = (b + (d2 ^ (c | ~a)) + -57434055 + w5) | 0;
    b = (c + ((x << 21) | (x >>> 11))) | 0;
    x = (a + (c ^ (b | ~d2)) + 1700485571 + w12) | 0;
    a = (b + ((x << 6) | (x >>> 26))) | 0;
    x = (d2 + (b ^ (a | ~c)) + -1894986606 + w3) | 0;
    d2 = (a + ((x << 10) | (x >>> 22))) | 0;
    x = (c + (a ^ (d2 | ~b)) + -1051523 + w10) | 0;
    c = (d2 + ((x << 15) | (x >>> 17))) | 0;
    x = (b + (d2 ^ (c | ~a)) + -2054922799 + w1) | 0;
    b = (c + ((x << 21) | (x >>> 11))) | 0;
    x = (a + (c ^ (b | ~d2)) + 1873313359 + w8) | 0;
    a = (b + ((x << 6) | (x >>> 26))) | 0;
    x = (d2 + (b ^ (a | ~c)) + -30611744 + w15) | 0;
    d2 = (a + ((x << 10) | (x >>> 22))) | 0;
    x = (c + (a ^ (d2 | ~b)) + -1560198380 + w6) | 0;
    c = (d2 + ((x << 15) | (x >>> 17))) | 0;
    x = (b + (d2 ^ (c | ~a)) + 1309151649 + w13) | 0;
    b = (c + ((x << 21) | (x >>> 11))) | 0;
    x = (a + (c ^ (b | ~d2)) + -145523070 + w4) | 0;
    a = (b + ((x << 6) | (x >>> 26))) | 0;
    x = (d2 + (b ^ (a | ~c)) + -1120210379 + w11) | 0;
    d2 = (a + ((x << 10) | (x >>> 22))) | 0;
    x = (c + (a ^ (d2 | ~b)) + 718787259 + w2) | 0;
    c = (d2 + ((x << 15) | (x >>> 17))) | 0;
    x = (b + (d2 ^ (c | ~a)) + -343485551 + w9) | 0;
    b = (c + ((x << 21) | (x >>> 11))) | 0;
    st[0] = (st[0]! + a) | 0;
    st[1] = (st[1]! + b) | 0;
    st[2] = (st[2]! + c) | 0;
    st[3] = (st[3]! + d2) | 0;
  }
}
