import { testUnitReadyCdb } from "@mp/dm-core";
import { CHECKER_WAIT, type CheckerClass, CheckerMsgId, defineChecker } from "../checker.js";
import { ENOTTY, strerrorC } from "../errno.js";
import { PathState } from "../path-state.js";
import { sgIo } from "../sg-io.js";

/**
 * The `cciss_tur` checker: TEST UNIT READY through the HP Smart Array (CCISS) passthrough. Only
 * CCISS logical volumes (`cciss!c0d0`, `cciss/c0d0`) answer `CCISS_GETLUNINFO`; the model sends
 * their TUR through the host's SCSI passthrough. Any other device fails the first ioctl with
 * ENOTTY, which the checker reports as DOWN after printing the error to stderr (here: the log
 * at level 0).
 */
export function createCcissTurChecker(): CheckerClass {
  return defineChecker({
    name: "cciss_tur",
    msgtable: [],
    init: () => ({
      check(c) {
        const dev = c.path.dev;
        if (!/^cciss[!/]/.test(dev)) {
          c.env.log(0, `Error: : ${strerrorC(ENOTTY)}`);
          c.env.log(0, `cciss TUR  failed in CCISS_GETLUNINFO: ${strerrorC(ENOTTY)}`);
          c.msgid = CheckerMsgId.DOWN;
          return PathState.DOWN;
        }
        sgIo(
          c.env.host,
          dev,
          { cdb: testUnitReadyCdb(), direction: "none", dxferLen: 0, mxSbLen: 32, timeoutMs: 0 },
          (h) => {
            if (h.errno) {
              c.env.log(0, `cciss TUR  failed: ${strerrorC(h.errno)}`);
              c.msgid = CheckerMsgId.DOWN;
              c.complete(PathState.DOWN);
              return;
            }
            // CommandStatus | ScsiStatus: anything but a clean completion
            if (h.status || h.hostStatus) {
              c.msgid = CheckerMsgId.DOWN;
              c.complete(PathState.DOWN);
              return;
            }
            c.msgid = CheckerMsgId.UP;
            c.complete(PathState.UP);
          },
        );
        return CHECKER_WAIT;
      },
      free() {},
    }),
  });
}
