/**
 * SCSI command descriptor blocks (SPC-4 / SBC-3) the model speaks, and decoders for the data
 * they carry: standard INQUIRY, VPD pages 0x80/0x83, REPORT/SET TARGET PORT GROUPS.
 * Builders return fresh buffers laid out exactly as the kernel and multipath-tools build them.
 */

/** Operation codes (`include/scsi/scsi_proto.h`). */
export const ScsiOp = {
  TEST_UNIT_READY: 0x00,
  REQUEST_SENSE: 0x03,
  READ_6: 0x08,
  WRITE_6: 0x0a,
  INQUIRY: 0x12,
  MODE_SELECT: 0x15,
  MODE_SENSE: 0x1a,
  START_STOP: 0x1b,
  READ_CAPACITY: 0x25,
  READ_10: 0x28,
  WRITE_10: 0x2a,
  MODE_SELECT_10: 0x55,
  MODE_SENSE_10: 0x5a,
  PERSISTENT_RESERVE_IN: 0x5e,
  PERSISTENT_RESERVE_OUT: 0x5f,
  READ_16: 0x88,
  WRITE_16: 0x8a,
  SERVICE_ACTION_IN_16: 0x9e,
  REPORT_LUNS: 0xa0,
  MAINTENANCE_IN: 0xa3,
  MAINTENANCE_OUT: 0xa4,
  READ_12: 0xa8,
  WRITE_12: 0xaa,
} as const;

/** MAINTENANCE IN service action REPORT TARGET PORT GROUPS. */
export const MI_REPORT_TARGET_PGS = 0x0a;
/** MAINTENANCE IN byte 1 bits 7:5 = 001b: ask for the extended header (parameter data format 1). */
export const MI_EXT_HDR_PARAM_FMT = 0x20;
/** MAINTENANCE OUT service action SET TARGET PORT GROUPS. */
export const MO_SET_TARGET_PGS = 0x0a;
/** SERVICE ACTION IN(16) service action READ CAPACITY(16). */
export const SAI_READ_CAPACITY_16 = 0x10;

/** TPGS field of standard INQUIRY byte 5 (bits 5:4). */
export const TpgsMode = {
  NONE: 0x0,
  IMPLICIT: 0x1,
  EXPLICIT: 0x2,
  BOTH: 0x3,
} as const;

/** Supported-states bits of an RTPG descriptor's byte 1 (`TPGS_SUPPORT_*`). */
export const TpgsSupport = {
  OPTIMIZED: 0x01,
  NONOPTIMIZED: 0x02,
  STANDBY: 0x04,
  UNAVAILABLE: 0x08,
  LBA_DEPENDENT: 0x10,
  OFFLINE: 0x40,
  TRANSITION: 0x80,
  /** Every state the kernel knows (`TPGS_SUPPORT_ALL`). */
  ALL: 0xdf,
} as const;

/** Designator types of VPD page 0x83 (low nibble of byte 1). */
export const DesignatorType = {
  VENDOR_SPECIFIC: 0x0,
  T10_VENDOR_ID: 0x1,
  EUI64: 0x2,
  NAA: 0x3,
  RELATIVE_TARGET_PORT: 0x4,
  TARGET_PORT_GROUP: 0x5,
  LOGICAL_UNIT_GROUP: 0x6,
  MD5_LUN: 0x7,
  SCSI_NAME_STRING: 0x8,
} as const;

/** Code sets of a designator (low nibble of byte 0). */
export const CodeSet = { BINARY: 0x1, ASCII: 0x2, UTF8: 0x3 } as const;

/** Association of a designator (byte 1 bits 5:4). */
export const Association = { LUN: 0x0, TARGET_PORT: 0x1, TARGET_DEVICE: 0x2 } as const;

function be16(b: Uint8Array, off: number): number {
  return ((b[off] ?? 0) << 8) | (b[off + 1] ?? 0);
}

function be32(b: Uint8Array, off: number): number {
  return (
    (((b[off] ?? 0) << 24) | ((b[off + 1] ?? 0) << 16) | ((b[off + 2] ?? 0) << 8) | (b[off + 3] ?? 0)) >>> 0
  );
}

function putBe16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

function putBe32(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 24) & 0xff;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}

/** Writes a 64-bit big-endian integer (exact up to 2^53). */
function putBe64(b: Uint8Array, off: number, v: number): void {
  const hi = Math.floor(v / 0x1_0000_0000);
  putBe32(b, off, hi >>> 0);
  putBe32(b, off + 4, v >>> 0);
}

/** Reads a 64-bit big-endian integer (exact up to 2^53). */
export function getBe64(b: Uint8Array, off: number): number {
  return be32(b, off) * 0x1_0000_0000 + be32(b, off + 4);
}

