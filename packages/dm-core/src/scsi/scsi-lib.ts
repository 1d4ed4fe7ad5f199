import { Errno } from "../block/status.js";
import { NSEC_PER_SEC } from "../clock/clock.js";
import { DesignatorType, getBe16, inquiryVpdCdb, testUnitReadyCdb } from "./cdb.js";
import {
  HostStatus,
  SamStatus,
  type ScsiDevice,
  type ScsiDirection,
  type ScsiResult,
  SenseKey,
} from "./scsi-device.js";
import { normalizeSense, type ScsiSenseHdr, scsiSenseValid } from "./sense.js";

/**
 * The parts of the SCSI midlayer (drivers/scsi/scsi_lib.c, scsi.c) that device handlers call:
 * `scsi_execute`, `scsi_test_unit_ready`, `scsi_get_vpd_page`, and the VPD 0x83 lookups over
 * the INQUIRY data the SCSI core cached at scan.
 */

/** What `scsi_execute` hands back to its caller. */
export interface ExecResult {
  /** Its return value: 0 on success, else `host byte << 16 | status byte` (never negative here). */
  readonly result: number;
  /** The normalized sense (`sshdr`); not valid when the command returned none. */
  readonly sshdr: ScsiSenseHdr;
  /** Data-in, or null. */
  readonly data: Uint8Array | null;
  /** The raw result. */
  readonly raw: ScsiResult;
}

/** Host byte of an {@link ExecResult.result} (`host_byte()`). */
export function hostByte(result: number): number {
  return (result >>> 16) & 0xff;
}

/** `scsi_execute(sdev, cdb, dir, buf, len, sshdr, timeout, retries, …)`: `done` gets the outcome. */
export function scsiExecute(
  sdev: ScsiDevice,
  cdb: Uint8Array,
  direction: ScsiDirection,
  dataOut: Uint8Array | null,
  allocationLength: number,
  timeoutSecs: number,
  retries: number,
  done: (r: ExecResult) => void,
): void {
  sdev.execute(
    {
      cdb,
      direction,
      ...(dataOut ? { dataOut } : {}),
      ...(direction === "from-device" ? { allocationLength } : {}),
      timeoutMs: timeoutSecs * 1000,
      retries,
    },
    (raw) => {
      const ok = raw.status === SamStatus.GOOD && raw.hostStatus === HostStatus.DID_OK;
      done({
        result: ok ? 0 : ((raw.hostStatus & 0xff) << 16) | (raw.status & 0xff),
        sshdr: raw.sense ? normalizeSense(raw.sense.raw) : normalizeSense(null),
        data: raw.data,
        raw,
      });
    },
  );
}

/**
 * `scsi_test_unit_ready(sdev, timeout, retries, sshdr)`: a TUR with one midlayer retry, repeated
 * while it returns UNIT ATTENTION and `retries` last.
 */
export function scsiTestUnitReady(
  sdev: ScsiDevice,
  timeoutSecs: number,
  retries: number,
  done: (r: ExecResult) => void,
): void {
  let left = retries;
  const step = (): void => {
    scsiExecute(sdev, testUnitReadyCdb(), "none", null, 0, timeoutSecs, 1, (r) => {
      if (scsiSenseValid(r.sshdr) && r.sshdr.senseKey === SenseKey.UNIT_ATTENTION && --left > 0) step();
      else done(r);
    });
  };
  step();
}

/** `sdev->scsi_level` as `scsi_add_lun` derives it from the cached INQUIRY data. */
export function scsiLevel(inq: Uint8Array): number {
  const v = (inq[2] ?? 0) & 0x07;
  return v >= 2 || (v === 1 && ((inq[3] ?? 0) & 0x0f) === 1) ? v + 1 : v;
}

/** `scsi_device_supports_vpd`: SPC-2 or later (the model has no blacklist flags). */
export function scsiDeviceSupportsVpd(sdev: ScsiDevice): boolean {
  return scsiLevel(sdev.inquiry) >= 5;
}

