import type { DevT, Host, ScsiDirection, ScsiResult } from "@mp/dm-core";

/**
 * The SG_IO ioctl as multipath-tools sees it: a `struct sg_io_hdr` filled in after the command,
 * built from `Host.sgIo`'s result the way the kernel's `scsi_complete_sghdr_rq` fills it.
 */

/** `SG_INFO_OK_MASK` / `SG_INFO_CHECK`: bit 0 of `info` is set when anything was not OK. */
export const SG_INFO_OK_MASK = 0x1;
export const SG_INFO_OK = 0x0;
export const SG_INFO_CHECK = 0x1;
/** `DRIVER_SENSE`: the driver status the kernel sets with a CHECK CONDITION. */
export const DRIVER_SENSE = 0x08;
/** SAM status of CHECK CONDITION and COMMAND TERMINATED (what the checkers test `status` against). */
export const SCSI_CHECK_CONDITION = 0x02;
export const SCSI_COMMAND_TERMINATED = 0x22;

/** What a checker puts into `sg_io_hdr` before the ioctl. */
export interface SgIoRequest {
  readonly cdb: Uint8Array;
  readonly direction: ScsiDirection;
  /** `dxfer_len`: the data buffer's size. */
  readonly dxferLen: number;
  readonly dataOut?: Uint8Array;
  /** `mx_sb_len`: the sense buffer's size. */
  readonly mxSbLen: number;
  /** `timeout` in ms (the kernel applies its own minimum and default). */
  readonly timeoutMs: number;
}

/** The `sg_io_hdr` after the ioctl. */
export interface SgIoHdr {
  /** 0, or the errno of a failed ioctl (ENOTTY for a non-SCSI device…); the rest is then zero. */
  readonly errno: number;
  readonly status: number;
  readonly maskedStatus: number;
  readonly hostStatus: number;
  readonly driverStatus: number;
  readonly info: number;
  readonly sbLenWr: number;
  /** The sense buffer (`mx_sb_len` bytes). */
  readonly sbp: Uint8Array;
  /** The data buffer (`dxfer_len` bytes; what was not transferred stays zero). */
  readonly dxferp: Uint8Array;
  readonly resid: number;
}

/** The header of a failed ioctl: the caller's memset(0) is all there is. */
function failedHdr(errno: number, req: SgIoRequest): SgIoHdr {
  return {
    errno,
    status: 0,
    maskedStatus: 0,
    hostStatus: 0,
    driverStatus: 0,
    info: 0,
    sbLenWr: 0,
    sbp: new Uint8Array(req.mxSbLen),
    dxferp: req.direction === "to-device" && req.dataOut ? req.dataOut : new Uint8Array(req.dxferLen),
    resid: 0,
  };
}

/** Fills an `sg_io_hdr` from a SCSI result as `scsi_complete_sghdr_rq` does. */
export function sgHdrFromResult(r: ScsiResult, req: SgIoRequest): SgIoHdr {
  const status = r.status & 0xff;
  const maskedStatus = (status >> 1) & 0x7f;
  const hostStatus = r.hostStatus & 0xff;
  const driverStatus = status === SCSI_CHECK_CONDITION ? DRIVER_SENSE : 0;
  const sbp = new Uint8Array(req.mxSbLen);
  let sbLenWr = 0;
  if (r.sense) {
    sbLenWr = Math.min(req.mxSbLen, r.sense.raw.length);
    sbp.set(r.sense.raw.subarray(0, sbLenWr));
  }
  const dxferp = req.direction === "to-device" && req.dataOut ? req.dataOut : new Uint8Array(req.dxferLen);
  if (req.direction === "from-device" && r.data) dxferp.set(r.data.subarray(0, req.dxferLen));
  return {
    errno: 0,
    status,
    maskedStatus,
    hostStatus,
    driverStatus,
    info: maskedStatus || hostStatus || driverStatus ? SG_INFO_CHECK : 0,
    sbLenWr,
    sbp,
    dxferp,
    resid: r.resid,
  };
}

/** `ioctl(fd, SG_IO, &io_hdr)` on `dev` through the host; `done` gets the filled header later. */
export function sgIo(host: Host, dev: string | DevT, req: SgIoRequest, done: (hdr: SgIoHdr) => void): void {
  host.sgIo(
    dev,
    // The same members in the same order, built without spreading (a checker pass sends one per path).
    req.dataOut
      ? req.direction === "from-device"
        ? {
            cdb: req.cdb,
            direction: req.direction,
            dataOut: req.dataOut,
            allocationLength: req.dxferLen,
            timeoutMs: req.timeoutMs,
          }
        : { cdb: req.cdb, direction: req.direction, dataOut: req.dataOut, timeoutMs: req.timeoutMs }
      : req.direction === "from-device"
        ? { cdb: req.cdb, direction: req.direction, allocationLength: req.dxferLen, timeoutMs: req.timeoutMs }
        : { cdb: req.cdb, direction: req.direction, timeoutMs: req.timeoutMs },
    (r) => {
      if ("errno" in r) done(failedHdr(r.errno, req));
      else done(sgHdrFromResult(r, req));
    },
  );
}

/**
 * The sense key, ASC and ASCQ the way most checkers decode `sbp`: descriptor format when bit 1
 * of byte 0 is set, fixed otherwise, guarded by `sb_len_wr` as each checker guards it. Returns -1
 * for what could not be read.
 */
export function senseKeyOf(h: SgIoHdr): { key: number; asc: number; ascq: number } {
  if (h.sbLenWr <= 2) return { key: -1, asc: -1, ascq: -1 };
  const b = h.sbp;
  if ((b[0] ?? 0) & 0x2) {
    return {
      key: (b[1] ?? 0) & 0xf,
      asc: h.sbLenWr > 3 ? (b[2] ?? 0) : -1,
      ascq: h.sbLenWr > 4 ? (b[3] ?? 0) : -1,
    };
  }
  return {
    key: (b[2] ?? 0) & 0xf,
    asc: h.sbLenWr > 13 ? (b[12] ?? 0) : -1,
    ascq: h.sbLenWr > 14 ? (b[13] ?? 0) : -1,
  };
}

/** The classic `status &= 0x7e; if (!status && !host && !driver) ok` test of the checkers. */
export function sgAllGood(h: SgIoHdr): boolean {
  return (h.status & 0x7e) === 0 && h.hostStatus === 0 && h.driverStatus === 0;
}

/** `(status & 0x7e) == CHECK CONDITION || == COMMAND TERMINATED || driver_status == DRIVER_SENSE`. */
export function sgHasSense(h: SgIoHdr): boolean {
  const s = h.status & 0x7e;
  return (
    s === SCSI_CHECK_CONDITION || s === SCSI_COMMAND_TERMINATED || (h.driverStatus & 0xf) === DRIVER_SENSE
  );
}
