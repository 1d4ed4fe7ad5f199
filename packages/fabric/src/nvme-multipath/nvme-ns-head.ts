import {
  type Bio,
  BioPool,
  BlkStatus,
  type BlockDevice,
  bioEndio,
  blkPathError,
  type DevT,
  NSEC_PER_SEC,
} from "@mp/dm-core";
import type { NvmetNamespace } from "../hardware/nvme-target.js";
import type { NvmeSubsys } from "../nvme/nvme-core.js";
import type { NvmeNs } from "../nvme/nvme-ns.js";
import { findPathIndex, queueDepthIndex, roundRobinIndex } from "./iopolicy.js";

/** Per-clone bookkeeping (pooled): the original bio and the path it went to. */
class HeadIo {
  orig: Bio | null = null;
  path: NvmeNs | null = null;
}

/** `printk_ratelimited`'s defaults: 10 messages per 5 s. */
const RATELIMIT_BURST = 10;
const RATELIMIT_INTERVAL_NS = 5 * NSEC_PER_SEC;

/**
 * The head of one namespace of a subsystem (`struct nvme_ns_head`): the namespace's shared
 * identity, its paths (one `NvmeNs` per controller) and, with native multipath on, its
 * `nvme<S>n<N>` disk: bio-based; each bio goes to the path its subsystem's I/O policy picks
 * (`nvme_find_path`), a path error fails the bio over to the requeue list, and the requeue list
 * is resubmitted when a controller comes back or the ANA state changes. With no usable path the
 * bio waits while some controller may come back (LIVE, RESETTING, CONNECTING) and fails
 * otherwise. The disk appears when the first path becomes live (`nvme_mpath_set_live`).
 */
export class NvmeNsHead implements BlockDevice {
  readonly subsys: NvmeSubsys;
  readonly target: NvmetNamespace;
  /** `head->instance` (the N of `nvme<S>n<N>`, `nvme<C>n<N>`). */
  readonly instance: number;
  readonly name: string;
  readonly requestStackable = false;
  readonly partition = false;
  /** The disk's sysfs is the NVMe driver's (under `nvme-subsys<S>`). */
  readonly ownSysfs = true;
  /** `head->list`: the sibling paths, in the order their controllers connected. */
  readonly paths: NvmeNs[] = [];
  /** The head disk's dev_t once added (native multipath), else 0. */
  devt: DevT = 0;
  diskseq = 0;
  /** `nvme-generic` minor of the head's `ng<S>n<N>`, or -1. */
  genericMinor = -1;
  /** The head disk exists (`NVME_NSHEAD_DISK_LIVE`). */
  #disk = false;
  #removed = false;
  /** `head->current_path[node]` as indexes into {@link paths} (-1 = none). */
  readonly #current: number[] = [];
  readonly #requeue: Bio[] = [];
  #requeueTimer = 0;
  readonly #pool = new BioPool();
  readonly #ios: HeadIo[] = [];
  readonly #onCloneDone = (clone: Bio): void => this.#cloneDone(clone);
  readonly #runRequeue = (): void => this.#requeueWork();
  #rlStart = -1;
  #rlCount = 0;
  /** Bios failed because no path was available at all. */
  failedNoPath = 0;
  /** Bios failed over to another path after a path error. */
  failovers = 0;

  constructor(subsys: NvmeSubsys, target: NvmetNamespace, instance: number) {
    this.subsys = subsys;
    this.target = target;
    this.instance = instance;
    this.name = `nvme${subsys.instance}n${instance}`;
  }

  get nsid(): number {
    return this.target.nsid;
  }

  get logicalBlockSize(): number {
    return this.target.blockSize;
  }

  /** The head disk exists. */
  get hasDisk(): boolean {
    return this.#disk;
  }

  sizeSectors(): number {
    return (this.target.blocks * this.target.blockSize) / 512;
  }
  readOnly(): boolean {
    return false;
  }
  dying(): boolean {
    return this.#removed;
  }

