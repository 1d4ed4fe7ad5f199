import {
  type Clock,
  type DevT,
  type DmControl,
  mkdev,
  type SysfsView,
  type UdevDevice,
  type UdevEvent,
  type UdevView,
  type Uevent,
  type UeventBus,
} from "@mp/dm-core";
import type { UdevRule, UdevRuleContext } from "./rules.js";

/** Kernel variables udev does not store as properties (ACTION, SEQNUM …). */
const TRANSIENT = new Set(["ACTION", "SEQNUM", "SYNTH_UUID", "DM_COOKIE"]);

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
  /** Driver bound at the time (`V:`), from the kernel's `DRIVER`. */
  readonly driver: string | undefined;

  constructor(o: {
    devpath: string;
    subsystem: string;
    devtype: string | undefined;
    devnode: string | undefined;
    devnum: DevT | undefined;
    properties: Map<string, string>;
    devlinks: string[];
    linkPriority: number;
    seqnum: number;
    usecInitialized: number;
    driver: string | undefined;
  }) {
    this.devpath = o.devpath;
    this.syspath = `/sys${o.devpath}`;
    this.sysname = o.devpath.slice(o.devpath.lastIndexOf("/") + 1);
    this.subsystem = o.subsystem;
    this.devtype = o.devtype;
    this.devnode = o.devnode;
    this.devnum = o.devnum;
    this.properties = o.properties;
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
  readonly #queue: Uevent[] = [];
  readonly #listeners = new Set<(e: UdevEvent) => void>();
  readonly #rules: UdevRule[];
  #running = false;
  #busy = false;
  #unsub: (() => void) | null = null;
  readonly #settleWaiters: Array<() => void> = [];

  constructor(o: SimUdevOptions) {
    this.#o = o;
    this.#rules = [...o.rules];
    this.#sortRules();
  }

  get running(): boolean {
    return this.#running;
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
    if (this.#running) return;
    this.#running = true;
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
    this.#running = false;
  }

  #enqueue(e: Uevent): void {
    this.#queue.push(e);
    if (!this.#busy) this.#next();
  }

  #next(): void {
    if (this.#queue.length === 0) {
      this.#busy = false;
      for (const w of this.#settleWaiters.splice(0)) w();
      return;
    }
    this.#busy = true;
    this.#o.clock.schedule(this.#o.eventNs ?? 1_000_000, (u: SimUdev) => u.#processHead(), this);
  }

  #processHead(): void {
    const e = this.#queue.shift();
    if (e) this.#process(e);
    this.#next();
  }

  #process(e: Uevent): void {
    const kernelEnv = new Map<string, string>();
    for (const [k, v] of e.env) kernelEnv.set(k, v);
    const old = this.#db.get(e.devpath) ?? null;
    const devname = kernelEnv.get("DEVNAME");
    const major = kernelEnv.get("MAJOR");
    const minor = kernelEnv.get("MINOR");
    const devnum =
      major !== undefined && minor !== undefined ? mkdev(Number(major), Number(minor)) : undefined;
    const devnode = devname ? (devname.startsWith("/") ? devname : `/dev/${devname}`) : undefined;
    const devtype = kernelEnv.get("DEVTYPE");
    const sysname = e.devpath.slice(e.devpath.lastIndexOf("/") + 1);
    const env = new Map<string, string>();
    for (const [k, v] of kernelEnv) if (!TRANSIENT.has(k) || k === "DM_COOKIE") env.set(k, v);
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
      sysfs: this.#o.sysfs,
      dm: this.#o.dm,
      dbOf: (name) => this.#byName(name)?.properties ?? null,
    };
    if (e.action !== "remove") for (const r of this.#rules) r.apply(ctx);
    const usec = old?.usecInitialized ?? Math.floor(this.#o.clock.now() / 1000);
    const props = new Map<string, string>();
    // udevadm's order: kernel variables (device node ones first), USEC_INITIALIZED, rule properties, DEVLINKS.
    const kernelOrder = devnode
      ? ["DEVPATH", "DEVNAME", "DEVTYPE", "DISKSEQ", "MAJOR", "MINOR", "SUBSYSTEM"]
      : ["DEVPATH", "SUBSYSTEM", "DEVTYPE", "DRIVER", "MODALIAS"];
    const full = new Map<string, string>([["DEVPATH", e.devpath], ["SUBSYSTEM", e.subsystem], ...env]);
    if (devnode) full.set("DEVNAME", devnode);
    for (const k of kernelOrder) {
      const v = full.get(k);
      if (v !== undefined) props.set(k, v);
    }
    if (devnode) props.set("USEC_INITIALIZED", String(usec));
    for (const [k, v] of env) if (!props.has(k) && !k.startsWith(".") && !TRANSIENT.has(k)) props.set(k, v);
    const record =
      e.action === "remove" && old
        ? old
        : new UdevRecord({
            devpath: e.devpath,
            subsystem: e.subsystem,
            devtype,
            devnode,
            devnum,
            properties: props,
            devlinks: links.map((l) => `/dev/${l}`),
            linkPriority: ctx.linkPriority,
            seqnum: e.seqnum,
            usecInitialized: usec,
            driver: kernelEnv.get("DRIVER"),
          });
    if (record.devlinks.length > 0 && e.action !== "remove")
      (props as Map<string, string>).set("DEVLINKS", record.devlinks.join(" "));
    if (e.action === "remove") this.#db.delete(e.devpath);
    else this.#db.set(e.devpath, record);
    const ev: UdevEvent = { action: e.action, seqnum: e.seqnum, device: record };
    for (const l of [...this.#listeners]) l(ev);
  }

  #byName(sysname: string): UdevRecord | undefined {
    for (const r of this.#db.values()) if (r.sysname === sysname) return r;
    return undefined;
  }

  enumerate(filter: { readonly subsystem: string; readonly devtype?: string }): UdevDevice[] {
    const out: UdevRecord[] = [];
    for (const r of this.#db.values())
      if (r.subsystem === filter.subsystem && (filter.devtype === undefined || r.devtype === filter.devtype))
        out.push(r);
    return out.sort((a, b) => (a.sysname < b.sysname ? -1 : a.sysname > b.sysname ? 1 : 0));
  }

  device(subsystem: string, sysname: string): UdevDevice | null {
    for (const r of this.#db.values()) if (r.subsystem === subsystem && r.sysname === sysname) return r;
    return null;
  }

  /** The record of a devpath, a devnode (`/dev/sda`) or a symlink (`/dev/mapper/mpatha`). */
  lookup(what: string): UdevRecord | null {
    if (what.startsWith("/sys/")) return this.#db.get(what.slice(4)) ?? null;
    if (what.startsWith("/devices/")) return this.#db.get(what) ?? null;
    const node = what.startsWith("/dev/") ? what : `/dev/${what}`;
    let best: UdevRecord | null = null;
    for (const r of this.#db.values()) {
      if (r.devnode === node) return r;
      if (r.devlinks.includes(node) && (!best || r.linkPriority > best.linkPriority)) best = r;
    }
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
    return !this.#busy && this.#queue.length === 0;
  }

  /** Resolves when the queue is empty (`udevadm settle`); the caller drives the clock. */
  whenSettled(): Promise<void> {
    if (this.settled()) return Promise.resolve();
    return new Promise((resolve) => this.#settleWaiters.push(resolve));
  }
}
