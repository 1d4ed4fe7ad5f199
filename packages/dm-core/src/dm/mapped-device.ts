/**
 * `struct mapped_device` (dm.c): one dm device — its live table, suspend state, event number,
 * queued uevents, the devices its tables hold open, and its face as a block device (`dm-N`).
 * I/O goes through {@link BioEngine} (dm.c) or {@link RqEngine} (dm-rq.c) by the device's type.
 */

import type { Bio } from "../block/bio.js";
import type { BlockDevice } from "../block/block-device.js";
import { type DevT, formatDevT, mkdev } from "../block/devt.js";
import { type BlkStatus, Errno } from "../block/status.js";
import { BioEngine, deferEndio } from "./dm-bio.js";
import type { DmContext } from "./dm-context.js";
import { DmLog } from "./dm-log.js";
import { RqEngine } from "./dm-rq.js";
import type { DmTable, DmTableType, TableDevice, TableOwner } from "./table.js";
import type { DmMappedDeviceRef, DmTargetType } from "./target.js";

/** A waiter of DM_DEV_WAIT. */
export interface EventWaiter {
  readonly eventNr: number;
  readonly wake: () => void;
}

/** `struct mapped_device` + its hash cell (name, uuid, inactive table). */
export class MappedDevice implements BlockDevice, TableOwner {
  readonly ctx: DmContext;
  readonly minor: number;
  readonly devt: DevT;
  /** Kernel disk name, `dm-N`. */
  readonly name: string;
  /** `dm_device_name()`: `major:minor`, how dm log lines name the device. */
  readonly dmName: string;
  readonly ref: DmMappedDeviceRef;
  readonly partition = false;
  readonly scsi = undefined;

  // The hash cell (dm-ioctl.c).
  hashName: string;
  uuid: string | null;
  /** `hc->new_map`: the inactive table. */
  newMap: DmTable | null = null;
  /** False once unhashed (removed): `dm_get_mdptr(md) == NULL`. */
  hashed = true;
  /** Read-only default for loads, from the create request. */
  readonly createReadOnly: boolean;

  /** `md->type`, fixed by the first successful load. */
  type: DmTableType = "none";
  live: DmTable | null = null;
  /** `md->immutable_target_type` of the live table. */
  immutableTargetType: DmTargetType | null = null;

  // md->flags
  suspendedFlag = false;
  /** DMF_BLOCK_IO_FOR_SUSPEND. */
  blockIo = false;
  noflushSuspendingFlag = false;
  postSuspendingFlag = false;
  deferredRemove = false;
  /** DMF_DELETING. */
  deleting = false;
  /** DMF_FREEING. */
  freeing = false;
  /**
   * The model returns from suspend at once; I/O already on its way down completes afterwards
   * ("draining"), and until it has, requeues honour the suspend's noflush mode as they would
   * have during the kernel's wait.
   */
  draining = false;

  eventNr = 0;
  #ueventSeq = 0;
  /** `md->uevent_list`: the kernel adds at the head, so the newest is sent first. */
  readonly #uevents: Array<ReadonlyArray<readonly [string, string]>> = [];
  readonly waiters = new Set<EventWaiter>();

  /** `disk->diskseq`, taken when the disk is allocated (at create). */
  readonly diskseq: number;
  /** add_disk() was called: the disk is in the block layer. */
  registered = false;
  #capacity = 0;
  #lbs = 512;
  #ioMin = 512;
  #ioOpt = 0;
  #diskRo = false;
  readonly #tableDevices: TableDevice[] = [];
  readonly #holderRefs = new Map<DevT, number>();
  /** `md->pending_io` (bio) / in-flight requests (rq). */
  pendingIo = 0;

  readonly bio: BioEngine;
  readonly rq: RqEngine;
  readonly dmlog: DmLog;

  constructor(ctx: DmContext, minor: number, name: string, uuid: string | null, readOnly: boolean) {
    this.ctx = ctx;
    this.minor = minor;
    this.devt = mkdev(ctx.major, minor);
    this.name = `dm-${minor}`;
    this.dmName = formatDevT(this.devt);
    this.hashName = name;
    this.uuid = uuid;
    this.createReadOnly = readOnly;
    this.dmlog = new DmLog(ctx.log, "core");
    this.diskseq = ctx.nextDiskSeq();
    const md = this;
    this.ref = {
      get name() {
        return md.hashName;
      },
      get uuid() {
        return md.uuid ?? "";
      },
      devt: this.devt,
      diskName: this.name,
    };
    this.bio = new BioEngine(this);
    this.rq = new RqEngine(this);
  }

  // ---- BlockDevice ---------------------------------------------------------------------------

  sizeSectors(): number {
    return this.#capacity;
  }

  get logicalBlockSize(): number {
    return this.#lbs;
  }

  ioMin(): number {
    return this.#ioMin;
  }

  ioOpt(): number {
    return this.#ioOpt;
  }

  /** A request-based dm device is a blk-mq disk that request-based dm can stack on. */
  get requestStackable(): boolean {
    return this.type === "request";
  }

