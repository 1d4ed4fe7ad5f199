import type { Clock, ReqOp } from "@mp/dm-core";
import { AnaState, anaIoStatus, anaStateName, NvmeStatusBits } from "../nvme/ana.js";
import type { ServiceModel } from "../timing/service-model.js";
import { DataStore } from "./data-store.js";
import { Emitter, type FabricEvent } from "./events.js";

/**
 * An NVMe over Fabrics target as Linux's nvmet models it: a subsystem (NQN, serial, model,
 * firmware) with namespaces (NSID, capacity, NGUID / EUI-64 / UUID, ANA group) exposed through
 * ports (transport address), each port with its own ANA state per ANA group
 * (`ports/<N>/ana_groups/<grp>/ana_state`), controller ids handed out at connect, and the
 * commands' outcome: the ANA gate of the namespace's group at the port the command came through,
 * then the medium.
 */

/** Transports of NVMe-oF (`trtype`). */
export type NvmeTransport = "tcp" | "rdma" | "fc" | "loop";

/** nvmet's `NVMET_MAX_ANAGRPS` (Identify Controller `NANAGRPID`). */
export const NVMET_MAX_ANAGRPS = 128;

/** Options of a namespace. */
export interface NvmetNamespaceOptions {
  readonly nsid: number;
  readonly bytes: number;
  /** LBA data size (nvmet: the backing device's logical block size). Default 512. */
  readonly blockSize?: number;
  /** `device_uuid` (canonical 8-4-4-4-12), null for none; default derived from the NQN and NSID. */
  readonly uuid?: string | null;
  /** `device_nguid`, 32 hex digits (dashes allowed), or null (default). */
  readonly nguid?: string | null;
  /** EUI-64, 16 hex digits, or null (default). */
  readonly eui64?: string | null;
  /** `ana_grpid` (default 1). */
  readonly anaGroup?: number;
  /** The medium's service (shared by every path), or null. */
  readonly service?: ServiceModel | null;
}

/** A namespace of an nvmet subsystem. */
export class NvmetNamespace {
  readonly subsys: NvmetSubsystem;
  readonly nsid: number;
  readonly blockSize: number;
  readonly uuid: string | null;
  readonly nguid: Uint8Array | null;
  readonly eui64: Uint8Array | null;
  readonly anaGroup: number;
  readonly store: DataStore;
  service: ServiceModel | null;
  #blocks: number;

  constructor(subsys: NvmetSubsystem, o: NvmetNamespaceOptions) {
    if (!(Number.isInteger(o.nsid) && o.nsid >= 1 && o.nsid < 0xffffffff))
      throw new RangeError(`${subsys.name}: nsid must be 1…0xfffffffe: ${o.nsid}`);
    const bs = o.blockSize ?? 512;
    if (![512, 1024, 2048, 4096].includes(bs)) throw new RangeError(`${subsys.name}: block size ${bs}`);
    if (!(Number.isSafeInteger(o.bytes) && o.bytes >= bs))
      throw new RangeError(`${subsys.name}: namespace ${o.nsid} needs at least one block`);
    this.subsys = subsys;
    this.nsid = o.nsid;
    this.blockSize = bs;
    this.#blocks = Math.floor(o.bytes / bs);
    this.uuid = o.uuid === undefined ? derivedUuid(`${subsys.nqn}/${o.nsid}`) : o.uuid;
    if (this.uuid !== null && !UUID_RE.test(this.uuid))
      throw new RangeError(`${subsys.name}: namespace ${o.nsid}: uuid "${this.uuid}" is not 8-4-4-4-12 hex`);
    this.nguid = o.nguid ? hexBytes(o.nguid, 16, "nguid") : null;
    this.eui64 = o.eui64 ? hexBytes(o.eui64, 8, "eui64") : null;
    this.anaGroup = o.anaGroup ?? 1;
    if (!(Number.isInteger(this.anaGroup) && this.anaGroup >= 1 && this.anaGroup <= NVMET_MAX_ANAGRPS))
      throw new RangeError(`${subsys.name}: ana_grpid must be 1…${NVMET_MAX_ANAGRPS}: ${this.anaGroup}`);
    this.store = new DataStore(this.#blocks * bs);
    this.service = o.service ?? null;
  }

  /** Capacity in LBAs (`NSZE`). */
  get blocks(): number {
    return this.#blocks;
  }
}

/** What changed at a port, for the controllers connected through it. */
export type NvmetPortChange =
  /** The port went dark or came back (nothing answers while dark). */
  | { readonly kind: "reachable"; readonly up: boolean }
  /** The subsystem was unlinked from / linked to the port: connections are reset at once. */
  | { readonly kind: "enabled"; readonly enabled: boolean }
  /** An ANA group's state changed here: an Asynchronous Event (ANA change notice). */
  | { readonly kind: "ana"; readonly group: number };

/** Options of a port. */
export interface NvmetPortOptions {
  /** Name in scenarios and reports (`p0`, `c1`). */
  readonly name: string;
  readonly trtype?: NvmeTransport;
  /** `addr_traddr` (an IP for tcp/rdma, `nn-0x…:pn-0x…` for fc). Default derived. */
  readonly traddr?: string;
  /** `addr_trsvcid` (tcp/rdma; default 4420 + port index). */
  readonly trsvcid?: string;
  /** The state every ANA group starts in at this port (default optimized). */
  readonly anaState?: AnaState;
  /** Queueing at the port (its queue pairs, its link), or null. */
  readonly service?: ServiceModel | null;
}

/** A target port (`nvmet_port`) with the subsystem linked to it. */
export class NvmetPort {
  readonly subsys: NvmetSubsystem;
  /** `portid` (configfs `ports/<N>`). */
  readonly id: number;
  readonly name: string;
  readonly trtype: NvmeTransport;
  readonly traddr: string;
  readonly trsvcid: string;
  service: ServiceModel | null;
  readonly #ana = new Map<number, AnaState>();
  readonly #anaTimers = new Map<number, number>();
  readonly #defaultAna: AnaState;
  readonly #listeners = new Set<(c: NvmetPortChange) => void>();
  #up = true;
  #enabled = true;

