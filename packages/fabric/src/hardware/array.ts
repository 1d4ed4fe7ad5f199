import type { Clock, Designator, Rng } from "@mp/dm-core";
import type { Personality } from "../target/personality.js";
import type { ServiceModel } from "../timing/service-model.js";
import {
  Aas,
  AasSupport,
  type AluaEffect,
  type AluaStateName,
  aasFromName,
  aasName,
  aluaTransition,
  type TpgState,
  TpgStatus,
} from "./alua.js";
import { DataStore } from "./data-store.js";
import { Emitter, type FabricEvent } from "./events.js";
import { FaultList, type FaultSpec } from "./fault.js";
import { firstUa, nexusInitiator, nexusKey, nexusRelPort, Ua } from "./unit-attention.js";

/** The initiator side of an I_T nexus, as a target sees it. */
export interface InitiatorRef {
  /** Fabric-unique initiator port id. */
  readonly id: number;
  /**
   * The Linux host number of the initiator's SCSI host (only scsi_debug, which is both the
   * initiator and the target, derives identities from it), or -1 when not attached.
   */
  readonly hostNo: number;
  /** Port name (WWPN, iSCSI initiator name), for reports. */
  readonly name: string;
}

/** A target port: one end of a path, member of one target port group. */
export class TargetPort {
  readonly array: StorageArray;
  /** Relative target port identifier (VPD 0x83 type 4). */
  readonly relPortId: number;
  readonly name: string;
  /** Port identifier (FC WWPN / NAA), 64 bits. */
  readonly wwpn: bigint;
  readonly group: TargetPortGroup;
  /** Per-port service model (queueing in the port), or null for none. */
  service: ServiceModel | null;
  #up = true;

  constructor(array: StorageArray, relPortId: number, name: string, wwpn: bigint, group: TargetPortGroup) {
    this.array = array;
    this.relPortId = relPortId;
    this.name = name;
    this.wwpn = wwpn;
    this.group = group;
    this.service = null;
  }

  get up(): boolean {
    return this.#up;
  }

  /** Fault primitive: the port goes dark (cable pull, SP reboot) or comes back. */
  setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    this.array.events.emit({ kind: "port", array: this.array.name, port: this.name, up });
    this.array.portStateChanged(this);
  }
}

/** A target port group (SPC-5 5.16.3): ports that share an asymmetric access state. */
export class TargetPortGroup {
  readonly id: number;
  readonly ports: TargetPort[] = [];
  /** Supported states (RTPG byte 1). */
  supported: number;

  constructor(id: number, supported: number = AasSupport.ALL) {
    this.id = id;
    this.supported = supported;
  }
}

/** How the array moves other groups when one is made active/optimized. */
export type AluaMode = "active-active" | "active-passive";

/** Options of an ALUA domain. */
export interface AluaDomainOptions {
  readonly name: string;
  /** Implicit (array-managed) transitions (TPGS bit 0). */
  readonly implicit: boolean;
  /** Explicit transitions by SET TARGET PORT GROUPS (TPGS bit 1). */
  readonly explicit: boolean;
  /** Time a transition spends in `transitioning`, ns. */
  readonly transitionNs: number;
  readonly mode: AluaMode;
  /** Implicit transition time reported in the RTPG extended header, seconds. */
  readonly implicitTransitionSecs: number;
  /**
   * Whether an STPG that makes one group active/optimized also moves the groups that were
   * active/optimized (to standby in an active-passive domain, active/non-optimized in an
   * active-active one), as arrays that move LUN ownership do. LIO does not: it changes only
   * the groups the STPG names (the kernel lab: after scsi_dh_alua's STPG through group B, group
   * A stays active/optimized). Default false.
   */
  readonly stpgMovesOthers?: boolean;
  /**
   * Whether SET TARGET PORT GROUPS completes only once its transition is done, as LIO's does
   * (it sleeps `trans_delay_msecs` in the command): the RTPG that follows sees the new state.
   * Otherwise it completes at once and the group reports `transitioning` meanwhile. Default false.
   */
  readonly stpgWaitsTransition?: boolean;
}

