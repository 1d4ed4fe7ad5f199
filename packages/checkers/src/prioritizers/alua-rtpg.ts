import {
  getBe16,
  getBe32,
  type Host,
  inquiryCdb,
  inquiryVpdCdb,
  reportTargetPortGroupsCdb,
} from "@mp/dm-core";
import { strerrorC } from "../errno.js";
import type { CondLog } from "../log.js";
import { getPrioTimeout, type PrioPath } from "../prio.js";
import { type SgIoHdr, sgHasSense, sgIo } from "../sg-io.js";
import { scsiDeviceDir, sysfsBinAttr } from "../sysfs-attr.js";

/**
 * libmultipath/prioritizers/alua_rtpg.c: the TPGS bits of standard INQUIRY, the target port
 * group from VPD 0x83, and the group's access state from REPORT TARGET PORT GROUPS. INQUIRY data
 * comes from sysfs (`inquiry`, `vpd_pg83`) when the SCSI device has it, else from SG_IO.
 * multipathd uses these for the `alua` prioritizer and for TPGS detection.
 */

/** `RTPG_*` error numbers (returned negated). */
export const RtpgError = {
  INQUIRY_FAILED: 1,
  NO_TPG_IDENTIFIER: 2,
  RTPG_FAILED: 3,
  TPG_NOT_FOUND: 4,
} as const;

/** `TPGS_*` as libmultipath names them (TPGS_UNDEF = -1 before detection). */
export const Tpgs = { UNDEF: -1, NONE: 0, IMPLICIT: 1, EXPLICIT: 2, BOTH: 3 } as const;

const SGIO_TIMEOUT = 60000;
const VPD_BUFLEN = 4096;

/** The `scsi_error` verdict of the ALUA code: good, an error, or worth a retry. */
export type AluaScsiVerdict = "good" | "error" | "retry";

/** `scsi_error(hdr, opcode)`: RECOVERED ERROR is good; UNIT ATTENTION and NOT READY retry. */
export function aluaScsiError(h: SgIoHdr, opcode: number, log: CondLog): AluaScsiVerdict {
  const status = h.status & 0x7e;
  if (status === 0 && h.hostStatus === 0 && h.driverStatus === 0) return "good";
  let key = -1;
  let asc = -1;
  let ascq = -1;
  if (sgHasSense(h) && h.sbLenWr > 2) {
    const b = h.sbp;
    if ((b[0] ?? 0) & 0x2) {
      key = (b[1] ?? 0) & 0xf;
      if (h.sbLenWr > 3) asc = b[2] ?? 0;
      if (h.sbLenWr > 4) ascq = b[3] ?? 0;
    } else {
      key = (b[2] ?? 0) & 0xf;
      if (h.sbLenWr > 13) asc = b[12] ?? 0;
      if (h.sbLenWr > 14) ascq = b[13] ?? 0;
    }
    if (key === 0x01) return "good";
  }
  const x = (v: number) => (v >>> 0).toString(16).padStart(2, "0");
  log(
    4,
    `alua: alua: SCSI error for command ${x(opcode)}: status ${x(status)}, sense ${x(key)}/${x(asc)}/${x(ascq)}`,
  );
  return key === 0x06 || key === 0x02 ? "retry" : "error";
}

