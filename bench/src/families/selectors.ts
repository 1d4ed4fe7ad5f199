/**
 * Path selectors: one `select` + `start_io` + `end_io` per operation, for each built-in selector
 * over 2, 8 and 32 valid paths, with 16 I/Os kept in flight so that the load-based selectors
 * (queue-length, service-time, historical-service-time) compare real loads.
 */
import {
  type DmPath,
  historicalServiceTimeSelector,
  ioAffinitySelector,
  mkdev,
  type PathSelector,
  type PathSelectorEnv,
  type PathSelectorType,
  queueLengthSelector,
  roundRobinSelector,
  serviceTimeSelector,
} from "@mp/dm-core";
import { type BenchContext, type BenchResult, nsPerOp, withBudget } from "../harness.js";

const FAMILY = "selectors";
const PATH_COUNTS = [2, 8, 32] as const;
/** I/Os in flight while selecting: a queue of 16 outstanding per selector instance. */
const INFLIGHT = 16;
/** Operations per timed call. */
const BATCH = 4096;
const BYTES = 4096;

/** Per-path table args the way multipathd writes them for each selector. */
function pathArgs(type: PathSelectorType, i: number, paths: number): string[] {
  switch (type.name) {
    case "service-time":
      return ["0", "1"];
    case "io-affinity":
      // One CPU per path, so every path owns a CPU (the selector rejects a path that maps none).
      return [cpuMaskHex(i, paths)];
    default:
      return ["0"];
  }
}

/** A cpumask with bit `cpu` set, as the kernel's `%*pb` prints it (32-bit words, comma-separated). */
function cpuMaskHex(cpu: number, nrCpus: number): string {
  const words = Math.ceil(nrCpus / 32);
  const out: string[] = [];
  for (let w = words - 1; w >= 0; w--) {
    const bit = cpu - w * 32;
    const v = bit >= 0 && bit < 32 ? (1 << bit) >>> 0 : 0;
    out.push(v.toString(16).padStart(w === words - 1 ? 1 : 8, "0"));
  }
  return out.join(",");
}

/**
 * A selector environment whose clock moves 1 µs per reading (HST reads it on every I/O). The
 * time lives in a Float64Array, not a closure variable: past 2^30 ns a `let` would hold a boxed
 * number, and every reading would allocate a new one — a cost of this fake clock, not of the
 * selector (the kernel model's clock is a field read).
 */
function selectorEnv(nrCpus: number): PathSelectorEnv {
  const t = new Float64Array(1);
  return {
    now: () => (t[0]! += 1000),
    warn: () => {},
    warnRatelimited: () => {},
    nrCpus,
    cpuToNode: () => 0,
  };
}

/** A selector over `n` paths, ready to select; throws if the selector refuses the setup. */
export function makeSelector(type: PathSelectorType, n: number): PathSelector {
  const env = selectorEnv(Math.max(n, 2));
  const created = type.create([], env);
  if (!created.ok) throw new Error(`${type.name}: create failed (${created.errno})`);
  const ps = created.selector;
  for (let i = 0; i < n; i++) {
    const devt = mkdev(8, i * 16);
    const path: DmPath = {
      dev: { devt, name: `8:${i * 16}`, bdev: null as never },
      pscontext: null,
    };
    const r = ps.addPath(path, pathArgs(type, i, n));
    if (!r.ok) throw new Error(`${type.name}: add_path ${i} failed: ${r.error}`);
  }
  return ps;
}

/** The timed loop: end the oldest in-flight I/O, then select and start a new one. */
export function selectorLoop(ps: PathSelector, nrCpus: number): () => void {
  const ring: (DmPath | null)[] = new Array<DmPath | null>(INFLIGHT).fill(null);
  const starts = new Float64Array(INFLIGHT);
  let slot = 0;
  let cpu = 0;
  let t = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const old = ring[slot];
      if (old) ps.endIo?.(old, BYTES, starts[slot]!);
      const p = ps.select(BYTES, cpu);
      if (p === null) throw new Error("selector returned no path");
      ps.startIo?.(p, BYTES);
      ring[slot] = p;
      starts[slot] = t += 1000;
      slot = (slot + 1) % INFLIGHT;
      cpu = (cpu + 1) % nrCpus;
    }
  };
}

const SELECTORS: readonly PathSelectorType[] = [
  roundRobinSelector,
  queueLengthSelector,
  serviceTimeSelector,
  historicalServiceTimeSelector,
  ioAffinitySelector,
];

/** Runs the family (or the case `ctx.caseName` of it). */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const type of SELECTORS.filter((s) => ctx.caseName === "" || s.name === ctx.caseName)) {
    for (const n of PATH_COUNTS) {
      ctx.log(`${type.name}, ${n} paths`);
      const ps = makeSelector(type, n);
      const r = await nsPerOp(ctx, {
        family: FAMILY,
        id: `${type.name}/${n}`,
        name: `${type.name}, ${n} paths`,
        batch: BATCH,
        fn: selectorLoop(ps, Math.max(n, 2)),
      });
      out.push(n === 8 ? withBudget(ctx, r, { cmp: "<=", limit: 60 }) : r);
      ps.destroy();
    }
  }
  return out;
}
