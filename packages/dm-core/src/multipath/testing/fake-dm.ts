/**
 * A minimal device-mapper core for testing the multipath target on its own: one target per
 * map, dm-rq's map/requeue/complete loop, dm-bio's clone/requeue loop, suspend (flush and
 * noflush) and resume, messages, status lines as `dmsetup` prints them, the event counter and
 * uevents, and the kernel log lines dm core writes around a failed constructor. It is a test
 * double, not dm core: the real one lives in `dm/`.
 */
import { Bio, BioPool, bioEndio, ReqFlag, ReqOp } from "../../block/bio.js";
import type { BlockDevice } from "../../block/block-device.js";
import { BlockLayer } from "../../block/block-layer.js";
import { type DevT, formatDevT, mkdev } from "../../block/devt.js";
import { BlkStatus, Errno, errnoName } from "../../block/status.js";
import { NSEC_PER_MSEC } from "../../clock/clock.js";
import { VirtualClock } from "../../clock/virtual-clock.js";
import { dmSplitArgs } from "../../dm/dm-args.js";
import {
  type DmDev,
  DmEndio,
  DmMapio,
  type DmPerIo,
  type DmQueueType,
  type DmTarget,
  type DmTargetEnv,
  type DmTargetType,
} from "../../dm/target.js";
import type { ScsiDeviceHandlerType } from "../../handlers/handler.js";
import { KernelLog } from "../../kernel/log.js";
import { ModuleRegistry } from "../../kernel/modules.js";
import { Registry } from "../../registry.js";
import { historicalServiceTimeSelector } from "../../selectors/historical-service-time.js";
import { ioAffinitySelector } from "../../selectors/io-affinity.js";
import type { PathSelectorType } from "../../selectors/path-selector.js";
import { queueLengthSelector } from "../../selectors/queue-length.js";
import { roundRobinSelector } from "../../selectors/round-robin.js";
import { serviceTimeSelector } from "../../selectors/service-time.js";
import { createMultipathTargetType, type MultipathModuleParams } from "../multipath.js";
import { FakeBlockDevice, type FakeBlockDeviceOptions } from "./fake-block-device.js";

const DM_MAJOR = 254;

function runEndio(bio: Bio): void {
  bioEndio(bio, bio.status);
}
const DELAY_REQUEUE_NS = 100 * NSEC_PER_MSEC;

/** Options of a {@link FakeKernel}. */
export interface FakeKernelOptions {
  /** NUMA node of each CPU; its length is nr_cpu_ids (default 4 CPUs on node 0). */
  readonly nodes?: readonly number[];
  /** Selector types offered as `dm-<name>` modules (default: all five). */
  readonly selectors?: readonly PathSelectorType[];
  /** Device handler types offered as `scsi_dh_<name>` modules. */
  readonly handlers?: readonly ScsiDeviceHandlerType[];
  readonly params?: MultipathModuleParams;
  /** The target type (default: a multipath type with `params`). */
  readonly targetType?: DmTargetType;
}

/** The outcome of one I/O submitted to a map. */
export class IoHandle {
  status: BlkStatus | null = null;
  /** How often the I/O was completed (must end as 1). */
  completions = 0;

  get done(): boolean {
    return this.completions > 0;
  }
}

/** A small kernel: clock, log, block layer, modules and registries, loop devices, dm maps. */
export class FakeKernel {
  readonly clock = new VirtualClock();
  readonly log = new KernelLog(this.clock);
  readonly block = new BlockLayer(this.log);
  readonly modules = new ModuleRegistry();
  readonly selectors = new Registry<PathSelectorType>("path selector");
  readonly handlers = new Registry<ScsiDeviceHandlerType>("device handler");
  readonly nodes: readonly number[];
  readonly targetType: DmTargetType;
  readonly maps = new Map<string, FakeMap>();
  #dmesgCursor = 0;

