import {
  BlkStatus,
  HostStatus,
  normalizeSense,
  SamStatus,
  SenseKey,
  scsiSenseIsDeferred,
  scsiSenseValid,
} from "@mp/dm-core";
import { Op } from "../scsi/opcodes.js";
import type { ScsiCmnd } from "./scsi-cmnd.js";
import { ScsiMlStat } from "./scsi-error.js";

/** `scsi_status_is_good()`: GOOD, CONDITION MET and the obsolete intermediate statuses. */
export function scsiStatusIsGood(status: number): boolean {
  const s = status & 0xfe;
  return s === SamStatus.GOOD || s === SamStatus.CONDITION_MET || s === 0x10 || s === 0x14 || s === 0x22;
}

/** `scsi_result_to_blk_status()` of 6.1. */
export function scsiResultToBlkStatus(cmd: ScsiCmnd): BlkStatus {
  switch (cmd.mlByte) {
    case ScsiMlStat.OK:
      break;
    case ScsiMlStat.RESV_CONFLICT:
      return BlkStatus.RESV_CONFLICT;
    case ScsiMlStat.NOSPC:
      return BlkStatus.NOSPC;
    case ScsiMlStat.MED_ERROR:
      return BlkStatus.MEDIUM;
    case ScsiMlStat.TGT_FAILURE:
      return BlkStatus.TARGET;
  }
  switch (cmd.hostByte) {
    case HostStatus.DID_OK:
      return scsiStatusIsGood(cmd.status) ? BlkStatus.OK : BlkStatus.IOERR;
    case HostStatus.DID_TRANSPORT_FAILFAST:
    case HostStatus.DID_TRANSPORT_MARGINAL:
      return BlkStatus.TRANSPORT;
    default:
      return BlkStatus.IOERR;
  }
}

/** What `scsi_io_completion_action()` decides for a failed block request. */
export const IoAction = {
  FAIL: 0,
  REPREP: 1,
  DELAYED_REPREP: 2,
  RETRY: 3,
  DELAYED_RETRY: 4,
} as const;
export type IoAction = (typeof IoAction)[keyof typeof IoAction];

/**
 * `scsi_io_completion_action()` for a block request that did not complete all its bytes: the
 * action and the status the request fails with. `removable` and `use10` are device flags.
 */
export function scsiIoCompletionAction(
  cmd: ScsiCmnd,
  opts: { readonly removable: boolean; readonly use10ForRw: boolean },
): { action: IoAction; status: BlkStatus } {
  const h = normalizeSense(cmd.sense, cmd.senseLen);
  const s = scsiSenseValid(h) ? { key: h.senseKey, asc: h.asc, ascq: h.ascq } : null;
  const current = s !== null && !scsiSenseIsDeferred(h);
  let status = scsiResultToBlkStatus(cmd);
  let action: IoAction;
  if (cmd.hostByte === HostStatus.DID_RESET) action = IoAction.RETRY;
  else if (s && current) {
    switch (s.key) {
      case SenseKey.UNIT_ATTENTION:
        action = opts.removable ? IoAction.FAIL : IoAction.RETRY;
        break;
      case SenseKey.ILLEGAL_REQUEST:
        if (
          opts.use10ForRw &&
          s.asc === 0x20 &&
          s.ascq === 0x00 &&
          (cmd.cdb[0] === Op.READ_10 || cmd.cdb[0] === Op.WRITE_10)
        )
          action = IoAction.REPREP;
        else if (s.asc === 0x10) {
          action = IoAction.FAIL;
          status = BlkStatus.PROTECTION;
        } else if (s.asc === 0x20 || s.asc === 0x24) {
          action = IoAction.FAIL;
          status = BlkStatus.TARGET;
        } else action = IoAction.FAIL;
        break;
      case SenseKey.ABORTED_COMMAND:
        action = IoAction.FAIL;
        if (s.asc === 0x10) status = BlkStatus.PROTECTION;
        break;
      case SenseKey.NOT_READY:
        if (s.asc === 0x04) {
          switch (s.ascq) {
            case 0x01:
            case 0x04:
            case 0x05:
            case 0x06:
            case 0x07:
            case 0x08:
            case 0x09:
            case 0x11:
            case 0x14:
            case 0x1a:
            case 0x1b:
            case 0x1d:
              action = IoAction.DELAYED_RETRY;
              break;
            case 0x0a:
              action = IoAction.DELAYED_REPREP;
              break;
            default:
              action = IoAction.FAIL;
          }
        } else action = IoAction.FAIL;
        break;
      case SenseKey.DATA_PROTECT:
        action = IoAction.FAIL;
        if ((s.asc === 0x0c && s.ascq === 0x12) || (s.asc === 0x55 && (s.ascq === 0x0e || s.ascq === 0x0f)))
          status = BlkStatus.ZONE_OPEN_RESOURCE;
        break;
      default:
        action = IoAction.FAIL;
    }
  } else action = IoAction.FAIL;
  return { action, status };
}

/** `ALUA_TRANSITION_REPREP_DELAY`: 1 s between retries of an I/O that met a transitioning port. */
export const ALUA_TRANSITION_REPREP_DELAY_NS = 1_000_000_000;
/** `SCSI_QUEUE_DELAY`: 3 ms before a busy device's queue is run again. */
export const SCSI_QUEUE_DELAY_NS = 3_000_000;
