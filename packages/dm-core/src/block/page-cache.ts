/**
 * Buffered I/O on a block device, as Linux 6.1 does it for `/dev/X` opened without O_DIRECT: the
 * bdev inode's page cache (mm/filemap.c), on-demand readahead (mm/readahead.c, with Debian
 * 6.1's never-shrinking window), `mpage_readahead` bios flagged REQ_RAHEAD, `read_folio`
 * through buffer heads when readahead did not bring a page in (one bio per block, logging
 * `Buffer I/O error on dev X, logical block N, async page read` on failure), and buffered
 * writes: partial blocks read first, dirty blocks written back at fsync and at the last close
 * (adjacent blocks in one request, as the plug merges them), O_SYNC ranges at each write.
 *
 * The cache belongs to the device (shared by its openers, dm tables included) and is written
 * back and dropped when the last opener of any kind closes it (`blkdev_put` → `kill_bdev`);
 * write-back errors go into the bdev inode's errseq, which outlives the cache, so a later
 * opener's fsync reports an error nobody has seen; the readahead state belongs to each file.
 * Not modelled: the flusher's periodic write-back of pages dirty for 30 s, BIO_QUIET (the
 * buffer layer's silence for requests a device handler refused quietly).
 */

import type { Clock } from "../clock/clock.js";
import { RateLimit } from "../dm/dm-log.js";
import type { KernelLog } from "../kernel/log.js";
import { Bio, ReqFlag, ReqOp } from "./bio.js";
import type { BlockDevice } from "./block-device.js";
import type { BlockLayer } from "./block-layer.js";
import type { DevT } from "./devt.js";
import { BlkStatus, blkStatusToErrno, Errno } from "./status.js";

const PAGE_SHIFT = 12;
const PAGE_SIZE = 1 << PAGE_SHIFT;
/** `PAGEVEC_SIZE`: folios per read batch. */
const PAGEVEC_SIZE = 15;
/** `BIO_MAX_VECS`: pages per readahead bio (no physically contiguous pages are assumed). */
const BIO_MAX_VECS = 256;
/** `BLK_DEF_MAX_SECTORS`: the queue limit `bdi->io_pages` follows when a device gives none. */
const DEF_MAX_SECTORS = 2560;
/** `BLK_MAX_SEGMENTS`: a request's segments (pages of the cache are not assumed contiguous). */
const MAX_SEGMENTS = 128;
/** `errseq_t`: the errno in the low 12 bits, a "seen" flag, a counter above. */
const MAX_ERRNO = 4095;
const ERRSEQ_SEEN = 1 << 12;
const ERRSEQ_CTR_INC = 1 << 13;
/** `force_page_cache_ra` reads in 2 MiB chunks. */
const FORCE_RA_CHUNK = (2 * 1024 * 1024) / PAGE_SIZE;

/** A read of one buffer (block `block` of `bsize` bytes) into a buffer of its own. */
function blockRead(block: number, bsize: number): Bio {
  const bio = new Bio();
  bio.op = ReqOp.READ;
  bio.sector = (block * bsize) / 512;
  bio.bytes = bsize;
  bio.data = new Uint8Array(bsize);
  return bio;
}

/** One page of the cache (an order-0 folio) and, once `read_folio` or a write attached them, its buffers. */
class Page {
  readonly index: number;
  readonly data = new Uint8Array(PAGE_SIZE);
  uptodate = false;
  /** Locked: I/O in flight. */
  locked = true;
  /** `PG_readahead`: reaching it starts the next asynchronous readahead. */
  readahead = false;
  /** Per-block state of its buffer heads; null until buffers are attached. */
  bufUptodate: boolean[] | null = null;
  bufDirty: boolean[] | null = null;
  #waiters: Array<() => void> = [];

  constructor(index: number) {
    this.index = index;
  }

