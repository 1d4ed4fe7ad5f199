import type { DmDev } from "../dm/target.js";

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

/** Result of a selector's add_path: 0, or an error message that dm-mpath copies into `ti->error`. */
export type AddPathResult = { ok: true } | { ok: false; error: string };

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
  /** `select_path(ps, nr_bytes)`: the path for the next I/O, or null when none is usable. */
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
  /** Logs a line to the kernel log (e.g. `device-mapper: multipath round-robin: repeat_count > 1 is deprecated, using 1 instead`). */
  warn(text: string): void;
  /** Number of possible CPUs (`nr_cpu_ids`), for io-affinity. */
  readonly nrCpus: number;
  /** NUMA node of a CPU, for io-affinity. */
  cpuToNode(cpu: number): number;
}

/** Result of a selector type's create. */
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
  /** `create(ps, argc, argv)`: group-level selector args from the table. */
  create(args: readonly string[], env: PathSelectorEnv): CreateSelectorResult;
}

/** Helper for plugin authors: validates the shape and returns the type unchanged. */
export function definePathSelector(type: PathSelectorType): PathSelectorType {
  if (!/^[A-Za-z0-9_.-]+$/.test(type.name)) throw new TypeError(`invalid path selector name: ${type.name}`);
  if (!Number.isInteger(type.tableArgs) || type.tableArgs < 0) throw new TypeError("tableArgs must be >= 0");
  if (!Number.isInteger(type.infoArgs) || type.infoArgs < 0) throw new TypeError("infoArgs must be >= 0");
  return type;
}
