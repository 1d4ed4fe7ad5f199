import {
  buildVpdPage,
  HostStatus,
  makeSense,
  mkdev,
  NSEC_PER_SEC,
  type ScsiCommand,
  SenseKey,
} from "@mp/dm-core";
import { describe, expect, it } from "vitest";
import {
  CHECKER_WAIT,
  type Checker,
  type CheckerClass,
  checkerLookup,
  createChecker,
  type MpContext,
} from "../checker.js";
import { createDefaultCheckers } from "../defaults.js";
import { ENOTTY } from "../errno.js";
import { PathState } from "../path-state.js";
import { collectLog, FakeHost, type FakeSgReply } from "../testing/fake-host.js";
import { createCcissTurChecker } from "./cciss-tur.js";
import { createEmcClariionChecker } from "./emc-clariion.js";
import { createHpSwChecker } from "./hp-sw.js";
import { createNoneChecker } from "./none.js";
import { createRdacChecker, RdacMsgId } from "./rdac.js";
import { createReadsector0Checker } from "./readsector0.js";

function run(
  cls: CheckerClass,
  responder: (cmd: ScsiCommand) => FakeSgReply,
  opts: { dev?: string; mp?: MpContext } = {},
) {
  const host = new FakeHost();
  const { log, lines } = collectLog();
  const dev = opts.dev ?? "sda";
  host.addScsi(dev, responder);
  const c = createChecker(cls, { dev, devt: mkdev(8, 0) }, { host, log }, { mpContext: opts.mp ?? null })!;
  const check = (): PathState | null => {
    const box: { s: PathState | null } = { s: null };
    const r = c.check(
      PathState.UP,
      (b: typeof box, s) => {
        b.s = s;
      },
      box,
    );
    if (r !== CHECKER_WAIT) return r;
    host.clock.advance(NSEC_PER_SEC);
    return box.s;
  };
  return { host, c, check, lines };
}

const isOp = (cmd: ScsiCommand, op: number, page?: number) =>
  cmd.cdb[0] === op && (page === undefined || cmd.cdb[2] === page);

describe("checker_check (generic)", () => {
  it("answers UNCHECKED when disabled, the given state for 'none', WILD without an fd", () => {
    const { c: tur } = run(createDefaultCheckers().get("tur")!, () => ({}));
    tur.disabled = true;
    expect(tur.check(PathState.GHOST, () => {}, null)).toBe(PathState.UNCHECKED);
    expect(tur.message()).toBe(" is disabled");
    tur.disabled = false;
    tur.fdValid = false;
    expect(tur.check(PathState.GHOST, () => {}, null)).toBe(PathState.WILD);
    expect(tur.message()).toBe(" has no usable fd");
    const { c: none, host } = run(createNoneChecker(), () => ({}));
    none.fdValid = false;
    expect(none.check(PathState.GHOST, () => {}, null)).toBe(PathState.GHOST);
    expect(host.sent("sda")).toHaveLength(0);
  });

  it("prints messages by id: generic ones, the class's table from 100, and nothing for unknown ids", () => {
    const { c } = run(createRdacChecker(), () => ({}));
    c.msgid = 5;
    expect(c.message()).toBe(" reports path is down");
    c.msgid = RdacMsgId.IN_RESET;
    expect(c.message()).toBe(" reports path is down: ctlr held in reset");
    c.msgid = 50;
    expect(c.message()).toBe("");
    c.msgid = 150;
    expect(c.message()).toBe("");
  });

  it("looks checkers up by name and logs a missing one as multipathd does", () => {
    const reg = createDefaultCheckers();
    expect(reg.names()).toEqual([
      "directio",
      "tur",
      "hp_sw",
      "rdac",
      "emc_clariion",
      "readsector0",
      "cciss_tur",
      "none",
    ]);
    const { log, lines } = collectLog();
    expect(checkerLookup(reg, "tur", log)?.name).toBe("tur");
    expect(checkerLookup(reg, "foo", log)).toBeUndefined();
    expect(lines).toEqual([[0, "Checker 'foo' not found in /lib/multipath"]]);
  });
});

