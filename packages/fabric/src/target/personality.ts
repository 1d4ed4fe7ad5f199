import {
  Asc,
  type AscAscq,
  Association,
  buildVpd83,
  buildVpdPage,
  CodeSet,
  type Designator,
  DesignatorType,
  putBe16,
  putBe32,
  putBe64,
  relativeTargetPortDesignator,
  targetPortGroupDesignator,
} from "@mp/dm-core";
import { Aas } from "../hardware/alua.js";
import type {
  AluaDomain,
  InitiatorRef,
  LogicalUnit,
  NexusUa,
  StorageArray,
  TargetPort,
} from "../hardware/array.js";
import { Ua } from "../hardware/unit-attention.js";
import { asciiField, putU64 } from "../scsi/bytes.js";
import { FabricAsc, type SenseSpec, sense } from "../scsi/sense.js";
import type { TargetIo } from "./target-io.js";

/** Everything a target knows about one command's addressing. */
export interface TargetContext {
  readonly array: StorageArray;
  readonly port: TargetPort;
  /** The LU mapped at `lun` behind `port`, or null. */
  readonly lu: LogicalUnit | null;
  readonly lun: number;
  readonly initiator: InitiatorRef;
  /** I_T nexus key (initiator id, relative port). */
  readonly nexus: number;
  /**
   * A slot where the engine may keep this nexus's unit-attention record of `lu` between
   * commands (a context that lives as long as its path provides it, initially null; absent:
   * the engine looks the record up each time).
   */
  uaMemo?: NexusUa | null;
  /**
   * A slot where the engine may keep whether the port's group lets media commands through on
   * `lu`'s ALUA domain, valid while the domain's generation is the one recorded (absent: the
   * engine asks the domain each time).
   */
  readonly mediaAccessMemo?: MediaAccessMemo;
}

/** What {@link TargetContext.mediaAccessMemo} holds. */
export class MediaAccessMemo {
  /** The ALUA domain the verdict is about (null: nothing recorded). */
  domain: AluaDomain | null = null;
  /** The domain's generation when the verdict was taken. */
  generation = -1;
  /** The port's group is in an access state that runs READ and WRITE. */
  active = false;
}

/**
 * How an array answers what SPC leaves to the device: identification, ALUA reporting, mode
 * pages, access rules of its failover scheme, vendor pages and commands. The generic engine
 * ({@link executeTargetCommand}) asks the personality and does the rest (unit attentions, media
 * access, capacity, faults).
 */
export interface Personality {
  readonly name: string;
  /** The condition a new I_T nexus reports first (power on / reset), or null. */
  readonly initialUa: Ua | null;
  /**
   * True when READ and WRITE meet only the generic SPC checks (the base `command`,
   * `accessCheck` and `reportsUa`): the command engine may then decide them on its fast path.
   */
  readonly plainMediaAccess?: boolean;
  /** Standard INQUIRY data, full length (≥ 36 bytes). */
  standardInquiry(ctx: TargetContext): Uint8Array;
  /** A VPD page (header included), or null when not supported. */
  vpdPage(ctx: TargetContext, page: number): Uint8Array | null;
  /** REPORT TARGET PORT GROUPS parameter data, or null when the device has no TPGS. */
  reportTargetPortGroups(ctx: TargetContext, extendedHeader: boolean): Uint8Array | null;
  /** Applies SET TARGET PORT GROUPS parameter data: sense on failure, null on success. */
  setTargetPortGroups(ctx: TargetContext, data: Uint8Array): SenseSpec | null;
  /** A mode page (page code byte included) for page control `pc`, or null when not supported. */
  modePage(ctx: TargetContext, page: number, subpage: number, pc: number): Uint8Array | null;
  /**
   * MODE SELECT of one page: null on success (the personality raises MODE PARAMETERS CHANGED
   * where its device does), sense on failure.
   */
  modeSelect(ctx: TargetContext, page: Uint8Array): SenseSpec | null;
  /**
   * Service time of one command when the device decides it (scsi_debug's `delay`/`ndelay`, its
   * immediate INQUIRY): ns, or null to use the port's and LU's service models.
   */
  serviceNs(ctx: TargetContext, cdb: Uint8Array): number | null;
  /**
   * The access rule of the array's failover scheme (ALUA state, ownership) for a command the
   * device supports: the sense to reject it with, or null to proceed. Called for every
   * supported command after unit attentions are reported; the personality decides which
   * commands its passive or standby paths still answer.
   */
  accessCheck(ctx: TargetContext, cdb: Uint8Array): SenseSpec | null;
  /** Vendor commands or overrides: return true when the command was answered. */
  command(ctx: TargetContext, io: TargetIo): boolean;
  /** Whether unit attentions are reported before this opcode runs. */
  reportsUa(opcode: number): boolean;
  /**
   * The DPOFUA bit of the MODE SENSE header's device-specific parameter (the device honours
   * DPO and FUA). Default true.
   */
  readonly dpoFua?: boolean;
}

