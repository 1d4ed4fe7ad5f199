import { createAnaPrioritizer, nvmeAnaSupported, type PrioPath } from "@mp/checkers";
import { BlkStatus, createRng, mkdev } from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import type { NvmetPort } from "../src/hardware/nvme-target.js";
import { AnaState } from "../src/nvme/ana.js";
import { NvmeAdminOpcode, type NvmeAdminResult, NvmeCns } from "../src/nvme/nvme-admin.js";
import { createSimWorld, type SimWorld } from "../src/world.js";
import { blockIo } from "./fc-world.js";

/**
 * dm-multipath over NVMe with native multipath off (`nvme_core multipath=N`), the way
 * multipath-tools 0.9.4 sees it: what its discovery reads (udev `ID_WWN` — the hwtable's
 * `NVME` entry's uid_attribute — the controller's sysfs, the `ana` prioritizer's answer, the
 * admin passthrough it really uses), and the map it builds (the kernel lab's table, bio-based)
 * failing over between the two controllers.
 */
function nvmeWorld(fastIoFailNs = -1): SimWorld & { ports: NvmetPort[] } {
  const w = createSimWorld({ seed: 3 });
  expect(w.modprobe("nvme_core", "multipath=N").ok).toBe(true);
  for (const m of ["nvme_fabrics", "nvme_tcp", "dm-multipath", "dm-service-time"])
    expect(w.modprobe(m).ok).toBe(true);
  w.host.startUdev();
  w.clock.advance(1e9);
  const s = w.fabric.addNvmeSubsystem({ name: "array0", serial: "SN0123456789", model: "MP Sim Array" });
  s.addNamespace({ nsid: 1, bytes: 16 << 20, uuid: "11111111-2222-3333-4444-555555555555" });
  const ports = [
    s.addPort({ name: "a", traddr: "192.168.10.1" }),
    s.addPort({ name: "b", traddr: "192.168.20.1", anaState: AnaState.NON_OPTIMIZED }),
  ];
  for (const port of ports) {
    const c = w.nvme.connect({
      port,
      latencyNs: 20_000,
      fastIoFailTmoNs: fastIoFailNs,
      reconnectDelayNs: 2e9,
    });
    if ("errno" in c) throw new Error(c.message);
  }
  w.clock.advance(2e9);
  return { ...w, ports };
}

/** The `ana` prioritizer of @mp/checkers on a path. */
function anaPrio(w: SimWorld, dev: string): Promise<number> {
  const pp: PrioPath = {
    dev,
    bus: "nvme",
    sgId: { hostNo: 0, channel: 0, scsiId: 0, lun: 1, protoId: 0, transportId: 0 },
    serial: "SN0123456789",
    tgtNodeName: "",
    fdValid: true,
  };
  return new Promise((resolve) =>
    createAnaPrioritizer().getprio(
      pp,
      "",
      30_000,
      { host: w.host, log: () => {}, rng: createRng(1) },
      resolve,
    ),
  );
}

function admin(w: SimWorld, dev: string, opcode: number, cdw10: number, nsid = 0): Promise<NvmeAdminResult> {
  return new Promise((resolve, reject) => {
    w.host.nvmeAdmin(dev, { opcode, cdw10, nsid, dataLength: 4096 }, (r) =>
      "errno" in r ? reject(new Error(`errno ${r.errno}`)) : resolve(r),
    );
    w.clock.advance(1e6);
  });
}

