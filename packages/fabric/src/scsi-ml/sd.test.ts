import { BlkStatus, devMajor, devMinor } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { blockIo, fcWorld } from "../../test/fc-world.js";
import { createSimWorld } from "../world.js";
import { sdDevt, sdDiskName, stringGetSize } from "./sd.js";

const devt = (i: number) => `${devMajor(sdDevt(i))}:${devMinor(sdDevt(i))}`;

describe("sd names and device numbers", () => {
  it("names disks sda…sdz, sdaa…sdzz, sdaaa… as sd_format_disk_name does", () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702, 18277, 18278].map(sdDiskName)).toEqual([
      "sda",
      "sdb",
      "sdz",
      "sdaa",
      "sdab",
      "sdaz",
      "sdba",
      "sdzz",
      "sdaaa",
      "sdzzz",
      "sdaaaa",
    ]);
  });

  it("numbers them 8:0, 8:16 … 8:240, then 65:0 … 71:240, then 128:0 …", () => {
    expect([0, 1, 15, 16, 17, 127, 128, 255].map(devt)).toEqual([
      "8:0",
      "8:16",
      "8:240",
      "65:0",
      "65:16",
      "71:240",
      "128:0",
      "135:240",
    ]);
  });

  it("prints sizes as string_get_size does", () => {
    expect(stringGetSize(32768, 512, 10)).toBe("16.8 MB");
    expect(stringGetSize(32768, 512, 2)).toBe("16.0 MiB");
  });

  it("gives the 17th and 27th disks 65:0 and sdaa in a real scan", () => {
    const w = createSimWorld({ seed: 1 });
    for (const m of ["sd_mod", "sg"]) w.modprobe(m);
    expect(w.modprobe("scsi_debug", "add_host=1", "num_tgts=1", "max_luns=28", "dev_size_mb=4").ok).toBe(
      true,
    );
    w.clock.advance(1e9);
    expect(w.host.sysfs.read("/sys/block/sdp/dev")).toBe("8:240\n");
    expect(w.host.sysfs.read("/sys/block/sdq/dev")).toBe("65:0\n");
    expect(w.host.sysfs.read("/sys/block/sdaa/dev")).toBe("65:160\n");
    expect(w.host.sysfs.realpath("/sys/block/sdaa/device")).toMatch(/0:0:0:26$/);
  });
});

describe("sd turns SCSI outcomes into block statuses as the midlayer does", () => {
  const sector = new Uint8Array(4096);

  it("a medium error is BLK_STS_MEDIUM (after the midlayer's retries)", async () => {
    const w = fcWorld("lio");
    const lu = w.built.array.lus[0]!;
    lu.injectFault({ direction: "read", action: { kind: "sense", sense: { key: 3, asc: 0x11, ascq: 0 } } });
    const r = await blockIo(w, "sda", "read", 0, sector);
    expect(r.status).toBe(BlkStatus.MEDIUM);
    expect(
      w.kernel.log.since(0).some((l) => l.text.startsWith("critical medium error, dev sda, sector 0")),
    ).toBe(true);
  });

  it("RESERVATION CONFLICT is BLK_STS_RESV_CONFLICT (NEXUS in 6.1)", async () => {
    const w = fcWorld("lio");
    w.built.array.lus[0]!.injectFault({ action: { kind: "status", status: 0x18 }, opcodes: [0x28] });
    expect((await blockIo(w, "sda", "read", 0, sector)).status).toBe(BlkStatus.RESV_CONFLICT);
  });

  it("a BUSY target is retried until it answers", async () => {
    const w = fcWorld("lio");
    w.built.array.lus[0]!.injectFault({
      action: { kind: "status", status: 0x08 },
      opcodes: [0x28],
      count: 3,
    });
    expect((await blockIo(w, "sda", "read", 0, sector)).status).toBe(BlkStatus.OK);
  });

  it("an offline device refuses opens; I/O already open is rejected with IOERR", async () => {
    const w = fcWorld("lio");
    const h = w.host.openBlock("sda");
    if ("errno" in h) throw new Error("open");
    expect(w.host.sysfs.write("/sys/block/sda/device/state", "offline\n")).toBe(0);
    expect((await blockIo(w, "sda", "read", 0, sector)).status).toBe("open-failed");
    const { Bio, ReqOp } = await import("@mp/dm-core");
    const b = new Bio();
    b.op = ReqOp.READ;
    b.bytes = 4096;
    b.data = sector;
    let status = -1;
    b.endIo = (x) => {
      status = x.status;
    };
    h.submit(b);
    w.clock.advance(1e6);
    expect(status).toBe(BlkStatus.IOERR);
    expect(w.kernel.log.since(0).map((l) => l.text)).toContain("sd 0:0:0:0: rejecting I/O to offline device");
  });

  it("a command the target never answers times out after the device timeout, then is retried", async () => {
    const w = fcWorld("lio");
    expect(w.host.sysfs.write("/sys/block/sda/device/timeout", "5\n")).toBe(0);
    w.built.array.lus[0]!.injectFault({ action: { kind: "timeout" }, opcodes: [0x28], count: 1 });
    const r = await blockIo(w, "sda", "read", 0, sector);
    expect(r.elapsedNs).toBeGreaterThanOrEqual(5e9);
    // The timeout handler aborts the command (silently at the default log level); the retry
    // succeeds.
    expect(r.status).toBe(BlkStatus.OK);
  });

  it("a readahead read of sdX fails fast: blk-mq adds REQ_FAILFAST_DEV|TRANSPORT|DRIVER, so no retry", async () => {
    const { Bio, ReqFlag, ReqOp } = await import("@mp/dm-core");
    const readOnce = async (flags: number) => {
      const w = fcWorld("lio");
      w.built.array.lus[0]!.injectFault({
        action: { kind: "sense", sense: { key: 0x0b, asc: 0x47, ascq: 0 } },
        opcodes: [0x28],
        count: 1,
      });
      const h = w.host.openBlock("sda");
      if ("errno" in h) throw new Error("open");
      const b = new Bio();
      b.op = ReqOp.READ;
      b.flags = flags;
      b.bytes = 4096;
      b.data = new Uint8Array(4096);
      let status = -1;
      b.endIo = (x) => {
        status = x.status;
      };
      const t0 = w.kernel.log.since(0).length;
      h.submit(b);
      w.clock.advance(1e9);
      h.close();
      return {
        status,
        flags: b.flags,
        log: w.kernel.log
          .since(0)
          .slice(t0)
          .map((l) => l.text),
      };
    };
    // An ordinary read is retried past the ABORTED COMMAND and succeeds.
    const plain = await readOnce(0);
    expect(plain.status).toBe(BlkStatus.OK);
    expect(plain.flags).toBe(0);
    // A readahead read gives up at once: scsi_noretry_cmd sees REQ_FAILFAST_DEV.
    const ra = await readOnce(ReqFlag.RAHEAD);
    expect(ra.flags).toBe(0x80700);
    expect(ra.status).toBe(BlkStatus.IOERR);
    expect(ra.log.some((l) => /^I\/O error, dev sda, sector 0 op 0x0:\(READ\) flags 0x80700 /.test(l))).toBe(
      true,
    );
  });

  it("a transport error (DID_NO_CONNECT) fails the request with IOERR", async () => {
    const w = fcWorld("lio");
    w.built.array.lus[0]!.injectFault({ action: { kind: "host", hostByte: 0x01 }, opcodes: [0x28] });
    expect((await blockIo(w, "sda", "read", 0, sector)).status).toBe(BlkStatus.IOERR);
  });
});
