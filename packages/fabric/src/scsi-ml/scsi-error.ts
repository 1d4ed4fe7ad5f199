import {
  HostStatus,
  normalizeSense,
  ReqFlag,
  SamStatus,
  ScsiDisposition,
  SenseKey,
  scsiSenseIsDeferred,
  scsiSenseValid,
} from "@mp/dm-core";
import { Op } from "../scsi/opcodes.js";
import type { ScsiCmnd } from "./scsi-cmnd.js";
import { CmdKind } from "./scsi-cmnd.js";
import type { SimScsiDevice } from "./scsi-device.js";

/** `SCSIML_STAT_*`: the midlayer's own verdict byte (bits 8-15 of `cmd->result`). */
export const ScsiMlStat = {
  OK: 0x00,
  RESV_CONFLICT: 0x01,
  NOSPC: 0x02,
  MED_ERROR: 0x03,
  TGT_FAILURE: 0x04,
} as const;

/** `scsi_device` events reported from sense data (`enum scsi_device_event`). */
export type SdevEvent =
  | "INQUIRY_CHANGE_REPORTED"
  | "CAPACITY_CHANGE_REPORTED"
  | "MODE_PARAMETER_CHANGE_REPORTED"
  | "LUN_CHANGE_REPORTED"
  | "ALUA_STATE_CHANGE_REPORTED"
  | "POWER_ON_RESET_OCCURRED"
  | "SOFT_THRESHOLD_REACHED_REPORTED";

/**
 * `scsi_report_sense()`: logs the unit attentions the midlayer announces and queues the
 * matching device event (a `change` uevent with `SDEV_UA=…`).
 */
export function scsiReportSense(sdev: SimScsiDevice, key: number, asc: number, ascq: number): void {
  if (key !== SenseKey.UNIT_ATTENTION) return;
  let evt: SdevEvent | null = null;
  if (asc === 0x3f && ascq === 0x03) {
    evt = "INQUIRY_CHANGE_REPORTED";
    sdev.printk(4, "Inquiry data has changed");
  } else if (asc === 0x3f && ascq === 0x0e) {
    evt = "LUN_CHANGE_REPORTED";
    sdev.starget.expectingLunChange = true;
    sdev.printk(
      4,
      "LUN assignments on this target have changed. The Linux SCSI layer does not automatically remap LUN assignments.",
    );
  } else if (asc === 0x3f) {
    sdev.printk(
      4,
      "Operating parameters on this target have changed. The Linux SCSI layer does not automatically adjust these parameters.",
    );
  }
  if (asc === 0x38 && ascq === 0x07) {
    evt = "SOFT_THRESHOLD_REACHED_REPORTED";
    sdev.printk(
      4,
      "Warning! Received an indication that the LUN reached a thin provisioning soft threshold.",
    );
  }
  if (asc === 0x29) {
    evt = "POWER_ON_RESET_OCCURRED";
    sdev.printk(4, "Power-on or device reset occurred");
  }
  if (asc === 0x2a && ascq === 0x01) {
    evt = "MODE_PARAMETER_CHANGE_REPORTED";
    sdev.printk(4, "Mode parameters changed");
  } else if (asc === 0x2a && ascq === 0x06) {
    evt = "ALUA_STATE_CHANGE_REPORTED";
    sdev.printk(4, "Asymmetric access state changed");
  } else if (asc === 0x2a && ascq === 0x09) {
    evt = "CAPACITY_CHANGE_REPORTED";
    sdev.printk(4, "Capacity data has changed");
  } else if (asc === 0x2a) {
    sdev.printk(4, "Parameters changed");
  }
  if (evt) sdev.queueEvent(evt);
}

