/**
 * Path discovery (libmultipath/discovery.c, 0.9.4): `pathinfo()` over the host's sysfs, udev
 * database and SG_IO — identity (vendor, product, revision, H:C:T:L, transport, target node
 * name), size, serial, the sysfs device state (`path_offline`), the checker verdict
 * (`get_state`), the WWID (`get_uid`: the udev property, else VPD 0x83), ALUA support
 * (`detect_alua`) and the priority (`get_prio`) — plus `path_discovery` over all block disks.
 *
 * `pathinfo` is asynchronous because SCSI commands complete later on the clock; the parts that
 * never do I/O are also available synchronously as {@link pathinfoNoIo} (what the show commands'
 * map refresh needs).
 */

import { devMajor, devMinor, mkdev, type UdevDevice } from "@mp/dm-core";
import {
  filterDevice,
  filterDevnode,
  filterProperty,
  filterProtocol,
  filterWwid,
} from "../config/blacklist.js";
import { ConfigLog } from "../config/log.js";
import {
  hasUidFallback,
  type PathBus,
  type PathSelectContext,
  selectChecker,
  selectDetectChecker,
  selectDetectPrio,
  selectGetuid,
  selectPrio,
  selectRecheckWwid,
  selectVpdVendorId,
  Tpgs,
} from "../config/propsel.js";
import type { ProtocolName } from "../config/structs.js";
import { checkerStateName, PathState } from "../structs/path-state.js";
import {
  InitState,
  NvmeProtocol,
  PRIO_UNDEF,
  ScsiProtocol,
  SysfsBus,
  TPGS_UNDEF,
  WWID_SIZE,
} from "../structs/structs.js";
import { pathProtocolName } from "../structs/structs-vec.js";
import { confCheckint, type LibmpContext } from "./context.js";
import { spendCpu } from "./cpu.js";
import { DI, PathinfoResult, Ynu } from "./defaults.js";
import { setPathWwid } from "./path-index.js";
import { CHECK_WAIT, type PathChecker, type PrioTarget, RTPG_INQUIRY_FAILED } from "./plugins.js";
import { allocPath, type MpPath } from "./structs.js";
import {
  blockAttr,
  cStrtoul,
  parentsOf,
  readAttr,
  readBinaryAttr,
  SCSI_TARGET,
  scsiDeviceParent,
  subsystemOf,
  sysfsGetSize,
} from "./sysfs.js";
import { fetchVpdPage, getSerialSgio, getVpdSgio, parseVpdPg80, parseVpdPg83, VPD_BUFLEN } from "./vpd.js";

/** A scsi_device's name (`H:C:T:L`). */
const HCTL_NAME = /^(\d+):(\d+):(\d+):(\d+)$/;

/** `DEF_TIMEOUT`: the checker timeout when sysfs has none (seconds). */
export const DEF_TIMEOUT = 30;
/** `SERIAL_SIZE`. */
const SERIAL_SIZE = 128;
/** `NODE_NAME_SIZE`. */
const NODE_NAME_SIZE = 224;
const ENODATA = 61;

/* ------------------------------------------------------------------------------------------------
 * Small helpers
 */

function busName(bus: number): PathBus {
  switch (bus) {
    case SysfsBus.SCSI:
      return "scsi";
    case SysfsBus.NVME:
      return "nvme";
    case SysfsBus.CCW:
      return "ccw";
    case SysfsBus.CCISS:
      return "cciss";
    default:
      return "undef";
  }
}

/** The propsel view of a path. */
export function pathSelectContext(ctx: LibmpContext, pp: MpPath): PathSelectContext {
  return {
    config: ctx.config,
    hwe: pp.hwe,
    dev: pp.dev,
    bus: busName(pp.bus),
    protocol: pathProtocolName(pp) as ProtocolName,
    wwid: pp.wwid === "" ? undefined : pp.wwid,
    log: ctx.configLog,
  };
}

/** `%P` of a path (`scsi:fcp`, `nvme:tcp`, `undef`…). */
export function pathProtocolNameOf(pp: MpPath): string {
  return pathProtocolName(pp);
}

/** The prioritizer / ALUA view of a path. */
export function prioTarget(pp: MpPath): PrioTarget {
  return {
    dev: pp.dev,
    bus: busName(pp.bus),
    sgId: {
      hostNo: pp.sgId.hostNo,
      channel: pp.sgId.channel,
      scsiId: pp.sgId.scsiId,
      lun: Number(BigInt.asUintN(64, pp.sgId.lun) & 0xffffffffn),
      protoId: pp.sgId.protoId,
      transportId: pp.sgId.transportId,
    },
    serial: pp.serial,
    tgtNodeName: pp.tgtNodeName,
    fdValid: pp.monitored,
  };
}

/** `pp->dev_t` as a number. */
export function pathDevt(pp: MpPath): number {
  const m = /^(\d+):(\d+)$/.exec(pp.devT);
  return m ? mkdev(Number(m[1]), Number(m[2])) : 0;
}

/** `select_getuid` + `select_recheck_wwid`. */
export function selectPathUid(ctx: LibmpContext, pp: MpPath): void {
  const psc = pathSelectContext(ctx, pp);
  const s = selectGetuid(psc);
  pp.uidAttribute = s.value;
  pp.recheckWwid = selectRecheckWwid(psc, s.value).value ? Ynu.ON : Ynu.OFF;
}

/* ------------------------------------------------------------------------------------------------
 * sysfs
 */

/** `sysfs_get_timeout`: the SCSI device's command timeout in seconds, or null. */
export function sysfsGetTimeout(ctx: LibmpContext, pp: MpPath): number | null {
  if (pp.udev === null || pp.bus !== SysfsBus.SCSI) return null;
  const parent = scsiDeviceParent(ctx.host, pp.udev);
  const attr = parent === null ? null : readAttr(ctx.host.sysfs, parent.path, "timeout");
  if (attr === null) {
    ctx.log.log(3, `${pp.dev}: No timeout value in sysfs`);
    return null;
  }
  const t = cStrtoul(attr);
  if (t === null) {
    ctx.log.log(3, `${pp.dev}: Cannot parse timeout attribute '${attr}'`);
    return null;
  }
  if (t > 0xffffffff) {
    ctx.log.log(3, `${pp.dev}: Overflow in timeout value '${attr}'`);
    return null;
  }
  return t;
}