const VPD_INQUIRY_TIMEOUT_SECS = 30;
const VPD_INQUIRY_RETRIES = 3;

/** `scsi_vpd_inquiry`: the page's length (header included) or a negative errno, and the data. */
function scsiVpdInquiry(
  sdev: ScsiDevice,
  page: number,
  len: number,
  done: (rc: number, data: Uint8Array) => void,
): void {
  const buf = new Uint8Array(Math.max(len, 0));
  if (len < 4) {
    done(-Errno.EINVAL, buf);
    return;
  }
  scsiExecute(
    sdev,
    inquiryVpdCdb(page, len),
    "from-device",
    null,
    len,
    VPD_INQUIRY_TIMEOUT_SECS,
    VPD_INQUIRY_RETRIES,
    (r) => {
      if (r.data) buf.set(r.data.subarray(0, len));
      if (r.result !== 0 || buf[1] !== page) {
        done(-Errno.EIO, buf);
        return;
      }
      const n = getBe16(buf, 2);
      done(n === 0 ? -Errno.EIO : n + 4, buf);
    },
  );
}

/** `scsi_get_vpd_size`: asks page 0 whether `page` is supported, then the page's header. 0 = no. */
function scsiGetVpdSize(sdev: ScsiDevice, page: number, done: (len: number) => void): void {
  const header = (): void =>
    scsiVpdInquiry(sdev, page, 4, (rc) => {
      done(rc < 4 ? 0 : rc);
    });
  if (page === 0) {
    header();
    return;
  }
  scsiVpdInquiry(sdev, 0, 36, (rc, list) => {
    if (rc < 4) {
      done(0);
      return;
    }
    const n = Math.min(rc, 36) - 4;
    for (let i = 0; i < n; i++) {
      if (list[4 + i] === page) {
        header();
        return;
      }
    }
    done(0);
  });
}

/**
 * `scsi_get_vpd_page(sdev, page, buf, buf_len)`: `done(0, buf)` with the page (zero-filled to
 * `bufLen`), or `done(-EINVAL, buf)` when the page is unsupported or cannot be read.
 */
export function scsiGetVpdPage(
  sdev: ScsiDevice,
  page: number,
  bufLen: number,
  done: (rc: number, buf: Uint8Array) => void,
): void {
  const buf = new Uint8Array(bufLen);
  if (!scsiDeviceSupportsVpd(sdev)) {
    done(-Errno.EINVAL, buf);
    return;
  }
  scsiGetVpdSize(sdev, page, (size) => {
    if (size <= 0) {
      done(-Errno.EINVAL, buf);
      return;
    }
    const len = Math.min(size, bufLen);
    scsiVpdInquiry(sdev, page, len, (rc, data) => {
      if (rc < 0) {
        done(-Errno.EINVAL, buf);
        return;
      }
      buf.set(data.subarray(0, Math.min(len, bufLen)));
      done(0, buf);
    });
  });
}

/** `designator_prio`: how good a page 0x83 designator is as the LUN's identity (0 = not usable). */
function designatorPrio(d: Uint8Array, off: number): number {
  const b1 = d[off + 1] ?? 0;
  if ((b1 & 0x30) !== 0) return 0; // not associated with the LUN
  if ((d[off + 3] ?? 0) === 0) return 0;
  switch (b1 & 0xf) {
    case 8:
      return 9; // SCSI name string
    case 3:
      switch ((d[off + 4] ?? 0) >> 4) {
        case 6:
          return 8; // NAA registered extended
        case 5:
          return 5; // NAA registered
        case 4:
          return 4; // NAA extended
        case 3:
          return 1; // NAA locally assigned
        default:
          return 0;
      }
    case 2:
      switch (d[off + 3]) {
        case 16:
          return 7;
        case 12:
          return 6;
        case 8:
          return 3;
        default:
          return 0;
      }
    case 1:
      return 1; // T10 vendor ID
    default:
      return 0;
  }
}

