/**
 * The `striped` target (dm-stripe.c, v1.6.0, built into dm_mod): `<#stripes> <chunk sectors>
 * (<dev> <offset>)+` spreads the target's range over the devices chunk by chunk (RAID 0). dm core
 * splits I/O at chunk boundaries (`max_io_len`); empty flushes and discards go to every stripe.
 * An I/O error on a stripe counts against it (status `D`) and raises a table event, up to a
 * threshold.
 */

import { type Bio, ReqFlag, ReqOp } from "../../block/bio.js";
import { BlkStatus, Errno } from "../../block/status.js";
import {
  type DmCtrResult,
  type DmDev,
  DmEndio,
  DmMapio,
  type DmPerIo,
  type DmTarget,
  type DmTargetEnv,
  DmTargetFeature,
  type DmTargetType,
  defineTarget,
} from "../target.js";

/** `DM_IO_ERROR_THRESHOLD`: errors on one stripe after which no more events are raised. */
const IO_ERROR_THRESHOLD = 15;
const UINT_MAX = 0xffff_ffff;

/**
 * `kstrtouint(s, 10, &v)`: an optional `+`, decimal digits, an optional final newline; no
 * blanks. Null for anything else or a value above UINT_MAX (-EINVAL / -ERANGE).
 */
export function kstrtouint(s: string): number | null {
  const m = /^\+?(\d+)\n?$/.exec(s);
  if (!m) return null;
  const v = Number(m[1]);
  return v <= UINT_MAX ? v : null;
}

/** `sscanf(s, "%llu%c") == 1`: blanks, then decimal digits up to the end (no sign). */
function parseStart(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*(\d+)$/.exec(s);
  if (!m) return null;
  const v = BigInt(m[1]!);
  // Past 2^53 a sector cannot be represented here, and no device is that big.
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(v);
}

/** One stripe (`struct stripe`). */
interface Stripe {
  readonly dev: DmDev;
  readonly physicalStart: number;
  errorCount: number;
}

class StripedTarget implements DmTarget {
  readonly queueType = "bio" as const;
  readonly numFlushBios: number;
  readonly numDiscardBios: number;
  readonly numSecureEraseBios: number;
  readonly numWriteZeroesBios: number;
  readonly maxIoLen: number;
  readonly #env: DmTargetEnv;
  readonly #stripes: readonly Stripe[];
  /** `sc->stripe_width`: the target's length over the number of stripes. */
  readonly #width: number;
  readonly #chunk: number;
  #eventQueued = false;
  #destroyed = false;
  readonly #fireEvent = (): void => this.#triggerEvent();

  constructor(env: DmTargetEnv, stripes: readonly Stripe[], width: number, chunk: number) {
    this.#env = env;
    this.#stripes = stripes;
    this.#width = width;
    this.#chunk = chunk;
    this.maxIoLen = chunk;
    this.numFlushBios = stripes.length;
    this.numDiscardBios = stripes.length;
    this.numSecureEraseBios = stripes.length;
    this.numWriteZeroesBios = stripes.length;
  }

