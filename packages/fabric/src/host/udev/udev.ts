import {
  Bio,
  type BlockLayer,
  type Clock,
  type DevT,
  type DmControl,
  type KernelLog,
  mkdev,
  ReqFlag,
  ReqOp,
  type SysfsView,
  type UdevDevice,
  type UdevEvent,
  type UdevView,
  type Uevent,
  type UeventBus,
} from "@mp/dm-core";
import { EventQueue, type QueuedEvent } from "./event-queue.js";
import type { UdevRule, UdevRuleContext } from "./rules.js";

/** Kernel variables udev does not store as properties (ACTION, SEQNUM …). */
const TRANSIENT = new Set(["ACTION", "SEQNUM", "SYNTH_UUID", "DM_COOKIE"]);

/**
 * The key lists of the records a database holds, each kept once: devices of a kind get the same
 * properties in the same order (every path's sd disk, every generic node …), so a record keeps
 * only its values. A trie on the keys in order.
 */
export class PropertyKeys {
  readonly #root: KeyNode = { next: null, keys: [] };

  /** The one key list equal to `keys` (which it may keep). */
  intern(keys: string[]): readonly string[] {
    let n = this.#root;
    for (const k of keys) {
      let c = n.next?.get(k);
      if (!c) {
        c = { next: null, keys: null };
        (n.next ??= new Map()).set(k, c);
      }
      n = c;
    }
    return (n.keys ??= keys);
  }
}

interface KeyNode {
  next: Map<string, KeyNode> | null;
  /** The list ending here, once one did. */
  keys: readonly string[] | null;
}

/**
 * A device's properties as the database keeps them: the keys (a list shared by the records
 * with the same ones, see {@link PropertyKeys}) and the values, in order (a Map of some 30
 * properties takes several times the memory, and there is a record per device). Lookups scan
 * the keys; a record has a few dozen properties at most.
 */
export class UdevProperties implements ReadonlyMap<string, string> {
  readonly #keys: readonly string[];
  readonly #values: readonly string[];

  private constructor(keys: readonly string[], values: readonly string[]) {
    this.#keys = keys;
    this.#values = values;
  }

  /** The properties of `m`, in its order (the key list shared through `shared` when given). */
  static of(m: ReadonlyMap<string, string>, shared?: PropertyKeys): UdevProperties {
    if (m instanceof UdevProperties) return m;
    const keys: string[] = [];
    const values: string[] = [];
    for (const [k, v] of m) {
      keys.push(k);
      values.push(v);
    }
    return new UdevProperties(shared ? shared.intern(keys) : keys, values);
  }

  get size(): number {
    return this.#keys.length;
  }

  get(key: string): string | undefined {
    const i = this.#keys.indexOf(key);
    return i < 0 ? undefined : this.#values[i];
  }

  has(key: string): boolean {
    return this.#keys.indexOf(key) >= 0;
  }

  forEach(
    fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void,
    thisArg?: unknown,
  ): void {
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) fn.call(thisArg, this.#values[i]!, keys[i]!, this);
  }

  *entries(): MapIterator<[string, string]> {
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) yield [keys[i]!, this.#values[i]!];
  }

  *keys(): MapIterator<string> {
    yield* this.#keys;
  }

  *values(): MapIterator<string> {
    yield* this.#values;
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}

/** A device in the udev database. */
export class UdevRecord implements UdevDevice {
  readonly syspath: string;
  readonly sysname: string;
  readonly subsystem: string;
  readonly devtype: string | undefined;
  readonly devnode: string | undefined;
  readonly devnum: DevT | undefined;
  readonly properties: ReadonlyMap<string, string>;
  readonly devlinks: readonly string[];
  /** The `devpath` (no `/sys`). */
  readonly devpath: string;
  /** Link priority (`L:`). */
  readonly linkPriority: number;
  /** Sequence number of the event that last updated it. */
  readonly seqnum: number;
  /** `USEC_INITIALIZED`. */
  readonly usecInitialized: number;
  /**
   * Order in which udevd finished this device's last event: of devices claiming one symlink
   * with equal priority, the last one processed owns it (`link_find_prioritized` starts from
   * the device being processed).
   */
  processed = 0;
  /** Driver bound at the time (`V:`), from the kernel's `DRIVER`. */
  readonly driver: string | undefined;

