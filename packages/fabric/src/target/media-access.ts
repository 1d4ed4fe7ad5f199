import { getBe16, getBe32, getBe64 } from "@mp/dm-core";
import { Op } from "../scsi/opcodes.js";

/**
 * {@link decodeMediaAccess} for the hot path, field by field and without an object: what a
 * READ/WRITE/VERIFY/WRITE SAME CDB addresses. Each function reads the CDB alone, so callers keep
 * the fields in locals (no shared record that a nested command could overwrite).
 */

/** Not a media command. */
export const MEDIA_NONE = 0;
/** READ or VERIFY (`decodeMediaAccess(cdb).write === false`). */
export const MEDIA_READ = 1;
/** WRITE or WRITE SAME. */
export const MEDIA_WRITE = 2;

/** {@link MEDIA_NONE}, {@link MEDIA_READ} or {@link MEDIA_WRITE}. */
export function mediaDirection(cdb: Uint8Array): number {
  switch (cdb[0]) {
    case Op.READ_6:
    case Op.READ_10:
    case Op.READ_12:
    case Op.READ_16:
    case Op.VERIFY_10:
    case Op.VERIFY_16:
      return MEDIA_READ;
    case Op.WRITE_6:
    case Op.WRITE_10:
    case Op.WRITE_12:
    case Op.WRITE_16:
    case Op.WRITE_SAME_10:
    case Op.WRITE_SAME_16:
      return MEDIA_WRITE;
    default:
      return MEDIA_NONE;
  }
}

/** First logical block of a media command (0 for any other command). */
export function mediaLba(cdb: Uint8Array): number {
  switch (cdb[0]) {
    case Op.READ_6:
    case Op.WRITE_6:
      return ((cdb[1]! & 0x1f) << 16) | (cdb[2]! << 8) | cdb[3]!;
    case Op.READ_10:
    case Op.WRITE_10:
    case Op.VERIFY_10:
    case Op.WRITE_SAME_10:
    case Op.READ_12:
    case Op.WRITE_12:
      return getBe32(cdb, 2);
    case Op.READ_16:
    case Op.WRITE_16:
    case Op.VERIFY_16:
    case Op.WRITE_SAME_16:
      return getBe64(cdb, 2);
    default:
      return 0;
  }
}

/** Transfer length of a media command in logical blocks (0 for any other command). */
export function mediaBlocks(cdb: Uint8Array): number {
  switch (cdb[0]) {
    case Op.READ_6:
    case Op.WRITE_6:
      return cdb[4] === 0 ? 256 : cdb[4]!;
    case Op.READ_10:
    case Op.WRITE_10:
    case Op.VERIFY_10:
    case Op.WRITE_SAME_10:
      return getBe16(cdb, 7);
    case Op.READ_12:
    case Op.WRITE_12:
      return getBe32(cdb, 6);
    case Op.READ_16:
    case Op.WRITE_16:
    case Op.VERIFY_16:
    case Op.WRITE_SAME_16:
      return getBe32(cdb, 10);
    default:
      return 0;
  }
}
