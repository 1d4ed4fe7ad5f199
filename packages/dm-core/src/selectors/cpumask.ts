import { Errno } from "../block/status.js";

/**
 * A CPU mask of `nbits` bits (`struct cpumask` with `nr_cpumask_bits` = `nr_cpu_ids` as on 6.1),
 * stored as 32-bit chunks, chunk 0 holding CPUs 0–31.
 */
export class CpuMask {
  readonly chunks: Uint32Array;

  constructor(readonly nbits: number) {
    this.chunks = new Uint32Array(Math.ceil(nbits / 32));
  }

  has(cpu: number): boolean {
    if (cpu < 0 || cpu >= this.nbits) return false;
    return ((this.chunks[cpu >>> 5]! >>> (cpu & 31)) & 1) === 1;
  }

  set(cpu: number): void {
    if (cpu < 0 || cpu >= this.nbits) return;
    this.chunks[cpu >>> 5] = this.chunks[cpu >>> 5]! | (1 << (cpu & 31));
  }

  clear(cpu: number): void {
    if (cpu < 0 || cpu >= this.nbits) return;
    this.chunks[cpu >>> 5] = this.chunks[cpu >>> 5]! & ~(1 << (cpu & 31));
  }

  /** The set CPUs in ascending order (`for_each_cpu`). */
  cpus(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.nbits; c++) if (this.has(c)) out.push(c);
    return out;
  }
}

function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

/** `__end_of_region`: whitespace or a comma separates chunks. */
function isRegionEnd(c: string): boolean {
  return isSpace(c) || c === ",";
}

/** `hex_to_bin`. */
function hexValue(c: string): number {
  const x = c.charCodeAt(0);
  if (x >= 48 && x <= 57) return x - 48;
  if (x >= 97 && x <= 102) return x - 87;
  if (x >= 65 && x <= 70) return x - 55;
  return -1;
}

/**
 * `cpumask_parse` = `bitmap_parse(buf, UINT_MAX, mask, nr_cpu_ids)` (lib/bitmap.c, 6.1): hex
 * digits in comma/space separated chunks of at most 32 bits, read from the END of the string
 * (the input stops at the first newline); chunk 0 is the last one. Returns the mask, or a
 * negative errno: -EINVAL for a bad character, -EOVERFLOW for a chunk over 32 bits, more chunks
 * than the mask holds, or a bit at or above `nbits`.
 */
export function cpumaskParse(input: string, nbits: number): CpuMask | number {
  const mask = new CpuMask(nbits);
  const nl = input.indexOf("\n");
  const s = nl >= 0 ? input.slice(0, nl) : input;
  let chunksLeft = Math.ceil(nbits / 32);
  const totalChunks = chunksLeft;
  let end = s.length - 1;
  for (let chunk = 0; ; chunk++) {
    while (end >= 0 && isRegionEnd(s[end]!)) end--;
    if (end < 0) break;
    if (chunksLeft-- === 0) return -Errno.EOVERFLOW;
    let value = 0;
    let i = 0;
    let closed = false;
    for (; i < 32; i += 4) {
      const c = hexValue(s[end--]!);
      if (c < 0) return -Errno.EINVAL;
      value = (value | (c << i)) >>> 0;
      if (end < 0 || isRegionEnd(s[end]!)) {
        closed = true;
        break;
      }
    }
    // Eight digits read: a ninth hex digit makes the chunk too wide; any other character is
    // skipped unread, as the kernel's reverse scan consumes it.
    if (!closed && hexValue(s[end--]!) >= 0) return -Errno.EOVERFLOW;
    mask.chunks[chunk] = value;
  }
  const unsetBit = (totalChunks - chunksLeft) * 32;
  if (unsetBit < nbits) {
    for (let c = unsetBit; c < nbits; c++) mask.clear(c);
    return mask;
  }
  // Bits set beyond nbits in the last chunk.
  for (let c = nbits; c < unsetBit; c++) {
    if (((mask.chunks[c >>> 5]! >>> (c & 31)) & 1) === 1) return -Errno.EOVERFLOW;
  }
  return mask;
}

/**
 * `%*pb` with `cpumask_pr_args` (lib/vsprintf.c `bitmap_string`): hex, most significant chunk
 * first, chunks of 32 bits separated by commas, the first one only as wide as the remaining
 * bits need (zero padded), lower case.
 */
export function cpumaskFormat(mask: CpuMask): string {
  const nbits = mask.nbits;
  let chunksz = nbits & 31;
  if (chunksz === 0) chunksz = 32;
  let out = "";
  let first = true;
  for (let i = Math.ceil(nbits / 32) * 32 - 32; i >= 0; i -= 32) {
    const chunkmask = chunksz === 32 ? 0xffffffff : (1 << chunksz) - 1;
    const val = (mask.chunks[i >>> 5]! & chunkmask) >>> 0;
    if (!first) out += ",";
    first = false;
    out += val.toString(16).padStart(Math.ceil(chunksz / 4), "0");
    chunksz = 32;
  }
  return out;
}
