import { describe, expect, it } from "vitest";
import { mkdev } from "../block/devt.js";
import { BlkStatus, Errno } from "../block/status.js";
import { NSEC_PER_MSEC, NSEC_PER_SEC } from "../clock/clock.js";
import { ScsiDhResult } from "../handlers/handler.js";
import { FakeKernel, type FakeMap } from "./testing/fake-dm.js";
import { type FakeDhInstance, FakeScsiDevice, fakeHandlerType } from "./testing/fake-scsi.js";

/** Two SCSI paths sda (8:0) and sdb (8:16); `attached` handlers are attached at "scan". */
function setup(
  params: string,
  opts: { attached?: string | null; handlerNames?: string[]; configure?: (d: FakeDhInstance) => void } = {},
): { k: FakeKernel; m: FakeMap; dh: FakeDhInstance[]; sdevs: FakeScsiDevice[] } {
  const dh: FakeDhInstance[] = [];
  const names = opts.handlerNames ?? ["alua", "emc"];
  const k = new FakeKernel({
    handlers: names.map((n) =>
      fakeHandlerType(n, {
        onAttach: (i) => {
          opts.configure?.(i);
          dh.push(i);
        },
      }),
    ),
  });
  const sdevs = [new FakeScsiDevice(k.clock, 0), new FakeScsiDevice(k.clock, 1)];
  k.addDisk({ devt: mkdev(8, 0), name: "sda", sizeSectors: 16384, scsi: sdevs[0]! });
  k.addDisk({ devt: mkdev(8, 16), name: "sdb", sizeSectors: 16384, scsi: sdevs[1]! });
  const attached = opts.attached ?? null;
  if (attached) {
    k.modules.load(`scsi_dh_${attached}`);
    const type = k.handlers.get(attached)!;
    for (const s of sdevs) s.handler = type.attach(s, { clock: k.clock, log: k.log }) as FakeDhInstance;
  }
  const r = k.create("mp", `0 16384 multipath ${params}`);
  if (!r.ok) throw new Error(`${r.error} (${r.errno})`);
  return { k, m: r.map, dh, sdevs };
}

const ALUA2 = "0 1 alua 2 1 round-robin 0 1 1 8:0 1 round-robin 0 1 1 8:16 1";
const ALUA1G = "0 1 alua 1 1 round-robin 0 2 1 8:0 1 8:16 1";

