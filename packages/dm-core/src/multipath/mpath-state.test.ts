import { describe, expect, it } from "vitest";
import { ScsiDhResult } from "../handlers/handler.js";
import {
  initialState,
  type MpathEffect,
  MpathFlag,
  type MpathState,
  type MpathTopology,
  msecsToJiffiesNs,
  transition,
} from "./mpath-state.js";

const topo = (hw: string | null = null, extra: Partial<MpathTopology> = {}): MpathTopology => ({
  dmName: "254:0",
  queueMode: "request",
  hwHandlerName: hw,
  pgInitRetries: 0,
  pgInitDelayMsecs: 0xffffffff,
  groups: [[0, 1], [2]],
  pathGroup: [0, 0, 1],
  pathNames: ["8:0", "8:16", "8:32"],
  ...extra,
});

const fresh = (t: MpathTopology, qifnp = false): MpathState =>
  initialState(t, { queueIfNoPath: qifnp, retainAttachedHwHandler: false, nextPg: 0 });

function run(
  s: MpathState,
  t: MpathTopology,
  ...evs: Parameters<typeof transition>[1][]
): [MpathState, MpathEffect[]] {
  const all: MpathEffect[] = [];
  let cur = s;
  for (const e of evs) {
    const [n, fx] = transition(cur, e, t);
    cur = n;
    all.push(...fx);
  }
  return [cur, all];
}

