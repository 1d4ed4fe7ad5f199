import {
  type BlockDevice,
  formatDevT,
  type KernelModule,
  type PathSelectorType,
  type Rng,
} from "@mp/dm-core";
import { FaultTimeline, type FaultWorld } from "../faults/timeline.js";
import { Aas } from "../hardware/alua.js";
import type { LogicalUnit, TargetPort } from "../hardware/array.js";
import type { Hba, Link } from "../hardware/fabric.js";
import { AnaState, anaStateFromName } from "../nvme/ana.js";
import type { NvmeCore } from "../nvme/nvme-core.js";
import type { NvmeNs } from "../nvme/nvme-ns.js";
import type { IoPolicy } from "../nvme-multipath/iopolicy.js";
import type { NvmeNsHead } from "../nvme-multipath/nvme-ns-head.js";
import type { BuiltArray } from "../profiles/array-builder.js";
import { emcClariionArray } from "../profiles/emc-clariion.js";
import { lioArray } from "../profiles/lio.js";
import type { SimScsiDevice } from "../scsi-ml/scsi-device.js";
import { SdDisk } from "../scsi-ml/sd.js";
import { deviceProfiles, portProfiles } from "../timing/profiles.js";
import { QueueingResource, type ResourceSpec } from "../timing/queueing-resource.js";
import type { IoStatsSource } from "../workload/io-stats.js";
import { createSimWorld, type SimWorld } from "../world.js";
import { DiskTaps } from "./disk-tap.js";
import { ScenarioSetupError } from "./errors.js";
import { normalizeSelector } from "./parse.js";
import { type CheckedPath, PathChecker } from "./path-checker.js";
import type { Grouping, MapSpec, MatrixCell, ScenarioSpec, ServiceSpec } from "./spec.js";
import type { ScenarioDiagnostic } from "./yaml-reader.js";

/** A path of a map: one link to the map's LUN, and the disk behind it. */
export interface BuiltPath {
  /** The fabric link name (`hba0->array0:A0`), or the NVMe path name. */
  readonly name: string;
  readonly link: Link | null;
  /** The path disk (`sda`, `nvme0c1n1`) and its counters. */
  readonly disk: BlockDevice & IoStatsSource;
  readonly devt: string;
}

/** A map as built: the dm device (or the single path disk for `grouping: single`). */
export interface BuiltMap {
  readonly spec: MapSpec;
  readonly name: string;
  /** The device workloads use. */
  readonly device: BlockDevice;
  readonly paths: readonly BuiltPath[];
  /** True when there is no dm map (grouping `single`): the workload runs on one path disk. */
  readonly single: boolean;
  readonly selector: string;
  /** How the paths are grouped (`multipathd` for maps the daemon made). */
  readonly grouping: Grouping | "multipathd";
  readonly table: string;
  readonly checker: PathChecker | null;
}

/** An NVMe head as built, with its paths. */
export interface BuiltHead {
  readonly name: string;
  readonly subsystem: string;
  readonly head: NvmeNsHead;
  readonly paths: readonly NvmeNs[];
}

/** Everything one run of one matrix cell works on. */
export interface ScenarioWorld {
  readonly world: SimWorld;
  readonly nvme: NvmeCore;
  readonly maps: readonly BuiltMap[];
  readonly heads: readonly BuiltHead[];
  readonly taps: DiskTaps;
  readonly timeline: FaultTimeline;
  /** Workload target by name (map names, `subsys:nsid`, kernel names). */
  readonly targets: ReadonlyMap<string, BlockDevice>;
  /** Every path device with counters (maps' paths, then NVMe paths). */
  readonly pathDevices: readonly (BlockDevice & IoStatsSource)[];
  stop(): void;
}

/** Options of {@link buildScenarioWorld}. */
export interface BuildOptions {
  /** Overrides the file's seed. */
  readonly seed?: number | string;
  /** Path selector plugins, offered as `dm-<name>` modules. */
  readonly selectors?: readonly PathSelectorType[];
}