/**
 * Commands no failover scheme refuses (identification, sense, mode and log pages, reservations
 * and the ALUA commands): what the vendor personalities let through their passive paths.
 */
const ALWAYS_ALLOWED = new Uint8Array(256);
for (const op of [0x12, 0xa0, 0x03, 0xa3, 0xa4, 0x1a, 0x5a, 0x15, 0x55, 0x4d, 0x5e, 0x5f])
  ALWAYS_ALLOWED[op] = 1;

/**
 * What a target port group in `aas` lets through, as LIO's `target_alua_state_check()` decides
 * it (`core_alua_state_standby/unavailable/transition()`, after SPC-4 5.9.2.4): null to run the
 * command, else the NOT READY additional sense to refuse it with. The kernel lab's LIO
 * (tcm_loop, Linux 6.1) answers exactly so: in standby READ CAPACITY(10)/(16), MODE SENSE(6)
 * and REPORT TARGET PORT GROUPS work while TEST UNIT READY, MODE SENSE(10), READ, VERIFY and
 * SYNCHRONIZE CACHE get 02/04/0B; in unavailable and transitioning only INQUIRY, REPORT LUNS,
 * REQUEST SENSE and RTPG (and STPG when unavailable) do.
 */
export function aluaStateCheck(aas: number, cdb: Uint8Array): AscAscq | null {
  const op = cdb[0]!;
  const sa = cdb[1]! & 0x1f;
  switch (aas) {
    case Aas.ACTIVE_OPTIMIZED:
    case Aas.ACTIVE_NON_OPTIMIZED:
    case Aas.LBA_DEPENDENT:
      return null;
    case Aas.STANDBY:
      switch (op) {
        case 0x12: // INQUIRY
        case 0x4c: // LOG SELECT
        case 0x4d: // LOG SENSE
        case 0x15: // MODE SELECT(6); LIO leaves the 10-byte forms out
        case 0x1a: // MODE SENSE(6)
        case 0xa0: // REPORT LUNS
        case 0x1c: // RECEIVE DIAGNOSTIC RESULTS
        case 0x1d: // SEND DIAGNOSTIC
        case 0x25: // READ CAPACITY(10)
        case 0x03: // REQUEST SENSE
        case 0x5e: // PERSISTENT RESERVE IN
        case 0x5f: // PERSISTENT RESERVE OUT
        case 0x3c: // READ BUFFER
        case 0x3b: // WRITE BUFFER
          return null;
        case 0x9e:
          return sa === 0x10 ? null : Asc.LU_NOT_ACCESSIBLE_STANDBY;
        case 0xa3:
          return sa === 0x0a ? null : Asc.LU_NOT_ACCESSIBLE_STANDBY;
        case 0xa4:
          return cdb[1] === 0x0a ? null : Asc.LU_NOT_ACCESSIBLE_STANDBY;
        default:
          return Asc.LU_NOT_ACCESSIBLE_STANDBY;
      }
    case Aas.UNAVAILABLE:
      switch (op) {
        case 0x12:
        case 0xa0:
        case 0x03:
        case 0x3c:
        case 0x3b:
          return null;
        case 0xa3:
          return sa === 0x0a ? null : Asc.LU_NOT_ACCESSIBLE_UNAVAILABLE;
        case 0xa4:
          return cdb[1] === 0x0a ? null : Asc.LU_NOT_ACCESSIBLE_UNAVAILABLE;
        default:
          return Asc.LU_NOT_ACCESSIBLE_UNAVAILABLE;
      }
    case Aas.TRANSITIONING:
      switch (op) {
        case 0x12:
        case 0xa0:
        case 0x03:
        case 0x3c:
        case 0x3b:
          return null;
        case 0xa3:
          return sa === 0x0a ? null : Asc.LU_NOT_ACCESSIBLE_TRANSITIONING;
        default:
          return Asc.LU_NOT_ACCESSIBLE_TRANSITIONING;
      }
    case Aas.OFFLINE:
      // Not an LIO state (its configfs refuses it); identification and RTPG keep working.
      if (op === 0x12 || op === 0xa0 || op === 0x03) return null;
      return op === 0xa3 && sa === 0x0a ? null : FabricAsc.LU_NOT_READY_OFFLINE;
    default:
      return null;
  }
}

