import {
  BioPool,
  type BlockDevice,
  type Clock,
  createRng,
  MpError,
  type Rng,
  type VirtualClock,
} from "@mp/dm-core";
import { type IoStatsSnapshot, ioStatsOf, snapshotIoStats } from "./io-stats.js";
import {
  type DeviceInfo,
  type JobDiagnostic,
  type JobOptions,
  type ResolvedJob,
  resolveJobs,
} from "./job-options.js";
import { JobThread, type ThreadHost } from "./job-thread.js";
import { buildReport, type WorkloadReport } from "./report.js";
import { VerifyMap } from "./verify-map.js";

/** The jobs given to a workload are invalid; `diagnostics` says what and where. */
export class WorkloadOptionsError extends MpError {
  readonly diagnostics: readonly JobDiagnostic[];

  constructor(diagnostics: readonly JobDiagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === "error");
    super(
      "MP_WORKLOAD_OPTIONS",
      errors
        .map((d) => `${d.job}${d.line !== undefined ? ` (line ${d.line})` : ""}: ${d.message}`)
        .join("\n"),
    );
    this.diagnostics = diagnostics;
  }
}

/** A path device without I/O counters was given for per-path statistics. */
export class PathStatsError extends MpError {
  constructor(name: string) {
    super("MP_PATH_STATS", `path device ${name} keeps no IoStats (wrap it in a StatsBlockDevice)`);
  }
}

/** Inputs of {@link startWorkload} and {@link runWorkload}. */
export interface WorkloadOptions {
  /** The world's clock. */
  readonly clock: Clock;
  /** The world's (or the scenario's) random stream; each job thread forks its own. */
  readonly rng: Rng;
  /** Default target of every job (a dm map, an sd disk, a loop device). */
  readonly device: BlockDevice;
  /** The jobs, with fio's option names. */
  readonly jobs: readonly JobOptions[];
  /** Devices whose {@link IoStats} give per-path shares and latency (e.g. a map's path disks). */
  readonly pathDevices?: readonly BlockDevice[];
  /** Other devices jobs may name with `filename`. */
  readonly devices?: readonly BlockDevice[];
  /** Where bios come from (default: a pool of the run's own). */
  readonly pool?: BioPool;
}

/** Inputs of {@link runWorkload}: a virtual clock it can drive. */
export interface RunWorkloadOptions extends WorkloadOptions {
  readonly clock: VirtualClock;
  /**
   * Virtual time after which the run gives up on I/O that never completes (a map queueing with
   * no path, a device that lost a bio). Default: 24 hours.
   */
  readonly limitNs?: number;
}

/** Default {@link RunWorkloadOptions.limitNs}. */
export const DEFAULT_WORKLOAD_LIMIT_NS = 24 * 3600 * 1e9;

function matchesName(dev: BlockDevice, name: string): boolean {
  return dev.name === name || `/dev/${dev.name}` === name;
}

/**
 * A workload in progress on a clock: jobs are started in waves (a `stonewall` job waits for all
 * jobs before it), and {@link WorkloadRun.report} can be read at any time. The caller drives the
 * clock (an async world with `advanceAsync`, or {@link runWorkload}).
 */
export class WorkloadRun implements ThreadHost {
  readonly clock: Clock;
  readonly pool: BioPool;
  readonly jobs: readonly ResolvedJob[];
  readonly diagnostics: readonly JobDiagnostic[];
  readonly threads: readonly JobThread[];
  readonly pathDevices: readonly BlockDevice[];
  /** Set when the run gave up with I/O still in flight. */
  abandoned = false;
  startNs = 0;
  endNs = 0;

  readonly #waves: JobThread[][] = [];
  #wave = -1;
  #seq = 0;
  #done = false;
  #started = false;
  #pathStart: IoStatsSnapshot[] | null = null;
  #pathEnd: IoStatsSnapshot[] | null = null;
  readonly #listeners: (() => void)[] = [];