  readOnly(): boolean {
    return this.#diskRo;
  }

  dying(): boolean {
    return this.freeing;
  }

  submit(bio: Bio): void {
    if (this.freeing) {
      deferEndio(this.ctx.clock, bio, 10 /* IOERR */);
      return;
    }
    if (this.type === "request") this.rq.submit(bio);
    else this.bio.submit(bio);
  }

  /** `dm_blk_open`. */
  open(): number {
    return this.freeing || this.deleting ? Errno.ENXIO : 0;
  }

  /** `dm_blk_close`: the last close of a device marked for deferred remove queues its removal. */
  release(): void {
    if (this.deferredRemove && this.openCount() === 0) this.ctx.queueDeferredRemove();
  }

  /** `dm_open_count`. */
  openCount(): number {
    return this.registered ? this.ctx.block.openCount(this.devt) : 0;
  }

  // ---- TableOwner ----------------------------------------------------------------------------

  /** `dm_get_table_device`: one open per (device, mode) for all tables of this device. */
  getTableDevice(devt: DevT, readOnly: boolean): TableDevice | number {
    for (const td of this.#tableDevices) {
      if (td.devt === devt && td.readOnly === readOnly) {
        td.count++;
        return td;
      }
    }
    // Linux 6.1 lets a table reference its own device (an I/O loop); newer kernels refuse it.
    if (devt === this.devt) return -Errno.EINVAL;
    const bdev = this.ctx.block.open(devt);
    if (!bdev) return -Errno.ENXIO;
    const td: TableDevice = { devt, readOnly, count: 1, dmDev: { devt, name: formatDevT(devt), bdev } };
    this.#tableDevices.push(td);
    if (this.registered) this.#linkHolder(devt);
    return td;
  }

  /** `dm_put_table_device`. */
  putTableDevice(td: TableDevice): void {
    if (--td.count > 0) return;
    const i = this.#tableDevices.indexOf(td);
    if (i >= 0) this.#tableDevices.splice(i, 1);
    if (this.registered) this.#unlinkHolder(td.devt);
    this.ctx.block.close(td.devt);
  }

