/**
 * Test support: hand-built daemon state mirroring the conformance scenarios (scsi_debug disks
 * `Linux`/`scsi_debug`/`0191`, serial `2000`, ALUA prio 50 on host 0 and 10 elsewhere,
 * `service-time 0`, `1 alua`, tur checker).
 */
import { DmPathState, PathState } from "../../structs/path-state.js";
import {
  addPathGroup,
  createMultipath,
  createPath,
  FailbackMode,
  InitState,
  MapAction,
  type Multipath,
  NoPathRetry,
  type Path,
  PgState,
  ScsiProtocol,
  SysfsBus,
} from "../../structs/structs.js";
import { updatePathGroupPrio } from "../../structs/structs-vec.js";

/** What a scsi_debug path needs; everything else gets the scenario defaults. */
export interface SdPathSpec {
  dev: string;
  devT: string;
  host: number;
  lun?: number;
  prio: number;
  wwid?: string;
  sectors?: number;
  state?: PathState;
  dmstate?: DmPathState;
  offline?: boolean;
  tick?: number;
  checkint?: number;
}

/** A monitored scsi_debug path as multipathd 0.9.4 holds it once the checker ran. */
export function sdPath(spec: SdPathSpec): Path {
  return createPath({
    dev: spec.dev,
    devT: spec.devT,
    sgId: {
      hostNo: spec.host,
      channel: 0,
      scsiId: 0,
      lun: BigInt(spec.lun ?? 0),
      protoId: ScsiProtocol.UNSPEC,
    },
    wwid: spec.wwid ?? "333333330000007d0",
    vendorId: "Linux",
    productId: "scsi_debug",
    rev: "0191",
    serial: "2000",
    size: spec.sectors ?? 32768,
    checkint: spec.checkint ?? 4,
    tick: spec.tick ?? 2,
    bus: SysfsBus.SCSI,
    offline: spec.offline ?? false,
    state: spec.state ?? PathState.UP,
    chkrstate: spec.state ?? PathState.UP,
    dmstate: spec.dmstate ?? DmPathState.ACTIVE,
    priority: spec.prio,
    checker: { name: "tur", timeoutSec: 30 },
    prio: { name: "sysfs" },
    monitored: true,
    initialized: InitState.OK,
    uidAttribute: "ID_SERIAL",
  });
}

/** A group of a map under construction: its paths, kernel status, and (optionally) a fixed priority. */
export interface GroupSpec {
  paths: Path[];
  status: PgState;
  /** The priority the daemon last computed; default: computed from the paths now. */
  priority?: number;
}

/** A map as the daemon holds it after `create`. */
export interface MapSpec {
  alias: string | null;
  wwid?: string;
  minor: number;
  sectors?: number;
  groups: GroupSpec[];
  features?: string;
  action?: MapAction;
  noPathRetry?: number;
  pgfailback?: number;
  mapLoads?: number;
}

/** Builds a map, links its paths and groups, and sets group priorities. */
export function sdMap(spec: MapSpec): Multipath {
  const mpp = createMultipath({
    wwid: spec.wwid ?? "333333330000007d0",
    alias: spec.alias,
    aliasPrefix: "mpath",
    size: spec.sectors ?? 32768,
    dmi: { minor: spec.minor },
    selector: "service-time 0",
    features: spec.features ?? "0",
    hwhandler: "1 alua",
    action: spec.action ?? MapAction.CREATE,
    noPathRetry: spec.noPathRetry ?? NoPathRetry.UNDEF,
    pgfailback: spec.pgfailback ?? -FailbackMode.MANUAL,
    statMapLoads: spec.mapLoads ?? 1,
  });
  spec.groups.forEach((g, i) => {
    const pg = addPathGroup(mpp, { id: i + 1, paths: g.paths, status: g.status });
    updatePathGroupPrio(pg);
    if (g.priority !== undefined) pg.priority = g.priority;
    for (const pp of g.paths) {
      pp.mpp = mpp;
      mpp.paths.push(pp);
    }
  });
  return mpp;
}

/** The two-host, one-LUN world of basic-two-paths / show-formats / cli-errors (16 MiB). */
export function twoPathWorld(opts: { tick?: number; checkint?: number } = {}): {
  paths: Path[];
  maps: Multipath[];
} {
  const sda = sdPath({ dev: "sda", devT: "8:0", host: 0, prio: 50, ...opts });
  const sdb = sdPath({ dev: "sdb", devT: "8:16", host: 1, prio: 10, ...opts });
  const mpatha = sdMap({
    alias: "mpatha",
    minor: 0,
    groups: [
      { paths: [sda], status: PgState.ACTIVE },
      { paths: [sdb], status: PgState.ENABLED },
    ],
  });
  return { paths: [sda, sdb], maps: [mpatha] };
}