/** `sysfs_get_tgt_nodename`: sets the protocol and transport id; false when no SCSI parent. */
function sysfsGetTgtNodename(ctx: LibmpContext, pp: MpPath): boolean {
  if (pp.udev === null) return false;
  const sysfs = ctx.host.sysfs;
  const chain = parentsOf(pp.udev.syspath);
  // The scsi_device parent is in the chain, or it is the /sys/block link (nothing above it).
  let sdevAt = 0;
  while (sdevAt < chain.length && !HCTL_NAME.test(chain[sdevAt]!.sysname)) sdevAt++;
  const sdev = sdevAt < chain.length ? chain[sdevAt]! : scsiDeviceParent(ctx.host, pp.udev);
  if (sdev === null) return false;
  // The chain's entries above the scsi_device (closest first).
  const aboveFrom = sdevAt < chain.length ? sdevAt + 1 : chain.length;
  // SAS: sas_address on the scsi_device, an end_device-H:C:T / end_device-H:T above it.
  const sas = readAttr(sysfs, sdev.path, "sas_address");
  if (sas !== null) {
    for (let i = aboveFrom; i < chain.length; i++) {
      const p = chain[i]!;
      const m =
        /^end_device-(\d+):(\d+):(\d+)$/.exec(p.sysname) ?? /^end_device-(\d+):(\d+)$/.exec(p.sysname);
      if (m) {
        pp.sgId.protoId = ScsiProtocol.SAS;
        pp.sgId.transportId = Number(m[m.length - 1]);
        pp.tgtNodeName = sas.slice(0, NODE_NAME_SIZE - 1);
        return true;
      }
    }
  }
  // USB: a usb-subsystem ancestor.
  for (let i = aboveFrom; i < chain.length; i++) {
    const p = chain[i]!;
    if (subsystemOf(sysfs, p.path) === "usb") {
      pp.sgId.protoId = ScsiProtocol.USB;
      pp.tgtNodeName = p.sysname.slice(0, NODE_NAME_SIZE - 1);
      return true;
    }
  }
  let targetAt = 0;
  while (targetAt < chain.length && !SCSI_TARGET.test(chain[targetAt]!.sysname)) targetAt++;
  if (targetAt === chain.length) return false;
  // Fibre Channel: the target hangs below rport-H:C-T (its parent: the closest entry above it).
  const rport = chain[targetAt + 1];
  const rm = rport === undefined ? null : /^rport-(\d+):(\d+)-(\d+)$/.exec(rport.sysname);
  if (rm) {
    const node = readAttr(sysfs, `/sys/class/fc_remote_ports/${rport!.sysname}`, "node_name");
    if (node !== null) {
      pp.sgId.protoId = ScsiProtocol.FCP;
      pp.sgId.transportId = Number(rm[3]);
      pp.tgtNodeName = node.slice(0, NODE_NAME_SIZE - 1);
      return true;
    }
  }
  // iSCSI: a sessionN ancestor with an iscsi_session targetname.
  for (const p of chain) {
    const m = /^session(\d+)/.exec(p.sysname);
    if (!m) continue;
    const name = readAttr(sysfs, `/sys/class/iscsi_session/${p.sysname}`, "targetname");
    if (name !== null) {
      pp.sgId.protoId = ScsiProtocol.ISCSI;
      pp.sgId.transportId = Number(m[1]);
      pp.tgtNodeName = name.slice(0, NODE_NAME_SIZE - 1);
      return true;
    }
    break;
  }
  // libata: an ataN ancestor.
  for (const p of chain) {
    const m = /^ata(\d+)/.exec(p.sysname);
    if (m) {
      pp.sgId.protoId = ScsiProtocol.ATA;
      pp.sgId.transportId = Number(m[1]);
      pp.tgtNodeName = `ata-${m[1]}.00`;
      return true;
    }
  }
  pp.sgId.protoId = ScsiProtocol.UNSPEC;
  return true;
}

/** `strchop`: a sysfs string without trailing whitespace. */
function chop(s: string): string {
  return s.replace(/[ \t\n\v\f\r]+$/, "");
}

function scsiSysfsPathinfo(ctx: LibmpContext, pp: MpPath): PathinfoResult {
  if (pp.udev === null) return PathinfoResult.FAILED;
  const parent = scsiDeviceParent(ctx.host, pp.udev);
  if (parent === null) return PathinfoResult.FAILED;
  const hctl = /^(\d+):(\d+):(\d+):(\d+)$/.exec(parent.sysname)!;
  pp.sgId.hostNo = Number(hctl[1]);
  pp.sgId.channel = Number(hctl[2]);
  pp.sgId.scsiId = Number(hctl[3]);
  pp.sgId.lun = BigInt(hctl[4]!);
  const sysfs = ctx.host.sysfs;
  const vendor = readAttr(sysfs, parent.path, "vendor");
  if (vendor === null || chop(vendor) === "") return PathinfoResult.FAILED;
  pp.vendorId = chop(vendor).slice(0, 8);
  ctx.log.log(3, `${pp.dev}: vendor = ${pp.vendorId}`);
  const model = readAttr(sysfs, parent.path, "model");
  if (model === null || chop(model) === "") return PathinfoResult.FAILED;
  pp.productId = chop(model).slice(0, 16);
  ctx.log.log(3, `${pp.dev}: product = ${pp.productId}`);
  const rev = readAttr(sysfs, parent.path, "rev");
  if (rev === null) return PathinfoResult.FAILED;
  pp.rev = chop(rev).slice(0, 8);
  ctx.log.log(3, `${pp.dev}: rev = ${pp.rev}`);
  pp.hwe = ctx.hwMatcher.find(pp.vendorId, pp.productId, pp.rev, ctx.configLog);
  ctx.log.log(
    3,
    `${pp.dev}: h:b:t:l = ${pp.sgId.hostNo}:${pp.sgId.channel}:${pp.sgId.scsiId}:${BigInt.asUintN(64, pp.sgId.lun)}`,
  );
  if (!sysfsGetTgtNodename(ctx, pp)) return PathinfoResult.FAILED;
  ctx.log.log(3, `${pp.dev}: tgt_node_name = ${pp.tgtNodeName}`);
  return PathinfoResult.OK;
}

function commonSysfsPathinfo(ctx: LibmpContext, pp: MpPath): PathinfoResult {
  if (pp.udev === null) {
    ctx.log.log(4, `${pp.dev}: udev not initialised`);
    return PathinfoResult.FAILED;
  }
  const devnum = pp.udev.devnum;
  if (devnum === undefined || devnum === 0) return PathinfoResult.FAILED;
  const devT = `${devMajor(devnum)}:${devMinor(devnum)}`;
  if (pp.devT !== devT) {
    const old = pp.devT;
    pp.devT = devT;
    ctx.pathIndex.devtChanged(pp, old);
  }
  ctx.log.log(4, `${pp.dev}: dev_t = ${pp.devT}`);
  const size = sysfsGetSize(ctx.host, pp.dev);
  if (size === null) return PathinfoResult.FAILED;
  pp.size = size;
  ctx.log.log(3, `${pp.dev}: size = ${pp.size}`);
  return PathinfoResult.OK;
}

