import type { Bio } from "../block/bio.js";
import { BlkStatus } from "../block/status.js";
import { LogLevel } from "../kernel/log.js";
import { startStopUnitCdb, testUnitReadyCdb } from "../scsi/cdb.js";
import type { ScsiDevice } from "../scsi/scsi-device.js";
import { SenseKey } from "../scsi/scsi-device.js";
import { scsiExecute } from "../scsi/scsi-lib.js";
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

/**
 * scsi_dh_hp_sw: HP/COMPAQ active/passive arrays (MSA1000, HSV1x0). The passive path answers
 * TEST UNIT READY with NOT READY 04/02; START STOP UNIT makes it the active one.
 */

const HP_SW_NAME = "hp_sw";
const HP_SW_TIMEOUT_SECS = 60;
const HP_SW_RETRIES = 3;
const PATH_UNINITIALIZED = -1;
const PATH_ACTIVE = 0;
const PATH_PASSIVE = 1;

/** The hp_sw handler type (it keeps no state across devices). */
export interface HpSwHandlerType extends ScsiDeviceHandlerType {}

/** Creates the `hp_sw` handler type. */
export function createHpSwHandlerType(): HpSwHandlerType {
  return {
    name: HP_SW_NAME,
    attach(sdev: ScsiDevice, env: ScsiDhEnv): ScsiDhInstance | number {
      const warn = (text: string) => sdevPrintk(env.log, LogLevel.WARNING, sdev, `${HP_SW_NAME}: ${text}`);
      const h = { pathState: PATH_UNINITIALIZED };
      const probe = new AttachProbe();
      const x = (v: number) => v.toString(16);

      /** `hp_sw_tur`: retried at once on UNIT ATTENTION; 04/02 marks the path passive. */
      function tur(done: (err: number) => void): void {
        scsiExecute(sdev, testUnitReadyCdb(), "none", null, 0, HP_SW_TIMEOUT_SECS, HP_SW_RETRIES, (r) => {
          if (!r.result) {
            h.pathState = PATH_ACTIVE;
            done(ScsiDhResult.OK);
            return;
          }
          const s = r.sshdr;
          if (!scsiSenseValid(s)) {
            warn(`sending tur failed with ${x(r.result)}`);
            done(ScsiDhResult.IO);
            return;
          }
          if (s.senseKey === SenseKey.UNIT_ATTENTION) {
            tur(done);
            return;
          }
          if (s.senseKey === SenseKey.NOT_READY && s.asc === 0x04 && s.ascq === 0x02) {
            h.pathState = PATH_PASSIVE;
            done(ScsiDhResult.OK);
            return;
          }
          warn(`sending tur failed, sense ${x(s.senseKey)}/${x(s.asc)}/${x(s.ascq)}`);
          done(ScsiDhResult.IO);
        });
      }

      /** `hp_sw_start_stop`: retried while a switch-over is in progress (04/03), then RETRY. */
      function startStop(done: (err: number) => void): void {
        let retryCnt = HP_SW_RETRIES;
        const attempt = (): void => {
          scsiExecute(
            sdev,
            startStopUnitCdb(true),
            "none",
            null,
            0,
            HP_SW_TIMEOUT_SECS,
            HP_SW_RETRIES,
            (r) => {
              if (!r.result) {
                done(ScsiDhResult.OK);
                return;
              }
              const s = r.sshdr;
              if (!scsiSenseValid(s)) {
                warn("sending start_stop_unit failed, no sense available");
                done(ScsiDhResult.IO);
                return;
              }
              if (s.senseKey === SenseKey.NOT_READY && s.asc === 0x04 && s.ascq === 0x03) {
                if (--retryCnt > 0) {
                  attempt();
                  return;
                }
                done(ScsiDhResult.RETRY);
                return;
              }
              warn(`sending start_stop_unit failed, sense ${x(s.senseKey)}/${x(s.asc)}/${x(s.ascq)}`);
              done(ScsiDhResult.IO);
            },
          );
        };
        attempt();
      }

      const inst: ScsiDhInstance = {
        name: HP_SW_NAME,
        activate(done) {
          probe.whenDone(() => {
            if (probe.failed) {
              env.clock.schedule(0, done, AttachProbe.FAILED_RESULT);
              return;
            }
            tur((ret) => {
              // A successful START STOP UNIT leaves the state passive: the next activation's
              // TUR finds the path active (the kernel does the same).
              if (ret === ScsiDhResult.OK && h.pathState === PATH_PASSIVE)
                startStop((r) => done(r as ScsiDhResult));
              else done(ret as ScsiDhResult);
            });
          });
        },
        prepFn(_bio: Bio): BlkStatus {
          return h.pathState !== PATH_ACTIVE ? BlkStatus.IOERR : BlkStatus.OK;
        },
        checkSense(): ScsiDisposition {
          return ScsiDisposition.SCSI_RETURN_NOT_HANDLED;
        },
        setParams(): number {
          return -ScsiDhResult.NOSYS;
        },
        rescan(): void {},
        detach(): void {},
      };

      tur((ret) => {
        if (ret !== ScsiDhResult.OK) {
          probe.fail(sdev, env, HP_SW_NAME, ret, inst);
          return;
        }
        if (h.pathState === PATH_UNINITIALIZED) {
          probe.fail(sdev, env, HP_SW_NAME, ScsiDhResult.NOSYS, inst);
          return;
        }
        sdevPrintk(
          env.log,
          LogLevel.INFO,
          sdev,
          `${HP_SW_NAME}: attached to ${h.pathState === PATH_ACTIVE ? "active" : "passive"} path`,
        );
        probe.succeed();
      });
      return inst;
    },
  };
}
