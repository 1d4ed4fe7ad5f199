/** Most blocks a map can hold (bit indexes stay 32-bit). */
export const RANDOM_MAP_MAX_BLOCKS = 2 ** 31;

/**
 * fio's random map (`axmap`): one bit per block of the job's region, set once the block has been
 * done in this pass, so that a random workload touches every block exactly once per pass (unless
 * `norandommap`). Levels of summary bits (a bit per full 32-bit word below) let
 * {@link RandomMap.nextFree} skip full stretches, so finding a free block near the end of a pass
 * stays cheap.
 */
export class RandomMap {
  /** levels[0] has a bit per block; levels[k] a bit per word of levels[k−1] that is full. */
  readonly #levels: Uint32Array[] = [];
  readonly #blocks: number;
  #used = 0;

  constructor(blocks: number) {
    this.#blocks = blocks;
    let n = Math.max(1, blocks);
    do {
      const words = Math.ceil(n / 32);
      this.#levels.push(new Uint32Array(words));
      n = words;
    } while (n > 1);
    this.#markTail();
  }

  /** Blocks in the map. */
  get blocks(): number {
    return this.#blocks;
  }

  /** Blocks set in this pass. */
  get used(): number {
    return this.#used;
  }

  /** True when every block is done. */
  get full(): boolean {
    return this.#used >= this.#blocks;
  }

  isSet(block: number): boolean {
    return ((this.#levels[0]![block >>> 5]! >>> (block & 31)) & 1) === 1;
  }

  /** Marks `block` done (no-op when it already is). */
  set(block: number): void {
    let idx = block;
    for (let l = 0; l < this.#levels.length; l++) {
      const words = this.#levels[l]!;
      const w = idx >>> 5;
      const bit = 1 << (idx & 31);
      const before = words[w]!;
      if (before & bit) return;
      const after = (before | bit) >>> 0;
      words[w] = after;
      if (l === 0) this.#used++;
      if (after !== 0xffffffff) return;
      idx = w;
    }
  }

  /**
   * The first free block at or after `from`, wrapping to the start; -1 when the map is full.
   */
  nextFree(from: number): number {
    if (this.full) return -1;
    const f = from >= this.#blocks || from < 0 ? 0 : from;
    const r = this.#findFrom(0, f);
    return r >= 0 ? r : this.#findFrom(0, 0);
  }

  /** Length of the run of free blocks starting at `block`, up to `max`. */
  freeRun(block: number, max: number): number {
    let n = 0;
    while (n < max && block + n < this.#blocks && !this.isSet(block + n)) n++;
    return n;
  }

  /** Starts a new pass: every block free again. */
  clear(): void {
    for (const l of this.#levels) l.fill(0);
    this.#used = 0;
    this.#markTail();
  }

  /**
   * Index of the first zero bit at or after `pos` in level `l`, or -1. A zero bit of level l+1
   * says that word of level l is not full, so the search climbs only past full words.
   */
  #findFrom(l: number, pos: number): number {
    const words = this.#levels[l]!;
    const w = pos >>> 5;
    if (w >= words.length) return -1;
    const m = (~words[w]! & (0xffffffff << (pos & 31))) >>> 0;
    if (m !== 0) return w * 32 + lowestBit(m);
    let next = -1;
    if (l + 1 < this.#levels.length) next = this.#findFrom(l + 1, w + 1);
    else
      for (let i = w + 1; i < words.length; i++)
        if (words[i] !== 0xffffffff) {
          next = i;
          break;
        }
    if (next < 0 || next >= words.length) return -1;
    return next * 32 + lowestBit(~words[next]! >>> 0);
  }

  /** Bits past the last block are permanently set so that words fill up. */
  #markTail(): void {
    const words0 = this.#levels[0]!.length;
    for (let b = this.#blocks; b < words0 * 32; b++) this.#setRaw(b);
    // Upper levels: bits for words that do not exist.
    for (let l = 1; l < this.#levels.length; l++) {
      const below = this.#levels[l - 1]!.length;
      for (let b = below; b < this.#levels[l]!.length * 32; b++) this.#setRawAt(l, b);
    }
  }

  #setRaw(block: number): void {
    this.#setRawAt(0, block);
  }

  #setRawAt(level: number, bitIndex: number): void {
    let idx = bitIndex;
    for (let l = level; l < this.#levels.length; l++) {
      const words = this.#levels[l]!;
      const w = idx >>> 5;
      const after = (words[w]! | (1 << (idx & 31))) >>> 0;
      words[w] = after;
      if (after !== 0xffffffff) return;
      idx = w;
    }
  }
}

/** Position of the lowest set bit of a non-zero 32-bit value. */
function lowestBit(x: number): number {
  return 31 - Math.clz32(x & -x);
}
