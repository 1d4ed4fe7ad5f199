/**
 * How the daemon core uses checkers and prioritizers (libmultipath/checkers.c `checker_get`,
 * `checker_check`; prio.c `prio_get`, `prio_getprio`). The shapes are those of @mp/checkers'
 * `Checker` and `Prioritizer`; the composition root passes factories bound to the host, so the
 * core never names a concrete plugin.
 */

/** `check()` answered "later": the callback will deliver the state. */
export const CHECK_WAIT = -1;

/** A path's live checker (`struct checker`). */
export interface PathChecker {
  /** `checker_name`. */
  readonly name: string;
  /** Seconds (`c->timeout`). */
  timeout: number;
  /** Run synchronously (`force_sync`, always in the `multipath` tool). */
  sync: boolean;
  /** `checker_disable`d by `fail path`: checks answer UNCHECKED. */
  disabled: boolean;
  /** False when the path has no usable fd: checks answer WILD. */
  fdValid: boolean;
  /** The map's context slot, or null. */
  mpContext: { value: unknown } | null;
  /** True while a check answered "later" and has not delivered yet. */
  readonly waiting: boolean;
  /** `checker_check(c, state)`: a state, or {@link CHECK_WAIT} and one later `done(arg, state)`. */
  check<T>(pathState: number, done: (arg: T, state: number) => void, arg: T): number;
  /** `checker_message`: the text after `<name> checker`. */
  message(): string;
  clearMessage(): void;
  /** `checker_put`. */
  free(): void;
}

/** What a checker needs to know about its path. */
export interface CheckerTarget {
  readonly dev: string;
  /** dev_t as a number (`mkdev(major, minor)`). */
  readonly devt: number;
}

/** Creates checkers by name (`checker_get` + `checker_init`). */
export interface CheckerFactory {
  /**
   * The checker, or `"not-found"` when no class has that name (the factory logs `Checker '…'
   * not found in /lib/multipath`), or `"init-failed"` when its init failed.
   */
  create(
    name: string,
    target: CheckerTarget,
    options: { readonly timeout: number; readonly mpContext: { value: unknown } | null },
  ): PathChecker | "not-found" | "init-failed";
  /** `init_checkers`: loads the default checker class; false when it cannot. */
  init?(): boolean;
  /** `cleanup_checkers`: unloads every class loaded (newest first). */
  cleanup?(): void;
}

/** What a prioritizer reads of a path. */
export interface PrioTarget {
  readonly dev: string;
  readonly bus: "scsi" | "nvme" | "ccw" | "cciss" | "undef";
  readonly sgId: {
    readonly hostNo: number;
    readonly channel: number;
    readonly scsiId: number;
    readonly lun: number;
    readonly protoId: number;
    readonly transportId: number;
  };
  readonly serial: string;
  readonly tgtNodeName: string;
  readonly fdValid: boolean;
}

/** A selected prioritizer bound to its arguments (`struct prio`). */
export interface Prioritizer {
  readonly name: string;
  readonly args: string;
  /** `prio_getprio(p, pp, timeout)`: calls `done` once, now or later on the clock. */
  getprio(target: PrioTarget, timeoutMs: number, done: (prio: number) => void): void;
}

/** Creates prioritizers by name (`prio_get`); undefined when not found (the factory logs it). */
export interface PrioritizerFactory {
  create(name: string, args: string): Prioritizer | undefined;
  /** `init_prio`: loads the default prioritizer; false when it cannot. */
  init?(): boolean;
  /** `cleanup_prio`: unloads every prioritizer loaded (newest first). */
  cleanup?(): void;
}

/**
 * The ALUA helpers of libmultipath's prioritizers/alua_rtpg.c that discovery also uses
 * (`detect_alua`): each answers through `done` with a value >= 0 or a negative `RTPG_*` error.
 */
export interface AluaProbes {
  /** `get_target_port_group_support`: the TPGS bits of standard INQUIRY. */
  targetPortGroupSupport(target: PrioTarget, timeoutMs: number, done: (rc: number) => void): void;
  /** `get_target_port_group`: the path's target port group from VPD 0x83. */
  targetPortGroup(target: PrioTarget, timeoutMs: number, done: (rc: number) => void): void;
  /** `get_asymmetric_access_state`: the group's access state (with the PREF bit) from RTPG. */
  asymmetricAccessState(target: PrioTarget, tpg: number, timeoutMs: number, done: (rc: number) => void): void;
}

/** `RTPG_INQUIRY_FAILED`: the negated error `detect_alua` treats as "path unreachable". */
export const RTPG_INQUIRY_FAILED = 1;
