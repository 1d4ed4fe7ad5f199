import { describe, expect, it } from "vitest";
import { ReqFlag } from "../block/bio.js";
import { mkdev } from "../block/devt.js";
import { BlkStatus, blkPathError, blkStatusName } from "../block/status.js";
import { NSEC_PER_MSEC, NSEC_PER_SEC } from "../clock/clock.js";
import type { FakeBlockDevice } from "./testing/fake-block-device.js";
import { FakeKernel, type FakeMap } from "./testing/fake-dm.js";

function setup(params: string): { k: FakeKernel; m: FakeMap; p: FakeBlockDevice[] } {
  const k = new FakeKernel();
  const p = [k.addLoop(0), k.addLoop(1)];
  const r = k.create("mm", `0 16384 multipath ${params}`);
  if (!r.ok) throw new Error(r.error);
  return { k, m: r.map, p };
}

const ALL_STATUSES = Object.values(BlkStatus).filter((s) => s !== BlkStatus.OK) as BlkStatus[];
const RQ = "0 0 1 1 round-robin 0 2 1 7:0 1 7:1 1";
const BIO = "2 queue_mode bio 0 1 1 round-robin 0 2 1 7:0 1 7:1 1";

const RQ_Q = "1 queue_if_no_path 0 1 1 round-robin 0 2 1 7:0 1 7:1 1";
const BIO_Q = "3 queue_mode bio queue_if_no_path 0 1 1 round-robin 0 2 1 7:0 1 7:1 1";

