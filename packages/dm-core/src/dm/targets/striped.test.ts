import { describe, expect, it } from "vitest";
import { Bio, ReqFlag, ReqOp } from "../../block/bio.js";
import type { BlockDevice } from "../../block/block-device.js";
import { mkdev } from "../../block/devt.js";
import { BlkStatus, Errno } from "../../block/status.js";
import { dmesg, IoRecorder, testKernel } from "../testing/harness.js";
import { kstrtouint } from "./striped.js";

function setup(loops = 3) {
  const { clock, k } = testKernel({ loops });
  return { clock, k, io: new IoRecorder(clock) };
}

type K = ReturnType<typeof setup>["k"];

function load(k: K, name: string, length: number, params: string): number {
  k.dm.create(name);
  const r = k.dm.load(name, [{ start: 0, length, type: "striped", params }]);
  if (!r.ok) {
    k.dm.remove(name);
    return r.errno;
  }
  const s = k.dm.resume(name);
  if (!s.ok) throw new Error(`resume ${name}: ${s.errno}`);
  return 0;
}

function dev(k: K, name: string): BlockDevice {
  const r = k.dm.info(name);
  if (!r.ok) throw new Error(`no ${name}`);
  return k.block.get(r.value.devt)!;
}

function status(k: K, name: string, type: "info" | "table"): string {
  const r = k.dm.status(name, { kind: type });
  if (!r.ok) throw new Error(`status ${name}`);
  return r.value.lines.map((l) => `${l.start} ${l.length} ${l.type} ${l.params}`).join("\n");
}

describe("kstrtouint", () => {
  it("takes an optional +, digits and one final newline, up to UINT_MAX", () => {
    expect(kstrtouint("2")).toBe(2);
    expect(kstrtouint("+2")).toBe(2);
    expect(kstrtouint("2\n")).toBe(2);
    expect(kstrtouint("4294967295")).toBe(4294967295);
    for (const bad of ["", "-1", " 2", "2 ", "0x2", "2x", "4294967296", "+"])
      expect(kstrtouint(bad)).toBeNull();
  });
});

describe("striped: the constructor", () => {
  it.each([
    ["2", "Not enough arguments", Errno.EINVAL],
    ["0 128 7:0 0", "Invalid stripe count", Errno.EINVAL],
    ["4294967296 128 7:0 0 7:1 0", "Invalid stripe count", Errno.EINVAL],
    ["2 0 7:0 0 7:1 0", "Invalid chunk_size", Errno.EINVAL],
    ["2 x 7:0 0 7:1 0", "Invalid chunk_size", Errno.EINVAL],
    ["3 128 7:0 0 7:1 0 7:2 0", "Target length not divisible by number of stripes", Errno.EINVAL],
    ["2 3000 7:0 0 7:1 0", "Target length not divisible by chunk size", Errno.EINVAL],
    ["2 128 7:0 0", "Not enough destinations specified", Errno.EINVAL],
    ["2 128 7:0 0 7:1 0 7:2 0", "Not enough destinations specified", Errno.EINVAL],
    ["2 128 7:0 0 7:1 -1", "Couldn't parse stripe destination", Errno.EINVAL],
    ["2 128 7:0 x 7:1 0", "Couldn't parse stripe destination", Errno.EINVAL],
    ["2 128 7:0 0 254:99 0", "Couldn't parse stripe destination", Errno.ENXIO],
  ])("%s → %s", (params, error, errno) => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(load(k, "s", 16000 + (params.startsWith("2 3000") ? 0 : 384), params)).toBe(errno);
    expect(dmesg(k, cur)).toEqual([
      `device-mapper: table: 254:0: striped: ${error} (-${errno === Errno.ENXIO ? "ENXIO" : "EINVAL"})`,
      "device-mapper: ioctl: error adding target to table",
    ]);
  });

  it("a failed destination releases the devices taken before it", () => {
    const { k } = setup();
    expect(load(k, "s", 16384, "2 128 7:0 0 254:99 0")).toBe(Errno.ENXIO);
    expect(k.block.openCount(mkdev(7, 0))).toBe(0);
  });

  it("checks each stripe's area: stripe_width sectors from its offset", () => {
    const { k } = setup();
    const cur = k.log.cursor();
    expect(load(k, "s", 16384, "2 128 7:0 0 7:1 16000")).toBe(Errno.EINVAL);
    expect(dmesg(k, cur)[0]).toBe(
      "device-mapper: table: 254:0: loop1 too small for target: start=16000, len=8192, dev_size=16384",
    );
  });
});

