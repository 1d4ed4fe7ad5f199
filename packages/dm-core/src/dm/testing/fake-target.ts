/**
 * A programmable target for dm core's tests: maps every I/O onto one device (`<dev>` argument,
 * or none) and answers map / end_io with whatever the test sets on its {@link FakeControl}.
 * Not for production use.
 */

import type { Bio } from "../../block/bio.js";
import type { BlkStatus } from "../../block/status.js";
import { Errno } from "../../block/status.js";
import {
  type DmCtrResult,
  type DmDev,
  DmEndio,
  DmMapio,
  type DmPerIo,
  type DmQueueType,
  type DmTarget,
  type DmTargetEnv,
  type DmTargetType,
  defineTarget,
} from "../target.js";

/** What the test controls and observes. */
export class FakeControl {
  /** Verdict of the next map calls (bio `map` or rq `cloneAndMap`). */
  mapVerdict: DmMapio = DmMapio.REMAPPED;
  /** Verdict of end_io calls for clones that completed with an error (success → DONE). */
  endIoVerdict: DmEndio = DmEndio.DONE;
  /** Value of `busy()`. */
  busy = false;
  /** Error `preresume` returns. */
  preresumeError = 0;
  /** Calls, in order: `ctr`, `map`, `endio:<status>`, `presuspend:<noflush>`, … */
  readonly calls: string[] = [];
  /** Clones the target holds (SUBMITTED / INCOMPLETE), with their env. */
  readonly held: Array<{ clone: Bio; env: DmTargetEnv }> = [];
  /** The env of the most recently constructed instance. */
  env: DmTargetEnv | null = null;
  /** Instances alive (constructed and not destroyed). */
  alive = 0;
  /** Runs inside `presuspend` (e.g. to stop queueing and re-run the queue, as multipath does). */
  onPresuspend: ((env: DmTargetEnv, noflush: boolean) => void) | null = null;

  count(prefix: string): number {
    return this.calls.filter((c) => c.startsWith(prefix)).length;
  }
}

class FakeTarget implements DmTarget {
  readonly queueType: DmQueueType | undefined;
  readonly #env: DmTargetEnv;
  readonly #dev: DmDev | null;
  readonly #ctl: FakeControl;

  constructor(env: DmTargetEnv, dev: DmDev | null, ctl: FakeControl, queueType: DmQueueType | undefined) {
    this.#env = env;
    this.#dev = dev;
    this.#ctl = ctl;
    this.queueType = queueType;
  }

  #route(clone: Bio): DmMapio {
    const v = this.#ctl.mapVerdict;
    if (v === DmMapio.REMAPPED) {
      if (!this.#dev) return DmMapio.KILL;
      clone.dev = this.#dev.bdev;
    }
    if (v === DmMapio.SUBMITTED) this.#ctl.held.push({ clone, env: this.#env });
    return v;
  }

  map(clone: Bio): DmMapio {
    this.#ctl.calls.push("map");
    return this.#route(clone);
  }

  endIo(clone: Bio): DmEndio {
    this.#ctl.calls.push(`endio:${clone.status}`);
    if (clone.status === 0) return DmEndio.DONE;
    const v = this.#ctl.endIoVerdict;
    if (v === DmEndio.INCOMPLETE) this.#ctl.held.push({ clone, env: this.#env });
    return v;
  }

  cloneAndMap(rq: Bio, _io: DmPerIo, clone: Bio): DmMapio {
    this.#ctl.calls.push("clone_and_map");
    clone.copyFrom(rq);
    return this.#route(clone);
  }

  rqEndIo(_clone: Bio, _io: DmPerIo, status: BlkStatus): DmEndio {
    this.#ctl.calls.push(`rq_end_io:${status}`);
    if (status === 0) return DmEndio.DONE;
    return this.#ctl.endIoVerdict;
  }

  busy(): boolean {
    return this.#ctl.busy;
  }

  presuspend(noflush: boolean): void {
    this.#ctl.calls.push(`presuspend:${noflush}`);
    this.#ctl.onPresuspend?.(this.#env, noflush);
  }

  postsuspend(): void {
    this.#ctl.calls.push("postsuspend");
  }

  preresume(): number {
    this.#ctl.calls.push("preresume");
    return this.#ctl.preresumeError;
  }

  resume(): void {
    this.#ctl.calls.push("resume");
  }

  status(type: "info" | "table" | "ima"): string {
    return type === "table" ? (this.#dev?.name ?? "") : "fake";
  }

  message(argv: readonly string[]): number {
    this.#ctl.calls.push(`message:${argv.join(" ")}`);
    return argv[0] === "bad" ? -Errno.EINVAL : 0;
  }

  iterateDevices(fn: (dev: DmDev, start: number, len: number) => void): void {
    if (this.#dev) fn(this.#dev, 0, this.#env.len);
  }

  dtr(): void {
    this.#ctl.calls.push("dtr");
    this.#ctl.alive--;
    if (this.#dev) this.#env.putDevice(this.#dev);
  }
}

/**
 * A fake target type. Table params: `[<dev>]`, or `fail <errno> <error text…>` to make the
 * constructor fail with that `ti->error`.
 */
export function fakeTargetType(
  name: string,
  ctl: FakeControl,
  options: { readonly queueType?: DmQueueType; readonly features?: number } = {},
): DmTargetType {
  return defineTarget({
    name,
    version: [0, 0, 1],
    features: options.features ?? 0,
    ctr(env: DmTargetEnv, argv: readonly string[]): DmCtrResult {
      ctl.calls.push("ctr");
      if (argv[0] === "fail") {
        if (argv.length > 2) env.error = argv.slice(2).join(" ");
        return { ok: false, errno: Number(argv[1]) };
      }
      let dev: DmDev | null = null;
      if (argv[0] !== undefined) {
        const r = env.getDevice(argv[0]);
        if (!r.ok) {
          env.error = "error getting device";
          return { ok: false, errno: r.errno };
        }
        dev = r.dev;
      }
      ctl.env = env;
      ctl.alive++;
      return { ok: true, target: new FakeTarget(env, dev, ctl, options.queueType) };
    },
  });
}
