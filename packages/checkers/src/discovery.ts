import { getBe16, type Host } from "@mp/dm-core";
import { DEF_TIMEOUT } from "./checker.js";
import type { CondLog } from "./log.js";
import { PathState } from "./path-state.js";
import type { PathBus, PrioPath } from "./prio.js";
import {
  getAsymmetricAccessState,
  getTargetPortGroup,
  getTargetPortGroupSupport,
  RtpgError,
  Tpgs,
} from "./prioritizers/alua-rtpg.js";
import { checkRdacRule } from "./propsel.js";
import { sgAllGood, sgHasSense, sgIo } from "./sg-io.js";
import { sysfsAttr, sysfsGetTimeout } from "./sysfs-attr.js";

/**
 * The probes of libmultipath/discovery.c (0.9.4) that checker and prioritizer selection need:
 * VPD pages through SG_IO, `path_offline` (the sysfs device state), `detect_alua` (TPGS) and
 * `check_rdac`.
 */

const DEFAULT_SGIO_LEN = 254;

/** discovery.c's `do_inq`: 0 on success (or RECOVERED ERROR), -1 otherwise, and the data. */
export function doInq(
  host: Host,
  dev: string,
  evpd: boolean,
  pg: number,
  len: number,
  done: (rc: number, data: Uint8Array) => void,
): void {
  const cdb = Uint8Array.from([0x12, evpd ? 1 : 0, pg & 0xff, (len >> 8) & 0xff, len & 0xff, 0]);
  sgIo(
    host,
    dev,
    { cdb, direction: "from-device", dxferLen: len, mxSbLen: 32, timeoutMs: DEF_TIMEOUT * 1000 },
    (h) => {
      if (h.errno) {
        done(-1, h.dxferp);
        return;
      }
      if (sgAllGood(h)) {
        done(0, h.dxferp);
        return;
      }
      if (sgHasSense(h) && h.sbLenWr > 2) {
        const key = (h.sbp[0] ?? 0) & 0x2 ? (h.sbp[1] ?? 0) & 0xf : (h.sbp[2] ?? 0) & 0xf;
        if (key === 0x01) {
          done(0, h.dxferp);
          return;
        }
      }
      done(-1, h.dxferp);
    },
  );
}

/**
 * `fetch_vpd_page(fd, pg, buf, maxlen)`: the page (asked with 254 bytes, again with its full
 * length when longer) and its length, or a negative errno (`-ENODATA` for a wrong page).
 */
export function fetchVpdPage(
  host: Host,
  dev: string,
  pg: number,
  maxlen: number,
  log: CondLog,
  done: (len: number, buf: Uint8Array) => void,
): void {
  const buf = new Uint8Array(maxlen);
  const attempt = (len: number): void => {
    doInq(host, dev, true, pg, len, (rc, data) => {
      if (rc !== 0) {
        log(
          pg === 0x80 || pg === 0x83 ? 3 : 4,
          `failed to issue vpd inquiry for pg${pg.toString(16).padStart(2, "0")}`,
        );
        done(-5, buf);
        return;
      }
      buf.fill(0);
      buf.set(data.subarray(0, Math.min(len, maxlen)));
      const rlen = getBe16(buf, 2) + 4;
      if (!(rlen <= len || len >= maxlen)) {
        attempt(Math.min(rlen, maxlen));
        return;
      }
      if (buf[1] !== pg) {
        log(
          3,
          `vpd pg${pg.toString(16).padStart(2, "0")} error, invalid vpd page ${(buf[1] ?? 0).toString(16).padStart(2, "0")}`,
        );
        done(-61, buf);
        return;
      }
      let blen = rlen;
      if (blen > maxlen) {
        log(3, `vpd pg${pg.toString(16).padStart(2, "0")} page truncated`);
        blen = maxlen;
      }
      done(blen, buf);
    });
  };
  attempt(Math.min(DEFAULT_SGIO_LEN, maxlen));
}

/** `is_vpd_page_supported(fd, pg)`: page 0x00 lists `pg`. */
export function isVpdPageSupported(
  host: Host,
  dev: string,
  pg: number,
  log: CondLog,
  done: (supported: boolean) => void,
): void {
  fetchVpdPage(host, dev, 0x00, 4096, log, (len, buf) => {
    if (len < 0) {
      done(false);
      return;
    }
    for (let i = 4; i < len; i++) {
      if (buf[i] === pg) {
        done(true);
        return;
      }
    }
    done(false);
  });
}

