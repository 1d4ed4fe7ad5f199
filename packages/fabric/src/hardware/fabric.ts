import type { Clock, Rng } from "@mp/dm-core";
import type { InitiatorRef, StorageArray, TargetPort } from "./array.js";
import { Emitter, type FabricEvent } from "./events.js";
import { NvmetSubsystem, type NvmetSubsystemOptions } from "./nvme-target.js";

/** The SCSI transport an HBA speaks; decides what a lost path looks like to the kernel. */
export type TransportKind = "pseudo" | "fc" | "iscsi" | "sas";

/** Options of an initiator HBA. */
export interface HbaOptions {
  /** Name for reports (`hba0`, `qla-a`). */
  readonly name: string;
  readonly transport: TransportKind;
  /**
   * The kernel module that drives it (`qla2xxx`, `lpfc`, `iscsi_tcp`, `scsi_debug`): the HBA
   * becomes a SCSI host when that module is loaded.
   */
  readonly driver: string;
  /** `proc_name` of the host template (sysfs `proc_name`). Default: the driver name. */
  readonly procName?: string;
  /** Port name (FC WWPN); default derived from the id. */
  readonly wwpn?: bigint;
  /** Node name (FC WWNN). */
  readonly wwnn?: bigint;
  /** Host queue depth (`can_queue`). Default 1024. */
  readonly canQueue?: number;
  /** Default device queue depth (`cmd_per_lun`). Default 64. */
  readonly cmdPerLun?: number;
}

/** An initiator host bus adapter (one port): the hardware under a Linux SCSI host. */
export class Hba implements InitiatorRef {
  readonly id: number;
  readonly name: string;
  readonly transport: TransportKind;
  readonly driver: string;
  readonly procName: string;
  readonly wwpn: bigint;
  readonly wwnn: bigint;
  readonly canQueue: number;
  readonly cmdPerLun: number;
  readonly links: Link[] = [];
  readonly fabric: Fabric;
  /** Linux host number once the driver bound it, else -1. */
  hostNo = -1;
  #present = true;

  constructor(fabric: Fabric, id: number, o: HbaOptions) {
    this.fabric = fabric;
    this.id = id;
    this.name = o.name;
    this.transport = o.transport;
    this.driver = o.driver;
    this.procName = o.procName ?? o.driver;
    this.wwpn = o.wwpn ?? 0x2100001b32000000n + BigInt(id);
    this.wwnn = o.wwnn ?? 0x2000001b32000000n + BigInt(id);
    this.canQueue = o.canQueue ?? 1024;
    this.cmdPerLun = o.cmdPerLun ?? 64;
  }

  /** False after a hot-remove (the PCI device is gone). */
  get present(): boolean {
    return this.#present;
  }

  /** Fault primitive: hot-remove or re-insert the adapter. */
  setPresent(present: boolean): void {
    if (present === this.#present) return;
    this.#present = present;
    this.fabric.events.emit({ kind: "hba", hba: this.name, present });
    this.fabric.hbaChanged(this);
  }
}

/** Options of a link. */
export interface LinkOptions {
  /** One-way propagation + switching latency, ns. Default 5 µs. */
  readonly latencyNs?: number;
  readonly name?: string;
}

/** What a link's state change means to the transport above it. */
export type LinkListener = (link: Link) => void;

/**
 * A path through the fabric from an HBA port to a target port (a zone, an iSCSI session's TCP
 * connection, a SAS wide-port lane).
 */
export class Link {
  readonly id: number;
  readonly name: string;
  readonly hba: Hba;
  readonly port: TargetPort;
  #up = true;
  #latencyNs: number;
  readonly #listeners = new Set<LinkListener>();

  constructor(id: number, hba: Hba, port: TargetPort, o: LinkOptions = {}) {
    this.id = id;
    this.hba = hba;
    this.port = port;
    this.name = o.name ?? `${hba.name}->${port.array.name}:${port.name}`;
    this.#latencyNs = o.latencyNs ?? 5_000;
  }

  /** The link itself (cable, zone, session) is up. */
  get up(): boolean {
    return this.#up;
  }

