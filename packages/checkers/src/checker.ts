import { type DevT, type Host, PluginError, Registry, type Rng } from "@mp/dm-core";
import type { CondLog } from "./log.js";
import { PathState } from "./path-state.js";

/**
 * Path checkers (libmultipath/checkers.c, 0.9.4): a checker class is a plugin registered by
 * name; each path gets a {@link Checker} (`struct checker`) with the class's per-path context.
 *
 * A check never blocks. {@link Checker.check} either answers at once, or returns
 * {@link CHECKER_WAIT} and answers later through its callback, at the virtual time the C call
 * would have returned: after the I/O a synchronous checker blocks on, or after the short grace
 * wait of an asynchronous one (tur: up to 1 ms for its thread; directio: up to 1 µs for aio).
 * The daemon can therefore drive paths one after another exactly as multipathd's checker loop
 * does, or overlap them.
 */

/** `check()` returned no state yet: the callback will deliver it. */
export const CHECKER_WAIT = -1;
export type CheckerWait = typeof CHECKER_WAIT;

/** Generic message ids (`CHECKER_MSGID_*`); checker-specific ids start at {@link CHECKER_FIRST_MSGID}. */
export const CheckerMsgId = {
  NONE: 0,
  DISABLED: 1,
  NO_FD: 2,
  INVALID: 3,
  UP: 4,
  DOWN: 5,
  GHOST: 6,
  UNSUPPORTED: 7,
} as const;

export const CHECKER_GENERIC_MSGTABLE_SIZE = 8;
export const CHECKER_FIRST_MSGID = 100;
export const CHECKER_MSGTABLE_SIZE = 100;

const GENERIC_MSG = [
  "",
  " is disabled",
  " has no usable fd",
  " provided invalid message id",
  " reports path is up",
  " reports path is down",
  " reports path is ghost",
  " doesn't support this device",
];

/** `ASYNC_TIMEOUT_SEC`. */
export const ASYNC_TIMEOUT_SEC = 30;
/** `DEF_TIMEOUT`: the checker timeout when neither the config nor sysfs gives one (seconds). */
export const DEF_TIMEOUT = 30;
/** Where multipath-tools 0.9.4 on Debian loads checker and prioritizer libraries from. */
export const MULTIPATH_DIR = "/lib/multipath";

/** The world a checker runs in. */
export interface CheckerEnv {
  readonly host: Host;
  readonly log: CondLog;
  /** For plugins that draw random numbers; the built-in checkers do not. */
  readonly rng?: Rng;
}

/** The path being checked, as the checker needs it. */
export interface CheckerPath {
  /** Kernel name (`sda`): what SG_IO, direct reads and sysfs lookups address. */
  readonly dev: string;
  /** `major:minor`, printed in the async checkers' log lines. */
  readonly devt: DevT;
}

/**
 * The per-map context slot (`mpp->mpcontext`) that checkers sharing a map may use (emc_clariion
 * remembers inactive snapshots there). The daemon keeps one per map and passes it to every
 * path's checker.
 */
export interface MpContext {
  value: unknown;
}

/** What a checker class sees of its `struct checker`. */
export interface CheckerHandle {
  readonly path: CheckerPath;
  readonly env: CheckerEnv;
  /** `c->timeout`, seconds. */
  readonly timeout: number;
  /** `checker_is_sync(c)`. */
  readonly sync: boolean;
  /** `c->msgid`: set it with the state. */
  msgid: number;
  /** `c->mpcontext`, or null. */
  readonly mpContext: MpContext | null;
  /** Delivers the state of a check that returned {@link CHECKER_WAIT}. Call exactly once. */
  complete(state: PathState): void;
}

/** A class's per-path context (`c->context` plus its `libcheck_check` / `libcheck_free`). */
export interface CheckerContext {
  /**
   * `libcheck_check(c)`: a {@link PathState} at once, or {@link CHECKER_WAIT} and later one
   * `c.complete(state)`.
   */
  check(c: CheckerHandle): PathState | CheckerWait;
  /** `libcheck_free`: forget the path (in-flight I/O is left to finish on its own). */
  free(): void;
}

