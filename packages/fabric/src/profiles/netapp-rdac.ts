import { Asc, buildVpdPage, getBe16, parseVpd83 } from "@mp/dm-core";
import type { Fabric } from "../hardware/fabric.js";
import { asciiField } from "../scsi/bytes.js";
import { Op } from "../scsi/opcodes.js";
import { type SenseSpec, sense } from "../scsi/sense.js";
import { SpcPersonality, type TargetContext } from "../target/personality.js";
import { setCheckCondition, type TargetIo } from "../target/target-io.js";
import {
  type ArrayProfileOptions,
  type BuiltArray,
  buildTwoControllerArray,
  naa6FromSerial,
  naaAndT10,
  nameHash,
} from "./array-builder.js";

/** IEEE company id of NetApp E-Series (ex LSI Engenio) WWNs (`60080e5…`). */
export const NETAPP_ESERIES_COMPANY_ID = 0x0080e5;

/** The redundant controller mode page (`RDAC_PAGE_CODE_REDUNDANT_CONTROLLER`). */
const PAGE_REDUNDANT_CONTROLLER = 0x2c;
/** Offsets of the LUN table in the MODE SELECT parameter data (`struct rdac_pg_legacy/expanded`). */
const LUN_TABLE_LEGACY = 44;
const LUN_TABLE_EXPANDED = 50;
/** A LUN table entry asking for the LUN's ownership on this controller. */
const LUN_TAKE_OWNERSHIP = 0x81;

/** Controller index (0 = A, 1 = B) of the port a command came through. */
function ctlrOf(ctx: TargetContext): number {
  return ctx.port.group.id - 1;
}

/** UTF-16BE of an ASCII label, `n` characters (the C8 page's user labels). */
function utf16Label(label: string, n: number): Uint8Array {
  const b = new Uint8Array(2 * n);
  for (let i = 0; i < Math.min(label.length, n); i++) b[2 * i + 1] = label.charCodeAt(i) & 0x7f;
  return b;
}

/**
 * A NetApp E-Series (LSI/Engenio) array in RDAC mode (AVT off), as `scsi_dh_rdac`, the `rdac`
 * checker and the `rdac` prioritizer see it: no TPGS; vendor pages C2 (`swr4`, max LUNs — 255,
 * so the handler uses MODE SELECT 10), C4 (`subs`, slot `1`/`2` naming controller A/B), C8
 * (`edid`: volume and array identifiers, user labels, the LUN in `lun[7]`) and C9 (`vace`:
 * ownership bit and preferred-path priority); medium access through the controller that does not
 * own the volume fails with ILLEGAL REQUEST 94/01 (ownership), TEST UNIT READY passes on both;
 * MODE SELECT of the redundant controller page 0x2C moves the volumes marked 0x81 in its LUN
 * table to the controller it arrives on.
 */
export class NetappRdacPersonality extends SpcPersonality {
  override readonly name: string = "netapp-rdac";
  /** Array user label (C8) and id (C8/C4). */
  readonly arrayLabel: string;
  readonly arrayId: Uint8Array;

  constructor(arrayLabel: string, arrayId: Uint8Array) {
    super();
    this.arrayLabel = arrayLabel;
    this.arrayId = arrayId;
  }

  override tpgs(): number {
    return 0;
  }

  override supportedVpd(): number[] {
    return [0x00, 0x80, 0x83, 0xc2, 0xc4, 0xc8, 0xc9];
  }

  override vpdPage(ctx: TargetContext, page: number): Uint8Array | null {
    const lu = ctx.lu;
    const pdt = lu ? 0 : 0x7f;
    const ctlr = ctlrOf(ctx);
    switch (page) {
      case 0xc2: {
        // swr4, firmware 08.20.xx, features, max_lun_supported 255.
        const p = new Uint8Array(0xff - 4);
        p.set(asciiField("swr4", 4), 0);
        p.set([0x08, 0x20, 0x18], 4);
        p.set([0x15, 0x06, 0x01], 7);
        p[10] = 0x01;
        p[11] = 0xff;
        return buildVpdPage(0xc2, p, pdt);
      }
      case 0xc4: {
        const p = new Uint8Array(28);
        p.set(asciiField("subs", 4), 0);
        p.set(asciiField(`${this.arrayLabel}`.slice(0, 16), 16), 4);
        p.set(asciiField("0820", 4), 20);
        p.set(asciiField(ctlr === 0 ? "01" : "02", 2), 24);
        return buildVpdPage(0xc4, p, pdt);
      }
      case 0xc8: {
        const p = new Uint8Array(171);
        p.set(asciiField("edid", 4), 0);
        const naa = lu
          ? parseVpd83(super.vpdPage(ctx, 0x83)!).find((d) => d.type === 3 && d.association === 0)
          : undefined;
        p[7] = 16;
        if (naa) p.set(naa.identifier.subarray(0, 16), 8);
        const volLabel = lu?.name.split("/").pop() ?? "";
        p[24] = Math.min(volLabel.length, 30);
        p.set(utf16Label(volLabel, 30), 25);
        p[85] = 16;
        p.set(this.arrayId.subarray(0, 16), 86);
        p[102] = Math.min(this.arrayLabel.length, 30);
        p.set(utf16Label(this.arrayLabel, 30), 103);
        p[170] = ctx.lun & 0xff;
        return buildVpdPage(0xc8, p, pdt);
      }
      case 0xc9: {
        const p = new Uint8Array(0x2c);
        p.set(asciiField("vace", 4), 0);
        // avte_cvp: bit 0 = this controller owns the volume (RDAC mode: AVT bit clear).
        p[4] = lu && lu.owner === ctlr ? 0x01 : 0x00;
        // path_prio: 1 = the volume's preferred controller, 2 = the alternate.
        p[5] = lu && lu.defaultOwner === ctlr ? 0x01 : 0x02;
        return buildVpdPage(0xc9, p, pdt);
      }
      default:
        return super.vpdPage(ctx, page);
    }
  }