/** `sysfs_pathinfo`: device number, size, bus, and the bus's identity attributes. */
export function sysfsPathinfo(ctx: LibmpContext, pp: MpPath): PathinfoResult {
  const r = commonSysfsPathinfo(ctx, pp);
  if (r !== PathinfoResult.OK) return r;
  pp.bus = SysfsBus.UNDEF;
  if (pp.dev.startsWith("cciss")) pp.bus = SysfsBus.CCISS;
  if (pp.dev.startsWith("dasd")) pp.bus = SysfsBus.CCW;
  if (pp.dev.startsWith("sd")) {
    pp.bus = SysfsBus.SCSI;
    pp.sgId.protoId = ScsiProtocol.UNSPEC;
  }
  if (pp.dev.startsWith("nvme")) {
    pp.bus = SysfsBus.NVME;
    pp.sgId.protoId = NvmeProtocol.UNSPEC;
  }
  switch (pp.bus) {
    case SysfsBus.SCSI:
      return scsiSysfsPathinfo(ctx, pp);
    case SysfsBus.NVME:
      return nvmeSysfsPathinfo(ctx, pp);
    default:
      // ccw and cciss devices do not exist on the hosts mp models.
      return PathinfoResult.OK;
  }
}

function nvmeSysfsPathinfo(ctx: LibmpContext, pp: MpPath): PathinfoResult {
  if (pp.udev === null) return PathinfoResult.FAILED;
  const sysfs = ctx.host.sysfs;
  // The controller (nvmeN) is the block device's parent in /sys/class/nvme.
  const ctrl = parentsOf(pp.udev.syspath).find((p) => /^nvme\d+$/.test(p.sysname));
  if (ctrl === undefined) return PathinfoResult.FAILED;
  const transport = readAttr(sysfs, ctrl.path, "transport");
  const protoIds: Record<string, number> = {
    pcie: NvmeProtocol.PCIE,
    rdma: NvmeProtocol.RDMA,
    fc: NvmeProtocol.FC,
    tcp: NvmeProtocol.TCP,
    loop: NvmeProtocol.LOOP,
    apple_nvme: NvmeProtocol.APPLE_NVME,
  };
  pp.sgId.protoId = transport === null ? NvmeProtocol.UNSPEC : (protoIds[transport] ?? NvmeProtocol.UNSPEC);
  pp.sgId.hostNo = Number(/^nvme(\d+)$/.exec(ctrl.sysname)![1]);
  pp.sgId.lun = BigInt(Number(readAttr(sysfs, pp.udev.syspath, "nsid") ?? "0"));
  pp.vendorId = "NVME";
  pp.productId = chop(readAttr(sysfs, ctrl.path, "model") ?? "").slice(0, 40);
  pp.serial = chop(readAttr(sysfs, ctrl.path, "serial") ?? "").slice(0, SERIAL_SIZE - 1);
  pp.rev = chop(readAttr(sysfs, ctrl.path, "firmware_rev") ?? "").slice(0, 8);
  pp.tgtNodeName = chop(readAttr(sysfs, ctrl.path, "subsysnqn") ?? "").slice(0, NODE_NAME_SIZE - 1);
  ctx.log.log(3, `${pp.dev}: vendor = ${pp.vendorId}`);
  ctx.log.log(3, `${pp.dev}: product = ${pp.productId}`);
  ctx.log.log(3, `${pp.dev}: serial = ${pp.serial}`);
  ctx.log.log(3, `${pp.dev}: rev = ${pp.rev}`);
  pp.hwe = ctx.hwMatcher.find(pp.vendorId, pp.productId, pp.rev, ctx.configLog);
  return PathinfoResult.OK;
}

/**
 * `path_offline`: the SCSI device `state` (NVMe controller `state`) as a path state — offline
 * (dead) DOWN, blocked/quiesce (new/deleting) PENDING, running (live) UP, anything else DOWN,
 * REMOVED when the device is gone. Sets `offline`.
 */
export function pathOffline(ctx: LibmpContext, pp: MpPath): PathState {
  if (pp.bus !== SysfsBus.SCSI && pp.bus !== SysfsBus.NVME) return PathState.UP;
  if (pp.udev === null) {
    ctx.log.log(1, `${pp.dev}: failed to get sysfs information`);
    return PathState.REMOVED;
  }
  const sysfs = ctx.host.sysfs;
  const parent =
    pp.bus === SysfsBus.SCSI
      ? scsiDeviceParent(ctx.host, pp.udev)
      : (parentsOf(pp.udev.syspath).find((p) => /^nvme\d+$/.test(p.sysname)) ?? null);
  if (parent === null) {
    ctx.log.log(1, `${pp.dev}: failed to get sysfs information`);
    return PathState.REMOVED;
  }
  const state = readAttr(sysfs, parent.path, "state");
  if (state === null) return sysfs.list(parent.path) === null ? PathState.REMOVED : PathState.DOWN;
  if (ctx.log.enabled(4)) ctx.log.log(4, `${pp.dev}: path state = ${state}`);
  if (pp.bus === SysfsBus.SCSI) {
    if (state.startsWith("offline")) {
      pp.offline = true;
      return PathState.DOWN;
    }
    pp.offline = false;
    if (state.startsWith("blocked") || state.startsWith("quiesce")) return PathState.PENDING;
    if (state.startsWith("running")) return PathState.UP;
  } else {
    if (state.startsWith("dead")) {
      pp.offline = true;
      return PathState.DOWN;
    }
    pp.offline = false;
    if (state.startsWith("new") || state.startsWith("deleting")) return PathState.PENDING;
    if (state.startsWith("live")) return PathState.UP;
  }
  return PathState.DOWN;
}

/* ------------------------------------------------------------------------------------------------
 * ALUA detection
 */

function aluaCall(fn: (done: (rc: number) => void) => void): Promise<number> {
  return new Promise((resolve) => fn(resolve));
}

