import { type Bio, BlkStatus, type BlockDevice, bioEndio, type DevT, Errno, ReqOp } from "@mp/dm-core";
import type { NvmetNamespace } from "../hardware/nvme-target.js";
import type { PolicyPath } from "../nvme-multipath/iopolicy.js";
import type { NvmeNsHead } from "../nvme-multipath/nvme-ns-head.js";
import { IoCounters, type IoStatsSource } from "../workload/io-stats.js";
import { AnaState, anaStateName } from "./ana.js";
import type { NvmeCtrl } from "./nvme-ctrl.js";

/**
 * A namespace as one controller sees it (`struct nvme_ns`) and its disk: with native multipath
 * off the `nvme<C>n<N>` disk user space (and dm-multipath) opens; with it on the hidden path
 * `nvme<S>c<C>n<N>` under the head. Bios go through the controller (its state machine, retries,
 * failover); the per-path counters feed reports.
 */
export class NvmeNs implements BlockDevice, PolicyPath, IoStatsSource {
  readonly ctrl: NvmeCtrl;
  readonly target: NvmetNamespace;
  readonly head: NvmeNsHead;
  /** The hidden path of native multipath (no device node; sysfs `hidden` 1). */
  readonly hidden: boolean;
  readonly name: string;
  readonly devt: DevT;
  readonly diskseq: number;
  readonly requestStackable = true;
  readonly partition = false;
  /** The disk's sysfs is the NVMe driver's, not /devices/virtual/block. */
  readonly ownSysfs = true;
  /** I/O through this path (the head counts it). */
  readonly ioStats = new IoCounters();
  /** The ANA state as the host last learned it (native multipath reads the ANA log). */
  anaState: AnaState = AnaState.OPTIMIZED;
  /** NVME_NS_ANA_PENDING: an ANA error came back, the log is being re-read. */
  anaPending = false;
  /** NVME_NS_READY. */
  ready = true;
  /** `nvme-generic` minor (`ng<C>n<N>`). */
  readonly genericMinor: number;
  /** The disk was deleted (`del_gendisk`). */
  removedDisk = false;
  /** Requests in flight per direction (sysfs `inflight`). */
  readonly inflight = { read: 0, write: 0 };

  constructor(ctrl: NvmeCtrl, target: NvmetNamespace, head: NvmeNsHead) {
    this.ctrl = ctrl;
    this.target = target;
    this.head = head;
    const core = ctrl.core;
    this.hidden = core.multipath;
    this.name = this.hidden
      ? `nvme${ctrl.subsys.instance}c${ctrl.instance}n${head.instance}`
      : `nvme${ctrl.instance}n${head.instance}`;
    this.devt = core.allocDisk();
    this.diskseq = core.kernel.diskSeq.next();
    this.genericMinor = this.hidden ? -1 : core.allocGeneric();
  }

  get nsid(): number {
    return this.target.nsid;
  }

  /** `ng<C>n<N>` (or `ng<S>c<C>n<N>`… native multipath's paths have none). */
  get genericName(): string {
    return `ng${this.ctrl.instance}n${this.head.instance}`;
  }

  get logicalBlockSize(): number {
    return this.target.blockSize;
  }

  sizeSectors(): number {
    return (this.target.blocks * this.target.blockSize) / 512;
  }

  readOnly(): boolean {
    return false;
  }

  dying(): boolean {
    return this.removedDisk || this.ctrl.state === "dead";
  }

  /** `nvme_ns_open`: a deleted disk refuses opens. */
  open(): number {
    return this.removedDisk ? Errno.ENXIO : 0;
  }

  /** The disk user space opened (native multipath off): the bio goes to this controller only. */
  submit(bio: Bio): void {
    bio.dev = this;
    const clock = this.ctrl.clock;
    if (this.removedDisk) {
      clock.schedule(0, endLater, { bio, status: BlkStatus.IOERR });
      return;
    }
    if (bio.op !== ReqOp.FLUSH && bio.sector + Math.ceil(bio.bytes / 512) > this.sizeSectors()) {
      const log = this.ctrl.core.log;
      log.info("attempt to access beyond end of device");
      log.info(
        `${this.name}: rw=${bio.op | bio.flags}, sector=${bio.sector}, nr_sectors = ${Math.ceil(bio.bytes / 512)} limit=${this.sizeSectors()}`,
      );
      clock.schedule(0, endLater, { bio, status: BlkStatus.IOERR });
      return;
    }
    this.ctrl.submit(this, bio, false, false);
  }

  /** A bio from the native multipath head (REQ_NVME_MPATH): path errors fail it over. */
  submitPath(bio: Bio, countActive: boolean): void {
    bio.dev = this;
    this.ctrl.submit(this, bio, true, countActive);
  }

  /** `nvme_path_is_disabled()`: controller not LIVE/DELETING, ANA re-read pending, or not ready. */
  disabled(): boolean {
    const s = this.ctrl.state;
    if (s !== "live" && s !== "deleting") return true;
    return this.anaPending || !this.ready;
  }

  live(): boolean {
    return this.ctrl.state === "live";
  }

  get numaNode(): number {
    return this.ctrl.numaNode;
  }

  nrActive(): number {
    return this.ctrl.nrActive;
  }

  get anaStateName(): string {
    return anaStateName(this.anaState);
  }

  /**
   * The ANA state sysfs shows: the host's with native multipath; without it (where 6.1 shows no
   * attribute, see `NvmeCore.anaAttrsWithoutMultipath`) what the controller reports now.
   */
  get shownAnaState(): AnaState {
    return this.hidden ? this.anaState : this.ctrl.port.anaOf(this.target.anaGroup);
  }

  /**
   * `nvme_ns_remove()`: the path leaves its head (native multipath), the disk and its generic
   * node go. A disk something still has open keeps its minor until it is let go.
   */
  remove(_ctrlGone: boolean): void {
    if (this.removedDisk) return;
    const core = this.ctrl.core;
    this.head.removePath(this);
    core.attrs.removeNs(this);
    this.removedDisk = true;
    const block = core.kernel.block;
    let held = false;
    if (!this.hidden && block.get(this.devt) === this) {
      held = block.openCount(this.devt) > 0;
      block.unregister(this.devt);
    }
    if (held) core.holdDisk(this);
    else core.freeDisk(this.devt);
    if (this.genericMinor >= 0) core.freeGeneric(this.genericMinor);
    if (this.head.paths.length === 0) this.head.remove();
  }
}

function endLater(a: { bio: Bio; status: BlkStatus }): void {
  bioEndio(a.bio, a.status);
}
