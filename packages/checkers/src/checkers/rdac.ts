import { type Host, HostStatus, modeSense10Cdb } from "@mp/dm-core";
import {
  CHECKER_FIRST_MSGID,
  CHECKER_WAIT,
  type CheckerClass,
  CheckerMsgId,
  defineChecker,
} from "../checker.js";
import { ENOTTY } from "../errno.js";
import { PathState } from "../path-state.js";
import { SG_INFO_OK_MASK, type SgIoHdr, sgAllGood, sgHasSense, sgIo } from "../sg-io.js";

/**
 * The `rdac` checker (NetApp E-Series and relatives): INQUIRY VPD 0xC9 ("volume access
 * control"). At init it turns on the control mode page's TAS bit (MODE SENSE/SELECT(10)).
 */

export const RdacMsgId = {
  NOT_CONN: CHECKER_FIRST_MSGID,
  IN_STARTUP: CHECKER_FIRST_MSGID + 1,
  NON_RESPONSIVE: CHECKER_FIRST_MSGID + 2,
  IN_RESET: CHECKER_FIRST_MSGID + 3,
  FW_DOWNLOADING: CHECKER_FIRST_MSGID + 4,
  QUIESCED: CHECKER_FIRST_MSGID + 5,
  SERVICE_MODE: CHECKER_FIRST_MSGID + 6,
  UNAVAILABLE: CHECKER_FIRST_MSGID + 7,
  INQUIRY_FAILED: CHECKER_FIRST_MSGID + 8,
} as const;

const DOWN = " reports path is down: ";
export const RDAC_MSGTABLE: readonly string[] = [
  `${DOWN}lun not connected`,
  `${DOWN}ctlr is in startup sequence`,
  `${DOWN}non-responsive to queries`,
  `${DOWN}ctlr held in reset`,
  `${DOWN}ctlr firmware downloading`,
  `${DOWN}ctlr quiesced by admin request`,
  `${DOWN}ctlr is in service mode`,
  `${DOWN}ctlr is unavailable`,
  `${DOWN}inquiry failed`,
];

const RTPG_UNAVAILABLE = 0x3;
const RTPG_TRANSITIONING = 0xf;
/** `sizeof(struct volume_access_inq)`. */
const VAC_LEN = 48;
/** `sizeof(struct control_mode_page)`. */
const CMP_LEN = 20;
const TRANSPORT_RETRY = new Set<number>([
  HostStatus.DID_BUS_BUSY,
  HostStatus.DID_ERROR,
  HostStatus.DID_SOFT_ERROR,
  HostStatus.DID_TRANSPORT_DISRUPTED,
]);

/**
 * The checker's `do_inq`: INQUIRY VPD `pg`, retried on transport errors (five tries). A failed
 * ioctl other than ENOTTY leaves the zeroed header, which reads as success (UP) — as in C.
 */
function doInq(
  host: Host,
  dev: string,
  pg: number,
  len: number,
  timeoutSec: number,
  log: (p: number, m: string) => void,
  done: (state: PathState, data: Uint8Array) => void,
): void {
  let retry = 5;
  const cdb = Uint8Array.from([0x12, 1, pg, 0, len & 0xff, 0]);
  const send = (): void => {
    sgIo(
      host,
      dev,
      { cdb, direction: "from-device", dxferLen: len, mxSbLen: 32, timeoutMs: timeoutSec * 1000 },
      (h: SgIoHdr) => {
        if (h.errno === ENOTTY) {
          done(PathState.WILD, h.dxferp);
          return;
        }
        if (sgAllGood(h)) {
          done(PathState.UP, h.dxferp);
          return;
        }
        if (h.info & SG_INFO_OK_MASK && TRANSPORT_RETRY.has(h.hostStatus) && --retry > 0) {
          send();
          return;
        }
        if (sgHasSense(h) && h.sbLenWr > 2) {
          const key = (h.sbp[0] ?? 0) & 0x2 ? (h.sbp[1] ?? 0) & 0xf : (h.sbp[2] ?? 0) & 0xf;
          if (key === 0x01) {
            done(PathState.UP, h.dxferp);
            return;
          }
          if (key === 0x05) {
            done(PathState.WILD, h.dxferp);
            return;
          }
          log(1, `rdac checker: INQUIRY failed with sense key ${key.toString(16).padStart(2, "0")}`);
        }
        done(PathState.DOWN, h.dxferp);
      },
    );
  };
  send();
}