  /** Commands can travel: link up, target port up, adapter present. */
  get usable(): boolean {
    return this.#up && this.port.up && this.hba.present;
  }

  get latencyNs(): number {
    return this.#latencyNs;
  }

  /** Fault primitive: cable pull / zone change / session drop, and recovery. */
  setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    this.hba.fabric.events.emit({ kind: "link", link: this.name, up });
    this.notify();
  }

  /** Fault primitive: latency change (dm-delay at the fabric level). */
  setLatency(ns: number): void {
    if (!(ns >= 0)) throw new RangeError(`latency must be >= 0: ${ns}`);
    this.#latencyNs = ns;
    this.hba.fabric.events.emit({ kind: "link-latency", link: this.name, ns });
  }

  onChange(fn: LinkListener): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Tells the transport the usability may have changed. */
  notify(): void {
    for (const l of this.#listeners) l(this);
  }
}

/** Listener for HBA presence changes (the SCSI layer adds/removes hosts). */
export type HbaListener = (hba: Hba) => void;

/**
 * The simulated hardware of one world: arrays, HBAs and the links between them. Owns ids,
 * the clock the hardware runs on and the event stream of every hardware change.
 */
export class Fabric {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly events = new Emitter<FabricEvent>();
  readonly arrays: StorageArray[] = [];
  readonly hbas: Hba[] = [];
  readonly links: Link[] = [];
  /** NVMe-oF target subsystems (nvmet), with their ports. */
  readonly nvmeSubsystems: NvmetSubsystem[] = [];
  #nextHba = 1;
  #nextLink = 1;
  readonly #hbaListeners = new Set<HbaListener>();

  constructor(clock: Clock, rng: Rng) {
    this.clock = clock;
    this.rng = rng;
  }

  addArray(array: StorageArray): StorageArray {
    if (this.arrays.some((a) => a.name === array.name)) throw new Error(`duplicate array name ${array.name}`);
    this.arrays.push(array);
    array.events.subscribe((e) => this.events.emit(e));
    array.onTopology(({ port }) => {
      if (port) for (const l of this.links) if (l.port === port) l.notify();
    });
    return array;
  }

  /** Builds an NVMe-oF target subsystem on the fabric's clock and event bus. */
  addNvmeSubsystem(o: Omit<NvmetSubsystemOptions, "clock" | "events">): NvmetSubsystem {
    if (this.nvmeSubsystems.some((s) => s.name === o.name))
      throw new Error(`duplicate NVMe subsystem ${o.name}`);
    const s = new NvmetSubsystem({ ...o, clock: this.clock, events: this.events });
    this.nvmeSubsystems.push(s);
    return s;
  }

  nvmeSubsystem(name: string): NvmetSubsystem | undefined {
    return this.nvmeSubsystems.find((s) => s.name === name);
  }

  array(name: string): StorageArray | undefined {
    return this.arrays.find((a) => a.name === name);
  }

  /** Plugs in an HBA. It becomes a SCSI host when its driver module is (or gets) loaded. */
  addHba(o: HbaOptions): Hba {
    if (this.hbas.some((h) => h.name === o.name)) throw new Error(`duplicate HBA name ${o.name}`);
    const h = new Hba(this, this.#nextHba++, o);
    this.hbas.push(h);
    for (const l of this.#hbaListeners) l(h);
    return h;
  }

  hba(name: string): Hba | undefined {
    return this.hbas.find((h) => h.name === name);
  }

  /** Connects an HBA port to a target port. */
  connect(hba: Hba, port: TargetPort, o: LinkOptions = {}): Link {
    const l = new Link(this.#nextLink++, hba, port, o);
    this.links.push(l);
    hba.links.push(l);
    return l;
  }

  link(name: string): Link | undefined {
    return this.links.find((l) => l.name === name);
  }

  /** Subscribes to HBA arrival and presence changes. */
  onHba(fn: HbaListener): () => void {
    this.#hbaListeners.add(fn);
    return () => this.#hbaListeners.delete(fn);
  }

  /** Called by an HBA when it is removed or re-inserted. */
  hbaChanged(hba: Hba): void {
    for (const l of hba.links) l.notify();
    for (const l of this.#hbaListeners) l(hba);
  }
}
