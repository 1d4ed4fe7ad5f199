import { Asc } from "@mp/dm-core";
import type { Fabric } from "../hardware/fabric.js";
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

/** IEEE company id of HP StorageWorks volumes (`600508b…`). */
export const HP_STORAGEWORKS_COMPANY_ID = 0x00508b;

/** Controller index (0 = A, 1 = B) of the port a command came through. */
function ctlrOf(ctx: TargetContext): number {
  return ctx.port.group.id - 1;
}

/**
 * An HP StorageWorks active/passive controller pair with the old firmware `scsi_dh_hp_sw` was
 * written for (MSA1000, EVA HSV100/110): a LUN is usable through the controller that owns it;
 * through the other, TEST UNIT READY and medium access fail with NOT READY, LOGICAL UNIT NOT
 * READY, INITIALIZING COMMAND REQUIRED (02/04/02) — what `hp_sw`'s TUR, the `hp_sw` checker and
 * prioritizer take for a passive path — and START STOP UNIT with START moves the LUN to the
 * controller it arrives on.
 */
export class HpSwPersonality extends SpcPersonality {
  override readonly name: string = "hp-sw";

  override tpgs(): number {
    return 0;
  }

  override supportedVpd(): number[] {
    return [0x00, 0x80, 0x83];
  }

  override accessCheck(ctx: TargetContext, cdb: Uint8Array): SenseSpec | null {
    const lu = ctx.lu;
    if (SpcPersonality.alwaysAllowed(cdb[0]!)) return null;
    if (lu && lu.owner !== ctlrOf(ctx)) return sense(0x2, Asc.LU_NOT_READY_INIT_REQUIRED);
    return null;
  }

  override command(ctx: TargetContext, io: TargetIo): boolean {
    const lu = ctx.lu;
    if (io.cdb[0] !== Op.START_STOP_UNIT || !lu) return false;
    // A pending unit attention, a bad CDB, or a STOP are the generic engine's.
    if (lu.pendingUa(ctx.nexus) !== 0 || (io.cdb[4]! & 0xf1) !== 0x01) return false;
    lu.owner = ctlrOf(ctx);
    lu.stopped = false;
    return true;
  }
}

/** Options of {@link hpSwArray}. */
export interface HpSwOptions extends ArrayProfileOptions {
  /** `HP`/`HSV100` (default), `COMPAQ`/`HSV110`, or `COMPAQ`/`MSA1000 VOLUME`. */
  readonly model?: "HSV100" | "HSV110" | "MSA1000 VOLUME";
}

/**
 * An HP EVA 3000 (HSV100) or MSA1000 with the active/passive firmware: the hwtable's
 * `(COMPAQ|HP)`/`(MSA|HSV)1[01]0` entry (hp_sw handler, checker and prioritizer, group_by_prio)
 * and scsi_dh's `HP`/`HSV100`, `COMPAQ`/`HSV110`, `COMPAQ`/`MSA1000 VOLUME` entries.
 */
export function hpSwArray(fabric: Fabric, o: HpSwOptions): BuiltArray {
  const id = o.id ?? nameHash(o.name) & 0xffffff;
  const model = o.model ?? "HSV100";
  const vendor = model === "HSV100" ? "HP" : "COMPAQ";
  return buildTwoControllerArray(
    fabric,
    { ...o, id },
    {
      vendor,
      product: model,
      revision: model === "MSA1000 VOLUME" ? "4.48" : "3028",
      personality: new HpSwPersonality(),
      alua: null,
      identity: (spec, serial) => ({
        serial,
        designators: naaAndT10(
          vendor,
          spec.naa ?? naa6FromSerial(HP_STORAGEWORKS_COMPANY_ID, serial),
          serial,
        ),
      }),
      groupIds: [1, 2],
      relPort: (c, i) => c * 8 + i + 1,
    },
  );
}
