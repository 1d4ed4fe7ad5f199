/**
 * The device-mapper `multipath` target, v1.14.0 as in Linux 6.1 (drivers/md/dm-mpath.c): the
 * runner around the pure state machine of `mpath-state.ts`, the request-based and bio-based I/O
 * paths, messages and status.
 */
import type { Bio } from "../block/bio.js";
import { ReqFlag } from "../block/bio.js";
import { formatDevT } from "../block/devt.js";
import { BlkStatus, blkPathError, Errno } from "../block/status.js";
import type { Clock } from "../clock/clock.js";
import { parseKernelUint } from "../dm/dm-args.js";
import {
  type DmCtrResult,
  type DmDev,
  DmEndio,
  DmMapio,
  type DmPerIo,
  type DmTarget,
  type DmTargetEnv,
  DmTargetFeature,
  type DmTargetType,
  defineTarget,
} from "../dm/target.js";
import { InvariantError } from "../errors.js";
import type { ScsiDhResult } from "../handlers/handler.js";
import { scsiDhActivate } from "../handlers/scsi-dh.js";
import { LogLevel } from "../kernel/log.js";
import type { PathSelectorEnv, StatusType } from "../selectors/path-selector.js";
import { type ParsedMultipath, parseMultipathTable, strcaseeq } from "./ctr.js";
import {
  HZ,
  initialState,
  type MpathEffect,
  type MpathEvent,
  MpathFlag,
  type MpathState,
  type MpathTopology,
  transition,
} from "./mpath-state.js";
import { MpathIo, Pgpath, type PriorityGroup } from "./pgpath.js";
import { printkRatelimited } from "./ratelimit.js";
import { multipathStatus, type StatusTable } from "./status.js";

/** `dm_multipath` module parameters. The owner may change them at run time (sysfs is 0644). */
export interface MultipathModuleParams {
  /** `queue_if_no_path_timeout_secs`: fail queued I/O after this long without a path; 0 = never. */
  queueIfNoPathTimeoutSecs: number;
}

/** Options of {@link createMultipathTargetType}. */
export interface MultipathTargetOptions {
  /** Read on every use, so later changes take effect like the kernel's `READ_ONCE`. */
  readonly params?: MultipathModuleParams;
}

/** A DmTargetEnv that may also know the machine's NUMA topology (io-affinity uses it). */
type EnvWithTopology = DmTargetEnv & { readonly cpuToNode?: (cpu: number) => number };

const TARGET_NAME = "multipath";
const NS_PER_JIFFY = 1_000_000_000 / HZ;
const TARGET_VERSION: readonly [number, number, number] = [1, 14, 0];

// Parameterless events, allocated once.
const EV_NO_VALID_PATHS: MpathEvent = { type: "no-valid-paths" };
const EV_TAKE_NEXT_PG: MpathEvent = { type: "take-next-pg" };
const EV_DELAY_RETRY: MpathEvent = { type: "pg-init-delay-retry" };
const EV_CHOOSE_FAILED: MpathEvent = { type: "choose-failed" };
const EV_PG_INIT_ALL: MpathEvent = { type: "pg-init-all" };
const EV_NOPATH_TIMEOUT: MpathEvent = { type: "nopath-timeout" };

function invoke(fn: () => void): void {
  fn();
}

/** The target's context of an I/O that is between map and end_io, or null. */
function mpioOf(io: DmPerIo): MpathIo | null {
  const m = io.ctx;
  return m instanceof MpathIo ? m : null;
}

/** A snapshot for tests and tools: the state machine's state and the queued-bio count. */
export interface MultipathSnapshot {
  readonly state: MpathState;
  readonly queuedBios: number;
}

