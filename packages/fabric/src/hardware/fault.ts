import type { Rng } from "@mp/dm-core";
import type { SenseSpec } from "../scsi/sense.js";

/**
 * What an injected fault does to a command that matches it. Each mirrors a kernel test tool:
 * - `sense`: CHECK CONDITION with the given sense (scsi_debug `opts` medium/recovered errors,
 *   dm-flakey `error_reads`/`error_writes` at the SCSI level);
 * - `status`: a bare SAM status (BUSY, TASK SET FULL, RESERVATION CONFLICT) — scsi_debug's
 *   `every_nth` + `opts=0x8000` host-busy and TASK SET FULL injection;
 * - `host`: the command fails in the transport with a host byte (DID_NO_CONNECT, DID_ERROR,
 *   DID_TRANSPORT_DISRUPTED …) — scsi_debug `opts=0x10` transport errors;
 * - `timeout`: the target never answers (scsi_debug `every_nth` + `opts=4`, a hung LUN);
 * - `delay`: extra service time (dm-delay);
 * - `drop-writes`: writes report success but are not stored (dm-flakey `drop_writes`);
 * - `corrupt`: reads return the data with one byte flipped (dm-flakey `corrupt_bio_byte`).
 */
export type FaultAction =
  | { readonly kind: "sense"; readonly sense: SenseSpec }
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "host"; readonly hostByte: number }
  | { readonly kind: "timeout" }
  | { readonly kind: "delay"; readonly ns: number }
  | { readonly kind: "drop-writes" }
  | { readonly kind: "corrupt"; readonly byteOffset?: number; readonly value?: number };

/** Which commands a fault applies to. Every given condition must hold. */
export interface FaultMatch {
  /** CDB opcodes (e.g. `[0x28, 0x88]` READ(10)/READ(16)); default: every command. */
  readonly opcodes?: readonly number[];
  /** Only media reads or only media writes. */
  readonly direction?: "read" | "write";
  /** Only commands whose LBA range intersects [first, last] (logical blocks). */
  readonly lbaRange?: readonly [number, number];
  /** Only through these relative target ports. */
  readonly relPorts?: readonly number[];
  /** Only from these initiators (HBA ids in the fabric). */
  readonly initiators?: readonly number[];
}

/** An injected fault on a logical unit. */
export interface FaultSpec extends FaultMatch {
  readonly action: FaultAction;
  /** Fire on every Nth matching command (scsi_debug `every_nth`). Default 1 (every one). */
  readonly everyNth?: number;
  /** Fire at most this many times, then remove itself. Default: unlimited. */
  readonly count?: number;
  /** Fire with this probability (0..1) per matching command; needs the LU's rng. Default 1. */
  readonly probability?: number;
}

/** A fault installed on a LU, with its counters. */
export interface InstalledFault {
  readonly id: number;
  readonly spec: FaultSpec;
  /** Matching commands seen. */
  seen: number;
  /** Times it fired. */
  fired: number;
}

/** The facts about a command that fault matching needs. */
export interface FaultProbe {
  readonly opcode: number;
  /** Media access direction, or null for a non-media command. */
  readonly direction: "read" | "write" | null;
  readonly lba: number;
  readonly blocks: number;
  readonly relPort: number;
  readonly initiator: number;
}

/** The ordered list of faults of one LU. */
export class FaultList {
  #next = 1;
  readonly #faults: InstalledFault[] = [];
  readonly #rng: Rng | undefined;

  constructor(rng?: Rng) {
    this.#rng = rng;
  }

  add(spec: FaultSpec): number {
    if (spec.everyNth !== undefined && !(Number.isInteger(spec.everyNth) && spec.everyNth >= 1))
      throw new RangeError(`everyNth must be an integer >= 1: ${spec.everyNth}`);
    if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count >= 1))
      throw new RangeError(`count must be an integer >= 1: ${spec.count}`);
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1))
      throw new RangeError(`probability must be in [0, 1]: ${spec.probability}`);
    if (spec.probability !== undefined && spec.probability < 1 && !this.#rng)
      throw new RangeError("a probabilistic fault needs the LU's rng");
    const id = this.#next++;
    this.#faults.push({ id, spec, seen: 0, fired: 0 });
    return id;
  }

  remove(id: number): boolean {
    const i = this.#faults.findIndex((f) => f.id === id);
    if (i < 0) return false;
    this.#faults.splice(i, 1);
    return true;
  }

  clear(): void {
    this.#faults.length = 0;
  }

  get size(): number {
    return this.#faults.length;
  }

  list(): readonly InstalledFault[] {
    return this.#faults;
  }

  /** The first fault that fires for this command (counters advance), or null. */
  match(p: FaultProbe): FaultAction | null {
    const faults = this.#faults;
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i]!;
      const s = f.spec;
      if (s.opcodes && !s.opcodes.includes(p.opcode)) continue;
      if (s.direction && s.direction !== p.direction) continue;
      if (
        s.lbaRange &&
        (p.direction === null || p.lba > s.lbaRange[1] || p.lba + p.blocks - 1 < s.lbaRange[0])
      )
        continue;
      if (s.relPorts && !s.relPorts.includes(p.relPort)) continue;
      if (s.initiators && !s.initiators.includes(p.initiator)) continue;
      f.seen++;
      if (s.everyNth !== undefined && f.seen % s.everyNth !== 0) continue;
      if (s.probability !== undefined && s.probability < 1 && this.#rng!.float() >= s.probability) continue;
      f.fired++;
      if (s.count !== undefined && f.fired >= s.count) faults.splice(i, 1);
      return s.action;
    }
    return null;
  }
}