describe.each([
  ["request-based", RQ, RQ_Q],
  ["bio-based", BIO, BIO_Q],
])("%s end of I/O", (_mode, table, queueing) => {
  it.each(ALL_STATUSES.map((s) => [blkStatusName(s), s]))(
    "%s: a path error fails the path and retries elsewhere; any other error is returned",
    (_name, status) => {
      const { k, m, p } = setup(table);
      p[0]!.script.push(status);
      const h = m.read(0);
      k.settle();
      expect(h.completions).toBe(1);
      if (blkPathError(status)) {
        expect(h.status).toBe(BlkStatus.OK);
        expect(m.status()).toContain("7:0 F 1 7:1 A 0");
        expect(p[1]!.submitted).toBe(1);
      } else {
        expect(h.status).toBe(status);
        expect(m.status()).toContain("7:0 A 0 7:1 A 0");
        expect(p[1]!.submitted).toBe(0);
      }
    },
  );

  it("marks clones FAILFAST_TRANSPORT", () => {
    const { k, m, p } = setup(table);
    m.read(0);
    k.settle();
    expect(p[0]!.flagsSeen[0]! & ReqFlag.FAILFAST_TRANSPORT).toBeTruthy();
  });

  it("fails queued I/O when the last path fails without queue_if_no_path", () => {
    const { k, m, p } = setup(table);
    p[0]!.script.push(BlkStatus.TRANSPORT);
    p[1]!.script.push(BlkStatus.TIMEOUT);
    const h = m.read(0);
    k.settle();
    expect(h.completions).toBe(1);
    // rq completes with the original error of the last path; bio with BLK_STS_IOERR.
    expect(h.status).toBe(m.queueType === "request" ? BlkStatus.TIMEOUT : BlkStatus.IOERR);
    expect(m.status()).toContain("7:0 F 1 7:1 F 1");
  });

  it("holds I/O with queue_if_no_path until a path is reinstated, then completes it once", () => {
    const { k, m } = setup(queueing);
    m.message("fail_path 7:0");
    m.message("fail_path 7:1");
    const h = m.read(0);
    k.clock.advance(10 * NSEC_PER_SEC);
    expect(h.done).toBe(false);
    expect(m.message("reinstate_path 7:1")).toBe(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(h.completions).toBe(1);
    expect(h.status).toBe(BlkStatus.OK);
  });

  it("fails held I/O on fail_if_no_path", () => {
    const { k, m } = setup(queueing);
    m.message("fail_path 7:0");
    m.message("fail_path 7:1");
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    m.message("fail_if_no_path");
    k.clock.advance(NSEC_PER_SEC);
    expect(h.completions).toBe(1);
    expect(h.status).toBe(BlkStatus.IOERR);
  });
});

describe("request-based requeue delays", () => {
  it("requeues after BLK_STS_RESOURCE with the 100 ms delay, at once for other path errors", () => {
    const { k, m, p } = setup(RQ);
    p[0]!.latencyNs = 0;
    p[1]!.latencyNs = 0;
    p[0]!.script.push(BlkStatus.RESOURCE);
    const h = m.read(0);
    k.clock.advance(50 * NSEC_PER_MSEC);
    expect(h.done).toBe(false);
    k.clock.advance(60 * NSEC_PER_MSEC);
    expect(h.status).toBe(BlkStatus.OK);

    const { k: k2, m: m2, p: p2 } = setup(RQ);
    p2[0]!.latencyNs = 0;
    p2[1]!.latencyNs = 0;
    p2[0]!.script.push(BlkStatus.TRANSPORT);
    const h2 = m2.read(0);
    k2.clock.advance(NSEC_PER_MSEC);
    expect(h2.status).toBe(BlkStatus.OK);
  });

  it("fails a path whose queue is dying when mapping to it", () => {
    const { k, m, p } = setup(RQ);
    p[0]!.isDying = true;
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(h.status).toBe(BlkStatus.OK);
    expect(m.status()).toContain("7:0 F 1 7:1 A 0");
    expect(p[0]!.submitted).toBe(0);
  });
});

describe("bio-based queueing", () => {
  it("requeues a failed bio internally and remaps it to the next path (linear-error-paths)", () => {
    const { k, m, p } = setup(BIO);
    p[0]!.defaultStatus = BlkStatus.IOERR;
    const hs = [0, 8, 16, 24].map((s) => m.read(s));
    k.settle();
    expect(hs.map((h) => h.status)).toEqual([0, 0, 0, 0]);
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 1 1 A 0 2 0 7:0 F 1 7:1 A 0 ");
    expect(k.dmesg()).toEqual(["device-mapper: multipath: 254:0: Failing path 7:0."]);
  });
});

describe("suspend and resume", () => {
  const QRR = "1 queue_if_no_path 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1";

  it("a flushing suspend errors queued I/O, drops queue_if_no_path until resume", () => {
    const { k, m } = setup(QRR);
    m.message("fail_path 7:0");
    m.message("fail_path 7:1");
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(h.done).toBe(false);
    m.suspend();
    k.settle();
    expect(h.status).toBe(BlkStatus.IOERR);
    expect(m.status("table")).toBe(
      "0 16384 multipath 0 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1 ",
    );
    m.resume();
    expect(m.status("table")).toBe(
      "0 16384 multipath 1 queue_if_no_path 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1 ",
    );
    expect(k.dmesg()).toContain(
      "I/O error, dev dm-0, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
    );
  });

  it("a noflush suspend keeps queued I/O and queue_if_no_path; it completes after resume and reinstate", () => {
    const { k, m } = setup(QRR);
    m.message("fail_path 7:0");
    m.message("fail_path 7:1");
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    m.suspend({ noflush: true });
    expect(m.status("table")).toContain("1 queue_if_no_path");
    m.resume();
    k.clock.advance(NSEC_PER_SEC);
    expect(h.done).toBe(false);
    m.message("reinstate_path 7:1");
    k.clock.advance(NSEC_PER_SEC);
    expect(h.completions).toBe(1);
    expect(h.status).toBe(BlkStatus.OK);
    expect(m.status()).toBe("0 16384 multipath 2 0 0 0 2 2 E 0 1 0 7:0 F 1 A 0 1 0 7:1 A 1 ");
  });

  it("fail_if_no_path during a suspend wins over the saved queue_if_no_path", () => {
    const { m } = setup(QRR);
    m.suspend();
    // messages are refused while suspended; the saved state is restored by resume
    m.resume();
    m.suspend({ noflush: true });
    m.resume();
    expect(m.status("table")).toContain("1 queue_if_no_path");
  });

  it("bio mode drops queue_if_no_path even for a noflush suspend and pushes I/O back to dm core", () => {
    const { k, m } = setup(
      "3 queue_mode bio queue_if_no_path 0 2 1 round-robin 0 1 1 7:0 1 round-robin 0 1 1 7:1 1",
    );
    m.message("fail_path 7:0");
    m.message("fail_path 7:1");
    const h = m.read(0);
    k.clock.advance(NSEC_PER_SEC);
    expect(h.done).toBe(false);
    m.suspend({ noflush: true });
    k.settle();
    expect(h.done).toBe(false);
    expect(m.status("table")).toContain("3 retain_attached_hw_handler queue_mode bio");
    m.resume();
    m.message("reinstate_path 7:0");
    k.clock.advance(NSEC_PER_SEC);
    expect(h.completions).toBe(1);
    expect(h.status).toBe(BlkStatus.OK);
  });
});

describe("queue_if_no_path_timeout_secs", () => {
  it("fails queued I/O after the module parameter's timeout and logs it", () => {
    const k = new FakeKernel({ params: { queueIfNoPathTimeoutSecs: 5 } });
    k.addLoop(0);
    const r = k.create("mm", "0 16384 multipath 1 queue_if_no_path 0 1 1 round-robin 0 1 1 7:0 1");
    if (!r.ok) throw new Error(r.error);
    const m = r.map;
    m.message("fail_path 7:0");
    k.dmesg();
    const h = m.read(0);
    k.clock.advance(4 * NSEC_PER_SEC);
    expect(h.done).toBe(false);
    k.clock.advance(2 * NSEC_PER_SEC);
    expect(h.status).toBe(BlkStatus.IOERR);
    expect(k.dmesg()).toEqual([
      "device-mapper: multipath: queue_if_no_path timeout on 254:0, failing queued IO",
      "I/O error, dev dm-0, sector 0 op 0x0:(READ) flags 0x800 phys_seg 1 prio class 2",
    ]);
    expect(m.status("table")).toBe("0 16384 multipath 0 0 1 1 round-robin 0 1 1 7:0 1 ");
  });

  it("is cancelled by a reinstate and never armed when the parameter is 0", () => {
    const k = new FakeKernel({ params: { queueIfNoPathTimeoutSecs: 5 } });
    k.addLoop(0);
    const r = k.create("mm", "0 16384 multipath 1 queue_if_no_path 0 1 1 round-robin 0 1 1 7:0 1");
    if (!r.ok) throw new Error(r.error);
    r.map.message("fail_path 7:0");
    r.map.message("reinstate_path 7:0");
    k.clock.advance(10 * NSEC_PER_SEC);
    expect(r.map.status("table")).toContain("1 queue_if_no_path");

    const k0 = new FakeKernel();
    k0.addLoop(0);
    const r0 = k0.create("mm", "0 16384 multipath 1 queue_if_no_path 0 1 1 round-robin 0 1 1 7:0 1");
    if (!r0.ok) throw new Error(r0.error);
    r0.map.message("fail_path 7:0");
    expect(k0.clock.pending()).toBeLessThanOrEqual(1); // only the event work
    k0.clock.advance(3600 * NSEC_PER_SEC);
    expect(r0.map.status("table")).toContain("1 queue_if_no_path");
  });

  it("arms at construction when the table has no path at all", () => {
    const k = new FakeKernel({ params: { queueIfNoPathTimeoutSecs: 2 } });
    const r = k.create("mm", "0 16384 multipath 1 queue_if_no_path 0 0 0");
    if (!r.ok) throw new Error(r.error);
    k.clock.advance(3 * NSEC_PER_SEC);
    expect(k.dmesg()).toContain(
      "device-mapper: multipath: queue_if_no_path timeout on 254:0, failing queued IO",
    );
  });
});

describe("devices", () => {
  it("iterates every path of every group with the target's area", () => {
    const { m } = setup("0 0 2 1 round-robin 0 2 1 7:0 1 7:1 1 round-robin 0 1 1 7:0 1");
    const seen: string[] = [];
    m.target.iterateDevices((dev, start, len) => seen.push(`${dev.name}@${start}+${len}`));
    expect(seen).toEqual(["7:0@0+16384", "7:1@0+16384", "7:0@0+16384"]);
    expect(m.heldDevices().sort()).toEqual([mkdev(7, 0), mkdev(7, 1)]);
  });
});