/** The setup problems of a world, as diagnostics pointing into the scenario file. */
export class ScenarioWorldError extends ScenarioSetupError {
  readonly diagnostics: readonly ScenarioDiagnostic[];
  constructor(diagnostics: readonly ScenarioDiagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`).join("\n"));
    this.diagnostics = diagnostics;
  }
}

const DEFAULT_LUN_SERVICE: ResourceSpec = { queueDepth: 32, service: { kind: "fixed", ns: 200_000 } };

function resourceOf(s: ServiceSpec): ResourceSpec {
  if ("resource" in s) return s.resource;
  return (
    (deviceProfiles as Record<string, ResourceSpec>)[s.profile] ??
    (portProfiles as Record<string, ResourceSpec>)[s.profile]!
  );
}

function makeResource(
  name: string,
  spec: ResourceSpec,
  scale: number,
  rng: Rng,
  capacitySectors: number,
): QueueingResource {
  const r = new QueueingResource(name, spec, rng, spec.mechanics ? { capacitySectors } : {});
  r.serviceScale = scale;
  return r;
}

/** A selector module for a plugin, so `request_module("dm-<name>")` finds it as dm-mpath asks. */
function selectorModule(
  type: PathSelectorType,
  registry: {
    register(t: PathSelectorType): unknown;
    unregister(n: string): boolean;
    has(n: string): boolean;
  },
): KernelModule {
  return {
    name: `dm-${type.name}`,
    depends: ["dm-multipath"],
    init() {
      if (!registry.has(type.name)) registry.register(type);
      return 0;
    },
    exit() {
      registry.unregister(type.name);
    },
  };
}

/**
 * Builds the world of one matrix cell: hardware from the topology (with the cell's timing
 * profiles), the kernel's modules, FC rport timeouts as multipathd would set them, per-path taps,
 * the maps from their dm tables, NVMe subsystems and heads, the checker stand-ins, and the fault
 * timeline bound to it all. Problems come back as a {@link ScenarioWorldError} pointing into the
 * file.
 */
export function buildScenarioWorld(
  spec: ScenarioSpec,
  cell: MatrixCell,
  o: BuildOptions = {},
): ScenarioWorld {
  const diags: ScenarioDiagnostic[] = [];
  const problem = (pos: { line: number; col: number }, message: string) =>
    diags.push({ file: spec.file, line: pos.line, col: pos.col, severity: "error", message });

  const plugins = o.selectors ?? [];
  // Modules need the kernel's registry; a holder breaks the cycle (modules are built first).
  const registryRef: { r: SimWorld["kernel"]["selectors"] | null } = { r: null };
  const lazyRegistry = {
    register: (t: PathSelectorType) => registryRef.r!.register(t),
    unregister: (n: string) => registryRef.r!.unregister(n),
    has: (n: string) => registryRef.r!.has(n),
  };
  const world = createSimWorld({
    seed: o.seed ?? spec.seed,
    kernelConfig: { DM_MULTIPATH_HST: spec.kernel.hst, DM_MULTIPATH_IOA: spec.kernel.ioa },
    modules: plugins.map((p) => selectorModule(p, lazyRegistry)),
  });
  registryRef.r = world.kernel.selectors;
  const { fabric, kernel } = world;
  const rng = world.rng.fork("scenario-timing");

  // ---- hardware
  const lunServiceAxis = cell.get("lun_service");
  const portServiceAxis = cell.get("port_service");
  const built = new Map<string, BuiltArray>();
  for (const a of spec.topology.arrays) {
    const portSvc = (port: TargetPort) => {
      const own = a.ports.get(port.name);
      const s: ServiceSpec | null = portServiceAxis
        ? { profile: portServiceAxis, scale: own?.scale ?? 1, pos: a.pos }
        : (own ?? a.portService);
      return makeResource(`port ${a.name}:${port.name}`, s ? resourceOf(s) : {}, s?.scale ?? 1, rng, 1);
    };
    const lunSvc = (lu: LogicalUnit) => {
      const ls = a.luns.find((l) => l.lun === lu.lun);
      const s: ServiceSpec | null = lunServiceAxis
        ? { profile: lunServiceAxis, scale: 1, pos: a.pos }
        : (ls?.service ?? a.lunService);
      return makeResource(
        `lun ${a.name}:${lu.lun}`,
        s ? resourceOf(s) : DEFAULT_LUN_SERVICE,
        s?.scale ?? 1,
        rng,
        lu.blocks * (lu.blockSize / 512),
      );
    };
    const opts = {
      name: a.name,
      luns: a.luns.map((l) => ({
        lun: l.lun,
        sizeMb: l.bytes / 1048576,
        ...(l.owner !== null ? { owner: l.owner } : {}),
      })),
      portsPerController: a.portsPerController,
      lunService: lunSvc,
      portService: portSvc,
    };
    built.set(
      a.name,
      a.profile === "emc-clariion"
        ? emcClariionArray(fabric, opts)
        : lioArray(fabric, { ...opts, mode: a.mode, transitionNs: a.transitionNs }),
    );
  }
  const hbaSpecs = new Map(spec.topology.hbas.map((h) => [h.name, h]));
  for (const h of spec.topology.hbas)
    fabric.addHba({
      name: h.name,
      transport: "fc",
      driver: h.driver,
      canQueue: h.canQueue,
      cmdPerLun: h.cmdPerLun,
    });
  for (const l of spec.topology.links) {
    const hba = fabric.hba(l.hba)!;
    for (const to of l.to) {
      const i = to.lastIndexOf(":");
      const arr = built.get(i > 0 ? to.slice(0, i) : to)!.array;
      const ports = i > 0 ? arr.ports.filter((p) => p.name === to.slice(i + 1)) : arr.ports;
      for (const p of ports) fabric.connect(hba, p, l.latencyNs !== null ? { latencyNs: l.latencyNs } : {});
    }
  }

  // ---- NVMe: nvmet subsystems with one port per controller, the host connected through each
  const nvme = world.nvme;
  const iopolicyAxis = cell.get("iopolicy") as IoPolicy | undefined;
  const heads: BuiltHead[] = [];
  if (spec.topology.nvme.length > 0)
    for (const [m, ...params] of [
      ["nvme_core", `multipath=${spec.topology.nvmeMultipath ? "Y" : "N"}`],
      ["nvme_fabrics"],
      ["nvme_tcp"],
    ] as const) {
      const r = world.modprobe(m, ...params);
      if (!r.ok) throw new ScenarioSetupError(`modprobe ${m}: ${r.message}`);
    }
  for (const s of spec.topology.nvme) {
    const target = fabric.addNvmeSubsystem({ name: s.name });
    for (const ns of s.namespaces) {
      const svc = s.service
        ? makeResource(`ns ${s.name}:${ns.nsid}`, resourceOf(s.service), s.service.scale, rng, ns.bytes / 512)
        : null;
      target.addNamespace({ nsid: ns.nsid, bytes: ns.bytes, anaGroup: ns.anaGroup, service: svc });
    }
    // New subsystems start with nvme_core's iopolicy (the module parameter).
    nvme.iopolicy = iopolicyAxis ?? s.iopolicy;
    for (const c of s.controllers) {
      const port = target.addPort({
        name: c.name,
        anaState: anaStateFromName(c.ana),
        service: makeResource(
          `ctrl ${s.name}:${c.name}`,
          c.service ? resourceOf(c.service) : {},
          c.service?.scale ?? 1,
          rng,
          1,
        ),
      });
      const ctrl = nvme.connect({
        port,
        name: c.name,
        numaNode: c.numaNode,
        latencyNs: c.latencyNs,
        katoNs: s.katoNs,
        reconnectDelayNs: s.reconnectDelayNs,
        ctrlLossTmoNs: s.ctrlLossTmoNs,
        fastIoFailTmoNs: s.fastIoFailTmoNs,
      });
      if ("errno" in ctrl) throw new ScenarioSetupError(`${s.name}:${c.name}: connect: ${ctrl.message}`);
    }
    const sub = nvme.subsystem(target.nqn);
    // Heads are workload targets only with native multipath (without it they have no disk).
    if (sub && spec.topology.nvmeMultipath)
      for (const h of sub.heads.values())
        heads.push({ name: h.name, subsystem: s.name, head: h, paths: [...h.paths] });
  }

  // ---- kernel modules, in the order a boot loads them: handlers before the HBA drivers scan
  const load = (name: string): void => {
    const r = world.modprobe(name);
    if (!r.ok) throw new ScenarioSetupError(`modprobe ${name}: ${r.message}`);
  };
  load("dm_multipath");
  for (const hh of new Set(spec.maps.map((m) => m.hardwareHandler).filter((x): x is string => x !== null)))
    load(`scsi_dh_${hh}`);
  load("sd_mod");
  for (const d of new Set(spec.topology.hbas.map((h) => h.driver))) load(d);
  setRportTmo(world, spec.topology.devLossTmo, spec.topology.fastIoFailTmo);

  const taps = new DiskTaps(world.clock);
  const sdevFor = (link: Link, lun: number): SimScsiDevice | undefined =>
    world.scsi.devices().find((d) => d.starget.link === link && d.lun === lun);
  for (const d of kernel.block.all()) if (d instanceof SdDisk) taps.tap(d);
  kernel.block.subscribe((e) => {
    if (e.action === "add" && e.dev instanceof SdDisk) taps.tap(e.dev);
  });

  // ---- maps
  const maps: BuiltMap[] = [];
  const selectorAxis = cell.get("selector");
  const groupingAxis = cell.get("grouping") as Grouping | undefined;
  for (const m of spec.maps) {
    const i = m.lun.lastIndexOf(":");
    const owner = m.lun.slice(0, i);
    const lunNo = Number(m.lun.slice(i + 1).replace(/^lun/, ""));
    const nvmeTarget = fabric.nvmeSubsystem(owner);
    const arr = nvmeTarget ? null : built.get(owner)!.array;
    const lu = arr ? arr.lus.find((x) => x.lun === lunNo)! : null;
    const linkNames =
      m.paths ??
      (m.groups
        ? m.groups.flatMap((g) => g.paths)
        : nvmeTarget
          ? nvmeTarget.ports.map((p) => `${owner}:${p.name}`)
          : fabric.links.filter((l) => l.port.array === arr).map((l) => l.name));
    const paths: BuiltPath[] = [];
    const nvmePaths = new Map<BuiltPath, NvmeNs>();
    for (const ln of linkNames) {
      if (nvmeTarget) {
        // An NVMe path: the per-controller disk of the namespace through that port.
        const port = nvmeTarget.port(ln.slice(ln.lastIndexOf(":") + 1));
        const ns = nvme.ctrls.find((c) => c.port === port)?.namespaces.find((n) => n.nsid === lunNo);
        if (!ns) {
          problem(m.pos, `map ${m.name}: path ${ln} has no disk for namespace ${lunNo}`);
          continue;
        }
        const bp: BuiltPath = { name: ln, link: null, disk: ns, devt: formatDevT(ns.devt) };
        nvmePaths.set(bp, ns);
        paths.push(bp);
        continue;
      }
      const link = fabric.link(ln);
      const sdev = link ? sdevFor(link, lunNo) : undefined;
      if (!link || !sdev?.sd) {
        problem(
          m.pos,
          `map ${m.name}: path ${ln} has no disk for LUN ${lunNo} (link down or LUN not mapped at start?)`,
        );
        continue;
      }
      paths.push({ name: ln, link, disk: taps.tap(sdev.sd), devt: formatDevT(sdev.sd.devt) });
    }
    if (paths.length === 0) {
      if (linkNames.length === 0) problem(m.pos, `map ${m.name}: no link reaches ${m.lun}`);
      continue;
    }
    const grouping: Grouping = groupingAxis ?? m.grouping;
    const selector = selectorAxis ?? m.selector;
    if (grouping === "single" && !m.table) {
      const p = paths[0]!;
      maps.push({
        spec: m,
        name: m.name,
        device: p.disk,
        paths: [p],
        single: true,
        selector: "-",
        grouping,
        table: "",
        checker: null,
      });
      continue;
    }
    const params = m.table
      ? substitute(m.table, paths, (msg) => problem(m.pos, `map ${m.name}: ${msg}`))
      : tableParams(
          m,
          paths,
          grouping,
          selector,
          // group_by_tpg: the target port group and its ALUA rank, or an NVMe path's ANA state.
          (p) => {
            const ns = nvmePaths.get(p);
            if (ns) {
              const st = ns.ctrl.port.anaOf(ns.target.anaGroup);
              const rank = st === AnaState.OPTIMIZED ? 0 : st === AnaState.NON_OPTIMIZED ? 1 : 2;
              return { key: rank, rank };
            }
            const tpg = p.link!.port.group.id;
            return { key: tpg, rank: aluaRank(lu!, tpg) };
          },
          m.groups && !groupingAxis ? m.groups : null,
        );
    if (params === null) continue;
    const dm = kernel.dm;
    const before = kernel.log.cursor();
    const created = dm.create(m.name);
    const sizeSectors = paths[0]!.disk.sizeSectors();
    const loaded = created.ok
      ? dm.load(m.name, [{ start: 0, length: sizeSectors, type: "multipath", params }])
      : created;
    const resumed = loaded.ok ? dm.resume(m.name) : loaded;
    if (!resumed.ok) {
      const why = kernel.log
        .since(before)
        .map((l) => l.text)
        .join("; ");
      problem(
        m.pos,
        `map ${m.name}: the kernel refused the table "0 ${sizeSectors} multipath ${params}": errno ${resumed.errno}${why ? ` (${why})` : ""}`,
      );
      continue;
    }
    const device = kernel.block.get(resumed.value.devt);
    if (!device) {
      problem(m.pos, `map ${m.name}: no block device after resume`);
      continue;
    }
    let checker: PathChecker | null = null;
    if (m.checker) {
      const checked: CheckedPath[] = paths.map((p) => {
        const ns = nvmePaths.get(p);
        if (ns)
          return {
            dev: p.devt,
            scsi: () => null,
            // checker none + path_offline: the controller's state decides.
            state: () => {
              const st = ns.ctrl.state;
              if (ns.removedDisk || st === "deleting" || st === "dead") return "down";
              return st === "live" ? "up" : "pending";
            },
          };
        return {
          dev: p.devt,
          scsi: () => {
            const sd = p.link ? sdevFor(p.link, lunNo) : undefined;
            return sd && sd.state !== "deleted" ? sd : null;
          },
        };
      });
      checker = new PathChecker(world.clock, kernel.dm, kernel.log, m.name, checked, m.checker);
    }
    maps.push({
      spec: m,
      name: m.name,
      device,
      paths,
      single: false,
      selector,
      grouping,
      table: params,
      checker,
    });
  }

  // ---- workload targets
  const targets = new Map<string, BlockDevice>();
  for (const bm of maps) {
    targets.set(bm.name, bm.device);
    targets.set(bm.device.name, bm.device);
  }
  for (const h of heads) {
    targets.set(h.name, h.head);
    targets.set(`${h.subsystem}:${h.head.nsid}`, h.head);
  }
  for (const d of kernel.block.all()) if (!targets.has(d.name)) targets.set(d.name, taps.get(d) ?? d);
  for (const h of heads) for (const p of h.paths) targets.set(p.name, p);

  // ---- fault timeline
  const fw: FaultWorld = {
    clock: world.clock,
    fabric,
    nvme,
    dm: kernel.dm,
    addHba: (name, driver, ports) => {
      const hba: Hba = fabric.addHba({ name, transport: "fc", driver, ...(hbaSpecs.get(name) ? {} : {}) });
      for (const p of ports) fabric.connect(hba, p);
      if (!kernel.modules.isLoaded(driver)) {
        const r = world.modprobe(driver);
        if (!r.ok) return `modprobe ${driver} failed`;
      }
      setRportTmo(world, spec.topology.devLossTmo, spec.topology.fastIoFailTmo);
      return null;
    },
  };
  const timeline = new FaultTimeline(fw, spec.faults);
  for (const [index, msg] of timeline.check()) problem(spec.faultPos[index] ?? { line: 1, col: 1 }, msg);

  if (diags.length > 0) throw new ScenarioWorldError(diags);

  const pathDevices: (BlockDevice & IoStatsSource)[] = [];
  const seen = new Set<BlockDevice>();
  for (const bm of maps)
    for (const p of bm.paths)
      if (!seen.has(p.disk)) {
        seen.add(p.disk);
        pathDevices.push(p.disk);
      }
  for (const h of heads) for (const p of h.paths) pathDevices.push(p);

  return {
    world,
    nvme,
    maps,
    heads,
    taps,
    timeline,
    targets,
    pathDevices,
    stop() {
      timeline.stop();
      for (const m of maps) m.checker?.stop();
      nvme.stop();
      for (const t of fabric.nvmeSubsystems) t.stop();
    },
  };
}

/** What multipathd does with `fast_io_fail_tmo`/`dev_loss_tmo`: writes them to every FC rport. */
function setRportTmo(world: SimWorld, devLoss: number, fastIoFail: number | null): void {
  const sys = world.host.sysfs;
  for (const rp of sys.list("/sys/class/fc_remote_ports") ?? []) {
    const dir = `/sys/class/fc_remote_ports/${rp}`;
    // dev_loss_tmo above 600 needs fast_io_fail_tmo set first; below, set it first.
    if (fastIoFail !== null && devLoss > 600) {
      sys.write(`${dir}/fast_io_fail_tmo`, `${fastIoFail}\n`);
      sys.write(`${dir}/dev_loss_tmo`, `${devLoss}\n`);
    } else {
      sys.write(`${dir}/dev_loss_tmo`, `${devLoss}\n`);
      sys.write(`${dir}/fast_io_fail_tmo`, fastIoFail === null ? "off\n" : `${fastIoFail}\n`);
    }
  }
}

/** Replaces `{link}` placeholders of a raw table with the paths' `M:m`. */
function substitute(table: string, paths: readonly BuiltPath[], problem: (m: string) => void): string | null {
  let bad = false;
  const out = table.replace(/\{([^}]+)\}/g, (_, ref: string) => {
    const p = paths.find((x) => x.name === ref);
    if (!p) {
      problem(`table names {${ref}}, which is not one of this map's paths`);
      bad = true;
      return ref;
    }
    return p.devt;
  });
  return bad ? null : out;
}