/** `check_rdac(pp)`: the probes {@link checkRdacRule} describes, in the order the C code makes them. */
export function checkRdac(
  host: Host,
  pp: { readonly dev: string; readonly bus: PathBus },
  hweCheckerName: string | null,
  log: CondLog,
  done: (rdac: boolean) => void,
): void {
  if (pp.bus !== "scsi" || (hweCheckerName !== null && hweCheckerName !== "rdac")) {
    done(false);
    return;
  }
  const readC9 = (supported: boolean): void => {
    if (!supported) {
      done(false);
      return;
    }
    fetchVpdPage(host, pp.dev, 0xc9, 4096, log, (len, buf) => {
      // get_vpd_sgio(fd, 0xC9, 0, buf, 44): pages shorter than 8 bytes are -ENODATA
      const vpdC9 = len >= 8 ? buf.slice(0, Math.min(len, 44)) : null;
      done(checkRdacRule({ bus: pp.bus, hweCheckerName, vpdC9Supported: supported, vpdC9 }));
    });
  };
  if (hweCheckerName === null) isVpdPageSupported(host, pp.dev, 0xc9, log, readC9);
  else readC9(true);
}

/** The result of `path_offline(pp)`: the state sysfs gives, and the new `pp->offline`. */
export interface PathSysfsState {
  readonly state: PathState;
  readonly offline: boolean | null;
}

/**
 * `path_offline` from the device's `state` attribute text (null when unreadable): SCSI
 * `offline` → DOWN, `blocked`/`quiesce` → PENDING, `running` → UP; NVMe `dead` → DOWN,
 * `new`/`deleting` → PENDING, `live` → UP; anything else DOWN; other buses UP.
 */
export function pathSysfsState(bus: PathBus, state: string | null): PathSysfsState {
  if (bus !== "scsi" && bus !== "nvme") return { state: PathState.UP, offline: null };
  if (state === null) return { state: PathState.DOWN, offline: null };
  if (bus === "scsi") {
    if (state.startsWith("offline")) return { state: PathState.DOWN, offline: true };
    if (state.startsWith("blocked") || state.startsWith("quiesce"))
      return { state: PathState.PENDING, offline: false };
    if (state.startsWith("running")) return { state: PathState.UP, offline: false };
    return { state: PathState.DOWN, offline: false };
  }
  if (state.startsWith("dead")) return { state: PathState.DOWN, offline: true };
  if (state.startsWith("new") || state.startsWith("deleting"))
    return { state: PathState.PENDING, offline: false };
  if (state.startsWith("live")) return { state: PathState.UP, offline: false };
  return { state: PathState.DOWN, offline: false };
}

/**
 * `path_offline(pp)` through the host: the SCSI device's (or NVMe controller's) `state`; REMOVED
 * when the device is gone from sysfs.
 */
export function pathOffline(host: Host, pp: { readonly dev: string; readonly bus: PathBus }): PathSysfsState {
  if (pp.bus !== "scsi" && pp.bus !== "nvme") return { state: PathState.UP, offline: null };
  if (host.sysfs.list(`/sys/block/${pp.dev}`) === null) return { state: PathState.REMOVED, offline: null };
  return pathSysfsState(pp.bus, sysfsAttr(host, `/sys/block/${pp.dev}/device/state`));
}

/**
 * `detect_alua(pp)`: the path's TPGS mode, or null to leave `pp->tpgs` as it is (the path
 * could not be asked). Like 0.9.4 it hands the sysfs timeout in seconds to functions that take
 * milliseconds, so the SG_IO timeouts are that many milliseconds.
 */
export function detectAlua(
  host: Host,
  pp: PrioPath,
  offline: boolean,
  log: CondLog,
  done: (tpgs: number | null) => void,
): void {
  if (pp.bus !== "scsi") {
    done(Tpgs.NONE);
    return;
  }
  const timeout = sysfsGetTimeout(host, pp.dev) ?? DEF_TIMEOUT;
  getTargetPortGroupSupport(host, pp, timeout, log, (tpgs) => {
    if (tpgs === -RtpgError.INQUIRY_FAILED) {
      done(null);
      return;
    }
    if (tpgs <= 0) {
      done(Tpgs.NONE);
      return;
    }
    if (!pp.fdValid || offline) {
      done(null);
      return;
    }
    getTargetPortGroup(host, pp, timeout, log, (ret) => {
      const failed = (): void => {
        if (ret === -RtpgError.INQUIRY_FAILED) {
          done(null);
          return;
        }
        const s = pathOffline(host, pp).state;
        done(s === PathState.DOWN || s === PathState.PENDING ? null : Tpgs.NONE);
      };
      if (ret < 0) {
        failed();
        return;
      }
      getAsymmetricAccessState(host, pp, ret, timeout, log, (aas) => {
        if (aas < 0) failed();
        else done(tpgs);
      });
    });
  });
}
