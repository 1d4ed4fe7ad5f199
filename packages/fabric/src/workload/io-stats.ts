import { type Bio, BioPool, BlkStatus, type BlockDevice, bioEndio, type Clock, ReqOp } from "@mp/dm-core";
import { ForwardingBlockDevice } from "./forwarding-device.js";
import { LatencyHistogram } from "./latency-histogram.js";

/**
 * A block device's I/O counters, as `/sys/block/X/stat` keeps them plus a completion-latency
 * histogram. Counters only grow; a reader takes {@link snapshotIoStats} at two times and
 * subtracts. READ counts as read; every other op (WRITE, FLUSH, DISCARD, WRITE_ZEROES) as write.
 */
export interface IoStats {
  /** Read I/Os completed (whatever their status). */
  readonly readIos: number;
  /** Write-like I/Os completed (whatever their status). */
  readonly writeIos: number;
  /** Bytes of reads completed successfully. */
  readonly readBytes: number;
  /** Bytes of write-like I/O completed successfully. */
  readonly writeBytes: number;
  /** I/Os completed with a status other than OK. */
  readonly errors: number;
  /** I/Os submitted and not completed yet. */
  readonly inFlight: number;
  /** Submit-to-completion latency (ns) of every completed I/O. */
  readonly latency: LatencyHistogram;
}

/** Something (usually a {@link BlockDevice}) that keeps {@link IoStats}. */
export interface IoStatsSource {
  readonly ioStats: IoStats;
}

/** The device's counters, when it keeps them. */
export function ioStatsOf(dev: BlockDevice): IoStats | undefined {
  const s = (dev as Partial<IoStatsSource>).ioStats;
  return s && typeof s === "object" && "latency" in s ? s : undefined;
}

/** A frozen copy of {@link IoStats} at one time. */
export interface IoStatsSnapshot {
  readonly readIos: number;
  readonly writeIos: number;
  readonly readBytes: number;
  readonly writeBytes: number;
  readonly errors: number;
  readonly inFlight: number;
  readonly latency: LatencyHistogram;
}

/** Copies the counters (and the histogram) as they are now. */
export function snapshotIoStats(s: IoStats): IoStatsSnapshot {
  return {
    readIos: s.readIos,
    writeIos: s.writeIos,
    readBytes: s.readBytes,
    writeBytes: s.writeBytes,
    errors: s.errors,
    inFlight: s.inFlight,
    latency: new LatencyHistogram().copyFrom(s.latency),
  };
}

/** What happened between two snapshots of the same counters (`inFlight` is the later value). */
export function diffIoStats(later: IoStatsSnapshot, earlier: IoStatsSnapshot): IoStatsSnapshot {
  return {
    readIos: later.readIos - earlier.readIos,
    writeIos: later.writeIos - earlier.writeIos,
    readBytes: later.readBytes - earlier.readBytes,
    writeBytes: later.writeBytes - earlier.writeBytes,
    errors: later.errors - earlier.errors,
    inFlight: later.inFlight,
    latency: LatencyHistogram.difference(later.latency, earlier.latency),
  };
}

/**
 * Ready-made {@link IoStats} for a device to embed: call {@link IoCounters.submitted} when an I/O
 * is accepted and {@link IoCounters.completed} when it ends. Allocates nothing.
 */
export class IoCounters implements IoStats {
  readIos = 0;
  writeIos = 0;
  readBytes = 0;
  writeBytes = 0;
  errors = 0;
  inFlight = 0;
  readonly latency = new LatencyHistogram();

  submitted(): void {
    this.inFlight++;
  }

  completed(op: ReqOp, bytes: number, status: BlkStatus, latencyNs: number): void {
    this.inFlight--;
    if (op === ReqOp.READ) {
      this.readIos++;
      if (status === BlkStatus.OK) this.readBytes += bytes;
    } else {
      this.writeIos++;
      if (status === BlkStatus.OK) this.writeBytes += bytes;
    }
    if (status !== BlkStatus.OK) this.errors++;
    this.latency.add(latencyNs);
  }
}

/**
 * A transparent wrapper that counts the I/O going to a device: same dev_t, name, size and
 * SCSI device; each bio is cloned (from a pool), timed on the clock and completed back to its
 * submitter with the lower device's status. Use it for path devices that keep no counters of
 * their own, before stacking a map on them.
 */
export class StatsBlockDevice extends ForwardingBlockDevice implements IoStatsSource {
  readonly ioStats: IoCounters = new IoCounters();
  readonly #clock: Clock;
  readonly #pool: BioPool;
  readonly #endIo: (clone: Bio) => void;

  constructor(inner: BlockDevice, clock: Clock, pool: BioPool = new BioPool()) {
    super(inner);
    this.#clock = clock;
    this.#pool = pool;
    this.#endIo = (clone) => this.#done(clone);
  }

  submit(bio: Bio): void {
    const clone = this.#pool.get();
    clone.copyFrom(bio);
    clone.private = bio;
    clone.endIo = this.#endIo;
    clone.dev = this.inner;
    // Every layer stamps startNs at submission, which is this same instant, so a lower layer
    // overwriting it cannot skew the measurement.
    clone.startNs = this.#clock.now();
    this.ioStats.submitted();
    this.inner.submit(clone);
  }

  #done(clone: Bio): void {
    const orig = clone.private as Bio;
    const status = clone.status;
    this.ioStats.completed(clone.op, clone.bytes, status, this.#clock.now() - clone.startNs);
    this.#pool.put(clone);
    bioEndio(orig, status);
  }
}
