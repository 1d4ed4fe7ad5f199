import type { Rng } from "@mp/dm-core";
import { TimingSpecError } from "./errors.js";

/** Seek times of one command type, as drive manuals give them (excluding controller overhead). */
export interface SeekSpec {
  /** Single-track (adjacent track) seek, including settle. */
  readonly trackToTrackNs: number;
  /** Average seek over all seek lengths (the datasheet's "average seek"). */
  readonly averageNs: number;
  /** Full-stroke seek. */
  readonly fullStrokeNs: number;
}

/**
 * The mechanics of a rotating disk, as data.
 *
 * Positioning time for a command = controller overhead + seek(distance) + rotational latency,
 * unless the command starts where the previous one ended (a sequential stream, served from the
 * track buffer / read-ahead without repositioning) or a short distance ahead on the same track
 * (the head waits for the gap to rotate under it).
 *
 * The seek curve is `seek(x) = t2t + a·sqrt(x) + b·x` for a seek across fraction `x` of the
 * stroke (the short-seek square root and long-seek linear regimes of Ruemmler & Wilkes, "An
 * introduction to disk drive modeling", IEEE Computer 1994), with `a` and `b` solved so that
 * `seek(1)` is the full-stroke time and the mean over uniformly random start and end points is
 * the datasheet's average seek (E[sqrt|U−V|] = 8/15, E|U−V| = 1/3).
 */
export interface DiskMechanicsSpec {
  /** Spindle speed. */
  readonly rpm: number;
  /** Seek times for reads. */
  readonly readSeek: SeekSpec;
  /** Seek times for writes (longer: write settle is tighter). */
  readonly writeSeek: SeekSpec;
  /** Per-command controller overhead of a non-sequential command. */
  readonly commandOverheadNs: number;
  /** Media transfer rate at the outer diameter (LBA 0), bytes/s. */
  readonly outerBytesPerSec: number;
  /** Media transfer rate at the inner diameter (last LBA), bytes/s; linear in LBA between. */
  readonly innerBytesPerSec: number;
  /** Bytes per track (average): a forward gap shorter than this is waited out, not sought. */
  readonly bytesPerTrack: number;
}

/** Coefficients of one seek curve. */
interface SeekCurve {
  t2t: number;
  a: number;
  b: number;
}

function seekCurve(name: string, s: SeekSpec, problems: string[]): SeekCurve {
  const span = s.fullStrokeNs - s.trackToTrackNs;
  // mean(t2t + a·sqrt(x) + b·x) = t2t + a·8/15 + b/3 with a + b = span.
  const a = (s.averageNs - s.trackToTrackNs - span / 3) / (8 / 15 - 1 / 3);
  const b = span - a;
  if (!(s.trackToTrackNs >= 0 && s.averageNs >= s.trackToTrackNs && s.fullStrokeNs >= s.averageNs))
    problems.push(`${name}: need 0 <= trackToTrackNs <= averageNs <= fullStrokeNs`);
  else if (a < 0 || b < 0)
    problems.push(
      `${name}: no concave seek curve has this average (averageNs must lie between t2t + span/3 and t2t + 8·span/15)`,
    );
  return { t2t: s.trackToTrackNs, a: Math.max(0, a), b: Math.max(0, b) };
}

/** Every problem with a mechanics spec. */
export function diskMechanicsProblems(spec: DiskMechanicsSpec): string[] {
  const out: string[] = [];
  if (!(spec.rpm > 0)) out.push("rpm must be > 0");
  if (!(spec.commandOverheadNs >= 0)) out.push("commandOverheadNs must be >= 0");
  if (!(spec.outerBytesPerSec > 0)) out.push("outerBytesPerSec must be > 0");
  if (!(spec.innerBytesPerSec > 0)) out.push("innerBytesPerSec must be > 0");
  if (!(spec.bytesPerTrack >= 0)) out.push("bytesPerTrack must be >= 0");
  seekCurve("readSeek", spec.readSeek, out);
  seekCurve("writeSeek", spec.writeSeek, out);
  return out;
}

/**
 * A disk head: turns (op, sector, bytes) into positioning + media transfer time, remembering where
 * the previous command ended. One actuator, so the owner serves one command at a time and calls
 * {@link DiskMechanics.accessNs} in service order.
 */
export class DiskMechanics {
  readonly spec: DiskMechanicsSpec;
  readonly #read: SeekCurve;
  readonly #write: SeekCurve;
  readonly #revNs: number;
  readonly #capacity: number;
  readonly #rng: Rng;
  /** Sector after the previous command's last one; -1 = unknown (after a reset). */
  #headEnd = -1;

  /**
   * @param capacitySectors the LUN's size (seek distances are fractions of it).
   * @param rng the stream for rotational positions.
   */
  constructor(spec: DiskMechanicsSpec, capacitySectors: number, rng: Rng) {
    const problems = diskMechanicsProblems(spec);
    if (!(capacitySectors > 0)) problems.push("capacitySectors must be > 0");
    if (problems.length > 0) throw new TimingSpecError("disk mechanics", problems);
    this.spec = spec;
    this.#read = seekCurve("readSeek", spec.readSeek, []);
    this.#write = seekCurve("writeSeek", spec.writeSeek, []);
    this.#revNs = 60e9 / spec.rpm;
    this.#capacity = capacitySectors;
    this.#rng = rng;
  }

  /** Nanoseconds per revolution. */
  get revolutionNs(): number {
    return this.#revNs;
  }

  /** Seek time across `fraction` (0..1) of the stroke. */
  seekNs(isWrite: boolean, fraction: number): number {
    const c = isWrite ? this.#write : this.#read;
    const x = fraction < 0 ? 0 : Math.min(fraction, 1);
    return c.t2t + c.a * Math.sqrt(x) + c.b * x;
  }

  /** Media rate at `sector` (zoned recording: outer tracks are faster). */
  mediaRate(sector: number): number {
    const s = this.spec;
    const f = Math.min(1, Math.max(0, sector / this.#capacity));
    return s.outerBytesPerSec + (s.innerBytesPerSec - s.outerBytesPerSec) * f;
  }

  /** Time to serve one command starting at `sector` (positioning + transfer); moves the head. */
  accessNs(isWrite: boolean, sector: number, bytes: number): number {
    const s = this.spec;
    const rate = this.mediaRate(sector);
    let t = (bytes * 1e9) / rate;
    const prev = this.#headEnd;
    const gapBytes = (sector - prev) * 512;
    if (prev < 0 || gapBytes < 0 || gapBytes >= s.bytesPerTrack) {
      const dist = Math.abs(sector - Math.max(prev, 0)) / this.#capacity;
      const seek = prev < 0 ? this.seekNs(isWrite, this.#rng.float()) : this.seekNs(isWrite, dist);
      t += s.commandOverheadNs + seek + this.#rng.float() * this.#revNs;
    } else if (gapBytes > 0) {
      // Same track, a little ahead: wait for the gap to pass under the head.
      t += s.commandOverheadNs + (gapBytes * 1e9) / rate;
    }
    this.#headEnd = sector + Math.ceil(bytes / 512);
    return t;
  }

  /** The head position is unknown (after a reset): the next command seeks. */
  reset(): void {
    this.#headEnd = -1;
  }
}
