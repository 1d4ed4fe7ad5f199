import { inquiryCdb } from "@mp/dm-core";
import { definePrioritizer, type Prioritizer } from "../prio.js";
import { sscanf } from "../scanf.js";
import { SG_INFO_OK, SG_INFO_OK_MASK, sgIo } from "../sg-io.js";

const INQ_REPLY_LEN = 255;

/** The arguments as `datacore_prio` reads them (sscanf, in its order), or a reason to give 0. */
export function parseDatacoreArgs(
  args: string | null,
): { preferredsds: string; timeout: number } | { error: string } {
  if (args === null) return { error: "need prio_args with preferredsds set" };
  let timeout = 2000;
  let preferredsds = "";
  // sscanf stores what it converted even when a later directive fails
  const a = sscanf(args, "timeout=%i preferredsds=%s");
  if (a.values.length >= 1) timeout = a.values[0] as number;
  if (a.values.length >= 2) preferredsds = a.values[1] as string;
  if (a.count !== 2) {
    const b = sscanf(args, "preferredsds=%s timeout=%i");
    if (b.values.length >= 1) preferredsds = b.values[0] as string;
    if (b.values.length >= 2) timeout = b.values[1] as number;
    if (b.count !== 2) {
      const c = sscanf(args, "preferredsds=%s");
      if (c.values.length >= 1) preferredsds = c.values[0] as string;
      if (c.count !== 1) return { error: "unexpected prio_args format" };
    }
  }
  if (preferredsds.length <= 1) return { error: "prio args: preferredsds too short (1 character min)" };
  if (timeout < 500 || timeout > 20000) return { error: "prio args: timeout out of bounds [500:20000]" };
  return { preferredsds, timeout };
}

/**
 * The `datacore` prioritizer (DataCore SANsymphony): 1 when the SDS name in standard INQUIRY
 * (bytes 112-127) contains `preferredsds`, else 0; `prio_args` are `preferredsds=NAME` with an
 * optional `timeout=MS` before or after it. Any problem gives 0.
 */
export function createDatacorePrioritizer(): Prioritizer {
  return definePrioritizer({
    name: "datacore",
    getprio(pp, args, _timeout, env, done) {
      const a = parseDatacoreArgs(args);
      if ("error" in a) {
        env.log(0, `${pp.dev}: datacore prio: ${a.error}`);
        done(0);
        return;
      }
      const cdb = inquiryCdb(INQ_REPLY_LEN);
      sgIo(
        env.host,
        pp.dev,
        { cdb, direction: "from-device", dxferLen: INQ_REPLY_LEN, mxSbLen: 32, timeoutMs: a.timeout },
        (h) => {
          if (h.errno || (h.info & SG_INFO_OK_MASK) !== SG_INFO_OK) {
            done(0);
            return;
          }
          let sdsname = "";
          for (let i = 0; i < 16; i++) {
            const c = h.dxferp[112 + i] ?? 0;
            if (c === 0) break;
            sdsname += String.fromCharCode(c);
          }
          done(sdsname.includes(a.preferredsds) ? 1 : 0);
        },
      );
    },
  });
}
