import { definePrioritizer, type Prioritizer } from "../prio.js";
import {
  getAsymmetricAccessState,
  getTargetPortGroup,
  getTargetPortGroupSupport,
  Tpgs,
} from "./alua-rtpg.js";

/**
 * The `alua` prioritizer: the path's target port group (VPD 0x83) and that group's access state
 * (RTPG): active/optimized 50, active/non-optimized 10, LBA-dependent 5, standby 1, anything
 * else 0; +80 with the PREF bit, except on an active/optimized path unless `exclusive_pref_bit`.
 */

const ALUA_PRIO_NOT_SUPPORTED = 1;
const ALUA_PRIO_RTPG_FAILED = 2;
const ALUA_PRIO_GETAAS_FAILED = 3;
const ALUA_PRIO_TPGS_FAILED = 4;
const ALUA_PRIO_NO_INFORMATION = 5;

const AAS_STRINGS: Record<number, string> = {
  0: "active/optimized",
  1: "active/non-optimized",
  2: "standby",
  3: "unavailable",
  4: "logical block dependent",
  5: "ARRAY BUG: invalid TPGs state!",
  14: "offline",
  15: "transitioning between states",
};

/** `aas_print_string`. */
export function aasPrintString(rc: number): string {
  let v = rc & 0x7f;
  if (v & 0x70) return AAS_STRINGS[0x5]!;
  v &= 0x0f;
  if (v > 0x5 && v < 0xe) return AAS_STRINGS[0x5]!;
  return AAS_STRINGS[v] ?? AAS_STRINGS[0x5]!;
}

/**
 * `get_exclusive_pref_arg`: true when the first `exclusive_pref_bit` in `args` stands alone
 * (start or a blank before it, end or a blank after it).
 */
export function getExclusivePrefArg(args: string | null): boolean {
  if (args === null) return false;
  const i = args.indexOf("exclusive_pref_bit");
  if (i < 0) return false;
  const after = args[i + 18];
  if (after !== undefined && after !== " " && after !== "\t") return false;
  if (i !== 0 && args[i - 1] !== " " && args[i - 1] !== "\t") return false;
  return true;
}

/** The priority of an access-state byte (state | PREF << 7). */
export function aluaPrioOf(aasByte: number, exclusivePref: boolean): number {
  const aas = aasByte & 0x0f;
  const pref = (aasByte & 0x80) !== 0;
  let rc: number;
  switch (aas) {
    case 0x0:
      rc = 50;
      break;
    case 0x1:
      rc = 10;
      break;
    case 0x4:
      rc = 5;
      break;
    case 0x2:
      rc = 1;
      break;
    default:
      rc = 0;
  }
  if (pref && (aas !== 0x0 || exclusivePref)) rc += 80;
  return rc;
}

/** The `alua` prioritizer. */
export function createAluaPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "alua",
    getprio(pp, args, timeout, env, done) {
      const { host, log } = env;
      if (!pp.fdValid) {
        done(-ALUA_PRIO_NO_INFORMATION);
        return;
      }
      const exclusive = getExclusivePrefArg(args);
      const fail = (rc: number): void => {
        switch (-rc) {
          case ALUA_PRIO_NOT_SUPPORTED:
            log(0, `${pp.dev}: alua not supported`);
            break;
          case ALUA_PRIO_RTPG_FAILED:
            log(0, `${pp.dev}: couldn't get target port group`);
            break;
          case ALUA_PRIO_GETAAS_FAILED:
            log(0, `${pp.dev}: couldn't get asymmetric access state`);
            break;
          case ALUA_PRIO_TPGS_FAILED:
            log(3, `${pp.dev}: couldn't get supported alua states`);
            break;
          default:
            break;
        }
        done(rc);
      };
      getTargetPortGroup(host, pp, timeout, log, (tpg) => {
        if (tpg < 0) {
          getTargetPortGroupSupport(host, pp, timeout, log, (rc) => {
            if (rc < 0) fail(-ALUA_PRIO_TPGS_FAILED);
            else if (rc === Tpgs.NONE) fail(-ALUA_PRIO_NOT_SUPPORTED);
            else fail(-ALUA_PRIO_RTPG_FAILED);
          });
          return;
        }
        log(3, `${pp.dev}: reported target port group is ${tpg}`);
        getAsymmetricAccessState(host, pp, tpg, timeout, log, (rc) => {
          if (rc < 0) {
            log(2, `get_alua_info: get_asymmetric_access_state returned ${rc}`);
            fail(-ALUA_PRIO_GETAAS_FAILED);
            return;
          }
          log(
            3,
            `${pp.dev}: aas = ${rc.toString(16).padStart(2, "0")} [${aasPrintString(rc)}]${rc & 0x80 ? " [preferred]" : ""}`,
          );
          done(aluaPrioOf(rc, exclusive));
        });
      });
    },
  });
}
