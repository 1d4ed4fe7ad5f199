import type { Host } from "@mp/dm-core";
import { definePrioritizer, type Prioritizer } from "../prio.js";
import { sysfsAttr } from "../sysfs-attr.js";

/**
 * The `ana` prioritizer for NVMe paths. multipath-tools asks the controller (Identify, ANA log);
 * the model reads the same answer where the kernel publishes it: the path's block device
 * attribute `/sys/block/<dev>/ana_state` (`optimized`, `non-optimized`, `inaccessible`,
 * `persistent-loss`, `change`), present only when the controller supports ANA.
 * Optimized 50, non-optimized 10, inaccessible and change 1, persistent loss 0; -1 on error.
 */

/** NVMe ANA state codes. */
export const NvmeAna = {
  OPTIMIZED: 0x01,
  NONOPTIMIZED: 0x02,
  INACCESSIBLE: 0x03,
  PERSISTENT_LOSS: 0x04,
  CHANGE: 0x0f,
} as const;

const ANA_ERR_GETCTRL_FAILED = 1;
const ANA_ERR_NOT_SUPPORTED = 3;
const ANA_ERR_NO_INFORMATION = 10;

const ERRMSG: Record<number, string> = {
  1: "couldn't get ctrl info",
  2: "not an NVMe device",
  3: "ANA not supported",
  4: "buffer overflow in ANA log",
  5: "NSID or ANAGRPID not found",
  6: "couldn't get ana log",
  7: "couldn't get NSID",
  8: "couldn't get namespace info",
  9: "out of memory",
  10: "invalid fd",
};

const STATE_CODES: Record<string, number> = {
  optimized: NvmeAna.OPTIMIZED,
  "non-optimized": NvmeAna.NONOPTIMIZED,
  inaccessible: NvmeAna.INACCESSIBLE,
  "persistent-loss": NvmeAna.PERSISTENT_LOSS,
  change: NvmeAna.CHANGE,
};

const STATE_TEXT: Record<number, string> = {
  [NvmeAna.OPTIMIZED]: "ANA Optimized State",
  [NvmeAna.NONOPTIMIZED]: "ANA Non-Optimized State",
  [NvmeAna.INACCESSIBLE]: "ANA Inaccessible State",
  [NvmeAna.PERSISTENT_LOSS]: "ANA Persistent Loss State",
  [NvmeAna.CHANGE]: "ANA Change state",
};

/** True when the path's controller supports ANA (`nvme_id_ctrl_ana`), as the model sees it. */
export function nvmeAnaSupported(host: Host, dev: string): boolean {
  return dev.startsWith("nvme") && host.sysfs.read(`/sys/block/${dev}/ana_state`) !== null;
}

/** The `ana` prioritizer. */
export function createAnaPrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "ana",
    getprio(pp, _args, _timeout, env, done) {
      let rc: number;
      if (!pp.fdValid) rc = -ANA_ERR_NO_INFORMATION;
      else if (!pp.dev.startsWith("nvme")) {
        env.log(2, `${pp.dev}: nvme_identify_ctrl: ${"Inappropriate ioctl for device"}`);
        rc = -ANA_ERR_GETCTRL_FAILED;
      } else {
        const s = sysfsAttr(env.host, `/sys/block/${pp.dev}/ana_state`);
        if (s === null) rc = -ANA_ERR_NOT_SUPPORTED;
        else {
          rc = STATE_CODES[s] ?? 0;
          env.log(
            4,
            `${pp.dev}: ana state = ${rc.toString(16).padStart(2, "0")} [${STATE_TEXT[rc] ?? "invalid ANA state"}]`,
          );
        }
      }
      switch (rc) {
        case NvmeAna.OPTIMIZED:
          done(50);
          return;
        case NvmeAna.NONOPTIMIZED:
          done(10);
          return;
        case NvmeAna.INACCESSIBLE:
        case NvmeAna.CHANGE:
          done(1);
          return;
        case NvmeAna.PERSISTENT_LOSS:
          done(0);
          return;
        default:
          break;
      }
      if (rc < 0 && ERRMSG[-rc]) env.log(2, `${pp.dev}: ANA error: ${ERRMSG[-rc]}`);
      else env.log(1, `${pp.dev}: invalid ANA rc code ${rc}`);
      done(-1);
    },
  });
}
