import type { Bio } from "../block/bio.js";
import { BlkStatus, Errno } from "../block/status.js";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { LogLevel } from "../kernel/log.js";
import {
  aluaStateChar,
  aluaSupportedString,
  getBe16,
  getBe32,
  inquiryTpgs,
  reportTargetPortGroupsCdb,
  setTargetPortGroupsCdb,
  stpgParameterList,
  TpgsMode,
  TpgsSupport,
} from "../scsi/cdb.js";
import { AccessState, HostStatus, type ScsiDevice, type SenseData, SenseKey } from "../scsi/scsi-device.js";
import {
  hostByte,
  msecsToJiffiesNs,
  scsiExecute,
  scsiTestUnitReady,
  scsiVpdLunId,
  scsiVpdTpgId,
} from "../scsi/scsi-lib.js";
import { scsiPrintSenseHdr, sdevPrintk } from "../scsi/scsi-logging.js";
import { scsiSenseValid } from "../scsi/sense.js";
import {
  type ScsiDeviceHandlerType,
  type ScsiDhEnv,
  type ScsiDhInstance,
  ScsiDhResult,
  ScsiDisposition,
} from "./handler.js";
import { kernelScanU } from "./params.js";
import { scsiDhAttachFailed } from "./scsi-dh.js";

/**
 * scsi_dh_alua 2.0: the SPC-3 ALUA device handler. Port groups are shared by every device of
 * the same LUN identity and group id within one handler type (one kernel); each group runs the
 * kernel's RTPG/STPG state machine on a delayed "work item" driven by the clock.
 */

const ALUA_DH_NAME = "alua";
const ALUA_FAILOVER_TIMEOUT = 60;
const ALUA_FAILOVER_RETRIES = 5;
const ALUA_RTPG_SIZE = 128;
const ALUA_RTPG_DELAY_MSECS = 5;
const ALUA_RTPG_RETRY_DELAY = 2;

const RTPG_FMT_MASK = 0x70;
const RTPG_FMT_EXT_HDR = 0x10;

/** Port group flags (`ALUA_*` and the state machine's `ALUA_PG_*`). */
const F = {
  OPTIMIZE_STPG: 0x01,
  RTPG_EXT_HDR_UNSUPP: 0x02,
  RUN_RTPG: 0x10,
  RUN_STPG: 0x20,
  RUNNING: 0x40,
} as const;

/** Module parameters of scsi_dh_alua (writable at run time, as `/sys/module/…/parameters`). */
export interface AluaModuleParams {
  /** `optimize_stpg` (0/1, default 0): new port groups start with ALUA_OPTIMIZE_STPG. */
  optimizeStpg: number;
}

/** What a port group looks like from outside (tests, dashboards). */
export interface AluaPortGroupInfo {
  readonly deviceId: string;
  readonly groupId: number;
  readonly tpgs: number;
  readonly state: number;
  readonly pref: boolean;
  readonly validStates: number;
  readonly flags: number;
  readonly transitionTmo: number;
  /** Devices attached to the group, as `H:C:T:L`. */
  readonly devices: readonly string[];
}

/** The ALUA handler type with its per-kernel state. */
export interface AluaHandlerType extends ScsiDeviceHandlerType {
  readonly params: AluaModuleParams;
  /** The live port groups, most recently created first (the kernel's list order). */
  portGroups(): AluaPortGroupInfo[];
}

type Done = (result: ScsiDhResult) => void;

interface PortGroup {
  refs: number;
  /** The identity (indexed by it: never changes). */
  readonly deviceId: string;
  readonly deviceIdLen: number;
  readonly groupId: number;
  tpgs: number;
  state: number;
  pref: number;
  validStates: number;
  flags: number;
  transitionTmo: number;
  /** Jiffies-style deadline in ns, 0 = unset. */
  expiry: number;
  /** Seconds. */
  interval: number;
  /** Devices, newest first (`list_add_rcu` at the head). */
  dhList: AluaDh[];
  rtpgList: Done[];
  rtpgSdev: AluaDh | null;
  /** Clock handle of the pending delayed work, 0 = none. */
  timer: number;
  /** The work function is executing (across its asynchronous commands). */
  executing: boolean;
  /** The work became due while it was executing: run again when it returns. */
  rerun: boolean;
}

