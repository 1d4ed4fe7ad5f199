import type { SenseData } from "./scsi-device.js";

/**
 * SCSI sense data: fixed (0x70/0x71) and descriptor (0x72/0x73) formats, the kernel's
 * `scsi_normalize_sense`, and the ASC/ASCQ codes the model produces and reacts to.
 */

/** `struct scsi_sense_hdr`: the main elements of either sense format. */
export interface ScsiSenseHdr {
  /** Response code with the VALID bit masked off (0x70..0x73), 0 when there was no sense. */
  readonly responseCode: number;
  readonly senseKey: number;
  readonly asc: number;
  readonly ascq: number;
  /** ADDITIONAL SENSE LENGTH (descriptor format only; 0 for fixed format). */
  readonly additionalLength: number;
}

/** The header of "no sense" (`memset(sshdr, 0)`): not valid. */
export const NO_SENSE_HDR: ScsiSenseHdr = Object.freeze({
  responseCode: 0,
  senseKey: 0,
  asc: 0,
  ascq: 0,
  additionalLength: 0,
});

/** `scsi_sense_valid`: the response code is one of 0x70..0x73. */
export function scsiSenseValid(h: ScsiSenseHdr): boolean {
  return (h.responseCode & 0x70) === 0x70;
}

/** `scsi_sense_is_deferred`: response code 0x71 or 0x73. */
export function scsiSenseIsDeferred(h: ScsiSenseHdr): boolean {
  return scsiSenseValid(h) && (h.responseCode & 0x1) === 1;
}

/**
 * `scsi_normalize_sense(buf, len)`: decodes either format, honouring the fixed format's
 * ADDITIONAL SENSE LENGTH. Returns {@link NO_SENSE_HDR} when the buffer holds no valid sense.
 */
export function normalizeSense(buf: Uint8Array | null | undefined, len = buf?.length ?? 0): ScsiSenseHdr {
  if (!buf || len <= 0) return NO_SENSE_HDR;
  const n = Math.min(len, buf.length);
  const responseCode = (buf[0] ?? 0) & 0x7f;
  if ((responseCode & 0x70) !== 0x70) return NO_SENSE_HDR;
  if (responseCode >= 0x72) {
    return {
      responseCode,
      senseKey: n > 1 ? (buf[1] ?? 0) & 0xf : 0,
      asc: n > 2 ? (buf[2] ?? 0) : 0,
      ascq: n > 3 ? (buf[3] ?? 0) : 0,
      additionalLength: n > 7 ? (buf[7] ?? 0) : 0,
    };
  }
  let m = n;
  let asc = 0;
  let ascq = 0;
  if (m > 7) {
    m = Math.min(m, (buf[7] ?? 0) + 8);
    if (m > 12) asc = buf[12] ?? 0;
    if (m > 13) ascq = buf[13] ?? 0;
  }
  return { responseCode, senseKey: n > 2 ? (buf[2] ?? 0) & 0xf : 0, asc, ascq, additionalLength: 0 };
}

/** The normalized header of a result's sense data (or {@link NO_SENSE_HDR}). */
export function senseHdrOf(sense: SenseData | null | undefined): ScsiSenseHdr {
  return sense ? normalizeSense(sense.raw) : NO_SENSE_HDR;
}

/**
 * `scsi_build_sense_buffer`: 18 bytes of fixed-format sense (0x70, additional length 10), or 8
 * bytes of descriptor-format sense (0x72) with no descriptors.
 */
export function buildSenseBuffer(descriptor: boolean, key: number, asc: number, ascq: number): Uint8Array {
  if (descriptor) {
    const b = new Uint8Array(8);
    b[0] = 0x72;
    b[1] = key & 0xf;
    b[2] = asc & 0xff;
    b[3] = ascq & 0xff;
    return b;
  }
  const b = new Uint8Array(18);
  b[0] = 0x70;
  b[2] = key & 0xf;
  b[7] = 0x0a;
  b[12] = asc & 0xff;
  b[13] = ascq & 0xff;
  return b;
}

/** A {@link SenseData} (as `ScsiResult.sense` carries it) built from key/ASC/ASCQ. */
export function makeSense(key: number, asc: number, ascq: number, descriptor = false): SenseData {
  return {
    key: key & 0xf,
    asc: asc & 0xff,
    ascq: ascq & 0xff,
    raw: buildSenseBuffer(descriptor, key, asc, ascq),
  };
}

/** A {@link SenseData} decoded from raw bytes a device returned. */
export function senseFromBytes(raw: Uint8Array): SenseData {
  const h = normalizeSense(raw);
  return { key: h.senseKey, asc: h.asc, ascq: h.ascq, raw };
}

