import { describe, expect, it } from "vitest";
import { twoPathWorld } from "../print/__fixtures__/scsi-debug.js";
import { testDaemon } from "../print/__fixtures__/test-daemon.js";
import { type DispatchContext, dispatchCommand, Reply } from "./dispatch.js";
import { genhelp } from "./help.js";

function ctxWith(overrides: Partial<DispatchContext>): DispatchContext {
  const d = testDaemon(twoPathWorld());
  return { isRoot: true, handlers: d.handlers, ...overrides };
}

describe("dispatchCommand", () => {
  it("refuses non-root peers anything but list/show, after parsing", async () => {
    const calls: string[] = [];
    const d = testDaemon(twoPathWorld(), {
      effects: {
        fail: () => {
          calls.push("fail");
          return { ok: true };
        },
      },
    });
    const ctx: DispatchContext = { isRoot: false, handlers: d.handlers };
    expect(await dispatchCommand("fail path sda", ctx)).toBe(Reply.PERMISSION_DENIED);
    expect(await dispatchCommand("shutdown", ctx)).toBe("permission deny: need to be root\n");
    expect(calls).toEqual([]);
    expect(await dispatchCommand("show maps", ctx)).toBe(
      "name   sysfs uuid             \nmpatha dm-0  333333330000007d0\n",
    );
    expect(await dispatchCommand("list daemon", ctx)).toBe("pid 240 idle\n");
    // A line that does not parse gets the help text, root or not.
    expect(await dispatchCommand("bogus", ctx)).toBe(genhelp("bogus", "ESRCH"));
  });

  it("answers help for blank lines and comments (upstream's ENOMEM), fail for an unknown inner word", async () => {
    const ctx = ctxWith({});
    expect(await dispatchCommand(" \n", ctx)).toBe(genhelp(" \n", "ENOMEM"));
    expect(
      (await dispatchCommand(" \n", ctx)).startsWith(" \n: Not enough memory\nmultipath-tools v0.9.4"),
    ).toBe(true);
    expect(await dispatchCommand("show foo maps \n", ctx)).toBe(Reply.FAIL);
  });

  it("turns results into replies: output wins, else ok/fail", async () => {
    const d = testDaemon(twoPathWorld(), {
      effects: {
        addPath: () => ({ ok: false, output: "blacklisted\n" }),
        delMap: () => ({ ok: false, output: "delayed" }),
        reconfigure: () => ({ ok: true }),
        shutdown: () => ({ ok: false }),
      },
    });
    expect(await d.send("add path sdc")).toBe("blacklisted\n");
    expect(await d.send("del map mpatha")).toBe("delayed");
    expect(await d.send("reconfigure")).toBe("ok\n");
    expect(await d.send("shutdown")).toBe("fail\n");
    expect(await d.send("quit")).toBe("ok\n");
  });

  it("a throwing handler is a failure, reported to the caller", async () => {
    const errors: unknown[] = [];
    const d = testDaemon(twoPathWorld(), {
      effects: {
        reload: () => {
          throw new Error("boom");
        },
      },
    });
    const ctx: DispatchContext = {
      isRoot: true,
      handlers: d.handlers,
      onHandlerError: (e) => errors.push(e),
    };
    expect(await dispatchCommand("reload map mpatha", ctx)).toBe("fail\n");
    expect(errors).toHaveLength(1);
  });

  it("takes the state lock for locked handlers only, and skips the handler when the client timed out", async () => {
    const events: string[] = [];
    let held = false;
    const lock = {
      acquire: async () => {
        events.push("acquire");
        held = true;
        return () => {
          held = false;
          events.push("release");
        };
      },
    };
    const d = testDaemon(twoPathWorld(), {
      effects: {
        suspend: () => {
          events.push(held ? "suspend(locked)" : "suspend(unlocked)");
          return { ok: true };
        },
        reconfigure: () => {
          events.push(held ? "reconfigure(locked)" : "reconfigure(unlocked)");
          return { ok: true };
        },
      },
    });
    const ctx: DispatchContext = { isRoot: true, handlers: d.handlers, lock };
    expect(await dispatchCommand("suspend map mpatha", ctx)).toBe("ok\n");
    expect(await dispatchCommand("reconfigure", ctx)).toBe("ok\n");
    expect(events).toEqual(["acquire", "suspend(locked)", "release", "reconfigure(unlocked)"]);

    events.length = 0;
    const aborted: DispatchContext = { ...ctx, signal: { aborted: true } };
    expect(await dispatchCommand("suspend map mpatha", aborted)).toBe(Reply.TIMEOUT);
    expect(events).toEqual(["acquire", "release"]);
  });

  it("map and path parameters accept /dev/ prefixes and dm-N names", async () => {
    const d = testDaemon(twoPathWorld());
    expect(await d.send("show map /dev/mpatha format %n")).toBe("mpatha\n");
    expect(await d.send("show map dm-0 format %n")).toBe("mpatha\n");
    expect(await d.send("show map dm-1 format %n")).toBe("fail\n");
    expect(await d.send("show path /dev/sdb")).toBe("running\n");
    // `show map M format` pads to the column widths of all maps, header included.
    expect(await d.send("show map mpatha format %N|")).toBe("2    |\n");
    expect(await d.send("show map mpatha raw format %N|")).toBe("2    |\n");
  });

  it("map-state handlers: stats reset, PR status flag and key", async () => {
    const w = twoPathWorld();
    const m = w.maps[0]!;
    m.statPathFailures = 4;
    m.statMapLoads = 2;
    const d = testDaemon(w);
    expect(await d.send("reset map mpatha stats")).toBe("ok\n");
    expect([m.statPathFailures, m.statMapLoads]).toEqual([0, 0]);
    m.statSwitchgroup = 3;
    expect(await d.send("reset maps stats")).toBe("ok\n");
    expect(m.statSwitchgroup).toBe(0);
    expect(await d.send("reset map nosuch stats")).toBe("fail\n");
    expect(await d.send("getprstatus map mpatha")).toBe("0");
    expect(await d.send("setprstatus map mpatha")).toBe("ok\n");
    expect(await d.send("getprstatus map mpatha")).toBe("1");
    expect(await d.send("unsetprstatus map mpatha")).toBe("ok\n");
    expect(m.prflag).toBe(false);
    expect(await d.send("getprkey map mpatha")).toBe("none\n");
    m.reservationKey = 0x123abcn;
    expect(await d.send("getprkey map mpatha")).toBe("0x123abc\n");
    m.saFlags = 1;
    expect(await d.send("getprkey map mpatha")).toBe("0x123abc:aptpl\n");
    expect(await d.send("getprkey map nosuch")).toBe("fail\n");
  });
});
