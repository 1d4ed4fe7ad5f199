// @ts-check
/**
 * least-latency: a path selector written the way a user of mp would write one — a package of its
 * own that depends on @mp/dm-core and imports only its public API.
 *
 * Each path keeps an exponentially weighted moving average of its service time (start_io to
 * end_io, weight 1/8 for the newest sample) and its I/Os in flight; an I/O goes to the path with
 * the lowest `ewma × (in flight + 1)` — the time a new I/O would wait if the path served one at a
 * time. Paths with no sample yet count as 0, so each gets tried. Ties go to the path used longest
 * ago (the chosen path moves to the back of the list, as dm's own selectors do).
 *
 * Use it:  mp sim compare examples/hst-slow-path.yaml \
 *            --selectors service-time,least-latency --plugin examples/plugins/least-latency/index.js
 * or in a table: `… 1 least-latency 0 4 1 8:0 1 8:16 1 …` once the module is registered.
 */
import { definePathSelector } from "@mp/dm-core";

/** @typedef {import("@mp/dm-core").DmPath} DmPath */
/** @typedef {import("@mp/dm-core").PathSelector} PathSelector */

/** Per-path state, kept in `path.pscontext`. */
class PathInfo {
  /** @param {DmPath} path @param {number} repeat */
  constructor(path, repeat) {
    this.path = path;
    this.repeat = repeat;
    /** EWMA of the service time, ns (0 = no sample yet). */
    this.ewmaNs = 0;
    this.inflight = 0;
    this.failed = false;
  }
}

/** 1/8: the weight of the newest sample. */
const SHIFT = 3;

export const leastLatencySelector = definePathSelector({
  name: "least-latency",
  version: [0, 1, 0],
  tableArgs: 1,
  infoArgs: 2,
  create(args, env) {
    if (args.length > 0) return { ok: false, errno: -22 };
    /** @type {PathInfo[]} the valid paths, in selection order */
    const valid = [];
    /** @type {PathInfo[]} */
    const failed = [];
    /** @type {PathSelector} */
    const selector = {
      addPath(path, pathArgs) {
        if (pathArgs.length > 1)
          return { ok: false, error: "least-latency ps: incorrect number of arguments" };
        const repeat = pathArgs.length === 1 ? Number(pathArgs[0]) : 1;
        if (!Number.isInteger(repeat) || repeat < 0)
          return { ok: false, error: "least-latency ps: invalid repeat count" };
        const pi = new PathInfo(path, repeat);
        path.pscontext = pi;
        valid.push(pi);
        return { ok: true };
      },
      failPath(path) {
        const pi = /** @type {PathInfo} */ (path.pscontext);
        const i = valid.indexOf(pi);
        if (i >= 0) valid.splice(i, 1);
        pi.failed = true;
        failed.push(pi);
      },
      reinstatePath(path) {
        const pi = /** @type {PathInfo} */ (path.pscontext);
        const i = failed.indexOf(pi);
        if (i >= 0) failed.splice(i, 1);
        pi.failed = false;
        valid.push(pi);
        return 0;
      },
      select() {
        let best = -1;
        let bestCost = Number.POSITIVE_INFINITY;
        for (let i = 0; i < valid.length; i++) {
          const p = valid[i];
          const cost = p.ewmaNs * (p.inflight + 1);
          if (cost < bestCost) {
            bestCost = cost;
            best = i;
          }
        }
        if (best < 0) return null;
        const chosen = valid[best];
        valid.splice(best, 1);
        valid.push(chosen);
        return chosen.path;
      },
      startIo(path) {
        /** @type {PathInfo} */ (path.pscontext).inflight++;
      },
      endIo(path, _nrBytes, startNs) {
        const pi = /** @type {PathInfo} */ (path.pscontext);
        pi.inflight--;
        const sample = Math.max(0, env.now() - startNs);
        pi.ewmaNs = pi.ewmaNs === 0 ? sample : pi.ewmaNs + ((sample - pi.ewmaNs) >> SHIFT);
      },
      status(path, type) {
        if (path === null) return "0";
        const pi = /** @type {PathInfo} */ (path.pscontext);
        if (type === "info") return `${Math.round(pi.ewmaNs)} ${pi.inflight}`;
        if (type === "table") return `${pi.repeat}`;
        return "";
      },
      destroy() {
        valid.length = 0;
        failed.length = 0;
      },
    };
    return { ok: true, selector };
  },
});

export default leastLatencySelector;