/**
 * A logical-unit group (SPC-5): LUs that share their target port groups' asymmetric access
 * states. Holds the per-group state, runs transitions on the clock and raises the UNIT
 * ATTENTIONs that announce them.
 */
export class AluaDomain {
  readonly options: AluaDomainOptions;
  readonly #array: StorageArray;
  readonly #states = new Map<number, TpgState>();
  /** The same states for group ids below 1024, by id: an element load per command. */
  readonly #byId: (TpgState | undefined)[] = [];
  readonly #timers = new Map<number, number>();
  readonly lus = new Set<LogicalUnit>();
  /**
   * Counts the changes of any group's state: a reader may keep what it derived from
   * {@link AluaDomain.state} for as long as the generation is the same.
   */
  generation = 0;
  /** Nexus that sent the STPG now being applied (spared the UA). */
  #stpgNexus = -1;
  /** Per group in transition after an STPG: the nexus that asked (spared when it completes). */
  readonly #stpgPending = new Map<number, number>();

  constructor(array: StorageArray, options: AluaDomainOptions) {
    this.#array = array;
    this.options = options;
  }

  /** Sets a group's initial state without transitions or UAs (building the array). */
  init(groupId: number, state: AluaStateName, preferred = false): void {
    this.#setState(groupId, { aas: aasFromName(state), preferred, status: TpgStatus.NONE, pending: null });
  }

