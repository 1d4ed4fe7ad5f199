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

/** Per-path state (`struct path_info`). */
class RrPathInfo extends ListNode {
  constructor(
    readonly path: DmPath,
    readonly repeatCount: number,
  ) {
    super();
  }
}

/**
 * round-robin 1.2.0 (dm-ps-round-robin.c): a pure rotation of the valid paths. A failed path goes
 * to the head of the invalid list; a reinstated one to the HEAD of the valid list, so it is the
 * next one chosen.
 */
class RoundRobin implements PathSelector {
  readonly #valid = new ListHead();
  readonly #invalid = new ListHead();
  readonly #env: PathSelectorEnv;

  constructor(env: PathSelectorEnv) {
    this.#env = env;
  }

  addPath(path: DmPath, args: readonly string[]): AddPathResult {
    if (args.length > 1) return { ok: false, error: "round-robin ps: incorrect number of arguments" };
    const rc = clampedRepeatCount(args, "round-robin", this.#env, "rr_add_path");
    if (!rc.ok) return rc;
    const repeatCount = rc.repeatCount;
    const pi = new RrPathInfo(path, repeatCount);
    path.pscontext = pi;
    this.#valid.addTail(pi);
    return { ok: true };
  }

  failPath(path: DmPath): void {
    this.#invalid.move(path.pscontext as RrPathInfo);
  }

  reinstatePath(path: DmPath): number {
    this.#valid.move(path.pscontext as RrPathInfo);
    return 0;
  }

  select(_nrBytes: number, _cpu: number): DmPath | null {
    if (this.#valid.empty()) return null;
    const pi = this.#valid.next as RrPathInfo;
    this.#valid.moveTail(pi);
    return pi.path;
  }

  status(path: DmPath | null, type: StatusType): string {
    if (path === null) return "0";
    switch (type) {
      case "info":
      case "ima":
        return "";
      case "table":
        return String((path.pscontext as RrPathInfo).repeatCount);
      default:
        return assertNever(type);
    }
  }

  destroy(): void {
    for (const head of [this.#valid, this.#invalid]) while (!head.empty()) ListHead.del(head.next);
  }
}

/** The `round-robin` path selector (module `dm-round-robin`). */
export const roundRobinSelector = definePathSelector({
  name: "round-robin",
  version: [1, 2, 0],
  tableArgs: 1,
  infoArgs: 0,
  create(_args: readonly string[], env: PathSelectorEnv): CreateSelectorResult {
    return { ok: true, selector: new RoundRobin(env) };
  },
});
