import type { Bio } from "../block/bio.js";
import { BlkStatus, Errno } from "../block/status.js";
import { LogLevel } from "../kernel/log.js";
import { ScsiOp } from "../scsi/cdb.js";
import { AccessState, type ScsiDevice, type SenseData, SenseKey } from "../scsi/scsi-device.js";
import { HZ, scsiExecute, scsiGetVpdPage } from "../scsi/scsi-lib.js";
import { sdevPrintk } from "../scsi/scsi-logging.js";
import { scsiSenseValid } from "../scsi/sense.js";
import { AttachProbe } from "./attach-probe.js";
import {
  type ScsiDeviceHandlerType,
  type ScsiDhEnv,
  type ScsiDhInstance,
  ScsiDhResult,
  ScsiDisposition,
} from "./handler.js";
import { kernelScanU } from "./params.js";

/**
 * scsi_dh_emc: EMC CLARiiON AX/CX/FC arrays in PNR (failover mode 4) or ALUA (6) mode.
 * Ownership comes from INQUIRY VPD 0xC0; a path is made active with a "trespass" MODE SELECT
 * of vendor page 0x22.
 */

const CLARIION_NAME = "emc";
const CLARIION_TRESPASS_PAGE = 0x22;
const CLARIION_BUFFER_SIZE = 0xfc;
/** `CLARIION_TIMEOUT` is `60 * HZ` and the handler multiplies it by HZ again: 15000 s at HZ=250. */
const CLARIION_TIMEOUT_SECS = 60 * HZ;
const CLARIION_RETRIES = 3;

const SHORT_TRESPASS = 1;
const HONOR_RESERVATIONS = 2;

const LUN_UNINITIALIZED = -1;
const LUN_OWNED = 2;
const LUN_STATE_NAMES = ["not bound", "bound", "owned"];

/** The EMC handler type: its trespass pages are per kernel (the kernel's are static and sticky). */
export interface EmcHandlerType extends ScsiDeviceHandlerType {}