  #setState(groupId: number, st: TpgState): void {
    this.generation++;
    this.#states.set(groupId, st);
    if ((groupId & 1023) === groupId) this.#byId[groupId] = st;
  }

  state(groupId: number): TpgState {
    return (
      ((groupId & 1023) === groupId ? this.#byId[groupId] : this.#states.get(groupId)) ?? {
        aas: Aas.UNAVAILABLE,
        preferred: false,
        status: TpgStatus.NONE,
        pending: null,
      }
    );
  }

  /**
   * Fault primitive / array behaviour: an implicit transition of one group (controller failover,
   * array-side rebalancing). With `delayNs` the group is `transitioning` meanwhile.
   */
  setState(groupId: number, state: AluaStateName, delayNs = this.options.transitionNs): void {
    this.#apply(groupId, { kind: "set", to: aasFromName(state), explicit: false, delayNs }, "implicit");
  }

  /** Fault primitive: flips the preferred bit (PREF) of a group. */
  setPreferred(groupId: number, preferred: boolean): void {
    this.#apply(groupId, { kind: "set-preferred", preferred }, "implicit");
  }

  /**
   * SET TARGET PORT GROUPS from the I_T nexus `nexus`: applies each requested state. With
   * {@link AluaDomainOptions.stpgMovesOthers} the groups that were active/optimized go to
   * standby (active-passive domain) or active/non-optimized (active-active).
   */
  applyStpg(requests: ReadonlyArray<{ group: number; aas: Aas }>, nexus: number): void {
    this.#stpgNexus = nexus;
    try {
      const delay = this.options.transitionNs;
      for (const r of requests) {
        if (r.aas === Aas.ACTIVE_OPTIMIZED && this.options.stpgMovesOthers) {
          for (const [gid, st] of this.#states) {
            if (gid === r.group || requests.some((q) => q.group === gid)) continue;
            const cur = st.pending ? st.pending.to : st.aas;
            if (cur === Aas.ACTIVE_OPTIMIZED) {
              // The array's own consequence of the STPG: an implicit change of that group.
              const to = this.options.mode === "active-passive" ? Aas.STANDBY : Aas.ACTIVE_NON_OPTIMIZED;
              this.#apply(gid, { kind: "set", to, explicit: false, delayNs: delay }, "stpg");
            }
          }
        }
        this.#apply(r.group, { kind: "set", to: r.aas, explicit: true, delayNs: delay }, "stpg");
      }
    } finally {
      this.#stpgNexus = -1;
    }
  }

  #apply(
    groupId: number,
    e: Parameters<typeof aluaTransition>[1],
    cause: "stpg" | "implicit" | "transition-done",
  ) {
    const before = this.state(groupId);
    const [after, effects] = aluaTransition(before, e);
    this.#setState(groupId, after);
    if (e.kind === "set") {
      if (after.pending && e.explicit) this.#stpgPending.set(groupId, this.#stpgNexus);
      else this.#stpgPending.delete(groupId);
    }
    this.#run(groupId, effects);
    if (after !== before)
      this.#array.events.emit({
        kind: "alua",
        array: this.#array.name,
        group: groupId,
        luGroup: this.options.name,
        state: aasName(after.aas),
        preferred: after.preferred,
        cause,
      });
  }

  #run(groupId: number, effects: readonly AluaEffect[]): void {
    for (const fx of effects) {
      switch (fx.kind) {
        case "cancel-timer": {
          const h = this.#timers.get(groupId);
          if (h !== undefined) this.#array.clock.cancel(h);
          this.#timers.delete(groupId);
          break;
        }
        case "schedule-done": {
          const h = this.#array.clock.schedule(fx.delayNs, (gid: number) => this.#done(gid), groupId);
          this.#timers.set(groupId, h);
          break;
        }
        case "unit-attention":
          this.#queueStateChangeUa(groupId, fx.exceptInitiator ? this.#stpgNexus : -1);
          break;
        default: {
          const never: never = fx;
          throw new Error(`unhandled ${String(never)}`);
        }
      }
    }
  }

  #done(groupId: number): void {
    this.#timers.delete(groupId);
    const nexus = this.#stpgPending.get(groupId);
    this.#stpgPending.delete(groupId);
    this.#stpgNexus = nexus ?? -1;
    try {
      this.#apply(groupId, { kind: "transition-done" }, "transition-done");
    } finally {
      this.#stpgNexus = -1;
    }
  }

  /**
   * ASYMMETRIC ACCESS STATE CHANGED for a group's new state, as LIO queues it
   * (`core_alua_queue_state_change_ua`): on the I_T nexuses through the ports of that group;
   * after an STPG not on the port it came through, nor for the initiator that sent it.
   */
  #queueStateChangeUa(groupId: number, stpgNexus: number): void {
    const stpgPort = stpgNexus >= 0 ? nexusRelPort(stpgNexus) : -1;
    const stpgInitiator = stpgNexus >= 0 ? nexusInitiator(stpgNexus) : -1;
    const ports = new Set<number>();
    for (const p of this.#array.ports) if (p.group.id === groupId) ports.add(p.relPortId);
    for (const lu of this.lus)
      lu.raiseUaWhere(Ua.ASYMMETRIC_ACCESS_STATE_CHANGED, (key) => {
        const port = nexusRelPort(key);
        return ports.has(port) && port !== stpgPort && nexusInitiator(key) !== stpgInitiator;
      });
  }
}

/** Identity of a logical unit. */
export interface LuIdentity {
  /** Unit serial number (VPD 0x80). */
  readonly serial: string;
  /** Designators of the LU association for VPD 0x83 (NAA, T10 vendor id, EUI-64, SCSI name). */
  readonly designators: readonly Designator[];
}

/** Options of a logical unit. */
export interface LogicalUnitOptions {
  readonly name: string;
  /** Default LUN number when mapped. */
  readonly lun: number;
  readonly identity: LuIdentity;
  /** Capacity in logical blocks. */
  readonly blocks: number;
  /** Logical block size, bytes. Default 512. */
  readonly blockSize?: number;
  /** Shared medium (scsi_debug shares one store); default: a private store of the LU's size. */
  readonly store?: DataStore;
  readonly alua?: AluaDomain;
  readonly service?: ServiceModel | null;
  readonly rng?: Rng;
}

