import { HostStatus } from "@mp/dm-core";
import {
  CHECKER_FIRST_MSGID,
  CHECKER_WAIT,
  type CheckerClass,
  type CheckerHandle,
  CheckerMsgId,
  defineChecker,
} from "../checker.js";
import { ENOTTY } from "../errno.js";
import { PathState } from "../path-state.js";
import {
  DRIVER_SENSE,
  SCSI_CHECK_CONDITION,
  SCSI_COMMAND_TERMINATED,
  SG_INFO_OK_MASK,
  sgIo,
} from "../sg-io.js";
import { sgRead } from "./libsg.js";

/**
 * The `emc_clariion` checker: INQUIRY VPD 0xC0 (the CLARiiON unit page) must show a path set up
 * for failover, a LUN in normal operation and an unchanged WWN; an active path also reads the
 * first 4 KiB, and a read failing with 05/25/01 (inactive snapshot) marks the whole map, so
 * that its passive paths report DOWN as well. Passive paths otherwise report UP, never GHOST.
 */

export const EmcMsgId = {
  QUERY_FAILED: CHECKER_FIRST_MSGID,
  QUERY_ERROR: CHECKER_FIRST_MSGID + 1,
  PATH_CONFIG: CHECKER_FIRST_MSGID + 2,
  UNIT_REPORT: CHECKER_FIRST_MSGID + 3,
  PATH_NOT_AVAIL: CHECKER_FIRST_MSGID + 4,
  LUN_UNBOUND: CHECKER_FIRST_MSGID + 5,
  WWN_CHANGED: CHECKER_FIRST_MSGID + 6,
  READ_ERROR: CHECKER_FIRST_MSGID + 7,
  PASSIVE_GOOD: CHECKER_FIRST_MSGID + 8,
} as const;

export const EMC_CLARIION_MSGTABLE: readonly string[] = [
  ": sending query command failed",
  ": query command indicates error",
  ": Path not correctly configured for failover",
  ": Path unit report page in unknown format",
  ": Path not available for normal operations",
  ": Logical Unit is unbound or LUNZ",
  ": Logical Unit WWN has changed",
  ": Read error",
  ": Active path is healthy",
];

/** The per-map context (`struct emc_clariion_checker_LU_context`). */
export interface EmcLuContext {
  inactiveSnap: number;
}

const TRANSPORT_RETRY = new Set<number>([
  HostStatus.DID_BUS_BUSY,
  HostStatus.DID_ERROR,
  HostStatus.DID_SOFT_ERROR,
  HostStatus.DID_TRANSPORT_DISRUPTED,
]);

function hex(b: Uint8Array): string {
  let s = "";
  for (const v of b) s += v.toString(16).padStart(2, "0");
  return s;
}

