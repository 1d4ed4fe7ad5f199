/** A chunk's expected seed when nothing was written to it in this run. */
export const SEED_NONE = 0;
/** A chunk's expected seed when its content is not known (failed or overlapping writes). */
export const SEED_UNKNOWN = 0xffffffff;

/**
 * What a device should contain, per verify chunk, for the jobs of one run: the seed of the last
 * write that completed there and which job thread wrote it. Shared by every job on the device,
 * so a read job verifies what a write job wrote before it, and a job that writes without verify
 * marks what it overwrites as unknown.
 *
 * In-flight bookkeeping keeps verification sound under concurrency: a chunk is checked by a read
 * only if no write to it was in flight while the read was (compared by a run-wide event sequence),
 * and a chunk written by two overlapping writes becomes unknown (their order on the device is
 * not observable).
 */
export class VerifyMap {
  readonly interval: number;
  /** Byte offset of chunk 0. */
  readonly base: number;
  readonly chunks: number;
  readonly expected: Uint32Array;
  readonly writer: Uint16Array;
  readonly inflight: Uint16Array;
  readonly dirty: Uint8Array;
  /** Event sequence number of the last write completion per chunk. */
  readonly doneSeq: Float64Array;

  constructor(interval: number, start: number, end: number) {
    this.interval = interval;
    this.base = Math.floor(start / interval) * interval;
    this.chunks = Math.ceil((end - this.base) / interval);
    this.expected = new Uint32Array(this.chunks);
    this.writer = new Uint16Array(this.chunks);
    this.inflight = new Uint16Array(this.chunks);
    this.dirty = new Uint8Array(this.chunks);
    this.doneSeq = new Float64Array(this.chunks);
  }

  /** First chunk touched by [offset, offset+bytes), clamped to the map. */
  firstChunk(offset: number): number {
    return Math.max(0, Math.floor((offset - this.base) / this.interval));
  }

  /** One past the last chunk touched by [offset, offset+bytes), clamped to the map. */
  endChunk(offset: number, bytes: number): number {
    return Math.min(this.chunks, Math.ceil((offset + bytes - this.base) / this.interval));
  }

  /** A write to [offset, offset+bytes) was submitted. */
  writeSubmitted(offset: number, bytes: number): void {
    const e = this.endChunk(offset, bytes);
    for (let c = this.firstChunk(offset); c < e; c++) if (++this.inflight[c]! > 1) this.dirty[c] = 1;
  }

  /**
   * A write completed. `seed` is the pattern it carried (SEED_UNKNOWN for a write without verify
   * data or a failed one); `thread` the writer's number.
   */
  writeCompleted(offset: number, bytes: number, seed: number, thread: number, seq: number): void {
    const e = this.endChunk(offset, bytes);
    for (let c = this.firstChunk(offset); c < e; c++) {
      const left = --this.inflight[c]!;
      this.doneSeq[c] = seq;
      if (this.dirty[c]) {
        this.expected[c] = SEED_UNKNOWN;
        if (left === 0) this.dirty[c] = 0;
      } else {
        this.expected[c] = seed;
        this.writer[c] = thread;
      }
    }
  }

  /** True when chunk `c` may be checked by a read submitted at event `readSeq`. */
  checkable(c: number, readSeq: number): boolean {
    const s = this.expected[c]!;
    return s !== SEED_NONE && s !== SEED_UNKNOWN && this.inflight[c] === 0 && this.doneSeq[c]! < readSeq;
  }
}
