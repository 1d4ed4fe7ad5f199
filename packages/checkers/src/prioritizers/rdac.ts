import { inquiryVpdCdb } from "@mp/dm-core";
import { definePrioritizer, getPrioTimeout, type Prioritizer } from "../prio.js";
import { SG_INFO_OK_MASK, sgIo } from "../sg-io.js";

/**
 * The `rdac` prioritizer: from INQUIRY VPD 0xC9 ("vac"), 0x02 when this controller owns the
 * volume, 0x04 on its preferred path or 0x01 on its secondary path, and 0x08 in IOSHIP mode
 * (so 0..15); 0 on any error.
 */
export function createRdacPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "rdac",
    getprio(pp, _args, timeout, env, done) {
      const log = (msg: string) => env.log(0, `${pp.dev}: rdac prio: ${msg}`);
      sgIo(
        env.host,
        pp.dev,
        {
          cdb: inquiryVpdCdb(0xc9, 128),
          direction: "from-device",
          dxferLen: 128,
          mxSbLen: 128,
          timeoutMs: getPrioTimeout(timeout, 60000),
        },
        (h) => {
          if (h.errno) {
            log("sending inquiry command failed");
            done(0);
            return;
          }
          if (h.info & SG_INFO_OK_MASK) {
            log("inquiry command indicates error");
            done(0);
            return;
          }
          const b = h.dxferp;
          if (b[1] !== 0xc9 || b[3] !== 0x2c || b[4] !== 0x76 || b[5] !== 0x61 || b[6] !== 0x63) {
            log("volume access control page in unknown format");
            done(0);
            return;
          }
          let ret = 0;
          if (((b[8] ?? 0) & 0x01) === 0x01) ret |= 0x02;
          switch ((b[9] ?? 0) & 0x0f) {
            case 0x01:
              ret |= 0x04;
              break;
            case 0x02:
              ret |= 0x01;
              break;
            default:
              break;
          }
          if (((b[8] ?? 0) >> 5) & 0x01) ret |= 0x08;
          done(ret);
        },
      );
    },
  });
}