  constructor(opts: FakeKernelOptions = {}) {
    this.nodes = opts.nodes ?? [0, 0, 0, 0];
    this.targetType =
      opts.targetType ?? createMultipathTargetType(opts.params ? { params: opts.params } : {});
    const sels = opts.selectors ?? [
      roundRobinSelector,
      queueLengthSelector,
      serviceTimeSelector,
      historicalServiceTimeSelector,
      ioAffinitySelector,
    ];
    for (const t of sels)
      this.modules.offer({
        name: `dm-${t.name}`,
        init: () => {
          this.selectors.register(t);
          return 0;
        },
      });
    for (const h of opts.handlers ?? [])
      this.modules.offer({
        name: `scsi_dh_${h.name}`,
        init: () => {
          this.handlers.register(h);
          return 0;
        },
      });
  }

  /** `losetup /dev/loopN` of `sectors` sectors (7:N). */
  addLoop(n: number, sectors = 16384, extra: Partial<FakeBlockDeviceOptions> = {}): FakeBlockDevice {
    return this.addDisk({ devt: mkdev(7, n), name: `loop${n}`, sizeSectors: sectors, ...extra });
  }

  addDisk(opts: FakeBlockDeviceOptions): FakeBlockDevice {
    const dev = new FakeBlockDevice(this.clock, opts);
    this.block.register(dev);
    return dev;
  }

  #freeMinor(): number {
    const used = new Set([...this.maps.values()].map((m) => m.minor));
    let m = 0;
    while (used.has(m)) m++;
    return m;
  }

  /** `dmsetup create NAME --table TABLE` (one target). */
  create(
    name: string,
    table: string,
    opts: { uuid?: string } = {},
  ): { ok: true; map: FakeMap } | { ok: false; errno: number; error: string } {
    const minor = this.#freeMinor();
    const words = table.trim().split(/\s+/);
    const start = Number(words[0]);
    const len = Number(words[1]);
    const type = words[2] ?? "";
    const params = table.trim().split(/\s+/).slice(3).join(" ");
    const env = new FakeTargetEnv(this, name, opts.uuid ?? "", minor, start, len);
    const argv = dmSplitArgs(params);
    if (type !== this.targetType.name) throw new Error(`fake dm only knows ${this.targetType.name}`);
    const r = this.targetType.ctr(env, argv);
    if (!r.ok) {
      const errno = r.errno < 0 ? -r.errno : r.errno;
      this.log.err(
        `device-mapper: table: ${DM_MAJOR}:${minor}: ${type}: ${env.error} (-${errnoName(errno)})`,
      );
      this.log.err("device-mapper: ioctl: error adding target to table");
      env.releaseAll();
      return { ok: false, errno, error: env.error ?? "" };
    }
    const map = new FakeMap(this, env, r.target, minor, name, start, len);
    env.map = map;
    this.maps.set(name, map);
    this.block.register(map);
    return { ok: true, map };
  }

  /** `@dmesg`: kernel lines since the last call, filtered as the conformance runner does. */
  dmesg(): string[] {
    const lines = this.log.since(this.#dmesgCursor);
    this.#dmesgCursor = this.log.cursor();
    return lines
      .map((l) => l.text)
      .filter((t) => /device-mapper:|I\/O error/.test(t))
      .filter((t) => !/version [0-9.]+ loaded|uevent: version|ioctl: [0-9.]+-ioctl|core: CONFIG_/.test(t));
  }

  /** Runs the clock until nothing is pending (bounded). */
  settle(maxEvents = 100_000): void {
    this.clock.runUntilIdle(maxEvents);
  }
}

