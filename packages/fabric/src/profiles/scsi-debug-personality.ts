import { Asc, buildVpdPage, putBe16, putBe32 } from "@mp/dm-core";
import type { TargetPort } from "../hardware/array.js";
import { Ua } from "../hardware/unit-attention.js";
import { asciiField, putU64 } from "../scsi/bytes.js";
import { Op, Sa } from "../scsi/opcodes.js";
import { type SenseSpec, sense } from "../scsi/sense.js";
import type { Personality, TargetContext } from "../target/personality.js";
import { setCheckCondition, setInvalidField, type TargetIo } from "../target/target-io.js";

/** The module parameters of scsi_debug that shape what its devices answer. */
export interface ScsiDebugIdentityParams {
  readonly vpdUseHostno: boolean;
  readonly ptype: number;
  readonly scsiLevel: number;
  readonly removable: boolean;
  readonly inqVendor: string;
  readonly inqProduct: string;
  readonly inqRev: string;
  readonly maxLuns: number;
  readonly sectorSize: number;
  /** Capacity in logical blocks (`sdebug_capacity`). */
  readonly capacity: number;
  /** Store size in logical blocks (`sdebug_store_sectors`). */
  readonly storeSectors: number;
  readonly devSizeMb: number;
  readonly dsense: boolean;
  readonly ato: boolean;
  readonly optBlks: number;
  readonly physblkExp: number;
  readonly optXferlenExp: number;
  readonly jdelayNs: number;
  readonly ndelayNs: number;
  readonly uuidCtl: boolean;
  /** `opts` bit 0x1000: write cache off. */
  readonly noWce: boolean;
}

/** scsi_debug's version date, placed in the vendor-specific bytes of standard INQUIRY. */
export const SDEBUG_VERSION_DATE = "20210520";
/** The locally assigned NAA prefixes scsi_debug builds identifiers from. */
const NAA3_COMP_A = 0x3222222000000000n;
const NAA3_COMP_B = 0x3333333000000000n;
const NAA3_COMP_C = 0x3111111000000000n;
const LONG_INQ_SZ = 96;

/** Where a scsi_debug port sits: its (initiator-side) target id. */
export interface ScsiDebugPortInfo {
  readonly target: number;
}

/**
 * scsi_debug's answers, byte for byte: standard INQUIRY with implicit TPGS when
 * `vpd_use_hostno=0`, the VPD pages it lists (0x00, 0x80, 0x83 with its locally assigned NAA
 * designators, 0x84-0x88, 0x89, 0xb0-0xb2), REPORT TARGET PORT GROUPS whose state cycles with
 * the host number (host % 3: active/optimized, active/non-optimized, standby) plus the phantom
 * unavailable port B, its mode pages and MODE SELECT, and no ALUA enforcement (a standby port
 * still serves I/O; only the initiator's alua handler refuses it).
 */