export { be16 as getBe16, be32 as getBe32, putBe16, putBe32, putBe64 };

/** `COMMAND_SIZE(opcode)`: CDB length from the group code (6, 10, 10, 16, 16, 12, 10, 10). */
export function cdbLength(opcode: number): number {
  return [6, 10, 10, 12, 16, 12, 10, 10][(opcode >> 5) & 7] ?? 6;
}

/** TEST UNIT READY. */
export function testUnitReadyCdb(): Uint8Array {
  return new Uint8Array(6);
}

/** Standard INQUIRY with a 16-bit allocation length. */
export function inquiryCdb(allocLen: number): Uint8Array {
  const c = new Uint8Array(6);
  c[0] = ScsiOp.INQUIRY;
  putBe16(c, 3, allocLen);
  return c;
}

/** INQUIRY with EVPD set for `page`, with a 16-bit allocation length. */
export function inquiryVpdCdb(page: number, allocLen: number): Uint8Array {
  const c = inquiryCdb(allocLen);
  c[1] = 0x01;
  c[2] = page & 0xff;
  return c;
}

/** REPORT TARGET PORT GROUPS (MAINTENANCE IN 0xA3/0x0A), optionally asking for the extended header. */
export function reportTargetPortGroupsCdb(allocLen: number, extendedHeader: boolean): Uint8Array {
  const c = new Uint8Array(12);
  c[0] = ScsiOp.MAINTENANCE_IN;
  c[1] = MI_REPORT_TARGET_PGS | (extendedHeader ? MI_EXT_HDR_PARAM_FMT : 0);
  putBe32(c, 6, allocLen);
  return c;
}

/** SET TARGET PORT GROUPS (MAINTENANCE OUT 0xA4/0x0A) with a parameter list of `paramLen` bytes. */
export function setTargetPortGroupsCdb(paramLen: number): Uint8Array {
  const c = new Uint8Array(12);
  c[0] = ScsiOp.MAINTENANCE_OUT;
  c[1] = MO_SET_TARGET_PGS;
  putBe32(c, 6, paramLen);
  return c;
}

/** One SET TARGET PORT GROUPS descriptor: ask for `state` on group `groupId`. */
export interface StpgDescriptor {
  readonly state: number;
  readonly groupId: number;
}

/** The STPG parameter list: 4 reserved bytes, then 4 bytes per descriptor (state, reserved, group). */
export function stpgParameterList(descs: readonly StpgDescriptor[]): Uint8Array {
  const b = new Uint8Array(4 + 4 * descs.length);
  descs.forEach((d, i) => {
    b[4 + 4 * i] = d.state & 0x0f;
    putBe16(b, 4 + 4 * i + 2, d.groupId);
  });
  return b;
}

/** Decodes an STPG parameter list (the target's side). */
export function parseStpgParameterList(data: Uint8Array): StpgDescriptor[] {
  const out: StpgDescriptor[] = [];
  for (let off = 4; off + 4 <= data.length; off += 4) {
    out.push({ state: (data[off] ?? 0) & 0x0f, groupId: be16(data, off + 2) });
  }
  return out;
}

/** READ CAPACITY(10). */
export function readCapacity10Cdb(): Uint8Array {
  const c = new Uint8Array(10);
  c[0] = ScsiOp.READ_CAPACITY;
  return c;
}

/** READ CAPACITY(16) (SERVICE ACTION IN(16) / 0x10). */
export function readCapacity16Cdb(allocLen: number): Uint8Array {
  const c = new Uint8Array(16);
  c[0] = ScsiOp.SERVICE_ACTION_IN_16;
  c[1] = SAI_READ_CAPACITY_16;
  putBe32(c, 10, allocLen);
  return c;
}

/** READ(10) of `blocks` logical blocks at `lba`. */
export function read10Cdb(lba: number, blocks: number): Uint8Array {
  const c = new Uint8Array(10);
  c[0] = ScsiOp.READ_10;
  putBe32(c, 2, lba);
  putBe16(c, 7, blocks);
  return c;
}

/** WRITE(10). */
export function write10Cdb(lba: number, blocks: number): Uint8Array {
  const c = read10Cdb(lba, blocks);
  c[0] = ScsiOp.WRITE_10;
  return c;
}

/** READ(16). */
export function read16Cdb(lba: number, blocks: number): Uint8Array {
  const c = new Uint8Array(16);
  c[0] = ScsiOp.READ_16;
  putBe64(c, 2, lba);
  putBe32(c, 10, blocks);
  return c;
}

/** WRITE(16). */
export function write16Cdb(lba: number, blocks: number): Uint8Array {
  const c = read16Cdb(lba, blocks);
  c[0] = ScsiOp.WRITE_16;
  return c;
}