/** `do_inquiry_sg`: INQUIRY through SG_IO with three retries; 0 or -RTPG_INQUIRY_FAILED, and the data. */
function doInquirySg(
  host: Host,
  dev: string,
  evpd: boolean,
  page: number,
  resplen: number,
  timeoutMs: number,
  log: CondLog,
  done: (rc: number, data: Uint8Array) => void,
): void {
  let retry = 3;
  const cdb = evpd ? inquiryVpdCdb(page, resplen) : inquiryCdb(resplen);
  const send = (): void => {
    sgIo(
      host,
      dev,
      {
        cdb,
        direction: "from-device",
        dxferLen: resplen,
        mxSbLen: 32,
        timeoutMs: getPrioTimeout(timeoutMs, SGIO_TIMEOUT),
      },
      (h) => {
        if (h.errno) {
          log(4, "alua: do_inquiry: IOCTL failed!");
          done(-RtpgError.INQUIRY_FAILED, h.dxferp);
          return;
        }
        const v = aluaScsiError(h, 0x12, log);
        if (v === "error") {
          log(4, "alua: do_inquiry: SCSI error!");
          done(-RtpgError.INQUIRY_FAILED, h.dxferp);
        } else if (v === "retry") {
          if (--retry >= 0) send();
          else {
            log(4, "alua: do_inquiry: retries exhausted!");
            done(-RtpgError.INQUIRY_FAILED, h.dxferp);
          }
        } else done(0, h.dxferp);
      },
    );
  };
  send();
}

/** `do_inquiry`: sysfs (`inquiry` / `vpd_pgXX` of the SCSI device) first, then SG_IO. */
export function doInquiry(
  host: Host,
  pp: PrioPath,
  evpd: boolean,
  page: number,
  resplen: number,
  timeoutMs: number,
  log: CondLog,
  done: (rc: number, data: Uint8Array) => void,
): void {
  if (pp.bus === "scsi") {
    const attr = evpd ? `vpd_pg${page.toString(16).padStart(2, "0")}` : "inquiry";
    const bytes = sysfsBinAttr(host, `${scsiDeviceDir(pp.dev)}/${attr}`, resplen);
    if (bytes) {
      const buf = new Uint8Array(resplen);
      buf.set(bytes);
      done(0, buf);
      return;
    }
  }
  doInquirySg(host, pp.dev, evpd, page, resplen, timeoutMs, log, done);
}

/** `get_target_port_group_support`: the TPGS field of standard INQUIRY, or -RTPG_INQUIRY_FAILED. */
export function getTargetPortGroupSupport(
  host: Host,
  pp: PrioPath,
  timeoutMs: number,
  log: CondLog,
  done: (rc: number) => void,
): void {
  doInquiry(host, pp, false, 0, 96, timeoutMs, log, (rc, inq) => {
    done(rc === 0 ? ((inq[5] ?? 0) >> 4) & 3 : rc);
  });
}

/**
 * `get_target_port_group`: the target port group id from VPD 0x83 (the first designator whose
 * type & 7 is 5), or -RTPG_INQUIRY_FAILED / -RTPG_NO_TPG_IDENTIFIER.
 */
export function getTargetPortGroup(
  host: Host,
  pp: PrioPath,
  timeoutMs: number,
  log: CondLog,
  done: (rc: number) => void,
): void {
  const parse = (buf: Uint8Array): number => {
    const maxOffs = Math.min(getBe16(buf, 2) + 4, VPD_BUFLEN);
    let rc: number = -RtpgError.NO_TPG_IDENTIFIER;
    for (
      let offs = 4;
      offs >= 0 && offs <= maxOffs - 4 && offs + (buf[offs + 3] ?? 0) + 4 <= maxOffs;
      offs += (buf[offs + 3] ?? 0) + 4
    ) {
      if (((buf[offs + 1] ?? 0) & 7) === 5) {
        if (rc !== -RtpgError.NO_TPG_IDENTIFIER) {
          log(4, "alua: get_target_port_group: more than one TPG identifier found!");
          continue;
        }
        rc = getBe16(buf, offs + 4 + 2);
      }
    }
    if (rc === -RtpgError.NO_TPG_IDENTIFIER) log(4, "alua: get_target_port_group: no TPG identifier found!");
    return rc;
  };
  doInquiry(host, pp, true, 0x83, VPD_BUFLEN, timeoutMs, log, (rc, buf) => {
    if (rc < 0) {
      done(rc);
      return;
    }
    const scsiBuflen = Math.min(getBe16(buf, 2) + 4, 0xffff);
    if (VPD_BUFLEN < scsiBuflen) {
      doInquiry(host, pp, true, 0x83, scsiBuflen, timeoutMs, log, (rc2, buf2) =>
        done(rc2 < 0 ? rc2 : parse(buf2)),
      );
      return;
    }
    done(parse(buf));
  });
}

