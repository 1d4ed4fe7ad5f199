import type { BlockDevice } from "../block/block-device.js";
import type { DevT } from "../block/devt.js";
import type { DmDev } from "../dm/target.js";
import type { ScsiDhResult } from "../handlers/handler.js";
import type { DmPath, PathSelector, PathSelectorType } from "../selectors/path-selector.js";

/**
 * A path of a priority group (`struct pgpath`). It is also the `dm_path` handed to the selector,
 * so a selector's answer maps back to its pgpath without a lookup. Its dynamic state (active,
 * fail count) lives in the target's {@link import("./mpath-state.js").MpathState}.
 */
export class Pgpath implements DmPath {
  pscontext: unknown = null;
  /** Clock handle of the queued `activate_path` work, 0 when none. */
  activateTimer = 0;
  /** `pg_init_done` bound to this path once, so activation allocates no closure. */
  activateDone: (result: ScsiDhResult) => void = () => {};
  /** Its `activate_path` work, bound once. */
  runActivate: () => void = () => {};

  constructor(
    /** Index in the target's flat path list (table order). */
    readonly index: number,
    /** Index of its priority group. */
    readonly pg: number,
    readonly dev: DmDev,
  ) {}

  get bdev(): BlockDevice {
    return this.dev.bdev;
  }

  get devt(): DevT {
    return this.dev.devt;
  }
}

/** A priority group (`struct priority_group`): its selector and paths, numbered from 1. */
export class PriorityGroup {
  readonly paths: Pgpath[] = [];

  constructor(
    /** 0-based index; `pg_num` is index + 1. */
    readonly index: number,
    readonly type: PathSelectorType,
    readonly ps: PathSelector,
  ) {}

  get num(): number {
    return this.index + 1;
  }
}

/**
 * Per-I/O context (`struct dm_mpath_io` + the saved `dm_bio_details` of bio mode). Kept in
 * `DmPerIo.ctx` and reused with it, so mapping allocates nothing once warm.
 */
export class MpathIo {
  pgpath: Pgpath | null = null;
  nrBytes = 0;
  /** Bio mode with an hr-timer selector: when the I/O was mapped; else 0. */
  startNs = 0;
  savedSector = 0;
  savedBytes = 0;
  savedDev: BlockDevice | null = null;
}
