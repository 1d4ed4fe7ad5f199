import { AasSupport, type AluaStateName } from "../hardware/alua.js";
import type { AluaMode } from "../hardware/array.js";
import type { Fabric } from "../hardware/fabric.js";
import type { Ua } from "../hardware/unit-attention.js";
import { SpcPersonality, type TargetContext } from "../target/personality.js";
import {
  type ArrayProfileOptions,
  type BuiltArray,
  buildTwoControllerArray,
  naa6FromSerial,
  naaAndT10,
  nameHash,
} from "./array-builder.js";

/** IEEE company id of the Linux-IO target (`0x001405`, "Datera"). */
export const LIO_COMPANY_ID = 0x001405;

/**
 * The Linux-IO target (LIO) as an ALUA array: vendor `LIO-ORG`, implicit and explicit ALUA
 * (TPGS 3), NAA 6 identifiers built from the unit serial, SPC-4. multipath-tools 0.9.4's
 * built-in hwtable matches it (`LIO-ORG` / `.*`: alua handler and prioritizer, group_by_prio,
 * failback immediate).
 */
export class LioPersonality extends SpcPersonality {
  override readonly name: string = "lio";
  /** LIO establishes no POWER ON unit attention for a new I_T nexus (tcm_loop in the lab). */
  override readonly initialUa: Ua | null = null;
  /** Its backstores do not claim DPO/FUA (the lab's `Mode Sense: 43 00 00 08`). */
  readonly dpoFua = false;
  /** `hw_max_sectors` and `optimal_sectors` of a LIO device: 8 MiB (`Optimal transfer size 8388608 bytes`). */
  protected override readonly maxTransferBlocks: number = 16384;
  protected override readonly optimalTransferBlocks: number = 16384;

  /**
   * LIO's mode pages (`spc_modesense_*`): read-write error recovery, caching with the write
   * cache off (`emulate_write_cache=0`, the default), control and informational exceptions;
   * 0x3F returns them all, as the lab's `sg_modes -6` shows.
   */
  override modePage(ctx: TargetContext, page: number, subpage: number, pc: number): Uint8Array | null {
    if (subpage !== 0 && subpage !== 0xff) return null;
    if (page === 0x3f) {
      const parts = LIO_PAGES.map((p) => this.modePage(ctx, p, 0, pc)!);
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of parts) {
        out.set(p, off);
        off += p.length;
      }
      return out;
    }
    let b: Uint8Array;
    switch (page) {
      case 0x01:
        b = new Uint8Array(12);
        break;
      case 0x08:
        b = new Uint8Array(20);
        b[12] = 0x20; // DRA
        break;
      case 0x0a:
        b = Uint8Array.of(0x0a, 0x0a, 0x02, 0x10, 0x00, 0x40, 0, 0, 0xff, 0xff, 0x00, 0x1e);
        if (ctx.array.descriptorSense) b[2]! |= 0x04;
        break;
      case 0x1c:
        b = new Uint8Array(12);
        break;
      default:
        return null;
    }
    b[0] = page;
    b[1] = b.length - 2;
    // Changeable values (PC 1): LIO reports none.
    if (pc === 1) b.fill(0, 2);
    return b;
  }
}

/** The pages LIO answers, in the order MODE SENSE page 0x3F lists them. */
const LIO_PAGES = [0x01, 0x08, 0x0a, 0x1c] as const;

/** Options of {@link lioArray}. */
export interface LioArrayOptions extends ArrayProfileOptions {
  /** INQUIRY product (LIO reports the backstore name; default `TCMU device`). */
  readonly product?: string;
  /** `active-active` (the other group is active/non-optimized) or `active-passive` (standby). */
  readonly mode?: AluaMode;
  /** Time an ALUA transition spends in `transitioning` (default 10 ms). */
  readonly transitionNs?: number;
  /** Whether the owning group carries the PREF bit (default false, as LIO's `preferred`). */
  readonly preferOwner?: boolean;
  /** Explicit ALUA (SET TARGET PORT GROUPS) supported (default true). */
  readonly explicit?: boolean;
  /**
   * Model an array that moves LUN ownership on STPG: the group that was active/optimized is
   * demoted (to standby or active/non-optimized by `mode`). LIO itself changes only the
   * groups an STPG names (default false).
   */
  readonly stpgMovesOthers?: boolean;
  /**
   * SET TARGET PORT GROUPS answers once its transition is over (LIO sleeps `trans_delay_msecs`
   * inside the command; default true). False models an array that answers at once and reports
   * `transitioning` until it is done.
   */
  readonly stpgWaitsTransition?: boolean;
}

/** Builds a LIO ALUA array with two controllers (target port groups 1 and 2). */
export function lioArray(fabric: Fabric, o: LioArrayOptions): BuiltArray {
  const mode = o.mode ?? "active-active";
  const other: AluaStateName = mode === "active-active" ? "active/non-optimized" : "standby";
  const id = o.id ?? nameHash(o.name) & 0xffffff;
  return buildTwoControllerArray(
    fabric,
    { ...o, id },
    {
      vendor: "LIO-ORG",
      product: o.product ?? "TCMU device",
      revision: "4.0",
      personality: new LioPersonality(),
      alua: {
        implicit: true,
        explicit: o.explicit ?? true,
        mode,
        transitionNs: o.transitionNs ?? 10_000_000,
        // implicit_trans_secs 0 (scsi_dh_alua then waits its own 60 s); PREF off, LBD not
        // supported (`supports TOlUSNA`): LIO's defaults as the lab shows them.
        implicitTransitionSecs: 0,
        supportedStates: AasSupport.ALL & ~AasSupport.LBD_SUP,
        otherState: other,
        preferOwner: o.preferOwner ?? false,
        stpgMovesOthers: o.stpgMovesOthers ?? false,
        stpgWaitsTransition: o.stpgWaitsTransition ?? true,
      },
      identity: (spec, serial) => {
        const uuid = spec.serial ?? uuidFromSerial(serial);
        return {
          serial: uuid,
          designators: naaAndT10("LIO-ORG", spec.naa ?? naa6FromSerial(LIO_COMPANY_ID, uuid), uuid),
        };
      },
      groupIds: [1, 2],
      relPort: (c, i) => c * 16 + i + 1,
    },
  );
}

/** LIO's unit serials are UUIDs; derive a stable one from the profile's serial. */
function uuidFromSerial(serial: string): string {
  const h = (s: string) => nameHash(s).toString(16).padStart(8, "0");
  const a = h(serial);
  const b = h(`${serial}/1`);
  const c = h(`${serial}/2`);
  const d = h(`${serial}/3`);
  return `${a}-${b.slice(0, 4)}-${b.slice(4, 8)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}
