import type { Bio } from "../block/bio.js";
import { BlkStatus } from "../block/status.js";
import { LogLevel } from "../kernel/log.js";
import { ScsiOp } from "../scsi/cdb.js";
import { AccessState, type ScsiDevice, type SenseData, SenseKey } from "../scsi/scsi-device.js";
import { type ExecResult, HZ, scsiExecute, scsiGetVpdPage } from "../scsi/scsi-lib.js";
import { sdevPrintk } from "../scsi/scsi-logging.js";
import { type ScsiSenseHdr, scsiSenseValid } from "../scsi/sense.js";
import { AttachProbe } from "./attach-probe.js";
import {
  type ScsiDeviceHandlerType,
  type ScsiDhEnv,
  type ScsiDhInstance,
  ScsiDhResult,
  ScsiDisposition,
} from "./handler.js";

/**
 * scsi_dh_rdac: LSI/Engenio/NetApp E-Series (RDAC) arrays. Ownership comes from vendor VPD 0xC9;
 * failover is a MODE SELECT of the redundant-controller page 0x2C, batched per controller and
 * sent from one single-threaded work queue (`kmpath_rdacd`) per kernel.
 */

const RDAC_NAME = "rdac";
const RDAC_RETRY_COUNT = 5;
const RDAC_QUIESCENCE_TIME = 20;
const RDAC_PAGE_CODE_REDUNDANT_CONTROLLER = 0x2c;
const RDAC_MODE_TRANSFER_SPECIFIED_LUNS = 0x02;
const RDAC_FORCED_QUIESENCE = 0x02;
/** `RDAC_TIMEOUT` is `60 * HZ` and is multiplied by HZ again: 15000 s at HZ=250. */
const RDAC_TIMEOUT_SECS = 60 * HZ;
const RDAC_RETRIES = 3;
const MODE6_MAX_LUN = 32;
const UNINITIALIZED_LUN = 1 << 8;

const MODE_RDAC = 0;
const MODE_AVT = 1;
const MODE_IOSHIP = 2;
const MODE_NAMES = ["RDAC", "AVT", "IOSHIP"];
const STATE_ACTIVE = 0;
const STATE_PASSIVE = 1;
const LUN_UNOWNED = 0;
const LUN_OWNED = 1;
const LUN_STATE_NAMES = ["unowned", "owned"];
const PREFERRED = 0;
const NON_PREFERRED = 1;

/** Sizes of the vendor pages as the kernel's structs read them. */
const C8_SIZE = 175;
const C4_SIZE = 32;
const C9_SIZE = 48;
const C2_SIZE = 255;
const PG_EXPANDED_SIZE = 308;
const PG_LEGACY_SIZE = 110;

const LOG_FAILOVER = 0;
const LOG_SENSE = 2;

/** Module parameters of scsi_dh_rdac. */
export interface RdacModuleParams {
  /** `rdac_logging` bit mask (default 1: failover logging on, sense logging off). */
  rdacLogging: number;
}

/** The RDAC handler type with its controller list and work queue (per kernel). */
export interface RdacHandlerType extends ScsiDeviceHandlerType {
  readonly params: RdacModuleParams;
  /** Controllers known, most recent first: `array name/index/host` and their devices. */
  controllers(): Array<{ arrayName: string; index: number; host: number; devices: string[] }>;
}

type Done = (result: ScsiDhResult) => void;

interface Controller {
  readonly arrayId: Uint8Array;
  readonly index: number;
  readonly host: number;
  readonly arrayName: string;
  refs: number;
  useMs10: number;
  msQueued: boolean;
  msSdev: RdacDh | null;
  msHead: Array<{ h: RdacDh; done: Done }>;
  dhList: RdacDh[];
}

interface RdacDh {
  ctlr: Controller | null;
  readonly sdev: ScsiDevice;
  readonly env: ScsiDhEnv;
  lun: number;
  mode: number;
  state: number;
  lunState: number;
  preferred: number;
}