/** `dm_get_device` with shared, refcounted `dm_dev`s per table, as dm core keeps them. */
class FakeTargetEnv implements DmTargetEnv {
  error: string | undefined = undefined;
  readonly readOnly = false;
  readonly md;
  readonly clock: VirtualClock;
  readonly log: KernelLog;
  readonly block: BlockLayer;
  readonly modules: ModuleRegistry;
  readonly selectors: Registry<PathSelectorType>;
  readonly handlers: Registry<ScsiDeviceHandlerType>;
  readonly nrCpus: number;
  type: DmQueueType | undefined = undefined;
  map: FakeMap | null = null;
  readonly devices = new Map<DevT, { dev: DmDev; count: number }>();
  readonly pendingUevents: Array<ReadonlyArray<readonly [string, string]>> = [];
  readonly #kernel: FakeKernel;

  constructor(
    kernel: FakeKernel,
    name: string,
    uuid: string,
    minor: number,
    readonly begin: number,
    readonly len: number,
  ) {
    this.#kernel = kernel;
    this.md = { name, uuid, devt: mkdev(DM_MAJOR, minor), diskName: `dm-${minor}` };
    this.clock = kernel.clock;
    this.log = kernel.log;
    this.block = kernel.block;
    this.modules = kernel.modules;
    this.selectors = kernel.selectors;
    this.handlers = kernel.handlers;
    this.nrCpus = kernel.nodes.length;
  }

  cpuToNode(cpu: number): number {
    return this.#kernel.nodes[cpu] ?? 0;
  }

  #resolve(path: string): { ok: true; devt: DevT } | { ok: false; errno: number } {
    const m = /^(\d+):(\d+)$/.exec(path);
    if (m) return { ok: true, devt: mkdev(Number(m[1]), Number(m[2])) };
    const dev = path.startsWith("/dev/") ? this.block.byName(path.slice(5)) : undefined;
    if (!dev) return { ok: false, errno: -Errno.ENODEV };
    return { ok: true, devt: dev.devt };
  }

  getDevice(path: string): { ok: true; dev: DmDev } | { ok: false; errno: number } {
    const r = this.#resolve(path);
    if (!r.ok) return r;
    const have = this.devices.get(r.devt);
    if (have) {
      have.count++;
      return { ok: true, dev: have.dev };
    }
    const bdev = this.block.open(r.devt);
    if (!bdev) return { ok: false, errno: -Errno.ENXIO };
    const dev: DmDev = { devt: r.devt, name: formatDevT(r.devt), bdev };
    this.devices.set(r.devt, { dev, count: 1 });
    return { ok: true, dev };
  }

  putDevice(dev: DmDev): void {
    const have = this.devices.get(dev.devt);
    if (!have) throw new Error(`put of a device the table does not hold: ${dev.name}`);
    if (--have.count === 0) {
      this.devices.delete(dev.devt);
      this.block.close(dev.devt);
    }
  }

  releaseAll(): void {
    for (const [devt, d] of this.devices) for (let i = 0; i < d.count; i++) this.block.close(devt);
    this.devices.clear();
  }

  lookupDevice(path: string): { ok: true; devt: DevT } | { ok: false; errno: number } {
    return this.#resolve(path);
  }

  setType(type: DmQueueType): void {
    this.type = type;
  }

  tableEvent(): void {
    this.map?.tableEvent();
  }

  queueUevent(vars: ReadonlyArray<readonly [string, string]>): void {
    this.map?.queueUevent(vars);
  }

  noflushSuspending(): boolean {
    return this.map?.noflushSuspending ?? false;
  }

  suspended(): boolean {
    return this.map?.suspended ?? false;
  }

  postSuspending(): boolean {
    return false;
  }

  pathUevent(action: "PATH_FAILED" | "PATH_REINSTATED", path: string, nrValidPaths: number): void {
    this.map?.queueUevent([
      ["DM_TARGET", "multipath"],
      ["DM_ACTION", action],
      ["DM_PATH", path],
      ["DM_NR_VALID_PATHS", String(nrValidPaths)],
    ]);
  }

  runQueue(): void {
    this.map?.runQueue();
  }

  submitBio(clone: Bio): void {
    if (!clone.dev) throw new Error("submitBio of a clone without a device");
    clone.dev.submit(clone);
  }

  /** Completes on the clock, never inside the call, as dm core does. */
  endBio(clone: Bio, status: BlkStatus): void {
    clone.status = status;
    this.clock.schedule(0, runEndio, clone);
  }
}