/** `do_rtpg`: REPORT TARGET PORT GROUPS (no extended header) with three retries. */
export function doRtpg(
  host: Host,
  dev: string,
  resplen: number,
  timeoutMs: number,
  log: CondLog,
  done: (rc: number, data: Uint8Array) => void,
): void {
  let retry = 3;
  const send = (): void => {
    sgIo(
      host,
      dev,
      {
        cdb: reportTargetPortGroupsCdb(resplen, false),
        direction: "from-device",
        dxferLen: resplen,
        mxSbLen: 32,
        timeoutMs: getPrioTimeout(timeoutMs, SGIO_TIMEOUT),
      },
      (h) => {
        if (h.errno) {
          log(2, `do_rtpg: sg ioctl failed: ${strerrorC(h.errno)}`);
          done(-RtpgError.RTPG_FAILED, h.dxferp);
          return;
        }
        const v = aluaScsiError(h, 0xa3, log);
        if (v === "error") {
          log(4, "alua: do_rtpg: SCSI error!");
          done(-RtpgError.RTPG_FAILED, h.dxferp);
        } else if (v === "retry") {
          if (--retry >= 0) send();
          else {
            log(4, "alua: do_rtpg: retries exhausted!");
            done(-RtpgError.RTPG_FAILED, h.dxferp);
          }
        } else done(0, h.dxferp);
      },
    );
  };
  send();
}

/**
 * `get_asymmetric_access_state(pp, tpg)`: byte 0 of the group's RTPG descriptor masked with 0x8f
 * (PREF bit and state), or -RTPG_RTPG_FAILED / -RTPG_TPG_NOT_FOUND. Descriptors are walked while
 * their offset is below the RETURN DATA LENGTH (without its 4-byte header), as the C macro does.
 */
export function getAsymmetricAccessState(
  host: Host,
  pp: PrioPath,
  tpg: number,
  timeoutMs: number,
  log: CondLog,
  done: (rc: number) => void,
): void {
  const parse = (buf: Uint8Array): number => {
    let rc: number = -RtpgError.TPG_NOT_FOUND;
    const end = getBe32(buf, 0);
    for (let off = 4; off < end && off < buf.length; off += 8 + (buf[off + 7] ?? 0) * 4) {
      if (getBe16(buf, off + 2) === tpg) {
        if (rc !== -RtpgError.TPG_NOT_FOUND) {
          log(4, "alua: get_asymmetric_access_state: more than one entry with same port group.");
        } else {
          log(5, `pref=${buf[off] ?? 0}`);
          rc = (buf[off] ?? 0) & 0x8f;
        }
      }
    }
    if (rc === -RtpgError.TPG_NOT_FOUND) log(2, `get_asymmetric_access_state: port group ${tpg} not found`);
    return rc;
  };
  doRtpg(host, pp.dev, VPD_BUFLEN, timeoutMs, log, (rc, buf) => {
    if (rc < 0) {
      log(4, `alua: get_asymmetric_access_state: do_rtpg returned ${rc}`);
      done(rc);
      return;
    }
    const scsiBuflen = Math.min(getBe32(buf, 0) + 4, 0xffffffff);
    if (VPD_BUFLEN < scsiBuflen) {
      doRtpg(host, pp.dev, scsiBuflen, timeoutMs, log, (rc2, buf2) => {
        if (rc2 < 0) {
          log(4, `alua: get_asymmetric_access_state: do_rtpg returned ${rc2}`);
          done(rc2);
        } else done(parse(buf2));
      });
      return;
    }
    done(parse(buf));
  });
}
