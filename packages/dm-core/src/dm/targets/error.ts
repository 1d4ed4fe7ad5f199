/**
 * The `error` target (dm-target.c, v1.5.0): fails every I/O. It has both a bio and a request
 * map, so it fits either table type (a "hybrid" target) and can replace any live table
 * (`DM_TARGET_WILDCARD`).
 */

import { DmMapio, type DmTarget, DmTargetFeature, type DmTargetType, defineTarget } from "../target.js";

class ErrorTarget implements DmTarget {
  readonly queueType = undefined;
  /** `io_err_ctr` sets no `num_flush_bios`: an empty flush never reaches it. */
  readonly numFlushBios = 0;

  map(): DmMapio {
    return DmMapio.KILL;
  }

  cloneAndMap(): DmMapio {
    return DmMapio.KILL;
  }

  releaseClone(): void {}

  status(): string {
    return "";
  }

  iterateDevices(): void {}

  dtr(): void {}
}

/** The `error` target type (built into dm_mod). */
export const errorTargetType: DmTargetType = defineTarget({
  name: "error",
  version: [1, 5, 0],
  features: DmTargetFeature.WILDCARD,
  ctr() {
    return { ok: true, target: new ErrorTarget() };
  },
});