describe("readsector0", () => {
  it("reads 4 KiB at LBA 0 with READ(10) of one block: UP, DOWN, UNIT ATTENTION retried twice", () => {
    let n = 0;
    const r = run(createReadsector0Checker(), () =>
      n++ < 2 ? { sense: makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0) } : {},
    );
    expect(r.check()).toBe(PathState.UP);
    const cmds = r.host.sent("sda");
    expect([...cmds[0]!.cdb]).toEqual([0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(cmds[0]!.allocationLength).toBe(4096);
    expect(cmds).toHaveLength(3);
    const down = run(createReadsector0Checker(), () => ({
      sense: makeSense(SenseKey.UNIT_ATTENTION, 0x29, 0),
    }));
    expect(down.check()).toBe(PathState.DOWN);
    expect(down.host.sent("sda")).toHaveLength(3);
    expect(run(createReadsector0Checker(), () => ({ errno: 12 })).check()).toBe(PathState.UP);
    expect(run(createReadsector0Checker(), () => ({ errno: 6 })).check()).toBe(PathState.DOWN);
  });
});

describe("hp_sw checker", () => {
  it("needs VPD 0x80, then TUR tells the active path from the passive one", () => {
    const active = run(createHpSwChecker(), () => ({}));
    expect(active.check()).toBe(PathState.UP);
    const passive = run(createHpSwChecker(), (cmd) =>
      isOp(cmd, 0x00) ? { sense: makeSense(SenseKey.NOT_READY, 4, 2) } : {},
    );
    expect(passive.check()).toBe(PathState.GHOST);
    expect(passive.c.message()).toBe(" reports path is ghost");
    const illegal = run(createHpSwChecker(), () => ({ sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x24, 0) }));
    expect(illegal.check()).toBe(PathState.WILD);
    expect(illegal.c.message()).toBe(" doesn't support this device");
    expect(run(createHpSwChecker(), () => ({ errno: ENOTTY })).check()).toBe(PathState.WILD);
    const broken = run(createHpSwChecker(), () => ({ hostStatus: HostStatus.DID_NO_CONNECT }));
    expect(broken.check()).toBe(PathState.DOWN);
    expect(broken.c.message()).toBe(" reports path is down");
  });
});

function vac(opts: {
  owner?: boolean;
  ioship?: boolean;
  tpgValid?: boolean;
  cur?: number;
  alt?: number;
  vendorCur?: number;
  pqPdt?: number;
}) {
  const p = new Uint8Array(44);
  p.set([0x76, 0x61, 0x63, 0x31], 0); // "vac1"
  p[4] = (opts.owner ? 0x01 : 0) | (opts.tpgValid ? 0x10 : 0) | (opts.ioship ? 0x20 : 0);
  p[6] = opts.cur ?? 0;
  p[7] = opts.vendorCur ?? 0;
  p[8] = opts.alt ?? 0;
  const page = buildVpdPage(0xc9, p);
  page[0] = opts.pqPdt ?? 0;
  return page;
}