/**
 * The SPC/SBC behaviour of a well-behaved ALUA array (LIO is the model): identification from
 * the LU's designators and the port, TPGS from its ALUA domain, commands gated by the access
 * state of the port's group.
 */
export class SpcPersonality implements Personality {
  readonly name: string = "spc";
  readonly initialUa: Ua | null = Ua.POWER_ON_RESET;
  // A field initialiser sees the subclass's prototype: a vendor override of any of the three
  // turns the fast path off for that personality.
  readonly plainMediaAccess: boolean =
    this.command === SpcPersonality.prototype.command &&
    this.accessCheck === SpcPersonality.prototype.accessCheck &&
    this.reportsUa === SpcPersonality.prototype.reportsUa;
  /** SPC version byte of INQUIRY. */
  protected readonly version: number = 0x06;

  /** TPGS field: bit 0 implicit, bit 1 explicit. */
  tpgs(ctx: TargetContext): number {
    const a = ctx.lu?.alua;
    if (!a) return 0;
    return (a.options.implicit ? 1 : 0) | (a.options.explicit ? 2 : 0);
  }

  standardInquiry(ctx: TargetContext): Uint8Array {
    const b = new Uint8Array(96);
    b[0] = ctx.lu ? 0x00 : 0x7f;
    b[2] = this.version;
    b[3] = 0x12;
    b[4] = b.length - 5;
    b[5] = this.tpgs(ctx) << 4;
    b[6] = 0x10;
    b[7] = 0x02;
    b.set(asciiField(ctx.array.vendor, 8), 8);
    b.set(asciiField(ctx.array.product, 16), 16);
    b.set(asciiField(ctx.array.revision, 4), 32);
    putBe16(b, 58, 0x00c0);
    putBe16(b, 60, 0x0460);
    putBe16(b, 62, 0x04c0);
    return b;
  }

  supportedVpd(_ctx: TargetContext): number[] {
    return [0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2];
  }

  /** MAXIMUM and OPTIMAL TRANSFER LENGTH of the Block Limits page (VPD 0xB0), in blocks. */
  protected readonly maxTransferBlocks: number = 0xffff;
  protected readonly optimalTransferBlocks: number = 2048;

  /** Protocol identifier of the array's target ports (FC 0, iSCSI 5, SAS 6). */
  protected readonly protocolId: number = 0;

  /** Target-port designators of VPD 0x83: port name (NAA), relative port, port group. */
  portDesignators(ctx: TargetContext): Designator[] {
    const wwpn = new Uint8Array(8);
    putU64(wwpn, 0, ctx.port.wwpn);
    const piv = (d: Designator): Designator => ({ ...d, protocolId: this.protocolId, piv: true });
    const out: Designator[] = [
      piv({
        protocolId: 0,
        codeSet: CodeSet.BINARY,
        piv: true,
        association: Association.TARGET_PORT,
        type: DesignatorType.NAA,
        identifier: wwpn,
      }),
      piv(relativeTargetPortDesignator(ctx.port.relPortId)),
    ];
    if (this.tpgs(ctx) !== 0) out.push(piv(targetPortGroupDesignator(ctx.port.group.id)));
    return out;
  }

  vpdPage(ctx: TargetContext, page: number): Uint8Array | null {
    const lu = ctx.lu;
    const pdt = lu ? 0 : 0x7f;
    if (!this.supportedVpd(ctx).includes(page)) return null;
    switch (page) {
      case 0x00:
        return buildVpdPage(0x00, Uint8Array.from(this.supportedVpd(ctx)), pdt);
      case 0x80: {
        const serial = lu?.identity.serial ?? "";
        return buildVpdPage(0x80, asciiField(serial, serial.length), pdt);
      }
      case 0x83: {
        const p = buildVpd83([...(lu?.identity.designators ?? []), ...this.portDesignators(ctx)]);
        p[0] = pdt;
        return p;
      }
      case 0x86: {
        const p = new Uint8Array(60);
        p[1] = 0x07;
        return buildVpdPage(0x86, p, pdt);
      }
      case 0xb0: {
        const p = new Uint8Array(60);
        putBe16(p, 2, 1);
        putBe32(p, 4, this.maxTransferBlocks);
        putBe32(p, 8, this.optimalTransferBlocks);
        putBe64(p, 32, 0xffff);
        return buildVpdPage(0xb0, p, pdt);
      }
      case 0xb1: {
        const p = new Uint8Array(60);
        p[1] = 1;
        return buildVpdPage(0xb1, p, pdt);
      }
      case 0xb2:
        return buildVpdPage(0xb2, new Uint8Array(4), pdt);
      default:
        return null;
    }
  }