describe("striped: status", () => {
  it("INFO lists the stripes and their A/D state without a trailing blank; TABLE the arguments", () => {
    const { k } = setup();
    expect(load(k, "s", 16384, "+2 128 7:0 0 7:1 8")).toBe(0);
    expect(status(k, "s", "info")).toBe("0 16384 striped 2 7:0 7:1 1 AA");
    expect(status(k, "s", "table")).toBe("0 16384 striped 2 128 7:0 0 7:1 8");
  });

  it("io hints: the chunk is the minimum I/O, the stripe the optimal one; read-ahead is twice that", () => {
    const { k } = setup();
    expect(load(k, "s", 16384, "2 128 7:0 0 7:1 0")).toBe(0);
    const d = dev(k, "s");
    expect([d.ioMin?.(), d.ioOpt?.()]).toEqual([65536, 131072]);
    expect(k.block.readAheadKb(d.devt)).toBe(256);
    // A small stripe keeps the 128 KiB floor.
    expect(load(k, "t", 16, "2 8 7:2 0 7:2 8")).toBe(0);
    expect(k.block.readAheadKb(dev(k, "t").devt)).toBe(128);
  });

  it("a table swap resets a read-ahead set by BLKRASET to the limits' default", () => {
    const { k } = setup();
    expect(load(k, "s", 16384, "2 128 7:0 0 7:1 0")).toBe(0);
    const d = dev(k, "s");
    k.block.setReadAheadKb(d.devt, 4);
    expect(k.block.readAheadKb(d.devt)).toBe(4);
    k.dm.load("s", [{ start: 0, length: 16384, type: "striped", params: "2 64 7:0 0 7:1 0" }]);
    k.dm.suspend("s");
    k.dm.resume("s");
    expect(k.block.readAheadKb(d.devt)).toBe(128);
  });
});