/** A logical unit: identity, capacity, medium, per-nexus unit attentions, faults. */
export class LogicalUnit {
  readonly array: StorageArray;
  readonly name: string;
  readonly lun: number;
  identity: LuIdentity;
  readonly blockSize: number;
  readonly store: DataStore;
  readonly alua: AluaDomain | null;
  readonly faults: FaultList;
  service: ServiceModel | null;
  /** Write protect (MODE SENSE WP bit, DATA PROTECT on writes). */
  writeProtected = false;
  /** START STOP UNIT state: true when stopped (NOT READY 04/02). */
  stopped = false;
  /** Vendor ownership state (which SP/controller owns the LU), used by emc/rdac/hp_sw personalities. */
  owner = 0;
  /** Preferred (default) owner. */
  defaultOwner = 0;
  /** SCSI-2 RESERVE holder (nexus key), or -1. */
  reservedBy = -1;
  #blocks: number;
  /**
   * Pending unit attentions per I_T nexus. A nexus, once known, stays (its record too, so a
   * path's context may keep the record: {@link TargetContext.uaMemo}).
   */
  readonly #ua = new Map<number, NexusUa>();

  constructor(array: StorageArray, o: LogicalUnitOptions) {
    this.array = array;
    this.name = o.name;
    this.lun = o.lun;
    this.identity = o.identity;
    this.blockSize = o.blockSize ?? 512;
    if (!(Number.isSafeInteger(o.blocks) && o.blocks > 0))
      throw new RangeError(`${o.name}: blocks must be > 0`);
    this.#blocks = o.blocks;
    this.store = o.store ?? new DataStore(o.blocks * this.blockSize);
    this.alua = o.alua ?? null;
    this.alua?.lus.add(this);
    this.faults = new FaultList(o.rng);
    this.service = o.service ?? null;
  }

  /** Capacity in logical blocks. */
  get blocks(): number {
    return this.#blocks;
  }

