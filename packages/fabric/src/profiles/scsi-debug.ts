import { type KernelModule, LogLevel } from "@mp/dm-core";
import { type LogicalUnit, StorageArray, type TargetPort } from "../hardware/array.js";
import { DataStore } from "../hardware/data-store.js";
import type { Fabric, Hba } from "../hardware/fabric.js";
import type { ScsiHost } from "../scsi-ml/scsi-host.js";
import type { HostDriver, ScsiSubsystem } from "../scsi-ml/scsi-subsystem.js";
import { fixed, link, ro } from "../sysfs/attrs.js";
import { type ParamTable, parseModuleParams } from "./module-params.js";
import { type ScsiDebugIdentityParams, ScsiDebugPersonality } from "./scsi-debug-personality.js";

/** The version scsi_debug reports (`SDEBUG_VERSION`) and puts in INQUIRY's revision. */
export const SDEBUG_VERSION = "0191";

const PARAMS: ParamTable = {
  add_host: "int",
  ato: "int",
  cdb_len: "int",
  clustering: "bool",
  delay: "int",
  dev_size_mb: "int",
  dif: "int",
  dix: "int",
  dsense: "int",
  every_nth: "int",
  fake_rw: "int",
  guard: "uint",
  host_lock: "bool",
  host_max_queue: "int",
  inq_product: "charp",
  inq_rev: "charp",
  inq_vendor: "charp",
  lbprz: "int",
  lbpu: "int",
  lbpws: "int",
  lbpws10: "int",
  lowest_aligned: "int",
  lun_format: "int",
  max_luns: "int",
  max_queue: "int",
  medium_error_count: "int",
  medium_error_start: "int",
  ndelay: "int",
  no_lun_0: "int",
  no_rwlock: "bool",
  no_uld: "int",
  num_parts: "int",
  num_tgts: "int",
  opt_blks: "int",
  opt_xferlen_exp: "int",
  opts: "int",
  per_host_store: "bool",
  physblk_exp: "int",
  poll_queues: "int",
  ptype: "int",
  random: "bool",
  removable: "bool",
  scsi_level: "int",
  sector_size: "int",
  statistics: "bool",
  strict: "bool",
  submit_queues: "int",
  tur_ms_to_ready: "int",
  unmap_alignment: "int",
  unmap_granularity: "int",
  unmap_max_blocks: "int",
  unmap_max_desc: "int",
  uuid_ctl: "int",
  virtual_gb: "int",
  vpd_use_hostno: "int",
  wp: "bool",
  write_same_length: "int",
  zbc: "charp",
  zone_cap_mb: "int",
  zone_max_open: "int",
  zone_nr_conv: "int",
  zone_size_mb: "int",
};

/** `SDEBUG_CANQUEUE`: 3 words of 64 bits. */
const SDEBUG_CANQUEUE = 192;
/** `OPT_MEDIUM_ERR_ADDR` / `OPT_MEDIUM_ERR_NUM`. */
const OPT_MEDIUM_ERR_ADDR = 0x1234;
const OPT_MEDIUM_ERR_NUM = 10;
/** 1 jiffy at HZ=250. */
const JIFFY_NS = 4_000_000;

/** The resolved configuration of a loaded scsi_debug. */
export interface ScsiDebugConfig {
  readonly addHost: number;
  readonly numTgts: number;
  readonly maxLuns: number;
  readonly devSizeMb: number;
  readonly sectorSize: number;
  readonly vpdUseHostno: boolean;
  readonly perHostStore: boolean;
  readonly opts: number;
  readonly everyNth: number;
  readonly maxQueue: number;
  readonly noUld: boolean;
  readonly identity: ScsiDebugIdentityParams;
  readonly mediumErrorStart: number;
  readonly mediumErrorCount: number;
}

/** What a loaded scsi_debug built: its array, adapters and hosts (for faults and tests). */
export interface ScsiDebugInstance {
  readonly config: ScsiDebugConfig;
  readonly array: StorageArray;
  readonly adapters: ReadonlyArray<{ readonly index: number; readonly hba: Hba; readonly host: ScsiHost }>;
  /** `echo N > /sys/bus/pseudo/drivers/scsi_debug/add_host`: adds (N > 0) or removes (N < 0) hosts. */
  addHosts(n: number): void;
}