describe("dm-multipath over NVMe paths (native multipath off)", () => {
  it("discovery: one WWID (udev ID_WWN) over two controllers, the controller's sysfs, ANA through the admin passthrough", async () => {
    const w = nvmeWorld();
    const props = (d: string) => w.host.udev.lookup(`/dev/${d}`)!.properties;
    expect(props("nvme0n1").get("ID_WWN")).toBe("uuid.11111111-2222-3333-4444-555555555555");
    expect(props("nvme1n1").get("ID_WWN")).toBe(props("nvme0n1").get("ID_WWN"));
    for (const [d, c] of [
      ["nvme0n1", "nvme0"],
      ["nvme1n1", "nvme1"],
    ] as const) {
      expect(w.host.sysfs.realpath(`/sys/block/${d}/device`)).toBe(
        `/sys/devices/virtual/nvme-fabrics/ctl/${c}`,
      );
      expect(w.host.sysfs.read(`/sys/block/${d}/device/transport`)).toBe("tcp\n");
      expect(w.host.sysfs.read(`/sys/block/${d}/device/state`)).toBe("live\n");
      expect(w.host.nvmeNsid(`/dev/${d}`)).toBe(1);
    }
    // What multipath-tools' ana prioritizer asks: Identify Controller (CMIC bit 3: ANA), then the
    // ANA log page, whose descriptor for the namespace's group gives the state.
    const id = await admin(w, "/dev/nvme0n1", NvmeAdminOpcode.IDENTIFY, NvmeCns.CONTROLLER);
    expect(id.status).toBe(0);
    expect(id.data[76]! & 0x08).toBe(0x08);
    expect(new TextDecoder().decode(id.data.subarray(24, 36))).toBe("MP Sim Array");
    const states = [];
    for (const d of ["nvme0n1", "nvme1n1"]) {
      const log = await admin(w, `/dev/${d}`, NvmeAdminOpcode.GET_LOG_PAGE, 0x0c | (0x3ff << 16));
      expect(log.data[8]).toBe(1); // one group
      expect(log.data[16]).toBe(1); // ANAGRPID 1
      expect(log.data[20]).toBe(1); // one NSID in it …
      expect(log.data[48]).toBe(1); // … NSID 1
      states.push(log.data[16 + 16]);
    }
    expect(states).toEqual([AnaState.OPTIMIZED, AnaState.NON_OPTIMIZED]);
    // The model's ana prioritizer reads the same states (sysfs ana_state, the documented deviation).
    expect(nvmeAnaSupported(w.host, "nvme0n1")).toBe(true);
    expect([await anaPrio(w, "nvme0n1"), await anaPrio(w, "nvme1n1")]).toEqual([50, 10]);
    w.ports[0]!.setAnaState(1, AnaState.INACCESSIBLE);
    expect([await anaPrio(w, "nvme0n1"), await anaPrio(w, "nvme1n1")]).toEqual([1, 10]);
  });

  it("the map multipath-tools builds (group_by_prio, queue_mode bio) sends I/O to the optimized path and fails over when its group goes inaccessible", async () => {
    const w = nvmeWorld();
    const dm = w.kernel.dm;
    // The lab's `multipath` addmap for two NVMe/TCP paths with prio 50 and 10.
    expect(dm.create("mpatha", { uuid: "mpath-uuid.11111111-2222-3333-4444-555555555555" }).ok).toBe(true);
    const load = dm.load("mpatha", [
      {
        start: 0,
        length: 32768,
        type: "multipath",
        params: "2 queue_mode bio 0 2 1 service-time 0 1 1 259:0 1 service-time 0 1 1 259:1 1",
      },
    ]);
    expect(load.ok).toBe(true);
    expect(dm.resume("mpatha").ok).toBe(true);
    const table = dm.status("mpatha", { kind: "table" });
    expect(table.ok && table.value.lines[0]!.params).toBe(
      "3 retain_attached_hw_handler queue_mode bio 0 2 1 service-time 0 1 2 259:0 1 1 service-time 0 1 2 259:1 1 1 ",
    );
    const c0 = w.nvme.controller("nvme0")!.namespaces[0]!.ioStats;
    const c1 = w.nvme.controller("nvme1")!.namespaces[0]!.ioStats;
    // (udev's blkid probe has read both disks already.)
    const before = [c0.readIos + c0.writeIos, c1.readIos + c1.writeIos];
    const data = new Uint8Array(4096).fill(7);
    expect((await blockIo(w, "/dev/dm-0", "write", 8, data)).status).toBe(BlkStatus.OK);
    expect([c0.readIos + c0.writeIos - before[0]!, c1.readIos + c1.writeIos - before[1]!]).toEqual([1, 0]);
    // Group 1 inaccessible through port a: nvme0n1's I/O fails (after nvme_max_retries) with
    // BLK_STS_IOERR, dm fails 259:0 and the I/O completes through nvme1n1.
    w.ports[0]!.setAnaState(1, AnaState.INACCESSIBLE);
    const cursor = w.kernel.log.cursor();
    const back = new Uint8Array(4096);
    expect((await blockIo(w, "/dev/dm-0", "read", 8, back)).status).toBe(BlkStatus.OK);
    expect(back).toEqual(data);
    const log = w.kernel.log.since(cursor).map((l) => l.text);
    expect(log).toContain("nvme0n1: I/O Cmd(0x2) @ LBA 8, 8 blocks, I/O Error (sct 0x3 / sc 0x2) MORE ");
    expect(log).toContain("device-mapper: multipath: 254:0: Failing path 259:0.");
    expect(c1.readIos + c1.writeIos - before[1]!).toBe(1);
    expect(c0.errors).toBe(1);
    expect(mkdev(259, 0)).toBe(w.nvme.controller("nvme0")!.namespaces[0]!.devt);
  });

  it("a controller lost with fast_io_fail_tmo: the waiting I/O fails after it (transport error) and dm fails over", async () => {
    const w = nvmeWorld(1e9);
    const dm = w.kernel.dm;
    expect(dm.create("mpatha").ok).toBe(true);
    expect(
      dm.load("mpatha", [
        {
          start: 0,
          length: 32768,
          type: "multipath",
          params: "2 queue_mode bio 0 2 1 service-time 0 1 1 259:0 1 service-time 0 1 1 259:1 1",
        },
      ]).ok,
    ).toBe(true);
    expect(dm.resume("mpatha").ok).toBe(true);
    const cursor = w.kernel.log.cursor();
    w.ports[0]!.setEnabled(false);
    const r = await blockIo(w, "/dev/dm-0", "read", 0, new Uint8Array(4096), 60e9);
    expect(r.status).toBe(BlkStatus.OK);
    // Queued while nvme0 reconnects, failed once fast_io_fail_tmo (1 s) expires, then nvme1n1.
    expect(r.elapsedNs).toBeGreaterThanOrEqual(1e9);
    expect(r.elapsedNs).toBeLessThan(1.1e9);
    const log = w.kernel.log.since(cursor).map((l) => l.text);
    expect(log.slice(0, 3)).toEqual([
      "nvme nvme0: starting error recovery",
      "nvme nvme0: Reconnecting in 2 seconds...",
      "nvme nvme0: failfast expired",
    ]);
    expect(log).toContain("device-mapper: multipath: 254:0: Failing path 259:0.");
  });
});
