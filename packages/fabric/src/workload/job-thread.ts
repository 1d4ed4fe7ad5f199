import {
  type Bio,
  type BioPool,
  BlkStatus,
  type BlockDevice,
  blkStatusToErrno,
  type Clock,
  Errno,
  InvariantError,
  NSEC_PER_MSEC,
  ReqFlag,
  ReqOp,
  type Rng,
} from "@mp/dm-core";
import type { ResolvedJob } from "./job-options.js";
import { LatencyHistogram } from "./latency-histogram.js";
import { RandomMap } from "./random-map.js";
import { Verifier, type VerifyFailure } from "./verify.js";
import { SEED_NONE, SEED_UNKNOWN, type VerifyMap } from "./verify-map.js";

/** fio's `bw_avg_time` / `iops_avg_time`: bandwidth and IOPS are sampled every 500 ms. */
export const SAMPLE_WINDOW_NS = 500 * NSEC_PER_MSEC;
/** Verify failures kept in detail per job (all are counted). */
export const MAX_VERIFY_FAILURES_KEPT = 16;

/** fio's latency distribution thresholds ("lat (usec)   : 250=…"), per unit. */
export const LAT_THRESHOLDS: readonly number[] = [2, 4, 10, 20, 50, 100, 250, 500, 750, 1000];
/** msec has two more: 2000 and ">=2000". */
export const LAT_MSEC_THRESHOLDS: readonly number[] = [...LAT_THRESHOLDS, 2000];
/** 10 nsec + 10 usec + 12 msec buckets. */
export const LAT_BUCKETS = 32;
/** fio's "IO depths" buckets: 1, 2, 4, 8, 16, 32, >=64. */
export const DEPTH_LABELS: readonly string[] = ["1", "2", "4", "8", "16", "32", ">=64"];

/** Per-direction statistics of a job thread. */
export class DirStats {
  readonly clat = new LatencyHistogram();
  ios = 0;
  bytes = 0;
  errors = 0;
  /** KiB/s per full sample window. */
  readonly bwSamples: number[] = [];
  /** I/Os per second per full sample window. */
  readonly iopsSamples: number[] = [];
  winBytes = 0;
  winIos = 0;

  reset(): void {
    this.clat.reset();
    this.ios = 0;
    this.bytes = 0;
    this.errors = 0;
    this.bwSamples.length = 0;
    this.iopsSamples.length = 0;
    this.winBytes = 0;
    this.winIos = 0;
  }
}

/** The first failed I/O of a job. */
export interface IoErrorRecord {
  readonly op: "read" | "write";
  /** Byte offset on the device. */
  readonly offset: number;
  readonly length: number;
  readonly status: BlkStatus;
  readonly errno: number;
  /** Clock time of the completion. */
  readonly timeNs: number;
}

/** One I/O slot of a job (there are `iodepth` of them). */
class IoUnit {
  readonly thread: JobThread;
  dir: 0 | 1 = 0;
  offset = 0;
  bytes = 0;
  submitNs = 0;
  submitSeq = 0;
  seed = 0;
  verifyPhase = false;
  busy = false;
  readonly buf: Uint8Array | null;
  readonly words: Uint32Array | null;
  /**
   * The unit's bio, taken from the run's pool at its first I/O and kept until the thread ends
   * (a unit has one I/O in flight at a time): no pool round trip and no full reset per I/O.
   */
  bio: Bio | null = null;
  /** Exact-length views of `buf`, by length / 512, made on first use. */
  readonly #views: (Uint8Array | undefined)[] = [];

  constructor(thread: JobThread, maxBs: number, buffers: boolean) {
    this.thread = thread;
    if (buffers) {
      const ab = new ArrayBuffer(maxBs);
      this.buf = new Uint8Array(ab);
      this.words = new Uint32Array(ab, 0, maxBs >>> 2);
    } else {
      this.buf = null;
      this.words = null;
    }
  }