/** MODE SELECT(6): `pf` page format, `sp` save pages. */
export function modeSelect6Cdb(paramLen: number, pf: boolean, sp: boolean): Uint8Array {
  const c = new Uint8Array(6);
  c[0] = ScsiOp.MODE_SELECT;
  c[1] = (pf ? 0x10 : 0) | (sp ? 0x01 : 0);
  c[4] = paramLen & 0xff;
  return c;
}

/** MODE SELECT(10). */
export function modeSelect10Cdb(paramLen: number, pf: boolean, sp: boolean): Uint8Array {
  const c = new Uint8Array(10);
  c[0] = ScsiOp.MODE_SELECT_10;
  c[1] = (pf ? 0x10 : 0) | (sp ? 0x01 : 0);
  putBe16(c, 7, paramLen);
  return c;
}

/** Page control of MODE SENSE: current, changeable, default, saved values. */
export type ModePageControl = 0 | 1 | 2 | 3;

/** MODE SENSE(6). */
export function modeSense6Cdb(
  page: number,
  subpage: number,
  pc: ModePageControl,
  dbd: boolean,
  allocLen: number,
): Uint8Array {
  const c = new Uint8Array(6);
  c[0] = ScsiOp.MODE_SENSE;
  c[1] = dbd ? 0x08 : 0;
  c[2] = ((pc & 3) << 6) | (page & 0x3f);
  c[3] = subpage & 0xff;
  c[4] = allocLen & 0xff;
  return c;
}

/** MODE SENSE(10). */
export function modeSense10Cdb(
  page: number,
  subpage: number,
  pc: ModePageControl,
  dbd: boolean,
  allocLen: number,
): Uint8Array {
  const c = new Uint8Array(10);
  c[0] = ScsiOp.MODE_SENSE_10;
  c[1] = dbd ? 0x08 : 0;
  c[2] = ((pc & 3) << 6) | (page & 0x3f);
  c[3] = subpage & 0xff;
  putBe16(c, 7, allocLen);
  return c;
}

/** START STOP UNIT (`start` 1 spins up / activates, as hp_sw uses it). */
export function startStopUnitCdb(start: boolean, loej = false, immed = false): Uint8Array {
  const c = new Uint8Array(6);
  c[0] = ScsiOp.START_STOP;
  c[1] = immed ? 0x01 : 0;
  c[4] = (loej ? 0x02 : 0) | (start ? 0x01 : 0);
  return c;
}

const OPCODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, "Test Unit Ready"],
  [0x03, "Request Sense"],
  [0x08, "Read(6)"],
  [0x0a, "Write(6)"],
  [0x12, "Inquiry"],
  [0x15, "Mode Select(6)"],
  [0x1a, "Mode Sense(6)"],
  [0x1b, "Start/Stop Unit"],
  [0x1d, "Send Diagnostic"],
  [0x25, "Read Capacity(10)"],
  [0x28, "Read(10)"],
  [0x2a, "Write(10)"],
  [0x35, "Synchronize Cache(10)"],
  [0x55, "Mode Select(10)"],
  [0x5a, "Mode Sense(10)"],
  [0x5e, "Persistent reserve in"],
  [0x5f, "Persistent reserve out"],
  [0x88, "Read(16)"],
  [0x8a, "Write(16)"],
  [0x9e, "Service action in(16)"],
  [0x9f, "Service action out(16)"],
  [0xa0, "Report luns"],
  [0xa3, "Maintenance in"],
  [0xa4, "Maintenance out"],
  [0xa8, "Read(12)"],
  [0xaa, "Write(12)"],
]);

const SA_NAMES: ReadonlyMap<number, ReadonlyMap<number, string>> = new Map([
  [
    0xa3,
    new Map([
      [0x5, "Report identifying information"],
      [0xa, "Report target port groups"],
      [0xb, "Report aliases"],
      [0xc, "Report supported operation codes"],
      [0xd, "Report supported task management functions"],
      [0xe, "Report priority"],
      [0xf, "Report timestamp"],
      [0x10, "Management protocol in"],
    ]),
  ],
  [
    0xa4,
    new Map([
      [0x6, "Set identifying information"],
      [0xa, "Set target port groups"],
      [0xb, "Change aliases"],
      [0xc, "Remove I_T nexus"],
      [0xe, "Set priority"],
      [0xf, "Set timestamp"],
      [0x10, "Management protocol out"],
    ]),
  ],
  [
    0x9e,
    new Map([
      [0x10, "Read capacity(16)"],
      [0x11, "Read long(16)"],
      [0x12, "Get LBA status"],
      [0x13, "Report referrals"],
    ]),
  ],
  [0x9f, new Map([[0x11, "Write long(16)"]])],
  [
    0x5e,
    new Map([
      [0x0, "Persistent reserve in, read keys"],
      [0x1, "Persistent reserve in, read reservation"],
      [0x2, "Persistent reserve in, report capabilities"],
      [0x3, "Persistent reserve in, read full status"],
    ]),
  ],
]);