export class ScsiDebugPersonality implements Personality {
  readonly name = "scsi_debug";
  readonly initialUa = Ua.POWER_ON_OCCURRED;
  readonly #p: ScsiDebugIdentityParams;
  readonly #ports = new WeakMap<TargetPort, ScsiDebugPortInfo>();
  /** Mode pages that MODE SELECT changes (module-global in scsi_debug). */
  readonly #caching = Uint8Array.of(
    0x8,
    18,
    0x14,
    0,
    0xff,
    0xff,
    0,
    0,
    0xff,
    0xff,
    0xff,
    0xff,
    0x80,
    0x14,
    0,
    0,
    0,
    0,
    0,
    0,
  );
  readonly #ctrl = Uint8Array.of(0xa, 10, 2, 0, 0, 0, 0, 0, 0, 0, 0x2, 0x4b);
  readonly #iec = Uint8Array.of(0x1c, 0xa, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x0, 0x0);
  #dsense: boolean;
  #wp = false;

  constructor(params: ScsiDebugIdentityParams) {
    this.#p = params;
    this.#dsense = params.dsense;
    if (params.noWce) this.#caching[2]! &= ~0x4;
  }

  registerPort(port: TargetPort, info: ScsiDebugPortInfo): void {
    this.#ports.set(port, info);
  }

  get descriptorSense(): boolean {
    return this.#dsense;
  }

  get writeProtect(): boolean {
    return this.#wp;
  }

  #target(ctx: TargetContext): number {
    return this.#ports.get(ctx.port)?.target ?? 0;
  }

  /** `lu_id_num`, `target_dev_id` and `port_group_id` as resp_inquiry derives them. */
  ids(ctx: TargetContext): { luIdNum: number; targetDevId: number; portGroupId: number } {
    const realHost = Math.max(0, ctx.initiator.hostNo);
    const portGroupId = (((realHost + 1) & 0x7f) << 8) + 0;
    const host = this.#p.vpdUseHostno ? realHost : 0;
    const t = this.#target(ctx);
    return {
      luIdNum: (host + 1) * 2000 + t * 1000 + ctx.lun,
      targetDevId: (host + 1) * 2000 + t * 1000 - 3,
      portGroupId,
    };
  }

  standardInquiry(_ctx: TargetContext): Uint8Array {
    const p = this.#p;
    const b = new Uint8Array(LONG_INQ_SZ);
    b[0] = p.ptype & 0x1f;
    b[1] = p.removable ? 0x80 : 0;
    b[2] = p.scsiLevel;
    b[3] = 2;
    b[4] = LONG_INQ_SZ - 5;
    if (!p.vpdUseHostno) b[5] = 0x10;
    b[6] = 0x10;
    b[7] = 0x0a;
    b.set(asciiField(p.inqVendor, 8), 8);
    b.set(asciiField(p.inqProduct, 16), 16);
    b.set(asciiField(p.inqRev, 4), 32);
    b.set(asciiField(SDEBUG_VERSION_DATE, 8), 36);
    putBe16(b, 58, 0xc0);
    putBe16(b, 60, 0x5c0);
    let n = 62;
    if (p.ptype === 0) {
      putBe16(b, n, 0x600);
      n += 2;
    } else if (p.ptype === 1) {
      putBe16(b, n, 0x525);
      n += 2;
    }
    putBe16(b, n, 0x2100);
    return b;
  }

  vpdPage(ctx: TargetContext, page: number): Uint8Array | null {
    const p = this.#p;
    const pdt = p.ptype & 0x1f;
    const isDisk = p.ptype === 0;
    const { luIdNum, targetDevId, portGroupId } = this.ids(ctx);
    const luIdStr = String(luIdNum).slice(0, 5);
    const vp = (code: number, payload: Uint8Array): Uint8Array => buildVpdPage(code, payload, pdt);
    switch (page) {
      case 0x00: {
        const pages = [0x00, 0x80, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88];
        if (isDisk) pages.push(0x89, 0xb0, 0xb1, 0xb2);
        return vp(0x00, Uint8Array.from(pages));
      }
      case 0x80:
        return vp(0x80, asciiField(luIdStr, luIdStr.length));
      case 0x83:
        return vp(0x83, this.#vpd83(portGroupId, targetDevId, luIdNum, luIdStr));
      case 0x84:
        return vp(
          0x84,
          Uint8Array.of(
            0x22,
            0x22,
            0x22,
            0,
            0xbb,
            0,
            0x22,
            0x22,
            0x22,
            0,
            0xbb,
            1,
            0x22,
            0x22,
            0x22,
            0,
            0xbb,
            2,
          ),
        );
      case 0x85:
        return vp(0x85, networkAddresses());
      case 0x86: {
        const b = new Uint8Array(0x3c);
        b[1] = 0x7;
        return vp(0x86, b);
      }
      case 0x87: {
        const b = new Uint8Array(8);
        b[0] = 0x2;
        b[2] = 0x80;
        b[4] = 0x18;
        b[6] = 0x82;
        return vp(0x87, b);
      }
      case 0x88:
        return vp(0x88, scsiPorts(targetDevId));
      case 0x89:
        return isDisk ? vp(0x89, ataInformation()) : null;
      case 0xb0:
        return isDisk ? vp(0xb0, this.#blockLimits()) : null;
      case 0xb1: {
        if (!isDisk) return null;
        const b = new Uint8Array(0x3c);
        b[1] = 1;
        b[3] = 5;
        return vp(0xb1, b);
      }
      case 0xb2:
        return isDisk ? vp(0xb2, new Uint8Array(4)) : null;
      default:
        return null;
    }
  }

  #vpd83(portGroupId: number, targetDevId: number, luIdNum: number, luIdStr: string): Uint8Array {
    const p = this.#p;
    const b = new Uint8Array(256);
    const portA = targetDevId + 1;
    b[0] = 0x2;
    b[1] = 0x1;
    b.set(asciiField(p.inqVendor, 8), 4);
    b.set(asciiField(p.inqProduct, 16), 12);
    b.set(asciiField(luIdStr, luIdStr.length), 28);
    let num = 8 + 16 + luIdStr.length;
    b[3] = num;
    num += 4;
    // NAA-3 logical unit identifier, then the relative port (A = 1).
    b.set([0x1, 0x3, 0x0, 0x8], num);
    num += 4;
    putU64(b, num, NAA3_COMP_B + BigInt(luIdNum));
    num += 8;
    b.set([0x61, 0x94, 0x0, 0x4, 0x0, 0x0, 0x0, 0x1], num);
    num += 8;
    // NAA-3 target port identifier.
    b.set([0x61, 0x93, 0x0, 0x8], num);
    num += 4;
    putU64(b, num, NAA3_COMP_A + BigInt(portA));
    num += 8;
    // Target port group.
    b.set([0x61, 0x95, 0x0, 0x4, 0, 0], num);
    num += 6;
    putBe16(b, num, portGroupId);
    num += 2;
    // NAA-3 target device identifier and its SCSI name string.
    b.set([0x61, 0xa3, 0x0, 0x8], num);
    num += 4;
    putU64(b, num, NAA3_COMP_A + BigInt(targetDevId));
    num += 8;
    b.set([0x63, 0xa8, 0x0, 24], num);
    num += 4;
    b.set(
      asciiField(`naa.32222220${(targetDevId >>> 0).toString(16).toUpperCase().padStart(8, "0")}`, 20),
      num,
    );
    num += 20 + 4;
    return b.slice(0, num);
  }

  #blockLimits(): Uint8Array {
    const p = this.#p;
    const b = new Uint8Array(0x3c);
    b[3] = 4;
    b[6] = 0x4;
    b[11] = 64;
    const gran =
      p.optXferlenExp !== 0 && p.physblkExp < p.optXferlenExp ? 1 << p.optXferlenExp : 1 << p.physblkExp;
    putBe16(b, 2, gran);
    if (p.storeSectors > 0x400) putBe32(b, 4, p.storeSectors);
    putBe32(b, 8, p.optBlks);
    putBe32(b, 24, 1);
    putU64(b, 32, 0xffffn);
    return b;
  }

  reportTargetPortGroups(ctx: TargetContext, _ext: boolean): Uint8Array {
    const host = Math.max(0, ctx.initiator.hostNo);
    const groupA = ((host + 1) & 0x7f) << 8;
    const groupB = groupA + 0x80;
    const b = new Uint8Array(4 + 16 * 2);
    let n = 4;
    if (!this.#p.vpdUseHostno) {
      b[n++] = host % 3;
      b[n++] = 0x0f;
    } else {
      b[n++] = 0x0;
      b[n++] = 0x01;
    }
    putBe16(b, n, groupA);
    n += 2;
    n += 3;
    b[n++] = 0x1;
    n += 2;
    putBe16(b, n, 1);
    n += 2;
    b[n++] = 3;
    b[n++] = 0x08;
    putBe16(b, n, groupB);
    n += 2;
    n += 3;
    b[n++] = 0x1;
    n += 2;
    putBe16(b, n, 2);
    n += 2;
    putBe32(b, 0, n - 4);
    return b.slice(0, n);
  }

  setTargetPortGroups(_ctx: TargetContext, _data: Uint8Array): SenseSpec | null {
    return sense(0x5, Asc.INVALID_OPCODE);
  }

  modePage(ctx: TargetContext, page: number, subpage: number, pc: number): Uint8Array | null {
    const isDisk = this.#p.ptype === 0;
    const { targetDevId } = this.ids(ctx);
    if (subpage > 0 && subpage < 0xff && page !== 0x19) return null;
    switch (page) {
      case 0x1:
        return this.#errRecovery(pc);
      case 0x2:
        return this.#disconnect(pc);
      case 0x3:
        return isDisk ? this.#format(pc) : null;
      case 0x8:
        return isDisk ? this.#cachingPage(pc) : null;
      case 0xa:
        return this.#ctrlPage(pc);
      case 0x19: {
        if (subpage > 0x2 && subpage < 0xff) return null;
        const parts: Uint8Array[] = [];
        if (subpage === 0 || subpage === 0xff) parts.push(this.#sasShort(pc));
        if (subpage === 1 || subpage === 0xff) parts.push(this.#sasPhy(pc, targetDevId));
        if (subpage === 2 || subpage === 0xff) parts.push(this.#sasShared(pc));
        return concat(parts);
      }
      case 0x1c:
        return this.#iecPage(pc);
      case 0x3f: {
        if (subpage !== 0 && subpage !== 0xff) return null;
        const parts = [this.#errRecovery(pc), this.#disconnect(pc)];
        if (isDisk) parts.push(this.#format(pc), this.#cachingPage(pc));
        parts.push(this.#ctrlPage(pc), this.#sasShort(pc));
        if (subpage === 0xff) parts.push(this.#sasPhy(pc, targetDevId), this.#sasShared(pc));
        parts.push(this.#iecPage(pc));
        return concat(parts);
      }
      default:
        return null;
    }
  }

  #errRecovery(pc: number): Uint8Array {
    const b = Uint8Array.of(0x1, 0xa, 0xc0, 11, 240, 0, 0, 0, 5, 0, 0xff, 0xff);
    if (pc === 1) b.fill(0, 2);
    return b;
  }

  #disconnect(pc: number): Uint8Array {
    const b = Uint8Array.of(0x2, 0xe, 128, 128, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    if (pc === 1) b.fill(0, 2);
    return b;
  }

  #format(pc: number): Uint8Array {
    const b = new Uint8Array(24);
    b[0] = 0x3;
    b[1] = 0x16;
    b[20] = 0x40;
    putBe16(b, 10, this.#geometry().sectorsPer);
    putBe16(b, 12, this.#p.sectorSize);
    if (this.#p.removable) b[20]! |= 0x20;
    if (pc === 1) b.fill(0, 2);
    return b;
  }

  #cachingPage(pc: number): Uint8Array {
    if (pc === 2)
      return Uint8Array.of(
        0x8,
        18,
        0x14,
        0,
        0xff,
        0xff,
        0,
        0,
        0xff,
        0xff,
        0xff,
        0xff,
        0x80,
        0x14,
        0,
        0,
        0,
        0,
        0,
        0,
      );
    const b = this.#caching.slice();
    if (pc === 1) b.set([0x4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2);
    return b;
  }

  #ctrlPage(pc: number): Uint8Array {
    if (pc === 2) return Uint8Array.of(0xa, 10, 2, 0, 0, 0, 0, 0, 0, 0, 0x2, 0x4b);
    if (this.#dsense) this.#ctrl[2]! |= 0x4;
    else this.#ctrl[2]! &= ~0x4;
    if (this.#p.ato) this.#ctrl[5]! |= 0x80;
    const b = this.#ctrl.slice();
    if (pc === 1) b.set([0x6, 0, 0, 0, 0, 0, 0, 0, 0, 0], 2);
    return b;
  }

  #iecPage(pc: number): Uint8Array {
    if (pc === 2) return Uint8Array.of(0x1c, 0xa, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x0, 0x0);
    const b = this.#iec.slice();
    if (pc === 1) b.set([0x4, 0xf, 0, 0, 0, 0, 0, 0, 0x0, 0x0], 2);
    return b;
  }

  #sasShort(pc: number): Uint8Array {
    const b = Uint8Array.of(0x19, 0x6, 0x6, 0x0, 0x7, 0xd0, 0x0, 0x0);
    if (pc === 1) b.fill(0, 2);
    return b;
  }

  #sasPhy(pc: number, targetDevId: number): Uint8Array {
    const b = new Uint8Array(104);
    b.set([0x59, 0x1, 0, 0x64, 0, 0x6, 0, 2, 0, 0, 0, 0, 0x10, 0x9, 0x8, 0x0], 0);
    b.set([0x2, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x99], 32);
    b.set([0, 1, 0, 0, 0x10, 0x9, 0x8, 0x0], 56);
    b.set([0x3, 0, 0, 0, 0, 0, 0, 0, 0x88, 0x99], 80);
    putU64(b, 16, NAA3_COMP_A);
    putU64(b, 24, NAA3_COMP_C + 1n);
    putU64(b, 64, NAA3_COMP_A);
    putU64(b, 72, NAA3_COMP_C + 1n);
    putBe32(b, 20, targetDevId + 1);
    putBe32(b, 68, targetDevId + 2);
    if (pc === 1) b.fill(0, 4);
    return b;
  }

  #sasShared(pc: number): Uint8Array {
    const b = new Uint8Array(16);
    b.set([0x59, 0x2, 0, 0xc, 0, 0x6, 0x10, 0], 0);
    if (pc === 1) b.fill(0, 4);
    return b;
  }

  #geometry(): { heads: number; sectorsPer: number } {
    let heads = 8;
    let sectorsPer = 32;
    if (this.#p.devSizeMb >= 256) heads = 64;
    else if (this.#p.devSizeMb >= 16) heads = 32;
    if (Math.floor(this.#p.capacity / (sectorsPer * heads)) >= 1024) {
      heads = 255;
      sectorsPer = 63;
    }
    return { heads, sectorsPer };
  }

  modeSelect(ctx: TargetContext, page: Uint8Array): SenseSpec | null {
    const mpage = page[0]! & 0x3f;
    if (page[0]! & 0x80) return { key: 0x5, asc: 0x26, ascq: 0 };
    const apply = (dst: Uint8Array): boolean => {
      if (dst[1] !== page[1]) return false;
      dst.set(page.subarray(2, dst.length), 2);
      return true;
    };
    let ok = false;
    if (mpage === 0x8) ok = apply(this.#caching);
    else if (mpage === 0xa) {
      ok = apply(this.#ctrl);
      if (ok) {
        this.#wp = (this.#ctrl[4]! & 0x8) !== 0;
        this.#dsense = (this.#ctrl[2]! & 0x4) !== 0;
      }
    } else if (mpage === 0x1c) ok = apply(this.#iec);
    if (!ok) return { key: 0x5, asc: 0x26, ascq: 0 };
    // scsi_debug marks the change on the device that asked for it.
    ctx.lu?.raiseUa(ctx.nexus, Ua.MODE_CHANGED);
    return null;
  }

  accessCheck(_ctx: TargetContext, _cdb: Uint8Array): SenseSpec | null {
    return null;
  }

  command(ctx: TargetContext, io: TargetIo): boolean {
    const op = io.cdb[0]!;
    if (ctx.lun >= this.#p.maxLuns && ctx.lun !== 0xc101) {
      io.hostByte = 0x01;
      io.resid = io.dataInLen;
      return true;
    }
    if (!SUPPORTED.has(op) || (op === Op.SERVICE_ACTION_IN_16 && ![0x10, 0x12].includes(io.cdb[1]! & 0x1f))) {
      if (SUPPORTED.has(op)) setInvalidField(io, true, 1, 4, this.#dsense);
      else setCheckCondition(io, sense(0x5, Asc.INVALID_OPCODE), this.#dsense);
      io.resid = io.dataInLen;
      return true;
    }
    if (op === Op.MAINTENANCE_IN && (io.cdb[1]! & 0x1f) !== Sa.REPORT_TARGET_PORT_GROUPS) {
      if (![0x0c, 0x0d].includes(io.cdb[1]! & 0x1f)) {
        setInvalidField(io, true, 1, 4, this.#dsense);
        io.resid = io.dataInLen;
        return true;
      }
    }
    return false;
  }

  reportsUa(opcode: number): boolean {
    return opcode !== Op.INQUIRY && opcode !== Op.REPORT_LUNS && opcode !== Op.REQUEST_SENSE;
  }

  serviceNs(_ctx: TargetContext, cdb: Uint8Array): number | null {
    const op = cdb[0]!;
    if (op === Op.INQUIRY || op === Op.REPORT_LUNS || op === Op.REQUEST_SENSE || !SUPPORTED.has(op)) return 0;
    const p = this.#p;
    if (op === Op.START_STOP_UNIT && (p.jdelayNs > 0 || p.ndelayNs > 10000)) {
      return Math.max(1, Math.round(p.jdelayNs / 4_000_000)) * 1_000_000_000;
    }
    if (
      (op === Op.SYNCHRONIZE_CACHE_10 || op === Op.SYNCHRONIZE_CACHE_16) &&
      (p.jdelayNs > 0 || p.ndelayNs > 10000)
    ) {
      return Math.max(1, Math.round(p.jdelayNs / 4_000_000)) * 50_000_000;
    }
    return p.ndelayNs > 0 ? p.ndelayNs : p.jdelayNs;
  }
}

/** Opcodes scsi_debug has a table entry for (everything else is INVALID COMMAND OPERATION CODE). */
const SUPPORTED = new Set([
  0x00, 0x01, 0x03, 0x08, 0x0a, 0x12, 0x15, 0x16, 0x17, 0x1a, 0x1b, 0x1d, 0x1e, 0x25, 0x28, 0x2a, 0x2f, 0x34,
  0x35, 0x3b, 0x41, 0x42, 0x4d, 0x55, 0x56, 0x57, 0x5a, 0x7f, 0x88, 0x89, 0x8a, 0x8f, 0x90, 0x91, 0x93, 0x9e,
  0x9f, 0xa0, 0xa3, 0xa8, 0xaa,
]);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

function networkAddresses(): Uint8Array {
  const out: number[] = [];
  for (const [assoc, url] of [
    [0x1, "https://www.kernel.org/config"],
    [0x4, "http://www.kernel.org/log"],
  ] as const) {
    let plen = url.length + 1;
    if (plen % 4) plen = (Math.floor(plen / 4) + 1) * 4;
    out.push(assoc, 0, 0, plen);
    for (let i = 0; i < plen; i++) out.push(i < url.length ? url.charCodeAt(i) : 0);
  }
  return Uint8Array.from(out);
}

function scsiPorts(targetDevId: number): Uint8Array {
  const b = new Uint8Array(48);
  for (const [i, rel] of [
    [0, 1],
    [1, 2],
  ] as const) {
    const o = i * 24;
    b[o + 3] = rel;
    b[o + 11] = 12;
    b.set([0x61, 0x93, 0x0, 0x8], o + 12);
    putU64(b, o + 16, NAA3_COMP_A + BigInt(targetDevId + 1 + i));
  }
  return b;
}

/**
 * ATA Information VPD page (SAT): the SAT vendor/product/revision strings and the device
 * signature scsi_debug reports; the IDENTIFY DEVICE data block is left zero (see README).
 */
function ataInformation(): Uint8Array {
  const b = new Uint8Array(0x238);
  b.set(asciiField("linux", 8), 4);
  b.set(asciiField("SAT scsi_debug", 16), 12);
  b.set(asciiField("1234", 4), 28);
  b[32] = 0x34;
  b[36] = 1;
  b[44] = 1;
  b[52] = 0xec;
  return b;
}