/** One multipath target instance (`struct multipath`). */
export class MultipathTarget implements DmTarget {
  readonly queueType: "bio" | "request";
  readonly #env: DmTargetEnv;
  /** The device's clock, kept: `env.clock` is a getter through the mapped device per read. */
  readonly #clock: Clock;
  readonly #params: MultipathModuleParams;
  readonly #table: ParsedMultipath;
  readonly #topo: MpathTopology;
  readonly #statusTable: StatusTable;
  readonly #groups: readonly PriorityGroup[];
  readonly #paths: readonly Pgpath[];
  #state: MpathState;
  #nopathTimer = 0;
  #triggerTimer = 0;
  #bioWorkerTimer = 0;
  /** The queued-bios worker is running (a bio it queues again must not re-run it in the same instant). */
  #inBioWorker = false;
  /** `m->queued_bios`, with each bio's per-I/O data alongside. */
  #queued: Bio[] = [];
  #queuedIo: DmPerIo[] = [];
  #spareBios: Bio[] = [];
  #spareIos: DmPerIo[] = [];
  #reinstateResult = 0;
  #destroyed = false;
  /** Free per-I/O contexts: dm core clears `ctx` between I/Os, so the target recycles its own. */
  readonly #mpioPool: MpathIo[] = [];
  readonly #fireTrigger = (): void => this.#runTriggerEvent();
  readonly #fireBioWorker = (): void => this.#processQueuedBios();
  readonly #fireNopath = (): void => this.#nopathTimeout();

