import type { ReqOp, Rng } from "@mp/dm-core";
import type { ServiceModel } from "../timing/service-model.js";

/** Parameters of {@link FixedServiceModel}. */
export interface FixedServiceOptions {
  /** Label for reports (`port 0`, `lun 3`). */
  readonly name: string;
  /** Service time of every command, ns. */
  readonly serviceNs: number;
  /** Uniform jitter added to each command, in [0, jitterNs). Needs `rng`. Default 0. */
  readonly jitterNs?: number;
  /** Extra ns per byte transferred (1e9 / bandwidth). Default 0. */
  readonly nsPerByte?: number;
  /** Commands served at once; later ones wait for a free server. Default: unlimited. */
  readonly queueDepth?: number;
  readonly rng?: Rng;
}

/**
 * The fabric's built-in service model: a fixed service time plus optional seeded jitter and a
 * per-byte cost, served by `queueDepth` parallel servers (first come, first served). The richer
 * distributions and disk mechanics of `timing/` plug into the same {@link ServiceModel} seam.
 */
export class FixedServiceModel implements ServiceModel {
  readonly name: string;
  readonly #base: number;
  readonly #jitter: number;
  readonly #perByte: number;
  readonly #rng: Rng | undefined;
  /**
   * Time each server becomes free (unlimited depth: empty, no waiting). A command takes the
   * earliest-free server; which of several equally early ones it takes changes nothing (only
   * the multiset of free times matters), so either layout below gives exactly the times a scan
   * would:
   * - with a constant service time (no jitter, no per-byte cost) every command frees its server
   *   no earlier than all those before it (its start is max(now, earliest free), both never
   *   decrease), so the times are a sorted ring: the earliest at `#head`, the new one replacing
   *   it and becoming the latest — O(1);
   * - otherwise a binary min-heap — O(log depth).
   */
  readonly #free: Float64Array;
  readonly #constant: boolean;
  #head = 0;

  constructor(o: FixedServiceOptions) {
    if (!(o.serviceNs >= 0)) throw new RangeError(`${o.name}: serviceNs must be >= 0`);
    if ((o.jitterNs ?? 0) > 0 && !o.rng) throw new RangeError(`${o.name}: jitter needs an rng`);
    this.name = o.name;
    this.#base = o.serviceNs;
    this.#jitter = o.jitterNs ?? 0;
    this.#perByte = o.nsPerByte ?? 0;
    this.#rng = o.rng;
    const depth = o.queueDepth ?? 0;
    if (depth < 0 || !Number.isInteger(depth))
      throw new RangeError(`${o.name}: queueDepth must be an integer >= 0`);
    this.#free = new Float64Array(depth);
    this.#constant = this.#jitter === 0 && this.#perByte === 0;
  }

  serviceNs(_op: ReqOp, bytes: number, _sector: number, nowNs: number): number {
    let t = this.#base + bytes * this.#perByte;
    if (this.#jitter > 0) t += this.#rng!.float() * this.#jitter;
    const free = this.#free;
    const n = free.length;
    if (n === 0) return Math.round(t);
    if (this.#constant) {
      const h = this.#head;
      const start = Math.max(nowNs, free[h]!);
      free[h] = start + t;
      this.#head = h + 1 === n ? 0 : h + 1;
      return Math.round(start + t - nowNs);
    }
    const start = Math.max(nowNs, free[0]!);
    siftDown(free, start + t);
    return Math.round(start + t - nowNs);
  }

  reset(nowNs: number): void {
    this.#free.fill(nowNs);
  }
}

/** Replaces the root of min-heap `h` with `v` and restores the heap order. */
function siftDown(h: Float64Array, v: number): void {
  const n = h.length;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && h[c + 1]! < h[c]!) c++;
    if (h[c]! >= v) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = v;
}