/** Creates the `emc` handler type. */
export function createEmcHandlerType(): EmcHandlerType {
  // The kernel ORs the honor-reservations bit into these static arrays and never clears it.
  const longTrespass = Uint8Array.from([
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    CLARIION_TRESPASS_PAGE,
    0x09,
    0x01,
    0xff,
    0xff,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
  const shortTrespass = Uint8Array.from([0, 0, 0, 0, CLARIION_TRESPASS_PAGE, 0x02, 0x01, 0xff]);

  return {
    name: CLARIION_NAME,
    attach(sdev: ScsiDevice, env: ScsiDhEnv): ScsiDhInstance | number {
      const { log } = env;
      const say = (level: LogLevel, text: string) =>
        sdevPrintk(log, level, sdev, `${CLARIION_NAME}: ${text}`);
      const csdev = { flags: 0, lunState: LUN_UNINITIALIZED, port: 0, defaultSp: -1, currentSp: -1 };

      // clariion_std_inquiry on the INQUIRY data the SCSI core cached
      const spModel = parseSpModel(sdev.inquiry, say);
      if (spModel === null) return -Errno.ENODEV;
      if (spModel.length === 0 || spModel.startsWith("FC")) csdev.flags |= SHORT_TRESPASS;
      say(LogLevel.INFO, `detected Clariion ${spModel}, flags ${csdev.flags.toString(16)}`);

      function parseSpInfoReply(buf: Uint8Array): number {
        if ((buf[48] ?? 0) !== 0) {
          say(
            LogLevel.NOTICE,
            "Detected in-progress ucode upgrade NDU operation while finding current active SP.",
          );
          return ScsiDhResult.DEV_TEMP_BUSY;
        }
        if ((buf[4] ?? 0) > 2) {
          say(LogLevel.NOTICE, "invalid VPD page 0xC0 format");
          return ScsiDhResult.NOSYS;
        }
        switch ((buf[28] ?? 0) & 0x0f) {
          case 6:
            say(LogLevel.NOTICE, "ALUA failover mode detected");
            break;
          case 4:
            break;
          default:
            say(LogLevel.WARNING, `Invalid failover mode ${(buf[28] ?? 0) & 0x0f}`);
            return ScsiDhResult.NOSYS;
        }
        csdev.defaultSp = buf[5] ?? 0;
        csdev.lunState = buf[4] ?? 0;
        csdev.currentSp = buf[8] ?? 0;
        csdev.port = buf[7] ?? 0;
        let access: number = csdev.lunState === LUN_OWNED ? AccessState.OPTIMAL : AccessState.STANDBY;
        if (csdev.defaultSp === csdev.currentSp) access |= AccessState.PREFERRED;
        sdev.accessState = access;
        return ScsiDhResult.OK;
      }

      function sendInquiry(done: (err: number) => void): void {
        scsiGetVpdPage(sdev, 0xc0, CLARIION_BUFFER_SIZE, (rc, buf) => {
          done(rc === 0 ? parseSpInfoReply(buf) : ScsiDhResult.IO);
        });
      }

      function sendTrespass(done: (err: number) => void): void {
        let page: Uint8Array;
        const cdb = new Uint8Array(csdev.flags & SHORT_TRESPASS ? 6 : 10);
        if (csdev.flags & SHORT_TRESPASS) {
          page = shortTrespass;
          if (!(csdev.flags & HONOR_RESERVATIONS)) page[6] = (page[6] ?? 0) | 0x80;
          cdb[0] = ScsiOp.MODE_SELECT;
          cdb[1] = 0x10;
          cdb[4] = page.length;
        } else {
          page = longTrespass;
          if (!(csdev.flags & HONOR_RESERVATIONS)) page[10] = (page[10] ?? 0) | 0x80;
          cdb[0] = ScsiOp.MODE_SELECT_10;
          cdb[8] = page.length;
        }
        scsiExecute(sdev, cdb, "to-device", page.slice(), 0, CLARIION_TIMEOUT_SECS, CLARIION_RETRIES, (r) => {
          if (!r.result) {
            done(ScsiDhResult.OK);
            return;
          }
          const s = r.sshdr;
          if (!scsiSenseValid(s)) {
            say(LogLevel.INFO, `failed to send MODE SELECT: ${r.result.toString(16)}`);
            done(ScsiDhResult.IO);
            return;
          }
          const w = (v: number) => v.toString(16).padStart(2, " ");
          say(
            LogLevel.ERR,
            `Found valid sense data 0x${w(s.senseKey)}, 0x${w(s.asc)}, 0x${w(s.ascq)} while sending CLARiiON trespass command.`,
          );
          if (s.senseKey === 0x05 && s.asc === 0x04 && s.ascq === 0x00) {
            say(LogLevel.INFO, "Array Based Copy in progress while sending CLARiiON trespass command.");
            done(ScsiDhResult.DEV_TEMP_BUSY);
          } else if (s.senseKey === 0x02 && s.asc === 0x04 && s.ascq === 0x03) {
            say(
              LogLevel.INFO,
              "Detected in-progress ucode upgrade NDU operation while sending CLARiiON trespass command.",
            );
            done(ScsiDhResult.DEV_TEMP_BUSY);
          } else {
            done(ScsiDhResult.DEV_FAILED);
          }
        });
      }

      const spChar = (sp: number) => String.fromCharCode((sp + 65) & 0xff);
      const lunStateName = () => LUN_STATE_NAMES[csdev.lunState] ?? "(null)";
      const probe = new AttachProbe();

      const inst: ScsiDhInstance = {
        name: CLARIION_NAME,
        activate(done) {
          probe.whenDone(() => {
            if (probe.failed) {
              env.clock.schedule(0, done, AttachProbe.FAILED_RESULT);
              return;
            }
            const finish = (result: number): void => {
              say(
                LogLevel.INFO,
                `at SP ${spChar(csdev.currentSp)} Port ${csdev.port} (${lunStateName()}, default SP ${spChar(csdev.defaultSp)})`,
              );
              done(result as ScsiDhResult);
            };
            sendInquiry((err) => {
              if (err !== ScsiDhResult.OK || csdev.lunState === LUN_OWNED) {
                finish(err);
                return;
              }
              sendTrespass((e) => {
                if (e !== ScsiDhResult.OK) {
                  finish(e);
                  return;
                }
                say(
                  LogLevel.INFO,
                  `${csdev.flags & SHORT_TRESPASS ? "short" : "long"} trespass command sent`,
                );
                sendInquiry(finish);
              });
            });
          });
        },
        prepFn(_bio: Bio): BlkStatus {
          return csdev.lunState !== LUN_OWNED ? BlkStatus.IOERR : BlkStatus.OK;
        },
        checkSense(sense: SenseData): ScsiDisposition {
          switch (sense.key) {
            case SenseKey.NOT_READY:
              if (sense.asc === 0x04 && sense.ascq === 0x03) return ScsiDisposition.SUCCESS;
              break;
            case SenseKey.ILLEGAL_REQUEST:
              if (sense.asc === 0x25 && sense.ascq === 0x01) return ScsiDisposition.SUCCESS;
              break;
            case SenseKey.UNIT_ATTENTION:
              if (sense.asc === 0x29 && sense.ascq === 0x00) return ScsiDisposition.ADD_TO_MLQUEUE;
              break;
            default:
              break;
          }
          return ScsiDisposition.SCSI_RETURN_NOT_HANDLED;
        },
        setParams(args: readonly string[]): number {
          if (args.length !== 2) return -Errno.EINVAL;
          const st = kernelScanU(args[0] ?? "");
          if (st === null || st > 1) return -Errno.EINVAL;
          const hr = kernelScanU(args[1] ?? "");
          if (hr === null || hr > 1) return -Errno.EINVAL;
          if (st) csdev.flags |= SHORT_TRESPASS;
          else csdev.flags &= ~SHORT_TRESPASS;
          if (hr) csdev.flags |= HONOR_RESERVATIONS;
          else csdev.flags &= ~HONOR_RESERVATIONS;
          if (csdev.lunState !== LUN_OWNED) return ScsiDhResult.OK;
          // An owned path gets a trespass with the new parameters. The kernel does this inside
          // set_params and returns its (non-negative) SCSI_DH code, which dm-mpath treats as
          // success whatever it is; here it runs on the clock.
          csdev.lunState = LUN_UNINITIALIZED;
          sendTrespass((e) => {
            if (e === ScsiDhResult.OK) sendInquiry(() => {});
          });
          return ScsiDhResult.OK;
        },
        rescan(): void {},
        detach(): void {},
      };

      sendInquiry((err) => {
        if (err !== ScsiDhResult.OK) {
          probe.fail(sdev, env, CLARIION_NAME, err, inst);
          return;
        }
        say(
          LogLevel.INFO,
          `connected to SP ${spChar(csdev.currentSp)} Port ${csdev.port} (${lunStateName()}, default SP ${spChar(csdev.defaultSp)})`,
        );
        probe.succeed();
      });
      return inst;
    },
  };
}

/** `parse_sp_model` on standard INQUIRY data: the SP model, "FC (Legacy)", or null. */
function parseSpModel(inq: Uint8Array, say: (level: LogLevel, text: string) => void): string | null {
  const len = ((inq[4] ?? 0) + 5) & 0xff;
  if (len < 160) {
    say(LogLevel.WARNING, `Invalid information section length ${len}`);
    if (inq[8] === 0x44 && inq[9] === 0x47 && inq[10] === 0x43) return "FC (Legacy)";
    return null;
  }
  const serialLen = inq[160] ?? 0;
  if (serialLen === 0 || serialLen + 161 > len) {
    say(LogLevel.WARNING, `Invalid array serial number length ${serialLen}`);
    return null;
  }
  let spLen = inq[99] ?? 0;
  if (spLen === 0 || serialLen + spLen + 161 > len) {
    say(LogLevel.WARNING, `Invalid model number length ${spLen}`);
    return null;
  }
  const start = serialLen + 161;
  while (spLen > 1 && inq[start + spLen - 1] === 0x20) spLen--;
  let s = "";
  for (let i = 0; i < spLen; i++) {
    const c = inq[start + i] ?? 0;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}