/** A checker class (`struct checker_class`), registered by name. */
export interface CheckerClass {
  /** Up to 15 characters (`CHECKER_NAME_LEN`). */
  readonly name: string;
  /** `libcheck_msgtable`: texts of message ids 100, 101, … */
  readonly msgtable: readonly string[];
  /** `libcheck_init`: the per-path context, or null when it cannot be set up (`checker init failed`). */
  init(c: CheckerHandle): CheckerContext | null;
  /** `libcheck_mp_init`: the initial value of a map's context slot; return false when that fails. */
  mpInit?(c: CheckerHandle): unknown;
}

/** Helper for plugin authors: checks the shape and returns the class unchanged. */
export function defineChecker(cls: CheckerClass): CheckerClass {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(cls.name)) throw new PluginError(`invalid checker name: ${cls.name}`);
  if (cls.msgtable.length > CHECKER_MSGTABLE_SIZE)
    throw new PluginError(`checker ${cls.name}: message table too long`);
  if (typeof cls.init !== "function") throw new PluginError(`checker ${cls.name}: init is missing`);
  return cls;
}

/** Registry of checker classes, created by the composition root. */
export type CheckerRegistry = Registry<CheckerClass>;

/** A new, empty checker registry. */
export function createCheckerRegistry(classes: Iterable<CheckerClass> = []): CheckerRegistry {
  return new Registry<CheckerClass>("checker", classes);
}

/**
 * `checker_get(c, name)`'s lookup: the class (names compare on their first 15 characters, as
 * `strncmp(…, CHECKER_NAME_LEN)` does), or undefined after logging
 * `Checker '<name>' not found in /lib/multipath` at level 0 (what a missing library gives).
 */
export function checkerLookup(
  registry: CheckerRegistry,
  name: string,
  log?: CondLog,
): CheckerClass | undefined {
  if (name.length === 0) return undefined;
  const key = name.slice(0, 15);
  for (const cls of registry.values()) if (cls.name.slice(0, 15) === key) return cls;
  log?.(0, `Checker '${name}' not found in ${MULTIPATH_DIR}`);
  return undefined;
}

/** Called with the state of a check that returned {@link CHECKER_WAIT}. */
export type CheckDone<T> = (arg: T, state: PathState) => void;

/** Options of {@link createChecker}. */
export interface CreateCheckerOptions {
  /** `c->timeout` in seconds (default {@link DEF_TIMEOUT}). */
  readonly timeout?: number;
  /** The map's context slot, when the path belongs to a map. */
  readonly mpContext?: MpContext | null;
}

/**
 * A path's checker (`struct checker`): the class, its per-path context, timeout, sync/async,
 * disabled flag, fd validity and the last message id. Create with {@link createChecker}.
 */
export class Checker implements CheckerHandle {
  readonly cls: CheckerClass;
  readonly path: CheckerPath;
  readonly env: CheckerEnv;
  /** `c->timeout` (seconds). multipathd refreshes it from the config or sysfs before each check. */
  timeout: number;
  /** Run synchronously (`force_sync`, and always in the `multipath` tool). */
  sync = false;
  /** `checker_disable`: check() answers UNCHECKED "is disabled". */
  disabled = false;
  /** `checker_set_fd`: false when the path has no usable fd (`pp->fd < 0`); check() answers WILD. */
  fdValid = true;
  msgid: number = CheckerMsgId.NONE;
  mpContext: MpContext | null;
  #ctx: CheckerContext | null;
  #done: CheckDone<unknown> | null = null;
  #arg: unknown = undefined;

  /** @internal use {@link createChecker}. */
  constructor(cls: CheckerClass, path: CheckerPath, env: CheckerEnv, opts: CreateCheckerOptions) {
    this.cls = cls;
    this.path = path;
    this.env = env;
    this.timeout = opts.timeout ?? DEF_TIMEOUT;
    this.mpContext = opts.mpContext ?? null;
    this.#ctx = null;
  }

