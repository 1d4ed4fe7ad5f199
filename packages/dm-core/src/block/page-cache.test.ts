import { describe, expect, it } from "vitest";
import { settle } from "../clock/drive.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog } from "../kernel/log.js";
import { type Bio, bioEndio, ReqFlag, ReqOp } from "./bio.js";
import type { BlockDevice } from "./block-device.js";
import { BlockLayer } from "./block-layer.js";
import { mkdev } from "./devt.js";
import { type BdevFile, initRaSize, nextRaSize, PageCache } from "./page-cache.js";
import { BlkStatus, Errno } from "./status.js";

const KiB = 1024;

/** Byte-for-byte equality (vitest's deep equality is slow on megabytes). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}
const PAGE = 4096;

/** One bio as the disk saw it. */
interface Seen {
  readonly op: "R" | "W" | "F";
  readonly sector: number;
  readonly pages: number;
  readonly rahead: boolean;
  readonly sync: boolean;
  readonly nomerge: boolean;
}

/**
 * A RAM disk that records every bio and completes it 100 µs later; sectors in `bad` fail (a bio
 * touching one fails whole, as a request does).
 */
class RecordingDisk implements BlockDevice {
  readonly devt = mkdev(8, 0);
  readonly name = "sdz";
  readonly requestStackable = true;
  readonly partition = false;
  readonly data: Uint8Array;
  readonly seen: Seen[] = [];
  readonly bad = new Set<number>();
  readonly #clock: VirtualClock;

  constructor(
    clock: VirtualClock,
    bytes: number,
    readonly logicalBlockSize = 512,
  ) {
    this.#clock = clock;
    this.data = new Uint8Array(bytes);
  }

  sizeSectors(): number {
    return this.data.length / 512;
  }
  readOnly(): boolean {
    return false;
  }
  dying(): boolean {
    return false;
  }

  submit(bio: Bio): void {
    const op = bio.op === ReqOp.READ ? "R" : bio.bytes === 0 ? "F" : "W";
    this.seen.push({
      op,
      sector: bio.sector,
      pages: bio.bytes / PAGE,
      rahead: (bio.flags & ReqFlag.RAHEAD) !== 0,
      sync: (bio.flags & ReqFlag.SYNC) !== 0,
      nomerge: (bio.flags & ReqFlag.NOMERGE) !== 0,
    });
    this.#clock.schedule(
      100_000,
      (b: Bio) => {
        const start = b.sector * 512;
        for (let s = b.sector; s < b.sector + b.bytes / 512; s++)
          if (this.bad.has(s)) return bioEndio(b, BlkStatus.IOERR);
        if (b.op === ReqOp.READ) b.data!.set(this.data.subarray(start, start + b.bytes));
        else if (b.bytes > 0) this.data.set(b.data!.subarray(0, b.bytes), start);
        bioEndio(b, BlkStatus.OK);
      },
      bio,
    );
  }

  /** Marks `n` pages from page `index` bad. */
  failPages(index: number, n = 1): void {
    for (let s = index * 8; s < (index + n) * 8; s++) this.bad.add(s);
  }

  /** The bios seen since the last call, as `R 0+4 ra` strings. */
  take(): string[] {
    const out = this.seen.map(
      (s) =>
        `${s.op} ${s.sector / 8}+${s.pages}${s.rahead ? " ra" : ""}${s.sync ? " sync" : ""}${s.nomerge ? " nomerge" : ""}`,
    );
    this.seen.length = 0;
    return out;
  }
}

function setup(bytes = 1 << 20, lbs = 512) {
  const clock = new VirtualClock();
  const log = new KernelLog(clock);
  const block = new BlockLayer(log);
  const disk = new RecordingDisk(clock, bytes, lbs);
  block.register(disk);
  const cache = new PageCache(block, clock, log);
  for (let i = 0; i < disk.data.length; i++) disk.data[i] = (i * 7 + (i >> 12)) & 0xff;
  const cursor = log.cursor();
  const run = async <T>(p: Promise<T>): Promise<T> => {
    const r = await settle(clock, p, 60e9);
    if (!r.settled) throw new Error("did not settle");
    return r.value;
  };
  /** `open(2)` without O_DIRECT: the block layer's open, then the file. */
  const open = (): BdevFile => {
    block.open(disk.devt);
    return cache.open(disk);
  };
  const close = async (f: BdevFile): Promise<void> => {
    await run(f.close());
    block.close(disk.devt);
  };
  const read = async (f: BdevFile, pos: number, len: number) => {
    const buf = new Uint8Array(len);
    const n = await run(f.read(pos, buf, len));
    return { n, buf: buf.subarray(0, Math.max(0, n)) };
  };
  const lines = () => log.since(cursor).map((l) => l.text);
  return { clock, log, block, disk, cache, run, open, close, read, lines };
}

