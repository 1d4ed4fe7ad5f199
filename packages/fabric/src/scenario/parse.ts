import {
  type InjectLabel,
  NAMED_HOST_BYTE,
  NAMED_SENSE,
  NAMED_STATUS,
  type TimelineAction,
  type TimelineEvent,
  type TimelineTarget,
} from "../faults/timeline.js";
import type { AluaStateName } from "../hardware/alua.js";
import type { FaultSpec, FaultAction as HwFaultAction } from "../hardware/fault.js";
import { ANA_STATE_NAMES, type AnaStateName } from "../nvme/ana.js";
import { IO_POLICIES } from "../nvme-multipath/iopolicy.js";
import type { SenseSpec } from "../scsi/sense.js";
import type { DistributionSpec } from "../timing/distribution.js";
import { deviceProfiles, portProfiles } from "../timing/profiles.js";
import type { RateCap, ResourceSpec } from "../timing/queueing-resource.js";
import {
  JOB_OPTION_ALIASES,
  JOB_OPTION_NAMES,
  type JobOptions,
  resolveJobs,
} from "../workload/job-options.js";
import {
  ARRAY_PROFILES,
  type ArraySpec,
  type CellFilter,
  type CheckerSpec,
  type ExpectationSpec,
  GROUPINGS,
  type HbaSpec,
  type KernelSpec,
  type LinkSpec,
  type LunSpecS,
  type MapSpec,
  type MatrixAxis,
  type MatrixAxisName,
  type NvmeControllerSpec,
  type NvmeSubsystemSpec,
  type ScenarioSpec,
  type ServiceSpec,
  type TopologySpec,
  type WorkloadSpec,
} from "./spec.js";
import {
  bool,
  type Decoder,
  didYouMean,
  duration,
  int,
  isMapNode,
  isSeqNode,
  listOf,
  name,
  num,
  oneOf,
  type Pos,
  type ReadContext,
  rate,
  readYaml,
  type ScenarioDiagnostic,
  scalar,
  size,
  str,
  type YNode,
} from "./yaml-reader.js";

/** Result of {@link parseScenario}. */
export type ScenarioParseResult =
  | { readonly ok: true; readonly spec: ScenarioSpec; readonly warnings: readonly ScenarioDiagnostic[] }
  | { readonly ok: false; readonly diagnostics: readonly ScenarioDiagnostic[] };

const TOP_KEYS = [
  "name",
  "description",
  "seed",
  "kernel",
  "topology",
  "multipath_conf",
  "maps",
  "workloads",
  "faults",
  "expect",
  "matrix",
  "run_for",
  "limit",
];

const MS = 1e6;
const S = 1e9;

/**
 * Parses and checks a scenario file. Never throws on user input: every problem comes back as a
 * diagnostic with its line and column (`file:line:col: message` via `formatDiagnostic`).
 */