describe("multipath state machine", () => {
  it("starts with QUEUE_IO set, every path valid and the initial group pending", () => {
    const s = fresh(topo(), true);
    expect(s.flags).toBe(MpathFlag.QUEUE_IO | MpathFlag.QUEUE_IF_NO_PATH);
    expect(s.nrValidPaths).toBe(3);
    expect(s.nextPg).toBe(0);
    expect(s.currentPg).toBe(-1);
  });

  it("fail_path: log, selector, uevent, event work — and a no-op the second time", () => {
    const t = topo();
    const [s1, fx] = run(fresh(t), t, { type: "fail-path", path: 1 });
    expect(fx).toEqual([
      { kind: "log", level: "warn", text: "device-mapper: multipath: 254:0: Failing path 8:16." },
      { kind: "selector-fail", path: 1 },
      { kind: "uevent", action: "PATH_FAILED", path: 1, nrValidPaths: 2 },
      { kind: "trigger-event" },
    ]);
    expect(s1.paths[1]).toEqual({ active: false, failCount: 1, activatePending: false });
    const [s2, fx2] = transition(s1, { type: "fail-path", path: 1 }, t);
    expect(s2).toBe(s1);
    expect(fx2).toEqual([]);
  });

  it("arms the no-path timer when the last path fails with queue_if_no_path", () => {
    const t = topo();
    const [, fx] = run(
      fresh(t, true),
      t,
      { type: "fail-path", path: 0 },
      { type: "fail-path", path: 1 },
      {
        type: "fail-path",
        path: 2,
      },
    );
    expect(fx.filter((e) => e.kind === "nopath-timer")).toEqual([{ kind: "nopath-timer", arm: true }]);
  });

  it("reinstate asks the selector first; an error keeps the path failed", () => {
    const t = topo();
    const [s1] = run(fresh(t), t, { type: "fail-path", path: 0 });
    const [s2, fx] = transition(s1, { type: "reinstate-path", path: 0 }, t);
    expect(fx).toEqual([
      { kind: "log", level: "warn", text: "device-mapper: multipath: 254:0: Reinstating path 8:0." },
      { kind: "selector-reinstate", path: 0 },
    ]);
    const [s3, fx3] = transition(s2, { type: "selector-reinstated", path: 0, result: -22 }, t);
    expect(s3.paths[0]!.active).toBe(false);
    expect(fx3).toEqual([]);
    const [s4, fx4] = transition(s2, { type: "selector-reinstated", path: 0, result: 0 }, t);
    expect(s4.paths[0]!.active).toBe(true);
    expect(s4.nrValidPaths).toBe(3);
    expect(fx4).toEqual([
      { kind: "uevent", action: "PATH_REINSTATED", path: 0, nrValidPaths: 3 },
      { kind: "trigger-event" },
      { kind: "nopath-timer", arm: false },
    ]);
  });

  it("reinstating the first valid path kicks the queues", () => {
    const t = topo("alua");
    const [s] = run(fresh(t), t, ...[0, 1, 2].map((path) => ({ type: "fail-path" as const, path })));
    const [s2, fx] = run(s, t, { type: "selector-reinstated", path: 2, result: 0 });
    expect(s2.currentPgpath).toBe(-1);
    expect(fx.map((e) => e.kind)).toEqual([
      "uevent",
      "trigger-event",
      "run-md-queue",
      "process-queued-io",
      "nopath-timer",
    ]);
  });

  it("a group switch with a hardware handler requires pg_init and queues I/O", () => {
    const t = topo("alua");
    const [s] = run(fresh(t), t, { type: "take-next-pg" }, { type: "switch-pg", pg: 0, path: 1 });
    expect(s.currentPg).toBe(0);
    expect(s.currentPgpath).toBe(1);
    expect(s.flags & (MpathFlag.QUEUE_IO | MpathFlag.PG_INIT_REQUIRED)).toBe(
      MpathFlag.QUEUE_IO | MpathFlag.PG_INIT_REQUIRED,
    );
    const [s2, fx] = run(s, t, { type: "pg-init-all" });
    expect(s2.pgInitCount).toBe(1);
    expect(s2.pgInitInProgress).toBe(2);
    expect(fx).toEqual([
      { kind: "queue-activate", path: 0, delayNs: 0 },
      { kind: "queue-activate", path: 1, delayNs: 0 },
    ]);
    // a second round cannot start while activations run
    expect(transition(s2, { type: "pg-init-all" }, t)[0]).toBe(s2);
  });

  it("a group switch without a handler clears QUEUE_IO at once", () => {
    const t = topo();
    const [s] = run(fresh(t), t, { type: "switch-pg", pg: 1, path: 2 });
    expect(s.flags & MpathFlag.QUEUE_IO).toBe(0);
  });

  it("pg_init_done: the last activation clears QUEUE_IO and kicks the queues", () => {
    const t = topo("alua");
    const [s] = run(fresh(t), t, { type: "switch-pg", pg: 0, path: 0 }, { type: "pg-init-all" });
    const [s1, fx1] = run(
      s,
      t,
      { type: "activate-work", path: 0, dying: false },
      { type: "pg-init-done", path: 0, result: 0 },
    );
    expect(fx1).toEqual([{ kind: "scsi-dh-activate", path: 0 }]);
    expect(s1.flags & MpathFlag.QUEUE_IO).toBeTruthy();
    const [s2, fx2] = run(
      s1,
      t,
      { type: "activate-work", path: 1, dying: false },
      { type: "pg-init-done", path: 1, result: 0 },
    );
    expect(s2.flags & MpathFlag.QUEUE_IO).toBe(0);
    expect(s2.pgInitInProgress).toBe(0);
    expect(fx2).toEqual([{ kind: "scsi-dh-activate", path: 1 }, { kind: "process-queued-io" }]);
  });

  it("pg_init_done with RETRY under the retry limit starts a delayed round (pg_init_delay_msecs or 2000 ms)", () => {
    for (const [delay, ns] of [
      [0xffffffff, 2000e6],
      [2500, 2500e6],
      [1, msecsToJiffiesNs(1)],
    ] as const) {
      const t = topo("alua", {
        pgInitRetries: 3,
        pgInitDelayMsecs: delay,
        groups: [[0]],
        pathGroup: [0],
        pathNames: ["8:0"],
      });
      const [s] = run(
        fresh(t),
        t,
        { type: "switch-pg", pg: 0, path: 0 },
        { type: "pg-init-all" },
        {
          type: "activate-work",
          path: 0,
          dying: false,
        },
      );
      const [s2, fx] = transition(s, { type: "pg-init-done", path: 0, result: ScsiDhResult.RETRY }, t);
      expect(fx).toEqual([{ kind: "queue-activate", path: 0, delayNs: ns }]);
      expect(s2.pgInitCount).toBe(2);
      expect(s2.flags & MpathFlag.PG_INIT_DELAY_RETRY).toBeTruthy();
    }
    expect(msecsToJiffiesNs(1)).toBe(4_000_000);
  });

  it("logs 'Could not failover device' when an error hits the current path that is already failed", () => {
    const t = topo("alua");
    const s: MpathState = {
      ...fresh(t),
      currentPg: 0,
      currentPgpath: 0,
      pgInitInProgress: 1,
      paths: [{ active: false, failCount: 1, activatePending: false }, ...fresh(t).paths.slice(1)],
    };
    const [s2, fx] = transition(s, { type: "pg-init-done", path: 0, result: ScsiDhResult.IO }, t);
    expect(fx[0]).toEqual({
      kind: "log",
      level: "err",
      text: "device-mapper: multipath: Could not failover device. Error 8.",
    });
    expect(s2.currentPg).toBe(-1);
  });

  it("presuspend saves and clears queue_if_no_path (flush or bio), resume restores it", () => {
    const t = topo();
    const [s1, fx] = run(fresh(t, true), t, { type: "presuspend", noflush: false });
    expect(s1.flags & (MpathFlag.QUEUE_IF_NO_PATH | MpathFlag.SAVED_QUEUE_IF_NO_PATH)).toBe(
      MpathFlag.SAVED_QUEUE_IF_NO_PATH,
    );
    expect(fx).toEqual([{ kind: "run-md-queue" }, { kind: "process-queued-io" }]);
    const [s2] = run(s1, t, { type: "resume" });
    expect(s2.flags & (MpathFlag.QUEUE_IF_NO_PATH | MpathFlag.SAVED_QUEUE_IF_NO_PATH)).toBe(
      MpathFlag.QUEUE_IF_NO_PATH,
    );
    // noflush, request-based: untouched
    const [s3, fx3] = run(fresh(t, true), t, { type: "presuspend", noflush: true });
    expect(s3.flags & MpathFlag.QUEUE_IF_NO_PATH).toBeTruthy();
    expect(fx3).toEqual([]);
    // a second save while disabled-but-saved would lose state: refused with the kernel's error
    const [, fx4] = run(s1, t, { type: "presuspend", noflush: false });
    expect(fx4[0]).toEqual({
      kind: "log",
      level: "err",
      text: "device-mapper: multipath: 254:0: QIFNP disabled but saved as enabled, saving again loses state, not saving!",
    });
  });

  it("fail_if_no_path also clears the saved state", () => {
    const t = topo();
    const [s] = run(
      fresh(t, true),
      t,
      { type: "presuspend", noflush: false },
      { type: "message-fail-if-no-path" },
      {
        type: "resume",
      },
    );
    expect(s.flags & MpathFlag.QUEUE_IF_NO_PATH).toBe(0);
  });

  it("is pure: the input state is never modified", () => {
    const t = topo("alua");
    const s = fresh(t, true);
    const snapshot = JSON.stringify(s);
    run(
      s,
      t,
      { type: "fail-path", path: 0 },
      { type: "bypass-pg", pg: 1, bypassed: true },
      { type: "switch-pg-num", pg: 1 },
    );
    transition(s, { type: "fail-path", path: 2 }, t);
    expect(JSON.stringify(s)).toBe(snapshot);
  });
});