interface AluaDh {
  pg: PortGroup | null;
  readonly sdev: ScsiDevice;
  /** The clock and log of the kernel the device lives in (the group's work logs through it). */
  readonly env: ScsiDhEnv;
  initError: number;
  disabled: boolean;
  detached: boolean;
}

/** Creates the `alua` handler type; each kernel gets its own (port groups are per kernel). */
export function createAluaHandlerType(params: Partial<AluaModuleParams> = {}): AluaHandlerType {
  const moduleParams: AluaModuleParams = { optimizeStpg: params.optimizeStpg ?? 0 };
  /**
   * `port_group_list` in creation order (the kernel's list is newest first: read it reversed).
   * A Set, so that adding and dropping a group does not move every other one (thousands of LUNs).
   */
  const groups = new Set<PortGroup>();
  /**
   * The same groups by (group id, device id), each list in `groups`' order: the lookup the
   * kernel does by walking the list, without the walk (quadratic over thousands of LUNs).
   */
  const byKey = new Map<string, PortGroup[]>();
  const keyOf = (id: string, groupId: number): string => `${groupId}:${id}`;

  function findGetPg(id: string, idLen: number, groupId: number): PortGroup | null {
    if (idLen === 0 || id.length === 0) return null;
    const list = byKey.get(keyOf(id, groupId));
    if (list === undefined) return null;
    for (const pg of list) {
      if (pg.deviceIdLen === 0 || pg.deviceIdLen !== idLen) continue;
      if (pg.refs <= 0) continue;
      pg.refs++;
      return pg;
    }
    return null;
  }

  function addPg(pg: PortGroup): void {
    groups.add(pg);
    const k = keyOf(pg.deviceId, pg.groupId);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [pg]);
    else list.unshift(pg);
  }

  function putPg(pg: PortGroup): void {
    if (--pg.refs > 0) return;
    groups.delete(pg);
    const k = keyOf(pg.deviceId, pg.groupId);
    const list = byKey.get(k);
    if (list === undefined) return;
    const j = list.indexOf(pg);
    if (j >= 0) list.splice(j, 1);
    if (list.length === 0) byKey.delete(k);
  }

  function type(): AluaHandlerType {
    return {
      name: ALUA_DH_NAME,
      params: moduleParams,
      portGroups: () =>
        Array.from(groups)
          .reverse()
          .map((pg) => ({
            deviceId: pg.deviceId,
            groupId: pg.groupId,
            tpgs: pg.tpgs,
            state: pg.state,
            pref: pg.pref !== 0,
            validStates: pg.validStates,
            flags: pg.flags,
            transitionTmo: pg.transitionTmo,
            devices: pg.dhList.map((h) => `${h.sdev.host}:${h.sdev.channel}:${h.sdev.target}:${h.sdev.lun}`),
          })),
      attach,
    };
  }

  function attach(sdev: ScsiDevice, env: ScsiDhEnv): ScsiDhInstance | number {
    const { clock, log } = env;
    const h: AluaDh = { pg: null, sdev, env, initError: ScsiDhResult.OK, disabled: false, detached: false };
    const info = (text: string): void => sdevPrintk(log, LogLevel.INFO, sdev, `${ALUA_DH_NAME}: ${text}`);

    // -----------------------------------------------------------------------------------------
    // attach-time evaluation (alua_initialize)

    function checkTpgs(): number {
      if (sdev.type !== 0) {
        info("disable for non-disk devices");
        return TpgsMode.NONE;
      }
      const tpgs = inquiryTpgs(sdev.inquiry);
      switch (tpgs) {
        case TpgsMode.BOTH:
          info("supports implicit and explicit TPGS");
          return tpgs;
        case TpgsMode.EXPLICIT:
          info("supports explicit TPGS");
          return tpgs;
        case TpgsMode.IMPLICIT:
          info("supports implicit TPGS");
          return tpgs;
        default:
          info("not supported");
          return TpgsMode.NONE;
      }
    }

    function allocPg(groupId: number, tpgs: number): PortGroup {
      let deviceId = scsiVpdLunId(sdev) ?? "";
      if (deviceId.length === 0) {
        info("No device descriptors found");
        deviceId = "";
      }
      const existing = findGetPg(deviceId, deviceId.length, groupId);
      if (existing) return existing;
      const pg: PortGroup = {
        refs: 1,
        deviceId,
        deviceIdLen: deviceId.length,
        groupId,
        tpgs,
        state: AccessState.OPTIMAL,
        pref: 0,
        validStates: TpgsSupport.ALL,
        flags: moduleParams.optimizeStpg ? F.OPTIMIZE_STPG : 0,
        transitionTmo: 0,
        expiry: 0,
        interval: 0,
        dhList: [],
        rtpgList: [],
        rtpgSdev: null,
        timer: 0,
        executing: false,
        rerun: false,
      };
      addPg(pg);
      return pg;
    }

    function checkVpd(tpgs: number): number {
      const { groupId, relPort } = scsiVpdTpgId(sdev);
      if (groupId < 0) {
        info("No target port descriptors found");
        return ScsiDhResult.DEV_UNSUPP;
      }
      const pg = allocPg(groupId, tpgs);
      const hex = (v: number) => (v >>> 0).toString(16);
      if (pg.deviceIdLen) info(`device ${pg.deviceId} port group ${hex(groupId)} rel port ${hex(relPort)}`);
      else info(`port group ${hex(groupId)} rel port ${hex(relPort)}`);
      const old = h.pg;
      if (old !== pg) {
        if (old) old.dhList.splice(old.dhList.indexOf(h), 1);
        h.pg = pg;
        pg.dhList.unshift(h);
      }
      rtpgQueue(pg, h, null, true);
      if (old) putPg(old);
      return ScsiDhResult.OK;
    }

    function initialize(): number {
      h.disabled = false;
      const tpgs = checkTpgs();
      let err: number = ScsiDhResult.DEV_UNSUPP;
      if (tpgs !== TpgsMode.NONE) err = checkVpd(tpgs);
      h.initError = err;
      return err;
    }

    // -----------------------------------------------------------------------------------------
    // the port group work (alua_rtpg_queue / alua_rtpg_work)

    function queueDelayedWork(pg: PortGroup, delayNs: number): boolean {
      if (pg.timer !== 0 || pg.rerun) return false;
      pg.timer = clock.schedule(delayNs, workDue, pg);
      return true;
    }

    function rtpgQueue(pg: PortGroup, dh: AluaDh, qdata: Done | null, force: boolean): boolean {
      if (dh.sdev.state === "cancel" || dh.sdev.state === "deleted") return false;
      let start = false;
      if (qdata) {
        pg.rtpgList.push(qdata);
        pg.flags |= F.RUN_STPG;
        force = true;
      }
      if (pg.rtpgSdev === null) {
        pg.interval = 0;
        pg.flags |= F.RUN_RTPG;
        pg.refs++;
        pg.rtpgSdev = dh;
        start = true;
      } else if (!(pg.flags & F.RUN_RTPG) && force) {
        pg.flags |= F.RUN_RTPG;
        if (!(pg.flags & F.RUNNING)) {
          pg.refs++;
          start = true;
        }
      }
      if (start && !queueDelayedWork(pg, msecsToJiffiesNs(ALUA_RTPG_DELAY_MSECS))) putPg(pg);
      return true;
    }

    function check(force: boolean): void {
      if (!h.pg || h.pg.refs <= 0) return;
      rtpgQueue(h.pg, h, null, force);
    }

    return instance();

    function instance(): ScsiDhInstance | number {
      const err = initialize();
      if (err !== ScsiDhResult.OK && err !== ScsiDhResult.DEV_OFFLINED) {
        if (h.pg) {
          h.pg.dhList.splice(h.pg.dhList.indexOf(h), 1);
          putPg(h.pg);
          h.pg = null;
        }
        return scsiDhAttachFailed(sdev, env, ALUA_DH_NAME, err);
      }
      return {
        name: ALUA_DH_NAME,
        activate(done: Done): void {
          const pg = h.pg;
          if (!pg || pg.refs <= 0) {
            const e = h.initError as ScsiDhResult;
            clock.schedule(0, done, e);
            return;
          }
          if (!rtpgQueue(pg, h, done, true)) clock.schedule(0, done, ScsiDhResult.DEV_OFFLINED);
        },
        prepFn(_bio: Bio): BlkStatus {
          const state = h.pg ? h.pg.state : AccessState.OPTIMAL;
          switch (state) {
            case AccessState.OPTIMAL:
            case AccessState.ACTIVE:
            case AccessState.LBA:
            case AccessState.TRANSITIONING:
              return BlkStatus.OK;
            default:
              return BlkStatus.IOERR;
          }
        },
        checkSense(sense: SenseData): ScsiDisposition {
          const key = sense.key;
          const code = (sense.asc << 8) | sense.ascq;
          switch (key) {
            case SenseKey.NOT_READY:
              if (code === 0x040a) {
                stateTransition();
                return ScsiDisposition.NEEDS_RETRY;
              }
              break;
            case SenseKey.UNIT_ATTENTION:
              switch (code) {
                case 0x040a:
                  stateTransition();
                  return ScsiDisposition.NEEDS_RETRY;
                case 0x2900:
                  check(true);
                  return ScsiDisposition.ADD_TO_MLQUEUE;
                case 0x2904:
                case 0x2a01:
                case 0x3f03:
                case 0x3f0e:
                  return ScsiDisposition.ADD_TO_MLQUEUE;
                case 0x2a06:
                case 0x2a07:
                  check(true);
                  return ScsiDisposition.ADD_TO_MLQUEUE;
                default:
                  break;
              }
              break;
            default:
              break;
          }
          return ScsiDisposition.SCSI_RETURN_NOT_HANDLED;
        },
        setParams(args: readonly string[]): number {
          if (args.length !== 1) return -Errno.EINVAL;
          const optimize = kernelScanU(args[0] ?? "");
          if (optimize === null || optimize > 1) return -Errno.EINVAL;
          const pg = h.pg;
          if (!pg) return -Errno.ENXIO;
          if (optimize) pg.flags |= F.OPTIMIZE_STPG;
          else pg.flags &= ~F.OPTIMIZE_STPG;
          return ScsiDhResult.OK;
        },
        rescan(): void {
          initialize();
        },
        detach(): void {
          const pg = h.pg;
          h.pg = null;
          h.detached = true;
          if (pg) {
            const i = pg.dhList.indexOf(h);
            if (i >= 0) pg.dhList.splice(i, 1);
            putPg(pg);
          }
        },
      };
    }

    function stateTransition(): void {
      if (h.pg) h.pg.state = AccessState.TRANSITIONING;
      check(false);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The work function runs per port group, on whichever of its devices `rtpg_sdev` names.

  function workDue(pg: PortGroup): void {
    pg.timer = 0;
    if (pg.executing) {
      pg.rerun = true;
      return;
    }
    runWork(pg);
  }

  function endRun(pg: PortGroup): void {
    pg.executing = false;
    if (pg.rerun) {
      pg.rerun = false;
      runWork(pg);
    }
  }

  function runWork(pg: PortGroup): void {
    const h = pg.rtpgSdev;
    if (!h) {
      putPg(pg);
      return;
    }
    const env = h.env;
    pg.executing = true;
    pg.flags |= F.RUNNING;
    const requeue = (): void => {
      const delay = pg.interval * NSEC_PER_SEC;
      if (pg.timer === 0 && !pg.rerun) pg.timer = env.clock.schedule(delay, workDue, pg);
      endRun(pg);
    };
    const finish = (err: number): void => {
      const list = pg.rtpgList.splice(0);
      for (const dh of pg.dhList) dh.disabled = false;
      pg.rtpgSdev = null;
      for (const fn of list) fn(err as ScsiDhResult);
      pg.flags &= ~F.RUNNING;
      endRun(pg);
      putPg(pg);
    };
    const stpgStep = (err: number): void => {
      if (!(pg.flags & F.RUN_STPG)) {
        finish(err);
        return;
      }
      pg.flags &= ~F.RUN_STPG;
      aluaStpg(h, pg, env, (e) => {
        if (e === ScsiDhResult.RETRY || pg.flags & F.RUN_RTPG) {
          pg.flags |= F.RUN_RTPG;
          pg.interval = 0;
          pg.flags &= ~F.RUNNING;
          requeue();
          return;
        }
        finish(e);
      });
    };
    const rtpgStep = (): void => {
      aluaRtpg(h, pg, env, (e) => {
        let err = e;
        if (err === ScsiDhResult.RES_TEMP_UNAVAIL && selectSdev(pg, env)) err = ScsiDhResult.IMM_RETRY;
        if (err === ScsiDhResult.RETRY || err === ScsiDhResult.IMM_RETRY || pg.flags & F.RUN_RTPG) {
          pg.flags &= ~F.RUNNING;
          if (err === ScsiDhResult.IMM_RETRY) pg.interval = 0;
          else if (!pg.interval && !(pg.flags & F.RUN_RTPG)) pg.interval = ALUA_RTPG_RETRY_DELAY;
          pg.flags |= F.RUN_RTPG;
          requeue();
          return;
        }
        if (err !== ScsiDhResult.OK) pg.flags &= ~F.RUN_STPG;
        stpgStep(err);
      });
    };
    if (!(pg.flags & F.RUN_RTPG)) {
      stpgStep(ScsiDhResult.OK);
      return;
    }
    const state = pg.state;
    pg.flags &= ~F.RUN_RTPG;
    if (state !== AccessState.TRANSITIONING) {
      rtpgStep();
      return;
    }
    aluaTur(h, (r) => {
      if (r === ScsiDhResult.RETRY) {
        pg.flags &= ~F.RUNNING;
        pg.flags |= F.RUN_RTPG;
        if (!pg.interval) pg.interval = ALUA_RTPG_RETRY_DELAY;
        requeue();
        return;
      }
      rtpgStep();
    });
  }

  /** `alua_rtpg_select_sdev`: move the group's RTPG to another of its devices. */
  function selectSdev(pg: PortGroup, env: ScsiDhEnv): boolean {
    if (!pg.rtpgSdev) return false;
    let pick: AluaDh | null = null;
    for (const dh of pg.dhList) {
      if (dh === pg.rtpgSdev) {
        dh.disabled = true;
        continue;
      }
      if (dh.pg === pg && !dh.disabled && dh.sdev.state !== "cancel" && dh.sdev.state !== "deleted") {
        pick = dh;
        break;
      }
    }
    if (!pick) {
      env.log.warn(`${pg.deviceIdLen ? pg.deviceId : "(nameless PG)"}: no device found for rtpg`);
      return false;
    }
    sdevPrintk(env.log, LogLevel.INFO, pick.sdev, "rtpg retry on different device");
    pg.rtpgSdev = pick;
    return true;
  }

  /** `alua_tur`: RETRY while the LUN reports an ALUA transition, IO on another failure. */
  function aluaTur(h: AluaDh, done: (r: number) => void): void {
    scsiTestUnitReady(h.sdev, ALUA_FAILOVER_TIMEOUT, ALUA_FAILOVER_RETRIES, (r) => {
      const s = r.sshdr;
      if (
        (s.senseKey === SenseKey.NOT_READY || s.senseKey === SenseKey.UNIT_ATTENTION) &&
        s.asc === 0x04 &&
        s.ascq === 0x0a
      )
        done(ScsiDhResult.RETRY);
      else done(r.result ? ScsiDhResult.IO : ScsiDhResult.OK);
    });
  }

  /** `alua_rtpg`: evaluate REPORT TARGET PORT GROUPS for `pg` through device `h`. */
  function aluaRtpg(h: AluaDh, pg: PortGroup, env: ScsiDhEnv, done: (err: number) => void): void {
    const { clock, log } = env;
    const sdev = h.sdev;
    const info = (t: string) => sdevPrintk(log, LogLevel.INFO, sdev, `${ALUA_DH_NAME}: ${t}`);
    const err = (t: string) => sdevPrintk(log, LogLevel.ERR, sdev, `${ALUA_DH_NAME}: ${t}`);
    const groupIdOld = pg.groupId;
    const stateOld = pg.state;
    const prefOld = pg.pref;
    const validOld = pg.validStates;
    if (!pg.expiry) {
      const tmo = (pg.transitionTmo || ALUA_FAILOVER_TIMEOUT) * NSEC_PER_SEC;
      pg.expiry = Math.ceil((clock.now() + tmo) / NSEC_PER_SEC) * NSEC_PER_SEC;
    }
    let bufflen = ALUA_RTPG_SIZE;

    const submit = (): void => {
      const ext = !(pg.flags & F.RTPG_EXT_HDR_UNSUPP);
      scsiExecute(
        sdev,
        reportTargetPortGroupsCdb(bufflen, ext),
        "from-device",
        null,
        bufflen,
        ALUA_FAILOVER_TIMEOUT,
        ALUA_FAILOVER_RETRIES,
        (r) => {
          if (r.result) {
            if ((pg.validStates & ~TpgsSupport.OPTIMIZED) === 0) {
              info(`ignoring rtpg result ${r.result}`);
              done(ScsiDhResult.OK);
              return;
            }
            const s = r.sshdr;
            if (!scsiSenseValid(s)) {
              info(`rtpg failed, result ${r.result}`);
              done(
                hostByte(r.result) === HostStatus.DID_NO_CONNECT
                  ? ScsiDhResult.RES_TEMP_UNAVAIL
                  : ScsiDhResult.IO,
              );
              return;
            }
            if (!(pg.flags & F.RTPG_EXT_HDR_UNSUPP) && s.senseKey === SenseKey.ILLEGAL_REQUEST) {
              pg.flags |= F.RTPG_EXT_HDR_UNSUPP;
              submit();
              return;
            }
            if (s.senseKey === SenseKey.NOT_READY && s.asc === 0x04 && s.ascq === 0x0a) {
              evaluate(true);
              return;
            }
            if (s.senseKey === SenseKey.UNIT_ATTENTION && pg.expiry !== 0 && clock.now() < pg.expiry) {
              err("rtpg retry");
              scsiPrintSenseHdr(log, sdev, ALUA_DH_NAME, s);
              done(ScsiDhResult.RETRY);
              return;
            }
            err("rtpg failed");
            scsiPrintSenseHdr(log, sdev, ALUA_DH_NAME, s);
            pg.expiry = 0;
            done(ScsiDhResult.IO);
            return;
          }
          const buff = new Uint8Array(bufflen);
          if (r.data) buff.set(r.data.subarray(0, bufflen));
          const len = getBe32(buff, 0) + 4;
          if (len > bufflen) {
            bufflen = len;
            submit();
            return;
          }
          const origTmo = pg.transitionTmo;
          const extHdr = ((buff[4] ?? 0) & RTPG_FMT_MASK) === RTPG_FMT_EXT_HDR;
          pg.transitionTmo = extHdr && (buff[5] ?? 0) !== 0 ? (buff[5] ?? 0) : ALUA_FAILOVER_TIMEOUT;
          if (origTmo !== pg.transitionTmo) {
            info(`transition timeout set to ${pg.transitionTmo} seconds`);
            pg.expiry = clock.now() + pg.transitionTmo * NSEC_PER_SEC;
          }
          for (let k = extHdr ? 8 : 4; k < len; ) {
            const b0 = buff[k] ?? 0;
            const groupId = getBe16(buff, k + 2);
            const tmp = findGetPg(pg.deviceId, pg.deviceIdLen, groupId);
            if (tmp) {
              if (tmp === pg || !(tmp.flags & F.RUNNING)) {
                tmp.state = b0 & 0x0f;
                tmp.pref = b0 >> 7;
                for (const dh of tmp.dhList) dh.sdev.accessState = b0;
              }
              if (tmp === pg) tmp.validStates = buff[k + 1] ?? 0;
              putPg(tmp);
            }
            k += 8 + (buff[k + 7] ?? 0) * 4;
          }
          evaluate(false);
        },
      );
    };

    const evaluate = (transitioningSense: boolean): void => {
      if (transitioningSense) pg.state = AccessState.TRANSITIONING;
      if (
        groupIdOld !== pg.groupId ||
        stateOld !== pg.state ||
        prefOld !== pg.pref ||
        validOld !== pg.validStates
      ) {
        info(
          `port group ${pg.groupId.toString(16).padStart(2, "0")} state ${aluaStateChar(pg.state)} ${
            pg.pref ? "preferred" : "non-preferred"
          } supports ${aluaSupportedString(pg.validStates)}`,
        );
      }
      switch (pg.state) {
        case AccessState.TRANSITIONING:
          if (clock.now() < pg.expiry) {
            pg.interval = ALUA_RTPG_RETRY_DELAY;
            done(ScsiDhResult.RETRY);
          } else {
            pg.state = AccessState.STANDBY;
            pg.expiry = 0;
            for (const dh of pg.dhList) {
              dh.sdev.accessState = (pg.state & AccessState.MASK) | (pg.pref ? AccessState.PREFERRED : 0);
            }
            done(ScsiDhResult.IO);
          }
          return;
        case AccessState.OFFLINE:
          pg.expiry = 0;
          done(ScsiDhResult.DEV_OFFLINED);
          return;
        default:
          pg.expiry = 0;
          done(ScsiDhResult.OK);
      }
    };

    submit();
  }

  /** `alua_stpg`: ask for active/optimized on this group when the state calls for it. */
  function aluaStpg(h: AluaDh, pg: PortGroup, env: ScsiDhEnv, done: (err: number) => void): void {
    const sdev = h.sdev;
    const info = (t: string) => sdevPrintk(env.log, LogLevel.INFO, sdev, `${ALUA_DH_NAME}: ${t}`);
    if (!(pg.tpgs & TpgsMode.EXPLICIT)) {
      done(ScsiDhResult.RETRY);
      return;
    }
    switch (pg.state) {
      case AccessState.OPTIMAL:
        done(ScsiDhResult.OK);
        return;
      case AccessState.ACTIVE:
        if (pg.flags & F.OPTIMIZE_STPG && !pg.pref && pg.tpgs & TpgsMode.IMPLICIT) {
          done(ScsiDhResult.OK);
          return;
        }
        break;
      case AccessState.STANDBY:
      case AccessState.UNAVAILABLE:
      case AccessState.TRANSITIONING:
        break;
      case AccessState.OFFLINE:
        done(ScsiDhResult.IO);
        return;
      default:
        info(`stpg failed, unhandled TPGS state ${pg.state}`);
        done(ScsiDhResult.NOSYS);
        return;
    }
    const data = stpgParameterList([{ state: AccessState.OPTIMAL, groupId: pg.groupId }]);
    scsiExecute(
      sdev,
      setTargetPortGroupsCdb(data.length),
      "to-device",
      data,
      0,
      ALUA_FAILOVER_TIMEOUT,
      ALUA_FAILOVER_RETRIES,
      (r) => {
        if (r.result) {
          if (!scsiSenseValid(r.sshdr)) {
            info(`stpg failed, result ${r.result}`);
          } else {
            info("stpg failed");
            scsiPrintSenseHdr(env.log, sdev, ALUA_DH_NAME, r.sshdr);
          }
        }
        done(ScsiDhResult.RETRY);
      },
    );
  }

  return type();
}