  constructor(options: WorkloadOptions) {
    this.clock = options.clock;
    this.pool = options.pool ?? new BioPool();
    const devices = [options.device, ...(options.devices ?? [])];
    const find = (filename: string | undefined): BlockDevice | undefined =>
      filename === undefined ? options.device : devices.find((d) => matchesName(d, filename));
    const info = (filename: string | undefined): DeviceInfo | undefined => {
      const d = find(filename);
      return d
        ? { name: d.name, bytes: d.sizeSectors() * 512, logicalBlockSize: d.logicalBlockSize }
        : undefined;
    };
    const resolved = resolveJobs(options.jobs, info);
    if (!resolved.ok) throw new WorkloadOptionsError(resolved.diagnostics);
    this.jobs = resolved.jobs;
    this.diagnostics = resolved.diagnostics;
    this.pathDevices = options.pathDevices ?? [];
    for (const p of this.pathDevices) if (!ioStatsOf(p)) throw new PathStatsError(p.name);

    // One verify map per device, covering every verifying job's region there.
    const maps = new Map<BlockDevice, VerifyMap>();
    for (const dev of devices) {
      const vjobs = this.jobs.filter((j) => j.verify && find(j.filename) === dev);
      if (vjobs.length === 0) continue;
      const start = Math.min(...vjobs.map((j) => j.offset));
      const end = Math.max(...vjobs.map((j) => j.offset + j.size));
      maps.set(dev, new VerifyMap(vjobs[0]!.verifyInterval, start, end));
    }
    const threads: JobThread[] = [];
    let wave: JobThread[] = [];
    this.jobs.forEach((job, i) => {
      const dev = find(job.filename)!;
      const rng =
        // A job's randseed seeds its streams on its own, independent of the world's seed.
        job.randseed !== null
          ? createRng(job.randseed >>> 0).fork(`thread${i}`)
          : options.rng.fork(`job:${job.name}:${job.jobIndex}:${job.clone}`);
      const t = new JobThread(this, job, i + 1, dev, rng, maps.get(dev) ?? null);
      if (job.stonewall && wave.length > 0) {
        this.#waves.push(wave);
        wave = [];
      }
      wave.push(t);
      threads.push(t);
    });
    if (wave.length > 0) this.#waves.push(wave);
    this.threads = threads;
  }

  /** True once every job finished (or the run was abandoned). */
  get done(): boolean {
    return this.#done;
  }

  /** I/Os in flight across all jobs. */
  get inflight(): number {
    let n = 0;
    for (const t of this.threads) n += t.inflight;
    return n;
  }

  /** Starts the first wave now. Idempotent. */
  start(): this {
    if (this.#started) return this;
    this.#started = true;
    this.startNs = this.clock.now();
    if (this.#waves.length === 0) this.#finish();
    else this.#nextWave();
    return this;
  }

  /** Calls `fn` once when the run is done. */
  onDone(fn: () => void): void {
    if (this.#done) fn();
    else this.#listeners.push(fn);
  }

  /** Stops issuing new I/O in every job; in-flight I/O still completes. */
  stop(): void {
    for (const t of this.threads) if (t.phase !== "done") t.stop();
  }

  /** Gives up: the run ends now, with whatever is still in flight reported as hung. */
  abandon(): void {
    if (this.#done) return;
    this.abandoned = true;
    for (const t of this.threads) if (t.phase !== "done") t.stop();
    this.#finish();
  }

  /** @internal */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** @internal Path counters are taken from the first end of a ramp (the measured window). */
  measureStarted(_t: JobThread): void {
    if (!this.#pathStart) this.#pathStart = this.#snapshotPaths();
  }

  /** @internal */
  threadDone(_t: JobThread): void {
    if (this.#done) return;
    const wave = this.#waves[this.#wave];
    if (wave?.every((t) => t.phase === "done")) {
      if (this.#wave + 1 < this.#waves.length) this.#nextWave();
      else this.#finish();
    }
  }

  /** The report as of now (final once {@link WorkloadRun.done}). */
  report(): WorkloadReport {
    const end = this.#pathEnd ?? this.#snapshotPaths();
    return buildReport(this, this.#pathStart ?? end, end);
  }

  #nextWave(): void {
    this.#wave++;
    for (const t of this.#waves[this.#wave]!) t.start();
  }

  #finish(): void {
    this.#done = true;
    this.endNs = this.clock.now();
    this.#pathEnd = this.#snapshotPaths();
    for (const fn of this.#listeners.splice(0)) fn();
  }

  #snapshotPaths(): IoStatsSnapshot[] {
    return this.pathDevices.map((p) => snapshotIoStats(ioStatsOf(p)!));
  }
}

/**
 * Starts a workload on `options.clock` and returns it running; drive the clock to make progress.
 * Throws {@link WorkloadOptionsError} for invalid jobs.
 */
export function startWorkload(options: WorkloadOptions): WorkloadRun {
  return new WorkloadRun(options).start();
}

/**
 * Runs a workload to the end on its virtual clock, synchronously, and returns the report.
 * Other timers of the world run too, in time order. When the clock goes idle with I/O still in
 * flight, or `limitNs` of virtual time passes, the run is abandoned and the report says so.
 */
export function runWorkload(options: RunWorkloadOptions): WorkloadReport {
  const clock = options.clock;
  const run = startWorkload(options);
  const limit = clock.now() + (options.limitNs ?? DEFAULT_WORKLOAD_LIMIT_NS);
  while (!run.done) {
    if (clock.runNext(limit)) continue;
    // Idle, or the next timer is past the limit (then time moves to the limit).
    if (clock.nextTime() !== undefined) clock.runUntil(limit);
    break;
  }
  if (!run.done) run.abandon();
  return run.report();
}
