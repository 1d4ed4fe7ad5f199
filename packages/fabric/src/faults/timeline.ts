import { type Clock, type DmControl, HostStatus, SamStatus } from "@mp/dm-core";
import type { AluaStateName } from "../hardware/alua.js";
import type { LogicalUnit, StorageArray, TargetPort } from "../hardware/array.js";
import type { Fabric, Hba, Link } from "../hardware/fabric.js";
import type { FaultMatch, FaultSpec } from "../hardware/fault.js";
import type { NvmetPort, NvmetSubsystem } from "../hardware/nvme-target.js";
import { type AnaStateName, anaStateFromName } from "../nvme/ana.js";
import type { NvmeCore } from "../nvme/nvme-core.js";
import type { NvmeCtrl } from "../nvme/nvme-ctrl.js";
import type { SenseSpec } from "../scsi/sense.js";
import { QueueingResource } from "../timing/queueing-resource.js";
import type { ServiceModel } from "../timing/service-model.js";

/**
 * The fault timeline: hardware failures and changes at chosen virtual times, each built on a
 * fault primitive of the hardware model. Every kind has a kernel precedent — the tool a kernel
 * developer would use to cause the same thing on a real machine:
 *
 * | kind | what happens | kernel precedent |
 * |---|---|---|
 * | `port` down/up | a target port goes dark / returns (an NVMe host notices by its keep-alive timeout) | a switch port down; `iptables -j DROP` on the NVMe/TCP port |
 * | `port` disable/enable | the target ends the port's associations at once / takes new ones | nvmet unlinking `ports/N/subsystems/<nqn>` (ECONNREFUSED on reconnect), LIO `tpgt/enable 0` |
 * | `controller` down/up | every port of one controller (target port group) | an SP reboot; nvmet / LIO disabling every port of a TPG |
 * | `link` down/up | one initiator–target link (cable, zone, session) | FC zoning change, `iscsiadm -m session -u`, pulling a cable |
 * | `link-flap` | the link goes down and up `count` times, down `(1-duty)·period` each time | dm-flakey `up_interval`/`down_interval` |
 * | `latency` | added (or set) delay of a link, port or LUN | dm-delay; `tc qdisc … netem delay` on an iSCSI/NVMe-TCP path |
 * | `slowdown` | a port's or LUN's service times multiplied | dm-delay with proportional delay; a degraded array controller |
 * | `error` | CHECK CONDITION with chosen sense for matching commands | scsi_debug `opts`/`every_nth` (medium, recovered errors), dm-flakey `error_reads`/`error_writes` |
 * | `busy` | BUSY / TASK SET FULL / RESERVATION CONFLICT status | scsi_debug `every_nth` with host-busy / TASK SET FULL opts |
 * | `timeout` | the target never answers matching commands | scsi_debug `every_nth` + `opts=4` (timeout) |
 * | `transport-error` | the command fails in the transport with a host byte | scsi_debug `opts=0x10` (transport errors) |
 * | `corrupt` / `drop-writes` | reads return a flipped byte / writes are not stored | dm-flakey `corrupt_bio_byte` / `drop_writes` |
 * | `alua` | an implicit ALUA transition of a target port group | LIO `alua/<tg_pt_gp>/alua_access_state`; a controller failover |
 * | `ana` | an ANA group changes state, the host reads the ANA log | nvmet `ana_groups/<grp>/ana_state` |
 * | `lun-map` | a LUN is masked (unmapped) or mapped through ports | LIO LUN ACL removal; scsi_debug `max_luns` change with REPORTED LUNS DATA HAS CHANGED |
 * | `lun-resize` | capacity change with CAPACITY DATA HAS CHANGED | scsi_debug `virtual_gb` change; LIO backstore resize |
 * | `hba` remove/add | an HBA is hot-removed / re-inserted, with the SCSI host's uevents | PCI hot-unplug (`/sys/bus/pci/devices/…/remove`, `rescan`); scsi_debug `add_host=-1`/`1` |
 * | `hba-new` | a new HBA is plugged in and connected | scsi_debug `add_host=1` |
 * | `dm-message` | a message to a map (`fail_path`, `switch_group` …) | `dmsetup message` |
 */