  /** Resolves once the page is unlocked. */
  waitUnlocked(): Promise<void> {
    if (!this.locked) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  unlock(): void {
    this.locked = false;
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** `create_page_buffers`: an uptodate page's buffers are all uptodate. */
  buffers(n: number): { uptodate: boolean[]; dirty: boolean[] } {
    if (!this.bufUptodate || !this.bufDirty) {
      this.bufUptodate = new Array<boolean>(n).fill(this.uptodate);
      this.bufDirty = new Array<boolean>(n).fill(false);
    }
    return { uptodate: this.bufUptodate, dirty: this.bufDirty };
  }

  get dirty(): boolean {
    return this.bufDirty?.some((d) => d) ?? false;
  }
}

/** The bdev inode's `address_space`: its pages, block size and the device I/O goes to. */
class BdevMapping {
  readonly pages = new Map<number, Page>();
  readonly dev: BlockDevice;
  /** `i_blkbits` as `set_init_blocksize` chose it at the first open. */
  readonly blkbits: number;
  #inflight = 0;
  #idle: Array<() => void> = [];

  constructor(dev: BlockDevice) {
    this.dev = dev;
    // set_init_blocksize: the largest power of two up to a page that divides the size.
    const size = dev.sizeSectors() * 512;
    let bsize = dev.logicalBlockSize;
    while (bsize < PAGE_SIZE && (size & bsize) === 0) bsize <<= 1;
    this.blkbits = Math.log2(bsize);
  }

  get blocksize(): number {
    return 1 << this.blkbits;
  }

  get isize(): number {
    return this.dev.sizeSectors() * 512;
  }

  /** Submits a bio to the device and counts it until it completes. */
  submit(bio: Bio, done: (status: BlkStatus) => void): void {
    this.#inflight++;
    bio.dev = this.dev;
    bio.endIo = (b) => {
      done(b.status);
      if (--this.#inflight === 0) {
        const w = this.#idle;
        this.#idle = [];
        for (const f of w) f();
      }
    };
    this.dev.submit(bio);
  }

  /** Resolves when no bio of this mapping is in flight. */
  idle(): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}

/** The per-open-file readahead state (`struct file_ra_state`). */
interface RaState {
  start: number;
  size: number;
  asyncSize: number;
  /** `ra_pages` (a read error divides it by 4). */
  raPages: number;
  /** `prev_pos`: where the previous read ended, in bytes (-1 at open). */
  prevPos: number;
}

/** The kernel's buffered block-device I/O: one mapping per open device, shared by its openers. */
export class PageCache {
  readonly #block: BlockLayer;
  readonly #clock: Clock;
  readonly #log: KernelLog;
  readonly #mappings = new Map<DevT, { mapping: BdevMapping; files: number }>();
  /** `printk_ratelimited` state of `buffer_io_error`. */
  readonly #rlBufferIo = new RateLimit("buffer_io_error");
  /**
   * The bdev inode's `mapping->wb_err` (an `errseq_t`), per device: it outlives the cache, so an
   * error of a write-back nobody waited for reaches the next opener's fsync.
   */
  readonly #wbErr = new Map<DevT, number>();

  constructor(block: BlockLayer, clock: Clock, log: KernelLog) {
    this.#block = block;
    this.#clock = clock;
    this.#log = log;
    // blkdev_put by another opener (a dm table releasing the device): the last one writes back
    // the dirty pages a closed file left and drops the cache.
    block.onClose((devt, remaining) => {
      const e = this.#mappings.get(devt);
      if (!e || e.files > 0 || remaining > 0) return;
      this.#mappings.delete(devt);
      void this.writeback(e.mapping);
    });
    // A removed disk's bdev inode goes with it: a new disk with the same dev_t starts clean.
    block.subscribe((ev) => {
      if (ev.action !== "remove") return;
      this.#wbErr.delete(ev.dev.devt);
      const e = this.#mappings.get(ev.dev.devt);
      if (e?.mapping.dev === ev.dev && e.files === 0) this.#mappings.delete(ev.dev.devt);
    });
  }

  /** `errseq_set(&mapping->wb_err, -errno)`: the counter moves only when the last error was seen. */
  #errseqSet(devt: DevT, errno: number): void {
    const old = this.#wbErr.get(devt) ?? 0;
    let next = Math.floor(old / ERRSEQ_CTR_INC) * ERRSEQ_CTR_INC + errno;
    if (old & ERRSEQ_SEEN) next += ERRSEQ_CTR_INC;
    this.#wbErr.set(devt, next);
  }

  /** `errseq_sample` at open: an error nobody has seen yet is still to be reported to this file. */
  wbErrSample(devt: DevT): number {
    const cur = this.#wbErr.get(devt) ?? 0;
    return cur & ERRSEQ_SEEN ? cur : 0;
  }

  /**
   * `errseq_check_and_advance`: the errno of an error recorded since `since` (then seen, and
   * the file's sample moves to it), or 0. Returns `[errno, new sample]`.
   */
  wbErrCheckAndAdvance(devt: DevT, since: number): [number, number] {
    const cur = this.#wbErr.get(devt) ?? 0;
    if (cur === since) return [0, since];
    const seen = cur | ERRSEQ_SEEN;
    this.#wbErr.set(devt, seen);
    return [seen % (MAX_ERRNO + 1), seen];
  }

  /**
   * Opens `dev` for buffered I/O. The caller holds its own open of the device (a
   * {@link BlockLayer.open}) for as long as the file is open, and closes it after
   * {@link BdevFile.close}.
   */
  open(dev: BlockDevice): BdevFile {
    let e = this.#mappings.get(dev.devt);
    // Nobody else holds the device: a cache left from before its previous last close (by an
    // opener that was not a file here, e.g. dm) would have been dropped then.
    if (e && e.files === 0 && this.#block.openCount(dev.devt) <= 1) e = undefined;
    if (!e || e.mapping.dev !== dev) {
      e = { mapping: new BdevMapping(dev), files: 0 };
      this.#mappings.set(dev.devt, e);
    }
    e.files++;
    // file_ra_state_init: the device's bdi read-ahead, in pages.
    const raPages = Math.floor((this.#block.readAheadKb(dev.devt) * 1024) / PAGE_SIZE);
    return new BdevFile(this, e.mapping, raPages, this.wbErrSample(dev.devt));
  }

  /** Cached pages of a device (tests, tools). */
  cachedPages(devt: DevT): number {
    return this.#mappings.get(devt)?.mapping.pages.size ?? 0;
  }

  /**
   * Before direct I/O on a range (`generic_file_read_iter`/`direct_write`): dirty pages there are
   * written back first; a write also drops the cached pages it overlaps.
   */
  async beforeDirect(devt: DevT, offset: number, bytes: number, write: boolean): Promise<void> {
    const e = this.#mappings.get(devt);
    if (!e) return;
    const first = Math.floor(offset / PAGE_SIZE);
    const last = Math.floor((offset + Math.max(bytes, 1) - 1) / PAGE_SIZE);
    await this.writeback(e.mapping, first, last);
    if (!write) return;
    for (let i = first; i <= last; i++) {
      const p = e.mapping.pages.get(i);
      if (p && !p.locked) e.mapping.pages.delete(i);
    }
  }

  /** `buffer_io_error`. */
  bufferIoError(mapping: BdevMapping, block: number, msg: string): void {
    if (this.#rlBufferIo.allow(this.#clock.now(), this.#log))
      this.#log.err(`Buffer I/O error on dev ${mapping.dev.name}, logical block ${block}${msg}`);
  }

  /**
   * Writes back the dirty buffers of pages `first..last` (`filemap_write_and_wait_range`,
   * WB_SYNC_ALL, REQ_SYNC): one buffer head bio per dirty block, in page order, under a plug, so
   * the bios of adjacent blocks reach the queue as one request (at most {@link MAX_SEGMENTS}
   * pages, {@link DEF_MAX_SECTORS} sectors); waits for them. A failed block is reported on its
   * own (`end_buffer_async_write`) and the mapping remembers the error for the next fsync.
   */
  async writeback(mapping: BdevMapping, first = 0, last = Number.POSITIVE_INFINITY): Promise<void> {
    const bsize = mapping.blocksize;
    const perPage = PAGE_SIZE / bsize;
    const maxBlocks = Math.min(MAX_SEGMENTS * perPage, (DEF_MAX_SECTORS * 512) / bsize);
    const indices = [...mapping.pages.keys()].filter((i) => i >= first && i <= last).sort((a, b) => a - b);
    let run: Array<{ page: Page; b: number }> = [];
    const flush = (): void => {
      if (run.length === 0) return;
      const blocks = run;
      run = [];
      const firstBlock = blocks[0]!.page.index * perPage + blocks[0]!.b;
      const bio = new Bio();
      bio.op = ReqOp.WRITE;
      bio.flags = ReqFlag.SYNC;
      bio.sector = (firstBlock * bsize) / 512;
      bio.bytes = blocks.length * bsize;
      bio.data = new Uint8Array(bio.bytes);
      for (let k = 0; k < blocks.length; k++) {
        const { page, b } = blocks[k]!;
        bio.data.set(page.data.subarray(b * bsize, (b + 1) * bsize), k * bsize);
      }
      mapping.submit(bio, (st) => {
        if (st === BlkStatus.OK) return;
        // end_buffer_async_write of each buffer: its data is lost, the mapping remembers the error.
        for (let k = 0; k < blocks.length; k++)
          this.bufferIoError(mapping, firstBlock + k, ", lost async page write");
        this.#errseqSet(mapping.dev.devt, blkStatusToErrno(st));
      });
    };
    for (const i of indices) {
      const p = mapping.pages.get(i)!;
      if (!p.dirty) continue;
      const dirty = p.bufDirty!;
      for (let b = 0; b < perPage; b++) {
        if (!dirty[b]) continue;
        dirty[b] = false;
        const prev = run[run.length - 1];
        const adjacent = prev !== undefined && prev.page.index * perPage + prev.b + 1 === i * perPage + b;
        if (!adjacent || run.length >= maxBlocks) flush();
        run.push({ page: p, b });
      }
    }
    flush();
    await mapping.idle();
  }

  /** A file of the device closed: the last one writes back and drops the cache (`blkdev_put`). */
  async release(mapping: BdevMapping): Promise<void> {
    const e = this.#mappings.get(mapping.dev.devt);
    if (!e || e.mapping !== mapping) return;
    e.files--;
    // Other openers of the device (dm holding it, another process) keep the cache.
    if (this.#block.openCount(mapping.dev.devt) > 1) return;
    await this.writeback(mapping);
    if (e.files === 0) this.#mappings.delete(mapping.dev.devt);
  }
}

/** A block device opened without O_DIRECT (`struct file` over the bdev inode). */
export class BdevFile {
  readonly #cache: PageCache;
  readonly #m: BdevMapping;
  readonly #ra: RaState;
  #closed = false;
  /** `f_wb_err`: the write-back error state this file has seen. */
  #wbErr: number;

  constructor(cache: PageCache, mapping: BdevMapping, raPages: number, wbErr: number) {
    this.#cache = cache;
    this.#m = mapping;
    this.#wbErr = wbErr;
    this.#ra = { start: 0, size: 0, asyncSize: 0, raPages, prevPos: -1 };
  }

  /** The block size buffered I/O works in (`BLKBSZGET` of a fresh open). */
  get blocksize(): number {
    return this.#m.blocksize;
  }

  // ---- read: filemap_read ---------------------------------------------------------------------

  /**
   * `read(2)` of `len` bytes at `pos` into `out`: the bytes read (0 at the end of the device), or
   * a negative errno when nothing could be read.
   */
  async read(pos: number, out: Uint8Array, len: number): Promise<number> {
    const m = this.#m;
    const isize = m.isize;
    if (pos >= isize || len === 0) return 0;
    // blkdev_read_iter: the read stops at the end of the device.
    let count = Math.min(len, isize - pos);
    let done = 0;
    let error = 0;
    while (count > 0 && pos < m.isize) {
      const r = await this.#getPages(pos, count);
      if (typeof r === "number") {
        error = r;
        break;
      }
      const end = Math.min(m.isize, pos + count);
      for (const p of r) {
        const pagePos = p.index * PAGE_SIZE;
        if (end < pagePos) break;
        const off = pos - pagePos;
        const bytes = Math.min(end - pos, PAGE_SIZE - off);
        if (bytes <= 0) break;
        out.set(p.data.subarray(off, off + bytes), done);
        done += bytes;
        pos += bytes;
        count -= bytes;
        this.#ra.prevPos = pos;
      }
    }
    return done > 0 ? done : error;
  }

  /** `filemap_get_pages`: a batch of uptodate pages starting at `pos`, or a negative errno. */
  async #getPages(pos: number, count: number): Promise<Page[] | number> {
    const index = Math.floor(pos / PAGE_SIZE);
    const lastIndex = Math.ceil((pos + count) / PAGE_SIZE);
    for (;;) {
      let batch = this.#readBatch(index, lastIndex - 1);
      if (batch.length === 0) {
        this.#syncReadahead(index, lastIndex - index);
        batch = this.#readBatch(index, lastIndex - 1);
      }
      if (batch.length === 0) {
        const r = await this.#createPage(index);
        if (r === "retry") continue;
        return typeof r === "number" ? r : [r];
      }
      const last = batch[batch.length - 1]!;
      if (last.readahead) this.#asyncReadahead(last, lastIndex - last.index);
      if (!last.uptodate) {
        const r = await this.#updatePage(last, pos, count);
        if (r !== 0) {
          // The failing (or not yet readable) page leaves the batch; the ones before it are used.
          batch.pop();
          if (batch.length > 0) return batch;
          if (r === "retry") continue;
          return r;
        }
      }
      return batch;
    }
  }

  /** `filemap_get_read_batch`: present pages from `index`, stopping after one not uptodate or marked. */
  #readBatch(index: number, max: number): Page[] {
    const out: Page[] = [];
    for (let i = index; i <= max; i++) {
      const p = this.#m.pages.get(i);
      if (!p) break;
      out.push(p);
      if (out.length === PAGEVEC_SIZE || !p.uptodate || p.readahead) break;
    }
    return out;
  }

  /**
   * `filemap_update_page`: waits for a locked page (then retry); a page whose blocks in the
   * range read are uptodate will do (`block_is_partially_uptodate`); else `read_folio`.
   */
  async #updatePage(p: Page, pos: number, count: number): Promise<0 | "retry" | number> {
    if (p.locked) {
      await p.waitUnlocked();
      return "retry";
    }
    if (p.uptodate || this.#partiallyUptodate(p, pos, count)) return 0;
    p.locked = true;
    return this.#readFolio(p);
  }

  /** `block_is_partially_uptodate`: only with blocks smaller than a page. */
  #partiallyUptodate(p: Page, pos: number, count: number): boolean {
    const bsize = this.#m.blocksize;
    if (bsize >= PAGE_SIZE || !p.bufUptodate) return false;
    const pagePos = p.index * PAGE_SIZE;
    let from = pos - pagePos;
    if (from < 0) {
      count += from;
      from = 0;
    }
    const to = Math.min(PAGE_SIZE, from + count);
    // A read of (nearly) the whole page wants the whole page read.
    if (from < bsize && to > PAGE_SIZE - bsize) return false;
    for (let b = Math.floor(from / bsize); b * bsize < to; b++) if (!p.bufUptodate[b]) return false;
    return true;
  }

  /** `filemap_create_folio`: a page readahead did not bring in, read on its own. */
  async #createPage(index: number): Promise<Page | "retry" | number> {
    if (this.#m.pages.has(index)) return "retry";
    const p = new Page(index);
    this.#m.pages.set(index, p);
    const r = await this.#readFolio(p);
    if (r !== 0) {
      this.#m.pages.delete(index);
      return r;
    }
    return p;
  }

  /**
   * `filemap_read_folio` with `block_read_full_folio`: one read bio per block not yet uptodate
   * (blocks past the end are zeroes); the page is uptodate when all its blocks are. A failure
   * shrinks the readahead window to a quarter.
   */
  async #readFolio(p: Page): Promise<0 | number> {
    const m = this.#m;
    const bsize = m.blocksize;
    const perPage = PAGE_SIZE / bsize;
    const bufs = p.buffers(perPage);
    const lblock = Math.ceil(m.isize / bsize);
    const first = p.index * perPage;
    let pending = 0;
    let finished = false;
    const settle = (): void => {
      if (pending > 0 || finished) return;
      finished = true;
      p.uptodate = bufs.uptodate.every((u) => u);
      p.unlock();
    };
    const wanted: number[] = [];
    for (let b = 0; b < perPage; b++) {
      if (bufs.uptodate[b]) continue;
      if (first + b >= lblock) {
        p.data.fill(0, b * bsize, (b + 1) * bsize);
        bufs.uptodate[b] = true;
        continue;
      }
      wanted.push(b);
    }
    pending = wanted.length;
    for (const b of wanted) {
      const block = first + b;
      const bio = blockRead(block, bsize);
      m.submit(bio, (st) => {
        if (st === BlkStatus.OK) {
          p.data.set(bio.data!, b * bsize);
          bufs.uptodate[b] = true;
        } else {
          bufs.uptodate[b] = false;
          this.#cache.bufferIoError(m, block, ", async page read");
        }
        pending--;
        settle();
      });
    }
    settle();
    await p.waitUnlocked();
    if (p.uptodate) return 0;
    this.#ra.raPages = Math.floor(this.#ra.raPages / 4);
    return -Errno.EIO;
  }

  // ---- readahead: mm/readahead.c ----------------------------------------------------------------

  /** `bdi->io_pages`: the device's max_sectors in pages. */
  #ioPages(): number {
    return Math.floor(DEF_MAX_SECTORS / (PAGE_SIZE / 512));
  }

  /** `page_cache_sync_ra`. */
  #syncReadahead(index: number, req: number): void {
    if (this.#ra.raPages === 0) {
      // No readahead: still read the page needed, as a forced one-page readahead.
      this.#forceReadahead(index, 1);
      return;
    }
    this.#ondemand(index, null, req);
  }

