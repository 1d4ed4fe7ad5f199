import { type Designator, naaDesignator, type Rng, t10VendorDesignator } from "@mp/dm-core";
import { AasSupport, type AluaStateName } from "../hardware/alua.js";
import {
  AluaDomain,
  type AluaMode,
  type LogicalUnit,
  StorageArray,
  type TargetPort,
} from "../hardware/array.js";
import type { Fabric } from "../hardware/fabric.js";
import { FixedServiceModel } from "../hardware/fixed-service.js";
import type { Personality } from "../target/personality.js";
import type { ServiceModel } from "../timing/service-model.js";

/** One LUN of an array profile. */
export interface LunSpec {
  readonly lun: number;
  /** Capacity in MiB (default 1024). */
  readonly sizeMb?: number;
  /** Unit serial (VPD 0x80); default derived from the array and LUN. */
  readonly serial?: string;
  /** NAA identifier as hex digits (16 or 32); default derived from the serial. */
  readonly naa?: string;
  /** Controller that owns / is optimized for the LUN: 0 (A) or 1 (B). Default: LUN number mod 2. */
  readonly owner?: 0 | 1;
}

/** Options shared by the array profiles. */
export interface ArrayProfileOptions {
  /** Array name in the fabric (`array0`). */
  readonly name: string;
  readonly luns: readonly LunSpec[];
  /** Target ports per controller (default 2). */
  readonly portsPerController?: number;
  /** Per-command service time of a LUN (default 200 µs), and optional jitter. */
  readonly serviceNs?: number;
  readonly jitterNs?: number;
  /** Commands a LUN serves at once (default 32). */
  readonly queueDepth?: number;
  /** Replace the default service models (the richer timing models plug in here). */
  readonly lunService?: (lu: LogicalUnit) => ServiceModel | null;
  readonly portService?: (port: TargetPort) => ServiceModel | null;
  /** Array-unique number used to derive WWPNs and identifiers (default: a hash of the name). */
  readonly id?: number;
}

/** FNV-1a of a string (stable identifiers from names). */
export function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** What an array profile builds. */
export interface BuiltArray {
  readonly array: StorageArray;
  /** Ports of controller A then B. */
  readonly controllers: readonly (readonly TargetPort[])[];
}

/** Parameters of the generic two-controller layout. */
export interface TwoControllerLayout {
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
  readonly personality: Personality;
  /** ALUA domain per LU (null: not an ALUA device). */
  readonly alua: null | {
    readonly implicit: boolean;
    readonly explicit: boolean;
    readonly mode: AluaMode;
    readonly transitionNs: number;
    readonly implicitTransitionSecs: number;
    /** State of the non-owning controller's group. */
    readonly otherState: AluaStateName;
    /** Whether the owner's group carries the PREF bit. */
    readonly preferOwner: boolean;
    /** An STPG to one group demotes the others (see `AluaDomainOptions.stpgMovesOthers`). */
    readonly stpgMovesOthers?: boolean;
    /** Supported-state bits of each target port group (RTPG byte 1); default all. */
    readonly supportedStates?: number;
    /** STPG completes after its transition (see `AluaDomainOptions.stpgWaitsTransition`). */
    readonly stpgWaitsTransition?: boolean;
  };
  /** NAA designator(s) and T10 vendor id of a LU. */
  readonly identity: (
    spec: Required<Pick<LunSpec, "lun">> & LunSpec,
    serial: string,
  ) => {
    readonly serial: string;
    readonly designators: readonly Designator[];
  };
  /** Target port group ids of controller A and B. */
  readonly groupIds: readonly [number, number];
  /** Relative port id of port `i` of controller `c`. */
  readonly relPort: (c: number, i: number) => number;
}

/**
 * Builds a dual-controller array: controllers A and B with `portsPerController` target ports
 * each (one target port group per controller), the LUNs mapped on every port, each owned by one
 * controller, with per-LUN service models.
 */