/** `detect_alua`: sets `tpgs` when it could be determined (unchanged when the path is unreachable). */
async function detectAlua(ctx: LibmpContext, pp: MpPath): Promise<void> {
  if (pp.bus !== SysfsBus.SCSI) {
    pp.tpgs = Tpgs.NONE;
    return;
  }
  // Upstream passes the sysfs timeout (seconds) where the ALUA helpers expect milliseconds.
  const timeout = sysfsGetTimeout(ctx, pp) ?? DEF_TIMEOUT;
  const target = prioTarget(pp);
  const tpgs = await aluaCall((d) => ctx.alua.targetPortGroupSupport(target, timeout, d));
  if (tpgs === -RTPG_INQUIRY_FAILED) return;
  if (tpgs <= 0) {
    pp.tpgs = Tpgs.NONE;
    return;
  }
  if (!pp.monitored || pp.offline) return;
  const tpg = await aluaCall((d) => ctx.alua.targetPortGroup(target, timeout, d));
  let failed = tpg < 0;
  if (!failed) failed = (await aluaCall((d) => ctx.alua.asymmetricAccessState(target, tpg, timeout, d))) < 0;
  if (failed) {
    if (tpg === -RTPG_INQUIRY_FAILED) return;
    const state = pathOffline(ctx, pp);
    if (state === PathState.DOWN || state === PathState.PENDING) return;
    pp.tpgs = Tpgs.NONE;
    return;
  }
  pp.tpgs = tpgs;
}

/** `path_get_tpgs`: the cached TPGS support, detected on first use. */
export async function pathGetTpgs(ctx: LibmpContext, pp: MpPath): Promise<number> {
  if (pp.tpgs === TPGS_UNDEF) await detectAlua(ctx, pp);
  return pp.tpgs;
}

/** The RDAC probes `check_rdac` may need, gathered ahead (they are SCSI commands). */
async function rdacProbes(ctx: LibmpContext, pp: MpPath): Promise<{ c9Supported: boolean; vac1: boolean }> {
  if (pp.bus !== SysfsBus.SCSI || !pp.monitored) return { c9Supported: false, vac1: false };
  const hweChecker = pp.hwe.find((h) => h.pathChecker !== undefined)?.pathChecker;
  if (hweChecker !== undefined && hweChecker !== "rdac") return { c9Supported: false, vac1: false };
  let c9Supported = false;
  if (hweChecker === undefined) {
    const pages = await vpdSupportedPages(ctx, pp);
    c9Supported = pages.includes(0xc9);
    if (!c9Supported) return { c9Supported, vac1: false };
  }
  const r = await getVpdSgio(ctx.host, pp.dev, 0xc9, 44);
  const vac1 = r.ok && r.value.length >= 8 && r.value.slice(4, 8) === "vac1";
  return { c9Supported, vac1 };
}

async function vpdSupportedPages(ctx: LibmpContext, pp: MpPath): Promise<number[]> {
  const r = await fetchVpdPage(ctx.host, pp.dev, 0x00, VPD_BUFLEN);
  if ("err" in r) return [];
  return Array.from(r.page.subarray(4, r.len));
}

/** `sysfs access_state` is readable (what `detect_prio` asks before choosing `sysfs`). */
function hasAccessState(ctx: LibmpContext, pp: MpPath): boolean {
  if (pp.udev === null) return false;
  const parent = scsiDeviceParent(ctx.host, pp.udev);
  return parent !== null && readAttr(ctx.host.sysfs, parent.path, "access_state") !== null;
}

/* ------------------------------------------------------------------------------------------------
 * Checker and prioritizer
 */

/** `checker_check` with the callback turned into a promise only when the checker answers later. */
export function runCheck(chk: PathChecker, oldstate: number): number | Promise<number> {
  let syncState = -2;
  let resolver: ((s: number) => void) | null = null;
  const r = chk.check(
    oldstate,
    (_arg: null, state: number) => {
      if (resolver) resolver(state);
      else syncState = state;
    },
    null,
  );
  if (r !== CHECK_WAIT) return r;
  if (syncState !== -2) return syncState;
  return new Promise<number>((resolve) => {
    resolver = resolve;
  });
}

/** `select_detect_checker` + `select_checker` + `checker_get` + `checker_init`. */
async function selectPathChecker(ctx: LibmpContext, pp: MpPath): Promise<PathChecker | null> {
  const psc = pathSelectContext(ctx, pp);
  const detect = selectDetectChecker(psc).value;
  pp.detectChecker = detect ? Ynu.ON : Ynu.OFF;
  let tpgs: number = pp.tpgs;
  let rdac = { c9Supported: false, vac1: false };
  if (detect) {
    rdac = await rdacProbes(ctx, pp);
    if (!rdac.vac1) tpgs = await pathGetTpgs(ctx, pp);
  }
  const sysfsTimeout = sysfsGetTimeout(ctx, pp) ?? undefined;
  const sel = selectChecker(
    psc,
    detect,
    { tpgs: () => tpgs, vpdC9Supported: () => rdac.c9Supported, vpdC9IsVac1: () => rdac.vac1 },
    sysfsTimeout,
  );
  const made = ctx.checkers.create(
    sel.value,
    { dev: pp.dev, devt: pathDevt(pp) },
    { timeout: sel.timeout.value, mpContext: pp.mpp ? pp.mpp.mpcontext : null },
  );
  if (made === "not-found") {
    ctx.log.log(3, `${pp.dev}: No checker selected`);
    return null;
  }
  if (made === "init-failed") {
    ctx.log.log(3, `${pp.dev}: checker init failed`);
    return null;
  }
  pp.checker.name = made.name;
  pp.checker.timeoutSec = sel.timeout.value;
  return made;
}

/** `get_state`: the checker's verdict for the path (`daemon` runs a sysfs refresh first). */
export async function getState(
  ctx: LibmpContext,
  pp: MpPath,
  daemon: boolean,
  oldstate: number,
): Promise<PathState> {
  if (pp.chk === null) {
    if (daemon && pathinfoNoIo(ctx, pp, DI.SYSFS) !== PathinfoResult.OK) {
      ctx.log.log(3, `${pp.dev}: couldn't get sysfs pathinfo`);
      return PathState.UNCHECKED;
    }
    const chk = await selectPathChecker(ctx, pp);
    if (chk === null) return PathState.UNCHECKED;
    chk.fdValid = pp.monitored;
    chk.disabled = pp.checker.disabled;
    pp.chk = chk;
  }
  const c = pp.chk;
  if (pp.mpp && !c.mpContext) c.mpContext = pp.mpp.mpcontext;
  c.clearMessage();
  c.sync = ctx.config.forceSync;
  if (!ctx.config.checkerTimeout) c.timeout = sysfsGetTimeout(ctx, pp) ?? DEF_TIMEOUT;
  c.disabled = pp.checker.disabled;
  const r = runCheck(c, oldstate);
  const state = (typeof r === "number" ? r : await r) as PathState;
  if (ctx.log.enabled(3)) ctx.log.log(3, `${pp.dev}: ${c.name} state = ${checkerStateName(state)}`);
  const msg = c.message();
  if (state !== PathState.UP && state !== PathState.GHOST && msg.length > 0)
    ctx.log.log(3, `${pp.dev}: ${c.name} checker${msg}`);
  return state;
}

