/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as fio's `verify=crc32c` and iSCSI use
 * it: initial value and final xor 0xFFFFFFFF. Slicing-by-8 tables, built once per process from the
 * polynomial (pure data, never mutated afterwards).
 */
const POLY = 0x82f63b78;

const TABLES: readonly Uint32Array[] = (() => {
  const t: Uint32Array[] = [];
  for (let k = 0; k < 8; k++) t.push(new Uint32Array(256));
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let j = 0; j < 8; j++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[0]![i] = c >>> 0;
  }
  for (let i = 0; i < 256; i++) {
    let c = t[0]![i]!;
    for (let k = 1; k < 8; k++) {
      c = (c >>> 8) ^ t[0]![c & 0xff]!;
      t[k]![i] = c >>> 0;
    }
  }
  return t;
})();

/**
 * CRC-32C of `data[start, end)`. Pass a previous result as `crc` to continue a running checksum
 * over several pieces. Allocates nothing.
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = ~crc >>> 0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c =
      t7[lo & 0xff]! ^
      t6[(lo >>> 8) & 0xff]! ^
      t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < end; i++) c = (c >>> 8) ^ t0[(c ^ data[i]!) & 0xff]!;
  return ~c >>> 0;
}