/**
 * The command's name as the kernel's `scsi_format_opcode_name` prints it (`Inquiry`,
 * `Report target port groups`, `opcode=0xc0 (vendor)`, `Maintenance in, sa=0x1f`). Names are known
 * for the opcodes the model issues; others print in the numeric form.
 */
export function opcodeName(cdb: Uint8Array): string {
  const op = cdb[0] ?? 0;
  const sa = (cdb[1] ?? 0) & 0x1f;
  const name = op >= 0xc0 ? undefined : OPCODE_NAMES.get(op);
  const sas = op >= 0xc0 ? undefined : SA_NAMES.get(op);
  if (!sas) {
    if (name) return name;
    if (op >= 0xc0) return `opcode=0x${op.toString(16)} (vendor)`;
    if (op >= 0x60 && op < 0x7e) return `opcode=0x${op.toString(16)} (reserved)`;
    return `opcode=0x${op.toString(16)}`;
  }
  const saName = sas.get(sa);
  if (saName) return saName;
  if (name) return `${name}, sa=0x${sa.toString(16)}`;
  return `opcode=0x${op.toString(16)}, sa=0x${sa.toString(16)}`;
}

/** `__scsi_format_command`: the opcode name then every CDB byte as ` %02x`. */
export function formatCdb(cdb: Uint8Array): string {
  const len = Math.min(cdb.length, cdbLength(cdb[0] ?? 0));
  let s = opcodeName(cdb);
  for (let i = 0; i < len; i++) s += ` ${hex2(cdb[i] ?? 0)}`;
  return s;
}

function hex2(v: number): string {
  return v.toString(16).padStart(2, "0");
}

/** A CDB decoded for the device side (what a target needs to answer it). */
export type DecodedCdb =
  | { readonly op: "test-unit-ready" }
  | { readonly op: "inquiry"; readonly evpd: boolean; readonly page: number; readonly allocLen: number }
  | {
      readonly op: "read" | "write";
      readonly lba: number;
      readonly blocks: number;
      readonly fua: boolean;
      readonly cdbLen: 6 | 10 | 12 | 16;
    }
  | { readonly op: "read-capacity-10" }
  | { readonly op: "read-capacity-16"; readonly allocLen: number }
  | { readonly op: "report-target-port-groups"; readonly extendedHeader: boolean; readonly allocLen: number }
  | { readonly op: "set-target-port-groups"; readonly paramLen: number }
  | {
      readonly op: "mode-select";
      readonly cdbLen: 6 | 10;
      readonly pf: boolean;
      readonly sp: boolean;
      readonly paramLen: number;
    }
  | {
      readonly op: "mode-sense";
      readonly cdbLen: 6 | 10;
      readonly dbd: boolean;
      readonly pc: ModePageControl;
      readonly page: number;
      readonly subpage: number;
      readonly allocLen: number;
    }
  | {
      readonly op: "start-stop-unit";
      readonly start: boolean;
      readonly loej: boolean;
      readonly immed: boolean;
    }
  | { readonly op: "request-sense"; readonly allocLen: number }
  | { readonly op: "report-luns"; readonly allocLen: number }
  | { readonly op: "other"; readonly opcode: number; readonly serviceAction: number };

/**
 * Decodes the CDBs the model's devices answer. A CDB shorter than its opcode's group length
 * decodes as `other` (the target then answers ILLEGAL REQUEST, as for an unknown opcode).
 */