/** `select_detect_prio` + `select_prio` + `prio_get`. */
async function selectPathPrio(ctx: LibmpContext, pp: MpPath): Promise<boolean> {
  const psc = pathSelectContext(ctx, pp);
  const detect = selectDetectPrio(psc).value;
  pp.detectPrio = detect ? Ynu.ON : Ynu.OFF;
  let tpgs: number = pp.tpgs;
  let rdac = { c9Supported: false, vac1: false };
  const needTpgs =
    detect ||
    (ctx.config.mptable.find((m) => m.wwid === pp.wwid)?.prio ??
      ctx.config.overrides?.prio ??
      pp.hwe.find((h) => h.prio !== undefined)?.prio ??
      ctx.config.prio) === "alua";
  if (needTpgs && pp.bus === SysfsBus.SCSI) {
    tpgs = await pathGetTpgs(ctx, pp);
    if (detect && tpgs !== Tpgs.NONE && tpgs !== Tpgs.EXPLICIT) rdac = await rdacProbes(ctx, pp);
  }
  // Upstream loads the prioritizer (`prio_get`) before it logs the choice: hold those two lines.
  const held = new ConfigLog();
  const sel = selectPrio({ ...psc, log: held }, detect, {
    tpgs: () => tpgs,
    vpdC9Supported: () => rdac.c9Supported,
    vpdC9IsVac1: () => rdac.vac1,
    hasAccessState: () => hasAccessState(ctx, pp),
  });
  const isChoice = (m: string) =>
    m.startsWith(`${pp.dev}: prio = `) || m.startsWith(`${pp.dev}: prio args = `);
  for (const d of held.entries) if (!isChoice(d.message)) ctx.log.log(d.level, d.message);
  const impl = ctx.prioritizers.create(sel.value, sel.args);
  for (const d of held.entries) if (isChoice(d.message)) ctx.log.log(d.level, d.message);
  if (impl === undefined) return false;
  pp.prioImpl = impl;
  pp.prio.name = impl.name;
  pp.prio.args = impl.args;
  return true;
}

/** `get_prio`: refreshes the path's priority; 1 on failure (the priority is kept or undefined). */
export async function getPrio(ctx: LibmpContext, pp: MpPath, timeoutMs: number): Promise<number> {
  if (pp.prioImpl === null) {
    if (!(await selectPathPrio(ctx, pp))) {
      ctx.log.log(3, `${pp.dev}: no prio selected`);
      pp.priority = PRIO_UNDEF;
      return 1;
    }
  }
  const p = pp.prioImpl!;
  const old = pp.priority;
  const prio = await new Promise<number>((resolve) => p.getprio(prioTarget(pp), timeoutMs, resolve));
  pp.priority = prio;
  if (prio < 0) {
    const state = pathOffline(ctx, pp);
    if (state === PathState.DOWN || state === PathState.PENDING) {
      pp.priority = old;
      ctx.log.log(3, `${pp.dev}: ${p.name} prio error in state ${state}, keeping prio = ${pp.priority}`);
    } else {
      ctx.log.log(3, `${pp.dev}: ${p.name} prio error in state ${state}`);
      pp.priority = PRIO_UNDEF;
    }
    return 1;
  }
  ctx.log.log(old === pp.priority ? 4 : 3, `${pp.dev}: ${p.name} prio = ${pp.priority}`);
  return 0;
}

/* ------------------------------------------------------------------------------------------------
 * WWID
 */

function getUdevUid(ctx: LibmpContext, pp: MpPath, attr: string, udev: UdevDevice): number {
  const value = udev.properties.get(attr);
  if (value !== undefined && value.length > 0) {
    if (value.length >= WWID_SIZE) {
      const fixed = fixBrokenNvmeWwid(value);
      if (fixed !== null) {
        setPathWwid(ctx.pathIndex, pp, fixed);
        ctx.log.log(2, `${pp.dev}: over-long WWID shortened to ${pp.wwid}`);
        return fixed.length;
      }
      ctx.log.log(0, `${pp.dev}: wwid overflow`);
      setPathWwid(ctx.pathIndex, pp, value.slice(0, WWID_SIZE - 1));
      return WWID_SIZE;
    }
    setPathWwid(ctx.pathIndex, pp, value);
    return value.length;
  }
  ctx.log.log(3, `${pp.dev}: no ${attr} attribute`);
  return -ENODATA;
}

/** `fix_broken_nvme_wwid`: drops hex-encoded NUL padding from `nvme.VVVV-SERIAL-MODEL-NSID`. */
export function fixBrokenNvmeWwid(value: string): string | null {
  if (value.length >= 256) return null;
  if (!/^nvme\.[0-9a-fA-F]{4}-/.test(value)) return null;
  const parts = value.split("-");
  if (parts.length !== 4) return null;
  const strip = (s: string) => s.replace(/(00)+$/, "");
  const out = `${parts[0]}-${strip(parts[1]!)}-${strip(parts[2]!)}-${parts[3]}`;
  return out.length >= WWID_SIZE ? null : out;
}

/** `get_vpd_uid`: the WWID from the SCSI device's sysfs `vpd_pg83`. */
function getVpdUid(ctx: LibmpContext, pp: MpPath): number {
  if (pp.udev === null) return -22;
  const parent = scsiDeviceParent(ctx.host, pp.udev);
  if (parent === null) return -22;
  const page = readBinaryAttr(ctx.host.sysfs, parent.path, "vpd_pg83");
  if (page === null) {
    ctx.log.log(3, "failed to read sysfs vpd pg83: No such file or directory");
    return -2;
  }
  if (page[1] !== 0x83) {
    ctx.log.log(3, `vpd pg83 error, invalid vpd page ${(page[1] ?? 0).toString(16).padStart(2, "0")}`);
    return -ENODATA;
  }
  let len = ((page[2] ?? 0) << 8) + (page[3] ?? 0) + 4;
  if (len > VPD_BUFLEN) len = VPD_BUFLEN;
  const r = parseVpdPg83(page, Math.min(len, page.length), WWID_SIZE, (l, m) => ctx.log.log(l, m));
  if (!r.ok) return r.err;
  setPathWwid(ctx.pathIndex, pp, r.value);
  return r.value.length;
}

/**
 * `get_uid`: the WWID from the udev property `uid_attribute`, else (when allowed) from VPD 0x83
 * in sysfs, else through SG_IO. Returns 0, or 1 when no WWID could be obtained.
 */
export async function getUid(
  ctx: LibmpContext,
  pp: MpPath,
  pathState: number,
  udev: UdevDevice | null,
  allowFallback: boolean,
): Promise<number> {
  const r = getUidSync(ctx, pp, pathState, udev, allowFallback, true);
  if (typeof r === "number") return r;
  // The SG_IO fallback: VPD 0x83 through the device.
  const got = await getVpdSgio(ctx.host, pp.dev, 0x83, WWID_SIZE, (l, m) => ctx.log.log(l as 0, m));
  return finishUid(
    ctx,
    pp,
    got.ok ? got.value.length : got.err,
    "sgio",
    r.usedFallback,
    got.ok ? got.value : "",
  );
}