export function parseScenario(text: string, file = "scenario.yaml"): ScenarioParseResult {
  const r = parseScenarioUnsorted(text, file);
  if (r.ok) return r;
  const diagnostics = [...r.diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
  return { ok: false, diagnostics };
}

function parseScenarioUnsorted(text: string, file: string): ScenarioParseResult {
  const { cx, root } = readYaml(text, file);
  if (cx.hasErrors) return { ok: false, diagnostics: cx.diagnostics };
  if (root === null) {
    cx.error({ line: 1, col: 1 }, "the scenario file is empty (it needs at least seed: and topology:)");
    return { ok: false, diagnostics: cx.diagnostics };
  }
  const m = cx.map(root, "the scenario");
  if (!m) return { ok: false, diagnostics: cx.diagnostics };

  const seed = m.req("seed", seedDecoder);
  const nameV = m.opt("name", str("name"), file.replace(/^.*\//, "").replace(/\.ya?ml$/, ""));
  const description = m.opt("description", str("description"), "");
  const kernel = m.opt("kernel", kernelDecoder, { hst: true, ioa: true });
  const topology = m.req("topology", topologyDecoder);
  const multipathConf = m.opt("multipath_conf", str("multipath_conf"), null as string | null);
  const maps = m.opt("maps", listOf("maps", mapDecoder, false), []);
  const matrix = m.opt("matrix", matrixDecoder, []);
  const workloads = m.opt("workloads", listOf("workloads", workloadDecoder, false), []);
  const faultsNode = m.value("faults");
  const faults = faultsNode === undefined ? { events: [], pos: [] } : faultsDecoder(faultsNode, cx);
  const expect = m.opt("expect", listOf("expect", expectationDecoder, false), []);
  const runForNs = m.opt("run_for", duration("run_for"), 0);
  const limitNs = m.opt("limit", duration("limit"), 3600 * S);
  m.done(TOP_KEYS);

  if (seed === undefined || topology === undefined || faults === undefined)
    return { ok: false, diagnostics: cx.diagnostics };

  const spec: ScenarioSpec = {
    file,
    name: nameV,
    description,
    seed,
    kernel,
    topology,
    multipathConf,
    maps,
    workloads: workloads.map((w, i) => (w.name === "" ? { ...w, name: `job${i}` } : w)),
    faults: faults.events,
    faultPos: faults.pos,
    expect,
    matrix,
    runForNs,
    limitNs,
  };
  crossCheck(spec, cx);
  if (cx.hasErrors) return { ok: false, diagnostics: cx.diagnostics };
  return { ok: true, spec, warnings: cx.diagnostics.filter((d) => d.severity === "warning") };
}

// ---- top-level pieces ---------------------------------------------------------------------

const seedDecoder: Decoder<number | string> = (n, cx) => {
  const v = scalar(n, cx);
  if (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  if (typeof v === "string" && v !== "") return v;
  return cx.error(n, "seed must be an integer in [0, 4294967295] or a non-empty string");
};

const kernelDecoder: Decoder<KernelSpec> = (n, cx) => {
  const m = cx.map(n, "kernel");
  if (!m) return undefined;
  const hst = m.opt("hst", bool("kernel.hst"), true);
  const ioa = m.opt("ioa", bool("kernel.ioa"), true);
  m.done(["hst", "ioa"]);
  return { hst, ioa };
};

// ---- timing profiles ------------------------------------------------------------------------

const PROFILE_NAMES = [...Object.keys(deviceProfiles), ...Object.keys(portProfiles)];

function profileSpec(name: string): ResourceSpec | undefined {
  return (
    (deviceProfiles as Record<string, ResourceSpec>)[name] ??
    (portProfiles as Record<string, ResourceSpec>)[name]
  );
}

const distributionDecoder: Decoder<DistributionSpec> = (n, cx) => {
  if (!isMapNode(n, cx)) {
    const d = duration("service time")(n, cx);
    return d === undefined ? undefined : { kind: "fixed", ns: d };
  }
  const m = cx.map(n, "a distribution")!;
  const kinds = ["fixed", "uniform", "normal", "lognormal", "empirical"];
  const keys = m.keys();
  if (keys.length !== 1 || !kinds.includes(keys[0]!)) {
    m.done(kinds);
    return cx.error(n, `a distribution is one of ${kinds.map((k) => `{${k}: …}`).join(", ")}`);
  }
  const kind = keys[0]!;
  const v = m.value(kind)!;
  const dur = duration(`${kind}`);
  switch (kind) {
    case "fixed": {
      const ns = dur(v, cx);
      return ns === undefined ? undefined : { kind: "fixed", ns };
    }
    case "uniform": {
      const xs = listOf("uniform", dur, false)(v, cx);
      if (!xs) return undefined;
      if (xs.length !== 2) return cx.error(v, "uniform: give [min, max]");
      return { kind: "uniform", minNs: xs[0]!, maxNs: xs[1]! };
    }
    case "normal":
    case "lognormal": {
      const mm = cx.map(v, kind);
      if (!mm) return undefined;
      if (kind === "lognormal" && mm.has("mu")) {
        const mu = mm.req("mu", num("mu"));
        const sigma = mm.req("sigma", num("sigma", 0));
        mm.done(["mu", "sigma"]);
        return mu === undefined || sigma === undefined ? undefined : { kind: "lognormal", mu, sigma };
      }
      const mean = mm.req("mean", duration("mean"));
      const sd = mm.req("stddev", duration("stddev"));
      mm.done(kind === "lognormal" ? ["mean", "stddev", "mu", "sigma"] : ["mean", "stddev"]);
      if (mean === undefined || sd === undefined) return undefined;
      return kind === "normal"
        ? { kind: "normal", meanNs: mean, stddevNs: sd }
        : { kind: "lognormal", meanNs: mean, stddevNs: sd };
    }
    default: {
      const mm = cx.map(v, "empirical");
      if (!mm) return undefined;
      if (mm.has("samples")) {
        const samples = mm.req("samples", listOf("samples", dur, false));
        mm.done(["samples", "percentiles"]);
        if (!samples) return undefined;
        if (samples.length === 0) return cx.error(v, "empirical samples: give at least one");
        return { kind: "empirical", samplesNs: samples };
      }
      const pn = mm.req("percentiles", (x, c) => c.map(x, "empirical percentiles"));
      mm.done(["samples", "percentiles"]);
      if (!pn) return undefined;
      const pts: { p: number; ns: number }[] = [];
      for (const k of pn.keys()) {
        const p = Number(k);
        if (!(p >= 0 && p <= 100)) {
          cx.error(pn.keyNode(k), `percentile ${k} must be a number in [0, 100]`);
          continue;
        }
        const ns = dur(pn.value(k)!, cx);
        if (ns !== undefined) pts.push({ p, ns });
      }
      pts.sort((a, b) => a.p - b.p);
      return { kind: "empirical", percentiles: pts };
    }
  }
};

const rateCapDecoder: Decoder<RateCap> = (n, cx) => {
  const m = cx.map(n, "a rate cap");
  if (!m) return undefined;
  const bw = m.opt("bandwidth", rate("bandwidth"));
  const iops = m.opt("iops", num("iops", 1));
  m.done(["bandwidth", "iops"]);
  return { ...(bw !== undefined ? { bytesPerSec: bw } : {}), ...(iops !== undefined ? { iops } : {}) };
};

/** `service:` — a profile name, or a mapping (optionally based on a profile). */
const serviceDecoder: Decoder<ServiceSpec> = (n, cx) => {
  const pos = cx.pos(n);
  if (!isMapNode(n, cx)) {
    const s = str("service")(n, cx);
    if (s === undefined) return undefined;
    if (!profileSpec(s))
      return cx.error(
        n,
        `unknown timing profile "${s}"${didYouMean(s, PROFILE_NAMES)} (known: ${PROFILE_NAMES.join(", ")})`,
      );
    return { profile: s, scale: 1, pos };
  }
  const m = cx.map(n, "service")!;
  const base = m.opt("profile", oneOf("service profile", PROFILE_NAMES));
  const scale = m.opt("scale", num("scale", 0.000001), 1);
  const qd = m.opt("queue_depth", int("queue_depth", 1, 1 << 16));
  const lat = m.opt("latency", duration("latency"));
  const time = m.opt("time", distributionDecoder);
  const read = m.opt("read", distributionDecoder);
  const write = m.opt("write", distributionDecoder);
  const rateNode = m.value("rate");
  let rateSpec: ResourceSpec["rate"];
  if (rateNode !== undefined) {
    const rm = cx.map(rateNode, "rate");
    if (rm) {
      const r = rm.opt("read", rateCapDecoder);
      const w = rm.opt("write", rateCapDecoder);
      const both = rm.opt("both", rateCapDecoder);
      const duplex = rm.opt("duplex", oneOf("duplex", ["full", "half"] as const));
      rm.done(["read", "write", "both", "duplex"]);
      rateSpec = {
        ...(r || both ? { read: { ...both, ...r } } : {}),
        ...(w || both ? { write: { ...both, ...w } } : {}),
        ...(duplex ? { duplex } : {}),
      };
    }
  }
  m.done(["profile", "scale", "queue_depth", "latency", "time", "read", "write", "rate"]);
  if ((read && !write) || (write && !read))
    return cx.error(n, "service: give both read: and write: (or time: for both)");
  const from: ResourceSpec = base ? profileSpec(base)! : {};
  const resource: ResourceSpec = {
    ...from,
    ...(qd !== undefined ? { queueDepth: qd } : {}),
    ...(lat !== undefined ? { latencyNs: lat } : {}),
    ...(time ? { service: time } : {}),
    ...(read && write ? { service: { read, write } } : {}),
    ...(rateSpec ? { rate: rateSpec } : {}),
  };
  return { resource, scale, pos };
};

// ---- topology -------------------------------------------------------------------------------

const topologyDecoder: Decoder<TopologySpec> = (n, cx) => {
  const m = cx.map(n, "topology");
  if (!m) return undefined;
  const hbas = m.opt("hbas", listOf("hbas", hbaDecoder, false), []);
  const arrays = m.opt("arrays", listOf("arrays", arrayDecoder, false), []);
  const links = m.opt("links", listOf("links", linkDecoder, false), []);
  const nvme = m.opt("nvme", listOf("nvme", nvmeDecoder, false), []);
  const fastIoFailTmo = m.opt(
    "fast_io_fail_tmo",
    (x, c) => (scalar(x, c) === "off" ? null : int("fast_io_fail_tmo", 0, 600)(x, c)),
    5 as number | null,
  );
  const devLossTmo = m.opt("dev_loss_tmo", int("dev_loss_tmo", 1, 0x7fffffff), 600);
  const nvmeMultipath = m.opt("nvme_multipath", bool("nvme_multipath"), true);
  m.done(["hbas", "arrays", "links", "nvme", "nvme_multipath", "fast_io_fail_tmo", "dev_loss_tmo"]);
  if (fastIoFailTmo !== null && fastIoFailTmo >= devLossTmo)
    cx.error(
      m.keyNode("fast_io_fail_tmo"),
      `fast_io_fail_tmo (${fastIoFailTmo}) must be below dev_loss_tmo (${devLossTmo})`,
    );
  const seen = new Set<string>();
  for (const x of [...hbas, ...arrays, ...nvme]) {
    if (seen.has(x.name)) cx.error(x.pos, `duplicate name "${x.name}" in topology`);
    seen.add(x.name);
  }
  return { hbas, arrays, links, nvme, nvmeMultipath, fastIoFailTmo, devLossTmo };
};

const hbaDecoder: Decoder<HbaSpec> = (n, cx) => {
  const pos = cx.pos(n);
  if (!isMapNode(n, cx)) {
    const nm = name("HBA name")(n, cx);
    return nm === undefined ? undefined : { name: nm, driver: "qla2xxx", canQueue: 1024, cmdPerLun: 64, pos };
  }
  const m = cx.map(n, "an HBA")!;
  const nm = m.req("name", name("HBA name"));
  const driver = m.opt("driver", oneOf("driver", ["qla2xxx", "lpfc"] as const), "qla2xxx");
  const canQueue = m.opt("can_queue", int("can_queue", 1, 65536), 1024);
  const cmdPerLun = m.opt("cmd_per_lun", int("cmd_per_lun", 1, 65536), 64);
  m.done(["name", "driver", "can_queue", "cmd_per_lun"]);
  return nm === undefined ? undefined : { name: nm, driver, canQueue, cmdPerLun, pos };
};

const ownerDecoder: Decoder<0 | 1> = (n, cx) => {
  const v = scalar(n, cx);
  if (v === "A" || v === 0) return 0;
  if (v === "B" || v === 1) return 1;
  return cx.error(n, "owner must be A or B");
};

const lunDecoder: Decoder<LunSpecS> = (n, cx) => {
  const pos = cx.pos(n);
  const m = cx.map(n, "a LUN");
  if (!m) return undefined;
  const lun = m.req("lun", int("lun", 0, 16383));
  const bytes = m.opt("size", size("size"), 1 << 30);
  const owner = m.opt("owner", ownerDecoder, null as 0 | 1 | null);
  const service = m.opt("service", serviceDecoder, null as ServiceSpec | null);
  m.done(["lun", "size", "owner", "service"]);
  if (lun === undefined) return undefined;
  if (bytes < 1 << 20) return cx.error(m.keyNode("size"), "a LUN must be at least 1 MiB");
  return { lun, bytes, owner, service, pos };
};

const arrayDecoder: Decoder<ArraySpec> = (n, cx) => {
  const pos = cx.pos(n);
  const m = cx.map(n, "an array");
  if (!m) return undefined;
  const nm = m.req("name", name("array name"));
  const profile = m.opt("profile", oneOf("profile", ARRAY_PROFILES), "lio");
  const mode = m.opt("mode", oneOf("mode", ["active-active", "active-passive"] as const), "active-active");
  const per = m.opt("ports_per_controller", int("ports_per_controller", 1, 16), 2);
  const transitionNs = m.opt("transition", duration("transition"), 10 * MS);
  const luns = m.opt("luns", listOf("luns", lunDecoder, false), []);
  const lunService = m.opt("service", serviceDecoder, null as ServiceSpec | null);
  const portService = m.opt("port_service", serviceDecoder, null as ServiceSpec | null);
  const ports = new Map<string, ServiceSpec>();
  const portsNode = m.value("ports");
  if (portsNode !== undefined) {
    const pm = cx.map(portsNode, "ports");
    if (pm)
      for (const k of pm.keys()) {
        const pn = pm.value(k)!;
        const pmm = cx.map(pn, `port ${k}`);
        if (!pmm) continue;
        const s = pmm.req("service", serviceDecoder);
        pmm.done(["service"]);
        if (s) ports.set(k, s);
      }
  }
  m.done([
    "name",
    "profile",
    "mode",
    "ports_per_controller",
    "transition",
    "luns",
    "service",
    "port_service",
    "ports",
  ]);
  if (nm === undefined) return undefined;
  const portNames = portNamesOf(per);
  for (const k of ports.keys())
    if (!portNames.includes(k)) cx.error(pos, `array ${nm}: no port "${k}" (ports: ${portNames.join(", ")})`);
  if (luns.length === 0) cx.error(pos, `array ${nm}: give at least one LUN under luns:`);
  const seen = new Set<number>();
  for (const l of luns) {
    if (seen.has(l.lun)) cx.error(l.pos, `array ${nm}: duplicate LUN ${l.lun}`);
    seen.add(l.lun);
  }
  return {
    name: nm,
    profile,
    mode,
    portsPerController: per,
    transitionNs,
    luns,
    lunService,
    portService,
    ports,
    pos,
  };
};

/** The port names the dual-controller profiles create: A0…, B0…. */
export function portNamesOf(perController: number): string[] {
  const out: string[] = [];
  for (const c of ["A", "B"]) for (let i = 0; i < perController; i++) out.push(`${c}${i}`);
  return out;
}

const linkDecoder: Decoder<LinkSpec> = (n, cx) => {
  const pos = cx.pos(n);
  if (!isMapNode(n, cx)) {
    const s = str("link")(n, cx);
    if (s === undefined) return undefined;
    const mm = /^\s*([^\s>-]+)\s*->\s*(\S+)\s*$/.exec(s);
    if (!mm) return cx.error(n, `a link is "HBA -> ARRAY:PORT" or a mapping {hba:, to:}: "${s}"`);
    return { hba: mm[1]!, to: [mm[2]!], latencyNs: null, pos };
  }
  const m = cx.map(n, "a link")!;
  const hba = m.req("hba", name("hba"));
  const to = m.req("to", listOf("to", name("port reference")));
  const latencyNs = m.opt("latency", duration("latency"), null as number | null);
  m.done(["hba", "to", "latency"]);
  return hba === undefined || to === undefined ? undefined : { hba, to, latencyNs, pos };
};

const nvmeCtrlDecoder: Decoder<NvmeControllerSpec> = (n, cx) => {
  const pos = cx.pos(n);
  const m = cx.map(n, "an NVMe controller");
  if (!m) return undefined;
  const nm = m.req("name", name("controller name"));
  const numaNode = m.opt("numa_node", int("numa_node", 0, 63), -1);
  const latencyNs = m.opt("latency", duration("latency"), 0);
  const service = m.opt("service", serviceDecoder, null as ServiceSpec | null);
  const ana = m.opt("ana", oneOf<AnaStateName>("ana", ANA_STATE_NAMES), "optimized");
  m.done(["name", "numa_node", "latency", "service", "ana"]);
  return nm === undefined ? undefined : { name: nm, numaNode, latencyNs, service, ana, pos };
};

const nvmeDecoder: Decoder<NvmeSubsystemSpec> = (n, cx) => {
  const pos = cx.pos(n);
  const m = cx.map(n, "an NVMe subsystem");
  if (!m) return undefined;
  const nm = m.req("name", name("subsystem name"));
  const iopolicy = m.opt("iopolicy", oneOf("iopolicy", IO_POLICIES), "numa");
  const namespaces = m.opt(
    "namespaces",
    listOf("namespaces", (x, c) => {
      const mm = c.map(x, "a namespace");
      if (!mm) return undefined;
      const nsid = mm.req("nsid", int("nsid", 1, 0xfffffffe));
      const bytes = mm.opt("size", size("size"), 1 << 30);
      const anaGroup = mm.opt("ana_group", int("ana_group", 1, 0xffff), 1);
      mm.done(["nsid", "size", "ana_group"]);
      return nsid === undefined ? undefined : { nsid, bytes, anaGroup };
    }),
    [{ nsid: 1, bytes: 1 << 30, anaGroup: 1 }],
  );
  const service = m.opt("service", serviceDecoder, null as ServiceSpec | null);
  const controllers = m.req("controllers", listOf("controllers", nvmeCtrlDecoder, false));
  const katoNs = m.opt("kato", duration("kato"), 5 * S);
  const reconnectDelayNs = m.opt("reconnect_delay", duration("reconnect_delay"), 10 * S);
  const ctrlLossTmoNs = m.opt("ctrl_loss_tmo", duration("ctrl_loss_tmo"), 600 * S);
  const fastIoFailTmoNs = m.opt(
    "fast_io_fail_tmo",
    (x, c) => (scalar(x, c) === "off" ? -1 : duration("fast_io_fail_tmo")(x, c)),
    -1 as number | undefined,
  );
  m.done([
    "name",
    "iopolicy",
    "namespaces",
    "service",
    "controllers",
    "kato",
    "reconnect_delay",
    "ctrl_loss_tmo",
    "fast_io_fail_tmo",
  ]);
  if (nm === undefined || controllers === undefined) return undefined;
  if (controllers.length === 0) return cx.error(pos, `NVMe subsystem ${nm}: give at least one controller`);
  const seen = new Set<string>();
  for (const c of controllers) {
    if (seen.has(c.name)) cx.error(c.pos, `NVMe subsystem ${nm}: duplicate controller "${c.name}"`);
    seen.add(c.name);
  }
  return {
    name: nm,
    iopolicy,
    namespaces,
    service,
    controllers,
    katoNs,
    reconnectDelayNs,
    ctrlLossTmoNs,
    fastIoFailTmoNs: fastIoFailTmoNs ?? -1,
    pos,
  };
};

// ---- maps -----------------------------------------------------------------------------------

/** `service-time` → `service-time 0` (a selector with no args gets the empty arg count). */
export function normalizeSelector(s: string): string {
  const t = s.trim().split(/\s+/);
  return t.length === 1 ? `${t[0]} 0` : t.join(" ");
}

const checkerDecoder: Decoder<CheckerSpec> = (n, cx) => {
  const v = scalar(n, cx);
  if (v === true) return { intervalNs: 5 * S, failback: "immediate" };
  const m = cx.map(n, "checker");
  if (!m) return undefined;
  const intervalNs = m.opt("interval", duration("interval"), 5 * S);
  const failback = m.opt(
    "failback",
    (x, c) => {
      const s = scalar(x, c);
      if (s === "immediate" || s === "manual") return s;
      return duration("failback")(x, c);
    },
    "immediate" as CheckerSpec["failback"],
  );
  m.done(["interval", "failback"]);
  if (intervalNs <= 0) return cx.error(m.keyNode("interval"), "checker interval must be > 0");
  return { intervalNs, failback };
};

const mapDecoder: Decoder<MapSpec> = (n, cx) => {
  const pos = cx.pos(n);
  const m = cx.map(n, "a map");
  if (!m) return undefined;
  const nm = m.req("name", name("map name"));
  const lun = m.req("lun", name("lun"));
  const table = m.opt("table", str("table"), null as string | null);
  const features = m.opt(
    "features",
    (x, c) =>
      isSeqNode(x, c) ? listOf("features", str("feature"))(x, c) : str("features")(x, c)?.split(/\s+/),
    [] as string[],
  );
  const hh = m.opt(
    "hardware_handler",
    oneOf("hardware_handler", ["none", "alua", "emc", "rdac", "hp_sw"]),
    "none",
  );
  const grouping = m.opt("grouping", oneOf("grouping", GROUPINGS), "multibus");
  const selector = normalizeSelector(m.opt("selector", str("selector"), "service-time 0"));
  const pathArgs = m.opt("path_args", str("path_args"), "1");
  const paths = m.opt("paths", listOf("paths", name("path (a link name)")), null as string[] | null);
  const groups = m.opt(
    "groups",
    listOf(
      "groups",
      (x, c) => {
        const g = c.map(x, "a path group");
        if (!g) return undefined;
        const sel = g.opt("selector", str("selector"), null as string | null);
        const ps = g.req("paths", listOf("paths", name("path (a link name)")));
        g.done(["selector", "paths"]);
        return ps === undefined
          ? undefined
          : { selector: sel === null ? null : normalizeSelector(sel), paths: ps };
      },
      false,
    ),
    null as { selector: string | null; paths: string[] }[] | null,
  );
  const checker = m.opt("checker", checkerDecoder, null as CheckerSpec | null);
  m.done([
    "name",
    "lun",
    "table",
    "features",
    "hardware_handler",
    "grouping",
    "selector",
    "path_args",
    "paths",
    "groups",
    "checker",
  ]);
  if (nm === undefined || lun === undefined) return undefined;
  // "1 queue_if_no_path" (with dm's count) and "queue_if_no_path" mean the same.
  const words = features.flatMap((f) => f.split(/\s+/)).filter((f) => f !== "");
  const feats =
    words.length > 0 && /^\d+$/.test(words[0]!) && Number(words[0]) === words.length - 1
      ? words.slice(1)
      : words;
  return {
    name: nm,
    lun,
    table,
    features: feats,
    hardwareHandler: hh === "none" ? null : hh,
    grouping,
    selector,
    pathArgs,
    paths,
    groups,
    checker,
    pos,
  };
};

// ---- workloads ------------------------------------------------------------------------------

const workloadDecoder: Decoder<WorkloadSpec> = (n, cx) => {
  const pos = cx.pos(n);
  const m = cx.map(n, "a workload");
  if (!m) return undefined;
  const nm = m.opt("name", name("name"), "");
  const target = m.opt("target", name("target"), null as string | null);
  const options: Record<string, unknown> = { name: nm };
  const optionPos = new Map<string, Pos>();
  const allowed = [...JOB_OPTION_NAMES, ...Object.keys(JOB_OPTION_ALIASES)];
  for (const k of m.keys()) {
    if (k === "name" || k === "target") continue;
    const v = m.value(k)!;
    const canon = JOB_OPTION_ALIASES[k] ?? k;
    if (!JOB_OPTION_NAMES.includes(canon)) {
      cx.error(m.keyNode(k), `unknown fio option "${k}"${didYouMean(k, allowed)}`);
      continue;
    }
    optionPos.set(canon, m.posOf(k));
    if (canon === "percentile_list" && isSeqNode(v, cx)) {
      const xs = listOf("percentile_list", num("percentile", 0, 100))(v, cx);
      if (xs) options[canon] = xs;
      continue;
    }
    const s = scalar(v, cx);
    if (s === undefined || s === null) {
      cx.error(v, `${k} must be a single value (as fio writes it: ${k}=VALUE)`);
      continue;
    }
    options[canon] = s;
  }
  return { name: nm, target, options: options as unknown as JobOptions, optionPos, pos };
};

// ---- faults ---------------------------------------------------------------------------------

const ACTION_KEYS = [
  "port_down",
  "port_up",
  "port_disable",
  "port_enable",
  "controller_down",
  "controller_up",
  "link_down",
  "link_up",
  "link_flap",
  "latency",
  "slowdown",
  "error",
  "busy",
  "timeout",
  "transport_error",
  "corrupt",
  "drop_writes",
  "clear_faults",
  "alua",
  "ana",
  "lun_unmap",
  "lun_map",
  "lun_resize",
  "hba_remove",
  "hba_add",
  "message",
];

const ALUA_STATES: readonly AluaStateName[] = [
  "active/optimized",
  "active/non-optimized",
  "standby",
  "unavailable",
  "lba-dependent",
  "offline",
  "transitioning",
];

function faultsDecoder(n: YNode, cx: ReadContext): { events: TimelineEvent[]; pos: Pos[] } | undefined {
  const items = cx.seq(n, "faults");
  if (!items) return undefined;
  const events: TimelineEvent[] = [];
  const pos: Pos[] = [];
  let prevAt = 0;
  items.forEach((it, index) => {
    const p = cx.pos(it);
    pos.push(p);
    const m = cx.map(it, "a fault");
    if (!m) return;
    const atNode = m.value("at");
    let atNs = prevAt;
    if (atNode !== undefined) {
      const s = scalar(atNode, cx);
      if (typeof s === "string" && s.trim().startsWith("+")) {
        const d = relDuration(s.trim().slice(1), atNode, cx);
        if (d !== undefined) atNs = prevAt + d;
      } else {
        const d = duration("at")(atNode, cx);
        if (d !== undefined) atNs = d;
      }
    } else if (index > 0) {
      cx.error(it, "a fault needs at: (a time like 10s, or +2s after the previous fault)");
    }
    prevAt = atNs;
    const forNs = m.opt("for", duration("for"), null as number | null);
    const actionKeys = m.keys().filter((k) => k !== "at" && k !== "for");
    for (const k of actionKeys)
      if (!ACTION_KEYS.includes(k)) {
        m.value(k);
        cx.error(m.keyNode(k), `unknown fault "${k}"${didYouMean(k, ACTION_KEYS)}`);
      }
    if (actionKeys.length !== 1) {
      for (const k of actionKeys) if (ACTION_KEYS.includes(k)) m.value(k);
      if (actionKeys.length === 0) cx.error(it, `a fault needs one of: ${ACTION_KEYS.join(", ")}`);
      else if (actionKeys.every((k) => ACTION_KEYS.includes(k)))
        cx.error(it, `one fault per entry (found ${actionKeys.join(", ")}); write them as separate entries`);
      m.done([...ACTION_KEYS, "at", "for"]);
      return;
    }
    const key = actionKeys[0]!;
    if (!ACTION_KEYS.includes(key)) {
      m.done([...ACTION_KEYS, "at", "for"]);
      return;
    }
    const body = m.value(key)!;
    const action = decodeAction(key, body, cx);
    m.done([...ACTION_KEYS, "at", "for"]);
    if (!action) return;
    if (forNs !== null && !revertible(action))
      cx.error(m.keyNode("for"), `for: does not apply to ${key} (it has nothing to undo)`);
    events.push({ atNs, action, forNs, text: describe(key, body, cx), index });
  });
  return { events, pos };
}

function relDuration(s: string, n: YNode, cx: ReadContext): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ns|us|ms|s|m|h)?$/.exec(s.trim());
  if (!m) return cx.error(n, `at: "+${s}" is not a relative time like +2s or +500ms`);
  const unit = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[m[2] ?? "s"]!;
  return Math.round(Number(m[1]) * unit);
}

function revertible(a: TimelineAction): boolean {
  return a.kind !== "link-flap" && a.kind !== "clear-faults" && a.kind !== "dm-message";
}

function describe(key: string, body: YNode, cx: ReadContext): string {
  const s = scalar(body, cx);
  if (s !== undefined && s !== null) return `${key} ${s}`;
  const m = cx.map(body, key);
  if (!m) return key;
  const parts = m.keys().map((k) => {
    const v = scalar(m.value(k)!, cx);
    return `${k}=${v === undefined ? "…" : v}`;
  });
  return `${key} ${parts.join(" ")}`;
}

function refBody(key: string, what: string): Decoder<string> {
  return name(`${key}: ${what}`);
}

function decodeAction(key: string, body: YNode, cx: ReadContext): TimelineAction | undefined {
  switch (key) {
    case "port_down":
    case "port_up": {
      const port = refBody(key, "a port (ARRAY:PORT or SUBSYSTEM:CONTROLLER)")(body, cx);
      return port === undefined ? undefined : { kind: "port", port, up: key === "port_up" };
    }
    case "port_disable":
    case "port_enable": {
      const port = refBody(key, "a port (ARRAY:PORT or SUBSYSTEM:CONTROLLER)")(body, cx);
      return port === undefined
        ? undefined
        : { kind: "port", port, up: key === "port_enable", how: "disable" as const };
    }
    case "controller_down":
    case "controller_up": {
      const c = refBody(key, "a controller (ARRAY:A)")(body, cx);
      return c === undefined ? undefined : { kind: "controller", controller: c, up: key === "controller_up" };
    }
    case "link_down":
    case "link_up": {
      const l = refBody(key, "a link (HBA->ARRAY:PORT)")(body, cx);
      return l === undefined ? undefined : { kind: "link", link: l, up: key === "link_up" };
    }
    case "link_flap": {
      const m = cx.map(body, "link_flap");
      if (!m) return undefined;
      const link = m.req("link", name("link"));
      const periodNs = m.req("period", duration("period"));
      const duty = m.opt("duty", num("duty", 0, 1), 0.5);
      const count = m.opt("count", int("count", 1, 1_000_000), 1);
      m.done(["link", "period", "duty", "count"]);
      if (link === undefined || periodNs === undefined) return undefined;
      if (periodNs <= 0) return cx.error(m.keyNode("period"), "period must be > 0");
      return { kind: "link-flap", link, periodNs, duty, count };
    }
    case "latency":
    case "slowdown": {
      const m = cx.map(body, key);
      if (!m) return undefined;
      const targets = ["link", "port", "controller", "lun"].filter((k) => m.has(k));
      if (targets.length !== 1) {
        cx.error(body, `${key}: name one of link:, port:, controller:, lun:`);
        return undefined;
      }
      const tk = targets[0]!;
      const ref = m.req(tk, name(tk))!;
      const target = { [tk]: ref } as TimelineTarget;
      if (key === "slowdown") {
        const factor = m.req("factor", num("factor", 0.000001));
        m.done(["link", "port", "controller", "lun", "factor"]);
        if (tk === "link")
          return cx.error(m.keyNode("link"), "slowdown applies to ports and LUNs; use latency for links");
        return factor === undefined ? undefined : { kind: "slowdown", target, factor };
      }
      const setNs = m.opt("set", duration("set"), null as number | null);
      const addNs = m.opt("add", duration("add"), null as number | null);
      m.done(["link", "port", "controller", "lun", "set", "add"]);
      if ((setNs === null) === (addNs === null))
        return cx.error(body, "latency: give exactly one of set: or add:");
      return { kind: "latency", target, setNs, addNs };
    }
    case "error":
    case "busy":
    case "timeout":
    case "transport_error":
    case "corrupt":
    case "drop_writes":
      return decodeInject(key, body, cx);
    case "clear_faults": {
      const lun = refBody(key, "a LUN (ARRAY:LUN)")(body, cx);
      return lun === undefined ? undefined : { kind: "clear-faults", lun };
    }
    case "alua": {
      const m = cx.map(body, "alua");
      if (!m) return undefined;
      const lun = m.req("lun", name("lun"));
      const group = m.req("group", str("group"));
      const state = m.req("state", oneOf<AluaStateName>("state", ALUA_STATES));
      const transitionNs = m.opt("transition", duration("transition"), null as number | null);
      m.done(["lun", "group", "state", "transition"]);
      if (lun === undefined || group === undefined || state === undefined) return undefined;
      return { kind: "alua", lun, group, state, transitionNs };
    }
    case "ana": {
      const m = cx.map(body, "ana");
      if (!m) return undefined;
      const subsystem = m.req("subsystem", name("subsystem"));
      const group = m.opt("group", int("group", 1, 0xffff), 1);
      const controllers = m.opt("controllers", listOf("controllers", name("controller")), []);
      const state = m.req("state", oneOf<AnaStateName>("state", ANA_STATE_NAMES));
      m.done(["subsystem", "group", "controllers", "state"]);
      if (subsystem === undefined || state === undefined) return undefined;
      return { kind: "ana", subsystem, group, controllers, state };
    }
    case "lun_unmap":
    case "lun_map": {
      const mapped = key === "lun_map";
      if (!isMapNode(body, cx)) {
        const lun = refBody(key, "a LUN (ARRAY:LUN)")(body, cx);
        return lun === undefined ? undefined : { kind: "lun-map", lun, mapped, ports: [] };
      }
      const m = cx.map(body, key)!;
      const lun = m.req("lun", name("lun"));
      const ports = m.opt("ports", listOf("ports", name("port")), []);
      m.done(["lun", "ports"]);
      return lun === undefined ? undefined : { kind: "lun-map", lun, mapped, ports };
    }
    case "lun_resize": {
      const m = cx.map(body, key);
      if (!m) return undefined;
      const lun = m.req("lun", name("lun"));
      const bytes = m.req("size", size("size"));
      m.done(["lun", "size"]);
      return lun === undefined || bytes === undefined ? undefined : { kind: "lun-resize", lun, bytes };
    }
    case "hba_remove": {
      const h = refBody(key, "an HBA name")(body, cx);
      return h === undefined ? undefined : { kind: "hba", hba: h, present: false };
    }
    case "hba_add": {
      if (!isMapNode(body, cx)) {
        const h = refBody(key, "an HBA name")(body, cx);
        return h === undefined ? undefined : { kind: "hba", hba: h, present: true };
      }
      const m = cx.map(body, key)!;
      const hba = m.req("name", name("name"));
      const driver = m.opt("driver", oneOf("driver", ["qla2xxx", "lpfc"]), "qla2xxx");
      const ports = m.req("to", listOf("to", name("port")));
      m.done(["name", "driver", "to"]);
      return hba === undefined || ports === undefined ? undefined : { kind: "hba-new", hba, driver, ports };
    }
    default: {
      const m = cx.map(body, "message");
      if (!m) return undefined;
      const map = m.req("map", name("map"));
      const text = m.req("text", str("text"));
      m.done(["map", "text"]);
      return map === undefined || text === undefined ? undefined : { kind: "dm-message", map, message: text };
    }
  }
}

const opcodeDecoder: Decoder<number> = (n, cx) => {
  const v = scalar(n, cx);
  const x = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
  if (!(Number.isInteger(x) && x >= 0 && x <= 0xff))
    return cx.error(n, "an opcode is a number 0-255 (e.g. 0x28)");
  return x;
};

const senseDecoder: Decoder<SenseSpec> = (n, cx) => {
  if (!isMapNode(n, cx)) {
    const s = str("sense")(n, cx);
    if (s === undefined) return undefined;
    const named = NAMED_SENSE[s];
    if (named) return named;
    const mm = /^([0-9a-f]{1,2})\/([0-9a-f]{1,2})\/([0-9a-f]{1,2})$/i.exec(s);
    if (mm)
      return {
        key: Number.parseInt(mm[1]!, 16),
        asc: Number.parseInt(mm[2]!, 16),
        ascq: Number.parseInt(mm[3]!, 16),
      };
    const names = Object.keys(NAMED_SENSE);
    return cx.error(
      n,
      `sense "${s}" is not KEY/ASC/ASCQ in hex (3/11/00) nor one of ${names.join(", ")}${didYouMean(s, names)}`,
    );
  }
  const m = cx.map(n, "sense")!;
  const key = m.req("key", int("key", 0, 15));
  const asc = m.req("asc", int("asc", 0, 255));
  const ascq = m.opt("ascq", int("ascq", 0, 255), 0);
  m.done(["key", "asc", "ascq"]);
  return key === undefined || asc === undefined ? undefined : { key, asc, ascq };
};

function decodeInject(key: string, body: YNode, cx: ReadContext): TimelineAction | undefined {
  const label = key.replace("_", "-") as InjectLabel;
  if (!isMapNode(body, cx)) {
    const lun = refBody(key, "a LUN (ARRAY:LUN) or a mapping")(body, cx);
    if (lun === undefined) return undefined;
    const action = defaultInjectAction(label);
    return { kind: "inject", label, lun, spec: { action }, ports: [], hbas: [] };
  }
  const m = cx.map(body, key)!;
  const lun = m.req("lun", name("lun"));
  const op = m.opt("op", oneOf("op", ["read", "write", "any"] as const), "any");
  const opcodes = m.opt("opcodes", listOf("opcodes", opcodeDecoder), null as number[] | null);
  const lba = m.opt("lba", listOf("lba", int("lba"), false), null as number[] | null);
  const ports = m.opt("ports", listOf("ports", name("port")), []);
  const hbas = m.opt("hbas", listOf("hbas", name("hba")), []);
  const everyNth = m.opt("every_nth", int("every_nth", 1), null as number | null);
  const count = m.opt("count", int("count", 1), null as number | null);
  const probability = m.opt("probability", num("probability", 0, 1), null as number | null);
  const common = ["lun", "op", "opcodes", "lba", "ports", "hbas", "every_nth", "count", "probability"];
  let action: HwFaultAction | undefined;
  switch (label) {
    case "error": {
      const s = m.opt("sense", senseDecoder, NAMED_SENSE["medium-error"]!);
      action = { kind: "sense", sense: s };
      m.done([...common, "sense"]);
      break;
    }
    case "busy": {
      const names = Object.keys(NAMED_STATUS);
      const st = m.opt("status", oneOf("status", names), "busy");
      action = { kind: "status", status: NAMED_STATUS[st]! };
      m.done([...common, "status"]);
      break;
    }
    case "transport-error": {
      const names = Object.keys(NAMED_HOST_BYTE);
      const hb = m.opt("host_byte", oneOf("host_byte", names), "DID_ERROR");
      action = { kind: "host", hostByte: NAMED_HOST_BYTE[hb]! };
      m.done([...common, "host_byte"]);
      break;
    }
    case "corrupt": {
      const byteOffset = m.opt("byte", int("byte", 0), null as number | null);
      const value = m.opt("value", int("value", 0, 255), null as number | null);
      action = {
        kind: "corrupt",
        ...(byteOffset !== null ? { byteOffset } : {}),
        ...(value !== null ? { value } : {}),
      };
      m.done([...common, "byte", "value"]);
      break;
    }
    default:
      action = defaultInjectAction(label);
      m.done(common);
  }
  if (lun === undefined || action === undefined) return undefined;
  if (lba && lba.length !== 2) return cx.error(m.keyNode("lba"), "lba: give [first, last]");
  const spec: FaultSpec = {
    action,
    ...(op !== "any" ? { direction: op } : {}),
    ...(opcodes ? { opcodes } : {}),
    ...(lba ? { lbaRange: [lba[0]!, lba[1]!] as const } : {}),
    ...(everyNth !== null ? { everyNth } : {}),
    ...(count !== null ? { count } : {}),
    ...(probability !== null ? { probability } : {}),
  };
  return { kind: "inject", label, lun, spec, ports, hbas };
}

function defaultInjectAction(label: InjectLabel): HwFaultAction {
  switch (label) {
    case "error":
      return { kind: "sense", sense: NAMED_SENSE["medium-error"]! };
    case "busy":
      return { kind: "status", status: NAMED_STATUS.busy! };
    case "timeout":
      return { kind: "timeout" };
    case "transport-error":
      return { kind: "host", hostByte: NAMED_HOST_BYTE.DID_ERROR! };
    case "corrupt":
      return { kind: "corrupt" };
    case "drop-writes":
      return { kind: "drop-writes" };
    default: {
      const never: never = label;
      return never;
    }
  }
}

// ---- expectations ---------------------------------------------------------------------------

const EXPECT_KINDS = [
  "no_io_errors",
  "no_io_lost",
  "verify_clean",
  "path_share",
  "failover_within",
  "iops",
  "bandwidth",
  "queueing_held",
  "latency",
  "paths_active",
  "active_group",
];

const whenDecoder: Decoder<CellFilter> = (n, cx) => {
  const m = cx.map(n, "when");
  if (!m) return undefined;
  const out = new Map<string, string>();
  for (const k of m.keys()) {
    const v = scalar(m.value(k)!, cx);
    if (v === undefined || v === null) cx.error(m.value(k)!, `when.${k} must be a single value`);
    else out.set(k, k === "selector" ? normalizeSelector(String(v)) : String(v));
  }
  return out;
};

const expectationDecoder: Decoder<ExpectationSpec> = (n, cx) => {
  const pos = cx.pos(n);
  const flag = scalar(n, cx);
  if (typeof flag === "string") {
    if (flag === "no_io_errors" || flag === "no_io_lost" || flag === "verify_clean")
      return { kind: flag, when: new Map(), pos, text: flag };
    return cx.error(n, `unknown expectation "${flag}"${didYouMean(flag, EXPECT_KINDS)}`);
  }
  const m = cx.map(n, "an expectation");
  if (!m) return undefined;
  const when = m.opt("when", whenDecoder, new Map<string, string>());
  const kinds = m.keys().filter((k) => k !== "when");
  if (kinds.length !== 1 || !EXPECT_KINDS.includes(kinds[0]!)) {
    for (const k of kinds)
      if (!EXPECT_KINDS.includes(k))
        cx.error(m.keyNode(k), `unknown expectation "${k}"${didYouMean(k, EXPECT_KINDS)}`);
    if (kinds.length !== 1 && kinds.every((k) => EXPECT_KINDS.includes(k)))
      cx.error(n, "one expectation per entry");
    m.done([...EXPECT_KINDS, "when"]);
    return undefined;
  }
  const kind = kinds[0]!;
  const body = m.value(kind)!;
  m.done([...EXPECT_KINDS, "when"]);
  const base = { when, pos, text: describe(kind, body, cx) };
  switch (kind) {
    case "no_io_errors":
    case "no_io_lost":
    case "verify_clean": {
      const v = bool(kind)(body, cx);
      if (v === false) return cx.error(body, `${kind}: false expects nothing; remove the line`);
      return v === undefined ? undefined : { kind, ...base };
    }
    case "path_share": {
      const b = cx.map(body, "path_share");
      if (!b) return undefined;
      const path = b.req("path", name("path"));
      const map = b.opt("map", name("map"), null as string | null);
      let below = b.opt("below", num("below", 0, 1), null as number | null);
      let above = b.opt("above", num("above", 0, 1), null as number | null);
      const between = b.opt(
        "between",
        listOf("between", num("between", 0, 1), false),
        null as number[] | null,
      );
      b.done(["path", "map", "below", "above", "between"]);
      if (between) {
        if (between.length !== 2) return cx.error(b.keyNode("between"), "between: give [low, high]");
        above = between[0]!;
        below = between[1]!;
      }
      if (below === null && above === null)
        return cx.error(body, "path_share: give below:, above: or between:");
      return path === undefined ? undefined : { kind: "path_share", path, map, below, above, ...base };
    }
    case "failover_within": {
      const d = duration("failover_within")(body, cx);
      return d === undefined ? undefined : { kind: "failover_within", ns: d, ...base };
    }
    case "iops":
    case "bandwidth": {
      const dec = kind === "iops" ? num("iops", 0) : rate("bandwidth");
      if (!isMapNode(body, cx)) {
        const v = dec(body, cx);
        return v === undefined ? undefined : { kind, atLeast: v, job: null, ...base };
      }
      const b = cx.map(body, kind)!;
      const atLeast = b.req("at_least", dec);
      const job = b.opt("job", name("job"), null as string | null);
      b.done(["at_least", "job"]);
      return atLeast === undefined ? undefined : { kind, atLeast, job, ...base };
    }
    case "queueing_held": {
      if (!isMapNode(body, cx)) {
        const d = duration("queueing_held")(body, cx);
        return d === undefined ? undefined : { kind: "queueing_held", atMostNs: d, map: null, ...base };
      }
      const b = cx.map(body, kind)!;
      const d = b.req("at_most", duration("at_most"));
      const map = b.opt("map", name("map"), null as string | null);
      b.done(["at_most", "map"]);
      return d === undefined ? undefined : { kind: "queueing_held", atMostNs: d, map, ...base };
    }
    case "latency": {
      const b = cx.map(body, kind);
      if (!b) return undefined;
      const stats = (["mean", "p99", "max"] as const).filter((s) => b.has(s));
      const job = b.opt("job", name("job"), null as string | null);
      if (stats.length !== 1) {
        b.done(["mean", "p99", "max", "job"]);
        return cx.error(body, "latency: give one of mean:, p99:, max: (a duration it must stay at or below)");
      }
      const stat = stats[0]!;
      const d = b.req(stat, duration(stat));
      b.done(["mean", "p99", "max", "job"]);
      return d === undefined ? undefined : { kind: "latency", stat, atMostNs: d, job, ...base };
    }
    case "active_group": {
      if (!isMapNode(body, cx)) {
        const g = int("active_group", 1)(body, cx);
        return g === undefined ? undefined : { kind: "active_group", group: g, map: null, ...base };
      }
      const b = cx.map(body, kind)!;
      const g = b.req("group", int("group", 1));
      const map = b.opt("map", name("map"), null as string | null);
      b.done(["group", "map"]);
      return g === undefined ? undefined : { kind: "active_group", group: g, map, ...base };
    }
    default: {
      if (!isMapNode(body, cx)) {
        const c = int("paths_active", 0)(body, cx);
        return c === undefined ? undefined : { kind: "paths_active", count: c, map: null, ...base };
      }
      const b = cx.map(body, kind)!;
      const c = b.req("count", int("count", 0));
      const map = b.opt("map", name("map"), null as string | null);
      b.done(["count", "map"]);
      return c === undefined ? undefined : { kind: "paths_active", count: c, map, ...base };
    }
  }
};

// ---- matrix ---------------------------------------------------------------------------------

const AXES = ["selector", "grouping", "iopolicy", "lun_service", "port_service", "workload"];

const matrixDecoder: Decoder<MatrixAxis[]> = (n, cx) => {
  const m = cx.map(n, "matrix");
  if (!m) return undefined;
  const out: MatrixAxis[] = [];
  for (const k of m.keys()) {
    const pos = m.posOf(k);
    const isJob = k.startsWith("workload.");
    if (!AXES.includes(k) && !isJob) {
      cx.error(
        m.keyNode(k),
        `unknown matrix axis "${k}"${didYouMean(k, AXES)} (axes: ${AXES.join(", ")}, workload.<fio option>)`,
      );
      continue;
    }
    if (isJob) {
      const opt = k.slice("workload.".length);
      const canon = JOB_OPTION_ALIASES[opt] ?? opt;
      if (!JOB_OPTION_NAMES.includes(canon)) {
        cx.error(m.keyNode(k), `matrix: unknown fio option "${opt}"${didYouMean(opt, JOB_OPTION_NAMES)}`);
        continue;
      }
    }
    const vals = listOf(
      k,
      (x, c) => {
        const v = scalar(x, c);
        if (v === undefined || v === null) return c.error(x, `${k}: values must be single words or numbers`);
        return String(v);
      },
      false,
    )(m.value(k)!, cx);
    if (!vals) continue;
    if (vals.length === 0) {
      cx.error(m.keyNode(k), `matrix ${k}: give at least one value`);
      continue;
    }
    const checked = vals.map((v) => (k === "selector" ? normalizeSelector(v) : v));
    if (k === "grouping")
      for (const v of checked)
        if (!(GROUPINGS as readonly string[]).includes(v))
          cx.error(pos, `matrix grouping: "${v}" is not one of ${GROUPINGS.join(", ")}`);
    if (k === "iopolicy")
      for (const v of checked)
        if (!(IO_POLICIES as readonly string[]).includes(v))
          cx.error(pos, `matrix iopolicy: "${v}" is not one of ${IO_POLICIES.join(", ")}`);
    if (k === "lun_service" || k === "port_service")
      for (const v of checked)
        if (!profileSpec(v))
          cx.error(pos, `matrix ${k}: unknown timing profile "${v}"${didYouMean(v, PROFILE_NAMES)}`);
    out.push({ name: k as MatrixAxisName, values: checked, pos });
  }
  return out;
};

// ---- cross references -----------------------------------------------------------------------

/** Checks the references between sections that can be checked before a world exists. */
function crossCheck(spec: ScenarioSpec, cx: ReadContext): void {
  const t = spec.topology;
  const hbas = new Set(t.hbas.map((h) => h.name));
  const arrays = new Map(t.arrays.map((a) => [a.name, a]));
  const linkNames = new Set<string>();
  for (const l of t.links) {
    if (!hbas.has(l.hba)) cx.error(l.pos, `link: no HBA "${l.hba}"${didYouMean(l.hba, [...hbas])}`);
    for (const to of l.to) {
      const [a, p] = to.includes(":")
        ? [to.slice(0, to.lastIndexOf(":")), to.slice(to.lastIndexOf(":") + 1)]
        : [to, null];
      const arr = arrays.get(a);
      if (!arr) {
        cx.error(l.pos, `link: no array "${a}"${didYouMean(a, [...arrays.keys()])}`);
        continue;
      }
      const names = portNamesOf(arr.portsPerController);
      if (p !== null && !names.includes(p)) {
        cx.error(l.pos, `link: array ${a} has no port "${p}" (ports: ${names.join(", ")})`);
        continue;
      }
      for (const pn of p === null ? names : [p]) {
        const ln = `${l.hba}->${a}:${pn}`;
        if (linkNames.has(ln)) cx.error(l.pos, `link ${ln} is given twice`);
        linkNames.add(ln);
      }
    }
  }
  // The paths of a dm map over NVMe are its subsystem's controllers (SUBSYSTEM:CONTROLLER).
  for (const sub of t.nvme) for (const c of sub.controllers) linkNames.add(`${sub.name}:${c.name}`);
  const mapNames = new Set<string>();
  for (const m of spec.maps) {
    if (mapNames.has(m.name)) cx.error(m.pos, `duplicate map name "${m.name}"`);
    mapNames.add(m.name);
    const i = m.lun.lastIndexOf(":");
    const arr = i > 0 ? arrays.get(m.lun.slice(0, i)) : undefined;
    const sub = i > 0 ? spec.topology.nvme.find((x) => x.name === m.lun.slice(0, i)) : undefined;
    const lunNo = i > 0 ? Number(m.lun.slice(i + 1).replace(/^lun/, "")) : Number.NaN;
    if (sub) {
      // dm-multipath over NVMe: the per-controller disks exist only without native multipath.
      if (spec.topology.nvmeMultipath)
        cx.error(
          m.pos,
          `map ${m.name}: ${m.lun} is an NVMe namespace; dm-multipath needs its per-controller disks: set topology.nvme_multipath: false`,
        );
      else if (!sub.namespaces.some((n) => n.nsid === lunNo))
        cx.error(m.pos, `map ${m.name}: NVMe subsystem ${sub.name} has no namespace ${m.lun.slice(i + 1)}`);
    } else if (!arr)
      cx.error(
        m.pos,
        `map ${m.name}: lun "${m.lun}" names no array or NVMe subsystem (write ARRAY:LUN or SUBSYSTEM:NSID)`,
      );
    else if (!arr.luns.some((l) => l.lun === lunNo))
      cx.error(m.pos, `map ${m.name}: array ${arr.name} has no LUN ${m.lun.slice(i + 1)}`);
    const refs = [...(m.paths ?? []), ...(m.groups ?? []).flatMap((g) => g.paths)];
    for (const r of refs)
      if (!linkNames.has(r)) cx.error(m.pos, `map ${m.name}: no link "${r}"${didYouMean(r, [...linkNames])}`);
  }
  const nvmeHeads = new Set<string>();
  spec.topology.nvme.forEach((s, si) => {
    for (const ns of s.namespaces) {
      nvmeHeads.add(`${s.name}:${ns.nsid}`);
      nvmeHeads.add(`nvme${si}n${ns.nsid}`);
    }
  });
  if (
    spec.workloads.length > 0 &&
    spec.maps.length === 0 &&
    nvmeHeads.size === 0 &&
    spec.multipathConf === null
  )
    for (const w of spec.workloads)
      if (w.target === null)
        cx.error(w.pos, `workload ${w.name}: no target (give target:, or define a map or an NVMe subsystem)`);
  const jobNames = new Set<string>();
  for (const w of spec.workloads) {
    if (jobNames.has(w.name)) cx.error(w.pos, `duplicate workload name "${w.name}"`);
    jobNames.add(w.name);
    if (
      w.target !== null &&
      !mapNames.has(w.target) &&
      !nvmeHeads.has(w.target) &&
      !/^(sd[a-z]+|dm-\d+|nvme\d+c\d+n\d+)$/.test(w.target) &&
      spec.multipathConf === null
    )
      cx.error(
        w.pos,
        `workload ${w.name}: target "${w.target}" is no map, NVMe namespace or disk${didYouMean(w.target, [...mapNames, ...nvmeHeads])}`,
      );
    // The fio options, resolved against the target's size, as the run will resolve them.
    const bytes = targetBytes(spec, w.target);
    const r = resolveJobs([w.options], () => ({ name: w.target ?? "dev", bytes, logicalBlockSize: 512 }));
    for (const d of r.diagnostics) {
      const p = (d.option && w.optionPos.get(d.option)) || w.pos;
      if (d.severity === "error") cx.error(p, `workload ${w.name}: ${d.message}`);
      else cx.warn(p, `workload ${w.name}: ${d.message}`);
    }
  }
  for (const a of spec.matrix)
    if (a.name === "workload")
      for (const v of a.values)
        if (!jobNames.has(v))
          cx.error(a.pos, `matrix workload: no workload named "${v}"${didYouMean(v, [...jobNames])}`);
  for (const e of spec.expect) {
    for (const k of e.when.keys())
      if (!spec.matrix.some((a) => a.name === k) && k !== "selector" && k !== "iopolicy")
        cx.error(e.pos, `when: "${k}" is not a matrix axis of this scenario`);
    if (
      (e.kind === "iops" || e.kind === "bandwidth" || e.kind === "latency") &&
      e.job !== null &&
      !jobNames.has(e.job)
    )
      cx.error(e.pos, `${e.kind}: no workload "${e.job}"${didYouMean(e.job, [...jobNames])}`);
    if (
      (e.kind === "queueing_held" ||
        e.kind === "paths_active" ||
        e.kind === "active_group" ||
        e.kind === "path_share") &&
      e.map !== null &&
      !mapNames.has(e.map)
    )
      cx.error(e.pos, `${e.kind}: no map "${e.map}"${didYouMean(e.map, [...mapNames])}`);
    if (e.kind === "path_share" && e.path.includes("->") && !linkNames.has(e.path))
      cx.error(e.pos, `path_share: no link "${e.path}"${didYouMean(e.path, [...linkNames])}`);
  }
}

function targetBytes(spec: ScenarioSpec, target: string | null): number {
  const mapSpec = target === null ? spec.maps[0] : spec.maps.find((m) => m.name === target);
  if (mapSpec) {
    const i = mapSpec.lun.lastIndexOf(":");
    const arr = spec.topology.arrays.find((a) => a.name === mapSpec.lun.slice(0, i));
    const l = arr?.luns.find((x) => String(x.lun) === mapSpec.lun.slice(i + 1).replace(/^lun/, ""));
    if (l) return l.bytes;
  }
  for (const [si, s] of spec.topology.nvme.entries())
    for (const ns of s.namespaces)
      if (target === null || target === `${s.name}:${ns.nsid}` || target === `nvme${si}n${ns.nsid}`)
        return ns.bytes;
  return 1 << 30;
}
