import { getBe16, getBe32, getBe64 } from "@mp/dm-core";

/**
 * SCSI operation codes the fabric's target emulation decodes (a superset of @mp/dm-core's
 * `ScsiOp`, which lists what initiators send).
 */
export const Op = {
  TEST_UNIT_READY: 0x00,
  REZERO_UNIT: 0x01,
  REQUEST_SENSE: 0x03,
  READ_6: 0x08,
  WRITE_6: 0x0a,
  INQUIRY: 0x12,
  MODE_SELECT_6: 0x15,
  RESERVE_6: 0x16,
  RELEASE_6: 0x17,
  MODE_SENSE_6: 0x1a,
  START_STOP_UNIT: 0x1b,
  SEND_DIAGNOSTIC: 0x1d,
  ALLOW_MEDIUM_REMOVAL: 0x1e,
  READ_CAPACITY_10: 0x25,
  READ_10: 0x28,
  WRITE_10: 0x2a,
  VERIFY_10: 0x2f,
  SYNCHRONIZE_CACHE_10: 0x35,
  WRITE_BUFFER: 0x3b,
  WRITE_SAME_10: 0x41,
  UNMAP: 0x42,
  LOG_SENSE: 0x4d,
  MODE_SELECT_10: 0x55,
  RESERVE_10: 0x56,
  RELEASE_10: 0x57,
  MODE_SENSE_10: 0x5a,
  PERSISTENT_RESERVE_IN: 0x5e,
  PERSISTENT_RESERVE_OUT: 0x5f,
  READ_16: 0x88,
  WRITE_16: 0x8a,
  VERIFY_16: 0x8f,
  SYNCHRONIZE_CACHE_16: 0x91,
  WRITE_SAME_16: 0x93,
  SERVICE_ACTION_IN_16: 0x9e,
  REPORT_LUNS: 0xa0,
  MAINTENANCE_IN: 0xa3,
  MAINTENANCE_OUT: 0xa4,
  READ_12: 0xa8,
  WRITE_12: 0xaa,
} as const;

/** Service actions. */
export const Sa = {
  READ_CAPACITY_16: 0x10,
  REPORT_TARGET_PORT_GROUPS: 0x0a,
  SET_TARGET_PORT_GROUPS: 0x0a,
  REPORT_SUPPORTED_OPCODES: 0x0c,
} as const;

/** A media access decoded from a READ/WRITE/VERIFY/WRITE SAME CDB. */
export interface MediaAccess {
  readonly write: boolean;
  readonly lba: number;
  readonly blocks: number;
}

/** Decodes LBA and transfer length of a media command, or null for any other command. */
export function decodeMediaAccess(cdb: Uint8Array): MediaAccess | null {
  switch (cdb[0]) {
    case Op.READ_6:
    case Op.WRITE_6: {
      const lba = ((cdb[1]! & 0x1f) << 16) | (cdb[2]! << 8) | cdb[3]!;
      const n = cdb[4] === 0 ? 256 : cdb[4]!;
      return { write: cdb[0] === Op.WRITE_6, lba, blocks: n };
    }
    case Op.READ_10:
    case Op.WRITE_10:
    case Op.VERIFY_10:
    case Op.WRITE_SAME_10:
      return {
        write: cdb[0] !== Op.READ_10 && cdb[0] !== Op.VERIFY_10,
        lba: getBe32(cdb, 2),
        blocks: getBe16(cdb, 7),
      };
    case Op.READ_12:
    case Op.WRITE_12:
      return { write: cdb[0] === Op.WRITE_12, lba: getBe32(cdb, 2), blocks: getBe32(cdb, 6) };
    case Op.READ_16:
    case Op.WRITE_16:
    case Op.VERIFY_16:
    case Op.WRITE_SAME_16:
      return {
        write: cdb[0] !== Op.READ_16 && cdb[0] !== Op.VERIFY_16,
        lba: getBe64(cdb, 2),
        blocks: getBe32(cdb, 10),
      };
    default:
      return null;
  }
}
