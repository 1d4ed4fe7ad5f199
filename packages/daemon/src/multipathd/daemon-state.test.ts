import { describe, expect, it } from "vitest";
import { ForceReload } from "../libmultipath/defaults.js";
import {
  INITIAL_RUN_STATE,
  type RunEvent,
  type RunState,
  runStateTransition,
  wantsConfigure,
} from "./daemon-state.js";

function run(events: RunEvent[], from: RunState = INITIAL_RUN_STATE): [RunState, string[]] {
  let s = from;
  const seen: string[] = [];
  for (const e of events) {
    const [s2, fx] = runStateTransition(s, e);
    s = s2;
    for (const f of fx) seen.push(`${f.from}->${f.to}`);
  }
  return [s, seen];
}

describe("runStateTransition (multipathd's running state)", () => {
  it("starts up, configures, then alternates idle and running with the checker", () => {
    const [s, seen] = run([
      { kind: "post", state: "startup" },
      { kind: "post", state: "configure" },
      { kind: "post", state: "idle" },
      { kind: "checker-start" },
      { kind: "post", state: "idle" },
    ]);
    expect(seen).toEqual([
      "init->startup",
      "startup->configure",
      "configure->idle",
      "idle->running",
      "running->idle",
    ]);
    expect(s.state).toBe("idle");
  });

  it("a reconfigure while idle configures at once; while running it waits", () => {
    const idle: RunState = { state: "idle", pending: ForceReload.NONE, delayed: false };
    const [s1, seen1] = run([{ kind: "schedule-reconfigure", type: ForceReload.WEAK }], idle);
    expect(seen1).toEqual(["idle->configure"]);
    expect(wantsConfigure(s1)).toBe(true);
    const running: RunState = { ...idle, state: "running" };
    const [s2, seen2] = run([{ kind: "schedule-reconfigure", type: ForceReload.WEAK }], running);
    expect(seen2).toEqual([]);
    expect(s2.pending).toBe(ForceReload.WEAK);
    expect(wantsConfigure(s2)).toBe(true);
  });

  it("'reconfigure all' wins over a pending plain reconfigure", () => {
    const running: RunState = { state: "running", pending: ForceReload.NONE, delayed: false };
    const [s] = run(
      [
        { kind: "schedule-reconfigure", type: ForceReload.YES },
        { kind: "schedule-reconfigure", type: ForceReload.WEAK },
      ],
      running,
    );
    expect(s.pending).toBe(ForceReload.YES);
  });

  it("a delayed reconfigure waits for unblock", () => {
    const idle: RunState = { state: "idle", pending: ForceReload.WEAK, delayed: false };
    const [s] = run([{ kind: "take-reconfigure", delay: true }], idle);
    expect(s.delayed).toBe(true);
    expect(wantsConfigure(s)).toBe(false);
    const [s2, seen] = run([{ kind: "unblock" }], s);
    expect(seen).toEqual(["idle->configure"]);
    expect(s2.delayed).toBe(false);
  });

  it("shutdown is final", () => {
    const [s, seen] = run([
      { kind: "post", state: "shutdown" },
      { kind: "post", state: "idle" },
      { kind: "checker-start" },
      { kind: "schedule-reconfigure", type: ForceReload.YES },
    ]);
    expect(s.state).toBe("shutdown");
    expect(seen).toEqual(["init->shutdown"]);
    expect(wantsConfigure(s)).toBe(false);
  });
});
