import { parseKernelUint } from "../dm/dm-args.js";
import { ListHead, ListNode } from "./path-list.js";
import {
  type AddPathResult,
  type CreateSelectorResult,
  type DmPath,
  definePathSelector,
  type PathSelector,
  type PathSelectorEnv,
  type StatusType,
} from "./path-selector.js";
import { assertNever, clampedRepeatCount } from "./ps-util.js";

const ST_MAX_RELATIVE_THROUGHPUT = 100;
const ST_MAX_RELATIVE_THROUGHPUT_SHIFT = 7n;
const U64 = 64;
/** `(size_t)-1 >> ST_MAX_RELATIVE_THROUGHPUT_SHIFT` on a 64-bit kernel. */
const ST_MAX_INFLIGHT_SIZE = ((1n << 64n) - 1n) >> ST_MAX_RELATIVE_THROUGHPUT_SHIFT;
/** Below this, every intermediate of the comparison is an exact double (sz·100 < 2^53). */
const FAST_LIMIT = 2 ** 45;

/** Per-path state (`struct path_info`). `inFlightSize` is an `atomic_t`: it wraps at 32 bits. */
class StPathInfo extends ListNode {
  inFlightSize = 0;

  constructor(
    readonly path: DmPath,
    readonly repeatCount: number,
    readonly relativeThroughput: number,
  ) {
    super();
  }
}

/**
 * `st_compare_load`: < 0 when `p1` is the better path for an I/O of `incoming` bytes. The kernel
 * computes in `size_t` (the in-flight `int` sign-extended) and returns the difference truncated
 * to `int`; this reproduces that, with doubles while every value is exact and BigInt otherwise.
 */
export function stCompareLoad(
  inFlight1: number,
  rt1: number,
  inFlight2: number,
  rt2: number,
  incoming: number,
): number {
  // Case 1: same throughput, less loaded wins.
  if (rt1 === rt2) return (inFlight1 - inFlight2) | 0;
  // Case 2a/2b: same load, or a zero throughput: higher throughput wins.
  if (inFlight1 === inFlight2 || rt1 === 0 || rt2 === 0) return rt2 - rt1;
  // Case 3: estimated service time (sz + incoming) / rt, compared by cross-multiplying.
  if (inFlight1 >= 0 && inFlight2 >= 0 && incoming < FAST_LIMIT) {
    const st1 = (inFlight1 + incoming) * rt2;
    const st2 = (inFlight2 + incoming) * rt1;
    if (st1 !== st2) return (st1 - st2) | 0;
    return rt2 - rt1;
  }
  return stCompareExact(inFlight1, rt1, inFlight2, rt2, incoming);
}

/**
 * Case 3 of {@link stCompareLoad} in the kernel's 64-bit arithmetic (a value past the exact
 * doubles). Kept out of `stCompareLoad` so that the common comparison stays small enough for V8
 * to inline into `select`.
 */
function stCompareExact(
  inFlight1: number,
  rt1: number,
  inFlight2: number,
  rt2: number,
  incoming: number,
): number {
  let sz1 = BigInt.asUintN(U64, BigInt(inFlight1) + BigInt(incoming));
  let sz2 = BigInt.asUintN(U64, BigInt(inFlight2) + BigInt(incoming));
  if (sz1 >= ST_MAX_INFLIGHT_SIZE || sz2 >= ST_MAX_INFLIGHT_SIZE) {
    sz1 >>= ST_MAX_RELATIVE_THROUGHPUT_SHIFT;
    sz2 >>= ST_MAX_RELATIVE_THROUGHPUT_SHIFT;
  }
  const st1 = BigInt.asUintN(U64, sz1 * BigInt(rt2));
  const st2 = BigInt.asUintN(U64, sz2 * BigInt(rt1));
  if (st1 !== st2) return Number(BigInt.asIntN(32, st1 - st2));
  return rt2 - rt1;
}

/**
 * service-time 0.3.0 (dm-ps-service-time.c): the valid path with the least estimated service
 * time (in-flight bytes over relative throughput); the chosen path moves to the tail, so ties
 * rotate.
 */
class ServiceTime implements PathSelector {
  readonly #valid = new ListHead();
  readonly #failed = new ListHead();
  readonly #env: PathSelectorEnv;

  constructor(env: PathSelectorEnv) {
    this.#env = env;
  }

  addPath(path: DmPath, args: readonly string[]): AddPathResult {
    if (args.length > 2) return { ok: false, error: "service-time ps: incorrect number of arguments" };
    const rc = clampedRepeatCount(args, "service-time", this.#env, "st_add_path");
    if (!rc.ok) return rc;
    const repeatCount = rc.repeatCount;
    let relativeThroughput = 1;
    if (args.length === 2) {
      const v = parseKernelUint(args[1]!);
      if (v === null || v > ST_MAX_RELATIVE_THROUGHPUT)
        return { ok: false, error: "service-time ps: invalid relative_throughput value" };
      relativeThroughput = v;
    }
    const pi = new StPathInfo(path, repeatCount, relativeThroughput);
    path.pscontext = pi;
    this.#valid.addTail(pi);
    return { ok: true };
  }

  failPath(path: DmPath): void {
    this.#failed.move(path.pscontext as StPathInfo);
  }

  reinstatePath(path: DmPath): number {
    this.#valid.moveTail(path.pscontext as StPathInfo);
    return 0;
  }

  select(nrBytes: number, _cpu: number): DmPath | null {
    const head = this.#valid;
    if (head.empty()) return null;
    let best: StPathInfo | null = null;
    for (let n = head.next; n !== head; n = n.next) {
      const pi = n as StPathInfo;
      if (
        best === null ||
        stCompareLoad(
          pi.inFlightSize,
          pi.relativeThroughput,
          best.inFlightSize,
          best.relativeThroughput,
          nrBytes,
        ) < 0
      )
        best = pi;
    }
    if (best === null) return null;
    head.moveTail(best);
    return best.path;
  }

  startIo(path: DmPath, nrBytes: number): void {
    const pi = path.pscontext as StPathInfo;
    pi.inFlightSize = (pi.inFlightSize + nrBytes) | 0;
  }

  endIo(path: DmPath, nrBytes: number, _startNs: number): void {
    const pi = path.pscontext as StPathInfo;
    pi.inFlightSize = (pi.inFlightSize - nrBytes) | 0;
  }

  status(path: DmPath | null, type: StatusType): string {
    if (path === null) return "0";
    const pi = path.pscontext as StPathInfo;
    switch (type) {
      case "info":
        return `${pi.inFlightSize} ${pi.relativeThroughput}`;
      case "table":
        return `${pi.repeatCount} ${pi.relativeThroughput}`;
      case "ima":
        return "";
      default:
        return assertNever(type);
    }
  }

  destroy(): void {
    for (const head of [this.#valid, this.#failed]) while (!head.empty()) ListHead.del(head.next);
  }
}

/** The `service-time` path selector (module `dm-service-time`). */
export const serviceTimeSelector = definePathSelector({
  name: "service-time",
  version: [0, 3, 0],
  tableArgs: 2,
  infoArgs: 2,
  create(_args: readonly string[], env: PathSelectorEnv): CreateSelectorResult {
    return { ok: true, selector: new ServiceTime(env) };
  },
});
