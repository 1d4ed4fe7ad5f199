/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32). Every random
 * choice in a world comes from one of these, so a run replays exactly from its seed.
 */
export interface Rng {
  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  /** Standard normal deviate (Box–Muller). */
  normal(): number;
  /**
   * An independent generator derived from this one's seed and `label`; drawing from a fork
   * never perturbs the parent, so adding a consumer does not change other streams.
   */
  fork(label: string): Rng;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a of a string, to turn labels and string seeds into 32-bit seeds. */
export function hashSeed(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

class Xoshiro128 implements Rng {
  /**
   * State words a, b, c, d, then the last output. Kept in a typed array, and the output read
   * from it rather than returned by the step: a 32-bit draw returned across a call that V8
   * does not inline is boxed (an allocation per draw on the I/O path).
   */
  readonly #s = new Uint32Array(5);
  readonly #seed: number;
  #spare: number | null = null;

  constructor(seed: number) {
    this.#seed = seed >>> 0;
    const sm = splitmix32(this.#seed);
    const s = this.#s;
    s[0] = sm();
    s[1] = sm();
    s[2] = sm();
    s[3] = sm();
    if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  }

  /** One xoshiro128** step: the output goes to `#s[4]`. */
  #step(): void {
    const s = this.#s;
    const b = s[1]!;
    s[4] = Math.imul(rotl(Math.imul(b, 5), 7), 9);
    const t = b << 9;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ b;
    s[1] = b ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11);
  }

  nextU32(): number {
    this.#step();
    return this.#s[4]!;
  }

  float(): number {
    this.#step();
    return this.#s[4]! / 4294967296;
  }

  int(lo: number, hi: number): number {
    this.#step();
    return lo + Math.floor((this.#s[4]! / 4294967296) * (hi - lo + 1));
  }

  normal(): number {
    if (this.#spare !== null) {
      const s = this.#spare;
      this.#spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const m = Math.sqrt(-2 * Math.log(u));
    this.#spare = m * Math.sin(2 * Math.PI * v);
    return m * Math.cos(2 * Math.PI * v);
  }

  fork(label: string): Rng {
    return new Xoshiro128((this.#seed ^ hashSeed(label)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Creates a seeded generator. String seeds are hashed. */
export function createRng(seed: number | string): Rng {
  return new Xoshiro128(typeof seed === "string" ? hashSeed(seed) : seed);
}