export type TimelineAction =
  | {
      readonly kind: "port";
      readonly port: string;
      readonly up: boolean;
      /**
       * `dark` (default): nothing answers, the host notices by timeouts. `disable`: the target
       * ends the associations at once (nvmet unlinking the subsystem from the port; LIO
       * disabling the TPG), and refuses new ones.
       */
      readonly how?: "dark" | "disable";
    }
  | { readonly kind: "controller"; readonly controller: string; readonly up: boolean }
  | { readonly kind: "link"; readonly link: string; readonly up: boolean }
  | {
      readonly kind: "link-flap";
      readonly link: string;
      readonly periodNs: number;
      /** Fraction of each period the link is up. */
      readonly duty: number;
      readonly count: number;
    }
  | {
      readonly kind: "latency";
      readonly target: TimelineTarget;
      /** Set the latency to this (links only); exclusive with addNs. */
      readonly setNs: number | null;
      /** Add this on top (links: to the latency; ports/LUNs: extra service latency). */
      readonly addNs: number | null;
    }
  | { readonly kind: "slowdown"; readonly target: TimelineTarget; readonly factor: number }
  | {
      readonly kind: "inject";
      readonly label: InjectLabel;
      readonly lun: string;
      readonly spec: FaultSpec;
      /** Port references restricting the fault (resolved to relative port ids). */
      readonly ports: readonly string[];
      /** HBA names restricting the fault (resolved to initiator ids). */
      readonly hbas: readonly string[];
    }
  | { readonly kind: "clear-faults"; readonly lun: string }
  | {
      readonly kind: "alua";
      /** `array:lun` or `array` (every LUN of the array). */
      readonly lun: string;
      /** Target port group: a controller letter (`A`) or a TPG id. */
      readonly group: string;
      readonly state: AluaStateName;
      readonly transitionNs: number | null;
    }
  | {
      readonly kind: "ana";
      readonly subsystem: string;
      readonly group: number;
      /** Controllers (ports) the change is seen through; empty = all. */
      readonly controllers: readonly string[];
      readonly state: AnaStateName;
    }
  | {
      readonly kind: "lun-map";
      readonly lun: string;
      readonly mapped: boolean;
      readonly ports: readonly string[];
    }
  | { readonly kind: "lun-resize"; readonly lun: string; readonly bytes: number }
  | { readonly kind: "hba"; readonly hba: string; readonly present: boolean }
  | {
      readonly kind: "hba-new";
      readonly hba: string;
      readonly driver: string;
      readonly ports: readonly string[];
    }
  | { readonly kind: "dm-message"; readonly map: string; readonly message: string };

/** Which injected-fault family an `inject` action is (for reports and the precedent table). */
export type InjectLabel = "error" | "busy" | "timeout" | "transport-error" | "corrupt" | "drop-writes";

/** A link, port or LUN named by a latency or slowdown fault. */
export type TimelineTarget =
  | { readonly link: string }
  | { readonly port: string }
  | { readonly lun: string }
  | { readonly controller: string };

/** One entry of a timeline. */
export interface TimelineEvent {
  /** Virtual time from the start of the run, ns. */
  readonly atNs: number;
  readonly action: TimelineAction;
  /** Undo the fault this long after it was applied (null: it stays). */
  readonly forNs: number | null;
  /** What the scenario file said, for reports (`port_down array0:A0`). */
  readonly text: string;
  /** Index in the scenario's `faults:` list. */
  readonly index: number;
}

/** What happened when an event ran. */
export interface TimelineLogEntry {
  readonly tNs: number;
  readonly index: number;
  readonly text: string;
  /** "apply", "revert", or a link-flap step. */
  readonly phase: "apply" | "revert" | "flap-down" | "flap-up";
  /** Null when it worked; else why not (a reference that no longer exists, a refused message). */
  readonly error: string | null;
}

/** The world a timeline acts on. */
export interface FaultWorld {
  readonly clock: Clock;
  readonly fabric: Fabric;
  /** The host's NVMe driver (the controllers whose latency a fault changes). */
  readonly nvme: NvmeCore | null;
  readonly dm: DmControl;
  /** Plugs in a new HBA (the scenario's host knows drivers and rport settings). */
  addHba?(name: string, driver: string, ports: readonly TargetPort[]): string | null;
}

