import type { TimelineEvent } from "../faults/timeline.js";
import type { AluaMode } from "../hardware/array.js";
import type { AnaStateName } from "../nvme/ana.js";
import type { IoPolicy } from "../nvme-multipath/iopolicy.js";
import type { ResourceSpec } from "../timing/queueing-resource.js";
import type { JobOptions } from "../workload/job-options.js";
import type { Pos } from "./yaml-reader.js";

/**
 * A scenario, decoded and checked: what one YAML file says. Times are integer ns, sizes bytes.
 * Every part keeps the position it was written at, so problems found later (a reference that
 * does not resolve once the world is built) still point into the file.
 */
export interface ScenarioSpec {
  readonly file: string;
  readonly name: string;
  readonly description: string;
  /** Seed of every random choice (string seeds are hashed). */
  readonly seed: number | string;
  readonly kernel: KernelSpec;
  readonly topology: TopologySpec;
  /** `multipath.conf` text: maps come from multipathd when the run has a daemon. */
  readonly multipathConf: string | null;
  /** Maps built from dm tables (used when there is no daemon, or alongside it). */
  readonly maps: readonly MapSpec[];
  readonly workloads: readonly WorkloadSpec[];
  readonly faults: readonly TimelineEvent[];
  /** Positions of the fault entries, by index. */
  readonly faultPos: readonly Pos[];
  readonly expect: readonly ExpectationSpec[];
  readonly matrix: readonly MatrixAxis[];
  /** Run at least this long (virtual), even when the workloads finish earlier. */
  readonly runForNs: number;
  /** Give up after this much virtual time (hung I/O, endless queueing). */
  readonly limitNs: number;
}

export interface KernelSpec {
  /** CONFIG_DM_MULTIPATH_HST / _IOA (Debian's 6.1 has both off; default on here). */
  readonly hst: boolean;
  readonly ioa: boolean;
}

/** A timing profile: a built-in name, or a resource spec. */
export type ServiceSpec =
  | { readonly profile: string; readonly scale: number; readonly pos: Pos }
  | { readonly resource: ResourceSpec; readonly scale: number; readonly pos: Pos };

export interface TopologySpec {
  readonly hbas: readonly HbaSpec[];
  readonly arrays: readonly ArraySpec[];
  readonly links: readonly LinkSpec[];
  readonly nvme: readonly NvmeSubsystemSpec[];
  /**
   * `nvme_core.multipath`: native NVMe multipath (one `nvme<S>n<N>` head per namespace, the
   * default) or off (a `nvme<C>n<N>` disk per controller, for dm-multipath maps).
   */
  readonly nvmeMultipath: boolean;
  /** FC rport `fast_io_fail_tmo`, seconds, or "off" (null). multipathd's default is 5. */
  readonly fastIoFailTmo: number | null;
  /** FC rport `dev_loss_tmo`, seconds. */
  readonly devLossTmo: number;
}

export interface HbaSpec {
  readonly name: string;
  readonly driver: "qla2xxx" | "lpfc";
  readonly canQueue: number;
  readonly cmdPerLun: number;
  readonly pos: Pos;
}

/** Array profiles a scenario may name. */
export type ArrayProfile = "lio" | "emc-clariion";
export const ARRAY_PROFILES: readonly ArrayProfile[] = ["lio", "emc-clariion"];

export interface ArraySpec {
  readonly name: string;
  readonly profile: ArrayProfile;
  readonly mode: AluaMode;
  readonly portsPerController: number;
  readonly transitionNs: number;
  readonly luns: readonly LunSpecS[];
  /** Default timing of every LUN (a device profile), or null for the profile's default. */
  readonly lunService: ServiceSpec | null;
  /** Default timing of every port (a port profile), or null for none. */
  readonly portService: ServiceSpec | null;
  /** Per-port timing overrides, by port name (`A0`). */
  readonly ports: ReadonlyMap<string, ServiceSpec>;
  readonly pos: Pos;
}

export interface LunSpecS {
  readonly lun: number;
  readonly bytes: number;
  readonly owner: 0 | 1 | null;
  readonly service: ServiceSpec | null;
  readonly pos: Pos;
}

export interface LinkSpec {
  readonly hba: string;
  /** Port references (`array0:A0`) or whole arrays (`array0`). */
  readonly to: readonly string[];
  readonly latencyNs: number | null;
  readonly pos: Pos;
}

