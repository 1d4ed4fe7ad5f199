/**
 * VPD pages as libmultipath reads them (discovery.c `parse_vpd_pg80`, `parse_vpd_pg83`,
 * `do_inq`, `sgio_get_vpd`, `fetch_vpd_page`, `get_vpd_sgio`, `get_serial`): the unit serial
 * number, the WWID from the device identification page (best designator wins: NAA registered
 * extended > registered > extended > EUI-64 > SCSI name > T10 vendor id > NAA locally assigned),
 * and the SG_IO INQUIRY that fetches them when sysfs does not have them.
 */
import { getBe16, type Host, inquiryCdb, inquiryVpdCdb, SamStatus, SenseKey } from "@mp/dm-core";
import { WWID_SIZE } from "../structs/structs.js";

/** `VPD_BUFLEN`. */
export const VPD_BUFLEN = 4096;
/** `DEFAULT_SGIO_LEN`: the first INQUIRY of a VPD page asks for this many bytes. */
const DEFAULT_SGIO_LEN = 254;
/** `MX_ALLOC_LEN`. */
export const MX_ALLOC_LEN = 255;
/** `DEF_TIMEOUT` in ms: `do_inq`'s SG_IO timeout. */
const DO_INQ_TIMEOUT_MS = 30_000;

/** A `parse_vpd_*` outcome: the text, or a negative errno. */
export type VpdParse =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly err: number };

const ENODATA = 61;
const EINVAL = 22;
const EOVERFLOW = 75;

function ascii(b: Uint8Array, from: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(b[from + i] ?? 0);
  return s;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** `parse_vpd_pg80`: the serial number with leading/trailing blanks stripped (`outLen` bounds it). */
export function parseVpdPg80(
  page: Uint8Array,
  outLen: number,
  log?: (level: 0 | 1 | 2 | 3, msg: string) => void,
): string {
  let len = getBe16(page, 2);
  if (outLen === 0) return "";
  if (len > WWID_SIZE) len = WWID_SIZE;
  let start = 4;
  while (len > 0 && page[start + len - 1] === 0x20) len--;
  while (len > 0 && page[start] === 0x20) {
    start++;
    len--;
  }
  if (len >= outLen) {
    log?.(2, `vpd pg80 overflow, ${len + 1}/${outLen} bytes required`);
    len = outLen - 1;
  }
  return len > 0 ? ascii(page, start, len) : "";
}

/** `parse_vpd_pg83`: the WWID libmultipath derives from the device identification page. */
export function parseVpdPg83(
  page: Uint8Array,
  inLen: number,
  outLen: number,
  log?: (level: 0 | 1 | 2 | 3, msg: string) => void,
): VpdParse {
  if (outLen <= 1) return { ok: true, value: "" };
  let vpd = -1;
  let prio = -1;
  let err = -ENODATA;
  let d = 4;
  const at = (i: number): number => page[i] ?? 0;
  while (d <= inLen - 4) {
    let invalid = false;
    let newPrio = -1;
    const assoc = at(d + 1) & 0x30;
    if (assoc === 0x30) invalid = true;
    else if (assoc === 0x00) {
      switch (at(d + 1) & 0xf) {
        case 0x3: {
          let goodLen: number;
          switch (at(d + 4) >> 4) {
            case 6:
              newPrio = 8;
              goodLen = 16;
              break;
            case 5:
              newPrio = 7;
              goodLen = 8;
              break;
            case 2:
              newPrio = 6;
              goodLen = 8;
              break;
            case 3:
              newPrio = 1;
              goodLen = 8;
              break;
            default:
              goodLen = 0xff;
              break;
          }
          invalid = goodLen === 0xff || goodLen !== at(d + 3);
          break;
        }
        case 0x2:
          invalid = at(d + 3) !== 8 && at(d + 3) !== 12 && at(d + 3) !== 16;
          newPrio = 4;
          break;
        case 0x8: {
          const tag = ascii(page, d + 4, 4);
          invalid = at(d + 3) < 4 || (tag !== "eui." && tag !== "naa." && tag !== "iqn.");
          newPrio = 3;
          break;
        }
        case 0x1:
          invalid = at(d + 3) < 8;
          newPrio = 2;
          break;
        case 0xa:
          log?.(2, "parse_vpd_pg83: UUID identifiers not yet supported");
          break;
        default:
          invalid = true;
          break;
      }
    }
    if (d + at(d + 3) + 4 > inLen) {
      log?.(2, `parse_vpd_pg83: device descriptor length overflow: ${d + at(d + 3) + 4} > ${inLen}`);
      err = -EOVERFLOW;
      break;
    } else if (invalid) {
      log?.(
        2,
        `parse_vpd_pg83: invalid device designator at offset ${d}: ${hex2(at(d))}${hex2(at(d + 1))}${hex2(at(d + 2))}${hex2(at(d + 3))}`,
      );
      err = -EINVAL;
    } else if (newPrio > prio) {
      vpd = d;
      prio = newPrio;
    }
    d += at(d + 3) + 4;
  }
  if (prio <= 0) return { ok: false, err };
  if (d !== inLen) log?.(2, `parse_vpd_pg83: warning: last descriptor end ${d} != VPD length ${inLen}`);

  const vpdType = at(vpd + 1) & 0xf;
  let vpdLen = at(vpd + 3);
  let p = vpd + 4;
  if (vpdLen > WWID_SIZE) {
    log?.(1, `parse_vpd_pg83: suspicious designator length ${vpdLen} truncated to ${WWID_SIZE}`);
    vpdLen = WWID_SIZE;
  }
  let buf = "";
  if (vpdType === 0x2 || vpdType === 0x3) {
    buf = String(vpdType);
    for (let i = 0; i < vpdLen; i++) buf += hex2(at(p + i));
  } else if (vpdType === 0x8) {
    const tag = ascii(page, p, 4);
    const type = tag === "eui." ? "2" : tag === "naa." ? "3" : "8";
    let name = ascii(page, p + 4, vpdLen - 4);
    const nul = name.indexOf("\0");
    if (nul >= 0) name = name.slice(0, nul);
    buf = type + (type !== "8" ? name.toLowerCase() : name);
  } else if (vpdType === 0x1) {
    buf = "1";
    let rest = ascii(page, p, vpdLen);
    for (;;) {
      const sp = rest.indexOf(" ");
      if (sp < 0) break;
      buf += rest.slice(0, sp);
      rest = rest.slice(sp).replace(/^ +/, "");
      if (rest.length > 0) buf += "_";
    }
    buf += rest;
    p += vpdLen;
  }
  let len = buf.length;
  if (len >= outLen) {
    log?.(1, `parse_vpd_pg83: WWID overflow, type ${vpdType}, ${len}/${outLen} bytes required`);
    len = vpdType === 2 || vpdType === 3 ? 2 * Math.floor(outLen / 2) - 1 : outLen - 1;
  }
  return { ok: true, value: buf.slice(0, len) };
}

/** `do_inq`: one INQUIRY through SG_IO; resolves with the data, or null on failure. */
export function doInq(
  host: Host,
  dev: string,
  evpd: boolean,
  page: number,
  len: number,
): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    host.sgIo(
      dev,
      {
        cdb: evpd ? inquiryVpdCdb(page, len) : inquiryCdb(len),
        direction: "from-device",
        allocationLength: len,
        timeoutMs: DO_INQ_TIMEOUT_MS,
      },
      (r) => {
        if ("errno" in r) {
          resolve(null);
          return;
        }
        const status = r.status & 0x7e;
        const buf = new Uint8Array(len);
        if (r.data) buf.set(r.data.subarray(0, len));
        if (status === 0 && r.hostStatus === 0) {
          resolve(buf);
          return;
        }
        if (
          status === SamStatus.CHECK_CONDITION &&
          r.sense !== null &&
          r.sense.key === SenseKey.RECOVERED_ERROR
        ) {
          resolve(buf);
          return;
        }
        resolve(null);
      },
    );
  });
}

