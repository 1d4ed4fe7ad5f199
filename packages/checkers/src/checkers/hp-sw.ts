import { type Host, inquiryVpdCdb, testUnitReadyCdb } from "@mp/dm-core";
import { CHECKER_WAIT, type CheckerClass, CheckerMsgId, defineChecker } from "../checker.js";
import { ENOTTY } from "../errno.js";
import { PathState } from "../path-state.js";
import { SG_INFO_OK_MASK, sgAllGood, sgHasSense, sgIo } from "../sg-io.js";

const MX_ALLOC_LEN = 255;

/**
 * `do_inq` of the hp_sw checker: INQUIRY VPD 0x80; UP when it succeeds (or RECOVERED ERROR),
 * WILD for ENOTTY or ILLEGAL REQUEST, DOWN otherwise.
 */
function doInq(host: Host, dev: string, timeoutSec: number, done: (state: PathState) => void): void {
  sgIo(
    host,
    dev,
    {
      cdb: inquiryVpdCdb(0x80, MX_ALLOC_LEN),
      direction: "from-device",
      dxferLen: MX_ALLOC_LEN,
      mxSbLen: 32,
      timeoutMs: timeoutSec * 1000,
    },
    (h) => {
      if (h.errno) {
        done(h.errno === ENOTTY ? PathState.WILD : PathState.DOWN);
        return;
      }
      if (sgAllGood(h)) {
        done(PathState.UP);
        return;
      }
      if (sgHasSense(h) && h.sbLenWr > 2) {
        const key = (h.sbp[0] ?? 0) & 0x2 ? (h.sbp[1] ?? 0) & 0xf : (h.sbp[2] ?? 0) & 0xf;
        if (key === 0x01) {
          done(PathState.UP);
          return;
        }
        if (key === 0x05) {
          done(PathState.WILD);
          return;
        }
      }
      done(PathState.DOWN);
    },
  );
}

/**
 * The `hp_sw` checker (HP active/passive arrays): INQUIRY VPD 0x80 must work, then TEST UNIT
 * READY tells the active path (UP) from the passive one (GHOST).
 */
export function createHpSwChecker(): CheckerClass {
  return defineChecker({
    name: "hp_sw",
    msgtable: [],
    init: () => ({
      check(c) {
        const { host } = c.env;
        doInq(host, c.path.dev, c.timeout, (ret) => {
          if (ret === PathState.WILD) {
            c.msgid = CheckerMsgId.UNSUPPORTED;
            c.complete(ret);
            return;
          }
          if (ret !== PathState.UP) {
            c.msgid = CheckerMsgId.DOWN;
            c.complete(ret);
            return;
          }
          sgIo(
            host,
            c.path.dev,
            {
              cdb: testUnitReadyCdb(),
              direction: "none",
              dxferLen: 0,
              mxSbLen: 32,
              timeoutMs: c.timeout * 1000,
            },
            (h) => {
              if (h.errno || h.info & SG_INFO_OK_MASK) {
                c.msgid = CheckerMsgId.GHOST;
                c.complete(PathState.GHOST);
                return;
              }
              c.msgid = CheckerMsgId.UP;
              c.complete(PathState.UP);
            },
          );
        });
        return CHECKER_WAIT;
      },
      free() {},
    }),
  });
}
