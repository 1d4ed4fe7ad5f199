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

/** Per-path state (`struct path_info`): `qlen` is an `atomic_t`, so it wraps at 32 bits. */
class QlPathInfo extends ListNode {
  qlen = 0;

  constructor(
    readonly path: DmPath,
    readonly repeatCount: number,
  ) {
    super();
  }
}

/**
 * queue-length 0.2.0 (dm-ps-queue-length.c): the valid path with the fewest in-flight I/Os; the
 * scan stops at the first idle path, ties go to the earlier path, and the chosen path moves to
 * the tail. A reinstated path joins the tail.
 */
class QueueLength implements PathSelector {
  readonly #valid = new ListHead();
  readonly #failed = new ListHead();
  readonly #env: PathSelectorEnv;

  constructor(env: PathSelectorEnv) {
    this.#env = env;
  }

  addPath(path: DmPath, args: readonly string[]): AddPathResult {
    if (args.length > 1) return { ok: false, error: "queue-length ps: incorrect number of arguments" };
    const rc = clampedRepeatCount(args, "queue-length", this.#env, "ql_add_path");
    if (!rc.ok) return rc;
    const repeatCount = rc.repeatCount;
    const pi = new QlPathInfo(path, repeatCount);
    path.pscontext = pi;
    this.#valid.addTail(pi);
    return { ok: true };
  }

  failPath(path: DmPath): void {
    this.#failed.move(path.pscontext as QlPathInfo);
  }

  reinstatePath(path: DmPath): number {
    this.#valid.moveTail(path.pscontext as QlPathInfo);
    return 0;
  }

  select(_nrBytes: number, _cpu: number): DmPath | null {
    const head = this.#valid;
    if (head.empty()) return null;
    let best: QlPathInfo | null = null;
    for (let n = head.next; n !== head; n = n.next) {
      const pi = n as QlPathInfo;
      if (best === null || pi.qlen < best.qlen) best = pi;
      if (best.qlen === 0) break;
    }
    if (best === null) return null;
    head.moveTail(best);
    return best.path;
  }

  startIo(path: DmPath, _nrBytes: number): void {
    const pi = path.pscontext as QlPathInfo;
    pi.qlen = (pi.qlen + 1) | 0;
  }

  endIo(path: DmPath, _nrBytes: number, _startNs: number): void {
    const pi = path.pscontext as QlPathInfo;
    pi.qlen = (pi.qlen - 1) | 0;
  }

  status(path: DmPath | null, type: StatusType): string {
    if (path === null) return "0";
    const pi = path.pscontext as QlPathInfo;
    switch (type) {
      case "info":
        return String(pi.qlen);
      case "table":
        return String(pi.repeatCount);
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

/** The `queue-length` path selector (module `dm-queue-length`). */
export const queueLengthSelector = definePathSelector({
  name: "queue-length",
  version: [0, 2, 0],
  tableArgs: 1,
  infoArgs: 1,
  create(_args: readonly string[], env: PathSelectorEnv): CreateSelectorResult {
    return { ok: true, selector: new QueueLength(env) };
  },
});