describe("the window sizes (get_init_ra_size, get_next_ra_size)", () => {
  it("grow from the request: x4 when small, x2 when medium, the maximum beyond", () => {
    // 128 KiB read-ahead = 32 pages.
    expect([1, 2, 3, 4, 8, 9, 16, 64].map((n) => initRaSize(n, 32))).toEqual([4, 4, 8, 8, 16, 32, 32, 32]);
    expect([1, 2, 4, 8, 16, 17, 32].map((n) => nextRaSize(n, 32))).toEqual([4, 4, 8, 16, 32, 32, 32]);
    expect(initRaSize(1, 256)).toBe(4);
    expect(initRaSize(8, 256)).toBe(32);
    expect(initRaSize(16, 256)).toBe(32);
    expect(initRaSize(64, 256)).toBe(128);
  });
});

describe("buffered reads", () => {
  it("return the device's data, whatever the alignment, and stop at its end", async () => {
    const t = setup(64 * KiB + 512);
    const f = t.open();
    for (const [pos, len] of [
      [0, 4096],
      [1000, 3000],
      [4095, 2],
      [12_345, 40_000],
      [64 * KiB - 100, 4096],
    ] as const) {
      const { n, buf } = await t.read(f, pos, len);
      const want = Math.min(len, 64 * KiB + 512 - pos);
      expect(n).toBe(want);
      expect(same(buf, t.disk.data.subarray(pos, pos + want))).toBe(true);
    }
    expect((await t.read(f, 64 * KiB + 512, 10)).n).toBe(0);
    await t.close(f);
  });

  it("a first read of one page at 0 reads 4 pages ahead in one REQ_RAHEAD bio; the marked page 1 starts the next 8", async () => {
    const t = setup();
    const f = t.open();
    await t.read(f, 0, PAGE);
    expect(t.disk.take()).toEqual(["R 0+4 ra"]);
    await t.read(f, PAGE, PAGE);
    expect(t.disk.take()).toEqual(["R 4+8 ra"]);
    await t.read(f, 2 * PAGE, 2 * PAGE);
    expect(t.disk.take()).toEqual([]);
    await close(t, f);
  });

  it("sequential 4 KiB reads ramp the window 4, 8, 16, 32 and keep 32 pages (128 KiB) to the end", async () => {
    const t = setup();
    const f = t.open();
    for (let pos = 0; pos < 1 << 20; pos += PAGE) await t.read(f, pos, PAGE);
    expect(t.disk.take()).toEqual([
      "R 0+4 ra",
      "R 4+8 ra",
      "R 12+16 ra",
      "R 28+32 ra",
      "R 60+32 ra",
      "R 92+32 ra",
      "R 124+32 ra",
      "R 156+32 ra",
      "R 188+32 ra",
      "R 220+32 ra",
      "R 252+4 ra",
    ]);
    await close(t, f);
  });

  it("a 1 MiB read asks for the device's I/O size: a 256-page readahead (two 128-page requests), then 256 more at its marker", async () => {
    const t = setup(4 << 20);
    const f = t.open();
    const { n, buf } = await t.read(f, 0, 1 << 20);
    expect(n).toBe(1 << 20);
    expect(same(buf, t.disk.data.subarray(0, 1 << 20))).toBe(true);
    // The window is 256 pages, its second half asynchronous: reaching page 128 reads 256..511
    // (Debian 6.1 keeps the window at 256 though the request is now 128 pages: max(size, next)).
    // Each 256-page bio is split at the queue's 128 segments, the front part REQ_NOMERGE.
    expect(t.disk.take()).toEqual([
      "R 0+128 ra nomerge",
      "R 128+128 ra",
      "R 256+128 ra nomerge",
      "R 384+128 ra",
    ]);
    await close(t, f);
  });

  it("a small read away from the start and from earlier reads reads only itself (no window)", async () => {
    const t = setup();
    const f = t.open();
    await t.read(f, 100 * PAGE, PAGE);
    expect(t.disk.take()).toEqual(["R 100+1 ra"]);
    // The next page follows the previous read: a sequential miss opens a window.
    await t.read(f, 101 * PAGE, PAGE);
    expect(t.disk.take()).toEqual(["R 101+4 ra"]);
    await close(t, f);
  });

  it("a read into an unmarked hole after cached pages sizes its window from that history", async () => {
    const t = setup();
    const a = t.open();
    // Another opener keeps the cache: pages 0..11 cached by a's two reads.
    await t.read(a, 0, PAGE);
    await t.read(a, PAGE, PAGE);
    expect(t.disk.take()).toEqual(["R 0+4 ra", "R 4+8 ra"]);
    const b = t.open();
    // b's first read at page 12: no state, not sequential for b, 12 cached pages before it.
    await t.read(b, 12 * PAGE, PAGE);
    // try_context_readahead: history 12 >= index 12 → doubled to 24, + 1 requested, capped at 32.
    expect(t.disk.take()).toEqual(["R 12+25 ra"]);
    await close(t, b);
    await close(t, a);
  });

  it("read-ahead off (ra_pages 0): each missing page is read alone, still as readahead", async () => {
    const t = setup();
    t.block.setReadAheadKb(t.disk.devt, 0);
    const f = t.open();
    await t.read(f, 0, 3 * PAGE);
    // page_cache_sync_ra forces a one-page readahead for each page the read misses.
    expect(t.disk.take()).toEqual(["R 0+1 ra", "R 1+1 ra", "R 2+1 ra"]);
    await close(t, f);
  });

  it("readahead stops at the device's end; the partial last page is zero-filled past it", async () => {
    const t = setup(16 * KiB + 1024);
    const f = t.open();
    const { n, buf } = await t.read(f, 0, 32 * KiB);
    expect(n).toBe(16 * KiB + 1024);
    expect(same(buf, t.disk.data)).toBe(true);
    // 1 KiB blocks (16 KiB + 1 KiB is not a multiple of 2 KiB): the last page holds one block.
    expect(f.blocksize).toBe(1024);
    // mpage_readahead: the page with the end in it joins the bio (one block of it) and ends it.
    expect(t.disk.seen.map((s) => [s.sector, s.pages * 8])).toEqual([[0, 34]]);
    await close(t, f);
  });

  it("a page whose readahead failed is read again block by block (read_folio), logging each failed block", async () => {
    const t = setup();
    const f = t.open();
    t.disk.failPages(0);
    const { n } = await t.read(f, 0, PAGE);
    expect(n).toBe(-Errno.EIO);
    expect(t.disk.take()).toEqual(["R 0+4 ra", "R 0+1"]);
    expect(t.lines()).toEqual(["Buffer I/O error on dev sdz, logical block 0, async page read"]);
    await close(t, f);
  });

  it("with 1 KiB blocks read_folio sends one bio per block and logs only the bad ones", async () => {
    const t = setup(64 * KiB + 1024);
    const f = t.open();
    expect(f.blocksize).toBe(1024);
    t.disk.bad.add(2 * 8 + 4); // the third block of page 2
    await t.read(f, 0, PAGE);
    t.disk.take();
    const r = await t.read(f, 2 * PAGE, PAGE);
    expect(r.n).toBe(-Errno.EIO);
    expect(t.disk.seen.map((s) => [s.op, s.sector, s.pages * 8, s.rahead])).toEqual([
      ["R", 16, 2, false],
      ["R", 18, 2, false],
      ["R", 20, 2, false],
      ["R", 22, 2, false],
    ]);
    expect(t.lines()).toEqual(["Buffer I/O error on dev sdz, logical block 10, async page read"]);
    await close(t, f);
  });

  it("a failed read_folio shrinks the window to a quarter", async () => {
    const t = setup();
    const f = t.open();
    t.disk.failPages(0);
    await t.read(f, 0, PAGE);
    t.disk.bad.clear();
    t.disk.take();
    // ra_pages 32 → 8: a 1 MiB read is capped at 8... by the request: max = min(req, io_pages).
    await t.read(f, 200 * PAGE, PAGE);
    await t.read(f, 201 * PAGE, PAGE);
    // A sequential miss with ra_pages 8: get_init_ra_size(1, 8) = 2 (1 ≤ 8/4).
    expect(t.disk.take()).toEqual(["R 200+1 ra", "R 201+2 ra"]);
    await close(t, f);
  });

  it("reads the data earlier buffered writes left in the cache, before any write-back", async () => {
    const t = setup();
    const f = t.open();
    const data = new Uint8Array(10_000).fill(0xab);
    expect(await t.run(f.write(5000, data))).toBe(10_000);
    const { buf } = await t.read(f, 4096, 12_000);
    expect(same(buf.subarray(0, 904), t.disk.data.subarray(4096, 5000))).toBe(true);
    expect(buf.subarray(904, 10_904).every((b) => b === 0xab)).toBe(true);
    expect(same(buf.subarray(10_904), t.disk.data.subarray(15_000, 16_096))).toBe(true);
    await close(t, f);
  });
});