  /** `page_cache_async_ra`: the marked page was reached. */
  #asyncReadahead(p: Page, req: number): void {
    if (this.#ra.raPages === 0) return;
    p.readahead = false;
    this.#ondemand(p.index, p, req);
  }

  /** `force_page_cache_ra`. */
  #forceReadahead(index: number, nr: number): void {
    const max = Math.max(this.#ioPages(), this.#ra.raPages);
    let left = Math.min(nr, max);
    while (left > 0) {
      const chunk = Math.min(FORCE_RA_CHUNK, left);
      this.#doReadahead(index, chunk, 0);
      index += chunk;
      left -= chunk;
    }
  }

  /** `ondemand_readahead` (Debian 6.1: a sequential window never shrinks). */
  #ondemand(index: number, marked: Page | null, req: number): void {
    const ra = this.#ra;
    let max = ra.raPages;
    const io = this.#ioPages();
    // A request bigger than the window may read up to the device's optimal I/O size.
    if (req > max && io > max) max = Math.min(req, io);
    let initial = index === 0;
    if (!initial) {
      const expected = ra.start + ra.size - ra.asyncSize;
      if (index === expected || index === ra.start + ra.size) {
        ra.start += ra.size;
        ra.size = Math.max(ra.size, nextRaSize(ra.size, max));
        ra.asyncSize = ra.size;
        this.#readit(index, max);
        return;
      }
      if (marked) {
        // A marked page without matching state (interleaved reads): size it from the cache.
        const start = this.#nextMiss(index + 1, max);
        if (start === 0 || start - index > max) return;
        ra.start = start;
        ra.size = start - index + req;
        ra.size = nextRaSize(ra.size, max);
        ra.asyncSize = ra.size;
        this.#readit(index, max);
        return;
      }
      if (req > max) initial = true;
      else {
        const prevIndex = ra.prevPos < 0 ? Number.MAX_SAFE_INTEGER : Math.floor(ra.prevPos / PAGE_SIZE);
        if (index - prevIndex <= 1 && index >= prevIndex) initial = true;
        else if (this.#contextReadahead(index, req, max)) {
          this.#readit(index, max);
          return;
        } else {
          // A small random read: just what was asked for, no window.
          this.#doReadahead(index, req, 0);
          return;
        }
      }
    }
    if (initial) {
      ra.start = index;
      ra.size = initRaSize(req, max);
      ra.asyncSize = ra.size > req ? ra.size - req : ra.size;
      this.#readit(index, max);
    }
  }

  /** `readit:` of ondemand_readahead: merges the window the read would trigger at once, then reads. */
  #readit(index: number, max: number): void {
    const ra = this.#ra;
    if (index === ra.start && ra.size === ra.asyncSize) {
      const add = nextRaSize(ra.size, max);
      if (ra.size + add <= max) {
        ra.asyncSize = add;
        ra.size += add;
      } else {
        ra.size = max;
        ra.asyncSize = max >> 1;
      }
    }
    this.#doReadahead(ra.start, ra.size, ra.asyncSize);
  }

  /** `try_context_readahead`: the cached run of pages before `index` suggests a stream. */
  #contextReadahead(index: number, req: number, max: number): boolean {
    let size = 0;
    while (size < max && index - 1 - size >= 0 && this.#m.pages.has(index - 1 - size)) size++;
    if (size <= req) return false;
    if (size >= index) size *= 2;
    const ra = this.#ra;
    ra.start = index;
    ra.size = Math.min(size + req, max);
    ra.asyncSize = 1;
    return true;
  }

  /** `page_cache_next_miss`: the first absent page from `index`, within `max` (0 if none). */
  #nextMiss(index: number, max: number): number {
    for (let i = 0; i < max; i++) if (!this.#m.pages.has(index + i)) return index + i;
    return 0;
  }

  /**
   * `do_page_cache_ra` + `page_cache_ra_unbounded`: new pages for `nr` pages from `index` (not
   * past the end), the one `lookahead` before the end marked, read in runs between pages
   * already cached.
   */
  #doReadahead(index: number, nr: number, lookahead: number): void {
    const isize = this.#m.isize;
    if (isize === 0) return;
    const endIndex = Math.floor((isize - 1) / PAGE_SIZE);
    if (index > endIndex) return;
    if (nr > endIndex - index) nr = endIndex - index + 1;
    let run: Page[] = [];
    for (let i = 0; i < nr; i++) {
      if (this.#m.pages.has(index + i)) {
        this.#readPages(run);
        run = [];
        continue;
      }
      const p = new Page(index + i);
      this.#m.pages.set(p.index, p);
      if (i === nr - lookahead) p.readahead = true;
      run.push(p);
    }
    this.#readPages(run);
  }

  /**
   * `mpage_readahead`: contiguous pages in REQ_RAHEAD bios of up to 256 pages (split by the
   * queue at 128); a page with the
   * end of the device in it ends its bio (its tail zeroed), a page wholly past it is zeroes.
   */
  #readPages(pages: Page[]): void {
    const m = this.#m;
    const bsize = m.blocksize;
    const perPage = PAGE_SIZE / bsize;
    const lastBlock = Math.ceil(m.isize / bsize);
    let bioPages: Page[] = [];
    let bioBlocks = 0;
    let vecs = 0;
    const flush = (): void => {
      if (bioPages.length === 0) return;
      const ps = bioPages;
      const blocks = bioBlocks;
      bioPages = [];
      bioBlocks = 0;
      // blk_mq_submit_bio → __bio_split_to_limits: a bio over max_segments (128 pages, none
      // assumed physically contiguous) is split; each front part is its own request, flagged
      // REQ_NOMERGE, chained to the rest: mpage_end_io sees one status (the first error) once
      // all parts are done.
      const first = ps[0]!.index;
      const parts = Math.ceil(ps.length / MAX_SEGMENTS);
      let pending = parts;
      let status: BlkStatus = BlkStatus.OK;
      const data = new Uint8Array(blocks * bsize);
      for (let part = 0; part < parts; part++) {
        const bio = new Bio();
        bio.op = ReqOp.READ;
        bio.flags = part < parts - 1 ? ReqFlag.RAHEAD | ReqFlag.NOMERGE : ReqFlag.RAHEAD;
        const from = part * MAX_SEGMENTS * PAGE_SIZE;
        const to = Math.min(data.length, (part + 1) * MAX_SEGMENTS * PAGE_SIZE);
        bio.sector = (first * PAGE_SIZE + from) / 512;
        bio.bytes = to - from;
        bio.data = data.subarray(from, to);
        m.submit(bio, (st) => {
          if (st !== BlkStatus.OK && status === BlkStatus.OK) status = st;
          if (--pending > 0) return;
          // mpage_end_io → page_endio: uptodate on success; a failed page stays for read_folio.
          for (let k = 0; k < ps.length; k++) {
            const p = ps[k]!;
            if (status === BlkStatus.OK) {
              const bytes = Math.min(PAGE_SIZE, data.length - k * PAGE_SIZE);
              p.data.set(data.subarray(k * PAGE_SIZE, k * PAGE_SIZE + bytes));
              p.uptodate = true;
            }
            p.unlock();
          }
        });
      }
    };
    for (let n = 0; n < pages.length; n++) {
      const p = pages[n]!;
      const firstBlock = p.index * perPage;
      const blocks = Math.max(0, Math.min(perPage, lastBlock - firstBlock));
      if (blocks === 0) {
        // Wholly past the end: zeroes, no I/O.
        p.uptodate = true;
        p.unlock();
        continue;
      }
      const contiguous =
        bioPages.length > 0 &&
        bioPages[bioPages.length - 1]!.index === p.index - 1 &&
        bioBlocks % perPage === 0;
      if (bioPages.length > 0 && (!contiguous || bioPages.length >= vecs)) flush();
      if (bioPages.length === 0) vecs = Math.min(pages.length - n, BIO_MAX_VECS);
      bioPages.push(p);
      bioBlocks += blocks;
      // A page with a hole (the end of the device) is submitted at once.
      if (blocks < perPage) flush();
    }
    flush();
  }

  // ---- write: generic_perform_write ---------------------------------------------------------

  /**
   * `write(2)` of `data` at `pos` through the cache (`block_write_begin`: a block the write only
   * partly covers is read first): the bytes written, or a negative errno when nothing was.
   */
  async write(pos: number, data: Uint8Array): Promise<number> {
    const m = this.#m;
    const bsize = m.blocksize;
    const perPage = PAGE_SIZE / bsize;
    let done = 0;
    while (done < data.length) {
      const index = Math.floor(pos / PAGE_SIZE);
      const off = pos - index * PAGE_SIZE;
      const bytes = Math.min(PAGE_SIZE - off, data.length - done);
      let p = m.pages.get(index);
      while (p?.locked) {
        await p.waitUnlocked();
        p = m.pages.get(index);
      }
      if (!p) {
        p = new Page(index);
        p.locked = false;
        m.pages.set(index, p);
      }
      const bufs = p.buffers(perPage);
      // __block_write_begin: read the blocks the write covers only in part.
      const from = off;
      const to = off + bytes;
      const reads: Array<Promise<boolean>> = [];
      for (let b = 0; b < perPage; b++) {
        const bs = b * bsize;
        const be = bs + bsize;
        if (be <= from || bs >= to) continue;
        if (bufs.uptodate[b]) continue;
        if (bs < from || be > to) reads.push(this.#readBlock(p, b));
      }
      if (reads.length > 0 && !(await Promise.all(reads)).every((ok) => ok)) {
        return done > 0 ? done : -Errno.EIO;
      }
      p.data.set(data.subarray(done, done + bytes), off);
      for (let b = 0; b < perPage; b++) {
        const bs = b * bsize;
        if (bs + bsize <= from || bs >= to) continue;
        bufs.uptodate[b] = true;
        bufs.dirty[b] = true;
      }
      if (bufs.uptodate.every((u) => u)) p.uptodate = true;
      done += bytes;
      pos += bytes;
    }
    return done;
  }

  /** `ll_rw_block(REQ_OP_READ)` of one buffer, waited for (`end_buffer_read_sync`: no message). */
  #readBlock(p: Page, b: number): Promise<boolean> {
    const m = this.#m;
    const bsize = m.blocksize;
    const block = p.index * (PAGE_SIZE / bsize) + b;
    return new Promise((resolve) => {
      const bio = blockRead(block, bsize);
      m.submit(bio, (st) => {
        if (st === BlkStatus.OK) {
          p.data.set(bio.data!, b * bsize);
          p.bufUptodate![b] = true;
        }
        resolve(st === BlkStatus.OK);
      });
    });
  }

  /**
   * `blkdev_fsync` of bytes `start..end` (inclusive; the whole device by default): writes back
   * that range and waits; a writeback error since the last check is reported
   * (once); then a cache flush (an empty REQ_PREFLUSH write). 0 or a negative errno.
   */
  async fsync(start = 0, end = Number.POSITIVE_INFINITY): Promise<number> {
    const m = this.#m;
    await this.#cache.writeback(m, Math.floor(start / PAGE_SIZE), Math.floor(end / PAGE_SIZE));
    // file_write_and_wait_range → file_check_and_advance_wb_err: errors of any write-back of the
    // device since this file last looked (or unseen ones from before it was opened).
    const [errno, sample] = this.#cache.wbErrCheckAndAdvance(m.dev.devt, this.#wbErr);
    this.#wbErr = sample;
    if (errno !== 0) return -errno;
    const st = await new Promise<BlkStatus>((resolve) => {
      const bio = new Bio();
      // blkdev_issue_flush: an empty REQ_PREFLUSH write; blk-mq's flush machinery hands a
      // request-based queue a REQ_OP_FLUSH request instead (a bio-based dm device gets the bio).
      bio.op = m.dev.requestStackable ? ReqOp.FLUSH : ReqOp.WRITE;
      bio.flags = ReqFlag.PREFLUSH;
      bio.bytes = 0;
      m.submit(bio, resolve);
    });
    // A device without a volatile cache has nothing to flush (-EOPNOTSUPP is success).
    if (st === BlkStatus.OK || st === BlkStatus.NOTSUPP) return 0;
    return -blkStatusToErrno(st);
  }

  /** `close(2)`: the last opener of the device writes back and drops the cache. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cache.release(this.#m);
  }
}

/** `get_init_ra_size`: the first window for a request of `size` pages. */
export function initRaSize(size: number, max: number): number {
  let n = 1;
  while (n < size) n *= 2;
  if (n <= Math.floor(max / 32)) return n * 4;
  if (n <= Math.floor(max / 4)) return n * 2;
  return max;
}

/** `get_next_ra_size`: the next window after one of `cur` pages. */
export function nextRaSize(cur: number, max: number): number {
  if (cur < Math.floor(max / 16)) return 4 * cur;
  if (cur <= Math.floor(max / 2)) return 2 * cur;
  return max;
}