export function buildTwoControllerArray(
  fabric: Fabric,
  o: ArrayProfileOptions,
  layout: TwoControllerLayout,
): BuiltArray {
  const id = o.id ?? nameHash(o.name) & 0xffffff;
  const array = new StorageArray({
    name: o.name,
    vendor: layout.vendor,
    product: layout.product,
    revision: layout.revision,
    personality: layout.personality,
    clock: fabric.clock,
    deviceId: 0x5000000000000000n | (BigInt(id) << 24n),
  });
  const per = o.portsPerController ?? 2;
  const controllers: TargetPort[][] = [[], []];
  for (let c = 0; c < 2; c++) {
    const g = array.addGroup(
      layout.groupIds[c]!,
      layout.alua ? (layout.alua.supportedStates ?? AasSupport.ALL) : AasSupport.AO_SUP,
    );
    for (let i = 0; i < per; i++) {
      const wwpn = 0x5000000000000000n | (BigInt(id) << 24n) | BigInt(((c + 1) << 8) | i);
      const port = array.addPort(layout.relPort(c, i), `${c === 0 ? "A" : "B"}${i}`, wwpn, g);
      port.service = o.portService?.(port) ?? null;
      controllers[c]!.push(port);
    }
  }
  const rng: Rng = fabric.rng.fork(`array:${o.name}`);
  for (const spec of o.luns) {
    const owner = spec.owner ?? ((spec.lun % 2) as 0 | 1);
    const serial =
      spec.serial ?? `${id.toString(16).padStart(6, "0")}${spec.lun.toString(16).padStart(4, "0")}`;
    const identity = layout.identity({ ...spec }, serial);
    let alua: AluaDomain | undefined;
    if (layout.alua) {
      alua = new AluaDomain(array, {
        name: `${o.name}/lun${spec.lun}`,
        implicit: layout.alua.implicit,
        explicit: layout.alua.explicit,
        transitionNs: layout.alua.transitionNs,
        mode: layout.alua.mode,
        implicitTransitionSecs: layout.alua.implicitTransitionSecs,
        stpgMovesOthers: layout.alua.stpgMovesOthers ?? false,
        stpgWaitsTransition: layout.alua.stpgWaitsTransition ?? false,
      });
      for (let c = 0; c < 2; c++)
        alua.init(
          layout.groupIds[c]!,
          c === owner ? "active/optimized" : layout.alua.otherState,
          c === owner && layout.alua.preferOwner,
        );
    }
    const blocks = Math.floor(((spec.sizeMb ?? 1024) * 1048576) / 512);
    const lu = array.addLu({
      name: `${o.name}/lun${spec.lun}`,
      lun: spec.lun,
      identity,
      blocks,
      rng: rng.fork(`lun${spec.lun}`),
      ...(alua ? { alua } : {}),
    });
    lu.owner = owner;
    lu.defaultOwner = owner;
    lu.service =
      o.lunService?.(lu) ??
      new FixedServiceModel({
        name: `${o.name}/lun${spec.lun}`,
        serviceNs: o.serviceNs ?? 200_000,
        ...(o.jitterNs ? { jitterNs: o.jitterNs, rng: rng.fork(`svc${spec.lun}`) } : {}),
        queueDepth: o.queueDepth ?? 32,
      });
  }
  fabric.addArray(array);
  return { array, controllers };
}

/** NAA 6 (IEEE registered extended) from a company id and the hex digits of a serial. */
export function naa6FromSerial(companyId: number, serial: string): string {
  const digits = `${serial.replace(/[^0-9a-fA-F]/g, "")}${"0".repeat(25)}`.slice(0, 25).toLowerCase();
  return `6${companyId.toString(16).padStart(6, "0")}${digits}`;
}

/** The LU designators most arrays give: NAA, then T10 vendor id with the serial. */
export function naaAndT10(vendor: string, naaHex: string, serial: string): Designator[] {
  return [naaDesignator(naaHex), t10VendorDesignator(vendor, serial)];
}