  /** Fault primitive: resize (thin LUN grow/shrink); raises CAPACITY DATA HAS CHANGED. */
  resize(blocks: number): void {
    if (!(Number.isSafeInteger(blocks) && blocks > 0))
      throw new RangeError(`${this.name}: blocks must be > 0`);
    if (blocks === this.#blocks) return;
    this.#blocks = blocks;
    this.raiseUaAll(Ua.CAPACITY_CHANGED);
    this.array.events.emit({ kind: "lun-resize", array: this.array.name, lu: this.name, blocks });
  }

  /** Fault primitive: injects an error/timeout/delay rule; returns its id. */
  injectFault(spec: FaultSpec): number {
    const id = this.faults.add(spec);
    this.array.events.emit({ kind: "fault", array: this.array.name, lu: this.name, id, added: true });
    return id;
  }

  clearFault(id: number): boolean {
    const ok = this.faults.remove(id);
    if (ok)
      this.array.events.emit({ kind: "fault", array: this.array.name, lu: this.name, id, added: false });
    return ok;
  }

  /** Registers an I_T nexus (first contact, re-login) with its initial unit attention. */
  addNexus(key: number, ua: Ua | null): void {
    const add = ua === null ? 0 : 1 << ua;
    const n = this.#ua.get(key);
    if (n) n.bits |= add;
    else this.#ua.set(key, new NexusUa(this, add));
  }

  hasNexus(key: number): boolean {
    return this.#ua.has(key);
  }

  /**
   * The unit attentions of a nexus, registering it on first contact with `initialUa` (what
   * `hasNexus` + `addNexus` do, in one lookup). The record stays the nexus's for the LU's life.
   */
  nexusUa(key: number, initialUa: Ua | null): NexusUa {
    let n = this.#ua.get(key);
    if (!n) {
      n = new NexusUa(this, initialUa === null ? 0 : 1 << initialUa);
      this.#ua.set(key, n);
    }
    return n;
  }

  /** Queues a unit attention for one nexus. */
  raiseUa(key: number, ua: Ua): void {
    const n = this.#ua.get(key);
    if (n) n.bits |= 1 << ua;
    else this.#ua.set(key, new NexusUa(this, 1 << ua));
  }

  /** Queues a unit attention on the known nexuses `which` selects. */
  raiseUaWhere(ua: Ua, which: (key: number) => boolean): void {
    for (const [k, n] of this.#ua) if (which(k)) n.bits |= 1 << ua;
  }

  /** Queues a unit attention on every known nexus except `exceptKey`. */
  raiseUaAll(ua: Ua, exceptKey = -1): void {
    for (const [k, n] of this.#ua) if (k !== exceptKey) n.bits |= 1 << ua;
  }

  /** Takes the highest-priority pending UA of a nexus, or -1. */
  takeUa(key: number): number {
    return this.#ua.get(key)?.take() ?? -1;
  }

  pendingUa(key: number): number {
    return this.#ua.get(key)?.bits ?? 0;
  }

  /** Clears one condition on every nexus (SPC-4 LUNS CHANGED is reported once per target). */
  clearUaAll(ua: Ua): void {
    for (const n of this.#ua.values()) n.bits &= ~(1 << ua);
  }
}

/** The unit attention conditions pending on one I_T nexus of a LU: a bit per {@link Ua}. */
export class NexusUa {
  /** The LU whose record it is. */
  readonly lu: LogicalUnit;
  bits: number;

  constructor(lu: LogicalUnit, bits: number) {
    this.lu = lu;
    this.bits = bits;
  }

  /** Takes the highest-priority pending condition, or -1. */
  take(): number {
    const bits = this.bits;
    const ua = firstUa(bits);
    if (ua >= 0) this.bits = bits & ~(1 << ua);
    return ua;
  }
}

/** Options of a storage array. */
export interface StorageArrayOptions {
  readonly name: string;
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
  readonly personality: Personality;
  readonly clock: Clock;
  /** The fabric's event bus (each array may also be used stand-alone). */
  readonly events?: Emitter<FabricEvent>;
  /** Descriptor-format sense (D_SENSE). Default false. */
  readonly descriptorSense?: boolean;
  /** Target device NAA identifier (VPD 0x83 target device designator). */
  readonly deviceId?: bigint;
}

/** Listener for port and LUN-map changes (the fabric's links subscribe). */
export type ArrayTopologyListener = (what: { port?: TargetPort; lun?: LogicalUnit }) => void;

/**
 * A storage array: identity, target ports grouped into target port groups, logical units and
 * their mapping to LUN numbers per port, a personality that answers vendor-specific questions.
 */
export class StorageArray {
  readonly name: string;
  vendor: string;
  product: string;
  revision: string;
  readonly personality: Personality;
  readonly clock: Clock;
  readonly events: Emitter<FabricEvent>;
  readonly descriptorSense: boolean;
  readonly deviceId: bigint;
  /** Service time of a non-media command (INQUIRY, TUR, RTPG …), ns. */
  controlCommandNs = 50_000;
  readonly ports: TargetPort[] = [];
  readonly groups: TargetPortGroup[] = [];
  readonly lus: LogicalUnit[] = [];
  /** LUN mapping per relative port: lun number → LU. */
  readonly #maps = new Map<number, Map<number, LogicalUnit>>();
  #mapGeneration = 0;
  readonly #topology = new Set<ArrayTopologyListener>();

  constructor(o: StorageArrayOptions) {
    this.name = o.name;
    this.vendor = o.vendor;
    this.product = o.product;
    this.revision = o.revision;
    this.personality = o.personality;
    this.clock = o.clock;
    this.events = o.events ?? new Emitter<FabricEvent>();
    this.descriptorSense = o.descriptorSense ?? false;
    this.deviceId = o.deviceId ?? 0n;
  }

  addGroup(id: number, supported: number = AasSupport.ALL): TargetPortGroup {
    if (this.groups.some((g) => g.id === id))
      throw new Error(`${this.name}: duplicate target port group ${id}`);
    const g = new TargetPortGroup(id, supported);
    this.groups.push(g);
    return g;
  }

  addPort(relPortId: number, name: string, wwpn: bigint, group: TargetPortGroup): TargetPort {
    if (this.ports.some((p) => p.relPortId === relPortId))
      throw new Error(`${this.name}: duplicate relative port id ${relPortId}`);
    const p = new TargetPort(this, relPortId, name, wwpn, group);
    group.ports.push(p);
    this.ports.push(p);
    this.#maps.set(relPortId, new Map());
    this.#mapGeneration++;
    return p;
  }

  /** Creates a LU and maps it at its LUN number on every port (or the given ones). */
  addLu(o: Omit<LogicalUnitOptions, "name"> & { name?: string }, ports?: readonly TargetPort[]): LogicalUnit {
    const lu = new LogicalUnit(this, { ...o, name: o.name ?? `${this.name}/lun${o.lun}` });
    this.lus.push(lu);
    for (const p of ports ?? this.ports) this.#maps.get(p.relPortId)!.set(o.lun, lu);
    this.#mapGeneration++;
    return lu;
  }

  /** Maps `lu` at `lun` behind `port` while building the array (no unit attention). */
  map(lu: LogicalUnit, port: TargetPort, lun = lu.lun): void {
    this.#maps.get(port.relPortId)!.set(lun, lu);
    this.#mapGeneration++;
  }

  /**
   * Changes whenever the LUN mapping of any port changes: a path that looked its LU up may keep
   * the answer for as long as the generation stays the same (one compare per command instead
   * of two Map lookups).
   */
  get mapGeneration(): number {
    return this.#mapGeneration;
  }

  /** The LU at `lun` behind `port`, or null (not mapped). */
  lookup(port: TargetPort, lun: number): LogicalUnit | null {
    return this.#maps.get(port.relPortId)?.get(lun) ?? null;
  }

  /** LUN numbers mapped behind a port, ascending. */
  lunsOf(port: TargetPort): number[] {
    return [...(this.#maps.get(port.relPortId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /**
   * Fault primitive: LUN masking change. Unmapping makes the LUN answer LOGICAL UNIT NOT
   * SUPPORTED (05/25/00) through those ports; every other LU behind the port gets REPORTED LUNS
   * DATA HAS CHANGED.
   */
  setMapped(lu: LogicalUnit, mapped: boolean, ports: readonly TargetPort[] = this.ports, lun = lu.lun): void {
    for (const p of ports) {
      const m = this.#maps.get(p.relPortId)!;
      if (mapped) m.set(lun, lu);
      else if (m.get(lun) === lu) m.delete(lun);
      this.#mapGeneration++;
      for (const other of m.values()) if (other !== lu) other.raiseUaAll(Ua.LUNS_CHANGED);
    }
    this.events.emit({ kind: "lun-map", array: this.name, lu: lu.name, mapped });
    for (const l of this.#topology) l({ lun: lu });
  }

  /** Subscribes to port up/down and LUN map changes. */
  onTopology(fn: ArrayTopologyListener): () => void {
    this.#topology.add(fn);
    return () => this.#topology.delete(fn);
  }

  /** Called by a port when its state changes. */
  portStateChanged(port: TargetPort): void {
    for (const l of this.#topology) l({ port });
  }

  /** Nexus key helper for this array. */
  nexus(initiator: InitiatorRef, port: TargetPort): number {
    return nexusKey(initiator.id, port.relPortId);
  }
}