  constructor(subsys: NvmetSubsystem, id: number, o: NvmetPortOptions) {
    this.subsys = subsys;
    this.id = id;
    this.name = o.name;
    this.trtype = o.trtype ?? "tcp";
    this.traddr = o.traddr ?? defaultTraddr(this.trtype, subsys, id);
    this.trsvcid =
      o.trsvcid ?? (this.trtype === "tcp" || this.trtype === "rdma" ? String(4419 + id) : "none");
    this.#defaultAna = o.anaState ?? AnaState.OPTIMIZED;
    this.service = o.service ?? null;
  }

  /** The port answers (not dark). */
  get up(): boolean {
    return this.#up;
  }

  /** The subsystem is linked to the port (`ports/<N>/subsystems/<nqn>`). */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** A host can reach the subsystem through the port. */
  get reachable(): boolean {
    return this.#up && this.#enabled;
  }

  /** The ANA state of `group` at this port. */
  anaOf(group: number): AnaState {
    return this.#ana.get(group) ?? this.#defaultAna;
  }

  /**
   * Fault primitive: the port goes dark (a switch port, a cable) or comes back. Commands get no
   * answer; the host notices by its keep-alive timeout.
   */
  setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    this.subsys.events.emit({ kind: "port", array: this.subsys.name, port: this.name, up });
    this.#notify({ kind: "reachable", up });
  }

  /**
   * Fault primitive: nvmet unlinks the subsystem from the port (`rm ports/N/subsystems/<nqn>`) or
   * links it again. Unlinking resets the connections at once (the host starts error recovery
   * immediately); while unlinked a connect is refused (ECONNREFUSED).
   */
  setEnabled(enabled: boolean): void {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    this.subsys.events.emit({ kind: "port", array: this.subsys.name, port: this.name, up: enabled });
    this.#notify({ kind: "enabled", enabled });
  }