/** Environment of the module: the SCSI subsystem and the fabric it adds its hardware to. */
export interface ScsiDebugModuleEnv {
  readonly sub: ScsiSubsystem;
  readonly fabric: Fabric;
}

/** Handle of the scsi_debug module of one kernel: the module and what its current load built. */
export interface ScsiDebugModule {
  readonly module: KernelModule;
  /** The loaded instance, or null while not loaded. */
  readonly instance: ScsiDebugInstance | null;
}

function pr(log: ScsiDebugModuleEnv["sub"]["log"], level: number, fn: string, text: string): void {
  log.printk(level as LogLevel, `scsi_debug:${fn}: ${text}`);
}

/**
 * `scsi_debug` as a kernel module: `modprobe scsi_debug add_host=2 num_tgts=1 max_luns=1
 * vpd_use_hostno=0 dev_size_mb=16` creates two pseudo adapters (hosts 0 and 1), each with one
 * target and one LUN answering with scsi_debug's identity, and scans them in host, target, LUN
 * order, so sd names them sda, sdb …
 */
export function createScsiDebugModule(env: ScsiDebugModuleEnv): ScsiDebugModule {
  const { sub, fabric } = env;
  let instance: Loaded | null = null;

  const module: KernelModule = {
    name: "scsi_debug",
    depends: ["scsi_mod"],
    init(params) {
      const p = parseModuleParams(sub.log, "scsi_debug", params, PARAMS);
      if ("errno" in p) return -p.errno;
      const cfg = resolveConfig(p, sub.log);
      if (typeof cfg === "number") return cfg;
      instance = new Loaded(sub, fabric, cfg);
      instance.init();
      return 0;
    },
    exit() {
      instance?.exit();
      instance = null;
    },
  };
  return {
    module,
    get instance() {
      return instance;
    },
  };
}

function num(p: Map<string, number | boolean | string>, key: string, def: number): number {
  const v = p.get(key);
  return typeof v === "number" ? v : def;
}

function bool(p: Map<string, number | boolean | string>, key: string, def: boolean): boolean {
  const v = p.get(key);
  return typeof v === "boolean" ? v : def;
}

