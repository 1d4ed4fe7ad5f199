/**
 * The device-mapper control interface (dm-ioctl.c over dm.c): the name/uuid hash, minor
 * allocation, and every DM_* ioctl with Linux 6.1's checks, errnos and log lines.
 */

import type { BlockLayer } from "../block/block-layer.js";
import { type DevT, DM_MAJOR, devMajor, devMinor, MINORBITS } from "../block/devt.js";
import { Errno } from "../block/status.js";
import type { Clock } from "../clock/clock.js";
import type { ScsiDeviceHandlerType } from "../handlers/handler.js";
import type { KernelLog } from "../kernel/log.js";
import type { ModuleRegistry } from "../kernel/modules.js";
import type { UeventBus } from "../kernel/uevent.js";
import type { Registry } from "../registry.js";
import type { PathSelectorType } from "../selectors/path-selector.js";
import { dmSplitArgs } from "./dm-args.js";
import type { DmContext } from "./dm-context.js";
import { DmLog, RateLimit } from "./dm-log.js";
import type {
  DmControl,
  DmInfo,
  DmListEntry,
  DmRef,
  DmResult,
  DmStatusLine,
  DmSuspendOptions,
  DmTableLine,
  DmTargetVersion,
} from "./ioctl.js";
import { MappedDevice } from "./mapped-device.js";
import { DmTable, dmTypeNumber } from "./table.js";
import type { DmTargetType } from "./target.js";

/** `DM_VERSION_MAJOR.MINOR.PATCHLEVEL` of Linux 6.1. */
export const DM_IOCTL_VERSION: readonly [number, number, number] = [4, 47, 0];
/** `DM_NAME_LEN` / `DM_UUID_LEN` (with the terminating NUL). */
const DM_NAME_LEN = 128;
const DM_UUID_LEN = 129;
/** `DM_MAX_TARGETS`. */
const DM_MAX_TARGETS = 1048576;

/** Everything the device mapper needs from its kernel. */
export interface DeviceMapperOptions {
  readonly clock: Clock;
  readonly log: KernelLog;
  readonly block: BlockLayer;
  readonly uevents: UeventBus;
  readonly modules: ModuleRegistry;
  readonly targets: Registry<DmTargetType>;
  readonly selectors: Registry<PathSelectorType>;
  readonly handlers: Registry<ScsiDeviceHandlerType>;
  readonly nrCpus: number;
  /** dm's block major (default 254, as on the reference kernel). */
  readonly major?: number;
  /** `inc_diskseq()` of the kernel; a private counter when absent. */
  readonly nextDiskSeq?: () => number;
  /**
   * Module that provides the control device; opening `/dev/mapper/control` autoloads it
   * (default `dm_mod`). Null: nothing to load.
   */
  readonly controlModule?: string | null;
}

function ok<T>(value: T): DmResult<T> {
  return { ok: true, value };
}

function fail<T>(errno: number): DmResult<T> {
  return { ok: false, errno: Math.abs(errno) };
}

function byName(a: MappedDevice, b: MappedDevice): number {
  return a.hashName < b.hashName ? -1 : a.hashName > b.hashName ? 1 : 0;
}

/**
 * device-mapper: implements {@link DmControl} (what libdevmapper sees through
 * `/dev/mapper/control`) over {@link MappedDevice}s that are block devices of the kernel.
 */
export class DeviceMapper implements DmControl {
  readonly #ctx: DmContext;
  readonly #controlModule: string | null;
  readonly #ioctlLog: DmLog;
  /** The minor IDR: allocated minors, including those of devices being torn down. */
  readonly #minors = new Map<number, MappedDevice>();
  readonly #byName = new Map<string, MappedDevice>();
  /** `#byName`'s devices sorted by name, until the table changes. */
  #sorted: MappedDevice[] | null = null;
  readonly #byUuid = new Map<string, MappedDevice>();
  readonly #pollers = new Set<() => void>();
  #pollPending = false;
  #deferredRemovePending = false;
  readonly #ratelimits = new Map<string, RateLimit>();
  #diskseq = 0;
  readonly #notifyPollers = (): void => {
    this.#pollPending = false;
    for (const fn of [...this.#pollers]) fn();
  };
  readonly #deferredRemoveWork = (): void => {
    this.#deferredRemovePending = false;
    this.#removeAll(true, false, true);
  };