  /** `nvme_mpath_set_live()`: the first live path adds the head disk. */
  setLive(): void {
    const core = this.subsys.core;
    if (this.#disk || this.#removed || !core.multipath) return;
    this.#disk = true;
    this.devt = core.allocDisk();
    this.diskseq = core.kernel.diskSeq.next();
    core.attrs.addHead(this);
    core.kernel.block.register(this);
    core.attrs.emitHeadAdd(this);
  }

  /** The last path went: the head disk (if any) goes, and the head with it. */
  remove(): void {
    if (this.#removed) return;
    this.#removed = true;
    const core = this.subsys.core;
    if (this.#disk) {
      const block = core.kernel.block;
      core.attrs.removeHead(this);
      const held = block.openCount(this.devt) > 0;
      block.unregister(this.devt);
      if (!held) core.freeDisk(this.devt);
    }
    this.subsys.dropHead(this);
    for (const b of this.#requeue.splice(0)) this.subsys.clock.schedule(0, failLater, b);
  }

  /** Bios waiting on the requeue list. */
  get queued(): number {
    return this.#requeue.length;
  }

  addPath(p: NvmeNs): void {
    this.paths.push(p);
  }

  /** `nvme_ns_remove()`: the path leaves the sibling list; waiting bios get another chance. */
  removePath(p: NvmeNs): void {
    const i = this.paths.indexOf(p);
    if (i < 0) return;
    this.paths.splice(i, 1);
    for (let n = 0; n < this.#current.length; n++) {
      const c = this.#current[n]!;
      if (c === i) this.#current[n] = -1;
      else if (c > i) this.#current[n] = c - 1;
    }
    this.kickRequeue();
  }

  /** `nvme_mpath_clear_current_path()`. */
  clearCurrentPath(p: NvmeNs): void {
    const i = this.paths.indexOf(p);
    if (i < 0) return;
    for (let n = 0; n < this.#current.length; n++) if (this.#current[n] === i) this.#current[n] = -1;
  }

  clearAllCurrentPaths(): void {
    this.#current.fill(-1);
  }

  /** The path the next bio from `cpu` would take (for tests and dashboards), or null. */
  currentPath(cpu = 0): NvmeNs | null {
    const i = this.#current[this.subsys.cpuToNode(cpu)] ?? -1;
    return i >= 0 ? (this.paths[i] ?? null) : null;
  }

  /** `nvme_find_path()`: the path index for a bio submitted on `node`, or -1. */
  #findPath(node: number): number {
    const paths = this.paths;
    if (paths.length === 0) return -1;
    while (this.#current.length <= node) this.#current.push(-1);
    const policy = this.subsys.iopolicy;
    if (policy === "queue-depth") return queueDepthIndex(paths);
    const cur = this.#current[node]!;
    if (cur < 0) return this.#setCurrent(node, findPathIndex(paths, node, policy));
    if (policy === "round-robin") return this.#setCurrent(node, roundRobinIndex(paths, cur));
    const p = paths[cur]!;
    if (!(p.live() && p.anaState === 1)) return this.#setCurrent(node, findPathIndex(paths, node, policy));
    return cur;
  }

  #setCurrent(node: number, i: number): number {
    if (i >= 0) this.#current[node] = i;
    return i;
  }

  /** `nvme_available_path()`: some controller is, or may become, live. */
  #availablePath(): boolean {
    for (const p of this.paths) {
      const s = p.ctrl.state;
      if (s === "live" || s === "resetting" || s === "connecting") return true;
    }
    return false;
  }

  /** `nvme_ns_head_submit_bio()`. */
  submit(bio: Bio): void {
    bio.dev = this;
    const i = this.#findPath(this.subsys.cpuToNode(bio.cpu));
    if (i >= 0) {
      const path = this.paths[i]!;
      const io = this.#ios.pop() ?? new HeadIo();
      io.orig = bio;
      io.path = path;
      const clone = this.#pool.get();
      clone.copyFrom(bio);
      clone.private = io;
      clone.endIo = this.#onCloneDone;
      clone.startNs = this.subsys.clock.now();
      clone.dev = path;
      path.ioStats.submitted();
      path.submitPath(clone, this.subsys.iopolicy === "queue-depth");
      return;
    }
    if (this.#availablePath()) {
      this.#warn("no usable path - requeuing I/O");
      this.#requeue.push(bio);
      return;
    }
    this.#warn("no available path - failing I/O");
    this.failedNoPath++;
    this.subsys.clock.schedule(0, failLater, bio);
  }

  #cloneDone(clone: Bio): void {
    const io = clone.private as HeadIo;
    const orig = io.orig!;
    const path = io.path!;
    const status = clone.status;
    path.ioStats.completed(clone.op, clone.bytes, status, this.subsys.clock.now() - clone.startNs);
    io.orig = null;
    io.path = null;
    this.#ios.push(io);
    this.#pool.put(clone);
    if (status !== BlkStatus.OK && blkPathError(status)) {
      // nvme_failover_req(): steal the bio back to the head and try another path.
      this.failovers++;
      this.clearCurrentPath(path);
      this.#requeue.push(orig);
      this.kickRequeue();
      return;
    }
    bioEndio(orig, status);
  }

  /** `kblockd_schedule_work(&head->requeue_work)`. */
  kickRequeue(): void {
    if (this.#requeueTimer !== 0 || this.#requeue.length === 0) return;
    this.#requeueTimer = this.subsys.clock.schedule(0, this.#runRequeue, undefined);
  }

  /** `nvme_requeue_work()`: resubmits every waiting bio. */
  #requeueWork(): void {
    this.#requeueTimer = 0;
    const list = this.#requeue.splice(0);
    for (const b of list) this.submit(b);
  }

  /** `dev_warn_ratelimited(disk_to_dev(head->disk), …)`. */
  #warn(text: string): void {
    const now = this.subsys.clock.now();
    if (this.#rlStart < 0 || now - this.#rlStart >= RATELIMIT_INTERVAL_NS) {
      this.#rlStart = now;
      this.#rlCount = 0;
    }
    if (this.#rlCount++ < RATELIMIT_BURST) this.subsys.log.warn(`block ${this.name}: ${text}`);
  }

  stop(): void {
    if (this.#requeueTimer !== 0) this.subsys.clock.cancel(this.#requeueTimer);
    this.#requeueTimer = 0;
  }
}

function failLater(bio: Bio): void {
  bioEndio(bio, BlkStatus.IOERR);
}