  reportTargetPortGroups(ctx: TargetContext, extendedHeader: boolean): Uint8Array | null {
    const lu = ctx.lu;
    if (!lu?.alua || this.tpgs(ctx) === 0) return null;
    const groups = [...ctx.array.groups].sort((a, b) => a.id - b.id);
    const len = groups.reduce((n, g) => n + 8 + 4 * g.ports.length, 0) + (extendedHeader ? 8 : 4);
    const b = new Uint8Array(len);
    let n = 4;
    if (extendedHeader) {
      b[4] = 0x10;
      b[5] = lu.alua.options.implicitTransitionSecs & 0xff;
      n = 8;
    }
    for (const g of groups) {
      const st = lu.alua.state(g.id);
      b[n] = (st.preferred ? 0x80 : 0) | (st.aas & 0x0f);
      b[n + 1] = g.supported;
      putBe16(b, n + 2, g.id);
      b[n + 5] = st.status;
      b[n + 7] = g.ports.length;
      n += 8;
      for (const p of g.ports) {
        putBe16(b, n + 2, p.relPortId);
        n += 4;
      }
    }
    putBe32(b, 0, len - 4);
    return b;
  }

  setTargetPortGroups(ctx: TargetContext, data: Uint8Array): SenseSpec | null {
    const lu = ctx.lu;
    const invalid = { key: 0x5, asc: 0x26, ascq: 0 };
    if (!lu?.alua?.options.explicit) return { key: 0x5, asc: 0x24, ascq: 0 };
    const reqs: { group: number; aas: Aas }[] = [];
    for (let off = 4; off + 4 <= data.length; off += 4) {
      const aas = data[off]! & 0x0f;
      const group = (data[off + 2]! << 8) | data[off + 3]!;
      const g = ctx.array.groups.find((x) => x.id === group);
      if (!g) return invalid;
      const bit =
        aas === Aas.ACTIVE_OPTIMIZED
          ? 1
          : aas === Aas.ACTIVE_NON_OPTIMIZED
            ? 2
            : aas === Aas.STANDBY
              ? 4
              : aas === Aas.UNAVAILABLE
                ? 8
                : aas === Aas.OFFLINE
                  ? 0x40
                  : 0;
      if (bit === 0 || (g.supported & bit) === 0) return invalid;
      reqs.push({ group, aas: aas as Aas });
    }
    lu.alua.applyStpg(reqs, ctx.nexus);
    return null;
  }

  modePage(ctx: TargetContext, page: number, subpage: number, pc: number): Uint8Array | null {
    if (subpage !== 0 && subpage !== 0xff) return null;
    switch (page) {
      case 0x08: {
        const p = Uint8Array.of(
          0x08,
          18,
          0x04,
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
        if (pc === 1) p.fill(0, 2).set([0x04], 2);
        return p;
      }
      case 0x0a: {
        const p = Uint8Array.of(0x0a, 10, 0x02, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0x1e);
        if (ctx.array.descriptorSense) p[2]! |= 0x04;
        if (pc === 1) p.fill(0, 2).set([0x04, 0, 0x40], 2);
        return p;
      }
      case 0x1c: {
        const p = Uint8Array.of(0x1c, 10, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        if (pc === 1) p.fill(0, 2);
        return p;
      }
      default:
        return null;
    }
  }

  modeSelect(ctx: TargetContext, page: Uint8Array): SenseSpec | null {
    switch (page[0]! & 0x3f) {
      case 0x08:
      case 0x0a:
      case 0x1c:
        ctx.lu?.raiseUaAll(Ua.MODE_CHANGED, ctx.nexus);
        return null;
      default:
        return { key: 0x5, asc: 0x26, ascq: 0 };
    }
  }

  serviceNs(_ctx: TargetContext, _cdb: Uint8Array): number | null {
    return null;
  }

  accessCheck(ctx: TargetContext, cdb: Uint8Array): SenseSpec | null {
    const a = ctx.lu?.alua;
    if (!a || this.tpgs(ctx) === 0) return null;
    const reject = aluaStateCheck(a.state(ctx.port.group.id).aas, cdb);
    return reject ? sense(2, reject) : null;
  }

  command(_ctx: TargetContext, _io: TargetIo): boolean {
    return false;
  }

  reportsUa(opcode: number): boolean {
    return opcode !== 0x12 && opcode !== 0xa0 && opcode !== 0x03;
  }

  /** True when `opcode` is exempt from the access check in every state. */
  static alwaysAllowed(opcode: number): boolean {
    return ALWAYS_ALLOWED[opcode] === 1;
  }
}
