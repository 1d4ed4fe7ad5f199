/**
 * The measuring half of the suite: tinybench drives every repeated measurement (warm-up,
 * iterations, statistics); this module turns its samples into one result shape that carries the
 * headline figure, its spread and the budget it is held to.
 */
import { Bench, type Statistics } from "tinybench";

/** Units a result is reported in. */
export type Unit = "ns/op" | "µs/op" | "IO/CPU-s" | "IOPS" | "ms" | "s" | "MB" | "%" | "×";

/** Spread of a measurement, in the result's unit. */
export interface Spread {
  readonly mean: number;
  readonly p50: number;
  readonly p75: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  /** Relative margin of error of the mean, percent (95 %). */
  readonly rme: number;
  readonly samples: number;
}

/** A budget a result is held to: `value cmp limit`. */
export interface Budget {
  readonly cmp: "<" | "<=" | ">=";
  readonly limit: number;
}

/** One figure of the suite. */
export interface BenchResult {
  /** Stable id, `family/case/...` (compare runs by it). */
  readonly id: string;
  readonly family: string;
  /** Human name, printed in tables. */
  readonly name: string;
  readonly unit: Unit;
  /**
   * The headline figure; null when skipped. Repeated measurements give their median (robust
   * against a busy machine's outliers; the mean is in {@link BenchResult.spread}).
   */
  readonly value: number | null;
  readonly spread?: Spread;
  /** Other figures of the same measurement (peak RSS, event-loop block, …). */
  readonly extra?: Readonly<Record<string, number | string | boolean | null>>;
  readonly budget?: Budget & {
    /** Null in smoke runs (timings at toy sizes mean nothing) and when skipped. */
    readonly met: boolean | null;
  };
  /** Why the measurement did not run. */
  readonly skipped?: string;
}

/** What a family gets from the runner. */
export interface BenchContext {
  /** Smoke run: every benchmark, tiny sizes and iteration counts, no budget verdicts. */
  readonly smoke: boolean;
  /** The case of the family this process runs (see {@link Family.cases}), or "" for all. */
  readonly caseName: string;
  /** Progress line on stderr (stdout stays clean for tables). */
  log(message: string): void;
}

/** A family of benchmarks: one file under `families/`, registered in `families/index.ts`. */
export interface Family {
  readonly id: string;
  readonly title: string;
  /** Run pinned to the bench CPU (the simulated I/O path and its fio peer share one core). */
  readonly pin?: boolean;
  /**
   * Cases that each need a fresh process (peak RSS, a cold heap). Each runs in its own child,
   * with `ctx.caseName` set. Without cases the family runs once in one child.
   */
  cases?(smoke: boolean): readonly string[];
  /** Environment changes for a case's process (a value of null removes the variable). */
  caseEnv?(caseName: string): Readonly<Record<string, string | null>>;
  /** Loads the family's code (in the child that runs it) and returns its entry point. */
  load(): Promise<(ctx: BenchContext) => Promise<BenchResult[]>>;
}

/** Verdict of a value against a budget. */
export function meets(value: number, b: Budget): boolean {
  switch (b.cmp) {
    case "<":
      return value < b.limit;
    case "<=":
      return value <= b.limit;
    case ">=":
      return value >= b.limit;
  }
}

/** Attaches a budget to a result (no verdict in smoke runs or without a value). */
export function withBudget(ctx: BenchContext, r: BenchResult, b: Budget): BenchResult {
  const met = ctx.smoke || r.value === null ? null : meets(r.value, b);
  return { ...r, budget: { ...b, met } };
}

/** A result for a benchmark that could not run, with the reason. */
export function skipped(
  family: string,
  id: string,
  name: string,
  unit: Unit,
  reason: string,
  budget?: Budget,
): BenchResult {
  return {
    id: `${family}/${id}`,
    family,
    name,
    unit,
    value: null,
    skipped: reason,
    ...(budget ? { budget: { ...budget, met: null } } : {}),
  };
}

/** Iteration settings of a measurement, full and smoke. */
export interface Iterations {
  /** Minimum measured iterations (full run). */
  readonly iterations: number;
  /** Time budget of the measured phase, ms (full run); iterations continue until both are met. */
  readonly timeMs: number;
  readonly warmupIterations: number;
  readonly warmupTimeMs?: number;
}

const SMOKE: Iterations = { iterations: 2, timeMs: 0, warmupIterations: 1, warmupTimeMs: 0 };

/** Runs one tinybench task and returns its completed statistics. */
async function runTask(
  ctx: BenchContext,
  name: string,
  it: Iterations,
  fn: () => unknown,
): Promise<{ latency: Statistics; throughput: Statistics }> {
  const s = ctx.smoke ? SMOKE : it;
  const bench = new Bench({
    iterations: s.iterations,
    time: s.timeMs,
    warmup: s.warmupIterations > 0,
    warmupIterations: s.warmupIterations,
    warmupTime: s.warmupTimeMs ?? 0,
    throws: true,
  });
  bench.add(name, fn);
  await bench.run();
  const task = bench.tasks[0]!;
  const r = task.result;
  if (r.state === "errored") throw r.error;
  if (r.state !== "completed") throw new Error(`${name}: benchmark ended ${r.state}`);
  return { latency: r.latency, throughput: r.throughput };
}