/** A reference that does not resolve; `what` says which kind was expected. */
export class UnresolvedReference extends Error {
  readonly ref: string;
  constructor(what: string, ref: string, hint: string) {
    super(`no ${what} "${ref}"${hint}`);
    this.ref = ref;
  }
}

/** Resolves `array:port`, `subsys:controller`, `hba->array:port`, `array:lun` in a world. */
export class Resolver {
  readonly #w: FaultWorld;

  constructor(w: FaultWorld) {
    this.#w = w;
  }

  #split(ref: string, what: string): [string, string] {
    const i = ref.lastIndexOf(":");
    if (i <= 0 || i === ref.length - 1)
      throw new UnresolvedReference(what, ref, ` (write it as NAME:${what === "LUN" ? "LUN" : "PORT"})`);
    return [ref.slice(0, i), ref.slice(i + 1)];
  }

  array(name: string): StorageArray {
    const a = this.#w.fabric.array(name);
    if (!a) throw new UnresolvedReference("array", name, hintList(this.#w.fabric.arrays.map((x) => x.name)));
    return a;
  }

  subsystem(name: string): NvmetSubsystem | null {
    return this.#w.fabric.nvmeSubsystem(name) ?? null;
  }

  /** A SCSI target port (`array0:A0`) or an NVMe subsystem's port (`subsys0:c1`). */
  port(ref: string): TargetPort | NvmetPort {
    const [owner, port] = this.#split(ref, "port");
    const sub = this.subsystem(owner);
    if (sub) {
      const c = sub.port(port);
      if (!c)
        throw new UnresolvedReference(
          "controller",
          ref,
          hintList(sub.ports.map((x) => `${owner}:${x.name}`)),
        );
      return c;
    }
    const a = this.array(owner);
    const p = a.ports.find((x) => x.name === port || String(x.relPortId) === port);
    if (!p) throw new UnresolvedReference("port", ref, hintList(a.ports.map((x) => `${owner}:${x.name}`)));
    return p;
  }

  /** Every port of a controller: `array0:A` (ports named A<n>) or `array0:<tpg id>`. */
  controller(ref: string): (TargetPort | NvmetPort)[] {
    const [owner, c] = this.#split(ref, "controller");
    const sub = this.subsystem(owner);
    if (sub) return [this.port(ref)];
    const a = this.array(owner);
    const byName = a.ports.filter((p) => new RegExp(`^${escapeRe(c)}\\d+$`).test(p.name));
    if (byName.length > 0) return byName;
    const g = a.groups.find((x) => String(x.id) === c);
    if (g) return g.ports;
    throw new UnresolvedReference(
      "controller",
      ref,
      hintList([...new Set(a.ports.map((p) => `${owner}:${p.name.replace(/\d+$/, "")}`))]),
    );
  }

  link(ref: string): Link {
    const l = this.#w.fabric.link(ref);
    if (!l) throw new UnresolvedReference("link", ref, hintList(this.#w.fabric.links.map((x) => x.name)));
    return l;
  }

  hba(name: string): Hba {
    const h = this.#w.fabric.hba(name);
    if (!h) throw new UnresolvedReference("HBA", name, hintList(this.#w.fabric.hbas.map((x) => x.name)));
    return h;
  }

  /** `array0:0` (LUN number) or `array0:lun0`. */
  lun(ref: string): LogicalUnit {
    const [owner, l] = this.#split(ref, "LUN");
    const a = this.array(owner);
    const n = /^(?:lun)?(\d+)$/.exec(l);
    const lu = n ? a.lus.find((x) => x.lun === Number(n[1])) : undefined;
    if (!lu) throw new UnresolvedReference("LUN", ref, hintList(a.lus.map((x) => `${owner}:${x.lun}`)));
    return lu;
  }

  /** `array0:0` → that LUN; `array0` → every LUN of the array. */
  luns(ref: string): LogicalUnit[] {
    if (!ref.includes(":")) return [...this.array(ref).lus];
    return [this.lun(ref)];
  }

  /** The TPG id of `group` (`A`, `B`, or an id) in an array. */
  tpg(a: StorageArray, group: string): number {
    const byName = a.ports.find((p) => new RegExp(`^${escapeRe(group)}\\d+$`).test(p.name));
    if (byName) return byName.group.id;
    const g = a.groups.find((x) => String(x.id) === group);
    if (g) return g.id;
    throw new UnresolvedReference(
      "target port group",
      `${a.name}:${group}`,
      hintList([...new Set(a.ports.map((p) => p.name.replace(/\d+$/, "")))]),
    );
  }

  /** The service model a latency/slowdown fault acts on. */
  resources(t: TimelineTarget): QueueingResource[] {
    const models: (ServiceModel | null)[] = [];
    if ("port" in t) {
      const p = this.port(t.port);
      models.push(p.service);
    } else if ("controller" in t) {
      for (const p of this.controller(t.controller)) models.push(p.service);
    } else if ("lun" in t) {
      models.push(this.lun(t.lun).service);
    }
    const out = models.filter((m): m is QueueingResource => m instanceof QueueingResource);
    if (out.length === 0)
      throw new UnresolvedReference(
        "timed resource",
        JSON.stringify(t),
        " (this port or LUN has no service profile to slow down; give it one under service:)",
      );
    return out;
  }
}

function hintList(names: readonly string[]): string {
  if (names.length === 0) return "";
  const shown = names.slice(0, 8).join(", ");
  return ` (known: ${shown}${names.length > 8 ? ", …" : ""})`;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Sense data of the named conditions a scenario may inject. */
export const NAMED_SENSE: Readonly<Record<string, SenseSpec>> = {
  "medium-error": { key: 0x3, asc: 0x11, ascq: 0x00 },
  "unrecovered-read-error": { key: 0x3, asc: 0x11, ascq: 0x00 },
  "write-fault": { key: 0x3, asc: 0x03, ascq: 0x00 },
  "hardware-error": { key: 0x4, asc: 0x44, ascq: 0x00 },
  "aborted-command": { key: 0xb, asc: 0x00, ascq: 0x00 },
  "not-ready": { key: 0x2, asc: 0x04, ascq: 0x00 },
  "not-ready-transitioning": { key: 0x2, asc: 0x04, ascq: 0x0a },
  "not-ready-standby": { key: 0x2, asc: 0x04, ascq: 0x0b },
  "not-ready-unavailable": { key: 0x2, asc: 0x04, ascq: 0x0c },
  "unit-attention": { key: 0x6, asc: 0x29, ascq: 0x00 },
  "illegal-request": { key: 0x5, asc: 0x24, ascq: 0x00 },
  "data-protect": { key: 0x7, asc: 0x27, ascq: 0x00 },
  "recovered-error": { key: 0x1, asc: 0x00, ascq: 0x00 },
};

/** SAM statuses a `busy` fault may return. */
export const NAMED_STATUS: Readonly<Record<string, number>> = {
  busy: SamStatus.BUSY,
  "task-set-full": SamStatus.TASK_SET_FULL,
  "reservation-conflict": SamStatus.RESERVATION_CONFLICT,
};

/** Host bytes a `transport_error` fault may return. */
export const NAMED_HOST_BYTE: Readonly<Record<string, number>> = {
  DID_NO_CONNECT: HostStatus.DID_NO_CONNECT,
  DID_BUS_BUSY: HostStatus.DID_BUS_BUSY,
  DID_TIME_OUT: HostStatus.DID_TIME_OUT,
  DID_BAD_TARGET: HostStatus.DID_BAD_TARGET,
  DID_ABORT: HostStatus.DID_ABORT,
  DID_ERROR: HostStatus.DID_ERROR,
  DID_RESET: HostStatus.DID_RESET,
  DID_SOFT_ERROR: HostStatus.DID_SOFT_ERROR,
  DID_IMM_RETRY: HostStatus.DID_IMM_RETRY,
  DID_REQUEUE: HostStatus.DID_REQUEUE,
  DID_TRANSPORT_DISRUPTED: HostStatus.DID_TRANSPORT_DISRUPTED,
  DID_TRANSPORT_FAILFAST: HostStatus.DID_TRANSPORT_FAILFAST,
  DID_TARGET_FAILURE: HostStatus.DID_TARGET_FAILURE,
  DID_NEXUS_FAILURE: HostStatus.DID_NEXUS_FAILURE,
  DID_TRANSPORT_MARGINAL: HostStatus.DID_TRANSPORT_MARGINAL,
};

/** An undo: what to run when a `for:` fault ends. */
type Undo = () => void;

/**
 * Runs a timeline on a world's clock: each event is bound (every reference resolved) up front, so
 * a bad reference is reported before the run starts; then applied at its time, and undone after
 * its `for:` duration. The log records every step with its virtual time.
 */
export class FaultTimeline {
  readonly events: readonly TimelineEvent[];
  readonly log: TimelineLogEntry[] = [];
  readonly #w: FaultWorld;
  readonly #r: Resolver;
  readonly #timers: number[] = [];
  #startNs = 0;

  constructor(world: FaultWorld, events: readonly TimelineEvent[]) {
    this.#w = world;
    this.#r = new Resolver(world);
    this.events = [...events].sort((a, b) => a.atNs - b.atNs || a.index - b.index);
  }

  get resolver(): Resolver {
    return this.#r;
  }

  /**
   * Checks every reference of every event against the world; returns the problems as
   * `[event index, message]` (empty when the timeline can run).
   */
  check(): Array<[number, string]> {
    const out: Array<[number, string]> = [];
    for (const e of this.events) {
      try {
        this.#bind(e.action, true);
      } catch (err) {
        out.push([e.index, err instanceof Error ? err.message : String(err)]);
      }
    }
    return out;
  }

  /** Schedules every event relative to now. */
  start(): void {
    const clock = this.#w.clock;
    this.#startNs = clock.now();
    for (const e of this.events)
      this.#timers.push(clock.schedule(e.atNs, (ev: TimelineEvent) => this.#fire(ev), e));
  }

  /** Cancels what has not run yet. */
  stop(): void {
    for (const h of this.#timers) this.#w.clock.cancel(h);
    this.#timers.length = 0;
  }

  /** Time of the last scheduled step (apply, revert or flap), relative to the start. */
  get endNs(): number {
    let end = 0;
    for (const e of this.events) {
      let t = e.atNs;
      if (e.action.kind === "link-flap") t += e.action.periodNs * e.action.count;
      if (e.forNs !== null) t += e.forNs;
      end = Math.max(end, t);
    }
    return end;
  }

  #note(e: TimelineEvent, phase: TimelineLogEntry["phase"], error: string | null): void {
    this.log.push({ tNs: this.#w.clock.now() - this.#startNs, index: e.index, text: e.text, phase, error });
  }

  #fire(e: TimelineEvent): void {
    let undo: Undo | null = null;
    try {
      undo = this.#bind(e.action, false)(e);
      this.#note(e, "apply", null);
    } catch (err) {
      this.#note(e, "apply", err instanceof Error ? err.message : String(err));
      return;
    }
    if (e.forNs !== null && undo) {
      const u = undo;
      this.#timers.push(
        this.#w.clock.schedule(
          e.forNs,
          () => {
            try {
              u();
              this.#note(e, "revert", null);
            } catch (err) {
              this.#note(e, "revert", err instanceof Error ? err.message : String(err));
            }
          },
          undefined,
        ),
      );
    }
  }

  /**
   * Resolves an action's references and returns the function that applies it (and returns its
   * undo). With `dryRun` only the resolution happens (it throws on a bad reference).
   */
  #bind(a: TimelineAction, dryRun: boolean): (e: TimelineEvent) => Undo | null {
    const r = this.#r;
    switch (a.kind) {
      case "port": {
        const p = r.port(a.port);
        if (a.how === "disable" && !isTargetPort(p))
          return () => {
            const was = p.enabled;
            p.setEnabled(a.up);
            return () => p.setEnabled(was);
          };
        return () => {
          const was = portIsUp(p);
          setPortUp(p, a.up);
          return () => setPortUp(p, was);
        };
      }
      case "controller": {
        const ports = r.controller(a.controller);
        return () => {
          const was = ports.map(portIsUp);
          for (const p of ports) setPortUp(p, a.up);
          return () =>
            ports.forEach((p, i) => {
              setPortUp(p, was[i]!);
            });
        };
      }
      case "link": {
        const l = r.link(a.link);
        return () => {
          const was = l.up;
          l.setUp(a.up);
          return () => l.setUp(was);
        };
      }
      case "link-flap": {
        const l = r.link(a.link);
        return (e) => {
          const clock = this.#w.clock;
          const downNs = Math.round(a.periodNs * (1 - a.duty));
          for (let i = 0; i < a.count; i++) {
            const t0 = i * a.periodNs;
            const down = (): void => {
              l.setUp(false);
              this.#note(e, "flap-down", null);
            };
            const up = (): void => {
              l.setUp(true);
              this.#note(e, "flap-up", null);
            };
            if (t0 === 0) down();
            else this.#timers.push(clock.schedule(t0, down, undefined));
            this.#timers.push(clock.schedule(t0 + downNs, up, undefined));
          }
          return null;
        };
      }
      case "latency": {
        const t = a.target;
        if ("link" in t) {
          const l = r.link(t.link);
          return () => {
            const was = l.latencyNs;
            l.setLatency(a.setNs ?? was + (a.addNs ?? 0));
            return () => l.setLatency(was);
          };
        }
        if ("controller" in t || "port" in t) {
          const ports = "controller" in t ? r.controller(t.controller) : [r.port(t.port)];
          const nvmePorts = ports.filter((p): p is NvmetPort => !isTargetPort(p));
          if (nvmePorts.length === ports.length)
            return () => {
              // The host's controllers through those ports: their connections' round trip.
              const nvme: NvmeCtrl[] = (this.#w.nvme?.ctrls ?? []).filter((c) => nvmePorts.includes(c.port));
              const was = nvme.map((c) => c.latencyNs);
              for (const c of nvme) c.latencyNs = a.setNs ?? c.latencyNs + (a.addNs ?? 0);
              return () =>
                nvme.forEach((c, i) => {
                  c.latencyNs = was[i]!;
                });
            };
        }
        const res = r.resources(t);
        if (a.setNs !== null && !dryRun)
          throw new Error("latency set: applies to links and NVMe controllers; use add: for ports and LUNs");
        return () => {
          const was = res.map((x) => x.extraLatencyNs);
          for (const x of res) x.extraLatencyNs += a.addNs ?? 0;
          return () =>
            res.forEach((x, i) => {
              x.extraLatencyNs = was[i]!;
            });
        };
      }
      case "slowdown": {
        const res = r.resources(a.target);
        return () => {
          const was = res.map((x) => x.serviceScale);
          for (const x of res) x.serviceScale = a.factor;
          return () =>
            res.forEach((x, i) => {
              x.serviceScale = was[i]!;
            });
        };
      }
      case "inject": {
        const lu = r.lun(a.lun);
        const relPorts = a.ports.map((p) => {
          const port = r.port(p);
          if (!isTargetPort(port))
            throw new Error(`${p} is an NVMe controller: SCSI faults need a SCSI port`);
          return port.relPortId;
        });
        const initiators = a.hbas.map((h) => r.hba(h).id);
        const spec: FaultSpec = {
          ...a.spec,
          ...(relPorts.length > 0 ? { relPorts } : {}),
          ...(initiators.length > 0 ? { initiators } : {}),
        };
        return () => {
          const id = lu.injectFault(spec);
          return () => {
            lu.clearFault(id);
          };
        };
      }
      case "clear-faults": {
        const lu = r.lun(a.lun);
        return () => {
          for (const f of [...lu.faults.list()]) lu.clearFault(f.id);
          return null;
        };
      }
      case "alua": {
        const lus = r.luns(a.lun);
        const arr = lus[0]?.array ?? r.array(a.lun);
        const gid = r.tpg(arr, a.group);
        if (lus.some((lu) => !lu.alua))
          throw new Error(`${a.lun}: not an ALUA LUN (the array profile has no ALUA)`);
        return () => {
          const was = lus.map((lu) => lu.alua!.state(gid));
          for (const lu of lus)
            lu.alua!.setState(gid, a.state, a.transitionNs ?? lu.alua!.options.transitionNs);
          return () =>
            lus.forEach((lu, i) => {
              const w = was[i]!;
              const name = aasToName(w.pending ? w.pending.to : w.aas);
              if (name) lu.alua!.setState(gid, name, a.transitionNs ?? lu.alua!.options.transitionNs);
            });
        };
      }
      case "ana": {
        const sub = this.subsystemOrThrow(a.subsystem);
        const ports =
          a.controllers.length === 0
            ? sub.ports
            : a.controllers.map((c) => {
                const x = sub.port(c);
                if (!x) throw new UnresolvedReference("controller", `${a.subsystem}:${c}`, "");
                return x;
              });
        const state = anaStateFromName(a.state);
        return () => {
          const was = ports.map((p) => p.anaOf(a.group));
          for (const p of ports) p.setAnaState(a.group, state);
          return () =>
            ports.forEach((p, i) => {
              p.setAnaState(a.group, was[i]!);
            });
        };
      }
      case "lun-map": {
        const lu = r.lun(a.lun);
        const ports = a.ports.map((p) => {
          const port = r.port(p);
          if (!isTargetPort(port) || port.array !== lu.array)
            throw new Error(`${p} is not a port of ${lu.array.name}`);
          return port;
        });
        return () => {
          const targets = ports.length > 0 ? ports : lu.array.ports;
          lu.array.setMapped(lu, a.mapped, targets);
          return () => lu.array.setMapped(lu, !a.mapped, targets);
        };
      }
      case "lun-resize": {
        const lu = r.lun(a.lun);
        const blocks = Math.floor(a.bytes / lu.blockSize);
        if (blocks <= 0) throw new Error(`${a.lun}: size must be at least one block`);
        return () => {
          const was = lu.blocks;
          lu.resize(blocks);
          return () => lu.resize(was);
        };
      }
      case "hba": {
        const h = r.hba(a.hba);
        return () => {
          const was = h.present;
          h.setPresent(a.present);
          return () => h.setPresent(was);
        };
      }
      case "hba-new": {
        const ports = a.ports.map((p) => {
          const port = r.port(p);
          if (!isTargetPort(port)) throw new Error(`${p}: an HBA connects to SCSI target ports`);
          return port;
        });
        if (this.#w.fabric.hba(a.hba)) throw new Error(`an HBA named ${a.hba} already exists`);
        if (!this.#w.addHba) throw new Error("this world cannot plug in new HBAs");
        return () => {
          const err = this.#w.addHba!(a.hba, a.driver, ports);
          if (err) throw new Error(err);
          const h = this.#w.fabric.hba(a.hba)!;
          return () => h.setPresent(false);
        };
      }
      case "dm-message": {
        return () => {
          const res = this.#w.dm.message(a.map, 0, a.message);
          if (!res.ok) throw new Error(`dmsetup message ${a.map} 0 ${a.message}: errno ${res.errno}`);
          return null;
        };
      }
      default: {
        const never: never = a;
        throw new Error(`unhandled ${String(never)}`);
      }
    }
  }

  subsystemOrThrow(name: string): NvmetSubsystem {
    const s = this.#r.subsystem(name);
    if (!s)
      throw new UnresolvedReference(
        "NVMe subsystem",
        name,
        hintList(this.#w.fabric.nvmeSubsystems.map((x) => x.name)),
      );
    return s;
  }
}

function isTargetPort(p: TargetPort | NvmetPort): p is TargetPort {
  return "relPortId" in p;
}

/** A SCSI target port or an NVMe port goes dark / returns. */
function setPortUp(p: TargetPort | NvmetPort, up: boolean): void {
  p.setUp(up);
}

function portIsUp(p: TargetPort | NvmetPort): boolean {
  return p.up;
}

function aasToName(aas: number): AluaStateName | null {
  const names: Record<number, AluaStateName> = {
    0: "active/optimized",
    1: "active/non-optimized",
    2: "standby",
    3: "unavailable",
    4: "lba-dependent",
    14: "offline",
    15: "transitioning",
  };
  return names[aas] ?? null;
}

/** Convenience for callers building `inject` actions from YAML fields. */
export function faultSpec(
  match: FaultMatch,
  action: FaultSpec["action"],
  extra: Partial<FaultSpec>,
): FaultSpec {
  return { ...match, ...extra, action };
}