/** The rank of an ALUA state for group ordering (the alua prioritizer's order). */
function aluaRank(lu: LogicalUnit, tpg: number): number {
  if (!lu.alua) return 0;
  const s = lu.alua.state(tpg);
  const aas = s.pending ? s.pending.to : s.aas;
  switch (aas) {
    case Aas.ACTIVE_OPTIMIZED:
      return s.preferred ? 0 : 1;
    case Aas.ACTIVE_NON_OPTIMIZED:
      return 2;
    case Aas.STANDBY:
      return 3;
    default:
      return 4;
  }
}

/** Builds the multipath params of a map from its grouping, selector and paths. */
function tableParams(
  m: MapSpec,
  paths: readonly BuiltPath[],
  grouping: Grouping,
  selector: string,
  groupOf: (p: BuiltPath) => { key: number; rank: number },
  explicit: MapSpec["groups"],
): string {
  const sel = normalizeSelector(selector);
  const nargs = m.pathArgs.trim() === "" ? 0 : m.pathArgs.trim().split(/\s+/).length;
  const feats = m.features.length > 0 ? `${m.features.length} ${m.features.join(" ")}` : "0";
  const hh = m.hardwareHandler ? `1 ${m.hardwareHandler}` : "0";
  let groups: { selector: string; paths: BuiltPath[] }[];
  if (explicit) {
    groups = explicit.map((g) => ({
      selector: selectorAxisOr(g.selector, sel),
      paths: g.paths
        .map((n) => paths.find((p) => p.name === n))
        .filter((p): p is BuiltPath => p !== undefined),
    }));
  } else if (grouping === "failover") {
    groups = paths.map((p) => ({ selector: sel, paths: [p] }));
  } else if (grouping === "group_by_tpg") {
    const by = new Map<number, { rank: number; paths: BuiltPath[] }>();
    for (const p of paths) {
      const g = groupOf(p);
      let e = by.get(g.key);
      if (!e) by.set(g.key, (e = { rank: g.rank, paths: [] }));
      e.paths.push(p);
    }
    groups = [...by.entries()]
      .sort(([a, x], [b, y]) => x.rank - y.rank || a - b)
      .map(([, e]) => ({ selector: sel, paths: e.paths }));
  } else {
    groups = [{ selector: sel, paths: [...paths] }];
  }
  groups = groups.filter((g) => g.paths.length > 0);
  const pgs = groups
    .map(
      (g) =>
        `${g.selector} ${g.paths.length} ${nargs} ${g.paths.map((p) => `${p.devt} ${m.pathArgs}`.trim()).join(" ")}`,
    )
    .join(" ");
  return `${feats} ${hh} ${groups.length} 1 ${pgs}`;
}

function selectorAxisOr(groupSelector: string | null, mapSelector: string): string {
  return groupSelector ?? mapSelector;
}