describe("striped: I/O", () => {
  it("spreads chunks round-robin over the stripes and splits I/O at chunk boundaries", () => {
    const { clock, k, io } = setup();
    // 3 stripes of 3-sector chunks (neither a power of two), stripe 1 at offset 10.
    expect(load(k, "s", 18 * 3, "3 3 7:0 0 7:1 10 7:2 0")).toBe(0);
    const d = dev(k, "s");
    const data = new Uint8Array(18 * 3 * 512);
    for (let i = 0; i < data.length; i++) data[i] = (i >> 9) + 1;
    const w = new Bio();
    w.op = ReqOp.WRITE;
    w.sector = 0;
    w.bytes = data.length;
    w.data = data;
    let done = -1;
    w.endIo = (b) => {
      done = b.status;
    };
    d.submit(w);
    clock.runUntilIdle();
    expect(done).toBe(BlkStatus.OK);
    // Sector s of the map: chunk c = s / 3 on stripe c % 3 at (c / 3) * 3 + s % 3.
    const loops = [0, 1, 2].map((n) => io.submit(k.block.get(mkdev(7, n))!, "read", 0, 64 * 512));
    clock.runUntilIdle();
    for (let s = 0; s < 54; s++) {
      const c = Math.floor(s / 3);
      const stripe = c % 3;
      const at = Math.floor(c / 3) * 3 + (s % 3) + (stripe === 1 ? 10 : 0);
      expect(loops[stripe]!.bio.data![at * 512]).toBe(s + 1);
    }
    const r = io.submit(d, "read", 2, 10 * 512);
    clock.runUntilIdle();
    expect([...r.bio.data!].filter((_, i) => i % 512 === 0)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it("an empty flush goes to every stripe once", () => {
    const { clock, k, io } = setup();
    expect(load(k, "s", 16384, "2 128 7:0 0 7:1 0")).toBe(0);
    const seen: string[] = [];
    for (const n of [0, 1]) {
      const l = k.block.get(mkdev(7, n))!;
      const orig = l.submit.bind(l);
      l.submit = (b: Bio) => {
        if (b.flags & ReqFlag.PREFLUSH) seen.push(l.name);
        orig(b);
      };
    }
    const f = io.submit(dev(k, "s"), "flush", 0, 0);
    clock.runUntilIdle();
    expect(f.status).toBe(BlkStatus.OK);
    expect(seen.sort()).toEqual(["loop0", "loop1"]);
  });

  it("a discard reaches each stripe for the part of the range that lies on it", () => {
    const { clock, k, io } = setup();
    expect(load(k, "s", 16384, "2 8 7:0 0 7:1 0")).toBe(0);
    const d = dev(k, "s");
    io.submit(d, "write", 0, 32 * 512, 0xee);
    clock.runUntilIdle();
    // Discard map sectors 4..19: chunk 0 (4..7) and 2 (16..19) on stripe 0, chunk 1 (8..15) on stripe 1.
    const b = new Bio();
    b.op = ReqOp.DISCARD;
    b.sector = 4;
    b.bytes = 16 * 512;
    let st = -1;
    b.endIo = (x) => {
      st = x.status;
    };
    d.submit(b);
    clock.runUntilIdle();
    expect(st).toBe(BlkStatus.OK);
    const r = io.submit(d, "read", 0, 32 * 512);
    clock.runUntilIdle();
    const sect = (s: number) => r.bio.data![s * 512];
    expect([sect(3), sect(4), sect(15), sect(19), sect(20)]).toEqual([0xee, 0, 0, 0, 0xee]);
  });

  it("counts errors against the failing stripe (D) and raises a table event per error below 15", () => {
    const { clock, k, io } = setup();
    k.dm.create("e");
    k.dm.load("e", [{ start: 0, length: 8192, type: "error", params: "" }]);
    k.dm.resume("e");
    expect(load(k, "s", 16384, "2 64 7:0 0 254:0 0")).toBe(0);
    const d = dev(k, "s");
    const ev0 = k.dm.info("s");
    const event = () => {
      const r = k.dm.info("s");
      return r.ok ? r.value.eventNr : -1;
    };
    const base = ev0.ok ? ev0.value.eventNr : -1;
    const r = io.submit(d, "read", 0, 64 * 1024);
    clock.runUntilIdle();
    expect(r.status).toBe(BlkStatus.IOERR);
    expect(status(k, "s", "info")).toBe("0 16384 striped 2 7:0 254:0 1 AD");
    expect(event() - base).toBe(1);
    // Readahead failures do not count.
    const ra = io.submit(d, "read", 64, 512, undefined, ReqFlag.RAHEAD);
    clock.runUntilIdle();
    expect(ra.status).toBe(BlkStatus.IOERR);
    expect(event() - base).toBe(1);
    // Concurrent errors raise one event: the work is queued once while it is pending.
    for (let i = 0; i < 3; i++) io.submit(d, "read", 64 + 128 * i, 512);
    clock.runUntilIdle();
    expect(event() - base).toBe(2);
    for (let i = 3; i < 20; i++) {
      io.submit(d, "read", 64 + 128 * i, 512);
      clock.runUntilIdle();
    }
    // Errors 5..14 raise one each; from the 15th on the stripe raises none.
    expect(event() - base).toBe(12);
  });
});