describe("rdac checker", () => {
  const rdac = (page: Uint8Array | FakeSgReply) =>
    run(createRdacChecker(), (cmd) =>
      isOp(cmd, 0x12, 0xc9) ? (page instanceof Uint8Array ? { data: page } : page) : {},
    );

  it("owner or IOSHIP mode is UP, otherwise GHOST", () => {
    expect(rdac(vac({ owner: true })).check()).toBe(PathState.UP);
    expect(rdac(vac({ ioship: true })).check()).toBe(PathState.UP);
    const g = rdac(vac({}));
    expect(g.check()).toBe(PathState.GHOST);
    expect(g.c.message()).toBe(" reports path is ghost");
  });

  it("reports DOWN with the reason the page gives", () => {
    const cases: Array<[Parameters<typeof vac>[0], string]> = [
      [{ pqPdt: 0x20 }, " reports path is down: lun not connected"],
      [{ tpgValid: true, cur: 3, vendorCur: 2 }, " reports path is down: non-responsive to queries"],
      [{ tpgValid: true, cur: 3, vendorCur: 3 }, " reports path is down: ctlr held in reset"],
      [{ tpgValid: true, cur: 3, vendorCur: 5 }, " reports path is down: ctlr firmware downloading"],
      [{ tpgValid: true, cur: 3, vendorCur: 6 }, " reports path is down: ctlr quiesced by admin request"],
      [{ tpgValid: true, cur: 3, vendorCur: 7 }, " reports path is down: ctlr is in service mode"],
      [{ tpgValid: true, cur: 3, vendorCur: 9 }, " reports path is down: ctlr is unavailable"],
      [{ tpgValid: true, cur: 0xf, alt: 0 }, " reports path is down: ctlr is in startup sequence"],
    ];
    for (const [o, msg] of cases) {
      const r = rdac(vac(o));
      expect(r.check()).toBe(PathState.DOWN);
      expect(r.c.message()).toBe(msg);
    }
    // both controllers transitioning: a failover is under way, the path is judged by ownership
    expect(rdac(vac({ tpgValid: true, cur: 0xf, alt: 0xf, owner: true })).check()).toBe(PathState.UP);
  });

  it("distinguishes a failed inquiry, an unsupported device, and (as 0.9.4) reads an ioctl error as a zero page", () => {
    const f = rdac({ sense: makeSense(SenseKey.HARDWARE_ERROR, 0x44, 0) });
    expect(f.check()).toBe(PathState.DOWN);
    expect(f.c.message()).toBe(" reports path is down: inquiry failed");
    expect(f.lines).toContainEqual([1, "rdac checker: INQUIRY failed with sense key 04"]);
    expect(rdac({ errno: ENOTTY }).check()).toBe(PathState.WILD);
    expect(rdac({ errno: 6 }).check()).toBe(PathState.GHOST);
  });

  it("sets the control mode page's TAS bit at init before the first check", () => {
    const r = run(createRdacChecker(), (cmd) => {
      if (cmd.cdb[0] === 0x5a) {
        const data = new Uint8Array(20);
        if ((cmd.cdb[2] ?? 0) >> 6 === 1) data[13] = 0x40; // changeable
        return { data };
      }
      return isOp(cmd, 0x12, 0xc9) ? { data: vac({ owner: true }) } : {};
    });
    expect(r.check()).toBe(PathState.UP);
    const ops = r.host.sent("sda").map((c) => c.cdb[0]);
    expect(ops).toEqual([0x5a, 0x5a, 0x55, 0x12]);
    const sel = r.host.sent("sda")[2]!;
    expect([sel.dataOut![8], sel.dataOut![9], sel.dataOut![13]]).toEqual([0x0a, 0x0a, 0x40]);
    const r2 = run(createRdacChecker(), (cmd) =>
      cmd.cdb[0] === 0x5a ? { data: new Uint8Array(20) } : { data: vac({ owner: true }) },
    );
    r2.check();
    expect(r2.lines).toContainEqual([3, "rdac checker failed to set TAS bit"]);
  });
});

function pageC0(o: {
  lunState?: number;
  mode?: number;
  ndu?: number;
  wwn?: number;
  initiator?: number;
  acp?: boolean;
  pageRev?: number;
}) {
  const b = new Uint8Array(128);
  b[1] = 0xc0;
  b[4] = o.lunState ?? 1;
  b[9] = o.pageRev ?? 0;
  for (let i = 0; i < 16; i++) b[10 + i] = (o.wwn ?? 0x60) + i;
  b[27] = o.initiator ?? 0x03;
  b[28] = o.mode ?? 4;
  b[30] = o.acp === false ? 0 : 0x04;
  b[48] = o.ndu ?? 0;
  return b;
}

