import { type SenseSpec, senseBuffer } from "../scsi/sense.js";

/**
 * One command as a target sees it, and the target's answer: the fields of `struct scsi_cmnd`
 * that cross the wire. The midlayer's pooled command object implements it, so answering a READ
 * allocates nothing.
 */
export interface TargetIo {
  readonly cdb: Uint8Array;
  readonly cdbLen: number;
  /** Data-out (writes, MODE SELECT, STPG) and its length; null when none or not carried. */
  readonly dataOut: Uint8Array | null;
  readonly dataOutLen: number;
  /** Buffer for data-in and the number of bytes the initiator accepts (allocation length). */
  readonly dataIn: Uint8Array | null;
  readonly dataInLen: number;
  /** SAM status. */
  status: number;
  /** Host byte (DID_*), set by transports and target emulations that fail in the transport. */
  hostByte: number;
  /** Sense buffer (SCSI_SENSE_BUFFERSIZE) and bytes valid in it. */
  readonly sense: Uint8Array;
  senseLen: number;
  /** Bytes of data-in not transferred. */
  resid: number;
  /** Extra service time the answer costs (dm-delay faults, long commands), ns. */
  extraDelayNs: number;
  /** True when the target will never answer (the initiator's timer must fire). */
  noResponse: boolean;
}

/** CHECK CONDITION with fixed- or descriptor-format sense. */
export function setCheckCondition(io: TargetIo, spec: SenseSpec, descriptor = false): void {
  const s = senseBuffer(spec, descriptor);
  io.sense.fill(0);
  io.sense.set(s.subarray(0, Math.min(s.length, io.sense.length)));
  io.senseLen = Math.min(s.length, io.sense.length);
  io.status = 0x02;
}

/** ILLEGAL REQUEST, INVALID FIELD IN CDB/PARAMETER LIST with a sense-key-specific field pointer. */
export function setInvalidField(
  io: TargetIo,
  inCdb: boolean,
  byte: number,
  bit: number,
  descriptor = false,
): void {
  setCheckCondition(io, { key: 0x5, asc: inCdb ? 0x24 : 0x26, ascq: 0 }, descriptor);
  const sks0 = 0x80 | (inCdb ? 0x40 : 0) | (bit >= 0 ? 0x08 | (bit & 7) : 0);
  if (descriptor) {
    const sl = io.sense[7]! + 8;
    io.sense[7] = sl;
    io.sense[sl] = 0x2;
    io.sense[sl + 1] = 0x6;
    io.sense[sl + 4] = sks0;
    io.sense[sl + 5] = (byte >> 8) & 0xff;
    io.sense[sl + 6] = byte & 0xff;
    io.senseLen = sl + 8;
  } else {
    io.sense[15] = sks0;
    io.sense[16] = (byte >> 8) & 0xff;
    io.sense[17] = byte & 0xff;
  }
}

/** Copies `src` into the data-in buffer (truncated to the allocation length) and sets resid. */
export function fillDataIn(io: TargetIo, src: Uint8Array, len = src.length): void {
  const n = Math.min(len, io.dataInLen);
  if (io.dataIn && n > 0) io.dataIn.set(src.subarray(0, n));
  io.resid = io.dataInLen - n;
}