  constructor(o: {
    devpath: string;
    subsystem: string;
    devtype: string | undefined;
    devnode: string | undefined;
    devnum: DevT | undefined;
    properties: ReadonlyMap<string, string>;
    devlinks: string[];
    linkPriority: number;
    seqnum: number;
    usecInitialized: number;
    driver: string | undefined;
    /** Where records share their key lists (the database's). */
    keys?: PropertyKeys;
  }) {
    this.devpath = o.devpath;
    this.syspath = `/sys${o.devpath}`;
    this.sysname = o.devpath.slice(o.devpath.lastIndexOf("/") + 1);
    this.subsystem = o.subsystem;
    this.devtype = o.devtype;
    this.devnode = o.devnode;
    this.devnum = o.devnum;
    this.properties = UdevProperties.of(o.properties, o.keys);
    this.devlinks = o.devlinks;
    this.linkPriority = o.linkPriority;
    this.seqnum = o.seqnum;
    this.usecInitialized = o.usecInitialized;
    this.driver = o.driver;
  }
}

/** Options of {@link SimUdev}. */
export interface SimUdevOptions {
  readonly clock: Clock;
  readonly uevents: UeventBus;
  readonly sysfs: SysfsView;
  readonly dm: DmControl;
  readonly rules: readonly UdevRule[];
  /** Time udevd spends on one event, ns (default 1 ms). */
  readonly eventNs?: number;
  /** The block layer and log, for the `blkid` probe rules ask for (no probe I/O without them). */
  readonly block?: BlockLayer;
  readonly log?: KernelLog;
  /** Whether a failed bio was quiet (`BIO_QUIET`): no "Buffer I/O error" line then. */
  readonly quiet?: (bio: Bio) => boolean;
  /** Devices present now, for coldplug (`udevadm trigger`): devpath, subsystem, kernel variables. */
  readonly present: () => ReadonlyArray<{
    readonly devpath: string;
    readonly subsystem: string;
    readonly env: ReadonlyArray<readonly [string, string]>;
  }>;
}

/**
 * systemd-udevd and its database: once started, every kernel uevent is queued and processed in
 * order on the clock (rules → database → monitor), so user space sees the processed `add`,
 * `change` and `remove` events after the kernel's. Before {@link SimUdev.start} the database is
 * empty and events are not kept, as on a machine whose udevd is not running yet.
 */
export class SimUdev implements UdevView {
  readonly #o: SimUdevOptions;
  readonly #db = new Map<string, UdevRecord>();
  /** The records' key lists, each kept once. */
  readonly #keys = new PropertyKeys();
  /** Database indexes (a 16,384-path machine has some 150,000 records). */
  readonly #index = new UdevDbIndex();
  /** Events received and not finished, with what blocks which (`event_is_blocked`). */
  readonly #queue = new EventQueue();
  /** Events a worker is processing. */
  readonly #running: UdevWork[] = [];
  readonly #listeners = new Set<(e: UdevEvent) => void>();
  readonly #rules: UdevRule[];
  #running_ = false;
  #processedSeq = 0;
  #unsub: (() => void) | null = null;
  readonly #settleWaiters: Array<() => void> = [];

  constructor(o: SimUdevOptions) {
    this.#o = o;
    this.#rules = [...o.rules];
    this.#sortRules();
  }

  get running(): boolean {
    return this.#running_;
  }

  #sortRules(): void {
    this.#rules.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Adds a rules file (another package's: multipath-tools' 56-multipath.rules with its `multipath -u`). */
  addRule(rule: UdevRule): void {
    const i = this.#rules.findIndex((r) => r.name === rule.name);
    if (i >= 0) this.#rules.splice(i, 1);
    this.#rules.push(rule);
    this.#sortRules();
  }

  /** Starts udevd and coldplugs: every present device gets a synthetic `add` (`udevadm trigger`). */
  start(): void {
    if (this.#running_) return;
    this.#running_ = true;
    this.#unsub = this.#o.uevents.subscribe((e) => this.#enqueue(e));
    for (const d of this.#o.present())
      this.#o.uevents.emit({
        action: "add",
        devpath: d.devpath,
        subsystem: d.subsystem,
        env: [["SYNTH_UUID", "0"], ...d.env],
      });
  }

  /** Stops udevd (events are no longer processed; the database stays). */
  stop(): void {
    this.#unsub?.();
    this.#unsub = null;
    this.#running_ = false;
  }

  #enqueue(e: Uevent): void {
    this.#queue.add(e);
    this.#pump();
  }

