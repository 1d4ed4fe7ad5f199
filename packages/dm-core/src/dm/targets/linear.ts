/**
 * The `linear` target (dm-linear.c, v1.4.0): `<dev> <offset>` maps the target's range onto
 * `dev` starting at sector `offset`. Bio-based.
 */

import type { Bio } from "../../block/bio.js";
import { Errno } from "../../block/status.js";
import {
  type DmCtrResult,
  type DmDev,
  DmMapio,
  type DmTarget,
  type DmTargetEnv,
  DmTargetFeature,
  type DmTargetType,
  defineTarget,
} from "../target.js";

/** `sscanf(s, "%llu%c")` == 1: decimal digits (after optional blanks), nothing after. */
function parseSector(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*(\d+)$/.exec(s);
  if (!m) return null;
  const v = BigInt(m[1]!);
  // The kernel keeps 64 bits; past 2^53 a sector cannot be represented here, and no device is that big.
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(v);
}

class LinearTarget implements DmTarget {
  readonly queueType = "bio" as const;
  readonly #env: DmTargetEnv;
  readonly #dev: DmDev;
  readonly #start: number;

  constructor(env: DmTargetEnv, dev: DmDev, start: number) {
    this.#env = env;
    this.#dev = dev;
    this.#start = start;
  }

  map(clone: Bio): DmMapio {
    clone.dev = this.#dev.bdev;
    clone.sector += this.#start;
    return DmMapio.REMAPPED;
  }

  status(type: "info" | "table" | "ima"): string {
    switch (type) {
      case "info":
        return "";
      case "table":
        return `${this.#dev.name} ${this.#start}`;
      case "ima":
        return `target_name=linear,target_version=1.4.0,device_name=${this.#dev.name},start=${this.#start};`;
    }
  }

  iterateDevices(fn: (dev: DmDev, start: number, len: number) => void): void {
    fn(this.#dev, this.#start, this.#env.len);
  }

  dtr(): void {
    this.#env.putDevice(this.#dev);
  }
}

/** The `linear` target type (built into dm_mod). */
export const linearTargetType: DmTargetType = defineTarget({
  name: "linear",
  version: [1, 4, 0],
  features:
    DmTargetFeature.PASSES_INTEGRITY |
    DmTargetFeature.NOWAIT |
    DmTargetFeature.ZONED_HM |
    DmTargetFeature.PASSES_CRYPTO,
  ctr(env: DmTargetEnv, argv: readonly string[]): DmCtrResult {
    if (argv.length !== 2) {
      env.error = "Invalid argument count";
      return { ok: false, errno: Errno.EINVAL };
    }
    const start = parseSector(argv[1]!);
    if (start === null) {
      env.error = "Invalid device sector";
      return { ok: false, errno: Errno.EINVAL };
    }
    const r = env.getDevice(argv[0]!);
    if (!r.ok) {
      env.error = "Device lookup failed";
      return { ok: false, errno: r.errno };
    }
    return { ok: true, target: new LinearTarget(env, r.dev, start) };
  },
});
