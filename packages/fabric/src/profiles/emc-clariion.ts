import { Asc, buildVpdPage, getBe16, parseVpd83 } from "@mp/dm-core";
import type { Fabric } from "../hardware/fabric.js";
import { asciiField } from "../scsi/bytes.js";
import { Op } from "../scsi/opcodes.js";
import { type SenseSpec, sense } from "../scsi/sense.js";
import { SpcPersonality, type TargetContext } from "../target/personality.js";
import type { TargetIo } from "../target/target-io.js";
import {
  type ArrayProfileOptions,
  type BuiltArray,
  buildTwoControllerArray,
  naa6FromSerial,
  naaAndT10,
  nameHash,
} from "./array-builder.js";

/** IEEE company id of EMC (`0x006016`, the prefix of CLARiiON WWNs `6006016…`). */
export const EMC_COMPANY_ID = 0x006016;

/** SP index (0 = SP A, 1 = SP B) of the port a command came through. */
function spOf(ctx: TargetContext): number {
  return ctx.port.group.id - 1;
}

/**
 * An EMC CLARiiON in PNR failover mode (mode 4, the `emc` device handler's Linux failover): LUNs
 * owned by one storage processor; I/O and TEST UNIT READY through the other SP fail with NOT
 * READY, LOGICAL UNIT NOT READY, MANUAL INTERVENTION REQUIRED (02/04/03); a trespass (MODE
 * SELECT page 0x22) moves the LUN to the SP it arrives on; VPD page 0xC0 reports the LUN state,
 * default and current SP, failover mode and the LUN's WWN as the emc handler, checker and
 * prioritizer read them.
 */
export class EmcClariionPersonality extends SpcPersonality {
  override readonly name: string = "emc-clariion";
  readonly spModel: string;
  readonly arraySerial: string;

  constructor(spModel = "CX4-480", arraySerial = "CK200083500042") {
    super();
    this.spModel = spModel;
    this.arraySerial = arraySerial;
  }

  override tpgs(): number {
    return 0;
  }

  override supportedVpd(): number[] {
    return [0x00, 0x80, 0x83, 0xc0];
  }

  override vpdPage(ctx: TargetContext, page: number): Uint8Array | null {
    if (page !== 0xc0) return super.vpdPage(ctx, page);
    const lu = ctx.lu;
    const p = new Uint8Array(0xf8);
    const sp = spOf(ctx);
    // The page as parsed from its start (byte 4 of the page is payload byte 0).
    const at = (pageOffset: number, v: number) => {
      p[pageOffset - 4] = v;
    };
    at(4, lu ? (lu.owner === sp ? 2 : 1) : 0);
    at(5, lu?.defaultOwner ?? 0);
    at(7, ctx.port.relPortId & 0x0f);
    at(8, lu?.owner ?? 0);
    at(9, 0);
    const naa = lu
      ? parseVpd83(super.vpdPage(ctx, 0x83)!).find((d) => d.type === 3 && d.association === 0)
      : undefined;
    if (naa) p.set(naa.identifier.subarray(0, 16), 10 - 4);
    at(27, 0x03);
    at(28, 0x04);
    at(30, 0x04);
    at(48, 0);
    return buildVpdPage(0xc0, p, lu ? 0 : 0x7f);
  }

  /**
   * Standard INQUIRY with CLARiiON's extended information section, which the emc handler parses
   * for the SP model (`clariion_std_inquiry`): model length at 99, array serial length at 160,
   * the serial from 161 and the model after it.
   */
  override standardInquiry(ctx: TargetContext): Uint8Array {
    const base = super.standardInquiry(ctx);
    const serial = this.arraySerial;
    const model = this.spModel;
    const b = new Uint8Array(161 + serial.length + model.length);
    b.set(base.subarray(0, Math.min(base.length, 96)));
    b[4] = b.length - 5;
    b[99] = model.length;
    b[160] = serial.length;
    b.set(asciiField(serial, serial.length), 161);
    b.set(asciiField(model, model.length), 161 + serial.length);
    return b;
  }

  override accessCheck(ctx: TargetContext, cdb: Uint8Array): SenseSpec | null {
    const lu = ctx.lu;
    const opcode = cdb[0]!;
    if (SpcPersonality.alwaysAllowed(opcode)) return null;
    // The peer SP answers READ CAPACITY (passive paths show their size); I/O and TUR get 04/03.
    if (opcode === Op.READ_CAPACITY_10 || opcode === 0x9e) return null;
    if (lu && lu.owner !== spOf(ctx)) return sense(0x2, Asc.LU_NOT_READY_MANUAL_INTERVENTION);
    return null;
  }

  /** MODE SELECT carrying the trespass page 0x22 (with or without PF, short or long form). */
  override command(ctx: TargetContext, io: TargetIo): boolean {
    const op = io.cdb[0];
    if ((op !== Op.MODE_SELECT_6 && op !== Op.MODE_SELECT_10) || !ctx.lu) return false;
    const six = op === Op.MODE_SELECT_6;
    const len = Math.min(six ? io.cdb[4]! : getBe16(io.cdb, 7), io.dataOutLen);
    const data = io.dataOut?.subarray(0, len) ?? new Uint8Array(0);
    const hdr = six ? 4 : 8;
    const bd = six ? (data[3] ?? 0) : getBe16(data, 6);
    if (((data[hdr + bd] ?? 0) & 0x3f) !== 0x22) return false;
    // A pending unit attention is reported first (the engine does it when we decline).
    if (ctx.lu.pendingUa(ctx.nexus) !== 0) return false;
    ctx.lu.owner = spOf(ctx);
    return true;
  }
}

/** Options of {@link emcClariionArray}. */
export interface EmcClariionOptions extends ArrayProfileOptions {
  /** RAID type in the product string (`RAID 5`, `RAID 10`, `DISK`, `VRAID`). Default `RAID 5`. */
  readonly product?: string;
}

/**
 * A CLARiiON CX4 in PNR mode: SP A and SP B (ports `A0`…, `B0`…), vendor `DGC` (the hwtable's
 * `^DGC` / `^(RAID|DISK|VRAID)` entry: emc handler, emc_clariion checker, emc prioritizer) and
 * LUNs with NAA 6 WWNs under EMC's company id.
 */
export function emcClariionArray(fabric: Fabric, o: EmcClariionOptions): BuiltArray {
  const id = o.id ?? nameHash(o.name) & 0xffffff;
  return buildTwoControllerArray(
    fabric,
    { ...o, id },
    {
      vendor: "DGC",
      product: o.product ?? "RAID 5",
      revision: "0532",
      personality: new EmcClariionPersonality(),
      alua: null,
      identity: (spec, serial) => ({
        serial,
        designators: naaAndT10("DGC", spec.naa ?? naa6FromSerial(EMC_COMPANY_ID, serial), serial),
      }),
      groupIds: [1, 2],
      relPort: (c, i) => c * 8 + i + 1,
    },
  );
}
