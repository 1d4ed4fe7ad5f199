/**
 * Test harness for dm core: a kernel on a virtual clock with dm_mod and loop loaded, and an
 * I/O recorder that notices lost and double completions. Not for production use.
 */

import { Bio, ReqFlag, ReqOp } from "../../block/bio.js";
import type { BlockDevice } from "../../block/block-device.js";
import type { BlkStatus } from "../../block/status.js";
import { VirtualClock } from "../../clock/virtual-clock.js";
import { createKernel, type Kernel, type KernelOptions } from "../../kernel/kernel.js";
import type { KernelModule } from "../../kernel/modules.js";
import type { DmTargetType } from "../target.js";

/**
 * A kernel on a virtual clock, dm_mod and loop loaded, loop0..loop{n-1} bound to 8 MiB each.
 * Loop I/O takes the fixed service time only (no copy-bandwidth term) unless the options set
 * one, so timings in dm tests pin dm's behaviour rather than the size of the I/O.
 */
export function testKernel(
  options: {
    readonly loops?: number;
    readonly targets?: readonly DmTargetType[];
  } & Partial<KernelOptions> = {},
): { clock: VirtualClock; k: Kernel } {
  const clock = new VirtualClock();
  const extra: KernelModule[] = (options.targets ?? []).map((t) => ({
    name: `dm-${t.name}`,
    depends: ["dm_mod"],
    init() {
      if (!k.targets.has(t.name)) k.targets.register(t);
      return 0;
    },
  }));
  const k = createKernel({
    clock,
    config: { DM_MULTIPATH_HST: false, DM_MULTIPATH_IOA: false },
    loopBandwidthBytesPerSec: Number.POSITIVE_INFINITY,
    ...options,
    modules: [...(options.modules ?? []), ...extra],
  });
  k.modules.load("dm_mod");
  for (let i = 0; i < (options.loops ?? 2); i++) k.losetup(`loop${i}`, 8 << 20);
  return { clock, k };
}

/** One recorded I/O. */
export interface IoRecord {
  readonly id: number;
  readonly bio: Bio;
  completions: number;
  status: BlkStatus | null;
  doneAt: number;
}

/** Submits bios and records their completions. */
export class IoRecorder {
  readonly records: IoRecord[] = [];
  readonly #clock: VirtualClock;

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  submit(
    dev: BlockDevice,
    op: "read" | "write" | "flush",
    sector: number,
    bytes: number,
    fill?: number,
    flags = ReqFlag.SYNC,
  ): IoRecord {
    const bio = new Bio();
    // An empty flush is a WRITE with REQ_PREFLUSH and no data (blkdev_issue_flush).
    bio.op = op === "read" ? ReqOp.READ : ReqOp.WRITE;
    bio.flags = flags | (op === "flush" ? ReqFlag.PREFLUSH : 0);
    bio.sector = sector;
    bio.bytes = bytes;
    bio.data = bytes ? new Uint8Array(bytes) : null;
    if (fill !== undefined && bio.data) bio.data.fill(fill);
    const rec: IoRecord = { id: this.records.length, bio, completions: 0, status: null, doneAt: -1 };
    bio.endIo = (b) => {
      rec.completions++;
      rec.status = b.status;
      rec.doneAt = this.#clock.now();
    };
    this.records.push(rec);
    dev.submit(bio);
    return rec;
  }

  /** Records not completed yet. */
  pending(): IoRecord[] {
    return this.records.filter((r) => r.completions === 0);
  }

  /** Records completed more than once. */
  doubles(): IoRecord[] {
    return this.records.filter((r) => r.completions > 1);
  }
}

/** The kernel log lines since `cursor`, as `dmesg` prints them (text only). */
export function dmesg(k: Kernel, cursor = 0): string[] {
  return k.log.since(cursor).map((l) => l.text);
}
