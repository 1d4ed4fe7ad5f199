import type { AluaStateName } from "../hardware/alua.js";
import type { AluaMode } from "../hardware/array.js";
import type { Fabric } from "../hardware/fabric.js";
import { SpcPersonality } from "../target/personality.js";
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
}

/** Options of {@link lioArray}. */
export interface LioArrayOptions extends ArrayProfileOptions {
  /** INQUIRY product (LIO reports the backstore name; default `TCMU device`). */
  readonly product?: string;
  /** `active-active` (the other group is active/non-optimized) or `active-passive` (standby). */
  readonly mode?: AluaMode;
  /** Time an ALUA transition spends in `transitioning` (default 10 ms). */
  readonly transitionNs?: number;
  /** Whether the owning group carries the PREF bit (default true). */
  readonly preferOwner?: boolean;
  /** Explicit ALUA (SET TARGET PORT GROUPS) supported (default true). */
  readonly explicit?: boolean;
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
        implicitTransitionSecs: 10,
        otherState: other,
        preferOwner: o.preferOwner ?? true,
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
