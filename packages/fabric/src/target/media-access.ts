import { getBe16, getBe32, getBe64 } from "@mp/dm-core";
import { Op } from "../scsi/opcodes.js";

/**
 * {@link decodeMediaAccess} for the hot path, field by field and without an object: what a
 * READ/WRITE/VERIFY/WRITE SAME CDB addresses. Each function reads the CDB alone, so callers keep
 * the fields in locals (no shared record that a nested command could overwrite). One table
 * indexed by opcode gives direction and CDB layout, so each field costs a load and a compare or
 * two instead of a walk through a dozen `case`s.
 */

/** Not a media command. */
export const MEDIA_NONE = 0;
/** READ or VERIFY (`decodeMediaAccess(cdb).write === false`). */
export const MEDIA_READ = 1;
/** WRITE or WRITE SAME. */
export const MEDIA_WRITE = 2;

/** CDB layouts (bits 2+ of a table entry): LBA and transfer length offsets and widths. */
const LAYOUT_6 = 1 << 2;
/** 10-byte: LBA 32 bits at 2, length 16 bits at 7. */
const LAYOUT_10 = 2 << 2;
/** 12-byte: LBA 32 bits at 2, length 32 bits at 6. */
const LAYOUT_12 = 3 << 2;
/** 16-byte: LBA 64 bits at 2, length 32 bits at 10. */
const LAYOUT_16 = 4 << 2;
const DIR_MASK = 3;
const LAYOUT_MASK = 7 << 2;

/** Per opcode: direction | layout (0: not a media command). */
const MEDIA = new Uint8Array(256);
MEDIA[Op.READ_6] = MEDIA_READ | LAYOUT_6;
MEDIA[Op.WRITE_6] = MEDIA_WRITE | LAYOUT_6;
MEDIA[Op.READ_10] = MEDIA_READ | LAYOUT_10;
MEDIA[Op.VERIFY_10] = MEDIA_READ | LAYOUT_10;
MEDIA[Op.WRITE_10] = MEDIA_WRITE | LAYOUT_10;
MEDIA[Op.WRITE_SAME_10] = MEDIA_WRITE | LAYOUT_10;
MEDIA[Op.READ_12] = MEDIA_READ | LAYOUT_12;
MEDIA[Op.WRITE_12] = MEDIA_WRITE | LAYOUT_12;
MEDIA[Op.READ_16] = MEDIA_READ | LAYOUT_16;
MEDIA[Op.VERIFY_16] = MEDIA_READ | LAYOUT_16;
MEDIA[Op.WRITE_16] = MEDIA_WRITE | LAYOUT_16;
MEDIA[Op.WRITE_SAME_16] = MEDIA_WRITE | LAYOUT_16;

/** {@link MEDIA_NONE}, {@link MEDIA_READ} or {@link MEDIA_WRITE}. */
export function mediaDirection(cdb: Uint8Array): number {
  return MEDIA[cdb[0]!]! & DIR_MASK;
}

/** First logical block of a media command (0 for any other command). */
export function mediaLba(cdb: Uint8Array): number {
  const layout = MEDIA[cdb[0]!]! & LAYOUT_MASK;
  if (layout === LAYOUT_10 || layout === LAYOUT_12) return getBe32(cdb, 2);
  if (layout === LAYOUT_16) return getBe64(cdb, 2);
  if (layout === LAYOUT_6) return ((cdb[1]! & 0x1f) << 16) | (cdb[2]! << 8) | cdb[3]!;
  return 0;
}

/** Transfer length of a media command in logical blocks (0 for any other command). */
export function mediaBlocks(cdb: Uint8Array): number {
  const layout = MEDIA[cdb[0]!]! & LAYOUT_MASK;
  if (layout === LAYOUT_10) return getBe16(cdb, 7);
  if (layout === LAYOUT_16) return getBe32(cdb, 10);
  if (layout === LAYOUT_12) return getBe32(cdb, 6);
  if (layout === LAYOUT_6) return cdb[4] === 0 ? 256 : cdb[4]!;
  return 0;
}