  constructor(options: DeviceMapperOptions) {
    this.#controlModule = options.controlModule === undefined ? "dm_mod" : options.controlModule;
    this.#ctx = {
      clock: options.clock,
      log: options.log,
      block: options.block,
      uevents: options.uevents,
      modules: options.modules,
      targets: options.targets,
      selectors: options.selectors,
      handlers: options.handlers,
      nrCpus: options.nrCpus,
      major: options.major ?? DM_MAJOR,
      issueGlobalEvent: () => this.#issueGlobalEvent(),
      nodeDevt: (p) => this.#nodeDevt(p),
      queueDeferredRemove: () => this.#queueDeferredRemove(),
      ratelimit: (func) => this.#ratelimit(func),
      nextDiskSeq: options.nextDiskSeq ?? (() => ++this.#diskseq),
    };
    this.#ioctlLog = new DmLog(options.log, "ioctl");
  }

  /** The dm block major. */
  get major(): number {
    return this.#ctx.major;
  }

  /** The mapped device with this dev_t (also while it is being torn down), for the host model. */
  device(devt: DevT): MappedDevice | undefined {
    if (devMajor(devt) !== this.#ctx.major) return undefined;
    return this.#minors.get(devMinor(devt));
  }

  /** Live mapped devices in name order (the hash). */
  devices(): MappedDevice[] {
    // Sorted once per change of the name table, not per call (multipathd lists at every dm event).
    this.#sorted ??= [...this.#byName.values()].sort(byName);
    return this.#sorted.slice();
  }

  /** The mapped device called `name`, if any. */
  byName(name: string): MappedDevice | undefined {
    return this.#byName.get(name);
  }

  #ratelimit(func: string): RateLimit {
    let r = this.#ratelimits.get(func);
    if (!r) this.#ratelimits.set(func, (r = new RateLimit(func)));
    return r;
  }

  /**
   * How `lookup_bdev` resolves a path in the machine's /dev (set by the host, which knows which
   * nodes exist). Undefined: no such node. Unset: a built-in /dev with every disk's node,
   * `/dev/mapper/<name>` of every dm device that has a disk, and `/dev/block/M:m`.
   */
  nodeResolver: ((path: string) => DevT | undefined) | null = null;