/** An additional sense code and qualifier. */
export interface AscAscq {
  readonly asc: number;
  readonly ascq: number;
}

/**
 * The ASC/ASCQ pairs the model produces or that a handler or checker reacts to. Names follow
 * SPC-4's descriptions; vendor codes (RDAC) say whose they are.
 */
export const Asc = {
  NO_ADDITIONAL_SENSE: { asc: 0x00, ascq: 0x00 },
  /** 04/00 */
  LU_NOT_READY: { asc: 0x04, ascq: 0x00 },
  /** 04/01: becoming ready (rdac retries MODE SELECT on it). */
  LU_BECOMING_READY: { asc: 0x04, ascq: 0x01 },
  /** 04/02: initializing command required (hp_sw passive path). */
  LU_NOT_READY_INIT_REQUIRED: { asc: 0x04, ascq: 0x02 },
  /** 04/03: manual intervention required (emc NDU, hp_sw switch-over in progress). */
  LU_NOT_READY_MANUAL_INTERVENTION: { asc: 0x04, ascq: 0x03 },
  /** 04/0A: asymmetric access state transition. */
  LU_NOT_ACCESSIBLE_TRANSITIONING: { asc: 0x04, ascq: 0x0a },
  /** 04/0B: target port in standby state. */
  LU_NOT_ACCESSIBLE_STANDBY: { asc: 0x04, ascq: 0x0b },
  /** 04/0C: target port in unavailable state. */
  LU_NOT_ACCESSIBLE_UNAVAILABLE: { asc: 0x04, ascq: 0x0c },
  /** 04/81: RDAC vendor: storage firmware incompatible. */
  RDAC_FIRMWARE_INCOMPATIBLE: { asc: 0x04, ascq: 0x81 },
  /** 04/A1: RDAC vendor: quiescence in progress. */
  RDAC_QUIESCENCE_IN_PROGRESS: { asc: 0x04, ascq: 0xa1 },
  /** 08/00 */
  LU_COMMUNICATION_FAILURE: { asc: 0x08, ascq: 0x00 },
  /** 11/00 */
  UNRECOVERED_READ_ERROR: { asc: 0x11, ascq: 0x00 },
  /** 20/00 */
  INVALID_OPCODE: { asc: 0x20, ascq: 0x00 },
  /** 21/00 */
  LBA_OUT_OF_RANGE: { asc: 0x21, ascq: 0x00 },
  /** 24/00 */
  INVALID_FIELD_IN_CDB: { asc: 0x24, ascq: 0x00 },
  /** 25/00: logical unit not supported. */
  LU_NOT_SUPPORTED: { asc: 0x25, ascq: 0x00 },
  /** 25/01: EMC CLARiiON: I/O to an inactive snapshot. */
  EMC_INACTIVE_SNAPSHOT: { asc: 0x25, ascq: 0x01 },
  /** 26/00 */
  INVALID_FIELD_IN_PARAMETER_LIST: { asc: 0x26, ascq: 0x00 },
  /** 29/00: power on, reset, or bus device reset occurred. */
  POWER_ON_RESET: { asc: 0x29, ascq: 0x00 },
  /** 29/04 */
  DEVICE_INTERNAL_RESET: { asc: 0x29, ascq: 0x04 },
  /** 2A/01 */
  MODE_PARAMETERS_CHANGED: { asc: 0x2a, ascq: 0x01 },
  /** 2A/06: asymmetric access state changed. */
  ASYMMETRIC_ACCESS_STATE_CHANGED: { asc: 0x2a, ascq: 0x06 },
  /** 2A/07: implicit asymmetric access state transition failed. */
  IMPLICIT_TRANSITION_FAILED: { asc: 0x2a, ascq: 0x07 },
  /** 3A/00 */
  MEDIUM_NOT_PRESENT: { asc: 0x3a, ascq: 0x00 },
  /** 3F/03 */
  INQUIRY_DATA_CHANGED: { asc: 0x3f, ascq: 0x03 },
  /** 3F/0E: reported LUNs data has changed. */
  REPORTED_LUNS_DATA_CHANGED: { asc: 0x3f, ascq: 0x0e },
  /** 44/00 */
  INTERNAL_TARGET_FAILURE: { asc: 0x44, ascq: 0x00 },
  /** 8B/02: RDAC vendor: quiescence in progress (unit attention). */
  RDAC_QUIESCENCE_UA: { asc: 0x8b, ascq: 0x02 },
  /** 91/36: RDAC vendor: command lock contention (MODE SELECT retried without limit). */
  RDAC_COMMAND_LOCK: { asc: 0x91, ascq: 0x36 },
  /** 94/01: RDAC vendor: this controller is not the LUN's current owner. */
  RDAC_NOT_OWNER: { asc: 0x94, ascq: 0x01 },
  /** A1/02: RDAC vendor: quiescence in progress or achieved. */
  RDAC_QUIESCED: { asc: 0xa1, ascq: 0x02 },
} as const satisfies Record<string, AscAscq>;

