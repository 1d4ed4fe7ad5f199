import type { DmDev } from "../dm/target.js";
import { PluginError } from "../errors.js";

/** Status type asked of a selector (`STATUSTYPE_INFO`, `STATUSTYPE_TABLE`, `STATUSTYPE_IMA`). */
export type StatusType = "info" | "table" | "ima";

/**
 * A path as a selector sees it (`struct dm_path`): the device and a slot for the selector's
 * per-path context. Selectors may stash whatever they need in {@link DmPath.pscontext}.
 */
export interface DmPath {
  readonly dev: DmDev;
  pscontext: unknown;
}

/**
 * Result of a selector's add_path: ok, or the message dm-mpath copies into `ti->error` with the
 * (negative) errno the constructor then fails with (-EINVAL when omitted).
 */
export type AddPathResult = { ok: true } | { ok: false; error: string; errno?: number };

/**
 * One selector instance for one priority group (`struct path_selector` + its context).
 * Mirrors `struct path_selector_type`'s callbacks; `select`, `startIo` and `endIo` are the hot
 * path and must not allocate.
 */
export interface PathSelector {
  /** `add_path(ps, path, argc, argv, &error)`: per-path table args. */
  addPath(path: DmPath, args: readonly string[]): AddPathResult;
  /** `fail_path`. */
  failPath(path: DmPath): void;
  /** `reinstate_path`: 0 or a negative errno (the path then stays failed). */
  reinstatePath(path: DmPath): number;
  /**
   * `select_path(ps, nr_bytes)`: the path for the next I/O, or null when none is usable. `cpu` is
   * the CPU the I/O was submitted on (the kernel's `get_cpu()`; only io-affinity reads it).
   */
  select(nrBytes: number, cpu: number): DmPath | null;
  /** `start_io`. */
  startIo?(path: DmPath, nrBytes: number): void;
  /** `end_io(ps, path, nr_bytes, start_time)`: `startNs` is when the I/O was started on the path. */
  endIo?(path: DmPath, nrBytes: number, startNs: number): void;
  /**
   * `status(ps, path, type)`: the selector's fields. With `path` null, the group-level fields
   * (printed after the group state in INFO and after the selector name in TABLE), else the
   * per-path fields. Returned without the trailing space; dm-mpath adds separators.
   * Return "" for "nothing" (e.g. round-robin's per-path INFO).
   */
  status(path: DmPath | null, type: StatusType): string;
  /** `destroy`. */
  destroy(): void;
}

/** What a selector may use: the world's clock and the kernel log (for rate-limited warnings). */
export interface PathSelectorEnv {
  /** Monotonic ns (`ktime_get_ns` / `sched_clock`). */
  now(): number;
  /** Logs a warning line to the kernel log, exactly as given (the selector adds its `device-mapper: multipath <name>: ` prefix). */
  warn(text: string): void;
  /**
   * `DMWARN_LIMIT` (`pr_warn_ratelimited`): like {@link PathSelectorEnv.warn}, but at most 10 lines
   * per 5 s per `callsite` (the kernel keeps one ratelimit state per call site).
   */
  warnRatelimited(callsite: string, text: string): void;
  /** Number of possible CPUs (`nr_cpu_ids`), for io-affinity. */
  readonly nrCpus: number;
  /** NUMA node of a CPU, for io-affinity. */
  cpuToNode(cpu: number): number;
}

/** Result of a selector type's create: on failure a negative errno (ti->error becomes `path selector constructor failed`). */
export type CreateSelectorResult = { ok: true; selector: PathSelector } | { ok: false; errno: number };

/** A path-selector type (`struct path_selector_type`): a plugin registered by name. */
export interface PathSelectorType {
  /** Registry name, matched case-sensitively (`round-robin`). */
  readonly name: string;
  /** Module version printed at load, e.g. `[1, 2, 0]`. */
  readonly version: readonly [number, number, number];
  /** Per-path args re-emitted in TABLE status (`table_args`). */
  readonly tableArgs: number;
  /** Per-path fields printed in INFO status (`info_args`). */
  readonly infoArgs: number;
  /**
   * `DM_PS_USE_HR_TIMER`: bio-based multipath stamps each I/O's start time when it maps it
   * (instead of using dm core's start time) and passes it to `endIo`.
   */
  readonly useHrTimer?: boolean;
  /** `create(ps, argc, argv)`: group-level selector args from the table. */
  create(args: readonly string[], env: PathSelectorEnv): CreateSelectorResult;
}

/**
 * Helper for plugin authors: validates the shape and returns the type unchanged. A selector is
 * registered in a kernel's selector registry (and, to be found by `request_module`, offered as a
 * `dm-<name>` module). Throws {@link PluginError} on a malformed type.
 */
export function definePathSelector(type: PathSelectorType): PathSelectorType {
  // dm-mpath splits tables on whitespace, so a name must be one table word.
  if (!/^[A-Za-z0-9_.-]+$/.test(type.name))
    throw new PluginError(`invalid path selector name: ${JSON.stringify(type.name)}`);
  if (!Number.isInteger(type.tableArgs) || type.tableArgs < 0)
    throw new PluginError(`path selector ${type.name}: tableArgs must be an integer >= 0`);
  if (!Number.isInteger(type.infoArgs) || type.infoArgs < 0)
    throw new PluginError(`path selector ${type.name}: infoArgs must be an integer >= 0`);
  if (type.version.length !== 3 || !type.version.every((v) => Number.isInteger(v) && v >= 0))
    throw new PluginError(`path selector ${type.name}: version must be three integers >= 0`);
  if (typeof type.create !== "function")
    throw new PluginError(`path selector ${type.name}: create is not a function`);
  return type;
}
