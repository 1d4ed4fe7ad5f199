import { type AscAscq, buildSenseBuffer } from "@mp/dm-core";

/** ASC/ASCQ pairs the simulated targets report that @mp/dm-core's `Asc` does not list. */
export const FabricAsc = {
  /** 04/12 */
  LU_NOT_READY_OFFLINE: { asc: 0x04, ascq: 0x12 },
  /** 1A/00 */
  PARAMETER_LIST_LENGTH_ERROR: { asc: 0x1a, ascq: 0x00 },
  /** 27/00 */
  WRITE_PROTECTED: { asc: 0x27, ascq: 0x00 },
  /** 29/01 */
  POWER_ON_OCCURRED: { asc: 0x29, ascq: 0x01 },
  /** 29/02 */
  BUS_RESET: { asc: 0x29, ascq: 0x02 },
  /** 29/07 */
  IT_NEXUS_LOSS: { asc: 0x29, ascq: 0x07 },
  /** 2A/09 */
  CAPACITY_DATA_CHANGED: { asc: 0x2a, ascq: 0x09 },
  /** 39/00 */
  SAVING_PARAMETERS_NOT_SUPPORTED: { asc: 0x39, ascq: 0x00 },
  /** 4B/03 */
  ACK_NAK_TIMEOUT: { asc: 0x4b, ascq: 0x03 },
} as const satisfies Record<string, AscAscq>;

/** A key + ASC/ASCQ, as the simulated hardware and fault injection pass them around. */
export interface SenseSpec {
  readonly key: number;
  readonly asc: number;
  readonly ascq: number;
  /** Information field (e.g. the failing LBA of a medium error); sets the VALID bit. */
  readonly info?: number;
}

/** A sense spec from a key and an ASC/ASCQ pair. */
export function sense(key: number, code: AscAscq): SenseSpec {
  return { key, asc: code.asc, ascq: code.ascq };
}

/** Sense buffer length the midlayer keeps (`SCSI_SENSE_BUFFERSIZE`). */
export const SCSI_SENSE_BUFFERSIZE = 96;

/**
 * `scsi_build_sense_buffer()` plus the information field scsi_debug sets for medium errors
 * (VALID + bytes 3..6 in fixed format, an information descriptor in descriptor format).
 */
export function senseBuffer(spec: SenseSpec, descriptor = false): Uint8Array {
  const base = buildSenseBuffer(descriptor, spec.key, spec.asc, spec.ascq);
  if (spec.info === undefined) return base;
  if (descriptor) {
    const b = new Uint8Array(20);
    b.set(base);
    b[7] = 12;
    b[8] = 0x00;
    b[9] = 0x0a;
    b[10] = 0x80;
    const v = BigInt(Math.max(0, Math.floor(spec.info)));
    for (let i = 0; i < 8; i++) b[12 + i] = Number((v >> BigInt(8 * (7 - i))) & 0xffn);
    return b;
  }
  const v = spec.info >>> 0;
  base[0]! |= 0x80;
  base[3] = (v >>> 24) & 0xff;
  base[4] = (v >>> 16) & 0xff;
  base[5] = (v >>> 8) & 0xff;
  base[6] = v & 0xff;
  return base;
}