function finishUid(
  ctx: LibmpContext,
  pp: MpPath,
  len: number,
  origin: string,
  usedFallback: boolean,
  value?: string,
): number {
  if (value !== undefined) setPathWwid(ctx.pathIndex, pp, value);
  if (len < 0) {
    ctx.log.log(1, `${pp.dev}: failed to get ${origin} uid: ${strerrorText(-len)}`);
    setPathWwid(ctx.pathIndex, pp, "");
    return 1;
  }
  setPathWwid(ctx.pathIndex, pp, pp.wwid.replace(/ +$/, ""));
  ctx.log.log(usedFallback ? 1 : 3, `${pp.dev}: uid = ${pp.wwid === "" ? "<empty>" : pp.wwid} (${origin})`);
  return 0;
}

function strerrorText(errno: number): string {
  switch (errno) {
    case 2:
      return "No such file or directory";
    case 5:
      return "Input/output error";
    case 22:
      return "Invalid argument";
    case 38:
      return "Function not implemented";
    case 61:
      return "No data available";
    case 75:
      return "Value too large for defined data type";
    default:
      return `Unknown error ${errno}`;
  }
}

/**
 * The synchronous part of `get_uid`: a result, or `{ sgio }` when the SG_IO fallback is next
 * (only when `allowSgio`; otherwise that step counts as a failure).
 */
function getUidSync(
  ctx: LibmpContext,
  pp: MpPath,
  pathState: number,
  udev: UdevDevice | null,
  allowFallback: boolean,
  allowSgio: boolean,
): number | { sgio: true; usedFallback: boolean } {
  if (pp.uidAttribute === null) selectPathUid(ctx, pp);
  setPathWwid(ctx.pathIndex, pp, "");
  let len = 0;
  let origin = "unknown";
  let usedFallback = false;
  if (pp.uidAttribute !== null) {
    const checkUidAttr = udev !== null && pp.uidAttribute !== "";
    if (checkUidAttr) {
      len = getUdevUid(ctx, pp, pp.uidAttribute, udev);
      origin = "udev";
      if (len === 0) ctx.log.log(1, `${pp.dev}: empty udev uid`);
    }
    if ((!checkUidAttr || (len <= 0 && allowFallback)) && hasUidFallback(busName(pp.bus), pp.uidAttribute)) {
      if (udev === null || checkUidAttr) usedFallback = true;
      if (pp.bus === SysfsBus.SCSI) {
        len = getVpdUid(ctx, pp);
        origin = "sysfs";
        if (len < 0 && pathState === PathState.UP) {
          ctx.log.log(1, `${pp.dev}: failed to get sysfs uid: ${strerrorText(-len)}`);
          if (allowSgio) return { sgio: true, usedFallback };
          origin = "sgio";
        }
      } else if (pp.bus === SysfsBus.NVME && pp.udev !== null) {
        const v = readAttr(ctx.host.sysfs, pp.udev.syspath, "wwid");
        len = v === null ? -1 : v.length;
        if (v !== null)
          setPathWwid(
            ctx.pathIndex,
            pp,
            v.length >= WWID_SIZE ? (fixBrokenNvmeWwid(v) ?? v.slice(0, WWID_SIZE - 1)) : v,
          );
        origin = "sysfs";
      } else len = -1;
    }
  }
  return finishUid(ctx, pp, len, origin, usedFallback);
}

/* ------------------------------------------------------------------------------------------------
 * pathinfo
 */

/** The part of `pathinfo` before any device I/O; `undefined` means "go on with I/O". */
function pathinfoPrefix(
  ctx: LibmpContext,
  pp: MpPath,
  mask: number,
): PathinfoResult | { pathState: PathState } {
  const conf = ctx.config;
  if (pp.initialized === InitState.REMOVED) return PathinfoResult.FAILED;
  if (pp.udev !== null) {
    if (readAttr(ctx.host.sysfs, pp.udev.syspath, "hidden") === "1") {
      ctx.log.log(4, `${pp.dev}: hidden`);
      return PathinfoResult.SKIPPED;
    }
    if (!(mask & DI.SYSFS) && mask & DI.BLACKLIST && pp.uidAttribute === null && pp.hwe.length === 0)
      mask |= DI.SYSFS;
  }
  if (pp.dev.length !== 0 && filterDevnode(conf, pp.dev, ctx.configLog) > 0) return PathinfoResult.SKIPPED;
  ctx.log.log(4, `${pp.dev}: mask = 0x${mask.toString(16)}`);
  if (pp.devT.length === 0 && !(mask & DI.SYSFS)) {
    ctx.log.log(1, `${pp.dev}: empty device number`);
    mask |= DI.SYSFS;
  }
  if (mask & DI.SYSFS) {
    const rc = sysfsPathinfo(ctx, pp);
    if (rc !== PathinfoResult.OK) return rc;
    if (pp.bus === SysfsBus.SCSI && pp.sgId.protoId === ScsiProtocol.USB && !conf.allowUsbDevices) {
      ctx.log.log(3, `${pp.dev}: skip USB device ${pp.tgtNodeName}`);
      return PathinfoResult.SKIPPED;
    }
  }
  if (mask & DI.BLACKLIST && mask & DI.SYSFS) {
    if (pp.udev !== null && pp.uidAttribute === null) selectPathUid(ctx, pp);
    if (
      filterProperty(
        conf,
        pp.dev,
        pp.udev === null ? undefined : pp.udev.properties.keys(),
        pp.uidAttribute ?? undefined,
        4,
        ctx.configLog,
      ) > 0 ||
      filterDevice(conf, pp.vendorId, pp.productId, pp.dev, ctx.configLog) > 0 ||
      filterProtocol(conf, pathProtocolName(pp), pp.dev, ctx.configLog) > 0
    )
      return PathinfoResult.SKIPPED;
  }
  const pathState = pathOffline(ctx, pp);
  if (pathState === PathState.REMOVED) return blank(ctx, pp);
  if (mask & DI.NOIO) {
    if (
      mask & DI.CHECKER &&
      (pathState !== PathState.PENDING || pp.state === PathState.UNCHECKED || pp.state === PathState.WILD)
    ) {
      pp.chkrstate = pathState;
      pp.state = pathState;
    }
    return PathinfoResult.OK;
  }
  // `pp->fd = open(devnode)`: a path without a device node cannot be opened.
  if (!pp.monitored) {
    if (pp.udev === null || pp.udev.devnode === undefined) {
      ctx.log.log(4, `Couldn't open device node for ${pp.dev}: No such file or directory`);
      return blank(ctx, pp);
    }
    pp.monitored = true;
    if (pp.chk) pp.chk.fdValid = true;
  }
  if (mask & DI.SERIAL) getGeometry(ctx, pp);
  return { pathState };
}

