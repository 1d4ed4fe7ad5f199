import { Bio, BlkStatus, type BlockDevice, bioEndio, type Clock } from "@mp/dm-core";
import { ForwardingBlockDevice } from "../workload/forwarding-device.js";

/** A clone that remembers when the workload submitted it (lower layers restamp `startNs`). */
class ProbeBio extends Bio {
  submittedNs = 0;
}

/** How long I/O took to flow again after one fault. */
export interface Recovery {
  /** Fault time (virtual ns from the start of the run). */
  readonly tNs: number;
  readonly text: string;
  /** Time from the fault to the first successful completion of an I/O submitted after it; null = never. */
  recoveredNs: number | null;
}

/**
 * A transparent layer between the workload and its target (map, NVMe head, disk) that watches
 * completions: the longest stall (I/O outstanding and nothing completing) and, for every fault
 * registered with {@link CompletionProbe.fault}, how long until an I/O submitted after the fault
 * completed successfully — the failover time as an application sees it.
 */
export class CompletionProbe extends ForwardingBlockDevice {
  readonly recoveries: Recovery[] = [];
  /** Longest stall, ns. */
  maxStallNs = 0;
  /** When the longest stall started (virtual ns from the start). */
  maxStallAtNs = 0;
  readonly #clock: Clock;
  readonly #startNs: number;
  readonly #free: ProbeBio[] = [];
  readonly #endIo = (clone: Bio): void => this.#done(clone);
  #inflight = 0;
  #busySince = 0;
  #unresolved = 0;

  constructor(inner: BlockDevice, clock: Clock) {
    super(inner);
    this.#clock = clock;
    this.#startNs = clock.now();
  }

  /** Registers a fault at the current time. */
  fault(text: string): void {
    this.recoveries.push({ tNs: this.#clock.now() - this.#startNs, text, recoveredNs: null });
  }

  submit(bio: Bio): void {
    const now = this.#clock.now();
    if (this.#inflight++ === 0) this.#busySince = now;
    const clone = this.#free.pop() ?? new ProbeBio();
    clone.copyFrom(bio);
    clone.private = bio;
    clone.endIo = this.#endIo;
    clone.startNs = now;
    clone.submittedNs = now;
    this.inner.submit(clone);
  }

  #done(b: Bio): void {
    const clone = b as ProbeBio;
    const now = this.#clock.now();
    const orig = clone.private as Bio;
    const status = clone.status;
    const submitted = clone.submittedNs;
    this.#inflight--;
    const gap = now - this.#busySince;
    if (gap > this.maxStallNs) {
      this.maxStallNs = gap;
      this.maxStallAtNs = this.#busySince - this.#startNs;
    }
    this.#busySince = now;
    if (status === BlkStatus.OK) {
      const rel = submitted - this.#startNs;
      const rs = this.recoveries;
      while (this.#unresolved < rs.length && rs[this.#unresolved]!.tNs <= rel) {
        const r = rs[this.#unresolved]!;
        r.recoveredNs = now - this.#startNs - r.tNs;
        this.#unresolved++;
      }
    }
    clone.reset();
    this.#free.push(clone);
    bioEndio(orig, status);
  }

  /** Closes the books at the end of a run (a stall still going on counts). */
  finish(): void {
    if (this.#inflight > 0) {
      const gap = this.#clock.now() - this.#busySince;
      if (gap > this.maxStallNs) {
        this.maxStallNs = gap;
        this.maxStallAtNs = this.#busySince - this.#startNs;
      }
    }
  }
}
