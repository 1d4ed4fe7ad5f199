const CHUNK_SHIFT = 12;
const CHUNK = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK - 1;

/**
 * The medium behind one or more logical units: a sparse byte store. Unwritten bytes read as
 * zero (as scsi_debug's vzalloc'd ram disk and a thin LUN do); memory is spent only on 4 KiB
 * chunks that were written. Several LUs may share one store (scsi_debug shares one store across
 * all its hosts and LUNs unless `per_host_store` is set).
 */
export class DataStore {
  readonly #chunks = new Map<number, Uint8Array>();
  /** Size in bytes; accesses wrap modulo the size (scsi_debug's `do_div(lba, store_sectors)`). */
  readonly sizeBytes: number;

  constructor(sizeBytes: number) {
    if (!(sizeBytes > 0) || !Number.isSafeInteger(sizeBytes))
      throw new RangeError(`store size must be a positive integer: ${sizeBytes}`);
    this.sizeBytes = sizeBytes;
  }

  /** Copies `len` bytes at byte offset `off` into `dst[dstOff…]`. */
  read(off: number, len: number, dst: Uint8Array, dstOff = 0): void {
    let pos = off % this.sizeBytes;
    let done = 0;
    while (done < len) {
      const idx = Math.floor(pos / CHUNK);
      const inChunk = pos & CHUNK_MASK;
      const n = Math.min(CHUNK - inChunk, len - done, this.sizeBytes - pos);
      const c = this.#chunks.get(idx);
      if (c) dst.set(c.subarray(inChunk, inChunk + n), dstOff + done);
      else dst.fill(0, dstOff + done, dstOff + done + n);
      done += n;
      pos += n;
      if (pos >= this.sizeBytes) pos = 0;
    }
  }

  /** Copies `len` bytes from `src[srcOff…]` to byte offset `off`. */
  write(off: number, len: number, src: Uint8Array, srcOff = 0): void {
    let pos = off % this.sizeBytes;
    let done = 0;
    while (done < len) {
      const idx = Math.floor(pos / CHUNK);
      const inChunk = pos & CHUNK_MASK;
      const n = Math.min(CHUNK - inChunk, len - done, this.sizeBytes - pos);
      let c = this.#chunks.get(idx);
      if (!c) {
        if (isZero(src, srcOff + done, n)) {
          done += n;
          pos += n;
          if (pos >= this.sizeBytes) pos = 0;
          continue;
        }
        c = new Uint8Array(CHUNK);
        this.#chunks.set(idx, c);
      }
      c.set(src.subarray(srcOff + done, srcOff + done + n), inChunk);
      done += n;
      pos += n;
      if (pos >= this.sizeBytes) pos = 0;
    }
  }

  /** Zeroes a range (WRITE SAME with zeroes, UNMAP): frees whole chunks. */
  zero(off: number, len: number): void {
    let pos = off % this.sizeBytes;
    let done = 0;
    while (done < len) {
      const idx = Math.floor(pos / CHUNK);
      const inChunk = pos & CHUNK_MASK;
      const n = Math.min(CHUNK - inChunk, len - done, this.sizeBytes - pos);
      const c = this.#chunks.get(idx);
      if (c) {
        if (n === CHUNK) this.#chunks.delete(idx);
        else c.fill(0, inChunk, inChunk + n);
      }
      done += n;
      pos += n;
      if (pos >= this.sizeBytes) pos = 0;
    }
  }

  /** Bytes of memory held (chunks written). */
  get residentBytes(): number {
    return this.#chunks.size * CHUNK;
  }
}

function isZero(b: Uint8Array, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) if (b[i] !== 0) return false;
  return true;
}