  view(bytes: number): Uint8Array | null {
    const b = this.buf;
    if (!b) return null;
    const k = bytes >>> 9;
    let v = this.#views[k];
    if (!v) {
      v = b.subarray(0, bytes);
      this.#views[k] = v;
    }
    return v;
  }
}

/** The bio completion callback shared by every unit: no closure per I/O. */
function unitEndIo(bio: Bio): void {
  const unit = bio.private as IoUnit;
  unit.thread.complete(unit, bio);
}
function onRampEnd(t: JobThread): void {
  t.rampEnd();
}
function onDeadline(t: JobThread): void {
  t.deadline();
}
function onSample(t: JobThread): void {
  t.sample();
}
function onWake(t: JobThread): void {
  t.wake();
}

/** What a thread needs from its run. */
export interface ThreadHost {
  readonly clock: Clock;
  readonly pool: BioPool;
  /** Next run-wide event sequence number. */
  nextSeq(): number;
  /** Called once when the thread is done. */
  threadDone(t: JobThread): void;
  /** Called when the thread's measurement starts (its ramp is over). */
  measureStarted(t: JobThread): void;
}

/** Thread life cycle. */
export type ThreadPhase = "idle" | "running" | "verifying" | "done";

/**
 * One job clone: keeps `iodepth` I/Os in flight on its device, generating offsets, sizes and
 * directions as fio does, pacing with `rate_iops`, stopping on size or runtime, then verifying
 * what it wrote. Everything on the hot path is preallocated.
 */
export class JobThread {
  readonly job: ResolvedJob;
  /** fio's thread number (1-based, run-wide). */
  readonly number: number;
  readonly device: BlockDevice;
  phase: ThreadPhase = "idle";

  readonly stats: readonly [DirStats, DirStats] = [new DirStats(), new DirStats()];
  /** Completion-latency distribution, both directions ({@link LAT_BUCKETS}). */
  readonly latBuckets = new Float64Array(LAT_BUCKETS);
  /** In-flight depth at submission ({@link DEPTH_LABELS}). */
  readonly depthBuckets = new Float64Array(DEPTH_LABELS.length);
  /** I/Os issued per direction ("issued rwts"), measured or not. */
  readonly issued: [number, number] = [0, 0];
  /** I/Os completed (any status, measured or not). */
  completed = 0;
  /** errno the job ended with (fio's `err=`), 0 when fine. */
  err = 0;
  errorCount = 0;
  firstError: IoErrorRecord | null = null;
  verifyChecked = 0;
  verifySkipped = 0;
  verifyFailureCount = 0;
  readonly verifyFailures: VerifyFailure[] = [];
  startNs = 0;
  measureStartNs = 0;
  endNs = 0;

  readonly #host: ThreadHost;
  readonly #clock: Clock;
  readonly #units: IoUnit[] = [];
  /** Free units, a stack (`#nFree` of them, the top last): LIFO as a push/pop array, without its builtin calls. */
  readonly #free: IoUnit[] = [];
  #nFree = 0;
  readonly #rngOffset: Rng;
  readonly #rngMix: Rng;
  readonly #rngBs: Rng;
  readonly #rngVerify: Rng;
  readonly #map: RandomMap | null;
  readonly #verifyMap: VerifyMap | null;
  readonly #verifier: Verifier | null;
  readonly #writesVerifyData: boolean;
  #inflight = 0;
  #stopIssuing = false;
  #issuedBytes = 0;
  readonly #seqPos: [number, number] = [0, 0];
  #pendingDir = -1;
  #wakeHandle = 0;
  #sampleHandle = 0;
  #deadlineHandle = 0;
  #rampHandle = 0;
  readonly #rateNsPerIo: [number, number];
  readonly #rateCount: [number, number] = [0, 0];
  #rateBase = 0;
  #verifyCursor = 0;
  #filling = false;
  #measuring = false;
  /** Stopped from outside: no verify phase follows. */
  #aborted = false;

