import { getBe32 } from "@mp/dm-core";
import type { CondLog } from "../log.js";
import { definePrioritizer, getPrioTimeout, type PrioEnv, type Prioritizer } from "../prio.js";
import { SG_INFO_OK_MASK, type SgIoHdr, sgIo } from "../sg-io.js";

const SG_TIMEOUT = 60000;
const RESULTS_MAX = 256;

const x2 = (v: number) => `0x${v.toString(16).padStart(2, "0")}`;

function dumpCdb(log: CondLog, cdb: Uint8Array): void {
  log(0, "- SCSI CDB: ");
  let s = "";
  for (const b of cdb) s += `${x2(b)} `;
  log(0, s);
}

function processSgError(log: CondLog, h: SgIoHdr): void {
  log(
    0,
    `- masked_status=${x2(h.maskedStatus)}, host_status=${x2(h.hostStatus)}, driver_status=${x2(h.driverStatus)}`,
  );
  if (h.sbLenWr > 0) {
    log(0, "- SCSI sense data: ");
    let s = "";
    for (let i = 0; i < h.sbLenWr; i++) s += `${x2(h.sbp[i] ?? 0)} `;
    log(0, s);
  }
}

/** `send_gva`: NetApp's vendor command 0xC0 for GVA page `pg`; the 256-byte results or null. */
function sendGva(
  dev: string,
  pg: number,
  timeout: number,
  env: PrioEnv,
  done: (results: Uint8Array | null) => void,
): void {
  const log = env.log;
  const plog = (msg: string) => log(0, `${dev}: ontap prio: ${msg}`);
  const cdb = Uint8Array.from([0xc0, 0, 0x1, 0xa, 0x98, 0xa, pg, 128, 0, 0]);
  sgIo(
    env.host,
    dev,
    {
      cdb,
      direction: "from-device",
      dxferLen: RESULTS_MAX,
      mxSbLen: 128,
      timeoutMs: getPrioTimeout(timeout, SG_TIMEOUT),
    },
    (h) => {
      if (h.errno) {
        plog(`SG_IO ioctl failed, errno=${h.errno}`);
        dumpCdb(log, cdb);
        done(null);
        return;
      }
      if (h.info & SG_INFO_OK_MASK) {
        plog("SCSI error");
        dumpCdb(log, cdb);
        processSgError(log, h);
        done(null);
        return;
      }
      const r = h.dxferp;
      if (r[4] !== 0x0a || r[5] !== 0x98 || r[6] !== 0x0a || r[7] !== 0x01) {
        dumpCdb(log, cdb);
        plog("GVA return wrong format ");
        plog(`results[4-7] = ${x2(r[4] ?? 0)} ${x2(r[5] ?? 0)} ${x2(r[6] ?? 0)} ${x2(r[7] ?? 0)}`);
        done(null);
        return;
      }
      done(r);
    },
  );
}

/** `get_proxy`: INQUIRY VPD 0xC1; 1 for a proxy path, 0 for a direct one, -1 when unknown. */
function getProxy(dev: string, timeout: number, env: PrioEnv, done: (rc: number) => void): void {
  const log = env.log;
  const plog = (msg: string) => log(0, `${dev}: ontap prio: ${msg}`);
  const cdb = Uint8Array.from([0x12, 1, 0xc1, 0, 128, 0]);
  sgIo(
    env.host,
    dev,
    {
      cdb,
      direction: "from-device",
      dxferLen: 256,
      mxSbLen: 128,
      timeoutMs: getPrioTimeout(timeout, SG_TIMEOUT),
    },
    (h) => {
      if (h.errno) {
        plog(`ioctl sending inquiry command failed, errno=${h.errno}`);
        dumpCdb(log, cdb);
        done(-1);
        return;
      }
      if (h.info & SG_INFO_OK_MASK) {
        plog("SCSI error");
        dumpCdb(log, cdb);
        processSgError(log, h);
        done(-1);
        return;
      }
      const r = h.dxferp;
      if (
        r[1] !== 0xc1 ||
        r[8] !== 0x0a ||
        r[9] !== 0x98 ||
        r[10] !== 0x0a ||
        r[11] !== 0x0 ||
        r[12] !== 0xc1 ||
        r[13] !== 0x0
      ) {
        plog("proxy info page in unknown format - ");
        plog(
          `results[8-13]=${x2(r[8] ?? 0)} ${x2(r[9] ?? 0)} ${x2(r[10] ?? 0)} ${x2(r[11] ?? 0)} ${x2(r[12] ?? 0)} ${x2(r[13] ?? 0)}`,
        );
        dumpCdb(log, cdb);
        done(-1);
        return;
      }
      done(((r[19] ?? 0) & 0x02) >> 1);
    },
  );
}

function startsWith(b: Uint8Array, off: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (b[off + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * The `ontap` prioritizer (NetApp ONTAP): GVA page 0x41 tells iSCSI hardware (3) and software (2)
 * initiators; otherwise the proxy bit of VPD 0xC1 tells an FC proxy path (1) from a direct one
 * (4). When GVA fails altogether the answer is 0.
 */
export function createOntapPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "ontap",
    getprio(pp, _args, timeout, env, done) {
      const proxy = (): void =>
        getProxy(pp.dev, timeout, env, (rc) => {
          done(rc >= 0 && rc ? 1 : 4);
        });
      sendGva(pp.dev, 0x41, timeout, env, (r) => {
        if (!r) {
          done(0);
          return;
        }
        const totLen = getBe32(r, 0);
        if (totLen <= 8) {
          proxy();
          return;
        }
        if (r[8] !== 0x41) {
          env.log(
            0,
            `${pp.dev}: ontap prio: GVA page 0x41 error - results[8] = 0x${(r[8] ?? 0).toString(16)}`,
          );
          proxy();
          return;
        }
        if (startsWith(r, 12, "ism_sw") || startsWith(r, 12, "iswt")) done(2);
        else if (startsWith(r, 12, "ism_sn")) done(3);
        else proxy();
      });
    },
  });
}
