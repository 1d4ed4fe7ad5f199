import type { Fabric } from "../hardware/fabric.js";
import type { NvmeTransport, NvmetPort, NvmetSubsystem } from "../hardware/nvme-target.js";
import { AnaState } from "../nvme/ana.js";
import type { ServiceModel } from "../timing/service-model.js";
import { nameHash } from "./array-builder.js";

/** One namespace of an NVMe array. */
export interface NvmeNamespaceSpec {
  readonly nsid: number;
  /** Capacity in MiB (default 1024). */
  readonly sizeMb?: number;
  /** Controller owning it: 0 (A) or 1 (B); its ANA group is optimized there. Default nsid mod 2. */
  readonly owner?: 0 | 1;
  /** Explicit NGUID (32 hex digits); default derived. */
  readonly nguid?: string;
}

/** How the partner controller's ports report a group they do not own. */
export type NvmeArrayMode = "active-active" | "active-passive";

/** Options of {@link nvmeArray}. */
export interface NvmeArrayOptions {
  readonly name: string;
  readonly namespaces: readonly NvmeNamespaceSpec[];
  /** Ports per controller (default 2: A0, A1, B0, B1). */
  readonly portsPerController?: number;
  /**
   * `active-active` (the partner's ports report non-optimized: an HA pair serving I/O through
   * its interconnect) or `active-passive` (inaccessible). Default active-active.
   */
  readonly mode?: NvmeArrayMode;
  readonly transport?: NvmeTransport;
  /** Identify Controller `MN` (default `NetApp ONTAP Controller`). */
  readonly model?: string;
  /** Firmware revision (default `9.12.1`). */
  readonly firmwareRev?: string;
  /** ANATT, seconds (default 10). */
  readonly anattSecs?: number;
  /** Time a takeover keeps the moved groups in `change` (default 2 s). */
  readonly transitionNs?: number;
  /** Per-namespace and per-port service models (the timing models plug in here). */
  readonly nsService?: (nsid: number) => ServiceModel | null;
  readonly portService?: (port: string) => ServiceModel | null;
}

/** What {@link nvmeArray} builds. */
export interface BuiltNvmeArray {
  readonly subsystem: NvmetSubsystem;
  /** Ports of controller A then B. */
  readonly controllers: readonly (readonly NvmetPort[])[];
  /** ANA group of each controller's namespaces (A: 1, B: 2). */
  readonly groups: readonly [number, number];
  /**
   * A takeover/giveback: `group`'s ownership moves to `to`. Every port reports `change` for
   * {@link NvmeArrayOptions.transitionNs}, then the new owner's ports optimized and the
   * partner's non-optimized (or inaccessible), each announced by an ANA change notice.
   */
  moveGroup(group: number, to: 0 | 1): void;
  /** The controller that owns `group` now. */
  ownerOf(group: number): 0 | 1;
}

/**
 * An all-flash NVMe-oF array with two controllers in an HA pair (NetApp AFF with ONTAP's NVMe/TCP
 * is the model: one subsystem, an ANA group per controller, namespaces optimized through their
 * owner's ports and non-optimized through the partner's; a takeover moves a group through the
 * ANA `change` state). The namespace IDs are NGUID-based (the Linux wwid is `eui.<nguid>`), as
 * ONTAP reports them. multipath-tools 0.9.4's hwtable matches it twice: the generic `NVM[eE]`
 * entry (uid_attribute ID_WWN, checker none, group_by_prio, failback immediate; `detect_prio`
 * picks `ana`) and `NVME` / `^NetApp ONTAP Controller` (no_path_retry queue).
 */
export function nvmeArray(fabric: Fabric, o: NvmeArrayOptions): BuiltNvmeArray {
  const mode = o.mode ?? "active-active";
  const per = o.portsPerController ?? 2;
  const id = nameHash(o.name);
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  const subsystem = fabric.addNvmeSubsystem({
    name: o.name,
    nqn: `nqn.1992-08.com.netapp:sn.${hex(id)}${hex(nameHash(`${o.name}/sn`))}:subsystem.${o.name}`,
    serial: `81${(id % 1e8).toString().padStart(8, "0")}ZZZZ`.slice(0, 20),
    model: o.model ?? "NetApp ONTAP Controller",
    firmwareRev: o.firmwareRev ?? "9.12.1",
    anattSecs: o.anattSecs ?? 10,
  });
  const groups: [number, number] = [1, 2];
  const partner = mode === "active-active" ? AnaState.NON_OPTIMIZED : AnaState.INACCESSIBLE;
  const owners = new Map<number, 0 | 1>([
    [1, 0],
    [2, 1],
  ]);
  for (const ns of o.namespaces) {
    const owner = ns.owner ?? ((ns.nsid % 2) as 0 | 1);
    subsystem.addNamespace({
      nsid: ns.nsid,
      bytes: (ns.sizeMb ?? 1024) * 1048576,
      uuid: null,
      nguid: ns.nguid ?? `${hex(id)}${hex(nameHash(`${o.name}/${ns.nsid}`))}00a098${hex(ns.nsid)}00`,
      anaGroup: groups[owner],
      service: o.nsService?.(ns.nsid) ?? null,
    });
  }
  const controllers: NvmetPort[][] = [[], []];
  for (let c = 0; c < 2; c++)
    for (let i = 0; i < per; i++) {
      const name = `${c === 0 ? "A" : "B"}${i}`;
      const port = subsystem.addPort({
        name,
        trtype: o.transport ?? "tcp",
        traddr: `192.168.${10 + 10 * c + i}.${1 + (id % 200)}`,
        trsvcid: "4420",
        service: o.portService?.(name) ?? null,
      });
      for (const [g, owner] of owners) port.setAnaState(g, owner === c ? AnaState.OPTIMIZED : partner);
      controllers[c]!.push(port);
    }
  const transitionNs = o.transitionNs ?? 2e9;
  return {
    subsystem,
    controllers,
    groups,
    ownerOf: (group) => owners.get(group) ?? 0,
    moveGroup(group, to) {
      owners.set(group, to);
      for (let c = 0; c < 2; c++)
        for (const p of controllers[c]!)
          p.setAnaState(group, c === to ? AnaState.OPTIMIZED : partner, transitionNs);
    },
  };
}