/** The `emc_clariion` checker class. */
export function createEmcClariionChecker(): CheckerClass {
  return defineChecker({
    name: "emc_clariion",
    msgtable: EMC_CLARIION_MSGTABLE,
    mpInit: (): EmcLuContext => ({ inactiveSnap: 0 }),
    init() {
      let wwn: Uint8Array | null = null;
      const lu = (c: CheckerHandle): EmcLuContext | null =>
        (c.mpContext?.value as EmcLuContext | undefined) ?? null;
      return {
        check(c) {
          const { host, log } = c.env;
          let retry = 5;
          const finish = (state: PathState, msgid?: number) => {
            if (msgid !== undefined) c.msgid = msgid;
            c.complete(state);
          };
          const send = (): void => {
            sgIo(
              host,
              c.path.dev,
              {
                cdb: Uint8Array.from([0x12, 1, 0xc0, 0, 128, 0]),
                direction: "from-device",
                dxferLen: 128,
                mxSbLen: 32,
                timeoutMs: c.timeout * 1000,
              },
              (h) => {
                if (h.errno) {
                  finish(
                    h.errno === ENOTTY ? PathState.WILD : PathState.DOWN,
                    h.errno === ENOTTY ? CheckerMsgId.UNSUPPORTED : EmcMsgId.QUERY_FAILED,
                  );
                  return;
                }
                if (h.info & SG_INFO_OK_MASK && TRANSPORT_RETRY.has(h.hostStatus) && --retry > 0) {
                  send();
                  return;
                }
                if (
                  (h.status === SCSI_CHECK_CONDITION ||
                    h.status === SCSI_COMMAND_TERMINATED ||
                    (h.driverStatus & 0xf) === DRIVER_SENSE) &&
                  h.sbLenWr > 2
                ) {
                  const key = (h.sbp[0] ?? 0) & 0x2 ? (h.sbp[1] ?? 0) & 0xf : (h.sbp[2] ?? 0) & 0xf;
                  if (key === 0x05) {
                    finish(PathState.WILD, CheckerMsgId.UNSUPPORTED);
                    return;
                  }
                  if (key !== 0x01) {
                    log(
                      1,
                      `emc_clariion_checker: INQUIRY failed with sense key ${key.toString(16).padStart(2, "0")}`,
                    );
                    finish(PathState.DOWN, EmcMsgId.QUERY_ERROR);
                    return;
                  }
                }
                if (h.info & SG_INFO_OK_MASK) {
                  log(
                    1,
                    `emc_clariion_checker: INQUIRY failed without sense, status ${h.status.toString(16).padStart(2, "0")}`,
                  );
                  finish(PathState.DOWN, EmcMsgId.QUERY_ERROR);
                  return;
                }
                const b = h.dxferp;
                if (b[1] !== 0xc0 || b[9] !== 0x00) {
                  finish(PathState.DOWN, EmcMsgId.UNIT_REPORT);
                  return;
                }
                if (
                  b[27] !== 0x03 ||
                  (((b[28] ?? 0) & 0x07) !== 0x04 && ((b[28] ?? 0) & 0x07) !== 0x06) ||
                  ((b[30] ?? 0) & 0x04) !== 0x04
                ) {
                  finish(PathState.DOWN, EmcMsgId.PATH_CONFIG);
                  return;
                }
                if (b[48] !== 0x00) {
                  finish(PathState.SHAKY, EmcMsgId.PATH_NOT_AVAIL);
                  return;
                }
                if (b[4] === 0x00) {
                  finish(PathState.DOWN, EmcMsgId.LUN_UNBOUND);
                  return;
                }
                const cur = b.slice(10, 26);
                if (wwn) {
                  if (!cur.every((v, i) => v === wwn![i])) {
                    finish(PathState.DOWN, EmcMsgId.WWN_CHANGED);
                    return;
                  }
                } else wwn = cur;
                const ctx = lu(c);
                if (b[4] === 2) {
                  sgRead(host, c.path.dev, 4096, 32, c.timeout, (ret, rh) => {
                    if (ret === PathState.DOWN) {
                      const s = rh.sbp;
                      if (((s[2] ?? 0) & 0xf) === 5 && s[12] === 0x25 && s[13] === 1) {
                        if (ctx) ctx.inactiveSnap = 1;
                        log(3, `emc_clariion_checker: Active path to inactive snapshot WWN ${hex(wwn!)}.`);
                      } else {
                        log(
                          3,
                          `emc_clariion_checker: Read error for WWN ${hex(wwn!)}.  Sense data are 0x${((s[2] ?? 0) & 0xf).toString(16)}/0x${(s[12] ?? 0).toString(16)}/0x${(s[13] ?? 0).toString(16)}.`,
                        );
                        c.msgid = EmcMsgId.READ_ERROR;
                      }
                    } else {
                      c.msgid = EmcMsgId.PASSIVE_GOOD;
                      if (ctx) ctx.inactiveSnap = 0;
                    }
                    finish(ret);
                  });
                  return;
                }
                if (ctx?.inactiveSnap) {
                  log(3, `emc_clariion_checker: Passive path to inactive snapshot WWN ${hex(wwn!)}.`);
                  finish(PathState.DOWN);
                  return;
                }
                finish(PathState.UP, EmcMsgId.PASSIVE_GOOD);
              },
            );
          };
          send();
          return CHECKER_WAIT;
        },
        free() {},
      };
    },
  });
}