  /**
   * Starts every queued event that nothing blocks, in kernel order, as udevd's
   * `event_queue_start` does: an event waits while an earlier one (queued or running) is for the
   * same device, its parent or child, or the same device number. The queue keeps, per event, the
   * number of earlier events blocking it, so this takes the unblocked ones in order instead of
   * comparing every queued event with every earlier one.
   */
  #pump(): void {
    while (this.#running.length < CHILDREN_MAX) {
      const entry = this.#queue.takeReady();
      if (entry === null) break;
      const work: UdevWork = {
        event: entry.event,
        entry,
        record: null,
        cookie: null,
        done: false,
        timer: null,
      };
      this.#running.push(work);
      this.#o.clock.schedule(this.#o.eventNs ?? 1_000_000, runWork, { udev: this, work });
    }
    if (this.settled()) for (const w of this.#settleWaiters.splice(0)) w();
  }

  /** A worker runs the rules; a `blkid` probe they ask for delays the end of the event. */
  _run(work: UdevWork): void {
    const probe = this.#process(work);
    if (probe === null || !this.#o.block) {
      this._finish(work);
      return;
    }
    // udevd kills a worker stuck longer than event_timeout (180 s) and fails the event.
    work.timer = this.#o.clock.schedule(EVENT_TIMEOUT_NS, finishWork, { udev: this, work });
    blkidProbe(this.#o.block, this.#o.log ?? null, this.#o.quiet ?? null, probe, () => this._finish(work));
  }

  _finish(work: UdevWork): void {
    if (work.done) return;
    work.done = true;
    if (work.timer !== null) this.#o.clock.cancel(work.timer);
    const i = this.#running.indexOf(work);
    if (i >= 0) this.#running.splice(i, 1);
    this.#queue.finish(work.entry);
    const record = work.record;
    const e = work.event;
    if (record) {
      record.processed = ++this.#processedSeq;
      const old = this.#db.get(e.devpath);
      if (old) this.#index.remove(old, e.action === "remove");
      if (e.action === "remove") this.#db.delete(e.devpath);
      else {
        this.#db.set(e.devpath, record);
        this.#index.add(record, old === undefined);
      }
      // The monitor's event carries the cookie the database does not keep (`udevadm monitor`
      // shows DM_COOKIE on the processed event; `udevadm info` does not list it).
      const device = work.cookie === null ? record : withCookie(record, work.cookie);
      const ev: UdevEvent = { action: e.action, seqnum: e.seqnum, device };
      if (this.#listeners.size > 0) for (const l of [...this.#listeners]) l(ev);
    }
    this.#pump();
  }

  /** Runs the rules over one event; returns the device to probe with blkid, or null. */
  #process(work: UdevWork): DevT | null {
    const e = work.event;
    // The kernel's variables (a later duplicate wins, in the place of the first) and the ones
    // this needs; the rules see them less the transient ones.
    const env = new Map<string, string>();
    let devname: string | undefined;
    let major: string | undefined;
    let minor: string | undefined;
    let devtype: string | undefined;
    let driver: string | undefined;
    let cookie: string | undefined;
    for (const [k, v] of e.env) {
      if (k === "DEVNAME") devname = v;
      else if (k === "MAJOR") major = v;
      else if (k === "MINOR") minor = v;
      else if (k === "DEVTYPE") devtype = v;
      else if (k === "DRIVER") driver = v;
      else if (k === "DM_COOKIE") cookie = v;
      if (!TRANSIENT.has(k) || k === "DM_COOKIE") env.set(k, v);
    }
    const old = this.#db.get(e.devpath) ?? null;
    const devnum =
      major !== undefined && minor !== undefined ? mkdev(Number(major), Number(minor)) : undefined;
    const devnode = devname ? (devname.startsWith("/") ? devname : `/dev/${devname}`) : undefined;
    const sysname = e.devpath.slice(e.devpath.lastIndexOf("/") + 1);
    const links: string[] = [];
    const ctx: UdevRuleContext = {
      action: e.action,
      devpath: e.devpath,
      subsystem: e.subsystem,
      sysname,
      devtype,
      env,
      db: old?.properties ?? null,
      links,
      linkPriority: 0,
      blkid: false,
      sysfs: this.#o.sysfs,
      dm: this.#o.dm,
      dbOf: this.#dbOf,
    };
    if (e.action !== "remove") for (const r of this.#rules) r.apply(ctx);
    const usec = old?.usecInitialized ?? Math.floor(this.#o.clock.now() / 1000);
    const props = new Map<string, string>();
    // udevadm's order: kernel variables (device node ones first), USEC_INITIALIZED, rule properties, DEVLINKS.
    // The kernel's variables, DEVPATH and SUBSYSTEM under the event's (the rules' win), DEVNAME as the node.
    for (const k of devnode ? NODE_KERNEL_ORDER : KERNEL_ORDER) {
      const v =
        k === "DEVNAME" && devnode
          ? devnode
          : (env.get(k) ?? (k === "DEVPATH" ? e.devpath : k === "SUBSYSTEM" ? e.subsystem : undefined));
      if (v !== undefined) props.set(k, v);
    }
    let ruleProps = false;
    for (const k of env.keys())
      if (!props.has(k) && !k.startsWith(".") && !TRANSIENT.has(k) && !hasVar(e.env, k)) ruleProps = true;
    // udevd writes a database entry (and with it the initialisation time) only for a device that
    // rules gave properties or links; a bare sgN has none.
    if (devnode && (ruleProps || links.length > 0)) props.set("USEC_INITIALIZED", String(usec));
    for (const [k, v] of env) if (!props.has(k) && !k.startsWith(".") && !TRANSIENT.has(k)) props.set(k, v);
    let record: UdevRecord;
    if (e.action === "remove" && old) record = old;
    else {
      const devlinks = links.map((l) => `/dev/${l}`);
      if (devlinks.length > 0 && e.action !== "remove") props.set("DEVLINKS", devlinks.join(" "));
      record = new UdevRecord({
        devpath: e.devpath,
        subsystem: e.subsystem,
        devtype,
        devnode,
        devnum,
        properties: props,
        devlinks,
        linkPriority: ctx.linkPriority,
        seqnum: e.seqnum,
        usecInitialized: usec,
        driver,
        keys: this.#keys,
      });
    }
    work.record = record;
    work.cookie = cookie ?? null;
    return ctx.blkid && devnum !== undefined && e.action !== "remove" ? devnum : null;
  }

  /** Another device's properties, by kernel name (the rules' `dbOf`). */
  readonly #dbOf = (name: string): ReadonlyMap<string, string> | null =>
    this.#byName(name)?.properties ?? null;

  #byName(sysname: string): UdevRecord | undefined {
    return this.#index.first(this.#index.bySysname, sysname, null) ?? undefined;
  }

  enumerate(filter: { readonly subsystem: string; readonly devtype?: string }): UdevDevice[] {
    const out: UdevRecord[] = [];
    for (const r of this.#db.values())
      if (r.subsystem === filter.subsystem && (filter.devtype === undefined || r.devtype === filter.devtype))
        out.push(r);
    return out.sort((a, b) => (a.sysname < b.sysname ? -1 : a.sysname > b.sysname ? 1 : 0));
  }

  device(subsystem: string, sysname: string): UdevDevice | null {
    return this.#index.first(this.#index.bySysname, sysname, subsystem);
  }

  /** The record of a devpath, a devnode (`/dev/sda`) or a symlink (`/dev/mapper/mpatha`). */
  lookup(what: string): UdevRecord | null {
    if (what.startsWith("/sys/")) return this.#db.get(what.slice(4)) ?? null;
    if (what.startsWith("/devices/")) return this.#db.get(what) ?? null;
    const node = what.startsWith("/dev/") ? what : `/dev/${what}`;
    const byNode = this.#index.first(this.#index.byDevnode, node, null);
    if (byNode) return byNode;
    // The link's owner: highest priority, then the device processed last (priority and
    // processing order decide alone, so the candidates' order does not matter).
    let best: UdevRecord | null = null;
    for (const r of this.#index.all(this.#index.byDevlink, node))
      if (
        !best ||
        r.linkPriority > best.linkPriority ||
        (r.linkPriority === best.linkPriority && r.processed > best.processed)
      )
        best = r;
    return best;
  }

  /** Every device in the database, in devpath order (`udevadm info --export-db`). */
  all(): UdevRecord[] {
    return [...this.#db.values()].sort((a, b) =>
      a.devpath < b.devpath ? -1 : a.devpath > b.devpath ? 1 : 0,
    );
  }

  subscribe(fn: (e: UdevEvent) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  settled(): boolean {
    return this.#running.length === 0 && this.#queue.size === 0;
  }

  /** Resolves when the queue is empty (`udevadm settle`); the caller drives the clock. */
  whenSettled(): Promise<void> {
    if (this.settled()) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push(resolve));
  }
}

/** Whether the kernel's variables include `key`. */
function hasVar(env: ReadonlyArray<readonly [string, string]>, key: string): boolean {
  for (const [k] of env) if (k === key) return true;
  return false;
}

/** udevadm's order of a device's kernel variables: with a device node, and without. */
const NODE_KERNEL_ORDER = [
  "DEVPATH",
  "DEVNAME",
  "DEVTYPE",
  "DISKSEQ",
  "MAJOR",
  "MINOR",
  "SUBSYSTEM",
] as const;
const KERNEL_ORDER = ["DEVPATH", "SUBSYSTEM", "DEVTYPE", "DRIVER", "MODALIAS"] as const;

/** udevd's `children_max` for a small machine (8 + 2 per CPU, 2 CPUs). */
const CHILDREN_MAX = 12;
/** udevd's `event_timeout`. */
const EVENT_TIMEOUT_NS = 180_000_000_000;

/** An event a worker is processing. */
interface UdevWork {
  readonly event: Uevent;
  readonly entry: QueuedEvent;
  record: UdevRecord | null;
  /** The kernel's `DM_COOKIE`, for the monitor's event. */
  cookie: string | null;
  done: boolean;
  timer: number | null;
}

function runWork(a: { udev: SimUdev; work: UdevWork }): void {
  a.udev._run(a.work);
}

function finishWork(a: { udev: SimUdev; work: UdevWork }): void {
  a.work.timer = null;
  a.udev._finish(a.work);
}

/** The records under one key of an index: the record itself while it is the only one. */
type IndexSlot = UdevRecord | Map<UdevRecord, number>;

/**
 * Lookups of the udev database by kernel name, device node and symlink. Candidates of one key
 * are returned in database order (the order the original full scans met them in): each record
 * remembers when its devpath entered the database. Most keys have one record (a 16,384-path
 * machine has some 150,000): such a key holds the record, not a map of one.
 */
export class UdevDbIndex {
  readonly bySysname = new Map<string, IndexSlot>();
  readonly byDevnode = new Map<string, IndexSlot>();
  readonly byDevlink = new Map<string, IndexSlot>();
  /** Database position of each devpath (insertion order of the database's Map). */
  readonly #pos = new Map<string, number>();
  #next = 0;

  /** Indexes `r`; `fresh` when its devpath was not in the database before (a new position). */
  add(r: UdevRecord, fresh: boolean): void {
    if (fresh) this.#pos.set(r.devpath, this.#next++);
    const pos = this.#pos.get(r.devpath)!;
    this.#put(this.bySysname, r.sysname, r, pos);
    if (r.devnode !== undefined) this.#put(this.byDevnode, r.devnode, r, pos);
    for (const l of r.devlinks) this.#put(this.byDevlink, l, r, pos);
  }

  /** Unindexes `r` (replaced or removed); a removed devpath loses its position. */
  remove(r: UdevRecord, gone = false): void {
    drop(this.bySysname, r.sysname, r);
    if (r.devnode !== undefined) drop(this.byDevnode, r.devnode, r);
    for (const l of r.devlinks) drop(this.byDevlink, l, r);
    if (gone) this.#pos.delete(r.devpath);
  }

  /** The earliest record (in database order) under `key`, of `subsystem` when given. */
  first(map: Map<string, IndexSlot>, key: string, subsystem: string | null): UdevRecord | null {
    const m = map.get(key);
    if (m === undefined) return null;
    if (!(m instanceof Map)) return subsystem === null || m.subsystem === subsystem ? m : null;
    let best: UdevRecord | null = null;
    let bestPos = Number.POSITIVE_INFINITY;
    for (const [r, pos] of m)
      if (pos < bestPos && (subsystem === null || r.subsystem === subsystem)) {
        best = r;
        bestPos = pos;
      }
    return best;
  }

  /** Every record under `key` (in no particular order). */
  all(map: Map<string, IndexSlot>, key: string): Iterable<UdevRecord> {
    const m = map.get(key);
    if (m === undefined) return [];
    return m instanceof Map ? m.keys() : [m];
  }

  #put(map: Map<string, IndexSlot>, key: string, r: UdevRecord, pos: number): void {
    const m = map.get(key);
    if (m === undefined || m === r) map.set(key, r);
    else if (m instanceof Map) m.set(r, pos);
    else
      map.set(
        key,
        new Map([
          [m, this.#pos.get(m.devpath)!],
          [r, pos],
        ]),
      );
  }
}

function drop(map: Map<string, IndexSlot>, key: string, r: UdevRecord): void {
  const m = map.get(key);
  if (m === undefined) return;
  if (!(m instanceof Map)) {
    if (m === r) map.delete(key);
    return;
  }
  m.delete(r);
  if (m.size === 0) map.delete(key);
}

/** The processed event's view of a record: its properties and the kernel's `DM_COOKIE`. */
function withCookie(r: UdevRecord, cookie: string): UdevRecord {
  const props = new Map(r.properties);
  props.set("DM_COOKIE", cookie);
  const view = Object.create(r) as UdevRecord & { properties: ReadonlyMap<string, string> };
  Object.defineProperty(view, "properties", { value: props, enumerable: true });
  return view;
}

/** The bytes libblkid's first prober (md raid 0.90) reads: 64 KiB at the last 64 KiB boundary. */
const BLKID_TAIL_BYTES = 65536;
/** The page-cache read-ahead of the first read at the start (128 KiB). */
const BLKID_HEAD_BYTES = 131072;

interface BlkidState {
  readonly block: BlockLayer;
  readonly log: KernelLog | null;
  readonly quiet: ((bio: Bio) => boolean) | null;
  readonly dev: import("@mp/dm-core").BlockDevice;
  readonly regions: Array<[number, number]>;
  step: number;
  /** True while the single-page retry of a failed read-ahead is in flight. */
  retry: boolean;
  readonly bio: Bio;
  readonly done: () => void;
}

/**
 * The I/O of udev's `blkid` builtin on a disk without signatures: buffered reads through the page
 * cache — read-ahead (failfast) of the tail the md prober reads first, then of the start; a failed
 * read-ahead is retried for one page, and when that fails too the kernel logs `Buffer I/O error`
 * and libblkid gives up. Opening an offline or dying disk fails before any I/O.
 */
function blkidProbe(
  block: BlockLayer,
  log: KernelLog | null,
  quiet: ((bio: Bio) => boolean) | null,
  devt: DevT,
  done: () => void,
): void {
  const dev = block.open(devt);
  if (!dev || dev.dying()) {
    if (dev) block.close(devt);
    done();
    return;
  }
  const size = dev.sizeSectors() * 512;
  const regions: Array<[number, number]> = [];
  const tail = Math.floor(size / BLKID_TAIL_BYTES) * BLKID_TAIL_BYTES - BLKID_TAIL_BYTES;
  if (tail >= 0) regions.push([tail, Math.min(BLKID_TAIL_BYTES, size - tail)]);
  if (size > 0) regions.push([0, Math.min(BLKID_HEAD_BYTES, size)]);
  const st: BlkidState = { block, log, quiet, dev, regions, step: 0, retry: false, bio: new Bio(), done };
  st.bio.private = st;
  st.bio.endIo = blkidEnd;
  blkidNext(st);
}

function blkidSubmit(st: BlkidState, offset: number, bytes: number, flags: number): void {
  const b = st.bio;
  b.op = ReqOp.READ;
  b.flags = flags;
  b.sector = offset / 512;
  b.bytes = bytes;
  b.status = 0;
  b.data = null;
  b.dev = st.dev;
  st.dev.submit(b);
}

function blkidNext(st: BlkidState): void {
  const r = st.regions[st.step];
  if (!r) {
    st.block.close(st.dev.devt);
    st.done();
    return;
  }
  st.retry = false;
  blkidSubmit(
    st,
    r[0],
    r[1],
    ReqFlag.RAHEAD | ReqFlag.FAILFAST_DEV | ReqFlag.FAILFAST_TRANSPORT | ReqFlag.FAILFAST_DRIVER,
  );
}

function blkidEnd(b: Bio): void {
  const st = b.private as BlkidState;
  if (b.status === 0) {
    st.step++;
    blkidNext(st);
    return;
  }
  const r = st.regions[st.step]!;
  if (!st.retry) {
    st.retry = true;
    blkidSubmit(st, r[0], 4096, 0);
    return;
  }
  if (!st.quiet?.(b))
    st.log?.err(`Buffer I/O error on dev ${st.dev.name}, logical block ${r[0] / 4096}, async page read`);
  st.block.close(st.dev.devt);
  st.done();
}
