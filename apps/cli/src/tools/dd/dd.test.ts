import { Bio, mkdev, ReqOp } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { defaultMachine } from "../../app/one-shot.js";
import { ScenarioSession } from "../../conformance/session.js";
import { formatG, humanBytes, humanRate, lacksPrefix } from "./human.js";

describe("dd's statistics formatting (gnulib human_readable, %g)", () => {
  it.each([
    [1, "1 B", "1 B"],
    [1000, "1.0 kB", "1000 B"],
    [1024, "1.0 kB", "1.0 KiB"],
    [8192, "8.2 kB", "8.0 KiB"],
    [65536, "66 kB", "64 KiB"],
    [1048576, "1.0 MB", "1.0 MiB"],
    [3000000, "3.0 MB", "2.9 MiB"],
  ])("%i bytes → %s, %s", (n, si, iec) => {
    expect(humanBytes(n, false)).toBe(si);
    expect(humanBytes(n, true)).toBe(iec);
  });

  it("rates keep one decimal below 100", () => {
    expect(humanRate(8192, 31_928)).toBe("257 MB");
    expect(humanRate(1, 21_502)).toBe("46.5 kB");
    expect(humanRate(0, 33_469)).toBe("0.0 kB");
    expect(humanRate(1048576, 430_330)).toBe("2.4 GB");
  });

  it("%g prints six significant digits without trailing zeros", () => {
    expect(formatG(3.1928e-5)).toBe("3.1928e-05");
    expect(formatG(0.00043033)).toBe("0.00043033");
    expect(formatG(0.107055)).toBe("0.107055");
    expect(formatG(2)).toBe("2");
    expect(formatG(1234567)).toBe("1.23457e+06");
  });

  it("knows when a size has no prefix", () => {
    expect(lacksPrefix("1000 B")).toBe(true);
    expect(lacksPrefix("1.0 kB")).toBe(false);
  });
});

async function dd(args: string, setup: string[][] = []) {
  const session = new ScenarioSession(await defaultMachine());
  for (const s of setup) await session.runCommand(s);
  return session.runCommand(["dd", ...args.split(" ")]);
}

const LINEAR = ["dmsetup", "create", "big", "--table", "0 2048 linear 7:0 0"];

