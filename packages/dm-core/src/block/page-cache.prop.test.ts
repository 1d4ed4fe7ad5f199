import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { settle } from "../clock/drive.js";
import { VirtualClock } from "../clock/virtual-clock.js";
import { KernelLog } from "../kernel/log.js";
import { type Bio, bioEndio, ReqOp } from "./bio.js";
import type { BlockDevice } from "./block-device.js";
import { BlockLayer } from "./block-layer.js";
import { mkdev } from "./devt.js";
import { type BdevFile, PageCache } from "./page-cache.js";
import { BlkStatus } from "./status.js";

/** A RAM disk completing every bio after a latency the test picks (so completions interleave). */
class RamDisk implements BlockDevice {
  readonly devt = mkdev(7, 0);
  readonly name = "loop0";
  readonly logicalBlockSize = 512;
  readonly requestStackable = true;
  readonly partition = false;
  readonly data: Uint8Array;
  readonly #clock: VirtualClock;
  #n = 0;

  constructor(clock: VirtualClock, bytes: number) {
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
    // Later bios may complete first: 10..70 µs, cycling.
    const delay = 10_000 + ((this.#n++ * 37) % 7) * 10_000;
    this.#clock.schedule(
      delay,
      (b: Bio) => {
        const start = b.sector * 512;
        if (b.op === ReqOp.READ) b.data!.set(this.data.subarray(start, start + b.bytes));
        else if (b.op === ReqOp.WRITE && b.bytes > 0) this.data.set(b.data!.subarray(0, b.bytes), start);
        bioEndio(b, BlkStatus.OK);
      },
      bio,
    );
  }
}

type Op =
  | { k: "read"; pos: number; len: number }
  | { k: "write"; pos: number; len: number; byte: number }
  | { k: "fsync" }
  | { k: "reopen" }
  | { k: "direct-write"; pos: number; len: number; byte: number }
  | { k: "direct-read"; pos: number; len: number };

/** Sizes whose set_init_blocksize gives 512, 1024, 2048 and 4096-byte blocks. */
const SIZES = [48 * 1024 + 512, 48 * 1024 + 1024, 48 * 1024 + 2048, 48 * 1024];

function ops(size: number): fc.Arbitrary<Op[]> {
  const pos = fc.integer({ min: 0, max: size - 1 });
  const len = fc.integer({ min: 1, max: 12_000 });
  const byte = fc.integer({ min: 1, max: 255 });
  const sector = fc.integer({ min: 0, max: size / 512 - 1 });
  const sectors = fc.integer({ min: 1, max: 24 });
  return fc.array(
    fc.oneof(
      fc.record({ k: fc.constant("read" as const), pos, len }),
      fc.record({ k: fc.constant("write" as const), pos, len, byte }),
      fc.constant({ k: "fsync" as const }),
      fc.constant({ k: "reopen" as const }),
      fc
        .record({ s: sector, n: sectors, byte })
        .map(({ s, n, byte: b }) => ({ k: "direct-write" as const, pos: s * 512, len: n * 512, byte: b })),
      fc
        .record({ s: sector, n: sectors })
        .map(({ s, n }) => ({ k: "direct-read" as const, pos: s * 512, len: n * 512 })),
    ),
    { minLength: 1, maxLength: 25 },
  );
}

describe("the page cache is coherent (a law)", () => {
  it("buffered and direct reads see every earlier write, and the device holds them all after the last close", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SIZES).chain((size) => fc.tuple(fc.constant(size), ops(size))),
        async ([size, list]) => {
          const clock = new VirtualClock();
          const log = new KernelLog(clock);
          const block = new BlockLayer(log);
          const disk = new RamDisk(clock, size);
          block.register(disk);
          const cache = new PageCache(block, clock, log);
          const ref = new Uint8Array(size);
          const run = async <T>(p: Promise<T>): Promise<T> => {
            const r = await settle(clock, p, 10e9);
            if (!r.settled) throw new Error("hung");
            return r.value;
          };
          const open = (): BdevFile => {
            block.open(disk.devt);
            return cache.open(disk);
          };
          let f = open();
          for (const op of list) {
            const end = Math.min(size, op.k === "fsync" || op.k === "reopen" ? 0 : op.pos + op.len);
            switch (op.k) {
              case "read": {
                const buf = new Uint8Array(op.len);
                const n = await run(f.read(op.pos, buf, op.len));
                expect(n).toBe(end - op.pos);
                expect(Buffer.compare(buf.subarray(0, n), ref.subarray(op.pos, end))).toBe(0);
                break;
              }
              case "write": {
                const data = new Uint8Array(end - op.pos).fill(op.byte);
                expect(await run(f.write(op.pos, data))).toBe(data.length);
                ref.set(data, op.pos);
                break;
              }
              case "fsync":
                expect(await run(f.fsync())).toBe(0);
                break;
              case "reopen":
                await run(f.close());
                block.close(disk.devt);
                expect(Buffer.compare(disk.data, ref)).toBe(0);
                f = open();
                break;
              case "direct-write": {
                await run(cache.beforeDirect(disk.devt, op.pos, end - op.pos, true));
                disk.data.fill(op.byte, op.pos, end);
                ref.fill(op.byte, op.pos, end);
                break;
              }
              case "direct-read": {
                await run(cache.beforeDirect(disk.devt, op.pos, end - op.pos, false));
                expect(Buffer.compare(disk.data.subarray(op.pos, end), ref.subarray(op.pos, end))).toBe(0);
                break;
              }
            }
          }
          await run(f.close());
          block.close(disk.devt);
          expect(Buffer.compare(disk.data, ref)).toBe(0);
          expect(cache.cachedPages(disk.devt)).toBe(0);
          expect(log.since(0)).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 6_1_0 },
    );
  }, 60_000);
});