/** Creates the `rdac` handler type. */
export function createRdacHandlerType(params: Partial<RdacModuleParams> = {}): RdacHandlerType {
  const moduleParams: RdacModuleParams = { rdacLogging: params.rdacLogging ?? 1 };
  /** `ctlr_list`, newest first. */
  const ctlrs: Controller[] = [];
  /** `kmpath_rdacd`: controllers whose MODE SELECT work is queued, and whether one runs. */
  const wq: Controller[] = [];
  let wqRunning = false;

  const rdacLog = (shift: number, h: RdacDh, text: string): void => {
    if (((moduleParams.rdacLogging >> shift) & 0x3) !== 0)
      sdevPrintk(h.env.log, LogLevel.INFO, h.sdev, `${RDAC_NAME}: ${text}`);
  };

  function getController(index: number, arrayName: string, arrayId: Uint8Array, host: number): Controller {
    for (const c of ctlrs) {
      if (c.index === index && c.host === host && c.arrayId.every((b, i) => b === arrayId[i])) {
        c.refs++;
        return c;
      }
    }
    const c: Controller = {
      arrayId,
      index,
      host,
      arrayName,
      refs: 1,
      useMs10: -1,
      msQueued: false,
      msSdev: null,
      msHead: [],
      dhList: [],
    };
    ctlrs.unshift(c);
    return c;
  }

  function putController(c: Controller): void {
    if (--c.refs > 0) return;
    const i = ctlrs.indexOf(c);
    if (i >= 0) ctlrs.splice(i, 1);
  }

  function queueWork(c: Controller): void {
    if (wq.includes(c)) return;
    wq.push(c);
    if (!wqRunning) runQueue();
  }

  function runQueue(): void {
    const c = wq.shift();
    if (!c) {
      wqRunning = false;
      return;
    }
    wqRunning = true;
    sendModeSelect(c, () => {
      // the next work item runs on its own clock turn, as a kworker would pick it up
      const next = wq[0];
      if (next?.msSdev) next.msSdev.env.clock.schedule(0, runQueue, undefined);
      else runQueue();
    });
  }

  /** `rdac_failover_get`: the MODE SELECT parameter data and CDB for the queued LUNs. */
  function failoverGet(
    c: Controller,
    list: ReadonlyArray<{ h: RdacDh }>,
  ): { cdb: Uint8Array; data: Uint8Array } {
    let data: Uint8Array;
    let common: number;
    let lunTable: number;
    if (c.useMs10) {
      data = new Uint8Array(PG_EXPANDED_SIZE);
      data[8] = RDAC_PAGE_CODE_REDUNDANT_CONTROLLER + 0x40;
      data[9] = 0x01;
      data[10] = 0x01;
      data[11] = 0x28;
      common = 12;
      lunTable = 50;
    } else {
      data = new Uint8Array(PG_LEGACY_SIZE);
      data[4] = RDAC_PAGE_CODE_REDUNDANT_CONTROLLER;
      data[5] = 0x68;
      common = 6;
      lunTable = 44;
    }
    data[common + 33] = RDAC_MODE_TRANSFER_SPECIFIED_LUNS;
    data[common + 36] = RDAC_QUIESCENCE_TIME;
    data[common + 37] = RDAC_FORCED_QUIESENCE;
    for (const q of list) if (lunTable + q.h.lun < data.length) data[lunTable + q.h.lun] = 0x81;
    let cdb: Uint8Array;
    if (c.useMs10) {
      cdb = new Uint8Array(10);
      cdb[0] = ScsiOp.MODE_SELECT_10;
      cdb[7] = data.length >> 8;
      cdb[8] = data.length & 0xff;
    } else {
      cdb = new Uint8Array(6);
      cdb[0] = ScsiOp.MODE_SELECT;
      cdb[4] = data.length;
    }
    return { cdb, data };
  }

  function modeSelectHandleSense(h: RdacDh, s: ScsiSenseHdr): number {
    if (!scsiSenseValid(s)) return ScsiDhResult.IO;
    let err: number = ScsiDhResult.IO;
    switch (s.senseKey) {
      case SenseKey.NO_SENSE:
      case SenseKey.ABORTED_COMMAND:
      case SenseKey.UNIT_ATTENTION:
        err = ScsiDhResult.RETRY;
        break;
      case SenseKey.NOT_READY:
        if (s.asc === 0x04 && s.ascq === 0x01) err = ScsiDhResult.RETRY;
        break;
      case SenseKey.ILLEGAL_REQUEST:
        if (s.asc === 0x91 && s.ascq === 0x36) err = ScsiDhResult.IMM_RETRY;
        break;
      default:
        break;
    }
    const c = h.ctlr!;
    rdacLog(
      LOG_FAILOVER,
      h,
      `array ${c.arrayName}, ctlr ${c.index}, MODE_SELECT returned with sense ${hex2(s.senseKey)}/${hex2(s.asc)}/${hex2(s.ascq)}`,
    );
    return err;
  }

  /** `send_mode_select`: the controller's work item. */
  function sendModeSelect(c: Controller, end: () => void): void {
    const list = c.msHead.splice(0);
    const h = c.msSdev;
    c.msQueued = false;
    c.msSdev = null;
    if (!h) {
      end();
      return;
    }
    let err: number = ScsiDhResult.OK;
    let retryCnt = RDAC_RETRY_COUNT;
    const attempt = (): void => {
      const { cdb, data } = failoverGet(c, list);
      rdacLog(
        LOG_FAILOVER,
        h,
        `array ${c.arrayName}, ctlr ${c.index}, ${retryCnt === RDAC_RETRY_COUNT ? "queueing" : "retrying"} MODE_SELECT command`,
      );
      scsiExecute(h.sdev, cdb, "to-device", data, 0, RDAC_TIMEOUT_SECS, RDAC_RETRIES, (r: ExecResult) => {
        if (r.result) {
          err = modeSelectHandleSense(h, r.sshdr);
          if (err === ScsiDhResult.RETRY && retryCnt-- > 0) {
            attempt();
            return;
          }
          if (err === ScsiDhResult.IMM_RETRY) {
            attempt();
            return;
          }
        }
        // A success after a retry keeps the error of the failed attempt, as the kernel's does.
        if (err === ScsiDhResult.OK) {
          h.state = STATE_ACTIVE;
          rdacLog(LOG_FAILOVER, h, `array ${c.arrayName}, ctlr ${c.index}, MODE_SELECT completed`);
        }
        for (const q of list) {
          if (err === ScsiDhResult.OK) q.h.state = STATE_ACTIVE;
          q.done(err as ScsiDhResult);
        }
        end();
      });
    };
    attempt();
  }

  return {
    name: RDAC_NAME,
    params: moduleParams,
    controllers: () =>
      ctlrs.map((c) => ({
        arrayName: c.arrayName,
        index: c.index,
        host: c.host,
        devices: c.dhList.map((h) => `${h.sdev.host}:${h.sdev.channel}:${h.sdev.target}:${h.sdev.lun}`),
      })),
    attach(sdev: ScsiDevice, env: ScsiDhEnv): ScsiDhInstance | number {
      const h: RdacDh = {
        ctlr: null,
        sdev,
        env,
        lun: UNINITIALIZED_LUN,
        mode: MODE_RDAC,
        state: STATE_ACTIVE,
        lunState: LUN_UNOWNED,
        preferred: PREFERRED,
      };
      const probe = new AttachProbe();

      function checkOwnership(done: (err: number) => void): void {
        h.state = STATE_ACTIVE;
        scsiGetVpdPage(sdev, 0xc9, C9_SIZE, (rc, inq) => {
          if (rc !== 0) {
            done(ScsiDhResult.IO);
            return;
          }
          const avte = inq[8] ?? 0;
          if ((avte >> 5) & 0x1) h.mode = MODE_IOSHIP;
          else if (avte >> 7) h.mode = MODE_AVT;
          else h.mode = MODE_RDAC;
          let access: number;
          if (avte & 0x1) {
            h.lunState = LUN_OWNED;
            access = AccessState.OPTIMAL;
          } else {
            h.lunState = LUN_UNOWNED;
            if (h.mode === MODE_RDAC) {
              h.state = STATE_PASSIVE;
              access = AccessState.STANDBY;
            } else access = AccessState.ACTIVE;
          }
          if ((inq[9] ?? 0) & 0x1) {
            h.preferred = PREFERRED;
            access |= AccessState.PREFERRED;
          } else h.preferred = NON_PREFERRED;
          // The kernel sets every device on the controller, other LUNs included.
          for (const t of h.ctlr?.dhList ?? []) t.sdev.accessState = access;
          done(ScsiDhResult.OK);
        });
      }

      const inst: ScsiDhInstance = {
        name: RDAC_NAME,
        activate(done: Done): void {
          probe.whenDone(() => {
            if (probe.failed) {
              env.clock.schedule(0, done, AttachProbe.FAILED_RESULT);
              return;
            }
            checkOwnership((err) => {
              if (err !== ScsiDhResult.OK) {
                done(err as ScsiDhResult);
                return;
              }
              const act =
                (h.mode === MODE_RDAC && h.lunState === LUN_UNOWNED) ||
                (h.mode === MODE_IOSHIP && h.lunState === LUN_UNOWNED && h.preferred === PREFERRED);
              if (!act || !h.ctlr) {
                done(ScsiDhResult.OK);
                return;
              }
              const c = h.ctlr;
              c.msHead.push({ h, done });
              if (!c.msQueued) {
                c.msQueued = true;
                c.msSdev = h;
                queueWork(c);
              }
            });
          });
        },
        prepFn(_bio: Bio): BlkStatus {
          return h.state !== STATE_ACTIVE ? BlkStatus.IOERR : BlkStatus.OK;
        },
        checkSense(sense: SenseData): ScsiDisposition {
          if (h.ctlr) {
            const c = h.ctlr;
            rdacLog(
              LOG_SENSE,
              h,
              `array ${c.arrayName}, ctlr ${c.index}, I/O returned with sense ${hex2(sense.key)}/${hex2(sense.asc)}/${hex2(sense.ascq)}`,
            );
          }
          const code = (sense.asc << 8) | sense.ascq;
          switch (sense.key) {
            case SenseKey.NOT_READY:
              if (code === 0x0401 || code === 0x04a1 || code === 0xa102)
                return ScsiDisposition.ADD_TO_MLQUEUE;
              if (code === 0x0481) return ScsiDisposition.SUCCESS;
              break;
            case SenseKey.ILLEGAL_REQUEST:
              if (code === 0x9401) {
                h.state = STATE_PASSIVE;
                return ScsiDisposition.SUCCESS;
              }
              break;
            case SenseKey.UNIT_ATTENTION:
              if (code === 0x2900 || code === 0x8b02) return ScsiDisposition.ADD_TO_MLQUEUE;
              break;
            default:
              break;
          }
          return ScsiDisposition.SCSI_RETURN_NOT_HANDLED;
        },
        setParams(): number {
          // scsi_dh_rdac has no set_params: scsi_dh_set_params answers -SCSI_DH_NOSYS.
          return -ScsiDhResult.NOSYS;
        },
        rescan(): void {},
        detach(): void {
          const c = h.ctlr;
          if (!c) return;
          const i = c.dhList.indexOf(h);
          if (i >= 0) c.dhList.splice(i, 1);
          h.ctlr = null;
          putController(c);
        },
      };

      const fail = (code: number): void => probe.fail(sdev, env, RDAC_NAME, code, inst);
      const cleanCtlr = (code: number): void => {
        inst.detach();
        fail(code);
      };

      // rdac_bus_attach: get_lun_info (C8), initialize_controller (C4), check_ownership (C9),
      // set_mode_select (C2).
      scsiGetVpdPage(sdev, 0xc8, C8_SIZE, (rc8, c8) => {
        if (rc8 !== 0) {
          fail(ScsiDhResult.IO);
          return;
        }
        if (c8[1] !== 0xc8 || c8[4] !== 0x65 || c8[5] !== 0x64 || c8[6] !== 0x69 || c8[7] !== 0x64) {
          fail(ScsiDhResult.NOSYS);
          return;
        }
        h.lun = c8[167 + 7] ?? 0;
        let arrayName = "";
        for (let i = 0; i < 30; i++) {
          const ch = c8[107 + 2 * i + 1] ?? 0;
          if (ch === 0) break;
          arrayName += String.fromCharCode(ch);
        }
        const arrayId = new Uint8Array(16);
        arrayId.set(c8.subarray(90, 90 + Math.min(16, c8[89] ?? 0)));
        scsiGetVpdPage(sdev, 0xc4, C4_SIZE, (rc4, c4) => {
          if (rc4 !== 0) {
            fail(ScsiDhResult.IO);
            return;
          }
          const index = c4[29] === 0x31 ? 0 : 1;
          const c = getController(index, arrayName, arrayId, sdev.host);
          h.ctlr = c;
          c.dhList.unshift(h);
          checkOwnership((err) => {
            if (err !== ScsiDhResult.OK) {
              cleanCtlr(err);
              return;
            }
            scsiGetVpdPage(sdev, 0xc2, C2_SIZE, (rc2, c2) => {
              if (rc2 !== 0) {
                cleanCtlr(ScsiDhResult.IO);
                return;
              }
              c.useMs10 = (c2[15] ?? 0) >= MODE6_MAX_LUN ? 1 : 0;
              sdevPrintk(
                env.log,
                LogLevel.NOTICE,
                sdev,
                `${RDAC_NAME}: LUN ${h.lun} (${MODE_NAMES[h.mode]}) (${LUN_STATE_NAMES[h.lunState]})`,
              );
              probe.succeed();
            });
          });
        });
      });
      return inst;
    },
  };
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, "0");
}