  /**
   * Fault primitive: the ANA state of `group` at this port (nvmet's configfs `ana_state`). With
   * `transitionNs` the group reports `change` meanwhile (an array moving ownership within its
   * ANATT); each change is announced to the connected controllers (ANA change notice).
   */
  setAnaState(group: number, state: AnaState, transitionNs = 0): void {
    const t = this.#anaTimers.get(group);
    if (t !== undefined) {
      this.subsys.clock.cancel(t);
      this.#anaTimers.delete(group);
    }
    if (transitionNs > 0 && state !== AnaState.CHANGE) {
      this.#setAna(group, AnaState.CHANGE);
      this.#anaTimers.set(
        group,
        this.subsys.clock.schedule(
          transitionNs,
          () => {
            this.#anaTimers.delete(group);
            this.#setAna(group, state);
          },
          undefined,
        ),
      );
      return;
    }
    this.#setAna(group, state);
  }

  #setAna(group: number, state: AnaState): void {
    if (this.anaOf(group) === state && this.#ana.has(group)) return;
    this.#ana.set(group, state);
    this.subsys.events.emit({
      kind: "ana",
      subsystem: this.subsys.name,
      port: this.name,
      group,
      state: anaStateName(state),
    });
    this.#notify({ kind: "ana", group });
  }

  /** Subscribes a connection to the port's changes. */
  onChange(fn: (c: NvmetPortChange) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #notify(c: NvmetPortChange): void {
    for (const l of [...this.#listeners]) l(c);
  }

  /** The ANA groups with a namespace, and their state here: what the ANA log page reports. */
  anaLog(): Array<{ group: number; state: AnaState; nsids: number[] }> {
    const groups = new Map<number, number[]>();
    for (const ns of this.subsys.namespaces) {
      let l = groups.get(ns.anaGroup);
      if (!l) groups.set(ns.anaGroup, (l = []));
      l.push(ns.nsid);
    }
    return [...groups.entries()]
      .sort(([a], [b]) => a - b)
      .map(([group, nsids]) => ({ group, state: this.anaOf(group), nsids: nsids.sort((a, b) => a - b) }));
  }

  /** Cancels pending transitions (world teardown). */
  stop(): void {
    for (const t of this.#anaTimers.values()) this.subsys.clock.cancel(t);
    this.#anaTimers.clear();
  }
}

/** Options of a subsystem. */
export interface NvmetSubsystemOptions {
  /** Name in scenarios and reports (`subsys0`). */
  readonly name: string;
  readonly clock: Clock;
  /** Subsystem NQN (default `nqn.2014-08.org.mp-sim:<name>`). */
  readonly nqn?: string;
  /** `attr_serial` (20 characters at most; default derived from the name). */
  readonly serial?: string;
  /** `attr_model` (40 characters at most; nvmet's default `Linux`). */
  readonly model?: string;
  /** Firmware revision (8 characters at most; nvmet reports its kernel release). */
  readonly firmwareRev?: string;
  /** PCI vendor id of Identify Controller (nvmet: 0). */
  readonly vendorId?: number;
  /** ANA Transition Time, seconds (Identify Controller `ANATT`; nvmet: 10). */
  readonly anattSecs?: number;
  /** The fabric's event bus. */
  readonly events?: Emitter<FabricEvent>;
}

/**
 * An NVMe subsystem of the target (`nvmet_subsys`): identity, namespaces, the ports it is
 * exposed on, controller ids, and the execution of I/O that reached one of its ports.
 */
export class NvmetSubsystem {
  readonly name: string;
  readonly nqn: string;
  readonly serial: string;
  readonly model: string;
  readonly firmwareRev: string;
  readonly vendorId: number;
  readonly anattSecs: number;
  readonly clock: Clock;
  readonly events: Emitter<FabricEvent>;
  readonly namespaces: NvmetNamespace[] = [];
  readonly ports: NvmetPort[] = [];
  /** `attr_cntlid_min`/`attr_cntlid_max`. */
  readonly cntlidMin = 1;
  readonly cntlidMax = 65519;
  readonly #cntlids = new Set<number>();

  constructor(o: NvmetSubsystemOptions) {
    this.name = o.name;
    this.clock = o.clock;
    this.nqn = o.nqn ?? `nqn.2014-08.org.mp-sim:${o.name}`;
    if (this.nqn.length > 223) throw new RangeError(`${o.name}: an NQN has at most 223 bytes`);
    this.serial = o.serial ?? derivedSerial(this.nqn);
    if (this.serial.length > 20)
      throw new RangeError(`${o.name}: serial "${this.serial}" is over 20 characters`);
    this.model = o.model ?? "Linux";
    if (this.model.length > 40)
      throw new RangeError(`${o.name}: model "${this.model}" is over 40 characters`);
    this.firmwareRev = o.firmwareRev ?? "6.1.0-mp";
    if (this.firmwareRev.length > 8)
      throw new RangeError(`${o.name}: firmware revision is over 8 characters`);
    this.vendorId = o.vendorId ?? 0;
    this.anattSecs = o.anattSecs ?? 10;
    this.events = o.events ?? new Emitter<FabricEvent>();
  }

  addNamespace(o: NvmetNamespaceOptions): NvmetNamespace {
    if (this.namespaces.some((n) => n.nsid === o.nsid))
      throw new Error(`${this.name}: duplicate namespace ${o.nsid}`);
    const ns = new NvmetNamespace(this, o);
    this.namespaces.push(ns);
    this.namespaces.sort((a, b) => a.nsid - b.nsid);
    return ns;
  }

  namespace(nsid: number): NvmetNamespace | undefined {
    return this.namespaces.find((n) => n.nsid === nsid);
  }

  addPort(o: NvmetPortOptions): NvmetPort {
    if (this.ports.some((p) => p.name === o.name)) throw new Error(`${this.name}: duplicate port ${o.name}`);
    const p = new NvmetPort(this, this.ports.length + 1, o);
    this.ports.push(p);
    return p;
  }

  port(name: string): NvmetPort | undefined {
    return this.ports.find((p) => p.name === name);
  }

  /** A controller id for a new association (`nvmet_alloc_ctrl`: the lowest free one). */
  allocCntlid(): number {
    for (let id = this.cntlidMin; id <= this.cntlidMax; id++)
      if (!this.#cntlids.has(id)) {
        this.#cntlids.add(id);
        return id;
      }
    throw new Error(`${this.name}: no controller id left`);
  }

  freeCntlid(id: number): void {
    this.#cntlids.delete(id);
  }

  /**
   * Time the command spends at the port and on the medium (the port's queue, then the
   * namespace's), ns. Reserves both.
   */
  serviceNs(
    port: NvmetPort,
    ns: NvmetNamespace,
    op: ReqOp,
    bytes: number,
    sector: number,
    now: number,
  ): number {
    let t = port.service ? port.service.serviceNs(op, bytes, sector, now) : 0;
    if (ns.service) t += ns.service.serviceNs(op, bytes, sector, now + t);
    return t;
  }

  /**
   * Executes a read or write that reached `port`: the ANA state of the namespace's group there
   * decides (nvmet's `nvmet_check_ana_state`), then the LBA range, then the medium. Returns the
   * NVMe status field (0: success), errors with the MORE bit nvmet sets.
   */
  execute(
    port: NvmetPort,
    ns: NvmetNamespace,
    write: boolean,
    offBytes: number,
    lenBytes: number,
    data: Uint8Array | null,
  ): number {
    const ana = anaIoStatus(port.anaOf(ns.anaGroup));
    if (ana !== 0) return ana | NvmeStatusBits.MORE;
    if (offBytes + lenBytes > ns.blocks * ns.blockSize)
      return 0x80 | NvmeStatusBits.MORE | NvmeStatusBits.DNR;
    if (data && lenBytes > 0) {
      const n = Math.min(lenBytes, data.length);
      if (write) ns.store.write(offBytes, n, data, 0);
      else ns.store.read(offBytes, n, data, 0);
    }
    return 0;
  }

  stop(): void {
    for (const p of this.ports) p.stop();
  }
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function hexBytes(hex: string, n: number, what: string): Uint8Array {
  const h = hex.replace(/[-:]/g, "");
  if (!new RegExp(`^[0-9a-fA-F]{${2 * n}}$`).test(h))
    throw new RangeError(`${what} "${hex}" is not ${2 * n} hex digits`);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return b;
}

/** FNV-1a, for stable made-up identities. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** A version-4-shaped UUID derived from `key` (nvmet generates a random one per namespace). */
function derivedUuid(key: string): string {
  const w = [0, 1, 2, 3].map((i) => fnv(`${key}#${i}`).toString(16).padStart(8, "0")).join("");
  const v = `${w.slice(0, 12)}4${w.slice(13, 16)}${((Number.parseInt(w[16]!, 16) & 3) | 8).toString(16)}${w.slice(17)}`;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20, 32)}`;
}

/** nvmet's default serial: 16 hex digits (random there, derived here). */
function derivedSerial(nqn: string): string {
  return `${fnv(nqn).toString(16).padStart(8, "0")}${fnv(`${nqn}/serial`).toString(16).padStart(8, "0")}`;
}

function defaultTraddr(t: NvmeTransport, subsys: NvmetSubsystem, id: number): string {
  switch (t) {
    case "tcp":
    case "rdma":
      return `192.168.${100 + (fnv(subsys.name) % 100)}.${id}`;
    case "fc": {
      const h = fnv(subsys.name).toString(16).padStart(8, "0");
      return `nn-0x20000090fa${h.slice(0, 6)}:pn-0x10000090fa${h.slice(2, 6)}${id.toString(16).padStart(2, "0")}`;
    }
    case "loop":
      return "";
  }
}