/** `scsi_debug_init()`'s checks and derived values; a negative errno on a refused value. */
function resolveConfig(
  p: Map<string, number | boolean | string>,
  log: ScsiDebugModuleEnv["sub"]["log"],
): ScsiDebugConfig | number {
  const err = (text: string): number => {
    pr(log, LogLevel.ERR, "scsi_debug_init", text);
    return -22;
  };
  let ndelay = num(p, "ndelay", 0);
  let jdelay = num(p, "delay", 1);
  if (ndelay >= 1_000_000_000) {
    pr(log, LogLevel.WARNING, "scsi_debug_init", "ndelay must be less than 1 second, ignored");
    ndelay = 0;
  } else if (ndelay > 0) jdelay = -9999;
  const sectorSize = num(p, "sector_size", 512);
  if (![512, 1024, 2048, 4096].includes(sectorSize)) return err(`invalid sector_size ${sectorSize}`);
  const dif = num(p, "dif", 0);
  if (dif < 0 || dif > 3) return err("dif must be 0, 1, 2 or 3");
  const numTgts = num(p, "num_tgts", 1);
  if (numTgts < 0) return err("num_tgts must be >= 0");
  if (num(p, "guard", 0) > 1) return err("guard must be 0 or 1");
  const ato = num(p, "ato", 1);
  if (ato > 1) return err("ato must be 0 or 1");
  const physblkExp = num(p, "physblk_exp", 0);
  if (physblkExp > 15) return err(`invalid physblk_exp ${physblkExp}`);
  let maxLuns = num(p, "max_luns", 1);
  if (maxLuns > 256 && maxLuns > 16384) {
    pr(log, LogLevel.WARNING, "scsi_debug_init", "max_luns can be no more than 16384, use default");
    maxLuns = 1;
  }
  const lowestAligned = num(p, "lowest_aligned", 0);
  if (lowestAligned > 0x3fff) return err(`lowest_aligned too big: ${lowestAligned}`);
  if (num(p, "submit_queues", 1) < 1) return err("submit_queues must be 1 or more");
  const maxQueue = num(p, "max_queue", SDEBUG_CANQUEUE);
  if (maxQueue > SDEBUG_CANQUEUE || maxQueue < 1)
    return err(`max_queue must be in range [1, ${SDEBUG_CANQUEUE}]`);
  const hostMaxQueue = num(p, "host_max_queue", 0);
  if (hostMaxQueue > SDEBUG_CANQUEUE || hostMaxQueue < 0)
    return err(`host_max_queue must be in range [0 ${SDEBUG_CANQUEUE}]`);
  let devSizeMb = num(p, "dev_size_mb", 0);
  if (devSizeMb === 0) devSizeMb = 8;
  if (devSizeMb < 1) devSizeMb = 1;
  const storeSectors = Math.floor((devSizeMb * 1048576) / sectorSize);
  const virtualGb = num(p, "virtual_gb", 0);
  const capacity = virtualGb > 0 ? virtualGb * Math.floor(1073741824 / sectorSize) : storeSectors;
  const opts = num(p, "opts", 0);
  const identity: ScsiDebugIdentityParams = {
    vpdUseHostno: num(p, "vpd_use_hostno", 1) !== 0,
    ptype: num(p, "ptype", 0),
    scsiLevel: num(p, "scsi_level", 7),
    removable: bool(p, "removable", false),
    inqVendor: (p.get("inq_vendor") as string | undefined) ?? "Linux",
    inqProduct: (p.get("inq_product") as string | undefined) ?? "scsi_debug",
    inqRev: (p.get("inq_rev") as string | undefined) ?? SDEBUG_VERSION,
    maxLuns,
    sectorSize,
    capacity,
    storeSectors,
    devSizeMb,
    dsense: num(p, "dsense", 0) !== 0,
    ato: ato !== 0,
    optBlks: num(p, "opt_blks", 1024),
    physblkExp,
    optXferlenExp: num(p, "opt_xferlen_exp", 0),
    jdelayNs: jdelay > 0 ? jdelay * JIFFY_NS : 0,
    ndelayNs: Math.max(ndelay, 0),
    uuidCtl: num(p, "uuid_ctl", 0) !== 0,
    noWce: (opts & 0x1000) !== 0,
  };
  return {
    addHost: num(p, "add_host", 1),
    numTgts,
    maxLuns,
    devSizeMb,
    sectorSize,
    vpdUseHostno: identity.vpdUseHostno,
    perHostStore: bool(p, "per_host_store", false),
    opts,
    everyNth: num(p, "every_nth", 0),
    maxQueue: hostMaxQueue || maxQueue,
    noUld: num(p, "no_uld", 0) !== 0,
    identity,
    mediumErrorStart: num(p, "medium_error_start", OPT_MEDIUM_ERR_ADDR),
    mediumErrorCount: num(p, "medium_error_count", OPT_MEDIUM_ERR_NUM),
  };
}

interface Adapter {
  readonly index: number;
  readonly hba: Hba;
  readonly host: ScsiHost;
  readonly store: DataStore;
}

/** One load of scsi_debug: the pseudo bus, the adapters and the shared store. */
class Loaded implements ScsiDebugInstance {
  readonly config: ScsiDebugConfig;
  readonly array: StorageArray;
  readonly #sub: ScsiSubsystem;
  readonly #fabric: Fabric;
  readonly #personality: ScsiDebugPersonality;
  readonly #adapters: Adapter[] = [];
  readonly #firstStore: DataStore;
  readonly #lus = new Map<string, LogicalUnit>();
  #adapterSeq = 0;
  #relPort = 1;

  constructor(sub: ScsiSubsystem, fabric: Fabric, cfg: ScsiDebugConfig) {
    this.#sub = sub;
    this.#fabric = fabric;
    this.config = cfg;
    this.#personality = new ScsiDebugPersonality(cfg.identity);
    this.array = new StorageArray({
      name: "scsi_debug",
      vendor: cfg.identity.inqVendor,
      product: cfg.identity.inqProduct,
      revision: cfg.identity.inqRev,
      personality: this.#personality,
      clock: sub.clock,
      descriptorSense: cfg.identity.dsense,
    });
    this.#firstStore = new DataStore(cfg.identity.storeSectors * cfg.sectorSize);
  }

