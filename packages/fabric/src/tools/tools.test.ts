import { readFileSync } from "node:fs";
import { settle } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import { createSimWorld, type SimWorld } from "../world.js";
import { blockdevMain } from "./blockdev.js";
import { sgTursMain } from "./sg-turs.js";

/** `$ CMD` blocks of a lab transcript: command line, merged output, status. */
function blocks(text: string): Array<{ cmd: string; out: string }> {
  const out: Array<{ cmd: string; out: string }> = [];
  const re = /^\$ (.*)\n([\s\S]*?)\[rc=(\d+)\]\n/gm;
  for (const m of text.matchAll(re)) out.push({ cmd: m[1]!, out: `${m[2]}[rc=${m[3]}]\n` });
  return out;
}

const lab = readFileSync(new URL("../../test/fixtures/lab/fabric2.out", import.meta.url), "utf8");
const noSd = lab.slice(lab.indexOf("########## no sd"), lab.indexOf("########## udev"));

/** A machine like the lab's: sg and loop, scsi_debug (one host) scanned without sd. */
function machine(): SimWorld {
  const w = createSimWorld({ seed: 7 });
  expect(w.modprobe("scsi_mod", "scan=manual").ok).toBe(true);
  expect(w.modprobe("sg").ok).toBe(true);
  expect(
    w.modprobe("scsi_debug", "add_host=1", "num_tgts=1", "max_luns=1", "vpd_use_hostno=0", "dev_size_mb=16")
      .ok,
  ).toBe(true);
  expect(w.host.sysfs.write("/sys/class/scsi_host/host0/scan", "0 0 0\n")).toBe(0);
  w.clock.advance(1_000_000_000);
  expect(w.kernel.losetup("loop0", 1 << 20).ok).toBe(true);
  return w;
}

/** `sg_start --stop|--start`: START STOP UNIT through SG_IO. */
function sgStart(w: SimWorld, dev: string, start: boolean): Promise<number> {
  const cdb = Uint8Array.of(0x1b, 0, 0, 0, start ? 1 : 0, 0);
  return new Promise((resolve) =>
    w.host.sgIo(dev, { cdb, direction: "none", timeoutMs: 60_000 }, (r) =>
      resolve("errno" in r ? 1 : r.status === 0 ? 0 : 2),
    ),
  );
}

async function run(w: SimWorld, cmd: string): Promise<string> {
  const argv = cmd.split(" ");
  let merged = "";
  const io = { stdout: (t: string) => (merged += t), stderr: (t: string) => (merged += t) };
  let p: Promise<number>;
  if (argv[0] === "sg_turs")
    p = sgTursMain(
      argv,
      {
        host: w.host,
        now: () => w.clock.now(),
        sleep: (ns) => new Promise((r) => w.clock.schedule(ns, r, undefined)),
      },
      io,
    );
  else if (argv[0] === "sg_start") p = sgStart(w, argv[2]!, argv[1] === "--start");
  else if (argv[0] === "blockdev") p = Promise.resolve(blockdevMain(argv, w.host, io));
  else throw new Error(cmd);
  const r = await settle(w.clock, p, 120e9);
  if (!r.settled) throw new Error(`${cmd} hung`);
  return `${merged}[rc=${r.value}]\n`;
}

describe("sg_turs and blockdev against the lab (sg3_utils 1.46, busybox 1.35)", () => {
  it("answers every command of the lab's session like the real tools", async () => {
    const w = machine();
    const steps = blocks(noSd);
    expect(steps.length).toBeGreaterThan(25);
    for (const { cmd, out } of steps) {
      // The model has block devices and sysfs, not the lab's /tmp files.
      if (cmd.includes("/tmp/")) continue;
      const got = await run(w, cmd);
      if (cmd === "sg_turs -t /dev/sg0") {
        // Wall-clock timing in the lab; the model reports virtual time in the same format.
        expect(got).toMatch(
          /^time to perform commands was \d+\.\d{6} secs; \d+ operations\/sec\n\[rc=0\]\n$/,
        );
        continue;
      }
      expect({ cmd, out: got }).toEqual({ cmd, out });
    }
  });

  it("sg_turs maps SG_IO's ENXIO on an offline device to not ready", async () => {
    const w = machine();
    await run(w, "sg_turs /dev/sg0");
    expect(w.host.sysfs.write("/sys/class/scsi_device/0:0:0:0/device/state", "offline\n")).toBe(0);
    expect(await run(w, "sg_turs /dev/sg0")).toBe(
      "device not ready\nCompleted 1 Test Unit Ready commands with 1 errors\n[rc=2]\n",
    );
    expect(await run(w, "sg_turs -v /dev/sg0")).toBe(
      "    test unit ready cdb: [00 00 00 00 00 00]\ntest unit ready: pass-through os error: No such device or address\ndevice not ready\nCompleted 1 Test Unit Ready commands with 1 errors\n[rc=2]\n",
    );
  });

  it("blockdev --setra changes the read-ahead sysfs shows", async () => {
    const w = machine();
    expect(await run(w, "blockdev --setra 1024 /dev/loop0")).toBe("[rc=0]\n");
    expect(await run(w, "blockdev --getra /dev/loop0")).toBe("1024\n[rc=0]\n");
    expect(w.host.sysfs.read("/sys/block/loop0/queue/read_ahead_kb")).toBe("512\n");
    expect(await run(w, "blockdev --setra x /dev/loop0")).toBe("blockdev: invalid number 'x'\n[rc=1]\n");
    expect(await run(w, "blockdev --getsz /dev/nope")).toBe(
      "blockdev: can't open '/dev/nope': No such file or directory\n[rc=1]\n",
    );
  });
});