  /** Use the target type's `ctr`; this is public for the type only. */
  constructor(env: DmTargetEnv, table: ParsedMultipath, params: MultipathModuleParams) {
    this.#env = env;
    this.#clock = env.clock;
    this.#params = params;
    this.#table = table;
    this.queueType = table.queueMode;
    this.#groups = table.groups;
    this.#paths = table.paths;
    this.#topo = {
      dmName: formatDevT(env.md.devt),
      queueMode: table.queueMode,
      hwHandlerName: table.hwHandlerName,
      pgInitRetries: table.pgInitRetries,
      pgInitDelayMsecs: table.pgInitDelayMsecs,
      groups: table.groups.map((g) => g.paths.map((p) => p.index)),
      pathGroup: table.paths.map((p) => p.pg),
      pathNames: table.paths.map((p) => p.dev.name),
    };
    this.#statusTable = {
      queueMode: table.queueMode,
      hwHandlerName: table.hwHandlerName,
      pgInitRetries: table.pgInitRetries,
      pgInitDelayMsecs: table.pgInitDelayMsecs,
      nrPriorityGroups: table.nrPriorityGroups,
      groups: table.groups,
      targetName: TARGET_NAME,
      targetVersion: TARGET_VERSION,
    };
    this.#state = initialState(this.#topo, {
      queueIfNoPath: table.queueIfNoPath,
      retainAttachedHwHandler: table.retainAttachedHwHandler,
      nextPg: table.nextPg,
    });
    for (const p of this.#paths) {
      p.runActivate = (): void => this.#activateWork(p);
      p.activateDone = (r: ScsiDhResult): void => this.#pgInitDone(p, r);
    }
    // enable_nopath_timeout at the end of the constructor.
    if (this.#state.nrValidPaths === 0 && this.#state.flags & MpathFlag.QUEUE_IF_NO_PATH)
      this.#armNopathTimer();
  }

  /** The current state (tests, tools). */
  snapshot(): MultipathSnapshot {
    return { state: this.#state, queuedBios: this.#queued.length };
  }

  #attachMpio(io: DmPerIo): MpathIo {
    const have = mpioOf(io);
    if (have) return have;
    const m = this.#mpioPool.pop() ?? new MpathIo();
    io.ctx = m;
    return m;
  }

  #releaseMpio(io: DmPerIo, m: MpathIo): void {
    m.pgpath = null;
    m.savedDev = null;
    // dm-rq keeps a request's per-I/O data, target context included, across reuse (the pdu):
    // the context stays attached, unmapped. dm-bio clears it: back to the pool.
    if (this.queueType === "request") return;
    io.ctx = null;
    this.#mpioPool.push(m);
  }

  // ---- the state machine runner -------------------------------------------------------------

  #dispatch(ev: MpathEvent): void {
    const [s, fx] = transition(this.#state, ev, this.#topo);
    this.#state = s;
    for (let i = 0; i < fx.length; i++) this.#run(fx[i]!);
  }

  #run(e: MpathEffect): void {
    const env = this.#env;
    switch (e.kind) {
      case "log":
        env.log.printk(
          e.level === "err" ? LogLevel.ERR : e.level === "warn" ? LogLevel.WARNING : LogLevel.INFO,
          e.text,
        );
        return;
      case "selector-fail": {
        const p = this.#paths[e.path]!;
        this.#groups[p.pg]!.ps.failPath(p);
        return;
      }
      case "selector-reinstate": {
        const p = this.#paths[e.path]!;
        const r = this.#groups[p.pg]!.ps.reinstatePath(p);
        this.#reinstateResult = r;
        this.#dispatch({ type: "selector-reinstated", path: e.path, result: r });
        return;
      }
      case "uevent":
        env.pathUevent(e.action, this.#topo.pathNames[e.path]!, e.nrValidPaths);
        return;
      case "trigger-event":
        // schedule_work: a work already queued is not queued twice.
        if (this.#triggerTimer === 0) this.#triggerTimer = env.clock.schedule(0, invoke, this.#fireTrigger);
        return;
      case "nopath-timer":
        if (e.arm) this.#armNopathTimer();
        else this.#cancelNopathTimer();
        return;
      case "queue-activate": {
        const p = this.#paths[e.path]!;
        p.activateTimer = env.clock.schedule(e.delayNs, invoke, p.runActivate);
        return;
      }
      case "scsi-dh-activate": {
        const p = this.#paths[e.path]!;
        scsiDhActivate(p.bdev.scsi ?? null, p.activateDone);
        return;
      }
      case "run-md-queue":
        if (this.queueType === "request") env.runQueue();
        return;
      case "process-queued-io":
        if (this.queueType === "request") env.runQueue();
        else this.#scheduleBioWorker();
        return;
      default:
        assertNever(e);
    }
  }

  #runTriggerEvent(): void {
    this.#triggerTimer = 0;
    this.#env.tableEvent();
  }

  #armNopathTimer(): void {
    const secs = this.#params.queueIfNoPathTimeoutSecs;
    if (!(secs > 0)) return;
    this.#cancelNopathTimer();
    this.#nopathTimer = this.#env.clock.schedule(secs * 1_000_000_000, invoke, this.#fireNopath);
  }

  #cancelNopathTimer(): void {
    if (this.#nopathTimer !== 0) this.#env.clock.cancel(this.#nopathTimer);
    this.#nopathTimer = 0;
  }

  #nopathTimeout(): void {
    this.#nopathTimer = 0;
    if (this.#destroyed) return;
    this.#dispatch(EV_NOPATH_TIMEOUT);
  }

  #activateWork(p: Pgpath): void {
    p.activateTimer = 0;
    if (this.#destroyed) return;
    this.#dispatch({ type: "activate-work", path: p.index, dying: p.bdev.dying() });
  }

  #pgInitDone(p: Pgpath, result: ScsiDhResult): void {
    if (this.#destroyed) return;
    this.#dispatch({ type: "pg-init-done", path: p.index, result });
  }

  // ---- path choice ----------------------------------------------------------------------------

  /** `choose_path_in_pg`. */
  #chooseInPg(g: number, nrBytes: number, cpu: number): Pgpath | null {
    const path = this.#groups[g]!.ps.select(nrBytes, cpu);
    if (path === null) return null;
    if (!(path instanceof Pgpath) || this.#paths[path.index] !== path)
      throw new InvariantError(
        `path selector ${this.#groups[g]!.type.name} returned a path it was not given`,
      );
    // Only a group change updates current_pgpath (the kernel's lockless fast path).
    if (this.#state.currentPg !== g) this.#dispatch({ type: "switch-pg", pg: g, path: path.index });
    return path;
  }

  /** `choose_pgpath`: 6.1 tries a pending `next_pg` first, then the current group, then all groups (bypassed last). */
  #choosePgpath(nrBytes: number, cpu: number): Pgpath | null {
    const s = this.#state;
    if (s.nrValidPaths === 0) {
      if (s.flags & MpathFlag.QUEUE_IO || s.currentPg >= 0 || s.currentPgpath >= 0)
        this.#dispatch(EV_NO_VALID_PATHS);
      return null;
    }
    if (s.nextPg >= 0) {
      const pg = s.nextPg;
      this.#dispatch(EV_TAKE_NEXT_PG);
      const p = this.#chooseInPg(pg, nrBytes, cpu);
      if (p) return p;
    }
    // Don't change PG until it has no remaining paths.
    const cur = this.#state.currentPg;
    if (cur >= 0) {
      const p = this.#chooseInPg(cur, nrBytes, cpu);
      if (p) return p;
    }
    // First the groups not bypassed; then the bypassed ones, with pg_init delayed so as not to hammer controllers.
    for (let pass = 0; pass < 2; pass++) {
      const wantBypassed = pass === 1;
      for (let g = 0; g < this.#groups.length; g++) {
        if (this.#state.bypassed[g] !== wantBypassed) continue;
        const p = this.#chooseInPg(g, nrBytes, cpu);
        if (p) {
          if (wantBypassed) this.#dispatch(EV_DELAY_RETRY);
          return p;
        }
      }
    }
    const f = this.#state;
    if (f.currentPg >= 0 || f.currentPgpath >= 0) this.#dispatch(EV_CHOOSE_FAILED);
    return null;
  }

  /** The path to use for an I/O: the current one while QUEUE_IO is set, else a fresh choice. */
  #pathForIo(nrBytes: number, cpu: number): Pgpath | null {
    const s = this.#state;
    const cur = s.currentPgpath >= 0 ? this.#paths[s.currentPgpath]! : null;
    if (cur === null || !(s.flags & MpathFlag.QUEUE_IO)) return this.#choosePgpath(nrBytes, cpu);
    return cur;
  }

  #mustPushBackRq(): boolean {
    return (this.#state.flags & MpathFlag.QUEUE_IF_NO_PATH) !== 0 || this.#env.noflushSuspending();
  }

  // ---- request-based I/O ----------------------------------------------------------------------

  cloneAndMap(rq: Bio, io: DmPerIo, clone: Bio): DmMapio {
    const nrBytes = rq.bytes;
    const p = this.#pathForIo(nrBytes, rq.cpu);
    if (p === null) {
      if (this.#mustPushBackRq()) return DmMapio.DELAY_REQUEUE;
      return DmMapio.KILL;
    }
    if (this.#state.flags & (MpathFlag.QUEUE_IO | MpathFlag.PG_INIT_REQUIRED)) {
      this.#dispatch(EV_PG_INIT_ALL);
      return DmMapio.DELAY_REQUEUE;
    }
    const bdev = p.bdev;
    // blk_mq_alloc_request fails on a dying queue: offline the path through pg_init_done.
    if (bdev.dying()) {
      this.#dispatch({ type: "activate-now", path: p.index, dying: true });
      return DmMapio.DELAY_REQUEUE;
    }
    const mpio = this.#attachMpio(io);
    mpio.pgpath = p;
    mpio.nrBytes = nrBytes;
    clone.copyFrom(rq);
    clone.flags = rq.flags | ReqFlag.NOMERGE | ReqFlag.FAILFAST_TRANSPORT;
    clone.dev = bdev;
    // io_start_time_ns: the clone starts on the path now.
    clone.startNs = this.#clock.now();
    this.#groups[p.pg]!.ps.startIo?.(p, nrBytes);
    return DmMapio.REMAPPED;
  }

  releaseClone(clone: Bio, io: DmPerIo): void {
    // Still in the map step: undo the selector's start_io.
    const mpio = mpioOf(io);
    if (!mpio) return;
    const p = mpio.pgpath;
    if (p) this.#groups[p.pg]!.ps.endIo?.(p, mpio.nrBytes, clone.startNs);
    this.#releaseMpio(io, mpio);
  }

  rqEndIo(clone: Bio, io: DmPerIo, status: BlkStatus): DmEndio {
    const mpio = mpioOf(io);
    const p = mpio?.pgpath ?? null;
    let r: DmEndio = DmEndio.DONE;
    // The original request is requeued in dm core rather than here: re-cloning would allocate.
    if (status !== BlkStatus.OK && blkPathError(status)) {
      r = status === BlkStatus.RESOURCE ? DmEndio.DELAY_REQUEUE : DmEndio.REQUEUE;
      if (p) this.#dispatch({ type: "fail-path", path: p.index });
      // No path left and nothing to queue for: complete with the original error.
      if (this.#state.nrValidPaths === 0 && !this.#mustPushBackRq()) r = DmEndio.DONE;
    }
    if (p && mpio) this.#groups[p.pg]!.ps.endIo?.(p, mpio.nrBytes, clone.startNs);
    if (mpio) this.#releaseMpio(io, mpio);
    return r;
  }

  // ---- bio-based I/O --------------------------------------------------------------------------

  map(clone: Bio, io: DmPerIo): DmMapio {
    const mpio = this.#attachMpio(io);
    mpio.nrBytes = clone.bytes;
    mpio.pgpath = null;
    mpio.startNs = 0;
    // dm_bio_record: the worker restores these before a remap.
    mpio.savedSector = clone.sector;
    mpio.savedBytes = clone.bytes;
    mpio.savedDev = clone.dev;
    const r = this.#mapBio(clone, io, mpio);
    // dm core ends a killed or pushed-back clone without calling end_io.
    if (r === DmMapio.KILL || r === DmMapio.REQUEUE) this.#releaseMpio(io, mpio);
    return r;
  }

  /** `__multipath_map_bio`. */
  #mapBio(clone: Bio, io: DmPerIo, mpio: MpathIo): DmMapio {
    const s = this.#state;
    let p = s.currentPgpath >= 0 ? this.#paths[s.currentPgpath]! : null;
    if (p === null || !(s.flags & MpathFlag.QUEUE_IO)) p = this.#choosePgpath(clone.bytes, clone.cpu);
    if (p === null) {
      if (this.#state.flags & MpathFlag.QUEUE_IF_NO_PATH) {
        this.#queueBio(clone, io);
        return DmMapio.SUBMITTED;
      }
      if (this.#env.noflushSuspending()) return DmMapio.REQUEUE;
      return DmMapio.KILL;
    }
    if (this.#state.flags & (MpathFlag.QUEUE_IO | MpathFlag.PG_INIT_REQUIRED)) {
      this.#queueBio(clone, io);
      this.#dispatch(EV_PG_INIT_ALL);
      return DmMapio.SUBMITTED;
    }
    mpio.pgpath = p;
    const pg = this.#groups[p.pg]!;
    if (pg.type.useHrTimer) mpio.startNs = this.#clock.now();
    clone.status = BlkStatus.OK;
    clone.dev = p.bdev;
    clone.flags |= ReqFlag.FAILFAST_TRANSPORT;
    pg.ps.startIo?.(p, mpio.nrBytes);
    return DmMapio.REMAPPED;
  }

  /** `__multipath_queue_bio`: the worker runs only once QUEUE_IO is clear. */
  #queueBio(clone: Bio, io: DmPerIo): void {
    this.#queued.push(clone);
    this.#queuedIo.push(io);
    if (!(this.#state.flags & MpathFlag.QUEUE_IO)) this.#scheduleBioWorker();
  }

  #scheduleBioWorker(): void {
    if (this.#bioWorkerTimer !== 0 || this.#destroyed) return;
    // With no path and queue_if_no_path, the kernel's worker requeues every bio and requeues
    // itself, spinning a kworker; the model lets one jiffy pass per round instead of none.
    const delay = this.#inBioWorker ? NS_PER_JIFFY : 0;
    this.#bioWorkerTimer = this.#env.clock.schedule(delay, invoke, this.#fireBioWorker);
  }

  /** `process_queued_bios` (the kmultipathd work). */
  #processQueuedBios(): void {
    this.#bioWorkerTimer = 0;
    if (this.#queued.length === 0) return;
    // Take the whole list; bios that queue again go to the fresh one.
    const bios = this.#queued;
    const ios = this.#queuedIo;
    this.#queued = this.#spareBios;
    this.#queuedIo = this.#spareIos;
    this.#inBioWorker = true;
    for (let i = 0; i < bios.length; i++) {
      const bio = bios[i]!;
      const io = ios[i]!;
      const mpio = this.#attachMpio(io);
      bio.sector = mpio.savedSector;
      bio.bytes = mpio.savedBytes;
      bio.dev = mpio.savedDev;
      const r = this.#mapBio(bio, io, mpio);
      switch (r) {
        case DmMapio.KILL:
          this.#env.endBio(bio, BlkStatus.IOERR);
          break;
        case DmMapio.REQUEUE:
          this.#env.endBio(bio, BlkStatus.DM_REQUEUE);
          break;
        case DmMapio.REMAPPED:
          this.#env.submitBio(bio);
          break;
        case DmMapio.SUBMITTED:
          break;
        default:
          throw new InvariantError(`__multipath_map_bio() returned ${r}`);
      }
    }
    this.#inBioWorker = false;
    bios.length = 0;
    ios.length = 0;
    this.#spareBios = bios;
    this.#spareIos = ios;
  }

  endIo(clone: Bio, io: DmPerIo): DmEndio {
    const mpio = mpioOf(io);
    const p = mpio?.pgpath ?? null;
    let r: DmEndio = DmEndio.DONE;
    const status = clone.status;
    if (status !== BlkStatus.OK && blkPathError(status)) {
      if (p) this.#dispatch({ type: "fail-path", path: p.index });
      if (this.#state.nrValidPaths === 0 && !(this.#state.flags & MpathFlag.QUEUE_IF_NO_PATH)) {
        if (this.#env.noflushSuspending()) r = DmEndio.REQUEUE;
        else clone.status = BlkStatus.IOERR;
      } else {
        this.#queueBio(clone, io);
        r = DmEndio.INCOMPLETE;
      }
    }
    if (p && mpio) this.#groups[p.pg]!.ps.endIo?.(p, mpio.nrBytes, mpio.startNs || clone.startNs);
    // A queued bio keeps its context for the remap.
    if (mpio && r !== DmEndio.INCOMPLETE) this.#releaseMpio(io, mpio);
    return r;
  }

  // ---- suspend / resume -----------------------------------------------------------------------

  presuspend(noflush: boolean): void {
    this.#dispatch({ type: "presuspend", noflush });
  }

  postsuspend(): void {
    this.#dispatch({ type: "postsuspend" });
    this.#flushWork();
  }

  resume(): void {
    this.#dispatch({ type: "resume" });
  }

  /** flush_work of the queued-bios worker and the event work: run them now if queued. */
  #flushWork(): void {
    if (this.#bioWorkerTimer !== 0) {
      this.#env.clock.cancel(this.#bioWorkerTimer);
      this.#processQueuedBios();
    }
    if (this.#triggerTimer !== 0) {
      this.#env.clock.cancel(this.#triggerTimer);
      this.#runTriggerEvent();
    }
  }

  // ---- status and messages --------------------------------------------------------------------

  status(type: StatusType): string {
    return multipathStatus(this.#state, this.#statusTable, type);
  }

  message(argv: readonly string[]): number {
    const log = this.#env.log;
    if (this.#env.suspended()) return -Errno.EBUSY;
    const argc = argv.length;
    if (argc === 1) {
      if (strcaseeq(argv[0]!, "queue_if_no_path")) {
        this.#dispatch({ type: "message-queue-if-no-path" });
        return 0;
      }
      if (strcaseeq(argv[0]!, "fail_if_no_path")) {
        this.#dispatch({ type: "message-fail-if-no-path" });
        return 0;
      }
    }
    if (argc !== 2) {
      log.warn(
        `device-mapper: multipath: Invalid multipath message arguments. Expected 2 arguments, got ${argc}.`,
      );
      return -Errno.EINVAL;
    }
    const verb = argv[0]!;
    const arg = argv[1]!;
    if (strcaseeq(verb, "disable_group") || strcaseeq(verb, "enable_group")) {
      const pg = this.#pgNumber(arg);
      if (pg < 0) {
        log.warn("device-mapper: multipath: invalid PG number supplied to bypass_pg");
        return -Errno.EINVAL;
      }
      this.#dispatch({ type: "bypass-pg", pg, bypassed: strcaseeq(verb, "disable_group") });
      return 0;
    }
    if (strcaseeq(verb, "switch_group")) {
      const pg = this.#pgNumber(arg);
      if (pg < 0) {
        log.warn("device-mapper: multipath: invalid PG number supplied to switch_pg_num");
        return -Errno.EINVAL;
      }
      this.#dispatch({ type: "switch-pg-num", pg });
      return 0;
    }
    let fail: boolean;
    if (strcaseeq(verb, "reinstate_path")) fail = false;
    else if (strcaseeq(verb, "fail_path")) fail = true;
    else {
      log.warn(`device-mapper: multipath: Unrecognised multipath message received: ${verb}`);
      return -Errno.EINVAL;
    }
    const got = this.#env.getDevice(arg);
    if (!got.ok) {
      log.warn(`device-mapper: multipath: message: error getting device ${arg}`);
      return got.errno > 0 ? -got.errno : got.errno;
    }
    // action_dev: every pgpath on that device, in every group; no match is -EINVAL.
    let r = -Errno.EINVAL;
    for (const p of this.#paths) {
      if (p.devt !== got.dev.devt) continue;
      r = fail ? this.#failPath(p) : this.#reinstatePath(p);
    }
    this.#env.putDevice(got.dev);
    return r;
  }

  /** The 0-based group of a message's PG number, or -1 (`%u`, 1..#pgs). */
  #pgNumber(s: string): number {
    const n = parseKernelUint(s);
    if (n === null || n === 0 || !this.#table.nrPriorityGroups || n > this.#table.nrPriorityGroups) return -1;
    return n - 1;
  }

  #failPath(p: Pgpath): number {
    this.#dispatch({ type: "fail-path", path: p.index });
    return 0;
  }

  #reinstatePath(p: Pgpath): number {
    this.#reinstateResult = 0;
    this.#dispatch({ type: "reinstate-path", path: p.index });
    return this.#reinstateResult;
  }

  // ---- the rest of the target interface -------------------------------------------------------

  /** `multipath_busy`: a congestion hint for request-based dm. */
  busy(): boolean {
    const s = this.#state;
    if (s.pgInitInProgress > 0) return true;
    if (s.nrValidPaths === 0 && s.flags & MpathFlag.QUEUE_IF_NO_PATH) return this.queueType !== "request";
    // Guess the group the next mapping will use.
    let pg = s.currentPg;
    if (s.currentPgpath < 0 && s.nextPg >= 0) pg = s.nextPg;
    if (pg < 0) return false;
    // The group is busy only if it has active paths and every one of them is (blk_lld_busy); the
    // model's devices never report LLD congestion, and a group without active paths is "not busy"
    // so that mapping gets to switch groups.
    return false;
  }

  iterateDevices(fn: (dev: DmDev, start: number, len: number) => void): void {
    for (const pg of this.#groups) for (const p of pg.paths) fn(p.dev, this.#env.begin, this.#env.len);
  }

  dtr(): void {
    this.#cancelNopathTimer();
    this.#flushWork();
    this.#destroyed = true;
    for (const p of this.#paths) {
      if (p.activateTimer !== 0) this.#env.clock.cancel(p.activateTimer);
      p.activateTimer = 0;
    }
    for (const pg of this.#groups) pg.ps.destroy();
    for (const p of this.#paths) this.#env.putDevice(p.dev);
  }
}

function assertNever(x: never): never {
  throw new InvariantError(`unhandled multipath effect ${JSON.stringify(x)}`);
}

/** The selector environment of one target: the kernel's clock and log, its CPUs and nodes. */
function selectorEnv(env: EnvWithTopology): PathSelectorEnv {
  const hasTopology = typeof env.cpuToNode === "function";
  return {
    now: () => env.clock.now(),
    warn: (text) => env.log.warn(text),
    warnRatelimited: (callsite, text) =>
      printkRatelimited(env.log, env.clock, callsite, LogLevel.WARNING, text),
    nrCpus: env.nrCpus,
    // A kernel without NUMA information is one node.
    cpuToNode: hasTopology ? (cpu) => env.cpuToNode!(cpu) : () => 0,
  };
}

/**
 * A `multipath` target type (module `dm-multipath`) with its own module parameters. A kernel
 * registers one per boot; {@link multipathTargetType} is one with the defaults.
 */
export function createMultipathTargetType(options: MultipathTargetOptions = {}): DmTargetType {
  const params = options.params ?? Object.freeze({ queueIfNoPathTimeoutSecs: 0 });
  return defineTarget({
    name: TARGET_NAME,
    version: TARGET_VERSION,
    features: DmTargetFeature.SINGLETON | DmTargetFeature.IMMUTABLE | DmTargetFeature.PASSES_INTEGRITY,
    module: "dm-multipath",
    ctr(env: DmTargetEnv, argv: readonly string[]): DmCtrResult {
      const parsed = parseMultipathTable(env, argv, selectorEnv(env));
      if (!parsed.ok) return parsed;
      return { ok: true, target: new MultipathTarget(env, parsed.table, params) };
    },
  });
}

/** The `multipath` target type with default module parameters (`queue_if_no_path_timeout_secs=0`). */
export const multipathTargetType: DmTargetType = createMultipathTargetType();
