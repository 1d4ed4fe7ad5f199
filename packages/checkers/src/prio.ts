import { type Host, PluginError, Registry, type Rng } from "@mp/dm-core";
import { MULTIPATH_DIR } from "./checker.js";
import type { CondLog } from "./log.js";

/**
 * Prioritizers (libmultipath/prio.c, 0.9.4): plugins registered by name that compute a path's
 * priority. `getprio` is asynchronous (it may send SCSI commands or read the device) and
 * answers through a callback; a negative answer is an error (multipathd then keeps the old
 * priority if the path is down or pending, else sets {@link PRIO_UNDEF}: see
 * {@link prioAfterError}).
 */

/** `PRIO_UNDEF`: no priority. */
export const PRIO_UNDEF = -1;
/** `PRIO_NAME_LEN`: names compare on their first 15 characters. */
export const PRIO_NAME_LEN = 16;
/** `DEFAULT_PRIO` and `DEFAULT_PRIO_ARGS`. */
export const DEFAULT_PRIO = "const";
export const DEFAULT_PRIO_ARGS = "";

/** `pp->bus`. */
export type PathBus = "scsi" | "nvme" | "ccw" | "cciss" | "undef";

/** `SCSI_PROTOCOL_FCP`: the `proto_id` of Fibre Channel paths. */
export const SCSI_PROTOCOL_FCP = 0;

/** `pp->sg_id`: the SCSI address and transport of a path (-1 where unknown). */
export interface SgId {
  readonly hostNo: number;
  readonly channel: number;
  readonly scsiId: number;
  readonly lun: number;
  /** `proto_id` (`SCSI_PROTOCOL_*`), -1 when unknown. */
  readonly protoId: number;
  /** `transport_id` (the FC remote port number), -1 when unknown. */
  readonly transportId: number;
}

/** The parts of multipathd's `struct path` a prioritizer reads. */
export interface PrioPath {
  /** Kernel name (`sdc`). */
  readonly dev: string;
  readonly bus: PathBus;
  readonly sgId: SgId;
  /** `pp->serial` (VPD 0x80). */
  readonly serial: string;
  /** `pp->tgt_node_name` (FC target WWNN), "" when unknown. */
  readonly tgtNodeName: string;
  /** `pp->fd >= 0`: the daemon could open the device node. */
  readonly fdValid: boolean;
}

/** The world a prioritizer runs in. */
export interface PrioEnv {
  readonly host: Host;
  readonly log: CondLog;
  /** The `random` prioritizer's generator. */
  readonly rng: Rng;
}

/** A prioritizer (`getprio` of a `libprio<name>.so`). */
export interface Prioritizer {
  readonly name: string;
  /**
   * `getprio(pp, args, timeout)`: `timeoutMs` is multipathd's (`checker_timeout` × 1000, or 10 ms
   * for a path that is down; 0 means "use the prioritizer's default"). Calls `done` exactly once,
   * at once or later on the host's clock.
   */
  getprio(path: PrioPath, args: string, timeoutMs: number, env: PrioEnv, done: (prio: number) => void): void;
}

/** Helper for plugin authors: checks the shape and returns the prioritizer unchanged. */
export function definePrioritizer(p: Prioritizer): Prioritizer {
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(p.name)) throw new PluginError(`invalid prioritizer name: ${p.name}`);
  if (typeof p.getprio !== "function") throw new PluginError(`prioritizer ${p.name}: getprio is missing`);
  return p;
}

/** Registry of prioritizers, created by the composition root. */
export type PrioritizerRegistry = Registry<Prioritizer>;

/** A new, empty prioritizer registry. */
export function createPrioritizerRegistry(items: Iterable<Prioritizer> = []): PrioritizerRegistry {
  return new Registry<Prioritizer>("prioritizer", items);
}

/**
 * `prio_get`'s lookup: the prioritizer (first 15 characters compared), or undefined after
 * logging `Prioritizer '<name>' not found in /lib/multipath` at level 0.
 */
export function prioLookup(
  registry: PrioritizerRegistry,
  name: string,
  log?: CondLog,
): Prioritizer | undefined {
  if (name.length === 0) return undefined;
  const key = name.slice(0, PRIO_NAME_LEN - 1);
  for (const p of registry.values()) if (p.name.slice(0, PRIO_NAME_LEN - 1) === key) return p;
  log?.(0, `Prioritizer '${name}' not found in ${MULTIPATH_DIR}`);
  return undefined;
}

/** `get_prio_timeout(timeout_ms, default)`: the caller's timeout, or the prioritizer's default. */
export function getPrioTimeout(timeoutMs: number, defaultMs: number): number {
  return timeoutMs ? timeoutMs : defaultMs;
}

/** `prio_getprio` as a promise. */
export function prioGetprio(
  p: Prioritizer,
  path: PrioPath,
  args: string,
  timeoutMs: number,
  env: PrioEnv,
): Promise<number> {
  return new Promise((resolve) => p.getprio(path, args, timeoutMs, env, resolve));
}

/**
 * What `get_prio` keeps after a prioritizer error: the old priority when the path's sysfs state
 * is DOWN or PENDING (`path_offline`), else {@link PRIO_UNDEF}.
 */
export function prioAfterError(oldPrio: number, sysfsState: "down" | "pending" | "up" | "removed"): number {
  return sysfsState === "down" || sysfsState === "pending" ? oldPrio : PRIO_UNDEF;
}
