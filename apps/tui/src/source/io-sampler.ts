/**
 * Per-device I/O rates from `/sys/block/X/stat`, as iostat computes them: completed I/Os,
 * sectors and the time spent (ms) between two readings give IOPS, throughput and the average
 * completion latency. Works over the simulator's sysfs (through the Host interface) and a real
 * host's alike.
 */

/** The counters of one `stat` reading. */
interface StatReading {
  readonly timeNs: number;
  readonly ios: number;
  readonly sectors: number;
  readonly ticksMs: number;
  readonly inFlight: number;
}

/** Parses `/sys/block/X/stat` (the 11 to 17 fields of Documentation/block/stat.rst). */
export function parseBlockStat(text: string, timeNs: number): StatReading | null {
  const f = text.trim().split(/\s+/).map(Number);
  if (f.length < 11 || f.slice(0, 11).some((n) => !Number.isFinite(n))) return null;
  return {
    timeNs,
    ios: f[0]! + f[4]!,
    sectors: f[2]! + f[6]!,
    ticksMs: f[3]! + f[7]!,
    inFlight: f[8]!,
  };
}

/** Rates of one device. */
export interface IoRates {
  readonly iops: number;
  readonly bytesPerSec: number;
  /** Average completion latency (µs), null when nothing completed. */
  readonly latencyUs: number | null;
  readonly inFlight: number;
  readonly iopsHistory: readonly number[];
  readonly latencyHistory: readonly number[];
}

interface DeviceTrack {
  readings: StatReading[];
  rates: IoRates | undefined;
  iopsHistory: number[];
  latencyHistory: number[];
  lastHistoryNs: number;
}

/** Options of {@link IoSampler}. */
export interface IoSamplerOptions {
  /** Samples kept for the sparklines. Default 60. */
  readonly historyLength?: number;
  /** Rates are averaged over at least this much time. Default 1 s. */
  readonly windowNs?: number;
  /** One history sample per this much time. Default 1 s. */
  readonly historyNs?: number;
}

/** Keeps rates and short histories for a set of devices. */
export class IoSampler {
  readonly #read: (dev: string) => string | null;
  readonly #tracks = new Map<string, DeviceTrack>();
  readonly #historyLength: number;
  readonly #windowNs: number;
  readonly #historyNs: number;

  constructor(readStat: (dev: string) => string | null, o: IoSamplerOptions = {}) {
    this.#read = readStat;
    this.#historyLength = o.historyLength ?? 60;
    this.#windowNs = o.windowNs ?? 1_000_000_000;
    this.#historyNs = o.historyNs ?? 1_000_000_000;
  }

  /** Reads every device in `devs` at `timeNs`; devices not listed are forgotten. */
  sample(timeNs: number, devs: Iterable<string>): void {
    const live = new Set<string>();
    for (const dev of devs) {
      live.add(dev);
      const text = this.#read(dev);
      const r = text === null ? null : parseBlockStat(text, timeNs);
      let t = this.#tracks.get(dev);
      if (!r) {
        if (t) t.rates = undefined;
        continue;
      }
      if (!t) {
        t = { readings: [], rates: undefined, iopsHistory: [], latencyHistory: [], lastHistoryNs: timeNs };
        this.#tracks.set(dev, t);
      }
      const last = t.readings[t.readings.length - 1];
      if (last && r.timeNs <= last.timeNs) {
        // Time did not move (paused): keep the rates, update what is in flight.
        if (t.rates) t.rates = { ...t.rates, inFlight: r.inFlight };
        continue;
      }
      t.readings.push(r);
      // Keep the newest reading at least a window old as the base, drop older ones.
      while (t.readings.length > 2 && r.timeNs - t.readings[1]!.timeNs >= this.#windowNs) t.readings.shift();
      const base = t.readings[0]!;
      if (base === r) continue;
      const dtNs = r.timeNs - base.timeNs;
      const dIos = Math.max(0, r.ios - base.ios);
      const iops = (dIos * 1e9) / dtNs;
      const bytesPerSec = (Math.max(0, r.sectors - base.sectors) * 512 * 1e9) / dtNs;
      const latencyUs = dIos > 0 ? (Math.max(0, r.ticksMs - base.ticksMs) * 1000) / dIos : null;
      if (r.timeNs - t.lastHistoryNs >= this.#historyNs) {
        t.lastHistoryNs = r.timeNs;
        t.iopsHistory = push(t.iopsHistory, iops, this.#historyLength);
        t.latencyHistory = push(t.latencyHistory, latencyUs ?? 0, this.#historyLength);
      }
      t.rates = {
        iops,
        bytesPerSec,
        latencyUs,
        inFlight: r.inFlight,
        iopsHistory: t.iopsHistory,
        latencyHistory: t.latencyHistory,
      };
    }
    for (const dev of [...this.#tracks.keys()]) if (!live.has(dev)) this.#tracks.delete(dev);
  }

  /** The rates of `dev` (undefined until two readings exist). */
  rates(dev: string): IoRates | undefined {
    return this.#tracks.get(dev)?.rates;
  }
}

/** A new history with `v` appended (the old array is left alone: snapshots may hold it). */
function push(h: readonly number[], v: number, max: number): number[] {
  const out = h.length >= max ? h.slice(h.length - max + 1) : h.slice();
  out.push(v);
  return out;
}