/**
 * `get_geometry`: `HDIO_GETGEO` on the path. The Host has no such ioctl, so the drivers'
 * answer is computed here from the capacity: sd's `scsicam_bios_param` fallback (for a disk
 * without a DOS partition table) and nvme's fixed 64 heads × 32 sectors.
 */
function getGeometry(ctx: LibmpContext, pp: MpPath): void {
  const cap = pp.size;
  let geo: { cyl: number; heads: number; sectors: number } | null = null;
  if (pp.bus === SysfsBus.SCSI) geo = scsicamGeometry(cap);
  else if (pp.bus === SysfsBus.NVME) geo = { cyl: Math.floor(cap / 2048), heads: 64, sectors: 32 };
  if (geo === null) return;
  ctx.log.log(3, `${pp.dev}: ${geo.cyl} cyl, ${geo.heads} heads, ${geo.sectors} sectors/track, start at 0`);
}

/** scsicam.c's `setsize` and the fixups `scsicam_bios_param` applies to its result. */
function scsicamGeometry(capacity: number): { cyl: number; heads: number; sectors: number } {
  let bad = capacity >= 2 ** 32;
  let cyl = 1024;
  let sectors = 62;
  let heads = 0;
  if (!bad) {
    let temp = cyl * sectors;
    heads = Math.floor(capacity / temp);
    if (capacity % temp) {
      heads++;
      temp = cyl * heads;
      sectors = Math.floor(capacity / temp);
      if (capacity % temp) {
        sectors++;
        temp = heads * sectors;
        cyl = Math.floor(capacity / temp);
      }
    }
    if (cyl === 0) bad = true;
  }
  if (bad || heads > 255 || sectors > 63) {
    if (Math.floor(capacity / 2048) > 65534) {
      heads = 255;
      sectors = 63;
    } else {
      heads = 64;
      sectors = 32;
    }
    cyl = capacity > 65535 * 63 * 255 ? 65535 : Math.floor(capacity / (heads * sectors));
  }
  // struct hd_geometry keeps cylinders in an unsigned short.
  return { cyl: cyl & 0xffff, heads: heads & 0xff, sectors: sectors & 0xff };
}

/** The "recoverable error" exit of `pathinfo` (faulty or offline path). */
function blank(ctx: LibmpContext, pp: MpPath): PathinfoResult {
  pp.chkrstate = PathState.DOWN;
  pp.state = PathState.DOWN;
  if (pp.initialized === InitState.NEW || pp.initialized === InitState.FAILED)
    setPathWwid(ctx.pathIndex, pp, "");
  return PathinfoResult.OK;
}

/**
 * `pathinfo()` without device I/O: for the masks that need none (`DI_SYSFS`, `DI_WWID` — whose
 * SG_IO fallback then counts as a failure —, `DI_BLACKLIST`, `DI_NOIO`). `DI_SERIAL`, `DI_CHECKER`
 * and `DI_PRIO` are ignored here; use {@link pathinfo} for them.
 */
export function pathinfoNoIo(ctx: LibmpContext, pp: MpPath, mask: number): PathinfoResult {
  const pre = pathinfoPrefix(ctx, pp, mask);
  if (typeof pre === "number") return pre;
  return pathinfoTail(ctx, pp, mask, pre.pathState, false) as PathinfoResult;
}

/** `pathinfo()`: fills in what `mask` asks for; may send SCSI commands. */
export async function pathinfo(ctx: LibmpContext, pp: MpPath, mask: number): Promise<PathinfoResult> {
  if (mask & DI.SYSFS) await spendCpu(ctx.clock, ctx.cpu.pathinfo);
  const pre = pathinfoPrefix(ctx, pp, mask);
  if (typeof pre === "number") return pre;
  const pathState = pre.pathState;
  if (mask & DI.SERIAL && pathState === PathState.UP && pp.bus === SysfsBus.SCSI)
    await scsiIoctlPathinfo(ctx, pp);
  if (mask & DI.CHECKER) {
    if (pathState === PathState.UP) {
      const newstate = await getState(ctx, pp, false, pathState);
      if (newstate !== PathState.PENDING || pp.state === PathState.UNCHECKED || pp.state === PathState.WILD) {
        pp.chkrstate = newstate;
        pp.state = newstate;
      }
      if (pp.state === PathState.TIMEOUT) pp.state = PathState.DOWN;
      if (pp.state === PathState.UP && pp.size === 0) {
        ctx.log.log(3, `${pp.dev}: device size is 0, path unusable`);
        pp.state = PathState.GHOST;
      }
    } else {
      ctx.log.log(3, `${pp.dev}: path inaccessible`);
      pp.chkrstate = pathState;
      pp.state = pathState;
    }
  }
  return pathinfoTail(ctx, pp, mask, pathState, true);
}

/** WWID, WWID blacklist and priority: the end of `pathinfo`. */
function pathinfoTail(
  ctx: LibmpContext,
  pp: MpPath,
  mask: number,
  pathState: PathState,
  io: boolean,
): PathinfoResult | Promise<PathinfoResult> {
  const conf = ctx.config;
  const afterWwid = (): PathinfoResult | Promise<PathinfoResult> => {
    if (mask & DI.BLACKLIST && mask & DI.WWID) {
      if (filterWwid(conf, pp.wwid, pp.dev, ctx.configLog) > 0) return PathinfoResult.SKIPPED;
    }
    const finish = (): PathinfoResult => {
      if ((mask & DI.ALL) === DI.ALL) pp.initialized = InitState.OK;
      return PathinfoResult.OK;
    };
    if (io && mask & DI.PRIO && pathState === PathState.UP && pp.wwid.length > 0) {
      if (pp.state !== PathState.DOWN || pp.priority === PRIO_UNDEF)
        return getPrio(ctx, pp, pp.state !== PathState.DOWN ? conf.checkerTimeout * 1000 : 10).then(finish);
    }
    return finish();
  };
  if (mask & DI.WWID && pp.wwid.length === 0) {
    const allowFallback = (mask & DI.NOFALLBACK) === 0 && pp.retriggers >= conf.retriggerTries;
    const afterUid = (): PathinfoResult | Promise<PathinfoResult> => {
      if (pp.wwid.length === 0) {
        if (pp.bus === SysfsBus.UNDEF) return PathinfoResult.SKIPPED;
        if (pp.initialized !== InitState.FAILED) {
          pp.initialized = InitState.MISSING_UDEV;
          pp.tick = conf.retriggerDelay;
        } else if (allowFallback && (pp.state === PathState.UP || pp.state === PathState.GHOST)) {
          ctx.log.log(1, `${pp.dev}: no WWID in state "${chkStateText(pp.state)}", giving up`);
          return PathinfoResult.SKIPPED;
        }
        return PathinfoResult.OK;
      }
      pp.tick = 1;
      return afterWwid();
    };
    if (io) return getUid(ctx, pp, pathState, pp.udev, allowFallback).then(afterUid);
    getUidSync(ctx, pp, pathState, pp.udev, allowFallback, false);
    return afterUid();
  }
  return afterWwid();
}