function hexBytes(d: Uint8Array, off: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += (d[off + i] ?? 0).toString(16).padStart(2, "0");
  return s;
}

/** `%*pE` for printable ASCII: escapes what is not printable as `\ooo`. */
function escapeString(d: Uint8Array, off: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = d[off + i] ?? 0;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\${c.toString(8).padStart(3, "0")}`;
  }
  return s;
}

/**
 * `scsi_vpd_lun_id(sdev, id, 256)`: the LUN's best unique identification from the cached page
 * 0x83 as a SCSI name string (`naa.6001405…`, `eui.…`, `t10.…`), or null (`-ENXIO`/`-EINVAL`).
 */
export function scsiVpdLunId(sdev: Pick<ScsiDevice, "vpdPg83">, idLen = 256): string | null {
  const pg = sdev.vpdPg83;
  if (!pg) return null;
  const end = Math.min(pg.length, getBe16(pg, 2) + 4);
  let curPrio = 0;
  let curSize = 0;
  let id: string | null = null;
  for (let off = 4; off + 4 <= end; off += (pg[off + 3] ?? 0) + 4) {
    let prio = designatorPrio(pg, off);
    if (prio === 0 || curPrio > prio) continue;
    const len = pg[off + 3] ?? 0;
    switch ((pg[off + 1] ?? 0) & 0xf) {
      case 0x1: {
        if (curSize > len) break;
        curPrio = prio;
        curSize = Math.min(len, idLen - 4);
        id = `t10.${escapeString(pg, off + 4, curSize)}`.slice(0, idLen - 1);
        break;
      }
      case 0x2:
        curPrio = prio;
        curSize = len;
        if (len === 8 || len === 12 || len === 16) id = `eui.${hexBytes(pg, off + 4, len)}`;
        break;
      case 0x3:
        curPrio = prio;
        curSize = len;
        if (len === 8 || len === 16) id = `naa.${hexBytes(pg, off + 4, len)}`;
        break;
      case 0x8: {
        if (curSize > len) break;
        if (len > idLen) {
          prio = 2;
          if (curPrio > prio) break;
        }
        curPrio = prio;
        curSize = len;
        const n = Math.min(len, idLen - 1);
        let s = "";
        for (let i = 0; i < n; i++) {
          const c = pg[off + 4 + i] ?? 0;
          if (c === 0) break;
          s += String.fromCharCode(c);
        }
        id = s;
        break;
      }
      default:
        break;
    }
  }
  return id;
}

/**
 * `scsi_vpd_tpg_id(sdev, &rel_port)`: the target port group and relative target port from the
 * cached page 0x83; `groupId` is -1 when there is no target port group designator.
 */
export function scsiVpdTpgId(sdev: Pick<ScsiDevice, "vpdPg83">): { groupId: number; relPort: number } {
  const pg = sdev.vpdPg83;
  if (!pg) return { groupId: -1, relPort: -1 };
  const end = Math.min(pg.length, getBe16(pg, 2) + 4);
  let groupId = -1;
  let relPort = -1;
  for (let off = 4; off + 4 <= end; off += (pg[off + 3] ?? 0) + 4) {
    const type = (pg[off + 1] ?? 0) & 0xf;
    if (type === DesignatorType.RELATIVE_TARGET_PORT) relPort = getBe16(pg, off + 6);
    else if (type === DesignatorType.TARGET_PORT_GROUP) groupId = getBe16(pg, off + 6);
  }
  return { groupId, relPort: groupId >= 0 ? relPort : -1 };
}

/** Jiffies of the reference kernel (Debian 12 builds with HZ=250). */
export const HZ = 250;
/** One jiffy in ns. */
export const JIFFY_NS = NSEC_PER_SEC / HZ;

/** `msecs_to_jiffies(ms)` in ns (rounded up to whole jiffies). */
export function msecsToJiffiesNs(ms: number): number {
  return Math.ceil((ms * 1_000_000) / JIFFY_NS) * JIFFY_NS;
}