  override accessCheck(ctx: TargetContext, cdb: Uint8Array): SenseSpec | null {
    const lu = ctx.lu;
    const opcode = cdb[0]!;
    if (SpcPersonality.alwaysAllowed(opcode)) return null;
    // Only medium access is refused through the alternate controller (TUR, READ CAPACITY pass).
    if (opcode === Op.TEST_UNIT_READY || opcode === Op.READ_CAPACITY_10 || opcode === 0x9e) return null;
    if (!lu || lu.owner === ctlrOf(ctx)) return null;
    return sense(0x5, { asc: 0x94, ascq: 0x01 });
  }

  /** MODE SELECT (6 or 10, PF or not) of the redundant controller page: volume transfer. */
  override command(ctx: TargetContext, io: TargetIo): boolean {
    const op = io.cdb[0];
    if ((op !== Op.MODE_SELECT_6 && op !== Op.MODE_SELECT_10) || !ctx.lu) return false;
    const six = op === Op.MODE_SELECT_6;
    const len = Math.min(six ? io.cdb[4]! : getBe16(io.cdb, 7), io.dataOutLen);
    const data = io.dataOut?.subarray(0, len) ?? new Uint8Array(0);
    const hdr = six ? 4 : 8;
    const bd = six ? (data[3] ?? 0) : getBe16(data, 6);
    if (((data[hdr + bd] ?? 0) & 0x3f) !== PAGE_REDUNDANT_CONTROLLER) return false;
    if (ctx.lu.pendingUa(ctx.nexus) !== 0) return false;
    const table = six ? LUN_TABLE_LEGACY : LUN_TABLE_EXPANDED;
    if (data.length < table) {
      setCheckCondition(io, sense(0x5, Asc.INVALID_FIELD_IN_PARAMETER_LIST), true);
      return true;
    }
    const ctlr = ctlrOf(ctx);
    for (let lun = 0; table + lun < data.length; lun++) {
      if (data[table + lun] !== LUN_TAKE_OWNERSHIP) continue;
      const lu = ctx.array.lookup(ctx.port, lun);
      if (lu) lu.owner = ctlr;
    }
    return true;
  }
}

/** Options of {@link netappRdacArray}. */
export interface NetappRdacOptions extends ArrayProfileOptions {
  /** Vendor (`NETAPP`, `LSI` or `ENGENIO`; default `NETAPP`). */
  readonly vendor?: "NETAPP" | "LSI" | "ENGENIO";
  /** Array user label (default: the array name). */
  readonly label?: string;
}

/**
 * A NetApp E-Series E2800 in RDAC mode: controllers A and B, vendor `NETAPP` product `INF-01-00`
 * (the hwtable's `(NETAPP|LSI|ENGENIO)`/`INF-01-00` entry and scsi_dh's table: rdac handler,
 * checker and prioritizer), volumes with NAA 6 WWNs under the E-Series company id.
 */
export function netappRdacArray(fabric: Fabric, o: NetappRdacOptions): BuiltArray {
  const id = o.id ?? nameHash(o.name) & 0xffffff;
  const arrayId = new Uint8Array(16);
  for (let i = 0; i < 16; i++) arrayId[i] = (nameHash(`${o.name}:${i}`) >>> 8) & 0xff;
  const vendor = o.vendor ?? "NETAPP";
  return buildTwoControllerArray(
    fabric,
    { ...o, id },
    {
      vendor,
      product: "INF-01-00",
      revision: "0820",
      personality: new NetappRdacPersonality(o.label ?? o.name, arrayId),
      alua: null,
      identity: (spec, serial) => ({
        serial,
        designators: naaAndT10(vendor, spec.naa ?? naa6FromSerial(NETAPP_ESERIES_COMPANY_ID, serial), serial),
      }),
      groupIds: [1, 2],
      relPort: (c, i) => c * 16 + i + 1,
    },
  );
}
