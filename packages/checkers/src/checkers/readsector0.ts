import { CHECKER_WAIT, type CheckerClass, CheckerMsgId, defineChecker } from "../checker.js";
import { PathState } from "../path-state.js";
import { sgRead } from "./libsg.js";

/** The `readsector0` checker: a synchronous SG_IO read of the first 4 KiB (`sg_read`). */
export function createReadsector0Checker(): CheckerClass {
  return defineChecker({
    name: "readsector0",
    msgtable: [],
    init: () => ({
      check(c) {
        sgRead(c.env.host, c.path.dev, 4096, 32, c.timeout, (state) => {
          if (state === PathState.DOWN) c.msgid = CheckerMsgId.DOWN;
          else if (state === PathState.UP) c.msgid = CheckerMsgId.UP;
          c.complete(state);
        });
        return CHECKER_WAIT;
      },
      free() {},
    }),
  });
}
