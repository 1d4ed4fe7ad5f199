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
  [0x0001, "Filemark detected"],
  [0x0002, "End-of-partition/medium detected"],
  [0x0003, "Setmark detected"],
  [0x0004, "Beginning-of-partition/medium detected"],
  [0x0005, "End-of-data detected"],
  [0x0006, "I/O process terminated"],
  [0x0007, "Programmable early warning detected"],
  [0x0011, "Audio play operation in progress"],
  [0x0012, "Audio play operation paused"],
  [0x0013, "Audio play operation successfully completed"],
  [0x0014, "Audio play operation stopped due to error"],
  [0x0015, "No current audio status to return"],
  [0x0016, "Operation in progress"],
  [0x0017, "Cleaning requested"],
  [0x0018, "Erase operation in progress"],
  [0x0019, "Locate operation in progress"],
  [0x001a, "Rewind operation in progress"],
  [0x001b, "Set capacity operation in progress"],
  [0x001c, "Verify operation in progress"],
  [0x001d, "ATA pass through information available"],
  [0x001e, "Conflicting SA creation request"],
  [0x001f, "Logical unit transitioning to another power condition"],
  [0x0020, "Extended copy information available"],
  [0x0021, "Atomic command aborted due to ACA"],
  [0x0022, "Deferred microcode is pending"],
  [0x0300, "Peripheral device write fault"],
  [0x0301, "No write current"],
  [0x0302, "Excessive write errors"],
  [0x0400, "Logical unit not ready, cause not reportable"],
  [0x0401, "Logical unit is in process of becoming ready"],
  [0x0402, "Logical unit not ready, initializing command required"],
  [0x0403, "Logical unit not ready, manual intervention required"],
  [0x0404, "Logical unit not ready, format in progress"],
  [0x0405, "Logical unit not ready, rebuild in progress"],
  [0x0406, "Logical unit not ready, recalculation in progress"],
  [0x0407, "Logical unit not ready, operation in progress"],
  [0x0408, "Logical unit not ready, long write in progress"],
  [0x0409, "Logical unit not ready, self-test in progress"],
  [0x040a, "Logical unit not accessible, asymmetric access state transition"],
  [0x040b, "Logical unit not accessible, target port in standby state"],
  [0x040c, "Logical unit not accessible, target port in unavailable state"],
  [0x040d, "Logical unit not ready, structure check required"],
  [0x040e, "Logical unit not ready, security session in progress"],
  [0x0410, "Logical unit not ready, auxiliary memory not accessible"],
  [0x0411, "Logical unit not ready, notify (enable spinup) required"],
  [0x0412, "Logical unit not ready, offline"],
  [0x0413, "Logical unit not ready, SA creation in progress"],
  [0x0414, "Logical unit not ready, space allocation in progress"],
  [0x0415, "Logical unit not ready, robotics disabled"],
  [0x0416, "Logical unit not ready, configuration required"],
  [0x0417, "Logical unit not ready, calibration required"],
  [0x0418, "Logical unit not ready, a door is open"],
  [0x0419, "Logical unit not ready, operating in sequential mode"],
  [0x041a, "Logical unit not ready, start stop unit command in progress"],
  [0x041b, "Logical unit not ready, sanitize in progress"],
  [0x041c, "Logical unit not ready, additional power use not yet granted"],
  [0x041d, "Logical unit not ready, configuration in progress"],
  [0x041e, "Logical unit not ready, microcode activation required"],
  [0x041f, "Logical unit not ready, microcode download required"],
  [0x0420, "Logical unit not ready, logical unit reset required"],
  [0x0421, "Logical unit not ready, hard reset required"],
  [0x0422, "Logical unit not ready, power cycle required"],
  [0x0423, "Logical unit not ready, affiliation required"],
  [0x0424, "Depopulation in progress"],
  [0x0425, "Depopulation restoration in progress"],
  [0x0800, "Logical unit communication failure"],
  [0x0801, "Logical unit communication time-out"],
  [0x0802, "Logical unit communication parity error"],
  [0x0803, "Logical unit communication CRC error (Ultra-DMA/32)"],
  [0x0804, "Unreachable copy target"],
  [0x1100, "Unrecovered read error"],
  [0x1101, "Read retries exhausted"],
  [0x1102, "Error too long to correct"],
  [0x1103, "Multiple read errors"],
  [0x1104, "Unrecovered read error - auto reallocate failed"],
  [0x1105, "L-EC uncorrectable error"],
  [0x1106, "CIRC unrecovered error"],
  [0x1107, "Data re-synchronization error"],
  [0x1108, "Incomplete block read"],
  [0x1109, "No gap found"],
  [0x110a, "Miscorrected error"],
  [0x110b, "Unrecovered read error - recommend reassignment"],
  [0x110c, "Unrecovered read error - recommend rewrite the data"],
  [0x110d, "De-compression CRC error"],
  [0x110e, "Cannot decompress using declared algorithm"],
  [0x110f, "Error reading UPC/EAN number"],
  [0x1110, "Error reading ISRC number"],
  [0x1111, "Read error - loss of streaming"],
  [0x1112, "Auxiliary memory read error"],
  [0x1113, "Read error - failed retransmission request"],
  [0x1114, "Read error - lba marked bad by application client"],
  [0x1115, "Write after sanitize required"],
  [0x1a00, "Parameter list length error"],
  [0x2000, "Invalid command operation code"],
  [0x2001, "Access denied - initiator pending-enrolled"],
  [0x2002, "Access denied - no access rights"],
  [0x2003, "Access denied - invalid mgmt id key"],
  [0x2004, "Illegal command while in write capable state"],
  [0x2005, "Obsolete"],
  [0x2006, "Illegal command while in explicit address mode"],
  [0x2007, "Illegal command while in implicit address mode"],
  [0x2008, "Access denied - enrollment conflict"],
  [0x2009, "Access denied - invalid LU identifier"],
  [0x200a, "Access denied - invalid proxy token"],
  [0x200b, "Access denied - ACL LUN conflict"],
  [0x200c, "Illegal command when not in append-only mode"],
  [0x200d, "Not an administrative logical unit"],
  [0x200e, "Not a subsidiary logical unit"],
  [0x200f, "Not a conglomerate logical unit"],
  [0x2100, "Logical block address out of range"],
  [0x2101, "Invalid element address"],
  [0x2102, "Invalid address for write"],
  [0x2103, "Invalid write crossing layer jump"],
  [0x2104, "Unaligned write command"],
  [0x2105, "Write boundary violation"],
  [0x2106, "Attempt to read invalid data"],
  [0x2107, "Read boundary violation"],
  [0x2108, "Misaligned write command"],
  [0x2109, "Attempt to access gap zone"],
  [0x2400, "Invalid field in cdb"],
  [0x2401, "CDB decryption error"],
  [0x2402, "Obsolete"],
  [0x2403, "Obsolete"],
  [0x2404, "Security audit value frozen"],
  [0x2405, "Security working key frozen"],
  [0x2406, "Nonce not unique"],
  [0x2407, "Nonce timestamp out of range"],
  [0x2408, "Invalid XCDB"],
  [0x2409, "Invalid fast format"],
  [0x2500, "Logical unit not supported"],
  [0x2600, "Invalid field in parameter list"],
  [0x2601, "Parameter not supported"],
  [0x2602, "Parameter value invalid"],
  [0x2603, "Threshold parameters not supported"],
  [0x2604, "Invalid release of persistent reservation"],
  [0x2605, "Data decryption error"],
  [0x2606, "Too many target descriptors"],
  [0x2607, "Unsupported target descriptor type code"],
  [0x2608, "Too many segment descriptors"],
  [0x2609, "Unsupported segment descriptor type code"],
  [0x260a, "Unexpected inexact segment"],
  [0x260b, "Inline data length exceeded"],
  [0x260c, "Invalid operation for copy source or destination"],
  [0x260d, "Copy segment granularity violation"],
  [0x260e, "Invalid parameter while port is enabled"],
  [0x260f, "Invalid data-out buffer integrity check value"],
  [0x2610, "Data decryption key fail limit reached"],
  [0x2611, "Incomplete key-associated data set"],
  [0x2612, "Vendor specific key reference not found"],
  [0x2613, "Application tag mode page is invalid"],
  [0x2614, "Tape stream mirroring prevented"],
  [0x2615, "Copy source or copy destination not authorized"],
  [0x2616, "Fast copy not possible"],
  [0x2700, "Write protected"],
  [0x2701, "Hardware write protected"],
  [0x2702, "Logical unit software write protected"],
  [0x2703, "Associated write protect"],
  [0x2704, "Persistent write protect"],
  [0x2705, "Permanent write protect"],
  [0x2706, "Conditional write protect"],
  [0x2707, "Space allocation failed write protect"],
  [0x2708, "Zone is read only"],
  [0x2800, "Not ready to ready change, medium may have changed"],
  [0x2801, "Import or export element accessed"],
  [0x2802, "Format-layer may have changed"],
  [0x2803, "Import/export element accessed, medium changed"],
  [0x2900, "Power on, reset, or bus device reset occurred"],
  [0x2901, "Power on occurred"],
  [0x2902, "Scsi bus reset occurred"],
  [0x2903, "Bus device reset function occurred"],
  [0x2904, "Device internal reset"],
  [0x2905, "Transceiver mode changed to single-ended"],
  [0x2906, "Transceiver mode changed to lvd"],
  [0x2907, "I_T nexus loss occurred"],
  [0x2a00, "Parameters changed"],
  [0x2a01, "Mode parameters changed"],
  [0x2a02, "Log parameters changed"],
  [0x2a03, "Reservations preempted"],
  [0x2a04, "Reservations released"],
  [0x2a05, "Registrations preempted"],
  [0x2a06, "Asymmetric access state changed"],
  [0x2a07, "Implicit asymmetric access state transition failed"],
  [0x2a08, "Priority changed"],
  [0x2a09, "Capacity data has changed"],
  [0x2a0a, "Error history I_T nexus cleared"],
  [0x2a0b, "Error history snapshot released"],
  [0x2a0c, "Error recovery attributes have changed"],
  [0x2a0d, "Data encryption capabilities changed"],
  [0x2a10, "Timestamp changed"],
  [0x2a11, "Data encryption parameters changed by another i_t nexus"],
  [0x2a12, "Data encryption parameters changed by vendor specific event"],
  [0x2a13, "Data encryption key instance counter has changed"],
  [0x2a14, "SA creation capabilities data has changed"],
  [0x2a15, "Medium removal prevention preempted"],
  [0x2a16, "Zone reset write pointer recommended"],
  [0x3900, "Saving parameters not supported"],
  [0x3a00, "Medium not present"],
  [0x3a01, "Medium not present - tray closed"],
  [0x3a02, "Medium not present - tray open"],
  [0x3a03, "Medium not present - loadable"],
  [0x3a04, "Medium not present - medium auxiliary memory accessible"],
  [0x3f00, "Target operating conditions have changed"],
  [0x3f01, "Microcode has been changed"],
  [0x3f02, "Changed operating definition"],
  [0x3f03, "Inquiry data has changed"],
  [0x3f04, "Component device attached"],
  [0x3f05, "Device identifier changed"],
  [0x3f06, "Redundancy group created or modified"],
  [0x3f07, "Redundancy group deleted"],
  [0x3f08, "Spare created or modified"],
  [0x3f09, "Spare deleted"],
  [0x3f0a, "Volume set created or modified"],
  [0x3f0b, "Volume set deleted"],
  [0x3f0c, "Volume set deassigned"],
  [0x3f0d, "Volume set reassigned"],
  [0x3f0e, "Reported luns data has changed"],
  [0x3f0f, "Echo buffer overwritten"],
  [0x3f10, "Medium loadable"],
  [0x3f11, "Medium auxiliary memory accessible"],
  [0x3f12, "iSCSI IP address added"],
  [0x3f13, "iSCSI IP address removed"],
  [0x3f14, "iSCSI IP address changed"],
  [0x3f15, "Inspect referrals sense descriptors"],
  [0x3f16, "Microcode has been changed without reset"],
  [0x3f17, "Zone transition to full"],
  [0x3f18, "Bind completed"],
  [0x3f19, "Bind redirected"],
  [0x3f1a, "Subsidiary binding changed"],
  [0x4400, "Internal target failure"],
  [0x4401, "Persistent reservation information lost"],
  [0x4471, "ATA device failed set features"],
  [0x4b00, "Data phase error"],
  [0x4b01, "Invalid target port transfer tag received"],
  [0x4b02, "Too much write data"],
  [0x4b03, "Ack/nak timeout"],
  [0x4b04, "Nak received"],
  [0x4b05, "Data offset error"],
  [0x4b06, "Initiator response timeout"],
  [0x4b07, "Connection lost"],
  [0x4b08, "Data-in buffer overflow - data buffer size"],
  [0x4b09, "Data-in buffer overflow - data buffer descriptor area"],
  [0x4b0a, "Data-in buffer error"],
  [0x4b0b, "Data-out buffer overflow - data buffer size"],
  [0x4b0c, "Data-out buffer overflow - data buffer descriptor area"],
  [0x4b0d, "Data-out buffer error"],
  [0x4b0e, "PCIe fabric error"],
  [0x4b0f, "PCIe completion timeout"],
  [0x4b10, "PCIe completer abort"],
  [0x4b11, "PCIe poisoned tlp received"],
  [0x4b12, "PCIe eCRC check failed"],
  [0x4b13, "PCIe unsupported request"],
  [0x4b14, "PCIe acs violation"],
  [0x4b15, "PCIe tlp prefix blocked"],
]);

/**
 * `scsi_format_extd_sense`: `Add. Sense: <text>`, or for codes without text
 * `ASC=0x%x ASCQ=0x%x ` with `<<vendor>>` before vendor-specific values. The text table holds
 * the whole ASC families the model produces or reacts to (the T10 descriptions, as the kernel
 * prints them with CONFIG_SCSI_CONSTANTS); others print in the numeric form.
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