  #linkHolder(lower: DevT): void {
    const n = this.#holderRefs.get(lower) ?? 0;
    this.#holderRefs.set(lower, n + 1);
    if (n === 0) this.ctx.block.linkHolder(lower, this.devt);
  }

  #unlinkHolder(lower: DevT): void {
    const n = this.#holderRefs.get(lower) ?? 0;
    if (n <= 1) {
      this.#holderRefs.delete(lower);
      this.ctx.block.unlinkHolder(lower, this.devt);
    } else this.#holderRefs.set(lower, n - 1);
  }

  /** `event_callback`: send queued uevents, bump the event number, wake waiters and pollers. */
  eventCallback(): void {
    const list = this.#uevents.splice(0);
    for (let i = list.length - 1; i >= 0; i--) this.#sendPathUevent(list[i]!);
    this.eventNr = (this.eventNr + 1) >>> 0;
    for (const w of this.waiters) {
      if (w.eventNr !== this.eventNr) {
        this.waiters.delete(w);
        w.wake();
      }
    }
    this.ctx.issueGlobalEvent();
  }

  #sendPathUevent(vars: ReadonlyArray<readonly [string, string]>): void {
    if (!this.hashed) {
      this.ctx.log.info("device-mapper: uevent: dm_send_uevents: skipping sending uevent for lost device");
      return;
    }
    this.emitUevent("change", [...vars, ["DM_NAME", this.hashName], ["DM_UUID", this.uuid ?? ""]]);
  }

  queueUevent(vars: ReadonlyArray<readonly [string, string]>): void {
    this.#uevents.push(vars);
  }

  nextUeventSeq(): number {
    this.#ueventSeq = (this.#ueventSeq + 1) >>> 0;
    return this.#ueventSeq;
  }

  /** `kobject_uevent_env` on the disk: only once the disk was added. */
  emitUevent(action: "add" | "remove" | "change", ext: ReadonlyArray<readonly [string, string]>): void {
    if (!this.registered) return;
    this.ctx.uevents.emit({
      action,
      devpath: `/devices/virtual/block/${this.name}`,
      subsystem: "block",
      env: [
        ...ext,
        ["MAJOR", String(this.ctx.major)],
        ["MINOR", String(this.minor)],
        ["DEVNAME", this.name],
        ["DEVTYPE", "disk"],
        ["DISKSEQ", String(this.diskseq)],
      ],
    });
  }

  runQueueAsync(): void {
    if (this.type === "request") this.rq.runQueueAsync();
  }

  submitClone(clone: Bio): void {
    if (this.type === "request") this.rq.issueClone(clone);
    else this.bio.issueClone(clone);
  }

  endClone(clone: Bio, status: BlkStatus): void {
    deferEndio(this.ctx.clock, clone, status);
  }

  // ---- lifecycle (dm.c) --------------------------------------------------------------------

  /**
   * `dm_setup_md_queue`: first load. Computes the limits (device area checks), adds the disk
   * and links the holders. 0 or -errno.
   */
  setupQueue(t: DmTable): number {
    const lim = t.calculateQueueLimits();
    if (!lim.ok) {
      this.dmlog.err("Cannot calculate initial queue limits");
      return lim.errno;
    }
    this.#lbs = lim.logicalBlockSize;
    this.#ioMin = lim.ioMin;
    this.#ioOpt = lim.ioOpt;
    this.type = t.type;
    this.ctx.block.register(this);
    this.registered = true;
    this.emitUevent("add", []);
    for (const td of this.#tableDevices) this.#linkHolder(td.devt);
    return 0;
  }

  /** `dm_swap_table`: returns the old live table (maybe null), or a negative errno. */
  swapTable(t: DmTable): DmTable | null | number {
    if (!this.suspendedFlag) return -Errno.EINVAL;
    let lbs = this.#lbs;
    let ioMin = this.#ioMin;
    let ioOpt = this.#ioOpt;
    if (!(t.hasNoDataDevices() && this.live)) {
      const lim = t.calculateQueueLimits();
      if (!lim.ok) return lim.errno;
      lbs = lim.logicalBlockSize;
      ioMin = lim.ioMin;
      ioOpt = lim.ioOpt;
    }
    const old = this.live;
    this.#capacity = t.size();
    this.#lbs = lbs;
    this.#ioMin = ioMin;
    this.#ioOpt = ioOpt;
    // dm_table_set_restrictions → disk_update_readahead: a new table resets the read-ahead.
    this.ctx.block.updateReadahead(this.devt);
    t.bound = true;
    this.live = t;
    this.immutableTargetType = t.immutableTargetType;
    this.ctx.issueGlobalEvent();
    return old;
  }

  setDiskReadOnly(ro: boolean): void {
    this.#diskRo = ro;
  }

  /** Destroys `t` now, or once the I/O mapped through it has completed. */
  retireTable(t: DmTable | null): void {
    if (!t) return;
    t.retired = true;
    if (t.inflight === 0) t.destroy();
  }

  /** Called by the engines when a table's in-flight count dropped. */
  tableIoDone(t: DmTable): void {
    if (--t.inflight === 0 && t.retired) t.destroy();
  }

  /** Called by the engines whenever `pendingIo` dropped. */
  checkDrained(): void {
    if (this.draining && this.pendingIo === 0) {
      this.draining = false;
      this.noflushSuspendingFlag = false;
    }
  }

  /** `dm_suspend` (+ `__dm_suspend`): 0 or -errno. */
  suspend(noflush: boolean): number {
    if (this.suspendedFlag) return -Errno.EINVAL;
    const map = this.live;
    if (noflush) this.noflushSuspendingFlag = true;
    if (map) for (const s of map.targets) s.t.presuspend?.(noflush);
    if (map && this.type === "request") this.rq.runDueWork();
    this.blockIo = true;
    if (map && this.type === "request") this.rq.stop();
    this.suspendedFlag = true;
    this.draining = this.pendingIo > 0;
    if (!this.draining) this.noflushSuspendingFlag = false;
    this.postSuspendingFlag = true;
    if (map) for (const s of map.targets) s.t.postsuspend?.();
    this.postSuspendingFlag = false;
    return 0;
  }

  /** `dm_resume`: 0 or -errno (the device then stays suspended). */
  resume(): number {
    if (!this.suspendedFlag) return -Errno.EINVAL;
    const map = this.live;
    if (!map || map.size() === 0) return -Errno.EINVAL;
    for (const s of map.targets) {
      const r = s.t.preresume?.() ?? 0;
      if (r) {
        this.ctx.log.err(
          `device-mapper: table: ${this.dmName}: ${s.type.name}: preresume failed, error = ${r}`,
        );
        return r;
      }
    }
    for (const s of map.targets) s.t.resume?.();
    this.blockIo = false;
    this.bio.kick();
    if (this.type === "request") this.rq.start();
    this.suspendedFlag = false;
    this.draining = false;
    this.noflushSuspendingFlag = false;
    return 0;
  }

  /**
   * `__dm_destroy` + `free_dev`: suspends the targets if needed, fails I/O still held, retires
   * the live table and removes the disk.
   */
  destroy(): void {
    this.freeing = true;
    const map = this.live;
    if (!this.suspendedFlag) {
      if (map) for (const s of map.targets) s.t.presuspend?.(false);
      this.suspendedFlag = true;
      this.postSuspendingFlag = true;
      if (map) for (const s of map.targets) s.t.postsuspend?.();
      this.postSuspendingFlag = false;
    }
    // Nothing is pushed back any more: requeues from here on fail.
    this.noflushSuspendingFlag = false;
    this.draining = false;
    this.bio.failHeld();
    this.rq.failHeld();
    this.live = null;
    if (map) map.bound = false;
    this.retireTable(map);
    for (const w of this.waiters) w.wake();
    this.waiters.clear();
    if (this.registered) {
      this.emitUevent("remove", []);
      this.ctx.block.unregister(this.devt);
      this.registered = false;
      this.#holderRefs.clear();
    }
  }
}
