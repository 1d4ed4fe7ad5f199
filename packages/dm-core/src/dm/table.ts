/**
 * `struct dm_table` (dm-table.c): the targets of one table, the devices it holds, its queue type,
 * and the checks Linux runs while building it (`dm_table_add_target`, `dm_table_complete`,
 * `dm_calculate_queue_limits`), with their exact log lines.
 */

import type { Bio } from "../block/bio.js";
import type { BlockLayer } from "../block/block-layer.js";
import type { DevT } from "../block/devt.js";
import { type BlkStatus, Errno, errnoName } from "../block/status.js";
import type { Clock } from "../clock/clock.js";
import type { ScsiDeviceHandlerType } from "../handlers/handler.js";
import type { KernelLog } from "../kernel/log.js";
import type { ModuleRegistry } from "../kernel/modules.js";
import type { Registry } from "../registry.js";
import type { PathSelectorType } from "../selectors/path-selector.js";
import { type DevLookup, dmDevtFromPath } from "./dev-path.js";
import { dmSplitArgs } from "./dm-args.js";
import type { DmContext } from "./dm-context.js";
import { DmLog, pe } from "./dm-log.js";
import type { DmTableLine } from "./ioctl.js";
import {
  type DmDev,
  type DmMappedDeviceRef,
  type DmQueueType,
  type DmTarget,
  type DmTargetEnv,
  DmTargetFeature,
  type DmTargetType,
} from "./target.js";

/** `enum dm_queue_mode` as the model uses it; numbers as the kernel prints them. */
export type DmTableType = "none" | "bio" | "request";

/** The kernel's numbers for {@link DmTableType} (`can't change device type (old=%u vs new=%u)`). */
export function dmTypeNumber(t: DmTableType): number {
  return t === "none" ? 0 : t === "bio" ? 1 : 2;
}

/** A device opened by a mapped device for its tables (`struct table_device`). */
export interface TableDevice {
  readonly devt: DevT;
  readonly readOnly: boolean;
  count: number;
  readonly dmDev: DmDev;
}

/** What a table needs from its mapped device. Implemented by `MappedDevice`. */
export interface TableOwner {
  readonly ctx: DmContext;
  /** `dm_device_name(md)`: `major:minor`. */
  readonly dmName: string;
  readonly ref: DmMappedDeviceRef;
  getTableDevice(devt: DevT, readOnly: boolean): TableDevice | number;
  putTableDevice(td: TableDevice): void;
  /** `dm_get_md_type(md)`. */
  readonly type: DmTableType;
  /** The live table, if any. */
  readonly live: DmTable | null;
  /** `event_callback` of a bound table. */
  eventCallback(): void;
  queueUevent(vars: ReadonlyArray<readonly [string, string]>): void;
  nextUeventSeq(): number;
  readonly noflushSuspendingFlag: boolean;
  readonly suspendedFlag: boolean;
  readonly postSuspendingFlag: boolean;
  runQueueAsync(): void;
  submitClone(clone: Bio): void;
  endClone(clone: Bio, status: BlkStatus): void;
}

interface DevInternal {
  td: TableDevice;
  count: number;
}

/** `struct dm_target`: one line of a table. */
export class DmTargetSlot {
  readonly table: DmTable;
  readonly type: DmTargetType;
  readonly begin: number;
  readonly len: number;
  /** The constructed target; null until the constructor succeeded. */
  target: DmTarget | null = null;
  readonly env: TargetEnv;

  constructor(table: DmTable, type: DmTargetType, begin: number, len: number) {
    this.table = table;
    this.type = type;
    this.begin = begin;
    this.len = len;
    this.env = new TargetEnv(this);
  }

  /** The constructed target (only called on slots of a completed table). */
  get t(): DmTarget {
    return this.target as DmTarget;
  }
}

/** dm core's API as one target sees it (`struct dm_target` + the exported dm functions). */
class TargetEnv implements DmTargetEnv {
  readonly #slot: DmTargetSlot;
  error: string | undefined = "Unknown error";

  constructor(slot: DmTargetSlot) {
    this.#slot = slot;
  }