function spreadOf(st: Statistics, scale: number): Spread {
  return {
    mean: st.mean * scale,
    p50: st.p50 * scale,
    p75: st.p75 * scale,
    p99: st.p99 * scale,
    min: st.min * scale,
    max: st.max * scale,
    rme: st.rme,
    samples: st.samplesCount,
  };
}

/**
 * A micro-benchmark: `fn` performs `batch` operations per call (timer reads cost more than a
 * selector call, so they are amortised over a batch). Reports ns per operation.
 */
export async function nsPerOp(
  ctx: BenchContext,
  o: {
    readonly family: string;
    readonly id: string;
    readonly name: string;
    readonly batch: number;
    readonly fn: () => void;
    readonly it?: Iterations;
  },
): Promise<BenchResult> {
  const it = o.it ?? { iterations: 200, timeMs: 400, warmupIterations: 50 };
  const { latency } = await runTask(ctx, o.id, it, o.fn);
  const spread = spreadOf(latency, 1e6 / o.batch);
  return {
    id: `${o.family}/${o.id}`,
    family: o.family,
    name: o.name,
    unit: "ns/op",
    value: spread.p50,
    spread,
    extra: { opsPerSec: 1e9 / spread.p50, batch: o.batch },
  };
}

/** CPU time of this process (every thread: GC helpers count), in ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** What one call of a throughput benchmark did: units of work, and the CPU time they took when the call timed a part of itself. */
export type UnitsDone = number | { readonly units: number; readonly cpuMs: number };

/**
 * A throughput benchmark: each call of `fn` does some units of work and returns how many (and,
 * when only part of the call counts, the CPU time of that part); the CPU time is the sample.
 * Reports units per CPU-second (the I/O path's figure).
 */
export async function unitsPerCpuSecond(
  ctx: BenchContext,
  o: {
    readonly family: string;
    readonly id: string;
    readonly name: string;
    readonly unit: "IO/CPU-s";
    readonly fn: () => UnitsDone;
    readonly it?: Iterations;
  },
): Promise<BenchResult> {
  const it = o.it ?? { iterations: 8, timeMs: 1500, warmupIterations: 3 };
  const { throughput } = await runTask(ctx, o.id, it, () => {
    const w0 = performance.now();
    const c0 = cpuMs();
    const done = o.fn();
    const c1 = cpuMs();
    const n = typeof done === "number" ? done : done.units;
    const ms = typeof done === "number" ? c1 - c0 : done.cpuMs;
    // ms per unit: tinybench's throughput (1000 / sample) is then units per CPU-second. The
    // time budget is charged the call's wall time.
    return {
      overriddenDuration: Math.max(ms, 0.001) / Math.max(n, 1),
      overriddenIterationCost: performance.now() - w0,
    };
  });
  const spread = spreadOf(throughput, 1);
  return {
    id: `${o.family}/${o.id}`,
    family: o.family,
    name: o.name,
    unit: o.unit,
    value: spread.p50,
    spread,
  };
}

/**
 * A one-shot or few-shot wall-time measurement (cold start, a checker pass, a whole
 * experiment): `fn` returns the milliseconds it measured itself (so setup stays outside).
 */
export async function wallMs(
  ctx: BenchContext,
  o: {
    readonly family: string;
    readonly id: string;
    readonly name: string;
    readonly unit?: "ms" | "s";
    readonly fn: () => Promise<number> | number;
    readonly it?: Iterations;
  },
): Promise<BenchResult> {
  const it = o.it ?? { iterations: 3, timeMs: 0, warmupIterations: 1 };
  const s = ctx.smoke ? SMOKE : it;
  const samples: number[] = [];
  for (let i = 0; i < s.warmupIterations; i++) await o.fn();
  for (let i = 0; i < s.iterations; i++) samples.push(await o.fn());
  const scale = o.unit === "s" ? 1e-3 : 1;
  const spread = spreadOfSamples(samples.map((x) => x * scale));
  return {
    id: `${o.family}/${o.id}`,
    family: o.family,
    name: o.name,
    unit: o.unit ?? "ms",
    value: spread.p50,
    spread,
  };
}

/** Statistics of a small sample set (the few-shot measurements tinybench would over-engineer). */
export function spreadOfSamples(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { mean: 0, p50: 0, p75: 0, p99: 0, min: 0, max: 0, rme: 0, samples: 0 };
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const q = (p: number): number => {
    const i = (n - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return s[lo]! + (s[hi]! - s[lo]!) * (i - lo);
  };
  const sd = n > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  // 95 % two-sided Student t for small n (df 1..10), 1.96 beyond.
  const t = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228][n - 2] ?? 1.96;
  const rme = n > 1 && mean !== 0 ? (100 * t * (sd / Math.sqrt(n))) / Math.abs(mean) : 0;
  return { mean, p50: q(0.5), p75: q(0.75), p99: q(0.99), min: s[0]!, max: s[n - 1]!, rme, samples: n };
}
