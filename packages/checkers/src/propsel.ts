import { DEF_TIMEOUT } from "./checker.js";
import type { PathBus } from "./prio.js";
import { Tpgs } from "./prioritizers/alua-rtpg.js";

/**
 * The checker and prioritizer choices of libmultipath/propsel.c (0.9.4) that depend on the
 * device, as pure functions of what was found out about the path. The probes that find those
 * facts out are in `discovery.ts`.
 */

export const AUTODETECT_ORIGIN = "(setting: storage device autodetected)";
export const CONF_ORIGIN = "(setting: multipath.conf defaults/devices section)";
export const DEFAULT_ORIGIN = "(setting: multipath internal)";
export const SYSFS_TIMEOUT_ORIGIN = "(setting: kernel sysfs)";
export const ALUA_FALLBACK_ORIGIN = "(setting: emergency fallback - alua failed)";

/** Inputs of `check_rdac(pp)`. */
export interface CheckRdacInput {
  readonly bus: PathBus;
  /** The `checker_name` of the path's hardware entries, or null when none sets one. */
  readonly hweCheckerName: string | null;
  /** `is_vpd_page_supported(fd, 0xC9)`: only asked when no hardware entry names a checker. */
  readonly vpdC9Supported: boolean;
  /** The first bytes of VPD 0xC9 (`get_vpd_sgio(fd, 0xC9, 0, buf, 44)`), or null when it failed. */
  readonly vpdC9: Uint8Array | null;
}

/**
 * `check_rdac`: an RDAC array (VPD 0xC9 starts with "vac1" at byte 4), looked at only for SCSI
 * paths whose hardware entry names the `rdac` checker or no checker (then only if the array
 * lists page 0xC9).
 */
export function checkRdacRule(i: CheckRdacInput): boolean {
  if (i.bus !== "scsi") return false;
  if (i.hweCheckerName === null && !i.vpdC9Supported) return false;
  if (i.hweCheckerName !== null && i.hweCheckerName !== "rdac") return false;
  const v = i.vpdC9;
  if (!v || v.length <= 0) return false;
  return v[4] === 0x76 && v[5] === 0x61 && v[6] === 0x63 && v[7] === 0x31;
}

/** Inputs of `detect_prio(pp)`. */
export interface DetectPrioInput {
  readonly bus: PathBus;
  /** `path_get_tpgs(pp)`: a `Tpgs` value, UNDEF (-1) when it could not be determined. */
  readonly tpgs: number;
  /** `check_rdac(pp)` (only consulted when TPGS is not explicit-only). */
  readonly rdac: boolean;
  /** `sysfs_get_asymmetric_access_state(pp) >= 0`: the kernel publishes `access_state`. */
  readonly accessStateReadable: boolean;
  /** `nvme_id_ctrl_ana(fd) != 0`: the NVMe controller supports ANA. */
  readonly nvmeAna: boolean;
}

/**
 * `detect_prio`: `ana` for NVMe with ANA; for SCSI with TPGS (anything but NONE, UNDEF
 * included), `sysfs` when the kernel publishes `access_state` and the path is explicit-only TPGS
 * or not an RDAC array, else `alua`; null (no autodetection) otherwise.
 */
export function detectPrio(i: DetectPrioInput): string | null {
  switch (i.bus) {
    case "nvme":
      return i.nvmeAna ? "ana" : null;
    case "scsi":
      if (i.tpgs === Tpgs.NONE) return null;
      return (i.tpgs === Tpgs.EXPLICIT || !i.rdac) && i.accessStateReadable ? "sysfs" : "alua";
    default:
      return null;
  }
}

/**
 * `select_prio`'s last step: the `alua` prioritizer on a path without TPGS falls back to `const`
 * with the origin {@link ALUA_FALLBACK_ORIGIN} (logged at level 1).
 */
export function aluaFallback(prioName: string, tpgs: number): boolean {
  return prioName === "alua" && tpgs === Tpgs.NONE;
}

/** Inputs of `select_checker`'s autodetection (`detect_checker yes`). */
export interface DetectCheckerInput {
  /** `check_rdac(pp)`. */
  readonly rdac: boolean;
  /** `path_get_tpgs(pp)`. */
  readonly tpgs: number;
}

/** `detect_checker`: `rdac` for RDAC arrays, else `tur` for any known TPGS mode, else null. */
export function detectChecker(i: DetectCheckerInput): string | null {
  if (i.rdac) return "rdac";
  if (i.tpgs !== Tpgs.NONE && i.tpgs !== Tpgs.UNDEF) return "tur";
  return null;
}

/**
 * The checker timeout of `select_checker`: the config's `checker_timeout` when set (> 0), else
 * the SCSI device's sysfs `timeout`, else {@link DEF_TIMEOUT}, with the origin multipathd logs
 * (`%s: checker timeout = %u s %s`).
 */
export function selectCheckerTimeout(
  confTimeout: number,
  sysfsTimeout: number | null,
): { timeout: number; origin: string } {
  if (confTimeout) return { timeout: confTimeout, origin: CONF_ORIGIN };
  if (sysfsTimeout !== null && sysfsTimeout > 0)
    return { timeout: sysfsTimeout, origin: SYSFS_TIMEOUT_ORIGIN };
  return { timeout: DEF_TIMEOUT, origin: DEFAULT_ORIGIN };
}

/**
 * The timeout (ms) multipathd gives `getprio` in `pathinfo`: `checker_timeout` × 1000 from the
 * config (0 when unset, so each prioritizer uses its own default), or 10 ms for a path that is
 * down.
 */
export function prioTimeoutMs(confCheckerTimeout: number, pathIsDown: boolean): number {
  return pathIsDown ? 10 : confCheckerTimeout * 1000;
}