  get #md(): TableOwner {
    return this.#slot.table.md;
  }

  get begin(): number {
    return this.#slot.begin;
  }
  get len(): number {
    return this.#slot.len;
  }
  get md(): DmMappedDeviceRef {
    return this.#md.ref;
  }
  get readOnly(): boolean {
    return this.#slot.table.readOnly;
  }
  get clock(): Clock {
    return this.#md.ctx.clock;
  }
  get log(): KernelLog {
    return this.#md.ctx.log;
  }
  get block(): BlockLayer {
    return this.#md.ctx.block;
  }
  get modules(): ModuleRegistry {
    return this.#md.ctx.modules;
  }
  get selectors(): Registry<PathSelectorType> {
    return this.#md.ctx.selectors;
  }
  get handlers(): Registry<ScsiDeviceHandlerType> {
    return this.#md.ctx.handlers;
  }
  get nrCpus(): number {
    return this.#md.ctx.nrCpus;
  }

  getDevice(path: string): { ok: true; dev: DmDev } | { ok: false; errno: number } {
    return this.#slot.table.getDevice(path);
  }
  putDevice(dev: DmDev): void {
    this.#slot.table.putDevice(dev);
  }
  lookupDevice(path: string): DevLookup {
    return this.#slot.table.lookup(path);
  }
  setType(type: DmQueueType): void {
    this.#slot.table.type = type;
  }
  tableEvent(): void {
    this.#slot.table.event();
  }
  queueUevent(vars: ReadonlyArray<readonly [string, string]>): void {
    // dm_build_path_uevent numbers the event right after DM_ACTION; add it if the target did not.
    const i = vars.findIndex(([k]) => k === "DM_ACTION");
    if (i >= 0 && !vars.some(([k]) => k === "DM_SEQNUM")) {
      const seq: readonly [string, string] = ["DM_SEQNUM", String(this.#md.nextUeventSeq())];
      this.#md.queueUevent([...vars.slice(0, i + 1), seq, ...vars.slice(i + 1)]);
      return;
    }
    this.#md.queueUevent(vars);
  }

  /** `cpu_to_node()`: the model's machines have one NUMA node. */
  cpuToNode(_cpu: number): number {
    return 0;
  }
  pathUevent(action: "PATH_FAILED" | "PATH_REINSTATED", path: string, nrValidPaths: number): void {
    this.#md.queueUevent([
      ["DM_TARGET", this.#slot.type.name],
      ["DM_ACTION", action],
      ["DM_SEQNUM", String(this.#md.nextUeventSeq())],
      ["DM_PATH", path],
      ["DM_NR_VALID_PATHS", String(nrValidPaths)],
    ]);
  }
  noflushSuspending(): boolean {
    return this.#md.noflushSuspendingFlag;
  }
  suspended(): boolean {
    return this.#md.suspendedFlag;
  }
  postSuspending(): boolean {
    return this.#md.postSuspendingFlag;
  }
  runQueue(): void {
    if (this.#slot.table.type === "request") this.#md.runQueueAsync();
  }
  submitBio(clone: Bio): void {
    this.#md.submitClone(clone);
  }
  endBio(clone: Bio, status: BlkStatus): void {
    this.#md.endClone(clone, status);
  }
}

/**
 * Result of {@link DmTable.calculateQueueLimits}: the stacked logical block size and minimum and
 * optimal I/O sizes (bytes), or an errno.
 */
export type QueueLimits =
  | {
      readonly ok: true;
      readonly logicalBlockSize: number;
      readonly ioMin: number;
      readonly ioOpt: number;
    }
  | { readonly ok: false; readonly errno: number };

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** `lcm_not_zero`: how blk_stack_limits combines optimal I/O sizes. */
function lcmNotZero(a: number, b: number): number {
  if (!a || !b) return a || b;
  return (a / gcd(a, b)) * b;
}

/** `struct dm_table`. */
export class DmTable {
  readonly md: TableOwner;
  readonly readOnly: boolean;
  readonly targets: DmTargetSlot[] = [];
  /** `t->devices`: most recently first-referenced first (the kernel inserts at the head). */
  readonly #devices: DevInternal[] = [];
  /** Table type; a target may fix it in its constructor (`dm_table_set_type`). */
  type: DmTableType = "none";
  #singleton = false;
  /** `t->immutable_target_type`. */
  immutableTargetType: DmTargetType | null = null;
  /** `t->event_fn` is set: the table is (or was) the live table of its device. */
  bound = false;
  /** I/O mapped through this table and not completed yet (holds off its destruction). */
  inflight = 0;
  /** Swapped out or its device removed: destroyed once {@link DmTable.inflight} reaches 0. */
  retired = false;
  destroyed = false;
  readonly #log: DmLog;
  /** `highs[i]`: last sector of target i, for the binary search of {@link DmTable.findTarget}. */
  readonly #highs: number[] = [];

  constructor(md: TableOwner, readOnly: boolean) {
    this.md = md;
    this.readOnly = readOnly;
    this.#log = new DmLog(md.ctx.log, "table");
  }

  /** `dm_table_get_size`: sectors. */
  size(): number {
    const n = this.targets.length;
    return n === 0 ? 0 : this.#highs[n - 1]! + 1;
  }

  /** `dm_table_find_target`: the target mapping `sector`, or null beyond the end. */
  findTarget(sector: number): DmTargetSlot | null {
    const h = this.#highs;
    const n = h.length;
    if (n === 0 || sector > h[n - 1]!) return null;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (h[mid]! >= sector) hi = mid;
      else lo = mid + 1;
    }
    return this.targets[lo]!;
  }

  /** Device list in the kernel's order (for DM_TABLE_DEPS). */
  devices(): DevT[] {
    return this.#devices.map((d) => d.td.devt);
  }

  /**
   * `dm_table_add_target`: looks the type up (autoloading `dm-<type>`), runs the constructor.
   * Returns 0 or a negative errno, having logged what Linux logs.
   */
  addTarget(line: DmTableLine): number {
    const md = this.md;
    const name = md.dmName;
    if (this.#singleton) {
      this.#log.err(`${name}: target type ${this.targets[0]!.type.name} must appear alone in table`);
      return -Errno.EINVAL;
    }
    if (line.length === 0) {
      this.#log.err(`${name}: zero-length target`);
      return -Errno.EINVAL;
    }
    if (
      !Number.isSafeInteger(line.start) ||
      !Number.isSafeInteger(line.length) ||
      line.start < 0 ||
      line.length < 0 ||
      !Number.isSafeInteger(line.start + line.length)
    ) {
      this.#log.err(`${name}: too large device`);
      return -Errno.EINVAL;
    }
    const type = getTargetType(md.ctx, line.type);
    if (!type) {
      this.#log.err(`${name}: ${line.type}: unknown target type`);
      return -Errno.EINVAL;
    }
    const slot = new DmTargetSlot(this, type, line.start, line.length);
    const env = slot.env;
    const bad = (r: number): number => {
      this.#log.err(`${name}: ${line.type}: ${env.error ?? "Unknown error"} (${pe(r, errnoName)})`);
      return r;
    };
    if (type.features & DmTargetFeature.SINGLETON) {
      if (this.targets.length > 0) {
        env.error = "singleton target type must appear alone in table";
        return bad(-Errno.EINVAL);
      }
      this.#singleton = true;
    }
    if (type.features & DmTargetFeature.ALWAYS_WRITEABLE && this.readOnly) {
      env.error = "target type may not be included in a read-only table";
      return bad(-Errno.EINVAL);
    }
    if (this.immutableTargetType) {
      if (this.immutableTargetType !== type) {
        env.error = "immutable target type cannot be mixed with other target types";
        return bad(-Errno.EINVAL);
      }
    } else if (type.features & DmTargetFeature.IMMUTABLE) {
      if (this.targets.length > 0) {
        env.error = "immutable target type cannot be mixed with other target types";
        return bad(-Errno.EINVAL);
      }
      this.immutableTargetType = type;
    }
    env.error = "Unknown error";
    const prevEnd = this.targets.length === 0 ? 0 : this.#highs[this.#highs.length - 1]! + 1;
    if (line.start !== prevEnd) {
      env.error = "Gap in table";
      return bad(-Errno.EINVAL);
    }
    const argv = dmSplitArgs(line.params);
    let res: ReturnType<DmTargetType["ctr"]>;
    try {
      res = type.ctr(env, argv);
    } catch (e) {
      // A constructor that throws is a bug in the target; fail the load rather than the kernel.
      env.error = `constructor failed: ${e instanceof Error ? e.message : String(e)}`;
      return bad(-Errno.EINVAL);
    }
    if (!res.ok) return bad(-Math.abs(res.errno) || -Errno.EINVAL);
    slot.target = res.target;
    this.targets.push(slot);
    this.#highs.push(line.start + line.length - 1);
    return 0;
  }

  /** `dm_table_complete` (type determination; the rest has no visible effect). 0 or -errno. */
  complete(): number {
    const r = this.#determineType();
    if (r) {
      this.#log.err("unable to determine table type");
      return r;
    }
    return 0;
  }

  #determineType(): number {
    const md = this.md;
    const liveType = md.type;
    let verifyRq = false;
    if (this.type !== "none") {
      if (this.type === "bio") return 0;
      verifyRq = true;
    } else {
      let bio = false;
      let rq = false;
      let hybrid = false;
      for (const s of this.targets) {
        const q = s.t.queueType;
        if (q === undefined) hybrid = true;
        else if (q === "request") rq = true;
        else bio = true;
        if (bio && rq) {
          this.#log.err("Inconsistent table: different target types can't be mixed up");
          return -Errno.EINVAL;
        }
      }
      if (hybrid && !bio && !rq) {
        if (liveType === "request") rq = true;
        else bio = true;
      }
      if (bio) {
        this.type = "bio";
        return 0;
      }
      this.type = "request";
      verifyRq = true;
    }
    if (!verifyRq) return 0;
    if (this.targets.length > 1) {
      this.#log.err("request-based DM doesn't support multiple targets");
      return -Errno.EINVAL;
    }
    if (this.#devices.length === 0) {
      const live = md.live;
      if (live) this.type = live.type;
      return 0;
    }
    const ti = this.immutableTarget();
    if (!ti) {
      this.#log.err("table load rejected: immutable target is required");
      return -Errno.EINVAL;
    }
    let notStackable = false;
    ti.t.iterateDevices((dev) => {
      const b = dev.bdev;
      if (b.partition || !b.requestStackable) notStackable = true;
    });
    if (notStackable) {
      this.#log.err("table load rejected: including non-request-stackable devices");
      return -Errno.EINVAL;
    }
    return 0;
  }

  /** `dm_table_get_immutable_target`: the single immutable target, or null. */
  immutableTarget(): DmTargetSlot | null {
    if (this.targets.length !== 1) return null;
    const s = this.targets[0]!;
    return s.type.features & DmTargetFeature.IMMUTABLE ? s : null;
  }

  /** `dm_table_get_wildcard_target`. */
  hasWildcardTarget(): boolean {
    return this.targets.some((s) => (s.type.features & DmTargetFeature.WILDCARD) !== 0);
  }

  /** `dm_table_has_no_data_devices`. */
  hasNoDataDevices(): boolean {
    for (const s of this.targets) {
      let n = 0;
      s.t.iterateDevices(() => {
        n++;
      });
      if (n) return false;
    }
    return true;
  }

  /**
   * `dm_calculate_queue_limits`: stacks the devices' logical block sizes and checks every
   * device area (`too small for target`, alignment), then the table's own alignment.
   */
  calculateQueueLimits(): QueueLimits {
    const name = this.md.dmName;
    let tableLbs = 512;
    let tableIoMin = 0;
    let tableIoOpt = 0;
    const perTarget: number[] = [];
    for (const s of this.targets) {
      let lbs = 512;
      let ioMin = 0;
      let ioOpt = 0;
      s.t.iterateDevices((dev) => {
        const b = dev.bdev;
        lbs = Math.max(lbs, b.logicalBlockSize);
        ioMin = Math.max(ioMin, b.ioMin?.() ?? b.logicalBlockSize);
        ioOpt = lcmNotZero(ioOpt, b.ioOpt?.() ?? 0);
      });
      // The target's io_hints replace what its devices stacked.
      const hints = s.t.ioHints?.();
      if (hints?.ioMin !== undefined) ioMin = Math.max(hints.ioMin, lbs);
      if (hints?.ioOpt !== undefined) ioOpt = hints.ioOpt;
      tableIoMin = Math.max(tableIoMin, ioMin, lbs);
      tableIoOpt = lcmNotZero(tableIoOpt, ioOpt);
      perTarget.push(lbs);
      let invalid = false;
      const lbsSects = lbs >> 9;
      s.t.iterateDevices((dev, start, len) => {
        if (invalid) return;
        const bdev = dev.bdev;
        const size = bdev.sizeSectors();
        if (!size) return;
        if (start >= size || start + len > size) {
          this.#log.err(
            `${name}: ${bdev.name} too small for target: start=${start}, len=${len}, dev_size=${size}`,
          );
          invalid = true;
          return;
        }
        if (lbsSects <= 1) return;
        if (start % lbsSects) {
          this.#log.err(
            `${name}: start=${start} not aligned to h/w logical block size ${lbs} of ${bdev.name}`,
          );
          invalid = true;
          return;
        }
        if (len % lbsSects) {
          this.#log.err(`${name}: len=${len} not aligned to h/w logical block size ${lbs} of ${bdev.name}`);
          invalid = true;
        }
      });
      if (invalid) return { ok: false, errno: -Errno.EINVAL };
      tableLbs = Math.max(tableLbs, lbs);
    }
    // validate_hardware_logical_block_alignment
    const devSects = tableLbs >> 9;
    let next = 0;
    let remaining = 0;
    let i = 0;
    for (; i < this.targets.length; i++) {
      const s = this.targets[i]!;
      const tiSects = perTarget[i]! >> 9;
      if (remaining < s.len && remaining & (tiSects - 1)) break;
      next = (next + s.len) & (devSects - 1);
      remaining = next ? devSects - next : 0;
    }
    if (remaining) {
      const s = this.targets[Math.min(i, this.targets.length - 1)]!;
      this.#log.err(
        `${name}: table line ${i} (start sect ${s.begin} len ${s.len}) not aligned to h/w logical block size ${tableLbs}`,
      );
      return { ok: false, errno: -Errno.EINVAL };
    }
    return { ok: true, logicalBlockSize: tableLbs, ioMin: Math.max(tableIoMin, tableLbs), ioOpt: tableIoOpt };
  }

  /** Resolves a device argument without opening it. */
  lookup(path: string): DevLookup {
    return dmDevtFromPath(path, this.#ns());
  }

  #ns() {
    const ctx = this.md.ctx;
    return {
      nodeDevt: (p: string) => ctx.nodeDevt(p),
      diskDevt: (n: string) => ctx.block.byName(n)?.devt,
    };
  }

  /** `dm_get_device`. */
  getDevice(path: string): { ok: true; dev: DmDev } | { ok: false; errno: number } {
    const r = this.lookup(path);
    if (!r.ok) return { ok: false, errno: r.errno };
    const devt = r.devt;
    let dd = this.#devices.find((d) => d.td.devt === devt);
    if (!dd) {
      const td = this.md.getTableDevice(devt, this.readOnly);
      if (typeof td === "number") return { ok: false, errno: td };
      dd = { td, count: 1 };
      this.#devices.unshift(dd);
      return { ok: true, dev: td.dmDev };
    }
    if (dd.td.readOnly && !this.readOnly) {
      // upgrade_mode: reopen read-write, then drop the read-only open.
      const td = this.md.getTableDevice(devt, false);
      if (typeof td === "number") return { ok: false, errno: td };
      const old = dd.td;
      dd.td = td;
      this.md.putTableDevice(old);
    }
    dd.count++;
    return { ok: true, dev: dd.td.dmDev };
  }

  /** `dm_put_device`. */
  putDevice(dev: DmDev): void {
    const i = this.#devices.findIndex((d) => d.td.dmDev === dev);
    if (i < 0) {
      this.#log.err(`${this.md.dmName}: device ${dev.name} not in table devices list`);
      return;
    }
    const dd = this.#devices[i]!;
    if (--dd.count === 0) {
      this.md.putTableDevice(dd.td);
      this.#devices.splice(i, 1);
    }
  }

  /** `dm_table_event`: only a bound (live or formerly live) table reaches its device. */
  event(): void {
    if (this.bound && !this.destroyed) this.md.eventCallback();
  }

  /** `dm_table_destroy`: target destructors, then any device a target forgot to put. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.bound = false;
    for (const s of this.targets) {
      try {
        s.target?.dtr();
      } catch {
        // A destructor that throws must not leave the table's devices open.
      }
    }
    for (const dd of this.#devices.splice(0)) {
      this.#log.warn(
        `${this.md.dmName}: dm_table_destroy: dm_put_device call missing for ${dd.td.dmDev.name}`,
      );
      this.md.putTableDevice(dd.td);
    }
  }
}

/** `dm_get_target_type`: registered types, else `request_module("dm-<name>")` and retry. */
export function getTargetType(ctx: DmContext, name: string): DmTargetType | undefined {
  let t = ctx.targets.get(name);
  if (!t) {
    ctx.modules.request(`dm-${name}`);
    t = ctx.targets.get(name);
  }
  return t;
}