/** Closes `f` and the block open under it. */
function close(t: ReturnType<typeof setup>, f: BdevFile): Promise<void> {
  return t.close(f);
}

describe("buffered writes", () => {
  it("stay in the cache until fsync, which writes the dirty blocks back (merged when adjacent) and flushes", async () => {
    const t = setup();
    const f = t.open();
    const data = new Uint8Array(3 * PAGE).fill(0x11);
    expect(await t.run(f.write(0, data))).toBe(3 * PAGE);
    expect(await t.run(f.write(10 * PAGE, new Uint8Array(PAGE).fill(0x22)))).toBe(PAGE);
    expect(t.disk.take()).toEqual([]);
    expect(t.disk.data[0]).not.toBe(0x11);
    expect(await t.run(f.fsync())).toBe(0);
    expect(t.disk.take()).toEqual(["W 0+3 sync", "W 10+1 sync", "F 0+0"]);
    expect(t.disk.data.subarray(0, 3 * PAGE).every((b) => b === 0x11)).toBe(true);
    expect(t.disk.data.subarray(10 * PAGE, 11 * PAGE).every((b) => b === 0x22)).toBe(true);
    // Nothing dirty any more: the next fsync only flushes.
    expect(await t.run(f.fsync())).toBe(0);
    expect(t.disk.take()).toEqual(["F 0+0"]);
    await close(t, f);
  });

  it("fsync of a byte range writes back only the pages in it (O_SYNC's generic_write_sync)", async () => {
    const t = setup();
    const f = t.open();
    await t.run(f.write(0, new Uint8Array(PAGE)));
    await t.run(f.write(5 * PAGE, new Uint8Array(2 * PAGE)));
    expect(await t.run(f.fsync(5 * PAGE + 100, 6 * PAGE + 10))).toBe(0);
    expect(t.disk.take()).toEqual(["W 5+2 sync", "F 0+0"]);
    await close(t, f);
    expect(t.disk.take()).toEqual(["W 0+1 sync"]);
  });

  it("a write covering part of a block reads that block first; whole blocks are not read", async () => {
    const t = setup();
    const f = t.open();
    const before = t.disk.data.slice(0, 2 * PAGE);
    expect(await t.run(f.write(1000, new Uint8Array(PAGE).fill(0x33)))).toBe(PAGE);
    expect(t.disk.take()).toEqual(["R 0+1", "R 1+1"]);
    expect(await t.run(f.write(2 * PAGE, new Uint8Array(PAGE).fill(0x44)))).toBe(PAGE);
    expect(t.disk.take()).toEqual([]);
    await close(t, f);
    expect(same(t.disk.data.subarray(0, 1000), before.subarray(0, 1000))).toBe(true);
    expect(t.disk.data.subarray(1000, 1000 + PAGE).every((b) => b === 0x33)).toBe(true);
    expect(same(t.disk.data.subarray(1000 + PAGE, 2 * PAGE), before.subarray(1000 + PAGE))).toBe(true);
  });

  it("a partial-block write whose block cannot be read fails with EIO and logs nothing of its own", async () => {
    const t = setup();
    const f = t.open();
    t.disk.failPages(0);
    expect(await t.run(f.write(1000, new Uint8Array(100)))).toBe(-Errno.EIO);
    expect(t.lines()).toEqual([]);
    await close(t, f);
  });

  it("are written back at the last close; a failure there is logged per block and lost", async () => {
    const t = setup();
    const f = t.open();
    await t.run(f.write(0, new Uint8Array(2 * PAGE).fill(0x55)));
    t.disk.failPages(0, 2);
    await close(t, f);
    expect(t.disk.take()).toEqual(["W 0+2 sync"]);
    expect(t.lines()).toEqual([
      "Buffer I/O error on dev sdz, logical block 0, lost async page write",
      "Buffer I/O error on dev sdz, logical block 1, lost async page write",
    ]);
    expect(t.cache.cachedPages(t.disk.devt)).toBe(0);
  });

  it("fsync reports a failed write-back as EIO once, and then succeeds", async () => {
    const t = setup();
    const f = t.open();
    await t.run(f.write(0, new Uint8Array(PAGE)));
    t.disk.failPages(0);
    expect(await t.run(f.fsync())).toBe(-Errno.EIO);
    expect(await t.run(f.fsync())).toBe(0);
    await close(t, f);
  });

  it("a write-back error nobody has seen yet is reported to the next opener's fsync (errseq)", async () => {
    const t = setup();
    const a = t.open();
    await t.run(a.write(0, new Uint8Array(PAGE)));
    t.disk.failPages(0);
    await close(t, a);
    t.disk.bad.clear();
    const b = t.open();
    await t.run(b.write(8 * PAGE, new Uint8Array(PAGE)));
    expect(await t.run(b.fsync())).toBe(-Errno.EIO);
    expect(await t.run(b.fsync())).toBe(0);
    await close(t, b);
    // Seen now: a later opener is not told again.
    const c = t.open();
    await t.run(c.write(8 * PAGE, new Uint8Array(PAGE)));
    expect(await t.run(c.fsync())).toBe(0);
    await close(t, c);
  });

  it("a disk removed and another registered with its dev_t does not inherit its write-back error", async () => {
    const t = setup();
    const a = t.open();
    await t.run(a.write(0, new Uint8Array(PAGE)));
    t.disk.failPages(0);
    await close(t, a);
    t.block.unregister(t.disk.devt);
    const again = new RecordingDisk(t.clock, 1 << 20);
    t.block.register(again);
    t.block.open(again.devt);
    const b = t.cache.open(again);
    expect(await t.run(b.fsync())).toBe(0);
    await t.run(b.close());
    t.block.close(again.devt);
  });

  it("runs of more than 128 pages go out as several requests", async () => {
    const t = setup(4 << 20);
    const f = t.open();
    await t.run(f.write(0, new Uint8Array(300 * PAGE)));
    expect(await t.run(f.fsync())).toBe(0);
    expect(t.disk.take()).toEqual(["W 0+128 sync", "W 128+128 sync", "W 256+44 sync", "F 0+0"]);
    await close(t, f);
  });
});