export function decodeCdb(cdb: Uint8Array): DecodedCdb {
  const op = cdb[0] ?? 0;
  const b = (i: number) => cdb[i] ?? 0;
  const other: DecodedCdb = { op: "other", opcode: op, serviceAction: b(1) & 0x1f };
  if (cdb.length < cdbLength(op)) return other;
  switch (op) {
    case ScsiOp.TEST_UNIT_READY:
      return { op: "test-unit-ready" };
    case ScsiOp.REQUEST_SENSE:
      return { op: "request-sense", allocLen: b(4) };
    case ScsiOp.INQUIRY:
      return { op: "inquiry", evpd: (b(1) & 1) !== 0, page: b(2), allocLen: be16(cdb, 3) };
    case ScsiOp.READ_6:
    case ScsiOp.WRITE_6:
      return {
        op: op === ScsiOp.READ_6 ? "read" : "write",
        lba: ((b(1) & 0x1f) << 16) | (b(2) << 8) | b(3),
        blocks: b(4) === 0 ? 256 : b(4),
        fua: false,
        cdbLen: 6,
      };
    case ScsiOp.READ_10:
    case ScsiOp.WRITE_10:
      return {
        op: op === ScsiOp.READ_10 ? "read" : "write",
        lba: be32(cdb, 2),
        blocks: be16(cdb, 7),
        fua: (b(1) & 0x08) !== 0,
        cdbLen: 10,
      };
    case ScsiOp.READ_12:
    case ScsiOp.WRITE_12:
      return {
        op: op === ScsiOp.READ_12 ? "read" : "write",
        lba: be32(cdb, 2),
        blocks: be32(cdb, 6),
        fua: (b(1) & 0x08) !== 0,
        cdbLen: 12,
      };
    case ScsiOp.READ_16:
    case ScsiOp.WRITE_16:
      return {
        op: op === ScsiOp.READ_16 ? "read" : "write",
        lba: getBe64(cdb, 2),
        blocks: be32(cdb, 10),
        fua: (b(1) & 0x08) !== 0,
        cdbLen: 16,
      };
    case ScsiOp.READ_CAPACITY:
      return { op: "read-capacity-10" };
    case ScsiOp.SERVICE_ACTION_IN_16:
      return (b(1) & 0x1f) === SAI_READ_CAPACITY_16
        ? { op: "read-capacity-16", allocLen: be32(cdb, 10) }
        : other;
    case ScsiOp.MAINTENANCE_IN:
      return (b(1) & 0x1f) === MI_REPORT_TARGET_PGS
        ? {
            op: "report-target-port-groups",
            extendedHeader: (b(1) & 0xe0) === MI_EXT_HDR_PARAM_FMT,
            allocLen: be32(cdb, 6),
          }
        : other;
    case ScsiOp.MAINTENANCE_OUT:
      return (b(1) & 0x1f) === MO_SET_TARGET_PGS
        ? { op: "set-target-port-groups", paramLen: be32(cdb, 6) }
        : other;
    case ScsiOp.MODE_SELECT:
      return { op: "mode-select", cdbLen: 6, pf: (b(1) & 0x10) !== 0, sp: (b(1) & 1) !== 0, paramLen: b(4) };
    case ScsiOp.MODE_SELECT_10:
      return {
        op: "mode-select",
        cdbLen: 10,
        pf: (b(1) & 0x10) !== 0,
        sp: (b(1) & 1) !== 0,
        paramLen: be16(cdb, 7),
      };
    case ScsiOp.MODE_SENSE:
      return {
        op: "mode-sense",
        cdbLen: 6,
        dbd: (b(1) & 0x08) !== 0,
        pc: ((b(2) >> 6) & 3) as ModePageControl,
        page: b(2) & 0x3f,
        subpage: b(3),
        allocLen: b(4),
      };
    case ScsiOp.MODE_SENSE_10:
      return {
        op: "mode-sense",
        cdbLen: 10,
        dbd: (b(1) & 0x08) !== 0,
        pc: ((b(2) >> 6) & 3) as ModePageControl,
        page: b(2) & 0x3f,
        subpage: b(3),
        allocLen: be16(cdb, 7),
      };
    case ScsiOp.START_STOP:
      return {
        op: "start-stop-unit",
        start: (b(4) & 1) !== 0,
        loej: (b(4) & 2) !== 0,
        immed: (b(1) & 1) !== 0,
      };
    case ScsiOp.REPORT_LUNS:
      return { op: "report-luns", allocLen: be32(cdb, 6) };
    default:
      return other;
  }
}

// ---------------------------------------------------------------------------------------------
// Standard INQUIRY

/** Decoded standard INQUIRY data. */
export interface StandardInquiry {
  /** Peripheral qualifier (byte 0 bits 7:5). */
  readonly qualifier: number;
  /** Peripheral device type (byte 0 bits 4:0; 0 = disk). */
  readonly deviceType: number;
  readonly removable: boolean;
  /** VERSION byte (5 = SPC-3, 6 = SPC-4). */
  readonly version: number;
  readonly responseDataFormat: number;
  /** ADDITIONAL LENGTH (byte 4): total length is this + 5. */
  readonly additionalLength: number;
  /** TPGS (byte 5 bits 5:4): see {@link TpgsMode}. */
  readonly tpgs: number;
  /** Protect bit (byte 5 bit 0). */
  readonly protect: boolean;
  /** Multi-port (byte 6 bit 4). */
  readonly multiPort: boolean;
  /** CmdQue (byte 7 bit 1). */
  readonly cmdQue: boolean;
  /** T10 vendor identification, 8 characters as sent (space padded). */
  readonly vendor: string;
  /** Product identification, 16 characters. */
  readonly product: string;
  /** Product revision level, 4 characters. */
  readonly revision: string;
}