/** `scsi_check_sense()`: the disposition a CHECK CONDITION earns. */
export function scsiCheckSense(cmd: ScsiCmnd, sdev: SimScsiDevice, inEh = false): number {
  const raw = cmd.sense.subarray(0, cmd.senseLen);
  const h = normalizeSense(raw);
  if (!scsiSenseValid(h)) return ScsiDisposition.FAILED;
  const s = { key: h.senseKey, asc: h.asc, ascq: h.ascq };
  scsiReportSense(sdev, s.key, s.asc, s.ascq);
  if (scsiSenseIsDeferred(h)) return ScsiDisposition.NEEDS_RETRY;
  if (sdev.handler) {
    const rc = sdev.handler.checkSense({ ...s, raw: raw.slice() });
    if (rc !== ScsiDisposition.SCSI_RETURN_NOT_HANDLED) return rc;
  }
  if (cmd.cdb[0] === Op.TEST_UNIT_READY && !inEh) return ScsiDisposition.SUCCESS;
  if ((raw[0]! & 0x7f) === 0x70) {
    if ((raw[2] ?? 0) & 0xe0) return ScsiDisposition.SUCCESS;
  } else if ((raw[7] ?? 0) > 3 && raw[8] === 0x4 && ((raw[11] ?? 0) & 0xe0) !== 0) {
    return ScsiDisposition.SUCCESS;
  }
  switch (s.key) {
    case SenseKey.NO_SENSE:
    case SenseKey.RECOVERED_ERROR:
      return ScsiDisposition.SUCCESS;
    case SenseKey.ABORTED_COMMAND:
      if (s.asc === 0x10) return ScsiDisposition.SUCCESS;
      return ScsiDisposition.NEEDS_RETRY;
    case SenseKey.NOT_READY:
    case SenseKey.UNIT_ATTENTION:
      if (sdev.expectingCcUa) {
        if (s.asc !== 0x28 || s.ascq !== 0x00) {
          sdev.expectingCcUa = false;
          return ScsiDisposition.NEEDS_RETRY;
        }
      }
      if (sdev.starget.expectingLunChange && s.asc === 0x3f && s.ascq === 0x0e)
        return ScsiDisposition.NEEDS_RETRY;
      if (s.asc === 0x04 && s.ascq === 0x01) return ScsiDisposition.NEEDS_RETRY;
      if (sdev.allowRestart && s.asc === 0x04 && s.ascq === 0x02) return ScsiDisposition.FAILED;
      return ScsiDisposition.SUCCESS;
    case SenseKey.DATA_PROTECT:
      if (s.asc === 0x27 && s.ascq === 0x07) {
        cmd.mlByte = ScsiMlStat.NOSPC;
        return ScsiDisposition.SUCCESS;
      }
      cmd.mlByte = ScsiMlStat.TGT_FAILURE;
      return ScsiDisposition.SUCCESS;
    case SenseKey.COPY_ABORTED:
    case SenseKey.VOLUME_OVERFLOW:
    case SenseKey.MISCOMPARE:
    case SenseKey.BLANK_CHECK:
      cmd.mlByte = ScsiMlStat.TGT_FAILURE;
      return ScsiDisposition.SUCCESS;
    case SenseKey.MEDIUM_ERROR:
      if (s.asc === 0x11 || s.asc === 0x13 || s.asc === 0x14) {
        cmd.mlByte = ScsiMlStat.MED_ERROR;
        return ScsiDisposition.SUCCESS;
      }
      return ScsiDisposition.NEEDS_RETRY;
    case SenseKey.HARDWARE_ERROR:
      cmd.mlByte = ScsiMlStat.TGT_FAILURE;
      if ([0x20, 0x21, 0x22, 0x24, 0x26, 0x27].includes(s.asc)) cmd.mlByte = ScsiMlStat.TGT_FAILURE;
      return ScsiDisposition.SUCCESS;
    case SenseKey.ILLEGAL_REQUEST:
      if ([0x20, 0x21, 0x22, 0x24, 0x26, 0x27].includes(s.asc)) cmd.mlByte = ScsiMlStat.TGT_FAILURE;
      return ScsiDisposition.SUCCESS;
    default:
      return ScsiDisposition.SUCCESS;
  }
}

/** `scsi_noretry_cmd()`: failfast requests and passthrough give up at once on retryable errors. */
export function scsiNoretryCmd(cmd: ScsiCmnd): boolean {
  const passthrough = cmd.kind === CmdKind.PASSTHROUGH;
  switch (cmd.hostByte) {
    case HostStatus.DID_OK:
      break;
    case HostStatus.DID_TIME_OUT:
      return (cmd.reqFlags & ReqFlag.FAILFAST_DEV) !== 0 || passthrough;
    case HostStatus.DID_BUS_BUSY:
      return (cmd.reqFlags & ReqFlag.FAILFAST_TRANSPORT) !== 0;
    case HostStatus.DID_PARITY:
      return (cmd.reqFlags & ReqFlag.FAILFAST_DEV) !== 0;
    case HostStatus.DID_ERROR:
      if (cmd.status === SamStatus.RESERVATION_CONFLICT) return false;
      return (cmd.reqFlags & ReqFlag.FAILFAST_DRIVER) !== 0;
    case HostStatus.DID_SOFT_ERROR:
      return (cmd.reqFlags & ReqFlag.FAILFAST_DRIVER) !== 0;
    default:
      break;
  }
  if (cmd.status !== SamStatus.CHECK_CONDITION) return false;
  return (cmd.reqFlags & ReqFlag.FAILFAST_DEV) !== 0 || passthrough;
}

