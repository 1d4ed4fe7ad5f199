import { inquiryCdb } from "@mp/dm-core";
import { ENOTTY } from "../errno.js";
import { definePrioritizer, getPrioTimeout, type Prioritizer } from "../prio.js";
import { SG_INFO_OK, SG_INFO_OK_MASK, sgIo } from "../sg-io.js";

const INQ_REPLY_LEN = 255;

/** `%.Ns` of INQUIRY bytes: at most `n` characters, stopping at a NUL. */
function field(b: Uint8Array, off: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = b[off + i] ?? 0;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * The `hds` prioritizer (Hitachi modular arrays, DF series): standard INQUIRY gives the LDEV
 * (bytes 44-47) and the controller (byte 49); a path whose controller and LDEV have the same
 * parity gets 1, the other 0; -1 when that cannot be told.
 */
export function createHdsPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "hds",
    getprio(pp, _args, timeout, env, done) {
      const log = (prio: number, msg: string) => env.log(prio, `${pp.dev}: hds prio: ${msg}`);
      const cdb = inquiryCdb(INQ_REPLY_LEN);
      cdb[3] = 0;
      cdb[4] = INQ_REPLY_LEN;
      sgIo(
        env.host,
        pp.dev,
        {
          cdb,
          direction: "from-device",
          dxferLen: INQ_REPLY_LEN,
          mxSbLen: 32,
          timeoutMs: getPrioTimeout(timeout, 2000),
        },
        (h) => {
          if (h.errno === ENOTTY) {
            // SG_GET_VERSION_NUM fails on a device without the SG interface
            log(0, "can't use SG ioctl interface");
            done(-1);
            return;
          }
          if (h.errno) {
            log(0, "SG_IO error");
            done(-1);
            return;
          }
          if ((h.info & SG_INFO_OK_MASK) !== SG_INFO_OK) {
            log(0, "SCSI error");
            done(-1);
            return;
          }
          const b = h.dxferp;
          const ldev = field(b, 44, 4);
          const ctrl = field(b, 49, 1);
          log(4, `VENDOR:  ${field(b, 8, 8)}`);
          log(4, `PRODUCT: ${field(b, 16, 16)}`);
          log(4, `SERIAL:  0x${field(b, 40, 4)}`);
          log(4, `LDEV:    0x${ldev}`);
          log(4, `CTRL:    ${ctrl}`);
          log(4, `PORT:    ${field(b, 50, 1)}`);
          const c = ctrl[0] ?? "";
          const l = ldev[3] ?? "";
          const ctrlEven = "02468".includes(c) && c !== "";
          const ctrlOdd = "13579".includes(c) && c !== "";
          const ldevEven = "02468ACE".includes(l) && l !== "";
          const ldevOdd = "13579BDF".includes(l) && l !== "";
          if (ctrlEven && ldevEven) {
            log(4, "CTRL EVEN, LDEV EVEN, PRIO 1");
            done(1);
          } else if (ctrlEven && ldevOdd) {
            log(4, "CTRL EVEN, LDEV ODD, PRIO 0");
            done(0);
          } else if (ctrlOdd && ldevEven) {
            log(4, "CTRL ODD, LDEV EVEN, PRIO 0");
            done(0);
          } else if (ctrlOdd && ldevOdd) {
            log(4, "CTRL ODD, LDEV ODD, PRIO 1");
            done(1);
          } else done(-1);
        },
      );
    },
  });
}