  constructor(
    host: ThreadHost,
    job: ResolvedJob,
    number: number,
    device: BlockDevice,
    rng: Rng,
    verifyMap: VerifyMap | null,
  ) {
    this.#host = host;
    this.#clock = host.clock;
    this.job = job;
    this.number = number;
    this.device = device;
    this.#rngOffset = rng.fork("offset");
    this.#rngMix = rng.fork("rwmix");
    this.#rngBs = rng.fork("bs");
    this.#rngVerify = rng.fork("verify");
    this.#map = job.random && job.randomMap ? new RandomMap(job.size / job.blockAlign) : null;
    this.#verifyMap = verifyMap;
    this.#verifier = job.verify ? new Verifier(job.verify, job.verifyInterval) : null;
    this.#writesVerifyData = job.verify !== null;
    this.#rateNsPerIo = [
      job.rateIops[0] > 0 ? 1e9 / job.rateIops[0] : 0,
      job.rateIops[1] > 0 ? 1e9 / job.rateIops[1] : 0,
    ];
    for (let i = 0; i < job.iodepth; i++) {
      const u = new IoUnit(this, job.maxBs, job.buffers);
      this.#units.push(u);
      this.#free.push(u);
    }
    this.#nFree = this.#free.length;
    // Without verify, write buffers carry fio's default: random bytes, filled once.
    if (job.buffers && !job.verify) {
      const r = rng.fork("buffers");
      for (const u of this.#units) for (let i = 0; i < u.words!.length; i++) u.words![i] = r.nextU32();
    }
  }

  /** I/Os in flight now. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Bytes issued in the main phase. */
  get issuedBytes(): number {
    return this.#issuedBytes;
  }

  /** Starts the job now. */
  start(): void {
    const now = this.#clock.now();
    this.phase = "running";
    this.startNs = now;
    this.measureStartNs = now + this.job.rampNs;
    this.#rateBase = now;
    if (this.job.rampNs > 0) this.#rampHandle = this.#clock.schedule(this.job.rampNs, onRampEnd, this);
    else this.rampEnd();
    if (Number.isFinite(this.job.runtimeNs))
      this.#deadlineHandle = this.#clock.schedule(this.job.rampNs + this.job.runtimeNs, onDeadline, this);
    this.#fill();
  }

  /** Stops issuing new I/O (in-flight I/O completes and counts). */
  stop(): void {
    this.#aborted = true;
    this.#stopIssuing = true;
    this.#cancelTimers(false);
    this.#maybeFinishPhase();
  }

  /** @internal timer: the ramp is over, measurement starts from zero. */
  rampEnd(): void {
    this.#rampHandle = 0;
    this.#measuring = true;
    this.stats[0].reset();
    this.stats[1].reset();
    this.latBuckets.fill(0);
    this.depthBuckets.fill(0);
    this.measureStartNs = this.#clock.now();
    this.#host.measureStarted(this);
    if (this.phase === "running" || this.phase === "verifying")
      this.#sampleHandle = this.#clock.schedule(SAMPLE_WINDOW_NS, onSample, this);
  }

  /** @internal timer: the runtime is over. */
  deadline(): void {
    this.#deadlineHandle = 0;
    this.#stopIssuing = true;
    this.#maybeFinishPhase();
  }