export interface NvmeSubsystemSpec {
  readonly name: string;
  readonly iopolicy: IoPolicy;
  readonly namespaces: readonly {
    readonly nsid: number;
    readonly bytes: number;
    readonly anaGroup: number;
  }[];
  /** Timing of the namespace's medium, shared by every path. */
  readonly service: ServiceSpec | null;
  readonly controllers: readonly NvmeControllerSpec[];
  readonly katoNs: number;
  readonly reconnectDelayNs: number;
  readonly ctrlLossTmoNs: number;
  /** `fast_io_fail_tmo` of the controllers, ns, or -1 (off, the default). */
  readonly fastIoFailTmoNs: number;
  readonly pos: Pos;
}

export interface NvmeControllerSpec {
  readonly name: string;
  readonly numaNode: number;
  readonly latencyNs: number;
  readonly service: ServiceSpec | null;
  readonly ana: AnaStateName;
  readonly pos: Pos;
}

/** How a dm-table map groups its paths. */
export type Grouping = "single" | "failover" | "multibus" | "group_by_tpg";
export const GROUPINGS: readonly Grouping[] = ["single", "failover", "multibus", "group_by_tpg"];

export interface MapSpec {
  readonly name: string;
  /** `array:lun`. */
  readonly lun: string;
  /** Raw multipath params with `{link}` placeholders, or null to build from the fields below. */
  readonly table: string | null;
  readonly features: readonly string[];
  /** `alua`, `emc`, `rdac`, `hp_sw` or null. */
  readonly hardwareHandler: string | null;
  readonly grouping: Grouping;
  /** Selector with its args, e.g. `service-time 0`. */
  readonly selector: string;
  /** Path args per path (`1` = repeat count). */
  readonly pathArgs: string;
  /** Links to use (default: every link that reaches the LUN), in order. */
  readonly paths: readonly string[] | null;
  /** Explicit groups (override `grouping`). */
  readonly groups: readonly { readonly selector: string | null; readonly paths: readonly string[] }[] | null;
  readonly checker: CheckerSpec | null;
  readonly pos: Pos;
}

/** The stand-in for multipathd's path checker loop in dm-table scenarios. */
export interface CheckerSpec {
  readonly intervalNs: number;
  /** `immediate`, `manual`, or a delay in ns (multipath.conf `failback`). */
  readonly failback: "immediate" | "manual" | number;
}

export interface WorkloadSpec {
  readonly name: string;
  /** A map name, an NVMe head (`subsys0:1` or `nvme0n1`), or a path disk (`sda`). */
  readonly target: string | null;
  readonly options: JobOptions;
  /** Positions of option keys, for diagnostics from the job resolver. */
  readonly optionPos: ReadonlyMap<string, Pos>;
  readonly pos: Pos;
}

/** Which matrix cells an expectation applies to (axis → value as written). */
export type CellFilter = ReadonlyMap<string, string>;

export type ExpectationSpec = (
  | { readonly kind: "no_io_errors" }
  | { readonly kind: "no_io_lost" }
  | { readonly kind: "verify_clean" }
  | {
      readonly kind: "path_share";
      readonly path: string;
      readonly map: string | null;
      readonly below: number | null;
      readonly above: number | null;
    }
  | { readonly kind: "failover_within"; readonly ns: number }
  | { readonly kind: "iops"; readonly atLeast: number; readonly job: string | null }
  | { readonly kind: "bandwidth"; readonly atLeast: number; readonly job: string | null }
  | { readonly kind: "queueing_held"; readonly atMostNs: number; readonly map: string | null }
  | {
      readonly kind: "latency";
      readonly stat: "mean" | "p99" | "max";
      readonly atMostNs: number;
      readonly job: string | null;
    }
  | { readonly kind: "paths_active"; readonly map: string | null; readonly count: number }
  | { readonly kind: "active_group"; readonly map: string | null; readonly group: number }
) & { readonly when: CellFilter; readonly pos: Pos; readonly text: string };

/** Axes a matrix may vary. */
export type MatrixAxisName =
  | "selector"
  | "grouping"
  | "iopolicy"
  | "lun_service"
  | "port_service"
  | "workload"
  | `workload.${string}`;

export interface MatrixAxis {
  readonly name: MatrixAxisName;
  readonly values: readonly string[];
  readonly pos: Pos;
}

/** One cell of the matrix: a value per axis. */
export type MatrixCell = ReadonlyMap<string, string>;