const SENSE_KEY_TEXT: readonly string[] = [
  "No Sense",
  "Recovered Error",
  "Not Ready",
  "Medium Error",
  "Hardware Error",
  "Illegal Request",
  "Unit Attention",
  "Data Protect",
  "Blank Check",
  "Vendor Specific(9)",
  "Copy Aborted",
  "Aborted Command",
  "Equal",
  "Volume Overflow",
  "Miscompare",
  "Completed",
];

/** `scsi_sense_key_string`. */
export function senseKeyText(key: number): string | null {
  return SENSE_KEY_TEXT[key] ?? null;
}

const ASC_TEXT: ReadonlyMap<number, string> = new Map([
  [0x0000, "No additional sense information"],
  [0x0400, "Logical unit not ready, cause not reportable"],
  [0x0401, "Logical unit is in process of becoming ready"],
  [0x0402, "Logical unit not ready, initializing command required"],
  [0x0403, "Logical unit not ready, manual intervention required"],
  [0x0404, "Logical unit not ready, format in progress"],
  [0x040a, "Logical unit not accessible, asymmetric access state transition"],
  [0x040b, "Logical unit not accessible, target port in standby state"],
  [0x040c, "Logical unit not accessible, target port in unavailable state"],
  [0x0800, "Logical unit communication failure"],
  [0x1100, "Unrecovered read error"],
  [0x2000, "Invalid command operation code"],
  [0x2100, "Logical block address out of range"],
  [0x2400, "Invalid field in cdb"],
  [0x2500, "Logical unit not supported"],
  [0x2600, "Invalid field in parameter list"],
  [0x2900, "Power on, reset, or bus device reset occurred"],
  [0x2904, "Device internal reset"],
  [0x2a01, "Mode parameters changed"],
  [0x2a06, "Asymmetric access state changed"],
  [0x2a07, "Implicit asymmetric access state transition failed"],
  [0x3a00, "Medium not present"],
  [0x3f03, "Inquiry data has changed"],
  [0x3f0e, "Reported luns data has changed"],
  [0x4400, "Internal target failure"],
]);

/**
 * `scsi_format_extd_sense`: `Add. Sense: <text>`, or for codes without text
 * `ASC=0x%x ASCQ=0x%x ` with `<<vendor>>` before vendor-specific values. The text table holds
 * the codes listed in {@link Asc} (and a few neighbours); others print in the numeric form.
 */
export function formatExtdSense(asc: number, ascq: number): string {
  const text = ASC_TEXT.get((asc << 8) | ascq);
  if (text) return `Add. Sense: ${text}`;
  let s = asc >= 0x80 ? "<<vendor>>" : "";
  s += `ASC=0x${asc.toString(16)} `;
  if (ascq >= 0x80) s += "<<vendor>>";
  s += `ASCQ=0x${ascq.toString(16)} `;
  return s;
}

/** `scsi_format_sense_hdr`: `Sense Key : Unit Attention [current] ` (with its trailing blank). */
export function formatSenseKeyLine(h: ScsiSenseHdr): string {
  const t = senseKeyText(h.senseKey);
  let s = `Sense Key : ${t ?? `0x${h.senseKey.toString(16)}`} `;
  s += scsiSenseIsDeferred(h) ? "[deferred] " : "[current] ";
  if (h.responseCode >= 0x72) s += "[descriptor] ";
  return s;
}

/** `KEY/ASC/ASCQ` as `%02x/%02x/%02x`. */
export function formatSenseTriple(h: ScsiSenseHdr): string {
  const x = (v: number) => v.toString(16).padStart(2, "0");
  return `${x(h.senseKey)}/${x(h.asc)}/${x(h.ascq)}`;
}

/** True when the header is a valid sense with exactly this key and ASC/ASCQ. */
export function senseIs(h: ScsiSenseHdr, key: number, code: AscAscq): boolean {
  return scsiSenseValid(h) && h.senseKey === key && h.asc === code.asc && h.ascq === code.ascq;
}