/** `checker_msg_string`: which DOWN message a VPD 0xC9 page explains. */
export function rdacDownMessage(inq: Uint8Array): number {
  const pqPdt = inq[0] ?? 0;
  if ((pqPdt & 0xe0) === 0x20 || pqPdt & 0x7f) return RdacMsgId.NOT_CONN;
  const avtcvp = inq[8] ?? 0;
  if (!(avtcvp & 0x10)) return CheckerMsgId.DOWN;
  const cur = (inq[10] ?? 0) & 0x0f;
  if (cur === RTPG_TRANSITIONING && ((inq[12] ?? 0) & 0x0f) !== RTPG_TRANSITIONING)
    return RdacMsgId.IN_STARTUP;
  if (cur !== RTPG_UNAVAILABLE) return CheckerMsgId.DOWN;
  switch (inq[11] ?? 0) {
    case 0x2:
      return RdacMsgId.NON_RESPONSIVE;
    case 0x3:
      return RdacMsgId.IN_RESET;
    case 0x4:
    case 0x5:
      return RdacMsgId.FW_DOWNLOADING;
    case 0x6:
      return RdacMsgId.QUIESCED;
    case 0x7:
      return RdacMsgId.SERVICE_MODE;
    default:
      return RdacMsgId.UNAVAILABLE;
  }
}

/** The state a VPD 0xC9 page (read successfully) gives. */
export function rdacStateOf(inq: Uint8Array): PathState {
  const pqPdt = inq[0] ?? 0;
  if ((pqPdt & 0xe0) === 0x20 || pqPdt & 0x7f) return PathState.DOWN;
  const avtcvp = inq[8] ?? 0;
  if (avtcvp & 0x10) {
    const cur = (inq[10] ?? 0) & 0x0f;
    if (cur === RTPG_UNAVAILABLE) return PathState.DOWN;
    if (cur === RTPG_TRANSITIONING && ((inq[12] ?? 0) & 0x0f) !== RTPG_TRANSITIONING) return PathState.DOWN;
  }
  return avtcvp & 0x1 || (avtcvp >> 5) & 0x1 ? PathState.UP : PathState.GHOST;
}

/** `libcheck_init`: set the TAS bit of the control mode page unless it is set or not changeable. */
function setTasBit(
  host: Host,
  dev: string,
  timeoutSec: number,
  log: (p: number, m: string) => void,
  done: () => void,
): void {
  const req = (cdb: Uint8Array, dir: "from-device" | "to-device", data?: Uint8Array) => ({
    cdb,
    direction: dir,
    dxferLen: CMP_LEN,
    mxSbLen: 32,
    timeoutMs: timeoutSec * 1000,
    ...(data ? { dataOut: data } : {}),
  });
  const out = (set: boolean) => {
    if (!set) log(3, "rdac checker failed to set TAS bit");
    done();
  };
  sgIo(host, dev, req(modeSense10Cdb(0x0a, 0, 0, true, CMP_LEN), "from-device"), (h1) => {
    if (h1.errno) return out(false);
    const current = h1.dxferp;
    if (((current[13] ?? 0) >> 6) & 0x1) return out(true);
    sgIo(host, dev, req(modeSense10Cdb(0x0a, 0, 1, true, CMP_LEN), "from-device"), (h2) => {
      if (h2.errno) return out(false);
      if ((((h2.dxferp[13] ?? 0) >> 6) & 0x1) === 0) return out(false);
      const sel = current.slice();
      sel[8] = 0x0a;
      sel[9] = 0x0a;
      sel[13] = (sel[13] ?? 0) | 0x40;
      const cdb = new Uint8Array(10);
      cdb[0] = 0x55;
      cdb[1] = 0x01;
      cdb[8] = CMP_LEN;
      sgIo(host, dev, req(cdb, "to-device", sel), (h3) => out(!h3.errno));
    });
  });
}

/** The `rdac` checker class. */
export function createRdacChecker(): CheckerClass {
  return defineChecker({
    name: "rdac",
    msgtable: RDAC_MSGTABLE,
    init(c) {
      const { host, log } = c.env;
      let initDone = false;
      let queued: (() => void) | null = null;
      setTasBit(host, c.path.dev, c.timeout, log, () => {
        initDone = true;
        const q = queued;
        queued = null;
        q?.();
      });
      return {
        check(cc) {
          const run = () =>
            doInq(host, cc.path.dev, 0xc9, VAC_LEN, cc.timeout, log, (ret, inq) => {
              let state: PathState = ret;
              let inqfail = false;
              if (ret !== PathState.UP) inqfail = true;
              else state = rdacStateOf(inq);
              switch (state) {
                case PathState.WILD:
                  cc.msgid = CheckerMsgId.UNSUPPORTED;
                  break;
                case PathState.DOWN:
                  cc.msgid = inqfail ? RdacMsgId.INQUIRY_FAILED : rdacDownMessage(inq);
                  break;
                case PathState.UP:
                  cc.msgid = CheckerMsgId.UP;
                  break;
                case PathState.GHOST:
                  cc.msgid = CheckerMsgId.GHOST;
                  break;
                default:
                  break;
              }
              cc.complete(state);
            });
          // libcheck_init's MODE SENSE/SELECT finish before the first check, as in C.
          if (initDone) run();
          else queued = run;
          return CHECKER_WAIT;
        },
        free() {
          queued = null;
        },
      };
    },
  });
}