  get adapters(): ReadonlyArray<Adapter> {
    return this.#adapters;
  }

  init(): void {
    const sub = this.#sub;
    const t = sub.sysfs;
    this.#fabric.addArray(this.array);
    t.mkdir("/sys/devices/pseudo_0/power");
    t.attr("/sys/devices/pseudo_0/uevent", fixed(""));
    link(t, "/sys/devices/pseudo_0/module", "/sys/module/scsi_debug");
    const drv = "/sys/bus/pseudo/drivers/scsi_debug";
    const c = this.config;
    t.attrs(drv, {
      add_host: {
        show: () => `${this.#adapters.length}\n`,
        store: (v) => {
          const m = /^\s*(-?\d+)\s*$/.exec(v);
          if (!m) return 22;
          this.addHosts(Number(m[1]));
          return 0;
        },
      },
      dev_size_mb: ro(() => c.devSizeMb),
      max_luns: ro(() => c.maxLuns),
      num_tgts: ro(() => c.numTgts),
      opts: ro(() => `0x${c.opts.toString(16)}`),
      sector_size: ro(() => c.sectorSize),
      vpd_use_hostno: ro(() => (c.vpdUseHostno ? 1 : 0)),
      version: fixed(`${SDEBUG_VERSION} [20210520]\n`),
    });
    for (const [k, v] of Object.entries({
      add_host: c.addHost,
      dev_size_mb: c.devSizeMb,
      max_luns: c.maxLuns,
      num_tgts: c.numTgts,
      vpd_use_hostno: c.vpdUseHostno ? 1 : 0,
    }))
      t.constant(`/sys/module/scsi_debug/parameters/${k}`, `${v}\n`);
    sub.emit("add", "/bus/pseudo", "bus");
    sub.emit("add", "/bus/pseudo/drivers/scsi_debug", "drivers");
    for (let k = 0; k < c.addHost; k++) this.#addAdapter(k === 0 ? this.#firstStore : null);
    sub.emit("add", "/module/scsi_debug", "module");
    for (const a of this.#adapters) sub.scanNewHost(a.host, true);
  }

  addHosts(n: number): void {
    if (n > 0) {
      for (let i = 0; i < n; i++) {
        const a = this.#addAdapter(null);
        this.#sub.scanNewHost(a.host, false);
      }
    } else
      for (let i = 0; i < -n && this.#adapters.length > 0; i++) this.#removeAdapter(this.#adapters.at(-1)!);
  }

  #addAdapter(store: DataStore | null): Adapter {
    const sub = this.#sub;
    const c = this.config;
    const index = this.#adapterSeq++;
    const st =
      store ?? (c.perHostStore ? new DataStore(c.identity.storeSectors * c.sectorSize) : this.#firstStore);
    const hba = this.#fabric.addHba({
      name: `scsi_debug-adapter${index}`,
      transport: "pseudo",
      driver: "scsi_debug",
      canQueue: c.maxQueue,
      cmdPerLun: c.maxQueue,
    });
    const devpath = `/devices/pseudo_0/adapter${index}`;
    const t = sub.sysfs;
    t.mkdir(`/sys${devpath}/power`);
    t.attr(`/sys${devpath}/uevent`, fixed("DRIVER=scsi_debug\n"));
    link(t, `/sys${devpath}/driver`, "/sys/bus/pseudo/drivers/scsi_debug");
    link(t, `/sys${devpath}/subsystem`, "/sys/bus/pseudo");
    link(t, `/sys/bus/pseudo/drivers/scsi_debug/adapter${index}`, `/sys${devpath}`);
    link(t, `/sys/bus/pseudo/devices/adapter${index}`, `/sys${devpath}`);
    sub.emit("add", devpath, "pseudo");
    pr(
      sub.log,
      LogLevel.WARNING,
      "sdebug_driver_probe",
      "scsi_debug: trim poll_queues to 0. poll_q/nr_hw = (0/1)",
    );
    const driver: HostDriver = {
      parentPath: () => devpath,
      template: () => ({
        procName: "scsi_debug",
        canQueue: c.maxQueue,
        cmdPerLun: c.maxQueue,
        sgTablesize: 2048,
        thisId: 7,
        maxLun: c.maxLuns,
        // SDEBUG_MAX_CMD_LEN, set by scsi_debug_slave_alloc() before the disk is probed.
        maxCmdLen: 32,
      }),
      targetId: (_h, _l, i) => i,
    };
    // Ports and LUNs first (the host's scan needs them), host number once the host exists.
    const host = sub.addHost(hba, driver);
    for (let tg = 0; tg < c.numTgts; tg++) {
      const group = this.array.addGroup(this.#relPort * 0x10000 + (((host.hostNo + 1) & 0x7f) << 8));
      const port: TargetPort = this.array.addPort(this.#relPort++, `host${host.hostNo}-tgt${tg}`, 0n, group);
      this.#personality.registerPort(port, { target: tg });
      for (let lun = 0; lun < c.maxLuns; lun++) this.#mapLu(port, host.hostNo, tg, lun, st);
      this.#fabric.connect(hba, port, { latencyNs: 0, name: `scsi_debug:host${host.hostNo}:tgt${tg}` });
    }
    host.printk(LogLevel.INFO, `scsi_debug: version ${SDEBUG_VERSION} [20210520]`);
    sub.log.info(
      `  dev_size_mb=${c.devSizeMb}, opts=0x${c.opts.toString(16)}, submit_queues=1, statistics=0`,
    );
    sub.emit("bind", devpath, "pseudo", [["DRIVER", "scsi_debug"]]);
    const a: Adapter = { index, hba, host, store: st };
    this.#adapters.push(a);
    return a;
  }

  #mapLu(port: TargetPort, hostNo: number, target: number, lun: number, store: DataStore): void {
    const c = this.config;
    const key = c.vpdUseHostno ? `${hostNo}:${target}:${lun}` : `${target}:${lun}`;
    let lu = this.#lus.get(key);
    if (!lu) {
      lu = this.array.addLu(
        {
          name: `scsi_debug/${key}`,
          lun,
          identity: { serial: "", designators: [] },
          blocks: c.identity.capacity,
          blockSize: c.sectorSize,
          store,
          service: null,
        },
        [],
      );
      if (c.opts & 0x2)
        lu.injectFault({
          opcodes: [0x08, 0x28, 0xa8, 0x88],
          lbaRange: [c.mediumErrorStart, c.mediumErrorStart + c.mediumErrorCount - 1],
          action: { kind: "sense", sense: { key: 0x3, asc: 0x11, ascq: 0 } },
        });
      if (c.everyNth > 0 && c.opts & 0x4)
        lu.injectFault({ everyNth: c.everyNth, action: { kind: "timeout" } });
      if (c.everyNth > 0 && c.opts & 0x10)
        lu.injectFault({
          everyNth: c.everyNth,
          action: { kind: "sense", sense: { key: 0xb, asc: 0x4b, ascq: 0x03 } },
        });
      this.#lus.set(key, lu);
    }
    this.array.map(lu, port, lun);
  }

  #removeAdapter(a: Adapter): void {
    const sub = this.#sub;
    sub.removeHost(a.host);
    a.hba.setPresent(false);
    const devpath = `/devices/pseudo_0/adapter${a.index}`;
    sub.emit("unbind", devpath, "pseudo", [["DRIVER", "scsi_debug"]]);
    sub.emit("remove", devpath, "pseudo");
    sub.sysfs.remove(`/sys${devpath}`);
    sub.sysfs.remove(`/sys/bus/pseudo/drivers/scsi_debug/adapter${a.index}`);
    sub.sysfs.remove(`/sys/bus/pseudo/devices/adapter${a.index}`);
    this.#adapters.splice(this.#adapters.indexOf(a), 1);
  }

  exit(): void {
    for (const a of [...this.#adapters].reverse()) this.#removeAdapter(a);
    const sub = this.#sub;
    sub.emit("remove", "/bus/pseudo/drivers/scsi_debug", "drivers");
    sub.emit("remove", "/bus/pseudo", "bus");
    sub.emit("remove", "/module/scsi_debug", "module");
    sub.sysfs.remove("/sys/devices/pseudo_0");
    sub.sysfs.remove("/sys/bus/pseudo");
    sub.sysfs.remove("/sys/module/scsi_debug");
  }
}