  /** @internal */
  setContext(ctx: CheckerContext | null): void {
    this.#ctx = ctx;
  }

  /** `checker_name`. */
  get name(): string {
    return this.cls.name;
  }

  /** True while a check has returned {@link CHECKER_WAIT} and not yet delivered its state. */
  get waiting(): boolean {
    return this.#done !== null;
  }

  /**
   * `checker_check(c, path_state)`: clears the message, then answers UNCHECKED when disabled,
   * `pathState` for the `none` checker, WILD without a usable fd, else runs the class's check.
   * Returns the state, or {@link CHECKER_WAIT} and calls `done(arg, state)` once later.
   * A second check while one is waiting is a caller bug and throws.
   */
  check<T>(pathState: PathState, done: CheckDone<T>, arg: T): PathState | CheckerWait {
    if (this.#done) throw new PluginError(`checker ${this.name}: check() while a check is still waiting`);
    this.msgid = CheckerMsgId.NONE;
    if (this.disabled) {
      this.msgid = CheckerMsgId.DISABLED;
      return PathState.UNCHECKED;
    }
    if (this.cls.name.startsWith("none")) return pathState;
    if (!this.fdValid) {
      this.msgid = CheckerMsgId.NO_FD;
      return PathState.WILD;
    }
    if (!this.#ctx) return PathState.UNCHECKED;
    this.#done = done as CheckDone<unknown>;
    this.#arg = arg;
    const r = this.#ctx.check(this);
    if (r !== CHECKER_WAIT) {
      this.#done = null;
      this.#arg = undefined;
    }
    return r;
  }

  /** The same check as a promise (convenient for async daemon code; allocates per call). */
  checkAsync(pathState: PathState): Promise<PathState> {
    return new Promise((resolve) => {
      const r = this.check(pathState, (_: null, s) => resolve(s), null);
      if (r !== CHECKER_WAIT) resolve(r);
    });
  }

  complete(state: PathState): void {
    const done = this.#done;
    const arg = this.#arg;
    if (!done) throw new PluginError(`checker ${this.name}: complete() without a waiting check`);
    this.#done = null;
    this.#arg = undefined;
    done(arg, state);
  }

  /** `checker_message`: the text to print after `<name> checker`, "" for none or a bad id. */
  message(): string {
    const id = this.msgid;
    if (id < 0 || (id >= CHECKER_GENERIC_MSGTABLE_SIZE && id < CHECKER_FIRST_MSGID)) return "";
    if (id < CHECKER_GENERIC_MSGTABLE_SIZE) return GENERIC_MSG[id] ?? "";
    return this.cls.msgtable[id - CHECKER_FIRST_MSGID] ?? "";
  }

  /** `checker_clear_message`. */
  clearMessage(): void {
    this.msgid = CheckerMsgId.NONE;
  }

  /** `checker_put` / `libcheck_free`: the checker is not used again. */
  free(): void {
    this.#ctx?.free();
    this.#ctx = null;
    this.#done = null;
  }
}

/**
 * `checker_get` + `checker_init` for one path: the class's context is created (`libcheck_init`)
 * and, with a map context slot that is still empty, the class's `mpInit` fills it. Returns null
 * when `libcheck_init` fails (multipathd logs `checker init failed` and reports UNCHECKED).
 */
export function createChecker(
  cls: CheckerClass,
  path: CheckerPath,
  env: CheckerEnv,
  opts: CreateCheckerOptions = {},
): Checker | null {
  const c = new Checker(cls, path, env, opts);
  const ctx = cls.init(c);
  if (!ctx) return null;
  c.setContext(ctx);
  if (c.mpContext && c.mpContext.value === undefined && cls.mpInit) {
    const v = cls.mpInit(c);
    if (v === false) c.mpContext = null;
    else c.mpContext.value = v;
  }
  return c;
}

/** A context whose check answers at once with `fn`'s state: for simple synchronous plugins. */
export function immediateContext(fn: (c: CheckerHandle) => PathState): CheckerContext {
  return { check: fn, free: () => {} };
}