  /** @internal timer: one bandwidth/IOPS sample window closed. */
  sample(): void {
    this.#sampleHandle = 0;
    const secs = SAMPLE_WINDOW_NS / 1e9;
    for (let d = 0; d < 2; d++) {
      if (!this.#doesDir(d as 0 | 1)) continue;
      const s = this.stats[d]!;
      s.bwSamples.push(s.winBytes / 1024 / secs);
      s.iopsSamples.push(s.winIos / secs);
      s.winBytes = 0;
      s.winIos = 0;
    }
    if (this.phase !== "done" && !this.#stopIssuing)
      this.#sampleHandle = this.#clock.schedule(SAMPLE_WINDOW_NS, onSample, this);
  }

  /** @internal timer: the rate limiter allows the next I/O. */
  wake(): void {
    this.#wakeHandle = 0;
    this.#fill();
  }

  #doesDir(d: 0 | 1): boolean {
    return d === 0
      ? this.job.readPct > 0 || (this.job.verify !== null && this.job.doVerify)
      : this.job.readPct < 100;
  }

  #fill(): void {
    if (this.#filling) return;
    this.#filling = true;
    try {
      while (this.#inflight < this.job.iodepth && this.#nFree > 0) {
        const ok =
          this.phase === "running"
            ? this.#issueMain()
            : this.phase === "verifying"
              ? this.#issueVerify()
              : false;
        if (!ok) break;
      }
    } finally {
      this.#filling = false;
    }
    this.#maybeFinishPhase();
  }

  #issueMain(): boolean {
    if (this.#stopIssuing) return false;
    const job = this.job;
    const remaining = job.ioSize - this.#issuedBytes;
    if (remaining < job.minBs) {
      this.#stopIssuing = true;
      return false;
    }
    if (this.#pendingDir < 0) {
      this.#pendingDir =
        job.readPct >= 100 ? 0 : job.readPct <= 0 ? 1 : this.#rngMix.float() * 100 < job.readPct ? 0 : 1;
    }
    const d = this.#pendingDir as 0 | 1;
    const perIo = this.#rateNsPerIo[d];
    if (perIo > 0) {
      // Whole nanoseconds: a fractional wait would round to a zero-delay timer and spin.
      const allowed = Math.ceil(this.#rateBase + this.#rateCount[d] * perIo);
      const now = this.#clock.now();
      if (allowed > now) {
        if (this.#wakeHandle === 0) this.#wakeHandle = this.#clock.schedule(allowed - now, onWake, this);
        return false;
      }
    }
    let bs = this.#pickBs(d);
    if (bs > remaining) bs = remaining - (remaining % job.blockAlign);
    if (bs > job.size) bs = job.size;
    const off = job.random ? this.#randomOffset(bs) : this.#seqOffset(d, bs);
    if (off < 0) {
      this.#stopIssuing = true;
      return false;
    }
    const len = this.#lastLen;
    this.#pendingDir = -1;
    this.#rateCount[d]++;
    this.#issuedBytes += len;
    this.#submit(d, job.offset + off, len, false);
    return true;
  }

  /** Length chosen by the last offset computation (offset functions may trim the size). */
  #lastLen = 0;

  #pickBs(d: 0 | 1): number {
    const split = this.job.bssplit[d];
    if (split.length === 1) return split[0]!.bs;
    const r = this.#rngBs.int(1, 100);
    let cum = 0;
    let bs = split[0]!.bs;
    for (const e of split) {
      if (e.percent <= 0) continue;
      bs = e.bs;
      cum += e.percent;
      if (r <= cum) break;
    }
    return bs;
  }

  #seqOffset(d: 0 | 1, bs: number): number {
    const job = this.job;
    let pos = this.#seqPos[d];
    if (pos + job.minBs > job.size) pos = 0;
    let len = Math.min(bs, job.size - pos);
    len -= len % job.blockAlign;
    if (len < job.minBs) {
      pos = 0;
      len = Math.min(bs, job.size);
    }
    this.#seqPos[d] = pos + len;
    this.#lastLen = len;
    return pos;
  }

  #randomOffset(bs: number): number {
    const job = this.job;
    const align = job.blockAlign;
    const blocks = job.size / align;
    const maxBlock = Math.floor((job.size - bs) / align);
    const map = this.#map;
    if (!map) {
      this.#lastLen = bs;
      return randBelow(this.#rngOffset, maxBlock + 1) * align;
    }
    if (bs === align && bs >= job.minBs) {
      // One block (the common 4 KiB case): the block nextFree lands on is free and inside the
      // region (the map's tail bits are set), so its free run is 1 and the general loop below
      // would take it at the first attempt. Same draws, same block.
      if (map.full) map.clear();
      let b = randBelow(this.#rngOffset, maxBlock + 1);
      if (map.isSet(b)) b = map.nextFree(b);
      map.set(b);
      this.#lastLen = bs;
      return b * align;
    }
    for (let attempt = 0; attempt < 64; attempt++) {
      if (map.full) map.clear();
      let b = randBelow(this.#rngOffset, maxBlock + 1);
      if (map.isSet(b)) b = map.nextFree(b);
      const want = Math.ceil(bs / align);
      const run = map.freeRun(b, Math.min(want, blocks - b));
      const len = Math.min(bs, run * align);
      if (len < job.minBs) {
        // A free stretch too short for the smallest block: it can never be used this pass.
        for (let i = 0; i < run; i++) map.set(b + i);
        continue;
      }
      const end = b + Math.ceil(len / align);
      for (let i = b; i < end; i++) map.set(i);
      this.#lastLen = len;
      return b * align;
    }
    return -1;
  }

  #issueVerify(): boolean {
    const vm = this.#verifyMap;
    if (!vm || this.#stopIssuing) return false;
    const job = this.job;
    const c0 = vm.firstChunk(job.offset);
    const cEnd = vm.endChunk(job.offset, job.size);
    let c = Math.max(this.#verifyCursor, c0);
    while (
      c < cEnd &&
      !(vm.writer[c] === this.number && vm.expected[c] !== SEED_NONE && vm.expected[c] !== SEED_UNKNOWN)
    ) {
      if (vm.writer[c] === this.number && vm.expected[c] === SEED_UNKNOWN) this.verifySkipped++;
      c++;
    }
    if (c >= cEnd) {
      this.#verifyCursor = cEnd;
      return false;
    }
    const maxChunks = Math.max(1, Math.floor(job.maxBs / vm.interval));
    let n = 1;
    while (
      n < maxChunks &&
      c + n < cEnd &&
      vm.writer[c + n] === this.number &&
      vm.expected[c + n] !== SEED_NONE &&
      vm.expected[c + n] !== SEED_UNKNOWN
    )
      n++;
    this.#verifyCursor = c + n;
    this.#submit(0, vm.base + c * vm.interval, n * vm.interval, true);
    return true;
  }

  #submit(d: 0 | 1, offset: number, bytes: number, verifyPhase: boolean): void {
    const unit = this.#free[--this.#nFree]!;
    const host = this.#host;
    let bio = unit.bio;
    if (bio === null) {
      bio = host.pool.get();
      unit.bio = bio;
    } else {
      // What a pool's reset would have cleared and the fields below do not set (a lower layer
      // may have written them): the bio goes down as a fresh one would.
      bio.status = 0;
      bio.ioprioClass = 2;
      bio.cpu = 0;
      bio.driverData = null;
    }
    const now = this.#clock.now();
    unit.busy = true;
    unit.dir = d;
    unit.offset = offset;
    unit.bytes = bytes;
    unit.submitNs = now;
    unit.verifyPhase = verifyPhase;
    unit.submitSeq = host.nextSeq();
    bio.op = d === 0 ? ReqOp.READ : ReqOp.WRITE;
    // O_DIRECT writes are REQ_SYNC | REQ_IDLE (dio_bio_write_op); reads carry no flag.
    bio.flags = d === 0 ? 0 : ReqFlag.SYNC | ReqFlag.IDLE;
    bio.sector = offset / 512;
    bio.bytes = bytes;
    bio.data = unit.view(bytes);
    bio.endIo = unitEndIo;
    bio.private = unit;
    bio.startNs = now;
    bio.dev = this.device;
    if (d === 1) {
      const vm = this.#verifyMap;
      if (this.#writesVerifyData) {
        let seed = this.#rngVerify.nextU32();
        if (seed === SEED_NONE || seed === SEED_UNKNOWN) seed = 1;
        unit.seed = seed;
        const v = this.#verifier!;
        for (let at = 0; at < bytes; at += v.interval)
          v.fill(unit.buf!, unit.words!, at, offset + at, seed, this.number);
      } else unit.seed = SEED_UNKNOWN;
      vm?.writeSubmitted(offset, bytes);
    }
    this.issued[d]++;
    this.#inflight++;
    const depth = this.#inflight;
    this.depthBuckets[
      depth >= 64
        ? 6
        : depth >= 32
          ? 5
          : depth >= 16
            ? 4
            : depth >= 8
              ? 3
              : depth >= 4
                ? 2
                : depth >= 2
                  ? 1
                  : 0
    ]!++;
    this.device.submit(bio);
  }

  /** @internal completion of a unit's bio (from the bio's end_io). */
  complete(unit: IoUnit, bio: Bio): void {
    if (!unit.busy) throw new InvariantError(`${this.job.name}: bio completed twice (offset ${unit.offset})`);
    const host = this.#host;
    const now = this.#clock.now();
    const status = bio.status;
    unit.busy = false;
    this.#inflight--;
    this.completed++;
    const d = unit.dir;
    const seq = host.nextSeq();
    if (d === 1)
      this.#verifyMap?.writeCompleted(
        unit.offset,
        unit.bytes,
        status === BlkStatus.OK ? unit.seed : SEED_UNKNOWN,
        this.number,
        seq,
      );
    // The measured window holds the I/O submitted after the ramp (fio resets its stats then).
    const measured = this.#measuring && unit.submitNs >= this.measureStartNs;
    if (status !== BlkStatus.OK) {
      this.errorCount++;
      if (measured) this.stats[d].errors++;
      const errno = blkStatusToErrno(status);
      if (!this.firstError)
        this.firstError = {
          op: d === 0 ? "read" : "write",
          offset: unit.offset,
          length: unit.bytes,
          status,
          errno,
          timeNs: now,
        };
      const survive = d === 0 ? this.job.continueOn.read : this.job.continueOn.write;
      if (!survive) {
        if (this.err === 0) this.err = errno;
        this.#stopIssuing = true;
      }
    } else {
      if (measured) {
        const lat = now - unit.submitNs;
        const s = this.stats[d];
        s.clat.add(lat);
        s.ios++;
        s.bytes += unit.bytes;
        s.winIos++;
        s.winBytes += unit.bytes;
        this.latBuckets[latBucket(lat)]!++;
      }
      if (d === 0 && this.#verifyMap && this.#verifier && unit.buf) this.#verifyRead(unit);
    }
    this.#free[this.#nFree++] = unit;
    if (this.phase === "running" || this.phase === "verifying") this.#fill();
  }

  #verifyRead(unit: IoUnit): void {
    const vm = this.#verifyMap!;
    const v = this.#verifier!;
    const e = vm.endChunk(unit.offset, unit.bytes);
    for (let c = vm.firstChunk(unit.offset); c < e; c++) {
      const chunkOff = vm.base + c * vm.interval;
      if (chunkOff < unit.offset || chunkOff + vm.interval > unit.offset + unit.bytes) continue;
      if (!vm.checkable(c, unit.submitSeq)) {
        if (vm.expected[c] !== SEED_NONE) this.verifySkipped++;
        continue;
      }
      this.verifyChecked++;
      const f = v.check(
        unit.buf!,
        chunkOff - unit.offset,
        chunkOff,
        vm.expected[c]!,
        unit.offset,
        unit.bytes,
      );
      if (f) {
        this.verifyFailureCount++;
        if (this.verifyFailures.length < MAX_VERIFY_FAILURES_KEPT) this.verifyFailures.push(f);
        if (!this.job.continueOn.verify || this.job.verifyFatal) {
          if (this.err === 0) this.err = Errno.EILSEQ;
          this.#stopIssuing = true;
        }
      }
    }
  }

  #maybeFinishPhase(): void {
    if (this.#inflight > 0 || this.#filling) return;
    if (this.phase === "running") {
      // Nothing in flight and not stopped: the rate limiter is holding the job (a wake is due).
      if (!this.#stopIssuing) return;
      const job = this.job;
      if (
        job.verify &&
        job.doVerify &&
        job.readPct < 100 &&
        this.err === 0 &&
        !this.#aborted &&
        this.#verifyMap
      ) {
        this.phase = "verifying";
        this.#stopIssuing = false;
        this.#cancelTimers(true);
        this.#verifyCursor = 0;
        this.#fill();
        return;
      }
      this.#finish();
    } else if (this.phase === "verifying") {
      this.#finish();
    }
  }

  #finish(): void {
    if (this.phase === "done") return;
    this.phase = "done";
    this.endNs = this.#clock.now();
    this.#cancelTimers(false);
    // The units' bios go back to the run's pool (a unit still busy keeps its bio: it is in flight).
    const pool = this.#host.pool;
    for (const u of this.#units)
      if (!u.busy && u.bio !== null) {
        pool.put(u.bio);
        u.bio = null;
      }
    this.#host.threadDone(this);
  }

  #cancelTimers(keepSampling: boolean): void {
    const c = this.#clock;
    if (this.#wakeHandle) c.cancel(this.#wakeHandle);
    if (this.#deadlineHandle) c.cancel(this.#deadlineHandle);
    this.#wakeHandle = 0;
    this.#deadlineHandle = 0;
    if (!keepSampling) {
      if (this.#sampleHandle) c.cancel(this.#sampleHandle);
      if (this.#rampHandle) c.cancel(this.#rampHandle);
      this.#sampleHandle = 0;
      this.#rampHandle = 0;
    }
  }
}

/** Uniform integer in [0, n), exact for n up to 2^53 (two 32-bit draws). */
export function randBelow(rng: Rng, n: number): number {
  if (n <= 1) return 0;
  // int(0, n − 1) is floor(nextU32 / 2^32 · n), computed inside the generator: a small integer
  // comes back instead of a boxed 32-bit draw (an allocation per I/O).
  if (n <= 4294967296) return rng.int(0, n - 1);
  const hi = rng.nextU32() >>> 11;
  const lo = rng.nextU32();
  return Math.floor(((hi * 4294967296 + lo) / 9007199254740992) * n);
}

/** Index in {@link LAT_BUCKETS} of a latency, by fio's thresholds (each label is an upper bound). */
export function latBucket(ns: number): number {
  // The usual case, a whole number of nanoseconds in the microsecond range: compared in
  // nanoseconds against the thresholds × 1000 it lands where the division below would put it
  // (ns / 1000 rounds monotonically and every threshold × 1000 is exact), without dividing.
  // The thresholds are compared as a tree of constants (2, 4, 10, 20, 50, 100, 250, 500, 750,
  // 1000 µs): three or four comparisons instead of a loop of up to ten.
  if (ns >= 1000 && ns < 1_000_000 && (ns | 0) === ns) {
    if (ns < 50_000) {
      if (ns < 10_000) return ns < 2_000 ? 10 : ns < 4_000 ? 11 : 12;
      return ns < 20_000 ? 13 : 14;
    }
    if (ns < 250_000) return ns < 100_000 ? 15 : 16;
    return ns < 500_000 ? 17 : ns < 750_000 ? 18 : 19;
  }
  let v = ns;
  for (let unit = 0; unit < 3; unit++) {
    const th = unit === 2 ? LAT_MSEC_THRESHOLDS : LAT_THRESHOLDS;
    if (unit < 2 && v >= 1000) {
      v /= 1000;
      continue;
    }
    for (let i = 0; i < th.length; i++) if (v < th[i]!) return unit * 10 + i;
    return unit * 10 + th.length;
  }
  return LAT_BUCKETS - 1;
}
