import { inquiryVpdCdb } from "@mp/dm-core";
import { definePrioritizer, getPrioTimeout, PRIO_UNDEF, type Prioritizer } from "../prio.js";
import { SG_INFO_OK_MASK, sgIo } from "../sg-io.js";

/**
 * The `emc` prioritizer (CLARiiON): from INQUIRY VPD 0xC0, the LUN state (0 unbound, 1 bound,
 * 2 owned by this SP) plus 2 when this path's SP is the LUN's default owner; -1 on any error.
 */
export function createEmcPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "emc",
    getprio(pp, _args, timeout, env, done) {
      const log = (msg: string) => env.log(0, `${pp.dev}: emc prio: ${msg}`);
      const cdb = inquiryVpdCdb(0xc0, 128);
      sgIo(
        env.host,
        pp.dev,
        {
          cdb,
          direction: "from-device",
          dxferLen: 128,
          mxSbLen: 128,
          timeoutMs: getPrioTimeout(timeout, 60000),
        },
        (h) => {
          if (h.errno) {
            log("sending query command failed");
            done(PRIO_UNDEF);
            return;
          }
          if (h.info & SG_INFO_OK_MASK) {
            log("query command indicates error");
            done(PRIO_UNDEF);
            return;
          }
          const b = h.dxferp;
          if (b[1] !== 0xc0 || b[9] !== 0x00) {
            log("path unit report page in unknown format");
            done(PRIO_UNDEF);
            return;
          }
          if (
            b[27] !== 0x03 ||
            (((b[28] ?? 0) & 0x07) !== 0x04 && ((b[28] ?? 0) & 0x07) !== 0x06) ||
            ((b[30] ?? 0) & 0x04) !== 0x04
          ) {
            log("path not correctly configured for failover");
            done(PRIO_UNDEF);
            return;
          }
          if (b[48] !== 0x00) {
            log("path not available for normal operations");
            done(PRIO_UNDEF);
            return;
          }
          let ret = b[4] ?? 0;
          if (b[5] === b[8]) ret += 2;
          done(ret);
        },
      );
    },
  });
}