  /** `stripe_map_sector`: the stripe of a target-relative sector and its offset in the stripe. */
  #mapSector(sector: number): { stripe: number; result: number } {
    const chunkSize = this.#chunk;
    const n = this.#stripes.length;
    const chunkOffset = sector % chunkSize;
    let chunk = Math.floor(sector / chunkSize);
    const stripe = chunk % n;
    chunk = Math.floor(chunk / n);
    return { stripe, result: chunk * chunkSize + chunkOffset };
  }

  /** `stripe_map_range_sector`: where `sector` falls on stripe `target`, rounded to its chunks. */
  #mapRangeSector(sector: number, target: number): number {
    const { stripe, result } = this.#mapSector(sector);
    if (stripe === target) return result;
    // Round down to the chunk; a stripe before the sector's one already holds the whole chunk.
    const down = result - (result % this.#chunk);
    return target < stripe ? down + this.#chunk : down;
  }

  map(clone: Bio, io: DmPerIo): DmMapio {
    if (clone.flags & ReqFlag.PREFLUSH) {
      const nr = io.targetBioNr ?? 0;
      clone.dev = this.#stripes[nr]!.dev.bdev;
      return DmMapio.REMAPPED;
    }
    const op = clone.op;
    if (op === ReqOp.DISCARD || op === ReqOp.SECURE_ERASE || op === ReqOp.WRITE_ZEROES) {
      // stripe_map_range: the part of the range that lies on this clone's stripe.
      const nr = io.targetBioNr ?? 0;
      const begin = this.#mapRangeSector(clone.sector, nr);
      const end = this.#mapRangeSector(clone.sector + (clone.bytes >>> 9), nr);
      if (begin >= end) {
        // Nothing of the range is on this stripe: the clone ends at once, successfully.
        this.#env.endBio(clone, BlkStatus.OK);
        return DmMapio.SUBMITTED;
      }
      const s = this.#stripes[nr]!;
      clone.dev = s.dev.bdev;
      clone.sector = begin + s.physicalStart;
      clone.bytes = (end - begin) << 9;
      return DmMapio.REMAPPED;
    }
    const { stripe, result } = this.#mapSector(clone.sector);
    const s = this.#stripes[stripe]!;
    clone.sector = result + s.physicalStart;
    clone.dev = s.dev.bdev;
    return DmMapio.REMAPPED;
  }

  endIo(clone: Bio): DmEndio {
    const status = clone.status;
    if (status === BlkStatus.OK) return DmEndio.DONE;
    // Readahead failures and unsupported operations are not the drive's fault.
    if (clone.flags & ReqFlag.RAHEAD || status === BlkStatus.NOTSUPP) return DmEndio.DONE;
    const devt = clone.dev?.devt;
    // Every stripe on the failing device counts the error.
    for (const s of this.#stripes) {
      if (s.dev.devt !== devt) continue;
      s.errorCount++;
      if (s.errorCount < IO_ERROR_THRESHOLD) this.#queueEvent();
    }
    return DmEndio.DONE;
  }

  /** `schedule_work(&sc->trigger_event)`: a work already queued is not queued twice. */
  #queueEvent(): void {
    if (this.#eventQueued) return;
    this.#eventQueued = true;
    this.#env.clock.schedule(0, invoke, this.#fireEvent);
  }

  #triggerEvent(): void {
    this.#eventQueued = false;
    if (this.#destroyed) return;
    this.#env.tableEvent();
  }

  status(type: "info" | "table" | "ima"): string {
    const stripes = this.#stripes;
    switch (type) {
      case "info": {
        let out = `${stripes.length} `;
        for (const s of stripes) out += `${s.dev.name} `;
        out += "1 ";
        for (const s of stripes) out += s.errorCount ? "D" : "A";
        return out;
      }
      case "table": {
        let out = `${stripes.length} ${this.#chunk}`;
        for (const s of stripes) out += ` ${s.dev.name} ${s.physicalStart}`;
        return out;
      }
      case "ima": {
        let out = `target_name=striped,target_version=1.6.0,stripes=${stripes.length},chunk_size=${this.#chunk}`;
        stripes.forEach((s, i) => {
          out += `,stripe_${i}_device_name=${s.dev.name}`;
          out += `,stripe_${i}_physical_start=${s.physicalStart}`;
          out += `,stripe_${i}_status=${s.errorCount ? "D" : "A"}`;
        });
        return `${out};`;
      }
    }
  }

  /** `stripe_io_hints`: the chunk is the minimum I/O, a full stripe the optimal one. */
  ioHints(): { ioMin: number; ioOpt: number } {
    const chunkBytes = this.#chunk * 512;
    return { ioMin: chunkBytes, ioOpt: chunkBytes * this.#stripes.length };
  }

  /** Each device with the area of it the target uses: `stripe_width` sectors from its start. */
  iterateDevices(fn: (dev: DmDev, start: number, len: number) => void): void {
    for (const s of this.#stripes) fn(s.dev, s.physicalStart, this.#width);
  }

  dtr(): void {
    this.#destroyed = true;
    for (const s of this.#stripes) this.#env.putDevice(s.dev);
  }
}

function invoke(fn: () => void): void {
  fn();
}

function fail(env: DmTargetEnv, error: string, errno: number = Errno.EINVAL): DmCtrResult {
  env.error = error;
  return { ok: false, errno };
}

/** The `striped` target type (built into dm_mod). */
export const stripedTargetType: DmTargetType = defineTarget({
  name: "striped",
  version: [1, 6, 0],
  features: DmTargetFeature.PASSES_INTEGRITY | DmTargetFeature.NOWAIT,
  ctr(env: DmTargetEnv, argv: readonly string[]): DmCtrResult {
    if (argv.length < 2) return fail(env, "Not enough arguments");
    const stripes = kstrtouint(argv[0]!);
    if (!stripes) return fail(env, "Invalid stripe count");
    const chunk = kstrtouint(argv[1]!);
    if (!chunk) return fail(env, "Invalid chunk_size");
    if (env.len % stripes !== 0) return fail(env, "Target length not divisible by number of stripes");
    const width = env.len / stripes;
    if (width % chunk !== 0) return fail(env, "Target length not divisible by chunk size");
    // argc is compared with an unsigned int that may wrap.
    if (argv.length !== (2 + 2 * stripes) >>> 0) return fail(env, "Not enough destinations specified");
    const list: Stripe[] = [];
    for (let i = 0; i < stripes; i++) {
      const start = parseStart(argv[3 + 2 * i]!);
      const r = start === null ? null : env.getDevice(argv[2 + 2 * i]!);
      if (start === null || !r?.ok) {
        for (const s of list) env.putDevice(s.dev);
        return fail(env, "Couldn't parse stripe destination", r && !r.ok ? r.errno : Errno.EINVAL);
      }
      list.push({ dev: r.dev, physicalStart: start, errorCount: 0 });
    }
    return { ok: true, target: new StripedTarget(env, list, width, chunk) };
  },
});