function chkStateText(state: number): string {
  switch (state) {
    case PathState.UP:
      return "ready";
    case PathState.DOWN:
      return "faulty";
    case PathState.SHAKY:
      return "shaky";
    case PathState.GHOST:
      return "ghost";
    case PathState.PENDING:
      return "i/o pending";
    case PathState.TIMEOUT:
      return "i/o timeout";
    case PathState.DELAYED:
      return "delayed";
    default:
      return "undef";
  }
}

/** `scsi_ioctl_pathinfo` (with DI_SERIAL): vendor VPD data and the unit serial number. */
async function scsiIoctlPathinfo(ctx: LibmpContext, pp: MpPath): Promise<void> {
  const vpd = selectVpdVendorId(pathSelectContext(ctx, pp)).value;
  pp.vpdVendorId = vpd;
  if (vpd !== 0) {
    const r = await getVpdSgio(ctx.host, pp.dev, 0xc0, 128);
    if (!r.ok) ctx.log.log(3, `${pp.dev}: failed to get extra vpd data`);
    else pp.vpdData = r.value.slice(0, 127);
  }
  if (pp.udev === null) return;
  const parent = scsiDeviceParent(ctx.host, pp.udev);
  if (parent === null) return;
  let serial: string | null = null;
  const page = readBinaryAttr(ctx.host.sysfs, parent.path, "vpd_pg80");
  if (page !== null && page[1] === 0x80)
    serial = parseVpdPg80(page, SERIAL_SIZE, (l, m) => ctx.log.log(l, m));
  if (serial === null || serial.length === 0) {
    if (page === null) ctx.log.log(3, "failed to read sysfs vpd pg80: No such file or directory");
    serial = await getSerialSgio(ctx.host, pp.dev, SERIAL_SIZE);
    if (serial === null) {
      ctx.log.log(3, `${pp.dev}: fail to get serial`);
      return;
    }
  }
  pp.serial = serial;
  ctx.log.log(3, `${pp.dev}: serial = ${pp.serial}`);
}

/* ------------------------------------------------------------------------------------------------
 * Discovery
 */

/** `alloc_path_with_pathinfo` / `store_pathinfo`'s first half: a new path for a udev device. */
export async function allocPathWithPathinfo(
  ctx: LibmpContext,
  udev: UdevDevice,
  wwid: string | null,
  mask: number,
): Promise<{ result: PathinfoResult; pp: MpPath | null }> {
  const pp = allocPath({ dev: udev.sysname });
  if (wwid !== null) setPathWwid(ctx.pathIndex, pp, wwid.slice(0, WWID_SIZE - 1));
  pp.udev = udev;
  const result = await pathinfo(ctx, pp, mask | DI.BLACKLIST);
  if (result !== PathinfoResult.OK) {
    freePath(pp);
    return { result, pp: null };
  }
  return { result, pp };
}

/** `store_pathinfo`: a new path with pathinfo, appended to `pathvec` with `checkint` set. */
export async function storePathinfo(
  ctx: LibmpContext,
  pathvec: MpPath[],
  udev: UdevDevice,
  mask: number,
): Promise<{ result: PathinfoResult; pp: MpPath | null }> {
  const pp = allocPath({ dev: udev.sysname });
  pp.udev = udev;
  const result = await pathinfo(ctx, pp, mask);
  if (result !== PathinfoResult.OK) {
    freePath(pp);
    return { result, pp: null };
  }
  pathvec.push(pp);
  pp.checkint = confCheckint(ctx);
  return { result, pp };
}

/** `free_path`: releases the path's checker. */
export function freePath(pp: MpPath): void {
  pp.chk?.free();
  pp.chk = null;
  pp.monitored = false;
}

/**
 * `path_discovery`: every initialised block disk in the udev database, new ones stored with
 * pathinfo (`mask | DI_BLACKLIST`), known ones refreshed. Returns the number that failed.
 */
export async function pathDiscovery(ctx: LibmpContext, pathvec: MpPath[], mask: number): Promise<number> {
  let total = 0;
  let ok = 0;
  const byDevt = new Map<string, MpPath>();
  for (const pp of pathvec) if (pp.devT !== "") byDevt.set(pp.devT, pp);
  for (const ud of ctx.host.udev.enumerate({ subsystem: "block" })) {
    ctx.log.log(4, `Discover device ${ud.syspath}`);
    if (ud.devtype === undefined || !ud.devtype.startsWith("disk")) continue;
    total++;
    const devnum = ud.devnum ?? 0;
    const pp = byDevt.get(`${devMajor(devnum)}:${devMinor(devnum)}`);
    const r =
      pp === undefined
        ? (await storePathinfo(ctx, pathvec, ud, mask | DI.BLACKLIST)).result
        : await pathinfo(ctx, pp, mask);
    if (r === PathinfoResult.OK) ok++;
  }
  ctx.log.log(4, `Discovered ${ok}/${total} paths`);
  return total - ok;
}

/** The udev `block` device with this `major:minor`, or null (`udev_device_new_from_devnum`). */
export function udevDeviceByDevt(ctx: LibmpContext, devT: string): UdevDevice | null {
  const m = /^(\d+):(\d+)$/.exec(devT);
  if (!m) return null;
  const want = mkdev(Number(m[1]), Number(m[2]));
  for (const ud of ctx.host.udev.enumerate({ subsystem: "block" })) if (ud.devnum === want) return ud;
  return null;
}

/** The udev `block` device of a kernel name, or null. */
export function udevBlockDevice(ctx: LibmpContext, name: string): UdevDevice | null {
  return ctx.host.udev.device("block", name);
}

/** Whether a path is still present in sysfs (`verify_paths`'s `sysfs_attr_get_value(udev, "dev")`). */
export function pathInSysfs(ctx: LibmpContext, pp: MpPath): boolean {
  return pp.udev !== null && pp.dev !== "" && blockAttr(ctx.host, pp.dev, "dev") !== null;
}