/** Per-request state of the fake dm-rq / dm-bio loops. */
class IoCtx {
  orig: Bio | null = null;
  handle: IoHandle | null = null;
  readonly io: DmPerIo = { ctx: null };
  requeueTimer = 0;
}

/** A mapped device with one target. It is also a BlockDevice (dm-N), so maps can stack. */
export class FakeMap implements BlockDevice {
  readonly devt: DevT;
  readonly name: string;
  readonly logicalBlockSize = 512;
  readonly requestStackable = false;
  readonly partition = false;
  eventNr = 0;
  /** Uevents sent (KOBJ_CHANGE environments, without ACTION/DEVPATH/SUBSYSTEM/SEQNUM). */
  readonly uevents: Array<ReadonlyArray<readonly [string, string]>> = [];
  suspended = false;
  noflushSuspending = false;
  removed = false;
  #ueventSeq = 0;
  #queued: Array<ReadonlyArray<readonly [string, string]>> = [];
  /** Requests/bios in the target's or a path's hands. */
  #inFlight = 0;
  #stopped = false;
  readonly #requeue = new Set<IoCtx>();
  readonly #held: IoCtx[] = [];
  readonly #clones = new BioPool();
  readonly #kernel: FakeKernel;
  readonly #env: FakeTargetEnv;
  readonly target: DmTarget;
  readonly #onRqCloneDone = (clone: Bio): void => this.#rqCloneDone(clone);
  readonly #onBioCloneDone = (clone: Bio): void => this.#bioCloneDone(clone);
  readonly #fireRequeue = (ctx: IoCtx): void => {
    ctx.requeueTimer = 0;
    this.#requeue.delete(ctx);
    this.#dispatch(ctx);
  };

  constructor(
    kernel: FakeKernel,
    env: FakeTargetEnv,
    target: DmTarget,
    readonly minor: number,
    readonly dmName: string,
    readonly start: number,
    readonly length: number,
  ) {
    this.#kernel = kernel;
    this.#env = env;
    this.target = target;
    this.devt = mkdev(DM_MAJOR, minor);
    this.name = `dm-${minor}`;
  }

  get queueType(): DmQueueType {
    return this.#env.type ?? "request";
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests waiting in the requeue list or held while suspended. */
  get waiting(): number {
    return this.#requeue.size + this.#held.length;
  }

  sizeSectors(): number {
    return this.length;
  }

  readOnly(): boolean {
    return false;
  }

  dying(): boolean {
    return this.removed;
  }

  /** `dmsetup status|table`: `<start> <len> <type> <params>`. */
  status(kind: "info" | "table" | "ima" = "info"): string {
    const s = this.target.status(kind);
    if (kind === "ima") return s;
    return `${this.start} ${this.length} multipath ${s}`;
  }

  /** `dmsetup message NAME 0 MSG`: 0 or a negative errno. */
  message(msg: string): number {
    const argv = dmSplitArgs(msg);
    if (argv.length === 0) {
      this.#kernel.log.err("device-mapper: ioctl: Empty message received.");
      return -Errno.EINVAL;
    }
    return this.target.message?.(argv) ?? -Errno.EINVAL;
  }

  tableEvent(): void {
    this.eventNr++;
    for (const vars of this.#queued)
      this.uevents.push([...vars, ["DM_NAME", this.dmName], ["DM_UUID", this.#env.md.uuid]]);
    this.#queued = [];
  }

  queueUevent(vars: ReadonlyArray<readonly [string, string]>): void {
    // dm_build_path_uevent: DM_SEQNUM (per device) comes right after DM_ACTION.
    const out: Array<readonly [string, string]> = [];
    for (const v of vars) {
      out.push(v);
      if (v[0] === "DM_ACTION") out.push(["DM_SEQNUM", String(++this.#ueventSeq)]);
    }
    this.#queued.push(out);
  }

  /** A direct read of `bytes` at `sector` (as `dd iflag=direct`). */
  read(sector = 0, bytes = 4096, cpu = 0): IoHandle {
    return this.#io(ReqOp.READ, sector, bytes, cpu);
  }

  write(sector = 0, bytes = 4096, cpu = 0): IoHandle {
    return this.#io(ReqOp.WRITE, sector, bytes, cpu);
  }

  #io(op: ReqOp, sector: number, bytes: number, cpu: number): IoHandle {
    const bio = new Bio();
    bio.op = op;
    bio.flags = ReqFlag.SYNC;
    bio.sector = sector;
    bio.bytes = bytes;
    bio.cpu = cpu;
    const h = new IoHandle();
    bio.private = h;
    bio.endIo = (b) => {
      const handle = b.private as IoHandle;
      handle.completions++;
      handle.status = b.status;
    };
    this.submit(bio);
    return h;
  }

  /** BlockDevice.submit: an I/O to this map. */
  submit(bio: Bio): void {
    const ctx = new IoCtx();
    ctx.orig = bio;
    if (this.suspended || this.#stopped) {
      this.#held.push(ctx);
      return;
    }
    this.#dispatch(ctx);
  }

  #dispatch(ctx: IoCtx): void {
    if (this.suspended || this.#stopped) {
      this.#held.push(ctx);
      return;
    }
    if (this.queueType === "request") this.#mapRq(ctx);
    else this.#mapBio(ctx);
  }

  // -- dm-rq --

  #mapRq(ctx: IoCtx): void {
    const clone = this.#clones.get();
    const r = this.target.cloneAndMap!(ctx.orig!, ctx.io, clone);
    switch (r) {
      case DmMapio.REMAPPED:
        clone.endIo = this.#onRqCloneDone;
        clone.private = ctx;
        this.#inFlight++;
        clone.dev!.submit(clone);
        return;
      case DmMapio.KILL:
        this.#clones.put(clone);
        this.#complete(ctx, BlkStatus.IOERR);
        return;
      case DmMapio.REQUEUE:
        this.#clones.put(clone);
        this.#requeueRq(ctx, 0);
        return;
      case DmMapio.DELAY_REQUEUE:
        this.#clones.put(clone);
        this.#requeueRq(ctx, DELAY_REQUEUE_NS);
        return;
      default:
        throw new Error(`clone_and_map returned ${r}`);
    }
  }

  #rqCloneDone(clone: Bio): void {
    const ctx = clone.private as IoCtx;
    this.#inFlight--;
    const status = clone.status;
    const r = this.target.rqEndIo!(clone, ctx.io, status);
    this.#clones.put(clone);
    switch (r) {
      case DmEndio.DONE:
        this.#complete(ctx, status);
        return;
      case DmEndio.REQUEUE:
        this.#requeueRq(ctx, 0);
        return;
      case DmEndio.DELAY_REQUEUE:
        this.#requeueRq(ctx, DELAY_REQUEUE_NS);
        return;
      default:
        throw new Error(`rq_end_io returned ${r}`);
    }
  }

  #requeueRq(ctx: IoCtx, delayNs: number): void {
    this.#requeue.add(ctx);
    ctx.requeueTimer = this.#kernel.clock.schedule(delayNs, this.#fireRequeue, ctx);
  }

  /** `dm_table_run_md_queue_async` / kicking the requeue list: requeued requests go again now. */
  runQueue(): void {
    for (const ctx of this.#requeue) {
      this.#kernel.clock.cancel(ctx.requeueTimer);
      ctx.requeueTimer = this.#kernel.clock.schedule(0, this.#fireRequeue, ctx);
    }
  }

  // -- dm-bio --

  #mapBio(ctx: IoCtx): void {
    const orig = ctx.orig!;
    const clone = this.#clones.get();
    clone.copyFrom(orig);
    clone.sector = orig.sector - this.start;
    clone.endIo = this.#onBioCloneDone;
    clone.private = ctx;
    clone.startNs = this.#kernel.clock.now();
    this.#inFlight++;
    const r = this.target.map!(clone, ctx.io);
    switch (r) {
      case DmMapio.REMAPPED:
        clone.dev!.submit(clone);
        return;
      case DmMapio.SUBMITTED:
        return;
      case DmMapio.KILL:
        this.#inFlight--;
        this.#clones.put(clone);
        this.#complete(ctx, BlkStatus.IOERR);
        return;
      case DmMapio.REQUEUE:
        this.#inFlight--;
        this.#clones.put(clone);
        this.#pushBack(ctx);
        return;
      default:
        throw new Error(`map returned ${r}`);
    }
  }

  #bioCloneDone(clone: Bio): void {
    const ctx = clone.private as IoCtx;
    const r = this.target.endIo!(clone, ctx.io);
    if (r === DmEndio.INCOMPLETE) return;
    this.#inFlight--;
    const status = clone.status;
    this.#clones.put(clone);
    if (r === DmEndio.REQUEUE || (r === DmEndio.DONE && status === BlkStatus.DM_REQUEUE)) {
      this.#pushBack(ctx);
      return;
    }
    this.#complete(ctx, status);
  }

  /** dm_handle_requeue: kept for after the resume during a noflush suspend, else an I/O error. */
  #pushBack(ctx: IoCtx): void {
    if (this.noflushSuspending || this.suspended) this.#held.push(ctx);
    else this.#complete(ctx, BlkStatus.IOERR);
  }

  #complete(ctx: IoCtx, status: BlkStatus): void {
    const orig = ctx.orig!;
    // Request-based dm logs failed requests as the block layer does for any blk-mq disk.
    if (status !== BlkStatus.OK && this.queueType === "request")
      this.#kernel.block.printReqError(this, orig, status);
    bioEndio(orig, status);
  }

  // -- suspend / resume / remove --

  /** `dmsetup suspend [--noflush]`. Waits (on the clock) for in-flight I/O, as dm core does. */
  suspend(opts: { noflush?: boolean } = {}): void {
    if (this.suspended) return;
    const noflush = opts.noflush ?? false;
    if (noflush) this.noflushSuspending = true;
    this.target.presuspend?.(noflush);
    // Work queued by presuspend (a queue kick) runs before the queue stops.
    this.#kernel.clock.runUntil(this.#kernel.clock.now());
    this.#stopped = true;
    for (let i = 0; i < 1_000_000 && this.#inFlight > 0; i++) if (!this.#kernel.clock.runNext()) break;
    this.noflushSuspending = false;
    this.suspended = true;
    this.target.postsuspend?.();
  }

  /** `dmsetup resume`. */
  resume(): void {
    if (!this.suspended) return;
    this.target.resume?.();
    this.suspended = false;
    this.#stopped = false;
    const held = this.#held.splice(0);
    for (const ctx of this.#requeue) {
      this.#kernel.clock.cancel(ctx.requeueTimer);
      held.push(ctx);
    }
    this.#requeue.clear();
    for (const ctx of held) this.#kernel.clock.schedule(0, this.#fireRequeue, ctx);
  }

  /** `dmsetup remove` (the caller checks it is idle). */
  remove(): void {
    this.target.dtr();
    this.removed = true;
    this.#kernel.maps.delete(this.dmName);
    this.#kernel.block.unregister(this.devt);
  }

  /** Devices the table holds (for open-count checks). */
  heldDevices(): DevT[] {
    return [...this.#env.devices.keys()];
  }
}