describe("emc_clariion checker", () => {
  const emc = (page: () => Uint8Array, read: FakeSgReply = {}, mp?: MpContext) =>
    run(
      createEmcClariionChecker(),
      (cmd) => (isOp(cmd, 0x12, 0xc0) ? { data: page() } : cmd.cdb[0] === 0x28 ? read : {}),
      mp ? { mp } : {},
    );

  it("passive paths are UP (not GHOST) and active ones read sector 0", () => {
    const p = emc(() => pageC0({ lunState: 1 }));
    expect(p.check()).toBe(PathState.UP);
    expect(p.c.message()).toBe(": Active path is healthy");
    const a = emc(() => pageC0({ lunState: 2 }));
    expect(a.check()).toBe(PathState.UP);
    expect(a.host.sent("sda").map((c) => c.cdb[0])).toEqual([0x12, 0x28]);
  });

  it("checks the page, the failover setup, normal operation, the binding and the WWN", () => {
    expect(emc(() => pageC0({ pageRev: 1 })).check()).toBe(PathState.DOWN);
    const cfg = emc(() => pageC0({ mode: 1 }));
    expect(cfg.check()).toBe(PathState.DOWN);
    expect(cfg.c.message()).toBe(": Path not correctly configured for failover");
    expect(emc(() => pageC0({ mode: 6 })).check()).toBe(PathState.UP);
    expect(emc(() => pageC0({ acp: false })).check()).toBe(PathState.DOWN);
    const shaky = emc(() => pageC0({ ndu: 1 }));
    expect(shaky.check()).toBe(PathState.SHAKY);
    expect(shaky.c.message()).toBe(": Path not available for normal operations");
    const unbound = emc(() => pageC0({ lunState: 0 }));
    expect(unbound.check()).toBe(PathState.DOWN);
    expect(unbound.c.message()).toBe(": Logical Unit is unbound or LUNZ");
    let wwn = 0x60;
    const moved = emc(() => pageC0({ wwn }));
    expect(moved.check()).toBe(PathState.UP);
    wwn = 0x70;
    expect(moved.check()).toBe(PathState.DOWN);
    expect(moved.c.message()).toBe(": Logical Unit WWN has changed");
  });

  it("marks an inactive snapshot on the map, so that its passive paths go DOWN too", () => {
    const mp: MpContext = { value: undefined };
    const active = emc(
      () => pageC0({ lunState: 2 }),
      { sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x25, 0x01) },
      mp,
    );
    expect(mp.value).toEqual({ inactiveSnap: 0 });
    expect(active.check()).toBe(PathState.DOWN);
    expect(mp.value).toEqual({ inactiveSnap: 1 });
    const passive = emc(() => pageC0({ lunState: 1 }), {}, mp);
    expect(passive.check()).toBe(PathState.DOWN);
    expect(passive.lines).toContainEqual([
      3,
      "emc_clariion_checker: Passive path to inactive snapshot WWN 606162636465666768696a6b6c6d6e6f.",
    ]);
  });

  it("reads query failures as DOWN, ILLEGAL REQUEST and ENOTTY as WILD, retrying transport errors", () => {
    const e = emc(() => pageC0({}));
    e.host.addScsi("sda", () => ({ sense: makeSense(SenseKey.HARDWARE_ERROR, 0x44, 0) }));
    expect(e.check()).toBe(PathState.DOWN);
    expect(e.c.message()).toBe(": query command indicates error");
    const w = run(createEmcClariionChecker(), () => ({
      sense: makeSense(SenseKey.ILLEGAL_REQUEST, 0x24, 0),
    }));
    expect(w.check()).toBe(PathState.WILD);
    const t = run(createEmcClariionChecker(), () => ({ hostStatus: HostStatus.DID_BUS_BUSY }));
    expect(t.check()).toBe(PathState.DOWN);
    expect(t.host.sent("sda")).toHaveLength(5);
    expect(t.lines).toContainEqual([1, "emc_clariion_checker: INQUIRY failed without sense, status 00"]);
  });
});

describe("cciss_tur checker", () => {
  it("fails on a device that is no CCISS volume, and runs TUR on one", () => {
    const sd = run(createCcissTurChecker(), () => ({}));
    expect(sd.check()).toBe(PathState.DOWN);
    expect(sd.lines).toContainEqual([
      0,
      "cciss TUR  failed in CCISS_GETLUNINFO: Inappropriate ioctl for device",
    ]);
    const vol = run(createCcissTurChecker(), () => ({}), { dev: "cciss!c0d0" });
    expect(vol.check()).toBe(PathState.UP);
    const bad = run(createCcissTurChecker(), () => ({ sense: makeSense(SenseKey.NOT_READY, 4, 0) }), {
      dev: "cciss!c0d0",
    });
    expect(bad.check()).toBe(PathState.DOWN);
  });
});

export type { Checker };