  #nodeDevt(path: string): DevT | undefined {
    if (this.nodeResolver) return this.nodeResolver(path);
    const block = this.#ctx.block;
    if (path.startsWith("/dev/mapper/")) {
      const md = this.#byName.get(path.slice(12));
      return md?.registered ? md.devt : undefined;
    }
    const m = /^\/dev\/block\/(\d+):(\d+)$/.exec(path);
    if (m) {
      for (const d of block.all())
        if (devMajor(d.devt) === Number(m[1]) && devMinor(d.devt) === Number(m[2])) return d.devt;
      return undefined;
    }
    if (path.startsWith("/dev/") && !path.slice(5).includes("/")) return block.byName(path.slice(5))?.devt;
    return undefined;
  }

  #issueGlobalEvent(): void {
    if (this.#pollPending || this.#pollers.size === 0) return;
    this.#pollPending = true;
    this.#ctx.clock.schedule(0, this.#notifyPollers, null);
  }

  #queueDeferredRemove(): void {
    if (this.#deferredRemovePending) return;
    this.#deferredRemovePending = true;
    this.#ctx.clock.schedule(0, this.#deferredRemoveWork, null);
  }

  /** Opening the control node autoloads dm_mod. */
  #control(): boolean {
    if (!this.#controlModule) return true;
    return this.#ctx.modules.isLoaded(this.#controlModule) || this.#ctx.modules.request(this.#controlModule);
  }

  /** `__find_device_hash_cell`. */
  #find(ref: DmRef): MappedDevice | undefined {
    if (typeof ref === "string") return ref ? this.#byName.get(ref) : undefined;
    if ("uuid" in ref) return ref.uuid ? this.#byUuid.get(ref.uuid) : undefined;
    const md = this.device(ref.devt);
    return md?.hashed && !md.deleting && !md.freeing ? md : undefined;
  }

  /** `__dev_status`. */
  #status(md: MappedDevice, inactiveQuery = false): DmInfo {
    const live = md.live;
    let readOnly = false;
    let targetCount = 0;
    if (live && !inactiveQuery) {
      readOnly = md.readOnly();
      targetCount = live.targets.length;
    }
    if (inactiveQuery && md.newMap) {
      readOnly = md.newMap.readOnly;
      targetCount = md.newMap.targets.length;
    }
    return {
      name: md.hashName,
      uuid: md.uuid ?? "",
      devt: md.devt,
      suspended: md.suspendedFlag,
      readOnly,
      liveTable: live !== null,
      inactiveTable: md.newMap !== null,
      openCount: md.openCount(),
      eventNr: md.eventNr,
      targetCount,
      deferredRemove: md.deferredRemove,
      internalSuspend: false,
    };
  }

  // ---- DmControl -----------------------------------------------------------------------------

  version(): readonly [number, number, number] {
    this.#control();
    return DM_IOCTL_VERSION;
  }

  targets(): DmTargetVersion[] {
    if (!this.#control()) return [];
    // dm_register_target adds at the head of the list: the newest type is listed first.
    return this.#ctx.targets
      .values()
      .reverse()
      .map((t) => ({ name: t.name, version: t.version }));
  }

  list(): DmListEntry[] {
    if (!this.#control()) return [];
    return this.devices().map((md) => ({
      name: md.hashName,
      devt: md.devt,
      eventNr: md.eventNr,
      uuid: md.uuid ?? "",
    }));
  }

  create(
    name: string,
    options: { readonly uuid?: string; readonly readOnly?: boolean } = {},
  ): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const nm = name.slice(0, DM_NAME_LEN - 1);
    const uuid = (options.uuid ?? "").slice(0, DM_UUID_LEN - 1);
    if (!nm) {
      this.#ioctlLog.err("name not supplied when creating device");
      return fail(Errno.EINVAL);
    }
    if (nm.includes("/")) {
      this.#ioctlLog.err("invalid device name");
      return fail(Errno.EINVAL);
    }
    let minor = 0;
    while (this.#minors.has(minor)) minor++;
    if (minor >= 1 << MINORBITS) return fail(Errno.ENOSPC);
    if (this.#byName.has(nm) || (uuid && this.#byUuid.has(uuid))) return fail(Errno.EBUSY);
    const md = new MappedDevice(this.#ctx, minor, nm, uuid || null, options.readOnly ?? false);
    this.#minors.set(minor, md);
    this.#byName.set(nm, md);
    this.#sorted = null;
    if (uuid) this.#byUuid.set(uuid, md);
    const info = this.#status(md);
    this.#issueGlobalEvent();
    return ok(info);
  }

  load(
    ref: DmRef,
    table: readonly DmTableLine[],
    options: { readonly readOnly?: boolean } = {},
  ): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    if (table.length > DM_MAX_TARGETS) return fail(Errno.EOVERFLOW);
    const t = new DmTable(md, options.readOnly ?? md.createReadOnly);
    if (table.length === 0) {
      this.#ioctlLog.err("populate_table: no targets specified");
      return fail(Errno.EINVAL);
    }
    for (const line of table) {
      const r = t.addTarget(line);
      if (r) {
        this.#ioctlLog.err("error adding target to table");
        t.destroy();
        return fail(r);
      }
    }
    let r = t.complete();
    if (r) {
      t.destroy();
      return fail(r);
    }
    const imm = md.immutableTargetType;
    if (imm && imm !== t.immutableTargetType && !t.hasWildcardTarget()) {
      this.#ioctlLog.err(`can't replace immutable target type ${imm.name}`);
      t.destroy();
      return fail(Errno.EINVAL);
    }
    if (md.type === "none") {
      r = md.setupQueue(t);
      if (r) {
        this.#ioctlLog.err("unable to set up device queue for new table.");
        t.destroy();
        return fail(r);
      }
    } else if (md.type !== t.type) {
      this.#ioctlLog.err(
        `can't change device type (old=${dmTypeNumber(md.type)} vs new=${dmTypeNumber(t.type)}) after initial table load.`,
      );
      t.destroy();
      return fail(Errno.EINVAL);
    }
    if (!md.hashed) {
      this.#ioctlLog.err("device has been removed from the dev hash table.");
      t.destroy();
      return fail(Errno.ENXIO);
    }
    const old = md.newMap;
    md.newMap = t;
    const info = this.#status(md);
    md.retireTable(old);
    return ok(info);
  }

  clear(ref: DmRef): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    const old = md.newMap;
    md.newMap = null;
    const info = this.#status(md);
    md.retireTable(old);
    return ok(info);
  }

  suspend(ref: DmRef, options: DmSuspendOptions = {}): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    if (!md.suspendedFlag) {
      const r = md.suspend(options.noflush ?? false);
      if (r) return fail(r);
    }
    return ok(this.#status(md));
  }

  resume(
    ref: DmRef,
    options: { readonly cookie?: number; readonly noflush?: boolean; readonly skipLockfs?: boolean } = {},
  ): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    let newMap = md.newMap;
    md.newMap = null;
    let oldMap: DmTable | null = null;
    let resize = false;
    if (newMap) {
      if (!md.suspendedFlag) {
        const r = md.suspend(options.noflush ?? false);
        if (r) {
          if (md.hashed && !md.newMap) {
            md.newMap = newMap;
            newMap = null;
          }
          md.retireTable(newMap);
          return fail(r);
        }
      }
      const oldSize = md.sizeSectors();
      const swapped = md.swapTable(newMap);
      if (typeof swapped === "number") {
        md.retireTable(newMap);
        return fail(swapped);
      }
      oldMap = swapped;
      const newSize = md.sizeSectors();
      resize = oldSize !== 0 && newSize !== 0 && oldSize !== newSize;
      md.setDiskReadOnly(newMap.readOnly);
    }
    let r = 0;
    if (md.suspendedFlag) {
      r = md.resume();
      if (!r) {
        const ext: Array<readonly [string, string]> = [];
        if (options.cookie) ext.push(["DM_COOKIE", String(options.cookie >>> 0)]);
        if (resize) ext.push(["RESIZE", "1"]);
        md.emitUevent("change", ext);
      }
    }
    md.retireTable(oldMap);
    if (r) return fail(r);
    return ok(this.#status(md));
  }

  remove(
    ref: DmRef,
    options: { readonly deferred?: boolean; readonly cookie?: number } = {},
  ): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    const deferred = options.deferred ?? false;
    const r = this.#lockForDeletion(md, deferred, false);
    if (r) {
      if (r === -Errno.EBUSY && deferred) return ok(this.#status(md));
      return fail(r);
    }
    const info = this.#status(md);
    const inactive = this.#hashRemove(md);
    md.retireTable(inactive);
    const ext: Array<readonly [string, string]> = [];
    if (options.cookie) ext.push(["DM_COOKIE", String(options.cookie >>> 0)]);
    md.emitUevent("remove", ext);
    this.#destroy(md);
    this.#issueGlobalEvent();
    return ok({ ...info, deferredRemove: false });
  }

  rename(
    ref: DmRef,
    newName: string,
    options: { readonly setUuid?: boolean; readonly cookie?: number } = {},
  ): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const changeUuid = options.setUuid ?? false;
    if (!newName || newName.length > (changeUuid ? DM_UUID_LEN - 1 : DM_NAME_LEN - 1)) {
      this.#ioctlLog.err("Invalid new mapped device name or uuid string supplied.");
      return fail(Errno.EINVAL);
    }
    if (!changeUuid && newName.includes("/")) {
      this.#ioctlLog.err("invalid device name");
      return fail(Errno.EINVAL);
    }
    // dm_hash_rename looks the device up by the name in the request only.
    const oldName = typeof ref === "string" ? ref : "";
    if (changeUuid ? this.#byUuid.has(newName) : this.#byName.has(newName)) {
      this.#ioctlLog.err(
        `Unable to change ${changeUuid ? "uuid" : "name"} on mapped device ${oldName} to one that already exists: ${newName}`,
      );
      return fail(Errno.EBUSY);
    }
    const md = oldName ? this.#byName.get(oldName) : undefined;
    if (!md) {
      this.#ioctlLog.err(
        `Unable to rename non-existent device, ${oldName} to ${changeUuid ? "uuid " : ""}${newName}`,
      );
      return fail(Errno.ENXIO);
    }
    if (changeUuid && md.uuid) {
      this.#ioctlLog.err(
        `Unable to change uuid of mapped device ${oldName} to ${newName} because uuid is already set to ${md.uuid}`,
      );
      return fail(Errno.EINVAL);
    }
    if (changeUuid) {
      md.uuid = newName;
      this.#byUuid.set(newName, md);
    } else {
      this.#byName.delete(md.hashName);
      this.#sorted = null;
      md.hashName = newName;
      this.#byName.set(newName, md);
      this.#sorted = null;
    }
    md.live?.event();
    const ext: Array<readonly [string, string]> = [];
    if (options.cookie) ext.push(["DM_COOKIE", String(options.cookie >>> 0)]);
    md.emitUevent("change", ext);
    this.#issueGlobalEvent();
    return ok(this.#status(md));
  }

  message(ref: DmRef, sector: number, message: string): DmResult<string> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    const argv = dmSplitArgs(message);
    if (argv.length === 0) {
      this.#ioctlLog.err("Empty message received.");
      return fail(Errno.EINVAL);
    }
    const first = argv[0]!;
    if (first.startsWith("@")) {
      if (first.toLowerCase() === "@cancel_deferred_remove") {
        if (argv.length !== 1) {
          this.#ioctlLog.err("Invalid arguments for @cancel_deferred_remove");
          return fail(Errno.EINVAL);
        }
        if (md.deleting) return fail(Errno.EBUSY);
        md.deferredRemove = false;
        return ok("");
      }
      this.#ioctlLog.err(`Unsupported message sent to DM core: ${first}`);
      return fail(Errno.EINVAL);
    }
    const table = md.live;
    if (!table) return ok("");
    if (md.deleting) return fail(Errno.ENXIO);
    const slot = Number.isSafeInteger(sector) && sector >= 0 ? table.findTarget(sector) : null;
    if (!slot) {
      this.#ioctlLog.err("Target message sector outside device.");
      return fail(Errno.EINVAL);
    }
    const t = slot.t;
    if (!t.message) {
      this.#ioctlLog.err("Target type does not support messages");
      return fail(Errno.EINVAL);
    }
    const r = t.message(argv);
    if (r < 0) return fail(r);
    return ok("");
  }

  status(
    ref: DmRef,
    options: { readonly kind?: "info" | "table" | "ima"; readonly inactive?: boolean } = {},
  ): DmResult<{ info: DmInfo; lines: DmStatusLine[] }> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    const inactive = options.inactive ?? false;
    const kind = options.kind ?? "info";
    const info = this.#status(md, inactive);
    const table = inactive ? md.newMap : md.live;
    const lines: DmStatusLine[] = [];
    if (table) {
      for (const s of table.targets)
        lines.push({ start: s.begin, length: s.len, type: s.type.name, params: s.t.status(kind) });
    }
    return ok({ info: table ? { ...info, targetCount: table.targets.length } : info, lines });
  }

  info(ref: DmRef): DmResult<DmInfo> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    return ok(this.#status(md));
  }

  deps(ref: DmRef, options: { readonly inactive?: boolean } = {}): DmResult<{ info: DmInfo; deps: DevT[] }> {
    if (!this.#control()) return fail(Errno.ENXIO);
    const md = this.#find(ref);
    if (!md) return fail(Errno.ENXIO);
    const inactive = options.inactive ?? false;
    const table = inactive ? md.newMap : md.live;
    return ok({ info: this.#status(md, inactive), deps: table ? table.devices() : [] });
  }

  waitEvent(ref: DmRef, eventNr: number, done: (r: DmResult<DmInfo>) => void): () => void {
    this.#control();
    const md = this.#find(ref);
    if (!md) {
      done(fail(Errno.ENXIO));
      return () => {};
    }
    if (md.eventNr !== eventNr >>> 0) {
      done(ok(this.#status(md)));
      return () => {};
    }
    const clock = this.#ctx.clock;
    const deliver = (): void => {
      done(md.hashed || md.eventNr !== eventNr ? ok(this.#status(md)) : fail(Errno.ENXIO));
    };
    const waiter = { eventNr: eventNr >>> 0, wake: () => void clock.schedule(0, deliver, null) };
    md.waiters.add(waiter);
    return () => {
      md.waiters.delete(waiter);
    };
  }

  onEvent(fn: () => void): () => void {
    this.#pollers.add(fn);
    return () => {
      this.#pollers.delete(fn);
    };
  }

  // ---- removal -------------------------------------------------------------------------------

  /** `dm_lock_for_deletion`: 0, -EBUSY (open) or -EEXIST (not marked, only_deferred). */
  #lockForDeletion(md: MappedDevice, markDeferred: boolean, onlyDeferred: boolean): number {
    if (md.openCount() > 0) {
      if (markDeferred) md.deferredRemove = true;
      return -Errno.EBUSY;
    }
    if (onlyDeferred && !md.deferredRemove) return -Errno.EEXIST;
    md.deleting = true;
    return 0;
  }

  /** `__hash_remove`: unhash, fire a table event on the live table; returns the inactive table. */
  #hashRemove(md: MappedDevice): DmTable | null {
    this.#byName.delete(md.hashName);
    this.#sorted = null;
    if (md.uuid) this.#byUuid.delete(md.uuid);
    md.hashed = false;
    md.live?.event();
    const t = md.newMap;
    md.newMap = null;
    return t;
  }

  /** `dm_destroy` / `free_dev`. */
  #destroy(md: MappedDevice): void {
    md.destroy();
    this.#minors.delete(md.minor);
  }

  /** `dm_hash_remove_all`. */
  #removeAll(keepOpen: boolean, markDeferred: boolean, onlyDeferred: boolean): void {
    let skipped = 0;
    for (const md of this.devices()) {
      if (keepOpen && this.#lockForDeletion(md, markDeferred, onlyDeferred)) {
        skipped++;
        continue;
      }
      md.retireTable(this.#hashRemove(md));
      this.#destroy(md);
    }
    if (skipped && !onlyDeferred) this.#ioctlLog.warn(`remove_all left ${skipped} open device(s)`);
  }

  /** DM_REMOVE_ALL (`dmsetup remove_all [--deferred]`). */
  removeAll(options: { readonly deferred?: boolean } = {}): void {
    if (!this.#control()) return;
    this.#removeAll(true, options.deferred ?? false, false);
    this.#issueGlobalEvent();
  }
}