describe("the cache's life and direct I/O", () => {
  it("is dropped at the last close: the next open reads the device again", async () => {
    const t = setup();
    const f = t.open();
    await t.read(f, 0, PAGE);
    expect(t.cache.cachedPages(t.disk.devt)).toBe(4);
    await close(t, f);
    expect(t.cache.cachedPages(t.disk.devt)).toBe(0);
    t.disk.take();
    const g = t.open();
    await t.read(g, 0, PAGE);
    expect(t.disk.take()).toEqual(["R 0+4 ra"]);
    await close(t, g);
  });

  it("is kept while another opener holds the device (a dm table), and dirty pages stay dirty at close", async () => {
    const t = setup();
    t.block.open(t.disk.devt); // the holder
    const f = t.open();
    await t.read(f, 0, PAGE);
    await t.run(f.write(20 * PAGE, new Uint8Array(PAGE).fill(0x66)));
    await close(t, f);
    expect(t.disk.take()).toEqual(["R 0+4 ra"]);
    const g = t.open();
    t.disk.failPages(0, 4);
    const { n } = await t.read(g, 0, PAGE);
    expect(n).toBe(PAGE);
    expect(t.disk.take()).toEqual([]);
    await close(t, g);
  });

  it("the holder's last close writes back what a closed file left dirty, then drops the cache (blkdev_put)", async () => {
    const t = setup();
    t.block.open(t.disk.devt); // a dm table holding the device
    const f = t.open();
    await t.run(f.write(40 * PAGE, new Uint8Array(PAGE).fill(0x5a)));
    await close(t, f);
    expect(t.disk.take()).toEqual([]);
    t.disk.failPages(40);
    t.block.close(t.disk.devt);
    t.clock.runUntilIdle();
    expect(t.disk.take()).toEqual(["W 40+1 sync"]);
    expect(t.lines()).toEqual(["Buffer I/O error on dev sdz, logical block 40, lost async page write"]);
    expect(t.cache.cachedPages(t.disk.devt)).toBe(0);
    // Nobody waited for that write-back: the next opener's fsync reports it.
    t.disk.bad.clear();
    const g = t.open();
    expect(await t.run(g.fsync())).toBe(-Errno.EIO);
    await close(t, g);
  });

  it("a read of part of a page whose blocks in that part are uptodate needs no I/O (block_is_partially_uptodate)", async () => {
    const t = setup(64 * KiB + 1024);
    const f = t.open();
    // 1 KiB blocks: writing block 1 of page 3 leaves the page's other blocks not uptodate.
    expect(await t.run(f.write(3 * PAGE + 1024, new Uint8Array(1024).fill(0x42)))).toBe(1024);
    t.disk.take();
    const part = await t.read(f, 3 * PAGE + 1024, 1024);
    expect(part.n).toBe(1024);
    expect(part.buf.every((b) => b === 0x42)).toBe(true);
    expect(t.disk.take()).toEqual([]);
    // The whole page: read_folio reads the three other blocks, one bio each, and keeps the written one.
    const whole = await t.read(f, 3 * PAGE, PAGE);
    expect(t.disk.seen.map((s) => [s.sector, s.pages * 8])).toEqual([
      [24, 2],
      [28, 2],
      [30, 2],
    ]);
    expect(same(whole.buf.subarray(0, 1024), t.disk.data.subarray(3 * PAGE, 3 * PAGE + 1024))).toBe(true);
    expect(whole.buf.subarray(1024, 2048).every((b) => b === 0x42)).toBe(true);
    await close(t, f);
  });

  it("a direct write writes back the dirty pages it overlaps first and drops them; a direct read only writes back", async () => {
    const t = setup();
    const f = t.open();
    await t.read(f, 0, PAGE);
    await t.run(f.write(PAGE, new Uint8Array(PAGE).fill(0x77)));
    t.disk.take();
    await t.run(t.cache.beforeDirect(t.disk.devt, 0, 2 * PAGE, false));
    expect(t.disk.take()).toEqual(["W 1+1 sync"]);
    expect(t.cache.cachedPages(t.disk.devt)).toBe(4);
    await t.run(t.cache.beforeDirect(t.disk.devt, 0, 2 * PAGE, true));
    expect(t.disk.take()).toEqual([]);
    expect(t.cache.cachedPages(t.disk.devt)).toBe(2);
    // The device changes under the cache (a direct write): a buffered read sees it, not stale data.
    t.disk.data.fill(0x99, 0, 2 * PAGE);
    const { buf } = await t.read(f, 0, 2 * PAGE);
    expect(buf.every((b) => b === 0x99)).toBe(true);
    await close(t, f);
  });
});

describe("Buffer I/O error lines are rate-limited as printk_ratelimited", () => {
  it("ten in five seconds, then suppressed, then a count of those suppressed", async () => {
    const t = setup(4 << 20);
    t.block.setReadAheadKb(t.disk.devt, 0);
    const f = t.open();
    t.disk.failPages(0, 1024);
    for (let i = 0; i < 12; i++) await t.read(f, i * 50 * PAGE, PAGE);
    expect(t.lines()).toHaveLength(10);
    t.clock.advance(6e9);
    t.disk.bad.clear();
    t.disk.failPages(255);
    await t.read(f, 255 * PAGE, PAGE);
    expect(t.lines().slice(10)).toEqual([
      "buffer_io_error: 2 callbacks suppressed",
      "Buffer I/O error on dev sdz, logical block 255, async page read",
    ]);
    await close(t, f);
  });
});