describe("dd over the model's block devices", () => {
  it("reads whole blocks with one bio each and reports the records", async () => {
    const r = await dd("if=/dev/mapper/big of=/dev/null bs=4k count=3 iflag=direct status=noxfer", [LINEAR]);
    expect(r).toMatchObject({ output: "3+0 records in\n3+0 records out\n", rc: 0 });
  });

  it("stops at the end of the device with a partial record", async () => {
    const r = await dd("if=/dev/mapper/big of=/dev/null bs=384k iflag=direct status=noxfer", [LINEAR]);
    expect(r).toMatchObject({ output: "2+1 records in\n2+1 records out\n", rc: 0 });
  });

  it("refuses unaligned direct I/O with EINVAL", async () => {
    const r = await dd("if=/dev/mapper/big of=/dev/null bs=3000 count=1 iflag=direct status=none", [LINEAR]);
    expect(r).toMatchObject({ output: "dd: error reading '/dev/mapper/big': Invalid argument\n", rc: 1 });
  });

  it("cannot skip beyond the end of a block device", async () => {
    const r = await dd("if=/dev/mapper/big of=/dev/null bs=4096 skip=300 iflag=direct status=noxfer", [
      LINEAR,
    ]);
    expect(r).toMatchObject({
      output: "dd: /dev/mapper/big: cannot skip: Invalid argument\n0+0 records in\n0+0 records out\n",
      rc: 1,
    });
  });

  it("runs out of space writing past the end", async () => {
    const r = await dd(
      "if=/dev/zero of=/dev/mapper/big bs=4096 seek=255 count=2 oflag=direct status=noxfer",
      [LINEAR],
    );
    expect(r).toMatchObject({
      output:
        "dd: error writing '/dev/mapper/big': No space left on device\n2+0 records in\n1+0 records out\n",
      rc: 1,
    });
  });

  it("writes are refused on a read-only device", async () => {
    const r = await dd("if=/dev/zero of=/dev/mapper/ro bs=512 count=1 status=none", [
      ["dmsetup", "create", "ro", "-r", "--table", "0 1000 linear 7:0 0"],
    ]);
    expect(r).toMatchObject({
      output: "dd: error writing '/dev/mapper/ro': Operation not permitted\n",
      rc: 1,
    });
  });

  it("a buffered write of part of a block reads the block first, and fails when it cannot", async () => {
    const r = await dd("if=/dev/zero of=/dev/mapper/err bs=512 count=1 status=none", [
      ["dmsetup", "create", "err", "--table", "0 1000 error"],
    ]);
    expect(r).toMatchObject({ output: "dd: error writing '/dev/mapper/err': Input/output error\n", rc: 1 });
  });

  it("a buffered write the device refuses is lost at close (rc 0), reported by conv=fsync, and by oflag=sync at once", async () => {
    const err = ["dmsetup", "create", "err", "--table", "0 8192 error"];
    expect(await dd("if=/dev/zero of=/dev/mapper/err bs=4k count=2 status=noxfer", [err])).toMatchObject({
      output: "2+0 records in\n2+0 records out\n",
      rc: 0,
    });
    expect(
      await dd("if=/dev/zero of=/dev/mapper/err bs=4k count=2 status=noxfer conv=fsync", [err]),
    ).toMatchObject({
      output: "dd: fsync failed for '/dev/mapper/err': Input/output error\n2+0 records in\n2+0 records out\n",
      rc: 1,
    });
    expect(
      await dd("if=/dev/zero of=/dev/mapper/err bs=4k count=2 status=noxfer oflag=sync", [err]),
    ).toMatchObject({
      output: "dd: error writing '/dev/mapper/err': Input/output error\n1+0 records in\n0+0 records out\n",
      rc: 1,
    });
  });

  it("copies through the page cache without O_DIRECT, and reads the copy back", async () => {
    const machine = await defaultMachine();
    const session = new ScenarioSession(machine);
    const loop0 = machine.services.kernel!.block.get(mkdev(7, 0))!;
    const bio = new Bio();
    bio.op = ReqOp.WRITE;
    bio.bytes = 8192;
    bio.data = new Uint8Array(8192).map((_, i) => 97 + ((i >> 9) % 26));
    loop0.submit(bio);
    await session.advance(1_000_000);
    const copy = await session.runCommand(
      "dd if=/dev/loop0 of=/dev/loop1 bs=1000 count=9 status=none".split(" "),
    );
    expect(copy.rc).toBe(0);
    // loop1 is read with O_DIRECT: the copy reached the device at dd's close.
    const r = await session.runCommand(
      "dd if=/dev/loop1 bs=512 count=18 iflag=direct status=none".split(" "),
    );
    // 8 KiB of pattern on loop0, zeros after it: 9000 bytes copied.
    const want = Array.from({ length: 9000 }, (_, i) =>
      i < 8192 ? String.fromCharCode(97 + ((i >> 9) % 26)) : "\0",
    ).join("");
    expect(r.output.length).toBe(9216);
    expect(r.output.slice(0, 9000) === want).toBe(true);
    expect(
      r.output
        .slice(9000)
        .split("")
        .every((c) => c === "\0"),
    ).toBe(true);
  });

  it("copies data block by block between devices (and to stdout)", async () => {
    const machine = await defaultMachine();
    const session = new ScenarioSession(machine);
    // Put a pattern on loop0 through the block layer.
    const loop0 = machine.services.kernel!.block.get(mkdev(7, 0))!;
    const bio = new Bio();
    bio.op = ReqOp.WRITE;
    bio.sector = 0;
    bio.bytes = 512;
    bio.data = new Uint8Array(512).map((_, i) => 65 + (i % 26));
    let done = false;
    bio.endIo = () => {
      done = true;
    };
    loop0.submit(bio);
    await session.advance(1_000_000);
    expect(done).toBe(true);
    const copy = await session.runCommand(
      "dd if=/dev/loop0 of=/dev/loop1 bs=4k count=1 iflag=direct oflag=direct conv=lcase status=none".split(
        " ",
      ),
    );
    expect(copy.rc).toBe(0);
    const r = await session.runCommand("dd if=/dev/loop1 bs=512 count=1 status=none".split(" "));
    expect(r.output.slice(0, 30)).toBe("abcdefghijklmnopqrstuvwxyzabcd");
  });

  it("cannot open a node that does not exist, nor /dev/zero for direct I/O", async () => {
    expect(await dd("if=/dev/mapper/nosuch of=/dev/null")).toMatchObject({
      output: "dd: failed to open '/dev/mapper/nosuch': No such file or directory\n",
      rc: 1,
    });
    expect(await dd("if=/dev/zero of=/dev/null iflag=direct")).toMatchObject({
      output: "dd: failed to open '/dev/zero': Invalid argument\n",
      rc: 1,
    });
  });

  it("parses operands like coreutils 9.1", async () => {
    expect(await dd("bs=4q")).toMatchObject({ output: "dd: invalid number: '4q'\n", rc: 1 });
    expect(await dd("bs=0")).toMatchObject({ output: "dd: invalid number: '0'\n", rc: 1 });
    expect(await dd("foo=bar")).toMatchObject({
      output: "dd: unrecognized operand 'foo=bar'\nTry 'dd --help' for more information.\n",
      rc: 1,
    });
    expect(await dd("iflag=foo")).toMatchObject({
      output: "dd: invalid input flag: 'foo'\nTry 'dd --help' for more information.\n",
      rc: 1,
    });
    expect(await dd("status=foo")).toMatchObject({
      output: "dd: invalid status level: 'foo'\nTry 'dd --help' for more information.\n",
      rc: 1,
    });
    expect(await dd("if=/dev/zero of=/dev/null bs=2x512 count=1 status=noxfer")).toMatchObject({
      output: "1+0 records in\n1+0 records out\n",
      rc: 0,
    });
    expect(await dd("if=/dev/zero of=/dev/null bs=1kB count=1")).toMatchObject({
      output: "1+0 records in\n1+0 records out\n1000 bytes (1.0 kB) copied, 0 s, Infinity B/s\n",
    });
  });

  it("conv=noerror skips a bad block without counting it, exits 0, and is silent with status=none", async () => {
    const mixed = ["dmsetup", "create", "mixed", "--table", "0 8 linear 7:0 0\n8 8 error\n16 8 linear 7:0 8"];
    expect(
      await dd("if=/dev/mapper/mixed of=/dev/null bs=4k count=2 iflag=direct conv=noerror status=noxfer", [
        mixed,
      ]),
    ).toMatchObject({
      output:
        "dd: error reading '/dev/mapper/mixed': Input/output error\n1+0 records in\n1+0 records out\n2+0 records in\n2+0 records out\n",
      rc: 0,
    });
    expect(
      await dd("if=/dev/mapper/mixed of=/dev/null bs=4k count=2 iflag=direct conv=noerror status=none", [
        mixed,
      ]),
    ).toMatchObject({ output: "", rc: 0 });
    // conv=sync: zeros stand in for the bad block, a partial record in and a full one out.
    expect(
      await dd(
        "if=/dev/mapper/mixed of=/dev/null bs=4k count=2 skip=1 iflag=direct conv=noerror,sync status=noxfer",
        [mixed],
      ),
    ).toMatchObject({
      output:
        "dd: error reading '/dev/mapper/mixed': Input/output error\n0+0 records in\n0+0 records out\n1+1 records in\n2+0 records out\n",
      rc: 0,
    });
    // Without noerror the first bad block ends the copy with status 1.
    expect(
      await dd("if=/dev/mapper/mixed of=/dev/null bs=4k count=2 skip=1 iflag=direct status=noxfer", [mixed]),
    ).toMatchObject({
      output: "dd: error reading '/dev/mapper/mixed': Input/output error\n0+0 records in\n0+0 records out\n",
      rc: 1,
    });
  });
});