function latin1(b: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = off; i < off + len; i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

/** `scsi_device_tpgs`: the TPGS field of cached INQUIRY data (0 when too short). */
export function inquiryTpgs(inq: Uint8Array): number {
  return inq.length > 5 ? ((inq[5] ?? 0) >> 4) & 0x3 : 0;
}

/** Decodes standard INQUIRY data; missing bytes read as 0 (a short reply is not an error here). */
export function parseStandardInquiry(inq: Uint8Array): StandardInquiry {
  const b0 = inq[0] ?? 0;
  return {
    qualifier: (b0 >> 5) & 0x7,
    deviceType: b0 & 0x1f,
    removable: ((inq[1] ?? 0) & 0x80) !== 0,
    version: inq[2] ?? 0,
    responseDataFormat: (inq[3] ?? 0) & 0x0f,
    additionalLength: inq[4] ?? 0,
    tpgs: inquiryTpgs(inq),
    protect: ((inq[5] ?? 0) & 0x01) !== 0,
    multiPort: ((inq[6] ?? 0) & 0x10) !== 0,
    cmdQue: ((inq[7] ?? 0) & 0x02) !== 0,
    vendor: latin1(inq, 8, 8),
    product: latin1(inq, 16, 16),
    revision: latin1(inq, 32, 4),
  };
}

/** Fields for {@link buildStandardInquiry}. */
export interface StandardInquiryInit {
  readonly vendor: string;
  readonly product: string;
  readonly revision: string;
  readonly deviceType?: number;
  readonly qualifier?: number;
  /** Default 6 (SPC-4). */
  readonly version?: number;
  readonly tpgs?: number;
  readonly multiPort?: boolean;
  /** Vendor-specific bytes 36..55 (e.g. a serial number some arrays put there). */
  readonly vendorSpecific?: Uint8Array;
  /** Total length (default 96, at least 36). */
  readonly length?: number;
}

function putAscii(b: Uint8Array, off: number, len: number, s: string): void {
  for (let i = 0; i < len; i++) b[off + i] = i < s.length ? s.charCodeAt(i) & 0xff : 0x20;
}

/** Builds standard INQUIRY data (the target's side, and the SCSI core's cached copy in fakes). */
export function buildStandardInquiry(init: StandardInquiryInit): Uint8Array {
  const len = Math.max(36, init.length ?? 96);
  const b = new Uint8Array(len);
  b[0] = ((init.qualifier ?? 0) << 5) | ((init.deviceType ?? 0) & 0x1f);
  b[2] = init.version ?? 6;
  b[3] = 0x02;
  b[4] = len - 5;
  b[5] = ((init.tpgs ?? 0) & 0x3) << 4;
  b[6] = init.multiPort ? 0x10 : 0;
  b[7] = 0x02;
  putAscii(b, 8, 8, init.vendor);
  putAscii(b, 16, 16, init.product);
  putAscii(b, 32, 4, init.revision);
  if (init.vendorSpecific) b.set(init.vendorSpecific.subarray(0, Math.min(20, len - 36)), 36);
  return b;
}

// ---------------------------------------------------------------------------------------------
// VPD pages

/** Page length of a VPD page (bytes 2..3) plus its 4-byte header. */
export function vpdPageLength(page: Uint8Array): number {
  return be16(page, 2) + 4;
}

/** Builds a VPD page from its payload (peripheral byte 0 = disk). */
export function buildVpdPage(pageCode: number, payload: Uint8Array, peripheral = 0): Uint8Array {
  const b = new Uint8Array(4 + payload.length);
  b[0] = peripheral;
  b[1] = pageCode;
  putBe16(b, 2, payload.length);
  b.set(payload, 4);
  return b;
}

/** The supported-pages page (0x00) listing `pages`. */
export function buildSupportedVpdPages(pages: readonly number[]): Uint8Array {
  return buildVpdPage(0x00, Uint8Array.from([0x00, ...pages.filter((p) => p !== 0)].sort((a, b) => a - b)));
}

/** Unit serial number page (0x80). */
export function buildVpd80(serial: string): Uint8Array {
  const p = new Uint8Array(serial.length);
  putAscii(p, 0, serial.length, serial);
  return buildVpdPage(0x80, p);
}

/** The serial of a page 0x80 (bytes 4.., as many as the page length says), trailing NULs dropped. */
export function parseVpd80(page: Uint8Array): string {
  const len = Math.min(be16(page, 2), Math.max(0, page.length - 4));
  return latin1(page, 4, len).replace(/\0+$/, "");
}

/** One identification descriptor of VPD page 0x83. */
export interface Designator {
  readonly protocolId: number;
  readonly codeSet: number;
  /** PIV bit: `protocolId` is valid. */
  readonly piv: boolean;
  readonly association: number;
  /** See {@link DesignatorType}. */
  readonly type: number;
  readonly identifier: Uint8Array;
}

/** The descriptors of a page 0x83 that fit inside both the page length and the buffer. */
export function parseVpd83(page: Uint8Array): Designator[] {
  const end = Math.min(page.length, vpdPageLength(page));
  const out: Designator[] = [];
  for (let off = 4; off + 4 <= end; ) {
    const len = page[off + 3] ?? 0;
    if (off + 4 + len > end) break;
    const b0 = page[off] ?? 0;
    const b1 = page[off + 1] ?? 0;
    out.push({
      protocolId: (b0 >> 4) & 0xf,
      codeSet: b0 & 0xf,
      piv: (b1 & 0x80) !== 0,
      association: (b1 >> 4) & 0x3,
      type: b1 & 0xf,
      identifier: page.slice(off + 4, off + 4 + len),
    });
    off += 4 + len;
  }
  return out;
}

/** Builds page 0x83 from designators. */
export function buildVpd83(designators: readonly Designator[]): Uint8Array {
  const total = designators.reduce((n, d) => n + 4 + d.identifier.length, 0);
  const p = new Uint8Array(total);
  let off = 0;
  for (const d of designators) {
    p[off] = ((d.protocolId & 0xf) << 4) | (d.codeSet & 0xf);
    p[off + 1] = (d.piv ? 0x80 : 0) | ((d.association & 3) << 4) | (d.type & 0xf);
    p[off + 3] = d.identifier.length;
    p.set(d.identifier, off + 4);
    off += 4 + d.identifier.length;
  }
  return buildVpdPage(0x83, p);
}

/** An NAA designator for the LUN (`naa` given as hex digits: 16 for NAA 5/6 short, 32 for NAA 6 extended). */
export function naaDesignator(naaHex: string): Designator {
  const bytes = new Uint8Array(naaHex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(naaHex.slice(2 * i, 2 * i + 2), 16);
  return {
    protocolId: 0,
    codeSet: CodeSet.BINARY,
    piv: false,
    association: Association.LUN,
    type: DesignatorType.NAA,
    identifier: bytes,
  };
}

/** A T10 vendor ID designator (vendor padded to 8, then the vendor-specific part). */
export function t10VendorDesignator(vendor: string, rest: string): Designator {
  const id = new Uint8Array(8 + rest.length);
  putAscii(id, 0, 8, vendor);
  putAscii(id, 8, rest.length, rest);
  return {
    protocolId: 0,
    codeSet: CodeSet.ASCII,
    piv: false,
    association: Association.LUN,
    type: DesignatorType.T10_VENDOR_ID,
    identifier: id,
  };
}

/** A relative target port designator (association target port). */
export function relativeTargetPortDesignator(relPort: number): Designator {
  const id = new Uint8Array(4);
  putBe16(id, 2, relPort);
  return {
    protocolId: 0,
    codeSet: CodeSet.BINARY,
    piv: false,
    association: Association.TARGET_PORT,
    type: DesignatorType.RELATIVE_TARGET_PORT,
    identifier: id,
  };
}

/** A target port group designator (association target port). */
export function targetPortGroupDesignator(groupId: number): Designator {
  const id = new Uint8Array(4);
  putBe16(id, 2, groupId);
  return {
    protocolId: 0,
    codeSet: CodeSet.BINARY,
    piv: false,
    association: Association.TARGET_PORT,
    type: DesignatorType.TARGET_PORT_GROUP,
    identifier: id,
  };
}

// ---------------------------------------------------------------------------------------------
// REPORT TARGET PORT GROUPS

/** One target port group descriptor of RTPG data. */
export interface TargetPortGroupDescriptor {
  /** Asymmetric access state (low nibble of byte 0): see `AccessState`. */
  readonly state: number;
  /** PREF bit (byte 0 bit 7). */
  readonly pref: boolean;
  /** Supported states (byte 1): see {@link TpgsSupport}. */
  readonly supported: number;
  readonly groupId: number;
  /** Status code (byte 5): 0 none, 1 set by STPG, 2 implicit change. */
  readonly status: number;
  readonly vendorUnique: number;
  /** Relative target port identifiers of the group. */
  readonly ports: readonly number[];
}

/** Decoded RTPG parameter data. */
export interface RtpgData {
  /** RETURN DATA LENGTH (bytes 0..3): the bytes that follow it. */
  readonly returnDataLength: number;
  /** Format 1 (extended header) was returned: byte 4 bits 6:4 = 001b. */
  readonly extendedHeader: boolean;
  /** IMPLICIT TRANSITION TIME (byte 5 of the extended header), seconds; 0 when absent. */
  readonly transitionTime: number;
  readonly groups: readonly TargetPortGroupDescriptor[];
}

/**
 * Decodes RTPG parameter data as the kernel does: descriptors from offset 8 (extended header) or
 * 4, while they start inside `return data length + 4` and the buffer.
 */
export function parseRtpg(data: Uint8Array): RtpgData {
  const returnDataLength = be32(data, 0);
  const extendedHeader = ((data[4] ?? 0) & 0x70) === 0x10;
  const transitionTime = extendedHeader ? (data[5] ?? 0) : 0;
  const end = Math.min(data.length, returnDataLength + 4);
  const groups: TargetPortGroupDescriptor[] = [];
  for (let off = extendedHeader ? 8 : 4; off + 8 <= end; ) {
    const count = data[off + 7] ?? 0;
    const ports: number[] = [];
    for (let i = 0; i < count && off + 8 + 4 * i + 4 <= end; i++) ports.push(be16(data, off + 8 + 4 * i + 2));
    groups.push({
      state: (data[off] ?? 0) & 0x0f,
      pref: ((data[off] ?? 0) & 0x80) !== 0,
      supported: data[off + 1] ?? 0,
      groupId: be16(data, off + 2),
      status: data[off + 5] ?? 0,
      vendorUnique: data[off + 6] ?? 0,
      ports,
    });
    off += 8 + 4 * count;
  }
  return { returnDataLength, extendedHeader, transitionTime, groups };
}

/** Options of {@link buildRtpg}. */
export interface BuildRtpgOptions {
  /** Return format 1 with the extended header. */
  readonly extendedHeader?: boolean;
  /** Implicit transition time for the extended header (seconds). */
  readonly transitionTime?: number;
}

/** Builds RTPG parameter data (the target's side). */
export function buildRtpg(
  groups: readonly TargetPortGroupDescriptor[],
  opts: BuildRtpgOptions = {},
): Uint8Array {
  const hdr = opts.extendedHeader ? 8 : 4;
  const body = groups.reduce((n, g) => n + 8 + 4 * g.ports.length, 0);
  const b = new Uint8Array(hdr + body);
  putBe32(b, 0, hdr - 4 + body);
  if (opts.extendedHeader) {
    b[4] = 0x10;
    b[5] = opts.transitionTime ?? 0;
  }
  let off = hdr;
  for (const g of groups) {
    b[off] = (g.pref ? 0x80 : 0) | (g.state & 0x0f);
    b[off + 1] = g.supported;
    putBe16(b, off + 2, g.groupId);
    b[off + 5] = g.status;
    b[off + 6] = g.vendorUnique;
    b[off + 7] = g.ports.length;
    for (let i = 0; i < g.ports.length; i++) putBe16(b, off + 8 + 4 * i + 2, g.ports[i] ?? 0);
    off += 8 + 4 * g.ports.length;
  }
  return b;
}

/** `print_alua_state`: the letter the ALUA handler logs for an access state. */
export function aluaStateChar(state: number): string {
  switch (state) {
    case 0x0:
      return "A";
    case 0x1:
      return "N";
    case 0x2:
      return "S";
    case 0x3:
      return "U";
    case 0x4:
      return "L";
    case 0xe:
      return "O";
    case 0xf:
      return "T";
    default:
      return "X";
  }
}

/** The `supports TOLUSNA` letters: upper case for a supported state, lower case otherwise. */
export function aluaSupportedString(valid: number): string {
  const f = (bit: number, c: string) => ((valid & bit) !== 0 ? c : c.toLowerCase());
  return (
    f(TpgsSupport.TRANSITION, "T") +
    f(TpgsSupport.OFFLINE, "O") +
    f(TpgsSupport.LBA_DEPENDENT, "L") +
    f(TpgsSupport.UNAVAILABLE, "U") +
    f(TpgsSupport.STANDBY, "S") +
    f(TpgsSupport.NONOPTIMIZED, "N") +
    f(TpgsSupport.OPTIMIZED, "A")
  );
}

/** `scsi_access_state_name`: the sysfs `access_state` text of a state (null for an unknown one). */
export function accessStateName(state: number): string | null {
  switch (state & 0x0f) {
    case 0x0:
      return "active/optimized";
    case 0x1:
      return "active/non-optimized";
    case 0x2:
      return "standby";
    case 0x3:
      return "unavailable";
    case 0x4:
      return "lba-dependent";
    case 0xe:
      return "offline";
    case 0xf:
      return "transitioning";
    default:
      return null;
  }
}