/** `scsi_cmd_retry_allowed()`: counts the retry. */
function retryAllowed(cmd: ScsiCmnd): boolean {
  if (cmd.allowed < 0) return true;
  return ++cmd.retries <= cmd.allowed;
}

/** The `maybe_retry` label of `scsi_decide_disposition()`: retry while allowed, else finish. */
function maybeRetry(cmd: ScsiCmnd): number {
  return retryAllowed(cmd) && !scsiNoretryCmd(cmd) ? ScsiDisposition.NEEDS_RETRY : ScsiDisposition.SUCCESS;
}

/** `scsi_decide_disposition()`: what the midlayer does with a command the LLD completed. */
export function scsiDecideDisposition(cmd: ScsiCmnd, sdev: SimScsiDevice): number {
  if (!sdev.online) return ScsiDisposition.SUCCESS;
  switch (cmd.hostByte) {
    case HostStatus.DID_PASSTHROUGH:
      cmd.hostByte = 0;
      return ScsiDisposition.SUCCESS;
    case HostStatus.DID_OK:
      break;
    case HostStatus.DID_ABORT:
    case HostStatus.DID_NO_CONNECT:
    case HostStatus.DID_BAD_TARGET:
      return ScsiDisposition.SUCCESS;
    case HostStatus.DID_SOFT_ERROR:
      return maybeRetry(cmd);
    case HostStatus.DID_IMM_RETRY:
      return ScsiDisposition.NEEDS_RETRY;
    case HostStatus.DID_REQUEUE:
      return ScsiDisposition.ADD_TO_MLQUEUE;
    case HostStatus.DID_TRANSPORT_DISRUPTED:
      return maybeRetry(cmd);
    case HostStatus.DID_TRANSPORT_FAILFAST:
    case HostStatus.DID_TRANSPORT_MARGINAL:
      return ScsiDisposition.SUCCESS;
    case HostStatus.DID_ERROR:
      if (cmd.status === SamStatus.RESERVATION_CONFLICT) break;
      return maybeRetry(cmd);
    case HostStatus.DID_BUS_BUSY:
    case HostStatus.DID_PARITY:
      return maybeRetry(cmd);
    case HostStatus.DID_TIME_OUT:
      return cmd.cdb[0] === Op.TEST_UNIT_READY || cmd.cdb[0] === Op.INQUIRY
        ? ScsiDisposition.SUCCESS
        : ScsiDisposition.FAILED;
    case HostStatus.DID_RESET:
      return ScsiDisposition.SUCCESS;
    default:
      return ScsiDisposition.FAILED;
  }
  switch (cmd.status) {
    case SamStatus.TASK_SET_FULL:
    case SamStatus.BUSY:
      return ScsiDisposition.ADD_TO_MLQUEUE;
    case SamStatus.GOOD:
    case 0x22: // COMMAND TERMINATED
      return ScsiDisposition.SUCCESS;
    case SamStatus.TASK_ABORTED:
      return maybeRetry(cmd);
    case SamStatus.CHECK_CONDITION: {
      const rtn = scsiCheckSense(cmd, sdev);
      if (rtn === ScsiDisposition.NEEDS_RETRY) return maybeRetry(cmd);
      return rtn;
    }
    case SamStatus.CONDITION_MET:
    case 0x10:
    case 0x14:
    case SamStatus.ACA_ACTIVE:
      return ScsiDisposition.SUCCESS;
    case SamStatus.RESERVATION_CONFLICT:
      sdev.printk(6, "reservation conflict");
      cmd.mlByte = ScsiMlStat.RESV_CONFLICT;
      return ScsiDisposition.SUCCESS;
    default:
      return ScsiDisposition.FAILED;
  }
}