/** `fetch_vpd_page`: the page (re-read at its full length when needed) and its length, or null. */
export async function fetchVpdPage(
  host: Host,
  dev: string,
  pg: number,
  maxlen: number,
  log?: (level: 0 | 1 | 2 | 3 | 4, msg: string) => void,
): Promise<{ page: Uint8Array; len: number } | { err: number }> {
  let len = DEFAULT_SGIO_LEN;
  let buf: Uint8Array | null = null;
  let rlen = -1;
  for (;;) {
    buf = await doInq(host, dev, true, pg, len);
    if (buf === null) break;
    rlen = getBe16(buf, 2) + 4;
    if (rlen <= len || len >= maxlen) break;
    len = Math.min(rlen, maxlen);
  }
  if (buf === null) {
    log?.(pg === 0x80 || pg === 0x83 ? 3 : 4, `failed to issue vpd inquiry for pg${hex2(pg)}`);
    return { err: -5 };
  }
  if (buf[1] !== pg) {
    log?.(3, `vpd pg${hex2(pg)} error, invalid vpd page ${hex2(buf[1] ?? 0)}`);
    return { err: -ENODATA };
  }
  let bufLen = getBe16(buf, 2) + 4;
  if (bufLen > maxlen) {
    log?.(3, `vpd pg${hex2(pg)} page truncated`);
    bufLen = maxlen;
  }
  return { page: buf, len: bufLen };
}

/** `is_vpd_page_supported`: the page is listed in VPD page 0x00. */
export async function isVpdPageSupported(host: Host, dev: string, pg: number): Promise<boolean> {
  const r = await fetchVpdPage(host, dev, 0x00, VPD_BUFLEN);
  if ("err" in r) return false;
  for (let i = 4; i < r.len; i++) if (r.page[i] === pg) return true;
  return false;
}

/** `get_vpd_sgio` for pages 0x80 and 0x83 (text) and 0xc9 (raw bytes as latin-1). */
export async function getVpdSgio(
  host: Host,
  dev: string,
  pg: number,
  maxlen: number,
  log?: (level: 0 | 1 | 2 | 3 | 4, msg: string) => void,
): Promise<VpdParse> {
  const r = await fetchVpdPage(host, dev, pg, VPD_BUFLEN, log);
  if ("err" in r) return { ok: false, err: r.err };
  if (pg === 0x80) return { ok: true, value: parseVpdPg80(r.page, maxlen, log) };
  if (pg === 0x83) return parseVpdPg83(r.page, r.len, maxlen, log);
  if (pg === 0xc9 && maxlen >= 8) {
    if (r.len < 8) return { ok: false, err: -ENODATA };
    return { ok: true, value: ascii(r.page, 0, Math.min(r.len, maxlen)) };
  }
  return { ok: false, err: -38 };
}

/** `get_serial`: VPD 0x80 through SG_IO (`MX_ALLOC_LEN` bytes, length in byte 3). */
export async function getSerialSgio(host: Host, dev: string, maxlen: number): Promise<string | null> {
  const buf = await doInq(host, dev, true, 0x80, MX_ALLOC_LEN);
  if (buf === null) return null;
  const len = buf[3] ?? 0;
  if (len >= maxlen) return null;
  return len > 0 ? ascii(buf, 4, len) : "";
}