describe("hardware handler at construction", () => {
  it("attaches the table's handler to each path and shows it as `1 <name>` in TABLE only", () => {
    const { k, m, sdevs } = setup(ALUA2);
    expect(sdevs.map((s) => s.handler?.name)).toEqual(["alua", "alua"]);
    expect(k.modules.isLoaded("scsi_dh_alua")).toBe(true);
    expect(m.status("table")).toBe(
      "0 16384 multipath 0 1 alua 2 1 round-robin 0 1 1 8:0 1 round-robin 0 1 1 8:16 1 ",
    );
    expect(m.status()).toBe("0 16384 multipath 2 1 0 0 2 1 E 0 1 0 8:0 A 0 E 0 1 0 8:16 A 0 ");
  });

  it("passes handler params to set_params and fails the table when the handler refuses", () => {
    const { dh } = setup("0 3 alua 1 0 1 1 round-robin 0 1 1 8:0 1");
    expect(dh[0]!.params).toEqual([["1", "0"]]);
    const r = (() => {
      try {
        setup("0 2 alua 9 1 1 round-robin 0 1 1 8:0 1", {
          configure: (d) => (d.setParamsResult = -Errno.EINVAL),
        });
        return "ok";
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(r).toBe("unable to set hardware handler parameters (22)");
  });

  it("keeps a different attached handler (-EBUSY → retain) and adopts its name", () => {
    const { k, m } = setup("0 2 emc 1 1 1 round-robin 0 1 1 8:0 1", { attached: "alua" });
    expect(k.log.since(0).map((l) => l.text)).toContain(
      "device-mapper: multipath: retaining handler on device sda",
    );
    expect(m.status("table")).toBe("0 16384 multipath 0 1 alua 1 1 round-robin 0 1 1 8:0 1 ");
  });

  it("with retain_attached_hw_handler, uses the attached handler even when the table names none", () => {
    const { m } = setup("1 retain_attached_hw_handler 0 1 1 round-robin 0 1 1 8:0 1", { attached: "alua" });
    expect(m.status("table")).toBe(
      "0 16384 multipath 1 retain_attached_hw_handler 1 alua 1 1 round-robin 0 1 1 8:0 1 ",
    );
  });

  it("fails with -EINVAL for an unknown handler on a SCSI device, -ENODEV on a non-SCSI one", () => {
    const k = new FakeKernel();
    k.addDisk({ devt: mkdev(8, 0), name: "sda", sizeSectors: 16384, scsi: new FakeScsiDevice(k.clock, 0) });
    k.addLoop(0);
    const a = k.create("a", "0 16384 multipath 0 1 nosuch 1 1 round-robin 0 1 1 8:0 1");
    expect(a.ok ? null : [a.error, a.errno]).toEqual(["error attaching hardware handler", Errno.EINVAL]);
    const b = k.create("b", "0 16384 multipath 0 1 nosuch 1 1 round-robin 0 1 1 7:0 1");
    expect(b.ok ? null : [b.error, b.errno]).toEqual(["error attaching hardware handler", Errno.ENODEV]);
  });
});

describe("pg_init", () => {
  it("holds I/O until every active path of the new group is activated, then clears queue_io", () => {
    const { k, m, dh } = setup(ALUA1G);
    const h = m.read(0);
    k.clock.advance(NSEC_PER_MSEC / 2);
    expect(m.status()).toBe("0 16384 multipath 2 1 1 0 1 1 A 0 2 0 8:0 A 0 8:16 A 0 ");
    expect(dh.map((d) => d.activations)).toEqual([1, 1]);
    expect(h.done).toBe(false);
    expect(m.target.busy?.()).toBe(true);
    k.clock.advance(200 * NSEC_PER_MSEC);
    expect(h.status).toBe(BlkStatus.OK);
    expect(m.status()).toBe("0 16384 multipath 2 0 1 0 1 1 A 0 2 0 8:0 A 0 8:16 A 0 ");
  });

  it("retries RETRY results up to pg_init_retries with the pg_init delay, then fails the path", () => {
    const { k, m, dh } = setup("2 pg_init_retries 2 1 alua 1 1 round-robin 0 2 1 8:0 1 8:16 1", {
      configure: (d) => (d.defaultResult = ScsiDhResult.RETRY),
    });
    k.dmesg();
    const h = m.read(0);
    // round 1 at once, then rounds 2 and 3 after the default 2000 ms retry delay each
    k.clock.advance(10 * NSEC_PER_MSEC);
    expect(dh.map((d) => d.activations)).toEqual([1, 1]);
    k.clock.advance(2000 * NSEC_PER_MSEC);
    expect(dh.map((d) => d.activations)).toEqual([2, 2]);
    k.clock.advance(2000 * NSEC_PER_MSEC);
    expect(dh.map((d) => d.activations)).toEqual([3, 3]);
    k.clock.advance(10 * NSEC_PER_SEC);
    expect(dh.map((d) => d.activations)).toEqual([3, 3]);
    expect(h.done).toBe(true);
    expect(h.status).toBe(BlkStatus.IOERR);
    expect(k.dmesg()).toEqual([
      "device-mapper: multipath: 254:0: Failing path 8:0.",
      "device-mapper: multipath: 254:0: Failing path 8:16.",
      "I/O error, dev dm-0, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
    ]);
  });

  it("honours pg_init_delay_msecs for the retry delay", () => {
    const { k, m, dh } = setup(
      "4 pg_init_retries 1 pg_init_delay_msecs 500 1 alua 1 1 round-robin 0 1 1 8:0 1",
      {
        configure: (d) => d.results.push(ScsiDhResult.RETRY),
      },
    );
    m.read(0);
    k.clock.advance(10 * NSEC_PER_MSEC);
    expect(dh[0]!.activations).toBe(1);
    k.clock.advance(480 * NSEC_PER_MSEC);
    expect(dh[0]!.activations).toBe(1);
    k.clock.advance(20 * NSEC_PER_MSEC);
    expect(dh[0]!.activations).toBe(2);
  });

  it("bypasses a group answering DEV_TEMP_BUSY and uses the next one", () => {
    let n = 0;
    const { k, m, dh } = setup(ALUA2, {
      configure: (d) => n++ === 0 && d.results.push(ScsiDhResult.DEV_TEMP_BUSY),
    });
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(h.status).toBe(BlkStatus.OK);
    expect(m.status()).toBe("0 16384 multipath 2 0 1 0 2 2 D 0 1 0 8:0 A 0 A 0 1 0 8:16 A 0 ");
    expect(dh.map((d) => d.activations)).toEqual([1, 1]);
  });

  it("fails the path and logs when the handler has no activate support (NOSYS)", () => {
    let n = 0;
    const { k, m } = setup(ALUA2, { configure: (d) => n++ === 0 && d.results.push(ScsiDhResult.NOSYS) });
    k.dmesg();
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(h.status).toBe(BlkStatus.OK);
    expect(k.dmesg()).toEqual([
      "device-mapper: multipath: Could not failover the device: Handler scsi_dh_alua Error 16.",
      "device-mapper: multipath: 254:0: Failing path 8:0.",
    ]);
  });

  it("fails an offline device's path through DEV_OFFLINED without calling the handler", () => {
    const { k, m, dh, sdevs } = setup(ALUA2);
    sdevs[0]!.state = "offline";
    k.dmesg();
    m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(dh[0]!.activations).toBe(0);
    expect(m.status()).toContain("8:0 F 1");
  });

  it("activates a reinstated path of the current group", () => {
    const { k, m, dh } = setup(ALUA1G);
    m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    m.message("fail_path 8:16");
    m.message("reinstate_path 8:16");
    k.clock.advance(NSEC_PER_SEC);
    expect(dh.map((d) => d.activations)).toEqual([1, 2]);
  });

  it("treats NOSYS as success when no handler is named (a bio map over SCSI paths without handlers)", () => {
    const k = new FakeKernel();
    k.addDisk({ devt: mkdev(8, 0), name: "sda", sizeSectors: 16384, scsi: new FakeScsiDevice(k.clock, 0) });
    const r = k.create("mp", "0 16384 multipath 0 0 1 1 round-robin 0 1 1 8:0 1");
    if (!r.ok) throw new Error(r.error);
    const h = r.map.read(0);
    k.settle();
    expect(h.status).toBe(BlkStatus.OK);
    expect(r.map.status()).toBe("0 16384 multipath 2 0 0 0 1 1 A 0 1 0 8:0 A 0 ");
  });

  it("a suspend during pg_init disables new rounds until the running one finishes", () => {
    const { k, m, dh } = setup("2 pg_init_retries 5 1 alua 1 1 round-robin 0 1 1 8:0 1", {
      configure: (d) => {
        d.results.push(ScsiDhResult.RETRY);
        d.delayNs = 50 * NSEC_PER_MSEC;
      },
    });
    m.read(0);
    k.clock.advance(NSEC_PER_MSEC);
    m.suspend({ noflush: true });
    k.clock.advance(10 * NSEC_PER_SEC);
    // the RETRY arrived while pg_init was disabled: the limit counts as reached, the path fails
    expect(dh[0]!.activations).toBe(1);
    expect(m.status()).toContain("8:0 F 1");
  });
});
